"""The console's triage pages, for security staff: the reports queue and fraud indicators.

* ``/admin/reports`` (``reports.read``): reports newest first, the open ones by default
  (``?state=open|confirmed|dismissed|all``).
* ``/admin/reports/<id>`` (``reports.read``): one report with what the reporter saw (the
  level and findings Caveat showed them), who reported it and when, and what confirming
  it would make indicators of, each value with the reason it would be left out, if any
  (:func:`caveat.service.triage.leave_out`). With ``triage``: confirm as fraud (choosing
  which parts to keep, as the API's ``leave_out``) or dismiss with a note. A dismissed
  report shows the note its decision gave (kept in the ``report.dismiss`` audit row).
* ``/admin/indicators`` (``intel``): indicators by kind, state and source; add one, import
  an indicators CSV (refused whole, each bad line named), expire one.

Every change goes through the same store functions as ``/api/v1`` and ``caveat reports``
/ ``caveat intel`` (the audit row is theirs, with the signed-in person); this module only
reads the form, calls them and says what happened.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

from flask import abort, redirect, request, url_for
from werkzeug.wrappers import Response

from caveat.knowledge.indicators_csv import (
    MAX_BYTES,
    NOTE_MAX,
    IndicatorError,
    IndicatorFileError,
    check_indicator,
    parse_indicators_csv,
)
from caveat.knowledge.shared import KINDS, SOURCES
from caveat.service import triage
from caveat.storage.audit import AuditLog
from caveat.storage.indicators import IndicatorEntry, IndicatorStore
from caveat.storage.reports import STATUSES, Report, ReportRow, ReportStore, indicators_of

from .. import alerting
from ..api.services import services
from ..limits import CONSOLE_IMPORT_BYTES
from .kit import bad_input, bp, error_page, notice, page, principal, render

#: What the reports queue may be filtered by.
REPORT_STATES = (*STATUSES, "all")
#: What the indicators list may be filtered by (removed: expired by hand).
INDICATOR_STATES = ("active", "expired", "removed", "all")
#: Rows on one page of a list.
PAGE = 200
#: The longest note a dismissal keeps (in its audit row).
DISMISS_NOTE_MAX = 500
#: A blank of a catalogue title ("{candidate} imitates {imitates}")
_BLANK = re.compile(r"\{[a-z_]+\}")
#: What each part of a report is called on the page.
PART_NAMES = {
    "sender": "Sender (From)",
    "reply_to": "Reply-To addresses",
    "domains": "Look-alike domains",
    "accounts": "Bank accounts",
    "phones": "Phone numbers",
}


def _choice(name: str, allowed: tuple[str, ...], default: str) -> str:
    value = request.args.get(name, "") or default
    if value not in allowed:
        bad_input(f"{name} must be one of {', '.join(allowed)}")
    return value


def _changed() -> None:
    """This process reads the shared knowledge again at once (the others within seconds)."""
    services().analyzer.refresh_knowledge()


# ----------------------------------------------------------------- reports


def _findings(report: Report) -> list[dict[str, str]]:
    """The findings the reporter was shown, with their catalogue title and family."""
    catalogue = services().catalogue
    known = {**{c.entry.id: c.entry for c in catalogue.composites}, **catalogue.findings}
    out = []
    for fid in report.finding_ids:
        entry = known.get(fid)
        out.append(
            {
                "id": fid,
                # the catalogue's title with its blanks left blank: the report keeps no
                # message text to fill them with
                "title": _BLANK.sub("\u2026", entry.title) if entry is not None else "",
                "check": entry.check if entry is not None else "",
                "severity": entry.severity if entry is not None else "",
            }
        )
    return out


def _candidates(report_id: int) -> list[dict[str, str]]:
    """What confirming the report would make indicators of, each with the reason the rule
    of :mod:`caveat.service.triage` would leave it out ("" when it would be kept)."""
    s = services()
    reason = triage.leave_out((), s.analyzer.directory(), s.analyzer.config)
    with s.store.session() as session:
        row = session.get(ReportRow, report_id)
        found = [] if row is None else indicators_of(row)
    return [
        {"part": part, "kind": item.kind, "value": item.shown, "left_out": reason(part, item)}
        for part, item in found
    ]


@bp.get("/reports")
@page("reports.read")
def reports_list() -> Response:
    state = _choice("state", REPORT_STATES, "open")
    found = ReportStore(services().store).recent(PAGE, None if state == "all" else state)
    return render(
        "console/reports.html",
        title="Reports",
        state=state,
        states=REPORT_STATES,
        reports=found,
        page_size=PAGE,
    )


def _decision_note(report: Report) -> str:
    """The note the dismissal of ``report`` gave ("" for none, or for another state): it is
    kept in the decision's audit row, not on the report."""
    if report.status != "dismissed":
        return ""
    found = AuditLog(services().store).entries(
        action="report.dismiss", target=str(report.id), newest_first=True, limit=1
    )
    after = found[0].after if found else None
    note = after.get("note") if isinstance(after, dict) else None
    return note if isinstance(note, str) else ""


