"""The daemon's idea of now, injected so tests can run air time on a fake clock."""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current time, zone-aware."""


class SystemClock:
    """Wall-clock time in the county's zone, so logged and planned times read alike."""

    def __init__(self, zone: dt.tzinfo) -> None:
        self.zone = zone

    def now(self) -> dt.datetime:
        return dt.datetime.now(self.zone)
