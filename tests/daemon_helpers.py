"""A small deployment for daemon tests (a one-language programme, a 3 s grace, a slow player)
and plans whose plays are seconds apart."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from pathlib import Path

from outreach.deployment import Deployment
from outreach.playlog import Play, PlayLog

from conftest import copy_deployment, write_script

PROFILE_EDITS = {
    "programmes:\n": "programmes:\n  quick:\n    languages: [cmn]\n    chime: null\n    closing_chime: null\n"
                     "    repeats: 1\n",
    "  dry-run:\n": "  slow:\n    type: command\n    argv: [python3, -c, 'import time; time.sleep(4)', '{file}']\n"
                   "  dry-run:\n",
    "  grace_seconds: 300 ": "  grace_seconds: 3 ",
    "  watch_seconds: 15 ": "  watch_seconds: 1 ",
    "  - id: wangmu\n": "  - id: wangmu\n    output: slow\n",
}
GRACE = dt.timedelta(seconds=3)


def make_site(tmp_path: Path, extra_edits: dict[str, str] | None = None) -> Deployment:
    """The shipped deployment without its county plan, plus a tiny script and a broken one."""
    deployment = copy_deployment(tmp_path, {**PROFILE_EDITS, **(extra_edits or {})})
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


def wait_for(predicate: Callable[[], object], timeout: float) -> bool:
    """Poll until true; the timeout only ends a test that is going to fail anyway."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False
