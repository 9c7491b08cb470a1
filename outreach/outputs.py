"""Where a finished programme goes: a player command, a spool folder, or nowhere (dry run).

Outputs only ever receive a finished file; they never render. Commands are argv
lists (no shell) with ``{file}`` and ``{device}`` filled in, run with a timeout.
A player is owned: it runs in its own process group, which is stopped as a
whole (politely, then for sure) when the daemon stops or the timeout passes;
its stderr goes to a file (a chatty player cannot block on a full pipe) whose
tail is kept for the log. With ``PlayerRecords``, the player's pid is written
down while it plays, so a daemon restarted after a SIGKILL can stop the
orphan before playing anything on that output.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Protocol

from outreach.deployment import OutputConfig
from outreach.errors import OutreachError, said
from outreach.i18n import N_, _
from outreach.media import atomic_path

TAIL = 300  # characters of a player's stderr kept for the log


class OutputError(OutreachError):
    """The output could not play the programme."""


class Interrupted(OutputError):
    """The play was cut off because the daemon is stopping."""


class Output(Protocol):
    name: str

    def play(self, path: Path, when: dt.datetime, village: str, script: str, stop: threading.Event) -> str:
        """Play (or deliver) a finished programme file; returns a short description of what was done."""


def _safe(text: str) -> str:
    return re.sub(r"[^\w.-]+", "_", text)


class SpoolOutput:
    """Copies the file atomically into a folder, named by time, village and script."""

    def __init__(self, name: str, folder: Path) -> None:
        self.name = name
        self.folder = folder

    def play(self, path: Path, when: dt.datetime, village: str, script: str, stop: threading.Event) -> str:
        target = self.folder / f"{when:%Y%m%d-%H%M%S}_{_safe(village)}_{_safe(script)}{path.suffix}"
        with atomic_path(target) as tmp:
            shutil.copyfile(path, tmp)
        return str(target)


def _start_ticks(pid: int) -> int | None:
    """When a process started (clock ticks after boot): a pid with another start time is another process."""
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return None


def _signal_group(pgid: int, sig: int) -> bool:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        return False
    return True


def _wait_for(done: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        time.sleep(0.02)


def stop_group(pgid: int, term_seconds: float, exited: Callable[[], bool]) -> None:
    """Stop a player's process group: SIGTERM first (it may close its sound device cleanly) unless
    term_seconds is 0, then SIGKILL for the player if it is still there and whatever it left in its group."""
    if term_seconds > 0 and _signal_group(pgid, signal.SIGTERM):
        _wait_for(exited, term_seconds)
    _signal_group(pgid, signal.SIGKILL)
    _wait_for(exited, 5.0)


class PlayerRecords:
    """One file per output naming the player that is playing on it (pid, start time, command)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, output: str) -> Path:
        return self.folder / f"{_safe(output)}.json"

    def save(self, output: str, pid: int, argv: list[str]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._path(output).write_text(json.dumps({"pid": pid, "start": _start_ticks(pid), "argv": argv}))

    def clear(self, output: str) -> None:
        self._path(output).unlink(missing_ok=True)

    def reap_all(self) -> list[str]:
        """Stop every player a dead daemon left playing (an output may since have been renamed)."""
        found = [self.reap(path.stem) for path in sorted(self.folder.glob("*.json"))] if self.folder.is_dir() else []
        return [message for message in found if message]

    def reap(self, output: str) -> str | None:
        """Stop the player a dead daemon left playing on this output; says what was stopped, if anything."""
        path = self._path(output)
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError):
            return None
        pid = int(record.get("pid", 0))
        found = pid > 0 and record.get("start") is not None and _start_ticks(pid) == record["start"]
        if found:
            stop_group(pid, 2.0, lambda: _start_ticks(pid) != record["start"] or _zombie(pid))
        path.unlink(missing_ok=True)
        return _("output {output}: stopped the orphaned player pid {pid} ({command})").format(
            output=output, pid=pid, command=" ".join(record.get("argv", []))) if found else None


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


class CommandOutput:
    """Runs a player (aplay, ffplay ...) as an argv list in its own process group, with a timeout."""

    term_seconds = 5.0  # how long a stopped player may take to close its device before it is killed

    def __init__(self, name: str, argv: list[str], device: str | None, timeout: float,
                 records: PlayerRecords | None = None) -> None:
        self.name = name
        self.argv = argv
        self.device = device or "default"
        self.timeout = timeout
        self.records = records

    def command(self, path: Path) -> list[str]:
        return [a.replace("{file}", str(path)).replace("{device}", self.device) for a in self.argv]

    def play(self, path: Path, when: dt.datetime, village: str, script: str, stop: threading.Event) -> str:
        argv = self.command(path)
        if not shutil.which(argv[0]):
            raise OutputError.said(N_("player '{player}' is not installed"), player=argv[0])
        with tempfile.TemporaryFile() as err:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                    start_new_session=True)
            self._note(proc.pid, argv)
            try:
                self._wait(proc, argv, stop, err)
            finally:
                if self.records is not None:
                    self.records.clear(self.name)
        return " ".join(argv)

    def _note(self, pid: int, argv: list[str]) -> None:
        if self.records is not None:
            try:
                self.records.save(self.name, pid, argv)
            except OSError:
                pass  # a full disk: the player still plays, it just cannot be found after a crash

    def _wait(self, proc: subprocess.Popen[bytes], argv: list[str], stop: threading.Event, err: IO[bytes]) -> None:
        deadline = time.monotonic() + self.timeout
        while proc.poll() is None:
            if stop.wait(0.1):
                stop_group(proc.pid, self.term_seconds, lambda: proc.poll() is not None)
                raise Interrupted.said(N_("stopped while playing"))
            if time.monotonic() > deadline:
                stop_group(proc.pid, 0, lambda: proc.poll() is not None)
                raise OutputError.said(N_("{player} did not finish within {seconds:.0f} s{tail}"), player=argv[0],
                                       seconds=self.timeout, tail=_tail(err, ": "))
        if proc.returncode != 0:
            raise OutputError.said(N_("{player} exited with {code}{tail}"), player=argv[0], code=proc.returncode,
                                   tail=_tail(err, ": "))


def _tail(err: IO[bytes], prefix: str) -> str:
    """The last words of a player's stderr (the file it wrote to, however much it wrote)."""
    err.seek(0, os.SEEK_END)
    err.seek(max(0, err.tell() - 4 * TAIL))
    text = err.read().decode("utf-8", "replace").strip()[-TAIL:]
    return f"{prefix}{text}" if text else ""


class NullOutput:
    def __init__(self, name: str) -> None:
        self.name = name

    def play(self, path: Path, when: dt.datetime, village: str, script: str, stop: threading.Event) -> str:
        return said(N_("dry run: {file} not played"), file=path.name)


def build_output(name: str, config: OutputConfig, root: Path, records: PlayerRecords | None = None) -> Output:
    if config.type == "spool":
        folder = Path(config.folder or "var/spool")
        return SpoolOutput(name, folder if folder.is_absolute() else root / folder)
    if config.type == "command":
        return CommandOutput(name, list(config.argv or []), config.device, config.timeout, records)
    return NullOutput(name)
