"""The offline Mandarin neural voice: FastSpeech2 + MB-MelGAN trained on CSMSC, run with onnxruntime.

espeak-ng's Mandarin is misheard on about every second syllable; this voice
is understood on better than nine in ten (benchmarks/intelligibility.py). The
ONNX files ship inside the package (outreach/voices/csmsc/, see its NOTICE.md),
so nothing is downloaded and no TensorFlow is needed at run time. Pinyin comes
only from ``mandarin.pinyin_tokens``, the one Mandarin reading of the project;
this module turns it into the model's symbols and pauses.

Its settings (``NeuralConfig``) live with the profile's other engine
settings; numpy, the Mandarin reader and onnxruntime are imported only when
the voice is used.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import re
import threading
import wave
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from outreach.deployment import NeuralConfig
from outreach.i18n import N_
from outreach.media import atomic_path
from outreach.speech import EngineError, EngineUnavailable
from outreach.speech.engine import Engine

if TYPE_CHECKING:
    from typing import Self

    import numpy as np

    from outreach.deployment import Deployment

ACOUSTIC = "fastspeech2_quan.onnx"
VOCODER = "mb_melgan.onnx"
SYMBOLS = "baker_mapper.json"
MODEL_FILES = (SYMBOLS, ACOUSTIC, VOCODER)
SAMPLE_RATE = 24000
HOP = 300
LEAD_FRAMES, TAIL_FRAMES = 2, 4
# Bumped whenever the symbols a text becomes, or how clauses are joined, change.
FRONT_END_VERSION = 3
MAX_CLAUSE_SYLLABLES = 60
STOPS = frozenset(".!?")
PAUSES = frozenset(",;:") | STOPS
DIGIT_RUN = re.compile("[零〇幺一二三四五六七八九]{3,}")
SPLIT_GAP = 0.05
# Readings the CSMSC table has no entry for, voiced as the nearest one it has.
NEAREST = {"n": "en", "m": "mu", "hm": "heng", "hng": "heng", "ê": "ei", "wong": "weng"}


def packaged_model_dir() -> Path:
    """The voice shipped with the package (outreach/voices/csmsc)."""
    return Path(str(resources.files("outreach").joinpath("voices", "csmsc")))


@dataclass(frozen=True)
class Clause:
    """Symbols the acoustic model reads in one call, the pause mark that ends it, and whether it is a number."""

    symbols: tuple[str, ...]
    stop: str | None
    number: bool = False


class SymbolTable:
    """The model's symbols (baker_mapper.json): pinyin syllable -> initial + toned final."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.ids: dict[str, int] = data["symbol_to_id"]
        self.syllables: dict[str, list[str]] = data["pinyin_dict"]

    @classmethod
    def load(cls, path: Path) -> "SymbolTable":
        try:
            return cls(json.loads(path.read_bytes()))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise EngineUnavailable.said(N_("the neural voice's symbol table {path} is unreadable: {error}"),
                                         path=path, error=exc) from None

    def _split(self, base: str) -> list[str] | None:
        parts = self.syllables.get(NEAREST.get(base, base))
        return list(parts) if parts else None

    def syllable(self, token: str) -> list[str]:
        """Symbols of one tone-numbered syllable; erhua ('huar1') adds the model's er5."""
        base, tone = token[:-1].replace("ü", "v"), token[-1:]
        if not tone.isdigit() or not base:
            raise EngineError.said(N_("the neural voice cannot read '{token}' (not a tone-numbered syllable)"),
                                   token=token)
        parts = self._split(base)
        if parts:
            return [parts[0], parts[1] + tone]
        if base.endswith("r") and (stem := self._split(base[:-1])):
            return [stem[0], stem[1] + tone, "er5"]
        raise EngineError.said(N_("the neural voice has no symbols for the syllable '{token}'"), token=token)

    def to_ids(self, symbols: tuple[str, ...]) -> list[int]:
        return [self.ids[s] for s in symbols] + [self.ids["eos"]]


@functools.lru_cache(maxsize=4)
def table_at(folder: Path) -> SymbolTable:
    """The symbol table of a model folder, read once per process."""
    return SymbolTable.load(folder / SYMBOLS)


def _clause_symbols(table: SymbolTable, syllables: list[str]) -> tuple[str, ...]:
    """'sil', syllables separated by the word-internal boundary '#0', 'sil' (as the model was trained)."""
    out = ["sil"]
    for i, token in enumerate(syllables):
        if i:
            out.append("#0")
        out.extend(table.syllable(token))
    out.append("sil")
    return tuple(out)


