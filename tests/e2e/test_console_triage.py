"""The console's triage pages in Chromium: security and administrators see the reports
queue and the indicators, finance staff and plain users get the 403 page; security
confirms a report by keyboard, leaving a part out; adds an indicator and expires it by
keyboard; a bad indicators file is refused with its lines named. Each state is checked
with axe-core and photographed at both widths (test-artifacts/console/triage-*)."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.console_kit import ConsoleService, check_page, console, sign_in, tab_to

__all__ = ["console"]  # the fixture, found by pytest by its name here


def api(console: ConsoleService, method: str, path: str, user: str, body: Any = None) -> Any:
    """The service's API, as the add-in calls it with ``user``'s token."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 - loopback
        f"{console.url}/api/v1{path}",
        data=data,
        method=method,
        headers={
            "Authorization": f"Bearer {console.issuer.mint(user=user)}",
            "Content-Type": "application/json",
        },
    )
    with urllib.request.urlopen(request, timeout=15) as r:  # noqa: S310 - loopback
        body = r.read()
        return json.loads(body) if r.headers.get_content_type() == "application/json" else body


def report(console: ConsoleService, n: int) -> int:
    """ana reports a message from the add-in (what the analysis showed her with it)."""
    done = api(
        console,
        "POST",
        "/reports",
        "ana",
        {
            "from": {"name": "Accounts", "address": f"accounts{n}@partnerb-payments.example"},
            "internet_message_id": f"<invoice-{n}@partnerb-payments.example>",
            "level": "danger",
            "finding_ids": ["REPLYTO_FREEMAIL", "BANK_DETAILS_NEW"],
            "indicators": {
                "reply_to": [f"payments{n}@freemail-example.com"],
                "phones": ["+44 20 7946 0958"],
            },
        },
    )
    return int(done["id"])


@pytest.mark.parametrize("user", ["ana", "fin", "sec", "adm"])
def test_who_sees_the_reports_and_indicators(console: ConsoleService, user: str) -> None:
    rid = report(console, {"ana": 101, "fin": 102, "sec": 103, "adm": 104}[user])
    page = console.new_page()
    sign_in(page, user)
    allowed = user in ("sec", "adm")
    for path in ("/admin/reports", f"/admin/reports/{rid}", "/admin/indicators"):
        response = page.goto(path)
        assert response is not None
        assert response.status == (200 if allowed else 403), (user, path)
        nav = page.locator("nav.nav")
        if allowed:
            assert nav.get_by_role("link", name="Reports").count() == 1
            assert nav.get_by_role("link", name="Indicators").count() == 1
        else:
            assert "Not for your role" in page.inner_text("main")
            assert "security" in page.inner_text("main")
            assert "accounts" not in page.inner_text("main")
    if not allowed:
        check_page(page, f"triage-403-{user}")
    page.close()


def test_security_confirms_a_report_by_keyboard(console: ConsoleService) -> None:
    rid = report(console, 1)
    page = console.new_page()
    sign_in(page, "sec")
    page.goto("/admin/reports")
    check_page(page, "triage-reports-open")
    page.get_by_role("link", name=f"Report {rid}", exact=True).click()
    main = page.locator("main")
    assert "accounts1@partnerb-payments.example" in main.inner_text()
    assert "ana@example.org" in main.inner_text()
    assert "REPLYTO_FREEMAIL" in main.inner_text()
    check_page(page, "triage-report-open")

    # leave the phone number out (untick it with the space bar), confirm with Enter
    tab_to(page, "#keep-phones").press("Space")
    assert not page.is_checked("#keep-phones")
    with page.expect_navigation():  # back to the same address: wait for the new page
        tab_to(page, "button:has-text('Confirm as fraud')").press("Enter")
    page.wait_for_url(f"**/admin/reports/{rid}")
    notice = page.locator(".notice")
    assert "confirmed as fraud: 2 indicators added" in notice.inner_text()
    assert page.locator("button:has-text('Confirm as fraud')").count() == 0
    check_page(page, "triage-report-confirmed")

    page.goto("/admin/indicators?source=report")
    listed = page.locator("main table").inner_text()
    assert "accounts1@partnerb-payments.example" in listed and "payments1@freemail" in listed
    assert "+44 20 7946 0958" not in listed and "+442079460958" not in listed
    page.close()


def test_security_dismisses_a_report_with_a_note(console: ConsoleService) -> None:
    rid = report(console, 2)
    page = console.new_page()
    sign_in(page, "sec")
    page.goto(f"/admin/reports/{rid}")
    tab_to(page, "#note")
    page.keyboard.type("A real invoice: the partner's new payments desk.")
    tab_to(page, "button:has-text('Dismiss')").press("Enter")
    page.wait_for_url("**/admin/reports")
    assert f"Report {rid} dismissed" in page.locator(".notice").inner_text()
    page.goto("/admin/reports?state=dismissed")
    assert "accounts2@partnerb-payments.example" in page.locator("main").inner_text()
    page.close()


def test_security_adds_and_expires_an_indicator_by_keyboard(console: ConsoleService) -> None:
    page = console.new_page()
    sign_in(page, "sec")
    page.goto("/admin/indicators")
    check_page(page, "triage-indicators")
    tab_to(page, "#a-kind").select_option("domain")
    tab_to(page, "#a-value")
    page.keyboard.type("invoices-partnerb.example")
    tab_to(page, "#a-note")
    page.keyboard.type("ISAC bulletin 7")
    with page.expect_navigation():  # back to the same address: wait for the new page
        page.keyboard.press("Enter")
    page.wait_for_url("**/admin/indicators")
    notice = page.locator(".notice").inner_text()
    assert "added: domain invoices-partnerb.example" in notice
    row = page.locator("tr", has_text="invoices-partnerb.example")
    assert "active" in row.inner_text()
    indicator_id = row.locator("td").first.inner_text().strip()
    with page.expect_navigation():  # back to the same address: wait for the new page
        tab_to(page, f"button[aria-label='Expire indicator {indicator_id}']").press("Enter")
    page.wait_for_url("**/admin/indicators")
    assert "no longer counts" in page.locator(".notice").inner_text()
    assert page.locator("tr", has_text="invoices-partnerb.example").count() == 0
    page.goto("/admin/indicators?state=removed")
    assert "Sam Shield" in page.locator("tr", has_text="invoices-partnerb.example").inner_text()
    check_page(page, "triage-indicators-removed")
    page.close()


def test_a_bad_indicators_file_is_refused_with_its_lines(
    console: ConsoleService, tmp_path: Path
) -> None:
    feed = tmp_path / "feed.csv"
    feed.write_text(
        "kind,value,note\ndomain,bad-feed-one.example,\nbitcoin,1BoatSLRHtKNngkdXEeobR76b53LETtpyT,\n"
    )
    page = console.new_page()
    sign_in(page, "sec")
    page.goto("/admin/indicators")
    page.set_input_files("#i-file", str(feed))
    page.click("button:has-text('Import')")
    alert = page.get_by_role("alert")
    assert "nothing of it was imported" in alert.inner_text()
    assert "Line 3: unknown kind 'bitcoin'" in alert.inner_text()
    check_page(page, "triage-indicators-refused")
    page.goto("/admin/indicators?state=all")
    assert "bad-feed-one.example" not in page.locator("main").inner_text()
    page.close()
