"""The admin console in a real browser: the service (``caveat serve``, gunicorn and the
front) with the local identity provider, Chromium through Playwright, axe-core.

A test module::

    from tests.e2e.console_kit import ConsoleService, check_page, console, sign_in, tab_to

    def test_partners_by_role(console: ConsoleService) -> None:
        page = console.new_page()
        sign_in(page, "adm")                       # through the real OIDC flow
        page.goto(console.url + "/admin/partners")
        check_page(page, "partners-list")          # axe, screenshots, no sideways scroll
        tab_to(page, "#search").fill("Partner A")  # reach a control by keyboard

- ``console`` (module-scoped fixture): the running service, its :class:`LocalIssuer`
  (``console.issuer``; the console's callback is registered; ``interactive`` off, so
  ``/authorize`` signs in at once) and the seed partner directory
  (tests/fixtures/directory/seed-partners.csv) loaded. ``console.url`` is its base
  (``http://127.0.0.1:<port>``), ``console.db`` its database URL, ``console.key`` an
  admin service key, ``console.link()`` a fresh first-run link (through the CLI).
  ``console.new_page()`` opens a page in a fresh browser context (no cookies) at
  1280x800; every page records the CSP violations it meets (``check_page`` fails on one).
- ``sign_in(page, user)``: ``ana`` (user), ``fin`` (finance), ``sec`` (security), ``adm``
  (admin), from the sign-in page through the issuer back to the console.
- ``check_page(page, name)``: no serious or critical axe-core violation, no CSP
  violation, screenshots ``<name>-wide.png`` (1280x800) and ``<name>-narrow.png``
  (390x844) in ``test-artifacts/console/`` (or ``$CAVEAT_TEST_ARTIFACTS/console``), and no
  horizontal overflow at the narrow width. Look at the screenshots.
- ``tab_to(page, selector)``: press Tab until the element matching ``selector`` has the
  focus (fails after ``limit`` presses); returns its locator.

Import the fixture into the test module (``from tests.e2e.console_kit import console``):
pytest finds fixtures by name in the module's namespace.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from caveat.cli import main as caveat_main
from tests.e2e.conftest import FIXTURES, ROOT
from tests.identity_issuer import LocalIssuer
from tests.live_service import Service, clean_env, migrated_key, serve

WIDE = {"width": 1280, "height": 800}
NARROW = {"width": 390, "height": 844}
#: axe-core impacts that fail a page
FAILING_IMPACTS = ("serious", "critical")
USERS = ("ana", "fin", "sec", "adm")


def artifacts_folder() -> Path:
    base = Path(os.environ.get("CAVEAT_TEST_ARTIFACTS", ROOT / "test-artifacts"))
    folder = base / "console"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass
class ConsoleService:
    """The console under test (see the module)."""

    service: Service
    issuer: LocalIssuer
    browser: Any
    db: str
    folder: Path
    contexts: list[Any] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.service.url

    @property
    def key(self) -> str:
        return self.service.key

    def new_page(self, viewport: dict[str, int] | None = None) -> Any:
        """A page in a fresh context (no cookies), recording CSP violations."""
        context = self.browser.new_context(viewport=viewport or WIDE, base_url=self.url)
        self.contexts.append(context)
        page = context.new_page()
        page.csp_violations = []  # type: ignore[attr-defined]
        page.console_issuer = self.issuer  # type: ignore[attr-defined]

        def on_console(message: Any) -> None:
            if "Content Security Policy" in message.text:
                page.csp_violations.append(message.text)

        page.on("console", on_console)
        return page

    def link(self, minutes: int = 15) -> str:
        """A fresh one-time sign-in link, made as an operator would (caveat console link)."""
        out = io.StringIO()
        with redirect_stdout(out):
            code = caveat_main(
                ["console", "link", "--db", self.db, "--url", self.url, "--minutes", str(minutes)]
            )
        assert code == 0, out.getvalue()
        for line in out.getvalue().splitlines():
            if "/admin/link/" in line:
                return line.strip()
        raise AssertionError(f"no link in: {out.getvalue()!r}")

    def close_contexts(self) -> None:
        for context in self.contexts:
            with contextlib.suppress(Exception):  # already closed with its browser
                context.close()
        self.contexts.clear()


def start_console(
    folder: Path, browser: Any, *, identity: bool = True, **settings: str
) -> tuple[ConsoleService, Any]:
    """The service with the issuer's settings (none with ``identity=False``) and
    ``settings`` (CAVEAT_ names), the seed directory loaded; returns it and the issuer (to
    ``__exit__`` when done)."""
    issuer = LocalIssuer()
    issuer.__enter__()
    instance = folder / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    db = f"sqlite:///{instance / 'caveat.db'}"
    key = migrated_key(db, "e2e-admin")
    csv = FIXTURES / "directory" / "seed-partners.csv"
    assert caveat_main(["partners", "import", "--db", db, str(csv)]) == 0
    extra = {**(issuer.environ() if identity else {}), **settings}
    env = clean_env(
        instance,
        CAVEAT_INTERNAL_DOMAINS="partnera.example",
        CAVEAT_TRUST_MICROSOFT="true",
        **extra,
    )
    try:
        service = serve(folder, db, key, env)
    except Exception:
        issuer.__exit__(None, None, None)
        raise
    issuer.redirect_uris.add(f"{service.url}/admin/signin/callback")
    return ConsoleService(service, issuer, browser, db, folder), issuer


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[ConsoleService]:
    found, issuer = start_console(tmp_path_factory.mktemp("console"), browser)
    try:
        yield found
    finally:
        found.close_contexts()
        found.service.stop()
        issuer.__exit__(None, None, None)


# ----------------------------------------------------------------- helpers


def sign_in(page: Any, user: str) -> None:
    """Sign ``user`` in on ``page`` through the real flow: the console's sign-in page, the
    issuer's /authorize (which signs ``user`` in at once), the callback. Ends on the page
    the console sends them to (their first page, or the 403 page for ``ana``)."""
    if user not in USERS:
        raise ValueError(f"no user {user!r} (known: {', '.join(USERS)})")
    issuer: LocalIssuer | None = getattr(page, "console_issuer", None)
    if issuer is None:
        raise AssertionError("sign_in needs a page from console.new_page()")
    issuer.login_as(user)
    page.goto("/admin/signin")
    page.click("#signin-start")
    page.wait_for_url(lambda url: "/admin/" in url and "/admin/signin" not in url, timeout=15000)
    page.wait_for_load_state()


def check_page(page: Any, name: str) -> None:
    """axe-core (no serious or critical violations), no CSP violation, screenshots at
    1280x800 and 390x844, and no horizontal overflow at the narrow width."""
    from axe_playwright_python.sync_playwright import Axe

    folder = artifacts_folder()
    before = page.viewport_size or WIDE
    page.set_viewport_size(WIDE)
    results = Axe().run(page)
    bad = [v for v in results.response.get("violations", []) if v.get("impact") in FAILING_IMPACTS]
    page.screenshot(path=str(folder / f"{name}-wide.png"), full_page=True)
    page.set_viewport_size(NARROW)
    narrow = Axe().run(page)
    bad += [v for v in narrow.response.get("violations", []) if v.get("impact") in FAILING_IMPACTS]
    page.screenshot(path=str(folder / f"{name}-narrow.png"), full_page=True)
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    page.set_viewport_size(before)
    problems = []
    for v in bad:
        targets = ", ".join(str(n.get("target")) for n in v.get("nodes", [])[:5])
        problems.append(f"axe {v.get('impact')} {v.get('id')}: {v.get('help')} at {targets}")
    if overflow > 0:
        problems.append(f"the page scrolls sideways by {overflow}px at 390px wide")
    csp = list(getattr(page, "csp_violations", []))
    problems += [f"CSP: {text}" for text in csp]
    assert not problems, f"{name}:\n  " + "\n  ".join(problems)


def tab_to(page: Any, selector: str, limit: int = 80) -> Any:
    """Press Tab until ``selector`` has the focus; its locator."""
    target = page.locator(selector)
    target.first.wait_for(state="visible")
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.first.evaluate("el => el === document.activeElement"):
            return target.first
    raise AssertionError(f"{selector} not reached by {limit} presses of Tab")
