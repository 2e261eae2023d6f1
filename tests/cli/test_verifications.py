"""caveat verifications list|clear and caveat approvals list|approve|reject: what finance
users recorded, read by operators; a request decided at the command line never by its
maker, the account then on file; every change audited as the operator's login."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Any

import pytest

from caveat.cli import main
from caveat.identity.principal import Principal
from caveat.knowledge.partners_csv import parse_partners_csv
from caveat.knowledge.shared import account_ref
from caveat.reference.bank_identifiers import account_key
from caveat.service.verifications import Verifications
from caveat.storage.audit import Actor, AuditLog
from caveat.storage.directory_store import DirectoryStore
from caveat.storage.store import Store
from caveat.storage.verifications import VerificationStore

IBAN = "DE89370400440532013000"
CSV = (
    "organization,domain,contact_name,contact_email,contact_phone,bank_accounts,require_auth\n"
    "Acme Supplies,acme.example,Pat Payables,pat@acme.example,+44 20 7946 0001,,\n"
)


def person(login: str) -> Principal:
    return Principal.person(
        subject=f"oid-{login}", tenant="t", name=login.title(),
        username=f"{login}@ours.example", roles=["finance"],
    )  # fmt: skip


@pytest.fixture
def db(tmp_path: Path, caveat_env: Path) -> str:
    return f"sqlite:///{tmp_path / 'v.db'}"


@pytest.fixture
def store(db: str) -> Store:
    s = Store.from_url(db)
    s.upgrade()
    DirectoryStore(s).import_partners(parse_partners_csv(CSV).partners)
    return s


def service(store: Store) -> Verifications:
    return Verifications(store=store, directory=lambda: DirectoryStore(store).load())


def ref(store: Store) -> str:
    return account_ref(VerificationStore(store).key(), account_key(IBAN))


def call(store: Store, who: str, outcome: str = "confirmed") -> Any:
    return service(store).record(
        person(who),
        {
            "organization": "Acme Supplies",
            "contact": {"index": 0},
            "account_ref": ref(store),
            "account_masked": "DE89 **** 3000",
            "outcome": outcome,
        },
    )


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_the_list_says_who_called_whom_and_where_the_account_stands(
    db: str, store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["verifications", "list", "--db", db], capsys)
    assert (code, out) == (0, "No calls recorded.\n")
    call(store, "fin")
    code, out, _ = run(["verifications", "list", "--db", db], capsys)
    assert code == 0
    assert "confirmed" in out and "Acme Supplies" in out and "DE89 **** 3000" in out
    assert "(1 of 2 confirmations)" in out
    assert "by Fin <fin@ours.example>, calling Pat Payables +44 20 7946 0001" in out
    call(store, "ana")
    code, out, _ = run(["verifications", "list", "--db", db, "--json"], capsys)
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["recorded_by"] for r in rows] == ["Ana <ana@ours.example>", "Fin <fin@ours.example>"]
    assert IBAN not in out
    code, out, _ = run(["verifications", "list", "--db", db], capsys)
    assert "(verified)" in out
    code, out, _ = run(["verifications", "list", "--db", db, "--organization", "Other"], capsys)
    assert out == "No calls recorded.\n"


def test_an_operator_clears_a_denial_and_the_log_names_their_login(
    db: str, store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    denied = call(store, "fin", "denied").verification
    code, out, _ = run(["verifications", "list", "--db", db], capsys)
    assert "(denied)" in out
    code, out, err = run(["verifications", "clear", str(denied.id), "--db", db], capsys)
    assert code == 0 and "Cleared the denial" in out, err
    code, _, err = run(["verifications", "clear", str(denied.id), "--db", db], capsys)
    assert code == 1 and "cleared already" in err
    code, _, err = run(["verifications", "clear", "999", "--db", db], capsys)
    assert code == 1 and "no verification 999" in err
    [entry] = AuditLog(store).entries(action="verification.clear")
    assert entry.actor_subject == f"cli:{getpass.getuser()}"


def test_an_operator_approves_a_request_and_the_account_goes_on_file(
    db: str, store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    call(store, "fin")
    call(store, "ana")
    approval = service(store).request_approval(
        person("fin"), {"organization": "Acme Supplies", "account_ref": ref(store), "account": IBAN}
    )
    code, out, _ = run(["approvals", "list", "--status", "pending", "--db", db], capsys)
    assert code == 0 and "pending" in out and "asked by Fin <fin@ours.example>" in out
    code, out, err = run(["approvals", "approve", str(approval.id), "--db", db], capsys)
    assert code == 0, err
    assert out == "DE89 **** 3000 is now on file for Acme Supplies.\n"
    [acme] = DirectoryStore(store).partners()
    assert IBAN in acme.bank_accounts
    code, _, err = run(["approvals", "reject", str(approval.id), "--db", db], capsys)
    assert code == 1 and "is approved" in err
    code, out, _ = run(["approvals", "list", "--json", "--db", db], capsys)
    [row] = [json.loads(line) for line in out.splitlines()]
    assert row["status"] == "approved" and row["decided_by"].endswith("at the command line")
    actions = [e.action for e in AuditLog(store).entries(action="approval.")]
    assert actions == ["approval.request", "approval.approve"]


def test_the_maker_cannot_decide_at_the_command_line_either(
    db: str, store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    call(store, "fin")
    call(store, "ana")
    operator = Actor.command_line(getpass.getuser())
    approval = service(store).request_approval(
        operator, {"organization": "Acme Supplies", "account_ref": ref(store), "account": IBAN}
    )
    code, _, err = run(["approvals", "reject", str(approval.id), "--db", db], capsys)
    assert code == 1 and "someone other than its maker" in err
    [acme] = DirectoryStore(store).partners()
    assert acme.bank_accounts == ()


def test_a_store_that_cannot_be_opened_is_a_message(
    tmp_path: Path, caveat_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["approvals", "list", "--db", "nosuch://x"], capsys)
    assert code == 2 and err.startswith("caveat approvals list: ")
