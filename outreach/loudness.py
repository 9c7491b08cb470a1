"""Loudness (ITU-R BS.1770 integrated, gated) and true peak, measured chunk by chunk.

A programme is measured as it streams past (decoded from the encoder's own
output), so memory does not grow with its length: the K-weighting filters
carry their state between chunks and only 100 ms sub-block energies are kept
(ten floats a second). The K-weighting is pyloudnorm's own filter design, and
the gating gives the value pyloudnorm gives for the whole file at once.

True peak is 4x oversampling through a 48-tap interpolation filter (BS.1770-4
Annex 2). Most of a programme cannot hold the peak: the filter's gain bounds
what any interpolated value near a sample can reach, so only the windows that
could beat the peak found so far are interpolated; the value is the same as
interpolating everything.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import NamedTuple

import numpy as np

OVERSAMPLING = 4
TAPS = 48
ABSOLUTE_GATE_LUFS = -70.0
RELATIVE_GATE_LU = -10.0
SUB_BLOCK_S = 0.1
SUB_BLOCKS_PER_BLOCK = 4


class Level(NamedTuple):
    """Integrated loudness (LUFS; -inf for silence) and true peak (dBTP)."""

    loudness_lufs: float
    true_peak_dbtp: float


@lru_cache(maxsize=8)
def _k_weighting(rate: int) -> tuple[np.ndarray, float]:
    """pyloudnorm's K-weighting stages at ``rate`` as second-order sections (one filter call), and their gain."""
    import pyloudnorm

    stages = list(pyloudnorm.Meter(rate)._filters.values())
    sections = [np.concatenate([stage.b / stage.a[0], stage.a / stage.a[0]]) for stage in stages]
    return np.vstack(sections).astype(np.float32), float(np.prod([stage.passband_gain for stage in stages]))


@lru_cache(maxsize=1)
def _phases() -> tuple[np.ndarray, float]:
    """The interpolation filter as a matrix (a column a phase, a row a sample, oldest first), and its worst gain."""
    from scipy.signal import firwin

    h = firwin(TAPS, 1 / OVERSAMPLING) * OVERSAMPLING
    phases = h.reshape(TAPS // OVERSAMPLING, OVERSAMPLING)[::-1].astype(np.float32)
    return phases, float(np.abs(phases).sum(axis=0).max())


def _window_peak(history: np.ndarray, chunk: np.ndarray, floor: float) -> float:
    """The largest interpolated value after the chunk's samples, where it could exceed ``floor``.

    ``history`` holds the samples before the chunk that its first interpolations need. The sums are
    written out tap by tap: a BLAS product would start threads that fight the encoder for the cores.
    """
    phases, gain = _phases()
    span = phases.shape[0]
    ext = np.concatenate([history, chunk])
    blocks = -(-ext.size // span)
    block_max = np.zeros(blocks * span, dtype=np.float32)
    block_max[:ext.size] = np.abs(ext)
    block_max = block_max.reshape(blocks, span).max(axis=1)
    reach = np.maximum(block_max, np.concatenate([[0.0], block_max[:-1]])) * gain
    starts = (np.flatnonzero(reach > floor)[:, None] * span + np.arange(1 - span, 1)).ravel()
    starts = starts[(starts >= 0) & (starts + span <= ext.size)]
    if starts.size == 0:
        return floor
    interpolated = np.zeros((starts.size, phases.shape[1]), dtype=np.float32)
    for tap in range(span):
        interpolated += ext[starts + tap][:, None] * phases[tap]
    return max(floor, float(np.abs(interpolated).max()))


class Meter:
    """Feed mono float samples in any chunking; ``level()`` is the whole stream's loudness and true peak."""

    def __init__(self, rate: int, peaks: bool = True) -> None:
        self.rate, self.peaks = rate, peaks
        self._step = round(rate * SUB_BLOCK_S)
        self._sos, self._gain = _k_weighting(rate)
        self._state = np.zeros((self._sos.shape[0], 2), dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)
        self._energies: list[np.ndarray] = []
        self._history = np.zeros(TAPS // OVERSAMPLING, dtype=np.float32)
        self._peak = 0.0
        self.samples = 0

    def feed(self, chunk: np.ndarray) -> None:
        from scipy.signal import sosfilt

        x = np.asarray(chunk, dtype=np.float32).ravel()
        if x.size == 0:
            return
        self.samples += x.size
        if self.peaks:
            self._peak = _window_peak(self._history, x, max(self._peak, float(np.abs(x).max())))
            self._history = np.concatenate([self._history, x])[-self._history.size:]
        weighted, self._state = sosfilt(self._sos, x, zi=self._state)
        weighted = np.concatenate([self._pending, weighted * np.float32(self._gain)])
        whole = weighted.size // self._step * self._step
        if whole:
            self._energies.append(np.square(weighted[:whole], dtype=np.float64).reshape(-1, self._step).sum(axis=1))
        self._pending = weighted[whole:]

    def loudness(self) -> float:
        sub = np.concatenate(self._energies) if self._energies else np.zeros(0)
        if sub.size < SUB_BLOCKS_PER_BLOCK:
            return _short_loudness(sub, self._pending, self._step)
        blocks = sum(sub[i:sub.size - SUB_BLOCKS_PER_BLOCK + 1 + i] for i in range(SUB_BLOCKS_PER_BLOCK))
        blocks = blocks / (SUB_BLOCKS_PER_BLOCK * self._step)
        return _gated(blocks)

    def true_peak(self) -> float:
        peak = _window_peak(self._history, np.zeros(self._history.size), self._peak)
        return 20 * math.log10(peak) if peak > 0 else float("-inf")

    def level(self) -> Level:
        return Level(self.loudness(), self.true_peak())


def _lufs(mean_square: float | np.ndarray) -> float | np.ndarray:
    with np.errstate(divide="ignore"):
        return -0.691 + 10 * np.log10(mean_square)


def _gated(blocks: np.ndarray) -> float:
    loud = _lufs(blocks)
    above = blocks[loud > ABSOLUTE_GATE_LUFS]
    if above.size == 0:
        return float("-inf")
    relative = float(_lufs(above.mean())) + RELATIVE_GATE_LU
    kept = blocks[(loud > ABSOLUTE_GATE_LUFS) & (loud > relative)]
    return float(_lufs(kept.mean()))


def _short_loudness(sub: np.ndarray, pending: np.ndarray, step: int) -> float:
    """Shorter than one 400 ms block: the K-weighted mean square of what there is (ungated)."""
    count = sub.size * step + pending.size
    if count == 0:
        return float("-inf")
    energy = float(sub.sum() + np.square(pending).sum()) / count
    return float(_lufs(energy)) if energy > 0 else float("-inf")


def _metered(samples: np.ndarray, rate: int, chunk_s: float, peaks: bool) -> Meter:
    meter = Meter(rate, peaks)
    step = max(1, int(rate * chunk_s))
    for start in range(0, len(samples), step):
        meter.feed(samples[start:start + step])
    return meter


def measure(samples: np.ndarray, rate: int, chunk_s: float = 10.0) -> Level:
    """Loudness and true peak of samples already in memory, in chunks (no oversampled copy of the whole)."""
    return _metered(samples, rate, chunk_s, peaks=True).level()


def loudness(samples: np.ndarray, rate: int, chunk_s: float = 10.0) -> float:
    """Integrated loudness alone (a third of ``measure``'s work), for loops that need the true peak only at the end."""
    return _metered(samples, rate, chunk_s, peaks=False).loudness()
