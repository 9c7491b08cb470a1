"""The daemon: plans the horizon, keeps one job per play, has programmes rendered ahead, plays them on time.

Its time comes from an injected ``Clock`` and its programmes from an injected
``Renderer``, so tests drive it in-process with fakes; ``run`` is the thin
wall-clock loop (signals, heartbeat, file watch) around it.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
import signal
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler

from outreach.daemon.clock import Clock, SystemClock
from outreach.daemon.player import Player
from outreach.daemon.render_queue import RenderJob, RenderQueue, request_for
from outreach.deployment import Deployment
from outreach.outputs import build_output
from outreach.playlog import Play
from outreach.status import HEARTBEAT_FILE, PID_FILE
from outreach.worker import Renderer, RenderResult, WorkerRenderer

log = logging.getLogger("outreach.daemon")

HEARTBEAT_SECONDS = 10


def _stamp(paths: list[Path]) -> str:
    """Names, sizes and modification times of the files under these paths."""
    parts = []
    for top in paths:
        for path in sorted(top.rglob("*")) if top.is_dir() else [top]:
            if path.is_file():
                stat = path.stat()
                parts.append(f"{path}:{stat.st_mtime_ns}:{stat.st_size}")
    return str(hash("\n".join(parts)))


class Daemon:
    def __init__(self, deployment: Deployment, plans_dir: Path | None = None, exit_after: float | None = None,
                 clock: Clock | None = None, renderer: Renderer | None = None) -> None:
        self.deployment = deployment
        self.plans_dir = plans_dir or deployment.plans_dir
        self.exit_after = exit_after
        self.stopping = threading.Event()
        self.replan_requested = threading.Event()
        self.playlog = deployment.playlog()
        self.queue = RenderQueue()
        self.renderer: Renderer = renderer or WorkerRenderer(deployment.root)
        self.clock: Clock = clock or SystemClock(deployment.zone)
        self.player = Player(self.playlog, self.clock, self.queue, self.stopping)
        self._load_profile()
        # Jobs live in memory and call a bound method: the play log is the durable record, and every
        # start re-derives the jobs from it, so a persistent job store would only duplicate it.
        self.scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=max(4, len(self.player.outputs) * 2))},
            job_defaults={"coalesce": True, "max_instances": 1}, timezone=self.zone,
        )
        self.scheduler.add_listener(self._on_missed, EVENT_JOB_MISSED)
        self._fingerprint = self._inputs = self._worker_inputs = ""
        self._rendered: Counter[bool] = Counter()

    def _load_profile(self) -> None:
        profile = self.deployment.profile
        self.zone = self.deployment.zone
        self.grace = dt.timedelta(seconds=profile.daemon.grace_seconds)
        self.horizon = dt.timedelta(hours=profile.daemon.horizon_hours)
        self.config = profile.daemon
        outputs = {name: build_output(name, cfg, self.deployment.root) for name, cfg in profile.outputs.items()}
        self.player.configure(outputs, self.grace)
        self.village_output = {v.id: v.output for v in profile.villages}

    def fingerprint(self) -> str:
        """What a plan depends on (cheap enough to check every few seconds): a change means re-plan."""
        return _stamp([self.deployment.templates, self.deployment.profile_path.parent, self.plans_dir])

    def _render_stamp(self) -> str:
        """What a programme depends on: a change means the next render needs a fresh worker."""
        return _stamp([self.deployment.templates, self.deployment.profile_path, self.deployment.audio_dir])

    # -- planning ----------------------------------------------------------------

    def replan(self) -> None:
        """Expand the horizon, sync the play log, queue the renders (nearest first), then the jobs."""
        from outreach.plan import plan_for

        now = self.clock.now()
        self.deployment = Deployment(self.deployment.root)
        try:
            self._load_profile()
            start, end = now - self.grace, now + self.horizon
            _, _, expansion = plan_for(self.deployment, start.date(), end.date(), plans_dir=self.plans_dir)
        except Exception as exc:  # a broken plan or profile must not stop what is already scheduled
            log.error("re-plan failed, keeping the current schedule: %s", exc)
            return
        occurrences = []
        for occ in expansion.occurrences:
            at = occ.at.replace(tzinfo=self.zone)
            if start <= at <= end:
                occurrences.append({
                    "id": occ.id, "at": at, "village": occ.village, "rule": occ.rule, "script": occ.script,
                    "programme": occ.programme, "variables": dict(occ.variables), "reason": occ.reason,
                    "output": self.village_output.get(occ.village, "spool"),
                })
        added, changed, cancelled = self.playlog.sync(occurrences, (start, end), now)
        for pid in cancelled:
            self._unschedule(pid)
        plays = self.playlog.query(states=("scheduled",), since=start, until=end)
        self._fingerprint = self.fingerprint()
        self._inputs = self._render_stamp()
        self.queue.replace(plays)  # before the jobs: a play due right now must find its render on the way
        for play in plays:
            self.schedule(play)
        log.info("planned %d occurrence(s) until %s: %d new, %d changed, %d cancelled",
                 len(occurrences), f"{end:%Y-%m-%d %H:%M}", len(added), len(changed), len(cancelled))

    def schedule(self, play: Play) -> None:
        self.scheduler.add_job(
            self.player.play, trigger="date", run_date=play.planned_at, args=[play.id], id=play.id,
            replace_existing=True, misfire_grace_time=max(1, math.ceil(self.grace.total_seconds())),
            name=f"{play.village} {play.script}",
        )

    def _unschedule(self, pid: str) -> None:
        try:
            self.scheduler.remove_job(pid)
        except JobLookupError:
            pass

    def _on_missed(self, event: JobExecutionEvent) -> None:
        """APScheduler skipped a job beyond its grace (the machine slept, the clock jumped): decide it now,
        which records it missed."""
        self.player.play(event.job_id)

    # -- rendering ------------------------------------------------------------------

    def render_loop(self) -> None:
        """The render thread: one programme at a time, nearest air time first; no worker while idle."""
        try:
            while not self.stopping.is_set():
                job = self.queue.take(timeout=1.0)
                if job is None:
                    self.renderer.close()
                else:
                    self._render(job)
        finally:
            self.renderer.close()

    def render_pending(self) -> None:
        """Render everything queued, in this thread (what the render thread does, for tests and tools)."""
        while (job := self.queue.take(timeout=0)) is not None:
            self._render(job)

    def _render(self, job: RenderJob) -> None:
        try:
            if self._worker_inputs != self._inputs:  # scripts, profile or recordings changed: a fresh worker
                self.renderer.close()
                self._worker_inputs = self._inputs
            try:
                result = self.renderer.render(job.request)
            except Exception as exc:  # a broken renderer must not end the render thread
                result = RenderResult.failure(job.request.key, f"renderer: {type(exc).__name__}: {exc}")
            self._store(job, result)
        finally:
            self.queue.done(job)
        if self.queue.idle() and self._rendered:
            log.info("rendered %d programme(s) ahead, %d could not be rendered",
                     self._rendered[True], self._rendered[False])
            self._rendered.clear()

    def _store(self, job: RenderJob, result: RenderResult) -> None:
        """Mark the job's plays ready (or why not), unless a re-plan gave them another programme meanwhile."""
        self._rendered[result.ok] += 1
        if not result.ok:
            log.warning("cannot render %s for %s: %s", job.request.script, job.request.village, result.error)
        for pid in job.plays:
            play = self.playlog.get(pid)
            if play is None or play.state != "scheduled" or request_for(play).key != job.request.key:
                continue
            if result.ok:
                self.playlog.set_rendered(pid, result.path or "", result.content_hash or "", result.languages,
                                          self.clock.now())
            else:
                self.playlog.set_render_error(pid, result.error or "", self.clock.now())

    # -- life cycle ----------------------------------------------------------------------

    def start(self) -> None:
        """Settle what the last run left (interrupted, missed), then plan; jobs stay paused until resumed."""
        for pid, new_state in self.playlog.recover(self.clock.now(), self.grace, self.config.replay_interrupted):
            log.warning("%s: %s after restart", pid, new_state)
        self.scheduler.start(paused=True)
        self.replan()

    def stop(self) -> None:
        self.stopping.set()
        self.queue.close()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)

    def run(self) -> int:
        """Serve until SIGTERM/SIGINT (or exit_after seconds): jobs fire, renders run in their own thread."""
        state = self.deployment.state_dir
        state.mkdir(parents=True, exist_ok=True)
        pid_file = state / PID_FILE
        pid_file.write_text(str(os.getpid()))
        try:
            self.start()
            self.scheduler.resume()
            threading.Thread(target=self.render_loop, name="render", daemon=True).start()
            self._handle_signals()
            log.info("daemon started (pid %d), state in %s", os.getpid(), state)
            self._watch(state / HEARTBEAT_FILE)
        finally:
            self.stop()
            pid_file.unlink(missing_ok=True)
            log.info("daemon stopped")
        return 0

    def _handle_signals(self) -> None:
        def on_hup(signum: int, frame: Any) -> None:
            self.replan_requested.set()

        def on_term(signum: int, frame: Any) -> None:
            self.stopping.set()

        signal.signal(signal.SIGHUP, on_hup)
        signal.signal(signal.SIGTERM, on_term)
        signal.signal(signal.SIGINT, on_term)

    def _watch(self, heartbeat: Path) -> None:
        """Every half second: stop when asked, re-plan when asked or when files changed, beat now and then."""
        started = time.monotonic()
        next_replan = started + self.config.replan_minutes * 60
        next_watch = started + self.config.watch_seconds
        next_beat = started
        while not self.stopping.wait(0.5):
            tick = time.monotonic()
            if self.exit_after is not None and tick - started >= self.exit_after:
                log.info("exit-after %.0f s reached", self.exit_after)
                return
            if tick >= next_watch:
                next_watch = tick + self.config.watch_seconds
                if self.fingerprint() != self._fingerprint:
                    log.info("plans, scripts or profile changed")
                    self.replan_requested.set()
            if self.replan_requested.is_set() or tick >= next_replan:
                self.replan_requested.clear()
                next_replan = tick + self.config.replan_minutes * 60
                self.replan()
            if tick >= next_beat:
                next_beat = tick + HEARTBEAT_SECONDS
                heartbeat.write_text(self.clock.now().isoformat(timespec="seconds"))
