"""The real daemon, as a subprocess on wall-clock time, for what only a process can show: signals,
a SIGKILL mid-play and a restart (and the orphaned player it left), one daemon per root, the pid file.
Everything real: APScheduler, the play log, the render worker (espeak-ng, ffmpeg), a spool folder and a
slow player with a helper process (a process group cut off mid-play).
The rest of the daemon's behaviour is tested in-process on a fake clock (test_service.py, test_faults.py)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import zoneinfo
from pathlib import Path

from outreach.deployment import Deployment
from outreach.status import daemon_state

from daemon_helpers import GRACE, gone, log_of, make_site, player_pids, spool, transitions, wait_for, write_plan

SLOW = 60  # seconds any wait may take on a busy machine before the test gives up


def start(deployment: Deployment) -> subprocess.Popen:
    env = {**os.environ, "OUTREACH_ROOT": str(deployment.root)}
    return subprocess.Popen([sys.executable, "-m", "outreach", "daemon"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def stop(proc: subprocess.Popen) -> str:
    """SIGTERM, then the daemon's log; it must stop cleanly."""
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=SLOW)
    assert proc.returncode == 0, err
    return err


def now_in(deployment: Deployment) -> dt.datetime:
    return dt.datetime.now(zoneinfo.ZoneInfo(deployment.profile.timezone))


def state(deployment: Deployment, rule: str) -> str | None:
    play = log_of(deployment).get(rule)
    return play.state if play else None


def test_plays_exactly_once_across_a_sigkill_and_a_restart(tmp_path):
    site = make_site(tmp_path)
    times = write_plan(site, now_in(site), [(12, "xiangle", "tiny"), (13, "wangmu", "tiny"), (15, "xiangle", "tiny"),
                                            (26, "xiangle", "broken"), (27, "xiangle", "tiny")])
    first = start(site)
    assert wait_for(lambda: state(site, "test-1") == "playing" and len(player_pids(site)) == 2, SLOW)
    first.kill()
    first.wait(SLOW)
    orphans = player_pids(site)
    assert not any(gone(pid) for pid in orphans)  # the player and its helper play on without the daemon
    # the third play passes beyond the grace while the daemon is down
    time.sleep(max(0.0, (times["test-2"] + GRACE - now_in(site)).total_seconds() + 1))
    again = start(site)
    assert wait_for(lambda: all(gone(pid) for pid in orphans), SLOW)
    assert wait_for(lambda: state(site, "test-4") not in (None, "scheduled", "playing"), SLOW)
    err = stop(again)
    assert f"output slow: stopped the orphaned player pid {orphans[0]}" in err
    plays = log_of(site)
    assert {rule: p.state for rule, p in plays.items()} == {
        "test-0": "played", "test-1": "interrupted", "test-2": "missed", "test-3": "failed", "test-4": "played"}, err
    assert "broken/cmn.j2" in plays["test-3"].reason
    assert sorted(Path(p.detail) for p in plays.values() if p.state == "played") == spool(site)
    for rule in ("test-0", "test-4"):
        assert plays[rule].planned_at == times[rule]
        assert 0 <= plays[rule].lateness_ms <= GRACE.total_seconds() * 1000
        assert f"{times[rule]:%Y%m%d-%H%M%S}" in Path(plays[rule].detail).name
    assert transitions(site, plays["test-0"]) == ["scheduled", "playing", "played"]
    assert transitions(site, plays["test-1"]) == ["scheduled", "playing", "interrupted"]


def test_one_daemon_per_root_sighup_replans_and_sigterm_stops_the_player_group(tmp_path):
    site = make_site(tmp_path, {"  grace_seconds: 3 ": "  grace_seconds: 10 "})  # headroom for a busy machine
    write_plan(site, now_in(site), [(15, "wangmu", "tiny")], name="first")
    proc = start(site)
    assert wait_for(lambda: daemon_state(site.state_dir).running, SLOW)
    assert daemon_state(site.state_dir).pid == proc.pid
    second = subprocess.run([sys.executable, "-m", "outreach", "daemon", "--root", str(site.root)],
                            capture_output=True, text=True, timeout=SLOW)
    assert second.returncode == 1
    assert f"another daemon, pid {proc.pid}, is running on this root" in second.stderr
    assert daemon_state(site.state_dir).pid == proc.pid  # the pid file still names the live daemon
    write_plan(site, now_in(site), [(6, "xiangle", "tiny")], name="second")
    proc.send_signal(signal.SIGHUP)
    assert wait_for(lambda: state(site, "first-0") == "playing" and len(player_pids(site)) == 2, SLOW)
    err = stop(proc)
    plays = log_of(site)
    assert plays["second-0"].state == "played", err
    assert plays["first-0"].state == "interrupted"
    assert wait_for(lambda: all(gone(pid) for pid in player_pids(site)), SLOW)  # the player and its helper
    assert "daemon stopped" in err
    assert daemon_state(site.state_dir).running is False
