"""Long work off the request path: each job runs in its own worker process, its progress in SQLite.

A page submits a job and returns at once; the job's page polls its row, so a reload (or another
browser) sees the same progress. A process, not a thread, because WeasyPrint and audio rendering
are heavy and may crash or leak: neither may take the console down, and the console never shares
a process with the broadcast daemon anyway. At most ``workers`` jobs run at a time.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context
from pathlib import Path
from typing import Any

from outreach import i18n
from outreach.i18n import _
from outreach.web.store import Store

JOB_TIMEOUT = 30 * 60
JOBS_DIR = "web/jobs"


def job_dir(state_dir: Path, job_id: int) -> Path:
    return state_dir / JOBS_DIR / str(job_id)


class JobRunner:
    def __init__(self, root: Path, store: Store, workers: int = 2) -> None:
        self.root, self.store = root, store
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="outreach-job")
        store.fail_unfinished(_("the console was restarted before this job finished; start it again"))

    def submit(self, kind: str, params: dict[str, Any], user: str) -> int:
        job_id = self.store.add_job(kind, params, user)
        self._pool.submit(copy_context().run, self._run, job_id)  # in the language of the request that asked
        return job_id

    def _run(self, job_id: int) -> None:
        argv = [sys.executable, "-m", "outreach.web.worker", "--root", str(self.root), "--db", str(self.store.path),
                "--job", str(job_id)]
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=JOB_TIMEOUT, check=False,
                                  env={**os.environ, "OUTREACH_LANG": i18n.current()})
        except subprocess.TimeoutExpired:
            self.store.update_job(job_id, state="failed",
                                  message=_("stopped after {minutes} minutes").format(minutes=JOB_TIMEOUT // 60))
            return
        job = self.store.job(job_id)
        if job is not None and job.state not in ("done", "failed"):
            tail = (done.stderr or "").strip().splitlines()[-1:] or [_("exit code {code}").format(code=done.returncode)]
            self.store.update_job(job_id, state="failed", message=tail[0][:500])

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
