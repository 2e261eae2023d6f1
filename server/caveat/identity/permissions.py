"""What a caller may do: permissions, and the roles that grant them.

Every ``/api/v1`` route needs one permission. People get theirs from their roles (taken
from their identity provider's token, mapped in configuration); service keys get theirs
when made (``caveat keys create NAME --scope ...``). The names are a contract: they are
stored with keys, written in configuration and shown in the OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Iterable

#: Each permission, with what it allows.
PERMISSIONS: dict[str, str] = {
    "analyze": "analyse messages and drafts (POST /analyze, POST /recipients, GET /checks)",
    "report": "report a message as fraud (POST /reports)",
    "contacts": "read a partner's contacts on file to verify a sender (GET /senders/contact)",
    "reports.read": "read the reports filed by users (GET /reports)",
    "directory": "read and change the partner directory (GET and PUT /partners)",
    "verify": "record and read the outcomes of calls that verify a partner's bank details",
    "approve": "approve a verified account onto the directory's accounts on file",
    "triage": "confirm or dismiss users' reports (turning confirmed ones into indicators)",
    "intel": "list, add, import and expire fraud indicators",
    "audit": "read and export the audit log",
}

#: What only people may do, in the admin console (``/admin``): never a service key's
#: scope (:func:`check_permissions` refuses them), granted by the ``admin`` role.
CONSOLE_PERMISSIONS: dict[str, str] = {
    "keys": "make, scope, expire and revoke service keys in the admin console",
    "settings": "see the deployment's settings and health, download the add-ins, send a test alert",
}

#: Everyone signed in is a ``user``; the other roles come from the token.
ROLES: tuple[str, ...] = ("user", "finance", "security", "admin")

#: What each role may do. A person holds the union over their roles.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "user": frozenset({"analyze", "report"}),
    "finance": frozenset({"analyze", "report", "contacts", "verify"}),
    "security": frozenset({"analyze", "report", "reports.read", "triage", "intel"}),
    "admin": frozenset(PERMISSIONS) | frozenset(CONSOLE_PERMISSIONS),
}


#: What a service key may not do while people sign in (SERVICE_KEYS_FOR_PEOPLE off): the
#: actions a record names a person for (a report, a verified call, an approval, a triage
#: decision) and reading partners' phone numbers. Scripts keep the rest: analysing mail,
#: reading reports, syncing the directory, feeding indicators, exporting the audit log.
PERSONAL: frozenset[str] = frozenset({"report", "contacts", "verify", "approve", "triage"})


class UnknownName(ValueError):
    """A role or permission name that is not one of ours."""


def check_permissions(names: Iterable[str]) -> frozenset[str]:
    """``names`` as a set, or :class:`UnknownName` naming the first that is not a permission."""
    out = set()
    for name in names:
        if name not in PERMISSIONS:
            known = ", ".join(PERMISSIONS)
            raise UnknownName(f"no permission {name!r} (known: {known})")
        out.add(name)
    return frozenset(out)


def permissions_of(roles: Iterable[str]) -> frozenset[str]:
    """What a person holding ``roles`` may do (unknown roles grant nothing)."""
    out: set[str] = set()
    for role in roles:
        out |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(out)
