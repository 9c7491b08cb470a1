"""Reading deliveries, events and reversals back, as they were entered (reversed entries marked, not hidden)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from outreach.ledger.store import reading, reversed_ids


@dataclass(frozen=True)
class Entry:
    """What every ledger entry carries: who recorded it and when, what it corrects, whether it was reversed."""

    id: int
    recorded_at: str
    recorded_by: str
    corrects: int | None
    reversed: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Delivery(Entry):
    item: str
    kind: str
    script: str
    run_id: int | None
    quantity: int
    recipient_type: str
    recipient: str
    delivered_on: str
    event_id: int | None
    note: str
    forced: bool


@dataclass(frozen=True)
class Event(Entry):
    held_on: str
    kind: str
    place_type: str
    place: str
    officers: list[str]
    reached: int
    consultations: int
    notes: str
    photos: list[str]
    handouts: list[dict[str, Any]]


@dataclass(frozen=True)
class Reversal:
    id: int
    entry: str
    entry_id: int
    reason: str
    recorded_at: str
    recorded_by: str


def _recorded(r: sqlite3.Row, gone: set[int]) -> dict[str, Any]:
    return {"id": r["id"], "recorded_at": r["recorded_at"], "recorded_by": r["recorded_by"],
            "corrects": r["corrects"], "reversed": r["id"] in gone}


def _period(column: str, month: str | None) -> tuple[str, tuple[str, ...]]:
    """A month (``YYYY-MM``) or a year (``YYYY``) as a filter on a date column."""
    if not month:
        return "", ()
    return f" AND substr({column}, 1, {len(month)}) = ?", (month,)


def _delivery(r: sqlite3.Row, gone: set[int]) -> Delivery:
    return Delivery(**_recorded(r, gone), item=f"{r['kind']}:{r['script']}", kind=r["kind"], script=r["script"],
                    run_id=r["run_id"], quantity=r["quantity"], recipient_type=r["recipient_type"],
                    recipient=r["recipient"], delivered_on=r["delivered_on"], event_id=r["event_id"], note=r["note"],
                    forced=bool(r["forced"]))


def deliveries(path: Path, period: str | None = None, with_handouts: bool = False) -> list[Delivery]:
    """Deliveries of a month or year (all, when None), oldest first; event hand-outs only when asked."""
    where, args = _period("delivered_on", period)
    if not with_handouts:
        where += " AND event_id IS NULL"
    with reading(path) as conn:
        if conn is None:
            return []
        gone = reversed_ids(conn, "delivery") | _handouts_of_reversed_events(conn)
        rows = conn.execute(f"SELECT * FROM deliveries WHERE 1 = 1{where} ORDER BY delivered_on, id", args).fetchall()
    return [_delivery(r, gone) for r in rows]


def _handouts_of_reversed_events(conn: sqlite3.Connection) -> set[int]:
    events = reversed_ids(conn, "event")
    return {int(r[0]) for r in conn.execute("SELECT id, event_id FROM deliveries WHERE event_id IS NOT NULL")
            if r[1] in events}


def events(path: Path, period: str | None = None) -> list[Event]:
    """Events of a month or year (all, when None), oldest first, each with what was handed out there."""
    where, args = _period("held_on", period)
    with reading(path) as conn:
        if conn is None:
            return []
        gone = reversed_ids(conn, "event")
        rows = conn.execute(f"SELECT * FROM events WHERE 1 = 1{where} ORDER BY held_on, id", args).fetchall()
        taken_back = reversed_ids(conn, "delivery")
        handouts: dict[int, list[dict[str, Any]]] = {}
        for h in conn.execute("SELECT id, event_id, kind, script, quantity FROM deliveries WHERE event_id IS NOT NULL"
                              " ORDER BY id"):
            handouts.setdefault(h["event_id"], []).append({"item": f"{h['kind']}:{h['script']}",
                                                           "quantity": h["quantity"],
                                                           "reversed": h["id"] in taken_back})
    return [Event(**_recorded(r, gone), held_on=r["held_on"], kind=r["kind"], place_type=r["place_type"],
                  place=r["place"], officers=json.loads(r["officers"]), reached=r["reached"],
                  consultations=r["consultations"], notes=r["notes"], photos=json.loads(r["photos"]),
                  handouts=handouts.get(r["id"], []))
            for r in rows]


def reversals(path: Path) -> list[Reversal]:
    """Every reversal, oldest first: who took which entry back, when and why."""
    with reading(path) as conn:
        if conn is None:
            return []
        return [Reversal(r["id"], r["entry"], r["entry_id"], r["reason"], r["recorded_at"], r["recorded_by"])
                for r in conn.execute("SELECT * FROM reversals ORDER BY id")]
