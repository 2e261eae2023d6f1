"""Who is calling the API, and whether they may.

One ``Authorization: Bearer`` header carries either a person's access token from the
organisation's identity provider (a JWT: three parts separated by dots) or a service key
(``cav_...``). The first is checked by :mod:`caveat.identity.tokens` when IDENTITY_ISSUER
is set, the second against the stored keys. Either becomes a
:class:`~caveat.identity.principal.Principal` in ``flask.g.principal``; every route then
needs one permission (:mod:`caveat.identity.permissions`), which the principal's roles or
the key's scopes must grant.

Answers: 401 ``unauthorized`` without a credential or with an unknown, revoked or expired
key; 401 ``invalid_token`` with a token that is not accepted (the message says why, never
anything of a key); 403 ``forbidden`` naming the permission that is missing; 503
``identity_unavailable`` while the provider's keys cannot be fetched.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, current_app, g, request

from caveat.identity.config import IdentityConfig
from caveat.identity.permissions import PERSONAL
from caveat.identity.principal import Principal
from caveat.identity.tokens import (
    IdentityUnavailable,
    TokenRefused,
    TokenValidator,
    fetch_json,
    looks_like_jwt,
)
from caveat.service.settings import identity_config
from caveat.storage.store import KEY_PREFIX, KeyRefused

from .errors import ApiError
from .ratelimit import rate_limits
from .services import services

log = logging.getLogger(__name__)

EXTENSION = "caveat.identity"
REALM = 'Bearer realm="caveat"'
#: Seconds a client is told to wait when the provider cannot be reached.
RETRY_SECONDS = 30


class Identity:
    """One application's identity provider (None: sign-in is off) and its token checks."""

    def __init__(
        self,
        config: IdentityConfig | None,
        *,
        service_keys_for_people: bool,
        fetch: Callable[[str], Mapping[str, Any]] = fetch_json,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.service_keys_for_people = service_keys_for_people
        self.validator = (
            TokenValidator(config, fetch=fetch, clock=clock) if config is not None else None
        )
        self._document: dict[str, Any] | None = None
        self._lock = threading.Lock()

    def document(self) -> dict[str, Any]:
        """``GET /api/v1/identity``: what a client needs to sign people in (all public).
        Raises :class:`IdentityUnavailable` when the endpoints must come from the
        provider's discovery document and it cannot be fetched."""
        if self.config is None or self.validator is None:
            return {"sign_in": False, "service_keys_for_people": self.service_keys_for_people}
        with self._lock:
            if self._document is not None:
                return self._document
        config = self.config
        authorization: str | None
        token: str | None
        if config.microsoft:
            authorization = f"{config.authority}/oauth2/v2.0/authorize"
            token = f"{config.authority}/oauth2/v2.0/token"
        else:
            metadata = self.validator.metadata()
            authorization = _text(metadata.get("authorization_endpoint"))
            token = _text(metadata.get("token_endpoint"))
        document = {
            "sign_in": True,
            "issuer": config.issuer,
            "authority": config.authority,
            "client_id": config.client_id,
            "scopes": list(config.request_scopes),
            "authorization_endpoint": authorization,
            "token_endpoint": token,
            "service_keys_for_people": self.service_keys_for_people,
        }
        with self._lock:
            self._document = document
        return document


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.startswith(("https://", "http://")) else None


def init_app(app: Flask) -> None:
    """Set up sign-in for ``app`` from its IDENTITY_* settings (checked at load)."""
    app.extensions[EXTENSION] = Identity(
        identity_config(app.config),
        service_keys_for_people=bool(app.config.get("SERVICE_KEYS_FOR_PEOPLE")),
    )


def identity() -> Identity:
    found: Identity = current_app.extensions[EXTENSION]
    return found


def authenticate(permission: str) -> Principal:
    """The caller of this request, who must hold ``permission``; sets ``g.principal``."""
    limits = rate_limits()
    scheme, _, credential = request.headers.get("Authorization", "").strip().partition(" ")
    credential = credential.strip()
    if scheme.lower() != "bearer" or not credential:
        limits.verification_failed()
        sign_in = identity().config is not None
        raise ApiError(
            401,
            "unauthorized",
            (
                "sign in: send Authorization: Bearer <access token>, or a service key"
                if sign_in
                else "an API key is required: send Authorization: Bearer <key>"
            ),
            [("WWW-Authenticate", REALM)],
        )
    limits.before_verifying(credential)
    if looks_like_jwt(credential) and not credential.startswith(KEY_PREFIX):
        principal = _person(credential)
    else:
        try:
            record = services().store.check_key(credential)
        except KeyRefused as exc:
            limits.verification_failed()
            raise ApiError(
                401,
                "unauthorized",
                f"the service key is not valid: {exc}",
                [("WWW-Authenticate", f'{REALM}, error="invalid_token"')],
            ) from None
        g.api_key = record
        principal = Principal.service_key(record.id, record.name, record.scopes)
    limits.verified(credential, principal)
    g.principal = principal
    if principal.is_person and services().analyzer.signed_in.saw(principal):
        services().analyzer.people.refresh()  # the people directory gained them
    if (
        not principal.is_person
        and permission in PERSONAL
        and not identity().service_keys_for_people
    ):
        raise ApiError(
            403,
            "forbidden",
            f"while people sign in, a service key may not use the permission {permission!r}"
            " (it acts for a person): sign in, or set SERVICE_KEYS_FOR_PEOPLE for a demo",
            [("WWW-Authenticate", f'{REALM}, error="insufficient_scope"')],
        )
    if not principal.may(permission):
        who = "your roles do" if principal.is_person else "this service key does"
        raise ApiError(
            403,
            "forbidden",
            f"this needs the permission {permission!r}, which {who} not grant",
            [("WWW-Authenticate", f'{REALM}, error="insufficient_scope"')],
        )
    return principal


def _person(token: str) -> Principal:
    validator = identity().validator
    if validator is None:
        rate_limits().verification_failed()
        raise _invalid_token("sign-in is not set up on this service; use a service key")
    try:
        return validator.validate(token)
    except TokenRefused as exc:
        rate_limits().verification_failed()
        raise _invalid_token(exc.reason) from None
    except IdentityUnavailable as exc:
        log.warning("identity provider unavailable: %s", exc)
        raise ApiError(
            503,
            "identity_unavailable",
            "the identity provider's keys cannot be fetched to check the token; try again soon",
            [("Retry-After", str(RETRY_SECONDS))],
        ) from None


def _invalid_token(reason: str) -> ApiError:
    # RFC 6750's error_description: printable ASCII without '"' and '\'.
    safe = "".join(c for c in reason if " " <= c <= "~" and c not in '"\\')
    return ApiError(
        401,
        "invalid_token",
        reason,
        [("WWW-Authenticate", f'{REALM}, error="invalid_token", error_description="{safe}"')],
    )
