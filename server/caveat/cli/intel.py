"""``caveat intel``: import, list and remove fraud indicators.

    caveat intel import FILE.csv [--expires WHEN] [--db URL]
    caveat intel list [--all] [--kind KIND] [--json] [--db URL]
    caveat intel remove ID [--db URL]

The file is the indicators CSV of PRODUCT.md (``kind,value,note``; kinds ``address``,
``domain``, ``account``, ``phone``): known fraud shared by banks, sector ISACs or our own
confirmed reports. A file with an unknown kind or a malformed value is refused whole, each
bad line named, and nothing of it is kept. Every change is recorded in the audit log as
made by the operator's login at the command line; running services see it within seconds.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from caveat.knowledge.indicators_csv import IndicatorFileError, parse_indicators_csv
from caveat.knowledge.shared import KINDS
from caveat.storage.indicators import IndicatorStore

from .common import EXPIRES_HELP, add_db_option, count, opened, operator, parse_expiry, stops

PROG = "caveat intel"
_DB_HELP = "default: DATABASE_URL, by default the SQLite file in the instance folder"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "intel",
        help="import, list and remove fraud indicators",
        description="Fraud indicators: addresses, domains, bank accounts and phone numbers "
        "known to be used for fraud. A message or draft carrying one gets a danger finding "
        "of the reported_sender family.",
    )
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    imp = actions.add_parser(
        "import", help="load an indicators CSV (kind,value,note); a bad file is refused whole"
    )
    imp.add_argument("file", type=Path, metavar="FILE.csv")
    imp.add_argument(
        "--expires",
        metavar="WHEN",
        help=f"when the file's indicators stop counting: {EXPIRES_HELP} (default: never)",
    )
    add_db_option(imp, _DB_HELP)
    imp.set_defaults(func=run_import)
    ls = actions.add_parser("list", help="show the indicators in force")
    ls.add_argument("--all", action="store_true", help="also the removed and expired ones")
    ls.add_argument("--kind", choices=KINDS, help="only this kind")
    ls.add_argument("--json", action="store_true", help="one JSON object per indicator")
    add_db_option(ls, _DB_HELP)
    ls.set_defaults(func=run_list)
    rm = actions.add_parser("remove", help="stop an indicator counting (it stays on record)")
    rm.add_argument("id", type=int, metavar="ID")
    add_db_option(rm, _DB_HELP)
    rm.set_defaults(func=run_remove)


@stops
def run_import(
    args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    prog = f"{PROG} import"
    try:
        expires_at = parse_expiry(args.expires, datetime.now(UTC)) if args.expires else None
    except ValueError as exc:
        print(f"{prog}: {exc}", file=err)
        return 2
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        print(f"{prog}: {args.file}: {exc.strerror or exc}", file=err)
        return 2
    try:
        parsed = parse_indicators_csv(data)
    except IndicatorFileError as exc:
        for line, message in exc.problems:
            where = f"{args.file}, line {line}" if line else str(args.file)
            print(f"{prog}: {where}: {message}", file=err)
        print(f"{prog}: {args.file}: refused; nothing was imported.", file=err)
        return 1
    with opened(args.db, prog, err) as store:
        result = IndicatorStore(store).import_parsed(
            operator(), parsed, expires_at=expires_at, name=args.file.name
        )
    out.write(
        f"Read {count(len(parsed), 'indicator')}: {len(result.added):,} added"
        + (f", {result.known:,} already known" if result.known else "")
        + ".\n"
    )
    return 0


@stops
def run_list(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    now = datetime.now(UTC)
    with opened(args.db, PROG, err) as store:
        entries = []
        last: int | None = None
        indicators = IndicatorStore(store)
        while True:
            page = indicators.entries(
                kind=args.kind, everything=args.all, now=now, after_id=last, limit=1000
            )
            entries.extend(page)
            if len(page) < 1000:
                break
            last = page[-1].id
    if args.json:
        for e in entries:
            out.write(json.dumps(e.as_json(now), ensure_ascii=False) + "\n")
        return 0
    if not entries:
        out.write("No indicators (caveat intel import FILE.csv).\n")
        return 0
    for e in entries:
        state = e.state(now)
        extra = [e.source, f"by {e.created_by}", e.created_at.strftime("%Y-%m-%d")]
        if e.expires_at is not None and state == "active":
            extra.append(f"until {e.expires_at.strftime('%Y-%m-%d')}")
        if state != "active":
            extra.append(state)
        note = f" — {e.note}" if e.note else ""
        out.write(f"{e.id:>6}  {e.kind:<7} {e.shown}{note}  [{'; '.join(extra)}]\n")
    out.write(f"{count(len(entries), 'indicator')}.\n")
    return 0


@stops
def run_remove(
    args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    with opened(args.db, PROG, err) as store:
        removed = IndicatorStore(store).remove(args.id, operator())
    if removed is None:
        print(f"{PROG} remove: there is no indicator {args.id} in force", file=err)
        return 1
    out.write(f"Removed indicator {removed.id} ({removed.kind} {removed.shown}).\n")
    return 0
