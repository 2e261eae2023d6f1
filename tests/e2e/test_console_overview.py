"""The console's overview in Chromium: security staff and administrators see it, finance
and plain users do not; warnings sent through the API show in the charts (drawn: a canvas
each) and in the numbers under them, which equal the charts' data; the period is chosen and
the numbers opened by keyboard; axe-core and both widths on every state."""

from __future__ import annotations

import json
import re
import urllib.request
from email import policy
from email.parser import BytesParser
from typing import Any

from tests.e2e.conftest import FIXTURES
from tests.e2e.console_kit import ConsoleService, check_page, console, sign_in, tab_to

__all__ = ["console"]  # the module-scoped fixture, found by name

WARNED = (
    "02-fake-reply-via-relay.eml",
    "03-compromised-server.eml",
    "04-compromised-account-partner-c.eml",
)


def payload(raw: bytes) -> dict[str, Any]:
    """What the add-in sends for a message: its header block and the client's own fields."""
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    head = raw.split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]

    def people(field: str) -> list[dict[str, str]]:
        header = msg.get(field)
        if header is None:
            return []
        return [{"name": a.display_name, "address": a.addr_spec} for a in header.addresses]

    body = msg.get_body(preferencelist=("plain",))
    out: dict[str, Any] = {
        "headers": head.decode("utf-8", "replace"),
        "to": people("to"),
        "cc": people("cc"),
        "subject": str(msg.get("subject", "")),
        "body": body.get_content()[:4000] if body is not None else "",
        "internet_message_id": str(msg.get("message-id", "")).strip(),
    }
    sender = people("from")
    if sender:
        out["from"] = sender[0]
    return out


def analyse(console: ConsoleService, name: str) -> str:
    data = json.dumps(payload((FIXTURES / "seed" / name).read_bytes())).encode()
    req = urllib.request.Request(  # noqa: S310 - the service on loopback
        f"{console.url}/api/v1/analyze",
        data=data,
        headers={"Authorization": f"Bearer {console.key}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=30) as r:  # noqa: S310 - loopback
        level: str = json.loads(r.read())["level"]
    return level


def chart_data(page: Any) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(page.locator("#overview-data").text_content())
    return found


def table_rows(page: Any, table_id: str) -> list[list[str]]:
    rows: list[list[str]] = page.eval_on_selector_all(
        f"#{table_id} tbody tr",
        "rows => rows.map(r => Array.from(r.cells).map(c => c.textContent.trim()))",
    )
    return rows


def test_plain_users_and_finance_do_not_see_the_overview(console: ConsoleService) -> None:
    page = console.new_page()
    sign_in(page, "ana")
    page.goto("/admin/")
    assert page.locator("h1", has_text="Overview").count() == 0
    assert "no page of the console" in page.content()
    check_page(page, "overview-ana-refused")

    page = console.new_page()
    sign_in(page, "fin")
    page.goto("/admin/")
    assert not page.url.rstrip("?").endswith("/admin/"), page.url  # sent to a page of theirs
    assert page.locator("h1", has_text="Overview").count() == 0
    assert page.locator('nav.nav a[href="/admin/"]').count() == 0


def test_security_sees_an_empty_overview(console: ConsoleService) -> None:
    page = console.new_page()
    sign_in(page, "sec")
    page.goto("/admin/")
    assert page.locator("h1").text_content() == "Overview"
    assert page.locator('nav.nav a[aria-current="page"]').text_content() == "Overview"
    assert page.locator("#figure-warnings").text_content() == "0"
    page.wait_for_selector('[data-chart="levels"] canvas')
    assert "No warnings in the last 30 days." in page.content()
    # security staff may read reports, not verify: counts without links
    assert page.locator('a[href="/admin/reports"]').count() >= 1
    assert page.locator('.cards a[href="/admin/verifications"]').count() == 0
    check_page(page, "overview-sec-empty")


def test_warnings_show_in_the_charts_and_the_numbers(console: ConsoleService) -> None:
    for name in WARNED:
        assert analyse(console, name) == "danger"
    assert analyse(console, WARNED[0]) == "danger"  # the same message again counts once

    page = console.new_page()
    sign_in(page, "adm")
    page.goto("/admin/")
    assert page.locator("#figure-warnings").text_content() == "3"
    # both charts drawn by the static script (a canvas each)
    for chart in ("levels", "families"):
        page.wait_for_selector(f'[data-chart="{chart}"][data-drawn="true"] canvas')
    data = chart_data(page)
    for chart in ("levels", "families"):  # the legend names every series shown
        labels = page.eval_on_selector_all(
            f'[data-chart="{chart}"] .u-legend .u-series',
            "els => els.filter(e => e.offsetParent !== null).map(e => e.textContent.trim())",
        )
        assert labels == [s["key"] for s in data[chart]["series"]], chart
    danger = next(s for s in data["levels"]["series"] if s["key"] == "danger")
    assert danger["values"][-1] == 3
    check_page(page, "overview-adm")

    # the numbers, opened by keyboard, are the charts' data day by day
    tab_to(page, "section[aria-labelledby=levels-title] summary").press("Enter")
    assert page.locator("#levels-table").is_visible()
    rows = table_rows(page, "levels-table")
    assert [r[0] for r in rows] == data["levels"]["days"]
    for i, s in enumerate(data["levels"]["series"]):
        assert [int(r[1 + i]) for r in rows] == s["values"]
    tab_to(page, "section[aria-labelledby=families-title] summary").press("Enter")
    rows = table_rows(page, "families-table")
    for i, s in enumerate(data["families"]["series"]):
        assert [int(r[1 + i]) for r in rows] == s["values"], s["key"]
    assert "bank_details_change" in [s["key"] for s in data["families"]["series"]]
    check_page(page, "overview-adm-numbers")

    # the top tens: the internal recipients of the three, and the partners they played
    recipients = table_rows(page, "recipients-table")
    assert recipients[0][:2] == ["anna.keller@partnera.example", "3"]
    partners = dict((r[0], int(r[1])) for r in table_rows(page, "partners-table"))
    assert partners["Partner B"] == 3 and partners["Partner C"] == 1

    # another period, by keyboard
    tab_to(page, 'nav.periods a[href="?days=7"]').press("Enter")
    page.wait_for_url(re.compile(r"days=7$"))
    page.wait_for_selector('[data-chart="levels"][data-drawn="true"] canvas')
    assert len(chart_data(page)["levels"]["days"]) == 7
    assert page.locator('nav.periods a[aria-current="page"]').text_content() == "Last 7 days"
    check_page(page, "overview-adm-7-days")
