"""`status` and `log` over a real SQLite play log (the daemon itself runs in tests/test_daemon.py)."""

import datetime as dt
import json
import os

import pytest

from outreach.status import HEARTBEAT_FILE, PID_FILE


def _occ(pid, at, script="fake-loan", village="xiangle"):
    return {"id": pid, "at": at, "village": village, "rule": "r", "script": script, "programme": "standard",
            "variables": {}, "output": "spool", "reason": f"why {pid}"}


@pytest.fixture
def site(deployment):
    """A deployment whose play log has two plays ahead (one ready, one not) and two behind (played, failed)."""
    now = deployment.now()
    hours = dt.timedelta(hours=1)
    book = deployment.playlog()
    book.sync([_occ("ahead-broken", now + hours), _occ("ahead-ready", now + 2 * hours, script="fake-investment"),
               _occ("done", now - 2 * hours, village="wangmu"), _occ("bad", now - hours)],
              (now - 3 * hours, now + 3 * hours), now - 3 * hours)
    book.set_render_error("ahead-broken", "no voice for pcc", now)
    book.set_rendered("ahead-ready", "/x.mp3", "abc", ["cmn"], now)
    book.begin("done", now - 2 * hours, 12.0)
    book.finish("done", "played", now - 2 * hours)
    book.finish("bad", "failed", now - hours, reason="speaker unplugged")
    return deployment


def test_status_text_shows_readiness_next_and_last(run, site):
    code, out, _ = run("status", "--root", str(site.root))
    assert code == 0
    assert "daemon: not running" in out
    assert "2 scheduled, 1 ready" in out
    assert "not ready: fake-loan for xiangle: no voice for pcc" in out
    next_rows = out.split("next occurrences")[1].split("last plays")[0]
    assert "why ahead-broken" in next_rows and "NO" in next_rows and "fake-investment" in next_rows
    last_rows = out.split("last plays")[1]
    assert "played" in last_rows and "12 ms" in last_rows and "speaker unplugged" in last_rows


def test_status_limit_and_json(run, site):
    code, out, _ = run("status", "--limit", "1", "--json", "--root", str(site.root))
    assert code == 0
    data = json.loads(out)
    assert [p["id"] for p in data["next"]] == ["ahead-broken"]
    assert data["horizon"]["not_ready"] == [{"id": "ahead-broken", "script": "fake-loan", "village": "xiangle",
                                             "reason": "no voice for pcc"}]
    assert [p["id"] for p in data["failures"]] == ["bad"]
    code, out, _ = run("status", "--limit", "1", "--root", str(site.root))
    assert "why ahead-broken" in out and "why ahead-ready" not in out


def test_status_sees_a_running_daemon(run, site):
    site.state_dir.mkdir(parents=True, exist_ok=True)
    (site.state_dir / PID_FILE).write_text(str(os.getpid()))
    (site.state_dir / HEARTBEAT_FILE).write_text("2027-03-02T10:00:00+08:00")
    code, out, _ = run("status", "--root", str(site.root))
    assert code == 0
    assert f"daemon: running, pid {os.getpid()}; last heartbeat 2027-03-02 10:00:00" in out


def test_log_filters_by_village_state_and_day(run, site):
    code, out, _ = run("log", "--json", "--state", "failed", "--state", "played", "--root", str(site.root))
    assert code == 0 and sorted(p["id"] for p in json.loads(out)) == ["bad", "done"]
    code, out, _ = run("log", "--json", "--village", "wangmu", "--root", str(site.root))
    assert [p["id"] for p in json.loads(out)] == ["done"]
    now = site.now()
    for since, expected in (((now - dt.timedelta(hours=3)).date(), 4), ((now + dt.timedelta(days=2)).date(), 0)):
        code, out, _ = run("log", "--json", "--since", since.isoformat(), "--root", str(site.root))
        assert code == 0 and len(json.loads(out)) == expected
    code, out, _ = run("log", "--village", "xiangle", "--root", str(site.root))
    assert code == 0 and "speaker unplugged" in out and "fake-investment" in out and "wangmu" not in out
