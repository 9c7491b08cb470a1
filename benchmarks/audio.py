"""Audio benchmark: programmes against the limits measured in the same run.

One village, every starter script (median of --runs runs, each in a fresh copy of the deployment):
- baseline: espeak-ng CLI on each script's Mandarin text -> ffmpeg loudnorm -> mp3;
  cold render (empty caches) and its ratio to the baseline (target <= 1.2);
- warm (unchanged programmes reused);
- re-assembly from cached segments, against the floor: ffmpeg encoding the same
  programmes' PCM to MP3 with the same settings, one process each (target <= 1.5x),
  with the mastered pieces cached and with only the voiced segments cached.
Then, each once:
- peak RSS rendering a 30-minute programme in a fresh process (target <= 300 MB);
- every script for every village of a generated 200-village deployment, in
  parallel on every core, cold (target <= 6 min on 2 cores with espeak-ng); the
  same with the neural voice, when the registry has it (on fewer villages,
  extrapolated, and said so).
Mandarin is voiced by espeak-ng (the baseline's engine) except in the neural case.

    .venv/bin/python benchmarks/audio.py [--runs 3] [--villages 200] [--neural-villages 10] [--quick]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from outreach.assemble import ProgrammeRequest, build_programme  # noqa: E402
from outreach.batch_audio import default_workers, jobs_for, make_all  # noqa: E402
from outreach.deployment import Deployment  # noqa: E402
from outreach.encoder import codec_args  # noqa: E402
from outreach.render import Mode, render  # noqa: E402
from outreach.speech.registry import ENGINES  # noqa: E402

FIRST, SECOND = "东西南北上下新老大小前后高长石龙凤金银青", "河山坪寨坝湾田沟岭桥"
LONG_SCRIPTS = ("general-warning", "elderly", "impersonation")
med = statistics.median


ESPEAK = ["clips", "espeak"]
NEURAL = ["clips", "neural"]


def fresh_copy(tmp: Path, villages: int = 0, chain: list[str] | None = ESPEAK) -> Deployment:
    """A copy of the shipped deployment, Mandarin voiced by ``chain``; ``villages``: that many in all, the extra
    ones generated."""
    for part in ("templates", "schedules", "audio"):
        shutil.copytree(ROOT / part, tmp / part)
    profile = tmp / "schedules" / "deployment.yaml"
    data = yaml.safe_load(profile.read_text(encoding="utf-8"))
    data["villages"] += [
        {"id": f"v{i:03d}", "name": {"cmn": FIRST[i // 10 % 20] + SECOND[i % 10] + "村"}, "town": "王母街道",
         "contact": {"name": "驻村民警", "phone": f"0859-1{i:06d}"}, "languages": ["cmn"]}
        for i in range(max(0, villages - len(data["villages"])))]
    if chain:
        data["speech"]["chains"]["cmn"] = chain
    profile.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return Deployment(tmp)


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def render_all(deployment: Deployment, village_id: str) -> list:
    village = deployment.profile.village(village_id)
    return [build_programme(deployment, ProgrammeRequest(script, village)) for script in deployment.catalog]


def baseline(deployment: Deployment, village_id: str, out: Path) -> None:
    """espeak-ng CLI on each script's Mandarin speech text -> ffmpeg loudnorm -> mp3."""
    village = deployment.profile.village(village_id)
    for script in deployment.catalog:
        text = render(script, "cmn", deployment.profile, village, mode=Mode.SPEECH).text
        wav, mp3 = out / f"{script.id}.wav", out / f"{script.id}.mp3"
        subprocess.run(["espeak-ng", "-v", "cmn-latn-pinyin", "-s", "150", "-w", str(wav), text], check=True,
                       capture_output=True)
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(wav), "-af", "loudnorm=I=-16:TP=-1:LRA=11",
                        "-ar", "22050", "-ac", "1", "-b:a", "64k", str(mp3)], check=True)


def encode_floor(deployment: Deployment, programmes: list, out: Path) -> float:
    """The MP3 encoder alone on the same programmes (their PCM decoded beforehand), one ffmpeg each."""
    wavs = []
    for made in programmes:
        wav = out / (made.path.stem + ".wav")
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(made.path), "-c:a", "pcm_s16le", str(wav)], check=True)
        wavs.append(wav)
    args = codec_args(deployment.profile.programme(programmes[0].manifest.programme))
    return timed(lambda: [subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-i", str(w), *args,
                                          "-f", "mp3", str(w.with_suffix(".mp3"))], check=True) for w in wavs])


