"""Print runs from the browser: scripts, villages, layout, copies -> a background job, a PDF, previews, the ledger."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from outreach.errors import OutreachError
from outreach.i18n import _
from outreach.print.layouts import Layout
from outreach.ledger import PrintLedger
from outreach.web.pages.common import statuses
from outreach.web.ui import PRINTERS, Ctx, page

MAX_COPIES = 100_000


@page()
def print_page(ctx: Ctx) -> Response:
    deployment = ctx.deployment
    scripts = [{"id": s.id, "title": s.meta.title.get("cmn", s.id), "status": statuses(s)} for s in deployment.catalog]
    book = PrintLedger(deployment.ledger_path)
    return ctx.render("print.html", scripts=scripts, villages=deployment.profile.villages, layouts=list(Layout),
                      jobs=ctx.console.store.jobs("print", 10), runs=list(reversed(book.runs()))[:20],
                      totals=book.per_village())


def _copies(text: str) -> int:
    try:
        copies = int(text)
    except ValueError:
        raise OutreachError(_("'{text}' is not a number of copies").format(text=text)) from None
    if not 1 <= copies <= MAX_COPIES:
        raise OutreachError(_("copies must be between 1 and {most}").format(most=MAX_COPIES))
    return copies


@page(roles=PRINTERS)
def start_print(ctx: Ctx) -> Response:
    deployment = ctx.deployment
    scripts = [deployment.catalog.get(s).id for s in ctx.fields("scripts")]
    if not scripts:
        raise OutreachError(_("Choose at least one script."))
    villages = ctx.fields("villages")
    everywhere = "all" in villages or not villages
    for village in villages if not everywhere else []:
        deployment.profile.village(village)
    layout = ctx.field("layout")
    if layout not in {str(kind) for kind in Layout}:
        raise OutreachError(_("unknown layout '{layout}'").format(layout=layout))
    params = {"scripts": scripts, "villages": None if everywhere else villages, "layout": layout,
              "copies": _copies(ctx.field("copies", "1")), "allow_draft": ctx.field("allow_draft") == "1"}
    job = ctx.console.jobs.submit("print", params, ctx.name)
    ctx.audit("print", ",".join(scripts), {**params, "job": job})
    return ctx.redirect(f"/jobs/{job}")


ROUTES = [
    Route("/print", print_page, methods=["GET"]),
    Route("/print", start_print, methods=["POST"]),
]
