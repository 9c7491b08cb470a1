"""Loudspeaker programmes: chime, sentences, pauses, repeats, even loudness, manifest.

pydub lays out the timeline; pyloudnorm measures integrated loudness (ITU-R
BS.1770); ffmpeg's look-ahead limiter (``alimiter``) holds the true peak under
the ceiling while gain brings the programme to the target, because plain gain
to -16 LUFS pushes espeak speech above 0 dBFS. The programme file is written
atomically and its manifest (JSON beside it) last, so a finished manifest
means a finished programme.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from outreach.catalog import Script
from outreach.deployment import Deployment, ProgrammeConfig, Village
from outreach.errors import OutreachError
from outreach.media import atomic_path, decode, ffmpeg, write_atomic
from outreach.render import Mode, render
from outreach.speech import SpeechError, SpeechSegment, speech_segments
from outreach.speech.chain import SpeechChain, Voiced, chain_for, is_synthetic_bouyei

ASSEMBLER_VERSION = "1"
LIMITER_HEADROOM_DB = 0.5
LOUDNESS_TOLERANCE_LU = 0.3
PEAK_MARGIN_DB = 0.1
LOWPASS_HZ = 8000


class ProgrammeError(OutreachError):
    """A programme cannot be made (nothing approved to air, an unknown language...)."""


@dataclass(frozen=True)
class Programme:
    path: Path
    manifest_path: Path
    manifest: dict[str, Any]
    reused: bool


@dataclass(frozen=True)
class LanguagePlan:
    """What a programme will say in one language."""

    lang: str
    status: str
    segments: list[SpeechSegment]


def choose_languages(
    script: Script, village: Village, programme: ProgrammeConfig, langs: list[str] | None, allow_draft: bool
) -> tuple[list[str], dict[str, str]]:
    """The languages to air, and why any candidate was left out."""
    explicit = langs is not None
    candidates = langs if explicit else [lang for lang in programme.languages if lang in village.languages]
    chosen: list[str] = []
    omitted: dict[str, str] = {}
    for lang in candidates:
        if lang not in script.languages:
            if explicit:
                raise ProgrammeError(f"script '{script.id}' has no {lang} text")
            omitted[lang] = "the script has no text in this language"
            continue
        review = script.review(lang)
        if review.status != "approved" and not (allow_draft or programme.allow_draft):
            reason = f"{lang} text is {review.status}, not approved by a reviewer"
            if explicit:
                raise ProgrammeError(f"script '{script.id}': {reason} (use --allow-draft for a rehearsal)")
            omitted[lang] = reason
            continue
        chosen.append(lang)
    if not chosen:
        why = "; ".join(f"{k}: {v}" for k, v in omitted.items()) or "the village hears none of the programme's languages"
        raise ProgrammeError(f"script '{script.id}' has nothing to air in village '{village.id}' ({why})")
    return chosen, omitted


def plan_languages(
    deployment: Deployment, script: Script, village: Village, langs: list[str], overrides: dict[str, str] | None = None
) -> list[LanguagePlan]:
    profile = deployment.profile
    plans = []
    for lang in langs:
        rendered = render(script, lang, profile, village, overrides, Mode.SPEECH)
        plans.append(LanguagePlan(lang, rendered.status, speech_segments(rendered)))
    return plans


def voice_all(chain: SpeechChain, script_id: str, plans: list[LanguagePlan]) -> tuple[dict[str, list[Voiced]], list[str]]:
    """Voice every segment; every segment no engine can voice is reported, not just the first."""
    voiced: dict[str, list[Voiced]] = {}
    holes: list[str] = []
    for plan in plans:
        items = []
        for segment in plan.segments:
            try:
                items.append(chain.voice(segment, script_id))
            except SpeechError as exc:
                holes.append(str(exc).split(": ", 1)[-1])
        voiced[plan.lang] = items
    return voiced, holes


def make_chime(rate: int = 44100) -> np.ndarray:
    """A two-note 'ding-dong' (E5, C5) with soft harmonics and a bell-like decay, peak -6 dBFS."""
    out = []
    for freq, length in ((659.25, 0.75), (523.25, 1.1)):
        t = np.arange(int(rate * length)) / rate
        tone = sum(amp * np.sin(2 * np.pi * freq * k * t) for k, amp in ((1, 1.0), (2, 0.35), (3, 0.12), (4.2, 0.05)))
        envelope = np.minimum(t / 0.008, 1.0) * np.exp(-t * 3.2)
        out.append(tone * envelope)
    chime = np.concatenate(out)
    return (chime / np.abs(chime).max() * 10 ** (-6 / 20)).astype(np.float32)


def true_peak_db(samples: np.ndarray) -> float:
    """True peak (dBTP): 4x oversampling through a 48-tap interpolation filter, as ITU-R BS.1770-4 Annex 2."""
    from scipy.signal import firwin, upfirdn

    if samples.size == 0:
        return float("-inf")
    interpolated = upfirdn(firwin(48, 0.25) * 4, samples.astype(np.float64), up=4)
    peak = float(np.max(np.abs(interpolated)))
    return 20 * np.log10(peak) if peak > 0 else float("-inf")


def integrated_loudness(samples: np.ndarray, rate: int) -> float:
    import pyloudnorm

    return float(pyloudnorm.Meter(rate).integrated_loudness(samples.astype(np.float64)))


def _filters(gain_db: float, limit_db: float, lowpass_hz: int) -> str:
    """Band-limit, gain, then ffmpeg's look-ahead limiter."""
    limit = min(1.0, max(0.0625, 10 ** (limit_db / 20)))
    return (f"lowpass=f={lowpass_hz}:poles=2,volume={gain_db:.3f}dB,"
            f"alimiter=limit={limit:.5f}:attack=5:release=80:level=false")


