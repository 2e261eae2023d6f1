"""``caveat database prune``: the retention sweep the service runs on its own once per
RETENTION_INTERVAL_MINUTES (:mod:`caveat.storage.retention`), run now and to the end, with
what it deleted printed.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from caveat.service.settings import SettingsError, load_settings, retention
from caveat.storage.retention import run
from caveat.storage.store import StorageError

from .common import add_db_option, count, open_store

PROG = "caveat database"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "database",
        help="look after the database (retention)",
        description="Look after the database the service and the commands share.",
    )
    actions = p.add_subparsers(dest="database_action", required=True, metavar="ACTION")
    prune = actions.add_parser(
        "prune",
        help="delete what is past its retention, now",
        description="Delete every row past its retention now and print what went: the "
        "conversation memory (MEMORY_RETENTION_DAYS), reports (REPORT_RETENTION_DAYS), "
        "revoked service keys (REVOKED_KEY_RETENTION_DAYS), the overview's warning tally "
        "(WARNING_TALLY_RETENTION_DAYS), and the admin console's ended sessions, lapsed "
        "sign-ins, lapsed first-run links and one-time form ids. The service does the same "
        "on its own once per RETENTION_INTERVAL_MINUTES.",
    )
    prune.add_argument("--json", action="store_true", help="one JSON object on stdout")
    add_db_option(prune, "default: DATABASE_URL, by default the SQLite file in the instance folder")
    prune.set_defaults(func=run_prune)


def run_prune(
    args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    try:
        policy = retention(load_settings({"DATABASE_URL": args.db} if args.db else None))
        store = open_store(args.db)
    except (SettingsError, StorageError) as exc:
        print(f"{PROG} prune: {exc}", file=err)
        return 2
    try:
        result = run(store, policy, force=True)
    except StorageError as exc:
        print(f"{PROG} prune: {exc}", file=err)
        return 2
    finally:
        store.dispose()
    assert result is not None  # forced: the claim always succeeds
    if args.json:
        out.write(json.dumps({"deleted": result.deleted, "total": result.total}) + "\n")
        return 0
    out.write(
        f"Kept: the conversation memory {policy.memory_days} days after it was last seen, "
        f"reports {policy.report_days} days, revoked API keys {policy.revoked_key_days} days "
        f"after revocation, the warning tally {policy.tally_days} days; the console's "
        "sessions, sign-ins, first-run links and form ids while they work.\n"
    )
    if not result.total:
        out.write("Nothing was past its retention.\n")
        return 0
    width = max(len(k) for k in result.deleted)
    for table, n in result.deleted.items():
        if n:
            out.write(f"  {table.ljust(width)}  {n:,}\n")
    out.write(f"Deleted {count(result.total, 'row')}.\n")
    return 0