def _number_syllables(text: str, tokens_of: Callable[[str], list[str]]) -> set[int]:
    """Positions, among the text's syllables, of numbers read digit by digit (九六幺幺零, not 二零二七年)."""
    marked: set[int] = set()
    for m in DIGIT_RUN.finditer(text):
        if "幺" in m.group(0) or len(m.group(0)) >= 5:
            start = sum(1 for t in tokens_of(text[:m.start()]) if t not in PAUSES)
            marked.update(range(start, start + len(m.group(0))))
    return marked


def front_end(text: str, table: SymbolTable) -> list[Clause]:
    """Speech-mode text -> the clauses the model reads, one call each.

    A clause ends at every pause mark, at very long runs, and around a number
    read digit by digit (九六幺幺零), which is read as a phrase of its own, as
    announcers do, so its repeated syllables do not blur into the words around
    it; ``number_pace`` can slow it down.
    """
    from outreach.languages import mandarin

    text = mandarin.speak(text)
    numbers = _number_syllables(text, mandarin.pinyin_tokens)
    clauses: list[Clause] = []
    run: list[str] = []
    in_number = False

    def close(stop: str | None) -> None:
        if run:
            clauses.append(Clause(_clause_symbols(table, run), stop, in_number))
            run.clear()
        elif stop and clauses and clauses[-1].stop is None:
            clauses[-1] = dataclasses.replace(clauses[-1], stop=stop)

    syllable = 0
    for token in mandarin.pinyin_tokens(text):
        if token in PAUSES:
            close(token)
            continue
        number = syllable in numbers
        syllable += 1
        if number != in_number or len(run) == MAX_CLAUSE_SYLLABLES:
            close(None)
            in_number = number
        run.append(token)
    close(".")
    return clauses


@functools.lru_cache(maxsize=4)
def file_hashes(folder: Path) -> dict[str, str]:
    """SHA-256 of each model file, computed once per process and folder."""
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in MODEL_FILES}


def model_hash(folder: Path) -> str:
    """One hash over the model files: the voice's part of every cache key."""
    return hashlib.sha256(json.dumps(file_hashes(folder.resolve()), sort_keys=True).encode()).hexdigest()


def check_model_dir(folder: Path) -> None:
    """Raise EngineUnavailable, with the reason, when the folder cannot hold a working voice."""
    missing = [name for name in MODEL_FILES if not (folder / name).is_file()]
    if missing:
        raise EngineUnavailable.said(N_("the neural voice's model folder {folder} lacks {files}"), folder=folder,
                                     files=", ".join(missing))
    sums = folder / "SHA256SUMS"
    if not sums.is_file():
        return
    actual = file_hashes(folder.resolve())
    for line in sums.read_text(encoding="utf-8").splitlines():
        expected, _, name = line.strip().partition("  ")
        if name in actual and actual[name] != expected:
            raise EngineUnavailable.said(N_("{file} does not match {sums} (damaged or replaced)"), file=folder / name,
                                         sums=sums)


