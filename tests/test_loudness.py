"""The chunked meter against whole-signal references (pyloudnorm, full 4x oversampling), and the limiter."""

import numpy as np
import pyloudnorm
import pytest
from scipy.signal import firwin, upfirdn

from outreach.loudness import Meter, measure
from outreach.mastering import limit, master_samples

RATE = 22050


def _speechlike(seconds: float, seed: int = 1) -> np.ndarray:
    """Bursts of band-limited noise with pauses and a few sharp peaks (what a limiter and a meter meet)."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    noise = upfirdn(firwin(63, 0.3), rng.normal(size=n), up=1)[:n]
    envelope = (np.sin(np.arange(n) / RATE * 2 * np.pi * 0.7) > -0.2).astype(float)
    x = noise * envelope * 0.15
    x[rng.integers(0, n, 5)] = 0.95
    return x.astype(np.float32)


def _full_true_peak(x: np.ndarray) -> float:
    peak = max(np.abs(upfirdn(firwin(48, 0.25) * 4, x.astype(np.float64), up=4)).max(), np.abs(x).max())
    return 20 * np.log10(peak)


def test_chunked_meter_matches_whole_signal_references():
    x = _speechlike(12.0)
    level = measure(x, RATE, chunk_s=0.37)
    assert level.loudness_lufs == pytest.approx(pyloudnorm.Meter(RATE).integrated_loudness(x.astype(np.float64)),
                                                abs=0.02)
    assert level.true_peak_dbtp == pytest.approx(_full_true_peak(x), abs=0.01)


def test_the_result_does_not_depend_on_how_the_stream_is_cut():
    x = _speechlike(6.0, seed=2)
    ragged = Meter(RATE)
    for piece in np.array_split(x, [1, 13, 2205, 2206, 30000, 70001]):
        ragged.feed(piece)
    whole = measure(x, RATE, chunk_s=100)
    assert ragged.level().loudness_lufs == pytest.approx(whole.loudness_lufs, abs=1e-3)
    assert ragged.level().true_peak_dbtp == pytest.approx(whole.true_peak_dbtp, abs=1e-4)


def test_silence_has_no_loudness_and_a_short_sound_has_some():
    assert measure(np.zeros(RATE, dtype=np.float32), RATE).loudness_lufs == float("-inf")
    assert measure(np.zeros(0, dtype=np.float32), RATE).true_peak_dbtp == float("-inf")
    short = measure(_speechlike(0.3), RATE)
    assert -40 < short.loudness_lufs < 0


def test_limiter_holds_every_sample_under_the_ceiling_and_leaves_quiet_sound_alone():
    x = _speechlike(5.0, seed=3) * 4
    held = limit(x, -3.0, RATE)
    assert np.abs(held).max() <= 10 ** (-3 / 20) * (1 + 1e-6)
    quiet = np.abs(x) < 0.2 * 10 ** (-3 / 20)
    far = np.convolve(~quiet, np.ones(int(RATE * 0.05)), mode="same") == 0
    assert np.allclose(held[far], x[far])


def test_a_mastered_piece_sits_on_the_target_under_the_ceiling():
    x = _speechlike(8.0, seed=4) * 0.3
    out = master_samples(x, RATE, target=-16.0, ceiling=-1.0)
    assert pyloudnorm.Meter(RATE).integrated_loudness(out.astype(np.float64)) == pytest.approx(-16.0, abs=0.1)
    assert _full_true_peak(out) <= -1.9
