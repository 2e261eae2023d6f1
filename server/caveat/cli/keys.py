"""``caveat keys``: create, list and revoke the API keys clients authenticate with.

A key is shown once, when it is created; the store keeps only its SHA-256 hash and its
first characters (the prefix), which listings show so keys can be told apart.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import TextIO

from caveat.service.settings import SettingsError
from caveat.storage.store import (
    KEY_CACHE_SECONDS,
    AmbiguousKey,
    KeyNotFound,
    KeyRecord,
    StorageError,
    Store,
)

from .common import add_db_option
from .database import open_store

PROG = "caveat keys"
_DB_HELP = "default: DATABASE_URL, by default the SQLite file in the instance folder"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "keys",
        help="create, list and revoke API keys",
        description="API keys for the add-ins and other clients. A key is shown only when "
        "it is created; the store keeps its hash.",
    )
    actions = p.add_subparsers(dest="keys_action", required=True, metavar="ACTION")

    create = actions.add_parser(
        "create",
        help="create a key and show it once",
        description="Create an API key. "
        "The key is printed on stdout, once: store it now, it cannot be shown again.",
    )
    create.add_argument("name", metavar="NAME", help="what the key is for, e.g. outlook-addin")
    create.add_argument(
        "--admin",
        action="store_true",
        help="the key may also change the partner directory through the API (for "
        "administrators' tools, never for the mail-client add-ins)",
    )
    add_db_option(create, _DB_HELP)
    create.set_defaults(func=run_create)

    listing = actions.add_parser("list", help="list keys (never the keys themselves)")
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


def _open(args: argparse.Namespace, err: TextIO) -> Store | None:
    try:
        return open_store(args.db)
    except (SettingsError, StorageError) as exc:
        _fail(err, str(exc))
        return None


def run_create(
    args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    store = _open(args, err)
    if store is None:
        return 2
    try:
        record, key = store.create_key(args.name, admin=args.admin)
    except ValueError as exc:
        return _fail(err, str(exc))
    except StorageError as exc:
        return _fail(err, str(exc))
    finally:
        store.dispose()
    print(
        f"Created {'an admin' if record.admin else 'an'} API key {record.id} "
        f"({record.name}, prefix {record.prefix}). "
        "It is shown only this once and cannot be recovered: store it now.",
        file=err,
    )
    print(key, file=out)
    return 0


def run_list(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    store = _open(args, err)
    if store is None:
        return 2
    try:
        records = store.list_keys()
    except StorageError as exc:
        return _fail(err, str(exc))
    finally:
        store.dispose()
    if args.json:
        for r in records:
            out.write(json.dumps(_as_json(r)) + "\n")
        return 0
    if not records:
        print("No API keys. Create one with: caveat keys create NAME", file=err)
        return 0
    rows = [("ID", "PREFIX", "NAME", "CREATED", "LAST USED", "STATUS")]
    for r in records:
        status = "active" if r.active else f"revoked {_when(r.revoked_at)}"
        if r.admin:
            status += ", admin"
        rows.append(
            (str(r.id), r.prefix, r.name, _when(r.created_at), _when(r.last_used_at), status)
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(w) for cell, w in zip(row, widths, strict=False)]
        out.write("  ".join([*cells, row[-1]]).rstrip() + "\n")
    return 0


def run_revoke(
    args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    store = _open(args, err)
    if store is None:
        return 2
    try:
        found = store.find_key(args.ref)
        if not found.active:
            out.write(
                f"API key {found.id} ({found.name}, {found.prefix}) was already revoked "
                f"{_when(found.revoked_at)}.\n"
            )
            return 0
        record = store.revoke_key(found.id)
    except (KeyNotFound, AmbiguousKey) as exc:
        return _fail(err, str(exc.args[0]))
    except StorageError as exc:
        return _fail(err, str(exc))
    finally:
        store.dispose()
    out.write(
        f"Revoked API key {record.id} ({record.name}, {record.prefix}); running servers "
        f"refuse it within {KEY_CACHE_SECONDS:g} seconds.\n"
    )
    return 0


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "never"


def _as_json(r: KeyRecord) -> dict[str, object]:
    return {
        "id": r.id,
        "name": r.name,
        "prefix": r.prefix,
        "created_at": r.created_at.isoformat(),
        "last_used_at": r.last_used_at.isoformat() if r.last_used_at else None,
        "revoked_at": r.revoked_at.isoformat() if r.revoked_at else None,
        "active": r.active,
        "admin": r.admin,
    }
