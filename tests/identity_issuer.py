"""A real OpenID Connect issuer on loopback, for the tests of sign-in and token validation.

It signs with real RSA keys (made with ``cryptography`` when the issuer starts), publishes
them at a real JWKS endpoint, answers discovery, and runs the authorization code flow with
PKCE (S256) and refresh tokens, as a mail client meets Microsoft Entra ID or Keycloak. It
listens on 127.0.0.1 on a free port (a Werkzeug server in a thread) and is gone after the
``with`` block. Nothing leaves the machine.

Use::

    with LocalIssuer(tenant="contoso", client_id="11111111-...") as issuer:
        app = create_app({**issuer.settings(), "DATABASE_URL": "sqlite://"})
        token = issuer.mint(user="fin")              # a finance person's access token
        client.get(url, headers={"Authorization": f"Bearer {token}"})

- ``issuer.url`` is the issuer id (the ``iss`` of its tokens): ``<base>/<tenant>/v2.0``
  for the Entra-shaped issuer (the default, ``flavour="entra"``: ``tid``, ``oid``, ``scp``,
  ``roles``, ``ver: "2.0"``), ``<base>/realms/<tenant>`` for a Keycloak-shaped one
  (``flavour="oidc"``: ``scope``, ``realm_access.roles``, ``email``).
- ``issuer.settings(**overrides)`` is the service's configuration for this issuer, keyed as
  ``create_app``'s overrides are (``IDENTITY_ISSUER``, ...); ``issuer.environ(**overrides)``
  is the same as ``CAVEAT_``-prefixed environment variables (for a service in another
  process). ``settings(multi_tenant=True)`` gives the Entra multi-tenant form (issuer with
  ``{tenantid}`` and ``IDENTITY_TENANTS``).
- ``issuer.mint(...)`` makes an access token directly; its arguments change one thing at a
  time (audience, tenant, expiry, key id, algorithm, signing key, claims, header) so a test
  can forge exactly the token it means. ``alg="none"`` and HMAC algorithms with any key
  (such as the issuer's public key in PEM, the old algorithm-confusion attack) are written
  here by hand, since PyJWT rightly refuses to make them.
- ``issuer.users`` holds four people: ``ana`` (user), ``fin`` (finance), ``sec``
  (security), ``adm`` (admin); ``issuer.login_as("fin")`` picks who ``/authorize`` signs
  in. With ``issuer.interactive = True`` ``/authorize`` shows a page with one "Sign in"
  button instead of answering at once (for browser tests that must see a sign-in window),
  and answers ``prompt=none`` with ``error=interaction_required``; otherwise it signs the
  ``login_as`` person in at once, as a provider does for someone with a session.
- ``issuer.redirect_uris`` is the allow-list of ``/authorize`` (exact match); a test adds
  its client's redirect URI. ``issuer.rotate()`` replaces the signing key (its ``kid``
  leaves the JWKS); ``issuer.jwks_fetches`` counts requests to the JWKS endpoint.

HTTP endpoints: ``<issuer>/.well-known/openid-configuration``, ``/keys`` (JWKS),
``/authorize``, ``/token`` (``authorization_code`` with ``code_verifier``,
``refresh_token``; ``client_credentials`` is refused: people sign in, services use keys).
Every endpoint answers CORS requests from loopback origins (a task pane served on
``https://localhost:<port>`` calls ``/token`` from the page, as MSAL.js does).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import secrets
import threading
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

#: Token values of the Caveat roles, as an Entra app registration's app roles would name them.
ENTRA_ROLE_VALUES = {
    "finance": "Caveat.Finance",
    "security": "Caveat.Security",
    "admin": "Caveat.Admin",
}
#: The same as Keycloak realm roles.
OIDC_ROLE_VALUES = {
    "finance": "caveat-finance",
    "security": "caveat-security",
    "admin": "caveat-admin",
}

#: The delegated scope the API exposes (IDENTITY_SCOPE's default).
SCOPE = "access_as_user"

#: How long an authorization code may wait for /token.
CODE_SECONDS = 300

_HMAC = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}


@dataclass(frozen=True)
class Person:
    """Someone who can sign in at the issuer."""

    login: str
    name: str
    email: str
    roles: tuple[str, ...]  # Caveat role names (user is implied)
    oid: str = field(default="")


def _people() -> dict[str, Person]:
    made = [
        Person("ana", "Ana Example", "ana@example.org", ()),
        Person("fin", "Finn Ledger", "fin@example.org", ("finance",)),
        Person("sec", "Sam Shield", "sec@example.com", ("security",)),
        Person("adm", "Ada Admin", "adm@example.com", ("admin",)),
    ]
    return {
        p.login: Person(
            p.login, p.name, p.email, p.roles, str(uuid.uuid5(uuid.NAMESPACE_URL, p.email))
        )
        for p in made
    }


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def s256(verifier: str) -> str:
    """PKCE's S256 code challenge of ``verifier`` (RFC 7636, section 4.2)."""
    return b64url(hashlib.sha256(verifier.encode("ascii")).digest())


