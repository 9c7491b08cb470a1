"""A background job's page: its progress (polled, so a reload loses nothing), then what it made."""

from __future__ import annotations

from pathlib import Path

from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from outreach.errors import OutreachError
from outreach.i18n import _
from outreach.web.jobs import job_dir
from outreach.web.pages.common import safe_name
from outreach.web.store import Job
from outreach.web.ui import Ctx, page


def _job(ctx: Ctx) -> Job:
    job = ctx.console.store.job(int(ctx.request.path_params["job"]))
    if job is None:
        raise OutreachError(_("no such job"))
    return job


@page()
def job_page(ctx: Ctx) -> Response:
    return ctx.render("job.html", job=_job(ctx))


@page()
def job_state(ctx: Ctx) -> Response:
    job = _job(ctx)
    return JSONResponse({"id": job.id, "state": job.state, "done": job.done, "total": job.total,
                         "message": job.message})


@page()
def job_file(ctx: Ctx) -> Response:
    job = _job(ctx)
    name = safe_name(ctx.request.path_params["name"])
    path = job_dir(ctx.deployment.state_dir, job.id) / name
    if not path.is_file():
        raise OutreachError(_("job {id} has no file '{name}'").format(id=job.id, name=name))
    return FileResponse(path, filename=name if path.suffix == ".pdf" else None)


@page()
def job_audio(ctx: Ctx) -> Response:
    """A rendered programme, wherever the render put it, as long as it is inside the state folder."""
    job = _job(ctx)
    audio = job.result.get("audio")
    state = ctx.deployment.state_dir.resolve()
    path = Path(audio).resolve() if audio else None
    if path is None or not path.is_file() or state not in path.parents:
        raise OutreachError(_("job {id} has no programme").format(id=job.id))
    return FileResponse(path)


ROUTES = [
    Route("/jobs/{job:int}", job_page, methods=["GET"]),
    Route("/jobs/{job:int}/state", job_state, methods=["GET"]),
    Route("/jobs/{job:int}/file/{name}", job_file, methods=["GET"]),
    Route("/jobs/{job:int}/audio", job_audio, methods=["GET"]),
]
