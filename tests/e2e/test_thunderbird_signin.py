"""Signing in from the Thunderbird extension, in a real Thunderbird (Debian's ESR, headless),
against the local OpenID Connect issuer (tests/identity_issuer.py) on loopback.

The service is configured with the issuer's settings, so it takes people's tokens and no
key from a mail client; the XPI is a deployment build for that service and carries no key.
One Thunderbird profile lives through three runs, as one person's Thunderbird would:

1. the first message: the extension asks the service how to sign in, signs in silently
   through ``identity.launchWebAuthFlow`` (the issuer signs its person in at once, as a
   provider does for someone with a session: no window) and redeems the code with its
   PKCE verifier. The first token the issuer hands out is already expired (as with a
   provider whose clock is ahead), so the service refuses it (401) and the extension
   refreshes it silently and asks again; the message gets its banner. The test build then
   reports the message (as the popup's Report does): the report's reporter is the
   signed-in person.
2. Thunderbird again: the access token was in session storage and is gone; the refresh
   token gets a new one, with no new authorization. The test build then signs out.
3. Thunderbird again: signed out, the extension neither calls the service nor signs in
   silently; the banner says "could not check: sign-in needed".

What the issuer saw is read from its request log; what the reader saw, from the service's
test endpoints (see test_thunderbird.py).
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from caveat.clients.thunderbird_xpi import Deployment, build_xpi, redirect_url
from tests.identity_issuer import LocalIssuer

from .conftest import Service, start_service
from .test_thunderbird import (
    FAKE_REPLY,
    REAL_REPLY,
    SEED,
    artifacts,
    calls_for,
    display_of,
    make_profile,
    message_id,
    thunderbird,
)

__all__ = ["artifacts", "thunderbird"]  # fixtures shared with test_thunderbird.py

REMINDER = SEED / "01-reminder-from-colleague.eml"


@pytest.fixture(scope="module")
def issuer() -> Iterator[LocalIssuer]:
    with LocalIssuer() as found:
        found.redirect_uris.add(redirect_url())
        yield found


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory, issuer: LocalIssuer) -> Iterator[Service]:
    svc = start_service(
        tmp_path_factory.mktemp("tb-signin-service"),
        extra_env={"CAVEAT_TEST_ENDPOINTS": "true", **issuer.environ()},
    )
    yield svc
    svc.stop()


@pytest.fixture(scope="module")
def profile(service: Service, tmp_path_factory: pytest.TempPathFactory) -> Path:
    xpi = build_xpi(
        Deployment(
            base_url=service.url,
            display_report_url=f"{service.url}/test/display-events",
            test_actions=(
                (message_id(FAKE_REPLY), ("report",)),
                (message_id(REAL_REPLY), ("sign_out",)),
            ),
        )
    )
    return make_profile(tmp_path_factory.mktemp("tb-signin"), xpi)


def _get(url: str, token: str | None = None) -> Any:
    request = urllib.request.Request(url)  # noqa: S310 - loopback
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=5) as r:  # noqa: S310 - loopback
        return json.load(r)


def seen(issuer: LocalIssuer, what: str) -> int:
    return sum(1 for r in issuer.requests if r == what)


def spoil_next_token(issuer: LocalIssuer, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The issuer's next access token is expired when it is made (its ``expires_in`` still
    says an hour); returns the list the spoilt token is put in."""
    original = issuer.mint
    spoilt: list[str] = []

    def mint(*args: Any, **kwargs: Any) -> str:
        if not spoilt:
            kwargs["exp_in"] = -600
            spoilt.append(original(*args, **kwargs))
            return spoilt[0]
        return original(*args, **kwargs)

    monkeypatch.setattr(issuer, "mint", mint)
    return spoilt


def test_sign_in_refresh_and_sign_out_in_thunderbird(
    thunderbird: str,
    service: Service,
    issuer: LocalIssuer,
    profile: Path,
    artifacts: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    identity = _get(f"{service.url}/api/v1/identity")
    assert identity["sign_in"] is True
    assert identity["token_endpoint"] == issuer.token_endpoint

    # 1. Signed in silently; the refused first token refreshed; the banner.
    spoilt = spoil_next_token(issuer, monkeypatch)
    event = display_of(thunderbird, profile, FAKE_REPLY, service, artifacts, "signin-fake-reply")
    assert event["level"] == "danger"
    assert event["shown"] is True
    assert len(calls_for(service, message_id(FAKE_REPLY))) == 1
    assert seen(issuer, "GET /authorize") == 1
    assert len(spoilt) == 1
    # The code (the spoilt token), then the refresh after the service refused it.
    assert seen(issuer, "POST /token") == 2
    security = issuer.mint(user="sec")
    reports = _get(f"{service.url}/api/v1/reports", security)["reports"]
    mine = [r for r in reports if r["sender"] == "finance-person@partnerb.example"]
    assert len(mine) == 1, reports
    assert mine[0]["reporter"] == "ana@example.org"
    (artifacts / "signin-reports.json").write_text(json.dumps(reports, indent=2), "utf-8")

    # 2. A new session: the refresh token, no new authorization.
    event = display_of(thunderbird, profile, REAL_REPLY, service, artifacts, "signin-restart")
    assert event["level"] == "none"
    assert len(calls_for(service, message_id(REAL_REPLY))) == 1
    assert seen(issuer, "GET /authorize") == 1
    assert seen(issuer, "POST /token") == 3

    # 3. Signed out: "sign-in needed", nothing sent, no silent sign-in.
    before = list(issuer.requests)
    event = display_of(thunderbird, profile, REMINDER, service, artifacts, "signin-signed-out")
    assert event["level"] == "unknown"
    assert event["shown"] is True
    # Read back from the page: the banner's title, then its reason.
    assert event["text"].startswith("Caveat could not check this message")
    assert "Sign-in needed. Open Caveat's settings and sign in." in event["text"]
    assert calls_for(service, message_id(REMINDER)) == []
    assert issuer.requests == before