@bp.get("/reports/<int:report_id>")
@page("reports.read")
def reports_view(report_id: int) -> Response:
    report = ReportStore(services().store).get(report_id)
    if report is None:
        abort(error_page(404, f"There is no report {report_id}."))
    candidates = _candidates(report_id)
    parts = [p for p in triage.PARTS if any(c["part"] == p for c in candidates)]
    return render(
        "console/report.html",
        title=f"Report {report.id}",
        report=report,
        findings=_findings(report),
        candidates=candidates,
        parts=parts,
        part_names=PART_NAMES,
        note_max=DISMISS_NOTE_MAX,
        decision_note=_decision_note(report),
    )


def _already(report: Report | None, report_id: int) -> Response:
    by = f" by {report.triaged_by}" if report is not None and report.triaged_by else ""
    status = report.status if report is not None else "decided"
    notice(f"Report {report_id} was {status} already{by}; nothing changed.", kind="error")
    return redirect(url_for("console.reports_view", report_id=report_id), 303)


@bp.post("/reports/<int:report_id>/confirm")
@page("triage")
def reports_confirm(report_id: int) -> Response:
    keep = request.form.getlist("keep")
    unknown = [p for p in keep if p not in triage.PARTS]
    if unknown:
        bad_input(f"keep names parts of a report: {', '.join(triage.PARTS)}")
    chosen = frozenset(triage.PARTS) - frozenset(keep)
    s = services()
    who = principal()
    done = ReportStore(s.store).confirm(
        report_id,
        who,
        at=s.clock(),
        leave_out=triage.leave_out(chosen, s.analyzer.directory(), s.analyzer.config),
    )
    if done.outcome == "missing":
        abort(error_page(404, f"There is no report {report_id}."))
    if done.outcome == "already":
        return _already(done.report, report_id)
    _changed()
    assert done.report is not None
    alerting.fraud_confirmed(done.report, done.indicators, who)
    made = len(done.indicators)
    notice(
        f"Report {report_id} confirmed as fraud: {made} indicator{'' if made == 1 else 's'} "
        f"added, {done.known} already known, {len(done.left_out)} left out."
    )
    return redirect(url_for("console.reports_view", report_id=report_id), 303)


@bp.post("/reports/<int:report_id>/dismiss")
@page("triage")
def reports_dismiss(report_id: int) -> Response:
    note = request.form.get("note", "").strip()
    if len(note) > DISMISS_NOTE_MAX:
        bad_input(f"the note is too long (at most {DISMISS_NOTE_MAX} characters)")
    s = services()
    done = ReportStore(s.store).dismiss(report_id, principal(), at=s.clock(), note=note)
    if done.outcome == "missing":
        abort(error_page(404, f"There is no report {report_id}."))
    if done.outcome == "already":
        return _already(done.report, report_id)
    _changed()
    notice(f"Report {report_id} dismissed: no indicator made.")
    return redirect(url_for("console.reports_list"), 303)


# ----------------------------------------------------------------- indicators


def _state(entry: IndicatorEntry, now: datetime) -> str:
    return entry.state(now)


