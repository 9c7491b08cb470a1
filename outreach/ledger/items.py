"""Items of stock and how much of each is left: printed (print runs) minus delivered (deliveries, event hand-outs).

An item is what a print run made of one script in one layout (``card:fake-loan``,
``booklet:fake-loan+general-warning``: a booklet's key is its scripts), or the
same drawn from one run (``run:12``, ``run:12:fake-loan`` when the run printed
several scripts). ``booklet`` alone names the one booklet the ledger knows.
Reversed entries count for nothing.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from outreach.i18n import _
from outreach.ledger.store import LIVE_DELIVERIES, LIVE_RUNS, LedgerError, reading


@dataclass(frozen=True)
class Item:
    kind: str
    script: str
    run_id: int | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.script}"

    def __str__(self) -> str:
        return f"run:{self.run_id}:{self.script}" if self.run_id is not None else self.key


@dataclass(frozen=True)
class StockLine:
    kind: str
    script: str
    printed: int
    delivered: int
    handed_out: int

    @property
    def in_stock(self) -> int:
        return self.printed - self.delivered - self.handed_out

    def as_dict(self) -> dict[str, object]:
        return {"item": f"{self.kind}:{self.script}", "kind": self.kind, "script": self.script,
                "printed": self.printed, "delivered": self.delivered, "handed_out": self.handed_out,
                "in_stock": self.in_stock}


def printed_pool(conn: sqlite3.Connection) -> dict[tuple[str, str], int]:
    query = ("SELECT r.layout, i.script, SUM(i.copies) FROM print_items i JOIN print_runs r ON r.id = i.run_id"
             f" WHERE {LIVE_RUNS} GROUP BY r.layout, i.script")
    return {(kind, script): int(n) for kind, script, n in conn.execute(query)}


def _out_pool(conn: sqlite3.Connection) -> dict[tuple[str, str], tuple[int, int]]:
    query = ("SELECT d.kind, d.script, SUM(CASE WHEN d.event_id IS NULL THEN d.quantity ELSE 0 END),"
             f" SUM(CASE WHEN d.event_id IS NULL THEN 0 ELSE d.quantity END) FROM deliveries d WHERE {LIVE_DELIVERIES}"
             " GROUP BY d.kind, d.script")
    return {(kind, script): (int(a), int(b)) for kind, script, a, b in conn.execute(query)}


def stock_lines(conn: sqlite3.Connection) -> list[StockLine]:
    printed, out = printed_pool(conn), _out_pool(conn)
    return [StockLine(kind, script, printed.get((kind, script), 0), *out.get((kind, script), (0, 0)))
            for kind, script in sorted(set(printed) | set(out))]


def stock(path: Path) -> list[StockLine]:
    """Every item ever printed or handed out, with what is left."""
    with reading(path) as conn:
        return [] if conn is None else stock_lines(conn)


def _run_item(conn: sqlite3.Connection, spec: str, run_part: str, script: str) -> Item:
    if not run_part.isdigit():
        raise LedgerError(_("'{spec}': a run is named run:NUMBER (see `outreach ledger`)").format(spec=spec))
    run = conn.execute(f"SELECT r.id, r.layout FROM print_runs r WHERE r.id = ? AND {LIVE_RUNS}",
                       (int(run_part),)).fetchone()
    if run is None:
        raise LedgerError(_("'{spec}': there is no print run {run} (or it was reversed); see `outreach ledger`")
                          .format(spec=spec, run=run_part))
    scripts = [r[0] for r in conn.execute("SELECT DISTINCT script FROM print_items WHERE run_id = ?", (run["id"],))]
    if script and script not in scripts:
        raise LedgerError(_("'{spec}': run {run} printed {scripts}, not {script}").format(
            spec=spec, run=run_part, scripts=", ".join(scripts), script=script))
    if not script and len(scripts) != 1:
        options = ", ".join(f"run:{run_part}:{s}" for s in scripts)
        raise LedgerError(_("'{spec}': run {run} printed several scripts; name one: {options}").format(
            spec=spec, run=run_part, options=options))
    return Item(run["layout"], script or scripts[0], int(run["id"]))


def resolve_item(conn: sqlite3.Connection, spec: str) -> Item:
    """``run:N[:SCRIPT]``, ``KIND:SCRIPT`` or ``KIND`` -> the item; what was never printed is an error."""
    head, _sep, rest = spec.strip().partition(":")
    if head == "run":
        run_part, _sep, script = rest.partition(":")
        return _run_item(conn, spec, run_part, script)
    known = sorted(printed_pool(conn))
    matches = [(k, s) for k, s in known if k == head and (not rest or s == rest)]
    if len(matches) == 1:
        return Item(*matches[0])
    listed = ", ".join(f"{k}:{s}" for k, s in (matches or known)) or _("nothing has been printed yet")
    if len(matches) > 1:
        raise LedgerError(_("'{spec}' could be any of {listed}: name one").format(spec=spec, listed=listed))
    raise LedgerError(_("nothing printed as '{spec}' (printed: {listed})").format(spec=spec, listed=listed))


def left(conn: sqlite3.Connection, item: Item) -> int:
    """How many of the item are left: of the whole stock of its kind and script, or of its one run."""
    if item.run_id is None:
        line = next((s for s in stock_lines(conn) if (s.kind, s.script) == (item.kind, item.script)), None)
        return line.in_stock if line else 0
    printed = conn.execute("SELECT COALESCE(SUM(copies), 0) FROM print_items WHERE run_id = ? AND script = ?",
                           (item.run_id, item.script)).fetchone()[0]
    out = conn.execute(f"SELECT COALESCE(SUM(d.quantity), 0) FROM deliveries d WHERE {LIVE_DELIVERIES}"
                       " AND d.run_id = ? AND d.script = ?", (item.run_id, item.script)).fetchone()[0]
    pool = left(conn, Item(item.kind, item.script))
    return min(int(printed) - int(out), pool)
