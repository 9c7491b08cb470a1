"""The render worker: programmes are built in a separate process, never in the daemon's.

Rendering pulls in numpy, ffmpeg, TTS engines and templates; a crash, a leak or
a template that never ends must not take the broadcast daemon down, so the
daemon (or any other caller) sends typed requests to ``python -m outreach.worker
--root ROOT``: one JSON line per ``RenderRequest`` on stdin, one JSON line per
``RenderResult`` on stdout, in order. Both ends use the models below, so the two
sides cannot drift.

The worker is confined (``WorkerLimits``): an address-space limit (RLIMIT_AS),
a CPU-time budget per request (RLIMIT_CPU, raised before each one), and on the
caller's side a wall-clock limit per request. A request over a limit fails,
naming its script; the worker is then replaced. The worker dies with the
process that started it (``confine``).
"""

from __future__ import annotations

import argparse
import ctypes
import json
import logging
import os
import resource
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Protocol, Self

from pydantic import BaseModel, ConfigDict, model_validator

from outreach.deployment import Deployment
from outreach.errors import OutreachError
from outreach.i18n import _

if TYPE_CHECKING:
    from outreach.catalog import Catalog
    from outreach.speech.chain import SpeechChain

log = logging.getLogger("outreach.worker")

AIR_DIR = "air"  # under the state folder: the daemon's own programmes; manual `outreach audio` runs never touch it
PR_SET_PDEATHSIG = 1
NICE = 10


@dataclass(frozen=True)
class WorkerLimits:
    """How much one render may take. The defaults hold a long programme in the neural voice with room to
    spare: the espeak-ng worker maps about 0.7 GB of address space, the neural voice 0.5 GB more."""

    memory_mb: int = 3072
    cpu_seconds: int = 600
    wall_seconds: float = 900.0

    def args(self) -> list[str]:
        return ["--memory-mb", str(self.memory_mb), "--cpu-seconds", str(self.cpu_seconds)]


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

    def describe(self) -> str:
        return _("script '{script}' for {village}").format(script=self.script, village=self.village)


