"""Review and approval: the draft, its gloss, every word's lexicon entry, a rehearsal; approve or return.

A decision is bound to the hash of the text it was made on (``outreach.approvals``), so any later
edit returns the language to draft. Only the reviewer role may decide; every decision is audited.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import Route

from outreach import approvals
from outreach.catalog import Script
from outreach.check import literal_text
from outreach.errors import OutreachError
from outreach.i18n import _
from outreach.languages import bouyei
from outreach.languages.lexicon import Lexicon
from outreach.render import Mode, render
from outreach.web import versions
from outreach.web.pages.common import status_of, village_for
from outreach.web.ui import EDITORS, REVIEWERS, Ctx, page, require


@page()
def queue(ctx: Ctx) -> Response:
    rows = [{"script": s, "lang": lang, "status": status_of(s, lang), "decision": approvals.load(s.folder).get(lang)}
            for s in ctx.deployment.catalog for lang in s.languages]
    return ctx.render("review_queue.html", waiting=[r for r in rows if r["status"] != "approved"],
                      approved=[r for r in rows if r["status"] == "approved"])


def _words(source: str, lexicon: Lexicon) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for _start, word in bouyei.words(literal_text(source)):
        key = word.lower()
        if key in seen:
            continue
        entry, number = lexicon.lookup(word), lexicon.numeral_value(word)
        seen[key] = {"word": word, "entry": entry, "number": number}
    return list(seen.values())


def _target(ctx: Ctx) -> tuple[Script, str]:
    script = ctx.deployment.catalog.get(ctx.request.path_params["script"])
    lang = ctx.request.path_params["lang"]
    if lang not in script.languages:
        raise OutreachError(_("script '{script}' has no {language} text").format(script=script.id, language=lang))
    return script, lang


@page()
def review_page(ctx: Ctx) -> Response:
    deployment = ctx.deployment
    script, lang = _target(ctx)
    village = village_for(deployment, ctx.field("village"), lang)
    source = script.template_path(lang).read_text(encoding="utf-8")
    try:
        rendered, error = render(script, lang, deployment.profile, village, None, Mode.PRINT).text, ""
    except OutreachError as exc:
        rendered, error = "", str(exc)
    words = _words(source, Lexicon.load(deployment.lexicon_path)) if lang == "pcc" else []
    trial = versions.trial(deployment, script.id, f"{lang}.j2", source, village.id)
    rehearsals = [j for j in ctx.console.store.jobs("render", 30)
                  if j.params.get("script") == script.id and j.params.get("langs") == [lang]][:1]
    return ctx.render(
        "review.html", script=script, lang=lang, village=village, villages=deployment.profile.villages,
        source=source, rendered=rendered, error=error, gloss=script.review(lang).gloss_cmn or "",
        review=script.review(lang), effective=status_of(script, lang), decision=approvals.load(script.folder).get(lang),
        words=words, findings=trial.findings, rehearsal=rehearsals[0] if rehearsals else None,
        trail=ctx.console.store.audit_trail(script.id, 50))


@page()
def decide(ctx: Ctx) -> Response:
    require(ctx, REVIEWERS)
    script, lang = _target(ctx)
    choice = ctx.field("decision")
    if choice not in ("approve", "return"):
        raise OutreachError(_("decide to approve or to return"))
    comment = ctx.field("comment")
    if choice == "return" and not comment:
        raise OutreachError(_("Say why the text is returned, so the translator knows what to change."))
    status = approvals.APPROVED if choice == "approve" else approvals.RETURNED
    made = approvals.decide(script.folder, lang, status, ctx.name, comment)
    ctx.audit("approve" if choice == "approve" else "return", f"{script.id}/{lang}",
              {"sha256": made.sha256[:16], "comment": comment})
    return ctx.redirect(f"/review/{script.id}/{lang}")


@page()
def rehearse(ctx: Ctx) -> Response:
    """The synthetic rehearsal: drafts included, Bouyei by the labelled approximation; never aired."""
    require(ctx, EDITORS | REVIEWERS)
    script, lang = _target(ctx)
    village = village_for(ctx.deployment, ctx.field("village"), lang)
    params = {"script": script.id, "village": village.id, "langs": [lang], "allow_draft": True,
              "engine": "bouyei-espeak" if lang == "pcc" else None}
    job = ctx.console.jobs.submit("render", params, ctx.name)
    ctx.audit("rehearse", f"{script.id}/{lang}", {"job": job, "village": village.id})
    return ctx.redirect(f"/jobs/{job}")


ROUTES = [
    Route("/review", queue, methods=["GET"]),
    Route("/review/{script}/{lang}", review_page, methods=["GET"]),
    Route("/review/{script}/{lang}", decide, methods=["POST"]),
    Route("/review/{script}/{lang}/rehearse", rehearse, methods=["POST"]),
]
