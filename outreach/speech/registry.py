"""Every speech engine by name: the one list the profile's chains, the chain builder and the CLI read.

Adding an engine is one entry in ``ENGINES``. An entry names its class as
``"module:Class"`` (a subclass of ``outreach.speech.engine.Engine``), imported
only when the engine is built: the profile checks its chains against this
list, and importing the engines here would load every engine (and the
renderer, numpy, a neural model's runtime) wherever a profile is read, and
make the profile and the engines that read its settings import each other.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from outreach.errors import ConfigError
from outreach.i18n import _


@dataclass(frozen=True)
class EngineSpec:
    """What is known of an engine before it is built; an engine reads its own metadata from here."""

    name: str
    target: str
    languages: frozenset[str] = frozenset()
    """The languages it speaks; empty for recordings, which exist in whichever language was recorded."""
    synthetic_approximation: bool = False
    """A machine stand-in for a language no engine really speaks: labelled, and never aired unless allowed."""
    recorded: bool = False
    """Human recordings: first in every chain, and never the voice added with ``outreach audio --engine``."""

    def engine_class(self) -> type:
        module, _, name = self.target.partition(":")
        return getattr(importlib.import_module(module), name)


ENGINES: dict[str, EngineSpec] = {spec.name: spec for spec in (
    EngineSpec("clips", "outreach.speech.clips:ClipsEngine", recorded=True),
    EngineSpec("neural", "outreach.speech.neural:NeuralEngine", frozenset({"cmn"})),
    EngineSpec("espeak", "outreach.speech.espeak:EspeakEngine", frozenset({"cmn"})),
    EngineSpec("gtts", "outreach.speech.gtts:GttsEngine", frozenset({"cmn"})),
    EngineSpec("bouyei-espeak", "outreach.speech.bouyei_espeak:BouyeiEspeakEngine", frozenset({"pcc"}),
               synthetic_approximation=True),
)}


def engine_names() -> list[str]:
    return list(ENGINES)


def extra_engine_names() -> list[str]:
    """The engines ``outreach audio --engine`` can add after the recordings."""
    return [name for name, spec in ENGINES.items() if not spec.recorded]


def _unknown(name: str) -> str:
    return _("unknown engine '{name}' (engines: {engines})").format(name=name, engines=", ".join(ENGINES))


def known_engine(name: str) -> str:
    """The name, if an engine has it; the profile's validator (pydantic turns the ValueError into a key path)."""
    if name not in ENGINES:
        raise ValueError(_unknown(name))
    return name


def engine_spec(name: str) -> EngineSpec:
    try:
        return ENGINES[name]
    except KeyError:
        raise ConfigError(_unknown(name)) from None
