"""Air time: carry out the verdict for one due play, exactly once, and record what happened.

Kept apart from planning and rendering so that anything that must play finished
files on time (the daemon; later a village node) can reuse it as it is.

The play log may fail under it (a full disk, a locked file): every read and
write is retried until the play's grace runs out, the trouble is reported to
``Health`` (so ``status`` stops saying the daemon can play), and an outcome that
could not be written is kept in memory and written by ``flush`` once the log
takes writes again. Nothing ends silently.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from outreach.daemon.airtime import Verdict, decide, programme_state
from outreach.daemon.clock import Clock
from outreach.daemon.health import Health
from outreach.daemon.render_queue import RenderQueue
from outreach.i18n import _
from outreach.outputs import Interrupted, Output
from outreach.playlog import Play, PlayLog
from outreach.status import show_state

log = logging.getLogger("outreach.daemon")

POLL_SECONDS = 0.1  # how often a wait looks at the clock again (so an injected clock can end it)
RETRY_SECONDS = 0.5  # between attempts on a play log that refused a read or write
LEVELS = {"played": logging.INFO, "missed": logging.WARNING, "interrupted": logging.WARNING}
T = TypeVar("T")


class PlayLogDown(Exception):
    """The play log refused every attempt until the deadline."""


@dataclass(frozen=True)
class Outcome:
    """A final state the play log could not take yet."""

    state: str
    at: dt.datetime
    reason: str | None
    detail: str | None
    expect: tuple[str, ...]


class Player:
    def __init__(self, playlog: PlayLog, clock: Clock, renders: RenderQueue, stopping: threading.Event,
                 health: Health | None = None) -> None:
        self.playlog = playlog
        self.clock = clock
        self.renders = renders
        self.stopping = stopping
        self.health = health or Health()
        self.grace = dt.timedelta(0)
        self.outputs: dict[str, Output] = {}
        self.locks: dict[str, threading.Lock] = {}
        self.unrecorded: dict[str, Outcome] = {}
        self._unrecorded_lock = threading.Lock()

    def configure(self, outputs: dict[str, Output], grace: dt.timedelta) -> None:
        """Take a (re-)loaded profile's outputs and grace; one lock per output, kept across re-loads."""
        self.outputs = outputs
        self.grace = grace
        for name in outputs:
            self.locks.setdefault(name, threading.Lock())

    # -- the play log, retried -------------------------------------------------------------

    def _db(self, call: Callable[[], T], deadline: dt.datetime) -> T:
        """Run a play-log call, again and again while it fails, until the deadline (or a stop)."""
        while True:
            try:
                result = call()
            except (sqlite3.Error, OSError) as exc:
                self.health.playlog_down(self.playlog.path, exc)
                if self.clock.now() >= deadline or self.stopping.wait(RETRY_SECONDS):
                    raise PlayLogDown(str(exc)) from exc
            else:
                self.health.clear("playlog", _("the play log takes writes again"))
                return result

    def flush(self) -> int:
        """Write the outcomes the play log refused earlier; returns how many are still waiting."""
        with self._unrecorded_lock:
            waiting = dict(self.unrecorded)
        for pid, out in waiting.items():
            try:
                self.playlog.finish(pid, out.state, out.at, out.reason, out.detail, expect=out.expect)
            except (sqlite3.Error, OSError):
                break
            with self._unrecorded_lock:
                self.unrecorded.pop(pid, None)
            self.health.clear("playlog", _("the play log takes writes again"))
            log.warning(_("{play}: recorded {state} now that the play log takes writes ({reason})").format(
                play=pid, state=show_state(out.state), reason=out.reason))
        with self._unrecorded_lock:
            return len(self.unrecorded)

    def _keep(self, pid: str, outcome: Outcome) -> None:
        with self._unrecorded_lock:
            self.unrecorded[pid] = outcome
        log.error(_("{play}: {state} ({reason}); kept until the play log takes writes").format(
            play=pid, state=show_state(outcome.state), reason=outcome.reason))

    # -- air time ------------------------------------------------------------------------------

    def _decide(self, play: Play | None, output_busy: bool = False) -> Verdict:
        now = self.clock.now()
        if play is None or play.state != "scheduled":
            return decide(play, now, self.grace, programme="missing", rendering=False, output_known=False)
        return decide(play, now, self.grace, programme=programme_state(play), rendering=self.renders.rendering(play.id),
                      output_known=play.output in self.outputs, output_busy=output_busy)

    def play(self, pid: str) -> None:
        """The job run at air time (and again for a job the scheduler reports missed)."""
        try:
            self._play(pid)
        except PlayLogDown as exc:
            why = _("not aired: the play log could not be read or written at air time ({error})").format(error=exc)
            self._keep(pid, Outcome("missed", self.clock.now(), why, None, ("scheduled",)))

    def _play(self, pid: str) -> None:
        play = self._db(lambda: self.playlog.get(pid), self.clock.now() + self.grace)
        verdict = self._decide(play)
        if verdict.action == "wait":
            log.info(_("{play}: waiting for its programme to be rendered").format(play=pid))
        while verdict.action == "wait" and play is not None:
            self._wait_until(lambda t: self.renders.wait_rendered(pid, t), play.planned_at + self.grace)
            if self.stopping.is_set():
                return  # still scheduled: the next start decides (missed, or played within the grace)
            play = self._db(lambda: self.playlog.get(pid), play.planned_at + self.grace)
            verdict = self._decide(play)
        if verdict.action == "skip" or play is None:
            log.info(_("{play}: {reason}, nothing to do").format(play=pid, reason=verdict.reason))
        elif verdict.action == "play":
            self._air(play)
        else:
            self.record(play, verdict)

    def _wait_until(self, ready: Callable[[float], bool], deadline: dt.datetime) -> bool:
        """Short real waits, checking the injected clock between them; False at the deadline or on stop."""
        while not self.stopping.is_set():
            if ready(POLL_SECONDS):
                return True
            if self.clock.now() >= deadline:
                return False
        return False

    def _air(self, play: Play) -> None:
        output, lock = self.outputs[play.output], self.locks[play.output]
        if not self._wait_until(lambda t: lock.acquire(timeout=t), play.planned_at + self.grace):
            if not self.stopping.is_set():
                self.record(play, self._decide(play, output_busy=True))
            return
        try:
            started = self.clock.now()
            lateness = (started - play.planned_at).total_seconds() * 1000
            if not self._db(lambda: self.playlog.begin(play.id, started, lateness), play.planned_at + self.grace):
                return
            log.info(_("{play} {village} {script}: playing on {output} ({late:.0f} ms late)").format(
                play=play.id, village=play.village, script=play.script, output=output.name, late=lateness))
            self._finish(play, *self._perform(output, play), expect=("playing",))
        finally:
            lock.release()

    def _perform(self, output: Output, play: Play) -> tuple[str, str | None, str | None]:
        """(final state, reason, detail) of handing the file to the output."""
        try:
            detail = output.play(Path(play.programme_path or ""), play.planned_at, play.village, play.script,
                                 self.stopping)
        except Interrupted as exc:
            return "interrupted", str(exc), None
        except Exception as exc:
            return "failed", _("output {output}: {error}").format(output=output.name, error=exc), None
        return "played", None, detail

    def record(self, play: Play, verdict: Verdict) -> None:
        """The one place a missed or failed verdict reaches the play log (and the journal)."""
        self._finish(play, verdict.action, verdict.reason, None, expect=("scheduled",))

    def _finish(self, play: Play, state: str, reason: str | None, detail: str | None,
                expect: tuple[str, ...]) -> None:
        at = self.clock.now()
        try:
            done = self._db(lambda: self.playlog.finish(play.id, state, at, reason, detail, expect=expect),
                            at + self.grace)
        except PlayLogDown:
            self._keep(play.id, Outcome(state, at, reason, detail, expect))
            return
        if done:
            log.log(LEVELS.get(state, logging.ERROR), _("{play} {village} {script}: {state} ({why})").format(
                play=play.id, village=play.village, script=play.script, state=show_state(state), why=reason or detail))