def _is_loopback_origin(origin: str) -> bool:
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.hostname in ("127.0.0.1", "localhost", "::1")


@dataclass
class _Grant:
    user: str
    client_id: str
    scopes: tuple[str, ...]
    redirect_uri: str
    challenge: str
    nonce: str | None
    expires: float


class LocalIssuer:
    """An OIDC issuer on 127.0.0.1 for the length of a ``with`` block (see the module)."""

    def __init__(
        self,
        tenant: str = "7a1c6f0e-1c2b-4d3e-9f40-5b6a7c8d9e0f",
        client_id: str = "0c8f5e52-3b7d-4a61-8e2f-9d4c1b0a7e36",
        *,
        flavour: str = "entra",
        redirect_uris: Iterable[str] = (),
        token_lifetime: int = 3600,
    ) -> None:
        if flavour not in ("entra", "oidc"):
            raise ValueError("flavour is 'entra' or 'oidc'")
        self.tenant = tenant
        self.client_id = client_id
        self.flavour = flavour
        self.redirect_uris: set[str] = set(redirect_uris)
        self.token_lifetime = token_lifetime
        self.users = _people()
        self.interactive = False
        self.jwks_fetches = 0
        self.requests: list[str] = []  # "METHOD /path" of every request, in order
        self._login = "ana"
        self._lock = threading.Lock()
        self._codes: dict[str, _Grant] = {}
        self._refresh: dict[str, _Grant] = {}
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(8)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self.base = ""

    # ----------------------------------------------------------------- life

    def __enter__(self) -> LocalIssuer:
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.base = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="local-issuer", daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(10)
        self._server = self._thread = None

    # ----------------------------------------------------------------- facts

    @property
    def url(self) -> str:
        """The issuer id, as in every token's ``iss``."""
        return self.issuer_for(self.tenant)

    def issuer_for(self, tenant: str) -> str:
        if self.flavour == "entra":
            return f"{self.base}/{tenant}/v2.0"
        return f"{self.base}/realms/{tenant}"

    @property
    def jwks_url(self) -> str:
        return f"{self.base}/keys"

    @property
    def authorization_endpoint(self) -> str:
        return f"{self.base}/authorize"

    @property
    def token_endpoint(self) -> str:
        return f"{self.base}/token"

    @property
    def public_pem(self) -> bytes:
        """The signing key's public half in PEM (for the HMAC confusion attack)."""
        return self.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    @property
    def role_values(self) -> dict[str, str]:
        return ENTRA_ROLE_VALUES if self.flavour == "entra" else OIDC_ROLE_VALUES

    def settings(self, *, multi_tenant: bool = False, **overrides: Any) -> dict[str, Any]:
        """The service's IDENTITY_* settings for this issuer (``create_app`` keys)."""
        roles = ",".join(f"{role}={value}" for role, value in self.role_values.items())
        out: dict[str, Any] = {
            "IDENTITY_ISSUER": self.url,
            "IDENTITY_CLIENT_ID": self.client_id,
            "IDENTITY_ROLES": roles,
        }
        if self.flavour == "entra":
            out["IDENTITY_TENANTS"] = self.tenant
        else:
            out["IDENTITY_ROLE_CLAIMS"] = "realm_access.roles"
        if multi_tenant:
            out["IDENTITY_ISSUER"] = f"{self.base}/{{tenantid}}/v2.0"
            out["IDENTITY_TENANTS"] = self.tenant
            out["IDENTITY_JWKS_URL"] = self.jwks_url
        out.update(overrides)
        return out

    def environ(self, **overrides: Any) -> dict[str, str]:
        """:meth:`settings` as ``CAVEAT_`` environment variables."""
        return {f"CAVEAT_{k}": str(v) for k, v in self.settings(**overrides).items()}

    def login_as(self, user: str) -> None:
        """Who ``/authorize`` signs in from now on."""
        if user not in self.users:
            raise KeyError(f"no user {user!r} (known: {', '.join(self.users)})")
        self._login = user

    def rotate(self) -> rsa.RSAPrivateKey:
        """Sign with a new key from now on (the old ``kid`` leaves the JWKS); returns the
        old key."""
        old = self.key
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(8)
        return old

    # ----------------------------------------------------------------- tokens

    def claims(
        self,
        user: str = "ana",
        *,
        roles: Iterable[str] = (),
        scope: str | None = None,
        aud: str | list[str] | None = None,
        tid: str | None = None,
        exp_in: int | None = None,
        nbf_in: int = 0,
    ) -> dict[str, Any]:
        """The claims of an access token for ``user`` (see :meth:`mint`)."""
        person = self.users[user]
        now = int(time.time())
        tenant = tid or self.tenant
        values = [self.role_values[r] for r in (*person.roles, *roles) if r in self.role_values]
        values = list(dict.fromkeys(values))
        lifetime = self.token_lifetime if exp_in is None else exp_in
        out: dict[str, Any] = {
            "iss": self.issuer_for(tenant),
            "aud": self.client_id if aud is None else aud,
            "iat": now,
            "nbf": now + nbf_in,
            "exp": now + lifetime,
            "name": person.name,
            "preferred_username": person.email,
            "azp": self.client_id,
            "jti": secrets.token_hex(12),
        }
        if self.flavour == "entra":
            out.update(
                {
                    "sub": b64url(
                        hashlib.sha256(f"{person.oid}/{self.client_id}".encode()).digest()
                    ),
                    "oid": person.oid,
                    "tid": tenant,
                    "ver": "2.0",
                    "scp": SCOPE if scope is None else scope,
                }
            )
            if values:
                out["roles"] = values
        else:
            out.update(
                {
                    "sub": person.oid,
                    "email": person.email,
                    "typ": "Bearer",
                    "scope": f"openid profile email {SCOPE}" if scope is None else scope,
                    "realm_access": {"roles": ["default-roles", *values]},
                }
            )
        return out

    def mint(
        self,
        user: str = "ana",
        roles: Iterable[str] = (),
        scope: str | None = None,
        aud: str | list[str] | None = None,
        tid: str | None = None,
        exp_in: int | None = None,
        nbf_in: int = 0,
        kid: str | None = None,
        alg: str = "RS256",
        key: Any = None,
        extra_claims: Mapping[str, Any] | None = None,
        headers: Mapping[str, Any] | None = None,
    ) -> str:
        """An access token for ``user``, signed by the issuer's current key.

        - ``roles``: Caveat role names added to the person's own (written as the flavour's
          token values: ``Caveat.Finance`` in ``roles`` / ``caveat-finance`` in
          ``realm_access.roles``).
        - ``scope``: the ``scp`` (Entra) or ``scope`` (OIDC) claim; default the API's scope.
        - ``aud``, ``tid``: the audience (default the client id) and tenant (which also goes
          into ``iss``, as Entra does for each tenant).
        - ``exp_in``, ``nbf_in``: seconds from now (negative for the past).
        - ``kid``, ``alg``, ``key``, ``headers``: the header and the signing key (default the
          issuer's). ``alg="none"`` makes an unsigned token; ``HS256``/``384``/``512`` sign
          with ``key`` as the HMAC secret (bytes, e.g. :attr:`public_pem`).
        - ``extra_claims``: set or replace claims; a value of ``None`` removes the claim.
        """
        claims = self.claims(
            user, roles=roles, scope=scope, aud=aud, tid=tid, exp_in=exp_in, nbf_in=nbf_in
        )
        for name, value in (extra_claims or {}).items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        header: dict[str, Any] = {"kid": self.kid if kid is None else kid}
        if self.flavour == "oidc":
            header["typ"] = "JWT"
        header.update(headers or {})
        if alg == "none" or alg in _HMAC:
            return _forge(claims, header, alg, key)
        return jwt.encode(claims, self.key if key is None else key, algorithm=alg, headers=header)

    def id_token(self, user: str, nonce: str | None, tid: str | None = None) -> str:
        person = self.users[user]
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer_for(tid or self.tenant),
            "aud": self.client_id,
            "iat": now,
            "nbf": now,
            "exp": now + self.token_lifetime,
            "sub": person.oid,
            "name": person.name,
            "preferred_username": person.email,
            "email": person.email,
        }
        if self.flavour == "entra":
            claims.update({"oid": person.oid, "tid": tid or self.tenant, "ver": "2.0"})
        if nonce:
            claims["nonce"] = nonce
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid})

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        return {"keys": [jwk]}

    def discovery(self, tenant: str | None = None) -> dict[str, Any]:
        return {
            "issuer": self.issuer_for(tenant or self.tenant),
            "authorization_endpoint": self.authorization_endpoint,
            "token_endpoint": self.token_endpoint,
            "jwks_uri": self.jwks_url,
            "response_types_supported": ["code"],
            "response_modes_supported": ["query", "fragment"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["S256"],
            "subject_types_supported": ["public", "pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile", "email", "offline_access", SCOPE],
            "token_endpoint_auth_methods_supported": ["none"],
        }

    # ----------------------------------------------------------------- HTTP

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        with self._lock:
            self.requests.append(f"{request.method} {request.path}")
        origin = request.headers.get("Origin", "")
        if request.method == "OPTIONS":
            response = Response(status=204)
        else:
            response = self._route(request)
        if origin and _is_loopback_origin(origin):
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Vary"] = "Origin"
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = request.headers.get(
                "Access-Control-Request-Headers", "Content-Type, Authorization"
            )
            response.headers["Access-Control-Max-Age"] = "600"
        return response(environ, start_response)

    def _route(self, request: Request) -> Response:
        path = request.path
        if path.endswith("/.well-known/openid-configuration"):
            tenant = self._tenant_of(path.removesuffix("/.well-known/openid-configuration"))
            if tenant is None:
                return _json({"error": "not_found"}, 404)
            return _json(self.discovery(tenant))
        if path == "/keys" and request.method == "GET":
            with self._lock:
                self.jwks_fetches += 1
            return _json(self.jwks())
        if path == "/authorize":
            return self._authorize(request)
        if path == "/token" and request.method == "POST":
            return self._token(request)
        return _json({"error": "not_found"}, 404)

    def _tenant_of(self, issuer_path: str) -> str | None:
        parts = issuer_path.strip("/").split("/")
        if self.flavour == "entra" and len(parts) == 2 and parts[1] == "v2.0":
            return parts[0]
        if self.flavour == "oidc" and len(parts) == 2 and parts[0] == "realms":
            return parts[1]
        return None

    def _authorize(self, request: Request) -> Response:
        args = request.form if request.method == "POST" else request.args
        client_id = args.get("client_id", "")
        redirect_uri = args.get("redirect_uri", "")
        # Errors before the redirect URI is known good are shown, never redirected.
        if client_id != self.client_id:
            return _page("Sign-in failed: unknown client_id.", 400)
        if redirect_uri not in self.redirect_uris:
            return _page("Sign-in failed: redirect_uri is not registered for this client.", 400)
        state = args.get("state")
        mode = args.get("response_mode", "query")

        def fail(error: str, description: str) -> Response:
            return _redirect(
                redirect_uri,
                mode,
                {"error": error, "error_description": description, "state": state},
            )

        if args.get("response_type") != "code":
            return fail("unsupported_response_type", "only response_type=code is supported")
        if args.get("code_challenge_method") != "S256" or not args.get("code_challenge"):
            return fail("invalid_request", "PKCE with code_challenge_method=S256 is required")
        if mode not in ("query", "fragment"):
            return fail("invalid_request", "response_mode must be query or fragment")
        if self.interactive and request.method == "GET":
            if args.get("prompt") == "none":  # asked to answer without showing a page
                return fail("interaction_required", "the person must sign in")
            return self._consent_page(args)
        grant = _Grant(
            user=self._login,
            client_id=client_id,
            scopes=tuple(args.get("scope", "").split()),
            redirect_uri=redirect_uri,
            challenge=args["code_challenge"],
            nonce=args.get("nonce"),
            expires=time.time() + CODE_SECONDS,
        )
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = grant
        return _redirect(redirect_uri, mode, {"code": code, "state": state})

    def _consent_page(self, args: Mapping[str, str]) -> Response:
        person = self.users[self._login]
        fields = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in args.items()
        )
        body = (
            "<!doctype html><title>Sign in</title>"
            f"<p>Sign in as {html.escape(person.name)} ({html.escape(person.email)})?</p>"
            f'<form method="post" action="/authorize">{fields}'
            '<button id="sign-in" type="submit">Sign in</button></form>'
        )
        return Response(body, mimetype="text/html")

    def _token(self, request: Request) -> Response:
        form = request.form
        grant_type = form.get("grant_type", "")
        if form.get("client_id") != self.client_id:
            return _oauth_error("invalid_client", "unknown client_id", 401)
        if grant_type == "authorization_code":
            with self._lock:
                grant = self._codes.pop(form.get("code", ""), None)
            if grant is None or grant.expires < time.time():
                return _oauth_error("invalid_grant", "the code is unknown, used or expired")
            if form.get("redirect_uri") != grant.redirect_uri:
                return _oauth_error(
                    "invalid_grant", "redirect_uri differs from the authorization request"
                )
            verifier = form.get("code_verifier", "")
            if not verifier or not hmac.compare_digest(s256(verifier), grant.challenge):
                return _oauth_error(
                    "invalid_grant", "code_verifier does not match the code_challenge"
                )
            return self._issue(grant, with_id_token=True)
        if grant_type == "refresh_token":
            with self._lock:
                grant = self._refresh.pop(form.get("refresh_token", ""), None)
            if grant is None:
                return _oauth_error("invalid_grant", "the refresh token is unknown or was used")
            if form.get("scope"):
                grant.scopes = tuple(form["scope"].split())
            return self._issue(grant, with_id_token=False)
        if grant_type == "client_credentials":
            return _oauth_error(
                "unauthorized_client", "this issuer signs in people only (services use keys)"
            )
        return _oauth_error("unsupported_grant_type", f"grant_type {grant_type!r} is not supported")

    def _api_scopes(self, scopes: Iterable[str]) -> list[str]:
        """The API's own scopes asked for (Entra's ``api://<id>/name`` or a bare name)."""
        out = []
        for s in scopes:
            for prefix in (f"api://{self.client_id}/", f"{self.client_id}/"):
                if s.startswith(prefix):
                    s = s.removeprefix(prefix)
                    break
            else:
                if "/" in s or s in ("openid", "profile", "email", "offline_access"):
                    continue
            out.append(s)
        return out

    def _issue(self, grant: _Grant, with_id_token: bool) -> Response:
        api = self._api_scopes(grant.scopes)
        if self.flavour == "entra":
            scope_claim = " ".join(api)
            granted = " ".join(f"api://{self.client_id}/{s}" for s in api)
        else:
            scope_claim = " ".join(s for s in grant.scopes if s != "offline_access")
            granted = scope_claim
        access = self.mint(
            grant.user,
            scope=scope_claim,
            extra_claims={} if scope_claim else {"scp": None, "scope": None},
        )
        refresh = secrets.token_urlsafe(32)
        with self._lock:
            self._refresh[refresh] = grant
        body: dict[str, Any] = {
            "token_type": "Bearer",
            "access_token": access,
            "expires_in": self.token_lifetime,
            "scope": granted,
            "refresh_token": refresh,
        }
        if with_id_token and "openid" in grant.scopes:
            body["id_token"] = self.id_token(grant.user, grant.nonce)
        return _json(body)


