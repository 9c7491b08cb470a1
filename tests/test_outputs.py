"""Outputs with real players: `cp` and small Python scripts stand in for aplay/ffplay. A player is owned:
its whole process group is stopped, its stderr never blocks it, and a player left by a killed daemon is
found and stopped by the next one."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from outreach.deployment import OutputConfig
from outreach.outputs import (CommandOutput, Interrupted, NullOutput, OutputError, PlayerRecords, SpoolOutput,
                              build_output)

from daemon_helpers import gone, wait_for

WHEN = dt.datetime(2026, 3, 2, 7, 30, 5)


@pytest.fixture
def programme(tmp_path: Path) -> Path:
    path = tmp_path / "programme.mp3"
    path.write_bytes(b"ID3 a short programme")
    return path


def player(tmp_path: Path, body: str, setup: str = "") -> list[str]:
    """A Python 'player': runs setup, records its pid (it is now playing), then runs body (argv[1] is the file)."""
    script = tmp_path / "player.py"
    script.write_text(f"import os, signal, sys, time\n{setup}\n"
                      f"open({str(tmp_path / 'pid')!r}, 'w').write(str(os.getpid()))\n{body}\n")
    return [sys.executable, str(script), "{file}"]


def test_spool_copies_the_file_named_by_time_village_and_script(tmp_path, programme):
    out = SpoolOutput("spool", tmp_path / "spool")
    detail = out.play(programme, WHEN, "xiang le/村", "warn: elderly", threading.Event())
    target = tmp_path / "spool" / "20260302-073005_xiang_le_村_warn_elderly.mp3"
    assert detail == str(target) and target.read_bytes() == programme.read_bytes()
    assert [p.name for p in (tmp_path / "spool").iterdir()] == [target.name]  # no temporary file left


def test_command_runs_the_player_with_file_and_device(tmp_path, programme):
    copy = tmp_path / "played.mp3"
    out = CommandOutput("speaker", ["cp", "{file}", "{device}"], str(copy), timeout=30)
    assert out.play(programme, WHEN, "xiangle", "tiny", threading.Event()) == f"cp {programme} {copy}"
    assert copy.read_bytes() == programme.read_bytes()
    assert CommandOutput("x", ["aplay", "-D", "{device}", "{file}"], None, 1).command(programme) == [
        "aplay", "-D", "default", str(programme)]


def test_a_player_that_fails_or_is_missing_raises_with_its_words(tmp_path, programme):
    failing = CommandOutput("speaker", player(tmp_path, "sys.exit('no sound card')"), None, timeout=30)
    with pytest.raises(OutputError, match="exited with 1: no sound card"):
        failing.play(programme, WHEN, "xiangle", "tiny", threading.Event())
    with pytest.raises(OutputError, match="player 'no-such-player' is not installed"):
        CommandOutput("speaker", ["no-such-player", "{file}"], None, 30).play(
            programme, WHEN, "xiangle", "tiny", threading.Event())


def test_a_player_beyond_its_timeout_is_killed(tmp_path, programme):
    out = CommandOutput("speaker", player(tmp_path, "time.sleep(60)"), None, timeout=0.5)
    with pytest.raises(OutputError, match="did not finish within"):
        out.play(programme, WHEN, "xiangle", "tiny", threading.Event())
    assert gone(int((tmp_path / "pid").read_text()))


@pytest.mark.parametrize("setup", ["", "signal.signal(signal.SIGTERM, signal.SIG_IGN)"])
def test_a_stop_interrupts_the_player_even_one_that_ignores_sigterm(tmp_path, programme, setup):
    out = CommandOutput("speaker", player(tmp_path, "time.sleep(60)", setup), None, timeout=120)
    out.term_seconds = 0.5
    stop = threading.Event()
    started = tmp_path / "pid"

    def stop_once_playing() -> None:
        while not started.exists() or not started.read_text():
            threading.Event().wait(0.05)
        stop.set()

    threading.Thread(target=stop_once_playing, daemon=True).start()
    with pytest.raises(Interrupted, match="stopped while playing"):
        out.play(programme, WHEN, "xiangle", "tiny", stop)
    assert gone(int(started.read_text()))


HELPER = ("helper = subprocess.Popen([sys.executable, '-c', 'import signal, time; "
          "signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)'])\n"
          "open(sys.argv[1] + '.helper', 'w').write(str(helper.pid))")


def test_a_stop_ends_the_player_s_whole_process_group(tmp_path, programme):
    """A player that started a helper (which even ignores SIGTERM): both end when the daemon stops."""
    out = CommandOutput("speaker", player(tmp_path, "time.sleep(60)", "import subprocess\n" + HELPER), None, 120)
    out.term_seconds = 0.5
    stop = threading.Event()
    helper_file = Path(f"{programme}.helper")
    started = tmp_path / "pid"  # written after the helper file
    threading.Thread(target=lambda: wait_for(lambda: started.exists() and started.read_text(), 30) and stop.set(),
                     daemon=True).start()
    with pytest.raises(Interrupted):
        out.play(programme, WHEN, "xiangle", "tiny", stop)
    assert gone(int((tmp_path / "pid").read_text()))
    assert wait_for(lambda: gone(int(helper_file.read_text())), 30)  # SIGKILL is delivered, not awaited


def test_a_chatty_player_never_blocks_and_its_last_words_are_kept(tmp_path, programme):
    out = CommandOutput("speaker", player(tmp_path, "sys.stderr.write('x' * 1_000_000 + ' card 0 gone'); sys.exit(3)"),
                        None, timeout=60)
    with pytest.raises(OutputError, match=r"exited with 3: x+ card 0 gone$"):
        out.play(programme, WHEN, "xiangle", "tiny", threading.Event())


def test_a_player_left_by_a_killed_daemon_is_found_and_stopped(tmp_path, programme):
    records = PlayerRecords(tmp_path / "players")
    out = CommandOutput("speaker", player(tmp_path, "time.sleep(60)"), None, 120, records)
    ended: list[str] = []

    def play() -> None:  # stands in for the daemon that was killed: it never sees the end of its player
        try:
            out.play(programme, WHEN, "xiangle", "tiny", threading.Event())
        except OutputError as exc:
            ended.append(str(exc))

    playing = threading.Thread(target=play)
    playing.start()
    assert wait_for(lambda: (tmp_path / "pid").exists() and (tmp_path / "players" / "speaker.json").exists(), 30)
    orphan = int((tmp_path / "pid").read_text())
    assert records.reap_all() == [f"output speaker: stopped the orphaned player pid {orphan} "
                                  f"({' '.join(out.command(programme))})"]
    playing.join(30)
    assert wait_for(lambda: gone(orphan), 30) and not (tmp_path / "players" / "speaker.json").exists()
    assert ended == [f"{sys.executable} exited with -15"]
    stranger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:  # a record whose pid now belongs to another process (its start time differs): left alone
        (tmp_path / "players" / "speaker.json").write_text(f'{{"pid": {stranger.pid}, "start": 1, "argv": []}}')
        assert records.reap_all() == [] and not gone(stranger.pid)
    finally:
        stranger.kill()
        stranger.wait()


def test_null_output_plays_nothing(tmp_path, programme):
    assert NullOutput("dry-run").play(programme, WHEN, "xiangle", "tiny", threading.Event()) == \
        "dry run: programme.mp3 not played"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["programme.mp3"]


def test_build_output_by_type(tmp_path):
    spool = build_output("spool", OutputConfig(type="spool", folder="var/spool"), tmp_path)
    assert isinstance(spool, SpoolOutput) and spool.folder == tmp_path / "var" / "spool"
    absolute = build_output("s", OutputConfig(type="spool", folder=str(tmp_path / "elsewhere")), tmp_path / "root")
    assert absolute.folder == tmp_path / "elsewhere"
    command = build_output("speaker", OutputConfig(type="command", argv=["aplay", "{file}"], timeout=60), tmp_path)
    assert isinstance(command, CommandOutput) and (command.argv, command.timeout) == (["aplay", "{file}"], 60)
    assert isinstance(build_output("dry-run", OutputConfig(type="null"), tmp_path), NullOutput)
