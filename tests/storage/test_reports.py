"""Reports of fraud from the add-in: one per user and message, no content kept."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect

from caveat.storage.reports import ReportStore, id_hash
from caveat.storage.store import Store

AT = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@pytest.fixture
def reports() -> ReportStore:
    store = Store.from_url("sqlite://")
    store.upgrade()
    return ReportStore(store)


def _add(reports: ReportStore, **changes: object) -> object:
    args: dict[str, object] = {
        "sender": "Finance-Person@PartnerB.example",
        "message_id": "<20241106123140.8f3a1c2b@relay.example>",
        "conversation_id": "AAQkADconv",
        "level": "danger",
        "finding_ids": ["FAKE_REPLY", "REPLYTO_FREEMAIL"],
        "reporter": "Anna.Keller@partnera.example",
        "key_id": 3,
        "at": AT,
    }
    args.update(changes)
    return reports.add(**args)  # type: ignore[arg-type]


def test_a_report_keeps_addresses_and_hashes_only(reports: ReportStore) -> None:
    r = _add(reports)
    assert r.created  # type: ignore[attr-defined]
    (row,) = reports.recent()
    assert row.sender == "finance-person@partnerb.example"
    assert row.reporter == "anna.keller@partnera.example"
    key = reports.key()
    assert row.message_hash == id_hash(key, "20241106123140.8f3a1c2b@relay.example")
    assert row.conversation_hash == id_hash(key, "AAQkADconv")
    # keyed: a guessed id cannot be confirmed with a plain hash of it
    plain = hashlib.sha256(b"20241106123140.8f3a1c2b@relay.example").hexdigest()
    assert row.message_hash != plain
    assert row.finding_ids == ("FAKE_REPLY", "REPLYTO_FREEMAIL")
    assert row.level == "danger"
    columns = {c["name"] for c in inspect(reports.store.engine).get_columns("reports")}
    assert not columns & {"subject", "body", "message_id", "conversation_id"}


def test_the_same_user_reporting_the_same_message_twice_makes_one_report(
    reports: ReportStore,
) -> None:
    first = _add(reports)
    again = _add(reports, message_id="20241106123140.8f3a1c2b@relay.example", at=AT + timedelta(1))
    assert not again.created  # type: ignore[attr-defined]
    assert again.id == first.id  # type: ignore[attr-defined]
    other = _add(reports, reporter="eva.lind@partnera.example")
    assert other.created  # type: ignore[attr-defined]
    assert len(reports.recent()) == 2


def test_without_a_message_id_each_report_stands_alone(reports: ReportStore) -> None:
    a = _add(reports, message_id=None)
    b = _add(reports, message_id="  <> ", at=AT + timedelta(seconds=1))
    assert a.created and b.created  # type: ignore[attr-defined]
    assert [r.id for r in reports.recent()] == [b.id, a.id]  # type: ignore[attr-defined]


def test_long_values_are_cut_to_the_columns(reports: ReportStore) -> None:
    _add(reports, sender="a" * 400 + "@example.com", finding_ids=["X" * 30] * 100, reporter=None)
    (row,) = reports.recent()
    assert len(row.sender) == 320
    assert row.reporter == ""
    assert len(",".join(row.finding_ids)) <= 1000
