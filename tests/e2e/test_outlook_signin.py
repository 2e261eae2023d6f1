"""The Outlook pane and the send-time guard with sign-in on, in headless Chromium: the
service is configured with the local identity provider (tests/identity_issuer.py), the
page gets the Office.js stand-in in office.js's place and the MSAL stand-in
(addin/outlook/test/msal-standin.js) in MSAL.js's place, which takes every token through a
real authorization code exchange with PKCE at that provider.

- Signed in to Outlook: the pane analyses the message with the person's token (no key in
  the page's URL), and a Report is recorded with that person as its reporter.
- The provider wants the person: the pane says "could not check: sign-in needed" with a
  Sign in button (screenshot at 360 pixels); its click opens the provider's window, and
  once signed in the message is checked.
- A token the service refuses, again after one silent renewal: sign-in needed.
- The guard: with a silent token the recipients are checked with it; without one, the send
  goes ahead with the notification that says sign-in is needed.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.identity_issuer import LocalIssuer

from .conftest import OFFICE_JS, STANDIN, Service, start_service
from .test_outlook_pane import COULD_NOT_CHECK, FAKE_REPLY, FIRST_SCREEN, WATCH, WIDTH

MSAL_STANDIN = STANDIN.parent / "msal-standin.js"
MSAL_JS = "**/addin/vendor/msal-browser.min.js"
REDIRECT_PATH = "/msal-standin-redirect"
SIGN_IN_NEEDED = "sign-in needed"


@pytest.fixture(scope="module")
def issuer() -> Iterator[LocalIssuer]:
    with LocalIssuer() as running:
        running.redirect_uris.add(f"{running.base}/keys")  # the stand-in's silent broker
        yield running


def _service(folder: Path, issuer: LocalIssuer, **overrides: str) -> Service:
    svc = start_service(folder, issuer.environ(**overrides))
    issuer.redirect_uris.add(svc.url + REDIRECT_PATH)
    return svc


@pytest.fixture(scope="module")
def signed_service(
    tmp_path_factory: pytest.TempPathFactory, issuer: LocalIssuer
) -> Iterator[Service]:
    svc = _service(tmp_path_factory.mktemp("signed"), issuer)
    yield svc
    svc.stop()


class SignedPane:
    """The task pane opened with no key, with both stand-ins, recording its API calls."""

    def __init__(self, browser: Any, service: Service, issuer: LocalIssuer, page: str) -> None:
        self.context = browser.new_context(viewport={"width": WIDTH, "height": FIRST_SCREEN})
        self.errors: list[str] = []
        self.api: list[tuple[str, str, int]] = []  # (path, Authorization, status)
        office = STANDIN.read_text("utf-8")
        msal = MSAL_STANDIN.read_text("utf-8")
        self.context.route(
            OFFICE_JS, lambda r: r.fulfill(status=200, content_type="text/javascript", body=office)
        )
        self.context.route(
            MSAL_JS, lambda r: r.fulfill(status=200, content_type="text/javascript", body=msal)
        )
        self.context.route(
            f"**{REDIRECT_PATH}*",
            lambda r: r.fulfill(status=200, content_type="text/html", body="<!doctype html>"),
        )
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("response", self._seen)
        self.page.add_init_script(WATCH)
        self.service = service
        self.issuer = issuer
        self.page_path = page

    def _seen(self, response: Any) -> None:
        if "/api/v1/" in response.url and response.request.method != "OPTIONS":
            path = response.url.split("/api/v1/", 1)[1].split("?", 1)[0]
            auth = response.request.headers.get("authorization", "")
            self.api.append((path, auth, response.status))

    def open(self, *, host_signed_in: bool = True) -> None:
        self.page.goto(f"{self.service.url}/addin/outlook/{self.page_path}")
        self.page.wait_for_function(
            "typeof Office !== 'undefined' && typeof msal !== 'undefined' && !!msal.__standin"
        )
        self.page.evaluate(
            "c => msal.__standin.configure(c)",
            {
                "silentRedirectUri": f"{self.issuer.base}/keys",
                "popupRedirectUri": self.service.url + REDIRECT_PATH,
                "hostSignedIn": host_signed_in,
            },
        )

    def start(self, item: dict[str, Any]) -> None:
        self.page.evaluate("item => Office.__standin.start(item)", item)

    def wait_level(self, *levels: str) -> str:
        self.page.wait_for_function(
            "levels => levels.includes(document.getElementById('caveat').dataset.level)",
            arg=list(levels),
            timeout=20000,
        )
        return str(self.page.get_attribute("#caveat", "data-level"))

    def msal_calls(self) -> list[dict[str, Any]]:
        return json.loads(self.page.evaluate("JSON.stringify(msal.__standin.calls)"))

    def office_calls(self) -> list[dict[str, Any]]:
        return json.loads(self.page.evaluate("JSON.stringify(Office.__standin.calls)"))

    def text(self, selector: str = "#caveat") -> str:
        return str(self.page.inner_text(selector))

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def signed_pane(
    browser: Any, signed_service: Service, issuer: LocalIssuer
) -> Iterator[SignedPane]:
    pane = SignedPane(browser, signed_service, issuer, "taskpane.html")
    yield pane
    pane.close()
    issuer.interactive = False
    issuer.login_as("ana")


def _reports(service: Service, issuer: LocalIssuer) -> list[dict[str, Any]]:
    """The newest reports, read as a security person would."""
    request = urllib.request.Request(  # noqa: S310 - loopback
        f"{service.url}/api/v1/reports?limit=10",
        headers={"Authorization": f"Bearer {issuer.mint(user='sec')}"},
    )
    with urllib.request.urlopen(request, timeout=10) as r:  # noqa: S310 - loopback
        reports: list[dict[str, Any]] = json.load(r)["reports"]
    return reports


def test_signed_in_the_pane_checks_with_the_persons_token_and_reports_in_their_name(
    signed_pane: SignedPane, signed_service: Service, issuer: LocalIssuer
) -> None:
    issuer.login_as("fin")
    signed_pane.open()
    signed_pane.start(FAKE_REPLY)
    assert signed_pane.wait_level("danger", "unknown") == "danger", signed_pane.text()
    analyze = [a for a in signed_pane.api if a[0] == "analyze"]
    assert len(analyze) == 1
    _, auth, status = analyze[0]
    assert status == 200
    assert auth.startswith("Bearer ey") and auth.count(".") == 2, "a JWT, not a key"
    calls = signed_pane.msal_calls()
    assert calls[0]["method"] == "createNestablePublicClientApplication"
    assert calls[0]["request"]["auth"]["clientId"] == issuer.client_id
    silent = [c for c in calls if c["method"] == "acquireTokenSilent"]
    assert silent and silent[0]["outcome"] == "broker"
    assert not [c for c in calls if c["method"] == "acquireTokenPopup"]

    # A finance person may look the partner up.
    signed_pane.page.click("button.verify")
    signed_pane.page.wait_for_selector(".contact", timeout=15000)
    assert "Partner B" in signed_pane.text(".contact")

    signed_pane.page.click("button.report")
    signed_pane.page.wait_for_selector(".action-message.ok", timeout=15000)
    newest = _reports(signed_service, issuer)[0]
    assert newest["reporter"] == issuer.users["fin"].email
    report_call = [a for a in signed_pane.api if a[0] == "reports"]
    assert report_call and report_call[0][1] == auth, "the held token was used again"
    assert signed_pane.errors == []
    assert signed_pane.page.evaluate("window.__csp") == []


def test_sign_in_needed_then_the_sign_in_window_then_the_check(
    signed_pane: SignedPane, issuer: LocalIssuer, artifacts: Path
) -> None:
    issuer.interactive = True  # the provider shows its page: nothing without the person
    issuer.login_as("ana")
    signed_pane.open()
    signed_pane.start(FAKE_REPLY)
    assert signed_pane.wait_level("unknown", "danger") == "unknown"
    assert COULD_NOT_CHECK in signed_pane.text("h1")
    assert "Sign-in needed. Choose Sign in to check it" in signed_pane.text()
    assert signed_pane.page.query_selector("button.verify, button.report") is None
    button = signed_pane.page.wait_for_selector("button.signin")
    assert button is not None and button.inner_text() == "Sign in"
    bottom = signed_pane.page.eval_on_selector(
        "button.signin", "e => e.getBoundingClientRect().bottom + window.scrollY"
    )
    assert bottom <= FIRST_SCREEN
    bar = signed_pane.office_calls()[-1]
    assert bar["message"].startswith(f"{COULD_NOT_CHECK}: {SIGN_IN_NEEDED}")
    assert not [a for a in signed_pane.api if a[0] == "analyze"], "nothing sent without a token"
    signed_pane.page.screenshot(path=str(artifacts / "11-sign-in-needed.png"), full_page=True)

    with signed_pane.context.expect_page(timeout=15000) as opened:
        signed_pane.page.click("button.signin")
    popup = opened.value
    popup.wait_for_selector("#sign-in", timeout=15000)
    assert "Ana Example" in popup.inner_text("body")
    popup.click("#sign-in")
    assert signed_pane.wait_level("danger") == "danger"
    calls = signed_pane.msal_calls()
    assert [c["outcome"] for c in calls if c["method"] == "acquireTokenPopup"] == ["popup"]
    analyze = [a for a in signed_pane.api if a[0] == "analyze"]
    assert len(analyze) == 1 and analyze[0][2] == 200
    signed_pane.page.screenshot(path=str(artifacts / "12-signed-in-after-popup.png"))
    # A person without the finance role is told so by Verify sender, not "unreachable".
    signed_pane.page.click("button.verify")
    refused = signed_pane.page.wait_for_selector(".action-message.error", timeout=15000)
    assert refused is not None
    assert refused.inner_text().startswith("Your role does not include looking up partners'")
    assert [a[2] for a in signed_pane.api if a[0] == "senders/contact"] == [403]
    assert signed_pane.errors == []


def test_a_token_the_service_refuses_is_renewed_once_then_sign_in_needed(
    browser: Any, issuer: LocalIssuer, tmp_path: Path
) -> None:
    # The service expects another audience: every token of this provider is refused.
    svc = _service(tmp_path, issuer, IDENTITY_AUDIENCE="api://another-service")
    pane = SignedPane(browser, svc, issuer, "taskpane.html")
    try:
        pane.open()
        pane.start(FAKE_REPLY)
        assert pane.wait_level("unknown", "danger") == "unknown"
        assert "Sign-in needed" in pane.text()
        assert pane.page.query_selector("button.signin") is not None
        analyze = [a for a in pane.api if a[0] == "analyze"]
        assert [a[2] for a in analyze] == [401, 401], "one silent renewal, no more"
        silent = [c for c in pane.msal_calls() if c["method"] == "acquireTokenSilent"]
        assert [c["request"].get("forceRefresh", False) for c in silent] == [False, True]
        assert analyze[0][1] != analyze[1][1], "the renewal brought another token"
        assert pane.errors == []
    finally:
        pane.close()
        svc.stop()


#: The compose-mode surface of Office.js the guard uses, in office.js's place.
COMPOSE_STANDIN = STANDIN.parent / "compose-standin.js"

RAISE_SEND = """() => new Promise((resolve) => {
  Office.__standin.handlers.onMessageSendHandler({ completed: (options) => resolve(options) });
})"""


@pytest.mark.parametrize("host_signed_in", [True, False], ids=["silent-token", "no-token"])
def test_the_guard_with_and_without_a_silent_token(
    browser: Any, signed_service: Service, issuer: LocalIssuer, host_signed_in: bool
) -> None:
    guard = SignedPane(browser, signed_service, issuer, "commands.html")
    compose = COMPOSE_STANDIN.read_text("utf-8")
    guard.context.unroute(OFFICE_JS)
    guard.context.route(
        OFFICE_JS,
        lambda r: r.fulfill(status=200, content_type="text/javascript", body=compose),
    )
    try:
        guard.page.goto(f"{signed_service.url}/addin/outlook/commands.html")
        guard.page.wait_for_function(
            "typeof msal !== 'undefined' && !!Office.__standin.handlers.onMessageSendHandler"
        )
        guard.page.evaluate(
            "c => msal.__standin.configure(c)",
            {"silentRedirectUri": f"{issuer.base}/keys", "hostSignedIn": host_signed_in},
        )
        completed = guard.page.evaluate(RAISE_SEND)
        notes = guard.page.evaluate("Office.__standin.notes")
        recipients = [a for a in guard.api if a[0] == "recipients"]
        assert completed["allowEvent"] is True
        if host_signed_in:
            assert len(recipients) == 1
            _, auth, status = recipients[0]
            assert status == 200 and auth.startswith("Bearer ey")
            assert not any("could not check" in json.dumps(n) for n in notes)
        else:
            assert recipients == [], "nothing is sent without a token"
            message = notes[-1]["details"]["message"]
            assert message == (
                "Caveat could not check the recipients: sign-in needed (open the Caveat pane "
                "and choose Sign in)."
            )
            calls = guard.msal_calls()
            assert [c["outcome"] for c in calls if c["method"] == "acquireTokenSilent"] == [
                "InteractionRequiredAuthError"
            ]
        assert guard.errors == []
        assert guard.page.evaluate("window.__csp") == []
    finally:
        guard.close()
