"""Speech: split rendered text into sentences and voice each with a chain of engines.

- ``segments``: sentences in one language each, and the key that names their recording;
- ``engine``: the one interface every engine implements; ``registry``: every engine, by name;
- ``chain``: per-language fallback chains in front of ``cache`` (audio by a hash of what decides it);
- one module per engine (``clips``: human recordings; ``espeak``, ``gtts``, ``bouyei_espeak``...), each registered once.

This file holds only the errors, so the profile can validate engine names
(``registry``) without loading any engine or the renderer.
"""

from __future__ import annotations

from outreach.errors import OutreachError


class EngineError(OutreachError):
    """One engine could not voice one segment (the chain then tries the next)."""


class EngineUnavailable(EngineError):
    """The engine cannot voice this at all (no recording, offline, wrong language)."""


class SpeechError(OutreachError):
    """No engine in the chain could voice a segment; never silence in its place."""
