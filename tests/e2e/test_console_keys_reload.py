"""In Chromium: reloading the page that shows a new key sends its form again; that makes no
second key, and the page says so (with the form, filled in, to make another)."""

from __future__ import annotations

import re

from caveat.storage.store import Store
from tests.e2e.console_kit import ConsoleService, check_page, console, sign_in, tab_to

__all__ = ["console"]  # the fixture, found by pytest by its name here

KEY = re.compile(r"cav_[A-Za-z0-9_-]{20,}")


def keys_named(console: ConsoleService, name: str) -> int:
    store = Store.from_url(console.db)
    try:
        return sum(1 for r in store.list_keys() if r.name == name)
    finally:
        store.dispose()


def test_reloading_the_new_keys_page_makes_no_second_key(console: ConsoleService) -> None:
    page = console.new_page()
    sign_in(page, "adm")
    page.goto("/admin/keys/new")
    tab_to(page, "#name").type("reloaded-export")
    tab_to(page, "input[name=scope][value=audit]").press("Space")
    tab_to(page, "form.stack button.primary").press("Enter")
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Service key made").is_visible()
    assert keys_named(console, "reloaded-export") == 1

    response = page.reload()  # the browser sends the POST again
    assert response is not None and response.request.method == "POST"
    assert response.status == 409
    text = page.locator("main").inner_text()
    assert "This form was already used; the key was made then and is not shown again." in text
    assert "reloaded-export" in text
    assert not KEY.search(page.content())
    assert keys_named(console, "reloaded-export") == 1
    assert page.locator("#name").input_value() == "reloaded-export"
    check_page(page, "keys-new-resent")
