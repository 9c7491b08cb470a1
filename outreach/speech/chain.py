"""Per-language fallback chains of engines, in front of the cache.

A segment is voiced by the first engine of its language's chain that can:
an engine that cannot (no recording, a damaged one, offline, not installed) is
passed over with its reason, which the manifest keeps. A damaged cache entry
is made again, never aired.
"""

from __future__ import annotations

import wave
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from outreach.deployment import Deployment
from outreach.errors import Said, message_of, said, shown
from outreach.i18n import N_
from outreach.media import MediaError
from outreach.speech import EngineError, SpeechError
from outreach.speech.cache import AudioCache
from outreach.speech.engine import Engine
from outreach.speech.registry import EngineSpec, engine_names, engine_spec
from outreach.speech.segments import SpeechSegment


class Skipped(NamedTuple):
    """An engine passed over for a segment, and why (English, as the manifest keeps it; ``errors.shown`` translates)."""

    engine: str
    reason: str


@dataclass(frozen=True)
class Plan:
    """Which engine would voice a segment and whether its audio is cached; nothing is synthesised."""

    segment: SpeechSegment
    engine: str | None
    cache_key: str | None
    cached: bool
    skipped: tuple[Skipped, ...]


@dataclass(frozen=True)
class Voiced:
    """How one segment was voiced, for the manifest."""

    segment: SpeechSegment
    engine: str
    identity: str
    cache_key: str
    path: Path
    cached: bool
    synthetic_approximation: bool
    fallbacks: tuple[Skipped, ...] = ()


class SpeechChain:
    """Voices segments with the first engine of their language's chain that can."""

    def __init__(self, engines: dict[str, Engine], chains: dict[str, list[str]], cache: AudioCache) -> None:
        self.engines = engines
        self.chains = chains
        self.cache = cache

    def _engines_for(self, lang: str) -> list[Engine]:
        return [self.engines[n] for n in self.chains.get(lang) or [] if n in self.engines]

    def plan(self, segment: SpeechSegment) -> Plan:
        """Which engine would voice the segment, and whether its audio is cached; synthesises nothing."""
        skipped: list[Skipped] = []
        for engine in self._engines_for(segment.lang):
            try:
                identity = engine.identity_segment(segment)
            except EngineError as exc:
                skipped.append(Skipped(engine.name, message_of(exc)))
                continue
            key = self.cache.key(engine.name, identity, segment.lang, segment.text)
            return Plan(segment, engine.name, key, self.cache.has(key), tuple(skipped))
        return Plan(segment, None, None, False, tuple(skipped))

    def voice(self, segment: SpeechSegment) -> Voiced:
        """Voice the segment (from the cache when it can); SpeechError, naming every engine's reason, if none can."""
        fallbacks: list[Skipped] = []
        for engine in self._engines_for(segment.lang):
            try:
                return self._voice_with(engine, segment, tuple(fallbacks))
            except (EngineError, MediaError) as exc:
                fallbacks.append(Skipped(engine.name, message_of(exc)))
        tried = Said("; ".join(f"{f.engine}: {f.reason}" for f in fallbacks),
                     "; ".join(f"{f.engine}: {shown(f.reason)}" for f in fallbacks)) if fallbacks else said(
            N_("no engine is configured"))
        raise SpeechError.said(N_("no engine could voice '{text}' ({tried})"), text=segment.text, tried=tried)

    def _voice_with(self, engine: Engine, segment: SpeechSegment, fallbacks: tuple[Skipped, ...]) -> Voiced:
        identity = engine.identity_segment(segment)
        key = self.cache.key(engine.name, identity, segment.lang, segment.text)
        hit = self.cache.hit(key)
        cached = hit is not None and intact(hit)
        if not cached:
            engine.synthesize_segment(segment, self.cache.path(key))
        return Voiced(segment, engine.name, identity, key, self.cache.path(key), cached,
                      engine.synthetic_approximation, fallbacks)


def intact(path: Path) -> bool:
    """Whether a cached WAV still has its header and some sound (a disk error or a stray edit can break it)."""
    try:
        with wave.open(str(path), "rb") as wav:
            return wav.getnframes() > 0
    except (wave.Error, EOFError, OSError):
        return False


def build_engine(name: str, deployment: Deployment) -> Engine:
    """One registered engine, configured from the deployment; its module is imported now."""
    spec = engine_spec(name)
    cls = spec.engine_class()
    if not (isinstance(cls, type) and issubclass(cls, Engine)):
        raise TypeError(f"the registry's engine '{name}' ({spec.target}) is not an outreach.speech.engine.Engine")
    return cls.from_deployment(deployment)


def build_engines(deployment: Deployment, names: Iterable[str] | None = None) -> dict[str, Engine]:
    """The registered engines (all, or those named), configured from the deployment."""
    return {name: build_engine(name, deployment) for name in (engine_names() if names is None else names)}


def _add_after_recordings(chains: dict[str, list[str]], extra: EngineSpec) -> None:
    for lang in extra.languages:
        chain = [n for n in chains.get(lang, []) if n != extra.name]
        at = 0
        while at < len(chain) and engine_spec(chain[at]).recorded:
            at += 1
        chains[lang] = chain[:at] + [extra.name] + chain[at:]


def chain_for(deployment: Deployment, engines: dict[str, Engine] | None = None,
              extra_engine: str | None = None) -> SpeechChain:
    """The profile's chains; ``extra_engine`` (e.g. bouyei-espeak) is tried in its languages after recordings.

    Only the engines the chains name are built, unless ``engines`` gives them.
    """
    chains = {lang: list(names) for lang, names in deployment.profile.speech.chains.items()}
    if extra_engine:
        _add_after_recordings(chains, engine_spec(extra_engine))
    if engines is None:
        engines = build_engines(deployment, dict.fromkeys(n for names in chains.values() for n in names))
    return SpeechChain(engines, chains, AudioCache.in_state(deployment.state_dir))
