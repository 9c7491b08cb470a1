"""What `outreach status` reads: the daemon's pid and heartbeat files, and the play log around now."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
import zoneinfo

import pytest

from outreach.daemon import Daemon, DaemonError
from outreach.daemon.health import Heartbeat, Problem
from outreach.daemon.instance import InstanceLock
from outreach.playlog import open_playlog
from outreach.status import HEARTBEAT_FILE, PID_FILE, DaemonState, daemon_state, show_state, status_summary

from daemon_fakes import FakeClock, FakeRenderer
from daemon_helpers import make_site, write_plan


def test_daemon_state_from_the_pid_and_heartbeat_files_of_an_older_writer(tmp_path):
    """No lock file (an older daemon, or `fleet serve`): a live pid and a bare timestamp as heartbeat."""
    assert daemon_state(tmp_path).as_dict() == {"running": False, "pid": None, "heartbeat": None,
                                                "condition": "not running", "problems": []}
    (tmp_path / PID_FILE).write_text(str(os.getpid()))
    (tmp_path / HEARTBEAT_FILE).write_text("2027-03-01T08:00:00+08:00\n")
    assert daemon_state(tmp_path).as_dict() == {"running": True, "pid": os.getpid(), "condition": "running",
                                                "heartbeat": "2027-03-01T08:00:00+08:00", "problems": []}
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (tmp_path / PID_FILE).write_text(ended.stdout)  # left behind by a daemon that was killed
    assert daemon_state(tmp_path).running is False and daemon_state(tmp_path).pid is None
    (tmp_path / PID_FILE).write_text("garbage")
    assert daemon_state(tmp_path).running is False


def test_running_means_able_to_play(tmp_path):
    """The lock held, a fresh heartbeat, and no problem that keeps plays off the air."""
    lock, beat = InstanceLock(tmp_path), Heartbeat(tmp_path / HEARTBEAT_FILE, every=5)
    lock.acquire()
    try:
        assert daemon_state(tmp_path).condition == "starting"
        now = dt.datetime(2027, 3, 1, 8, tzinfo=dt.timezone.utc)
        beat.beat(now, [Problem("script:x", "templates/scripts/x/script.yaml:3: bad", "08:00")])
        state = daemon_state(tmp_path)
        assert (state.running, state.pid, state.condition, state.heartbeat, state.problems) == (
            True, os.getpid(), "running", "2027-03-01T08:00:00+00:00", ("templates/scripts/x/script.yaml:3: bad",))
        beat.beat(now, [Problem("playlog", "database or disk is full", "08:00", blocks_air=True)])
        assert (daemon_state(tmp_path).running, daemon_state(tmp_path).condition) == (False, "cannot play")
        beat.beat(now, [])
        os.utime(tmp_path / HEARTBEAT_FILE, (time.time() - 60, time.time() - 60))  # 3 beats missed, and more
        state = daemon_state(tmp_path)
        assert not state.running and state.condition == "not responding (no heartbeat for 60 s)"
        assert state.shown() == "not responding (no heartbeat for 60 s)"
    finally:
        beat.close()
        lock.release()
    assert daemon_state(tmp_path).condition == "not running" and not (tmp_path / PID_FILE).exists()


def test_a_second_daemon_on_the_same_root_is_refused_naming_the_first(tmp_path):
    first = InstanceLock(tmp_path)
    first.acquire()
    try:
        with pytest.raises(DaemonError, match=f"another daemon, pid {os.getpid()}, is running on this root"):
            InstanceLock(tmp_path).acquire()
        assert (tmp_path / PID_FILE).read_text() == str(os.getpid())
    finally:
        first.release()
    InstanceLock(tmp_path).acquire()  # free again once the first has gone


@pytest.fixture
def played_site(tmp_path):
    """A deployment whose daemon (in-process, fake clock) played one occurrence, failed one, and has
    one scheduled an hour ahead and one not rendered yet."""
    site = make_site(tmp_path)
    clock = FakeClock(dt.datetime.now(zoneinfo.ZoneInfo(site.profile.timezone)).replace(microsecond=0))
    write_plan(site, clock.now(), [(12, "xiangle", "tiny"), (13, "xiangle", "broken"), (3600, "xiangle", "tiny"),
                                   (3700, "pingrao", "tiny")])
    (tmp_path / "rendered").mkdir()
    daemon = Daemon(site, clock=clock, renderer=FakeRenderer(tmp_path / "rendered", {"broken": "syntax error"}))
    daemon.start()
    daemon.render_pending()
    book = open_playlog(site.state_dir)
    book.set_render_error({p.rule: p for p in book.query()}["test-3"].id, "no voice", clock.now())
    for job in sorted(daemon.scheduler.get_jobs(), key=lambda j: j.next_run_time)[:2]:
        clock.set(job.next_run_time)
        job.func(*job.args)
    daemon.stop()
    return site, clock.now()


def test_status_summary_counts_the_horizon_and_lists_the_last_plays(played_site):
    site, now = played_site
    summary = status_summary(site, limit=1, now=now)
    assert summary.horizon_end == now + dt.timedelta(hours=48)
    assert [p.rule for p in summary.upcoming] == ["test-2", "test-3"]
    assert [p.rule for p in summary.not_ready] == ["test-3"]
    assert [p.rule for p in summary.recent] == ["test-1"]
    data = summary.as_json()
    assert data["horizon"] == {"scheduled": 2, "ready": 1, "not_ready": [
        {"id": summary.not_ready[0].id, "script": "tiny", "village": "pingrao", "reason": "no voice"}],
        "last_good": []}
    assert [p["rule"] for p in data["next"]] == ["test-2"]
    assert [(p["rule"], p["state"]) for p in data["last"]] == [("test-1", "failed")]
    assert data["failures"] == data["last"] and data["now"] == now.isoformat(timespec="seconds")
    assert data["daemon"] == {"running": False, "pid": None, "heartbeat": None, "condition": "not running",
                              "problems": []}


def test_status_and_log_commands(played_site, run):
    site, _ = played_site
    code, out, _ = run("status", "--json", "--root", str(site.root))
    assert code == 0
    data = json.loads(out)
    assert data["daemon"]["running"] is False
    assert (data["horizon"]["scheduled"], data["horizon"]["ready"]) == (2, 1)
    assert [p["state"] for p in data["last"]] == ["failed", "played"]
    code, out, _ = run("log", "--json", "--village", "xiangle", "--root", str(site.root))
    assert sorted(p["state"] for p in json.loads(out)) == ["failed", "played", "scheduled"]


def test_a_corrupt_play_log_is_one_line_naming_it(played_site, run):
    site, _ = played_site
    for part in site.state_dir.glob("playlog.sqlite*"):
        part.unlink()
    (site.state_dir / "playlog.sqlite").write_bytes(b"\x00garbage" * 500)
    code, _, err = run("status", "--root", str(site.root))
    assert code == 1 and err.count("\n") == 1
    assert f"{site.state_dir / 'playlog.sqlite'} is not a readable play log" in err
    assert "Traceback" not in err


def test_conditions_and_states_are_shown_in_words_and_kept_as_values():
    """The values stay as they are (JSON, the play log); shown() and show_state() say them to staff."""
    assert DaemonState(True, 1, None, "running").shown() == "running"
    assert DaemonState(False, None, None).shown() == "not running"
    assert [show_state(s) for s in ("played", "missed", "cancelled", "odd")] == ["played", "missed", "cancelled", "odd"]
