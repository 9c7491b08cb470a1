"""The play log: one row per occurrence, and every state change, in SQLite (WAL).

States: scheduled -> playing -> played | failed | missed | interrupted; a
scheduled occurrence the plan no longer contains becomes cancelled. The
scheduled -> playing step is a single conditional UPDATE, so an occurrence can
start playing once only, whatever restarts or duplicate job firings happen.

A file that is not a readable SQLite database is an error naming it; the daemon
(``repair=True``) moves it aside, says where, and starts a new log, so a corrupt
log never stops the broadcast and is never silently replaced.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
import threading
from collections.abc import Collection
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from outreach.errors import OutreachError
from outreach.i18n import _

log = logging.getLogger("outreach.playlog")

STATES = ("scheduled", "playing", "played", "failed", "missed", "interrupted", "cancelled")
FINAL = ("played", "failed", "missed", "interrupted", "cancelled")
REPLAY_REASON = "replay after interruption"  # looked up in the log: stays as it is in every language
CORRUPT = (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
FIELDS = ("planned_at", "village", "rule", "script", "programme", "variables", "output", "reason_planned")
PROGRAMME_FIELDS = ("village", "script", "programme", "variables")  # what the programme file depends on
CACHE_KB = 512

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
CREATE INDEX IF NOT EXISTS transitions_id ON transitions(id);
"""


class PlayLogError(OutreachError):
    """The play log file is not a readable SQLite database."""

    def __init__(self, path: Path, verdict: str) -> None:
        self.path, self.verdict = path, verdict
        super().__init__(_("{path} is not a readable play log ({verdict}); the daemon moves it aside and starts a "
                           "new one when it starts").format(path=path, verdict=verdict))


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


def _variables(values: dict[str, Any]) -> str:
    return json.dumps(values, sort_keys=True, ensure_ascii=False) if values else "{}"


def _fields(occ: dict[str, Any]) -> tuple[str, ...]:
    """An occurrence as the columns of FIELDS."""
    return (_iso(occ["at"]), occ["village"], occ["rule"], occ["script"], occ["programme"],
            _variables(occ.get("variables", {})), occ["output"], occ.get("reason", ""))


def corrupt(exc: sqlite3.Error) -> bool:
    """A file that is not (any longer) a database, as opposed to one that is busy or on a full disk."""
    return getattr(exc, "sqlite_errorcode", None) in CORRUPT


def set_aside(path: Path, now: dt.datetime) -> Path:
    """Move a corrupt database (and its WAL files) out of the way, keeping it for whoever wants to look."""
    target = path.with_name(f"{path.name}.corrupt-{now:%Y%m%d-%H%M%S}")
    for suffix in ("", "-wal", "-shm"):
        part = path.with_name(path.name + suffix)
        if part.exists():
            part.rename(target.with_name(target.name + suffix))
    return target


