"""The I/O edge of planning: read the plan files, and a deployment's plan, calendar and catalog."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from outreach.calendar import Event, build_events, load_calendar_data
from outreach.datafile import display_path, load_yaml, validate
from outreach.deployment import Deployment
from outreach.errors import ConfigError, OutreachError
from outreach.findings import Finding
from outreach.i18n import _
from outreach.plan.check import check_plan
from outreach.plan.expand import Expansion, expand
from outreach.plan.model import Blackout, Plan, PlanFile, Rule, parse_span

EVENT_MARGIN = dt.timedelta(days=60)
MAX_SPAN = dt.timedelta(days=366)
"""The longest range one expansion covers: a year of a plan is thousands of plays; decades would take minutes."""


def load_plan(folder: Path) -> Plan:
    """Read schedules/plans/*.yaml; rule ids must be unique across files."""
    rules: list[Rule] = []
    quiet: list[tuple[dt.time, dt.time]] = []
    blackouts: list[Blackout] = []
    gap: int | None = None
    shift: int | None = None
    sources: dict[str, str] = {}
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    for path in files:
        spec = validate(PlanFile, load_yaml(path), path)
        for i, rule in enumerate(spec.rules):
            if rule.id in sources:
                raise ConfigError(_("{file}: rules[{index}].id: rule '{rule}' is already in {source}").format(
                    file=display_path(path), index=i, rule=rule.id, source=sources[rule.id]))
            sources[rule.id] = f"{display_path(path)}: rules[{i}]"
            rules.append(rule)
        quiet += [parse_span(s) for s in spec.quiet_hours if parse_span(s) not in quiet]
        blackouts += spec.blackouts
        gap = spec.collision_gap_minutes if gap is None else max(gap, spec.collision_gap_minutes)
        shift = spec.max_shift_minutes if shift is None else min(shift, spec.max_shift_minutes)
    default = PlanFile()
    if not files:
        quiet = [parse_span(s) for s in default.quiet_hours]
    gap = default.collision_gap_minutes if gap is None else gap
    shift = default.max_shift_minutes if shift is None else shift
    return Plan(tuple(rules), tuple(quiet), tuple(blackouts), dt.timedelta(minutes=gap),
                dt.timedelta(minutes=shift), sources)


def plan_for(deployment: Deployment, start: dt.date, end: dt.date, plans_dir: Path | None = None
             ) -> tuple[Plan, list[Event], Expansion]:
    """Read plan, calendar and catalog of a deployment, then expand (pure) over [start, end] (a year at most)."""
    if end - start > MAX_SPAN:
        raise OutreachError(_("{start}..{end} is longer than {days} days: ask for a year at most at a time").format(
            start=start, end=end, days=MAX_SPAN.days))
    plan = load_plan(plans_dir or deployment.plans_dir)
    events = deployment_events(deployment, start, end)
    return plan, events, expand(plan, events, deployment.profile.villages, list(deployment.catalog), start, end)


def deployment_events(deployment: Deployment, start: dt.date, end: dt.date) -> list[Event]:
    """The events a plan over [start, end] may refer to: from 1 January of the first year, with a margin,
    so that windows relative to an event just outside the range still open or close in it."""
    data = load_calendar_data(deployment.calendar_dir)
    anchor = dt.date(start.year, 1, 1)
    return build_events(data, deployment.profile, anchor - EVENT_MARGIN, end + EVENT_MARGIN)


def check_deployment_plan(deployment: Deployment, today: dt.date) -> tuple[Plan, list[Finding]]:
    """``plan check``: the deployment's plan against its catalog, villages and programmes, over the year ahead."""
    plan = load_plan(deployment.plans_dir)
    events = deployment_events(deployment, today, today + dt.timedelta(days=365))
    profile = deployment.profile
    findings = check_plan(plan, events, profile.villages, list(deployment.catalog), list(profile.programmes), today)
    return plan, findings
