"""Signing in to the console and out of it.

**With the identity provider** (IDENTITY_ISSUER set): the authorization code flow with
PKCE (RFC 7636, S256), ``state`` and ``nonce`` (OpenID Connect Core 1.0, 3.1).
``/admin/signin/start`` keeps a fresh state's hash with the PKCE verifier, the nonce and
where to go after, binds the state to the browser with a short-lived cookie
(``__Host-caveat-signin``), and sends the browser to the provider;
``/admin/signin/callback`` takes that state (once; from the browser that began it),
redeems the code at the token endpoint from the server (with IDENTITY_CONSOLE_CLIENT_SECRET
when set: Entra ID redeems a code for a "Web" redirect URI only for a confidential
client), checks the id token (signature, issuer, audience, and
that its nonce is the one sent), and validates the access token with the API's own
validator, so the console's roles are exactly the API's. The start is a plain link: a
form posting to the service and redirected off-site would be stopped by the CSP's
``form-action 'self'``.

**First run** (before any provider, or without one): ``caveat console link`` prints a
one-time ``/admin/link/<token>``. Opening it shows a page with one button (so a chat
client's link preview, which GETs it, does not use it up); the button's POST uses the
link and opens an administrator's session named "first-run link".

**Sign-out** is a POST (with the CSRF token) that revokes the session's row.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from typing import Any

import jwt
from flask import Response, current_app, request, url_for

from caveat.identity.config import is_loopback
from caveat.identity.principal import Principal
from caveat.identity.tokens import LEEWAY, IdentityUnavailable, TokenRefused
from caveat.storage.console import VIA_OIDC, LinkRefused, TooManySignins
from caveat.web.api.auth import identity

from .kit import bp, error_page, first_page, page, public, render, see_other
from .session import (
    clear_cookie,
    console,
    current_session,
    open_link_session,
    open_session,
    principal_of,
    safe_next,
)

log = logging.getLogger(__name__)

#: The cookie binding a sign-in's state to the browser that began it.
SIGNIN_COOKIE = "__Host-caveat-signin"
#: How long a sign-in may stay at the provider before its state lapses.
SIGNIN_MINUTES = 10
#: The token endpoint's answer is read up to this many bytes.
MAX_TOKEN_RESPONSE = 1 << 20
TOKEN_TIMEOUT_SECONDS = 10.0


class SigninFailed(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _redirect_uri() -> str:
    base = current_app.config.get("PUBLIC_URL")
    path = url_for("console.signin_callback")
    if base:
        return base.rstrip("/") + path
    return request.host_url.rstrip("/") + path


def _sign_in_available() -> bool:
    return identity().config is not None


# ----------------------------------------------------------------- the sign-in page


@bp.get("/signin")
@public
def signin() -> Response:
    nxt = safe_next(request.args.get("next"))
    session = current_session()
    if session is not None:
        return see_other(nxt or first_page(principal_of(session)) or "/admin/")
    start = url_for("console.signin_start", next=nxt) if nxt else url_for("console.signin_start")
    return render(
        "console/signin.html",
        title="Sign in",
        available=_sign_in_available(),
        start=start,
        signed_out=request.args.get("out") == "1",
    )


@bp.get("/signin/start")
@public
def signin_start() -> Response:
    ident = identity()
    if ident.config is None:
        return error_page(
            400,
            "Sign-in with an identity provider is not set up on this service. Ask the "
            "administrator for a one-time link (caveat console link).",
            title="Sign-in not set up",
        )
    try:
        document = ident.document()
    except IdentityUnavailable as exc:
        log.warning("console sign-in: identity provider unavailable: %s", exc)
        return error_page(503, "The identity provider cannot be reached. Try again soon.")
    endpoint = document.get("authorization_endpoint")
    if not endpoint:
        return error_page(503, "The identity provider names no authorization endpoint.")
    state = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(48)
    nonce = secrets.token_urlsafe(24)
    c = console()
    redirect_uri = _redirect_uri()
    try:
        c.store.begin_signin(
            state,
            verifier=verifier,
            nonce=nonce,
            next_path=safe_next(request.args.get("next")),
            redirect_uri=redirect_uri,
            expires_at=c.now() + timedelta(minutes=SIGNIN_MINUTES),
            now=c.now(),
        )
    except TooManySignins:
        log.warning("console sign-in: too many sign-ins under way; refusing new ones")
        return error_page(503, "Too many sign-ins are under way. Try again in a few minutes.")
    scopes = list(dict.fromkeys(["openid", "profile", *document.get("scopes", [])]))
    query = urllib.parse.urlencode(
        {
            "client_id": ident.config.client_id,
            "response_type": "code",
            "response_mode": "query",
            "redirect_uri": redirect_uri,
            "scope": " ".join(scopes),
            "state": state,
            "nonce": nonce,
            "code_challenge": _b64url(hashlib.sha256(verifier.encode("ascii")).digest()),
            "code_challenge_method": "S256",
        }
    )
    joiner = "&" if "?" in endpoint else "?"
    response = see_other(f"{endpoint}{joiner}{query}")
    # The state is bound to this browser: a callback carrying a state begun elsewhere (an
    # attacker's own sign-in, sent to a victim to sign them in as the attacker) is refused.
    response.set_cookie(
        SIGNIN_COOKIE,
        state,
        max_age=SIGNIN_MINUTES * 60,
        path="/",
        secure=True,
        httponly=True,
        samesite="Lax",
    )
    return response


@bp.get("/signin/callback")
@public
def signin_callback() -> Response:
    try:
        who, nxt = _complete()
    except SigninFailed as exc:
        failed = error_page(exc.status, exc.message, title="Sign-in failed")
        failed.delete_cookie(SIGNIN_COOKIE, path="/", secure=True, httponly=True, samesite="Lax")
        return failed
    response = see_other("/admin/")
    response.delete_cookie(SIGNIN_COOKIE, path="/", secure=True, httponly=True, samesite="Lax")
    _end_current_session()
    open_session(
        response,
        subject=who.subject,
        tenant=who.tenant,
        name=who.name,
        username=who.username,
        roles=who.roles,
        via=VIA_OIDC,
    )
    # Nowhere of theirs to go: /admin/ answers with the 403 page naming the roles to ask for.
    target = nxt or first_page(who) or "/admin/"
    response.headers["Location"] = target
    return response


def _complete() -> tuple[Principal, str]:
    """The person the provider signed in, and where they go next; or SigninFailed."""
    ident = identity()
    if ident.config is None or ident.validator is None:
        raise SigninFailed(400, "Sign-in with an identity provider is not set up on this service.")
    args = request.args
    state = args.get("state", "")
    pending = console().store.take_signin(state, console().now())
    if pending is None:
        raise SigninFailed(
            400,
            "This sign-in is unknown, was already completed or took too long. "
            "Start again from the sign-in page.",
        )
    bound = request.cookies.get(SIGNIN_COOKIE, "")
    if not bound or not hmac.compare_digest(bound.encode(), state.encode()):
        raise SigninFailed(
            400,
            "This sign-in was started in another browser (or this browser's cookie for it "
            "is gone). Start again from the sign-in page.",
        )
    if args.get("error"):
        described = (args.get("error_description") or "")[:300]
        raise SigninFailed(
            400,
            f"The identity provider did not sign you in: {args.get('error', '')[:100]}"
            + (f" ({described})" if described else "")
            + ".",
        )
    code = args.get("code", "")
    if not code or len(code) > 4096:
        raise SigninFailed(400, "The identity provider sent no sign-in code.")
    try:
        document = ident.document()
    except IdentityUnavailable:
        raise SigninFailed(
            503, "The identity provider cannot be reached. Try again soon."
        ) from None
    tokens = _redeem(document, ident.config.client_id, code, pending.verifier, pending.redirect_uri)
    access = tokens.get("access_token")
    id_token = tokens.get("id_token")
    if not isinstance(access, str) or not isinstance(id_token, str):
        raise SigninFailed(400, "The identity provider's answer holds no access or id token.")
    claims = _check_id_token(id_token, pending.nonce)
    try:
        who = ident.validator.validate(access)
    except TokenRefused as exc:
        raise SigninFailed(403, f"The access token was not accepted: {exc.reason}.") from None
    except IdentityUnavailable:
        raise SigninFailed(
            503, "The identity provider's keys cannot be fetched. Try again soon."
        ) from None
    oid = claims.get("oid")
    if isinstance(oid, str) and oid and oid != who.subject:
        raise SigninFailed(403, "The id token and the access token name different people.")
    return who, pending.next_path


def _redeem(
    document: dict[str, Any], client_id: str, code: str, verifier: str, redirect_uri: str
) -> dict[str, Any]:
    endpoint = document.get("token_endpoint")
    if not isinstance(endpoint, str) or not (
        endpoint.startswith("https://")
        or (endpoint.startswith("http://") and is_loopback(endpoint))
    ):
        raise SigninFailed(503, "The identity provider names no usable token endpoint.")
    form = {
        "grant_type": "authorization_code",
        "client_id": client_id,
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
    }
    secret = current_app.config.get("IDENTITY_CONSOLE_CLIENT_SECRET")
    if secret:
        form["client_secret"] = secret
    req = urllib.request.Request(  # noqa: S310 - configured https, or loopback
        endpoint,
        data=urllib.parse.urlencode(form).encode("ascii"),
        headers={"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=TOKEN_TIMEOUT_SECONDS) as answer:  # noqa: S310
            body = answer.read(MAX_TOKEN_RESPONSE + 1)
    except urllib.error.HTTPError as exc:
        body = exc.read(MAX_TOKEN_RESPONSE + 1)
        error, description = _oauth_error(body)
        raise SigninFailed(
            400,
            f"The identity provider refused the sign-in code: {error}"
            + (f" ({description})" if description else "")
            + ". Start again from the sign-in page.",
        ) from None
    except (OSError, ValueError) as exc:
        log.warning("console sign-in: token endpoint unreachable: %s", type(exc).__name__)
        raise SigninFailed(
            503, "The identity provider cannot be reached. Try again soon."
        ) from None
    try:
        value = json.loads(body) if len(body) <= MAX_TOKEN_RESPONSE else None
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise SigninFailed(502, "The identity provider's token endpoint did not answer JSON.")
    return value


def _oauth_error(body: bytes) -> tuple[str, str]:
    try:
        value = json.loads(body)
    except ValueError:
        return "error", ""
    if not isinstance(value, dict):
        return "error", ""
    error = value.get("error")
    description = value.get("error_description")
    return (
        str(error)[:100] if isinstance(error, str) else "error",
        str(description)[:300] if isinstance(description, str) else "",
    )


def _check_id_token(token: str, nonce: str) -> dict[str, Any]:
    """The id token's claims, checked: signed by the provider's keys, for this client, from
    the configured issuer, in date, carrying the nonce this sign-in sent."""
    ident = identity()
    assert ident.config is not None and ident.validator is not None
    config = ident.config
    try:
        header = jwt.get_unverified_header(token)
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise SigninFailed(400, "The id token is not a well-formed JWT.") from None
    alg = header.get("alg")
    if not isinstance(alg, str) or alg[:2] not in ("RS", "PS", "ES"):
        raise SigninFailed(403, "The id token is not signed with an accepted algorithm.")
    tid = unverified.get("tid")
    if config.tenants and (not isinstance(tid, str) or tid not in config.tenants):
        raise SigninFailed(403, "The id token's tenant is not allowed here.")
    issuer = (
        config.issuer_for(tid) if config.multi_tenant and isinstance(tid, str) else config.issuer
    )
    kid = header.get("kid")
    try:
        key = ident.validator.keys.key(kid if isinstance(kid, str) else None)
    except TokenRefused as exc:
        raise SigninFailed(403, f"The id token was not accepted: {exc.reason}.") from None
    except IdentityUnavailable:
        raise SigninFailed(
            503, "The identity provider's keys cannot be fetched. Try again soon."
        ) from None
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key.jwk.key,
            algorithms=[alg],
            audience=config.client_id,
            issuer=issuer,
            leeway=LEEWAY,
            options={"require": ["exp", "iss", "aud", "nonce"]},
        )
    except jwt.MissingRequiredClaimError as exc:
        raise SigninFailed(403, f"The id token has no {exc.claim} claim.") from None
    except jwt.PyJWTError as exc:
        raise SigninFailed(403, f"The id token was not accepted ({type(exc).__name__}).") from None
    sent = claims.get("nonce")
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), nonce.encode()):
        raise SigninFailed(403, "The id token's nonce is not the one this sign-in sent.")
    return claims


# ----------------------------------------------------------------- first-run links


@bp.get("/link/<token>")
@public
def link(token: str) -> Response:
    c = console()
    if not c.store.link_usable(token, c.now()):
        return _link_refused("this sign-in link is unknown, used or expired")
    return render("console/link.html", title="Sign in with a one-time link", action=request.path)


@bp.post("/link/<token>")
@public
def link_use(token: str) -> Response:
    c = console()
    try:
        link_id = c.store.use_link(token, c.now())
    except LinkRefused as exc:
        return _link_refused(str(exc))
    response = see_other("/admin/")
    _end_current_session()
    session = open_link_session(response, link_id)
    response.headers["Location"] = first_page(principal_of(session)) or "/admin/"
    return response


def _end_current_session() -> None:
    """Signing in again ends the session this browser had (a new cookie replaces it)."""
    session = current_session()
    if session is not None:
        console().store.revoke(session.id)


def _link_refused(reason: str) -> Response:
    return error_page(
        400,
        f"Sign-in refused: {reason}. Make a new one on the server with: caveat console link",
        title="Sign-in link not valid",
    )


# ----------------------------------------------------------------- sign-out


@bp.post("/signout")
@page()
def signout() -> Response:
    session = current_session()
    if session is not None:
        console().store.revoke(session.id)
    response = see_other(url_for("console.signin", out="1"))
    clear_cookie(response)
    return response
