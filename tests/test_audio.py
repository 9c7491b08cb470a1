"""Audio tests on real espeak-ng and ffmpeg output; only Google's service is faked (see fakes.py)."""

import json
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from outreach.assemble import ProgrammeError, build_programme, make_chime, true_peak_db
from outreach.catalog import Catalog
from outreach.deployment import Deployment
from outreach.media import decode, probe
from outreach.speech import SpeechError, segment_key, speech_segments
from outreach.speech.chain import SpeechChain, build_engines, chain_for
from outreach.speech.gtts import GttsEngine
from outreach.render import Mode, render

from conftest import ROOT, copy_deployment, write_script
from fakes import CountingEngine, GoogleTTSReplay, OfflineHTTP

QUICK = """
  quick:
    languages: [cmn, pcc]
    chime: null
    closing_chime: null
    repeats: 1
    sentence_pause: 0.2
"""


def _copy(dst: Path) -> Deployment:
    return copy_deployment(dst, {"\nprogrammes:\n": "\nprogrammes:" + QUICK})


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


def _script(deployment, script_id):
    return Catalog.load(deployment.scripts_dir).get(script_id)


def _counting_chain(deployment):
    engines = {name: CountingEngine(e) for name, e in build_engines(deployment).items()}
    return chain_for(deployment, engines), engines


@pytest.fixture(scope="session")
def standard_programme(audio_deployment):
    """One real programme with the shipped 'standard' settings (chime, two repeats, mp3)."""
    d = audio_deployment
    return build_programme(d, _script(d, "elderly"), d.profile.village("wangmu"), "standard")


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
    audio_length, manifest_length = len(samples) / rate, standard_programme.manifest["duration_s"]
    assert abs(audio_length - manifest_length) < 0.2


def test_manifest_says_what_was_said_by_which_voice(standard_programme):
    m = json.loads(standard_programme.manifest_path.read_text(encoding="utf-8"))
    assert m["script"] == "elderly" and m["village"] == "wangmu" and m["languages"] == ["cmn"]
    assert "pcc" in m["omitted"] and "draft" in m["omitted"]["pcc"]
    assert m["approved"] is True and m["review"] == {"cmn": "approved"}
    assert all(s["engine"] == "espeak" and s["lang"] == "cmn" for s in m["segments"])
    assert all(len(s["offsets_s"]) == 2 for s in m["segments"])  # two repeats
    offsets = [s["offsets_s"][0] for s in m["segments"]]
    assert offsets == sorted(offsets) and offsets[0] > 1.0  # after the chime
    assert "九六幺幺零" in "".join(s["text"] for s in m["segments"])
    import hashlib
    assert m["content_hash"] == hashlib.sha256(standard_programme.path.read_bytes()).hexdigest()


def test_second_render_calls_no_engine_and_one_edit_resynthesises_one_sentence(small):
    script, village = _script(small, "tiny"), small.profile.village("xiangle")
    chain, engines = _counting_chain(small)
    first = build_programme(small, script, village, "quick", chain=chain)
    assert len(engines["espeak"].calls) == 3 and not first.reused
    again = build_programme(small, script, village, "quick", chain=chain)
    assert len(engines["espeak"].calls) == 3 and again.reused
    path = small.scripts_dir / "tiny" / "cmn.j2"
    path.write_text(path.read_text(encoding="utf-8").replace("不要转账。", "千万不要转账。"), encoding="utf-8")
    edited = build_programme(small, _script(small, "tiny"), village, "quick", chain=chain)
    assert engines["espeak"].calls[3:] == ["千万不要转账。"]
    assert not edited.reused and edited.manifest["content_hash"] != first.manifest["content_hash"]


def test_offline_gtts_falls_back_to_espeak_and_says_why(small, monkeypatch):
    http = OfflineHTTP(monkeypatch)
    profile = small.profile_path
    profile.write_text(profile.read_text(encoding="utf-8").replace("cmn: [clips, espeak]", "cmn: [gtts, espeak]"),
                       encoding="utf-8")
    small = Deployment(small.root)
    engines = build_engines(small)
    engines["gtts"].sleep = lambda s: None
    result = build_programme(small, _script(small, "tiny"), small.profile.village("xiangle"), "quick",
                             chain=chain_for(small, engines))
    segments = result.manifest["segments"]
    assert all(s["engine"] == "espeak" for s in segments)
    assert segments[0]["fallbacks"][0]["engine"] == "gtts"
    assert "ConnectionError" in segments[0]["fallbacks"][0]["reason"]
    assert "failed recently" in segments[1]["fallbacks"][0]["reason"]  # no waiting again on every sentence
    assert len(http.requests) == 3  # one try plus two retries, then it rests
    assert all(r["timeout"] == 10 for r in http.requests)