def _forge(claims: Mapping[str, Any], header: Mapping[str, Any], alg: str, key: Any) -> str:
    """A token PyJWT will not make: unsigned, or HMAC-signed with any bytes as the secret."""
    head = b64url(json.dumps({**header, "alg": alg, "typ": "JWT"}, separators=(",", ":")).encode())
    body = b64url(json.dumps(dict(claims), separators=(",", ":")).encode())
    signing_input = f"{head}.{body}".encode("ascii")
    if alg == "none":
        return f"{head}.{body}."
    secret = key if isinstance(key, bytes) else str(key or "").encode()
    mac = hmac.new(secret, signing_input, _HMAC[alg]).digest()
    return f"{head}.{body}.{b64url(mac)}"


def _json(body: Any, status: int = 200) -> Response:
    response = Response(json.dumps(body), status=status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


def _oauth_error(error: str, description: str, status: int = 400) -> Response:
    return _json({"error": error, "error_description": description}, status)


def _page(text: str, status: int) -> Response:
    return Response(
        f"<!doctype html><p>{html.escape(text)}</p>", status=status, mimetype="text/html"
    )


def _redirect(uri: str, mode: str, params: Mapping[str, str | None]) -> Response:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    joiner = "#" if mode == "fragment" else ("&" if "?" in uri else "?")
    response = Response(status=302)
    response.headers["Location"] = f"{uri}{joiner}{query}"
    response.headers["Cache-Control"] = "no-store"
    return response
