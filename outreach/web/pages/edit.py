"""Editing a script's templates and script.yaml: live preview and check, saving, every version kept."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import Route

from outreach.errors import OutreachError
from outreach.i18n import _
from outreach.web import versions
from outreach.web.ui import EDITORS, Ctx, page

MAX_TEXT = 200_000


def _target(ctx: Ctx) -> tuple[str, str]:
    script_id, name = ctx.request.path_params["script"], ctx.request.path_params["file"]
    script = ctx.deployment.catalog.get(script_id)
    if name not in versions.editable_files(script):
        raise OutreachError(_("'{name}' is not a file of script '{script}' that can be edited here").format(
            name=name, script=script_id))
    return script.id, name


def _content(ctx: Ctx) -> str:
    text = ctx.form.get("content") if ctx.form is not None else None
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        raise OutreachError(_("no text, or a text too long for a script"))
    return text.replace("\r\n", "\n")


@page(roles=EDITORS)
def editor(ctx: Ctx) -> Response:
    script_id, name = _target(ctx)
    deployment = ctx.deployment
    script = deployment.catalog.get(script_id)
    history = versions.history(ctx.console.store, script_id, name)
    shown = next((v for v in history if str(v.id) == ctx.field("version")), None)
    content = shown.content if shown and shown.state == "draft" else (script.folder / name).read_text(encoding="utf-8")
    trial = versions.trial(deployment, script_id, name, content, ctx.field("village") or None)
    return ctx.render("edit.html", script=script, name=name, content=content, history=history, shown=shown,
                      trial=trial, villages=deployment.profile.villages, village=ctx.field("village"))


@page(roles=EDITORS)
def preview(ctx: Ctx) -> Response:
    script_id, name = _target(ctx)
    trial = versions.trial(ctx.deployment, script_id, name, _content(ctx), ctx.field("village") or None)
    return ctx.render("_preview.html", trial=trial)


@page(roles=EDITORS)
def save(ctx: Ctx) -> Response:
    script_id, name = _target(ctx)
    saved, trial = versions.save(ctx.deployment, ctx.console.store, script_id, name, _content(ctx), ctx.name)
    ctx.audit("edit" if saved.state == "live" else "edit-draft", f"{script_id}/{name}",
              {"version": saved.id, "sha256": saved.sha256[:16], "errors": len(trial.findings) if not trial.ok else 0})
    return ctx.redirect(f"/scripts/{script_id}/edit/{name}?version={saved.id}")


@page(roles=EDITORS)
def show_version(ctx: Ctx) -> Response:
    store = ctx.console.store
    shown = versions.version(store, int(ctx.request.path_params["version"]))
    older = [v for v in versions.history(store, shown.script, shown.file) if v.id < shown.id and v.state != "draft"]
    base = older[0] if older else None
    diff = versions.unified_diff(base.content if base else "", shown.content,
                                 f"#{base.id}" if base else "-", f"#{shown.id}")
    return ctx.render("version.html", version=shown, base=base, diff=diff)


ROUTES = [
    Route("/scripts/{script}/edit/{file}", editor, methods=["GET"]),
    Route("/scripts/{script}/edit/{file}", save, methods=["POST"]),
    Route("/scripts/{script}/edit/{file}/preview", preview, methods=["POST"]),
    Route("/versions/{version:int}", show_version, methods=["GET"]),
]
