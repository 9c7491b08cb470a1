"""Speech: split rendered text into sentences and voice each with a chain of engines.

Every engine sits behind the small ``Engine`` protocol. A sentence is voiced by
the first engine in its language's chain that can; the audio is cached by a
hash of (engine, what decides its sound, language, text), so rendering again
re-synthesises only the sentences that changed.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from outreach.errors import OutreachError
from outreach.render import RenderedText, Segment


class EngineError(OutreachError):
    """One engine could not voice one segment (the chain then tries the next)."""


class EngineUnavailable(EngineError):
    """The engine cannot voice this at all (no recording, offline, wrong language)."""


class SpeechError(OutreachError):
    """No engine in the chain could voice a segment; never silence in its place."""


class Engine(Protocol):
    """A speech engine: text in one language -> a mono WAV file."""

    name: str

    def identity(self, text: str, lang: str) -> str:
        """Everything besides the text that decides the sound (engine version, voice, recording hash).

        Raises EngineUnavailable when this engine cannot voice the text.
        """

    def synthesize(self, text: str, lang: str, out: Path) -> None:
        """Write the audio to ``out`` (a WAV file); raise EngineError on failure."""


_SENTENCE_END = re.compile(r"(?<=[。！？；!?;\n])|(?<=\.)(?=\s|$)")


def normalise(text: str) -> str:
    """The form of a text that decides its key: NFC, whitespace folded, no leading punctuation."""
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()
    return re.sub(r"^[\W_]+", "", text)


def segment_key(lang: str, text: str) -> str:
    """Stable key of a sentence: the name of its recording under audio/clips/<lang>/ (case does not matter)."""
    return hashlib.sha256(f"{lang}\n{normalise(text).casefold()}".encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class SpeechSegment:
    """One sentence (or sentence part) in one language, with the parts it was made of."""

    lang: str
    text: str
    parts: tuple[Segment, ...]

    @property
    def key(self) -> str:
        return segment_key(self.lang, self.text)

    @property
    def has_variable(self) -> bool:
        return any(p.origin == "variable" for p in self.parts)


def _has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def speech_segments(rendered: RenderedText) -> list[SpeechSegment]:
    """Split rendered speech text into sentences, each in one language."""
    out: list[SpeechSegment] = []
    current: list[Segment] = []

    def flush() -> None:
        text = normalise("".join(p.text for p in current))
        if current and _has_words(text):
            out.append(SpeechSegment(current[0].lang, text, tuple(current)))
        elif current and out and out[-1].lang == current[0].lang:
            prev = out[-1]
            out[-1] = SpeechSegment(prev.lang, normalise(prev.text + text), prev.parts + tuple(current))
        current.clear()

    for seg in rendered.segments:
        if current and current[0].lang != seg.lang:
            flush()
        pieces = _SENTENCE_END.split(seg.text)
        for i, piece in enumerate(pieces):
            if piece:
                current.append(Segment(seg.lang, piece, seg.origin))
            if i < len(pieces) - 1:
                flush()
    flush()
    return out
