"""Audio benchmark: every starter script as a programme for one village.

Prints cold and warm wall time, audio seconds per wall second, and the ratio of
the cold render to a baseline measured in the same run: espeak-ng CLI on the
same Mandarin texts -> ffmpeg loudnorm -> mp3. Median of several runs.

    .venv/bin/python benchmarks/audio.py [--runs 3] [--village wangmu]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from outreach.assemble import ProgrammeRequest, build_programme  # noqa: E402
from outreach.catalog import Catalog  # noqa: E402
from outreach.deployment import Deployment  # noqa: E402
from outreach.render import Mode, render  # noqa: E402
from outreach.speech.chain import chain_for  # noqa: E402


def fresh_copy(tmp: Path) -> Deployment:
    for part in ("templates", "schedules", "audio"):
        shutil.copytree(ROOT / part, tmp / part)
    return Deployment(tmp)


def render_all(deployment: Deployment, village_id: str) -> float:
    catalog = Catalog.load(deployment.scripts_dir)
    village = deployment.profile.village(village_id)
    chain = chain_for(deployment)
    seconds = 0.0
    for script in catalog:
        seconds += build_programme(deployment, ProgrammeRequest(script, village), chain).manifest.duration_s
    return seconds


def baseline(deployment: Deployment, village_id: str, out: Path) -> None:
    """espeak-ng CLI on each script's Mandarin speech text -> ffmpeg loudnorm -> mp3."""
    catalog = Catalog.load(deployment.scripts_dir)
    village = deployment.profile.village(village_id)
    for script in catalog:
        text = render(script, "cmn", deployment.profile, village, mode=Mode.SPEECH).text
        wav, mp3 = out / f"{script.id}.wav", out / f"{script.id}.mp3"
        subprocess.run(["espeak-ng", "-v", "cmn-latn-pinyin", "-s", "150", "-w", str(wav), text], check=True,
                       capture_output=True)
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(wav), "-af", "loudnorm=I=-16:TP=-1:LRA=11",
                        "-ar", "22050", "-ac", "1", "-b:a", "64k", str(mp3)], check=True)


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--village", default="wangmu")
    args = parser.parse_args()
    cold, warm, reassemble, base, audio_s = [], [], [], [], 0.0
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            d = fresh_copy(Path(tmp))
            (Path(tmp) / "base").mkdir()
            base.append(timed(lambda: baseline(d, args.village, Path(tmp) / "base")))
            start = time.perf_counter()
            audio_s = render_all(d, args.village)
            cold.append(time.perf_counter() - start)
            warm.append(timed(lambda: render_all(d, args.village)))
            shutil.rmtree(d.state_dir / "programmes")
            reassemble.append(timed(lambda: render_all(d, args.village)))
    med = statistics.median
    print(f"scripts: {len(Catalog.load(ROOT / 'templates' / 'scripts'))}, village {args.village}, runs {args.runs}")
    print(f"audio produced:         {audio_s:.1f} s")
    print(f"baseline (espeak->loudnorm->mp3): {med(base):.2f} s")
    print(f"cold (empty cache):     {med(cold):.2f} s  = {audio_s / med(cold):.1f} audio s per wall s;"
          f" ratio to baseline {med(cold) / med(base):.2f} (target <= 1.5)")
    print(f"warm (unchanged):       {med(warm):.3f} s  = {med(cold) / med(warm):.0f}x faster than cold (target >= 10)")
    print(f"warm, re-assembled from cached segments: {med(reassemble):.2f} s"
          f" = {med(cold) / med(reassemble):.1f}x faster than cold")


if __name__ == "__main__":
    main()
