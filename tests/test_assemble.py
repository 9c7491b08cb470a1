"""Programmes on real espeak-ng and ffmpeg output; only Google's service is faked (see fakes.py)."""

import json
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from outreach.assemble import ProgrammeError, ProgrammeRequest, build_programme, prepare, produce
from outreach.batch_audio import jobs_for, make_all
from outreach.catalog import Catalog
from outreach.deployment import Deployment
from outreach.manifest import Manifest
from outreach.mastering import make_chime
from outreach.media import decode, file_sha256, probe, true_peak_db
from outreach.speech import SpeechError
from outreach.speech.cache import AudioCache
from outreach.speech.chain import build_engines, chain_for
from outreach.speech.espeak import EspeakEngine
from outreach.speech.segments import segment_key

from conftest import ROOT, copy_deployment, write_script
from fakes import OfflineHTTP

QUICK = """
  quick:
    languages: [cmn, pcc]
    chime: null
    closing_chime: null
    repeats: 1
    sentence_pause: 0.2
"""


def _copy(dst: Path) -> Deployment:
    """The shipped deployment with a quick programme, Mandarin voiced by espeak-ng (fast, and countable here)."""
    return copy_deployment(dst, {"\nprogrammes:\n": "\nprogrammes:" + QUICK,
                                 "cmn: [clips, neural, espeak]": "cmn: [clips, espeak]"})


@pytest.fixture(scope="session")
def audio_deployment(tmp_path_factory) -> Deployment:
    return _copy(tmp_path_factory.mktemp("audio"))


@pytest.fixture
def small(tmp_path) -> Deployment:
    """A fresh deployment with a three-sentence script, so engine calls can be counted."""
    deployment = _copy(tmp_path)
    write_script(deployment, "tiny", {
        "cmn": "{{ village.name }}的乡亲们好。\n请拨打{{ hotline | phone }}。\n不要转账。",
        "pcc": "Leeux boz ndil! 问 {{ hotline | phone }}.",
    })
    return deployment


def _request(deployment: Deployment, village: str, programme: str = "quick", script: str = "tiny",
             **choices) -> ProgrammeRequest:
    return ProgrammeRequest(Catalog.load(deployment.scripts_dir).get(script), deployment.profile.village(village),
                            programme, **choices)


class CountingEspeak(EspeakEngine):
    """The real espeak-ng engine, counting what it synthesises (to prove cache hits)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.calls: list[str] = []

    def synthesize(self, text: str, lang: str, out: Path) -> None:
        self.calls.append(text)
        super().synthesize(text, lang, out)


@pytest.fixture(scope="session")
def standard_programme(audio_deployment):
    """One real programme with the shipped 'standard' settings (chime, two repeats, mp3)."""
    return build_programme(audio_deployment, _request(audio_deployment, "wangmu", "standard", script="elderly"))


def _ebur128(path: Path) -> tuple[float, float]:
    """Integrated loudness and true peak measured by ffmpeg's own EBU R128 meter (independent of ours)."""
    result = subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    )
    summary = result.stderr.rsplit("Summary:", 1)[1]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    peak = float(re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary.split("True peak:")[1]).group(1))
    return integrated, peak


def test_programme_meets_loudness_peak_and_format(standard_programme, audio_deployment):
    programme = audio_deployment.profile.programme("standard")
    info = probe(standard_programme.path)
    assert (info["codec"], info["sample_rate"], info["channels"]) == ("mp3", programme.sample_rate, 1)
    loudness, peak = _ebur128(standard_programme.path)
    assert abs(loudness - programme.loudness) <= 1.0
    assert peak < programme.true_peak
    samples, rate = decode(standard_programme.path)
    assert true_peak_db(samples) < programme.true_peak
    audio_length, manifest_length = len(samples) / rate, standard_programme.manifest.duration_s
    assert abs(audio_length - manifest_length) < 0.2


def test_manifest_says_what_was_said_by_which_voice(standard_programme):
    m = json.loads(standard_programme.manifest_path.read_text(encoding="utf-8"))
    assert m["script"] == "elderly" and m["village"] == "wangmu" and m["languages"] == ["cmn"]
    assert "pcc" in m["omitted"] and "draft" in m["omitted"]["pcc"]
    assert m["approved"] is True and m["review"] == {"cmn": "approved"} and m["unapproved_languages"] == []
    assert m["synthetic_approximation"] == []
    assert all(s["engine"] == "espeak" and s["lang"] == "cmn" for s in m["segments"])
    assert all(len(s["offsets_s"]) == 2 for s in m["segments"])  # two repeats
    offsets = [s["offsets_s"][0] for s in m["segments"]]
    assert offsets == sorted(offsets) and offsets[0] > 1.0  # after the chime
    assert "九六幺幺零" in "".join(s["text"] for s in m["segments"])
    assert m["content_hash"] == file_sha256(standard_programme.path)
    assert Manifest.read(standard_programme.manifest_path) == standard_programme.manifest


