"""Access tokens of the organisation's identity provider, checked with PyJWT.

A token is accepted only when all of this holds: its ``alg`` is an asymmetric algorithm
(RSA, RSA-PSS or ECDSA; never ``none`` nor HMAC, whose secret anyone could take from the
public key), it is signed by a key of the provider's JWKS with its ``kid``, its ``iss`` is
the configured issuer (for a multi-tenant Entra issuer: the template with the token's
``tid``, which must be one of IDENTITY_TENANTS), its ``aud`` one of the accepted audiences,
``exp`` in the future and ``nbf`` (when present) in the past, each with a minute's leeway
for clocks, and its ``scp`` or ``scope`` holds the API's delegated scope (so an app-only
token, which has none, never passes as a person).

The JWKS is fetched at first use and kept. A token with a ``kid`` the set does not hold
makes the set be fetched again, at most once every five minutes, so that a key the
provider has just rotated in is found, while tokens with made-up ``kid`` values cannot make
the service fetch on every request. The set is also fetched again once a day, so that keys
the provider withdrew stop being accepted.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import jwt
from jwt import PyJWK

from .config import IdentityConfig
from .principal import Principal, Profile

#: The only signature algorithms accepted: public-key ones.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
_KEY_TYPES = {"RS": "RSA", "PS": "RSA", "ES": "EC"}
#: Seconds of clock difference allowed on ``exp``, ``nbf`` and ``iat``.
LEEWAY = 60
#: An unknown ``kid`` fetches the JWKS again at most this often.
REFRESH_SECONDS = 300.0
#: The JWKS is fetched again when older than this, at the next token.
MAX_AGE_SECONDS = 86400.0
#: After a failed fetch, no other is tried for this long (the provider is down: answer
#: 503 at once rather than wait for it on every request).
RETRY_SECONDS = 30.0
#: Longer tokens are refused unread (Entra's with many groups stay well below).
MAX_TOKEN_CHARS = 16384
#: A discovery document or key set larger than this is refused.
MAX_DOCUMENT_BYTES = 1 << 20
FETCH_TIMEOUT_SECONDS = 5.0

Fetch = Callable[[str], Mapping[str, Any]]


class TokenRefused(Exception):
    """The token is not accepted; ``reason`` says why in words safe to send back."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class IdentityUnavailable(Exception):
    """The identity provider's keys or metadata could not be fetched."""


def looks_like_jwt(credential: str) -> bool:
    """A compact JWS: three base64url parts separated by two dots."""
    return credential.count(".") == 2


