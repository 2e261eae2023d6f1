"""Who may open which console page, written out once for the whole console.

Each page module tests its own page in depth; this table is the contract of docs/console.md
in one place, checked against every role and every combination the organisation can give
(a person holds the union of their roles). A page that changes its gate, or a new page that
is not in the table, fails here.
"""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import pytest
from flask import Flask

from tests.console_app import console_app, csrf, signed_in

#: page -> the roles that open it (admin opens everything).
PAGES: dict[str, frozenset[str]] = {
    "/admin/": frozenset({"security", "admin"}),
    "/admin/partners": frozenset({"finance", "admin"}),
    "/admin/reports": frozenset({"security", "admin"}),
    "/admin/indicators": frozenset({"security", "admin"}),
    "/admin/verifications": frozenset({"finance", "admin"}),
    "/admin/approvals": frozenset({"finance", "admin"}),
    "/admin/deployment": frozenset({"admin"}),
    "/admin/deployment/headers": frozenset({"admin"}),
    "/admin/keys": frozenset({"admin"}),
    "/admin/keys/new": frozenset({"admin"}),
    "/admin/audit": frozenset({"admin"}),
    "/admin/partners/import": frozenset({"admin"}),
    "/admin/partners/export": frozenset({"admin"}),
    "/admin/audit/export": frozenset({"admin"}),
    "/admin/deployment/outlook-manifest.xml": frozenset({"admin"}),
    "/admin/deployment/thunderbird.xpi": frozenset({"admin"}),
}

#: pages that name what they show in their query (?org=...): tested by their own module
WITH_QUERY = {"/admin/partners/view", "/admin/partners/contact", "/admin/partners/delete"}

ROLE_SETS = [
    frozenset(c) for n in range(0, 4) for c in combinations(("finance", "security", "admin"), n)
]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return console_app(Path(tmp_path_factory.mktemp("console-roles")))


def test_every_console_page_without_parameters_is_in_the_table(app: Flask) -> None:
    """A GET page with no parameters that is not in the table is a page nobody decided
    the audience of."""
    public = {"/admin/signin", "/admin/signin/start", "/admin/signin/callback"}
    pages = {
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/admin")
        and "GET" in (rule.methods or ())
        and not rule.arguments
        and rule.rule not in public | WITH_QUERY
    }
    assert pages - set(PAGES) == set()


@pytest.mark.parametrize("roles", ROLE_SETS, ids=lambda r: "+".join(sorted(r)) or "user")
def test_each_role_set_opens_exactly_its_pages(app: Flask, roles: frozenset[str]) -> None:
    client = signed_in(app, *roles)
    for path, allowed in PAGES.items():
        answer = client.get(path)
        if roles & allowed:
            # 409: the manifest needs sign-in configured first, and says so (its own tests)
            assert answer.status_code in (200, 409), (path, sorted(roles), answer.status_code)
        elif path == "/admin/" and roles:
            # the overview sends someone who may not see it to the first page they may see
            assert answer.status_code in (303, 403), (path, sorted(roles))
        else:
            assert answer.status_code == 403, (path, sorted(roles), answer.status_code)
            assert b"403" in answer.data or b"permission" in answer.data.lower()


@pytest.mark.parametrize("roles", ROLE_SETS[1:], ids=lambda r: "+".join(sorted(r)))
def test_the_navigation_lists_exactly_the_pages_a_person_opens(
    app: Flask, roles: frozenset[str]
) -> None:
    client = signed_in(app, *roles)
    first = next(p for p, allowed in PAGES.items() if roles & allowed)
    nav = client.get(first).data.decode().split('aria-label="Console"', 1)[1].split("</nav>")[0]
    for path in (
        "/admin/partners",
        "/admin/reports",
        "/admin/verifications",
        "/admin/keys",
        "/admin/audit",
        "/admin/deployment",
    ):
        assert (f'href="{path}"' in nav) == bool(roles & PAGES[path]), (path, sorted(roles))


def test_a_read_only_holder_cannot_post_what_an_admin_may(app: Flask) -> None:
    """Finance reads partners, security reads nothing of keys: their POSTs are refused
    even with a good CSRF token (the gate is on the action, not only on the page)."""
    finance = signed_in(app, "finance")
    token = csrf(finance)
    refused = finance.post(
        "/admin/partners/import", data={"csrf_token": token, "csv": "organization,domain\n"}
    )
    assert refused.status_code == 403
    security = signed_in(app, "security")
    refused = security.post(
        "/admin/keys/new", data={"csrf_token": csrf(security), "name": "x", "scopes": "analyze"}
    )
    assert refused.status_code == 403
