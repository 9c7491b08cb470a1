"""The overview: is the daemon up, what plays next where, what went wrong this week, what check says."""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from outreach import i18n
from outreach.findings import Finding, Level
from outreach.status import status_summary
from outreach.web.ui import Ctx, page

PROBLEMS = ("failed", "missed", "interrupted")
PER_VILLAGE = 3
FRESH_SECONDS = 2


def check_findings(ctx: Ctx) -> list[Finding]:
    """``outreach check``'s findings, recomputed only when templates, schedules or recordings change."""
    from outreach.check import check_deployment

    return ctx.console.cached("check", lambda: check_deployment(ctx.deployment), audio=True)


def _state(ctx: Ctx) -> tuple[Any, list[Any]]:
    """The daemon's state and this week's problems, read at most once every few seconds for all viewers."""
    deployment = ctx.deployment

    def read() -> tuple[Any, list[Any]]:
        summary = status_summary(deployment, limit=10)
        problems = deployment.playlog().query(states=PROBLEMS, since=summary.now - dt.timedelta(days=7),
                                              until=summary.now, descending=True)
        return summary, problems

    return ctx.console.memo.get(("overview", deployment.root, i18n.current(), int(time.time() // FRESH_SECONDS)), read)


@page()
def overview(ctx: Ctx) -> Response:
    deployment = ctx.deployment
    summary, problems = _state(ctx)
    nxt: dict[str, list[Any]] = defaultdict(list)
    for play in summary.upcoming:
        if len(nxt[play.village]) < PER_VILLAGE:
            nxt[play.village].append(play)
    findings = check_findings(ctx)
    names = {v.id: v.name.cmn for v in deployment.profile.villages}
    return ctx.render(
        "overview.html", daemon=summary.daemon, now=summary.now, horizon_end=summary.horizon_end,
        upcoming=dict(nxt), villages=names, not_ready=summary.not_ready, problems=problems,
        errors=[f for f in findings if f.level == Level.ERROR],
        warnings=[f for f in findings if f.level == Level.WARNING])


ROUTES = [Route("/", overview, methods=["GET"])]
