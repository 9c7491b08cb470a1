"""Month-by-month totals of the ledger, as the county reports them upwards (reversed entries left out)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from outreach.ledger.store import LIVE_DELIVERIES, LIVE_EVENTS, LIVE_RUNS, reading


@dataclass
class MonthFigures:
    """One month: pieces printed per kind, delivered per kind and recipient type, events per kind, people."""

    month: str
    printed: dict[str, int] = field(default_factory=dict)
    delivered: dict[str, dict[str, int]] = field(default_factory=dict)
    events: dict[str, int] = field(default_factory=dict)
    reached: int = 0
    consultations: int = 0

    @property
    def delivered_total(self) -> int:
        return sum(n for by_type in self.delivered.values() for n in by_type.values())

    def delivered_to(self, recipient_type: str) -> int:
        return sum(by_type.get(recipient_type, 0) for by_type in self.delivered.values())


def months_of(year: int, through: int) -> list[str]:
    return [f"{year:04d}-{m:02d}" for m in range(1, through + 1)]


def year_figures(path: Path, year: int, through: int) -> list[MonthFigures]:
    """January to month ``through`` of ``year``, one entry a month, empty months included."""
    figures = {m: MonthFigures(m) for m in months_of(year, through)}
    prefix = f"{year:04d}-"
    with reading(path) as conn:
        if conn is None:
            return list(figures.values())
        printed = conn.execute(
            "SELECT substr(r.printed_at, 1, 7), r.layout, SUM(r.cards) FROM print_runs r"
            f" WHERE {LIVE_RUNS} AND substr(r.printed_at, 1, 5) = ? GROUP BY 1, 2", (prefix,)).fetchall()
        delivered = conn.execute(
            "SELECT substr(d.delivered_on, 1, 7), d.kind, d.recipient_type, SUM(d.quantity) FROM deliveries d"
            f" WHERE {LIVE_DELIVERIES} AND substr(d.delivered_on, 1, 5) = ? GROUP BY 1, 2, 3", (prefix,)).fetchall()
        events = conn.execute(
            "SELECT substr(e.held_on, 1, 7), e.kind, COUNT(*), SUM(e.reached), SUM(e.consultations) FROM events e"
            f" WHERE {LIVE_EVENTS} AND substr(e.held_on, 1, 5) = ? GROUP BY 1, 2", (prefix,)).fetchall()
    for month, kind, n in printed:
        if month in figures:
            figures[month].printed[kind] = int(n)
    nested: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for month, kind, recipient_type, n in delivered:
        nested[month][kind][recipient_type] = int(n)
    for month, by_kind in nested.items():
        if month in figures:
            figures[month].delivered = {k: dict(v) for k, v in by_kind.items()}
    for month, kind, n, reached, consultations in events:
        if month in figures:
            fig = figures[month]
            fig.events[kind] = int(n)
            fig.reached += int(reached)
            fig.consultations += int(consultations)
    return list(figures.values())
