"""Recording in the browser: the recording sheet as a list, a take per item, the same checks as ``clips import``.

The browser records with MediaRecorder (WebM/Opus) or the speaker uploads a WAV/MP3; the file goes
through ``recordings.import_folder`` exactly as a folder of takes would (trim, silence, duration,
loudness), so a take the command line would refuse is refused here too, with the same reason.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from starlette.datastructures import UploadFile
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from outreach.errors import OutreachError
from outreach.i18n import _
from outreach.media import MediaError, to_wav
from outreach.recordings import coverage, import_folder, needed, sheet_rows
from outreach.speech.clips import EXTENSIONS, find_recording
from outreach.web.pages.common import safe_name
from outreach.web.ui import RECORDERS, Ctx, page

LANG = "pcc"
UPLOAD_TYPES = {"audio/webm": ".webm", "audio/ogg": ".ogg", "audio/wav": ".wav", "audio/x-wav": ".wav",
                "audio/wave": ".wav", "audio/mpeg": ".mp3", "audio/mp4": ".m4a", "audio/flac": ".flac"}


def _sheet(ctx: Ctx) -> list[dict[str, Any]]:
    deployment = ctx.deployment
    rows = sheet_rows(needed(deployment, lang=LANG))
    audio = deployment.audio_dir
    for row in rows:
        row["recorded"] = find_recording(audio / row["folder"], LANG, row["text"]) is not None
    return rows


def _coverage(ctx: Ctx) -> dict[str, Any]:
    return ctx.console.cached(("coverage", LANG), lambda: coverage(ctx.deployment, LANG), audio=True)


@page(roles=RECORDERS)
def sheet(ctx: Ctx) -> Response:
    rows = ctx.console.cached(("sheet", LANG), lambda: _sheet(ctx), audio=True)
    only = ctx.field("show")
    shown = [r for r in rows if only != "missing" or not r["recorded"]]
    return ctx.render("record.html", rows=shown, coverage=_coverage(ctx), show=only)


@page(roles=RECORDERS)
def coverage_state(ctx: Ctx) -> Response:
    data = _coverage(ctx)
    return JSONResponse({"needed": data["needed"], "recorded": data["recorded"], "complete": data["complete"]})


def _suffix(upload: UploadFile) -> str:
    content_type = (upload.content_type or "").split(";")[0].strip().lower()
    suffix = Path(upload.filename or "").suffix.lower()
    return suffix if suffix in (*EXTENSIONS, ".webm") else UPLOAD_TYPES.get(content_type, "")


@page(roles=RECORDERS)
def upload(ctx: Ctx) -> Response:
    key = safe_name(ctx.field("key"))
    take = ctx.form.get("take") if ctx.form is not None else None
    if not isinstance(take, UploadFile):
        raise OutreachError(_("no recording was sent"))
    suffix = _suffix(take)
    if not suffix:
        return JSONResponse({"status": "refused", "reason": ctx._("not an audio file (wav, mp3, m4a, ogg, flac, webm)")})
    with tempfile.TemporaryDirectory(prefix="outreach-take-") as tmp:
        raw = Path(tmp) / f"upload{suffix}"
        raw.write_bytes(take.file.read())
        folder = Path(tmp) / "takes"
        folder.mkdir()
        try:
            to_wav(raw, folder / f"{key}.wav")
        except MediaError as exc:
            return JSONResponse({"status": "refused", "reason": _("cannot decode: {error}").format(error=exc)})
        result = import_folder(ctx.deployment, folder)[0]
    ctx.audit("record", key, result.as_dict())
    data = coverage(ctx.deployment, LANG)
    return JSONResponse({**result.as_dict(), "needed": data["needed"], "recorded": data["recorded"]})


@page(roles=RECORDERS)
def clip(ctx: Ctx) -> Response:
    """A recording already filed, to hear it back."""
    folder = ctx.request.path_params["folder"]
    if folder not in ("clips", "words"):
        raise OutreachError(_("no such folder"))
    key = safe_name(ctx.request.path_params["key"])
    for ext in EXTENSIONS:
        path = ctx.deployment.audio_dir / folder / LANG / f"{key}{ext}"
        if path.is_file():
            return FileResponse(path)
    raise OutreachError(_("no recording '{key}'").format(key=key))


ROUTES = [
    Route("/record", sheet, methods=["GET"]),
    Route("/record/coverage", coverage_state, methods=["GET"]),
    Route("/record/upload", upload, methods=["POST"]),
    Route("/record/clip/{folder}/{key}", clip, methods=["GET"]),
]
