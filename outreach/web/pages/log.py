"""The broadcast log with filters, and the monthly report (HTML page, CSV, PDF in the background)."""

from __future__ import annotations

import datetime as dt

from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from outreach.errors import OutreachError
from outreach.i18n import _
from outreach.playlog import STATES
from outreach.report import collect_summary, month_bounds, to_csv, to_html
from outreach.web.ui import Ctx, page

LIMIT = 500
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        raise OutreachError(_("'{text}' is not a date YYYY-MM-DD").format(text=text)) from None


@page()
def play_log(ctx: Ctx) -> Response:
    deployment = ctx.deployment
    state, village = ctx.field("state"), ctx.field("village")
    if state and state not in STATES:
        raise OutreachError(_("unknown state '{state}'").format(state=state))
    if village:
        deployment.profile.village(village)
    start, end = _day(ctx.field("from")), _day(ctx.field("to"))
    zone = deployment.zone
    plays = deployment.playlog().query(
        states=(state,) if state else None, village=village or None,
        since=dt.datetime.combine(start, dt.time(), zone) if start else None,
        until=dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), zone) if end else None,
        descending=True, limit=LIMIT)
    return ctx.render("log.html", plays=plays, states=STATES, villages=deployment.profile.villages,
                      chosen={"state": state, "village": village, "from": ctx.field("from"), "to": ctx.field("to")},
                      limit=LIMIT)


def _month(ctx: Ctx) -> str:
    month = ctx.request.path_params.get("month") or ctx.field("month") or ctx.deployment.today().strftime("%Y-%m")
    month_bounds(month, ctx.deployment.zone)
    return month


@page()
def reports(ctx: Ctx) -> Response:
    month = _month(ctx)
    summary = collect_summary(ctx.deployment, month)
    return ctx.render("reports.html", month=month, summary=summary,
                      jobs=ctx.console.store.jobs("report", 5))


@page()
def report_html(ctx: Ctx) -> Response:
    """The very page the PDF prints, standalone (it carries its own styles)."""
    deployment = ctx.deployment
    html = to_html(deployment, collect_summary(deployment, _month(ctx)))
    return HTMLResponse(html, headers={"content-security-policy": REPORT_CSP})


@page()
def report_csv(ctx: Ctx) -> Response:
    month = _month(ctx)
    data = to_csv(collect_summary(ctx.deployment, month)).encode("utf-8-sig")
    return Response(data, media_type="text/csv",
                    headers={"content-disposition": f'attachment; filename="report-{month}.csv"'})


@page()
def report_pdf(ctx: Ctx) -> Response:
    month = _month(ctx)
    job = ctx.console.jobs.submit("report", {"month": month}, ctx.name)
    ctx.audit("report", month, {"job": job})
    return ctx.redirect(f"/jobs/{job}")


ROUTES = [
    Route("/log", play_log, methods=["GET"]),
    Route("/reports", reports, methods=["GET"]),
    Route("/reports/{month}.html", report_html, methods=["GET"]),
    Route("/reports/{month}.csv", report_csv, methods=["GET"]),
    Route("/reports/{month}/pdf", report_pdf, methods=["POST"]),
]
