"""Options and checks shared by the sub-commands."""

from __future__ import annotations

import argparse

from caveat.storage.store import KeyRecord, Store

#: What a key inside an add-in (the local demo's key-in-manifest mode) may grant at most:
#: what a mail client asks of the service. Everyone who receives the add-in holds the key.
ADDIN_KEY_SCOPES = frozenset({"analyze", "report", "contacts"})


def count(n: int, singular: str, plural: str | None = None) -> str:
    """``1 row``, ``2 rows``: a number with its noun in the right number."""
    return f"{n:,} {singular if n == 1 else (plural or singular + 's')}"


def add_db_option(parser: argparse.ArgumentParser, default_help: str) -> None:
    parser.add_argument(
        "--db",
        metavar="URL",
        default=None,
        help=f"the store: sqlite:///PATH, sqlite:// (throw-away), postgresql://... "
        f"({default_help})",
    )


def addin_key_problem(
    store: Store, key: str, source: str, remedy: str
) -> tuple[KeyRecord | None, str]:
    """The key record when ``key`` may ride in an add-in that every user receives (an
    active key of this store that can only ask for analyses); otherwise (None, why not).
    ``source`` says where the key came from, ``remedy`` how to get a usable one."""
    found = store.verify_key(key)
    if found is None:
        return None, (
            f"the key from {source} is not an active API key of this store (unknown, "
            f"revoked or expired); {remedy}"
        )
    if found.admin:
        return None, (
            f"the key from {source} is an admin key (id {found.id}); the add-in must carry "
            "a key that can only ask for analyses: every user receives it"
        )
    beyond = found.scopes - ADDIN_KEY_SCOPES
    if beyond:
        return None, (
            f"the key from {source} (id {found.id}) grants {', '.join(sorted(beyond))}; the "
            f"add-in must carry a key with no scope beyond {', '.join(sorted(ADDIN_KEY_SCOPES))}: "
            "every user receives it"
        )
    return found, ""
