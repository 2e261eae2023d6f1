"""The console's service keys and audit log in Chromium: administrators make a key by
keyboard, copy it with the copy button (the clipboard holds the key the API then accepts),
find it nowhere once they leave the page, and revoke it after confirming (the API refuses
it at once); they filter the audit log and export it, a formula-leading cell inert.
Security and finance staff (and plain users) get the 403 page for both and see neither in
the navigation. Each state is checked with axe-core and photographed at both widths
(test-artifacts/console/keys-*, audit-*)."""

from __future__ import annotations

import csv
import io
import re
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from caveat.storage.audit import Actor, AuditLog
from caveat.storage.store import Store
from tests.e2e.console_kit import ConsoleService, check_page, console, sign_in, tab_to

__all__ = ["console"]  # the fixture, found by pytest by its name here

KEY = re.compile(r"cav_[A-Za-z0-9_-]{20,}")


def api_status(console: ConsoleService, path: str, key: str) -> int:
    request = urllib.request.Request(  # noqa: S310 - loopback
        f"{console.url}/api/v1{path}", headers={"Authorization": f"Bearer {key}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as r:  # noqa: S310 - loopback
            return int(r.status)
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.parametrize("user", ["ana", "fin", "sec"])
def test_only_administrators_see_keys_and_the_audit_log(console: ConsoleService, user: str) -> None:
    page = console.new_page()
    sign_in(page, user)
    nav = page.locator("nav.nav")
    if nav.count():
        assert not nav.get_by_role("link", name="Keys").count()
        assert not nav.get_by_role("link", name="Audit").count()
    for path, name in (("/admin/keys", "keys"), ("/admin/audit", "audit")):
        response = page.goto(path)
        assert response is not None and response.status == 403, path
        assert page.get_by_role("heading", name="Not for your role").is_visible()
        assert "admin" in page.locator("main").inner_text()
        if user != "ana":
            check_page(page, f"{name}-403-{user}")
    response = page.goto("/admin/keys/new")
    assert response is not None and response.status == 403


def test_an_administrator_makes_copies_and_revokes_a_key_by_keyboard(
    console: ConsoleService,
) -> None:
    page = console.new_page()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=console.url)
    sign_in(page, "adm")
    page.goto("/admin/keys")
    assert page.get_by_role("heading", name="Service keys").is_visible()
    check_page(page, "keys-list")

    tab_to(page, "a[href='/admin/keys/new']").press("Enter")
    page.wait_for_url("**/admin/keys/new")
    check_page(page, "keys-new")
    tab_to(page, "#name").type("siem-export")
    tab_to(page, "input[name=scope][value=audit]").press("Space")
    tab_to(page, "input[name=scope][value='reports.read']").press("Space")
    tab_to(page, "#expires-365").press("ArrowUp")  # after 90 days
    assert page.locator("#expires-90").is_checked()
    tab_to(page, "form.stack button.primary").press("Enter")
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Service key made").is_visible()
    key = page.locator("#new-key").input_value()
    assert KEY.fullmatch(key)
    check_page(page, "keys-made")

    tab_to(page, "button.copy").press("Enter")
    page.wait_for_function(
        "() => document.getElementById('copy-status').textContent.includes('Copied')"
    )
    assert page.evaluate("() => navigator.clipboard.readText()") == key
    assert api_status(console, "/audit", key) == 200  # the copied key works, for its scopes
    assert api_status(console, "/partners", key) == 403

    tab_to(page, "main a[href='/admin/keys']").press("Enter")
    page.wait_for_url("**/admin/keys")
    assert key not in page.content()  # shown once: never again
    row = page.locator("tr", has_text="siem-export")
    assert row.locator("code", has_text=key[:8]).count() == 1
    revoke = row.get_by_role("link", name=re.compile("Revoke the key siem-export"))
    href = revoke.get_attribute("href")
    assert href and href.endswith("/revoke")
    tab_to(page, f"a[href='{href}']").press("Enter")
    page.wait_for_url(f"**{href}")
    assert "cannot be undone" in page.locator("main").inner_text()
    check_page(page, "keys-revoke")
    tab_to(page, "button.danger").press("Enter")
    page.wait_for_url("**/admin/keys")
    assert "Revoked the key siem-export" in page.locator(".notice").inner_text()
    assert page.locator("tr", has_text="siem-export").locator(".badge").inner_text() == "revoked"
    check_page(page, "keys-revoked")
    assert api_status(console, "/audit", key) == 401  # refused at once


def test_an_administrator_filters_the_audit_log_and_exports_it(
    console: ConsoleService,
) -> None:
    store = Store.from_url(console.db)
    try:
        with store.session() as s:
            AuditLog.append(
                s, Actor("oid-mallory", "=1+2"), "partner.update", '=HYPERLINK("http://x.example")',
                after={"note": "@SUM(A1)"},
            )  # fmt: skip
    finally:
        store.dispose()
    page = console.new_page()
    sign_in(page, "adm")
    page.goto("/admin/audit")
    assert page.get_by_role("heading", name="Audit log").is_visible()
    check_page(page, "audit-list")

    tab_to(page, "#action").type("partner.update")
    page.keyboard.press("Enter")
    page.wait_for_url("**/admin/audit?*action=partner.update*")
    rows = page.locator("table.audit tbody tr")
    assert rows.count() >= 1
    assert '=HYPERLINK("http://x.example")' in rows.first.inner_text()
    tab_to(page, "table.audit details summary").press("Enter")
    assert "@SUM(A1)" in rows.first.locator("pre").inner_text()
    check_page(page, "audit-filtered")

    with page.expect_download() as download_info:
        tab_to(page, "a[href^='/admin/audit/export']").press("Enter")
    download = download_info.value
    assert download.suggested_filename == "caveat-audit.csv"
    text = Path(download.path()).read_text(encoding="utf-8")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][:6] == ["id", "at", "actor_subject", "actor", "action", "target"]
    assert {row[4] for row in table[1:]} == {"partner.update"}  # the filter applies
    hostile = [row for row in table[1:] if row[2] == "oid-mallory"]
    assert hostile and hostile[0][3] == "'=1+2"
    assert hostile[0][5] == '\'=HYPERLINK("http://x.example")'
