"""Air time: carry out the verdict for one due play, exactly once, and record what happened.

Kept apart from planning and rendering so that anything that must play finished
files on time (the daemon; later a village node) can reuse it as it is.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from pathlib import Path

from outreach.daemon.airtime import Verdict, decide, programme_state
from outreach.daemon.clock import Clock
from outreach.daemon.render_queue import RenderQueue
from outreach.outputs import Interrupted, Output
from outreach.playlog import Play, PlayLog

log = logging.getLogger("outreach.daemon")

POLL_SECONDS = 0.1  # how often a wait looks at the clock again (so an injected clock can end it)
LEVELS = {"played": logging.INFO, "missed": logging.WARNING, "interrupted": logging.WARNING}


class Player:
    def __init__(self, playlog: PlayLog, clock: Clock, renders: RenderQueue, stopping: threading.Event) -> None:
        self.playlog = playlog
        self.clock = clock
        self.renders = renders
        self.stopping = stopping
        self.grace = dt.timedelta(0)
        self.outputs: dict[str, Output] = {}
        self.locks: dict[str, threading.Lock] = {}

    def configure(self, outputs: dict[str, Output], grace: dt.timedelta) -> None:
        """Take a (re-)loaded profile's outputs and grace; one lock per output, kept across re-loads."""
        self.outputs = outputs
        self.grace = grace
        for name in outputs:
            self.locks.setdefault(name, threading.Lock())

    def _decide(self, play: Play | None, output_busy: bool = False) -> Verdict:
        now = self.clock.now()
        if play is None or play.state != "scheduled":
            return decide(play, now, self.grace, programme="missing", rendering=False, output_known=False)
        return decide(play, now, self.grace, programme=programme_state(play), rendering=self.renders.rendering(play.id),
                      output_known=play.output in self.outputs, output_busy=output_busy)

    def play(self, pid: str) -> None:
        """The job run at air time (and again for a job the scheduler reports missed)."""
        play = self.playlog.get(pid)
        verdict = self._decide(play)
        if verdict.action == "wait":
            log.info("%s: waiting for its programme to be rendered", pid)
        while verdict.action == "wait" and play is not None:
            self._wait_until(lambda t: self.renders.wait_rendered(pid, t), play.planned_at + self.grace)
            if self.stopping.is_set():
                return  # still scheduled: the next start decides (missed, or played within the grace)
            play = self.playlog.get(pid)
            verdict = self._decide(play)
        if verdict.action == "skip" or play is None:
            log.info("%s: %s, nothing to do", pid, verdict.reason)
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
            if not self.playlog.begin(play.id, started, lateness):
                return
            log.info("%s %s %s: playing on %s (%.0f ms late)", play.id, play.village, play.script, output.name,
                     lateness)
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
            return "failed", f"output {output.name}: {exc}", None
        return "played", None, detail

    def record(self, play: Play, verdict: Verdict) -> None:
        """The one place a missed or failed verdict reaches the play log (and the journal)."""
        self._finish(play, verdict.action, verdict.reason, None, expect=("scheduled",))

    def _finish(self, play: Play, state: str, reason: str | None, detail: str | None,
                expect: tuple[str, ...]) -> None:
        if self.playlog.finish(play.id, state, self.clock.now(), reason, detail, expect=expect):
            log.log(LEVELS.get(state, logging.ERROR), "%s %s %s: %s (%s)", play.id, play.village, play.script, state,
                    reason or detail)
