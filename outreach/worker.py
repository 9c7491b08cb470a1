"""The render worker: programmes are built in a separate process, never in the daemon's.

Rendering pulls in numpy, ffmpeg, TTS engines and templates; a crash or a leak
there must not take the broadcast daemon down, so the daemon (or any other
caller) sends typed requests to ``python -m outreach.worker --root ROOT``: one
JSON line per ``RenderRequest`` on stdin, one JSON line per ``RenderResult`` on
stdout, in order. Both ends use the models below, so the two sides cannot drift.
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Protocol, Self

from pydantic import BaseModel, ConfigDict, model_validator

from outreach.deployment import Deployment
from outreach.errors import OutreachError

if TYPE_CHECKING:
    from outreach.catalog import Catalog
    from outreach.speech.chain import SpeechChain

log = logging.getLogger("outreach.worker")

AIR_DIR = "air"  # under the state folder: the daemon's own programmes; manual `outreach audio` runs never touch it


class _Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def to_json(self) -> str:
        return self.model_dump_json()

    @classmethod
    def from_json(cls, line: str | bytes) -> Self:
        return cls.model_validate_json(line)


class RenderRequest(_Message):
    """One programme to build for air: a script for a village, with the occurrence's variables."""

    script: str
    village: str
    programme: str
    variables: dict[str, str] = {}

    @property
    def key(self) -> str:
        """Equal for requests that produce the same file, so plays sharing a programme share one render."""
        return json.dumps([self.script, self.village, self.programme, self.variables], sort_keys=True,
                          ensure_ascii=False)


class RenderResult(_Message):
    """The answer to one request: the finished file and its hash, or why it could not be built."""

    key: str
    path: str | None = None
    content_hash: str | None = None
    languages: list[str] = []
    error: str | None = None

    @model_validator(mode="after")
    def _one_outcome(self) -> "RenderResult":
        if (self.error is None) == (self.path is None or self.content_hash is None):
            raise ValueError("a render result has either a path and a hash, or an error")
        return self

    @property
    def ok(self) -> bool:
        return self.error is None

    @classmethod
    def failure(cls, key: str, error: str) -> "RenderResult":
        return cls(key=key, error=error)


class Renderer(Protocol):
    """What the daemon needs from rendering; tests pass an in-process fake."""

    def render(self, request: RenderRequest) -> RenderResult:
        """Build one programme (or confirm the existing file is current)."""

    def close(self) -> None:
        """Release whatever render() holds (a worker process) until the next render()."""


class WorkerRenderer:
    """Runs ``python -m outreach.worker`` and keeps it for as long as requests keep coming.

    One request at a time, so the caller can choose the most urgent next; close()
    (when idle, or when scripts changed) ends the process, so a later request
    starts a fresh worker that sees the current templates and profile.
    """

    def __init__(self, root: Path, python: str = sys.executable) -> None:
        self.argv = [python, "-m", "outreach.worker", "--root", str(root)]
        self._proc: subprocess.Popen[str] | None = None
        self._stderr: IO[bytes] | None = None

    def _start(self) -> subprocess.Popen[str]:
        self._stderr = tempfile.TemporaryFile()  # a file, not a pipe: a chatty worker cannot block on it
        self._proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
                                      text=True, encoding="utf-8")
        return self._proc

    def render(self, request: RenderRequest) -> RenderResult:
        proc = self._proc or self._start()
        assert proc.stdin and proc.stdout
        try:
            proc.stdin.write(request.to_json() + "\n")
            proc.stdin.flush()
            line = proc.stdout.readline()
        except OSError:
            line = ""
        if not line:
            return RenderResult.failure(request.key, f"render worker {self._end(proc)}")
        result = RenderResult.from_json(line)
        if result.key != request.key:
            return RenderResult.failure(request.key, f"render worker answered another request; {self._end(proc)}")
        return result

    def close(self) -> None:
        if self._proc is not None:
            ended = self._end(self._proc)
            if not ended.startswith("exited with 0"):
                log.error("render worker %s", ended)

    def _end(self, proc: subprocess.Popen[str]) -> str:
        """Stop the worker (end of input first, then a kill); describe how it ended, with its last words."""
        if proc.stdin and not proc.stdin.closed:
            try:
                proc.stdin.close()
            except OSError:
                pass
        try:
            code = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait()
        if proc.stdout:
            proc.stdout.close()
        tail = ""
        if self._stderr is not None:
            self._stderr.seek(0)
            tail = self._stderr.read().decode("utf-8", "replace").strip()[-300:]
            self._stderr.close()
        self._proc = self._stderr = None
        return f"exited with {code}" + (f": {tail}" if tail else "")


def render_one(deployment: Deployment, catalog: Catalog, chain: SpeechChain, request: RenderRequest) -> RenderResult:
    """Build one programme for air; any error becomes a failed result, so one bad script stops nothing else."""
    from outreach.assemble import ProgrammeRequest, build_programme

    try:
        wanted = ProgrammeRequest(catalog.get(request.script), deployment.profile.village(request.village),
                                  request.programme, overrides=request.variables or None, for_air=True)
        made = build_programme(deployment, wanted, chain=chain, out_dir=deployment.state_dir / AIR_DIR)
    except OutreachError as exc:
        return RenderResult.failure(request.key, str(exc))
    except Exception as exc:
        return RenderResult.failure(request.key, f"{type(exc).__name__}: {exc}")
    return RenderResult(key=request.key, path=str(made.path), content_hash=made.manifest.content_hash,
                        languages=list(made.manifest.languages))


def serve(deployment: Deployment, lines: Iterable[str], emit: Callable[[str], None]) -> int:
    """Answer every request line with one result line, in order; returns how many were answered."""
    from outreach.speech.chain import chain_for

    catalog = deployment.catalog
    chain = chain_for(deployment)
    answered = 0
    for line in lines:
        if line.strip():
            emit(render_one(deployment, catalog, chain, RenderRequest.from_json(line)).to_json())
            answered += 1
    return answered


def _emit(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m outreach.worker",
                                     description="Render programmes for air: JSON lines in, JSON lines out.")
    parser.add_argument("--root", default=None, help="Deployment folder (default: $OUTREACH_ROOT or the current one).")
    args = parser.parse_args(argv)
    for stream in (sys.stdin, sys.stdout):
        stream.reconfigure(encoding="utf-8")  # type: ignore[union-attr]  # whatever the locale of a service
    try:
        serve(Deployment.at(args.root), sys.stdin, _emit)
    except OutreachError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
