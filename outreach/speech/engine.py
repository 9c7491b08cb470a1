"""The one interface of a speech engine: the chain calls these methods and nothing else.

An engine turns text in one language into a mono WAV file. ``identity`` says
everything besides the text that decides the sound (engine version, voice,
settings, the hash of a recording): it is part of the cache key, so changing
any of it re-synthesises. Most engines voice a segment's text; one that builds
a sentence from its parts (recordings of fixed text and of variables)
overrides the ``*_segment`` methods instead.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from outreach.i18n import N_
from outreach.speech import EngineUnavailable
from outreach.speech.registry import EngineSpec, engine_spec

if TYPE_CHECKING:  # annotations only: the profile may import an engine's settings, and these import the profile
    from typing import Self

    from outreach.deployment import Deployment
    from outreach.speech.segments import SpeechSegment


class Engine(ABC):
    """A speech engine; its name is its entry in the registry, where its languages and labels live."""

    name: ClassVar[str]

    @classmethod
    def from_deployment(cls, deployment: Deployment) -> Self:
        """The engine configured from a deployment (its folders and the profile's settings)."""
        return cls()

    @property
    def spec(self) -> EngineSpec:
        return engine_spec(self.name)

    @property
    def languages(self) -> frozenset[str]:
        return self.spec.languages

    @property
    def synthetic_approximation(self) -> bool:
        return self.spec.synthetic_approximation

    def check_language(self, lang: str) -> None:
        """Raise EngineUnavailable for a language the engine does not speak (recordings speak any)."""
        if self.languages and lang not in self.languages:
            raise EngineUnavailable.said(N_("{engine} speaks {languages}, not {lang}"), engine=self.name,
                                         languages=", ".join(sorted(self.languages)), lang=lang)

    @abstractmethod
    def identity(self, text: str, lang: str) -> str:
        """What besides the text decides the sound; raises EngineUnavailable when this engine cannot voice it."""

    @abstractmethod
    def synthesize(self, text: str, lang: str, out: Path) -> None:
        """Write the audio to ``out`` (a WAV file, atomically); raise EngineError on failure."""

    def identity_segment(self, segment: SpeechSegment) -> str:
        return self.identity(segment.text, segment.lang)

    def synthesize_segment(self, segment: SpeechSegment, out: Path) -> None:
        self.synthesize(segment.text, segment.lang, out)
