"""The neural Mandarin voice, with its real ONNX model on short sentences."""

from __future__ import annotations

import io
import json
import shutil
import wave
from pathlib import Path

import pytest

from outreach.deployment import EspeakConfig
from outreach.render import Mode, Segment, render
from outreach.speech import EngineError, EngineUnavailable
from outreach.speech.cache import AudioCache
from outreach.speech.chain import SpeechChain
from outreach.speech.espeak import EspeakEngine
from outreach.speech.neural import (
    MAX_CLAUSE_SYLLABLES, MODEL_FILES, SAMPLE_RATE, NeuralConfig, NeuralEngine, SymbolTable, front_end,
    packaged_model_dir,
)
from outreach.speech.segments import SpeechSegment, speech_segments

HOTLINE = ("j", "iou3", "#0", "l", "iou4", "#0", "^", "iao1", "#0", "^", "iao1", "#0", "l", "ing2")


@pytest.fixture(scope="session")
def engine() -> NeuralEngine:
    return NeuralEngine()


@pytest.fixture(scope="session")
def table() -> SymbolTable:
    return SymbolTable.load(packaged_model_dir() / "baker_mapper.json")


def _wav(path: Path) -> tuple[int, int, float]:
    with wave.open(io.BytesIO(path.read_bytes())) as w:
        return w.getnchannels(), w.getframerate(), w.getnframes() / w.getframerate()


def _model_copy(dst: Path, mapper_edit: dict | None = None, with_sums: bool = True) -> Path:
    """A model folder beside the packaged one: the ONNX files linked, the symbol table copied (and edited)."""
    dst.mkdir()
    src = packaged_model_dir()
    for name in MODEL_FILES:
        if name.endswith(".onnx"):
            (dst / name).symlink_to(src / name)
    mapper = json.loads((src / "baker_mapper.json").read_text(encoding="utf-8"))
    mapper.update(mapper_edit or {})
    (dst / "baker_mapper.json").write_text(json.dumps(mapper), encoding="utf-8")
    if with_sums:
        shutil.copyfile(src / "SHA256SUMS", dst / "SHA256SUMS")
    return dst


def test_same_text_gives_the_same_bytes(engine, tmp_path):
    text = "请拨打九六幺幺零咨询。"
    first, second, other = tmp_path / "a.wav", tmp_path / "b.wav", tmp_path / "c.wav"
    engine.synthesize(text, "cmn", first)
    engine.synthesize(text, "cmn", second)
    engine.synthesize("被骗了马上报警。", "cmn", other)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != other.read_bytes()
    channels, rate, seconds = _wav(first)
    assert (channels, rate) == (1, SAMPLE_RATE)
    assert 1.0 < seconds < 6.0


def test_a_clause_pause_lengthens_the_audio_by_its_setting(tmp_path):
    text = "乡亲们，大家好。"
    short, long = tmp_path / "short.wav", tmp_path / "long.wav"
    NeuralEngine(NeuralConfig(clause_pause=0.0)).synthesize(text, "cmn", short)
    NeuralEngine(NeuralConfig(clause_pause=1.0)).synthesize(text, "cmn", long)
    assert _wav(long)[2] - _wav(short)[2] == pytest.approx(1.0, abs=0.01)


def test_missing_model_folder_makes_the_engine_unavailable_with_the_reason(tmp_path):
    missing = tmp_path / "no-voice"
    engine = NeuralEngine(NeuralConfig(model_dir=missing))
    with pytest.raises(EngineUnavailable, match="no-voice.*lacks.*fastspeech2_quan.onnx"):
        engine.identity("大家好。", "cmn")
    with pytest.raises(EngineUnavailable):
        engine.synthesize("大家好。", "cmn", tmp_path / "out.wav")
    assert not (tmp_path / "out.wav").exists()


def test_a_damaged_model_file_makes_the_engine_unavailable(tmp_path):
    folder = _model_copy(tmp_path / "voice", mapper_edit={"processor_name": "edited"})
    engine = NeuralEngine(NeuralConfig(model_dir=folder))
    with pytest.raises(EngineUnavailable, match="baker_mapper.json does not match"):
        engine.identity("大家好。", "cmn")


def test_other_languages_are_refused(engine):
    with pytest.raises(EngineUnavailable, match="pcc"):
        engine.identity("Mengz ndil", "pcc")


def test_chain_falls_back_to_espeak_and_records_why(tmp_path):
    engines = {
        "neural": NeuralEngine(NeuralConfig(model_dir=tmp_path / "no-voice")),
        "espeak": EspeakEngine(EspeakConfig(), tmp_path / "espeak"),
    }
    chain = SpeechChain(engines, {"cmn": ["neural", "espeak"]}, AudioCache(tmp_path / "cache"))
    text = "请拨打幺幺零报警。"
    voiced = chain.voice(SpeechSegment("cmn", text, (Segment("cmn", text),)))
    assert voiced.engine == "espeak"
    assert [f.engine for f in voiced.fallbacks] == ["neural"]
    assert "no-voice" in voiced.fallbacks[0].reason and "lacks" in voiced.fallbacks[0].reason
    assert _wav(voiced.path)[2] > 0.5


