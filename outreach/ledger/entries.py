"""Recording deliveries and events, and reversing any entry: the writing side of the ledger.

Every check happens before anything is written, inside the one transaction
that writes: an unknown recipient, a date in the future or more than is in
stock (without ``force``) leaves the ledger as it was. A correction reverses
the old entry and records the new one in that same transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from outreach.deployment import Deployment
from outreach.i18n import N_, _, show_date, show_number
from outreach.ledger.items import Item, left, resolve_item, stock_lines
from outreach.ledger.places import Place, resolve_place
from outreach.ledger.store import ENTRY_KINDS, LedgerError, connect, stamp


FUTURE = {
    "delivery": N_("the delivery date {day} is in the future (today is {today}): record it once it happened"),
    "event": N_("the event date {day} is in the future (today is {today}): record it once it happened"),
}
NO_SUCH = {
    "run": N_("there is no run {id} in the ledger"),
    "delivery": N_("there is no delivery {id} in the ledger"),
    "event": N_("there is no event {id} in the ledger"),
}
ALREADY = {
    "run": N_("run {id} was already reversed"),
    "delivery": N_("delivery {id} was already reversed"),
    "event": N_("event {id} was already reversed"),
}


class EventKind(StrEnum):
    """The kinds of outreach the county reports: market-day stands, 法制进校园 lectures, talks, loudspeaker tours."""

    MARKET_STAND = "market-stand"
    SCHOOL_LECTURE = "school-lecture"
    COMMUNITY_TALK = "community-talk"
    LOUDSPEAKER_TOUR = "loudspeaker-tour"


@dataclass(frozen=True)
class Handout:
    """Material handed out at an event: an item spec (``card:fake-loan``, ``run:3``) and how many."""

    item: str
    quantity: int


@dataclass(frozen=True)
class DeliveryRequest:
    item: str
    quantity: int
    recipient: str
    on: dt.date
    by: str
    note: str = ""
    force: bool = False
    corrects: int | None = None


@dataclass(frozen=True)
class EventRequest:
    held_on: dt.date
    place: str
    kind: EventKind | str
    officers: tuple[str, ...]
    reached: int
    consultations: int = 0
    handouts: tuple[Handout, ...] = ()
    notes: str = ""
    photos: tuple[Path, ...] = field(default_factory=tuple)
    by: str = ""
    force: bool = False
    corrects: int | None = None


def _not_future(day: dt.date, now: dt.datetime, what: str) -> None:
    if day > now.date():
        raise LedgerError(_(FUTURE[what]).format(day=show_date(day), today=show_date(now.date())))


def _draw(conn: sqlite3.Connection, item: Item, quantity: int, force: bool) -> None:
    """Refuse to give out more than is left, unless forced (the ledger is behind a real delivery)."""
    if quantity <= 0:
        raise LedgerError(_("the quantity of {item} must be at least 1 (got {quantity})").format(item=item,
                                                                                            quantity=quantity))
    available = left(conn, item)
    if quantity > available and not force:
        raise LedgerError(
            _("only {available} of {item} in stock, not {quantity}: deliver fewer, record the print run first, "
              "or use --force when the material really went out").format(
                available=show_number(max(available, 0)), item=item, quantity=show_number(quantity))
        )


def _insert_delivery(conn: sqlite3.Connection, item: Item, quantity: int, place: Place, on: dt.date,
                     stamp_by: tuple[str, str], extra: dict[str, object]) -> int:
    cur = conn.execute(
        "INSERT INTO deliveries (kind, script, run_id, quantity, recipient_type, recipient, delivered_on, event_id,"
        " note, forced, corrects, recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (item.kind, item.script, item.run_id, quantity, place.type, place.id, on.isoformat(), extra.get("event_id"),
         extra.get("note", ""), int(bool(extra.get("forced"))), extra.get("corrects"), *stamp_by),
    )
    return int(cur.lastrowid or 0)


def _reverse(conn: sqlite3.Connection, entry: str, entry_id: int, reason: str, stamp_by: tuple[str, str]) -> int:
    if entry not in ENTRY_KINDS:
        raise LedgerError(_("unknown entry kind '{entry}' (kinds: {kinds})").format(entry=entry,
                                                                                 kinds=", ".join(ENTRY_KINDS)))
    if not reason.strip():
        raise LedgerError(_("say why the entry is reversed (--reason): the reversal stays in the ledger for good"))
    table = {"run": "print_runs", "delivery": "deliveries", "event": "events"}[entry]
    if conn.execute(f"SELECT 1 FROM {table} WHERE id = ?", (entry_id,)).fetchone() is None:
        raise LedgerError(_(NO_SUCH[entry]).format(id=entry_id))
    if conn.execute("SELECT 1 FROM reversals WHERE entry = ? AND entry_id = ?", (entry, entry_id)).fetchone():
        raise LedgerError(_(ALREADY[entry]).format(id=entry_id))
    cur = conn.execute("INSERT INTO reversals (entry, entry_id, reason, recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?)",
                       (entry, entry_id, reason.strip(), *stamp_by))
    return int(cur.lastrowid or 0)


def deliver(deployment: Deployment, request: DeliveryRequest) -> int:
    """Record a delivery (or a correction of one); returns the new delivery's id."""
    now = deployment.now()
    _not_future(request.on, now, "delivery")
    place = resolve_place(deployment.profile, request.recipient)
    by = (stamp(now), request.by)
    with connect(deployment.ledger_path) as conn:
        if request.corrects is not None:
            _reverse(conn, "delivery", request.corrects, "corrected by a later delivery entry", by)
        item = resolve_item(conn, request.item)
        _draw(conn, item, request.quantity, request.force)
        return _insert_delivery(conn, item, request.quantity, place, request.on, by,
                                {"note": request.note, "forced": request.force, "corrects": request.corrects})


