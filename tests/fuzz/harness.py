"""The fuzz harness: every command of the CLI, odd arguments, a damaged deployment, and a guard on each run.

Commands are enumerated from the click group, so a new command is fuzzed the
day it is registered. A run passes when it ends with exit code 0, 1 or 2 and
shows no traceback; it fails on an exception escaping ``outreach.cli.main``,
a traceback on stderr or in a log record, another exit code, or a hang.
"""

from __future__ import annotations

import faulthandler
import io
import logging
import os
import random
import re
import signal
import subprocess
import sys
import traceback
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path

import click

from outreach.cli import cli, main
from fuzz.inputs import (
    FileState,
    bump_mtime,
    Mutation,
    corrupt_database,
    csv_mutation,
    ensure_database,
    replace_file,
    template_mutation,
    yaml_mutation,
)

HEAVY = {"audio", "cards", "report", "clips sheet", "clips import"}
"""Commands that synthesise speech or lay out PDFs: fewer cases, a longer guard."""
SERVERS = {"web"}
"""Commands that serve until stopped and have no --exit-after: still serving at the deadline is a pass."""
EXIT_AFTER = ["--exit-after", "2"]
RELEVANT = {
    "scripts": ["scripts", "lexicon", "profile"], "preview": ["scripts", "profile"],
    "check": ["scripts", "lexicon", "profile", "plans", "calendar"],
    "audio": ["scripts", "profile", "audio", "cache"], "cache": ["cache", "profile"],
    "cards": ["scripts", "profile", "print", "ledger"], "ledger": ["ledger", "profile"],
    "calendar": ["calendar", "profile"], "agenda": ["calendar", "plans", "profile", "scripts"],
    "plan": ["calendar", "plans", "profile", "scripts"], "daemon": ["plans", "profile", "playlog"],
    "status": ["playlog", "profile", "plans"], "log": ["playlog", "profile"],
    "clips": ["sheet", "takes", "lexicon", "scripts", "print", "profile"], "bouyei": [],
    "report": ["playlog", "ledger", "reports", "profile"],
}
"""Which files of the deployment each command family reads: mutations go where they can matter."""


@dataclass(frozen=True)
class Command:
    path: tuple[str, ...]
    command: click.Command

    @property
    def name(self) -> str:
        return " ".join(self.path)

    @property
    def family(self) -> str:
        return self.path[0]

    @property
    def stops_itself(self) -> bool:
        """A command that runs until stopped but takes --exit-after (daemon, node, fleet run)."""
        return any(p.name == "exit_after" for p in self.command.params)

    @property
    def in_subprocess(self) -> bool:
        """Long-running commands are fuzzed in a real process group, killed whole at the end."""
        return self.stops_itself or self.name in SERVERS

    @property
    def deadline(self) -> float:
        """Seconds a run may take before it counts as a hang (a server is stopped then, and passes)."""
        if self.name in SERVERS:
            return 8
        return 120 if self.name in HEAVY or self.stops_itself else 45

    @property
    def cases(self) -> int:
        """Runs per suite: fewer for the slow and the long-running."""
        return 1 if self.name in SERVERS else 2 if self.stops_itself else 3 if self.name in HEAVY else 10


def commands(group: click.Group = cli, prefix: tuple[str, ...] = ()) -> list[Command]:
    """Every runnable command of the CLI: leaves, and groups that also run on their own."""
    found = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            if command.invoke_without_command:
                found.append(Command(prefix + (name,), command))
            found += commands(command, prefix + (name,))
        else:
            found.append(Command(prefix + (name,), command))
    return found


@dataclass
class World:
    """The fuzzed deployment and what is known to be valid in it."""

    root: Path
    scratch: Path
    villages: list[str]
    scripts: list[str]
    programmes: list[str]
    sheet: Path
    takes: Path
    targets: dict[str, list[Path]] = field(default_factory=dict)
    variables: dict[str, list[str]] = field(default_factory=dict)
    """script id -> the variables it declares (a --var aims at the script the case chose)."""


@dataclass
class Case:
    """One run: its argv, the damage done to the deployment, and how to undo it."""

    command: Command
    argv: list[str]
    mutations: list[Mutation]

    def describe(self) -> str:
        damage = "; ".join(m.description for m in self.mutations) or "none"
        return f"argv: outreach {' '.join(repr(a) if (not a or ' ' in a) else a for a in self.argv)}\n" \
               f"    damage: {damage}"

    def restore(self) -> None:
        for mutation in reversed(self.mutations):
            mutation.restore()