def _expiry(raw: str) -> datetime | None:
    """A date (YYYY-MM-DD, from a date field): the indicator stops counting at the end of
    that day, UTC; it must be in the future. "" for never."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        day = datetime.strptime(raw, "%Y-%m-%d").date()
    except ValueError:
        bad_input("the expiry must be a date such as 2027-01-31")
    at = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=UTC)
    if at <= services().clock():
        bad_input("the expiry must be today or later")
    return at


def _indicators_page(
    *, status: int = 200, problems: list[tuple[int, str]] | None = None
) -> Response:
    kind = _choice("kind", ("", *KINDS), "")
    state = _choice("state", INDICATOR_STATES, "active")
    source = _choice("source", ("", *SOURCES), "")
    raw_after = request.args.get("after", "")
    if raw_after and not raw_after.isdigit():
        bad_input("after must be an indicator id")
    s = services()
    now = s.clock()
    page_rows = IndicatorStore(s.store).entries(
        kind=kind or None,
        everything=state != "active",
        now=now,
        after_id=int(raw_after) if raw_after else None,
        limit=PAGE,
    )
    rows = [
        e
        for e in page_rows
        if (state in ("all", "active") or e.state(now) == state)
        and (not source or e.source == source)
    ]
    more = page_rows[-1].id if len(page_rows) == PAGE else None
    return render(
        "console/indicators.html",
        title="Indicators",
        status=status,
        rows=rows,
        now=now,
        state_of=_state,
        kind=kind,
        kinds=KINDS,
        state=state,
        states=INDICATOR_STATES,
        source=source,
        sources=SOURCES,
        more=more,
        note_max=NOTE_MAX,
        problems=problems or [],
        import_mib=CONSOLE_IMPORT_BYTES // (1024 * 1024),
    )


@bp.get("/indicators")
@page("intel")
def indicators_list() -> Response:
    return _indicators_page()


@bp.post("/indicators")
@page("intel")
def indicators_add() -> Response:
    kind = request.form.get("kind", "")
    value = request.form.get("value", "")
    note = request.form.get("note", "").strip()
    if kind not in KINDS:
        bad_input(f"kind must be one of {', '.join(KINDS)}")
    if not value.strip():
        bad_input("give the value of the indicator")
    if len(note) > NOTE_MAX:
        bad_input(f"the note is too long (at most {NOTE_MAX} characters)")
    try:
        checked = check_indicator(kind, value)
    except IndicatorError as exc:
        bad_input(f"not a valid {kind}: {exc}")
    expires_at = _expiry(request.form.get("expires", ""))
    s = services()
    store = IndicatorStore(s.store)
    added, _known = store.add(
        principal(), store.prepare([checked], note), source="api", at=s.clock(),
        expires_at=expires_at,
    )  # fmt: skip
    _changed()
    if added:
        notice(f"Indicator {added[0].id} added: {added[0].kind} {added[0].shown}.")
    else:
        notice(f"A live indicator already holds this {kind}; nothing added.", kind="error")
    return redirect(url_for("console.indicators_list"), 303)


@bp.post("/indicators/import")
@page("intel")
def indicators_import() -> Response:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        bad_input("choose an indicators CSV file to import")
    expires_at = _expiry(request.form.get("expires", ""))
    data = upload.read(MAX_BYTES + 1)
    try:
        parsed = parse_indicators_csv(data, max_bytes=MAX_BYTES)
    except IndicatorFileError as exc:
        # the file is refused whole: show each bad line on the list page, nothing kept
        return _indicators_page(status=400, problems=exc.problems)
    s = services()
    result = IndicatorStore(s.store).import_parsed(
        principal(), parsed, at=s.clock(), expires_at=expires_at,
        name=f"console import {upload.filename}"[:200],
    )  # fmt: skip
    _changed()
    notice(
        f"Imported {len(parsed)} row{'' if len(parsed) == 1 else 's'}: "
        f"{len(result.added)} added, {result.known} already known."
    )
    return redirect(url_for("console.indicators_list"), 303)


@bp.post("/indicators/<int:indicator_id>/expire")
@page("intel")
def indicators_expire(indicator_id: int) -> Response:
    s = services()
    removed = IndicatorStore(s.store).remove(indicator_id, principal(), at=s.clock())
    if removed is None:
        notice(f"There is no live indicator {indicator_id}; nothing changed.", kind="error")
    else:
        _changed()
        notice(f"Indicator {indicator_id} ({removed.kind} {removed.shown}) no longer counts.")
    return redirect(url_for("console.indicators_list"), 303)
