"""Tone table of the synthetic Bouyei voice (bouyei-espeak): measured F0 against the target contours.

For each of the 8 tones, test syllables (ma-, na-, la- + tone letter; stop
finals for 7 and 8) are synthesised with the real engine, F0 is extracted with
Praat (parselmouth), and the start and end pitch (median of the first and last
quarter of the voiced frames) are mapped onto a 1-5 Chao scale spanning the
voice's measured range. Checks: direction (rise/fall/level) of the six open
tones, their order of height, and that tones 1 (24) and 5 (35) are apart.

    .venv/bin/python benchmarks/bouyei_tones.py
"""

from __future__ import annotations

import math
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from outreach.deployment import Deployment  # noqa: E402
from outreach.languages.bouyei import TONE_CONTOURS  # noqa: E402
from outreach.speech.bouyei_espeak import BouyeiEspeakEngine  # noqa: E402

SYLLABLES = {
    1: ["mal", "nal", "lal"], 2: ["maz", "naz", "laz"], 3: ["mac", "nac", "lac"], 4: ["max", "nax", "lax"],
    5: ["mas", "nas", "las"], 6: ["mah", "nah", "lah"], 7: ["madt", "nadt", "ladt"], 8: ["mad", "nad", "lad"],
}


def contour(path: Path) -> tuple[float, float]:
    import parselmouth

    pitch = parselmouth.Sound(str(path)).to_pitch(time_step=0.005, pitch_floor=60, pitch_ceiling=400)
    f0 = [v for v in pitch.selected_array["frequency"] if v > 0]
    if len(f0) < 4:
        raise RuntimeError(f"{path.name}: too few voiced frames")
    quarter = max(1, len(f0) // 4)
    return statistics.median(f0[:quarter]), statistics.median(f0[-quarter:])


def semitones(hz: float) -> float:
    return 12 * math.log2(hz / 100)


def direction(delta: float) -> str:
    return "rise" if delta > 0.5 else "fall" if delta < -0.5 else "level"


def main() -> None:
    deployment = Deployment(ROOT)
    measured: dict[int, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        engine = BouyeiEspeakEngine(deployment.profile.speech.espeak, Path(tmp) / "espeak")
        for tone, words in SYLLABLES.items():
            starts, ends = [], []
            for word in words:
                out = Path(tmp) / f"{word}.wav"
                engine.synthesize(word, "pcc", out)
                a, b = contour(out)
                starts.append(a)
                ends.append(b)
            measured[tone] = (statistics.median(starts), statistics.median(ends))
    lo = min(semitones(v) for pair in measured.values() for v in pair)
    hi = max(semitones(v) for pair in measured.values() for v in pair)

    def chao(hz: float) -> float:
        return 1 + 4 * (semitones(hz) - lo) / (hi - lo)

    print(f"voice range measured: {100 * 2 ** (lo / 12):.0f}-{100 * 2 ** (hi / 12):.0f} Hz")
    print(f"{'tone':>4}  {'target':>6}  {'start Hz':>8}  {'end Hz':>7}  {'Chao start-end':>14}  {'target dir':>10}  "
          f"{'measured':>8}  ok")
    ok_all = True
    for tone, (start, end) in measured.items():
        target = TONE_CONTOURS[tone]
        want = direction(int(target[-1]) - int(target[0]))
        got = direction(chao(end) - chao(start))
        ok = want == got
        if tone <= 6:
            ok_all &= ok
        verdict = ("yes" if ok else "NO") if tone <= 6 else "n/a (checked tone, not a target)"
        print(f"{tone:>4}  {target:>6}  {start:8.0f}  {end:7.0f}  {chao(start):6.1f} - {chao(end):<5.1f}  "
              f"{want:>10}  {got:>8}  {verdict}")
    mean = {t: (chao(a) + chao(b)) / 2 for t, (a, b) in measured.items()}
    checks = {
        "6 (33) above 2 (11)": mean[6] > mean[2],
        "3 (53) starts above 4 (31)": chao(measured[3][0]) > chao(measured[4][0]),
        "5 (35) above 1 (24)": mean[5] > mean[1],
        "3 (53) starts above 6 (33)": chao(measured[3][0]) > chao(measured[6][0]),
    }
    apart = abs(semitones(sum(measured[5]) / 2) - semitones(sum(measured[1]) / 2))
    for name, ok in checks.items():
        print(f"order of height: {name}: {'yes' if ok else 'NO'}")
    print(f"tones 1 and 5 apart by {apart:.1f} semitones on average ({'distinguishable' if apart >= 1.5 else 'TOO CLOSE'})")
    print(f"all six open tones in the right direction: {'yes' if ok_all else 'NO'}")


if __name__ == "__main__":
    main()
