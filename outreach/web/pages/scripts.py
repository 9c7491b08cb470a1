"""The catalog, and one script for one village: both languages, the speech text, who says each sentence."""

from __future__ import annotations

from typing import Any

from starlette.responses import FileResponse, Response
from starlette.routing import Route

from outreach.catalog import Script
from outreach.deployment import Deployment, Village
from outreach.errors import OutreachError
from outreach.i18n import _
from outreach.render import Mode, render
from outreach.web.pages.common import safe_name, status_of, statuses, village_for
from outreach.web.ui import EDITORS, Ctx, page, require


@page()
def catalog(ctx: Ctx) -> Response:
    deployment = ctx.deployment
    scripts = [{**s.summary(), "status": statuses(s)} for s in deployment.catalog]
    broken = {k: str(v) for k, v in deployment.catalog.broken.items()}
    return ctx.render("scripts.html", scripts=scripts, broken=broken)


def _texts(deployment: Deployment, script: Script, village: Village) -> list[dict[str, Any]]:
    out = []
    for lang in script.languages:
        review = script.review(lang)
        entry: dict[str, Any] = {"lang": lang, "title": script.meta.title.get(lang, ""), "status": status_of(script, lang),
                                 "reviewer": review.reviewer or "", "gloss": review.gloss_cmn or "",
                                 "heard": lang in village.languages}
        for mode in Mode:
            try:
                entry[mode.value] = render(script, lang, deployment.profile, village, None, mode).text
            except OutreachError as exc:
                entry[mode.value], entry["error"] = "", str(exc)
        out.append(entry)
    return out


def voices(deployment: Deployment, script: Script, village: Village) -> tuple[list[dict[str, Any]], str, str]:
    """What each voice will say (the dry run of ``outreach audio``), the programme file, and why not, if not."""
    from outreach.assemble import ProgrammeRequest, prepare

    try:
        prepared = prepare(deployment, ProgrammeRequest(script, village, allow_draft=True))
    except OutreachError as exc:
        return [], "", str(exc)
    audio = prepared.path.name if prepared.path.is_file() else ""
    return prepared.rows(), audio, ""


@page()
def script_page(ctx: Ctx) -> Response:
    deployment = ctx.deployment
    script = deployment.catalog.get(ctx.request.path_params["script"])
    village = village_for(deployment, ctx.field("village"))
    rows, audio, why = ctx.console.cached(("voices", script.id, village.id),
                                          lambda: voices(deployment, script, village), audio=True)
    jobs = [j for j in ctx.console.store.jobs("render", 20)
            if j.params.get("script") == script.id and j.params.get("village") == village.id][:3]
    texts = ctx.console.cached(("texts", script.id, village.id), lambda: _texts(deployment, script, village))
    return ctx.render("script.html", script=script, village=village, villages=deployment.profile.villages,
                      texts=texts, rows=rows, audio=audio, why=why, jobs=jobs)


@page()
def render_programme(ctx: Ctx) -> Response:
    require(ctx, EDITORS)
    deployment = ctx.deployment
    script = deployment.catalog.get(ctx.request.path_params["script"])
    village = village_for(deployment, ctx.field("village"))
    params = {"script": script.id, "village": village.id, "allow_draft": ctx.field("draft") == "1"}
    job = ctx.console.jobs.submit("render", params, ctx.name)
    ctx.audit("render", script.id, {"village": village.id, "job": job})
    return ctx.redirect(f"/jobs/{job}")


@page()
def programme_file(ctx: Ctx) -> Response:
    """A finished programme from the state folder (what the CLI and the console render into)."""
    name = safe_name(ctx.request.path_params["name"])
    path = ctx.deployment.state_dir / "programmes" / name
    if not path.is_file() or path.suffix not in (".mp3", ".wav"):
        raise OutreachError(_("no programme '{name}'").format(name=name))
    return FileResponse(path)


ROUTES = [
    Route("/scripts", catalog, methods=["GET"]),
    Route("/scripts/{script}", script_page, methods=["GET"]),
    Route("/scripts/{script}/render", render_programme, methods=["POST"]),
    Route("/programmes/{name}", programme_file, methods=["GET"]),
]
