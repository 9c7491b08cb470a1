"""The air-time decision (a pure function) and the render queue (nearest air time first, who waits)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import threading

import pytest

from outreach.daemon.airtime import decide, programme_state
from outreach.daemon.render_queue import RenderQueue, request_for
from outreach.playlog import Play

T0 = dt.datetime(2026, 3, 2, 7, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
GRACE = dt.timedelta(seconds=300)


def a_play(**changes) -> Play:
    base = Play(id="p1", planned_at=T0, village="xiangle", rule="r", script="tiny", programme="quick",
                variables={}, output="spool", reason_planned="", state="scheduled", ready=True, render_error=None,
                programme_path="/nowhere.mp3", programme_hash=None, languages=["cmn"], started_at=None,
                finished_at=None, lateness_ms=None, detail=None, reason=None)
    return dataclasses.replace(base, **changes)


def verdict(play: Play | None, late_s: float = 1, programme: str = "ok", rendering: bool = False,
            output_known: bool = True, output_busy: bool = False) -> tuple[str, str | None]:
    v = decide(play, T0 + dt.timedelta(seconds=late_s), GRACE, programme=programme, rendering=rendering,
               output_known=output_known, output_busy=output_busy)
    return v.action, v.reason


def test_a_ready_play_within_the_grace_plays():
    assert verdict(a_play()) == ("play", None)
    assert verdict(a_play(), late_s=300)[0] == "play"


@pytest.mark.parametrize("play, expected", [
    (None, ("skip", "not scheduled (unknown)")),
    (a_play(state="played"), ("skip", "not scheduled (played)")),
    (a_play(state="cancelled"), ("skip", "not scheduled (cancelled)")),
])
def test_what_is_not_scheduled_is_skipped(play, expected):
    assert verdict(play) == expected


def test_beyond_the_grace_is_missed_whatever_else_holds():
    assert verdict(a_play(), late_s=301) == ("missed", "could start only 301 s late (grace 300 s)")
    assert verdict(a_play(), late_s=900, programme="missing", output_known=False)[0] == "missed"


def test_a_play_whose_render_is_on_the_way_waits_within_the_grace_and_fails_after():
    assert verdict(a_play(ready=False), programme="missing", rendering=True)[0] == "wait"
    assert verdict(a_play(), programme="changed", rendering=True)[0] == "wait"  # being re-rendered in place
    assert verdict(a_play(ready=False), late_s=301, programme="missing", rendering=True) == (
        "failed", "the programme was not rendered in time (still rendering at the end of the grace)")
    assert verdict(a_play(), rendering=True) == ("play", None)  # a ready file is not held back by a re-check


def test_a_missing_or_changed_programme_fails_with_why():
    assert verdict(a_play(ready=False), programme="missing") == ("failed", "the programme was not rendered in time")
    assert verdict(a_play(ready=False, render_error="espeak-ng: no voice"), programme="missing") == (
        "failed", "espeak-ng: no voice")
    assert verdict(a_play(), programme="changed") == (
        "failed", "the programme file changed after it was prepared; not aired")


def test_an_unknown_or_busy_output():
    assert verdict(a_play(output="hall"), output_known=False) == ("failed", "unknown output 'hall'")
    assert verdict(a_play(), late_s=301, output_busy=True) == (
        "missed", "output 'spool' was busy for the whole grace time")


def test_programme_state_checks_the_file_against_its_hash(tmp_path):
    path = tmp_path / "p.mp3"
    assert programme_state(a_play(programme_path=str(path))) == "missing"
    path.write_bytes(b"as rendered")
    digest = hashlib.sha256(b"as rendered").hexdigest()
    assert programme_state(a_play(programme_path=str(path), programme_hash=digest)) == "ok"
    assert programme_state(a_play(programme_path=str(path), programme_hash=digest, ready=False)) == "missing"
    path.write_bytes(b"replaced")
    assert programme_state(a_play(programme_path=str(path), programme_hash=digest)) == "changed"


def plays_at(*spec: tuple[str, int, str]) -> list[Play]:
    return [a_play(id=pid, planned_at=T0 + dt.timedelta(minutes=minutes), village=village)
            for pid, minutes, village in spec]


def test_the_queue_hands_out_the_nearest_air_time_first_one_render_per_programme():
    queue = RenderQueue()
    queue.replace(plays_at(("late", 90, "wangmu"), ("soon", 5, "xiangle"), ("mid", 30, "pingrao"),
                           ("soon-again", 60, "xiangle")))
    taken = []
    while (job := queue.take(timeout=0)) is not None:
        taken.append((job.request.village, job.plays))
        queue.done(job)
    assert taken == [("xiangle", ["soon", "soon-again"]), ("pingrao", ["mid"]), ("wangmu", ["late"])]
    assert queue.idle()


def test_the_queue_knows_which_plays_are_on_the_way_and_wakes_who_waits():
    queue = RenderQueue()
    queue.replace(plays_at(("a", 5, "xiangle"), ("b", 10, "pingrao")))
    job = queue.take(timeout=0)
    queue.replace(plays_at(("b", 10, "pingrao")))  # a re-plan while "a" renders
    assert queue.rendering("a") and queue.rendering("b") and not queue.rendering("c")
    assert not queue.wait_rendered("a", timeout=0)
    woke = []
    waiter = threading.Thread(target=lambda: woke.append(queue.wait_rendered("a", timeout=30)))
    waiter.start()
    queue.done(job)
    waiter.join(30)
    assert woke == [True] and not queue.rendering("a") and queue.rendering("b")
    assert queue.waiters == 0


def test_a_request_is_the_play_s_programme_and_its_key_tells_programmes_apart():
    one = request_for(a_play(variables={"holiday": "春节"}))
    assert (one.script, one.village, one.programme, one.variables) == ("tiny", "xiangle", "quick", {"holiday": "春节"})
    assert one.key == request_for(a_play(id="other", variables={"holiday": "春节"})).key
    assert one.key != request_for(a_play(variables={"holiday": "国庆"})).key


def test_a_closed_queue_hands_out_nothing_and_releases_who_waits():
    queue = RenderQueue()
    queue.replace(plays_at(("a", 5, "xiangle")))
    queue.close()
    assert queue.take(timeout=0) is None and not queue.rendering("a")
    assert queue.wait_rendered("a", timeout=0)
