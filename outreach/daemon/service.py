"""The daemon: plans the horizon, keeps one job per play, has programmes rendered ahead, plays them on time.

Its time comes from an injected ``Clock`` and its programmes from an injected
``Renderer``, so tests drive it in-process with fakes; ``runner.Supervisor`` is
the thin wall-clock loop (lock, signals, heartbeat, file watch, thread checks)
around it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import math
import sqlite3
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler

from outreach.daemon.airtime import programme_state
from outreach.daemon.clock import Clock, SystemClock
from outreach.daemon.health import Health
from outreach.daemon.planning import PlanInputs
from outreach.daemon.planning import stamp as _stamp  # also fleet's, by this name
from outreach.daemon.player import Player
from outreach.daemon.priority import airtime_priority
from outreach.daemon.render_queue import RenderJob, RenderQueue, request_for
from outreach.deployment import Deployment
from outreach.errors import OutreachError
from outreach.i18n import _, ngettext
from outreach.outputs import PlayerRecords, build_output
from outreach.playlog import Play, open_playlog
from outreach.status import show_state
from outreach.worker import Renderer, RenderResult, WorkerRenderer

log = logging.getLogger("outreach.daemon")

PLAYERS_DIR = "players"  # under the state folder: which player plays on which output (for after a crash)
OLD_JOB_STORE = "jobs.sqlite"
JOB_WINDOW = dt.timedelta(hours=6)


def _occurrence(occ: Any, zone: dt.tzinfo, output: str) -> dict[str, Any]:
    return {"id": occ.id, "at": occ.at.replace(tzinfo=zone), "village": occ.village, "rule": occ.rule,
            "script": occ.script, "programme": occ.programme, "variables": dict(occ.variables),
            "reason": occ.reason, "output": output}


class Daemon:
    def __init__(self, deployment: Deployment, plans_dir: Path | None = None, clock: Clock | None = None,
                 renderer: Renderer | None = None, health: Health | None = None) -> None:
        self.deployment = deployment
        self.plans_dir = plans_dir or deployment.plans_dir
        self.health = health or Health()
        self.inputs = PlanInputs(deployment, self.plans_dir, self.health)
        self.stopping = threading.Event()
        self.replan_requested = threading.Event()
        self.playlog = open_playlog(deployment.state_dir, repair=True)
        self.queue = RenderQueue()
        self.renderer: Renderer = renderer or WorkerRenderer(deployment.root)
        self.clock: Clock = clock or SystemClock(deployment.zone)
        self.records = PlayerRecords(deployment.state_dir / PLAYERS_DIR)
        self.player = Player(self.playlog, self.clock, self.queue, self.stopping, self.health)
        self._load_profile()
        # Jobs live in memory and call a bound method: the play log is the durable record, and every
        # start re-derives the jobs from it. The canary executor runs only the supervisor's liveness tick.
        self.scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=max(4, len(self.player.outputs) * 2)),
                       "canary": ThreadPoolExecutor(max_workers=1)},
            job_defaults={"coalesce": True, "max_instances": 1}, timezone=self.zone,
        )
        self.scheduler.add_listener(self._on_missed, EVENT_JOB_MISSED)
        self._fingerprint = self._inputs = self._worker_inputs = ""
        self._rendered: Counter[bool] = Counter()
        self._rendered_with: dict[str, str] = {}  # programme key -> render inputs it was last rendered from
        self.replan_failed = False

    def _load_profile(self) -> None:
        profile = self.deployment.profile
        self.zone = self.deployment.zone
        self.grace = dt.timedelta(seconds=profile.daemon.grace_seconds)
        self.horizon = dt.timedelta(hours=profile.daemon.horizon_hours)
        self.config = profile.daemon
        # Jobs only this far ahead (every re-plan moves it on), so the scheduler holds a few hours of plays,
        # not a horizon of tens of thousands; renders still cover the whole horizon.
        self.job_window = max(JOB_WINDOW, 3 * dt.timedelta(minutes=profile.daemon.replan_minutes))
        outputs = {name: build_output(name, cfg, self.deployment.root, self.records)
                   for name, cfg in profile.outputs.items()}
        self.player.configure(outputs, self.grace)
        self.village_output = {v.id: v.output for v in profile.villages}
        self.local_villages = {v.id for v in profile.villages if profile.plays_locally(v.id)}

    def fingerprint(self) -> str:
        """What a plan depends on (cheap enough to check every few seconds): a change means re-plan."""
        return _stamp([self.deployment.templates, self.deployment.profile_path.parent, self.plans_dir])

    def inputs_changed(self) -> bool:
        return self.fingerprint() != self._fingerprint

    def _render_stamp(self) -> str:
        """What a programme depends on: a change means the next render needs a fresh worker."""
        return _stamp([self.deployment.templates, self.deployment.profile_path, self.deployment.audio_dir])

    # -- planning ----------------------------------------------------------------

    def replan(self) -> None:
        """Expand the horizon from the last good inputs, sync the play log, queue the renders that are due
        (nearest first), then the jobs. A play log that refuses the sync keeps the jobs there are."""
        cpu, now = time.thread_time(), self.clock.now()
        self._fingerprint, self._inputs = self.fingerprint(), self._render_stamp()  # before reading: no edit missed
        self.deployment = self.inputs.refresh()
        self._load_profile()
        start, end = now - self.grace, now + self.horizon
        try:
            expansion = self.inputs.expand(start, end)
        except OutreachError as exc:
            self.health.report("plan", _("the plan cannot be expanded, keeping the plays in the log: {error}").format(
                error=exc))
            expansion = None
        try:
            counts = self._sync(expansion.occurrences if expansion else None, start, end, now)
            plays = self.playlog.query(states=("scheduled",), since=start, until=end)
        except (sqlite3.Error, OSError) as exc:
            self.health.playlog_down(self.playlog.path, exc)
            self.replan_failed = True
            return
        self.replan_failed = False
        self.health.clear("playlog", _("the play log takes writes again"))
        self.queue.replace(self._to_render(plays))  # before the jobs: a play due now must find its render on the way
        self._schedule_all([p for p in plays if p.planned_at <= now + self.job_window])
        log.info(_("planned until {end}: {scheduled} scheduled; {changes} (re-plan took {cpu:.2f} s CPU)").format(
            end=f"{end:%Y-%m-%d %H:%M}", scheduled=len(plays), changes=counts, cpu=time.thread_time() - cpu))

    def _sync(self, occurrences: Any, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> str:
        if occurrences is None:
            return _("no plan could be read: kept the plays in the log")
        rows = [_occurrence(occ, self.zone, self.village_output.get(occ.village, "spool")) for occ in occurrences
                if start <= occ.at.replace(tzinfo=self.zone) <= end and occ.village in self.local_villages]
        added, changed, cancelled = self.playlog.sync(rows, (start, end), now, keep_scripts=self.inputs.unreadable)
        for pid in cancelled:
            self._unschedule(pid)
        return _("{added} new, {changed} changed, {cancelled} cancelled").format(added=len(added), changed=len(changed),
                                                                                cancelled=len(cancelled))

    def _to_render(self, plays: list[Play]) -> list[Play]:
        """Plays whose programme is not ready, or was last rendered from other inputs than today's."""
        return [p for p in plays if not p.ready or not p.programme_path or not Path(p.programme_path).is_file()
                or self._rendered_with.get(request_for(p).key) != self._inputs]

    def _schedule_all(self, plays: list[Play]) -> None:
        current = {job.id: job.next_run_time for job in self.scheduler.get_jobs()}
        for play in plays:
            if current.get(play.id) != play.planned_at:
                self.schedule(play)

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
        which records it missed (at once: its grace is over, so nothing waits)."""
        self.player.play(event.job_id)

    # -- rendering ------------------------------------------------------------------

    def render_loop(self) -> None:
        """The render thread: one programme at a time, nearest air time first; no worker while idle.
        Nothing that goes wrong in one render ends the thread."""
        try:
            while not self.stopping.is_set():
                job = self.queue.take(timeout=1.0)
                try:
                    if job is None:
                        self.renderer.close()
                    else:
                        self._render(job)
                except (sqlite3.Error, OSError) as exc:
                    self.health.playlog_down(self.playlog.path, exc)
                except Exception as exc:
                    self.health.report("render", _("the render thread hit {kind}: {error}").format(
                        kind=type(exc).__name__, error=exc))
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
            inputs = self._worker_inputs
            try:
                result = self.renderer.render(job.request)
            except Exception as exc:  # a broken renderer must not end the render thread
                result = RenderResult.failure(job.request.key, _("renderer: {kind}: {error}").format(
                    kind=type(exc).__name__, error=exc))
            self._store(job, result)
            if result.ok:
                self._rendered_with[job.request.key] = inputs
        finally:
            self.queue.done(job)
        if self.queue.idle() and self._rendered:
            done = self._rendered[True]
            log.info(ngettext("rendered {done} programme ahead, {failed} could not be rendered",
                              "rendered {done} programmes ahead, {failed} could not be rendered", done).format(
                done=done, failed=self._rendered[False]))
            self._rendered.clear()

    def _store(self, job: RenderJob, result: RenderResult) -> None:
        """Mark the job's plays ready (or why not), unless a re-plan gave them another programme meanwhile.
        A failed render never takes away a programme that is still intact: the plays keep airing it."""
        self._rendered[result.ok] += 1
        script = job.request.script
        if result.ok:
            self.health.clear(f"render:{script}", _("script '{script}' renders again").format(script=script))
        for pid in job.plays:
            play = self.playlog.get(pid)
            if play is None or play.state != "scheduled" or request_for(play).key != job.request.key:
                continue
            if result.ok:
                self.playlog.set_rendered(pid, result.path or "", result.content_hash or "", result.languages,
                                          self.clock.now())
            else:
                self._keep_last_good(play, result.error or "")

    def _keep_last_good(self, play: Play, error: str) -> None:
        now = self.clock.now()
        last = play if play.ready else self.playlog.last_rendered(play)
        if last is not None and programme_state(dataclasses.replace(last, ready=True)) == "ok":
            if last is not play:
                self.playlog.set_rendered(play.id, last.programme_path or "", last.programme_hash or "",
                                          last.languages, now)
            self.playlog.set_render_error(play.id, error, now, keep_ready=True)
            self.health.report(f"render:{play.script}", _("script '{script}' cannot be rendered, its plays air the "
                                                          "last good programme: {error}").format(script=play.script,
                                                                                                 error=error))
        else:
            self.playlog.set_render_error(play.id, error, now)
            self.health.report(f"render:{play.script}", _("script '{script}' cannot be rendered for {village}: "
                                                          "{error}").format(script=play.script, village=play.village,
                                                                            error=error))

    # -- life cycle ----------------------------------------------------------------------

    def start(self, last_seen: dt.datetime | None = None) -> None:
        """Stop players a killed daemon left behind, settle what the last run left (interrupted, missed),
        then plan; jobs stay paused until resumed. ``last_seen``: when the previous daemon last beat."""
        for message in self.records.reap_all():
            log.warning(_("{problem}, left by a daemon that did not stop cleanly").format(problem=message))
        if (self.deployment.state_dir / OLD_JOB_STORE).exists():
            log.info(_("{path} is no longer used (jobs are derived from the play log at every start); it can be "
                       "deleted").format(path=self.deployment.state_dir / OLD_JOB_STORE))
        for pid, new_state in self.playlog.recover(self.clock.now(), self.grace, self.config.replay_interrupted,
                                                   last_seen):
            log.warning(_("{play}: {state} after restart").format(play=pid, state=show_state(new_state)))
        with airtime_priority():  # the scheduler's thread, and the job threads it starts, run real-time if allowed
            self.scheduler.start(paused=True)
        self.replan()

    def stop(self) -> None:
        self.stopping.set()
        self.queue.close()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
