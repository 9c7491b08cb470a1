"""The play log beyond what test_report.py covers: rendering marks, replays after a crash, queries."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from outreach.playlog import PlayLog

ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2027, 3, 1, 8, 0, tzinfo=ZONE)
WINDOW = (T0 - dt.timedelta(minutes=5), T0 + dt.timedelta(days=1))


def occ(pid: str, minutes: float, village: str = "wangmu", programme: str = "standard") -> dict:
    return {"id": pid, "at": T0 + dt.timedelta(minutes=minutes), "village": village, "rule": "r", "script": "s",
            "programme": programme, "variables": {"x": "1"}, "output": "spool", "reason": "test"}


def test_render_marks_apply_to_scheduled_plays_and_a_changed_play_needs_a_new_render(tmp_path):
    book = PlayLog(tmp_path / "log.sqlite")
    book.sync([occ("a", 10), occ("b", 20)], WINDOW, T0)
    book.set_rendered("a", "/air/a.mp3", "h1", ["cmn", "pcc"], T0)
    book.set_render_error("b", "no voice for pcc", T0)
    a, b = book.get("a"), book.get("b")
    assert (a.ready, a.programme_path, a.programme_hash, a.languages, a.variables) == (
        True, "/air/a.mp3", "h1", ["cmn", "pcc"], {"x": "1"})
    assert (b.ready, b.render_error) == (False, "no voice for pcc")
    book.sync([occ("a", 10, programme="short"), occ("b", 20)], WINDOW, T0)
    assert book.get("a").ready is False
    book.finish("b", "missed", T0, "late", expect=("scheduled",))
    book.set_rendered("b", "/air/b.mp3", "h2", ["cmn"], T0)
    assert book.get("b").ready is False  # a finished play is history: no later render rewrites it


def test_a_play_replayed_after_a_crash_is_not_moved_or_cancelled_by_the_next_replan(tmp_path):
    book = PlayLog(tmp_path / "log.sqlite")
    book.sync([occ("cut", 0), occ("next", 60)], WINDOW, T0)
    book.begin("cut", T0, 0)
    restart = T0 + dt.timedelta(minutes=2)
    assert book.recover(restart, dt.timedelta(minutes=5), replay_interrupted=True) == [
        ("cut", "interrupted"), ("cut", "scheduled")]
    assert book.get("cut").planned_at == restart
    window = (restart - dt.timedelta(minutes=5), restart + dt.timedelta(days=1))
    assert book.sync([occ("next", 60)], window, restart) == ([], [], [])
    assert book.sync([occ("cut", 0), occ("next", 60)], window, restart) == ([], [], [])
    assert (book.get("cut").state, book.get("cut").planned_at) == ("scheduled", restart)
    assert [t[1] for t in book.transitions("cut")] == ["scheduled", "playing", "interrupted", "scheduled"]


def test_query_filters_and_orders(tmp_path):
    book = PlayLog(tmp_path / "log.sqlite")
    book.sync([occ("a", 10), occ("b", 20, village="xiangle"), occ("c", 30), occ("d", 40)], WINDOW, T0)
    book.finish("c", "played", T0 + dt.timedelta(minutes=31), expect=("scheduled",))
    book.finish("a", "failed", T0 + dt.timedelta(minutes=32), "broken", expect=("scheduled",))
    assert [p.id for p in book.query()] == ["a", "b", "c", "d"]
    assert [p.id for p in book.query(states=("scheduled",))] == ["b", "d"]
    assert [p.id for p in book.query(village="xiangle")] == ["b"]
    assert [p.id for p in book.query(since=T0 + dt.timedelta(minutes=20), until=T0 + dt.timedelta(minutes=40))] == [
        "b", "c"]
    assert [p.id for p in book.query(states=("played", "failed"), order="finished_at", descending=True)] == ["a", "c"]
    assert [p.id for p in book.query(limit=2, descending=True)] == ["d", "c"]
    assert book.get("a").as_dict()["finished_at"] == "2027-03-01T08:32:00.000+08:00"
    assert book.get("nope") is None
