"""Who is calling: one person signed in with the organisation's identity provider, or one
service key. The API sets it for each request (``flask.g.principal``) and every recorded
action takes its actor from it, never from the request body."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .permissions import permissions_of

PERSON = "person"
SERVICE = "service"


@dataclass(frozen=True)
class Profile:
    """What the identity provider's token says of a person for the people directory, as
    the IDENTITY_CLAIM_* and IDENTITY_*_GROUPS settings read it ("" / False where the
    token says nothing)."""

    title: str = ""
    department: str = ""
    #: finance, hr, executive_support or ""
    group: str = ""
    executive: bool = False


NO_PROFILE = Profile()


@dataclass(frozen=True)
class Principal:
    #: ``person`` (a token of the identity provider) or ``service`` (a service key)
    kind: str
    #: the person's stable id at the provider (Entra's ``oid``, else ``sub``); ``key:<id>``
    subject: str
    #: the person's tenant (``tid``), None for other providers and for keys
    tenant: str | None
    #: the display name (``name``), or the key's name
    name: str
    #: the sign-in name (``preferred_username``, ``email`` or ``upn``), or the key's name
    username: str
    roles: frozenset[str]
    permissions: frozenset[str]
    key_id: int | None = None
    #: a person's title, department, group and executive flag from their token
    profile: Profile = NO_PROFILE

    @classmethod
    def person(
        cls,
        *,
        subject: str,
        tenant: str | None,
        name: str,
        username: str,
        roles: Iterable[str],
        profile: Profile = NO_PROFILE,
    ) -> Principal:
        """A signed-in person: everyone is a ``user``; ``roles`` adds the others."""
        held = frozenset({"user", *roles})
        return cls(
            PERSON, subject, tenant, name, username, held, permissions_of(held), None, profile
        )

    @classmethod
    def service_key(cls, key_id: int, name: str, permissions: Iterable[str]) -> Principal:
        """A service key, with the permissions it was made with."""
        return cls(
            SERVICE, f"key:{key_id}", None, name, name, frozenset(), frozenset(permissions), key_id
        )

    @property
    def is_person(self) -> bool:
        return self.kind == PERSON

    @property
    def label(self) -> str:
        """What records and logs show: ``Ana Example <ana@example.org>``, or
        ``service key NAME``."""
        if not self.is_person:
            return f"service key {self.name}"
        if self.name and self.username and self.name != self.username:
            return f"{self.name} <{self.username}>"
        return self.username or self.name or self.subject

    @property
    def counter(self) -> str:
        """The id its requests are counted under for rate limits (stable, not secret)."""
        if not self.is_person:
            return self.subject
        return f"person:{self.tenant or ''}:{self.subject}"

    def may(self, permission: str) -> bool:
        return permission in self.permissions
