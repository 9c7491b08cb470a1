"""Broadcast plans: rules -> occurrences (what plays where and when, and why).

A rule names villages, scripts (with a rotation), a programme, times of day,
weekdays and windows (absolute dates, or days relative to calendar events such
as ``school-start -5d..+3d``). Quiet hours and blackout days are never
violated; when two rules want one village at once, the higher priority wins and
the other is moved to the next free slot or dropped.

``expand`` is pure: (plan, events, villages, scripts, from, to) -> sorted
occurrences, each with an id made of (village, rule, planned time) that does not
change when unrelated rules change. Rotation restarts on 1 January, so the same
occurrence gets the same script whatever window is asked for.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from outreach.calendar import DAY, Event, parse_villages
from outreach.catalog import Script
from outreach.check import Finding
from outreach.datafile import display_path, load_yaml, validate
from outreach.deployment import Village
from outreach.errors import ConfigError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")
_OFFSET = re.compile(r"^([+-]?\d+)d?$")


def parse_time(text: str) -> dt.time:
    m = _TIME.match(text)
    if not m:
        raise ValueError(f"'{text}' is not a time HH:MM")
    return dt.time(int(m.group(1)), int(m.group(2)), int(m.group(3) or 0))


def parse_offset(value: Any) -> int:
    m = _OFFSET.match(str(value).strip())
    if not m:
        raise ValueError(f"'{value}' is not a day offset such as -5d or +3d")
    return int(m.group(1))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Window(_Strict):
    """Days a rule is active: around an event (offsets from its first and last day) or between two dates."""

    event: str | None = None
    before: int = Field(0, alias="from")
    after: int = Field(0, alias="to")
    dates: tuple[dt.date, dt.date] | None = None

    @field_validator("before", "after", mode="before")
    @classmethod
    def _offset(cls, value: Any) -> int:
        return parse_offset(value)

    @model_validator(mode="after")
    def _one_kind(self) -> "Window":
        if (self.event is None) == (self.dates is None):
            raise ValueError("a window has either an event or dates: [FROM, TO]")
        if self.dates and self.dates[1] < self.dates[0]:
            raise ValueError("dates: the end is before the start")
        return self

    def describe(self) -> str:
        if self.dates:
            return f"{self.dates[0]}..{self.dates[1]}"
        if self.before or self.after:
            return f"{self.event} {self.before:+d}d..{self.after:+d}d"
        return str(self.event)


class Rotation(_Strict):
    mode: Literal["round-robin", "weighted"] = "round-robin"
    min_gap_days: int = Field(0, ge=0, le=365)
    weights: dict[str, int] = {}


class Rule(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    villages: Any = "all"
    scripts: Any
    rotation: Rotation = Rotation()
    programme: str = "standard"
    times: list[str] = Field(min_length=1)
    weekdays: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] | None = None
    windows: list[Window] = Field(min_length=1)
    priority: int = Field(50, ge=0, le=1000)
    variables: dict[str, str] = {}

    @field_validator("times")
    @classmethod
    def _times(cls, times: list[str]) -> list[str]:
        for t in times:
            parse_time(t)
        if len(set(times)) != len(times):
            raise ValueError("a time appears twice")
        return times

    @field_validator("villages")
    @classmethod
    def _villages(cls, value: Any) -> Any:
        parse_villages(value)
        return value

    @field_validator("scripts")
    @classmethod
    def _scripts(cls, value: Any) -> Any:
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            return value
        if isinstance(value, dict) and len(value) == 1 and set(value) <= {"tag", "topic"}:
            return value
        raise ValueError("scripts is a list of script ids, {tag: TAG} or {topic: TOPIC}")


class Blackout(_Strict):
    event: str | None = None
    dates: tuple[dt.date, dt.date] | None = None
    villages: Any = "all"
    reason: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> "Blackout":
        if (self.event is None) == (self.dates is None):
            raise ValueError("a blackout has either an event or dates: [FROM, TO]")
        parse_villages(self.villages)
        return self


class PlanFile(_Strict):
    quiet_hours: list[str] = ["12:00-14:00", "21:30-07:00"]
    collision_gap_minutes: int = Field(20, ge=0, le=240)
    max_shift_minutes: int = Field(120, ge=0, le=720)
    blackouts: list[Blackout] = []
    rules: list[Rule] = []

    @field_validator("quiet_hours")
    @classmethod
    def _quiet(cls, spans: list[str]) -> list[str]:
        for span in spans:
            parse_span(span)
        return spans


def parse_span(text: str) -> tuple[dt.time, dt.time]:
    start, sep, end = text.partition("-")
    if not sep:
        raise ValueError(f"'{text}' is not a span HH:MM-HH:MM")
    return parse_time(start.strip()), parse_time(end.strip())


@dataclass(frozen=True)
class Plan:
    """All plan files of a deployment, merged: rules, quiet hours, blackouts."""

    rules: tuple[Rule, ...]
    quiet_hours: tuple[tuple[dt.time, dt.time], ...]
    blackouts: tuple[Blackout, ...]
    collision_gap: dt.timedelta
    max_shift: dt.timedelta
    sources: dict[str, str] = field(default_factory=dict)

    def is_quiet(self, moment: dt.time) -> bool:
        for start, end in self.quiet_hours:
            if start <= end and start <= moment < end:
                return True
            if start > end and (moment >= start or moment < end):
                return True
        return False


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
                raise ConfigError(f"{display_path(path)}: rules[{i}].id: rule '{rule.id}' is already in {sources[rule.id]}")
            sources[rule.id] = f"{display_path(path)}: rules[{i}]"
            rules.append(rule)
        quiet += [parse_span(s) for s in spec.quiet_hours if parse_span(s) not in quiet]
        blackouts += spec.blackouts
        gap = spec.collision_gap_minutes if gap is None else max(gap, spec.collision_gap_minutes)
        shift = spec.max_shift_minutes if shift is None else min(shift, spec.max_shift_minutes)
    if not files:
        quiet = [parse_span(s) for s in PlanFile().quiet_hours]
    return Plan(tuple(rules), tuple(quiet), tuple(blackouts), dt.timedelta(minutes=20 if gap is None else gap),
                dt.timedelta(minutes=120 if shift is None else shift), sources)


@dataclass(frozen=True, order=True)
class Occurrence:
    """One planned play: sorted by time, then village."""

    at: dt.datetime
    village: str
    rule: str
    script: str
    programme: str
    priority: int
    reason: str
    planned: dt.datetime
    variables: tuple[tuple[str, str], ...] = ()

    @property
    def id(self) -> str:
        return occurrence_id(self.village, self.rule, self.planned)

    @property
    def moved(self) -> bool:
        return self.at != self.planned

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "at": self.at.isoformat(timespec="minutes"), "village": self.village,
            "rule": self.rule, "script": self.script, "programme": self.programme, "priority": self.priority,
            "reason": self.reason, "planned": self.planned.isoformat(timespec="minutes"),
            "variables": dict(self.variables),
        }


def occurrence_id(village: str, rule: str, planned: dt.datetime) -> str:
    return hashlib.sha1(f"{village}|{rule}|{planned:%Y-%m-%dT%H:%M:%S}".encode()).hexdigest()[:16]


@dataclass
class Expansion:
    occurrences: list[Occurrence]
    moved: list[Occurrence] = field(default_factory=list)
    dropped: list[tuple[Occurrence, str]] = field(default_factory=list)
    quiet_skipped: list[tuple[str, str, dt.datetime]] = field(default_factory=list)
    blackout_skipped: list[tuple[str, str, dt.datetime, str]] = field(default_factory=list)


def select_scripts(rule: Rule, scripts: list[Script]) -> list[Script]:
    spec = rule.scripts
    if isinstance(spec, list):
        by_id = {s.id: s for s in scripts}
        return [by_id[i] for i in spec if i in by_id]
    if "tag" in spec:
        return [s for s in scripts if spec["tag"] in s.meta.tags]
    return [s for s in scripts if s.meta.topic == spec["topic"]]


def _event_days(window: Window, event: Event) -> tuple[dt.date, dt.date]:
    return event.start + window.before * DAY, event.end + window.after * DAY


def _variables_from(event: Event | None) -> dict[str, str]:
    if event is None:
        return {}
    if event.name == "school-start":
        return {"term_start": event.start.isoformat()}
    if event.kind in ("holiday", "festival", "holiday-eve"):
        return {"holiday": event.label}
    return {}


class _Rotor:
    """Chooses the next script: round robin or smooth weighted round robin, skipping recent ones."""

    def __init__(self, rotation: Rotation, scripts: list[Script]) -> None:
        self.rotation = rotation
        self.scripts = scripts
        self.index = 0
        self.current = {s.id: 0 for s in scripts}
        self.last: dict[str, dt.date] = {}

    def _fresh(self, script: Script, day: dt.date) -> bool:
        last = self.last.get(script.id)
        return last is None or (day - last).days >= self.rotation.min_gap_days

    def choose(self, day: dt.date) -> Script:
        n = len(self.scripts)
        if self.rotation.mode == "weighted":
            weights = {s.id: self.rotation.weights.get(s.id, 1) for s in self.scripts}
            for s in self.scripts:
                self.current[s.id] += weights[s.id]
            pool = [s for s in self.scripts if self._fresh(s, day)] or self.scripts
            chosen = max(pool, key=lambda s: (self.current[s.id], -self.scripts.index(s)))
            self.current[chosen.id] -= sum(weights.values())
        else:
            order = [self.scripts[(self.index + k) % n] for k in range(n)]
            chosen = next((s for s in order if self._fresh(s, day)), None) or min(
                order, key=lambda s: self.last.get(s.id, dt.date.min))
            self.index = (self.scripts.index(chosen) + 1) % n
        self.last[chosen.id] = day
        return chosen


def blackout_days(plan: Plan, events: list[Event], villages: list[Village]) -> dict[str, dict[dt.date, str]]:
    """village -> day -> why it is silent (exam days near schools, plan blackouts)."""
    silent: dict[str, dict[dt.date, str]] = defaultdict(dict)
    ids = [v.id for v in villages]
    for event in events:
        if event.kind == "exam":
            for vid in ids:
                if event.applies_to(vid):
                    day = event.start
                    while day <= event.end:
                        silent[vid].setdefault(day, f"{event.label} exam")
                        day += DAY
    for blackout in plan.blackouts:
        chosen = [v.id for v in parse_villages(blackout.villages).select(villages)]
        spans = [blackout.dates] if blackout.dates else [
            (e.start, e.end) for e in events if e.matches(blackout.event or "")
        ]
        for start, end in spans:
            day = start
            while day <= end:
                for vid in chosen:
                    silent[vid].setdefault(day, blackout.reason or f"blackout {blackout.event or ''}".strip())
                day += DAY
    return silent


def expand(
    plan: Plan,
    events: list[Event],
    villages: list[Village],
    scripts: list[Script],
    start: dt.date,
    end: dt.date,
) -> Expansion:
    """All occurrences between start and end (inclusive), sorted; pure: no clock, no I/O."""
    anchor = dt.date(start.year, 1, 1)
    silent = blackout_days(plan, events, villages)
    by_village: dict[str, list[Occurrence]] = defaultdict(list)
    result = Expansion([])
    for rule in plan.rules:
        chosen_villages = parse_villages(rule.villages).select(villages)
        rule_scripts = select_scripts(rule, scripts)
        if not chosen_villages or not rule_scripts:
            continue
        times = sorted(parse_time(t) for t in rule.times)
        weekdays = {WEEKDAYS.index(d) for d in rule.weekdays} if rule.weekdays else None
        common: dict[dt.date, tuple[str, Event | None]] = {}
        per_village: dict[str, dict[dt.date, tuple[str, Event | None]]] = defaultdict(dict)
        for window in rule.windows:
            if window.dates:
                day = max(window.dates[0], anchor)
                while day <= min(window.dates[1], end):
                    common.setdefault(day, (window.describe(), None))
                    day += DAY
                continue
            for event in events:
                if not event.matches(window.event or ""):
                    continue
                first, last = _event_days(window, event)
                target = common if event.villages is None else None
                day = max(first, anchor)
                while day <= min(last, end):
                    why = f"{window.describe()} ({event.label} {event.start:%m-%d})"
                    if target is not None:
                        target.setdefault(day, (why, event))
                    else:
                        for vid in event.villages or ():
                            per_village[vid].setdefault(day, (why, event))
                    day += DAY
        for village in chosen_villages:
            usable = [s for s in rule_scripts if s.meta.villages is None or village.id in s.meta.villages]
            if not usable:
                continue
            rotor = _Rotor(rule.rotation, usable)
            days = {**common, **per_village.get(village.id, {})}
            for day in sorted(days):
                if weekdays is not None and day.weekday() not in weekdays:
                    continue
                why, event = days[day]
                for moment in times:
                    at = dt.datetime.combine(day, moment)
                    if plan.is_quiet(moment):
                        if day >= start:
                            result.quiet_skipped.append((rule.id, village.id, at))
                        continue
                    if day in silent.get(village.id, {}):
                        if day >= start:
                            result.blackout_skipped.append((rule.id, village.id, at, silent[village.id][day]))
                        continue
                    script = rotor.choose(day)
                    declared = set(script.meta.variables)
                    variables = {k: v for k, v in {**_variables_from(event), **rule.variables}.items()
                                 if k in declared}
                    by_village[village.id].append(Occurrence(
                        at, village.id, rule.id, script.id, rule.programme, rule.priority, why, at,
                        tuple(sorted(variables.items())),
                    ))
    window_start = dt.datetime.combine(start, dt.time())
    window_end = dt.datetime.combine(end + DAY, dt.time())
    for vid, items in by_village.items():
        accepted = _resolve(plan, items, silent.get(vid, {}), result)
        result.occurrences += [o for o in accepted if window_start <= o.at < window_end]
    result.occurrences.sort()
    result.moved = [o for o in result.moved if window_start <= o.planned < window_end]
    result.dropped = [d for d in result.dropped if window_start <= d[0].planned < window_end]
    return result


def _resolve(plan: Plan, items: list[Occurrence], silent: dict[dt.date, str], result: Expansion) -> list[Occurrence]:
    """One village's occurrences without collisions: priority first, losers moved or dropped."""
    gap = plan.collision_gap
    taken: dict[dt.date, list[dt.datetime]] = defaultdict(list)
    accepted: list[Occurrence] = []

    def free(at: dt.datetime) -> bool:
        if not gap:
            return True
        day = at.date()
        return all(abs(at - other) >= gap for d in (day - DAY, day, day + DAY) for other in taken.get(d, ()))

    for occ in sorted(items, key=lambda o: (-o.priority, o.at, o.rule)):
        if free(occ.at):
            taken[occ.at.date()].append(occ.at)
            accepted.append(occ)
            continue
        at = occ.at + gap
        placed = None
        while at - occ.at <= plan.max_shift and at.date() == occ.at.date():
            if not plan.is_quiet(at.time()) and at.date() not in silent and free(at):
                placed = at
                break
            at += dt.timedelta(minutes=5)
        if placed is None:
            result.dropped.append((occ, "no free slot within the allowed shift"))
            continue
        moved = Occurrence(placed, occ.village, occ.rule, occ.script, occ.programme, occ.priority,
                           occ.reason + f"; moved from {occ.at:%H:%M} (collision)", occ.planned, occ.variables)
        taken[placed.date()].append(placed)
        accepted.append(moved)
        result.moved.append(moved)
    return accepted


