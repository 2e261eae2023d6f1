"""The console's partner directory in Chromium. Administrators search it, open a partner
and change it by keyboard (a refused domain shows why, a good one is added, a policy
saved), import a CSV with bad rows (the preview lists each with its line and stores
nothing until confirmed) and download the export (formula-leading cells inert). Finance
staff read the same pages with no control to change anything, and a change they send
anyway is refused; users and security staff get the 403 page and no Partners link. Each
state is checked with axe-core and photographed at both widths
(test-artifacts/console/partners-*)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.e2e.console_kit import ConsoleService, check_page, console, sign_in, tab_to

__all__ = ["console"]  # the fixture, found by pytest by its name here

HEADER = "organization,domain,contact_name,contact_email,contact_phone,bank_accounts,require_auth"
IMPORT = "\n".join(
    [
        HEADER,
        "Partner D,partnerd.example,Dora Lind,dora.lind@partnerd.example,+46 8 123 456,,dmarc",
        "Partner E,not a domain,,,,,",
        "Partner F,partnerf.example,,,,,md5",
        "Partner G,partnerg.example,Gus Holm,gus.holm@partnerg.example,,,",
    ]
)


@pytest.mark.parametrize("user", ["ana", "sec"])
def test_users_and_security_staff_do_not_see_the_directory(
    console: ConsoleService, user: str
) -> None:
    page = console.new_page()
    sign_in(page, user)
    nav = page.locator("nav.nav")
    if nav.count():
        assert not nav.get_by_role("link", name="Partners").count()
    response = page.goto("/admin/partners")
    assert response is not None and response.status == 403
    assert page.get_by_role("heading", name="Not for your role").is_visible()
    assert "Partner B" not in page.locator("main").inner_text()
    if user == "sec":
        check_page(page, "partners-403-sec")


def test_finance_reads_the_directory_with_nothing_to_change(console: ConsoleService) -> None:
    page = console.new_page()
    sign_in(page, "fin")
    page.locator("nav.nav").get_by_role("link", name="Partners").click()
    page.wait_for_url("**/admin/partners")
    main = page.locator("main")
    assert "Partner B" in main.inner_text() and "You can read it" in main.inner_text()
    assert not main.get_by_role("link", name="Import CSV…").count()
    assert not main.get_by_role("link", name="Export CSV").count()
    check_page(page, "partners-list-fin")

    main.get_by_role("link", name="Partner B").click()
    page.wait_for_url("**/admin/partners/view?org=Partner+B")
    assert "+49 30 1234567" in main.inner_text()
    assert "DE89370400440532013000" in main.inner_text()
    assert "Read only" in main.inner_text()
    assert main.locator("form").count() == 0 and main.locator("button").count() == 0
    check_page(page, "partners-view-fin")

    # a change sent anyway, with the session's own token, is refused
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    refused = page.request.post(
        "/admin/partners/domain/add",
        form={"csrf_token": token or "", "org": "Partner B", "domain": "partnerb.example.org"},
    )
    assert refused.status == 403
    assert page.request.get("/admin/partners/export").status == 403
    page.reload()
    assert "partnerb.example.org" not in main.inner_text()


def test_an_administrator_searches_and_edits_by_keyboard(console: ConsoleService) -> None:
    page = console.new_page()
    sign_in(page, "adm")
    page.goto("/admin/partners")
    check_page(page, "partners-list-adm")
    search = tab_to(page, "#q")
    search.fill("clara")
    page.keyboard.press("Enter")
    page.wait_for_url("**/admin/partners?q=clara")
    main = page.locator("main")
    assert "1 partner matching" in main.inner_text()
    assert "Partner B" not in main.inner_text()
    check_page(page, "partners-search")

    tab_to(page, "main a[href*='view?org=Partner+C']")
    page.keyboard.press("Enter")
    page.wait_for_url("**/admin/partners/view?org=Partner+C")
    assert page.get_by_role("heading", name="Partner C", level=1).is_visible()
    check_page(page, "partners-view-adm")

    # a domain the CSV would refuse: the reason, and what was typed, kept
    domain = tab_to(page, "#new-domain")
    domain.fill("not a domain")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    error = page.locator("#domain-error")
    assert error.is_visible() and "not a domain" in error.inner_text()
    assert page.locator("#new-domain").input_value() == "not a domain"
    check_page(page, "partners-edit-error")

    domain = tab_to(page, "#new-domain")
    domain.fill("partnerc.example.org")
    page.keyboard.press("Enter")
    page.wait_for_url("**/admin/partners/view?org=Partner+C")
    assert "Domain partnerc.example.org added." in page.locator(".notice").inner_text()
    assert "partnerc.example.org" in page.locator("#domains-h + ul").inner_text()
    check_page(page, "partners-edit-saved")

    # policies: "pay only accounts on file" by keyboard
    tab_to(page, "#pay-no")
    page.keyboard.press("ArrowUp")  # radios move with the arrow keys
    assert page.locator("#pay-yes").is_checked()
    tab_to(page, "button:has-text('Save policies')")
    with page.expect_navigation():  # back to the same address: wait for the new page
        page.keyboard.press("Enter")
    assert "Policies saved." in page.locator(".notice").inner_text()
    assert page.locator("#pay-yes").is_checked()


def test_an_import_is_previewed_with_each_bad_row_then_confirmed(console: ConsoleService) -> None:
    page = console.new_page()
    sign_in(page, "adm")
    page.goto("/admin/partners")
    tab_to(page, "main a:has-text('Import CSV')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/admin/partners/import")
    check_page(page, "partners-import")
    tab_to(page, "#text").fill(IMPORT)
    tab_to(page, "button:has-text('Preview')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    main = page.locator("main")
    assert "Nothing has been stored yet" in main.inner_text()
    rows = page.locator("#errors-h ~ .table-wrap tbody tr")
    assert rows.count() == 2
    assert rows.nth(0).locator("td").nth(0).inner_text() == "3"
    assert "domain" in rows.nth(0).locator("td").nth(1).inner_text()
    assert rows.nth(1).locator("td").nth(0).inner_text() == "4"
    assert "require_auth" in rows.nth(1).locator("td").nth(1).inner_text()
    assert "Partner D" in page.locator("#added-h + ul").inner_text()
    check_page(page, "partners-import-preview")

    # nothing stored yet
    other = console.new_page()
    sign_in(other, "adm")
    other.goto("/admin/partners?q=Partner+D")
    assert "No partner matches" in other.locator("main").inner_text()

    tab_to(page, "button:has-text('Confirm the import')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/admin/partners")
    assert "Imported: 2 new, 0 updated. 2 bad rows skipped." in page.locator(".notice").inner_text()
    check_page(page, "partners-import-done")
    other.goto("/admin/partners?q=Partner+D")
    assert "Partner D" in other.locator("main table").inner_text()


def test_the_export_downloads_with_formula_cells_inert(
    console: ConsoleService, tmp_path: Path
) -> None:
    page = console.new_page()
    sign_in(page, "adm")
    page.goto("/admin/partners")
    with page.expect_download() as caught:
        tab_to(page, "main a:has-text('Export CSV')")
        page.keyboard.press("Enter")
    download = caught.value
    assert download.suggested_filename == "partners.csv"
    target = tmp_path / "partners.csv"
    download.save_as(target)
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert rows[0][:7] == HEADER.split(",")
    cells = [c for row in rows[1:] for c in row]
    assert "'+49 30 1234567" in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]


def test_a_preview_confirmed_after_someone_changed_the_directory_is_shown_again(
    console: ConsoleService,
) -> None:
    page = console.new_page()
    sign_in(page, "adm")
    page.goto("/admin/partners/import")
    tab_to(page, "#text").fill(HEADER + "\nPartner H,partnerh.example,,,,,\n")
    with page.expect_navigation():
        tab_to(page, "button:has-text('Preview')").press("Enter")
    assert "Partner H" in page.locator("#added-h + ul").inner_text()
    # meanwhile another administrator changes the directory
    other = console.new_page()
    sign_in(other, "adm")
    other.goto("/admin/partners/view?org=Partner+B")
    tab_to(other, "#new-account").fill("GB82 WEST 1234 5698 7654 32")
    with other.expect_navigation():
        other.keyboard.press("Enter")
    assert "Bank account added." in other.locator(".notice").inner_text()

    with page.expect_navigation() as nav:
        tab_to(page, "button:has-text('Confirm the import')").press("Enter")
    response = nav.value
    assert response is not None and response.status == 409
    assert "The directory changed since your preview" in page.locator(".notice").inner_text()
    check_page(page, "partners-import-stale")
    other.goto("/admin/partners?q=Partner+H")
    assert "No partner matches" in other.locator("main").inner_text()
    with page.expect_navigation():
        tab_to(page, "button:has-text('Confirm the import')").press("Enter")
    assert "Imported: 1 new" in page.locator(".notice").inner_text()


def test_an_administrator_edits_a_contact_and_removes_a_partner(console: ConsoleService) -> None:
    page = console.new_page()
    sign_in(page, "adm")
    page.goto("/admin/partners/view?org=Partner+C")
    with page.expect_navigation():
        tab_to(page, "a[aria-label='Edit the contact dan.weiss@partnerc.example']").press("Enter")
    assert page.get_by_role("heading", name="Edit contact").is_visible()
    check_page(page, "partners-contact")
    tab_to(page, "#email").fill("dan.weiss@@partnerc.example")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "contact_email" in page.locator("#form-error").inner_text()
    assert page.locator("#email").input_value() == "dan.weiss@@partnerc.example"
    check_page(page, "partners-contact-error")
    tab_to(page, "#email").fill("dan.weiss@partnerc.example")
    tab_to(page, "#phone").fill("+43 1 2345670")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Contact saved." in page.locator(".notice").inner_text()
    assert "+43 1 2345670" in page.locator("main table").inner_text()

    with page.expect_navigation():
        tab_to(page, "a:has-text('Remove this partner')").press("Enter")
    check_page(page, "partners-delete")
    with page.expect_navigation():
        tab_to(page, "button:has-text('Remove the partner')").press("Enter")
    assert "Partner C removed from the directory." in page.locator(".notice").inner_text()
    assert "Partner C" not in page.locator("main table").inner_text()
