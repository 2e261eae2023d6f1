"""Signing in to the admin console in Chromium: each of the four people through the real
flow (the console, the local identity provider, the callback), a first-run link, sign-out
by keyboard, and the 403 page for someone whose roles give no page. Screenshots of the
sign-in page and the 403 page at both widths, axe-core on each."""

from __future__ import annotations

from tests.e2e.console_kit import (
    ConsoleService,
    check_page,
    console,  # noqa: F401 - the fixture
    sign_in,
    tab_to,
)

PAGE_OF = {"fin": "/admin/partners", "sec": "/admin/", "adm": "/admin/"}


def test_the_sign_in_page(console: ConsoleService) -> None:  # noqa: F811
    page = console.new_page()
    page.goto("/admin/keys")
    assert "/admin/signin?next=" in page.url
    assert page.locator("h1").inner_text() == "Sign in to the Caveat console"
    assert page.locator("nav").count() == 0  # nothing of the console before sign-in
    check_page(page, "signin")
    # the start is a link, reachable by keyboard
    start = tab_to(page, "#signin-start")
    assert start.get_attribute("href", timeout=2000).startswith("/admin/signin/start")


def test_each_person_signs_in_and_lands_on_their_first_page(
    console: ConsoleService,  # noqa: F811
) -> None:
    for user, landing in PAGE_OF.items():
        page = console.new_page()
        sign_in(page, user)
        assert page.url == console.url + landing, (user, page.url)
        person = console.issuer.users[user]
        assert page.locator(".who-name").inner_text() == person.name
        nav = page.locator("nav[aria-label=Console] a")
        labels = nav.all_inner_texts()
        current = page.locator('nav[aria-label=Console] a[aria-current="page"]')
        assert current.count() == 1, user
        if user == "adm":
            assert {"Overview", "Partners", "Keys", "Audit", "Deployment"} <= set(labels)
        if user == "sec":
            assert "Keys" not in labels and "Deployment" not in labels and "Reports" in labels
        if user == "fin":
            assert "Keys" not in labels and "Reports" not in labels and "Partners" in labels
        cookie = [c for c in page.context.cookies() if c["name"] == "__Host-caveat-console"]
        assert cookie and cookie[0]["httpOnly"] and cookie[0]["secure"]
        assert cookie[0]["sameSite"] == "Lax" and cookie[0]["path"] == "/"


def test_someone_whose_roles_give_no_page_sees_the_403_page(
    console: ConsoleService,  # noqa: F811
) -> None:
    page = console.new_page()
    sign_in(page, "ana")
    assert page.url == console.url + "/admin/"
    assert page.locator("h1").inner_text() == "Not for your role"
    body = page.locator("main").inner_text()
    assert "no page of the console" in body
    for role in ("security", "finance", "admin"):
        assert role in body
    assert page.locator("nav[aria-label=Console]").count() == 0
    check_page(page, "signin-403-no-page")
    # a page for other roles, asked for directly: 403 too
    answer = page.goto("/admin/keys")
    assert answer is not None and answer.status == 403


def test_sign_out_by_keyboard(console: ConsoleService) -> None:  # noqa: F811
    page = console.new_page()
    sign_in(page, "sec")
    tab_to(page, ".signout button").press("Enter")
    page.wait_for_url("**/admin/signin?out=1")
    assert "You are signed out." in page.locator("main").inner_text()
    assert not [c for c in page.context.cookies() if c["name"] == "__Host-caveat-console"]
    page.goto("/admin/reports")
    assert "/admin/signin?next=" in page.url


def test_a_first_run_link_signs_in_an_administrator_once(
    console: ConsoleService,  # noqa: F811
) -> None:
    link = console.link()
    page = console.new_page()
    page.goto(link)
    assert page.locator("h1").inner_text() == "Sign in with a one-time link"
    check_page(page, "signin-link")
    tab_to(page, "#link-use").press("Enter")
    page.wait_for_url(console.url + "/admin/")
    assert page.locator(".who-name").inner_text() == "first-run link"
    assert "Keys" in page.locator("nav[aria-label=Console]").inner_text()
    # used: a second browser is refused
    other = console.new_page()
    other.goto(link)
    assert "Sign-in link not valid" in other.locator("h1").inner_text()
    check_page(other, "signin-link-used")


def test_the_sign_in_page_without_a_provider(console: ConsoleService) -> None:  # noqa: F811
    # The same page on a service with no identity provider: the way in is the CLI's link.
    from tests.e2e.console_kit import start_console

    folder = console.folder / "no-provider"
    folder.mkdir(exist_ok=True)
    bare, issuer = start_console(folder, console.browser, identity=False)
    try:
        page = bare.new_page()
        page.goto("/admin/signin")
        assert page.locator("#signin-start").count() == 0
        assert "caveat console link" in page.locator("main").inner_text()
        check_page(page, "signin-no-provider")
    finally:
        bare.close_contexts()
        bare.service.stop()
        issuer.__exit__(None, None, None)
