"""``caveat reports``: work the triage queue of messages users reported as fraud.

    caveat reports list [--status open|confirmed|dismissed|all] [--limit N] [--json] [--db URL]
    caveat reports show ID [--json] [--db URL]
    caveat reports confirm ID [--leave-out PART ...] [--json] [--db URL]
    caveat reports dismiss ID [--json] [--db URL]

The same triage as ``POST /api/v1/reports/<id>/confirm`` and ``/dismiss``, for security
staff at the command line: confirming a report turns its sender and what it carried (the
Reply-To addresses, look-alike domains, accounts, masked, and phone numbers) into fraud
indicators for everyone; dismissing it makes none. What a confirmation never makes an
indicator of (our own or a partner's domains and addresses, a free-mail provider's
domain) is decided by :func:`caveat.service.triage.leave_out`, as for the API; ``show``
lists each candidate with that answer before anyone decides. ``--leave-out PART`` (sender,
reply_to, domains, accounts, phones) leaves more out, e.g. a forged From.

The operator's login is who acted, in the report and its audit row; running services see
the new indicators within seconds (the knowledge version moves in the same transaction),
and a confirmation sends the ``fraud.confirmed`` alert when alerts are configured.

Exit codes: 0 done; 1 there is no such report; 3 the report was confirmed or dismissed
before (nothing changed); 2 bad options or a store that cannot be opened.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from caveat.service import alerts as events
from caveat.service import triage
from caveat.service.settings import SettingsError, engine_config, load_settings
from caveat.storage.directory_store import DirectoryStore
from caveat.storage.indicators import NewIndicator
from caveat.storage.reports import STATUSES, Report, ReportRow, ReportStore, indicators_of
from caveat.storage.store import Store
from caveat.web.api.reports_io import report_json

from .common import add_db_option, count, opened, operator, stops

PROG = "caveat reports"
_DB_HELP = "default: DATABASE_URL, by default the SQLite file in the instance folder"
#: Exit codes besides 0 (done) and 2 (options, store).
MISSING, ALREADY = 1, 3
LIMIT_MAX = 10_000


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "reports",
        help="list, show, confirm or dismiss messages users reported as fraud",
        description="The triage queue: messages users reported from the add-ins. "
        "Confirming one makes fraud indicators of its sender and what it carried; "
        "dismissing it makes none. Exit codes: 0 done, 1 no such report, 2 bad options "
        "or store, 3 decided before.",
    )
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    ls = actions.add_parser("list", help="reports, newest first (the open ones by default)")
    ls.add_argument(
        "--status",
        choices=(*STATUSES, "all"),
        default="open",
        help="only reports in this state (default: open)",
    )
    ls.add_argument(
        "--limit", type=_limit, default=100, metavar="N", help="at most N reports (default 100)"
    )
    ls.add_argument("--json", action="store_true", help="one JSON object per report")
    add_db_option(ls, _DB_HELP)
    ls.set_defaults(func=run_list)

    show = actions.add_parser(
        "show", help="one report and what confirming it would make indicators of"
    )
    show.add_argument(
        "id",
        type=_report_id,
        metavar="ID",
        help="the report's number, as caveat reports list shows it",
    )
    show.add_argument("--json", action="store_true", help="the report as one JSON object")
    add_db_option(show, _DB_HELP)
    show.set_defaults(func=run_show)

    confirm = actions.add_parser(
        "confirm", help="confirm an open report: its sender and what it carried become indicators"
    )
    confirm.add_argument(
        "id",
        type=_report_id,
        metavar="ID",
        help="the report's number, as caveat reports list shows it",
    )
    confirm.add_argument(
        "--leave-out",
        action="append",
        default=[],
        choices=triage.PARTS,
        metavar="PART",
        help=f"do not make indicators of this part ({', '.join(triage.PARTS)}); repeat for more",
    )
    confirm.add_argument("--json", action="store_true", help="what was done, as one JSON object")
    add_db_option(confirm, _DB_HELP)
    confirm.set_defaults(func=run_triage, confirm=True)

    dismiss = actions.add_parser("dismiss", help="dismiss an open report: no indicator")
    dismiss.add_argument(
        "id",
        type=_report_id,
        metavar="ID",
        help="the report's number, as caveat reports list shows it",
    )
    dismiss.add_argument("--json", action="store_true", help="what was done, as one JSON object")
    add_db_option(dismiss, _DB_HELP)
    dismiss.set_defaults(func=run_triage, confirm=False, leave_out=[])


def _report_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a report id (a number)") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a report id (a number from 1)")
    return value


def _limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 1 <= value <= LIMIT_MAX:
        raise argparse.ArgumentTypeError(f"give from 1 to {LIMIT_MAX:,}, not {value}")
    return value


def _plain(text: object) -> str:
    """``text`` safe to write to a terminal: what a reporter's mail client or a message
    sent (a sender, finding ids) may hold control or direction characters (ESC sequences,
    U+202E) that would rewrite the screen; each becomes U+FFFD."""
    return "".join(c if c.isprintable() else "\ufffd" for c in str(text))


def _when(report: Report) -> str:
    return f"{report.reported_at:%Y-%m-%d %H:%M}"


def _candidates(store: Store, report_id: int) -> list[tuple[str, NewIndicator]]:
    """What confirming the report would make indicators of, by part (the storage's own
    reading of the report, before any is left out)."""
    with store.session() as s:
        row = s.get(ReportRow, report_id)
        return [] if row is None else indicators_of(row)


def _reason(db: str | None, store: Store, chosen: list[str]) -> Any:
    """The leave-out rule of :mod:`caveat.service.triage` with this deployment's settings
    (our domains, the free-mail list) and partner directory."""
    config = engine_config(load_settings({"DATABASE_URL": db} if db else None))
    directory = DirectoryStore(store).load(
        internal_domains=config.internal_domains, freemail=config.freemail
    )
    return triage.leave_out(chosen, directory, config)


@stops
def run_list(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    status = None if args.status == "all" else args.status
    with opened(args.db, f"{PROG} list", err) as store:
        found = ReportStore(store).recent(args.limit, status)
    if args.json:
        for r in found:
            out.write(json.dumps(report_json(r), ensure_ascii=False) + "\n")
        return 0
    if not found:
        out.write("No reports." if status is None else f"No {status} reports.")
        out.write("\n")
        return 0
    for r in found:
        refs = r.refs
        carried = ("@" in r.sender) + len(refs.addresses) + len(refs.domains) + len(refs.accounts)
        carried += len(refs.phones)
        decided = (
            f"; {r.status} by {_plain(r.triaged_by)} {r.triaged_at:%Y-%m-%d %H:%M}"
            if r.triaged_at
            else ""
        )
        out.write(
            f"{r.id:>5}  {_when(r)}  {r.status:<9}  {_plain(r.level or '-'):<7}  "
            f"{_plain(r.sender)}\n"
            f"       reported by {_plain(r.reporter or 'an unnamed user')}; "
            f"{count(carried, 'candidate')}{decided}\n"
        )
    return 0


@stops
def run_show(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    prog = f"{PROG} show"
    with opened(args.db, prog, err) as store:
        report = ReportStore(store).get(args.id)
        if report is None:
            print(f"{prog}: there is no report {args.id}", file=err)
            return MISSING
        candidates = _candidates(store, args.id)
        try:
            reason = _reason(args.db, store, [])
        except SettingsError as exc:
            print(f"{prog}: {exc}", file=err)
            return 2
        rows = [(part, item, reason(part, item)) for part, item in candidates]
    if args.json:
        data = report_json(report)
        data["candidates"] = [
            {"part": part, "kind": item.kind, "value": item.shown, "left_out": why or None}
            for part, item, why in rows
        ]
        out.write(json.dumps(data, ensure_ascii=False) + "\n")
        return 0
    out.write(
        f"Report {report.id}: {report.status}\n"
        f"  reported  {_when(report)} UTC by {_plain(report.reporter or 'an unnamed user')}\n"
        f"  sender    {_plain(report.sender)}\n"
        f"  shown     {_plain(report.level or 'no level')}"
        f"{': ' + _plain(', '.join(report.finding_ids)) if report.finding_ids else ''}\n"
    )
    if report.triaged_at:
        out.write(
            f"  {report.status:<9} {report.triaged_at:%Y-%m-%d %H:%M} UTC "
            f"by {_plain(report.triaged_by)}\n"
        )
        return 0
    if not rows:
        out.write("Confirming it would make no indicator.\n")
        return 0
    out.write("Confirming it would make indicators of:\n")
    for part, item, why in rows:
        note = f"  (left out: {_plain(why)})" if why else ""
        out.write(f"  {part:<9} {item.kind:<8} {_plain(item.shown)}{note}\n")
    return 0


@stops
def run_triage(
    args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    verb = "confirm" if args.confirm else "dismiss"
    prog = f"{PROG} {verb}"
    who = operator()
    with opened(args.db, prog, err) as store:
        reports = ReportStore(store)
        at = store.clock()
        if args.confirm:
            try:
                reason = _reason(args.db, store, args.leave_out)
            except SettingsError as exc:
                print(f"{prog}: {exc}", file=err)
                return 2
            done = reports.confirm(args.id, who, at=at, leave_out=reason)
        else:
            done = reports.dismiss(args.id, who, at=at)
    if done.outcome == "missing":
        print(f"{prog}: there is no report {args.id}", file=err)
        return MISSING
    assert done.report is not None
    if done.outcome == "already":
        by = f" by {_plain(done.report.triaged_by)}" if done.report.triaged_by else ""
        print(
            f"{prog}: report {args.id} is {done.report.status} already{by}; nothing changed",
            file=err,
        )
        return ALREADY
    if args.confirm:
        _alert(done, who, args.db, err)
    if args.json:
        out.write(
            json.dumps(
                {
                    "report": report_json(done.report),
                    "indicators": [e.as_json(at) for e in done.indicators],
                    "already_known": done.known,
                    "left_out": [{"value": v, "reason": r} for v, r in done.left_out],
                },
                ensure_ascii=False,
            )
            + "\n"
        )
        return 0
    r = done.report
    if not args.confirm:
        out.write(f"Dismissed report {r.id} ({_plain(r.sender)}): no indicator made.\n")
        return 0
    out.write(
        f"Confirmed report {r.id} ({_plain(r.sender)}): {count(len(done.indicators), 'indicator')} "
        f"added, {done.known:,} already known.\n"
    )
    for e in done.indicators:
        out.write(f"  {e.id:>5}  {e.kind:<8} {_plain(e.shown)}\n")
    for value, why in done.left_out:
        out.write(f"  left out {_plain(value)}: {_plain(why)}\n")
    return 0


def _alert(done: Any, who: Any, db: str | None, err: TextIO) -> None:
    """The ``fraud.confirmed`` alert, as the API sends it, delivered before the command
    ends; a destination that fails is said on standard error and never fails the command
    (the confirmation is done)."""
    try:
        settings = load_settings({"DATABASE_URL": db} if db else None)
        alerts = events.from_settings(settings)
    except (SettingsError, events.AlertConfigError) as exc:
        print(f"{PROG} confirm: alert not sent: {exc}", file=err)
        return
    if not alerts.configured:
        return
    try:
        alerts.emit(
            events.FRAUD_CONFIRMED, events.fraud_confirmed(done.report, done.indicators), who
        )
        alerts.close()
    except Exception as exc:  # the confirmation stands whatever the destination does
        print(f"{PROG} confirm: alert not sent: {type(exc).__name__}", file=err)
        return
    if alerts.dead:
        print(
            f"{PROG} confirm: the fraud.confirmed alert was not delivered everywhere (see the log)",
            file=err,
        )
