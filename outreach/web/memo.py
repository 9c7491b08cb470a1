"""Results that are costly to compute and change only when files do: keyed by the files' fingerprint.

The console answers many requests from the same deployment; ``check`` or a month's agenda take
hundreds of milliseconds. A fingerprint (names, sizes and modification times under the given
folders) costs a directory walk, so a result is recomputed exactly when an input changed.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Hashable, Iterable
from pathlib import Path
from typing import Any


def fingerprint(folders: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for folder in folders:
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames.sort()
            for name in sorted(filenames):
                try:
                    st = os.stat(os.path.join(dirpath, name))
                except FileNotFoundError:
                    continue
                digest.update(f"{dirpath}/{name}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


class Memo:
    """Compute-once per key; concurrent callers of the same key wait for the first instead of repeating it."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._values: dict[Hashable, Any] = {}
        self._locks: dict[Hashable, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        with self._guard:
            if key in self._values:
                return self._values[key]
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            with self._guard:
                if key in self._values:
                    return self._values[key]
            value = compute()
            with self._guard:
                if len(self._values) >= self.size:
                    self._values.pop(next(iter(self._values)))
                self._values[key] = value
                self._locks.pop(key, None)
            return value
