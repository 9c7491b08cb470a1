"""Fault injection, in-process: what must never end a broadcast silently.

A real full disk (a small tmpfs mounted on the state folder), a script.yaml saved half-way and a
template broken while the daemon runs (the real render worker), the scheduler's thread dying, a stop
mid-play and the replay after it, a play due the moment the daemon starts. Air time runs on the fake
clock (daemon_fakes); the play log, APScheduler, outputs, players and the worker are real. What only a
separate process can show (signals, SIGKILL, a second daemon) is in test_process.py.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest

from outreach.daemon import Daemon, Supervisor
from outreach.daemon.health import Heartbeat
from outreach.daemon.instance import InstanceLock
from outreach.outputs import SpoolOutput
from outreach.status import HEARTBEAT_FILE, daemon_state, read_heartbeat, status_summary
from outreach.worker import WorkerRenderer

from daemon_helpers import (fire_all, gone, in_thread, log_of, make_site, player_pids, spool, start_clock,
                            transitions, wait_for, write_plan)

SLOW = 30  # seconds a wait may take on a busy machine before the test gives up
SECOND = dt.timedelta(seconds=1)


def fill(folder: Path) -> Path:
    """Write zeros until the filesystem is full, to the last byte."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as out:
        for size in (65536, 4096, 1):
            try:
                while True:
                    out.write(b"\0" * size)
            except OSError:
                pass
    return filler


@pytest.fixture
def small_disk(tmp_path: Path):
    """The test site with its state folder on a 6 MB tmpfs, unmounted afterwards."""
    site = make_site(tmp_path)
    site.state_dir.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6M", "tmpfs", str(site.state_dir)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        why = f"mounting a tmpfs is not permitted here ({mounted.stderr.strip()}); the disk-full case needs one"
        if os.environ.get("CI"):
            pytest.fail(f"{why}: CI runs as root and must run it")
        pytest.skip(reason=why)
    try:
        yield site
    finally:
        subprocess.run(["umount", "-l", str(site.state_dir)], check=False)


def test_a_full_disk_keeps_plays_off_the_air_loudly_and_freeing_space_recovers(small_disk, renderer):
    """Within the grace the play log is retried (space freed in time: the play airs); past it, the play is
    missed, kept in memory and recorded once the disk takes writes. Meanwhile `status` says it cannot play."""
    site = small_disk
    clock = start_clock(site)
    times = write_plan(site, clock.now(), [(10, "xiangle", "tiny"), (20, "pingrao", "tiny")])
    lock, heartbeat = InstanceLock(site.state_dir), Heartbeat(site.state_dir / HEARTBEAT_FILE, 5)
    lock.acquire()
    daemon = Daemon(site, clock=clock, renderer=renderer)

    def status() -> tuple[str, tuple[str, ...]]:
        heartbeat.beat(clock.now(), daemon.health.problems())  # written in place: works on a full disk
        state = daemon_state(site.state_dir)
        return state.condition, state.problems

    try:
        daemon.start()
        daemon.render_pending()
        assert status()[0] == "running"  # the first beat sizes the heartbeat file, as the daemon's does at start
        first, second = (log_of(site)[rule] for rule in ("test-0", "test-1"))
        filler = fill(site.state_dir)
        clock.set(times["test-0"])
        playing = in_thread(daemon.player.play, first.id)  # the clock stands still: it retries
        assert wait_for(lambda: not daemon.health.can_play(), SLOW)
        condition, problems = status()
        assert condition == "cannot play" and f"the play log {site.state_dir}" in problems[0]
        filler.unlink()
        playing.join(SLOW)
        assert status()[0] == "running" and log_of(site)["test-0"].state == "played"
        filler = fill(site.state_dir)
        clock.set(times["test-1"])
        clock.step = SECOND  # every look at the clock is a second later: the grace runs out while retrying
        daemon.player.play(second.id)
        assert list(daemon.player.unrecorded) == [second.id] and status()[0] == "cannot play"
        filler.unlink()
        assert daemon.player.flush() == 0 and status()[0] == "running"
        plays = log_of(site)
        assert plays["test-1"].state == "missed"
        assert plays["test-1"].reason.startswith("not aired: the play log could not be read or written at air time")
        assert [p.name for p in spool(site)] == [Path(plays["test-0"].detail).name]
    finally:
        daemon.stop()
        heartbeat.close()
        lock.release()


