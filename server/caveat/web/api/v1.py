"""Version 1 of the HTTP API, mounted at ``/api/v1``.

Views validate, call the engine and serialise; nothing else. Every view needs a
permission (``@requires``), which the caller's token or service key must grant
(:mod:`caveat.web.api.auth`), except the OpenAPI document and the public sign-in settings.
Request bodies are read in memory and dropped: never stored, never logged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import Any, TypeVar

from flask import Blueprint, Response, g, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from caveat.engine.guard import outgoing_from_payload
from caveat.engine.localise import worded
from caveat.i18n import negotiate
from caveat.identity.permissions import check_permissions
from caveat.identity.principal import Principal
from caveat.identity.tokens import IdentityUnavailable
from caveat.knowledge.partners_csv import parse_partners_csv, write_partners_csv
from caveat.knowledge.verify import UNKNOWN, find_sender_contact
from caveat.mail.errors import InputError
from caveat.mail.normalise import from_payload
from caveat.service.report_candidates import Candidates, report_candidates
from caveat.storage.directory_store import DirectoryStore, import_parsed
from caveat.storage.reports import STATUSES, ReportStore

from .. import alerting
from . import auth
from .csv_upload import csv_download, csv_upload, row_errors
from .errors import ApiError
from .guard_schema import recipients_validator
from .reports_io import report_json, report_refs, with_candidates
from .schema import BodyValidator, openapi_bytes
from .services import notify_analyzed, services

bp = Blueprint("v1", __name__, url_prefix="/api/v1")

#: Endpoints anyone may call.
PUBLIC = frozenset({"v1.openapi", "v1.identity_document"})
#: The permission each other endpoint needs (filled by :func:`requires`).
PERMISSION_OF: dict[str, str] = {}

#: ``GET /senders/contact``: an address (RFC 5321's 320 characters) and a display name.
ADDRESS_MAX = 320
NAME_MAX = 256

View = TypeVar("View", bound=Callable[..., Any])


def requires(permission: str) -> Callable[[View], View]:
    """Declare the permission a view needs (put it under the route decorator)."""
    check_permissions([permission])

    def declare(view: View) -> View:
        PERMISSION_OF[f"{bp.name}.{view.__name__}"] = permission
        return view

    return declare


@bp.record_once
def _set_up_identity(state: Any) -> None:
    auth.init_app(state.app)


@bp.before_request
def require_permission() -> None:
    endpoint = request.endpoint or ""
    if endpoint in PUBLIC:
        return
    permission = PERMISSION_OF.get(endpoint)
    if permission is None:  # a route without a declared permission is nobody's
        raise ApiError(403, "forbidden", "this route is not open to anyone")
    auth.authenticate(permission)


def principal() -> Principal:
    """Who is calling (set by :func:`require_permission`)."""
    found: Principal = g.principal
    return found


@bp.get("/identity")
def identity_document() -> Response:
    """How clients sign people in here: public, so that a client given only the
    service's address can configure itself."""
    try:
        document = auth.identity().document()
    except IdentityUnavailable:
        raise ApiError(
            503,
            "identity_unavailable",
            "the identity provider's settings cannot be fetched; try again soon",
            [("Retry-After", str(auth.RETRY_SECONDS))],
        ) from None
    response = jsonify(document)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.post("/analyze")
@requires("analyze")
def analyze() -> Response:
    s = services()
    payload = read_json_body()
    s.request_validator.validate(payload)
    facts = from_payload(payload, s.config.limits)
    now = s.clock()
    verdict = s.analyzer.analyze(facts, now, viewer=_viewer(principal()))
    notify_analyzed(facts, verdict.level)
    alerting.analyzed(facts, verdict, principal(), s.analyzer.directory)
    language = _language(payload)
    body = {
        **s.analyzer.localiser().verdict(verdict, language).to_dict(),
        "language": language,
        **({"partial": [worded(c, language) for c in facts.cuts]} if facts.cuts else {}),
        "message_id": facts.message_id,
        "checked_at": _stamp(now),
        "notices": [n.to_dict(language) for n in s.notices],
    }
    return _worded(_no_store(jsonify(body)), language)


def _language(payload: Any) -> str:
    """The language to answer in: the body's ``language``, else Accept-Language, else
    English (the request was validated: ``language`` is a short string or absent)."""
    return negotiate(payload.get("language"), request.headers.get("Accept-Language"))


def _worded(response: Response, language: str) -> Response:
    response.headers["Content-Language"] = language
    response.vary.add("Accept-Language")
    return response


