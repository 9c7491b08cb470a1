"""The broadcast daemon: the only user of APScheduler.

It expands the plan over a rolling horizon, records every occurrence in the
play log, adds one date-triggered job per occurrence (keyed by the occurrence
id, in a SQLite job store), and has every programme rendered ahead of time by a
worker process (so this process stays small and a crash in rendering cannot take
it down). At air time it only plays a finished file.

Exactly once: the play log's scheduled -> playing step is atomic; after a
restart, plays cut off mid-way are ``interrupted`` and plays whose time passed
beyond the grace are ``missed``. One output plays one programme at a time.
SIGHUP (or a changed plan, script or profile) re-plans; SIGTERM stops cleanly.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import zoneinfo
from pathlib import Path
from typing import Any

from outreach.deployment import Deployment
from outreach.outputs import Interrupted, Output, build_output
from outreach.playlog import Play, PlayLog, open_playlog

log = logging.getLogger("outreach.daemon")

_DAEMON: "Daemon | None" = None


def fire(occurrence_id: str) -> None:
    """The job APScheduler runs at air time (a module-level function, so the job store can name it)."""
    if _DAEMON is not None:
        _DAEMON.play(occurrence_id)


class _LocalTime(logging.Formatter):
    """Timestamps in the county's time zone, so log lines match the plan's times."""

    def __init__(self, zone: dt.tzinfo) -> None:
        super().__init__("%(asctime)s %(levelname)s %(message)s")
        self.zone = zone

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return dt.datetime.fromtimestamp(record.created, self.zone).isoformat(sep=" ", timespec="milliseconds")


def _content_hash(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def configure_logging(zone: dt.tzinfo | None = None) -> None:
    """Plain lines on stderr: systemd's journal adds its own timestamps, but a terminal needs them."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_LocalTime(zone or dt.timezone.utc))
    root = logging.getLogger("outreach")
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


