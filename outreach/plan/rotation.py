"""Which script a rule plays next in one village: round robin or smooth weighted round robin.

A script played fewer than ``min_gap_days`` ago is passed over while another
one is fresh. In round-robin mode the next script in turn is always the one
played longest ago, so the gap only changes the weighted order.
"""

from __future__ import annotations

import datetime as dt

from outreach.catalog import Script
from outreach.plan.model import Rotation, RotationMode


class Rotor:
    """The rotation state of one (rule, village): fed days in order, it answers with a script."""

    def __init__(self, rotation: Rotation, scripts: list[Script]) -> None:
        self.rotation = rotation
        self.scripts = scripts
        self.index = 0
        self.current = {s.id: 0 for s in scripts}
        self.last: dict[str, dt.date] = {}

    def _fresh(self, script: Script, day: dt.date) -> bool:
        last = self.last.get(script.id)
        return last is None or (day - last).days >= self.rotation.min_gap_days

    def _weighted(self, day: dt.date) -> Script:
        weights = {s.id: self.rotation.weights.get(s.id, 1) for s in self.scripts}
        for s in self.scripts:
            self.current[s.id] += weights[s.id]
        pool = [s for s in self.scripts if self._fresh(s, day)] or self.scripts
        chosen = max(pool, key=lambda s: (self.current[s.id], -self.scripts.index(s)))
        self.current[chosen.id] -= sum(weights.values())
        return chosen

    def _round_robin(self, day: dt.date) -> Script:
        n = len(self.scripts)
        order = [self.scripts[(self.index + k) % n] for k in range(n)]
        chosen = next((s for s in order if self._fresh(s, day)), None) or min(
            order, key=lambda s: self.last.get(s.id, dt.date.min))
        self.index = (self.scripts.index(chosen) + 1) % n
        return chosen

    def choose(self, day: dt.date) -> Script:
        if self.rotation.mode == RotationMode.WEIGHTED:
            chosen = self._weighted(day)
        else:
            chosen = self._round_robin(day)
        self.last[chosen.id] = day
        return chosen
