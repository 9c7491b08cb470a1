"""Fakes for driving the daemon in-process, without waiting for wall-clock time.

- FakeClock: time moves only when a test moves it (or by a fixed step per reading).
- FakeRenderer: stands in for the render worker process, which has its own tests
  (test_worker.py) and is exercised for real in daemon/test_process.py. It writes
  a small file per programme and can fail a script, or hold a village's renders until released.
- GateOutput: wraps a real output and holds a play until released (a busy speaker).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from pathlib import Path

from outreach.outputs import Output
from outreach.worker import RenderRequest, RenderResult

WAIT = 30  # seconds a fake holds at most: a safety net so a broken test ends instead of hanging


class FakeClock:
    def __init__(self, start: dt.datetime, step: dt.timedelta = dt.timedelta(0)) -> None:
        self._now = start
        self.step = step
        self._lock = threading.Lock()

    def now(self) -> dt.datetime:
        with self._lock:
            current = self._now
            self._now += self.step
            return current

    def set(self, moment: dt.datetime) -> None:
        with self._lock:
            self._now = moment

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += dt.timedelta(seconds=seconds)


class FakeRenderer:
    def __init__(self, folder: Path, failures: dict[str, str] | None = None) -> None:
        self.folder = folder
        self.failures = failures or {}
        self.requests: list[RenderRequest] = []
        self.held: set[str] = set()
        self.holding = threading.Event()
        self._release = threading.Event()
        self.closed = 0

    def hold(self, village: str) -> None:
        """Renders for this village block (holding is set) until release()."""
        self.held.add(village)

    def release(self) -> None:
        self._release.set()

    def render(self, request: RenderRequest) -> RenderResult:
        self.requests.append(request)
        if request.village in self.held:
            self.holding.set()
            self._release.wait(WAIT)
        if request.script in self.failures:
            return RenderResult.failure(request.key, self.failures[request.script])
        content = f"programme {request.key}".encode()
        path = self.folder / f"{hashlib.sha256(content).hexdigest()[:12]}.mp3"
        path.write_bytes(content)
        return RenderResult(key=request.key, path=str(path), content_hash=hashlib.sha256(content).hexdigest(),
                            languages=["cmn"])

    def close(self) -> None:
        self.closed += 1


class GateOutput:
    def __init__(self, inner: Output) -> None:
        self.inner = inner
        self.name = inner.name
        self.entered = threading.Event()
        self._release = threading.Event()

    def release(self) -> None:
        self._release.set()

    def play(self, path: Path, when: dt.datetime, village: str, script: str, stop: threading.Event) -> str:
        self.entered.set()
        self._release.wait(WAIT)
        return self.inner.play(path, when, village, script, stop)
