"""Where a finished programme goes: a player command, a spool folder, or nowhere (dry run).

Outputs only ever receive a finished file; they never render. Commands are argv
lists (no shell) with ``{file}`` and ``{device}`` filled in, run with a timeout
and stopped when the daemon stops.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Protocol

from outreach.deployment import OutputConfig
from outreach.errors import OutreachError
from outreach.media import atomic_path


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


class CommandOutput:
    """Runs a player (aplay, ffplay ...) as an argv list, with a timeout; stops it when the daemon stops."""

    term_seconds = 5.0  # how long a stopped player may take to close its device before it is killed

    def __init__(self, name: str, argv: list[str], device: str | None, timeout: float) -> None:
        self.name = name
        self.argv = argv
        self.device = device or "default"
        self.timeout = timeout

    def command(self, path: Path) -> list[str]:
        return [a.replace("{file}", str(path)).replace("{device}", self.device) for a in self.argv]

    def play(self, path: Path, when: dt.datetime, village: str, script: str, stop: threading.Event) -> str:
        argv = self.command(path)
        if not shutil.which(argv[0]):
            raise OutputError(f"player '{argv[0]}' is not installed")
        with tempfile.TemporaryFile() as err:  # a file, not a pipe: a chatty player cannot block on it
            proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err)
            deadline = time.monotonic() + self.timeout
            while proc.poll() is None:
                if stop.wait(0.1):
                    _end(proc, self.term_seconds)
                    raise Interrupted("stopped while playing")
                if time.monotonic() > deadline:
                    _end(proc, 0)
                    raise OutputError(f"{argv[0]} did not finish within {self.timeout:.0f} s")
            if proc.returncode != 0:
                err.seek(0)
                tail = err.read().decode("utf-8", "replace").strip()[-200:]
                raise OutputError(f"{argv[0]} exited with {proc.returncode}: {tail}")
        return " ".join(argv)


def _end(proc: subprocess.Popen[bytes], term_seconds: float) -> None:
    """Stop a player: politely first (it may close the sound device cleanly), then for sure."""
    if term_seconds > 0:
        proc.terminate()
        try:
            proc.wait(term_seconds)
            return
        except subprocess.TimeoutExpired:
            pass
    proc.kill()
    proc.wait()


class NullOutput:
    def __init__(self, name: str) -> None:
        self.name = name

    def play(self, path: Path, when: dt.datetime, village: str, script: str, stop: threading.Event) -> str:
        return f"dry run: {path.name} not played"


def build_output(name: str, config: OutputConfig, root: Path) -> Output:
    if config.type == "spool":
        folder = Path(config.folder or "var/spool")
        return SpoolOutput(name, folder if folder.is_absolute() else root / folder)
    if config.type == "command":
        return CommandOutput(name, list(config.argv or []), config.device, config.timeout)
    return NullOutput(name)
