"""Per-language fallback chains of engines, in front of the cache."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from outreach.deployment import Deployment, SpeechConfig
from outreach.speech import Engine, EngineError, SpeechError, SpeechSegment
from outreach.speech.cache import AudioCache


@dataclass
class Voiced:
    """How one segment was voiced, for the manifest."""

    segment: SpeechSegment
    engine: str
    identity: str
    cache_key: str
    path: Path
    cached: bool
    fallbacks: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Plan:
    engine: str | None
    cache_key: str | None
    cached: bool
    skipped: tuple[tuple[str, str], ...]


class SpeechChain:
    """Voices segments with the first engine of their language's chain that can."""

    def __init__(self, engines: dict[str, Engine], chains: dict[str, list[str]], cache: AudioCache) -> None:
        self.engines = engines
        self.chains = chains
        self.cache = cache

    def _engines_for(self, lang: str) -> list[Engine]:
        names = self.chains.get(lang) or []
        return [self.engines[n] for n in names if n in self.engines]

    def plan(self, segment: SpeechSegment) -> Plan:
        """Which engine would voice the segment, and whether its audio is cached; synthesises nothing."""
        skipped = []
        for engine in self._engines_for(segment.lang):
            try:
                whole = getattr(engine, "identity_segment", None)
                identity = whole(segment) if whole else engine.identity(segment.text, segment.lang)
            except EngineError as exc:
                skipped.append((engine.name, str(exc)))
                continue
            key = self.cache.key(engine.name, identity, segment.lang, segment.text)
            return Plan(engine.name, key, self.cache.path(key).is_file(), tuple(skipped))
        return Plan(None, None, False, tuple(skipped))

    def voice(self, segment: SpeechSegment, script_id: str) -> Voiced:
        fallbacks: list[dict[str, str]] = []
        for engine in self._engines_for(segment.lang):
            try:
                whole = getattr(engine, "identity_segment", None)
                identity = whole(segment) if whole else engine.identity(segment.text, segment.lang)
                key = self.cache.key(engine.name, identity, segment.lang, segment.text)
                hit = self.cache.hit(key)
                if hit is None and whole:
                    engine.synthesize_segment(segment, self.cache.path(key))  # type: ignore[attr-defined]
                elif hit is None:
                    engine.synthesize(segment.text, segment.lang, self.cache.path(key))
                return Voiced(segment, engine.name, identity, key, self.cache.path(key), hit is not None, fallbacks)
            except EngineError as exc:
                fallbacks.append({"engine": engine.name, "reason": str(exc)})
        tried = "; ".join(f"{f['engine']}: {f['reason']}" for f in fallbacks) or "no engine is configured"
        raise SpeechError(
            f"script '{script_id}' ({segment.lang}): no engine could voice '{segment.text}' ({tried})"
        )


def build_engines(deployment: Deployment, config: SpeechConfig | None = None) -> dict[str, Engine]:
    """The real engines, configured from the profile."""
    from outreach.speech.bouyei_espeak import BouyeiEspeakEngine
    from outreach.speech.clips import ClipsEngine
    from outreach.speech.espeak import EspeakEngine
    from outreach.speech.gtts import GttsEngine

    config = config or deployment.profile.speech
    return {
        "clips": ClipsEngine(deployment.audio_dir / "clips", deployment.audio_dir / "words"),
        "espeak": EspeakEngine(config.espeak, deployment.state_dir / "espeak"),
        "gtts": GttsEngine(config.gtts),
        "bouyei-espeak": BouyeiEspeakEngine(config.espeak, deployment.state_dir / "espeak"),
    }


def chain_for(deployment: Deployment, engines: dict[str, Engine] | None = None,
              extra_engine: str | None = None) -> SpeechChain:
    """The profile's chains; ``extra_engine`` (opt-in, e.g. bouyei-espeak) is tried after recordings."""
    config = deployment.profile.speech
    engines = engines if engines is not None else build_engines(deployment, config)
    chains = {lang: list(names) for lang, names in config.chains.items()}
    if extra_engine:
        if extra_engine not in engines:
            raise SpeechError(f"unknown engine '{extra_engine}' (engines: {', '.join(engines)})")
        for lang in getattr(engines[extra_engine], "languages", ()):
            chain = [n for n in chains.get(lang, []) if n != extra_engine]
            at = 1 if chain[:1] == ["clips"] else 0
            chains[lang] = chain[:at] + [extra_engine] + chain[at:]
    return SpeechChain(engines, chains, AudioCache(deployment.state_dir / "cache" / "audio"))


def is_synthetic_bouyei(engine: Engine) -> bool:
    return bool(getattr(engine, "synthetic_approximation", False))
