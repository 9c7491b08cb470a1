"""The print ledger: every print run, for the monthly report ("cards printed this month, per village")."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS print_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    printed_at TEXT NOT NULL,
    layout TEXT NOT NULL,
    scripts TEXT NOT NULL,
    villages TEXT NOT NULL,
    copies INTEGER NOT NULL,
    cards INTEGER NOT NULL,
    pages INTEGER NOT NULL,
    output TEXT NOT NULL,
    printed_by TEXT NOT NULL,
    draft INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS print_items (
    run_id INTEGER NOT NULL REFERENCES print_runs(id),
    script TEXT NOT NULL,
    village TEXT NOT NULL,
    copies INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS print_runs_at ON print_runs(printed_at);
"""


@dataclass(frozen=True)
class Run:
    id: int
    printed_at: str
    layout: str
    scripts: list[str]
    villages: list[str]
    copies: int
    cards: int
    pages: int
    output: str
    printed_by: str
    draft: bool


class Ledger:
    """Append-only record of print runs in one SQLite file (``deployment.ledger_path``)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.executescript(SCHEMA)
        return conn

    def record(self, *, layout: str, items: list[tuple[str, str]], copies: int, pages: int, output: Path,
               printed_by: str, draft: bool, when: dt.datetime | None = None) -> int:
        """Write one run; items are (script, village) pairs, each printed `copies` times."""
        when = when or dt.datetime.now().astimezone()
        scripts = sorted({s for s, _ in items})
        villages = sorted({v for _, v in items})
        with closing(self._connect()) as conn, conn:
            cur = conn.execute(
                "INSERT INTO print_runs (printed_at, layout, scripts, villages, copies, cards, pages, output,"
                " printed_by, draft) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (when.isoformat(timespec="seconds"), layout, json.dumps(scripts), json.dumps(villages), copies,
                 len(items) * copies, pages, str(output), printed_by, int(draft)),
            )
            run_id = int(cur.lastrowid or 0)
            conn.executemany("INSERT INTO print_items (run_id, script, village, copies) VALUES (?, ?, ?, ?)",
                             [(run_id, s, v, copies) for s, v in items])
        return run_id

    def runs(self, month: str | None = None) -> list[Run]:
        """Every run (of one month, ``YYYY-MM``, when given), oldest first; reading never creates the file."""
        if not self.path.exists():
            return []
        query = "SELECT * FROM print_runs" + (" WHERE substr(printed_at, 1, 7) = ?" if month else "") + " ORDER BY id"
        with closing(self._connect()) as conn:
            rows = conn.execute(query, (month,) if month else ()).fetchall()
        return [Run(r[0], r[1], r[2], json.loads(r[3]), json.loads(r[4]), r[5], r[6], r[7], r[8], r[9], bool(r[10]))
                for r in rows]

    def per_village(self, month: str | None = None) -> dict[str, dict[str, int]]:
        """village -> layout -> cards printed."""
        if not self.path.exists():
            return {}
        query = ("SELECT i.village, r.layout, SUM(i.copies) FROM print_items i JOIN print_runs r ON r.id = i.run_id"
                 + (" WHERE substr(r.printed_at, 1, 7) = ?" if month else "")
                 + " GROUP BY i.village, r.layout ORDER BY i.village")
        totals: dict[str, dict[str, int]] = {}
        with closing(self._connect()) as conn:
            for village, layout, count in conn.execute(query, (month,) if month else ()):
                totals.setdefault(village, {})[layout] = int(count)
        return totals
