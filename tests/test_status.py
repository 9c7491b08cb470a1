"""What `outreach status` reads: the daemon's pid and heartbeat files, and the play log around now."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import zoneinfo

import pytest

from outreach.daemon import Daemon
from outreach.playlog import open_playlog
from outreach.status import HEARTBEAT_FILE, PID_FILE, daemon_state, status_summary

from daemon_fakes import FakeClock, FakeRenderer
from daemon_helpers import make_site, write_plan


def test_daemon_state_from_the_pid_and_heartbeat_files(tmp_path):
    assert daemon_state(tmp_path).as_dict() == {"running": False, "pid": None, "heartbeat": None}
    (tmp_path / PID_FILE).write_text(str(os.getpid()))
    (tmp_path / HEARTBEAT_FILE).write_text("2027-03-01T08:00:00+08:00\n")
    assert daemon_state(tmp_path).as_dict() == {"running": True, "pid": os.getpid(),
                                                "heartbeat": "2027-03-01T08:00:00+08:00"}
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (tmp_path / PID_FILE).write_text(ended.stdout)  # left behind by a daemon that was killed
    assert daemon_state(tmp_path).running is False and daemon_state(tmp_path).pid is None
    (tmp_path / PID_FILE).write_text("garbage")
    assert daemon_state(tmp_path).running is False


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
        {"id": summary.not_ready[0].id, "script": "tiny", "village": "pingrao", "reason": "no voice"}]}
    assert [p["rule"] for p in data["next"]] == ["test-2"]
    assert [(p["rule"], p["state"]) for p in data["last"]] == [("test-1", "failed")]
    assert data["failures"] == data["last"] and data["now"] == now.isoformat(timespec="seconds")
    assert data["daemon"] == {"running": False, "pid": None, "heartbeat": None}


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
