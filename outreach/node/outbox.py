"""Reports waiting for the county: every final play and every refused bundle, in SQLite until acknowledged.

The outbox is filled from the play log (so a play that ended just before a
crash is still reported after the restart) and emptied only by the county's
receipt, which names each report's id and revision: a report sent while the
broker was down, or whose receipt was lost, is simply sent again later; the
county stores each occurrence once, so a second copy changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from outreach.node.sqlite import connect
from outreach.playlog import Play, PlayLog

OUTCOMES = ("played", "failed", "missed", "interrupted")
LOOKBACK = dt.timedelta(days=40)
KEEP_ACKED = dt.timedelta(days=30)

SCHEMA = """
CREATE TABLE IF NOT EXISTS reports (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('play', 'refusal')),
    rev INTEGER NOT NULL,
    body TEXT NOT NULL,
    created TEXT NOT NULL,
    sent_at TEXT,
    acked_at TEXT
);
CREATE INDEX IF NOT EXISTS reports_open ON reports(acked_at, created);
"""


def play_report(play: Play) -> dict[str, Any]:
    """What the county keeps of a play: enough for its play log and the monthly report."""
    keys = ("id", "planned_at", "village", "rule", "script", "programme", "state", "started_at", "finished_at",
            "lateness_ms", "reason", "detail", "programme_hash", "languages")
    data = play.as_dict()
    return {key: data[key] for key in keys}


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="milliseconds")


class Outbox:
    def __init__(self, path: Path) -> None:
        self.path = path
        with connect(self.path) as conn:
            conn.executescript(SCHEMA)

    def _put(self, conn: sqlite3.Connection, rid: str, kind: str, body: dict[str, Any], now: dt.datetime) -> bool:
        """Insert, or raise the revision of a report whose content changed; False when nothing changed."""
        text = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)
        row = conn.execute("SELECT rev, body FROM reports WHERE id=?", (rid,)).fetchone()
        if row is None:
            conn.execute("INSERT INTO reports (id, kind, rev, body, created) VALUES (?, ?, 1, ?, ?)",
                         (rid, kind, text, _iso(now)))
            return True
        if row[1] == text:
            return False
        conn.execute("UPDATE reports SET rev=rev+1, body=?, sent_at=NULL, acked_at=NULL WHERE id=?", (text, rid))
        return True

    def collect(self, playlog: PlayLog, now: dt.datetime) -> int:
        """Take every final play from the play log that is new or changed; returns how many."""
        plays = playlog.query(states=OUTCOMES, since=now - LOOKBACK)
        with connect(self.path) as conn:
            conn.execute("BEGIN IMMEDIATE")
            count = sum(self._put(conn, p.id, "play", play_report(p), now) for p in plays)
            conn.execute("COMMIT")
        return count

    def refusal(self, sequence: int | None, reason: str, bundle_sha256: str, now: dt.datetime) -> None:
        """A refused bundle, reported once however often the broker delivers that same message again."""
        rid = f"refusal:{bundle_sha256[:16]}:{hashlib.sha256(reason.encode()).hexdigest()[:8]}"
        with connect(self.path) as conn:
            self._put(conn, rid, "refusal", {"sequence": sequence, "reason": reason, "at": _iso(now)}, now)

    def due(self, now: dt.datetime, resend_after: dt.timedelta, limit: int = 100) -> list[dict[str, Any]]:
        """Reports never sent, or sent without a receipt for longer than ``resend_after``, oldest first."""
        with connect(self.path) as conn:
            rows = conn.execute(
                "SELECT id, kind, rev, body FROM reports WHERE acked_at IS NULL AND (sent_at IS NULL OR sent_at < ?)"
                " ORDER BY created LIMIT ?", (_iso(now - resend_after), limit)).fetchall()
        return [{"id": r[0], "kind": r[1], "rev": r[2], "body": json.loads(r[3])} for r in rows]

    def mark_sent(self, reports: Iterable[dict[str, Any]], now: dt.datetime) -> None:
        with connect(self.path) as conn:
            conn.executemany("UPDATE reports SET sent_at=? WHERE id=? AND rev=?",
                             [(_iso(now), r["id"], r["rev"]) for r in reports])

    def acknowledge(self, receipts: Iterable[tuple[str, int]], now: dt.datetime) -> int:
        """The county stored these (id, revision) pairs; a newer revision of a report stays open."""
        with connect(self.path) as conn:
            conn.execute("BEGIN IMMEDIATE")
            done = sum(conn.execute("UPDATE reports SET acked_at=? WHERE id=? AND rev=? AND acked_at IS NULL",
                                    (_iso(now), rid, rev)).rowcount for rid, rev in receipts)
            conn.execute("DELETE FROM reports WHERE acked_at < ?", (_iso(now - KEEP_ACKED),))
            conn.execute("COMMIT")
        return done

    def pending(self) -> int:
        with connect(self.path) as conn:
            return conn.execute("SELECT COUNT(*) FROM reports WHERE acked_at IS NULL").fetchone()[0]
