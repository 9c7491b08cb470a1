"""The daemon in-process: a fake clock, a fake renderer (the worker has its own tests), and the real
play log, APScheduler (in-memory job store), spool folder and player commands. Jobs are fired by calling what
APScheduler would call, at the time the job says, on the fake clock."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from outreach.daemon import Daemon
from outreach.outputs import CommandOutput

from daemon_fakes import GateOutput
from daemon_helpers import (BROKEN, GRACE, LATE, fire_all, in_thread, log_of, make_site, spool, start_clock,
                            transitions, wait_for, write_plan)


def test_plays_every_occurrence_exactly_once_and_the_log_agrees_with_the_spool(site, clock, daemon, renderer):
    times = write_plan(site, clock.now(), [(12, "xiangle", "tiny"), (13, "pingrao", "tiny"), (15, "xiangle", "tiny"),
                                           (16, "xiangle", "broken")])
    daemon.start()
    daemon.render_pending()
    plays = log_of(site)
    assert sorted((j.id, j.next_run_time) for j in daemon.scheduler.get_jobs()) == \
        sorted((plays[rule].id, at) for rule, at in times.items())
    assert len(renderer.requests) == 3  # the two xiangle/tiny plays share one programme
    fire_all(daemon, clock)
    fire_all(daemon, clock)  # a duplicate firing of every job changes nothing
    plays = log_of(site)
    assert {rule: p.state for rule, p in plays.items()} == {
        "test-0": "played", "test-1": "played", "test-2": "played", "test-3": "failed"}
    assert plays["test-3"].reason == BROKEN
    assert sorted(Path(p.detail) for p in plays.values() if p.state == "played") == spool(site)
    for rule, at in times.items():
        if plays[rule].state == "played":
            assert plays[rule].planned_at == at
            assert plays[rule].lateness_ms == 250
            assert f"{at:%Y%m%d-%H%M%S}" in Path(plays[rule].detail).name
            assert transitions(site, plays[rule]) == ["scheduled", "playing", "played"]


def test_a_play_that_cannot_start_within_the_grace_is_missed(site, clock, daemon):
    write_plan(site, clock.now(), [(10, "xiangle", "tiny")])
    daemon.start()
    daemon.render_pending()
    fire_all(daemon, clock, late=GRACE + dt.timedelta(seconds=1))
    play = log_of(site)["test-0"]
    assert play.state == "missed" and play.reason == "could start only 4 s late (grace 3 s)"
    assert spool(site) == []


def test_a_programme_changed_after_rendering_is_not_aired(site, clock, daemon):
    write_plan(site, clock.now(), [(10, "xiangle", "tiny")])
    daemon.start()
    daemon.render_pending()
    Path(log_of(site)["test-0"].programme_path).write_bytes(b"overwritten by something else")
    fire_all(daemon, clock)
    play = log_of(site)["test-0"]
    assert play.state == "failed" and "changed after it was prepared" in play.reason
    assert spool(site) == []


def test_a_programme_gone_or_never_rendered_fails_with_the_reason(site, clock, daemon):
    write_plan(site, clock.now(), [(10, "xiangle", "tiny"), (11, "pingrao", "tiny")])
    daemon.start()
    daemon.render_pending()
    Path(log_of(site)["test-0"].programme_path).unlink()
    daemon.playlog.set_render_error(log_of(site)["test-1"].id, "espeak-ng is not installed", clock.now())
    fire_all(daemon, clock)
    plays = log_of(site)
    assert (plays["test-0"].state, plays["test-0"].reason) == ("failed", "the programme was not rendered in time")
    assert (plays["test-1"].state, plays["test-1"].reason) == ("failed", "espeak-ng is not installed")


def test_an_unknown_output_fails_the_play(site, clock, daemon):
    now = clock.now()
    daemon.playlog.sync([{"id": "x1", "at": now, "village": "xiangle", "rule": "r", "script": "tiny",
                          "programme": "quick", "output": "nowhere"}], (now, now), now)
    daemon.queue.replace(daemon.playlog.query())
    daemon.render_pending()
    daemon.player.play("x1")
    play = daemon.playlog.get("x1")
    assert (play.state, play.reason) == ("failed", "unknown output 'nowhere'")


def test_an_output_busy_for_the_whole_grace_misses_the_next_play(site, clock, daemon):
    write_plan(site, clock.now(), [(10, "xiangle", "tiny"), (10, "pingrao", "tiny")])
    daemon.start()
    daemon.render_pending()
    gate = GateOutput(daemon.player.outputs["spool"])
    daemon.player.configure({**daemon.player.outputs, "spool": gate}, daemon.grace)
    first, second = (log_of(site)[rule] for rule in ("test-0", "test-1"))
    clock.set(first.planned_at)
    playing = in_thread(daemon.player.play, first.id)
    assert gate.entered.wait(10)
    clock.step = dt.timedelta(seconds=1)  # every look at the clock is a second later: the grace runs out
    daemon.player.play(second.id)
    gate.release()
    playing.join(10)
    plays = log_of(site)
    assert plays["test-0"].state == "played"
    assert (plays["test-1"].state, plays["test-1"].reason) == (
        "missed", "output 'spool' was busy for the whole grace time")


def test_a_failing_player_fails_the_play_and_a_stop_interrupts_it(site, clock, daemon):
    write_plan(site, clock.now(), [(10, "xiangle", "tiny"), (20, "wangmu", "tiny")])
    daemon.start()
    daemon.render_pending()
    failing = CommandOutput("spool", ["python3", "-c", "import sys; sys.exit('no sound card')", "{file}"], None, 10)
    daemon.player.configure({**daemon.player.outputs, "spool": failing}, daemon.grace)
    jobs = sorted(daemon.scheduler.get_jobs(), key=lambda j: j.next_run_time)
    clock.set(jobs[0].next_run_time)
    jobs[0].func(*jobs[0].args)
    clock.set(jobs[1].next_run_time)
    playing = in_thread(jobs[1].func, *jobs[1].args)
    assert wait_for(lambda: log_of(site)["test-1"].state == "playing", 10)
    daemon.stopping.set()
    playing.join(10)
    plays = log_of(site)
    assert plays["test-0"].state == "failed" and "exited with 1: no sound card" in plays["test-0"].reason
    assert (plays["test-1"].state, plays["test-1"].reason) == ("interrupted", "stopped while playing")


@pytest.mark.parametrize("replay", [False, True])
def test_a_restart_after_a_crash_settles_interrupted_and_missed_plays(tmp_path, replay, renderer):
    site = make_site(tmp_path, {"  replay_interrupted: false": f"  replay_interrupted: {str(replay).lower()}"})
    clock = start_clock(site)
    times = write_plan(site, clock.now(), [(10, "xiangle", "tiny"), (12, "pingrao", "tiny"), (14, "xiangle", "tiny"),
                                           (60, "xiangle", "tiny")])
    first = Daemon(site, clock=clock, renderer=renderer)
    first.start()
    first.render_pending()
    clock.set(times["test-0"])
    first.player.play(log_of(site)["test-0"].id)
    first.playlog.begin(log_of(site)["test-1"].id, times["test-1"], 0)  # cut off mid-play by a crash
    first.stop()
    clock.set(times["test-2"] + GRACE + dt.timedelta(seconds=5))
    again = Daemon(site, clock=clock, renderer=renderer)
    again.start()
    again.render_pending()
    fire_all(again, clock)
    again.stop()
    plays = log_of(site)
    assert {rule: p.state for rule, p in plays.items()} == {
        "test-0": "played", "test-1": "played" if replay else "interrupted", "test-2": "missed", "test-3": "played"}
    assert plays["test-2"].reason == "the daemon was not running at the planned time"
    assert transitions(site, plays["test-0"]) == ["scheduled", "playing", "played"]
    assert transitions(site, plays["test-1"]) == ["scheduled", "playing", "interrupted"] + (
        ["scheduled", "playing", "played"] if replay else [])
    assert len(spool(site)) == (3 if replay else 2)


def test_a_replan_follows_the_plan_and_keeps_the_last_good_plan_when_a_plan_file_breaks(site, clock, daemon, caplog):
    now = clock.now()
    write_plan(site, now, [(100, "xiangle", "tiny"), (200, "pingrao", "tiny")])
    daemon.start()
    daemon.render_pending()
    before = daemon.fingerprint()
    times = write_plan(site, now, [(150, "xiangle", "tiny")])  # test-0 moved, test-1 gone
    write_plan(site, now, [(300, "wangmu", "tiny")], name="more")
    assert daemon.fingerprint() != before
    daemon.replan()
    plays = log_of(site)
    assert plays["test-0"].planned_at == times["test-0"] and not plays["test-0"].ready
    assert plays["test-1"].state == "cancelled" and plays["more-0"].state == "scheduled"
    jobs = {j.id: j.next_run_time for j in daemon.scheduler.get_jobs()}
    assert jobs == {plays["test-0"].id: times["test-0"], plays["more-0"].id: plays["more-0"].planned_at}
    (site.root / "schedules" / "plans" / "more.yaml").write_text("rules: [", encoding="utf-8")  # saved half-way
    clock.advance(60)
    daemon.replan()
    assert "the plan cannot be read, planning with its last good version" in caplog.text
    assert "schedules/plans/more.yaml:1" in caplog.text  # file and line
    assert {j.id for j in daemon.scheduler.get_jobs()} == set(jobs)
    assert {p.rule: p.state for p in log_of(site).values()} == {
        "test-0": "scheduled", "test-1": "cancelled", "more-0": "scheduled"}
    assert [p.message for p in daemon.health.problems()] == [
        next(line for line in caplog.messages if "more.yaml" in line)]
    profile = site.profile_path.read_text(encoding="utf-8")
    site.profile_path.write_text(profile.replace("villages:\n", "villages: [\n", 1), encoding="utf-8")
    daemon.replan()
    assert {j.id for j in daemon.scheduler.get_jobs()} == set(jobs)
    assert "the profile cannot be read, planning with its last good version" in caplog.text
    assert {p.kind for p in daemon.health.problems()} == {"plan", "profile"}


def test_renders_nearest_air_time_first_and_once_per_programme(site, clock, daemon, renderer):
    write_plan(site, clock.now(), [(300, "xiangle", "tiny"), (60, "pingrao", "tiny"), (120, "wangmu", "tiny"),
                                   (30, "wangmu", "tiny")])
    daemon.start()
    daemon.render_pending()
    assert [r.village for r in renderer.requests] == ["wangmu", "pingrao", "xiangle"]
    assert all(p.ready for p in log_of(site).values())


@pytest.fixture
def rendering(daemon, renderer, site, clock):
    """A daemon whose render thread is busy with a slow programme (hongxing, due in 100 s) when a re-plan
    adds a play due in 10 s (xiangle) next to one queued earlier (pingrao, in 200 s)."""
    now = clock.now()
    write_plan(site, now, [(100, "hongxing", "tiny"), (200, "pingrao", "tiny")])
    renderer.hold("hongxing")
    daemon.start()
    thread = in_thread(daemon.render_loop)
    assert renderer.holding.wait(10)
    write_plan(site, now, [(10, "xiangle", "tiny")], name="soon")
    daemon.replan()
    clock.set(log_of(site)["soon-0"].planned_at + LATE)
    yield daemon
    renderer.release()
    daemon.stop()
    thread.join(10)


def test_a_play_due_while_its_render_is_queued_waits_for_it(rendering, renderer, site):
    soon = log_of(site)["soon-0"]
    playing = in_thread(rendering.player.play, soon.id)
    assert wait_for(lambda: rendering.queue.waiters == 1, 10)
    renderer.release()
    playing.join(10)
    assert log_of(site)["soon-0"].state == "played"
    assert wait_for(rendering.queue.idle, 10)
    # the re-plan queued hongxing again (what changed may be what it was rendering), behind the nearer xiangle
    assert [r.village for r in renderer.requests] == ["hongxing", "xiangle", "hongxing", "pingrao"]


def test_a_render_still_running_at_the_end_of_the_grace_fails_the_play(rendering, clock, site):
    soon = log_of(site)["soon-0"]
    playing = in_thread(rendering.player.play, soon.id)
    assert wait_for(lambda: rendering.queue.waiters == 1, 10)
    clock.advance(GRACE.total_seconds())
    playing.join(10)
    play = log_of(site)["soon-0"]
    assert play.state == "failed" and "still rendering at the end of the grace" in play.reason


def test_a_stop_while_waiting_for_a_render_leaves_the_play_scheduled(rendering, site):
    soon = log_of(site)["soon-0"]
    playing = in_thread(rendering.player.play, soon.id)
    assert wait_for(lambda: rendering.queue.waiters == 1, 10)
    rendering.stopping.set()
    playing.join(10)
    assert log_of(site)["soon-0"].state == "scheduled"


def test_a_job_the_scheduler_could_not_run_in_time_is_recorded_missed(site, clock, daemon):
    """Real APScheduler: a job whose run time is already beyond the misfire grace reports EVENT_JOB_MISSED."""
    then = clock.now() - dt.timedelta(seconds=30)
    daemon.playlog.sync([{"id": "x1", "at": then, "village": "xiangle", "rule": "r", "script": "tiny",
                          "programme": "quick", "output": "spool"}], (then, then), then)
    daemon.scheduler.start()
    daemon.schedule(daemon.playlog.get("x1"))
    assert wait_for(lambda: daemon.playlog.get("x1").state != "scheduled", 10)
    play = daemon.playlog.get("x1")
    assert (play.state, play.reason) == ("missed", "could start only 30 s late (grace 3 s)")


def test_a_changed_script_gets_a_fresh_worker_and_a_changed_plan_does_not(site, clock, daemon, renderer):
    now = clock.now()
    write_plan(site, now, [(100, "xiangle", "tiny")])
    daemon.start()
    daemon.render_pending()
    closes = renderer.closed
    write_plan(site, now, [(200, "pingrao", "tiny")], name="more")
    daemon.replan()
    daemon.render_pending()
    assert renderer.closed == closes
    (site.scripts_dir / "tiny" / "cmn.j2").write_text("{{ village.name }}的乡亲们，请注意。", encoding="utf-8")
    daemon.replan()
    daemon.render_pending()
    assert renderer.closed == closes + 1
