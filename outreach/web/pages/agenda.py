"""The month for one village: holidays, festivals, terms, market days and the broadcasts, each with its why."""

from __future__ import annotations

import calendar as cal
import datetime as dt
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from outreach.calendar import Event, unofficial_years
from outreach.deployment import Village
from outreach.errors import OutreachError
from outreach.i18n import _
from outreach.plan import Expansion, plan_for
from outreach.web.pages.common import village_for
from outreach.web.ui import Ctx, page


def _month(ctx: Ctx) -> tuple[dt.date, dt.date]:
    text = ctx.field("month") or ctx.deployment.today().strftime("%Y-%m")
    try:
        first = dt.date.fromisoformat(text + "-01")
    except ValueError:
        raise OutreachError(_("'{text}' is not a month YYYY-MM").format(text=text)) from None
    return first, first.replace(day=cal.monthrange(first.year, first.month)[1])


def _weeks(first: dt.date, last: dt.date, events: list[Event], expansion: Expansion, village: str
           ) -> list[list[dict[str, Any]]]:
    """Monday-first weeks of day cells, each with its events and the village's broadcasts (played or dropped)."""
    plays: dict[dt.date, list[dict[str, Any]]] = defaultdict(list)
    for o in expansion.occurrences:
        if o.village == village:
            plays[o.at.date()].append({"at": o.at, "script": o.script, "why": o.reason, "moved": o.moved, "dropped": ""})
    for o, why in expansion.dropped:
        if o.village == village:
            plays[o.planned.date()].append({"at": o.planned, "script": o.script, "why": o.reason, "moved": False,
                                            "dropped": why})
    start = first - dt.timedelta(days=first.weekday())
    weeks: list[list[dict[str, Any]]] = []
    day = start
    while day <= last or day.weekday() != 0:
        if day.weekday() == 0:
            weeks.append([])
        weeks[-1].append({"date": day, "in_month": first <= day <= last,
                          "events": [e for e in events if e.start <= day <= e.end and e.applies_to(village)],
                          "plays": sorted(plays.get(day, []), key=lambda p: p["at"])})
        day += dt.timedelta(days=1)
    return weeks


def _chosen(ctx: Ctx) -> tuple[dt.date, dt.date, Village, list[Event], Expansion]:
    """The month and village asked for, and that month's events and expanded plan."""
    first, last = _month(ctx)
    village = village_for(ctx.deployment, ctx.field("village"))
    _plans, events, expansion = ctx.console.cached(("agenda", first), lambda: plan_for(ctx.deployment, first, last))
    return first, last, village, events, expansion


@page()
def agenda(ctx: Ctx) -> Response:
    deployment = ctx.deployment
    first, last, village, events, expansion = _chosen(ctx)
    titles = {s.id: s.meta.title.get("cmn", s.id) for s in deployment.catalog}
    prev_month = (first - dt.timedelta(days=1)).strftime("%Y-%m")
    next_month = (last + dt.timedelta(days=1)).strftime("%Y-%m")
    return ctx.render("agenda.html", first=first, village=village, villages=deployment.profile.villages,
                      weeks=_weeks(first, last, events, expansion, village.id), titles=titles,
                      month=first.strftime("%Y-%m"), prev_month=prev_month, next_month=next_month,
                      unofficial=unofficial_years(events, first, last))


@page()
def agenda_ics(ctx: Ctx) -> Response:
    """The month's broadcasts of the village as iCalendar, written by the CLI's own ``write_ics``."""
    from outreach.ics import write_ics

    deployment = ctx.deployment
    first, _last, village, _events, expansion = _chosen(ctx)
    occurrences = [o for o in expansion.occurrences if o.village == village.id]
    with tempfile.TemporaryDirectory(prefix="outreach-ics-") as tmp:
        path = Path(tmp) / "agenda.ics"
        write_ics(deployment, occurrences, path)
        data = path.read_bytes()
    name = f"outreach-{village.id}-{first:%Y-%m}.ics"
    return Response(data, media_type="text/calendar",
                    headers={"content-disposition": f'attachment; filename="{name}"'})


ROUTES = [
    Route("/agenda", agenda, methods=["GET"]),
    Route("/agenda.ics", agenda_ics, methods=["GET"]),
]