class RenderResult(_Message):
    """The answer to one request: the finished file and its hash, or why it could not be built.
    ``over_limit``: the render went over a worker limit, and the worker is being replaced."""

    key: str
    path: str | None = None
    content_hash: str | None = None
    languages: list[str] = []
    error: str | None = None
    over_limit: bool = False

    @model_validator(mode="after")
    def _one_outcome(self) -> "RenderResult":
        if (self.error is None) == (self.path is None or self.content_hash is None):
            raise ValueError("a render result has either a path and a hash, or an error")
        return self

    @property
    def ok(self) -> bool:
        return self.error is None

    @classmethod
    def failure(cls, key: str, error: str, over_limit: bool = False) -> "RenderResult":
        return cls(key=key, error=error, over_limit=over_limit)


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
    starts a fresh worker that sees the current templates and profile. A request
    past the wall-clock limit kills the worker's whole process group; after a
    request over a worker limit the worker quits by itself. Either way the next
    request starts a fresh worker.
    """

    def __init__(self, root: Path, python: str = sys.executable, limits: WorkerLimits | None = None,
                 command: list[str] | None = None) -> None:
        self.limits = limits or WorkerLimits()
        self.argv = [*(command or [python, "-m", "outreach.worker"]), "--root", str(root), *self.limits.args()]
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._lifeline: int | None = None
        self._buffer = b""

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def _start(self) -> subprocess.Popen[bytes]:
        if self._proc is not None:  # it died since the last request
            log.error(_("render worker {ended}").format(ended=self._end(self._proc)))
        read_end, self._lifeline = os.pipe()
        self._stderr = tempfile.TemporaryFile()  # a file, not a pipe: a chatty worker cannot block on it
        try:
            self._proc = subprocess.Popen([*self.argv, "--lifeline", str(read_end)], stdin=subprocess.PIPE,
                                          stdout=subprocess.PIPE, stderr=self._stderr, pass_fds=(read_end,),
                                          start_new_session=True)
        finally:
            os.close(read_end)
        self._buffer = b""
        return self._proc

    def render(self, request: RenderRequest) -> RenderResult:
        proc = self._proc if self._proc is not None and self._proc.poll() is None else self._start()
        assert proc.stdin
        try:
            proc.stdin.write((request.to_json() + "\n").encode())
            proc.stdin.flush()
            line = self._read_line(proc, time.monotonic() + self.limits.wall_seconds)
        except OSError:
            line = b""
        if line is None:
            self._kill(proc)
            return RenderResult.failure(request.key, _(
                "script '{script}' for {village}: render took longer than {seconds:.0f} s; the render worker was "
                "stopped").format(script=request.script, village=request.village, seconds=self.limits.wall_seconds),
                over_limit=True)
        if not line:
            return self._died(request, proc)
        result = RenderResult.from_json(line)
        if result.key != request.key:
            return RenderResult.failure(request.key, _("render worker answered another request; {ended}").format(
                ended=self._end(proc)))
        if result.over_limit:
            self._end(proc)
        return result

    def _died(self, request: RenderRequest, proc: subprocess.Popen[bytes]) -> RenderResult:
        """The worker ended without answering: over its CPU limit (the kernel's SIGXCPU), or otherwise."""
        ended = self._end(proc)
        if proc.returncode == -signal.SIGXCPU:
            return RenderResult.failure(request.key, _(
                "script '{script}' for {village}: template too expensive (over the render worker's {seconds} s CPU "
                "limit)").format(script=request.script, village=request.village, seconds=self.limits.cpu_seconds),
                over_limit=True)
        return RenderResult.failure(request.key, _("script '{script}' for {village}: render worker {ended}").format(
            script=request.script, village=request.village, ended=ended))

    def _read_line(self, proc: subprocess.Popen[bytes], deadline: float) -> bytes | None:
        """The next answer line; b"" if the worker ended, None if the deadline passed first."""
        assert proc.stdout
        fd = proc.stdout.fileno()
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            if select.select([fd], [], [], remaining)[0]:
                chunk = os.read(fd, 65536)
                if not chunk:
                    return b""
                self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line

    def close(self) -> None:
        if self._proc is not None:
            proc = self._proc
            ended = self._end(proc)
            if proc.returncode != 0:
                log.error(_("render worker {ended}").format(ended=ended))

    def _kill(self, proc: subprocess.Popen[bytes]) -> None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the worker and whatever it started (ffmpeg, espeak-ng)
        except ProcessLookupError:
            pass
        self._end(proc)

    def _end(self, proc: subprocess.Popen[bytes]) -> str:
        """Stop the worker (end of input first, then a kill); describe how it ended, with its last words."""
        for stream in (proc.stdin, proc.stdout):
            try:
                if stream:
                    stream.close()
            except OSError:
                pass
        try:
            code = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait()
        if self._lifeline is not None:
            os.close(self._lifeline)
        tail = ""
        if self._stderr is not None:
            self._stderr.seek(0)
            tail = self._stderr.read().decode("utf-8", "replace").strip()[-300:]
            self._stderr.close()
        self._proc = self._stderr = self._lifeline = None
        if code < 0:
            how = _("was killed by {signal}").format(signal=signal.Signals(-code).name)
        else:
            how = _("exited with {code}").format(code=code)
        return _("{how}: {tail}").format(how=how, tail=tail) if tail else how


def _watch_parent(fd: int) -> None:
    """Block on the parent's pipe; end of file means the parent process is gone, and so must the worker be."""
    while os.read(fd, 1):
        pass
    os._exit(1)


def confine(limits: WorkerLimits, lifeline: int | None) -> None:
    """In the worker, before anything else: die with the parent, cap memory, no core files, lower priority.

    Two ways to die with the parent: PR_SET_PDEATHSIG (instant, kernel-side, even while this process holds
    the GIL in a long C call, but tied to the parent *thread* that started it) and a lifeline pipe watched
    by a thread (tied to the parent *process*, and it catches a parent that died before the prctl).
    The CPU limit keeps the kernel's default action for SIGXCPU (the process ends), so a render stuck in C
    code cannot ignore it; the caller reports it."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if lifeline is not None:
        threading.Thread(target=_watch_parent, args=(lifeline,), name="lifeline", daemon=True).start()
    size = limits.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (size, size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.sched_setscheduler(0, os.SCHED_OTHER, os.sched_param(0))  # never real-time, whoever started it
    os.nice(NICE)  # air time first: on a busy machine the daemon's players get the CPU before the renders


def allow_cpu(seconds: int) -> None:
    """Let the next request use this much more CPU time than the worker has used so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = int(usage.ru_utime + usage.ru_stime) + seconds
    resource.setrlimit(resource.RLIMIT_CPU, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))