EVENT_MARGIN = dt.timedelta(days=60)


def plan_for(deployment, start: dt.date, end: dt.date, plans_dir: Path | None = None
             ) -> tuple[Plan, list[Event], Expansion]:
    """The I/O edge: read plan, calendar and catalog of a deployment, then expand (pure) over [start, end]."""
    from outreach.calendar import build_events, load_calendar_data
    from outreach.catalog import Catalog

    plan = load_plan(plans_dir or deployment.root / "schedules" / "plans")
    data = load_calendar_data(deployment.root / "schedules" / "calendar")
    anchor = dt.date(start.year, 1, 1)
    events = build_events(data, deployment.profile, anchor - EVENT_MARGIN, end + EVENT_MARGIN)
    catalog = Catalog.load(deployment.scripts_dir)
    return plan, events, expand(plan, events, deployment.profile.villages, list(catalog), start, end)


KNOWN_EVENT_SELECTORS = frozenset({
    "holiday", "holiday-eve", "workday", "festival", "school", "school-start", "school-end", "term", "vacation",
    "exam", "market-day",
})


def check_plan(plan: Plan, events: list[Event], villages: list[Village], scripts: list[Script],
               programmes: list[str], today: dt.date, horizon_days: int = 365) -> list[Finding]:
    """Validate rules against catalog, villages and calendar, then expand the next year and report what happens."""
    findings: list[Finding] = []
    script_ids = {s.id for s in scripts}
    village_ids = {v.id for v in villages}
    village_tags = {t for v in villages for t in v.tags}
    script_tags = {t for s in scripts for t in s.meta.tags}
    topics = {s.meta.topic for s in scripts}
    event_names = KNOWN_EVENT_SELECTORS | {e.name for e in events} | {e.kind for e in events}

    def error(where: str, message: str) -> None:
        findings.append(Finding("error", where, message))

    for rule in plan.rules:
        where = plan.sources.get(rule.id, rule.id)
        spec = rule.scripts
        if isinstance(spec, list):
            for j, sid in enumerate(spec):
                if sid not in script_ids:
                    error(f"{where}.scripts[{j}]", f"unknown script '{sid}'")
        elif "tag" in spec and spec["tag"] not in script_tags:
            error(f"{where}.scripts.tag", f"no script has the tag '{spec['tag']}'")
        elif "topic" in spec and spec["topic"] not in topics:
            error(f"{where}.scripts.topic", f"no script has the topic '{spec['topic']}'")
        selector = parse_villages(rule.villages)
        for j, vid in enumerate(selector.ids):
            if vid not in village_ids:
                error(f"{where}.villages[{j}]", f"unknown village '{vid}'")
        if selector.tag and selector.tag not in village_tags:
            error(f"{where}.villages.tag", f"no village has the tag '{selector.tag}'")
        if rule.programme not in programmes:
            error(f"{where}.programme", f"unknown programme '{rule.programme}' (known: {', '.join(programmes)})")
        for j, window in enumerate(rule.windows):
            if window.event and window.event not in event_names:
                error(f"{where}.windows[{j}].event", f"unknown event '{window.event}'")
        for name in rule.rotation.weights:
            if isinstance(spec, list) and name not in spec:
                error(f"{where}.rotation.weights.{name}", f"'{name}' is not one of the rule's scripts")
        for j, t in enumerate(rule.times):
            if plan.is_quiet(parse_time(t)):
                findings.append(Finding("warning", f"{where}.times[{j}]",
                                            f"{t} is in quiet hours: it never plays"))
    for j, blackout in enumerate(plan.blackouts):
        if blackout.event and blackout.event not in event_names:
            error(f"blackouts[{j}].event", f"unknown event '{blackout.event}'")
    if any(f.level == "error" for f in findings):
        return findings

    end = today + dt.timedelta(days=horizon_days)
    expansion = expand(plan, events, villages, scripts, today, end)
    fired = {o.rule for o in expansion.occurrences}
    for rule in plan.rules:
        if rule.id not in fired:
            findings.append(Finding("warning", plan.sources.get(rule.id, rule.id),
                                        f"rule '{rule.id}' never fires between {today} and {end}"))
    for occ in expansion.moved:
        findings.append(Finding("info", plan.sources.get(occ.rule, occ.rule),
                                    f"{occ.village} {occ.planned:%Y-%m-%d %H:%M} moved to {occ.at:%H:%M} (collision)"))
    for occ, why in expansion.dropped:
        findings.append(Finding("warning", plan.sources.get(occ.rule, occ.rule),
                                    f"{occ.village} {occ.planned:%Y-%m-%d %H:%M} dropped: {why}"))
    unofficial = sorted({e.start.year for e in events if e.kind == "holiday" and not e.official
                         and today <= e.start <= end})
    for year in unofficial:
        findings.append(Finding("warning", f"schedules/calendar/holidays-{year}.yaml",
                                    f"no official holiday arrangement for {year}: holiday dates are estimated"))
    return findings
