"""Recorded voice: a recording whose name is a segment's key beats any synthetic voice.

``audio/clips/<lang>/<key>.wav`` (or .mp3, .m4a, .ogg, .flac), where the key is
``segment_key(lang, text)``; ``outreach audio --dry-run`` lists the keys a
script needs. A re-recorded clip has new content, so its cached audio is
replaced automatically (the clip's hash is part of the cache key).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from outreach.media import to_wav
from outreach.speech import EngineUnavailable, segment_key

EXTENSIONS = (".wav", ".mp3", ".m4a", ".ogg", ".flac")


class ClipsEngine:
    name = "clips"

    def __init__(self, clips_dir: Path) -> None:
        self.clips_dir = clips_dir

    def find(self, text: str, lang: str) -> Path | None:
        key = segment_key(lang, text)
        for ext in EXTENSIONS:
            path = self.clips_dir / lang / f"{key}{ext}"
            if path.is_file() and path.stat().st_size > 0:
                return path
        return None

    def identity(self, text: str, lang: str) -> str:
        path = self.find(text, lang)
        if path is None:
            key = segment_key(lang, text)
            raise EngineUnavailable(f"no recording {self.clips_dir.name}/{lang}/{key}.wav")
        return hashlib.sha256(path.read_bytes()).hexdigest()[:16]

    def synthesize(self, text: str, lang: str, out: Path) -> None:
        path = self.find(text, lang)
        if path is None:
            raise EngineUnavailable(f"no recording for {segment_key(lang, text)}")
        to_wav(path, out)
