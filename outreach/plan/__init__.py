"""Broadcast plans: rules -> occurrences (what plays where and when, and why).

A rule names villages, scripts (with a rotation), a programme, times of day,
weekdays and windows (absolute dates, or days relative to calendar events such
as ``school-start -5d..+3d``). Quiet hours and blackout days are never
violated; when two rules want one village at once, the higher priority wins and
the other is moved to the next free slot or dropped.

``model`` parses what staff write, ``load`` reads it (and a deployment's
calendar and catalog, for ``plan_for`` and ``check_deployment_plan``), ``expand`` is pure: (plan, events, villages, scripts,
from, to) -> sorted occurrences; ``rotation`` picks the script, ``check``
lints a plan.
"""

from outreach.plan.check import KNOWN_EVENT_SELECTORS, check_plan
from outreach.plan.expand import (
    Expansion,
    Occurrence,
    active_days,
    blackout_days,
    expand,
    occurrence_id,
    select_scripts,
)
from outreach.plan.load import EVENT_MARGIN, check_deployment_plan, deployment_events, load_plan, plan_for
from outreach.plan.model import (
    WEEKDAYS,
    Blackout,
    Plan,
    PlanFile,
    Rotation,
    RotationMode,
    Rule,
    Weekday,
    Window,
    parse_offset,
    parse_span,
    parse_time,
)
from outreach.plan.rotation import Rotor

__all__ = [
    "EVENT_MARGIN", "KNOWN_EVENT_SELECTORS", "WEEKDAYS", "Blackout", "Expansion", "Occurrence", "Plan", "PlanFile",
    "Rotation", "RotationMode", "Rotor", "Rule", "Weekday", "Window", "active_days", "blackout_days",
    "check_deployment_plan", "check_plan", "deployment_events", "expand", "load_plan", "occurrence_id", "parse_offset",
    "parse_span", "parse_time", "plan_for", "select_scripts",
]