def test_gtts_success_writes_wav_and_failure_leaves_nothing(tmp_path, monkeypatch, small):
    mp3 = tmp_path / "voice.mp3"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=0.5", str(mp3)],
                   check=True)
    GoogleTTSReplay(monkeypatch, mp3.read_bytes())
    engine = build_engines(small)["gtts"]
    out = tmp_path / "cache" / "seg.wav"
    engine.synthesize("你好", "cmn", out)
    sine_length = probe(out)["duration"]
    assert sine_length == pytest.approx(0.5, abs=0.1)

    GoogleTTSReplay(monkeypatch, b"")
    sleeps = []
    engine = GttsEngine(small.profile.speech.gtts, sleep=sleeps.append)
    empty = tmp_path / "cache" / "empty.wav"
    with pytest.raises(Exception, match="gTTS failed after 3 tries"):
        engine.synthesize("你好", "cmn", empty)
    assert sleeps == [1.0, 2.0]
    assert not empty.exists() and sorted(p.name for p in empty.parent.iterdir()) == ["seg.wav"]


def test_unvoiceable_segment_is_an_error_naming_script_language_and_text(small):
    with pytest.raises(SpeechError, match=r"script 'tiny' cannot be voiced for village 'wangmu' \(1 segment\(s\)\): "
                                          r"no engine could voice 'Leeux boz ndil!' "
                                          r"\(clips: no recording clips/pcc/[0-9a-f]{16}\.wav \('Leeux boz ndil!'\)\)"):
        build_programme(small, _script(small, "tiny"), small.profile.village("wangmu"), "quick",
                        langs=["pcc"], allow_draft=True)


def test_draft_language_needs_allow_draft(small):
    with pytest.raises(ProgrammeError, match="pcc text is draft.*--allow-draft"):
        build_programme(small, _script(small, "tiny"), small.profile.village("wangmu"), "quick", langs=["pcc"])


def test_recorded_clip_beats_synthesis_and_mandarin_spans_use_the_mandarin_chain(small):
    script, village = _script(small, "tiny"), small.profile.village("wangmu")
    rendered = render(script, "pcc", small.profile, village, mode=Mode.SPEECH)
    segments = speech_segments(rendered)
    assert [(s.lang, s.text) for s in segments] == [("pcc", "Leeux boz ndil!"), ("cmn", "问 九六幺幺零.")]
    clip = small.audio_dir / "clips" / "pcc" / f"{segment_key('pcc', 'Leeux boz ndil!')}.wav"
    clip.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["espeak-ng", "-v", "vi", "-w", str(clip), "le ô bô đin"], check=True, capture_output=True)
    result = build_programme(small, script, village, "quick", langs=["pcc"], allow_draft=True)
    assert [(s["lang"], s["engine"]) for s in result.manifest["segments"]] == [("pcc", "clips"), ("cmn", "espeak")]
    assert result.manifest["approved"] is False and result.manifest["unapproved_languages"] == ["pcc"]


def test_failing_engine_leaves_no_cache_entry(small):
    class Broken:
        name = "broken"

        def identity(self, text, lang):
            return "v1"

        def synthesize(self, text, lang, out):
            from outreach.media import atomic_path
            with atomic_path(out) as tmp:
                tmp.write_bytes(b"RIFF half")
                raise OSError("disk pulled out")

    chain = chain_for(small)
    broken = SpeechChain({"broken": Broken()}, {"cmn": ["broken"]}, chain.cache)
    segment = speech_segments(render(_script(small, "tiny"), "cmn", small.profile, small.profile.villages[0],
                                     mode=Mode.SPEECH))[0]
    with pytest.raises(OSError):
        broken.voice(segment, "tiny")
    assert chain.cache.stats().files == 0
    assert not any(p.is_file() for p in chain.cache.root.rglob("*")) if chain.cache.root.exists() else True


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
