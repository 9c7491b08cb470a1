"""The play log: one row per occurrence, and every state change, in SQLite (WAL).

States: scheduled -> playing -> played | failed | missed | interrupted; a
scheduled occurrence the plan no longer contains becomes cancelled. The
scheduled -> playing step is a single conditional UPDATE, so an occurrence can
start playing once only, whatever restarts or duplicate job firings happen.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

STATES = ("scheduled", "playing", "played", "failed", "missed", "interrupted", "cancelled")
FINAL = ("played", "failed", "missed", "interrupted", "cancelled")

SCHEMA = """
CREATE TABLE IF NOT EXISTS plays (
    id TEXT PRIMARY KEY,
    planned_at TEXT NOT NULL,
    village TEXT NOT NULL,
    rule TEXT NOT NULL,
    script TEXT NOT NULL,
    programme TEXT NOT NULL,
    variables TEXT NOT NULL DEFAULT '{}',
    output TEXT NOT NULL,
    reason_planned TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL CHECK (state IN ('scheduled','playing','played','failed','missed','interrupted','cancelled')),
    ready INTEGER NOT NULL DEFAULT 0,
    render_error TEXT,
    programme_path TEXT,
    programme_hash TEXT,
    languages TEXT,
    started_at TEXT,
    finished_at TEXT,
    lateness_ms REAL,
    detail TEXT,
    reason TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS plays_planned ON plays(planned_at);
CREATE INDEX IF NOT EXISTS plays_state ON plays(state);
CREATE TABLE IF NOT EXISTS transitions (
    id TEXT NOT NULL,
    at TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    reason TEXT
);
"""


@dataclass(frozen=True)
class Play:
    id: str
    planned_at: dt.datetime
    village: str
    rule: str
    script: str
    programme: str
    variables: dict[str, str]
    output: str
    reason_planned: str
    state: str
    ready: bool
    render_error: str | None
    programme_path: str | None
    programme_hash: str | None
    languages: list[str]
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    lateness_ms: float | None
    detail: str | None
    reason: str | None

    def as_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        for key in ("planned_at", "started_at", "finished_at"):
            out[key] = out[key].isoformat(timespec="milliseconds") if out[key] else None
        return out


def _ts(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _row(r: sqlite3.Row) -> Play:
    return Play(
        r["id"], _ts(r["planned_at"]), r["village"], r["rule"], r["script"], r["programme"],  # type: ignore[arg-type]
        json.loads(r["variables"] or "{}"), r["output"], r["reason_planned"], r["state"], bool(r["ready"]),
        r["render_error"], r["programme_path"], r["programme_hash"], json.loads(r["languages"] or "[]"),
        _ts(r["started_at"]), _ts(r["finished_at"]), r["lateness_ms"], r["detail"], r["reason"],
    )


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


class PlayLog:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.executescript(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        try:
            yield conn
        finally:
            conn.close()

    def _transition(self, conn: sqlite3.Connection, pid: str, old: str | None, new: str, reason: str | None,
                    now: dt.datetime) -> None:
        conn.execute("INSERT INTO transitions (id, at, from_state, to_state, reason) VALUES (?, ?, ?, ?, ?)",
                     (pid, _iso(now), old, new, reason))

    def sync(self, occurrences: list[dict[str, Any]], window: tuple[dt.datetime, dt.datetime],
             now: dt.datetime) -> tuple[list[str], list[str], list[str]]:
        """Bring the log in line with a fresh expansion of the horizon; returns (added, changed, cancelled) ids.

        A play rescheduled to replay after an interruption keeps its new time: the plan never moves or
        cancels it (its planned time has passed, so the expansion no longer holds it)."""
        added, changed, cancelled = [], [], []
        wanted = {o["id"]: o for o in occurrences}
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            replays = {r["id"] for r in conn.execute(
                "SELECT t.id FROM transitions t JOIN plays p ON p.id = t.id WHERE p.state = 'scheduled'"
                " AND t.from_state = 'interrupted' AND t.to_state = 'scheduled'")}
            existing = {r["id"]: r for r in conn.execute(
                "SELECT * FROM plays WHERE id IN (%s)" % ",".join("?" * len(wanted)), list(wanted))} if wanted else {}
            for pid, occ in wanted.items():
                fields = (_iso(occ["at"]), occ["village"], occ["rule"], occ["script"], occ["programme"],
                          json.dumps(occ.get("variables", {}), sort_keys=True, ensure_ascii=False), occ["output"],
                          occ.get("reason", ""))
                row = existing.get(pid)
                if row is None:
                    conn.execute(
                        "INSERT INTO plays (planned_at, village, rule, script, programme, variables, output,"
                        " reason_planned, id, state, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'scheduled', ?)",
                        (*fields, pid, _iso(now)))
                    self._transition(conn, pid, None, "scheduled", occ.get("reason"), now)
                    added.append(pid)
                elif row["state"] == "scheduled" and pid not in replays and tuple(row[k] for k in (
                        "planned_at", "village", "rule", "script", "programme", "variables", "output",
                        "reason_planned")) != fields:
                    conn.execute(
                        "UPDATE plays SET planned_at=?, village=?, rule=?, script=?, programme=?, variables=?,"
                        " output=?, reason_planned=?, ready=0, updated_at=? WHERE id=?", (*fields, _iso(now), pid))
                    changed.append(pid)
            for r in conn.execute("SELECT id FROM plays WHERE state='scheduled' AND planned_at >= ? AND planned_at <= ?",
                                  (_iso(window[0]), _iso(window[1]))).fetchall():
                if r["id"] not in wanted and r["id"] not in replays:
                    conn.execute("UPDATE plays SET state='cancelled', reason=?, updated_at=? WHERE id=?",
                                 ("no longer in the plan", _iso(now), r["id"]))
                    self._transition(conn, r["id"], "scheduled", "cancelled", "no longer in the plan", now)
                    cancelled.append(r["id"])
            conn.execute("COMMIT")
        return added, changed, cancelled

    def set_rendered(self, pid: str, path: str, digest: str, languages: list[str], now: dt.datetime) -> None:
        with self._connect() as conn:
            conn.execute("UPDATE plays SET ready=1, render_error=NULL, programme_path=?, programme_hash=?,"
                         " languages=?, updated_at=? WHERE id=? AND state='scheduled'",
                         (path, digest, json.dumps(languages), _iso(now), pid))

    def set_render_error(self, pid: str, error: str, now: dt.datetime) -> None:
        with self._connect() as conn:
            conn.execute("UPDATE plays SET ready=0, render_error=?, updated_at=? WHERE id=? AND state='scheduled'",
                         (error, _iso(now), pid))

    def begin(self, pid: str, now: dt.datetime, lateness_ms: float) -> bool:
        """scheduled -> playing, atomically; False when it is not (any longer) scheduled."""
        with self._connect() as conn:
            cur = conn.execute("UPDATE plays SET state='playing', started_at=?, lateness_ms=?, updated_at=?"
                               " WHERE id=? AND state='scheduled'", (_iso(now), lateness_ms, _iso(now), pid))
            if cur.rowcount:
                self._transition(conn, pid, "scheduled", "playing", None, now)
            return cur.rowcount == 1

    def finish(self, pid: str, state: str, now: dt.datetime, reason: str | None = None,
               detail: str | None = None, expect: tuple[str, ...] = ("playing", "scheduled")) -> bool:
        """Move to a final state from one of the expected states."""
        assert state in FINAL
        with self._connect() as conn:
            row = conn.execute("SELECT state FROM plays WHERE id=?", (pid,)).fetchone()
            if row is None or row["state"] not in expect:
                return False
            conn.execute("UPDATE plays SET state=?, finished_at=?, reason=?, detail=COALESCE(?, detail),"
                         " updated_at=? WHERE id=? AND state=?",
                         (state, _iso(now), reason, detail, _iso(now), pid, row["state"]))
            self._transition(conn, pid, row["state"], state, reason, now)
            return True

    def recover(self, now: dt.datetime, grace: dt.timedelta, replay_interrupted: bool) -> list[tuple[str, str]]:
        """After a start: plays cut off mid-way are interrupted (and rescheduled if the policy says so),
        scheduled plays whose time passed beyond the grace are missed."""
        changes = []
        with self._connect() as conn:
            for r in conn.execute("SELECT id FROM plays WHERE state='playing'").fetchall():
                conn.execute("UPDATE plays SET state='interrupted', finished_at=?, reason=?, updated_at=? WHERE id=?",
                             (_iso(now), "the daemon stopped during the play", _iso(now), r["id"]))
                self._transition(conn, r["id"], "playing", "interrupted", "the daemon stopped during the play", now)
                changes.append((r["id"], "interrupted"))
                if replay_interrupted:
                    conn.execute("UPDATE plays SET state='scheduled', started_at=NULL, finished_at=NULL,"
                                 " planned_at=?, updated_at=? WHERE id=?", (_iso(now), _iso(now), r["id"]))
                    self._transition(conn, r["id"], "interrupted", "scheduled", "replay after interruption", now)
                    changes.append((r["id"], "scheduled"))
            for r in conn.execute("SELECT id, planned_at FROM plays WHERE state='scheduled' AND planned_at < ?",
                                  (_iso(now - grace),)).fetchall():
                reason = "the daemon was not running at the planned time"
                conn.execute("UPDATE plays SET state='missed', finished_at=?, reason=?, updated_at=? WHERE id=?",
                             (_iso(now), reason, _iso(now), r["id"]))
                self._transition(conn, r["id"], "scheduled", "missed", reason, now)
                changes.append((r["id"], "missed"))
        return changes

    def get(self, pid: str) -> Play | None:
        with self._connect() as conn:
            r = conn.execute("SELECT * FROM plays WHERE id=?", (pid,)).fetchone()
        return _row(r) if r else None

    def query(self, *, states: tuple[str, ...] | None = None, village: str | None = None,
              since: dt.datetime | None = None, until: dt.datetime | None = None,
              order: str = "planned_at", limit: int | None = None, descending: bool = False) -> list[Play]:
        where, args = [], []
        if states:
            where.append("state IN (%s)" % ",".join("?" * len(states)))
            args += list(states)
        if village:
            where.append("village = ?")
            args.append(village)
        if since:
            where.append("planned_at >= ?")
            args.append(_iso(since))
        if until:
            where.append("planned_at < ?")
            args.append(_iso(until))
        assert order in ("planned_at", "finished_at", "updated_at")
        sql = "SELECT * FROM plays" + (" WHERE " + " AND ".join(where) if where else "")
        sql += f" ORDER BY {order} {'DESC' if descending else 'ASC'}" + (f" LIMIT {int(limit)}" if limit else "")
        with self._connect() as conn:
            return [_row(r) for r in conn.execute(sql, args).fetchall()]

    def transitions(self, pid: str) -> list[tuple[str | None, str, str | None]]:
        with self._connect() as conn:
            return [(r["from_state"], r["to_state"], r["reason"]) for r in
                    conn.execute("SELECT * FROM transitions WHERE id=? ORDER BY rowid", (pid,))]


def open_playlog(state_dir: Path) -> PlayLog:
    return PlayLog(state_dir / "playlog.sqlite")
