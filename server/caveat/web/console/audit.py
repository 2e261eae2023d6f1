"""The console's audit log (permission ``audit``: administrators only).

* ``GET /admin/audit``: rows newest first, :data:`PAGE_SIZE` a page, filtered by action
  (a prefix: ``partner.`` is every change to the directory), actor (a subject: a person's
  id, ``key:3``, ``cli:root``; each row's actor links to its filter), target (exactly, as
  each row's target links to) and days (``since`` and ``until``, UTC, both included).
  ``before`` and ``after`` (a row's id) page to older and newer rows.
* ``GET /admin/audit/export``: every row the same filters select, as the API's CSV
  (:mod:`caveat.service.audit_csv`: a cell a spreadsheet would run as a formula is made
  inert).

Reading the log changes nothing in it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import Response, request, stream_with_context

from caveat.service.audit_csv import lines
from caveat.storage.audit import ACTION_MAX, SUBJECT_MAX, TARGET_MAX, AuditEntry, AuditLog

from ..api.services import services
from .kit import bad_input, bp, page, render
from .session import CONSOLE_CSP

#: Rows on one page.
PAGE_SIZE = 50
#: The filters, in the order the form and the links carry them.
FILTERS = ("action", "actor", "target", "since", "until")


def _text(name: str, longest: int) -> str:
    value = request.args.get(name, "").strip()
    if len(value) > longest:
        bad_input(f"the {name} filter is too long (at most {longest} characters)")
    if not value.isprintable():
        bad_input(f"the {name} filter must be printable text")
    return value


def _day(name: str) -> date | None:
    text = _text(name, 10)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        bad_input(f"{name} must be a date written YYYY-MM-DD, e.g. 2026-12-01")


def _id(name: str) -> int | None:
    text = _text(name, 18)
    if not text:
        return None
    if not text.isdigit():
        bad_input(f"{name} must be an audit row's number")
    return int(text)


def _filters() -> tuple[dict[str, str], dict[str, Any]]:
    """The filters as the form shows them, and as :meth:`AuditLog.entries` takes them."""
    shown = {
        "action": _text("action", ACTION_MAX),
        "actor": _text("actor", SUBJECT_MAX),
        "target": _text("target", TARGET_MAX),
    }
    since, until = _day("since"), _day("until")
    if since and until and until < since:
        bad_input("the last day (until) must not be before the first (since)")
    shown["since"] = since.isoformat() if since else ""
    shown["until"] = until.isoformat() if until else ""
    return shown, {
        "action": shown["action"] or None,
        "actor": shown["actor"] or None,
        "target": shown["target"] or None,
        "since": datetime(since.year, since.month, since.day, tzinfo=UTC) if since else None,
        # the last day is included: rows before the start of the next
        "until": (
            datetime(until.year, until.month, until.day, tzinfo=UTC) + timedelta(days=1)
            if until
            else None
        ),
    }


def _state(value: Any) -> str:
    if value is None:
        return ""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, indent=1)


def _row(e: AuditEntry) -> dict[str, Any]:
    return {
        "id": e.id,
        "at": e.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "at_iso": e.at.astimezone(UTC).isoformat(),
        "actor": e.actor,
        "actor_subject": e.actor_subject,
        "action": e.action,
        "target": e.target,
        "before": _state(e.before),
        "after": _state(e.after),
    }


@bp.get("/audit")
@page("audit")
def audit_list() -> Response:
    shown, filters = _filters()
    before, after = _id("before"), _id("after")
    if before is not None and after is not None:
        bad_input("page either to older rows (before) or to newer ones (after), not both")
    log = AuditLog(services().store)
    if after is not None:
        # newer rows: the PAGE_SIZE right after ``after``, shown newest first
        entries = log.entries(after_id=after, limit=PAGE_SIZE + 1, **filters)
        newer = len(entries) > PAGE_SIZE
        entries = list(reversed(entries[:PAGE_SIZE]))
        older = bool(entries)
    else:
        entries = log.entries(before_id=before, newest_first=True, limit=PAGE_SIZE + 1, **filters)
        older = len(entries) > PAGE_SIZE
        entries = entries[:PAGE_SIZE]
        newer = before is not None and bool(entries)
    kept = {k: v for k, v in shown.items() if v}
    actions = log.actions()
    prefixes = sorted({a.split(".", 1)[0] + "." for a in actions if "." in a})
    return render(
        "console/audit.html",
        title="Audit log",
        rows=[_row(e) for e in entries],
        shown=shown,
        filtered=bool(kept),
        kept=kept,
        older_link=dict(kept, before=entries[-1].id) if older and entries else None,
        newer_link=dict(kept, after=entries[0].id) if newer and entries else None,
        page_size=PAGE_SIZE,
        suggested=[*prefixes, *actions],
    )


@bp.get("/audit/export")
@page("audit")
def audit_export() -> Response:
    _, filters = _filters()
    log = AuditLog(services().store)
    first = log.entries(limit=1, **filters)  # a database error is an error page before any byte

    def chunks() -> Iterator[str]:
        yield from lines(log.every(**filters) if first else ())

    response = Response(stream_with_context(chunks()), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="caveat-audit.csv"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = CONSOLE_CSP
    return response