# -- odd values ------------------------------------------------------------------------------

DATES = ["2026-02-30", "2026-13-01", "0001-01-01", "9999-12-31", "1969-12-31", "2100-01-01", "", "yesterday",
         "2026-2-3", "2026-11-02T10:00", "２０２６-１１-０２"]
GOOD_DATES = ["2026-11-02", "2027-02-01", "2026-12-28", "2099-12-25", "1970-01-01"]
MONTHS = ["2026-13", "0000-00", "9999-12", "0001-01", "26-11", "", "2026-11-01", "2026/11"]
GOOD_MONTHS = ["2026-11", "2027-02", "2099-12"]
NUMBERS = ["nan", "inf", "-inf", "1e400", "-1", "0", "-0", "x", "", "99999999999999999999", "1.5"]
TEXTS = ["xeenz", "Bouxqyaix", "luanh yungh", "", " ", "村", "\ue000x", "x" * 5000, "ǎ", "qq-zz", "110", "-5",
         "a\x00b", "\u202e", "../etc", "Fake-Loan"]
VALUES = ["nan", "1e400", "-inf", "1e300", "-5", "110,000", "x", "", "2026-02-30", "2027-02-20", "0.1", "\ue000x",
          "春节", "0001-01-01", "1_000", "١٢٣", "10**9", "{{ 7 }}"]
ODD_VARS = ["=1", "nokey", "x=y", "village=x", "county=\ue002cmn\ue003x"]
EXTENSIONS = {"report": [".csv", ".html", ".pdf"], "clips sheet": [".csv", ".pdf"], "agenda": [".ics"]}
"""Output file kinds a command writes (others: PDF); an odd case may give any name."""


@dataclass
class Draw:
    """What one case draws values from: its seeded generator, the world, its scratch folder."""

    rng: random.Random
    world: World
    command: Command
    case_dir: Path
    mutations: list[Mutation]
    chosen: dict[str, str] = field(default_factory=dict)

    def pick(self, values: list) -> object:
        return self.rng.choice(values)


def _odd_roots(world: World) -> list[str]:
    empty = world.scratch / "empty-root"
    empty.mkdir(exist_ok=True)
    afile = world.scratch / "a-file"
    afile.write_text("x")
    return [str(world.scratch / "missing-root"), str(afile), "/dev/null", str(empty), "", "x" * 300]


def _path_value(param: click.Path, name: str, draw: Draw, odd: bool) -> str:
    """An output or input path: a fresh one, or a device, a folder, a long or impossible name."""
    world, case_dir = draw.world, draw.case_dir
    ext = str(draw.pick(EXTENSIONS.get(draw.command.name, [".pdf"])))
    if name == "sheet":
        return str(world.sheet) if not odd else str(draw.pick(["/dev/null", str(world.root / "audio"), "/dev/zero"]))
    if name == "folder" and draw.command.name == "clips import" and not odd:
        return str(world.takes)
    if not odd:
        return str(case_dir / ("out" if not param.file_okay else f"out{ext}"))
    own = world.root / "schedules" / "deployment.yaml"
    chosen = str(draw.pick(["/dev/null", "/dev/full", str(case_dir), str(case_dir / "missing" / "deep" / f"out{ext}"),
                            str(case_dir / ("n" * 300 + ext)), "/proc/outreach-fuzz" + ext, "/sys/outreach-fuzz" + ext,
                            str(world.scratch / "a-file" / f"out{ext}"), str(own), "", str(case_dir / "out.txt")]))
    if chosen == str(own):
        draw.mutations.append(Mutation("output aimed at the deployment's own profile", FileState(own).restore))
    return chosen


def _text_value(name: str, draw: Draw, odd: bool) -> str:
    world = draw.world
    if name == "root":
        return str(draw.pick(_odd_roots(world))) if odd else str(world.root)
    if "village" in name:
        return str(draw.pick(TEXTS if odd else world.villages))
    if "script" in name:
        draw.chosen["script"] = str(draw.pick(TEXTS if odd else world.scripts))
        return draw.chosen["script"]
    if "programme" in name:
        return str(draw.pick(TEXTS if odd else world.programmes))
    if name == "month":
        return str(draw.pick(MONTHS if odd else GOOD_MONTHS))
    if name in ("start", "end", "today_s", "since") or "date" in name:
        return str(draw.pick(DATES if odd else GOOD_DATES))
    if "var" in name:
        declared = world.variables.get(draw.chosen.get("script", ""), [])
        if not declared:
            return str(draw.pick(ODD_VARS)) if odd else "x=y"
        return f"{draw.pick(declared)}={draw.pick(VALUES)}" if odd else f"{draw.pick(declared)}=1"
    return str(draw.pick(TEXTS if odd else ["xeenz", "Bouxqyaix", "110", "村"]))