@bp.post("/recipients")
@requires("analyze")
def recipients() -> Response:
    """The send-time guard: are the recipients of a message being written who they seem?
    Reads the conversation memory, never writes it."""
    s = services()
    payload = read_json_body()
    recipients_validator(s.config.limits).validate(payload)
    outgoing = outgoing_from_payload(payload, s.config.limits)
    now = s.clock()
    verdict = s.analyzer.check_recipients(outgoing, now, viewer=_viewer(principal()))
    language = _language(payload)
    worded = s.analyzer.localiser().guard(verdict, language)
    return _worded(
        _no_store(jsonify({**worded.to_dict(), "language": language, "checked_at": _stamp(now)})),
        language,
    )


@bp.get("/senders/contact")
@requires("contacts")
def sender_contact() -> Response:
    """Verify sender: the partner a message is from, or claims to be from, with its
    contacts from the directory (never from the message, never its bank accounts)."""
    address = _query_text("address", ADDRESS_MAX)
    if not address:
        raise ApiError(400, "invalid_field", "address is required")
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        raise ApiError(400, "invalid_field", "address must be an email address")
    name = _query_text("name", NAME_MAX)
    s = services()
    found = find_sender_contact(s.analyzer.directory(), address, name, freemail=s.config.freemail)
    return _no_store(jsonify(found.to_dict() if found is not None else UNKNOWN))


@bp.post("/reports")
@requires("report")
def report_message() -> Response:
    """The pane's Report action: the message's sender and hashed ids, never its content.
    The reporter is who is calling (a ``reporter`` in the body is ignored). An optional
    ``message`` (the analyze request's body) is read for what confirmation would make
    indicators of (:mod:`caveat.service.report_candidates`), then dropped."""
    payload = read_json_body()
    message = payload.pop("message", None) if isinstance(payload, dict) else None
    _report_validator().validate(payload)
    # kept as sent but for control and direction characters, which no address holds and
    # which would rewrite a screen that lists it (the triage queue, `caveat reports`)
    sender = "".join(
        c if c.isprintable() else "\ufffd" for c in payload["from"].get("address") or ""
    )
    if "@" not in sender:
        raise ApiError(400, "invalid_field", "from.address must be the reported sender's address")
    refs = report_refs(payload)
    if message is not None:
        refs = with_candidates(refs, _candidates(message, sender))
    report = ReportStore(services().store).add(
        sender=sender,
        message_id=payload.get("internet_message_id"),
        conversation_id=payload.get("conversation_id"),
        level=payload.get("level"),
        finding_ids=list(payload.get("finding_ids") or []),
        reporter=_actor(principal()),
        key_id=principal().key_id,
        at=services().clock(),
        reporter_subject=_viewer(principal()),
        refs=refs,
    )
    if report.created:  # the reporter's next analysis shows it (REPORTED_BY_YOU)
        services().analyzer.refresh_knowledge()
    response = jsonify(
        {"id": report.id, "reported_at": _stamp(report.reported_at), "created": report.created}
    )
    response.status_code = 201 if report.created else 200
    return _no_store(response)


@bp.get("/reports")
@requires("reports.read")
def list_reports() -> Response:
    """The newest reports, for security staff (they name colleagues and senders);
    ``status=open`` is the triage queue."""
    raw = _query_text("limit", 4) or "100"
    if not raw.isdigit() or not 1 <= int(raw) <= 1000:
        raise ApiError(400, "invalid_field", "limit must be a whole number from 1 to 1000")
    status = _query_text("status", 10) or None
    if status is not None and status not in STATUSES:
        raise ApiError(400, "invalid_field", f"status must be one of {', '.join(STATUSES)}")
    reports = ReportStore(services().store).recent(int(raw), status)
    return _no_store(jsonify({"reports": [report_json(r) for r in reports]}))


def _candidates(message: Any, sender: str) -> Candidates:
    """What the reported ``message`` offers as indicators; 400 (413 for too many
    addresses or parts over the limits) naming what is wrong with it, as analyze would."""
    s = services()
    if not isinstance(message, dict):
        raise ApiError(
            400, "invalid_field", "message must be an object (the body analyze was sent)"
        )
    try:
        s.request_validator.validate(message)
        facts = from_payload(message, s.config.limits)
    except InputError as exc:
        raise InputError(exc.code, f"message: {exc.message}", status=exc.status) from None
    senders = {a.address.lower() for a in facts.from_}
    if senders and sender.strip().lower() not in senders:
        raise ApiError(
            400, "invalid_field", "message: its From address is not the reported sender's"
        )
    return report_candidates(s.analyzer, facts, s.clock())


def _viewer(who: Principal) -> str | None:
    """Whose own open reports a request sees: a signed-in person's; never a service key's
    (one key may serve many people: a demo add-in's)."""
    return who.subject if who.is_person else None


