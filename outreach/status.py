"""What the daemon is doing, read from outside it: its lock, pid and heartbeat files, and the play log.

The daemon writes the files named here; ``outreach status`` (and the web
console) reads them through this module only, so both sides agree on the names.
"Running" means able to play: the daemon holds its lock, its heartbeat is
fresh, and it reports nothing that keeps plays off the air.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from outreach.deployment import Deployment
from outreach.i18n import N_, _
from outreach.playlog import Play

PID_FILE = "daemon.pid"
HEARTBEAT_FILE = "daemon.heartbeat"
LOCK_FILE = "daemon.lock"
OUTCOMES = ("played", "failed", "missed", "interrupted")
PLAIN_STALE_AFTER = 300.0  # seconds, for a heartbeat written as a bare timestamp (no cadence given)

# What ``condition`` and a play's state say, in the words staff read (the values stay English in JSON and the log).
CONDITION_WORDS = {"running": N_("running"), "cannot play": N_("cannot play"), "starting": N_("starting"),
                   "not running": N_("not running")}
STATE_WORDS = {"scheduled": N_("scheduled"), "playing": N_("playing"), "played": N_("played"), "failed": N_("failed"),
               "missed": N_("missed"), "interrupted": N_("interrupted"), "cancelled": N_("cancelled")}


@dataclass(frozen=True)
class DaemonState:
    """``running`` is true only when the daemon can play; ``condition`` says which of
    running / cannot play / not responding / starting / not running holds."""

    running: bool
    pid: int | None
    heartbeat: str | None
    condition: str = "not running"
    problems: tuple[str, ...] = field(default=())
    silent_for: float | None = None  # seconds without a heartbeat, when not responding

    def shown(self) -> str:
        """The condition in the words of the current language."""
        if self.silent_for is not None:
            return _("not responding (no heartbeat for {seconds:.0f} s)").format(seconds=self.silent_for)
        return _(CONDITION_WORDS[self.condition]) if self.condition in CONDITION_WORDS else self.condition

    def as_dict(self) -> dict[str, Any]:
        return {"running": self.running, "pid": self.pid, "heartbeat": self.heartbeat,
                "condition": self.condition, "problems": list(self.problems)}


def read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def _locked(path: Path) -> bool | None:
    """Is the lock file held by a process? None when there is no lock file (a writer that takes none)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


@dataclass(frozen=True)
class Beat:
    pid: int | None
    at: str | None
    age: float
    stale_after: float
    problems: list[dict[str, Any]]


def read_heartbeat(path: Path) -> Beat | None:
    """The heartbeat: JSON from the daemon, or a bare timestamp (older writers); its age from the file's time."""
    try:
        text = path.read_bytes().decode("utf-8", "replace").strip()
        age = time.time() - path.stat().st_mtime
    except OSError:
        return None
    if not text.startswith("{"):
        return Beat(None, text or None, age, PLAIN_STALE_AFTER, [])
    try:
        body = json.loads(text)
    except ValueError:  # caught mid-write: as good as no news
        return Beat(None, None, age, PLAIN_STALE_AFTER, [])
    return Beat(body.get("pid"), body.get("at"), age, float(body.get("stale_after", PLAIN_STALE_AFTER)),
                list(body.get("problems", [])))


def daemon_state(state_dir: Path) -> DaemonState:
    """Running means: the lock is held (or, without a lock file, the pid is alive), the heartbeat is fresh,
    and no reported problem keeps plays off the air. A stale pid file (after SIGKILL) is not running."""
    pid = read_pid(state_dir / PID_FILE) or read_pid(state_dir / LOCK_FILE)
    held = _locked(state_dir / LOCK_FILE)
    alive = (pid is not None and _alive(pid)) if held is None else held
    beat = read_heartbeat(state_dir / HEARTBEAT_FILE)
    last = beat.at if beat else None
    if not alive:
        return DaemonState(False, None, last)
    if beat is None or beat.pid not in (None, pid):
        return DaemonState(False, pid, None, "starting")
    problems = tuple(p.get("message", "") for p in beat.problems)
    if beat.age > beat.stale_after:
        condition = f"not responding (no heartbeat for {beat.age:.0f} s)"  # i18n: the JSON value; shown() translates
        return DaemonState(False, pid, last, condition, problems, silent_for=beat.age)
    if any(p.get("blocks_air") for p in beat.problems):
        return DaemonState(False, pid, last, "cannot play", problems)
    return DaemonState(True, pid, last, "running", problems)


@dataclass
class StatusSummary:
    daemon: DaemonState
    now: dt.datetime
    horizon_end: dt.datetime
    upcoming: list[Play]
    recent: list[Play]
    not_ready: list[Play]
    failures: list[Play]
    limit: int = 10

    @property
    def kept(self) -> list[Play]:
        """Ready plays whose latest render failed: they air the last good programme."""
        return [p for p in self.upcoming if p.ready and p.render_error]

    def as_json(self) -> dict[str, Any]:
        """The dict ``outreach status --json`` prints."""
        return {
            "daemon": self.daemon.as_dict(),
            "now": self.now.isoformat(timespec="seconds"),
            "horizon": {"scheduled": len(self.upcoming), "ready": len(self.upcoming) - len(self.not_ready),
                        "not_ready": [_brief(p, p.render_error or "not rendered yet") for p in self.not_ready],
                        "last_good": [_brief(p, p.render_error or "") for p in self.kept]},
            "next": [p.as_dict() for p in self.upcoming[:self.limit]],
            "last": [p.as_dict() for p in self.recent],
            "failures": [p.as_dict() for p in self.failures],
        }


def show_state(state: str) -> str:
    """A play's state in the words of the current language (``played`` -> 已播出)."""
    return _(STATE_WORDS[state]) if state in STATE_WORDS else state


def _brief(play: Play, reason: str) -> dict[str, str]:
    return {"id": play.id, "script": play.script, "village": play.village, "reason": reason}


def status_summary(deployment: Deployment, limit: int, now: dt.datetime | None = None) -> StatusSummary:
    """Upcoming plays in the daemon's horizon (and its grace behind now), the last outcomes, what is not ready."""
    profile = deployment.profile
    now = now or deployment.now()
    horizon_end = now + dt.timedelta(hours=profile.daemon.horizon_hours)
    book = deployment.playlog()
    upcoming = book.query(states=("scheduled",), since=now - dt.timedelta(seconds=profile.daemon.grace_seconds),
                          until=horizon_end)
    recent = book.query(states=OUTCOMES, order="updated_at", descending=True, limit=limit)
    return StatusSummary(
        daemon=daemon_state(deployment.state_dir), now=now, horizon_end=horizon_end, upcoming=upcoming,
        recent=recent, not_ready=[p for p in upcoming if not p.ready],
        failures=[p for p in recent if p.state != "played"], limit=limit,
    )