def render_one(deployment: Deployment, catalog: Catalog, chain: SpeechChain, request: RenderRequest) -> RenderResult:
    """Build one programme for air; any error becomes a failed result, so one bad script stops nothing else."""
    from outreach.assemble import ProgrammeRequest, build_programme

    try:
        wanted = ProgrammeRequest(catalog.get(request.script), deployment.profile.village(request.village),
                                  request.programme, overrides=request.variables or None, for_air=True)
        made = build_programme(deployment, wanted, chain=chain, out_dir=deployment.state_dir / AIR_DIR)
    except OutreachError as exc:
        return RenderResult.failure(request.key, str(exc))
    except MemoryError:
        raise
    except Exception as exc:
        return RenderResult.failure(request.key, f"{type(exc).__name__}: {exc}")
    return RenderResult(key=request.key, path=str(made.path), content_hash=made.manifest.content_hash,
                        languages=list(made.manifest.languages))


def _limited(request: RenderRequest, limits: WorkerLimits | None, render: Callable[[], RenderResult]) -> RenderResult:
    """One render within the CPU budget; over the memory limit, a failure naming the script."""
    if limits is None:
        return render()
    allow_cpu(limits.cpu_seconds)
    try:
        return render()
    except MemoryError:
        return RenderResult.failure(request.key, _(
            "script '{script}' for {village}: template too expensive (over the render worker's {mb} MB memory "
            "limit)").format(script=request.script, village=request.village, mb=limits.memory_mb), over_limit=True)


def serve(deployment: Deployment, lines: Iterable[str], emit: Callable[[str], None],
          limits: WorkerLimits | None = None) -> int:
    """Answer every request line with one result line, in order; returns how many were answered.
    After a request over a limit the worker stops (its memory may be in any state): the caller starts another."""
    from outreach.speech.chain import chain_for

    catalog = deployment.catalog
    chain = chain_for(deployment)
    answered = 0
    for line in lines:
        if not line.strip():
            continue
        request = RenderRequest.from_json(line)
        result = _limited(request, limits, lambda: render_one(deployment, catalog, chain, request))
        emit(result.to_json())
        answered += 1
        if result.over_limit:
            break
    return answered


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m outreach.worker",
                                     description="Render programmes for air: JSON lines in, JSON lines out.")
    parser.add_argument("--root", default=None, help="Deployment folder (default: $OUTREACH_ROOT or the current one).")
    parser.add_argument("--memory-mb", type=int, default=WorkerLimits.memory_mb)
    parser.add_argument("--cpu-seconds", type=int, default=WorkerLimits.cpu_seconds)
    parser.add_argument("--lifeline", type=int, default=None, help="A pipe to the parent: exit when it closes.")
    args = parser.parse_args(argv)
    limits = WorkerLimits(args.memory_mb, args.cpu_seconds)
    confine(limits, args.lifeline)
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # anything else that prints (a library, a child process) goes to stderr, not into the answers
    sys.stdin.reconfigure(encoding="utf-8")  # type: ignore[union-attr]  # whatever the locale of a service

    def emit(line: str) -> None:
        answers.write(line + "\n")
        answers.flush()

    try:
        serve(Deployment.at(args.root), sys.stdin, emit, limits)
    except OutreachError as exc:
        print(_("error: {message}").format(message=exc), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