def _number_value(param_type: click.ParamType, draw: Draw, odd: bool) -> str:
    low = getattr(param_type, "min", None)
    high = getattr(param_type, "max", None)
    if odd:
        edges = [str(v) for v in (low, high) if v is not None]
        return str(draw.pick(NUMBERS + edges + [str((low or 0) - 1), str((high or 0) + 1)]))
    low = 1 if low is None else low
    high = min(low + 5, high) if high is not None else low + 5
    return str(draw.pick([low, high]))


def param_values(param: click.Parameter, draw: Draw, odd: bool) -> list[str]:
    """The argv words for one parameter (none when an optional one is left out); ``odd``: a value that is wrong."""
    name = param.name or ""
    rng = draw.rng
    if isinstance(param, click.Option) and param.is_flag:
        return [param.opts[0]] if rng.random() < 0.5 else []
    if not (odd or param.required or name == "root") and rng.random() < 0.6:
        return []
    count = rng.randint(1, 3) if param.nargs == -1 or getattr(param, "multiple", False) else 1
    words = []
    for _ in range(count):
        kind = param.type
        if isinstance(kind, click.Choice):
            value = "nope" if odd else str(draw.pick(list(kind.choices)))
        elif isinstance(kind, (click.types.IntParamType, click.types.FloatParamType)):
            value = _number_value(kind, draw, odd)
        elif isinstance(kind, click.Path):
            value = _path_value(kind, name, draw, odd)
        else:
            value = _text_value(name, draw, odd)
        words += [param.opts[0], value] if isinstance(param, click.Option) else [value]
    return words


# -- damage ----------------------------------------------------------------------------------

def mutate(world: World, family: str, rng: random.Random) -> list[Mutation]:
    """Damage one or two files a command family reads (a command of an unknown family: any file)."""
    kinds = RELEVANT.get(family, list(world.targets))
    pool = [(kind, path) for kind in kinds for path in world.targets.get(kind, [])]
    if not pool:
        return []
    return [_damage(kind, path, rng) for kind, path in rng.sample(pool, k=min(len(pool), rng.choice([1, 1, 2])))]


