"""Rules -> occurrences, pure: no clock, no I/O.

Each occurrence's id is made of (village, rule, planned time), so it does not
change when unrelated rules change. Rotation restarts on 1 January, so the same
occurrence gets the same script whatever window is asked for.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from outreach.calendar import DAY, Event, EventKind, parse_villages
from outreach.catalog import Script
from outreach.deployment import Village
from outreach.i18n import _
from outreach.plan.model import WEEKDAYS, Plan, Rule, Window, parse_time
from outreach.plan.rotation import Rotor

Reason = tuple[str, Event | None]
"""Why a rule is active on a day: the window's description, and the event it hangs on (if any)."""


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
    """Stable across runs and plan edits, so the play log never airs one occurrence twice."""
    return hashlib.sha1(f"{village}|{rule}|{planned:%Y-%m-%dT%H:%M:%S}".encode()).hexdigest()[:16]


@dataclass
class Expansion:
    occurrences: list[Occurrence]
    moved: list[Occurrence] = field(default_factory=list)
    dropped: list[tuple[Occurrence, str]] = field(default_factory=list)
    quiet_skipped: list[tuple[str, str, dt.datetime]] = field(default_factory=list)
    blackout_skipped: list[tuple[str, str, dt.datetime, str]] = field(default_factory=list)


@dataclass(frozen=True)
class _Frame:
    """What every rule is expanded against: the plan, the world and the range asked for."""

    plan: Plan
    events: list[Event]
    villages: list[Village]
    scripts: list[Script]
    start: dt.date
    end: dt.date
    silent: dict[str, dict[dt.date, str]]

    @property
    def anchor(self) -> dt.date:
        """Rotation starts here (1 January), whatever start was asked for."""
        return dt.date(self.start.year, 1, 1)


def select_scripts(rule: Rule, scripts: list[Script]) -> list[Script]:
    """The scripts a rule rotates among: listed ids (in the rule's order), or all with a tag or topic."""
    spec = rule.scripts
    if isinstance(spec, list):
        by_id = {s.id: s for s in scripts}
        return [by_id[i] for i in spec if i in by_id]
    if "tag" in spec:
        return [s for s in scripts if spec["tag"] in s.meta.tags]
    return [s for s in scripts if s.meta.topic == spec["topic"]]


