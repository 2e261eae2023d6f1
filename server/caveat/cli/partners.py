"""``caveat partners``: import, list and export the partner directory.

    caveat partners import PARTNERS.csv [--replace] [--db URL]
    caveat partners list [--json] [--db URL]
    caveat partners export [FILE] [--db URL]
    caveat partners policy ORGANIZATION [--require-auth spf;dkim;dmarc|none]
        [--procedure TEXT] [--pay-only-on-file yes|no] [--json] [--db URL]

Import reports bad rows with their line numbers and stores the good ones; re-importing a
file updates the organisations in it and never duplicates them. ``--replace`` also removes
the organisations the file no longer lists. ``policy`` shows one partner's policies, or
changes those named (``--procedure ""`` clears the procedure). Every change is written to
the audit log as made by ``<login> at the command line``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from caveat.knowledge.directory import PartnerEntry
from caveat.knowledge.partners_csv import ParseResult, parse_partners_csv, write_partners_csv
from caveat.storage.directory_store import DirectoryStore, Policy, check_policy, import_parsed
from caveat.storage.store import Store

from . import directory_files
from .common import add_db_option, count, opened, operator, stops
from .directory_files import FileActions, add_file_actions, export, import_summary, read_all

PROG = "caveat partners"
_DB_HELP = "default: DATABASE_URL, by default the SQLite file in the instance folder"
_WORDS = FileActions(
    file="PARTNERS.csv",
    import_help="load a partner CSV (bad rows are reported)",
    replace_help="also remove organisations that the file does not list",
    list_help="show the organisations in the directory",
    json_help="one JSON object per organisation",
    export_help="write the directory as CSV (the import format)",
)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "partners",
        help="import, list and export the partner directory",
        description="The partner directory (vendor master data): organisations, their mail "
        "domains, contacts with phone numbers, bank accounts on file and agreed "
        "authentication.",
    )
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    add_file_actions(actions, _WORDS, run_import, run_list, run_export)
    pol = actions.add_parser(
        "policy",
        help="show or change one partner's policies",
        description="The authentication the partner agreed to pass, how it makes bank "
        "changes, and whether only the accounts on file may be paid. Without an option, "
        "shows them; with one, changes that one and keeps the others.",
    )
    pol.add_argument("organization", metavar="ORGANIZATION", help="as in the directory")
    pol.add_argument(
        "--require-auth",
        metavar="METHODS",
        help="';'-separated subset of spf;dkim;dmarc, or 'none'",
    )
    pol.add_argument(
        "--procedure",
        metavar="TEXT",
        help="how the partner makes bank changes (at most 300 characters; '' clears it)",
    )
    pol.add_argument("--pay-only-on-file", choices=("yes", "no"))
    pol.add_argument("--json", action="store_true", help="print the policies as JSON")
    add_db_option(pol, _DB_HELP)
    pol.set_defaults(func=run_policy)


def parse_file(path: Path, err: TextIO, prog: str) -> ParseResult | None:
    """The parsed file, with its bad rows reported on ``err``; None if it is unusable."""
    return directory_files.parse_file(path, err, prog, parse_partners_csv)


def load_directory(store: Store, path: Path, err: TextIO, *, prog: str) -> bool:
    """Parse and import ``path`` (used by ``caveat scan --directory``). False when the file
    is unusable; bad rows are reported and skipped."""
    result = parse_file(path, err, prog)
    if result is None:
        return False
    report, warnings = import_parsed(store, result, who=operator(), source=str(path))
    for w in warnings:
        print(f"{prog}: {path}: {w}", file=err)
    for org, problem in report.problems:
        print(f"{prog}: {path}: {org}: {problem}", file=err)
    return True


def _read_partners(args: argparse.Namespace, err: TextIO) -> list[PartnerEntry] | None:
    """Every stored partner, or None after reporting why the store could not be read."""
    return read_all(args, err, PROG, lambda store: DirectoryStore(store).partners())


@stops
def run_import(
    args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    result = parse_file(args.file, err, f"{PROG} import")
    if result is None:
        return 2
    with opened(args.db, PROG, err) as store:
        report, warnings = import_parsed(
            store, result, replace=args.replace, who=operator(), source=str(args.file)
        )
    for w in warnings:
        print(f"{PROG} import: {args.file}: {w}", file=err)
    for org, problem in report.problems:
        print(f"{PROG} import: {args.file}: {org}: {problem}", file=err)
    bad = len(result.errors)
    out.write(
        import_summary(
            result.rows,
            count(len(result.partners), "organisation"),
            report.created,
            report.updated,
            report.removed if args.replace else None,
            bad,
        )
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
                "bank_change_procedure": p.bank_change_procedure,
                "pay_only_on_file": p.pay_only_on_file,
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
        if p.pay_only_on_file:
            extra.append("pay only accounts on file")
        if p.bank_change_procedure:
            extra.append("bank-change procedure")
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
    return export(args, out, err, PROG, text, count(len(partners), "organisation"))


def _show_policy(organization: str, policy: Policy, as_json: bool, out: TextIO) -> None:
    if as_json:
        record = {"organization": organization, "policy": policy.as_json()}
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    auth = policy.as_json()["require_auth"]
    out.write(
        f"{organization}\n"
        f"  require_auth:          {';'.join(auth) or 'none'}\n"
        f"  pay only on file:      {'yes' if policy.pay_only_on_file else 'no'}\n"
        f"  bank-change procedure: {policy.bank_change_procedure or '(none)'}\n"
    )


@stops
def run_policy(
    args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    prog = f"{PROG} policy"
    require = args.require_auth
    if require is not None and require.strip().lower() == "none":
        require = ""
    changes = (require, args.procedure, args.pay_only_on_file)
    auth, procedure, pay_only, problems = check_policy(
        require,
        args.procedure,
        None if args.pay_only_on_file is None else args.pay_only_on_file == "yes",
    )
    if problems:
        for problem in problems:
            print(f"{prog}: {problem}", file=err)
        return 2
    with opened(args.db, PROG, err) as store:
        directory = DirectoryStore(store)
        if all(c is None for c in changes):
            found = directory.policy(args.organization)
            if found is None:
                print(f"{prog}: {args.organization!r} is not in the directory", file=err)
                return 1
            _show_policy(*found, args.json, out)
            return 0
        changed = directory.set_policy(
            args.organization,
            require_auth=auth,
            bank_change_procedure=procedure,
            pay_only_on_file=pay_only,
            who=operator(),
        )
    if changed is None:
        print(f"{prog}: {args.organization!r} is not in the directory", file=err)
        return 1
    organization, before, after = changed
    _show_policy(organization, after, args.json, out)
    if not args.json:
        print("Changed." if before != after else "Nothing to change.", file=err)
    return 0
