"""gTTS with Google's service faked (see fakes.py): the audio it returns, and failures that leave nothing."""

import subprocess

import pytest

from outreach.media import probe
from outreach.speech import EngineError
from outreach.speech.chain import build_engine
from outreach.speech.gtts import GttsEngine

from fakes import GoogleTTSReplay
from speech.tiny_script import tiny_deployment


def test_gtts_success_writes_wav_and_failure_leaves_nothing(tmp_path, monkeypatch):
    deployment = tiny_deployment(tmp_path / "site")
    mp3 = tmp_path / "voice.mp3"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=0.5", str(mp3)],
                   check=True)
    GoogleTTSReplay(monkeypatch, mp3.read_bytes())
    engine = build_engine("gtts", deployment)
    out = tmp_path / "cache" / "seg.wav"
    engine.synthesize("你好", "cmn", out)
    assert probe(out)["duration"] == pytest.approx(0.5, abs=0.1)

    GoogleTTSReplay(monkeypatch, b"")
    sleeps: list[float] = []
    engine = GttsEngine(deployment.profile.speech.gtts, sleep=sleeps.append)
    empty = tmp_path / "cache" / "empty.wav"
    with pytest.raises(EngineError, match="gTTS failed after 3 tries"):
        engine.synthesize("你好", "cmn", empty)
    assert sleeps == [1.0, 2.0]
    assert not empty.exists() and sorted(p.name for p in empty.parent.iterdir()) == ["seg.wav"]
