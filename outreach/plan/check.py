"""``plan check``: rules against catalog, villages and calendar, then what a year of the plan would do."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from outreach.calendar import Event, EventKind, parse_villages, unofficial_years
from outreach.catalog import Script
from outreach.deployment import Village
from outreach.findings import Finding, Level, errors
from outreach.i18n import _
from outreach.plan.expand import expand
from outreach.plan.model import Plan, Rule, parse_time

KNOWN_EVENT_SELECTORS = frozenset(EventKind) | {"school-start", "school-end"}
"""Event names and kinds a window may use whatever this year's calendar holds."""


@dataclass(frozen=True)
class _Known:
    """Everything a rule may refer to."""

    scripts: set[str]
    script_tags: set[str]
    topics: set[str]
    villages: set[str]
    village_tags: set[str]
    events: set[str]
    programmes: list[str]


def _script_errors(rule: Rule, where: str, known: _Known) -> list[Finding]:
    spec = rule.scripts
    found = []
    if isinstance(spec, list):
        found += [Finding(Level.ERROR, f"{where}.scripts[{j}]",  # i18n: a key path
                          _("unknown script '{script}'").format(script=sid))
                  for j, sid in enumerate(spec) if sid not in known.scripts]
    elif "tag" in spec and spec["tag"] not in known.script_tags:
        found.append(Finding(Level.ERROR, f"{where}.scripts.tag",  # i18n: a key path
                             _("no script has the tag '{tag}'").format(tag=spec["tag"])))
    elif "topic" in spec and spec["topic"] not in known.topics:
        found.append(Finding(Level.ERROR, f"{where}.scripts.topic",  # i18n: a key path
                             _("no script has the topic '{topic}'").format(topic=spec["topic"])))
    return found


def _rule_findings(plan: Plan, rule: Rule, known: _Known) -> list[Finding]:
    """Unknown references (errors) and times that fall in quiet hours (warnings) of one rule."""
    where = plan.source(rule.id)
    found = _script_errors(rule, where, known)
    selector = parse_villages(rule.villages)
    found += [Finding(Level.ERROR, f"{where}.villages[{j}]",  # i18n: a key path
                      _("unknown village '{village}'").format(village=vid))
              for j, vid in enumerate(selector.ids) if vid not in known.villages]
    if selector.tag and selector.tag not in known.village_tags:
        found.append(Finding(Level.ERROR, f"{where}.villages.tag",  # i18n: a key path
                             _("no village has the tag '{tag}'").format(tag=selector.tag)))
    if rule.programme not in known.programmes:
        found.append(Finding(Level.ERROR, f"{where}.programme",  # i18n: a key path
                             _("unknown programme '{programme}' (known: {known})").format(
                                 programme=rule.programme, known=", ".join(known.programmes))))
    found += [Finding(Level.ERROR, f"{where}.windows[{j}].event",  # i18n: a key path
                      _("unknown event '{event}'").format(event=window.event))
              for j, window in enumerate(rule.windows) if window.event and window.event not in known.events]
    if isinstance(rule.scripts, list):
        found += [Finding(Level.ERROR, f"{where}.rotation.weights.{name}",  # i18n: a key path
                          _("'{script}' is not one of the rule's scripts").format(script=name))
                  for name in rule.rotation.weights if name not in rule.scripts]
    found += [Finding(Level.WARNING, f"{where}.times[{j}]",  # i18n: a key path
                      _("{time} is in quiet hours: it never plays").format(time=t))
              for j, t in enumerate(rule.times) if plan.is_quiet(parse_time(t))]
    return found


def _expansion_findings(plan: Plan, events: list[Event], villages: list[Village], scripts: list[Script],
                        today: dt.date, end: dt.date) -> list[Finding]:
    """What expanding [today, end] shows: rules that never fire, moved and dropped plays, estimated holidays."""
    expansion = expand(plan, events, villages, scripts, today, end)
    fired = {o.rule for o in expansion.occurrences}
    found = [Finding(Level.WARNING, plan.source(rule.id),
                     _("rule '{rule}' never fires between {start} and {end}").format(rule=rule.id, start=today, end=end))
             for rule in plan.rules if rule.id not in fired]
    found += [Finding(Level.INFO, plan.source(occ.rule), _("{village} {planned} moved to {at} (collision)").format(
        village=occ.village, planned=f"{occ.planned:%Y-%m-%d %H:%M}", at=f"{occ.at:%H:%M}"))
              for occ in expansion.moved]
    found += [Finding(Level.WARNING, plan.source(occ.rule), _("{village} {planned} dropped: {why}").format(
        village=occ.village, planned=f"{occ.planned:%Y-%m-%d %H:%M}", why=why))
              for occ, why in expansion.dropped]
    found += [Finding(Level.WARNING, f"schedules/calendar/holidays-{year}.yaml",  # i18n: a file name
                      _("no official holiday arrangement for {year}: holiday dates are estimated").format(year=year))
              for year in unofficial_years(events, today, end)]
    return found


def check_plan(plan: Plan, events: list[Event], villages: list[Village], scripts: list[Script],
               programmes: list[str], today: dt.date, horizon_days: int = 365) -> list[Finding]:
    """Validate rules against catalog, villages and calendar, then expand the next year and report what happens."""
    known = _Known(
        scripts={s.id for s in scripts}, script_tags={t for s in scripts for t in s.meta.tags},
        topics={s.meta.topic for s in scripts}, villages={v.id for v in villages},
        village_tags={t for v in villages for t in v.tags},
        events=KNOWN_EVENT_SELECTORS | {e.name for e in events} | {e.kind for e in events}, programmes=programmes,
    )
    findings = [f for rule in plan.rules for f in _rule_findings(plan, rule, known)]
    findings += [Finding(Level.ERROR, f"blackouts[{j}].event",  # i18n: a key path
                         _("unknown event '{event}'").format(event=blackout.event))
                 for j, blackout in enumerate(plan.blackouts)
                 if blackout.event and blackout.event not in known.events]
    if errors(findings):
        return findings
    end = today + dt.timedelta(days=horizon_days)
    return findings + _expansion_findings(plan, events, villages, scripts, today, end)
