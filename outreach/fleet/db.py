"""The county's record of its fleet, in one SQLite file: nodes, bundles, statuses, reports, refusals.

Reports are stored once per occurrence id (a resent copy only raises a counter),
so the county's view of what aired is the same however often a node had to send.
Node plays are read back as ``playlog.Play`` rows whose output is ``node:<id>``,
so the play log view and the monthly report can show them beside local plays.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from outreach.fleet.broker import Account
from outreach.i18n import _
from outreach.node.bundle import Manifest
from outreach.node.sqlite import connect
from outreach.playlog import Play

SCHEMA = """
CREATE TABLE IF NOT EXISTS nodes (
    id TEXT PRIMARY KEY, village TEXT NOT NULL, token_sha256 TEXT NOT NULL UNIQUE, created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS broker_accounts (
    username TEXT PRIMARY KEY, salt TEXT NOT NULL, password_hash TEXT NOT NULL, iterations INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS bundles (
    node TEXT PRIMARY KEY, sequence INTEGER NOT NULL, digest TEXT NOT NULL, issued_at TEXT NOT NULL,
    published_at TEXT, until TEXT NOT NULL, envelope BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS bundle_files (node TEXT NOT NULL, sha256 TEXT NOT NULL, PRIMARY KEY (node, sha256));
CREATE TABLE IF NOT EXISTS statuses (
    node TEXT PRIMARY KEY, received_at TEXT NOT NULL, seen_at TEXT, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS node_plays (
    id TEXT PRIMARY KEY, node TEXT NOT NULL, rev INTEGER NOT NULL, village TEXT NOT NULL, rule TEXT NOT NULL,
    script TEXT NOT NULL, programme TEXT NOT NULL, planned_at TEXT NOT NULL, state TEXT NOT NULL,
    started_at TEXT, finished_at TEXT, lateness_ms REAL, reason TEXT, detail TEXT, programme_hash TEXT,
    languages TEXT, received_at TEXT NOT NULL, copies INTEGER NOT NULL DEFAULT 1);
CREATE INDEX IF NOT EXISTS node_plays_planned ON node_plays(planned_at);
CREATE TABLE IF NOT EXISTS refusals (
    id TEXT NOT NULL, node TEXT NOT NULL, sequence INTEGER, reason TEXT NOT NULL, at TEXT,
    received_at TEXT NOT NULL, PRIMARY KEY (node, id));
"""
log = logging.getLogger("outreach.fleet")

PLAY_FIELDS = ("village", "rule", "script", "programme", "planned_at", "state", "started_at", "finished_at",
               "lateness_ms", "reason", "detail", "programme_hash")


@dataclass(frozen=True)
class NodeRecord:
    id: str
    village: str
    created: str


@dataclass(frozen=True)
class BundleRecord:
    node: str
    sequence: int
    digest: str
    issued_at: str
    published_at: str | None
    until: str
    envelope: bytes


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


def _ts(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


class FleetDB:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with connect(self.path) as conn:
            conn.executescript(SCHEMA)

    # -- nodes ---------------------------------------------------------------------

    def add_node(self, node: str, village: str, token_sha256: str, now: dt.datetime) -> None:
        with connect(self.path) as conn:
            conn.execute("INSERT INTO nodes (id, village, token_sha256, created) VALUES (?, ?, ?, ?) ON CONFLICT(id)"
                         " DO UPDATE SET village=excluded.village, token_sha256=excluded.token_sha256",
                         (node, village, token_sha256, _iso(now)))

    def nodes(self) -> list[NodeRecord]:
        with connect(self.path) as conn:
            return [NodeRecord(r["id"], r["village"], r["created"])
                    for r in conn.execute("SELECT * FROM nodes ORDER BY id")]

    def node_for_token(self, token_sha256: str) -> str | None:
        with connect(self.path) as conn:
            row = conn.execute("SELECT id FROM nodes WHERE token_sha256=?", (token_sha256,)).fetchone()
        return row["id"] if row else None

    def save_account(self, acc: Account) -> None:
        with connect(self.path) as conn:
            conn.execute("INSERT OR REPLACE INTO broker_accounts (username, salt, password_hash, iterations)"
                         " VALUES (?, ?, ?, ?)", (acc.username, acc.salt, acc.password_hash, acc.iterations))

    def accounts(self) -> list[Account]:
        with connect(self.path) as conn:
            return [Account(r["username"], r["salt"], r["password_hash"], r["iterations"])
                    for r in conn.execute("SELECT * FROM broker_accounts ORDER BY username")]

    # -- bundles -------------------------------------------------------------------

    def latest_bundle(self, node: str) -> BundleRecord | None:
        with connect(self.path) as conn:
            row = conn.execute("SELECT * FROM bundles WHERE node=?", (node,)).fetchone()
        return BundleRecord(**{k: row[k] for k in row.keys()}) if row else None

    def bundles(self) -> list[BundleRecord]:
        with connect(self.path) as conn:
            return [BundleRecord(**{k: r[k] for k in r.keys()}) for r in conn.execute("SELECT * FROM bundles")]

    def save_bundle(self, manifest: Manifest, digest: str, envelope: bytes, now: dt.datetime) -> None:
        """The node's new current bundle; the files it names become fetchable for that node."""
        with connect(self.path) as conn:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT OR REPLACE INTO bundles (node, sequence, digest, issued_at, published_at, until,"
                         " envelope) VALUES (?, ?, ?, ?, NULL, ?, ?)",
                         (manifest.node, manifest.sequence, digest, _iso(now), _iso(manifest.until), envelope))
            conn.executemany("INSERT OR IGNORE INTO bundle_files (node, sha256) VALUES (?, ?)",
                             [(manifest.node, sha) for sha in manifest.files])
            conn.execute("COMMIT")

    def mark_published(self, node: str, sequence: int, now: dt.datetime) -> None:
        with connect(self.path) as conn:
            conn.execute("UPDATE bundles SET published_at=? WHERE node=? AND sequence=?", (_iso(now), node, sequence))

    def may_fetch(self, node: str, sha256: str) -> bool:
        with connect(self.path) as conn:
            return conn.execute("SELECT 1 FROM bundle_files WHERE node=? AND sha256=?", (node, sha256)).fetchone() \
                is not None

    def forget_files(self, node: str, keep: set[str]) -> None:
        """Files of superseded bundles stop being fetchable (the new bundle names what is still needed)."""
        with connect(self.path) as conn:
            rows = [r["sha256"] for r in conn.execute("SELECT sha256 FROM bundle_files WHERE node=?", (node,))]
            conn.executemany("DELETE FROM bundle_files WHERE node=? AND sha256=?",
                             [(node, sha) for sha in rows if sha not in keep])

    def files_in_use(self) -> set[str]:
        with connect(self.path) as conn:
            return {r["sha256"] for r in conn.execute("SELECT DISTINCT sha256 FROM bundle_files")}

    # -- what nodes say ------------------------------------------------------------------

    def save_status(self, node: str, body: dict[str, Any], now: dt.datetime) -> None:
        """The node's last status. ``seen_at`` is when it last spoke itself: a last will (``offline``) is the
        broker's word, and only changes the state of what the node said before."""
        with connect(self.path) as conn:
            conn.execute("PRAGMA synchronous=NORMAL")  # a heartbeat lost to a power cut is replaced a minute later
            conn.execute("BEGIN IMMEDIATE")
            row = conn.execute("SELECT body FROM statuses WHERE node=?", (node,)).fetchone()
            seen = None
            if body.get("state") == "offline" and row is not None:
                body = {**json.loads(row["body"]), **body}
            elif body.get("state") != "offline":
                seen = _iso(now)
            conn.execute("INSERT INTO statuses (node, received_at, seen_at, body) VALUES (?, ?, ?, ?)"
                         " ON CONFLICT(node) DO UPDATE SET received_at=excluded.received_at,"
                         " seen_at=COALESCE(excluded.seen_at, statuses.seen_at), body=excluded.body",
                         (node, _iso(now), seen, json.dumps(body, ensure_ascii=False)))
            conn.execute("COMMIT")

    def seen(self, node: str, now: dt.datetime) -> None:
        with connect(self.path) as conn:
            conn.execute("UPDATE statuses SET seen_at=? WHERE node=?", (_iso(now), node))

    def statuses(self) -> dict[str, tuple[dict[str, Any], str | None]]:
        """node -> (last status body, when the node itself was last heard)."""
        with connect(self.path) as conn:
            return {r["node"]: (json.loads(r["body"]), r["seen_at"]) for r in conn.execute("SELECT * FROM statuses")}

    def record_reports(self, node: str, village: str, reports: list[dict[str, Any]],
                       now: dt.datetime) -> list[tuple[str, int]]:
        """Store what a node reported, once per id; returns the receipts (id, revision) to send back.

        A report that cannot be stored (malformed, or about another node's village) is logged and still
        receipted: sent again it would be refused again, for ever."""
        receipts = []
        with connect(self.path) as conn:
            conn.execute("BEGIN IMMEDIATE")
            for report in reports:
                try:
                    rid, rev = str(report["id"]), int(report["rev"])
                except (KeyError, TypeError, ValueError):
                    log.warning(_("node {node} sent a report without id or revision").format(node=node))
                    continue
                try:
                    self._store(conn, node, village, rid, rev, report, now)
                except (KeyError, TypeError, ValueError, AttributeError, sqlite3.IntegrityError) as exc:
                    log.warning(_("node {node}: report {report} not kept ({kind}: {error})").format(
                        node=node, report=rid, kind=type(exc).__name__, error=exc))
                receipts.append((rid, rev))
            conn.execute("COMMIT")
        return receipts

    def _store(self, conn: sqlite3.Connection, node: str, village: str, rid: str, rev: int, report: dict[str, Any],
               now: dt.datetime) -> None:
        body = report["body"]
        if report["kind"] == "refusal":
            conn.execute("INSERT OR IGNORE INTO refusals (id, node, sequence, reason, at, received_at)"
                         " VALUES (?, ?, ?, ?, ?, ?)",
                         (rid, node, body.get("sequence"), str(body["reason"]), body.get("at"), _iso(now)))
        elif report["kind"] == "play" and body.get("village") == village:
            self._store_play(conn, node, rid, rev, body, now)
        else:
            raise ValueError(_("a {kind} report about village {village}, not {expected}").format(
                kind=report["kind"], village=body.get("village"), expected=village))

    def _store_play(self, conn: sqlite3.Connection, node: str, rid: str, rev: int, body: dict[str, Any],
                    now: dt.datetime) -> None:
        row = conn.execute("SELECT node, rev FROM node_plays WHERE id=?", (rid,)).fetchone()
        values = [body.get(k) for k in PLAY_FIELDS] + [json.dumps(body.get("languages") or [])]
        if row is None:
            conn.execute(f"INSERT INTO node_plays (id, node, rev, {', '.join(PLAY_FIELDS)}, languages, received_at)"
                         f" VALUES (?, ?, ?, {', '.join('?' * len(PLAY_FIELDS))}, ?, ?)",
                         (rid, node, rev, *values, _iso(now)))
        elif row["node"] == node and rev > row["rev"]:
            conn.execute(f"UPDATE node_plays SET rev=?, {', '.join(k + '=?' for k in PLAY_FIELDS)}, languages=?,"
                         " received_at=? WHERE id=?", (rev, *values, _iso(now), rid))
        else:
            conn.execute("UPDATE node_plays SET copies=copies+1 WHERE id=?", (rid,))

    def refusals(self, node: str | None = None) -> list[dict[str, Any]]:
        with connect(self.path) as conn:
            rows = conn.execute("SELECT * FROM refusals" + (" WHERE node=?" if node else "") + " ORDER BY received_at",
                                (node,) if node else ())
            return [dict(r) for r in rows]

    def plays(self, *, since: dt.datetime | None = None, until: dt.datetime | None = None,
              village: str | None = None, node: str | None = None) -> list[tuple[Play, int]]:
        """Node plays as play-log rows (output ``node:<id>``), with how many copies of each report arrived."""
        where, args = [], []
        for clause, value in (("planned_at >= ?", since and _iso(since)), ("planned_at < ?", until and _iso(until)),
                              ("village = ?", village), ("node = ?", node)):
            if value:
                where.append(clause)
                args.append(value)
        sql = "SELECT * FROM node_plays" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY planned_at"
        with connect(self.path) as conn:
            return [(_play(r), r["copies"]) for r in conn.execute(sql, args)]


def _play(r: sqlite3.Row) -> Play:
    return Play(
        id=r["id"], planned_at=_ts(r["planned_at"]), village=r["village"], rule=r["rule"],  # type: ignore[arg-type]
        script=r["script"], programme=r["programme"], variables={}, output=f"node:{r['node']}", reason_planned="",
        state=r["state"], ready=True, render_error=None, programme_path=None, programme_hash=r["programme_hash"],
        languages=json.loads(r["languages"] or "[]"), started_at=_ts(r["started_at"]),
        finished_at=_ts(r["finished_at"]), lateness_ms=r["lateness_ms"], detail=r["detail"], reason=r["reason"],
    )
