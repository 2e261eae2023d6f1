"""What the service needs to know about the organisation's identity provider.

Built from the ``IDENTITY_*`` settings (:func:`caveat.service.settings.identity_config`),
which have been checked one by one; :meth:`IdentityConfig.build` checks how they fit
together and raises :class:`IdentityConfigError` naming the setting at fault.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from caveat.knowledge.people_csv import GROUPS

from .permissions import ROLES

#: The template variable of a multi-tenant Entra issuer, filled with the token's own ``tid``.
TENANT_TEMPLATE = "{tenantid}"
#: Microsoft's sign-in hosts (public cloud and national clouds).
MICROSOFT_HOSTS = frozenset(
    {"login.microsoftonline.com", "login.microsoftonline.us", "login.partner.microsoftonline.cn"}
)
DEFAULT_SCOPE = "access_as_user"
DEFAULT_ROLE_CLAIMS = ("roles", "groups")
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class IdentityConfigError(ValueError):
    """The IDENTITY_* settings do not fit together; the message names the setting."""


def is_loopback(url: str) -> bool:
    return (urlsplit(url).hostname or "") in LOOPBACK_HOSTS


def check_url(url: str, where: str) -> str:
    """``url`` if it is https (or http on a loopback host, for tests and local issuers)."""
    parts = urlsplit(url)
    if parts.query or parts.fragment or not parts.hostname:
        raise IdentityConfigError(f"{where}: must be a URL without query or fragment, got {url!r}")
    if parts.scheme == "https" or (parts.scheme == "http" and is_loopback(url)):
        return url.rstrip("/")
    raise IdentityConfigError(
        f"{where}: must be an https URL (http only on a loopback host), got {url!r}"
    )


_CLAIM_PATH = re.compile(r"[A-Za-z0-9_:$-]+(\.[A-Za-z0-9_:$-]+)*")


def check_claim_path(path: str, where: str) -> str:
    """``path`` if it names a claim (``jobTitle``, ``extn.department``,
    ``extension_<app id>_department``; dots reach inside one), or "" for none."""
    path = path.strip()
    if path and (len(path) > 200 or not _CLAIM_PATH.fullmatch(path)):
        raise IdentityConfigError(
            f"{where}: must be a claim name (dots reach inside one: extn.department), "
            f"got {path[:60]!r}"
        )
    return path


@dataclass(frozen=True)
class IdentityConfig:
    """The identity provider whose tokens the service accepts."""

    #: the ``iss`` of tokens; may hold ``{tenantid}``
    issuer: str
    client_id: str
    audiences: tuple[str, ...]
    #: accepted ``tid`` values; empty: tokens need no ``tid``
    tenants: frozenset[str]
    #: the delegated scope user tokens must carry
    scope: str
    #: what clients ask the provider for
    request_scopes: tuple[str, ...]
    #: token value (app role, group id, realm role) -> the Caveat roles it grants
    role_map: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: claims (dotted paths allowed) the role values are read from
    role_claims: tuple[str, ...] = DEFAULT_ROLE_CLAIMS
    jwks_url: str | None = None
    authority: str = ""
    #: the claims (dotted paths) a person's job title and department are read from, or ""
    title_claim: str = ""
    department_claim: str = ""
    #: token values (read from ``role_claims``) that mark an executive
    executive_values: frozenset[str] = frozenset()
    #: token value -> the people directory group it places a person in (finance, hr,
    #: executive_support)
    group_map: Mapping[str, str] = field(default_factory=dict)

    @property
    def multi_tenant(self) -> bool:
        return TENANT_TEMPLATE in self.issuer

    @property
    def microsoft(self) -> bool:
        """The issuer is Microsoft Entra ID's own sign-in host."""
        return (urlsplit(self.issuer).hostname or "") in MICROSOFT_HOSTS

    @property
    def entra_shaped(self) -> bool:
        """Tokens carry ``tid`` and ``scp`` as Entra's do, and clients ask for
        ``api://<client id>/<scope>``."""
        return self.microsoft or self.multi_tenant or bool(self.tenants)

    def issuer_for(self, tenant: str) -> str:
        return self.issuer.replace(TENANT_TEMPLATE, tenant)

    @property
    def metadata_issuer(self) -> str:
        """An issuer whose discovery document describes the provider (a multi-tenant
        template is read for one of its tenants)."""
        if self.multi_tenant:
            return self.issuer_for(sorted(self.tenants)[0])
        return self.issuer

    @property
    def discovery_url(self) -> str:
        return self.metadata_issuer + "/.well-known/openid-configuration"

    def roles_of(self, values: Iterable[str]) -> frozenset[str]:
        out: set[str] = set()
        for value in values:
            out |= self.role_map.get(value, frozenset())
        return frozenset(out)

    def group_of(self, values: Iterable[str]) -> str:
        """The people directory group the token values place a person in, or "" (the
        first of :data:`GROUPS` when several do)."""
        held = {self.group_map[v] for v in values if v in self.group_map}
        return next((g for g in GROUPS if g in held), "")

    @classmethod
    def build(
        cls,
        *,
        issuer: str,
        client_id: str | None,
        audiences: Iterable[str] = (),
        tenants: Iterable[str] = (),
        scope: str | None = None,
        request_scopes: Iterable[str] = (),
        roles: Mapping[str, Iterable[str]] | None = None,
        role_claims: Iterable[str] = (),
        jwks_url: str | None = None,
        authority: str | None = None,
        title_claim: str | None = None,
        department_claim: str | None = None,
        executive_values: Iterable[str] = (),
        groups: Mapping[str, Iterable[str]] | None = None,
    ) -> IdentityConfig:
        issuer = check_url(issuer, "IDENTITY_ISSUER")
        if not client_id:
            raise IdentityConfigError(
                "IDENTITY_CLIENT_ID: required when IDENTITY_ISSUER is set "
                "(the app registration's client id)"
            )
        tenant_set = frozenset(tenants)
        if TENANT_TEMPLATE in issuer and not tenant_set:
            raise IdentityConfigError(
                "IDENTITY_TENANTS: required when IDENTITY_ISSUER holds {tenantid} "
                "(the tenant ids whose people may sign in)"
            )
        role_map: dict[str, set[str]] = {}
        for role, values in (roles or {}).items():
            if role not in ROLES:
                raise IdentityConfigError(
                    f"IDENTITY_ROLES: no role {role!r} (roles: {', '.join(ROLES)})"
                )
            for value in values:
                role_map.setdefault(value, set()).add(role)
        group_map: dict[str, str] = {}
        for group, values in (groups or {}).items():
            if group not in GROUPS:
                raise IdentityConfigError(
                    f"IDENTITY_SENSITIVE_GROUPS: no group {group!r} (groups: {', '.join(GROUPS)})"
                )
            for value in values:
                if group_map.setdefault(value, group) != group:
                    raise IdentityConfigError(
                        f"IDENTITY_SENSITIVE_GROUPS: {value!r} is given for two groups "
                        f"({group_map[value]} and {group})"
                    )
        scope = scope or DEFAULT_SCOPE
        config = cls(
            issuer=issuer,
            client_id=client_id,
            audiences=tuple(audiences) or (f"api://{client_id}", client_id),
            tenants=tenant_set,
            scope=scope,
            request_scopes=(),
            role_map={v: frozenset(r) for v, r in role_map.items()},
            role_claims=tuple(role_claims) or DEFAULT_ROLE_CLAIMS,
            jwks_url=check_url(jwks_url, "IDENTITY_JWKS_URL") if jwks_url else None,
            authority="",
            title_claim=check_claim_path(title_claim or "", "IDENTITY_CLAIM_TITLE"),
            department_claim=check_claim_path(department_claim or "", "IDENTITY_CLAIM_DEPARTMENT"),
            executive_values=frozenset(executive_values),
            group_map=group_map,
        )
        asked = tuple(request_scopes)
        if not asked:
            if config.entra_shaped:
                asked = (f"api://{client_id}/{scope}",)
            else:
                asked = ("openid", scope)
        if authority:
            where = check_url(authority, "IDENTITY_AUTHORITY")
        elif config.microsoft and config.multi_tenant:
            where = f"https://{urlsplit(issuer).hostname}/organizations"
        elif config.entra_shaped:
            where = config.metadata_issuer.removesuffix("/v2.0")
        else:
            where = issuer
        jwks = config.jwks_url
        if config.multi_tenant and config.microsoft and not jwks:
            jwks = f"https://{urlsplit(issuer).hostname}/common/discovery/v2.0/keys"
        return replace(config, request_scopes=asked, authority=where, jwks_url=jwks)