class Daemon:
    def __init__(self, deployment: Deployment, plans_dir: Path | None = None, exit_after: float | None = None) -> None:
        self.deployment = deployment
        self.plans_dir = plans_dir or deployment.root / "schedules" / "plans"
        self.exit_after = exit_after
        self.stopping = threading.Event()
        self.replan_requested = threading.Event()
        self.playlog: PlayLog = open_playlog(deployment.state_dir)
        self.outputs: dict[str, Output] = {}
        self.locks: dict[str, threading.Lock] = {}
        self.render_lock = threading.Lock()
        self.render_wanted = threading.Event()
        self.scheduler: Any = None
        self._fingerprint = ""
        self._load_profile()

    # -- configuration -------------------------------------------------------

    def _load_profile(self) -> None:
        profile = self.deployment.profile
        self.zone = zoneinfo.ZoneInfo(profile.timezone)
        self.grace = dt.timedelta(seconds=profile.daemon.grace_seconds)
        self.horizon = dt.timedelta(hours=profile.daemon.horizon_hours)
        self.config = profile.daemon
        self.outputs = {name: build_output(name, cfg, self.deployment.root) for name, cfg in profile.outputs.items()}
        for name in self.outputs:
            self.locks.setdefault(name, threading.Lock())
        self.village_output = {v.id: v.output for v in profile.villages}

    def now(self) -> dt.datetime:
        return dt.datetime.now(self.zone)

    def fingerprint(self) -> str:
        """Modification times of everything a plan depends on (cheap to compute every few seconds)."""
        parts = []
        for folder in (self.deployment.templates, self.deployment.root / "schedules", self.plans_dir):
            if folder.exists():
                for path in sorted(folder.rglob("*")):
                    if path.is_file():
                        stat = path.stat()
                        parts.append(f"{path}:{stat.st_mtime_ns}:{stat.st_size}")
        return str(hash("\n".join(parts)))

    # -- planning ----------------------------------------------------------------

    def replan(self) -> None:
        """Expand the horizon, sync the play log and the jobs, then have missing programmes rendered."""
        from outreach.plan import plan_for

        now = self.now()
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
            self._remove_job(pid)
        for play in self.playlog.query(states=("scheduled",), since=start, until=end):
            self.scheduler.add_job(
                "outreach.daemon:fire", trigger="date", run_date=play.planned_at, args=[play.id], id=play.id,
                replace_existing=True, misfire_grace_time=int(self.grace.total_seconds()) or 1,
                name=f"{play.village} {play.script}",
            )
        self._fingerprint = self.fingerprint()
        log.info("planned %d occurrence(s) until %s: %d new, %d changed, %d cancelled",
                 len(occurrences), f"{end:%Y-%m-%d %H:%M}", len(added), len(changed), len(cancelled))
        self.render_wanted.set()

    def _remove_job(self, pid: str) -> None:
        from apscheduler.jobstores.base import JobLookupError

        try:
            self.scheduler.remove_job(pid)
        except JobLookupError:
            pass

    # -- rendering (in a worker process) -----------------------------------------

    def _render_loop(self) -> None:
        while not self.stopping.is_set():
            if not self.render_wanted.wait(1.0):
                continue
            self.render_wanted.clear()
            try:
                self.render_pending()
            except Exception as exc:
                log.error("pre-render failed: %s", exc)

    def render_pending(self) -> None:
        """Render (or confirm unchanged) every scheduled programme in the horizon, in one worker process."""
        now = self.now()
        plays = self.playlog.query(states=("scheduled",), since=now - self.grace, until=now + self.horizon)
        if not plays:
            return
        items: dict[str, dict[str, Any]] = {}
        members: dict[str, list[Play]] = {}
        for play in plays:
            key = json.dumps([play.script, play.village, play.programme, play.variables], sort_keys=True)
            items[key] = {"key": key, "script": play.script, "village": play.village,
                          "programme": play.programme, "variables": play.variables}
            members.setdefault(key, []).append(play)
        argv = [sys.executable, "-m", "outreach", "worker", "render", "--root", str(self.deployment.root)]
        with self.render_lock:
            proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True, encoding="utf-8")
            assert proc.stdin and proc.stdout
            proc.stdin.write(json.dumps(list(items.values()), ensure_ascii=False))
            proc.stdin.close()
            ready = failed = 0
            for line in proc.stdout:
                result = json.loads(line)
                for play in members.get(result["key"], []):
                    if result["ok"]:
                        self.playlog.set_rendered(play.id, result["path"], result["hash"], result["languages"],
                                                  self.now())
                    else:
                        self.playlog.set_render_error(play.id, result["error"], self.now())
                ready += result["ok"]
                failed += not result["ok"]
                if not result["ok"]:
                    log.warning("cannot render %s for %s: %s", *json.loads(result["key"])[:2], result["error"])
            err = proc.stderr.read() if proc.stderr else ""
            if proc.wait() != 0:
                log.error("render worker exited with %s: %s", proc.returncode, err.strip()[-300:])
        log.info("rendered %d programme(s) ahead, %d could not be rendered", ready, failed)

    # -- air time ------------------------------------------------------------------

    def play(self, pid: str) -> None:
        play = self.playlog.get(pid)
        if play is None or play.state != "scheduled":
            log.info("%s: not scheduled (%s), nothing to do", pid, play.state if play else "unknown")
            return
        now = self.now()
        late = now - play.planned_at
        if late > self.grace:
            self.playlog.finish(pid, "missed", now, f"could start only {late.total_seconds():.0f} s late "
                                                    f"(grace {self.grace.total_seconds():.0f} s)", expect=("scheduled",))
            log.warning("%s %s %s: missed (%.0f s late)", pid, play.village, play.script, late.total_seconds())
            return
        path = Path(play.programme_path) if play.programme_path else None
        if not play.ready or path is None or not path.is_file():
            reason = play.render_error or "the programme was not rendered in time"
            self.playlog.finish(pid, "failed", now, reason, expect=("scheduled",))
            log.error("%s %s %s: failed: %s", pid, play.village, play.script, reason)
            return
        if play.programme_hash and _content_hash(path) != play.programme_hash:
            self.playlog.finish(pid, "failed", now, "the programme file changed after it was prepared; not aired",
                                expect=("scheduled",))
            log.error("%s: programme file changed after rendering, refused", pid)
            return
        output = self.outputs.get(play.output)
        if output is None:
            self.playlog.finish(pid, "failed", now, f"unknown output '{play.output}'", expect=("scheduled",))
            return
        lock = self.locks[play.output]
        if not lock.acquire(timeout=max(0.0, (self.grace - late).total_seconds())):
            self.playlog.finish(pid, "missed", self.now(), f"output '{play.output}' was busy for the whole grace time",
                                expect=("scheduled",))
            log.warning("%s: missed, output %s busy", pid, play.output)
            return
        try:
            started = self.now()
            lateness = (started - play.planned_at).total_seconds() * 1000
            if not self.playlog.begin(pid, started, lateness):
                return
            log.info("%s %s %s: playing on %s (%.0f ms late)", pid, play.village, play.script, output.name, lateness)
            try:
                detail = output.play(path, play.planned_at, play.village, play.script, self.stopping)
            except Interrupted as exc:
                self.playlog.finish(pid, "interrupted", self.now(), str(exc), expect=("playing",))
                log.warning("%s: interrupted", pid)
                return
            except Exception as exc:
                self.playlog.finish(pid, "failed", self.now(), f"output {output.name}: {exc}", expect=("playing",))
                log.error("%s: output failed: %s", pid, exc)
                return
            self.playlog.finish(pid, "played", self.now(), None, detail, expect=("playing",))
            log.info("%s %s %s: played (%s)", pid, play.village, play.script, detail)
        finally:
            lock.release()

    def _on_missed(self, event: Any) -> None:
        """APScheduler skipped a job beyond its grace (the machine slept, the clock jumped)."""
        self.playlog.finish(event.job_id, "missed", self.now(), "the scheduler could not run it within the grace",
                            expect=("scheduled",))

    # -- life cycle ----------------------------------------------------------------------

    def run(self) -> int:
        global _DAEMON
        from apscheduler.events import EVENT_JOB_MISSED
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
        from apscheduler.schedulers.background import BackgroundScheduler

        state = self.deployment.state_dir
        state.mkdir(parents=True, exist_ok=True)
        _DAEMON = self
        pid_file = state / "daemon.pid"
        pid_file.write_text(str(os.getpid()))
        for pid, new_state in self.playlog.recover(self.now(), self.grace, self.config.replay_interrupted):
            log.warning("%s: %s after restart", pid, new_state)
        self.scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(url=f"sqlite:///{state / 'jobs.sqlite'}")},
            executors={"default": ThreadPoolExecutor(max_workers=max(4, len(self.outputs) * 2))},
            job_defaults={"coalesce": True, "max_instances": 1},
            timezone=self.zone,
        )
        self.scheduler.add_listener(self._on_missed, EVENT_JOB_MISSED)
        self.scheduler.start(paused=True)
        self.replan()
        self.scheduler.resume()
        renderer = threading.Thread(target=self._render_loop, name="render", daemon=True)
        renderer.start()

        def on_hup(signum: int, frame: Any) -> None:
            self.replan_requested.set()

        def on_term(signum: int, frame: Any) -> None:
            self.stopping.set()

        signal.signal(signal.SIGHUP, on_hup)
        signal.signal(signal.SIGTERM, on_term)
        signal.signal(signal.SIGINT, on_term)
        log.info("daemon started (pid %d), state in %s", os.getpid(), state)
        started = time.monotonic()
        next_replan = started + self.config.replan_minutes * 60
        next_watch = started + self.config.watch_seconds
        next_beat = started
        try:
            while not self.stopping.wait(0.5):
                tick = time.monotonic()
                if self.exit_after is not None and tick - started >= self.exit_after:
                    log.info("exit-after %.0f s reached", self.exit_after)
                    break
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
                    next_beat = tick + 10
                    (state / "daemon.heartbeat").write_text(self.now().isoformat(timespec="seconds"))
        finally:
            self.stopping.set()
            self.scheduler.shutdown(wait=True)
            pid_file.unlink(missing_ok=True)
            _DAEMON = None
            log.info("daemon stopped")
        return 0
