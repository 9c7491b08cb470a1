"""Recorded voice: a recording whose name is a segment's key beats any synthetic voice.

``audio/clips/<lang>/<key>.wav`` (or .mp3, .m4a, .ogg, .flac), where the key is
``segment_key(lang, text)``; ``outreach clips sheet`` lists the keys a catalog
needs. A sentence with a variable in it (a village's Bouyei name, a number) is
assembled from its recorded fixed parts and recorded words
(``audio/words/<lang>/<key>.wav``): slot filling. A re-recorded clip has new
content, so its cached audio is replaced automatically (the clip's hash is part
of the cache key). A recording that cannot be read or decoded, or holds no
sound, is this engine's failure for that sentence: the chain tries the next
engine instead of stopping the programme.
"""

from __future__ import annotations

import tempfile
import wave
from pathlib import Path

from outreach.datafile import display_path
from outreach.deployment import Deployment
from outreach.errors import said
from outreach.i18n import N_
from outreach.media import MediaError, atomic_path, file_sha256, to_wav
from outreach.render import Origin
from outreach.speech import EngineError, EngineUnavailable
from outreach.speech.engine import Engine
from outreach.speech.segments import SpeechSegment, has_words, normalise, segment_key

EXTENSIONS = (".wav", ".mp3", ".m4a", ".ogg", ".flac")
SLOT_GAP_MS = 60


def find_recording(folder: Path, lang: str, text: str) -> Path | None:
    key = segment_key(lang, text)
    for ext in EXTENSIONS:
        path = folder / lang / f"{key}{ext}"
        if path.is_file() and path.stat().st_size > 0:
            return path
    return None


def _hash(path: Path) -> str:
    try:
        return file_sha256(path)[:16]
    except OSError as exc:
        raise EngineUnavailable.said(N_("recording {path} cannot be read ({reason})"), path=display_path(path),
                                     reason=exc.strerror or exc) from None


def _damaged(path: Path, why: object) -> EngineError:
    return EngineError.said(N_("recording {path} is damaged ({why}): record it again, or remove it"),
                            path=display_path(path), why=why)


def decode_recording(path: Path, out: Path) -> None:
    """A recording as 16-bit mono WAV at ``out``; EngineError when it cannot be decoded or holds no sound."""
    try:
        to_wav(path, out)
        with wave.open(str(out), "rb") as wav:
            frames = wav.getnframes()
    except (MediaError, OSError, wave.Error, EOFError) as exc:
        raise _damaged(path, exc) from None
    if frames == 0:
        out.unlink(missing_ok=True)
        raise _damaged(path, said(N_("no sound in it")))


class ClipsEngine(Engine):
    """Human recordings, whole sentences first, else a sentence filled from recorded parts and words."""

    name = "clips"

    def __init__(self, clips_dir: Path, words_dir: Path | None = None) -> None:
        self.clips_dir = clips_dir
        self.words_dir = words_dir or clips_dir.parent / "words"

    @classmethod
    def from_deployment(cls, deployment: Deployment) -> ClipsEngine:
        return cls(deployment.audio_dir / "clips", deployment.audio_dir / "words")

    def find(self, text: str, lang: str) -> Path | None:
        return find_recording(self.clips_dir, lang, text)

    def identity(self, text: str, lang: str) -> str:
        path = self.find(text, lang)
        if path is None:
            raise EngineUnavailable.said(N_("no recording {path}"),
                                         path=f"{self.clips_dir.name}/{lang}/{segment_key(lang, text)}.wav")
        return _hash(path)

    def synthesize(self, text: str, lang: str, out: Path) -> None:
        path = self.find(text, lang)
        if path is None:
            raise EngineUnavailable.said(N_("no recording for {key}"), key=segment_key(lang, text))
        decode_recording(path, out)

    # -- slot filling -------------------------------------------------------------

    def slot_parts(self, segment: SpeechSegment) -> list[tuple[str, str, Path | None]]:
        """(kind, text, recording) for each part of a sentence: fixed parts from clips/, variables from words/."""
        parts = []
        for part in segment.parts:
            text = normalise(part.text)
            if not has_words(text):
                continue
            folder = self.words_dir if part.origin == Origin.VARIABLE else self.clips_dir
            parts.append((part.origin, text, find_recording(folder, segment.lang, text)))
        return parts

    def missing(self, segment: SpeechSegment) -> list[str]:
        """What still needs recording before this segment can be voiced."""
        if self.find(segment.text, segment.lang):
            return []
        if not segment.has_variable:
            return [f"{self.clips_dir.name}/{segment.lang}/{segment.key}.wav ('{segment.text}')"]
        return [f"{'words' if kind == Origin.VARIABLE else self.clips_dir.name}/{segment.lang}/"
                f"{segment_key(segment.lang, text)}.wav ('{text}')"
                for kind, text, path in self.slot_parts(segment) if path is None]

    def identity_segment(self, segment: SpeechSegment) -> str:
        whole = self.find(segment.text, segment.lang)
        if whole:
            return _hash(whole)
        holes = self.missing(segment)
        if holes:
            raise EngineUnavailable.said(N_("no recording {path}"), path="; ".join(holes))
        return "slots:" + ",".join(_hash(path) for _, _, path in self.slot_parts(segment) if path)

    def synthesize_segment(self, segment: SpeechSegment, out: Path) -> None:
        whole = self.find(segment.text, segment.lang)
        if whole:
            decode_recording(whole, out)
            return
        from pydub import AudioSegment

        pieces = [path for _, _, path in self.slot_parts(segment)]
        if not pieces or any(p is None for p in pieces):
            raise EngineUnavailable.said(N_("no recording {path}"), path="; ".join(self.missing(segment)))
        joined = AudioSegment.silent(duration=0)
        with tempfile.TemporaryDirectory() as tmp:
            for i, path in enumerate(pieces):
                if i:
                    joined += AudioSegment.silent(duration=SLOT_GAP_MS)
                part = Path(tmp) / f"part-{i}.wav"
                decode_recording(path, part)
                joined += AudioSegment.from_file(part).set_channels(1)
            raw = Path(tmp) / "slots.wav"
            joined.export(raw, format="wav")
            with atomic_path(out) as dst:
                dst.write_bytes(raw.read_bytes())
