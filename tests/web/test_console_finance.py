"""The console's finance pages: who sees the verifications and the approvals; a mistaken
denial cleared only by someone allowed to (as the API allows), in the audit log under
their name; an account approved onto the directory by someone other than the person who
asked, and the page saying why the buttons are absent otherwise."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from caveat.identity.principal import Principal
from caveat.knowledge.partners_csv import parse_partners_csv
from caveat.service.verifications import Verifications
from caveat.storage.audit import AuditLog
from caveat.storage.directory_store import DirectoryStore
from caveat.storage.store import Store
from caveat.storage.verifications import VerificationStore
from tests.console_app import console_app, csrf, signed_in

NEW = "DE89 3704 0044 0532 0130 00"
PARTNERS = (
    "organization,domain,contact_name,contact_email,contact_phone,bank_accounts,require_auth\n"
    "Acme Supplies,acme.example,Pat Payables,pat@acme.example,+44 20 7946 0001,"
    "GB29NWBK60161331926819,\n"
)


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    app = console_app(tmp_path, INTERNAL_DOMAINS=["ours.example"])
    DirectoryStore(store_of(app)).import_partners(parse_partners_csv(PARTNERS).partners)
    app.extensions["caveat"].analyzer.refresh()
    return app


def store_of(app: Flask) -> Store:
    s: Store = app.extensions["caveat"].store
    return s


def person(subject: str, name: str, roles: tuple[str, ...] = ("finance",)) -> Principal:
    return Principal.person(
        subject=subject, tenant=None, name=name, username=f"{subject}@ours.example", roles=roles
    )


FIN1 = person("fin-one", "Fran Finance")
FIN2 = person("fin-two", "Gil Ledger")


def service(app: Flask) -> Verifications:
    return Verifications(store=store_of(app), directory=app.extensions["caveat"].analyzer.directory)


def ref(app: Flask, account: str = NEW) -> str:
    return VerificationStore(store_of(app)).hash_account(account)


def record(app: Flask, who: Principal, outcome: str, account: str = NEW) -> int:
    done = service(app).record(
        who,
        {
            "organization": "Acme Supplies",
            "contact": {"email": "pat@acme.example"},
            "account_ref": ref(app, account),
            "account_masked": "DE89 **** 3000",
            "outcome": outcome,
            "note": "called the number on file",
        },
    )
    return done.verification.id


def request_approval(app: Flask, who: Principal) -> int:
    done = service(app).request_approval(
        who, {"organization": "Acme Supplies", "account_ref": ref(app), "account": NEW}
    )
    return done.id


def text_of(rv: Any) -> str:
    html = rv.get_data(as_text=True)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def post(client: FlaskClient, path: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(path, data={"csrf_token": csrf(client), **(data or {})})


@pytest.mark.parametrize(
    ("role", "verifications", "approvals"),
    [
        ("user", 403, 403),
        ("security", 403, 403),
        ("finance", 200, 200),
        ("admin", 200, 200),
    ],
)
def test_verifications_and_approvals_are_for_finance_and_admins(
    app: Flask, role: str, verifications: int, approvals: int
) -> None:
    record(app, FIN1, "confirmed")
    client = signed_in(app, role)
    rv = client.get("/admin/verifications")
    assert rv.status_code == verifications
    if verifications == 200:
        page = text_of(rv)
        assert "Acme Supplies" in page and "DE89 **** 3000" in page and "Fran Finance" in page
        assert "1 of 2 confirmations" in page
    assert client.get("/admin/approvals").status_code == approvals


def test_two_people_make_an_account_verified_and_the_list_says_so(app: Flask) -> None:
    record(app, FIN1, "confirmed")
    record(app, FIN2, "confirmed")
    record(app, FIN2, "unreachable", "GB82 WEST 1234 5698 7654 32")
    fin = signed_in(app, "finance")
    page = text_of(fin.get("/admin/verifications"))
    assert "verified" in page
    page = text_of(fin.get("/admin/verifications?outcome=unreachable"))
    assert "unreachable" in page and "confirmed" not in page.split("Recorded by")[-1]
    assert "No calls recorded that match" in text_of(
        fin.get("/admin/verifications?organization=Nobody+Ltd")
    )
    assert fin.get("/admin/verifications?outcome=maybe").status_code == 400


def test_a_denial_is_cleared_by_an_administrator_only(app: Flask) -> None:
    denial = record(app, FIN1, "denied")
    fin = signed_in(app, "finance")
    page = text_of(fin.get("/admin/verifications"))
    assert "blocked (denied)" in page
    assert "Clear denial" not in page and "an administrator can clear" in page
    assert post(fin, f"/admin/verifications/{denial}/clear").status_code == 403
    assert VerificationStore(store_of(app)).get(denial).cleared_at is None  # type: ignore[union-attr]

    adm = signed_in(app, "admin")
    assert "Clear denial" in text_of(adm.get("/admin/verifications"))
    rv = post(adm, f"/admin/verifications/{denial}/clear")
    assert rv.status_code == 303
    cleared = VerificationStore(store_of(app)).get(denial)
    assert cleared is not None and cleared.cleared_at is not None
    page = text_of(adm.get(rv.headers["Location"]))
    assert "is cleared: it no longer blocks the account" in page
    assert "Clear denial" not in page
    [row] = AuditLog(store_of(app)).entries(action="verification.clear")
    assert row.actor == cleared.cleared_by and not row.actor.startswith("service key")
    # twice: said, nothing changed
    again = post(adm, f"/admin/verifications/{denial}/clear")
    assert "cleared already" in text_of(adm.get(again.headers["Location"]))
    assert post(adm, "/admin/verifications/999/clear").status_code == 404


def test_an_account_is_approved_by_someone_other_than_who_asked(app: Flask) -> None:
    record(app, FIN1, "confirmed")
    record(app, FIN2, "confirmed")
    approval = request_approval(app, FIN1)
    fin = signed_in(app, "finance")
    page = text_of(fin.get("/admin/approvals"))
    assert "DE89 **** 3000 for Acme Supplies" in page
    assert "Fran Finance" in page and "Gil Ledger" in page  # who asked, who verified
    assert "An administrator (the approve permission) decides it" in page
    assert "Approve" not in page.replace("approve permission", "")
    assert post(fin, f"/admin/approvals/{approval}/approve").status_code == 403

    adm = signed_in(app, "admin")
    rv = post(adm, f"/admin/approvals/{approval}/approve")
    assert rv.status_code == 303
    assert "is on file for Acme Supplies now" in text_of(adm.get(rv.headers["Location"]))
    accounts = DirectoryStore(store_of(app)).partners()[0].bank_accounts
    assert "DE89370400440532013000" in accounts
    [row] = AuditLog(store_of(app)).entries(action="approval.approve")
    assert row.actor_subject not in ("fin-one", "") and not row.actor.startswith("service key")
    assert "approved" in text_of(adm.get("/admin/approvals?state=approved"))


def test_nobody_decides_their_own_request(app: Flask) -> None:
    adm = signed_in(app, "admin")
    me = _me(app, adm)
    record(app, FIN1, "confirmed")
    record(app, FIN2, "confirmed")
    approval = request_approval(app, me)
    page = text_of(adm.get("/admin/approvals"))
    assert "You asked for this: someone else must decide it" in page
    assert "Reject" not in page
    rv = post(adm, f"/admin/approvals/{approval}/approve")
    assert "someone other than its maker" in text_of(adm.get(rv.headers["Location"]))
    [pending] = VerificationStore(store_of(app)).approvals("pending")
    assert pending.id == approval


def _me(app: Flask, client: FlaskClient) -> Principal:
    """The principal the console signed ``client`` in as (read back from its session)."""
    from tests.console_app import principal_of_client

    return principal_of_client(client)


def test_a_rejected_request_stays_off_file(app: Flask) -> None:
    record(app, FIN1, "confirmed")
    record(app, FIN2, "confirmed")
    approval = request_approval(app, FIN1)
    adm = signed_in(app, "admin")
    rv = post(adm, f"/admin/approvals/{approval}/reject")
    assert "stays off file for Acme Supplies" in text_of(adm.get(rv.headers["Location"]))
    accounts = DirectoryStore(store_of(app)).partners()[0].bank_accounts
    assert "DE89370400440532013000" not in accounts
    assert AuditLog(store_of(app)).entries(action="approval.reject")
    assert post(adm, "/admin/approvals/999/approve").status_code == 404
    assert adm.get("/admin/approvals?state=later").status_code == 400


def test_a_request_whose_account_was_denied_since_says_so(app: Flask) -> None:
    record(app, FIN1, "confirmed")
    record(app, FIN2, "confirmed")
    request_approval(app, FIN1)
    record(app, FIN2, "denied")
    page = text_of(signed_in(app, "admin").get("/admin/approvals"))
    assert "Fran Finance" in page and "but a denial of it stands now" in page
