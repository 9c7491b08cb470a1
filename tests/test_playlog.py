"""The play log beyond what test_report.py covers: rendering marks, replays after a crash or a stop,
queries, horizons of any size, keeping programmes and plays through a half-saved file, a corrupt file."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from outreach.playlog import PlayLog, PlayLogError, open_playlog

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


def test_sync_takes_more_plays_than_sqlite_takes_variables(tmp_path):
    """A horizon past 32,766 plays (SQLite's limit on the values of one statement)."""
    book = PlayLog(tmp_path / "log.sqlite")
    many = [{**occ(f"p{i}", i * 0.02), "variables": {}} for i in range(33_000)]
    added, changed, cancelled = book.sync(many, WINDOW, T0)
    assert (len(added), changed, cancelled) == (33_000, [], [])
    many[-1] = {**many[-1], "village": "xiangle"}
    assert book.sync(many[1:], WINDOW, T0) == ([], ["p32999"], ["p0"])
    assert (book.get("p0").state, book.get("p32999").village, book.get("p32998").state) == (
        "cancelled", "xiangle", "scheduled")


def test_a_moved_play_keeps_its_programme_and_plays_of_an_unreadable_script_are_kept(tmp_path):
    book = PlayLog(tmp_path / "log.sqlite")
    other = {**occ("b", 20), "script": "half-saved"}
    book.sync([occ("a", 10), other], WINDOW, T0)
    book.set_rendered("a", "/air/a.mp3", "h1", ["cmn"], T0)
    moved = {**occ("a", 10), "output": "speaker", "reason": "moved by a collision"}
    assert book.sync([moved], WINDOW, T0, keep_scripts={"half-saved"}) == ([], ["a"], [])
    assert (book.get("a").ready, book.get("a").output, book.get("b").state) == (True, "speaker", "scheduled")
    book.set_render_error("a", "cmn.j2:1: unexpected '}'", T0, keep_ready=True)
    assert (book.get("a").ready, book.get("a").render_error) == (True, "cmn.j2:1: unexpected '}'")
    assert book.last_rendered(book.get("a")).programme_hash == "h1"
    assert book.sync([moved], WINDOW, T0) == ([], [], ["b"])


def test_a_play_cut_off_is_replayed_once_if_the_daemon_is_back_within_the_grace(tmp_path):
    book = PlayLog(tmp_path / "log.sqlite")
    grace = dt.timedelta(minutes=5)
    book.sync([occ("stopped", 0), occ("crashed", 1), occ("long-ago", -30)], (T0 - dt.timedelta(hours=1), T0 + dt.timedelta(days=1)), T0 - dt.timedelta(hours=1))
    for pid in ("stopped", "crashed", "long-ago"):
        book.begin(pid, T0, 0)
    book.finish("stopped", "interrupted", T0 + dt.timedelta(minutes=1), "stopped while playing", expect=("playing",))
    book.finish("long-ago", "interrupted", T0 - dt.timedelta(minutes=20), "stopped while playing",
                expect=("playing",))
    back = T0 + dt.timedelta(minutes=3)
    assert sorted(book.recover(back, grace, replay_interrupted=True, last_seen=T0 + dt.timedelta(minutes=2))) == [
        ("crashed", "interrupted"), ("crashed", "scheduled"), ("stopped", "scheduled")]
    assert book.get("long-ago").state == "interrupted"
    for pid in ("stopped", "crashed"):
        book.begin(pid, back, 0)
    again = back + dt.timedelta(minutes=1)
    assert book.recover(again, grace, replay_interrupted=True) == [("stopped", "interrupted"),
                                                                   ("crashed", "interrupted")]  # once only
    book.sync([occ("late", 0)], WINDOW, T0)
    book.begin("late", T0, 0)
    assert book.recover(T0 + dt.timedelta(hours=2), grace, replay_interrupted=True, last_seen=T0) == [
        ("late", "interrupted")]  # the daemon was down for longer than the grace


def test_a_corrupt_play_log_is_named_and_moved_aside_only_by_the_daemon(tmp_path, caplog):
    path = tmp_path / "playlog.sqlite"
    path.write_bytes(b"SQLite format 2, or so it says" * 200)
    with pytest.raises(PlayLogError, match=f"{path} is not a readable play log"):
        open_playlog(tmp_path)
    assert path.read_bytes().startswith(b"SQLite format 2")
    book = open_playlog(tmp_path, repair=True)
    kept = [p.name for p in tmp_path.glob("playlog.sqlite.corrupt-*")]
    assert len(kept) == 1 and f"moved it to {kept[0]} and started a new one" in caplog.text
    assert book.query() == [] and open_playlog(tmp_path).query() == []
