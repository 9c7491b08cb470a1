"""Outputs with real players: `cp` and small Python scripts stand in for aplay/ffplay."""

from __future__ import annotations

import datetime as dt
import os
import sys
import threading
from pathlib import Path

import pytest

from outreach.deployment import OutputConfig
from outreach.outputs import CommandOutput, Interrupted, NullOutput, OutputError, SpoolOutput, build_output

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


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


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
