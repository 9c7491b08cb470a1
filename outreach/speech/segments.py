"""Sentences to voice: rendered speech text split at sentence ends, each run in one language.

A sentence's key is a hash of its language and normalised text; it names the
sentence's recording under ``audio/clips/<lang>/``, so a re-render finds the
same recording however the surrounding script changed.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from outreach.render import Origin, RenderedText, Segment

_SENTENCE_END = re.compile(r"(?<=[。！？；!?;\n])|(?<=\.)(?=\s|$)")


def normalise(text: str) -> str:
    """The form of a text that decides its key: NFC, whitespace folded, no leading punctuation."""
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()
    return re.sub(r"^[\W_]+", "", text)


def segment_key(lang: str, text: str) -> str:
    """Stable key of a sentence: the name of its recording under audio/clips/<lang>/ (case does not matter)."""
    return hashlib.sha256(f"{lang}\n{normalise(text).casefold()}".encode("utf-8")).hexdigest()[:16]


def has_words(text: str) -> bool:
    """Whether a text says anything (punctuation alone is not voiced or recorded)."""
    return any(ch.isalnum() for ch in text)


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
        return any(p.origin == Origin.VARIABLE for p in self.parts)


def speech_segments(rendered: RenderedText) -> list[SpeechSegment]:
    """Split rendered speech text into sentences, each in one language."""
    out: list[SpeechSegment] = []
    current: list[Segment] = []

    def flush() -> None:
        text = normalise("".join(p.text for p in current))
        if current and has_words(text):
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
