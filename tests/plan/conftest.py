"""Plan fixtures: the shipped plan, calendar, villages and scripts, and a builder for small plans."""

from __future__ import annotations

import datetime as dt

import pytest

from outreach.calendar import build_events, load_calendar_data
from outreach.catalog import Catalog
from outreach.plan import Plan, load_plan, parse_span

D = dt.date


class World(tuple):
    """Plan, events, villages and scripts of the shipped deployment (short repr for hypothesis reports)."""

    def __repr__(self) -> str:
        return "World(shipped)"


@pytest.fixture(scope="session")
def world(shipped):
    data = load_calendar_data(shipped.root / "schedules" / "calendar")
    events = build_events(data, shipped.profile, D(2025, 11, 1), D(2029, 2, 1))
    scripts = list(Catalog.load(shipped.scripts_dir))
    plan = load_plan(shipped.root / "schedules" / "plans")
    return World((plan, events, shipped.profile.villages, scripts))


def small_plan(rules, quiet=("12:00-14:00", "21:30-07:00"), blackouts=()) -> Plan:
    """A plan of the given rules with the shipped defaults (20 min collision gap, 2 h max shift)."""
    return Plan(tuple(rules), tuple(parse_span(q) for q in quiet), tuple(blackouts),
                dt.timedelta(minutes=20), dt.timedelta(minutes=120))


@pytest.fixture(scope="session")
def make_plan():
    return small_plan
