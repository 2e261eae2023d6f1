"""The console's finance pages in Chromium. Finance staff record their calls from the
add-in (here through the API with their tokens, as the add-in sends them) and see them on
the verifications page, and the pending approvals, without the buttons that are not
theirs (and the page says why); an administrator clears a mistaken denial and approves
an account someone else asked for, by keyboard; security staff and plain users get the
403 page. Each state is checked with axe-core and photographed at both widths
(test-artifacts/console/finance-*)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.console_kit import ConsoleService, check_page, console, sign_in, tab_to
from tests.e2e.test_console_triage import api

__all__ = ["console"]  # the fixture, found by pytest by its name here

VERIFIED = "GB82 WEST 1234 5698 7654 32"
DENIED = "NL91 ABNA 0417 1643 00"


def account_ref(console: ConsoleService, iban: str) -> tuple[str, str]:
    """The reference and masked form the add-in shows for ``iban`` in a message from
    Partner B (as finance reads it before calling the partner)."""
    result = api(
        console,
        "POST",
        "/analyze",
        "fin",
        {
            "headers": "From: Ben Ortiz <ben.ortiz@partnerb.example>\r\n"
            "To: ap@partnera.example\r\nSubject: Invoice 77\r\n"
            f"Message-ID: <inv77-{iban[:4]}@partnerb.example>\r\n",
            "from": {"name": "Ben Ortiz", "address": "ben.ortiz@partnerb.example"},
            "subject": "Invoice 77",
            "body": f"Please note that our bank details have changed. New IBAN: {iban}.",
        },
    )
    for f in result["findings"]:
        for e in f["evidence"]:
            if e.get("header") == "Account" and "ref" in e:
                return str(e["ref"]), str(e["value"]).split(":")[0]
    raise AssertionError(f"no account in {result['findings']}")


def call(console: ConsoleService, user: str, iban: str, outcome: str) -> dict[str, Any]:
    ref, masked = account_ref(console, iban)
    done: dict[str, Any] = api(
        console,
        "POST",
        "/verifications",
        user,
        {
            "organization": "Partner B",
            "contact": {"email": "ben.ortiz@partnerb.example"},
            "account_ref": ref,
            "account_masked": masked,
            "outcome": outcome,
            "note": f"{outcome} on a call to the number on file",
        },
    )
    return done


@pytest.fixture(scope="module")
def seeded(console: ConsoleService) -> Iterator[ConsoleService]:
    """fin and adm confirmed one new account (so it is verified) and fin asked for it to go
    on file; fin heard a denial of another."""
    call(console, "fin", VERIFIED, "confirmed")
    call(console, "adm", VERIFIED, "confirmed")
    ref, _masked = account_ref(console, VERIFIED)
    api(
        console,
        "POST",
        "/accounts/approvals",
        "fin",
        {"organization": "Partner B", "account_ref": ref, "account": VERIFIED},
    )
    call(console, "fin", DENIED, "denied")
    yield console


@pytest.mark.parametrize("user", ["ana", "sec"])
def test_plain_users_and_security_get_the_403_page(seeded: ConsoleService, user: str) -> None:
    page = seeded.new_page()
    sign_in(page, user)
    for path in ("/admin/verifications", "/admin/approvals"):
        response = page.goto(path)
        assert response is not None and response.status == 403, (user, path)
        assert "Not for your role" in page.inner_text("main")
        assert "Partner B" not in page.inner_text("main")
        assert page.locator("nav.nav").get_by_role("link", name="Verifications").count() == 0
    page.close()


def test_finance_sees_the_calls_and_requests_without_the_admin_buttons(
    seeded: ConsoleService,
) -> None:
    page = seeded.new_page()
    sign_in(page, "fin")
    page.goto("/admin/verifications")
    main = page.locator("main").inner_text()
    assert "Partner B" in main and "Finn Ledger" in main and "Ada Admin" in main
    assert "verified" in main and "blocked (denied)" in main
    assert page.locator("button:has-text('Clear denial')").count() == 0
    assert "an administrator can clear a mistaken denial" in main
    check_page(page, "finance-verifications-fin")

    page.goto("/admin/approvals")
    card = page.locator("li.card").first
    assert "Partner B" in card.inner_text() and "Finn Ledger" in card.inner_text()
    assert "An administrator (the approve permission) decides it" in card.inner_text()
    assert page.locator("button:has-text('Approve')").count() == 0
    check_page(page, "finance-approvals-fin")
    page.close()


def test_an_administrator_clears_a_denial_by_keyboard(seeded: ConsoleService) -> None:
    page = seeded.new_page()
    sign_in(page, "adm")
    page.goto("/admin/verifications?outcome=denied")
    check_page(page, "finance-verifications-adm")
    tab_to(page, "button:has-text('Clear denial')").press("Enter")
    page.wait_for_url("**/admin/verifications")
    assert "it no longer blocks the account" in page.locator(".notice").inner_text()
    assert page.locator("button:has-text('Clear denial')").count() == 0
    assert "cleared" in page.locator("main table").inner_text()
    check_page(page, "finance-verifications-cleared")
    page.close()


def test_an_administrator_approves_an_account_someone_else_asked_for(
    seeded: ConsoleService,
) -> None:
    page = seeded.new_page()
    sign_in(page, "adm")
    page.goto("/admin/approvals")
    card = page.locator("li.card", has_text="Partner B")
    assert "Asked by" in card.inner_text() and "Finn Ledger" in card.inner_text()
    assert "Ada Admin" in card.inner_text()  # among those who verified it
    check_page(page, "finance-approvals-adm")
    with page.expect_navigation():  # back to the same address: wait for the new page
        tab_to(page, "button[aria-label^='Approve']").press("Enter")
    page.wait_for_url("**/admin/approvals")
    assert "is on file for Partner B now" in page.locator(".notice").inner_text()
    assert page.locator("li.card").count() == 0  # no pending request left
    page.goto("/admin/approvals?state=approved")
    assert "approved by Ada Admin" in page.locator("main").inner_text()
    check_page(page, "finance-approvals-approved")
    directory = api(seeded, "GET", "/partners", "adm").decode()  # the directory's CSV
    assert any(
        line.startswith("Partner B,") and "GB82WEST12345698765432" in line.replace(" ", "")
        for line in directory.splitlines()
    ), directory
    page.close()