def test_a_half_saved_script_or_a_broken_template_keeps_the_plays_and_their_last_good_programme(site, clock):
    times = write_plan(site, clock.now(), [(100, "xiangle", "tiny"), (200, "xiangle", "tiny")])
    worker = WorkerRenderer(site.root)
    first = Daemon(site, clock=clock, renderer=worker)
    first.start()
    first.render_pending()
    rendered = {rule: (p.programme_path, p.programme_hash) for rule, p in log_of(site).items()}
    assert all(p.ready for p in log_of(site).values())
    meta = site.scripts_dir / "tiny" / "script.yaml"
    good_meta = meta.read_text(encoding="utf-8")
    meta.write_text(good_meta[:good_meta.index("languages:")] + "languages:\n  cmn: {status: appr", encoding="utf-8")
    first.replan()
    first.render_pending()
    first.stop()
    again = Daemon(site, clock=clock, renderer=worker)  # a restart while the file is still broken
    again.start()
    again.render_pending()
    plays = log_of(site)
    assert {rule: (p.state, p.ready) for rule, p in plays.items()} == {
        "test-0": ("scheduled", True), "test-1": ("scheduled", True)}
    assert all("tiny/script.yaml:" in p.render_error for p in plays.values())
    problem = {p.kind: p.message for p in again.health.problems()}["script:tiny"]
    assert "tiny/script.yaml:" in problem and "its plays are kept" in problem
    meta.write_text(good_meta, encoding="utf-8")
    (site.scripts_dir / "tiny" / "cmn.j2").write_text("{{ village.name }的乡亲们", encoding="utf-8")
    again.replan()
    again.render_pending()
    summary = status_summary(site, limit=5, now=clock.now()).as_json()["horizon"]
    assert summary["ready"] == 2 and summary["not_ready"] == []
    assert [item["reason"] for item in summary["last_good"]] == [log_of(site)["test-0"].render_error] * 2
    assert "tiny/cmn.j2:1" in summary["last_good"][0]["reason"]
    assert "script:tiny" not in {p.kind for p in again.health.problems()}
    fire_all(again, clock)
    again.stop()
    worker.close()
    plays = log_of(site)
    assert {rule: p.state for rule, p in plays.items()} == {"test-0": "played", "test-1": "played"}
    assert {rule: (p.programme_path, p.programme_hash) for rule, p in plays.items()} == rendered
    assert sorted(p.planned_at for p in plays.values()) == sorted(times.values())


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_dead_scheduler_thread_ends_the_daemon_with_exit_code_1(site, renderer, monkeypatch, caplog):
    daemon = Daemon(site, renderer=renderer)
    supervisor = Supervisor(daemon, exit_after=SLOW, heartbeat_seconds=0.5, canary_seconds=0.2)

    def break_the_scheduler() -> None:
        assert wait_for(lambda: supervisor.render_thread is not None, SLOW)

        def fails() -> float:
            raise RuntimeError("injected: the scheduler's loop failed")

        monkeypatch.setattr(daemon.scheduler, "_process_jobs", fails)
        daemon.scheduler.wakeup()

    in_thread(break_the_scheduler)
    assert supervisor.run() == 1
    beat = read_heartbeat(site.state_dir / HEARTBEAT_FILE)
    assert beat.problems[0]["blocks_air"] and "the scheduler has stopped running jobs" in beat.problems[0]["message"]
    assert "exiting, so that the service manager restarts the daemon" in caplog.text


def test_a_play_stopped_mid_way_is_interrupted_its_player_group_ended_and_replayed_at_the_next_start(tmp_path,
                                                                                                      renderer):
    site = make_site(tmp_path, {"  replay_interrupted: false": "  replay_interrupted: true"})
    clock = start_clock(site)
    times = write_plan(site, clock.now(), [(10, "wangmu", "tiny")])  # wangmu: the slow player
    first = Daemon(site, clock=clock, renderer=renderer)
    first.start()
    first.render_pending()
    clock.set(times["test-0"])
    playing = in_thread(first.player.play, log_of(site)["test-0"].id)
    assert wait_for(lambda: len(player_pids(site)) == 2, SLOW)
    first.stop()  # what SIGTERM does
    playing.join(SLOW)
    assert log_of(site)["test-0"].state == "interrupted"
    assert wait_for(lambda: all(gone(pid) for pid in player_pids(site)), SLOW)
    clock.advance(2)
    again = Daemon(site, clock=clock, renderer=renderer)
    again.start()
    again.render_pending()
    again.player.configure({**again.player.outputs, "slow": SpoolOutput("slow", tmp_path / "replayed")}, again.grace)
    fire_all(again, clock)
    again.stop()
    play = log_of(site)["test-0"]
    assert play.state == "played" and Path(play.detail).parent == tmp_path / "replayed"
    assert transitions(site, play) == ["scheduled", "playing", "interrupted", "scheduled", "playing", "played"]


def test_a_play_due_as_the_daemon_starts_waits_for_its_render(site, clock, daemon, renderer):
    times = write_plan(site, clock.now(), [(5, "xiangle", "tiny")])
    renderer.hold("xiangle")
    clock.set(times["test-0"] + SECOND)  # the daemon starts just after the play's time
    daemon.start()
    in_thread(daemon.render_loop)
    assert renderer.holding.wait(SLOW)
    playing = in_thread(daemon.player.play, log_of(site)["test-0"].id)
    assert wait_for(lambda: daemon.queue.waiters == 1, SLOW)
    renderer.release()
    playing.join(SLOW)
    assert log_of(site)["test-0"].state == "played"


def test_the_daemon_moves_a_corrupt_play_log_aside_and_says_where(site, clock, renderer, caplog):
    site.state_dir.mkdir()
    (site.state_dir / "playlog.sqlite").write_bytes(b"not a database, whatever it was" * 100)
    daemon = Daemon(site, clock=clock, renderer=renderer)
    daemon.start()
    daemon.stop()
    kept = sorted(site.state_dir.glob("playlog.sqlite.corrupt-*"))
    assert [p.read_bytes()[:31] for p in kept] == [b"not a database, whatever it was"]
    assert f"moved it to {kept[0].name} and started a new one" in caplog.text
    assert daemon.playlog.query() == []