def _actor(who: Principal) -> str:
    """How a record names who acted: a person by their sign-in name (an address, as
    reports have always named their reporter), a key as ``service key NAME``."""
    return who.username if who.is_person else who.label


@cache
def _report_validator() -> BodyValidator:
    return BodyValidator("ReportRequest")


def _query_text(name: str, most: int) -> str:
    """A query parameter given at most once, at most ``most`` characters; "" when absent."""
    values = request.args.getlist(name)
    if len(values) > 1:
        raise ApiError(400, "invalid_field", f"{name} may be given only once")
    value = values[0].strip() if values else ""
    if len(value) > most:
        raise ApiError(400, "invalid_field", f"{name} is too long (at most {most} characters)")
    return value


def _stamp(now: datetime) -> str:
    return now.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.put("/partners")
@requires("directory")
def import_partners() -> Response:
    """Load a partner CSV (the format of ``caveat partners import``).
    Bad rows are reported with their line numbers and the good ones stored."""
    result, replace = csv_upload("the partner directory", parse_partners_csv)
    s = services()
    report, warnings = import_parsed(
        s.store, result, replace=replace, who=principal(), source="PUT /api/v1/partners"
    )
    s.analyzer.refresh()
    return jsonify(
        {
            "rows": result.rows,
            "organizations": len(result.partners),
            "created": report.created,
            "updated": report.updated,
            "removed": report.removed,
            "errors": row_errors(result),
            "warnings": warnings + [f"{org}: {problem}" for org, problem in report.problems],
        }
    )


@bp.get("/partners")
@requires("directory")
def export_partners() -> Response:
    """The partner directory as CSV (it holds phone numbers and accounts)."""
    text = write_partners_csv(DirectoryStore(services().store).partners())  # type: ignore[arg-type]
    return csv_download(text)


def _refuse_declared_oversize() -> int | None:
    """413 before reading a body whose Content-Length is over the limit; returns the limit."""
    limit = request.max_content_length
    if limit is not None and request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge()
    return limit


@bp.get("/checks")
@requires("analyze")
def checks() -> Response:
    return jsonify(services().catalogue_document)


@bp.get("/openapi.json")
def openapi() -> Response:
    return Response(openapi_bytes(), mimetype="application/json")


def read_json_body() -> Any:
    """The request body decoded from JSON, after the size and type checks.

    413 when Content-Length is over the limit (checked before anything is read) or a
    chunked body runs past it (reading stops there), 415 unless the body is sent as
    application/json, 400 unless it is valid JSON text in UTF-8.
    """
    limit = _refuse_declared_oversize()
    if request.mimetype != "application/json":
        raise ApiError(
            415,
            "unsupported_media_type",
            "send the request body as application/json"
            + (f", not {request.mimetype}" if request.mimetype else ""),
        )
    data = request.get_data(cache=False)
    if request.content_length is None and limit is not None and len(data) >= limit:
        # A body without Content-Length (chunked) is cut off at the limit as it is read
        # (and silently, by Werkzeug); one more byte behind it means it was too large.
        if request.environ["wsgi.input"].read(1):
            raise RequestEntityTooLarge()
    try:
        text = data.decode("utf-8")  # RFC 8259: JSON exchanged between systems is UTF-8
    except UnicodeDecodeError:
        raise ApiError(400, "invalid_json", "the request body is not UTF-8 text") from None
    try:
        value = json.loads(text, parse_constant=_no_constants)
    except RecursionError:
        raise ApiError(400, "invalid_json", "the request body is nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise ApiError(
            400,
            "invalid_json",
            f"the request body is not valid JSON: {exc.msg} "
            f"at line {exc.lineno} column {exc.colno}",
        ) from None
    except _NotJson as exc:
        raise ApiError(400, "invalid_json", f"the request body is not valid JSON: {exc}") from None
    except ValueError:  # an integer of thousands of digits
        raise ApiError(
            400, "invalid_json", "the request body is not valid JSON: a number is too long"
        ) from None
    # JSON may escape half of a UTF-16 pair alone ("\ud800"): such text cannot be stored,
    # hashed or encoded, so each lone half becomes U+FFFD, as a decoder would make it.
    if _SURROGATE_ESCAPE_RE.search(text):
        value = _without_lone_surrogates(value)
    return value


_SURROGATE_ESCAPE_RE = re.compile(r"\\u[dD][89a-fA-F]")


def _without_lone_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    if isinstance(value, list):
        return [_without_lone_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {_without_lone_surrogates(k): _without_lone_surrogates(v) for k, v in value.items()}
    return value


class _NotJson(ValueError):
    pass


def _no_constants(name: str) -> Any:
    raise _NotJson(f"{name} is not a JSON value")
