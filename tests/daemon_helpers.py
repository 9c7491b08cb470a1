"""A small deployment for daemon tests (a one-language programme, a 3 s grace, a slow player),
plans whose plays are seconds apart, and what the in-process daemon tests share (tests/daemon/conftest.py
makes fixtures of them)."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
import zoneinfo
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from outreach.deployment import Deployment
from outreach.playlog import Play, PlayLog

from conftest import copy_deployment, write_script
from daemon_fakes import FakeClock

if TYPE_CHECKING:
    from outreach.daemon import Daemon

PROFILE_EDITS = {
    "programmes:\n": "programmes:\n  quick:\n    languages: [cmn]\n    chime: null\n    closing_chime: null\n"
                     "    repeats: 1\n",
    "  grace_seconds: 300 ": "  grace_seconds: 3 ",
    "  watch_seconds: 15 ": "  watch_seconds: 1 ",
    "  - id: wangmu\n": "  - id: wangmu\n    output: slow\n",
}
GRACE = dt.timedelta(seconds=3)
LATE = dt.timedelta(milliseconds=250)
BROKEN = "templates/scripts/broken/cmn.j2:1: unexpected '}'"
SLOW_PLAYER = """
# A slow player: it starts a helper process (as real players do), notes both pids, and plays for 30 s.
import os, subprocess, sys, time
from pathlib import Path
helper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
with open(Path(__file__).with_name("players.txt"), "a") as out:
    out.write(f"{os.getpid()} {helper.pid}\\n")
time.sleep(30)
"""


def make_site(tmp_path: Path, extra_edits: dict[str, str] | None = None) -> Deployment:
    """The shipped deployment without its county plan, plus a tiny script and a broken one; the slow
    output runs SLOW_PLAYER, which lists what it started in players.txt (see player_pids)."""
    player = tmp_path / "slow_player.py"
    player.write_text(SLOW_PLAYER, encoding="utf-8")
    slow = {"  dry-run:\n": f"  slow:\n    type: command\n    argv: [python3, {player}, '{{file}}']\n  dry-run:\n"}
    deployment = copy_deployment(tmp_path, {**PROFILE_EDITS, **slow, **(extra_edits or {})})
    (tmp_path / "schedules" / "plans" / "county.yaml").unlink()
    write_script(deployment, "tiny", {"cmn": "{{ village.name }}的乡亲们，请拨打{{ hotline | phone }}。"})
    write_script(deployment, "broken", {"cmn": "坏了{{ hotline | phone }"})
    return deployment


def write_plan(deployment: Deployment, now: dt.datetime, plays: list[tuple[float, str, str]],
               name: str = "test") -> dict[str, dt.datetime]:
    """One rule per play, at now + seconds (local time, to the second): returns rule id -> time."""
    rules, times = [], {}
    for i, (seconds, village, script) in enumerate(plays):
        at = (now + dt.timedelta(seconds=seconds)).replace(microsecond=0)
        rule_id = f"{name}-{i}"
        times[rule_id] = at
        rules.append({"id": rule_id, "villages": [village], "scripts": [script], "programme": "quick",
                      "times": [at.strftime("%H:%M:%S")], "windows": [{"dates": [at.date().isoformat()] * 2}]})
    plan = {"quiet_hours": [], "collision_gap_minutes": 0, "rules": rules}
    (deployment.root / "schedules" / "plans" / f"{name}.yaml").write_text(json.dumps(plan), encoding="utf-8")
    return times


def log_of(deployment: Deployment) -> dict[str, Play]:
    """The play log by rule id (each test rule has one play)."""
    return {p.rule: p for p in PlayLog(deployment.state_dir / "playlog.sqlite").query()}


def transitions(deployment: Deployment, play: Play) -> list[str]:
    return [t[1] for t in PlayLog(deployment.state_dir / "playlog.sqlite").transitions(play.id)]


def spool(deployment: Deployment) -> list[Path]:
    folder = deployment.state_dir / "spool"
    return sorted(folder.glob("*.mp3")) if folder.exists() else []


def player_pids(deployment: Deployment) -> list[int]:
    """Every process the slow player started (itself and its helper), in order."""
    listed = deployment.root / "players.txt"
    return [int(pid) for pid in listed.read_text().split()] if listed.exists() else []


def gone(pid: int) -> bool:
    """No such process any more (or only its zombie, waiting for a parent that is not us)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (FileNotFoundError, ProcessLookupError):
        return True


def wait_for(predicate: Callable[[], object], timeout: float) -> bool:
    """Poll until true; the timeout only ends a test that is going to fail anyway."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def start_clock(site: Deployment) -> FakeClock:
    """A fake clock at the real time (to the second), so plans expand as they would today."""
    return FakeClock(dt.datetime.now(zoneinfo.ZoneInfo(site.profile.timezone)).replace(microsecond=0))


def fire_all(daemon: Daemon, clock: FakeClock, late: dt.timedelta = LATE) -> None:
    """Run every play's job in time order, each at its run time + late (what APScheduler does, on the fake
    clock)."""
    for job in sorted(daemon.scheduler.get_jobs(), key=lambda j: j.next_run_time):
        clock.set(job.next_run_time + late)
        job.func(*job.args)


def in_thread(target: Callable[..., object], *args: object) -> threading.Thread:
    thread = threading.Thread(target=target, args=args, daemon=True)
    thread.start()
    return thread

