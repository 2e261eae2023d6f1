"""Fraud indicators and the triage of reports, on version 1 of the API.

* ``GET /api/v1/indicators`` (intel) — the live indicators, oldest first (``all=true``:
  the removed and expired too; ``kind=``; ``after=`` an id and ``limit=`` to page).
* ``POST /api/v1/indicators`` (intel) — one indicator: ``{"kind", "value", "note"?,
  "expires_at"?}``; 201, or 200 when a live indicator already holds the value.
* ``POST /api/v1/indicators/import`` (intel) — an indicators CSV (``kind,value,note``) as
  ``text/csv``, taken whole or refused whole (400 ``invalid_indicators`` naming each bad
  line); ``expires_at=`` in the query applies to every row.
* ``DELETE /api/v1/indicators/<id>`` (intel) — removed (kept on record, who and when).
* ``POST /api/v1/reports/<id>/confirm`` and ``/dismiss`` (triage) — an open report
  confirmed (its sender and what it carried become indicators) or dismissed; 409 when it
  was triaged before. ``GET /api/v1/reports?status=open`` lists the queue.

Every change writes its audit row in its own transaction and is seen by this process's
next request (the snapshot is read again at once) and by the others within seconds
(:mod:`caveat.service.knowledge`). Who acted is taken from the caller's token or key.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Response, jsonify, request

from caveat.knowledge.indicators_csv import (
    MAX_BYTES,
    NOTE_MAX,
    IndicatorError,
    IndicatorFileError,
    check_indicator,
    parse_indicators_csv,
)
from caveat.knowledge.shared import KINDS
from caveat.service import triage
from caveat.storage.indicators import IndicatorStore, NewIndicator
from caveat.storage.reports import ReportStore

from .. import alerting
from .errors import ApiError
from .reports_io import report_json
from .services import services
from .v1 import (
    _no_store,
    _query_text,
    _refuse_declared_oversize,
    bp,
    principal,
    read_json_body,
    requires,
)


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _when(value: Any, name: str) -> datetime | None:
    """An optional future date-time (RFC 3339) given as ``name``."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 40:
        raise ApiError(
            400, "invalid_field", f"{name} must be a date-time such as 2027-01-31T00:00:00Z"
        )
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(
            400, "invalid_field", f"{name} must be a date-time such as 2027-01-31T00:00:00Z"
        ) from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    if at <= services().clock():
        raise ApiError(400, "invalid_field", f"{name} must be in the future")
    return at


def _changed() -> None:
    """This process reads the shared knowledge again at once (the others within seconds)."""
    services().analyzer.refresh_knowledge()


@bp.get("/indicators")
@requires("intel")
def list_indicators() -> Response:
    kind = _query_text("kind", 16)
    if kind and kind not in KINDS:
        raise ApiError(400, "invalid_field", f"kind must be one of {', '.join(KINDS)}")
    everything = _query_text("all", 5).lower() in ("1", "true", "yes")
    raw_limit = _query_text("limit", 5) or "500"
    raw_after = _query_text("after", 12)
    if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= 1000:
        raise ApiError(400, "invalid_field", "limit must be a whole number from 1 to 1000")
    if raw_after and not raw_after.isdigit():
        raise ApiError(400, "invalid_field", "after must be an indicator id")
    s = services()
    now = s.clock()
    entries = IndicatorStore(s.store).entries(
        kind=kind or None,
        everything=everything,
        now=now,
        after_id=int(raw_after) if raw_after else None,
        limit=int(raw_limit),
    )
    return _no_store(jsonify({"indicators": [e.as_json(now) for e in entries]}))


@bp.post("/indicators")
@requires("intel")
def add_indicator() -> Response:
    body = read_json_body()
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_body", "the body must be a JSON object")
    unknown = sorted(set(body) - {"kind", "value", "note", "expires_at"})
    if unknown:
        raise ApiError(400, "invalid_field", f"unknown field {unknown[0]!r}")
    kind, value, note = body.get("kind"), body.get("value"), body.get("note") or ""
    if not isinstance(kind, str) or not isinstance(value, str):
        raise ApiError(400, "invalid_field", "kind and value are required strings")
    if not isinstance(note, str) or len(note) > NOTE_MAX:
        raise ApiError(400, "invalid_field", f"note must be text of at most {NOTE_MAX} characters")
    try:
        checked = check_indicator(kind, value)
    except IndicatorError as exc:
        raise ApiError(400, "invalid_indicator", str(exc)) from None
    expires_at = _when(body.get("expires_at"), "expires_at")
    s = services()
    store = IndicatorStore(s.store)
    added, _known = store.add(
        principal(), store.prepare([checked], note.strip()), source="api", at=s.clock(),
        expires_at=expires_at,
    )  # fmt: skip
    _changed()
    if not added:
        response = jsonify({"created": False, "message": "a live indicator already holds it"})
        return _no_store(response)
    response = jsonify({"created": True, "indicator": added[0].as_json(s.clock())})
    response.status_code = 201
    return _no_store(response)