def test_chain_uses_the_neural_voice_when_it_can(engine, tmp_path):
    chain = SpeechChain({"neural": engine}, {"cmn": ["neural"]}, AudioCache(tmp_path / "cache"))
    text = "大家好。"
    voiced = chain.voice(SpeechSegment("cmn", text, (Segment("cmn", text),)))
    assert (voiced.engine, voiced.fallbacks, _wav(voiced.path)[1]) == ("neural", (), SAMPLE_RATE)


def test_identity_follows_every_setting_and_the_model(engine, tmp_path):
    text = "大家好。"
    base = engine.identity(text, "cmn")
    assert NeuralEngine(NeuralConfig()).identity(text, "cmn") == base
    for change in ({"speed": 1.0}, {"threads": 1}, {"clause_pause": 0.5}, {"sentence_pause": 0.9}):
        assert NeuralEngine(NeuralConfig(**change)).identity(text, "cmn") != base, change
    other_model = _model_copy(tmp_path / "voice", mapper_edit={"processor_name": "edited"}, with_sums=False)
    assert NeuralEngine(NeuralConfig(model_dir=other_model)).identity(text, "cmn") != base


def test_identity_follows_the_reading_not_only_the_text(engine):
    assert engine.identity("银行", "cmn") != engine.identity("行走", "cmn")


def test_speech_mode_numbers_reach_the_front_end_as_han(shipped, catalog, engine):
    village = shipped.profile.village("xiangle")
    script = catalog.get("elderly")
    printed = render(script, "cmn", shipped.profile, village, mode=Mode.PRINT).text
    assert "96110" in printed
    segments = speech_segments(render(script, "cmn", shipped.profile, village, mode=Mode.SPEECH))
    hotline = next(s for s in segments if "九六幺幺零" in s.text)
    numbers = [c.symbols for c in engine.symbols(hotline.text) if c.number]
    assert numbers[0] == ("sil", *HOTLINE, "sil")


def test_a_number_read_digit_by_digit_is_its_own_slower_clause(table):
    clauses = front_end("请拨打九六幺幺零，二零二七年见。", table)
    assert [(c.number, c.stop) for c in clauses] == [(False, None), (True, ","), (False, ".")]
    assert clauses[1].symbols == ("sil", *HOTLINE, "sil")
    assert "n" in clauses[2].symbols and not clauses[2].number


@pytest.mark.parametrize(("token", "symbols"), [
    ("yao1", ["^", "iao1"]), ("wu3", ["^", "u3"]), ("wei4", ["^", "uei4"]), ("you3", ["^", "iou3"]),
    ("yu2", ["^", "v2"]), ("yuan2", ["^", "van2"]), ("yun4", ["^", "vn4"]), ("yue4", ["^", "ve4"]),
    ("er2", ["^", "er2"]), ("ang4", ["^", "ang4"]), ("n2", ["^", "en2"]),
    ("zhi1", ["zh", "iii1"]), ("ri4", ["r", "iii4"]), ("ci2", ["c", "ii2"]), ("si1", ["s", "ii1"]),
    ("ju2", ["j", "v2"]), ("xue2", ["x", "ve2"]), ("quan2", ["q", "van2"]), ("lv4", ["l", "v4"]),
    ("lve4", ["l", "ve4"]), ("nv3", ["n", "v3"]), ("lü3", ["l", "v3"]), ("liu4", ["l", "iou4"]),
    ("gui4", ["g", "uei4"]), ("dun1", ["d", "uen1"]), ("de5", ["d", "e5"]),
    ("huar1", ["h", "ua1", "er5"]), ("wanr2", ["^", "uan2", "er5"]),
])
def test_tricky_syllables_map_to_the_models_symbols(table, token, symbols):
    assert table.syllable(token) == symbols
    assert all(s in table.ids for s in symbols)


@pytest.mark.parametrize("token", ["xx3", "ni", "3", "qiar9x"])
def test_unreadable_tokens_are_an_engine_error(table, token):
    with pytest.raises(EngineError, match="neural voice"):
        table.syllable(token)


def test_clauses_split_at_pauses_with_silence_at_both_ends(table):
    clauses = front_end("你好，世界。再见！", table)
    assert [c.stop for c in clauses] == [",", ".", "!"]
    assert clauses[0].symbols == ("sil", "n", "i2", "#0", "h", "ao3", "sil")
    assert all(c.symbols[0] == c.symbols[-1] == "sil" for c in clauses)
    assert table.to_ids(clauses[0].symbols)[-1] == table.ids["eos"]


def test_a_long_run_without_punctuation_is_cut_into_model_sized_clauses(table):
    clauses = front_end("好" * (MAX_CLAUSE_SYLLABLES + 5), table)
    syllables = [sum(1 for s in c.symbols if s[-1].isdigit() and s[0] != "#") for c in clauses]
    assert syllables == [MAX_CLAUSE_SYLLABLES, 5]
    assert clauses[-1].stop == "."


def test_text_with_nothing_to_say_is_an_engine_error(engine):
    with pytest.raises(EngineError, match="nothing to say"):
        engine.identity("“”，。", "cmn")