def _days(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    day = first
    while day <= last:
        yield day
        day += DAY


def _event_days(window: Window, event: Event) -> tuple[dt.date, dt.date]:
    return event.start + window.before * DAY, event.end + window.after * DAY


def _variables_from(event: Event | None) -> dict[str, str]:
    if event is None:
        return {}
    if event.name == "school-start":
        return {"term_start": event.start.isoformat()}
    if event.kind in (EventKind.HOLIDAY, EventKind.FESTIVAL, EventKind.HOLIDAY_EVE):
        return {"holiday": event.label}
    return {}


def blackout_days(plan: Plan, events: list[Event], villages: list[Village], first: dt.date = dt.date.min,
                  last: dt.date = dt.date.max) -> dict[str, dict[dt.date, str]]:
    """village -> day -> why it is silent (exam days near schools, plan blackouts), for days in [first, last]."""
    silent: dict[str, dict[dt.date, str]] = defaultdict(dict)
    ids = [v.id for v in villages]
    for event in events:
        if event.kind == EventKind.EXAM:
            exam = _("{label} exam").format(label=event.label)
            for vid in filter(event.applies_to, ids):
                for day in _days(max(event.start, first), min(event.end, last)):
                    silent[vid].setdefault(day, exam)
    for blackout in plan.blackouts:
        chosen = [v.id for v in parse_villages(blackout.villages).select(villages)]
        spans = [blackout.dates] if blackout.dates else [
            (e.start, e.end) for e in events if e.matches(blackout.event or "")
        ]
        why = blackout.reason or (_("blackout {event}").format(event=blackout.event) if blackout.event
                                  else _("blackout"))
        for start, end in spans:
            for day in _days(max(start, first), min(end, last)):
                for vid in chosen:
                    silent[vid].setdefault(day, why)
    return silent


def active_days(rule: Rule, events: list[Event], first: dt.date, last: dt.date
                ) -> tuple[dict[dt.date, Reason], dict[str, dict[dt.date, Reason]]]:
    """Days in [first, last] a rule's windows cover: for every village, and per village (village-bound events)."""
    common: dict[dt.date, Reason] = {}
    per_village: dict[str, dict[dt.date, Reason]] = defaultdict(dict)
    for window in rule.windows:
        if window.dates:
            for day in _days(max(window.dates[0], first), min(window.dates[1], last)):
                common.setdefault(day, (window.describe(), None))
            continue
        for event in events:
            if not event.matches(window.event or ""):
                continue
            begin, finish = _event_days(window, event)
            why = f"{window.describe()} ({event.label} {event.start:%m-%d})"
            targets = [common] if event.villages is None else [per_village[vid] for vid in event.villages]
            for day in _days(max(begin, first), min(finish, last)):
                for target in targets:
                    target.setdefault(day, (why, event))
    return common, per_village


def _occurrence(rule: Rule, village: str, script: Script, at: dt.datetime, reason: Reason) -> Occurrence:
    why, event = reason
    declared = set(script.meta.variables)
    variables = {k: v for k, v in {**_variables_from(event), **rule.variables}.items() if k in declared}
    return Occurrence(at, village, rule.id, script.id, rule.programme, rule.priority, why, at,
                      tuple(sorted(variables.items())))


def _village_plays(frame: _Frame, rule: Rule, village: str, scripts: list[Script], days: dict[dt.date, Reason],
                   result: Expansion) -> list[Occurrence]:
    """One rule in one village, day by day: quiet hours and silent days skipped, the rest rotated."""
    rotor = Rotor(rule.rotation, scripts)
    times = sorted(parse_time(t) for t in rule.times)
    weekdays = {WEEKDAYS.index(d) for d in rule.weekdays} if rule.weekdays else None
    silent = frame.silent.get(village, {})
    plays = []
    for day in sorted(days):
        if weekdays is not None and day.weekday() not in weekdays:
            continue
        for moment in times:
            at = dt.datetime.combine(day, moment)
            if frame.plan.is_quiet(moment):
                if day >= frame.start:
                    result.quiet_skipped.append((rule.id, village, at))
            elif day in silent:
                if day >= frame.start:
                    result.blackout_skipped.append((rule.id, village, at, silent[day]))
            else:
                plays.append(_occurrence(rule, village, rotor.choose(day), at, days[day]))
    return plays


def _expand_rule(frame: _Frame, rule: Rule, result: Expansion) -> dict[str, list[Occurrence]]:
    """village -> the plays one rule wants there, before collisions are resolved."""
    villages = parse_villages(rule.villages).select(frame.villages)
    rule_scripts = select_scripts(rule, frame.scripts)
    if not villages or not rule_scripts:
        return {}
    common, per_village = active_days(rule, frame.events, frame.anchor, frame.end)
    plays = {}
    for village in villages:
        usable = [s for s in rule_scripts if s.meta.villages is None or village.id in s.meta.villages]
        if usable:
            days = {**common, **per_village.get(village.id, {})}
            plays[village.id] = _village_plays(frame, rule, village.id, usable, days, result)
    return plays


def expand(
    plan: Plan,
    events: list[Event],
    villages: list[Village],
    scripts: list[Script],
    start: dt.date,
    end: dt.date,
) -> Expansion:
    """All occurrences between start and end (inclusive), sorted; pure: no clock, no I/O."""
    silent = blackout_days(plan, events, villages, dt.date(start.year, 1, 1), end + DAY)
    frame = _Frame(plan, events, villages, scripts, start, end, silent)
    result = Expansion([])
    by_village: dict[str, list[Occurrence]] = defaultdict(list)
    for rule in plan.rules:
        for vid, plays in _expand_rule(frame, rule, result).items():
            by_village[vid] += plays
    window_start = dt.datetime.combine(start, dt.time())
    window_end = dt.datetime.combine(end + DAY, dt.time())
    for vid, items in by_village.items():
        accepted = _resolve(plan, items, frame.silent.get(vid, {}), result)
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

    def slot(occ: Occurrence) -> dt.datetime | None:
        at = occ.at + gap
        while at - occ.at <= plan.max_shift and at.date() == occ.at.date():
            if not plan.is_quiet(at.time()) and at.date() not in silent and free(at):
                return at
            at += dt.timedelta(minutes=5)
        return None

    for occ in sorted(items, key=lambda o: (-o.priority, o.at, o.rule)):
        if not free(occ.at):
            placed = slot(occ)
            if placed is None:
                result.dropped.append((occ, _("no free slot within the allowed shift")))
                continue
            occ = replace(occ, at=placed, reason=_("{reason}; moved from {time} (collision)").format(
                reason=occ.reason, time=f"{occ.at:%H:%M}"))
            result.moved.append(occ)
        taken[occ.at.date()].append(occ.at)
        accepted.append(occ)
    return accepted