def fetch_json(url: str) -> Mapping[str, Any]:
    """GET ``url`` (configured, https or loopback) as a JSON object, or
    :class:`IdentityUnavailable`."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as response:  # noqa: S310
            body = response.read(MAX_DOCUMENT_BYTES + 1)
    except (OSError, ValueError) as exc:
        raise IdentityUnavailable(f"cannot fetch {url}: {type(exc).__name__}") from None
    if len(body) > MAX_DOCUMENT_BYTES:
        raise IdentityUnavailable(f"{url} answered more than {MAX_DOCUMENT_BYTES} bytes")
    try:
        value = json.loads(body)
    except ValueError:
        raise IdentityUnavailable(f"{url} did not answer JSON") from None
    if not isinstance(value, dict):
        raise IdentityUnavailable(f"{url} did not answer a JSON object")
    return value


@dataclass(frozen=True)
class _Key:
    jwk: PyJWK
    #: the ``alg`` the key set declares for it, if any
    alg: str | None


class _Cached:
    """A document fetched once and kept; failures are remembered for RETRY_SECONDS."""

    def __init__(self, fetch: Fetch, clock: Callable[[], float]) -> None:
        self._fetch = fetch
        self._clock = clock
        self._lock = threading.Lock()
        self._value: Mapping[str, Any] | None = None
        self._failed_at = -float("inf")
        self._failure = ""

    def get(self, url: str) -> Mapping[str, Any]:
        with self._lock:
            if self._value is not None:
                return self._value
            if self._clock() - self._failed_at < RETRY_SECONDS:
                raise IdentityUnavailable(self._failure)
            try:
                self._value = self._fetch(url)
            except IdentityUnavailable as exc:
                self._failed_at, self._failure = self._clock(), str(exc)
                raise
            return self._value


class KeySet:
    """The provider's signing keys, by ``kid``, fetched as the module says."""

    def __init__(self, url: Callable[[], str], fetch: Fetch, clock: Callable[[], float]) -> None:
        self._url = url
        self._fetch = fetch
        self._clock = clock
        self._lock = threading.Lock()
        self._keys: dict[str | None, _Key] = {}
        self._fetched_at: float | None = None
        self._failed_at = -float("inf")
        #: how many times the set was fetched (tests and logs)
        self.fetches = 0

    def key(self, kid: str | None) -> _Key:
        with self._lock:
            now = self._clock()
            stale = self._fetched_at is None or now - self._fetched_at > MAX_AGE_SECONDS
            missing = kid not in self._keys and (
                self._fetched_at is None or now - self._fetched_at >= REFRESH_SECONDS
            )
            if (stale or missing) and now - self._failed_at >= RETRY_SECONDS:
                self._refresh(now)
            if self._fetched_at is None:
                raise IdentityUnavailable("the identity provider's keys could not be fetched")
            found = self._keys.get(kid)
            if found is None and kid is None and len(self._keys) == 1:
                found = next(iter(self._keys.values()))
        if found is None:
            raise TokenRefused("the token is signed with a key the identity provider does not list")
        return found

    def _refresh(self, now: float) -> None:
        self.fetches += 1
        try:
            keys = _signing_keys(self._fetch(self._url()))
        except IdentityUnavailable as exc:
            self._failed_at = now
            if self._fetched_at is None:
                raise IdentityUnavailable(str(exc)) from None
            return  # keep the keys we have
        self._keys = keys
        self._fetched_at = now


def _signing_keys(document: Mapping[str, Any]) -> dict[str | None, _Key]:
    """The public signing keys of a JWKS document, by ``kid`` (others are left out)."""
    entries = document.get("keys")
    if not isinstance(entries, list):
        raise IdentityUnavailable("the key set has no keys")
    out: dict[str | None, _Key] = {}
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("kty") not in ("RSA", "EC"):
            continue
        if entry.get("use", "sig") != "sig" or "d" in entry:
            continue
        alg = entry.get("alg")
        try:
            jwk = PyJWK(entry)
        except (jwt.PyJWTError, TypeError, ValueError):
            continue
        out[entry.get("kid") if isinstance(entry.get("kid"), str) else None] = _Key(
            jwk, alg if isinstance(alg, str) else None
        )
    if not out:
        raise IdentityUnavailable("the key set has no usable signing key")
    return out


