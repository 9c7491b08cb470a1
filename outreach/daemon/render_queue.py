"""Programmes waiting to be rendered, nearest air time first, and who is waiting for them.

A re-plan replaces the queue; the render thread takes one programme at a time
(so a play added by a re-plan waits behind one render, not a whole batch); a
play due while its programme is queued or running waits here, within its grace.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass

from outreach.playlog import Play
from outreach.worker import RenderRequest


def request_for(play: Play) -> RenderRequest:
    return RenderRequest(script=play.script, village=play.village, programme=play.programme,
                         variables=dict(play.variables))


@dataclass
class RenderJob:
    request: RenderRequest
    plays: list[str]


class RenderQueue:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._pending: dict[str, RenderJob] = {}
        self._running: RenderJob | None = None
        self._closed = False
        self.waiters = 0

    def replace(self, plays: Iterable[Play]) -> None:
        """Queue a render for every distinct programme of these plays (the running one too, if asked again:
        what changed may be the script it is rendering)."""
        jobs: dict[str, RenderJob] = {}
        for play in sorted(plays, key=lambda p: p.planned_at):
            request = request_for(play)
            job = jobs.setdefault(request.key, RenderJob(request, []))
            job.plays.append(play.id)
        with self._cond:
            self._pending = jobs
            self._cond.notify_all()

    def take(self, timeout: float | None) -> RenderJob | None:
        """The job with the nearest air time, now marked running; None if nothing came within the timeout."""
        with self._cond:
            if not self._cond.wait_for(lambda: self._pending or self._closed, timeout) or self._closed:
                return None
            self._running = self._pending.pop(next(iter(self._pending)))  # kept in air-time order
            return self._running

    def close(self) -> None:
        """Stopping: drop what is queued, wake the render thread and whoever waits."""
        with self._cond:
            self._closed = True
            self._pending = {}
            self._cond.notify_all()

    def done(self, job: RenderJob) -> None:
        with self._cond:
            if self._running is job:
                self._running = None
            self._cond.notify_all()

    def _holds(self, pid: str) -> bool:
        jobs = [*self._pending.values(), *([self._running] if self._running else [])]
        return any(pid in job.plays for job in jobs)

    def rendering(self, pid: str) -> bool:
        """Is a render for this play queued or running?"""
        with self._cond:
            return self._holds(pid)

    def idle(self) -> bool:
        with self._cond:
            return not self._pending and self._running is None

    def wait_rendered(self, pid: str, timeout: float) -> bool:
        """Wait up to timeout for this play's render to finish; True once none is queued or running."""
        with self._cond:
            self.waiters += 1
            try:
                return self._cond.wait_for(lambda: not self._holds(pid), timeout)
            finally:
                self.waiters -= 1
