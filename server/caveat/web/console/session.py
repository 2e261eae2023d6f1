"""The console's sessions: the cookie, who it stands for, CSRF, and the response headers.

A browser signed in to the console carries one cookie, ``__Host-caveat-console``: a random
token (Secure, HttpOnly, SameSite=Lax, Path=/, no Domain: the ``__Host-`` prefix makes the
browser hold it to exactly that). The row it names (:mod:`caveat.storage.console`) says
who signed in and with which roles; a session ends CONSOLE_SESSION_HOURS after sign-in, or
after CONSOLE_IDLE_MINUTES without a request, or when its person signs out.

Every form that changes something carries the session's CSRF token (``csrf_token``, or the
``X-CSRF-Token`` header for a script); a POST without the right one is refused before its
view runs. SameSite=Lax already keeps the cookie off cross-site POSTs; the token also
covers a same-site attacker (another service on a sibling host).

Every console response carries :data:`CONSOLE_CSP`: scripts and styles from the service
only, no inline script or style attribute, forms only to the service, no framing.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, Response, current_app, g, request

from caveat.identity.principal import Principal
from caveat.storage.console import VIA_LINK, ConsoleSession, ConsoleStore
from caveat.storage.store import Store

EXTENSION = "caveat.console"
COOKIE = "__Host-caveat-console"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
#: How a first-run link's session is named.
LINK_NAME = "first-run link"
#: last_seen is written at most this often per session (idle expiry is in minutes).
TOUCH_SECONDS = 60

CONSOLE_CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Console:
    """One application's console state (``app.extensions["caveat.console"]``)."""

    store: ConsoleStore
    lifetime: timedelta
    idle: timedelta
    #: the time; tests replace it to move sessions past their ends
    clock: Callable[[], datetime] = field(default=_utcnow)

    def now(self) -> datetime:
        return self.clock()


def init_console(app: Flask, store: Store) -> Console:
    found = Console(
        store=ConsoleStore(store),
        lifetime=timedelta(hours=int(app.config["CONSOLE_SESSION_HOURS"])),
        idle=timedelta(minutes=int(app.config["CONSOLE_IDLE_MINUTES"])),
    )
    app.extensions[EXTENSION] = found
    return found


def console() -> Console:
    found: Console = current_app.extensions[EXTENSION]
    return found


def is_live(session: ConsoleSession, now: datetime, idle: timedelta) -> bool:
    """Whether ``session`` may still be used at ``now``."""
    return not session.revoked and now < session.expires_at and now < session.last_seen + idle


def current_session() -> ConsoleSession | None:
    """The live session of this request's cookie, or None (looked up once per request)."""
    if "console_session_looked" in g:
        found: ConsoleSession | None = g.get("console_session")
        return found
    g.console_session_looked = True
    g.console_session = None
    token = request.cookies.get(COOKIE, "")
    if not token:
        return None
    c = console()
    session = c.store.find_session(token)
    now = c.now()
    if session is None or not is_live(session, now, c.idle):
        return None
    if (now - session.last_seen).total_seconds() >= TOUCH_SECONDS:
        c.store.touch(session.id, now)
    g.console_session = session
    return session


def principal_of(session: ConsoleSession) -> Principal:
    """Who a session acts as: the person who signed in, with the roles they had then."""
    return Principal.person(
        subject=session.subject,
        tenant=session.tenant,
        name=session.name,
        username=session.username,
        roles=session.roles,
    )


def csrf_ok(session: ConsoleSession) -> bool:
    """Whether this request carries ``session``'s CSRF token."""
    sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD, "")
    return bool(sent) and hmac.compare_digest(sent.encode(), session.csrf.encode())


def open_session(
    response: Response,
    *,
    subject: str,
    tenant: str | None,
    name: str,
    username: str,
    roles: frozenset[str],
    via: str,
) -> ConsoleSession:
    """Open a session and set its cookie on ``response``."""
    c = console()
    token, session = c.store.open_session(
        subject=subject,
        tenant=tenant,
        name=name,
        username=username,
        roles=roles,
        via=via,
        now=c.now(),
        lifetime=c.lifetime,
    )
    set_cookie(response, token, c.lifetime)
    return session


def open_link_session(response: Response, link_id: int) -> ConsoleSession:
    """An administrator's session opened by first-run link ``link_id``."""
    return open_session(
        response,
        subject=f"link:{link_id}",
        tenant=None,
        name=LINK_NAME,
        username=LINK_NAME,
        roles=frozenset({"admin"}),
        via=VIA_LINK,
    )


def set_cookie(response: Response, token: str, lifetime: timedelta) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(lifetime.total_seconds()),
        path="/",
        secure=True,
        httponly=True,
        samesite="Lax",
    )


def clear_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/", secure=True, httponly=True, samesite="Lax")


def safe_next(value: Any) -> str:
    """A path inside the console to go to after sign-in, or ``""``: never another site
    (``//host``, ``/\\host``, a scheme) nor a sign-in page."""
    if not isinstance(value, str) or not value.startswith("/admin/") or len(value) > 400:
        return ""
    if "\\" in value or "//" in value or any(ord(c) < 0x21 or ord(c) == 0x7F for c in value):
        return ""
    if value.startswith(("/admin/signin", "/admin/link/", "/admin/signout", "/admin/static/")):
        return ""
    return value
