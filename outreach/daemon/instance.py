"""One daemon per deployment: an exclusive ``flock`` on ``daemon.lock`` in the state folder.

The lock is held for the daemon's whole life (the kernel drops it when the
process ends, however it ends), so a second daemon on the same root refuses to
start and names the first. Only the holder writes ``daemon.pid``, so the pid
file always names the live daemon; ``status`` tests the same lock.
"""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path
from types import TracebackType

from outreach.errors import OutreachError
from outreach.i18n import _
from outreach.media import write_atomic
from outreach.status import LOCK_FILE, PID_FILE, read_pid

ATTEMPTS = 5


class DaemonError(OutreachError):
    """The daemon cannot start (another one runs on this root)."""


def _lock(fd: int) -> bool:
    """Try a few times: ``status`` holds the lock shared for an instant when it looks."""
    for _ in range(ATTEMPTS):
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            time.sleep(0.05)
    return False


class InstanceLock:
    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock and write the pid file, or raise DaemonError naming the daemon that has it."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.state_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        if not _lock(fd):
            os.close(fd)
            other = read_pid(self.state_dir / LOCK_FILE) or read_pid(self.state_dir / PID_FILE)
            raise DaemonError(_("another daemon, pid {pid}, is running on this root (state folder {folder}); "
                                "stop it first").format(pid=other or _("unknown"), folder=self.state_dir)) from None
        self._fd = fd
        pid = str(os.getpid()).encode()
        os.ftruncate(fd, 0)
        os.pwrite(fd, pid, 0)
        write_atomic(self.state_dir / PID_FILE, pid)

    def release(self) -> None:
        """Remove the pid file (it is ours) and let go of the lock."""
        if self._fd is None:
            return
        pid_file = self.state_dir / PID_FILE
        if read_pid(pid_file) == os.getpid():
            pid_file.unlink(missing_ok=True)
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> "InstanceLock":
        self.acquire()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.release()