def _ffmpeg_pipe(samples: np.ndarray, rate: int, filters: str, output: list[str]) -> bytes:
    return ffmpeg("-f", "f32le", "-ar", str(rate), "-ac", "1", "-i", "-", "-af", filters, "-ac", "1", *output,
                  input_bytes=samples.astype(np.float32).tobytes())


def _limit(samples: np.ndarray, rate: int, filters: str) -> np.ndarray:
    out = _ffmpeg_pipe(samples, rate, filters, ["-f", "f32le", "-ar", str(rate), "-"])
    return np.frombuffer(out, dtype=np.float32).copy()


def _encode(samples: np.ndarray, rate: int, filters: str, programme: ProgrammeConfig, dst: Path) -> None:
    codec = ["-c:a", "libmp3lame", "-b:a", programme.bitrate, "-f", "mp3"] if programme.format == "mp3" \
        else ["-c:a", "pcm_s16le", "-f", "wav"]
    with atomic_path(dst) as tmp:
        _ffmpeg_pipe(samples, rate, filters, [*codec, str(tmp)])


# How much the encoder changes measured loudness, learnt from the first file of each kind
# (LAME at 64 kbit/s takes about 0.4 LU off espeak speech), so later files need one encode.
_ENCODER_OFFSET: dict[tuple[str, str, int], float] = {}