class PlayLog:
    def __init__(self, path: Path, *, check: bool = False) -> None:
        """Open (creating) the log; ``check`` also reads every page once (the daemon does, when it starts)."""
        self.path = path
        self._local = threading.local()
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with self._connect() as conn:
                conn.executescript(SCHEMA)
                verdict = conn.execute("PRAGMA quick_check").fetchone()[0] if check else "ok"
        except sqlite3.DatabaseError as exc:
            if not corrupt(exc):
                raise
            verdict = str(exc)
        if verdict != "ok":
            raise PlayLogError(path, verdict)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection, kept open: no connect and no WAL checkpoint at every call (air time is
        made of such calls). One that failed is closed (a transaction it had is rolled back) and replaced."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            try:
                conn.row_factory = sqlite3.Row
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=FULL")
                conn.execute("PRAGMA temp_store=MEMORY")  # sync's id table: no temporary file on a full disk
                conn.execute(f"PRAGMA cache_size=-{CACHE_KB}")  # one connection per thread: keep each small
            except BaseException:
                conn.close()
                raise
            self._local.conn = conn
        try:
            yield conn
        except BaseException:
            self._local.conn = None
            conn.close()
            raise
        if conn.in_transaction:  # a caller that returned mid-transaction: nothing half-done stays
            conn.execute("ROLLBACK")

    def _transition(self, conn: sqlite3.Connection, pid: str, old: str | None, new: str, reason: str | None,
                    now: dt.datetime) -> None:
        conn.execute("INSERT INTO transitions (id, at, from_state, to_state, reason) VALUES (?, ?, ?, ?, ?)",
                     (pid, _iso(now), old, new, reason))

    def sync(self, occurrences: list[dict[str, Any]], window: tuple[dt.datetime, dt.datetime],
             now: dt.datetime, keep_scripts: Collection[str] = ()) -> tuple[list[str], list[str], list[str]]:
        """Bring the log in line with a fresh expansion of the horizon; returns (added, changed, cancelled) ids.

        A play rescheduled to replay after an interruption keeps its new time: the plan never moves or
        cancels it (its planned time has passed, so the expansion no longer holds it). Plays of
        ``keep_scripts`` (scripts that cannot be read just now) are never cancelled. A changed play stays
        ready when its programme is the same (only its time, rule or output moved)."""
        added, changed, cancelled = [], [], []
        wanted = {o["id"]: _fields(o) for o in occurrences}
        stamp, gone = _iso(now), _("no longer in the plan")
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            replays = self._replays(conn)
            existing = self._existing(conn, wanted)
            for pid, fields in wanted.items():
                row = existing.get(pid)
                if row is None:
                    added.append(pid)
                elif row[0] == "scheduled" and pid not in replays and row[1:] != fields:
                    same = all(row[1 + FIELDS.index(k)] == fields[FIELDS.index(k)] for k in PROGRAMME_FIELDS)
                    conn.execute(f"UPDATE plays SET {', '.join(f'{k}=?' for k in FIELDS)}, ready=ready*?,"
                                 " updated_at=? WHERE id=?", (*fields, int(same), stamp, pid))
                    changed.append(pid)
            conn.executemany(f"INSERT INTO plays ({', '.join(FIELDS)}, id, state, updated_at)"
                             " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'scheduled', ?)",
                             ((*wanted[pid], pid, stamp) for pid in added))
            conn.executemany("INSERT INTO transitions (id, at, from_state, to_state, reason)"
                             " VALUES (?, ?, NULL, 'scheduled', ?)", ((pid, stamp, wanted[pid][-1] or None) for pid in added))
            for r in conn.execute("SELECT id, script FROM plays WHERE state='scheduled' AND planned_at >= ?"
                                  " AND planned_at <= ?", (_iso(window[0]), _iso(window[1]))).fetchall():
                if r["id"] not in wanted and r["id"] not in replays and r["script"] not in keep_scripts:
                    conn.execute("UPDATE plays SET state='cancelled', reason=?, updated_at=? WHERE id=?",
                                 (gone, stamp, r["id"]))
                    self._transition(conn, r["id"], "scheduled", "cancelled", gone, now)
                    cancelled.append(r["id"])
            conn.execute("COMMIT")
        return added, changed, cancelled

    @staticmethod
    def _existing(conn: sqlite3.Connection, wanted: dict[str, Any]) -> dict[str, tuple[str, ...]]:
        """(state, *FIELDS) of these ids, through a temporary table: any number of them (an IN list stops
        at 32,766)."""
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (id TEXT PRIMARY KEY)")
        conn.execute("DELETE FROM wanted")
        conn.executemany("INSERT INTO wanted (id) VALUES (?)", ((pid,) for pid in wanted))
        cursor = conn.cursor()
        cursor.row_factory = None
        return {r[0]: r[1:] for r in cursor.execute(
            f"SELECT p.id, p.state, {', '.join(f'p.{k}' for k in FIELDS)} FROM plays p JOIN wanted w ON w.id = p.id")}

    @staticmethod
    def _replays(conn: sqlite3.Connection) -> set[str]:
        """Scheduled plays that are replays of an interrupted one."""
        return {r["id"] for r in conn.execute(
            "SELECT p.id FROM plays p WHERE p.state = 'scheduled' AND EXISTS (SELECT 1 FROM transitions t"
            " WHERE t.id = p.id AND t.from_state = 'interrupted' AND t.to_state = 'scheduled')")}

    def set_rendered(self, pid: str, path: str, digest: str, languages: list[str], now: dt.datetime) -> None:
        with self._connect() as conn:
            conn.execute("UPDATE plays SET ready=1, render_error=NULL, programme_path=?, programme_hash=?,"
                         " languages=?, updated_at=? WHERE id=? AND state='scheduled'",
                         (path, digest, json.dumps(languages), _iso(now), pid))

    def set_render_error(self, pid: str, error: str, now: dt.datetime, keep_ready: bool = False) -> None:
        """Why a play's programme could not be rendered; ``keep_ready``: it keeps airing the file it has."""
        with self._connect() as conn:
            conn.execute("UPDATE plays SET ready=ready*?, render_error=?, updated_at=? WHERE id=? AND state='scheduled'",
                         (int(keep_ready), error, _iso(now), pid))

    def last_rendered(self, play: Play) -> Play | None:
        """The newest play of the same programme (village, script, programme, variables) that had a file."""
        with self._connect() as conn:
            r = conn.execute("SELECT * FROM plays WHERE village=? AND script=? AND programme=? AND variables=?"
                             " AND programme_hash IS NOT NULL ORDER BY updated_at DESC LIMIT 1",
                             (play.village, play.script, play.programme, _variables(play.variables))).fetchone()
        return _row(r) if r else None

    def begin(self, pid: str, now: dt.datetime, lateness_ms: float) -> bool:
        """scheduled -> playing, atomically; False when it is not (any longer) scheduled."""
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            cur = conn.execute("UPDATE plays SET state='playing', started_at=?, lateness_ms=?, updated_at=?"
                               " WHERE id=? AND state='scheduled'", (_iso(now), lateness_ms, _iso(now), pid))
            if cur.rowcount:
                self._transition(conn, pid, "scheduled", "playing", None, now)
            conn.execute("COMMIT")
            return cur.rowcount == 1

    def finish(self, pid: str, state: str, now: dt.datetime, reason: str | None = None,
               detail: str | None = None, expect: tuple[str, ...] = ("playing", "scheduled")) -> bool:
        """Move to a final state from one of the expected states."""
        assert state in FINAL
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            row = conn.execute("SELECT state FROM plays WHERE id=?", (pid,)).fetchone()
            if row is None or row["state"] not in expect:
                conn.execute("ROLLBACK")
                return False
            conn.execute("UPDATE plays SET state=?, finished_at=?, reason=?, detail=COALESCE(?, detail),"
                         " updated_at=? WHERE id=? AND state=?",
                         (state, _iso(now), reason, detail, _iso(now), pid, row["state"]))
            self._transition(conn, pid, row["state"], state, reason, now)
            conn.execute("COMMIT")
            return True

    def recover(self, now: dt.datetime, grace: dt.timedelta, replay_interrupted: bool,
                last_seen: dt.datetime | None = None) -> list[tuple[str, str]]:
        """After a start: plays cut off mid-way are interrupted, scheduled plays whose time passed beyond the
        grace are missed. With ``replay_interrupted``, a play cut off within the grace of this start (by a
        stop, or by a crash when the last daemon was ``last_seen`` that recently) is scheduled again, once."""
        changes: list[tuple[str, str]] = []
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            crashed = [r["id"] for r in conn.execute("SELECT id FROM plays WHERE state='playing'").fetchall()]
            for pid in crashed:
                self._settle(conn, pid, "playing", "interrupted", _("the daemon stopped during the play"), now)
                changes.append((pid, "interrupted"))
            if replay_interrupted:
                replay = crashed if last_seen is None or now - last_seen <= grace else []
                replay += [r["id"] for r in conn.execute(
                    "SELECT id FROM plays WHERE state='interrupted' AND finished_at >= ?", (_iso(now - grace),))
                    if r["id"] not in crashed]
                for pid in replay:
                    if not conn.execute("SELECT 1 FROM transitions WHERE id=? AND reason=?",
                                        (pid, REPLAY_REASON)).fetchone():
                        self._replay(conn, pid, now)
                        changes.append((pid, "scheduled"))
            for r in conn.execute("SELECT id FROM plays WHERE state='scheduled' AND planned_at < ?",
                                  (_iso(now - grace),)).fetchall():
                self._settle(conn, r["id"], "scheduled", "missed",
                             _("the daemon was not running at the planned time"), now)
                changes.append((r["id"], "missed"))
            conn.execute("COMMIT")
        return changes

    def _settle(self, conn: sqlite3.Connection, pid: str, old: str, new: str, reason: str, now: dt.datetime) -> None:
        conn.execute("UPDATE plays SET state=?, finished_at=?, reason=?, updated_at=? WHERE id=?",
                     (new, _iso(now), reason, _iso(now), pid))
        self._transition(conn, pid, old, new, reason, now)

    def _replay(self, conn: sqlite3.Connection, pid: str, now: dt.datetime) -> None:
        conn.execute("UPDATE plays SET state='scheduled', started_at=NULL, finished_at=NULL, reason=NULL,"
                     " planned_at=?, updated_at=? WHERE id=?", (_iso(now), _iso(now), pid))
        self._transition(conn, pid, "interrupted", "scheduled", REPLAY_REASON, now)

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


def open_playlog(state_dir: Path, *, repair: bool = False) -> PlayLog:
    """The deployment's play log. ``repair`` (the daemon, holding its lock): a corrupt file is moved aside
    with a warning naming where it went, and a new log is begun."""
    path = state_dir / "playlog.sqlite"
    if not repair:
        return PlayLog(path)
    try:
        return PlayLog(path, check=True)
    except PlayLogError as exc:
        kept = set_aside(path, dt.datetime.now().astimezone())
        log.warning(_("{path} is not a readable play log ({verdict}): moved it to {kept} and started a new "
                      "one").format(path=path, verdict=exc.verdict, kept=kept.name))
        return PlayLog(path, check=True)