def _damage(kind: str, path: Path, rng: random.Random) -> Mutation:
    states = [FileState(p) for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"))]

    def restore() -> None:
        for state in states:
            state.restore()

    rel = f"{path.parent.name}/{path.name}"
    if kind in ("ledger", "playlog", "cache") and rng.random() < 0.7:
        ensure_database(path)
        what, data = corrupt_database(rng, path)
        path.write_bytes(data)
        return Mutation(f"{rel}: {what}", restore)
    if rng.random() < 0.15 or kind in ("audio", "takes", "ledger", "playlog", "cache"):
        what, make = replace_file(rng, path)
        if path.exists() or path.is_symlink():
            path.unlink()
        make(path)
        return Mutation(f"{rel}: {what}", restore)
    data = path.read_bytes() if path.is_file() else b""
    if kind in ("lexicon", "sheet"):
        what, data = csv_mutation(rng, data)
    elif path.suffix == ".j2":
        what, data = template_mutation(rng, data, f"{path.parent.name}/{path.name}")
    else:
        what, data = yaml_mutation(rng, data)
    path.write_bytes(data)
    bump_mtime(path)
    return Mutation(f"{rel}: {what}", restore)


def make_case(command: Command, world: World, seed: int, index: int) -> Case:
    """The case ``index`` of a command: the same seed always gives the same argv and damage.

    One thing is wrong in most cases (a damaged file, or one odd argument), so a run gets past the others and
    reaches the code that meets it.
    """
    rng = random.Random(f"{seed}/{command.name}/{index}")
    case_dir = world.scratch / f"{command.name.replace(' ', '-')}-{index}"
    case_dir.mkdir(parents=True, exist_ok=True)
    params = [p for p in command.command.params if not (isinstance(p, click.Option) and p.is_flag)]
    fault = rng.choices(["file", "argument", "both", "none"], weights=[45, 40, 10, 5])[0]
    mutations = mutate(world, command.family, rng) if fault in ("file", "both") else []
    weights = [1 if p.name == "root" else 8 for p in params]
    odd_param = rng.choices(params, weights)[0] if params and fault in ("argument", "both") else None
    draw = Draw(rng, world, command, case_dir, mutations)
    argv = list(command.path)
    for param in command.command.params:
        argv += param_values(param, draw, odd=param is odd_param)
    if "--root" not in argv and any(p.name == "root" for p in command.command.params):
        argv += ["--root", str(world.root)]
    return Case(command, argv + (EXIT_AFTER if command.stops_itself else []), mutations)


# -- running ---------------------------------------------------------------------------------

class Hang(BaseException):
    """Raised in the main thread by the alarm: a command ran past its guard."""


class _Tracebacks(logging.Handler):
    """Log records carrying an exception: a traceback shown to the user through the log."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.seen.append(self.format(record))


def _alarm(signum: int, frame: object) -> None:
    raise Hang()


def run_in_process(argv: list[str], timeout: float) -> str | None:
    """Run ``outreach.cli.main``; None when it behaved, else what went wrong (with the traceback)."""
    out, err = io.StringIO(), io.StringIO()
    logged = _Tracebacks()
    logging.getLogger().addHandler(logged)
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    faulthandler.dump_traceback_later(timeout + 30, exit=True)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = main(argv)
    except Hang:
        return f"hang: still running after {timeout:.0f} s"
    except BaseException:  # noqa: BLE001 - anything escaping main is what the harness looks for
        return "traceback:\n" + traceback.format_exc(limit=-12)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        faulthandler.cancel_dump_traceback_later()
        signal.signal(signal.SIGALRM, previous)
        logging.getLogger().removeHandler(logged)
    return _judge(code, err.getvalue() + out.getvalue(), logged.seen, argv)


def run_in_subprocess(argv: list[str], timeout: float, serves: bool = False) -> str | None:
    """Run the real entry point in its own process group (for commands that run until stopped); the whole group
    is terminated at the deadline, so no player, worker or server outlives the case. A server still serving at
    the deadline passes; anything else still running has hung."""
    with subprocess.Popen([sys.executable, "-m", "outreach", *argv], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, start_new_session=True) as proc:
        try:
            output, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            output, _ = proc.communicate()
            text = output.decode("utf-8", "replace")
            return _judge(0, text, [], argv) if serves else f"hang: still running after {timeout:.0f} s"
        finally:
            _kill_group(proc)
    return _judge(proc.returncode, output.decode("utf-8", "replace"), [], argv)


def _kill_group(proc: subprocess.Popen) -> None:
    """SIGTERM the case's process group, then SIGKILL whatever is left of it (a worker or player that lingered)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass


TRACE = os.environ.get("OUTREACH_FUZZ_TRACE")
"""A file to append every run's argv, exit code and last output line to (to see what the cases reach)."""


def _judge(code: object, output: str, logged: list[str], argv: list[str]) -> str | None:
    if TRACE:
        with open(TRACE, "a", encoding="utf-8") as fh:
            last = (output.strip().splitlines() or [""])[-1][:200]
            fh.write(f"{code}\t{' '.join(argv)[:300]}\t{last}\n")
    if "Traceback (most recent call last)" in output:
        return "traceback in the output:\n" + output[output.index("Traceback"):][-3000:]
    if logged:
        return "traceback in the log:\n" + logged[0][-3000:]
    if code not in (0, 1, 2):
        return f"exit code {code!r} (expected 0, 1 or 2); output:\n{output[-1500:]}"
    return None


def culprit(report: str) -> tuple[str, str] | None:
    """(the package file where a traceback ended, the exception's type), e.g. ('outreach/report.py',
    'OverflowError'); None for a hang or an exit code."""
    files = re.findall(r'File "[^"]*/(outreach/[^"]+)"', report)
    kind = re.findall(r"^(\w+(?:\.\w+)*): ", report, re.MULTILINE)
    return (files[-1], kind[-1].rsplit(".", 1)[-1]) if files and kind else None


def run_cases(command: Command, world: World, seed: int, count: int) -> Iterator[str]:
    """Run a command's cases; yields a report for each one that misbehaved (the deployment is restored after each).

    The first hang ends the command's cases: one is enough to see, and each costs its whole guard."""
    for index in range(count):
        case = make_case(command, world, seed, index)
        try:
            if command.in_subprocess:
                problem = run_in_subprocess(case.argv, command.deadline, serves=command.name in SERVERS)
            else:
                problem = run_in_process(case.argv, command.deadline)
        finally:
            case.restore()
        if problem:
            yield f"{command.name} case {index} (seed {seed})\n    {case.describe()}\n    {problem}"
            if problem.startswith("hang"):
                return
