"""The console's own SQLite file (``var/web.sqlite``): users, sessions, audit, jobs, template versions.

WAL mode and short transactions: the console, its job workers and the CLI (``outreach users``)
may all open it at once, and nothing here ever holds a write lock across slow work.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from outreach.deployment import Deployment

FILE = "web.sqlite"

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY, hash TEXT NOT NULL, role TEXT NOT NULL, lang TEXT NOT NULL DEFAULT 'zh_CN',
    created TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS sessions (
    token TEXT PRIMARY KEY, user TEXT, csrf TEXT NOT NULL, created REAL NOT NULL, seen REAL NOT NULL);
CREATE TABLE IF NOT EXISTS attempts (key TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS attempts_key ON attempts(key, at);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, user TEXT NOT NULL, action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '', detail TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS audit_target ON audit(target);
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, params TEXT NOT NULL, user TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued', done INTEGER NOT NULL DEFAULT 0, total INTEGER NOT NULL DEFAULT 0,
    message TEXT NOT NULL DEFAULT '', result TEXT NOT NULL DEFAULT '{}', created TEXT NOT NULL,
    finished TEXT);
CREATE TABLE IF NOT EXISTS versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, script TEXT NOT NULL, file TEXT NOT NULL, sha256 TEXT NOT NULL,
    content TEXT NOT NULL, author TEXT NOT NULL, at TEXT NOT NULL, state TEXT NOT NULL,
    findings TEXT NOT NULL DEFAULT '[]');
CREATE INDEX IF NOT EXISTS versions_file ON versions(script, file);
"""


def now_iso() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    params: dict[str, Any]
    user: str
    state: str
    done: int
    total: int
    message: str
    result: dict[str, Any]
    created: str
    finished: str | None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class Store:
    """One connection per call: cheap in SQLite, and safe across threads and processes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self.connect() as conn:
            conn.executescript(SCHEMA)

    @classmethod
    def of(cls, deployment: Deployment) -> "Store":
        return cls(deployment.state_dir / FILE)

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=15, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        try:
            yield conn
        finally:
            conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT: a read-then-write that no other writer can interleave."""
        with self.connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def audit(self, user: str, action: str, target: str = "", detail: Any = "") -> None:
        text = detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False, sort_keys=True)
        with self.connect() as conn:
            conn.execute("INSERT INTO audit (at, user, action, target, detail) VALUES (?, ?, ?, ?, ?)",
                         (now_iso(), user, action, target, text))

    def audit_trail(self, target_prefix: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
        """Newest first; ``target_prefix`` narrows it to one script (``fake-loan`` matches ``fake-loan/pcc``)."""
        sql, args = "SELECT * FROM audit", []
        if target_prefix:
            sql += " WHERE target = ? OR target LIKE ?"
            args = [target_prefix, target_prefix + "/%"]
        with self.connect() as conn:
            rows = conn.execute(sql + " ORDER BY id DESC LIMIT ?", [*args, limit]).fetchall()
        return [dict(r) for r in rows]

    # -- jobs ---------------------------------------------------------------------------
    def add_job(self, kind: str, params: dict[str, Any], user: str) -> int:
        with self.connect() as conn:
            cur = conn.execute("INSERT INTO jobs (kind, params, user, created) VALUES (?, ?, ?, ?)",
                               (kind, json.dumps(params, ensure_ascii=False), user, now_iso()))
            return int(cur.lastrowid or 0)

    def job(self, job_id: int) -> Job | None:
        with self.connect() as conn:
            r = conn.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return _job(r) if r else None

    def jobs(self, kind: str, limit: int = 10) -> list[Job]:
        with self.connect() as conn:
            rows = conn.execute("SELECT * FROM jobs WHERE kind = ? ORDER BY id DESC LIMIT ?", (kind, limit)).fetchall()
        return [_job(r) for r in rows]

    def update_job(self, job_id: int, **fields: Any) -> None:
        if "result" in fields:
            fields["result"] = json.dumps(fields["result"], ensure_ascii=False)
        if fields.get("state") in ("done", "failed"):
            fields["finished"] = now_iso()
        names = ", ".join(f"{k} = ?" for k in fields)
        with self.connect() as conn:
            conn.execute(f"UPDATE jobs SET {names} WHERE id = ?", [*fields.values(), job_id])

    def fail_unfinished(self, reason: str) -> int:
        """Jobs a previous server left queued or running can never finish now: say so."""
        with self.connect() as conn:
            cur = conn.execute("UPDATE jobs SET state = 'failed', message = ?, finished = ? "
                               "WHERE state IN ('queued', 'running')", (reason, now_iso()))
            return cur.rowcount


def _job(r: sqlite3.Row) -> Job:
    return Job(r["id"], r["kind"], json.loads(r["params"]), r["user"], r["state"], r["done"], r["total"],
               r["message"], json.loads(r["result"] or "{}"), r["created"], r["finished"])
