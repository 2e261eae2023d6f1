"""The audit log, on version 1 of the API (permission ``audit``; administrators):

* ``GET /api/v1/audit`` — rows oldest first: ``since`` and ``until`` (a date or an RFC 3339
  time; ``until`` excluded), ``action`` (a prefix: ``partner.`` is every change to the
  directory), ``actor`` (an actor's subject: ``cli:root``, ``key:3``, a person's id),
  ``after`` (an id: the page after it) and ``limit`` (1-1000, 100 by default). The answer's
  ``next_after`` is the ``after`` of the next page, null on the last.
* ``GET /api/v1/audit/export`` — every row the same filters select, as CSV
  (:mod:`caveat.service.audit_csv`: a cell that could run as a formula is made inert).

The log is read only: no route changes or deletes a row.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Response, jsonify, stream_with_context

from caveat.service.audit_csv import lines
from caveat.storage.audit import ACTION_MAX, SUBJECT_MAX, AuditLog

from .errors import ApiError
from .services import services
from .v1 import _no_store, _query_text, bp, requires

LIMIT_DEFAULT = 100
LIMIT_MAX = 1000


def _time(name: str) -> datetime | None:
    text = _query_text(name, 40)
    if not text:
        return None
    try:
        at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(
            400,
            "invalid_field",
            f"{name} must be a date (2026-12-01) or a time such as 2026-12-01T09:00:00Z",
        ) from None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


def _filters() -> dict[str, Any]:
    since, until = _time("since"), _time("until")
    if since is not None and until is not None and until <= since:
        raise ApiError(400, "invalid_field", "until must be later than since")
    return {
        "since": since,
        "until": until,
        "action": _query_text("action", ACTION_MAX) or None,
        "actor": _query_text("actor", SUBJECT_MAX) or None,
    }


@bp.get("/audit")
@requires("audit")
def list_audit() -> Response:
    filters = _filters()
    raw_limit = _query_text("limit", 5) or str(LIMIT_DEFAULT)
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= LIMIT_MAX:
        raise ApiError(400, "invalid_field", f"limit must be a whole number from 1 to {LIMIT_MAX}")
    raw_after = _query_text("after", 18)
    if raw_after and not raw_after.isdigit():
        raise ApiError(400, "invalid_field", "after must be an audit row's id")
    limit = int(raw_limit)
    entries = AuditLog(services().store).entries(
        after_id=int(raw_after) if raw_after else None, limit=limit, **filters
    )
    return _no_store(
        jsonify(
            {
                "entries": [e.as_json() for e in entries],
                "next_after": entries[-1].id if len(entries) == limit else None,
            }
        )
    )


@bp.get("/audit/export")
@requires("audit")
def export_audit() -> Response:
    filters = _filters()
    log = AuditLog(services().store)
    first = log.entries(limit=1, **filters)  # a database error is a 503 before any byte

    def chunks() -> Any:
        yield from lines(log.every(**filters) if first else ())

    response = Response(stream_with_context(chunks()), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="caveat-audit.csv"'
    return _no_store(response)
