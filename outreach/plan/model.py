"""The plan as staff write it: rules, windows, rotations, blackouts, and the merged ``Plan``.

Only parsing and validation live here; reading the files is in ``load``, and
turning rules into occurrences in ``expand``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal, get_args

from pydantic import Field, field_validator, model_validator

from outreach.calendar import parse_villages
from outreach.datafile import Day, StrictModel
from outreach.i18n import _

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = get_args(Weekday)
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")
_OFFSET = re.compile(r"^([+-]?\d+)d?$")
MAX_OFFSET_DAYS = 366
"""How far a window may reach from its event: a year either way (-99999999d is a typo, not a plan)."""


def parse_time(text: str) -> dt.time:
    """'07:30' or '07:30:15' -> time; anything else is a staff mistake worth a message."""
    m = _TIME.match(text)
    if not m:
        raise ValueError(_("'{text}' is not a time HH:MM").format(text=text))
    return dt.time(int(m.group(1)), int(m.group(2)), int(m.group(3) or 0))


def parse_offset(value: Any) -> int:
    """'-5d', '+3d', 3 -> days; YAML gives ints or strings, both are accepted."""
    m = _OFFSET.match(str(value).strip())
    if not m:
        raise ValueError(_("'{value}' is not a day offset such as -5d or +3d").format(value=value))
    days = int(m.group(1))
    if abs(days) > MAX_OFFSET_DAYS:
        raise ValueError(_("'{value}' reaches more than {days} days from its event").format(value=value,
                                                                                            days=MAX_OFFSET_DAYS))
    return days


def parse_span(text: str) -> tuple[dt.time, dt.time]:
    """'21:30-07:00' -> (start, end); a span may run over midnight."""
    start, sep, end = text.partition("-")
    if not sep:
        raise ValueError(_("'{text}' is not a span HH:MM-HH:MM").format(text=text))
    return parse_time(start.strip()), parse_time(end.strip())


class Window(StrictModel):
    """Days a rule is active: around an event (offsets from its first and last day) or between two dates."""

    event: str | None = None
    before: int = Field(0, alias="from")
    after: int = Field(0, alias="to")
    dates: tuple[Day, Day] | None = None

    @field_validator("before", "after", mode="before")
    @classmethod
    def _offset(cls, value: Any) -> int:
        return parse_offset(value)

    @model_validator(mode="after")
    def _one_kind(self) -> "Window":
        if (self.event is None) == (self.dates is None):
            raise ValueError(_("a window has either an event or dates: [FROM, TO]"))
        if self.dates and self.dates[1] < self.dates[0]:
            raise ValueError(_("dates: the end is before the start"))
        return self

    def describe(self) -> str:
        if self.dates:
            return f"{self.dates[0]}..{self.dates[1]}"
        if self.before or self.after:
            return f"{self.event} {self.before:+d}d..{self.after:+d}d"
        return str(self.event)


class RotationMode(StrEnum):
    ROUND_ROBIN = "round-robin"
    WEIGHTED = "weighted"


class Rotation(StrictModel):
    mode: RotationMode = RotationMode.ROUND_ROBIN
    min_gap_days: int = Field(0, ge=0, le=365)
    weights: dict[str, int] = {}


class Rule(StrictModel):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    villages: Any = "all"
    scripts: Any
    rotation: Rotation = Rotation()
    programme: str = "standard"
    times: list[str] = Field(min_length=1)
    weekdays: list[Weekday] | None = None
    windows: list[Window] = Field(min_length=1)
    priority: int = Field(50, ge=0, le=1000)
    variables: dict[str, str] = {}

    @field_validator("times")
    @classmethod
    def _times(cls, times: list[str]) -> list[str]:
        for t in times:
            parse_time(t)
        if len(set(times)) != len(times):
            raise ValueError(_("a time appears twice"))
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
        raise ValueError(_("scripts is a list of script ids, {tag: TAG} or {topic: TOPIC}"))


class Blackout(StrictModel):
    event: str | None = None
    dates: tuple[Day, Day] | None = None
    villages: Any = "all"
    reason: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> "Blackout":
        if (self.event is None) == (self.dates is None):
            raise ValueError(_("a blackout has either an event or dates: [FROM, TO]"))
        parse_villages(self.villages)
        return self


class PlanFile(StrictModel):
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

    def source(self, rule_id: str) -> str:
        """Where a rule was written (file and key path), for messages."""
        return self.sources.get(rule_id, rule_id)
