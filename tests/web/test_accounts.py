"""Accounts without a browser: argon2 hashes, throttled logins, sessions; approvals bound to the text's hash."""

from __future__ import annotations

from pathlib import Path

import pytest

from outreach import approvals
from outreach.web.accounts import (
    MAX_FAILURES,
    AccountError,
    add_user,
    authenticate,
    csrf_ok,
    end_session,
    find_session,
    new_session,
    throttled,
)
from outreach.web.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "web.sqlite")


def test_passwords_are_stored_as_argon2_hashes_and_checked(store: Store) -> None:
    add_user(store, "cen", "staff", "long enough secret")
    with store.connect() as conn:
        stored = conn.execute("SELECT hash FROM users WHERE name = 'cen'").fetchone()[0]
    assert stored.startswith("$argon2id$") and "long enough secret" not in stored
    assert authenticate(store, "cen", "long enough secret", ["user:cen"]).role == "staff"
    assert authenticate(store, "cen", "wrong", ["user:cen"]) is None
    with pytest.raises(AccountError, match="exists already"):
        add_user(store, "cen", "staff", "long enough secret")
    with pytest.raises(AccountError, match="unknown role"):
        add_user(store, "li", "boss", "long enough secret")
    with pytest.raises(AccountError, match="at least"):
        add_user(store, "li", "staff", "short")


def test_too_many_failures_throttle_the_name_even_with_the_right_password(store: Store) -> None:
    add_user(store, "cen", "staff", "long enough secret")
    for _ in range(MAX_FAILURES):
        assert not throttled(store, ["user:cen", "ip:10.0.0.9"])
        authenticate(store, "cen", "guess", ["user:cen", "ip:10.0.0.9"])
    assert throttled(store, ["user:cen"])
    assert throttled(store, ["ip:10.0.0.9"])
    assert not throttled(store, ["user:other", "ip:10.0.0.10"])


def test_sessions_carry_their_own_csrf_token_and_end(store: Store) -> None:
    user = add_user(store, "cen", "reviewer", "long enough secret")
    session = new_session(store, user)
    found = find_session(store, session.token)
    assert found is not None and found.user == user
    assert csrf_ok(found, session.csrf) and not csrf_ok(found, "forged") and not csrf_ok(found, None)
    with store.connect() as conn:
        assert conn.execute("SELECT COUNT(*) FROM sessions WHERE token = ?", (session.token,)).fetchone()[0] == 0
    end_session(store, session.token)
    assert find_session(store, session.token) is None


def test_an_approval_holds_only_for_the_text_it_was_given_on(tmp_path: Path) -> None:
    folder = tmp_path / "fake-loan"
    folder.mkdir()
    template = folder / "pcc.j2"
    template.write_text("Leeux boz ndil!\n", encoding="utf-8")
    assert approvals.effective_status(folder, "pcc", "draft") == "draft"
    approvals.decide(folder, "pcc", approvals.APPROVED, "岑勤", "ok")
    assert approvals.effective_status(folder, "pcc", "draft") == "approved"
    template.write_text("Leeux boz ndil!\nLeeux boz ndil!\n", encoding="utf-8")
    assert approvals.effective_status(folder, "pcc", "draft") == "draft"
    assert approvals.effective_status(folder, "pcc", "approved") == "draft"
    approvals.decide(folder, "pcc", approvals.RETURNED, "岑勤", "again")
    assert approvals.effective_status(folder, "pcc", "approved") == "draft"
    assert approvals.load(folder)["pcc"].comment == "again"
