"""Fallback chains on real espeak-ng output: planning, voicing through the cache, failures."""

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
    assert (plan.engine, plan.cached) == ("espeak", False)
    assert [s.engine for s in plan.skipped] == ["clips"] and "no recording" in plan.skipped[0].reason
    assert chain.cache.stats().files == 0
    first = chain.voice(segment)
    assert (first.engine, first.cache_key, first.cached) == ("espeak", plan.cache_key, False)
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
    assert chain_for(deployment, engines={}).chains == {"cmn": ["clips", "espeak"], "pcc": ["clips"]}
    bouyei = chain_for(deployment, extra_engine="bouyei-espeak")
    assert bouyei.chains == {"cmn": ["clips", "espeak"], "pcc": ["clips", "bouyei-espeak"]}
    assert sorted(bouyei.engines) == ["bouyei-espeak", "clips", "espeak"]
    assert chain_for(deployment, engines={}, extra_engine="espeak").chains["cmn"] == ["clips", "espeak"]
    assert chain_for(deployment, engines={}, extra_engine="gtts").chains["cmn"] == ["clips", "gtts", "espeak"]
    with pytest.raises(ConfigError, match=r"unknown engine 'espaek' \(engines: clips, espeak"):
        chain_for(deployment, engines={}, extra_engine="espaek")
