"""What the daemon is doing, read from outside it: its pid and heartbeat files, and the play log.

The daemon writes the files named here; ``outreach status`` (and later the web
console) reads them through this module only, so both sides agree on the names.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from outreach.deployment import Deployment
from outreach.playlog import Play

PID_FILE = "daemon.pid"
HEARTBEAT_FILE = "daemon.heartbeat"
OUTCOMES = ("played", "failed", "missed", "interrupted")


@dataclass(frozen=True)
class DaemonState:
    running: bool
    pid: int | None
    heartbeat: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"running": self.running, "pid": self.pid, "heartbeat": self.heartbeat}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def daemon_state(state_dir: Path) -> DaemonState:
    """Running means the pid file names a live process; a stale file (after SIGKILL) is not running."""
    pid_file, beat = state_dir / PID_FILE, state_dir / HEARTBEAT_FILE
    pid = None
    if pid_file.exists():
        try:
            pid = int(pid_file.read_text().strip())
        except ValueError:
            pid = None
    running = pid is not None and _alive(pid)
    return DaemonState(running, pid if running else None, beat.read_text().strip() if beat.exists() else None)


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

    def as_json(self) -> dict[str, Any]:
        """The dict ``outreach status --json`` prints."""
        return {
            "daemon": self.daemon.as_dict(),
            "now": self.now.isoformat(timespec="seconds"),
            "horizon": {"scheduled": len(self.upcoming), "ready": len(self.upcoming) - len(self.not_ready),
                        "not_ready": [{"id": p.id, "script": p.script, "village": p.village,
                                       "reason": p.render_error or "not rendered yet"} for p in self.not_ready]},
            "next": [p.as_dict() for p in self.upcoming[:self.limit]],
            "last": [p.as_dict() for p in self.recent],
            "failures": [p.as_dict() for p in self.failures],
        }


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
