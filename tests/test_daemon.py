"""The real daemon, as a subprocess, on plans whose occurrences are seconds apart.

Real parts: APScheduler with its SQLite job store, the SQLite play log, the
render worker (espeak-ng, ffmpeg), a spool folder, and a slow player command
(a real process that takes seconds) to be cut off mid-play."""

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
import zoneinfo
from pathlib import Path

import pytest

from outreach.deployment import Deployment
from outreach.playlog import PlayLog

from conftest import copy_deployment, write_script

ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")

PROFILE_EDITS = {
    "programmes:\n": "programmes:\n  quick:\n    languages: [cmn]\n    chime: null\n    closing_chime: null\n"
                     "    repeats: 1\n",
    "  dry-run:\n": "  slow:\n    type: command\n    argv: [python3, -c, 'import time; time.sleep(4)', '{file}']\n"
                   "  dry-run:\n",
    "  grace_seconds: 300 ": "  grace_seconds: 3 ",
    "  watch_seconds: 15 ": "  watch_seconds: 1 ",
    "  - id: wangmu\n": "  - id: wangmu\n    output: slow\n",
}


@pytest.fixture
def site(tmp_path) -> Deployment:
    deployment = copy_deployment(tmp_path, PROFILE_EDITS)
    (tmp_path / "schedules" / "plans" / "county.yaml").unlink()
    write_script(deployment, "tiny", {"cmn": "{{ village.name }}的乡亲们，请拨打{{ hotline | phone }}。"})
    write_script(deployment, "broken", {"cmn": "坏了{{ hotline | phone }"})
    return deployment


def write_plan(deployment: Deployment, plays: list[tuple[float, str, str]], name: str = "test") -> dict[str, dt.datetime]:
    """One rule per play, at now + seconds (local time, to the second): returns rule id -> time."""
    now = dt.datetime.now(ZONE)
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


def start(deployment: Deployment, exit_after: float) -> subprocess.Popen:
    env = {**os.environ, "OUTREACH_ROOT": str(deployment.root)}
    return subprocess.Popen([sys.executable, "-m", "outreach", "daemon", "--exit-after", str(exit_after)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def log_of(deployment: Deployment) -> dict[str, object]:
    book = PlayLog(deployment.state_dir / "playlog.sqlite")
    return {p.rule: p for p in book.query()}


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def spool(deployment: Deployment) -> list[Path]:
    folder = deployment.state_dir / "spool"
    return sorted(folder.glob("*.mp3")) if folder.exists() else []


def test_plays_every_occurrence_exactly_once_and_the_log_agrees_with_the_spool(site):
    times = write_plan(site, [(12, "xiangle", "tiny"), (13, "pingrao", "tiny"), (15, "xiangle", "tiny"),
                              (16, "xiangle", "broken")])
    proc = start(site, exit_after=20)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    plays = log_of(site)
    states = {rule: p.state for rule, p in plays.items()}
    assert states == {"test-0": "played", "test-1": "played", "test-2": "played", "test-3": "failed"}, err
    assert "syntax" in plays["test-3"].reason.lower() or "broken/cmn.j2" in plays["test-3"].reason
    files = spool(site)
    assert sorted(Path(p.detail) for p in plays.values() if p.state == "played") == files
    for rule, at in times.items():
        if states[rule] == "played":
            assert plays[rule].planned_at == at
            assert 0 <= plays[rule].lateness_ms < 1000
            assert f"{at:%Y%m%d-%H%M%S}" in Path(plays[rule].detail).name


def test_sigkill_and_restart_plays_nothing_twice_and_logs_missed_and_interrupted(site):
    times = write_plan(site, [(12, "xiangle", "tiny"), (13, "wangmu", "tiny"), (15, "xiangle", "tiny"),
                              (28, "xiangle", "tiny")])
    proc = start(site, exit_after=60)
    assert wait_for(lambda: log_of(site).get("test-1") and log_of(site)["test-1"].state == "playing", 30)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    # let the third occurrence pass beyond the 3 s grace while the daemon is down
    time.sleep(max(0.0, (times["test-2"] - dt.datetime.now(ZONE)).total_seconds() + 4))
    again = start(site, exit_after=max(8.0, (times["test-3"] - dt.datetime.now(ZONE)).total_seconds() + 4))
    _, err = again.communicate(timeout=60)
    assert again.returncode == 0, err
    plays = log_of(site)
    assert {rule: p.state for rule, p in plays.items()} == {
        "test-0": "played", "test-1": "interrupted", "test-2": "missed", "test-3": "played"}, err
    assert len(spool(site)) == 2
    book = PlayLog(site.state_dir / "playlog.sqlite")
    assert [t[1] for t in book.transitions(plays["test-0"].id)] == ["scheduled", "playing", "played"]
    assert [t[1] for t in book.transitions(plays["test-1"].id)] == ["scheduled", "playing", "interrupted"]


def test_sighup_replans_and_sigterm_stops_cleanly_recording_the_interrupted_play(site):
    write_plan(site, [(16, "wangmu", "tiny")], name="first")
    proc = start(site, exit_after=60)
    time.sleep(3)
    write_plan(site, [(7, "xiangle", "tiny")], name="second")
    os.kill(proc.pid, signal.SIGHUP)
    assert wait_for(lambda: (p := log_of(site).get("first-0")) is not None and p.state == "playing", 25)
    os.kill(proc.pid, signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    plays = log_of(site)
    assert plays["second-0"].state == "played"
    assert plays["first-0"].state == "interrupted"
    assert "daemon stopped" in err


def test_status_and_log_commands(site, run):
    write_plan(site, [(12, "xiangle", "tiny"), (3600, "xiangle", "tiny")])
    proc = start(site, exit_after=15)
    proc.communicate(timeout=60)
    code, out, _ = run("status", "--json", "--root", str(site.root))
    assert code == 0
    data = json.loads(out)
    assert data["daemon"]["running"] is False
    assert data["horizon"] == {"scheduled": 1, "ready": 1, "not_ready": []}
    assert [p["state"] for p in data["last"]] == ["played"]
    code, out, _ = run("log", "--json", "--village", "xiangle", "--root", str(site.root))
    assert sorted(p["state"] for p in json.loads(out)) == ["played", "scheduled"]


def test_a_programme_changed_after_rendering_is_not_aired(site, tmp_path):
    """In-process: the play step refuses a file whose content is not what was rendered and checked."""
    from outreach.daemon import Daemon

    daemon = Daemon(site)
    now = dt.datetime.now(ZONE)
    occ = {"id": "x1", "at": now, "village": "xiangle", "rule": "r", "script": "tiny", "programme": "quick",
           "variables": {}, "output": "spool", "reason": "test"}
    daemon.playlog.sync([occ], (now, now), now)
    programme = tmp_path / "p.mp3"
    programme.write_bytes(b"rendered and checked")
    import hashlib
    daemon.playlog.set_rendered("x1", str(programme), hashlib.sha256(programme.read_bytes()).hexdigest(), ["cmn"], now)
    programme.write_bytes(b"overwritten by something else")
    daemon.play("x1")
    play = daemon.playlog.get("x1")
    assert play.state == "failed" and "changed after it was prepared" in play.reason
    assert spool(site) == []