def one_village(runs: int, village: str) -> None:
    cold, warm, again, again_unmastered, floor, base, audio_s = [], [], [], [], [], [], 0.0
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            d = fresh_copy(Path(tmp))
            (Path(tmp) / "base").mkdir()
            base.append(timed(lambda: baseline(d, village, Path(tmp) / "base")))
            start = time.perf_counter()
            made = render_all(d, village)
            cold.append(time.perf_counter() - start)
            audio_s = sum(m.manifest.duration_s for m in made)
            warm.append(timed(lambda: render_all(d, village)))
            floor.append(encode_floor(d, made, Path(tmp) / "base"))
            shutil.rmtree(d.state_dir / "programmes")
            again.append(timed(lambda: render_all(d, village)))
            shutil.rmtree(d.state_dir / "programmes")
            shutil.rmtree(d.state_dir / "cache" / "mastered")
            again_unmastered.append(timed(lambda: render_all(d, village)))
    print(f"one village ({village}), {len(made)} scripts, {audio_s:.0f} s of programmes, median of {runs} run(s)")
    print(f"  baseline espeak-ng -> loudnorm -> mp3:   {med(base):6.2f} s")
    print(f"  cold render (empty caches):             {med(cold):6.2f} s  ratio to baseline {med(cold) / med(base):.2f}"
          " (target <= 1.2)")
    print(f"  warm (unchanged, reused):               {med(warm):6.3f} s")
    print(f"  floor: MP3 encode alone, same PCM:      {med(floor):6.2f} s")
    print(f"  re-assembly, mastered pieces cached:    {med(again):6.2f} s  ratio to floor {med(again) / med(floor):.2f}"
          " (target <= 1.5)")
    print(f"  re-assembly, only voiced cached:        {med(again_unmastered):6.2f} s  ratio to floor "
          f"{med(again_unmastered) / med(floor):.2f}")


def long_programme_child(root: Path) -> None:
    """In a fresh process: make a programme of about 30 minutes and report its length and peak RSS."""
    d = Deployment(root)
    folder = d.scripts_dir / "long"
    shutil.copytree(d.scripts_dir / "general-warning", folder)
    text = "\n".join((d.scripts_dir / s / "cmn.j2").read_text(encoding="utf-8") for s in LONG_SCRIPTS)
    (folder / "cmn.j2").write_text(text + "\n" + text, encoding="utf-8")
    profile = d.profile_path
    profile.write_text(profile.read_text(encoding="utf-8").replace(
        "\nprogrammes:\n", "\nprogrammes:\n  long:\n    languages: [cmn]\n    repeats: 7\n", 1), encoding="utf-8")
    d = Deployment(root)
    made = build_programme(d, ProgrammeRequest(d.catalog.get("long"), d.profile.village("xiangle"), "long"))
    print(json.dumps({"seconds": made.manifest.duration_s, "lufs": made.manifest.loudness_lufs,
                      "dbtp": made.manifest.true_peak_dbtp,
                      "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def long_programme() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        fresh_copy(Path(tmp))
        out = subprocess.run([sys.executable, __file__, "--long-child", tmp], check=True, capture_output=True,
                             text=True).stdout
    r = json.loads(out.strip().splitlines()[-1])
    print(f"long programme: {r['seconds'] / 60:.1f} min at {r['lufs']} LUFS, {r['dbtp']} dBTP; peak RSS "
          f"{r['rss_mb']:.0f} MB (target <= 300 MB; the ffmpeg processes stream, whatever the length)")


def all_villages(villages: int, chain: list[str] | None = ESPEAK, label: str = "espeak-ng") -> float:
    """Every script for every village, cold, in parallel; returns the wall time."""
    with tempfile.TemporaryDirectory() as tmp:
        d = fresh_copy(Path(tmp), villages, chain)
        jobs = jobs_for([s.id for s in d.catalog], [v.id for v in d.profile.villages])
        start, cpu = time.perf_counter(), cpu_seconds()
        outcomes = make_all(d.root, jobs)
        wall, cpu = time.perf_counter() - start, cpu_seconds() - cpu
        failed = [o for o in outcomes if o.error]
        audio_s = sum(o.programme.manifest.duration_s for o in outcomes if o.programme)
        loud = [o.programme.manifest.loudness_lufs for o in outcomes if o.programme]
        peaks = [o.programme.manifest.true_peak_dbtp for o in outcomes if o.programme]
    print(f"all villages ({label}): {len(d.profile.villages)} villages x {len(d.catalog)} scripts = {len(jobs)} "
          f"programmes, {default_workers()} workers: {wall:.0f} s ({wall / 60:.1f} min), "
          f"{audio_s / wall:.0f} audio s per wall s, {len(failed)} failed")
    print(f"  levels: {min(loud):.2f} to {max(loud):.2f} LUFS, true peaks up to {max(peaks):.2f} dBTP")
    per_programme = cpu / len(jobs)
    print(f"  CPU (workers, ffmpeg, espeak-ng): {cpu:.0f} s = {per_programme:.2f} s a programme; 200 villages x "
          f"{len(d.catalog)} on {default_workers()} otherwise idle cores: about "
          f"{per_programme * 200 * len(d.catalog) / default_workers() / 60:.1f} min")
    return wall


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the pool's workers and their ffmpeg, espeak-ng)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--village", default="wangmu")
    parser.add_argument("--villages", type=int, default=200)
    parser.add_argument("--neural-villages", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="one run, 10 villages, no neural case (a smoke run)")
    parser.add_argument("--long-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.long_child:
        long_programme_child(args.long_child)
        return
    if args.quick:
        args.runs, args.villages, args.neural_villages = 1, 10, 0
    one_village(args.runs, args.village)
    long_programme()
    wall = all_villages(args.villages)
    print(f"  target: <= 6 min for 200 villages; this run {wall / 60:.1f} min for {args.villages}")
    if args.neural_villages and "neural" in ENGINES:
        neural = all_villages(args.neural_villages, NEURAL, "neural voice")
        print(f"  neural voice, extrapolated to {args.villages} villages: {neural / args.neural_villages * args.villages / 60:.1f} min")
    elif args.neural_villages:
        print("neural voice: not measured, the engine registry has no 'neural' engine yet")


if __name__ == "__main__":
    main()