def master(
    samples: np.ndarray, unit: np.ndarray, rate: int, programme: ProgrammeConfig, dst: Path
) -> dict[str, float]:
    """Bring the programme to its loudness target under its true-peak ceiling, encode, and measure the file.

    Gain and limit are found on ``unit`` (the programme with one repeat: the
    same level, a fraction of the work), then the whole programme is limited
    and encoded in one ffmpeg pass and the file itself is measured; if it
    misses (rare), it is corrected and encoded again.
    """
    target, ceiling = programme.loudness, programme.true_peak
    codec_key = (programme.format, programme.bitrate, rate)
    lowpass = min(LOWPASS_HZ, rate // 2 - 500)
    limit_db = ceiling - LIMITER_HEADROOM_DB
    aim = target - _ENCODER_OFFSET.get(codec_key, 0.0)
    gain = aim - integrated_loudness(unit, rate)
    for _ in range(3):
        before = integrated_loudness(_limit(unit, rate, _filters(gain, limit_db, lowpass)), rate)
        if abs(before - aim) <= LOUDNESS_TOLERANCE_LU / 2:
            break
        gain += aim - before
    for _ in range(3):
        _encode(samples, rate, _filters(gain, limit_db, lowpass), programme, dst)
        decoded, _ = decode(dst, rate)
        loudness, peak = integrated_loudness(decoded, rate), true_peak_db(decoded)
        _ENCODER_OFFSET[codec_key] = loudness - before
        if abs(loudness - target) <= LOUDNESS_TOLERANCE_LU and peak <= ceiling - PEAK_MARGIN_DB:
            break
        gain += target - loudness
        before += target - loudness
        if peak > ceiling - PEAK_MARGIN_DB:
            limit_db -= peak - ceiling + 2 * PEAK_MARGIN_DB
    return {"loudness_lufs": round(loudness, 2), "true_peak_dbtp": round(peak, 2)}


def _load(path: Path, rate: int):
    from pydub import AudioSegment

    return AudioSegment.from_file(path).set_channels(1).set_frame_rate(rate).set_sample_width(2)


def _silence(seconds: float, rate: int):
    from pydub import AudioSegment

    return AudioSegment.silent(duration=int(seconds * 1000), frame_rate=rate).set_sample_width(2)


def _samples(segment) -> np.ndarray:
    return np.array(segment.get_array_of_samples(), dtype=np.float32) / 32768.0


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _chime_path(deployment: Deployment, name: str | None) -> Path | None:
    if not name:
        return None
    path = deployment.root / name
    if not path.is_file():
        raise ProgrammeError(f"chime {name} not found in {deployment.root}")
    return path


def assemble(
    voiced: dict[str, list[Voiced]], programme: ProgrammeConfig, chime: Path | None, closing: Path | None
):
    """Lay out chime, languages, pauses and repeats; returns the pydub segment and each sentence's offsets."""
    rate = programme.sample_rate
    timeline = _silence(0, rate)
    offsets: dict[int, list[float]] = {}
    loaded = {id(item): _load(item.path, rate) for items in voiced.values() for item in items}
    if chime:
        timeline += _load(chime, rate) + _silence(programme.pause_after_chime, rate)
    for repeat in range(programme.repeats):
        if repeat:
            timeline += _silence(programme.repeat_pause, rate)
        for li, items in enumerate(voiced.values()):
            if li:
                timeline += _silence(programme.language_pause, rate)
            for si, item in enumerate(items):
                if si:
                    timeline += _silence(programme.sentence_pause, rate)
                offsets.setdefault(id(item), []).append(round(len(timeline) / 1000, 3))
                timeline += loaded[id(item)]
    if closing:
        timeline += _silence(programme.pause_after_chime, rate) + _load(closing, rate)
    return timeline, offsets


def programme_path(out_dir: Path, script: Script, village: Village, name: str, programme: ProgrammeConfig,
                   overrides: dict[str, str] | None = None, langs: list[str] | None = None,
                   draft: bool = False) -> Path:
    """One file per script, village, programme and set of variables (a holiday name, a term start);
    a chosen language or a draft rehearsal gets its own name, so it never replaces an approved programme."""
    suffix = ""
    if overrides:
        suffix += "." + hashlib.sha256(json.dumps(overrides, sort_keys=True).encode()).hexdigest()[:8]
    if langs:
        suffix += "." + "-".join(langs)
    if draft:
        suffix += ".draft"
    return out_dir / f"{script.id}.{village.id}.{name}{suffix}.{programme.format}"


def build_programme(
    deployment: Deployment,
    script: Script,
    village: Village,
    programme_name: str = "standard",
    langs: list[str] | None = None,
    out_dir: Path | None = None,
    allow_draft: bool = False,
    chain: SpeechChain | None = None,
    overrides: dict[str, str] | None = None,
    for_air: bool = False,
) -> Programme:
    """Render, voice, assemble and master one script for one village.

    ``for_air`` (the daemon) refuses a programme that a synthetic Bouyei voice
    would speak, unless the profile allows it.
    """
    profile = deployment.profile
    programme = profile.programme(programme_name)
    chosen, omitted = choose_languages(script, village, programme, langs, allow_draft)
    chain = chain or chain_for(deployment)
    plans = plan_languages(deployment, script, village, chosen, overrides)
    voiced, holes = voice_all(chain, script.id, plans)
    if holes:
        raise SpeechError(f"script '{script.id}' cannot be voiced for village '{village.id}' "
                          f"({len(holes)} segment(s)): " + " | ".join(holes))
    synthetic = sorted({v.segment.lang for items in voiced.values() for v in items
                        if is_synthetic_bouyei(chain.engines[v.engine])})
    if for_air and synthetic and not profile.speech.allow_synthetic_bouyei:
        raise ProgrammeError(f"script '{script.id}': {', '.join(synthetic)} would be spoken by a synthetic "
                             "approximation, which is not aired unless speech.allow_synthetic_bouyei is true")

    chime = _chime_path(deployment, programme.chime)
    closing = _chime_path(deployment, programme.closing_chime)
    inputs = {
        "assembler": ASSEMBLER_VERSION,
        "programme": programme.model_dump(),
        "segments": {lang: [v.cache_key for v in items] for lang, items in voiced.items()},
        "chimes": [_file_hash(p) if p else None for p in (chime, closing)],
    }
    inputs_hash = hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:16]
    out_dir = out_dir or deployment.state_dir / "programmes"
    draft = any(script.review(lang).status != "approved" for lang in chosen)
    path = programme_path(out_dir, script, village, programme_name, programme, overrides, langs, draft)
    manifest_path = path.with_suffix(path.suffix + ".json")
    existing = read_manifest(manifest_path)
    if existing and existing.get("inputs_hash") == inputs_hash and path.is_file() \
            and existing.get("content_hash") == _file_hash(path):
        return Programme(path, manifest_path, existing, reused=True)

    timeline, offsets = assemble(voiced, programme, chime, closing)
    unit, _ = assemble(voiced, programme.model_copy(update={"repeats": 1}), chime, closing)
    rate = programme.sample_rate
    measured = master(_samples(timeline), _samples(unit), rate, programme, path)
    reviews = {lang: script.review(lang).status for lang in chosen}
    manifest = {
        "script": script.id,
        "village": village.id,
        "programme": programme_name,
        "languages": chosen,
        "omitted": omitted,
        "review": reviews,
        "approved": all(status == "approved" for status in reviews.values()),
        "unapproved_languages": [lang for lang, status in reviews.items() if status != "approved"],
        "synthetic_approximation": synthetic,
        "segments": [
            {
                "lang": v.segment.lang,
                "text": v.segment.text,
                "key": v.segment.key,
                "engine": v.engine,
                "voice": v.identity,
                "cache_key": v.cache_key,
                "fallbacks": v.fallbacks,
                "synthetic_approximation": v.segment.lang in synthetic and is_synthetic_bouyei(chain.engines[v.engine]),
                "offsets_s": offsets.get(id(v), []),
            }
            for items in voiced.values() for v in items
        ],
        "duration_s": round(len(timeline) / 1000, 3),
        "sample_rate": rate,
        "channels": 1,
        "format": programme.format,
        "target": {"loudness_lufs": programme.loudness, "true_peak_dbtp": programme.true_peak},
        **measured,
        "inputs_hash": inputs_hash,
        "content_hash": _file_hash(path),
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
    write_atomic(manifest_path, json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8"))
    return Programme(path, manifest_path, manifest, reused=False)


def read_manifest(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
