"""One console job in its own process: ``python -m outreach.web.worker --root ROOT --db DB --job ID``.

It calls the same domain functions as the command line (``print_run``, ``build_programme``,
``write_report``) and writes progress and the result into the job's row. User mistakes end the
job as failed with their one-line message; the address space is capped so a runaway job dies alone.
"""

from __future__ import annotations

import argparse
import resource
from collections.abc import Callable
from pathlib import Path
from typing import Any

from outreach.deployment import Deployment
from outreach.errors import OutreachError
from outreach.web.jobs import job_dir
from outreach.web.store import Store

MEMORY_LIMIT = 4 * 1024**3
PREVIEW_PAGES = 2


def _previews(pdf: Path, folder: Path) -> list[str]:
    """PNG previews of the first pages only: a run of 2,000 cards need not become 200 pictures."""
    from pypdf import PdfReader, PdfWriter

    from outreach.print.pdf import write_png

    reader, writer = PdfReader(pdf), PdfWriter()
    for number in range(min(PREVIEW_PAGES, len(reader.pages))):
        writer.add_page(reader.pages[number])
    first = folder / "preview.pdf"
    with first.open("wb") as fh:
        writer.write(fh)
    pngs = write_png(first, folder)
    first.unlink()
    return [p.name for p in pngs]


def run_print(deployment: Deployment, params: dict[str, Any], folder: Path, user: str,
              progress: Callable[[int, int], None]) -> dict[str, Any]:
    from outreach.print import PrintRequest, print_run

    out = folder / f"{'-'.join(params['scripts'])[:60]}.{params['layout']}.pdf"
    request = PrintRequest(scripts=tuple(params["scripts"]), layout=params["layout"], out=out,
                           villages=tuple(params["villages"]) if params.get("villages") else None,
                           copies=int(params["copies"]), allow_draft=bool(params.get("allow_draft")),
                           printed_by=user)
    result = print_run(deployment, request, progress=progress)
    return {"file": out.name, "pages": result.pages, "cards": result.cards, "draft": result.draft,
            "png": _previews(out, folder)}


def run_render(deployment: Deployment, params: dict[str, Any], folder: Path, user: str,
               progress: Callable[[int, int], None]) -> dict[str, Any]:
    from outreach.assemble import ProgrammeRequest, build_programme
    from outreach.speech.chain import chain_for

    script = deployment.catalog.get(params["script"])
    village = deployment.profile.village(params["village"])
    request = ProgrammeRequest(script, village, params.get("programme", "standard"), params.get("langs"),
                               allow_draft=bool(params.get("allow_draft")))
    made = build_programme(deployment, request, chain_for(deployment, extra_engine=params.get("engine")))
    progress(1, 1)
    manifest = made.manifest
    return {"audio": str(made.path), "reused": made.reused, "languages": manifest.languages,
            "omitted": manifest.omitted, "duration": round(manifest.duration_s, 1),
            "segments": [{"lang": s.lang, "engine": s.engine, "voice": s.voice, "text": s.text,
                          "synthetic": s.synthetic_approximation} for s in manifest.segments]}


def run_report(deployment: Deployment, params: dict[str, Any], folder: Path, user: str,
               progress: Callable[[int, int], None]) -> dict[str, Any]:
    from outreach.report import write_report

    out = folder / f"report-{params['month']}.pdf"
    write_report(deployment, params["month"], "pdf", out)
    progress(1, 1)
    return {"file": out.name}


KINDS = {"print": run_print, "render": run_render, "report": run_report}


def run_job(root: Path, db: Path, job_id: int) -> int:
    store = Store(db)
    job = store.job(job_id)
    if job is None or job.kind not in KINDS:
        return 2
    store.update_job(job_id, state="running")
    folder = job_dir(Deployment.at(root).state_dir, job_id)
    folder.mkdir(parents=True, exist_ok=True)

    def progress(done: int, total: int) -> None:
        store.update_job(job_id, done=done, total=total)

    try:
        result = KINDS[job.kind](Deployment.at(root), job.params, folder, job.user, progress)
    except OutreachError as exc:
        store.update_job(job_id, state="failed", message=str(exc)[:2000])
        return 1
    store.update_job(job_id, state="done", result=result)
    store.audit(job.user, f"{job.kind}-done", job.params.get("script") or ",".join(job.params.get("scripts", [])),
                {"job": job_id, **{k: v for k, v in result.items() if k in ("file", "pages", "cards", "audio")}})
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m outreach.web.worker")
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--job", type=int, required=True)
    args = parser.parse_args(argv)
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    return run_job(args.root, args.db, args.job)


if __name__ == "__main__":
    raise SystemExit(main())
