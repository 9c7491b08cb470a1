"""What the daemon knows is wrong, and the heartbeat that tells ``status`` about it.

Every part of the daemon reports its trouble here by kind (the play log, a
script, the plan, a thread), and clears it when it is over; each change is
logged once. The heartbeat file carries the list to ``outreach status``, so a
daemon that is alive but cannot play is never shown as running. The file is
written in place, at a size fixed when the daemon starts, so it can still be
written when the disk is full (the moment it matters most).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
from pathlib import Path
from typing import Any, NamedTuple

from outreach.i18n import _

log = logging.getLogger("outreach.daemon")

HEARTBEAT_SIZE = 16384  # bytes, allocated when the daemon starts


class Problem(NamedTuple):
    """One thing wrong; ``blocks_air``: while it lasts, plays cannot go on air (or be recorded)."""

    kind: str
    message: str
    since: str
    blocks_air: bool = False


class Health:
    """The daemon's problems by kind, shared by its threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._problems: dict[str, Problem] = {}
        self.changed = threading.Event()

    def report(self, kind: str, message: str, *, blocks_air: bool = False) -> None:
        """Something is wrong: logged as an error the first time (and when its message changes)."""
        with self._lock:
            old = self._problems.get(kind)
            if old is not None and (old.message, old.blocks_air) == (message, blocks_air):
                return
            since = old.since if old else dt.datetime.now().astimezone().isoformat(timespec="seconds")
            self._problems[kind] = Problem(kind, message, since, blocks_air)
        log.error("%s", message)
        self.changed.set()

    def playlog_down(self, path: Path, exc: BaseException) -> None:
        """The play log refused a read or write: nothing can go on air (or be recorded) until it takes one."""
        self.report("playlog", _("the play log {path} cannot be read or written: {error}").format(path=path, error=exc),
                    blocks_air=True)

    def clear(self, kind: str, note: str | None = None) -> None:
        """It is over (logged, with a note of what helped, if it had been reported)."""
        with self._lock:
            gone = self._problems.pop(kind, None)
        if gone is not None:
            log.info(_("resolved: {problem}").format(problem=note or gone.message))
            self.changed.set()

    def clear_others(self, prefix: str, keep: set[str]) -> None:
        """Clear every problem of this family (``script:``) whose kind is not in keep."""
        with self._lock:
            stale = [k for k in self._problems if k.startswith(prefix) and k not in keep]
        for kind in stale:
            self.clear(kind)

    def problems(self) -> list[Problem]:
        with self._lock:
            return sorted(self._problems.values(), key=lambda p: (not p.blocks_air, p.kind))

    def can_play(self) -> bool:
        return not any(p.blocks_air for p in self.problems())


class Heartbeat:
    """``daemon.heartbeat``: pid, time, cadence and problems, as JSON overwritten in place."""

    def __init__(self, path: Path, every: float) -> None:
        self.path = path
        self.every = every
        self._fd: int | None = None

    def beat(self, now: dt.datetime, problems: list[Problem]) -> None:
        """Write the current state (OSError when even that is impossible)."""
        body: dict[str, Any] = {"pid": os.getpid(), "at": now.isoformat(timespec="seconds"), "every": self.every,
                                "stale_after": 3 * self.every + 5, "problems": [p._asdict() for p in problems]}
        data = json.dumps(body, ensure_ascii=False).encode()
        while len(data) > HEARTBEAT_SIZE and body["problems"]:
            body["problems"].pop()
            data = json.dumps(body, ensure_ascii=False).encode()
        if self._fd is None:
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        os.pwrite(self._fd, data.ljust(HEARTBEAT_SIZE), 0)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
