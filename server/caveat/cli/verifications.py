"""``caveat verifications`` and ``caveat approvals``: Verify sender outcomes and account
approvals, for operators.

    caveat verifications list [--organization ORG] [--json] [--db URL]
    caveat verifications clear ID [--db URL]
    caveat approvals list [--status pending|approved|rejected] [--json] [--db URL]
    caveat approvals approve ID [--db URL]
    caveat approvals reject ID [--db URL]

Calls are recorded by finance users from the add-ins (``POST /api/v1/verifications``);
here they are listed (who called which contact on file about which account, masked, and
what they heard) and a mistaken denial is cleared. A request to put a verified account on
file is approved or rejected here as by an administrator through the API: never by the
person who asked (the operator's login at the command line is who decides). Every change
is recorded in the audit log; running services see it within seconds.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from caveat.service.verifications import Verifications, confirmations_for
from caveat.storage.directory_store import DirectoryStore
from caveat.storage.store import Store
from caveat.storage.verifications import (
    APPROVED,
    PENDING,
    REJECTED,
    Verification,
    VerificationError,
    VerificationStore,
    status_of,
)

from .common import add_db_option, opened, operator, stops

_DB_HELP = "default: DATABASE_URL, by default the SQLite file in the instance folder"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    v = sub.add_parser(
        "verifications",
        help="list recorded Verify sender calls; clear a mistaken denial",
        description="Calls finance users made to a partner's contact on file to confirm or "
        "deny a bank account, recorded from the add-ins.",
    )
    va = v.add_subparsers(dest="action", required=True, metavar="ACTION")
    ls = va.add_parser("list", help="recorded calls, newest first")
    ls.add_argument("--organization", metavar="ORG", help="only this partner's")
    ls.add_argument("--json", action="store_true", help="one JSON object per call")
    add_db_option(ls, _DB_HELP)
    ls.set_defaults(func=run_list)
    clear = va.add_parser("clear", help="clear a denial found mistaken (it stays on record)")
    clear.add_argument("id", type=int, metavar="ID")
    add_db_option(clear, _DB_HELP)
    clear.set_defaults(func=run_clear)

    a = sub.add_parser(
        "approvals",
        help="list, approve or reject requests to put verified accounts on file",
        description="Maker-checker: a verified account goes on the directory's accounts on "
        "file only when someone other than the person who asked approves it.",
    )
    aa = a.add_subparsers(dest="action", required=True, metavar="ACTION")
    als = aa.add_parser("list", help="requests, newest first")
    als.add_argument("--status", choices=(PENDING, APPROVED, REJECTED), help="only these")
    als.add_argument("--json", action="store_true", help="one JSON object per request")
    add_db_option(als, _DB_HELP)
    als.set_defaults(func=run_approvals)
    for verb, what in (("approve", "put the account on file"), ("reject", "refuse the request")):
        d = aa.add_parser(verb, help=what)
        d.add_argument("id", type=int, metavar="ID")
        add_db_option(d, _DB_HELP)
        d.set_defaults(func=run_decide, approve=verb == "approve")


def _service(store: Store) -> Verifications:
    return Verifications(
        store=store,
        directory=lambda: DirectoryStore(store).load(),
        confirmations=confirmations_for(store),
    )


@stops
def run_list(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    prog = "caveat verifications list"
    with opened(args.db, prog, err) as store:
        needed = confirmations_for(store)
        found = VerificationStore(store).entries(args.organization or None)
    if args.json:
        for v in found:
            out.write(json.dumps(v.as_json(), ensure_ascii=False) + "\n")
        return 0
    if not found:
        out.write("No calls recorded.\n")
        return 0
    groups: dict[tuple[str, str], list[Verification]] = {}
    for v in found:
        groups.setdefault((v.organization.casefold(), v.account_ref), []).append(v)
    for v in found:
        status = status_of(groups[(v.organization.casefold(), v.account_ref)], needed)
        standing = (
            "verified"
            if status and status.verified
            else "denied"
            if status and status.denied
            else f"{len(status.confirmations) if status else 0} of {needed} confirmations"
        )
        cleared = f", cleared by {v.cleared_by}" if v.cleared_at else ""
        out.write(
            f"{v.id:>5}  {v.at:%Y-%m-%d %H:%M}  {v.outcome:<11}  {v.organization}  "
            f"{v.account_masked or v.account_ref[:12]}  ({standing})\n"
            f"       by {v.actor}, calling {v.contact.name or v.contact.email} "
            f"{v.contact.phone}{cleared}\n"
        )
    return 0


@stops
def run_clear(
    args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    prog = "caveat verifications clear"
    with opened(args.db, prog, err) as store:
        try:
            done = _service(store).clear(args.id, operator())
        except VerificationError as exc:
            print(f"{prog}: {exc}", file=err)
            return 1
    out.write(f"Cleared the denial {done.id} of {done.account_masked} for {done.organization}.\n")
    return 0


@stops
def run_approvals(
    args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    prog = "caveat approvals list"
    with opened(args.db, prog, err) as store:
        found = VerificationStore(store).approvals(args.status)
    if args.json:
        for a in found:
            out.write(json.dumps(a.as_json(), ensure_ascii=False) + "\n")
        return 0
    if not found:
        out.write("No requests.\n")
        return 0
    for a in found:
        decided = f"; {a.status} by {a.decided_by}" if a.decided_by else ""
        out.write(
            f"{a.id:>5}  {a.requested_at:%Y-%m-%d %H:%M}  {a.status:<8}  {a.organization}  "
            f"{a.account_masked}\n       asked by {a.requested_by}{decided}\n"
        )
    return 0


@stops
def run_decide(
    args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    prog = f"caveat approvals {'approve' if args.approve else 'reject'}"
    with opened(args.db, prog, err) as store:
        try:
            done = _service(store).decide(args.id, operator(), approve=args.approve)
        except VerificationError as exc:
            print(f"{prog}: {exc}", file=err)
            return 1
    if done.status == APPROVED:
        out.write(f"{done.account_masked} is now on file for {done.organization}.\n")
    else:
        out.write(f"Rejected: {done.account_masked} for {done.organization} stays off file.\n")
    return 0
