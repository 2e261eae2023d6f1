"""``caveat audit``: read and export the audit log.

    caveat audit list [--since WHEN] [--until WHEN] [--action PREFIX] [--actor SUBJECT]
                      [--limit N] [--json] [--db URL]
    caveat audit export [--since ...] [--output FILE.csv] [--db URL]

``list`` shows the newest rows matching the filters (``--limit``, 50 by default), oldest of
them first; ``--json`` writes one JSON object per row. ``export`` writes every matching row
as the API's CSV (:mod:`caveat.service.audit_csv`: a cell that a spreadsheet would run as
a formula is made inert) to FILE.csv, or to standard output. Reading the log changes
nothing in it.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from caveat.service.audit_csv import lines
from caveat.storage.audit import AuditEntry, AuditLog

from .common import add_db_option, count, opened, stops

PROG = "caveat audit"
_DB_HELP = "default: DATABASE_URL, by default the SQLite file in the instance folder"


def _when(text: str) -> datetime:
    try:
        at = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date (YYYY-MM-DD) or an ISO 8601 time"
        ) from None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


def _filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--since", type=_when, metavar="WHEN", help="rows at or after (UTC date/time)")
    p.add_argument("--until", type=_when, metavar="WHEN", help="rows before (UTC date/time)")
    p.add_argument(
        "--action", metavar="PREFIX", help="an action or its prefix (partner. for the directory)"
    )
    p.add_argument(
        "--actor", metavar="SUBJECT", help="who acted: cli:LOGIN, key:ID or a person's id"
    )
    add_db_option(p, _DB_HELP)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "audit",
        help="read and export the audit log",
        description="The audit log: every change to the partner directory, partner "
        "policies, indicators, verifications, approvals and report triage, with who made "
        "it, when, and what it was before and after.",
    )
    actions = p.add_subparsers(dest="action_name", required=True, metavar="ACTION")
    ls = actions.add_parser("list", help="show the newest rows")
    _filters(ls)
    ls.add_argument("--limit", type=int, default=50, metavar="N", help="rows at most (50)")
    ls.add_argument("--json", action="store_true", help="one JSON object per row")
    ls.set_defaults(func=run_list)
    ex = actions.add_parser("export", help="write every matching row as CSV")
    _filters(ex)
    ex.add_argument(
        "--output", "-o", type=Path, metavar="FILE.csv", help="the file (default: stdout)"
    )
    ex.set_defaults(func=run_export)


def _filter_values(args: argparse.Namespace) -> dict[str, Any] | str:
    if args.since is not None and args.until is not None and args.until <= args.since:
        return "--until must be later than --since"
    return {"since": args.since, "until": args.until, "action": args.action, "actor": args.actor}


def _describe(e: AuditEntry) -> str:
    def side(value: Any) -> str:
        return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)

    change = ""
    if e.before is not None or e.after is not None:
        change = f"  {side(e.before) or '-'} -> {side(e.after) or '-'}"
    # one line per row: a value holding a line break cannot forge a row of its own
    text = (
        f"{e.id:>6}  {e.at.astimezone(UTC).strftime('%Y-%m-%d %H:%M:%S')}Z  {e.action}"
        f"  {e.target}  by {e.actor} [{e.actor_subject}]{change}"
    )
    return text.replace("\r", "\\r").replace("\n", "\\n")


@stops
def run_list(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    filters = _filter_values(args)
    if isinstance(filters, str):
        print(f"{PROG} list: {filters}", file=err)
        return 2
    if not 1 <= args.limit <= 100000:
        print(f"{PROG} list: --limit must be from 1 to 100000", file=err)
        return 2
    with opened(args.db, PROG, err) as store:
        newest: list[AuditEntry] = []
        for e in AuditLog(store).every(**filters):
            newest.append(e)
            if len(newest) > args.limit:
                del newest[0]
    if args.json:
        for e in newest:
            out.write(json.dumps(e.as_json(), ensure_ascii=False) + "\n")
        return 0
    if not newest:
        out.write("No audit rows match.\n")
        return 0
    for e in newest:
        out.write(_describe(e) + "\n")
    out.write(f"{count(len(newest), 'row')}.\n")
    return 0


@stops
def run_export(
    args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    filters = _filter_values(args)
    if isinstance(filters, str):
        print(f"{PROG} export: {filters}", file=err)
        return 2
    rows = -1  # the header
    with opened(args.db, PROG, err) as store:
        try:
            target = args.output.open("w", encoding="utf-8", newline="") if args.output else None
        except OSError as exc:
            print(f"{PROG} export: {args.output}: {exc.strerror or exc}", file=err)
            return 2
        try:
            sink = target or out
            for chunk in lines(AuditLog(store).every(**filters)):
                sink.write(chunk)
                rows += 1
        except OSError as exc:
            print(f"{PROG} export: {args.output}: {exc.strerror or exc}", file=err)
            return 2
        finally:
            if target is not None:
                target.close()
    if args.output:
        print(f"Wrote {count(rows, 'row')} to {args.output}.", file=err)
    return 0
