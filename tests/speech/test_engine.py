"""The engine interface and the registry: every engine the profile, the chain and the CLI know comes from it."""

import pytest

from outreach.deployment import Deployment
from outreach.errors import ConfigError
from outreach.speech import EngineUnavailable
from outreach.speech.chain import build_engine, build_engines
from outreach.speech.engine import Engine
from outreach.speech.registry import ENGINES, EngineSpec, engine_names, extra_engine_names

from conftest import copy_deployment
from speech.tiny_script import sentences, tiny_deployment


def test_every_registered_engine_builds_under_its_own_name(shipped):
    engines = build_engines(shipped)
    assert list(engines) == engine_names() == list(ENGINES)
    for name, engine in engines.items():
        assert isinstance(engine, Engine) and engine.name == name
        assert engine.languages == ENGINES[name].languages
        assert engine.synthetic_approximation == ENGINES[name].synthetic_approximation
    assert [n for n in engine_names() if engines[n].synthetic_approximation] == ["bouyei-espeak"]


def test_recordings_are_not_an_extra_voice():
    assert "clips" in engine_names() and "clips" not in extra_engine_names()
    assert set(extra_engine_names()) == set(engine_names()) - {"clips"}


def test_a_registry_entry_that_is_not_an_engine_is_refused(shipped, monkeypatch):
    monkeypatch.setitem(ENGINES, "fake", EngineSpec("fake", "outreach.speech.segments:SpeechSegment"))
    with pytest.raises(TypeError, match=r"'fake' \(outreach.speech.segments:SpeechSegment\) is not"):
        build_engine("fake", shipped)


def test_the_profile_accepts_only_registered_engines(tmp_path):
    deployment = copy_deployment(tmp_path, {"cmn: [clips, neural, espeak]": "cmn: [clips, neural, espaek]"})
    with pytest.raises(ConfigError) as info:
        Deployment(deployment.root).profile
    message = str(info.value)
    assert "speech.chains.cmn[2]: unknown engine 'espaek'" in message
    assert all(name in message for name in engine_names())


def test_an_engine_refuses_a_language_it_does_not_speak(tmp_path):
    deployment = tiny_deployment(tmp_path)
    espeak = build_engine("espeak", deployment)
    with pytest.raises(EngineUnavailable, match="espeak speaks cmn, not pcc"):
        espeak.identity("Leeux boz ndil!", "pcc")
    with pytest.raises(EngineUnavailable, match="bouyei-espeak speaks pcc, not cmn"):
        build_engine("bouyei-espeak", deployment).identity("不要转账。", "cmn")


def test_segment_methods_default_to_the_text_methods(tmp_path):
    deployment = tiny_deployment(tmp_path)
    espeak = build_engine("espeak", deployment)
    segment = sentences(deployment, "cmn")[-1]
    assert espeak.identity_segment(segment) == espeak.identity(segment.text, "cmn")
    espeak.synthesize_segment(segment, tmp_path / "segment.wav")
    espeak.synthesize(segment.text, "cmn", tmp_path / "text.wav")
    assert (tmp_path / "segment.wav").read_bytes() == (tmp_path / "text.wav").read_bytes()
