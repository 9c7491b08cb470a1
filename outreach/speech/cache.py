"""Content-addressed caches of sound in the state folder: voiced segments, and the same mastered.

A voiced segment's key = hash(engine, what decides the engine's sound,
language, text); a mastered piece's key = hash(its source, the level it was
mastered to) (``mastering.mastered_key``). A hit touches the file, so
``prune --older-than`` removes what has not been used. Entries are written
through ``media.atomic_path`` and their content depends only on their key, so
processes rendering in parallel can share a cache: a crash never leaves a
half-written entry under its final name, and two processes making the same
entry write the same bytes.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CacheStats:
    files: int
    bytes: int
    oldest_use: float | None
    newest_use: float | None


KINDS = ("audio", "mastered")


class AudioCache:
    """Sound under ``<state>/cache/<kind>/<2 hex>/<key>.wav``: ``audio`` voiced segments, ``mastered`` pieces."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def in_state(cls, state_dir: Path, kind: str = "audio") -> AudioCache:
        """A cache of a deployment's state folder (``deployment.state_dir``)."""
        if kind not in KINDS:
            raise ValueError(f"unknown cache kind '{kind}'")
        return cls(state_dir / "cache" / kind)

    @staticmethod
    def key(engine: str, identity: str, lang: str, text: str) -> str:
        return hashlib.sha256("\x1f".join((engine, identity, lang, text)).encode("utf-8")).hexdigest()[:32]

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.wav"

    def has(self, key: str) -> bool:
        """Whether the entry exists, without counting as a use (for previews)."""
        path = self.path(key)
        return path.is_file() and path.stat().st_size > 0

    def hit(self, key: str) -> Path | None:
        """The entry's path, marked as used now; None on a miss."""
        if not self.has(key):
            return None
        path = self.path(key)
        os.utime(path)
        return path

    def _entries(self) -> list[Path]:
        return list(self.root.glob("??/*.wav")) if self.root.exists() else []

    def stats(self) -> CacheStats:
        entries = [(p.stat().st_size, p.stat().st_mtime) for p in self._entries()]
        return CacheStats(
            files=len(entries),
            bytes=sum(size for size, _ in entries),
            oldest_use=min((m for _, m in entries), default=None),
            newest_use=max((m for _, m in entries), default=None),
        )

    def prune(self, older_than_days: float | None = None, now: float | None = None) -> tuple[int, int]:
        """Remove entries unused for the given number of days (all, when None); returns (files, bytes)."""
        cutoff = (now or time.time()) - older_than_days * 86400 if older_than_days is not None else None
        files = size = 0
        for path in self._entries():
            stat = path.stat()
            if cutoff is None or stat.st_mtime < cutoff:
                path.unlink(missing_ok=True)
                files += 1
                size += stat.st_size
        return files, size