def test_second_render_calls_no_engine_and_one_edit_resynthesises_one_sentence(small):
    espeak = CountingEspeak.from_deployment(small)
    chain = chain_for(small, {**build_engines(small), "espeak": espeak})
    first = build_programme(small, _request(small, "xiangle"), chain)
    assert len(espeak.calls) == 3 and not first.reused
    again = build_programme(small, _request(small, "xiangle"), chain)
    assert len(espeak.calls) == 3 and again.reused and again.manifest == first.manifest
    path = small.scripts_dir / "tiny" / "cmn.j2"
    path.write_text(path.read_text(encoding="utf-8").replace("不要转账。", "千万不要转账。"), encoding="utf-8")
    edited = build_programme(small, _request(small, "xiangle"), chain)
    assert espeak.calls[3:] == ["千万不要转账。"]
    assert not edited.reused and edited.manifest.content_hash != first.manifest.content_hash


def test_prepare_says_what_will_be_voiced_and_synthesises_nothing(small):
    prepared = prepare(small, _request(small, "wangmu"))
    assert prepared.languages == ["cmn"] and "draft" in prepared.omitted["pcc"]
    assert prepared.path.name == "tiny.wangmu.quick.mp3" and not prepared.path.exists()
    rows = prepared.rows()
    assert [(r["lang"], r["engine"], r["cached"]) for r in rows[:3]] == [("cmn", "espeak", False)] * 3
    assert rows[3] == {"script": "tiny", "lang": "pcc", "omitted": prepared.omitted["pcc"]}
    assert [s[0] for s in rows[0]["skipped"]] == ["clips"]
    assert prepared.chain.cache.stats().files == 0
    made = produce(prepared)
    assert [s.cache_key for s in made.manifest.segments] == [p.cache_key for p in prepared.plans["cmn"]]
    assert all(r["cached"] for r in prepare(small, _request(small, "wangmu")).rows()[:3])


def test_offline_gtts_falls_back_to_espeak_and_says_why(small, monkeypatch):
    http = OfflineHTTP(monkeypatch)
    profile = small.profile_path
    profile.write_text(profile.read_text(encoding="utf-8").replace("cmn: [clips, espeak]", "cmn: [gtts, espeak]"),
                       encoding="utf-8")
    small = Deployment(small.root)
    engines = build_engines(small)
    engines["gtts"].sleep = lambda s: None
    segments = build_programme(small, _request(small, "xiangle"), chain_for(small, engines)).manifest.segments
    assert all(s.engine == "espeak" for s in segments)
    assert segments[0].fallbacks[0].engine == "gtts"
    assert "ConnectionError" in segments[0].fallbacks[0].reason
    assert "failed recently" in segments[1].fallbacks[0].reason  # no waiting again on every sentence
    assert len(http.requests) == 3  # one try plus two retries, then it rests
    assert all(r["timeout"] == 10 for r in http.requests)


def test_unvoiceable_segment_is_an_error_naming_script_language_and_text(small):
    with pytest.raises(SpeechError, match=r"script 'tiny' cannot be voiced for village 'wangmu' \(1 segment\(s\)\): "
                                          r"no engine could voice 'Leeux boz ndil!' "
                                          r"\(clips: no recording clips/pcc/[0-9a-f]{16}\.wav \('Leeux boz ndil!'\)\)"):
        build_programme(small, _request(small, "wangmu", langs=["pcc"], allow_draft=True))


def test_draft_language_needs_allow_draft(small):
    with pytest.raises(ProgrammeError, match="pcc text is draft.*--allow-draft"):
        build_programme(small, _request(small, "wangmu", langs=["pcc"]))


def test_recorded_clip_beats_synthesis_and_mandarin_spans_use_the_mandarin_chain(small):
    clip = small.audio_dir / "clips" / "pcc" / f"{segment_key('pcc', 'Leeux boz ndil!')}.wav"
    clip.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["espeak-ng", "-v", "vi", "-w", str(clip), "le ô bô đin"], check=True, capture_output=True)
    result = build_programme(small, _request(small, "wangmu", langs=["pcc"], allow_draft=True))
    assert [(s.lang, s.engine) for s in result.manifest.segments] == [("pcc", "clips"), ("cmn", "espeak")]
    assert result.manifest.approved is False and result.manifest.unapproved_languages == ["pcc"]
    assert result.path.name == "tiny.wangmu.quick.pcc.draft.mp3"


def test_synthetic_bouyei_is_opt_in_labelled_and_not_aired(small, run):
    code, out, err = run("audio", "tiny", "--village", "wangmu", "--lang", "pcc", "--engine", "bouyei-espeak",
                         "--programme", "quick", "--json", "--root", str(small.root))
    assert code == 0, err
    [result] = json.loads(out)
    assert result["synthetic_approximation"] == ["pcc"] and Path(result["path"]).stat().st_size > 0
    manifest = Manifest.read(Path(result["manifest"]))
    assert any(s.engine == "bouyei-espeak" and s.synthetic_approximation for s in manifest.segments)
    profile = small.profile_path
    profile.write_text(profile.read_text(encoding="utf-8").replace("pcc: [clips]", "pcc: [clips, bouyei-espeak]"),
                       encoding="utf-8")
    small = Deployment(small.root)
    with pytest.raises(ProgrammeError, match="synthetic approximation, which is not aired"):
        build_programme(small, _request(small, "wangmu", langs=["pcc"], allow_draft=True, for_air=True))


