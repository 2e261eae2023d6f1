"""``caveat keys``: create, list and revoke service keys.

Service keys are for scripts and tools (a SIEM pulling reports, a directory sync, the CLI
against a remote service); people sign in with the organisation's identity provider
(docs/identity.md). Each key is named, grants the permissions it was made with (its
scopes) and expires, by default a year after it is made.

A key is shown once, when it is created; the store keeps only its SHA-256 hash and its
first characters (the prefix), which listings show so keys can be told apart.

Creating and revoking go through :mod:`caveat.service.keys`, as the admin console's do: each
writes an audit row (``key.create``, ``key.revoke``) naming the operator at the command
line, in the same transaction as the change.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from typing import TextIO

from caveat.identity.permissions import PERMISSIONS
from caveat.service import keys as service_keys
from caveat.service.keys import DEFAULT_EXPIRY_DAYS, MAX_EXPIRY_DAYS
from caveat.storage.store import (
    KEY_CACHE_SECONDS,
    AmbiguousKey,
    KeyNotFound,
    KeyRecord,
)

from .common import EXPIRES_HELP, add_db_option, opened, operator, parse_expiry, stops

PROG = "caveat keys"
_DB_HELP = "default: DATABASE_URL, by default the SQLite file in the instance folder"


def parse_scopes(values: list[str]) -> frozenset[str]:
    """The scopes of repeated ``--scope`` options (each may also list several, separated
    by commas or spaces); ValueError naming the known ones for an unknown one."""
    names = [name for value in values for name in value.replace(",", " ").split()]
    unknown = [name for name in names if name not in PERMISSIONS]
    if unknown:
        raise ValueError(
            f"no scope {unknown[0]!r}; the scopes are: "
            + "; ".join(f"{name}: {what}" for name, what in PERMISSIONS.items())
        )
    return frozenset(names)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "keys",
        help="create, list and revoke service keys",
        description="Service keys for scripts and tools: named, scoped, expiring. A key is "
        "shown only when it is created; the store keeps its hash.",
    )
    actions = p.add_subparsers(dest="keys_action", required=True, metavar="ACTION")

    known = ", ".join(PERMISSIONS)
    create = actions.add_parser(
        "create",
        help="create a service key and show it once",
        description="Create a service key for a script or tool (people sign in with the "
        "identity provider instead: docs/identity.md). It grants only the scopes given "
        f"({known}) and expires after {DEFAULT_EXPIRY_DAYS} days unless --expires says "
        "otherwise. The key is printed on stdout, once: store it now, it cannot be shown "
        "again.",
    )
    create.add_argument("name", metavar="NAME", help="what the key is for, e.g. siem-export")
    create.add_argument(
        "--scope",
        action="append",
        default=[],
        metavar="SCOPE",
        help=f"a permission the key grants, repeated for several: {known}",
    )
    create.add_argument(
        "--admin",
        action="store_true",
        help="the key grants every permission (administrators' tools only, never a key "
        "that ships inside an add-in)",
    )
    create.add_argument(
        "--expires",
        metavar="WHEN",
        default=f"{DEFAULT_EXPIRY_DAYS}d",
        help=f"when the key stops working: {EXPIRES_HELP} (default: {DEFAULT_EXPIRY_DAYS}d)",
    )
    add_db_option(create, _DB_HELP)
    create.set_defaults(func=run_create)

    listing = actions.add_parser(
        "list",
        help="list keys with their scopes and expiry (never the keys themselves)",
    )
    listing.add_argument("--json", action="store_true", help="one JSON object per key per line")
    add_db_option(listing, _DB_HELP)
    listing.set_defaults(func=run_list)

    revoke = actions.add_parser(
        "revoke",
        help="revoke a key by id or prefix",
        description="Revoke a key: requests with it are refused from now on.",
    )
    revoke.add_argument("ref", metavar="ID|PREFIX", help="the key's id or its prefix (cav_...)")
    add_db_option(revoke, _DB_HELP)
    revoke.set_defaults(func=run_revoke)


def _fail(err: TextIO, message: str) -> int:
    print(f"{PROG}: {message}", file=err)
    return 2


@stops
def run_create(
    args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    try:
        scopes = parse_scopes(args.scope)
    except ValueError as exc:
        return _fail(err, str(exc))
    if not scopes and not args.admin:
        return _fail(
            err,
            "say what the key may do: --scope SCOPE (repeat for several; the scopes are "
            f"{', '.join(PERMISSIONS)}) or --admin for every permission",
        )
    with opened(args.db, PROG, err) as store:
        try:
            expires_at = parse_expiry(args.expires, store.clock(), longest_days=MAX_EXPIRY_DAYS)
            record, key = service_keys.create(
                store, operator(), args.name, scopes, expires_at, admin=args.admin
            )
        except ValueError as exc:  # KeyRequestError is one too
            return _fail(err, str(exc))
    print(
        f"Created {'an admin' if record.admin else 'a'} service key {record.id} "
        f"({record.name}, prefix {record.prefix}) for {_scopes(record)}, "
        f"{_expiry(record)}. It is shown only this once and cannot be recovered: store it "
        "now.",
        file=err,
    )
    print(key, file=out)
    return 0


@stops
def run_list(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    with opened(args.db, PROG, err) as store:
        records = store.list_keys()
        now = store.clock()
    if args.json:
        for r in records:
            out.write(json.dumps(_as_json(r, now)) + "\n")
        return 0
    if not records:
        print("No service keys. Create one with: caveat keys create NAME --scope SCOPE", file=err)
        return 0
    rows = [("ID", "PREFIX", "NAME", "SCOPES", "CREATED", "EXPIRES", "LAST USED", "STATUS")]
    for r in records:
        if not r.active:
            status = f"revoked {_when(r.revoked_at)}"
        elif r.expired(now):
            status = "expired"
        else:
            status = "active"
        rows.append(
            (
                str(r.id),
                r.prefix,
                r.name,
                "all (admin)" if r.admin else ",".join(sorted(r.scopes)) or "none",
                _when(r.created_at),
                _when(r.expires_at),
                _when(r.last_used_at),
                status,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(w) for cell, w in zip(row, widths, strict=False)]
        out.write("  ".join([*cells, row[-1]]).rstrip() + "\n")
    return 0


@stops
def run_revoke(
    args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    with opened(args.db, PROG, err) as store:
        try:
            record, changed = service_keys.revoke(store, operator(), args.ref)
        except (KeyNotFound, AmbiguousKey) as exc:
            return _fail(err, str(exc.args[0]))
    if not changed:
        out.write(
            f"API key {record.id} ({record.name}, {record.prefix}) was already revoked "
            f"{_when(record.revoked_at)}.\n"
        )
        return 0
    out.write(
        f"Revoked API key {record.id} ({record.name}, {record.prefix}); running servers "
        f"refuse it within {KEY_CACHE_SECONDS:g} seconds.\n"
    )
    return 0


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else "never"


def _scopes(r: KeyRecord) -> str:
    return "every permission" if r.admin else ", ".join(sorted(r.scopes))


def _expiry(r: KeyRecord) -> str:
    return f"expiring {_when(r.expires_at)}" if r.expires_at else "never expiring"


def _as_json(r: KeyRecord, now: datetime) -> dict[str, object]:
    return {
        "id": r.id,
        "name": r.name,
        "prefix": r.prefix,
        "scopes": sorted(r.scopes),
        "created_at": r.created_at.isoformat(),
        "expires_at": r.expires_at.isoformat() if r.expires_at else None,
        "last_used_at": r.last_used_at.isoformat() if r.last_used_at else None,
        "revoked_at": r.revoked_at.isoformat() if r.revoked_at else None,
        # usable now: neither revoked nor expired
        "active": r.usable(now),
        "expired": r.expired(now),
        "admin": r.admin,
    }