def _check_event(request: EventRequest) -> tuple[EventKind, list[str]]:
    try:
        kind = EventKind(request.kind)
    except ValueError:
        raise LedgerError(_("unknown event kind '{kind}' (kinds: {kinds})").format(
            kind=request.kind, kinds=", ".join(EventKind))) from None
    officers = [o.strip() for o in request.officers if o.strip()]
    if not officers:
        raise LedgerError(_("name at least one officer who ran the event (--officer)"))
    if request.reached < 0 or request.consultations < 0:
        raise LedgerError(_("people reached and consultations are counts: 0 or more"))
    missing = [str(p) for p in request.photos if not Path(p).is_file()]
    if missing:
        raise LedgerError(_("photo not found: {paths}").format(paths=", ".join(missing)))
    return kind, officers


def add_event(deployment: Deployment, request: EventRequest) -> int:
    """Record an outreach event and the material handed out there (drawn from stock); returns its id."""
    now = deployment.now()
    _not_future(request.held_on, now, "event")
    kind, officers = _check_event(request)
    place = resolve_place(deployment.profile, request.place)
    by = (stamp(now), request.by)
    photos = [str(Path(p).resolve()) for p in request.photos]
    with connect(deployment.ledger_path) as conn:
        if request.corrects is not None:
            _reverse(conn, "event", request.corrects, "corrected by a later event entry", by)
        cur = conn.execute(
            "INSERT INTO events (held_on, kind, place_type, place, officers, reached, consultations, notes, photos,"
            " corrects, recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (request.held_on.isoformat(), kind.value, place.type, place.id, json.dumps(officers, ensure_ascii=False),
             request.reached, request.consultations, request.notes, json.dumps(photos, ensure_ascii=False),
             request.corrects, *by),
        )
        event_id = int(cur.lastrowid or 0)
        for handout in request.handouts:
            item = resolve_item(conn, handout.item)
            _draw(conn, item, handout.quantity, request.force)
            _insert_delivery(conn, item, handout.quantity, place, request.held_on, by,
                             {"event_id": event_id, "forced": request.force})
    return event_id


def reverse(deployment: Deployment, entry: str, entry_id: int, reason: str, by: str, force: bool = False) -> int:
    """Reverse a run, delivery or event (it then counts for nothing); a run whose pieces went out needs ``force``."""
    now = deployment.now()
    with connect(deployment.ledger_path) as conn:
        reversal = _reverse(conn, entry, entry_id, reason, (stamp(now), by))
        made = {(r[0], r[1]) for r in conn.execute(
            "SELECT r.layout, i.script FROM print_items i JOIN print_runs r ON r.id = i.run_id WHERE r.id = ?",
            (entry_id,))} if entry == "run" else set()
        short = [line for line in stock_lines(conn) if line.in_stock < 0 and (line.kind, line.script) in made]
        if short and not force:
            listed = ", ".join(f"{s.kind}:{s.script} ({show_number(s.in_stock)})" for s in short)
            raise LedgerError(_("reversing run {id} leaves less than nothing in stock: {items}; "
                                "reverse those deliveries first, or use --force").format(id=entry_id, items=listed))
    return reversal
