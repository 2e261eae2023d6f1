"""The admin console under test with Flask's test client.

- ``console_app(tmp_path, **settings)``: a testing app on an in-memory database (no rate
  limits, the instance folder in ``tmp_path``) with ``settings`` (any of
  caveat.service.settings, e.g. ``INTERNAL_DOMAINS=["ours.example"]``).
- ``signed_in(app, *roles)``: a test client over https with a console session made
  directly in the store, for a person holding ``roles`` (``"admin"``, ``"security"``,
  ``"finance"``; none: a plain user). ``subject=``/``name=`` make a different person (two
  approvers for the four-eyes rule). ``client.principal`` is who it is.
- ``csrf(client)``: the CSRF token of the client's session, for POSTs::

      client = signed_in(app, "admin")
      rv = client.post("/admin/keys/new", data={"csrf_token": csrf(client), ...})

- ``session_of(client)``: the client's session row (notices, times).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from caveat.identity.principal import Principal
from caveat.storage.console import ConsoleSession
from caveat.web.console.session import COOKIE, EXTENSION, Console, principal_of
from tests.identity_app import make_app

BASE_URL = "https://localhost"


class HttpsClient(FlaskClient):
    """A test client whose requests are https://localhost/... unless told otherwise."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        if not args or isinstance(args[0], str):
            kwargs.setdefault("base_url", BASE_URL)
        return super().open(*args, **kwargs)


def console_app(tmp_path: Path, **settings: Any) -> Flask:
    """A testing app (in-memory database) with ``settings``."""
    return make_app(settings, tmp_path / "instance")


def https_client(app: Flask) -> FlaskClient:
    """A test client whose requests are https (as behind the service's TLS)."""
    return HttpsClient(app, app.response_class, use_cookies=True)


def console_of(app: Flask) -> Console:
    found: Console = app.extensions[EXTENSION]
    return found


def signed_in(
    app: Flask,
    *roles: str,
    subject: str | None = None,
    name: str | None = None,
    via: str = "oidc",
) -> FlaskClient:
    """A client signed in to the console as a person with ``roles``."""
    label = "-".join(sorted(roles)) or "user"
    subject = subject or f"test-{label}"
    name = name or f"Test {label}"
    username = f"{subject}@ours.example"
    c = console_of(app)
    with app.app_context():
        token, session = c.store.open_session(
            subject=subject,
            tenant=None,
            name=name,
            username=username,
            roles=frozenset({"user", *roles}),
            via=via,
            now=c.now(),
            lifetime=c.lifetime,
        )
    client = https_client(app)
    client.set_cookie(COOKIE, token, path="/", secure=True, httponly=True, samesite="Lax")
    client.principal = principal_of(session)  # type: ignore[attr-defined]
    return client


def session_of(client: FlaskClient) -> ConsoleSession:
    """The session the client's cookie names (whatever its state)."""
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None, "the client has no console cookie"
    found = console_of(client.application).store.find_session(cookie.value)
    assert found is not None, "the client's cookie names no session"
    return found


def csrf(client: FlaskClient) -> str:
    """The CSRF token of the client's console session."""
    return session_of(client).csrf


def principal_of_client(client: FlaskClient) -> Principal:
    found: Principal = client.principal  # type: ignore[attr-defined]
    return found
