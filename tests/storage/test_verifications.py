"""Verify sender outcomes and account approvals in storage and in the service's rules, on
every backend: four-eyes by distinct people, a denial blocking an account and making
indicators, maker-checker onto the directory, audit rows, and no account in clear kept."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from caveat.identity.principal import Principal
from caveat.knowledge.directory import Directory
from caveat.knowledge.partners_csv import parse_partners_csv
from caveat.knowledge.shared import EMPTY_KNOWLEDGE, account_ref, verified_key
from caveat.reference.bank_identifiers import account_key
from caveat.service.verifications import Verifications, configure, with_verified_accounts
from caveat.storage.audit import Actor, AuditLog
from caveat.storage.directory_store import DirectoryStore
from caveat.storage.indicators import IndicatorRow, IndicatorStore, knowledge_version
from caveat.storage.store import Store
from caveat.storage.verifications import (
    AccountApprovalRow,
    VerificationError,
    VerificationRow,
    VerificationStore,
)
from tests.conftest import FakeClock

IBAN = "DE89 3704 0044 0532 0130 00"
CSV = (
    "organization,domain,contact_name,contact_email,contact_phone,bank_accounts,require_auth\n"
    "Acme Supplies,acme.example,Pat Payables,pat@acme.example,+44 20 7946 0001,"
    "GB29NWBK60161331926819,\n"
    "Acme Supplies,,Lee Ledger,lee@acme.example,+44 20 7946 0002,,\n"
)


def person(login: str, *roles: str) -> Principal:
    return Principal.person(
        subject=f"oid-{login}", tenant="t", name=login.title(),
        username=f"{login}@ours.example", roles=roles,
    )  # fmt: skip


FIN = person("fin", "finance")
FIN2 = person("ana", "finance")
ADM = person("adm", "admin")
ADM2 = person("root", "admin")


@pytest.fixture
def service(store: Store) -> Verifications:
    DirectoryStore(store).import_partners(parse_partners_csv(CSV).partners)
    return Verifications(
        store=store,
        directory=lambda: DirectoryStore(store).load(),
        confirmations=2,
        is_internal=lambda d: d == "ours.example",
    )


def ref_of(store: Store, account: str = IBAN) -> str:
    return account_ref(VerificationStore(store).key(), account_key(account))


def call(store: Store, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "organization": "Acme Supplies",
        "contact": {"index": 0},
        "account_ref": ref_of(store),
        "account_masked": "DE89 **** 3000",
        "outcome": "confirmed",
    }
    body.update(changes)
    return body


def test_a_call_keeps_the_contact_on_file_the_account_hashed_and_an_audit_row(
    service: Verifications, store: Store
) -> None:
    done = service.record(FIN, call(store, contact={"email": "LEE@acme.example"}, note="ok"))
    v = done.verification
    assert (v.contact.name, v.contact.email, v.contact.phone) == (
        "Lee Ledger", "lee@acme.example", "+44 20 7946 0002",
    )  # fmt: skip
    assert v.actor == "Fin <fin@ours.example>" and v.outcome == "confirmed"
    assert v.account_ref == ref_of(store) and v.account_masked == "DE89 **** 3000"
    assert done.status.confirmations[0].by == "Fin <fin@ours.example>"
    assert not done.status.verified  # one of two
    with store.session() as s:
        row = s.scalars(select(VerificationRow)).one()
        stored = " ".join(str(getattr(row, c.key)) for c in VerificationRow.__table__.columns)
    assert "5320130" not in stored and "DE893704" not in stored  # no account in clear
    by_phone = service.record(FIN, call(store, contact={"phone": "+44 20-7946-0002"}))
    assert by_phone.verification.contact.name == "Lee Ledger"  # the number on file, any spacing
    [entry, _] = AuditLog(store).entries(action="verification.")
    assert entry.action == "verification.confirmed" and entry.target == "Acme Supplies"
    assert entry.after["account"] == "DE89 **** 3000"
    assert entry.after["contact"]["phone"] == "+44 20 7946 0002"


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"organization": "Unknown Ltd"}, "not a partner in the directory"),
        ({"contact": {"index": 2}}, "not on file for Acme Supplies"),
        ({"contact": {"email": "fraudster@free.example"}}, "not on file"),
        ({"contact": {"phone": "+1 555 0100"}}, "not on file"),
        ({"contact": {"fax": "+44 20 7946 0001"}}, "index, email or phone"),
        ({"contact": {}}, "contact is required"),
        ({"contact": {"index": True}}, "whole number"),
        ({"account_ref": "DE89370400440532013000"}, "64 hexadecimal"),
        ({"outcome": "maybe"}, "outcome must be one of"),
        ({"account_masked": "DE89370400440532013000"}, "masked"),
        ({"note": "x" * 501}, "too long"),
        ({"message": "a@b.example"}, "message must be an object"),
    ],
)
def test_what_is_not_a_contact_on_file_or_malformed_is_refused(
    service: Verifications, store: Store, changes: dict[str, Any], words: str
) -> None:
    with pytest.raises(VerificationError) as caught:
        service.record(FIN, call(store, **changes))
    assert caught.value.code == "invalid" and words in str(caught.value)
    with store.session() as s:
        assert s.scalars(select(VerificationRow)).first() is None
    assert AuditLog(store).entries(action="verification.") == []


def test_four_eyes_counts_distinct_people(
    service: Verifications, store: Store, clock: FakeClock
) -> None:
    first = service.record(FIN, call(store)).status
    clock.now += timedelta(hours=1)
    again = service.record(FIN, call(store, contact={"index": 1})).status
    assert len(again.confirmations) == 1 and not again.verified  # the same person twice
    clock.now += timedelta(hours=1)
    service.record(FIN2, call(store, outcome="unreachable"))
    # a service key's confirmation is recorded, and counts for nobody
    key = Principal.service_key(7, "sync script", ["verify"])
    assert len(service.record(key, call(store)).status.confirmations) == 1
    assert not service.status("Acme Supplies", ref_of(store)).verified  # type: ignore[union-attr]
    clock.now += timedelta(hours=1)
    done = service.record(FIN2, call(store)).status
    assert done.verified
    assert [c.by for c in done.confirmations] == [
        "Fin <fin@ours.example>",
        "Ana <ana@ours.example>",
    ]
    assert done.confirmations[0].at == first.confirmations[0].at  # each person's first
    # the snapshot the checks read has it, keyed by organisation and account
    configure(store, 2)
    known = with_verified_accounts(store, EMPTY_KNOWLEDGE)
    key = verified_key("acme supplies", ref_of(store))
    assert [c.by for c in known.verified_accounts[key]] == [c.by for c in done.confirmations]
    # a stricter rule: not yet
    configure(store, 3)
    assert with_verified_accounts(store, EMPTY_KNOWLEDGE).verified_accounts == {}
    # another partner's name: not this partner's verified account
    assert VerificationStore(store).status("Other", ref_of(store), 2) is None


def test_a_denial_blocks_the_account_and_makes_indicators_until_an_admin_clears_it(
    service: Verifications, store: Store, clock: FakeClock
) -> None:
    service.record(FIN, call(store))
    service.record(FIN2, call(store))
    before = knowledge_version_of(store)
    clock.now += timedelta(days=1)
    denied = service.record(
        ADM,
        call(
            store,
            outcome="denied",
            message={"from": "pat@acme.example", "reply_to": "Pay.Desk@freemail.example"},
        ),
    )
    assert denied.status.denied and not denied.status.verified
    assert knowledge_version_of(store) > before
    assert set(denied.indicators) == {
        ("account", "DE89 **** 3000"), ("address", "pay.desk@freemail.example"),
    }  # fmt: skip
    # the partner's own address is not made an indicator (a forged From would otherwise
    # put all of its genuine mail at danger)
    assert denied.left_out == (("pat@acme.example", "a contact on file for Acme Supplies"),)
    entries = IndicatorStore(store).entries()
    assert {(e.kind, e.source) for e in entries} == {
        ("account", "verification"), ("address", "verification"),
    }  # fmt: skip
    with store.session() as s:
        account = s.scalars(select(IndicatorRow).where(IndicatorRow.kind == "account")).one()
    assert account.value == ref_of(store)  # the hash, never the number
    assert with_verified_accounts(store, EMPTY_KNOWLEDGE).verified_accounts == {}
    # a finance user cannot clear it through the rules' store alone: the API asks for
    # `approve`; here an administrator does
    cleared = service.clear(denied.verification.id, ADM2)
    assert cleared.cleared_by == "Root <root@ours.example>"
    assert service.status("Acme Supplies", ref_of(store)).verified  # type: ignore[union-attr]
    with pytest.raises(VerificationError) as again:
        service.clear(denied.verification.id, ADM2)
    assert again.value.code == "conflict"
    with pytest.raises(VerificationError) as not_denial:
        service.clear(1, ADM2)
    assert not_denial.value.code == "conflict"
    actions = [e.action for e in AuditLog(store).entries()]
    assert actions.count("verification.confirmed") == 2
    assert "verification.denied" in actions and "verification.clear" in actions
    assert actions.count("indicator.add") == 2


def knowledge_version_of(store: Store) -> int:
    with store.session() as s:
        return knowledge_version(s)


def _verified(service: Verifications, store: Store) -> None:
    service.record(FIN, call(store))
    service.record(FIN2, call(store))


def test_maker_checker_puts_the_account_on_file_decided_by_someone_else(
    service: Verifications, store: Store
) -> None:
    ask = {"organization": "Acme Supplies", "account_ref": ref_of(store), "account": IBAN}
    with pytest.raises(VerificationError) as unverified:
        service.request_approval(FIN, ask)
    assert unverified.value.code == "not_verified" and "0 of 2" in str(unverified.value)
    _verified(service, store)
    with pytest.raises(VerificationError) as other:
        service.request_approval(FIN, {**ask, "account": "DE02 1203 0000 0000 2020 51"})
    assert other.value.code == "invalid" and "does not match" in str(other.value)
    approval = service.request_approval(FIN, {**ask, "note": "letter of 3 Dec"})
    assert approval.status == "pending" and approval.account_masked == "DE89 **** 3000"
    with pytest.raises(VerificationError) as twice:
        service.request_approval(FIN2, ask)
    assert twice.value.code == "conflict"
    version = DirectoryStore(store).version()
    with pytest.raises(VerificationError) as same:
        service.decide(approval.id, FIN, approve=True)
    assert same.value.code == "same_person"
    assert DirectoryStore(store).version() == version
    done = service.decide(approval.id, ADM, approve=True)
    assert done.status == "approved" and done.decided_by == "Adm <adm@ours.example>"
    assert DirectoryStore(store).version() == version + 1
    [acme] = DirectoryStore(store).partners()
    assert "DE89370400440532013000" in acme.bank_accounts
    assert "GB29NWBK60161331926819" in acme.bank_accounts
    with store.session() as s:
        row = s.scalars(select(AccountApprovalRow)).one()
        assert row.account is None  # the account in clear is gone from the request
    with pytest.raises(VerificationError) as decided:
        service.decide(approval.id, ADM2, approve=False)
    assert decided.value.code == "conflict"
    with pytest.raises(VerificationError) as on_file:
        service.request_approval(FIN, ask)
    assert on_file.value.code == "conflict" and "on file" in str(on_file.value)
    actions = [(e.action, e.actor_subject) for e in AuditLog(store).entries(action="approval.")]
    assert actions == [("approval.request", "oid-fin"), ("approval.approve", "oid-adm")]
    assert "DE89370400440532013000" not in str(
        [e.as_json() for e in AuditLog(store).entries()]
    )  # audit rows hold the account masked only


def test_a_rejected_request_drops_the_account_and_leaves_the_directory(
    service: Verifications, store: Store
) -> None:
    _verified(service, store)
    ask = {"organization": "Acme Supplies", "account_ref": ref_of(store), "account": IBAN}
    approval = service.request_approval(FIN, ask)
    version = DirectoryStore(store).version()
    done = service.decide(approval.id, Actor.command_line("root"), approve=False)
    assert done.status == "rejected" and done.decided_by == "root at the command line"
    assert DirectoryStore(store).version() == version
    [acme] = DirectoryStore(store).partners()
    assert "DE89370400440532013000" not in acme.bank_accounts
    with store.session() as s:
        assert s.scalars(select(AccountApprovalRow)).one().account is None
    with pytest.raises(VerificationError) as missing:
        service.decide(999, ADM, approve=True)
    assert missing.value.code == "not_found"


def test_the_directory_snapshot_is_what_calls_are_checked_against() -> None:
    store = Store.from_url("sqlite://")
    store.upgrade()
    empty = Verifications(store=store, directory=lambda: Directory())
    with pytest.raises(VerificationError, match="not a partner"):
        empty.record(FIN, call(store))
