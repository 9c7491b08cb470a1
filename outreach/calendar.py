"""The local calendar outreach plans against: holidays, festivals, school terms, exams, market days.

Sources, in order of trust:
- ``schedules/calendar/holidays-YYYY.yaml``: the State Council's arrangement as staff entered it;
- ``chinese_calendar``: the official arrangements for the years it knows (to 2026);
- otherwise the festival dates computed from the lunar calendar and solar terms
  (``lunar-python``), marked ``unofficial`` so the agenda and ``plan check`` warn.

Loading the data files is I/O (``load_calendar_data``); turning them into events
for a date range is pure (``build_events``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from outreach.datafile import Day, StrictModel, display_path, load_yaml, validate
from outreach.deployment import Deployment, Profile, Village
from outreach.errors import ConfigError
from outreach.i18n import _
from outreach.lunar import EARTHLY_BRANCHES, day_branch, lunar_day, lunar_to_solar, qingming

DAY = dt.timedelta(days=1)

# chinese_calendar's names -> our ids and Chinese labels
HOLIDAYS: dict[str, tuple[str, str]] = {
    "New Year's Day": ("new-year", "元旦"),
    "Spring Festival": ("spring-festival", "春节"),
    "Tomb-sweeping Day": ("qingming", "清明节"),
    "Labour Day": ("labour-day", "劳动节"),
    "Dragon Boat Festival": ("dragon-boat", "端午节"),
    "Mid-autumn Festival": ("mid-autumn", "中秋节"),
    "National Day": ("national-day", "国庆节"),
}
HOLIDAY_LABELS = dict(HOLIDAYS.values())

# Lunar festivals: id -> (label, lunar month, lunar day); the eve of Spring Festival is derived.
LUNAR_FESTIVALS: dict[str, tuple[str, int, int]] = {
    "spring-festival": ("春节", 1, 1),
    "lantern": ("元宵节", 1, 15),
    "sanyuesan": ("布依族三月三", 3, 3),
    "dragon-boat": ("端午节", 5, 5),
    "liuyueliu": ("布依族六月六", 6, 6),
    "mid-autumn": ("中秋节", 8, 15),
}

class EventKind(StrEnum):
    """What sort of day an event is; plan windows and blackouts may name a kind instead of an event."""

    HOLIDAY = "holiday"
    HOLIDAY_EVE = "holiday-eve"
    WORKDAY = "workday"
    FESTIVAL = "festival"
    SCHOOL = "school"
    TERM = "term"
    VACATION = "vacation"
    EXAM = "exam"
    MARKET_DAY = "market-day"


@dataclass(frozen=True)
class Event:
    """Something on the calendar: a holiday, a festival day, a term start, a market day, an exam."""

    kind: EventKind
    name: str
    label: str
    start: dt.date
    end: dt.date
    source: str
    villages: frozenset[str] | None = None
    official: bool = True

    @property
    def source_kind(self) -> str:
        """A one-word summary of the source, for tables."""
        if self.source.startswith("unofficial"):
            return "UNOFFICIAL"
        if "placeholder" in self.source:
            return "placeholder"
        if "example" in self.source:
            return "example"
        return self.source.split(" ", 1)[0] if not self.source.startswith("data file") else "data"

    def applies_to(self, village_id: str) -> bool:
        return self.villages is None or village_id in self.villages

    def matches(self, selector: str) -> bool:
        return selector in (self.name, self.kind)


# -- data files -----------------------------------------------------------------

class Span(StrictModel):
    name: str
    label: str | None = None
    start: Day = Field(alias="from")
    end: Day = Field(alias="to")

    @model_validator(mode="after")
    def _ordered(self) -> "Span":
        if self.end < self.start:
            raise ValueError(_("'to' ({end}) is before 'from' ({start})").format(end=self.end, start=self.start))
        return self


class VillageSelector(StrictModel):
    """all, a list of ids, or a tag."""

    all: bool = False
    ids: list[str] = []
    tag: str | None = None

    def select(self, villages: Iterable[Village]) -> list[Village]:
        return [v for v in villages if self.all or v.id in self.ids or (self.tag and self.tag in v.tags)]


def parse_villages(value: object) -> VillageSelector:
    if value == "all" or value is None:
        return VillageSelector(all=True)
    if isinstance(value, list):
        return VillageSelector(ids=[str(v) for v in value])
    if isinstance(value, dict) and set(value) == {"tag"}:
        return VillageSelector(tag=str(value["tag"]))
    raise ValueError(_("villages is 'all', a list of village ids, or {tag: TAG}"))


class Exam(Span):
    villages: object = "all"

    @field_validator("villages")
    @classmethod
    def _villages(cls, value: object) -> object:
        parse_villages(value)
        return value


class Workday(StrictModel):
    """A weekend day worked to make up for a holiday (调休上班)."""

    date: Day
    holiday: str = Field("holiday", alias="for")


class HolidayFile(StrictModel):
    source: str
    official: bool = True
    holidays: list[Span]
    workdays: list[Workday] = []


class TermsFile(StrictModel):
    school_year: str
    source: str
    placeholder: bool = False
    terms: list[Span]
    vacations: list[Span] = []
    exams: list[Exam] = []


class MarketRule(StrictModel):
    every_days: int | None = Field(None, ge=2, le=30)
    anchor: Day | None = None
    days_of_month: list[int] | None = None
    calendar: Literal["solar", "lunar"] = "solar"
    branches: list[str] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> "MarketRule":
        kinds = [self.every_days is not None, self.days_of_month is not None, self.branches is not None]
        if sum(kinds) != 1:
            raise ValueError(_("a market rule is one of: every_days + anchor, days_of_month, or branches"))
        if self.every_days is not None and self.anchor is None:
            raise ValueError(_("every_days needs an anchor date"))
        for branch in self.branches or []:
            if branch not in EARTHLY_BRANCHES:
                raise ValueError(_("'{branch}' is not an earthly branch ({branches})").format(branch=branch,
                                                                                          branches=EARTHLY_BRANCHES))
        for day in self.days_of_month or []:
            if not 1 <= day <= 30:
                raise ValueError(_("day of month {day} is out of range").format(day=day))
        return self

    def meets(self, day: dt.date) -> bool:
        if self.every_days is not None:
            return (day - self.anchor).days % self.every_days == 0  # type: ignore[operator]
        if self.branches is not None:
            return day_branch(day) in self.branches
        if self.calendar == "lunar":
            return lunar_day(day) in (self.days_of_month or [])
        return day.day in (self.days_of_month or [])


class Market(StrictModel):
    name: str
    villages: list[str]
    rule: MarketRule
    example: bool = False


class MarketsFile(StrictModel):
    source: str
    markets: list[Market]


@dataclass(frozen=True)
class CalendarData:
    """Everything read from ``schedules/calendar/``."""

    holidays: dict[int, tuple[HolidayFile, str]]
    terms: list[tuple[TermsFile, str]]
    markets: MarketsFile | None
    markets_path: str


def load_calendar_data(folder: Path) -> CalendarData:
    holidays: dict[int, tuple[HolidayFile, str]] = {}
    terms: list[tuple[TermsFile, str]] = []
    if folder.is_dir():
        for path in sorted(folder.glob("holidays-*.yaml")):
            try:
                year = int(path.stem.split("-", 1)[1])
            except ValueError:
                raise ConfigError(_("{file}: name it holidays-YYYY.yaml").format(file=display_path(path))) from None
            holidays[year] = (validate(HolidayFile, load_yaml(path), path), display_path(path))
        for path in sorted(folder.glob("terms-*.yaml")):
            terms.append((validate(TermsFile, load_yaml(path), path), display_path(path)))
    markets_path = folder / "markets.yaml"
    markets = validate(MarketsFile, load_yaml(markets_path), markets_path) if markets_path.exists() else None
    return CalendarData(holidays, terms, markets, display_path(markets_path))


# -- events (pure) --------------------------------------------------------------

def festival_events(year: int) -> list[Event]:
    events = []
    for name, (label, month, day) in LUNAR_FESTIVALS.items():
        date = lunar_to_solar(year, month, day)
        events.append(Event(EventKind.FESTIVAL, name, label, date, date, "computed (lunar-python)"))
        if name == "spring-festival":
            events.append(Event(EventKind.FESTIVAL, "spring-festival-eve", "除夕", date - DAY, date - DAY,
                                "computed (lunar-python)"))
    date = qingming(year)
    events.append(Event(EventKind.FESTIVAL, "qingming", "清明", date, date, "computed (solar term, lunar-python)"))
    return events


def _official_holidays(year: int) -> tuple[list[Event], list[Event]] | None:
    """Holidays and make-up workdays from chinese_calendar, or None for a year it does not know."""
    import chinese_calendar

    try:
        chinese_calendar.get_holiday_detail(dt.date(year, 1, 1))
    except NotImplementedError:
        return None
    holidays: list[Event] = []
    workdays: list[Event] = []
    day = dt.date(year, 1, 1)
    source = f"official (chinese_calendar {getattr(chinese_calendar, '__version__', '')})".replace(" )", ")")
    while day.year == year:
        is_holiday, name = chinese_calendar.get_holiday_detail(day)
        if name:
            hid, label = HOLIDAYS.get(name, (name.lower().replace(" ", "-"), name))
            if is_holiday:
                if holidays and holidays[-1].name == f"{hid}-holiday" and holidays[-1].end == day - DAY:
                    last = holidays[-1]
                    holidays[-1] = Event(last.kind, last.name, last.label, last.start, day, source)
                else:
                    holidays.append(Event(EventKind.HOLIDAY, f"{hid}-holiday", label, day, day, source))
            elif day.weekday() >= 5:
                workdays.append(Event(EventKind.WORKDAY, f"{hid}-workday", f"{label}调休上班", day, day, source))
        day += DAY
    return holidays, workdays


def _estimated_holidays(year: int) -> list[Event]:
    """Festival days as holidays for a year with no official arrangement (marked unofficial)."""
    source = f"unofficial: estimated from the lunar calendar; enter the State Council's arrangement " \
             f"in schedules/calendar/holidays-{year}.yaml"
    sf = lunar_to_solar(year, 1, 1)
    spans = [
        ("new-year", dt.date(year, 1, 1), dt.date(year, 1, 1)),
        ("spring-festival", sf - DAY, sf + 6 * DAY),
        ("qingming", qingming(year), qingming(year)),
        ("labour-day", dt.date(year, 5, 1), dt.date(year, 5, 5)),
        ("dragon-boat", lunar_to_solar(year, 5, 5), lunar_to_solar(year, 5, 5)),
        ("mid-autumn", lunar_to_solar(year, 8, 15), lunar_to_solar(year, 8, 15)),
        ("national-day", dt.date(year, 10, 1), dt.date(year, 10, 7)),
    ]
    return [Event(EventKind.HOLIDAY, f"{hid}-holiday", HOLIDAY_LABELS[hid], a, b, source, official=False)
            for hid, a, b in spans]


def holiday_events(year: int, data: CalendarData) -> list[Event]:
    if year in data.holidays:
        spec, path = data.holidays[year]
        source = f"data file {path} ({spec.source})"
        holidays = [Event(EventKind.HOLIDAY, f"{s.name}-holiday", s.label or HOLIDAY_LABELS.get(s.name, s.name),
                          s.start, s.end, source, official=spec.official) for s in spec.holidays]
        workdays = [Event(EventKind.WORKDAY, f"{w.holiday}-workday", "调休上班", w.date, w.date, source,
                          official=spec.official) for w in spec.workdays]
    else:
        official = _official_holidays(year)
        holidays, workdays = official if official else (_estimated_holidays(year), [])
    eves = [Event(EventKind.HOLIDAY_EVE, f"{h.name}-eve", h.label, h.start - DAY, h.start - DAY, h.source,
                  official=h.official) for h in holidays]
    return holidays + workdays + eves


def school_events(data: CalendarData, villages: list[Village]) -> list[Event]:
    events = []
    for spec, path in data.terms:
        note = " (placeholder: correct it from the education bureau's notice)" if spec.placeholder else ""
        source, official = f"data file {path}{note}", not spec.placeholder
        for term in spec.terms:
            label, first, last = term.label or f"{term.name}学期", term.start, term.end
            events += [Event(EventKind.SCHOOL, "school-start", f"{label}开学", first, first, source, official=official),
                       Event(EventKind.SCHOOL, "school-end", f"{label}结束", last, last, source, official=official),
                       Event(EventKind.TERM, f"{term.name}-term", label, first, last, source, official=official)]
        events += [Event(EventKind.VACATION, f"{v.name}-vacation", v.label or f"{v.name}假", v.start, v.end, source,
                         official=official) for v in spec.vacations]
        for exam in spec.exams:
            chosen = frozenset(v.id for v in parse_villages(exam.villages).select(villages))
            events.append(Event(EventKind.EXAM, exam.name, exam.label or exam.name, exam.start, exam.end, source,
                                chosen))
    return events


def market_events(data: CalendarData, villages: list[Village], start: dt.date, end: dt.date) -> list[Event]:
    if data.markets is None:
        return []
    known = {v.id for v in villages}
    events = []
    for market in data.markets.markets:
        members = frozenset(v for v in market.villages if v in known)
        note = " (example: set the real market day)" if market.example else ""
        source = f"data file {data.markets_path}{note}"
        day = start
        while day <= end:
            if market.rule.meets(day):
                events.append(Event(EventKind.MARKET_DAY, "market-day", market.name, day, day, source, members,
                                    official=not market.example))
            day += DAY
    return events


def build_events(data: CalendarData, profile: Profile, start: dt.date, end: dt.date) -> list[Event]:
    """Every event overlapping [start, end], sorted by date."""
    events: list[Event] = []
    for year in range(start.year, end.year + 1):
        events += holiday_events(year, data) + festival_events(year)
    events += school_events(data, profile.villages)
    events += market_events(data, profile.villages, start, end)
    return sorted(
        (e for e in events if e.end >= start and e.start <= end),
        key=lambda e: (e.start, e.kind, e.name, e.label),
    )


def unofficial_years(events: Iterable[Event], start: dt.date, end: dt.date) -> list[int]:
    """Years in [start, end] whose holidays are estimated, not the State Council's: staff must enter them."""
    return sorted({e.start.year for e in events
                   if e.kind == EventKind.HOLIDAY and not e.official and start <= e.start <= end})


def events_for_year(deployment: Deployment, year: int, village_id: str | None = None) -> list[Event]:
    """A year's events from the deployment's calendar files (``outreach calendar``), those of one village if named."""
    profile = deployment.profile
    if village_id:
        profile.village(village_id)
    data = load_calendar_data(deployment.calendar_dir)
    events = build_events(data, profile, dt.date(year, 1, 1), dt.date(year, 12, 31))
    return [e for e in events if not village_id or e.applies_to(village_id)]
