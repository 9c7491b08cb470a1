"""The daemon's wall-clock life: signals, heartbeat, file watch, and checks that it can still play.

A daemon that cannot play must not look alive: if the scheduler stops running
jobs (its thread died) or the render thread ends, the supervisor says so and
ends the process with exit code 1, so that systemd restarts it. A canary job
on its own executor ticks every few seconds; no tick for three periods means
the scheduler is gone.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import threading
import time
from typing import Any

from outreach.daemon.health import Heartbeat
from outreach.daemon.service import Daemon
from outreach.i18n import _
from outreach.status import HEARTBEAT_FILE

log = logging.getLogger("outreach.daemon")

HEARTBEAT_SECONDS = 5.0
CANARY_SECONDS = 5.0
TICK_SECONDS = 0.5
RETRY_SECONDS = 10.0  # a re-plan the play log refused is tried again this often
CANARY = "canary"


class Supervisor:
    def __init__(self, daemon: Daemon, exit_after: float | None = None, *, heartbeat_seconds: float = HEARTBEAT_SECONDS,
                 canary_seconds: float = CANARY_SECONDS) -> None:
        self.daemon = daemon
        self.exit_after = exit_after
        self.heartbeat = Heartbeat(daemon.deployment.state_dir / HEARTBEAT_FILE, heartbeat_seconds)
        self.canary_seconds = canary_seconds
        self.render_thread: threading.Thread | None = None
        self._last_tick = time.monotonic()

    def _tick(self) -> None:
        self._last_tick = time.monotonic()

    def run(self) -> int:
        """Serve until SIGTERM/SIGINT or exit_after (0), or until a thread it needs to play has died (1)."""
        daemon = self.daemon
        previous = self._handle_signals()
        last_seen = self._previous_beat()
        try:
            daemon.start(last_seen)  # until the first beat below, `status` says "starting"
            self._last_tick = time.monotonic()
            daemon.scheduler.add_job(self._tick, "interval", seconds=self.canary_seconds, id=CANARY,
                                     executor=CANARY, next_run_time=dt.datetime.now(daemon.zone), misfire_grace_time=None)
            daemon.scheduler.resume()
            self.render_thread = threading.Thread(target=daemon.render_loop, name="render", daemon=True)
            self.render_thread.start()
            self._beat()
            log.info(_("daemon started (pid {pid}), state in {folder}").format(pid=os.getpid(),
                                                                               folder=daemon.deployment.state_dir))
            return self._watch()
        finally:
            daemon.stop()
            self.heartbeat.close()
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            log.info(_("daemon stopped"))

    def _handle_signals(self) -> dict[int, Any]:
        """SIGHUP re-plans, SIGTERM and SIGINT stop; returns the handlers they replace."""
        def on_hup(signum: int, frame: Any) -> None:
            self.daemon.replan_requested.set()

        def on_term(signum: int, frame: Any) -> None:
            self.daemon.stopping.set()

        handlers = {signal.SIGHUP: on_hup, signal.SIGTERM: on_term, signal.SIGINT: on_term}
        return {signum: signal.signal(signum, handler) for signum, handler in handlers.items()}

    def _previous_beat(self) -> dt.datetime | None:
        """When the daemon before this one last beat (to tell how long the air was unattended)."""
        try:
            return dt.datetime.fromtimestamp(self.heartbeat.path.stat().st_mtime, self.daemon.zone)
        except OSError:
            return None

    def dead_thread(self) -> str | None:
        """What can no longer run, if anything: the scheduler's thread (no canary tick), the render thread."""
        silent = time.monotonic() - self._last_tick
        if silent > 3 * self.canary_seconds + 1:
            return _("the scheduler has stopped running jobs (no tick for {seconds:.0f} s)").format(seconds=silent)
        if self.render_thread is not None and not self.render_thread.is_alive():
            return _("the render thread has ended")
        return None

    def _watch(self) -> int:
        """Every half second: stop when asked, end when a needed thread died, write outcomes the play log
        refused, re-plan when asked, when files changed or when it is time, beat now and then."""
        daemon = self.daemon
        started = time.monotonic()
        next_replan = started + daemon.config.replan_minutes * 60
        next_watch = started + daemon.config.watch_seconds
        next_beat = started + self.heartbeat.every
        next_retry = started
        while not daemon.stopping.wait(TICK_SECONDS):
            tick = time.monotonic()
            if self.exit_after is not None and tick - started >= self.exit_after:
                log.info(_("exit-after {seconds:.0f} s reached").format(seconds=self.exit_after))
                return 0
            dead = self.dead_thread()
            if dead:
                daemon.health.report("thread", _("{problem}: exiting, so that the service manager restarts the "
                                                 "daemon").format(problem=dead), blocks_air=True)
                self._beat()
                return 1
            if daemon.player.unrecorded:
                daemon.player.flush()
            if tick >= next_watch:
                next_watch = tick + daemon.config.watch_seconds
                if daemon.inputs_changed():
                    log.info(_("plans, scripts or profile changed"))
                    daemon.replan_requested.set()
            if daemon.replan_failed and tick >= next_retry:
                daemon.replan_requested.set()
            if daemon.replan_requested.is_set() or tick >= next_replan:
                daemon.replan_requested.clear()
                next_replan, next_retry = tick + daemon.config.replan_minutes * 60, tick + RETRY_SECONDS
                daemon.replan()
            if tick >= next_beat or daemon.health.changed.is_set():
                next_beat = tick + self.heartbeat.every
                self._beat()
        return 0

    def _beat(self) -> None:
        health = self.daemon.health
        health.changed.clear()
        try:
            self.heartbeat.beat(self.daemon.clock.now(), health.problems())
        except OSError as exc:
            health.report("heartbeat", _("cannot write the heartbeat {path}: {error}").format(path=self.heartbeat.path,
                                                                                                error=exc))
        else:
            health.clear("heartbeat", _("the heartbeat is written again"))