class Voice:
    """The two onnxruntime sessions and the symbol table of one model folder."""

    def __init__(self, folder: Path, threads: int) -> None:
        try:
            import onnxruntime as ort
        except ImportError:
            raise EngineUnavailable.said(N_("the neural voice needs the onnxruntime package, which is not installed")) \
                from None
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.table = table_at(folder)
        try:
            self.acoustic = ort.InferenceSession(str(folder / ACOUSTIC), options, providers=["CPUExecutionProvider"])
            self.vocoder = ort.InferenceSession(str(folder / VOCODER), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime's errors for a bad file share no base class but Exception
            raise EngineUnavailable.said(N_("the neural voice's model in {folder} cannot be loaded: {error}"),
                                         folder=folder, error=exc) from None
        self.lock = threading.Lock()

    def waveform(self, clause: Clause, speed: float) -> np.ndarray:
        """One clause's audio, float samples at 24 kHz."""
        import numpy as np

        ids = np.array([self.table.to_ids(clause.symbols)], dtype=np.int32)
        feeds = {
            "input_ids": ids,
            "speaker_ids": np.zeros(1, dtype=np.int32),
            "speed_ratios": np.array([speed], dtype=np.float32),
            "f0_ratios": np.ones(1, dtype=np.float32),
            "energy_ratios": np.ones(1, dtype=np.float32),
        }
        with self.lock:
            _, mel, durations, _, _ = self.acoustic.run(None, feeds)
            audio = self.vocoder.run(None, {"mels": mel})[0]
        return audio[0, speech_span(durations[0]), 0]


def speech_span(durations: np.ndarray) -> slice:
    """The samples worth keeping of a clause (the durations are mel frames per input symbol).

    The model voices its end-of-sequence mark and a long final 'sil': kept, they
    are heard as an extra syllable (乡亲们 -> 乡亲们屋). The leading 'sil' is silence
    of varying length; the engine sets the pauses itself.
    """
    start = max(int(durations[0]) - LEAD_FRAMES, 0)
    end = int(durations.sum()) - int(durations[-1]) - max(int(durations[-2]) - TAIL_FRAMES, 0)
    return slice(start * HOP, end * HOP)


_VOICES: dict[tuple[Path, int], Voice] = {}
_VOICES_LOCK = threading.Lock()


def load_voice(folder: Path, threads: int) -> Voice:
    """The sessions of a folder, created on first use and then kept for the process."""
    key = (folder.resolve(), threads)
    with _VOICES_LOCK:
        if key not in _VOICES:
            _VOICES[key] = Voice(key[0], threads)
        return _VOICES[key]


def write_wav(samples: np.ndarray, out: Path) -> None:
    import numpy as np

    pcm = (np.clip(samples, -1.0, 1.0) * 32767).round().astype("<i2")
    with atomic_path(out) as tmp, wave.open(str(tmp), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(pcm.tobytes())


class NeuralEngine(Engine):
    """Mandarin in the CSMSC neural voice; unavailable (so the chain falls back) without its model."""

    name = "neural"

    def __init__(self, settings: NeuralConfig | None = None) -> None:
        self.settings = settings or NeuralConfig()

    @classmethod
    def from_deployment(cls, deployment: Deployment) -> Self:
        """The profile's settings; a model folder given there is relative to the deployment folder."""
        settings: NeuralConfig = deployment.profile.speech.neural
        if settings.model_dir is not None and not settings.model_dir.is_absolute():
            settings = settings.model_copy(update={"model_dir": deployment.root / settings.model_dir})
        return cls(settings)

    @property
    def folder(self) -> Path:
        return self.settings.model_dir or packaged_model_dir()

    def _table(self) -> SymbolTable:
        check_model_dir(self.folder)
        return table_at(self.folder.resolve())

    def symbols(self, text: str) -> list[Clause]:
        """What the model will be fed for ``text`` (for tests and previews)."""
        return front_end(text, self._table())

    def _identity(self, text: str, lang: str) -> tuple[str, list[Clause]]:
        self.check_language(lang)
        clauses = self.symbols(text)
        if not clauses:
            raise EngineError.said(N_("the neural voice found nothing to say in '{text}'"), text=text)
        fed = json.dumps([[c.symbols, c.stop, c.number] for c in clauses])
        settings = self.settings.model_dump(mode="json", exclude={"model_dir"})
        identity = json.dumps(["csmsc", model_hash(self.folder)[:16], FRONT_END_VERSION,
                               hashlib.sha256(fed.encode()).hexdigest()[:16], settings], sort_keys=True)
        return identity, clauses

    def identity(self, text: str, lang: str) -> str:
        """The model's hash, every setting, and the symbols the text becomes (so a better reading re-voices it)."""
        return self._identity(text, lang)[0]

    def _pause(self, stop: str | None) -> np.ndarray:
        import numpy as np

        s = self.settings
        seconds = s.sentence_pause if stop in STOPS else s.clause_pause if stop else SPLIT_GAP
        return np.zeros(int(round(seconds * SAMPLE_RATE)), dtype=np.float32)

    def synthesize(self, text: str, lang: str, out: Path) -> None:
        import numpy as np

        clauses = self._identity(text, lang)[1]
        voice = load_voice(self.folder, self.settings.threads)
        pieces: list[np.ndarray] = []
        for i, clause in enumerate(clauses):
            speed = self.settings.speed * (self.settings.number_pace if clause.number else 1.0)
            try:
                pieces.append(voice.waveform(clause, speed))
            except Exception as exc:  # onnxruntime's run errors share no base class but Exception
                raise EngineError.said(N_("the neural voice failed on '{text}': {error}"), text=text, error=exc) \
                    from None
            if i < len(clauses) - 1:
                pieces.append(self._pause(clause.stop))
        write_wav(np.concatenate(pieces), out)

