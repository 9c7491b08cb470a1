"""Fallback chains on real engines (the shipped chain: recordings, the neural voice, espeak-ng): planning,
voicing through the cache, failures."""

from pathlib import Path

import pytest

from outreach.errors import ConfigError
from outreach.media import atomic_path
from outreach.speech import SpeechError
from outreach.speech.chain import SpeechChain, chain_for
from outreach.speech.engine import Engine

from speech.tiny_script import sentences, tiny_deployment


class Broken(Engine):
    """An engine whose disk fails half-way through writing (the failure cannot be had for real)."""

    name = "espeak"

    def __init__(self) -> None:
        self.partial: list[Path] = []

    def identity(self, text: str, lang: str) -> str:
        return "v1"

    def synthesize(self, text: str, lang: str, out: Path) -> None:
        with atomic_path(out) as tmp:
            tmp.write_bytes(b"RIFF half")
            self.partial.append(tmp)
            raise OSError("disk pulled out")


def test_plan_synthesises_nothing_and_voice_fills_the_cache_once(tmp_path):
    deployment = tiny_deployment(tmp_path)
    chain = chain_for(deployment)
    segment = sentences(deployment, "cmn")[-1]
    plan = chain.plan(segment)
    assert (plan.engine, plan.cached) == ("neural", False)
    assert [s.engine for s in plan.skipped] == ["clips"] and "no recording" in plan.skipped[0].reason
    assert chain.cache.stats().files == 0
    first = chain.voice(segment)
    assert (first.engine, first.cache_key, first.cached) == ("neural", plan.cache_key, False)
    assert first.path.stat().st_size > 44 and [f.engine for f in first.fallbacks] == ["clips"]
    assert chain.plan(segment).cached and chain.voice(segment).cached
    assert chain.cache.stats().files == 1


def test_failing_engine_leaves_no_cache_entry(tmp_path):
    deployment = tiny_deployment(tmp_path)
    cache = chain_for(deployment, engines={}).cache
    broken = Broken()
    chain = SpeechChain({"espeak": broken}, {"cmn": ["espeak"]}, cache)
    with pytest.raises(OSError, match="disk pulled out"):
        chain.voice(sentences(deployment, "cmn")[0])
    [partial] = broken.partial
    assert partial.parent == cache.path(cache.key("espeak", "v1", "cmn", sentences(deployment, "cmn")[0].text)).parent
    assert not partial.exists()
    assert [p for p in cache.root.rglob("*") if p.is_file()] == []


def test_no_engine_that_can_is_an_error_naming_every_reason(tmp_path):
    deployment = tiny_deployment(tmp_path)
    chain = chain_for(deployment)
    pcc = sentences(deployment, "pcc")[0]
    with pytest.raises(SpeechError, match=r"no engine could voice 'Leeux boz ndil!' \(clips: no recording "):
        chain.voice(pcc)
    empty = SpeechChain(chain.engines, {}, chain.cache)
    with pytest.raises(SpeechError, match="no engine is configured"):
        empty.voice(pcc)


def test_an_extra_engine_goes_after_the_recordings_in_its_languages(tmp_path):
    deployment = tiny_deployment(tmp_path)
    assert chain_for(deployment, engines={}).chains == {"cmn": ["clips", "neural", "espeak"], "pcc": ["clips"]}
    bouyei = chain_for(deployment, extra_engine="bouyei-espeak")
    assert bouyei.chains == {"cmn": ["clips", "neural", "espeak"], "pcc": ["clips", "bouyei-espeak"]}
    assert sorted(bouyei.engines) == ["bouyei-espeak", "clips", "espeak", "neural"]
    assert chain_for(deployment, engines={}, extra_engine="espeak").chains["cmn"] == ["clips", "espeak", "neural"]
    assert chain_for(deployment, engines={}, extra_engine="gtts").chains["cmn"] == ["clips", "gtts", "neural", "espeak"]
    with pytest.raises(ConfigError, match=r"unknown engine 'espaek' \(engines: clips, neural, espeak"):
        chain_for(deployment, engines={}, extra_engine="espaek")


@pytest.mark.parametrize("damage", [b"not audio at all\n", b"RIFF\x24\x00\x00\x00WAVEfmt "])
def test_a_damaged_recording_falls_back_to_the_next_engine(tmp_path, damage):
    """A recording that cannot be decoded is the clips engine's failure: the next engine voices the sentence."""
    deployment = tiny_deployment(tmp_path)
    segment = sentences(deployment, "cmn")[-1]
    recording = deployment.audio_dir / "clips" / "cmn" / f"{segment.key}.wav"
    recording.parent.mkdir(parents=True, exist_ok=True)
    recording.write_bytes(damage)
    voiced = chain_for(deployment).voice(segment)
    assert voiced.engine == "neural"
    [skipped] = voiced.fallbacks
    assert skipped.engine == "clips" and f"{segment.key}.wav is damaged" in skipped.reason
    assert "record it again" in skipped.reason


def test_a_damaged_recording_with_no_engine_after_it_is_an_error_naming_it(tmp_path):
    deployment = tiny_deployment(tmp_path)
    segment = sentences(deployment, "pcc")[0]
    recording = deployment.audio_dir / "clips" / "pcc" / f"{segment.key}.wav"
    recording.parent.mkdir(parents=True, exist_ok=True)
    recording.write_bytes(b"\x00" * 64)
    with pytest.raises(SpeechError, match=rf"clips: recording .*{segment.key}.wav is damaged"):
        chain_for(deployment).voice(segment)


def test_a_damaged_cache_entry_is_made_again_not_aired(tmp_path):
    deployment = tiny_deployment(tmp_path)
    chain = chain_for(deployment)
    segment = sentences(deployment, "cmn")[-1]
    first = chain.voice(segment)
    good = first.path.read_bytes()
    first.path.write_bytes(good[:30])
    again = chain.voice(segment)
    assert again.cached is False and again.path == first.path
    assert again.path.read_bytes()[:44] == good[:44] and len(again.path.read_bytes()) > 44
    assert chain.voice(segment).cached
