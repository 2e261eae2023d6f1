"""``caveat partners``: import, list and export the partner directory.

    caveat partners import PARTNERS.csv [--replace] [--db URL]
    caveat partners list [--json] [--db URL]
    caveat partners export [FILE] [--db URL]

Import reports bad rows with their line numbers and stores the good ones; re-importing a
file updates the organisations in it and never duplicates them. ``--replace`` also removes
the organisations the file no longer lists.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from caveat.knowledge.directory import PartnerEntry
from caveat.knowledge.partners_csv import (
    DirectoryFileError,
    ParseResult,
    parse_partners_csv,
    write_partners_csv,
)
from caveat.service.settings import SettingsError
from caveat.storage.directory_store import DirectoryStore, import_parsed
from caveat.storage.store import StorageError, Store

from .common import add_db_option, count
from .database import open_store

PROG = "caveat partners"
_DB_HELP = "default: DATABASE_URL, by default the SQLite file in the instance folder"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "partners",
        help="import, list and export the partner directory",
        description="The partner directory (vendor master data): organisations, their mail "
        "domains, contacts with phone numbers, bank accounts on file and agreed "
        "authentication.",
    )
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    imp = actions.add_parser("import", help="load a partner CSV (bad rows are reported)")
    imp.add_argument("file", type=Path, metavar="PARTNERS.csv")
    imp.add_argument(
        "--replace",
        action="store_true",
        help="also remove organisations that the file does not list",
    )
    add_db_option(imp, _DB_HELP)
    imp.set_defaults(func=run_import)
    ls = actions.add_parser("list", help="show the organisations in the directory")
    ls.add_argument("--json", action="store_true", help="one JSON object per organisation")
    add_db_option(ls, _DB_HELP)
    ls.set_defaults(func=run_list)
    exp = actions.add_parser("export", help="write the directory as CSV (the import format)")
    exp.add_argument("file", nargs="?", type=Path, metavar="FILE", help="default: standard output")
    add_db_option(exp, _DB_HELP)
    exp.set_defaults(func=run_export)


def parse_file(path: Path, err: TextIO, prog: str) -> ParseResult | None:
    """The parsed file, with its bad rows reported on ``err``; None if it is unusable."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        print(f"{prog}: {path}: {exc.strerror or exc}", file=err)
        return None
    try:
        result = parse_partners_csv(data)
    except DirectoryFileError as exc:
        print(f"{prog}: {path}: {exc}", file=err)
        return None
    for e in result.errors:
        print(f"{prog}: {path}, line {e.line}: {e.message}", file=err)
    return result


def load_directory(store: Store, path: Path, err: TextIO, *, prog: str) -> bool:
    """Parse and import ``path`` (used by ``caveat scan --directory``). False when the file
    is unusable; bad rows are reported and skipped."""
    result = parse_file(path, err, prog)
    if result is None:
        return False
    report, warnings = import_parsed(store, result)
    for w in warnings:
        print(f"{prog}: {path}: {w}", file=err)
    for org, problem in report.problems:
        print(f"{prog}: {path}: {org}: {problem}", file=err)
    return True


def _open(args: argparse.Namespace, err: TextIO) -> Store | None:
    try:
        return open_store(args.db)
    except (SettingsError, StorageError) as exc:
        print(f"{PROG}: {exc}", file=err)
        return None


def _read_partners(args: argparse.Namespace, err: TextIO) -> list[PartnerEntry] | None:
    """Every stored partner, or None after reporting why the store could not be read."""
    store = _open(args, err)
    if store is None:
        return None
    try:
        return DirectoryStore(store).partners()
    except StorageError as exc:
        print(f"{PROG}: {exc}", file=err)
        return None
    finally:
        store.dispose()


def run_import(
    args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    result = parse_file(args.file, err, f"{PROG} import")
    if result is None:
        return 2
    store = _open(args, err)
    if store is None:
        return 2
    try:
        report, warnings = import_parsed(store, result, replace=args.replace)
    except StorageError as exc:
        print(f"{PROG}: {exc}", file=err)
        return 2
    finally:
        store.dispose()
    for w in warnings:
        print(f"{PROG} import: {args.file}: {w}", file=err)
    for org, problem in report.problems:
        print(f"{PROG} import: {args.file}: {org}: {problem}", file=err)
    bad = len(result.errors)
    out.write(
        f"Read {count(result.rows, 'row')}: {count(len(result.partners), 'organisation')}; "
        f"{report.created} new, {report.updated} updated"
        + (f", {report.removed} removed" if args.replace else "")
        + (f"; {count(bad, 'bad row')} skipped (see above)" if bad else "")
        + ".\n"
    )
    # Bad rows are the file's problem, not a failure to run: the good ones are stored.
    return 1 if bad or report.problems else 0


def run_list(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    partners = _read_partners(args, err)
    if partners is None:
        return 2
    if args.json:
        for p in partners:
            record = {
                "organization": p.organization,
                "domains": list(p.domains),
                "contacts": [
                    {"name": c.name, "email": c.email, "phone": c.phone} for c in p.contacts
                ],
                "bank_accounts": list(p.bank_accounts),
                "require_auth": sorted(p.require_auth),
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        return 0
    if not partners:
        out.write("The partner directory is empty (caveat partners import PARTNERS.csv).\n")
        return 0
    for p in partners:
        extra = []
        if p.contacts:
            extra.append(count(len(p.contacts), "contact"))
        if p.bank_accounts:
            extra.append(count(len(p.bank_accounts), "account"))
        if p.require_auth:
            extra.append("requires " + "+".join(sorted(p.require_auth)))
        domains = ", ".join(p.domains) or "(no domain)"
        out.write(
            f"{p.organization}: {domains}" + (f"  [{'; '.join(extra)}]" if extra else "") + "\n"
        )
    out.write(f"{count(len(partners), 'organisation')}.\n")
    return 0


def run_export(
    args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    partners = _read_partners(args, err)
    if partners is None:
        return 2
    text = write_partners_csv(partners)  # type: ignore[arg-type]  # same fields as Partner
    if args.file is None:
        out.write(text)
        return 0
    try:
        args.file.write_text(text, "utf-8", newline="")
    except OSError as exc:
        print(f"{PROG}: {args.file}: {exc.strerror or exc}", file=err)
        return 2
    print(f"Wrote {count(len(partners), 'organisation')} to {args.file}.", file=err)
    return 0
