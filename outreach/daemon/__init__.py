"""The broadcast daemon: the only user of APScheduler.

It expands the plan over a rolling horizon, records every occurrence in the
play log, adds one date-triggered job per occurrence, and has every programme
rendered ahead of time by a worker process (``outreach.worker``: so this process
stays small and a crash in rendering cannot take it down), nearest air time
first. At air time it only plays a finished file (``airtime.decide`` says
whether, ``player`` does it).

Exactly once: the play log's scheduled -> playing step is atomic; after a
restart, plays cut off mid-way are ``interrupted`` and plays whose time passed
beyond the grace are ``missed``. One output plays one programme at a time.
SIGHUP (or a changed plan, script or profile) re-plans; SIGTERM stops cleanly.

Never silent: one daemon per root (``instance``), every problem reported to
``health`` and shown by ``status``, the last good inputs and programmes kept
when a file breaks (``planning``), and a process that exits non-zero when it
can no longer play (``runner``).
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import sys
from pathlib import Path

from outreach.daemon.instance import DaemonError, InstanceLock
from outreach.daemon.runner import Supervisor
from outreach.daemon.service import Daemon
from outreach.deployment import Deployment
from outreach.i18n import _

__all__ = ["Daemon", "DaemonError", "Supervisor", "configure_logging", "run_daemon"]


class _LocalTime(logging.Formatter):
    """Timestamps in the county's time zone, so log lines match the plan's times."""

    def __init__(self, zone: dt.tzinfo) -> None:
        super().__init__("%(asctime)s %(levelname)s %(message)s")
        self.zone = zone

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return dt.datetime.fromtimestamp(record.created, self.zone).isoformat(sep=" ", timespec="milliseconds")


def configure_logging(zone: dt.tzinfo | None = None) -> None:
    """Plain lines on stderr: systemd's journal adds its own timestamps, but a terminal needs them."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_LocalTime(zone or dt.timezone.utc))
    root = logging.getLogger("outreach")
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def run_daemon(deployment: Deployment, plans_dir: Path | None, exit_after: float | None) -> int:
    """The one entry point (``outreach daemon``): take the root's lock, then serve until stopped.
    Returns the exit code: 0 when stopped, 1 when it could no longer play (so systemd restarts it)."""
    configure_logging(deployment.zone)
    try:
        with InstanceLock(deployment.state_dir):
            return Supervisor(Daemon(deployment, plans_dir), exit_after).run()
    except (sqlite3.Error, OSError) as exc:
        raise DaemonError(_("the daemon cannot run: {error}").format(error=exc)) from exc
