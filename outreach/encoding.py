"""A programme file from mastered pieces: laid end to end, encoded once, measured, corrected if it must be.

The pieces (``mastering``) stream as PCM a piece at a time, so memory does not
grow with the programme's length; the encoder and the meter behind it are in
``encoder``. A WAV programme is written and measured here, without an encoder.
A file that misses its target (rare: the pieces are already on it) is made
again with every piece corrected; the decision depends only on the file, so
the same programme always comes out with the same bytes.
"""

from __future__ import annotations

import wave
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from outreach.deployment import ProgrammeConfig
from outreach.encoder import encode_group, encode_measured
from outreach.loudness import Level, Meter
from outreach.mastering import limit, pcm16, read_mono
from outreach.media import atomic_path

LOUDNESS_TOLERANCE_LU = 0.5
PEAK_MARGIN_DB = 0.1
MAX_CORRECTIONS = 2
CHUNK_S = 2.0


@dataclass(frozen=True)
class Piece:
    """A mastered sound file, or a silence (``path`` None), ``samples`` long."""

    path: Path | None
    samples: int


@dataclass(frozen=True)
class Layout:
    """The programme as pieces in order, and when each sentence starts (seconds, once per repeat)."""

    pieces: tuple[Piece, ...]
    offsets: list[list[float]]
    rate: int

    @property
    def samples(self) -> int:
        return sum(p.samples for p in self.pieces)

    @property
    def seconds(self) -> float:
        return round(self.samples / self.rate, 3)


def frames(path: Path) -> int:
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes()


def lay_out(languages: list[list[Path]], programme: ProgrammeConfig, chime: Path | None,
            closing: Path | None) -> Layout:
    """Chime, each language's sentences with their pauses, repeats, closing chime (all mastered pieces).

    ``offsets`` follow the sentences in order, language after language.
    """
    rate = programme.sample_rate
    pieces: list[Piece] = []
    lengths = {path: frames(path) for paths in languages for path in paths}
    offsets: list[list[float]] = [[] for paths in languages for _ in paths]

    def add(path: Path | None, seconds: float = 0.0) -> None:
        count = lengths[path] if path in lengths else frames(path) if path else round(seconds * rate)
        if count:
            pieces.append(Piece(path, count))

    if chime:
        add(chime), add(None, programme.pause_after_chime)
    for repeat in range(programme.repeats):
        if repeat:
            add(None, programme.repeat_pause)
        index = 0
        for li, paths in enumerate(languages):
            if li:
                add(None, programme.language_pause)
            for si, path in enumerate(paths):
                if si:
                    add(None, programme.sentence_pause)
                offsets[index].append(round(sum(p.samples for p in pieces) / rate, 3))
                add(path)
                index += 1
    if closing:
        add(None, programme.pause_after_chime), add(closing)
    return Layout(tuple(pieces), offsets, rate)


@dataclass(frozen=True)
class Correction:
    """Gain and a lower limit applied to every piece when a file missed its target."""

    gain_db: float = 0.0
    limit_db: float | None = None

    @property
    def none(self) -> bool:
        return self.gain_db == 0.0 and self.limit_db is None


def pcm_chunks(layout: Layout, correction: Correction = Correction()) -> Iterator[bytes]:
    """The programme as 16-bit PCM, a piece (or a couple of seconds of it) at a time."""
    step = int(layout.rate * CHUNK_S)
    for piece in layout.pieces:
        if piece.path is None:
            for start in range(0, piece.samples, step):
                yield bytes(2 * min(step, piece.samples - start))
        elif correction.none:
            with wave.open(str(piece.path), "rb") as wav:
                while data := wav.readframes(step):
                    yield data
        else:
            samples = read_mono(piece.path, layout.rate) * np.float32(10 ** (correction.gain_db / 20))
            if correction.limit_db is not None:
                samples = limit(samples, correction.limit_db, layout.rate)
            yield pcm16(samples)


def _write_wav(layout: Layout, tmp: Path, correction: Correction) -> Level:
    meter = Meter(layout.rate)
    with wave.open(str(tmp), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(layout.rate)
        for chunk in pcm_chunks(layout, correction):
            meter.feed(np.frombuffer(chunk, dtype="<i2").astype(np.float32) / 32768.0)
            out.writeframes(chunk)
    return meter.level()


def _next_correction(level: Level, programme: ProgrammeConfig, previous: Correction) -> Correction | None:
    """None when the file is on target; else the gain (and lower limit) that brings it there."""
    ceiling = programme.true_peak - PEAK_MARGIN_DB
    off = programme.loudness - level.loudness_lufs
    peak_ok = level.true_peak_dbtp <= ceiling
    if peak_ok and (abs(off) <= LOUDNESS_TOLERANCE_LU or not np.isfinite(off)):
        return None
    gain = previous.gain_db + (off if np.isfinite(off) else 0.0)
    limit_db = previous.limit_db if previous.limit_db is not None else ceiling - 1.0
    if not peak_ok:
        limit_db -= level.true_peak_dbtp - ceiling + PEAK_MARGIN_DB
    return Correction(gain, limit_db)


def write_programme(layout: Layout, programme: ProgrammeConfig, dst: Path, made: Level | None = None) -> Level:
    """Write the programme file atomically and return its measured loudness and true peak.

    ``made``: the level of the uncorrected file, already written to ``dst`` (by ``write_programmes``).
    """
    correction, level = Correction(), made
    for _ in range(MAX_CORRECTIONS + 1):
        if level is None:
            with atomic_path(dst) as tmp:
                if programme.format == "mp3":
                    level = encode_measured(pcm_chunks(layout, correction), layout.samples, programme, tmp)
                else:
                    level = _write_wav(layout, tmp, correction)
        following = _next_correction(level, programme, correction)
        if following is None:
            break
        correction, level = following, None
    assert level is not None
    return level


def write_programmes(items: list[tuple[Layout, Path]], programme: ProgrammeConfig) -> list[Level]:
    """Several programmes of the same settings, with one encoder and one decoder for all of them.

    Same files and levels as ``write_programme`` one by one; only a file that
    misses its target is made again, alone, with its correction.
    """
    if programme.format != "mp3" or len(items) < 2:
        return [write_programme(layout, programme, dst) for layout, dst in items]
    with ExitStack() as stack:
        tmps = [stack.enter_context(atomic_path(dst)) for _, dst in items]
        chunks = (chunk for layout, _ in items for chunk in pcm_chunks(layout))
        levels = encode_group(chunks, [layout.samples for layout, _ in items], programme, tmps)
    return [write_programme(layout, programme, dst, made=level) for (layout, dst), level in zip(items, levels)]