@bp.post("/indicators/import")
@requires("intel")
def import_indicators() -> Response:
    _refuse_declared_oversize()
    if request.mimetype not in ("text/csv", "text/plain", "application/octet-stream"):
        raise ApiError(
            415,
            "unsupported_media_type",
            "send the indicators as text/csv"
            + (f", not {request.mimetype}" if request.mimetype else ""),
        )
    expires_at = _when(_query_text("expires_at", 40), "expires_at")
    try:
        parsed = parse_indicators_csv(request.get_data(cache=False), max_bytes=MAX_BYTES)
    except IndicatorFileError as exc:
        raise ApiError(400, "invalid_indicators", str(exc)) from None
    s = services()
    result = IndicatorStore(s.store).import_parsed(
        principal(), parsed, at=s.clock(), expires_at=expires_at, name="API import"
    )
    _changed()
    return _no_store(
        jsonify({"rows": len(parsed), "added": len(result.added), "already_known": result.known})
    )


@bp.delete("/indicators/<int:indicator_id>")
@requires("intel")
def remove_indicator(indicator_id: int) -> Response:
    s = services()
    removed = IndicatorStore(s.store).remove(indicator_id, principal(), at=s.clock())
    if removed is None:
        raise ApiError(404, "not_found", f"there is no live indicator {indicator_id}")
    _changed()
    return _no_store(jsonify({"indicator": removed.as_json(s.clock())}))


#: What a confirmation may be told to leave out of the indicators (``leave_out``).
PARTS = triage.PARTS


def _parts_left_out() -> frozenset[str]:
    """The optional body of a confirmation: ``{"leave_out": ["sender", ...]}`` (security
    judged, say, that the From address was forged and belongs to a real partner)."""
    if not request.content_length and "Transfer-Encoding" not in request.headers:
        return frozenset()  # no body
    body = read_json_body()
    if not isinstance(body, dict) or set(body) - {"leave_out"}:
        raise ApiError(400, "invalid_field", "the body may hold only leave_out")
    parts = body.get("leave_out") or []
    if not isinstance(parts, list) or not all(p in PARTS for p in parts):
        raise ApiError(400, "invalid_field", f"leave_out lists some of {', '.join(PARTS)}")
    return frozenset(parts)


def _leave_out(chosen: frozenset[str]) -> Callable[[str, NewIndicator], str]:
    """Why a value must not become an indicator (:func:`caveat.service.triage.leave_out`:
    security chose to leave it out, or it is ours, a partner's or a free-mail domain)."""
    s = services()
    return triage.leave_out(chosen, s.analyzer.directory(), s.analyzer.config)


def _triage(report_id: int, confirm: bool) -> Response:
    s = services()
    reports = ReportStore(s.store)
    who, at = principal(), s.clock()
    done = (
        reports.confirm(report_id, who, at=at, leave_out=_leave_out(_parts_left_out()))
        if confirm
        else reports.dismiss(report_id, who, at=at)
    )
    if done.outcome == "missing":
        raise ApiError(404, "not_found", f"there is no report {report_id}")
    if done.outcome == "already":
        assert done.report is not None
        raise ApiError(
            409, "already_triaged", f"report {report_id} is {done.report.status} already"
        )
    _changed()
    assert done.report is not None
    if confirm:
        alerting.fraud_confirmed(done.report, done.indicators, who)
    return _no_store(
        jsonify(
            {
                "report": report_json(done.report),
                "indicators": [e.as_json(at) for e in done.indicators],
                "already_known": done.known,
                "left_out": [{"value": v, "reason": r} for v, r in done.left_out],
            }
        )
    )


@bp.post("/reports/<int:report_id>/confirm")
@requires("triage")
def confirm_report(report_id: int) -> Response:
    return _triage(report_id, True)


@bp.post("/reports/<int:report_id>/dismiss")
@requires("triage")
def dismiss_report(report_id: int) -> Response:
    return _triage(report_id, False)
