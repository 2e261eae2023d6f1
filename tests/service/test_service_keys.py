"""Service keys made and revoked by a person: scopes only from PERMISSIONS, the console's
expiry choices, and an audit row naming the person in the same transaction as the change
(never the key itself)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from caveat.identity.permissions import PERMISSIONS
from caveat.identity.principal import Principal
from caveat.service import keys
from caveat.storage.audit import AuditLog
from caveat.storage.store import KeyNotFound, Store

ADMIN = Principal.person(
    subject="oid-adm", tenant="t1", name="Admin Example", username="adm@ours.example",
    roles=["admin"],
)  # fmt: skip
NOW = datetime(2026, 12, 7, 10, 30, tzinfo=UTC)


def test_a_key_is_made_with_its_scopes_and_an_audit_row_naming_the_person(store: Store) -> None:
    record, key = keys.create(store, ADMIN, "siem export", ["audit", "reports.read"], None)
    assert record.scopes == {"audit", "reports.read"} and record.expires_at is None
    assert store.verify_key(key) == record
    [entry] = AuditLog(store).entries()
    assert entry.action == "key.create" and entry.target == str(record.id)
    assert entry.actor_subject == "oid-adm"
    assert entry.actor == "Admin Example <adm@ours.example>"
    assert entry.after == {
        "name": "siem export",
        "prefix": record.prefix,
        "scopes": ["audit", "reports.read"],
        "expires_at": None,
    }
    assert key not in str(entry.as_json())  # the key is never kept, not even in the log


@pytest.mark.parametrize("scope", ["keys", "settings", "admin", "", "analyze "])
def test_a_scope_outside_the_permissions_is_refused_and_nothing_is_kept(
    store: Store, scope: str
) -> None:
    with pytest.raises(keys.KeyRequestError, match="cannot be given"):
        keys.create(store, ADMIN, "x", ["analyze", scope], None)
    assert store.list_keys() == [] and AuditLog(store).entries() == []


def test_no_scope_is_refused(store: Store) -> None:
    with pytest.raises(keys.KeyRequestError, match="at least one"):
        keys.create(store, ADMIN, "x", [], None)
    assert store.list_keys() == []


@pytest.mark.parametrize("name", ["", "   ", "a" * 101, "tab\x07bell"])
def test_a_bad_name_is_refused_in_words_and_nothing_is_kept(store: Store, name: str) -> None:
    with pytest.raises(keys.KeyRequestError, match="key name"):
        keys.create(store, ADMIN, name, ["analyze"], None)
    assert store.list_keys() == [] and AuditLog(store).entries() == []


def test_every_permission_may_be_chosen() -> None:
    assert keys.check_scopes(PERMISSIONS) == frozenset(PERMISSIONS)


def test_revoking_refuses_the_key_at_once_and_is_audited_once(store: Store) -> None:
    record, key = keys.create(store, ADMIN, "sync", ["directory"], None)
    assert store.verify_key(key) is not None  # now in the store's short cache
    revoked, changed = keys.revoke(store, ADMIN, record.id)
    assert changed and not revoked.active
    assert store.verify_key(key) is None
    again, changed = keys.revoke(store, ADMIN, record.id)
    assert not changed and again.revoked_at == revoked.revoked_at
    entries = AuditLog(store).entries()
    assert [e.action for e in entries] == ["key.create", "key.revoke"]
    assert entries[1].before["revoked"] is False and entries[1].after["revoked"] is True
    assert entries[1].actor_subject == "oid-adm"


def test_revoking_no_such_key_says_so(store: Store) -> None:
    with pytest.raises(KeyNotFound):
        keys.revoke(store, ADMIN, 99)
    assert AuditLog(store).entries() == []


@pytest.mark.parametrize("days", keys.EXPIRY_DAYS)
def test_expiry_after_days(days: int) -> None:
    assert keys.expiry(str(days), "", NOW) == NOW + timedelta(days=days)


def test_expiry_never_and_on_a_date() -> None:
    assert keys.expiry("never", "2027-01-01", NOW) is None
    assert keys.expiry("date", "2027-06-30", NOW) == datetime(2027, 6, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("choice", "on", "says"),
    [
        ("7", "", "choose when"),
        ("3651", "", "choose when"),
        ("soon", "", "choose when"),
        ("date", "", "give the date"),
        ("date", "30/06/2027", "YYYY-MM-DD"),
        ("date", "2027-02-30", "YYYY-MM-DD"),
        ("date", "2026-12-07", "begun or passed"),
        ("date", "2026-01-01", "begun or passed"),
        ("date", "2037-01-01", "at most 3650 days"),
    ],
)
def test_a_bad_expiry_is_refused_in_words(choice: str, on: str, says: str) -> None:
    with pytest.raises(keys.KeyRequestError, match=says):
        keys.expiry(choice, on, NOW)


def test_state_of_a_key(store: Store) -> None:
    record, _ = keys.create(store, ADMIN, "a", ["analyze"], store.clock() + timedelta(days=1))
    assert keys.state(record, store.clock()) == "active"
    assert keys.state(record, store.clock() + timedelta(days=2)) == "expired"
    revoked, _ = keys.revoke(store, ADMIN, record.id)
    assert keys.state(revoked, store.clock()) == "revoked"
