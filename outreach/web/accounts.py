"""Users, roles, sessions and login throttling for the console.

Passwords are argon2 hashes; a session is a random token whose SHA-256 is stored (a stolen
database cannot be replayed as cookies), with its own CSRF token. Signing in replaces the
session (no fixation). Failed logins are counted per user name and per address: too many in a
window and that key must wait, whatever the password.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from enum import StrEnum

from outreach.errors import OutreachError
from outreach.i18n import _
from outreach.web.store import Store, now_iso

SESSION_SECONDS = 12 * 3600
MAX_FAILURES = 5
FAILURE_WINDOW = 15 * 60
MIN_PASSWORD = 8


class Role(StrEnum):
    """What a person may do: admins run the station, staff print and edit, reviewers approve, recorders record."""

    ADMIN = "admin"
    STAFF = "staff"
    REVIEWER = "reviewer"
    RECORDER = "recorder"


class AccountError(OutreachError):
    """A user name, role or password that cannot be accepted."""


@dataclass(frozen=True)
class User:
    name: str
    role: Role
    lang: str


@dataclass(frozen=True)
class Session:
    token: str
    user: User | None
    csrf: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()


def add_user(store: Store, name: str, role: str, password: str, lang: str = "zh_CN") -> User:
    """Create a user; names are unique, passwords at least MIN_PASSWORD characters."""
    name = name.strip()
    if not name or len(name) > 64 or any(ch.isspace() for ch in name):
        raise AccountError(_("'{name}' is not a user name (1-64 characters, no spaces)").format(name=name))
    try:
        chosen = Role(role)
    except ValueError:
        roles = ", ".join(Role)
        raise AccountError(_("unknown role '{role}' (roles: {roles})").format(role=role, roles=roles)) from None
    if len(password) < MIN_PASSWORD:
        raise AccountError(_("the password needs at least {count} characters").format(count=MIN_PASSWORD))
    with store.transaction() as conn:
        if conn.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
            raise AccountError(_("user '{name}' exists already").format(name=name))
        conn.execute("INSERT INTO users (name, hash, role, lang, created) VALUES (?, ?, ?, ?, ?)",
                     (name, _hasher().hash(password), chosen.value, lang, now_iso()))
    store.audit("(cli)", "user-add", name, {"role": chosen.value})
    return User(name, chosen, lang)


def set_password(store: Store, name: str, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(_("the password needs at least {count} characters").format(count=MIN_PASSWORD))
    with store.connect() as conn:
        cur = conn.execute("UPDATE users SET hash = ? WHERE name = ?", (_hasher().hash(password), name))
        conn.execute("DELETE FROM sessions WHERE user = ?", (name,))
    if not cur.rowcount:
        raise AccountError(_("no user '{name}'").format(name=name))
    store.audit("(cli)", "user-password", name)


def users(store: Store) -> list[dict[str, str]]:
    with store.connect() as conn:
        return [dict(r) for r in conn.execute("SELECT name, role, lang, created, disabled FROM users ORDER BY name")]


def set_lang(store: Store, name: str, lang: str) -> None:
    with store.connect() as conn:
        conn.execute("UPDATE users SET lang = ? WHERE name = ?", (lang, name))


def throttled(store: Store, keys: list[str]) -> bool:
    """Whether any key (user name, address) failed MAX_FAILURES times within the window."""
    since = time.time() - FAILURE_WINDOW
    with store.connect() as conn:
        conn.execute("DELETE FROM attempts WHERE at < ?", (since,))
        return any(conn.execute("SELECT COUNT(*) FROM attempts WHERE key = ? AND at >= ?", (k, since)).fetchone()[0]
                   >= MAX_FAILURES for k in keys)


def authenticate(store: Store, name: str, password: str, keys: list[str]) -> User | None:
    """The user when the password matches (and the keys are not throttled); a failure is counted."""
    from argon2.exceptions import InvalidHashError, VerificationError

    with store.connect() as conn:
        row = conn.execute("SELECT * FROM users WHERE name = ? AND disabled = 0", (name,)).fetchone()
    try:
        ok = row is not None and _hasher().verify(row["hash"], password)
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        with store.connect() as conn:
            conn.executemany("INSERT INTO attempts (key, at) VALUES (?, ?)", [(k, time.time()) for k in keys])
        return None
    return User(row["name"], Role(row["role"]), row["lang"])


def new_session(store: Store, user: User | None = None) -> Session:
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with store.connect() as conn:
        conn.execute("INSERT INTO sessions (token, user, csrf, created, seen) VALUES (?, ?, ?, ?, ?)",
                     (_digest(token), user.name if user else None, csrf, time.time(), time.time()))
    return Session(token, user, csrf)


def find_session(store: Store, token: str | None) -> Session | None:
    """The live session of a cookie; an expired one is removed."""
    if not token:
        return None
    with store.connect() as conn:
        row = conn.execute(
            "SELECT s.csrf, s.seen, u.name, u.role, u.lang, u.disabled FROM sessions s "
            "LEFT JOIN users u ON u.name = s.user WHERE s.token = ?", (_digest(token),)).fetchone()
        if row is None:
            return None
        if time.time() - row["seen"] > SESSION_SECONDS:
            conn.execute("DELETE FROM sessions WHERE token = ?", (_digest(token),))
            return None
        if time.time() - row["seen"] > 60:
            conn.execute("UPDATE sessions SET seen = ? WHERE token = ?", (time.time(), _digest(token)))
    user = User(row["name"], Role(row["role"]), row["lang"]) if row["name"] and not row["disabled"] else None
    return Session(token, user, row["csrf"])


def end_session(store: Store, token: str) -> None:
    with store.connect() as conn:
        conn.execute("DELETE FROM sessions WHERE token = ?", (_digest(token),))


def csrf_ok(session: Session | None, submitted: str | None) -> bool:
    return bool(session and submitted) and secrets.compare_digest(session.csrf, submitted or "")