def test_chime_is_shipped_and_reproducible():
    samples, rate = decode(ROOT / "audio" / "chimes" / "standard.wav")
    fresh = make_chime(rate)
    assert len(samples) == len(fresh)
    assert np.max(np.abs(samples - fresh)) < 1e-3


def test_cli_audio_dry_run_and_cache_commands(small, run):
    root = str(small.root)
    code, out, _ = run("audio", "tiny", "--village", "xiangle", "--programme", "quick", "--dry-run", "--json",
                       "--root", root)
    assert code == 0
    rows = json.loads(out)
    assert [(r["engine"], r["cached"]) for r in rows] == [("espeak", False)] * 3
    code, out, err = run("audio", "tiny", "--village", "xiangle", "--programme", "quick", "--root", root)
    assert code == 0 and out.strip().endswith("tiny.xiangle.quick.mp3") and "LUFS" in err
    code, out, _ = run("audio", "tiny", "--village", "xiangle", "--programme", "quick", "--dry-run", "--json",
                       "--root", root)
    assert all(r["cached"] for r in json.loads(out))
    code, out, _ = run("cache", "stats", "--json", "--root", root)
    assert json.loads(out)["files"] == 3
    code, out, _ = run("cache", "prune", "--older-than", "30", "--root", root)
    assert "removed 0" in out
    code, out, _ = run("cache", "prune", "--all", "--root", root)
    assert "removed 3" in out
    code, _, err = run("audio", "tiny", "--village", "wangmu", "--lang", "pcc", "--root", root)
    assert code == 1 and "draft" in err and "Traceback" not in err


def test_wav_programme_meets_loudness_and_peak_without_an_encoder(small):
    profile = small.profile_path
    profile.write_text(profile.read_text(encoding="utf-8").replace("    sentence_pause: 0.2\n",
                                                                    "    sentence_pause: 0.2\n    format: wav\n", 1),
                       encoding="utf-8")
    small = Deployment(small.root)
    made = build_programme(small, _request(small, "xiangle"))
    assert made.path.suffix == ".wav" and probe(made.path)["codec"] == "pcm_s16le"
    loudness, peak = _ebur128(made.path)
    assert abs(loudness + 16) <= 1.0 and peak < -1.0
    assert abs(made.manifest.loudness_lufs - loudness) <= 0.2


def test_sentences_are_mastered_once_and_shared_by_every_programme(small):
    mastered = AudioCache.in_state(small.state_dir, "mastered")
    build_programme(small, _request(small, "xiangle"))
    assert mastered.stats().files == 3
    build_programme(small, _request(small, "hongxing"))
    assert mastered.stats().files == 4  # only the greeting naming the village is new
    loudness, peak = _ebur128(small.state_dir / "programmes" / "tiny.hongxing.quick.mp3")
    assert abs(loudness + 16) <= 1.0 and peak < -1.0


def test_a_programme_has_the_same_bytes_alone_and_in_the_parallel_batch(small, tmp_path):
    villages = ["xiangle", "wangmu", "hongxing", "baoshu"]
    outcomes = make_all(small.root, jobs_for(["tiny", "elderly"], villages, "quick"), workers=2)
    assert [o.error for o in outcomes] == [None] * 8
    assert {o.programme.path.parent for o in outcomes} == {small.state_dir / "programmes"}
    alone = tmp_path / "alone"
    for outcome in outcomes[::3]:
        made = build_programme(small, _request(small, outcome.job.village, script=outcome.job.script), out_dir=alone)
        assert not made.reused
        assert made.path.read_bytes() == outcome.programme.path.read_bytes()
        assert made.manifest.loudness_lufs == outcome.programme.manifest.loudness_lufs
    for outcome in outcomes:
        loudness, peak = _ebur128(outcome.programme.path)
        assert abs(loudness + 16) <= 1.0 and peak < -1.0


def test_cli_makes_every_village_in_parallel_and_names_what_failed(small, run):
    root = str(small.root)
    code, out, err = run("audio", "tiny", "--villages", "all", "--programme", "quick", "--json", "--root", root)
    assert code == 0, err
    made = json.loads(out)
    assert sorted(Path(r["path"]).name for r in made) == sorted(
        f"tiny.{v.id}.quick.mp3" for v in small.profile.villages)
    code, out, err = run("audio", "tiny", "--villages", "all", "--programme", "quick", "--lang", "pcc", "--root", root)
    assert code == 1 and "Traceback" not in err
    villages = len(small.profile.villages)
    assert f"{villages} of {villages} {'programme' if villages == 1 else 'programmes'} could not be made" in err
    code, _, err = run("audio", "tiny", "--village", "xiangle", "--villages", "all", "--root", root)
    assert code == 2 and "--village ID or --villages all" in err
