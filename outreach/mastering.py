"""Mastering, once per piece of sound: every sentence and chime is brought to the loudness target under the
true-peak ceiling on its own, and kept in the cache, so a programme is only those pieces end to end.

Why per piece: most sentences recur in programme after programme (the same
warning in 200 villages, the same chime in all), so their mastering is paid
once; what is left for a programme is laying pieces out and one encode
(``outreach.encoding``). A piece is band-limited for horn speakers, its gain set
from its BS.1770 loudness, and its peaks held 1 dB under the ceiling by a
look-ahead limiter, with the gain corrected until the limited piece sits on the
target. Pieces at the target make a programme at the target: pauses are
silence, which loudness gating leaves out. Everything here is deterministic, so
a piece (and a programme) has the same bytes whichever process makes it.
"""

from __future__ import annotations

import hashlib
import math
import wave
from pathlib import Path

import numpy as np

from outreach.deployment import ProgrammeConfig
from outreach.errors import Said, english
from outreach.i18n import N_
from outreach.loudness import loudness, measure
from outreach.media import MediaError, atomic_path, decode

MASTERING_VERSION = "3"
HEADROOM_DB = 1.0
"""Pieces peak this far under the ceiling: the MP3 encoder's error adds a little to true peaks."""
CODEC_LOSS_LU = {"mp3": 0.45, "wav": 0.0}
"""What the format's encoder takes off integrated loudness: LAME's masking removes about 0.45 LU of espeak
and neural speech (measured at 48 to 96 kbit/s as at 64), so pieces for MP3 programmes are mastered that
much louder. The file itself is measured, and corrected if it still misses."""
LOWPASS_HZ = 8000
LIMITER_REACH_S = 0.01
PIECE_TOLERANCE_LU = 0.05
MAX_PASSES = 6


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


# -- reading and writing pieces ------------------------------------------------------

def _read_wav(path: Path) -> tuple[np.ndarray, int]:
    """16-bit PCM WAV (what the engines and the recordings import write), without starting ffmpeg."""
    with wave.open(str(path), "rb") as wav:
        if wav.getsampwidth() != 2:
            raise wave.Error("not 16-bit")
        channels, rate = wav.getnchannels(), wav.getframerate()
        data = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(np.float32) / 32768.0
    return data.reshape(-1, channels).mean(axis=1, dtype=np.float32), rate


def read_mono(path: Path, rate: int) -> np.ndarray:
    """A sound file as mono float samples at ``rate``; anything but 16-bit WAV goes through ffmpeg."""
    from scipy.signal import resample_poly

    try:
        samples, source_rate = _read_wav(path)
    except (wave.Error, EOFError, ValueError):
        return decode(path, rate)[0]
    if source_rate == rate:
        return samples
    common = math.gcd(source_rate, rate)
    return resample_poly(samples, rate // common, source_rate // common).astype(np.float32)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def read_chime(path: Path, rate: int) -> np.ndarray:
    """A programme's chime; one that is not sound ffmpeg can decode is an error naming it, not a traceback."""
    try:
        return read_mono(path, rate)
    except (MediaError, OSError) as exc:
        kind = type(exc).__name__
        reason = Said(_first_line(str(english(exc))) or kind, _first_line(str(exc)) or kind)
        raise MediaError.said(N_("chime {path} is not a sound file that can be decoded ({reason}): "
                                 "replace it, or set the programme's chime to null"), path=path,
                              reason=reason) from None


def pcm16(samples: np.ndarray) -> bytes:
    """Samples as 16-bit little-endian PCM (rounded, clipped), the form pieces are kept and streamed in."""
    return np.clip(np.round(samples * 32768.0), -32768, 32767).astype("<i2").tobytes()


def write_wav(dst: Path, samples: np.ndarray, rate: int) -> None:
    with atomic_path(dst) as tmp, wave.open(str(tmp), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm16(samples))


# -- the limiter and a piece's mastering ----------------------------------------------

def limit(samples: np.ndarray, ceiling_db: float, rate: int) -> np.ndarray:
    """Hold every sample under the ceiling with a smooth gain that starts to fall 10 ms before a peak.

    The gain is the moving average of the moving minimum of the gain each sample
    needs, over the same window: so it never exceeds what any sample needs, and
    it changes over 20 ms rather than at once (no clicks, little distortion).
    """
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    ceiling = 10 ** (ceiling_db / 20)
    needed = np.minimum(1.0, ceiling / np.maximum(np.abs(samples), 1e-9)).astype(np.float32)
    if needed.min() >= 1.0:
        return samples
    width = 2 * max(1, round(rate * LIMITER_REACH_S)) + 1
    gain = uniform_filter1d(minimum_filter1d(needed, width, mode="nearest"), width, mode="nearest")
    return samples * np.minimum(gain, needed)


def lowpass(samples: np.ndarray, rate: int) -> np.ndarray:
    """Horn speakers carry nothing above a few kHz; what they cannot play only wastes level and bits."""
    from scipy.signal import butter, sosfilt

    sos = butter(2, min(LOWPASS_HZ, rate // 2 - 500), fs=rate, output="sos")
    return sosfilt(sos, samples).astype(np.float32)


def master_samples(samples: np.ndarray, rate: int, target: float, ceiling: float) -> np.ndarray:
    """The samples at ``target`` LUFS with true peaks under ``ceiling - HEADROOM_DB``.

    The limiter takes a little loudness off, so the gain is corrected until the
    limited result is on the target (a few passes over a short piece).
    """
    x = lowpass(samples, rate)
    level = loudness(x, rate)
    if not math.isfinite(level):
        return x
    peak_limit = ceiling - HEADROOM_DB
    sample_limit, gain = peak_limit, target - level
    out = x
    for _ in range(MAX_PASSES):
        out = limit(x * np.float32(10 ** (gain / 20)), sample_limit, rate)
        level = loudness(out, rate)
        gain += target - level
        if abs(level - target) > PIECE_TOLERANCE_LU:
            continue
        peak = measure(out, rate).true_peak_dbtp
        if peak <= peak_limit:
            break
        sample_limit -= peak - peak_limit
    return out


def piece_loudness(programme: ProgrammeConfig) -> float:
    """The loudness pieces are mastered to, so that the encoded programme lands on its target."""
    return programme.loudness + CODEC_LOSS_LU[programme.format]


def master_piece(src: Path, dst: Path, programme: ProgrammeConfig, chime: bool = False) -> Path:
    """Master one voiced sentence (or a chime) into ``dst``, a 16-bit WAV at the programme's rate."""
    rate = programme.sample_rate
    samples = read_chime(src, rate) if chime else read_mono(src, rate)
    write_wav(dst, master_samples(samples, rate, piece_loudness(programme), programme.true_peak), rate)
    return dst


def mastered_key(source: str, programme: ProgrammeConfig) -> str:
    """The cache key of a mastered piece: its source (a voiced segment's key, a chime's hash) and the level."""
    what = "\x1f".join((MASTERING_VERSION, source, str(programme.sample_rate), f"{piece_loudness(programme):.2f}",
                        f"{programme.true_peak:.2f}"))
    return hashlib.sha256(what.encode("utf-8")).hexdigest()[:32]
