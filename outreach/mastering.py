"""A programme's sound: the timeline (chime, sentences, pauses, repeats) and its mastering.

pydub lays out the timeline. Mastering brings it to the loudness target under
the true-peak ceiling: ffmpeg's look-ahead limiter (``alimiter``) holds the
peaks while gain brings the level up, because plain gain to -16 LUFS pushes
espeak speech above 0 dBFS. The encoded file itself is measured at the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from outreach.deployment import ProgrammeConfig
from outreach.media import atomic_path, decode, ffmpeg, integrated_loudness, true_peak_db

if TYPE_CHECKING:
    from pydub import AudioSegment

LIMITER_HEADROOM_DB = 0.5
LOUDNESS_TOLERANCE_LU = 0.3
PEAK_MARGIN_DB = 0.1
LOWPASS_HZ = 8000


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


# -- timeline -------------------------------------------------------------------------

@dataclass(frozen=True)
class Timeline:
    """The laid-out programme, and when each sentence starts (seconds, once per repeat)."""

    audio: AudioSegment
    offsets: list[list[float]]

    @property
    def seconds(self) -> float:
        return round(len(self.audio) / 1000, 3)

    def samples(self) -> np.ndarray:
        return np.array(self.audio.get_array_of_samples(), dtype=np.float32) / 32768.0


def _load(path: Path, rate: int) -> AudioSegment:
    from pydub import AudioSegment

    return AudioSegment.from_file(path).set_channels(1).set_frame_rate(rate).set_sample_width(2)


def _silence(seconds: float, rate: int) -> AudioSegment:
    from pydub import AudioSegment

    return AudioSegment.silent(duration=int(seconds * 1000), frame_rate=rate).set_sample_width(2)


def lay_out(languages: list[list[Path]], programme: ProgrammeConfig, chime: Path | None,
            closing: Path | None) -> Timeline:
    """Chime, each language's sentences with their pauses, repeats, closing chime.

    ``offsets`` follow the sentences in order, language after language.
    """
    rate = programme.sample_rate
    timeline = _silence(0, rate)
    loaded = {path: _load(path, rate) for paths in languages for path in paths}
    offsets: list[list[float]] = [[] for paths in languages for _ in paths]
    if chime:
        timeline += _load(chime, rate) + _silence(programme.pause_after_chime, rate)
    for repeat in range(programme.repeats):
        if repeat:
            timeline += _silence(programme.repeat_pause, rate)
        index = 0
        for li, paths in enumerate(languages):
            if li:
                timeline += _silence(programme.language_pause, rate)
            for si, path in enumerate(paths):
                if si:
                    timeline += _silence(programme.sentence_pause, rate)
                offsets[index].append(round(len(timeline) / 1000, 3))
                timeline += loaded[path]
                index += 1
    if closing:
        timeline += _silence(programme.pause_after_chime, rate) + _load(closing, rate)
    return Timeline(timeline, offsets)


# -- mastering ------------------------------------------------------------------------

class Measured(NamedTuple):
    """The level of the encoded file, measured after it was written."""

    loudness_lufs: float
    true_peak_dbtp: float


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


def master(samples: np.ndarray, unit: np.ndarray, rate: int, programme: ProgrammeConfig, dst: Path) -> Measured:
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
    return Measured(round(loudness, 2), round(peak, 2))
