"""The one SQLite file of the outreach ledger (``var/ledger.sqlite``): print runs, deliveries, events, reversals.

Append-only by construction: triggers refuse every UPDATE and DELETE, so a
mistake can only be answered by a new entry (a reversal, or a correction that
reverses the old entry and records the right one). The print tables keep the
shape the print ledger always had, so a file written before the ledger grew
deliveries and events is read as it is; the new tables are added on first use.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from outreach.datafile import display_path
from outreach.errors import LedgerError
from outreach.i18n import _

APPEND_ONLY = "the ledger is append-only: record a reversal or a correction instead"
TABLES = ("print_runs", "print_items", "deliveries", "events", "reversals")
ENTRY_KINDS = ("run", "delivery", "event")

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
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    held_on TEXT NOT NULL,
    kind TEXT NOT NULL,
    place_type TEXT NOT NULL,
    place TEXT NOT NULL,
    officers TEXT NOT NULL,
    reached INTEGER NOT NULL CHECK (reached >= 0),
    consultations INTEGER NOT NULL CHECK (consultations >= 0),
    notes TEXT NOT NULL DEFAULT '',
    photos TEXT NOT NULL DEFAULT '[]',
    corrects INTEGER REFERENCES events(id),
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    script TEXT NOT NULL,
    run_id INTEGER REFERENCES print_runs(id),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    recipient_type TEXT NOT NULL,
    recipient TEXT NOT NULL,
    delivered_on TEXT NOT NULL,
    event_id INTEGER REFERENCES events(id),
    note TEXT NOT NULL DEFAULT '',
    forced INTEGER NOT NULL DEFAULT 0,
    corrects INTEGER REFERENCES deliveries(id),
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_on ON deliveries(delivered_on);
CREATE INDEX IF NOT EXISTS events_on ON events(held_on);
CREATE TABLE IF NOT EXISTS reversals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    entry TEXT NOT NULL CHECK (entry IN ('run', 'delivery', 'event')),
    entry_id INTEGER NOT NULL,
    reason TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    UNIQUE (entry, entry_id)
);
""" + "".join(f"""
CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table}
BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END;
CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table}
BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END;
""" for table in TABLES)


def damaged(exc: sqlite3.Error) -> bool:
    """Whether SQLite found the file itself damaged (not a database, malformed), not merely busy or unwritable."""
    return getattr(exc, "sqlite_errorname", "") in ("SQLITE_CORRUPT", "SQLITE_NOTADB")


def _said(exc: sqlite3.Error) -> str:
    """SQLite's words, except the triggers' own refusal, which is ours and said in the user's language."""
    if APPEND_ONLY in str(exc):
        return _("the ledger is append-only: record a reversal or a correction instead")
    return str(exc)


def _unreadable(path: Path, exc: Exception) -> LedgerError:
    broken = isinstance(exc, sqlite3.Error) and damaged(exc)
    if broken:
        message = _("{path} cannot be read as a ledger ({error}): it is damaged: restore it from a backup, "
                    "or let the next print run move it aside")
    else:
        message = _("{path} cannot be read as a ledger ({error}): check the state folder")
    return LedgerError(message.format(path=display_path(path), error=exc), damaged=broken)


@contextmanager
def connect(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection with the schema in place, in one transaction (committed on success, rolled back on error)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(path, timeout=30)) as conn:
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(SCHEMA)
            with conn:
                yield conn
    except sqlite3.IntegrityError as exc:
        raise LedgerError(f"{display_path(path)}: {_said(exc)}") from None
    except sqlite3.OperationalError as exc:
        if "append-only" in str(exc):
            raise LedgerError(_said(exc)) from None
        raise _unreadable(path, exc) from None
    except (sqlite3.Error, OSError) as exc:
        raise _unreadable(path, exc) from None


@contextmanager
def reading(path: Path) -> Iterator[sqlite3.Connection | None]:
    """A connection for queries; None when there is no ledger yet (reading never creates the file)."""
    if not path.exists():
        yield None
        return
    with connect(path) as conn:
        yield conn


def stamp(moment: dt.datetime) -> str:
    """When an entry was recorded: local time with its offset, to the second."""
    return moment.isoformat(timespec="seconds")


def reversed_ids(conn: sqlite3.Connection, entry: str) -> set[int]:
    """Ids of the entries of one kind that a later entry reversed."""
    return {int(r[0]) for r in conn.execute("SELECT entry_id FROM reversals WHERE entry = ?", (entry,))}


LIVE_RUNS = "r.id NOT IN (SELECT entry_id FROM reversals WHERE entry = 'run')"
LIVE_DELIVERIES = ("d.id NOT IN (SELECT entry_id FROM reversals WHERE entry = 'delivery') AND "
                   "(d.event_id IS NULL OR d.event_id NOT IN (SELECT entry_id FROM reversals WHERE entry = 'event'))")
LIVE_EVENTS = "e.id NOT IN (SELECT entry_id FROM reversals WHERE entry = 'event')"
