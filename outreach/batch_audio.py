"""Many programmes at once (every script for every village), on every core.

A pool of worker processes each opens the deployment and its speech chain once
and then makes programmes exactly as ``build_programme`` does, into the same
state folder: the caches of voiced and mastered sound are shared, and every
entry and programme is written atomically with content that depends only on
its inputs, so two workers meeting on the same sentence write the same bytes,
and a programme made here is byte for byte the one made alone. Jobs go village
after village, so the two workers start on different scripts and the
sentences that every village shares are voiced and mastered once, by whichever
worker needs them first. A programme that cannot be made does not stop the
others: it is reported with its reason.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from outreach.assemble import Prepared, Programme, ProgrammeRequest, prepare, produce_many
from outreach.deployment import Deployment
from outreach.errors import OutreachError, message_of
from outreach.errors import shown as as_shown
from outreach.i18n import _, ngettext
from outreach.speech.chain import SpeechChain, chain_for


GROUP = 8
PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Job:
    """One programme to make, named so that it can be sent to a worker process."""

    script: str
    village: str
    programme: str = "standard"
    langs: tuple[str, ...] | None = None
    overrides: tuple[tuple[str, str], ...] = ()
    allow_draft: bool = False

    def request(self, deployment: Deployment) -> ProgrammeRequest:
        return ProgrammeRequest(deployment.catalog.get(self.script), deployment.profile.village(self.village),
                                self.programme, list(self.langs) if self.langs else None,
                                dict(self.overrides) or None, self.allow_draft)


@dataclass(frozen=True)
class Outcome:
    """A job and what came of it: the programme, or why it could not be made (``error``: English, as records keep
    it; ``errors.shown`` gives it in the user's language)."""

    job: Job
    programme: Programme | None = None
    error: str | None = None


class BatchError(OutreachError):
    """Some programmes of a batch could not be made (the others were)."""


def jobs_for(scripts: Sequence[str], villages: Sequence[str], programme: str = "standard",
             langs: Sequence[str] | None = None, overrides: dict[str, str] | None = None,
             allow_draft: bool = False) -> list[Job]:
    """Every script for every village, village after village."""
    pairs = tuple(sorted((overrides or {}).items()))
    return [Job(script, village, programme, tuple(langs) if langs else None, pairs, allow_draft)
            for village in villages for script in scripts]


_WORKER: dict[str, object] = {}


def _die_with(parent: int) -> None:
    """A worker whose caller is killed stops too, rather than rendering on (or waiting forever) as an orphan."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def _start_worker(root: Path, extra_engine: str | None, out_dir: Path | None, parent: int) -> None:
    _die_with(parent)
    deployment = Deployment(root)
    _WORKER.update(deployment=deployment, chain=chain_for(deployment, extra_engine=extra_engine), out_dir=out_dir)


def _make(jobs: list[Job]) -> list[Outcome]:
    """A worker's share: the jobs' programmes, those of the same settings encoded together."""
    deployment, chain, out_dir = _WORKER["deployment"], _WORKER["chain"], _WORKER["out_dir"]
    assert isinstance(deployment, Deployment) and isinstance(chain, SpeechChain)
    prepared: list[Prepared] = []
    failed: dict[int, str] = {}
    for i, job in enumerate(jobs):
        try:
            prepared.append(prepare(deployment, job.request(deployment), chain,
                                    out_dir if isinstance(out_dir, Path) else None))
        except OutreachError as exc:
            failed[i] = message_of(exc)
    made = iter(produce_many(prepared))
    outcomes = []
    for i, job in enumerate(jobs):
        result = None if i in failed else next(made)
        if isinstance(result, Programme):
            outcomes.append(Outcome(job, programme=result))
        else:
            outcomes.append(Outcome(job, error=failed.get(i) or message_of(result)))
    return outcomes


def _shares(jobs: Sequence[Job], workers: int) -> list[list[Job]]:
    """Consecutive jobs in shares of up to GROUP (a village's scripts), small enough to keep every worker busy."""
    size = max(1, min(GROUP, -(-len(jobs) // (2 * workers))))
    return [list(jobs[i:i + size]) for i in range(0, len(jobs), size)]


def default_workers() -> int:
    """Every core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def make_all(root: Path, jobs: Sequence[Job], extra_engine: str | None = None, out_dir: Path | None = None,
             workers: int | None = None, progress: Callable[[int, int], None] | None = None) -> list[Outcome]:
    """Make every job's programme in a pool of ``workers`` processes; outcomes in the jobs' order.

    Workers are spawned, not forked: the caller may hold threads (a progress bar) that a fork would copy mid-lock.
    """
    workers = max(1, min(workers or default_workers(), len(jobs) or 1))
    context = multiprocessing.get_context("spawn")
    outcomes: list[Outcome] = []
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                             initargs=(root, extra_engine, out_dir, os.getpid())) as pool:
        pending: dict[Future[list[Outcome]], int] = {}
        queue = list(enumerate(_shares(jobs, workers)))[::-1]
        while queue or pending:
            while queue and len(pending) < 2 * workers:
                index, share = queue.pop()
                pending[pool.submit(_make, share)] = index
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                pending.pop(future)
                outcomes.extend(future.result())
            if progress:
                progress(len(outcomes), len(jobs))
    order = {job: i for i, job in enumerate(jobs)}
    return sorted(outcomes, key=lambda o: order[o.job])


def failures(outcomes: Sequence[Outcome], shown: int = 3) -> BatchError | None:
    """One error naming how many programmes failed and the first reasons, or None when all were made."""
    failed = [o for o in outcomes if o.error]
    if not failed:
        return None
    reasons = "; ".join(_("{script} for {village}: {error}").format(script=o.job.script, village=o.job.village,
                                                                     error=as_shown(o.error)) for o in failed[:shown])
    if len(failed) > shown:
        return BatchError(ngettext("{failed} of {total} programme could not be made: {reasons} (and {more} more)",
                                   "{failed} of {total} programmes could not be made: {reasons} (and {more} more)",
                                   len(outcomes)).format(failed=len(failed), total=len(outcomes), reasons=reasons,
                                                         more=len(failed) - shown))
    return BatchError(ngettext("{failed} of {total} programme could not be made: {reasons}",
                               "{failed} of {total} programmes could not be made: {reasons}", len(outcomes)).format(
        failed=len(failed), total=len(outcomes), reasons=reasons))
