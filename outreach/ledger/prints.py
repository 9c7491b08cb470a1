"""Print runs: what was printed, when, by whom, for which villages (the supply side of the stock).

A damaged ledger file is never silently replaced: a print run that finds it
damaged moves it aside (kept for the record), says so, and records the run in
a new ledger; reading a damaged ledger is an error naming the file.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from outreach.datafile import display_path, set_aside
from outreach.i18n import _
from outreach.ledger.store import LIVE_RUNS, LedgerError, connect, reading, reversed_ids, stamp

log = logging.getLogger(__name__)


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
    reversed: bool = False


def _month_filter(month: str | None, column: str) -> tuple[str, tuple[str, ...]]:
    return (f" AND substr({column}, 1, 7) = ?", (month,)) if month else ("", ())


class PrintLedger:
    """Print runs in the ledger file (``deployment.ledger_path``); every print run writes one entry."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def record(self, *, layout: str, items: list[tuple[str, str]], copies: int, pages: int, output: Path,
               printed_by: str, draft: bool, when: dt.datetime | None = None) -> int:
        """Write one run; items are (script, village) pairs, each printed `copies` times.

        The output exists by now, so a failure says it was written but not recorded; a damaged ledger is moved
        aside (with a warning naming both files) and the run starts a new one.
        """
        entry = dict(layout=layout, items=items, copies=copies, pages=pages, output=output, printed_by=printed_by,
                     draft=draft, when=when or dt.datetime.now().astimezone())
        try:
            try:
                return self._insert(**entry)
            except LedgerError as exc:
                if not exc.damaged:
                    raise
                aside = set_aside(self.path)
                log.warning(_("{path} was damaged ({error}): moved aside to {aside} and kept for the record; "
                              "this print run starts a new ledger").format(
                    path=display_path(self.path), error=exc, aside=display_path(aside)))
            return self._insert(**entry)
        except (LedgerError, OSError) as exc:
            raise LedgerError(_("{output} was written, but the print run was not recorded in {ledger} ({error}): "
                                "note it by hand").format(output=output, ledger=display_path(self.path),
                                                          error=exc)) from None

    def _insert(self, *, layout: str, items: list[tuple[str, str]], copies: int, pages: int, output: Path,
                printed_by: str, draft: bool, when: dt.datetime) -> int:
        scripts = sorted({s for s, _village in items})
        villages = sorted({v for _script, v in items})
        with connect(self.path) as conn:
            cur = conn.execute(
                "INSERT INTO print_runs (printed_at, layout, scripts, villages, copies, cards, pages, output,"
                " printed_by, draft) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (stamp(when), layout, json.dumps(scripts), json.dumps(villages), copies,
                 len(items) * copies, pages, str(output), printed_by, int(draft)),
            )
            run_id = int(cur.lastrowid or 0)
            conn.executemany("INSERT INTO print_items (run_id, script, village, copies) VALUES (?, ?, ?, ?)",
                             [(run_id, s, v, copies) for s, v in items])
        return run_id

    def runs(self, month: str | None = None, include_reversed: bool = True) -> list[Run]:
        """Every run (of one month, ``YYYY-MM``, when given), oldest first, reversed ones marked."""
        where, args = _month_filter(month, "printed_at")
        with reading(self.path) as conn:
            if conn is None:
                return []
            gone = reversed_ids(conn, "run")
            rows = conn.execute(f"SELECT * FROM print_runs WHERE 1 = 1{where} ORDER BY id", args).fetchall()
        runs = [Run(r["id"], r["printed_at"], r["layout"], json.loads(r["scripts"]), json.loads(r["villages"]),
                    r["copies"], r["cards"], r["pages"], r["output"], r["printed_by"], bool(r["draft"]),
                    r["id"] in gone) for r in rows]
        return runs if include_reversed else [r for r in runs if not r.reversed]

    def per_village(self, month: str | None = None) -> dict[str, dict[str, int]]:
        """village -> layout -> pieces printed (reversed runs left out)."""
        where, args = _month_filter(month, "r.printed_at")
        totals: dict[str, dict[str, int]] = {}
        with reading(self.path) as conn:
            if conn is None:
                return {}
            query = ("SELECT i.village, r.layout, SUM(i.copies) FROM print_items i JOIN print_runs r ON r.id = i.run_id"
                     f" WHERE {LIVE_RUNS}{where} GROUP BY i.village, r.layout ORDER BY i.village")
            for village, layout, count in conn.execute(query, args):
                totals.setdefault(village, {})[layout] = int(count)
        return totals