class TokenValidator:
    """Checks access tokens against one :class:`IdentityConfig` and names who they are for."""

    def __init__(
        self,
        config: IdentityConfig,
        *,
        fetch: Fetch = fetch_json,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self._metadata = _Cached(fetch, clock)
        self.keys = KeySet(self._jwks_url, fetch, clock)

    def metadata(self) -> Mapping[str, Any]:
        """The provider's discovery document (fetched once), or :class:`IdentityUnavailable`."""
        return self._metadata.get(self.config.discovery_url)

    def _jwks_url(self) -> str:
        if self.config.jwks_url:
            return self.config.jwks_url
        uri = self.metadata().get("jwks_uri")
        if not isinstance(uri, str) or not uri.startswith(("https://", "http://")):
            raise IdentityUnavailable("the discovery document names no jwks_uri")
        return uri

    def validate(self, token: str) -> Principal:
        """The person ``token`` stands for, or :class:`TokenRefused` /
        :class:`IdentityUnavailable`."""
        if len(token) > MAX_TOKEN_CHARS:
            raise TokenRefused("the token is too long")
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise TokenRefused("the token is not a well-formed JWT") from None
        alg = header.get("alg")
        if alg not in ALGORITHMS:
            raise TokenRefused(
                f"tokens signed with {str(alg)[:20]!r} are not accepted "
                "(only RS, PS and ES algorithms)"
            )
        kid = header.get("kid")
        if kid is not None and not isinstance(kid, str):
            raise TokenRefused("the token's kid is not a string")
        issuer = self._issuer_for(unverified)
        found = self.keys.key(kid)
        if found.jwk.key_type != _KEY_TYPES[alg[:2]] or found.alg not in (None, alg):
            raise TokenRefused("the token's algorithm does not match its signing key")
        try:
            claims = jwt.decode(
                token,
                found.jwk.key,
                algorithms=[alg],
                audience=list(self.config.audiences),
                issuer=issuer,
                leeway=LEEWAY,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise TokenRefused("the token has expired") from None
        except jwt.ImmatureSignatureError:
            raise TokenRefused("the token is not valid yet") from None
        except jwt.InvalidAudienceError:
            raise TokenRefused("the token is for another audience (aud)") from None
        except jwt.InvalidIssuerError:
            raise TokenRefused("the token is from another issuer (iss)") from None
        except jwt.MissingRequiredClaimError as exc:
            raise TokenRefused(f"the token has no {exc.claim} claim") from None
        except jwt.InvalidSignatureError:
            raise TokenRefused("the token's signature does not verify") from None
        except (jwt.PyJWTError, TypeError, ValueError):
            raise TokenRefused("the token is not valid") from None
        return self._principal(claims)

    def _issuer_for(self, claims: Mapping[str, Any]) -> str:
        tid = claims.get("tid")
        if self.config.tenants:
            if not isinstance(tid, str) or not tid:
                raise TokenRefused("the token names no tenant (tid)")
            if tid not in self.config.tenants:
                raise TokenRefused("the token's tenant (tid) is not allowed here")
        if self.config.multi_tenant:
            assert isinstance(tid, str)
            return self.config.issuer_for(tid)
        return self.config.issuer

    def _principal(self, claims: Mapping[str, Any]) -> Principal:
        granted = claims.get("scp", claims.get("scope"))
        scopes = granted.split() if isinstance(granted, str) else []
        if self.config.scope not in scopes:
            raise TokenRefused(f"the token does not carry the scope {self.config.scope}")
        subject = _text(claims.get("oid")) or _text(claims.get("sub"))
        if not subject:
            raise TokenRefused("the token names no subject (oid or sub)")
        values: list[str] = []
        for path in self.config.role_claims:
            values.extend(_claim_values(claims, path))
        username = (
            _text(claims.get("preferred_username"))
            or _text(claims.get("email"))
            or _text(claims.get("upn"))
            or subject
        )
        return Principal.person(
            subject=subject,
            tenant=_text(claims.get("tid")) or None,
            name=_text(claims.get("name")) or username,
            username=username,
            roles=self.config.roles_of(values),
            profile=self._profile(claims, values),
        )

    def _profile(self, claims: Mapping[str, Any], values: list[str]) -> Profile:
        """The person's title, department, group and executive flag, from the claims the
        settings name (a claim that is missing or not text says nothing)."""
        config = self.config
        return Profile(
            title=_first_text(claims, config.title_claim),
            department=_first_text(claims, config.department_claim),
            group=config.group_of(values),
            executive=any(v in config.executive_values for v in values),
        )


def _text(value: Any, most: int = 320) -> str:
    return value.strip()[:most] if isinstance(value, str) else ""


def _first_text(claims: Mapping[str, Any], path: str) -> str:
    """The first non-empty string at ``path`` (a list's or one), its white space collapsed
    as the people CSV's cells are, cut to 300 characters; "" without a path."""
    if not path:
        return ""
    texts = (" ".join(v.split())[:300] for v in _claim_values(claims, path))
    return next((t for t in texts if t), "")


def _claim_values(claims: Mapping[str, Any], path: str) -> list[str]:
    """The strings at a dotted ``path`` (``realm_access.roles``): a list's, or one."""
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return []
        value = value.get(part)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []
