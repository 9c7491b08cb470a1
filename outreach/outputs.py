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
import threading
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
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = dt.datetime.now() + dt.timedelta(seconds=self.timeout)
        while proc.poll() is None:
            if stop.wait(0.1):
                proc.terminate()
                proc.wait(5)
                raise Interrupted("stopped while playing")
            if dt.datetime.now() > deadline:
                proc.kill()
                proc.wait(5)
                raise OutputError(f"{argv[0]} did not finish within {self.timeout:.0f} s")
        if proc.returncode != 0:
            err = (proc.stderr.read() if proc.stderr else b"").decode("utf-8", "replace").strip()[-200:]
            raise OutputError(f"{argv[0]} exited with {proc.returncode}: {err}")
        return " ".join(argv)


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
