"""Verify sender outcomes and account approvals, on the v1 blueprint.

Contract (the OpenAPI document has the schemas; errors are the API's usual shape):

``POST /api/v1/verifications`` (permission ``verify``) records one call::

    {"organization": "Acme Ltd",                 # a partner in the directory
     "contact": {"index": 0} | {"email": "..."} | {"phone": "..."},
                                                 # one of ITS contacts on file (index: the
                                                 #   directory's order, as its export lists
                                                 #   them; GET /senders/contact puts the
                                                 #   matching contact first, so prefer email
                                                 #   or phone); never a number from the message
     "account_ref": "<64 hex>",                  # a bank finding's evidence ``ref``
     "account_masked": "DE89 **** 3000",         # optional: the masked form shown with it
     "outcome": "confirmed" | "denied" | "unreachable",
     "note": "...",                              # optional, at most 500 characters
     "message": {"from": "...", "reply_to": "..."}}  # optional, for a denial's indicators

The person recording is the caller (from the token). 201 with the stored call, the
account's standing (``account_status``: confirmations by distinct people, how many are
needed, denied, verified) and, for a denial, the indicators made and the message addresses
left out (the partner's own, ours). 400 when the organisation is not in the directory or
the contact is not one of its contacts on file; 403 without ``verify``.

``GET /api/v1/verifications?organization=&account_ref=&limit=`` (``verify``): calls,
newest first, who recorded them, when, the contact used; with ``account_ref`` (and
``organization``) also that account's ``account_status``.

``POST /api/v1/verifications/<id>/clear`` (``approve``): an administrator clears a denial
that was mistaken; it no longer blocks the account.

``POST /api/v1/accounts/approvals`` (``verify``): a request to put a verified account on
the directory's accounts on file: ``{"organization", "account_ref", "account", "note"?}``,
``account`` the account in clear (read from the message for this request only; it must
hash to ``account_ref``). 201; 409 ``not_verified`` unless the account is verified, 409
``conflict`` when it is on file or a request for it is pending.

``GET /api/v1/accounts/approvals?status=pending|approved|rejected`` (``verify``).

``POST /api/v1/accounts/approvals/<id>/approve`` and ``.../reject`` (``approve``): never by
the person who asked (403 ``same_person``). Approving puts the account on file for the
partner (it appears in ``GET /api/v1/partners``); both write audit rows.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify

from caveat.service.verifications import DEFAULT_CONFIRMATIONS, Verifications
from caveat.storage.verifications import APPROVED, PENDING, REF_RE, REJECTED, VerificationError

from .. import alerting
from .errors import ApiError
from .services import services
from .v1 import _query_text, bp, principal, read_json_body, requires

#: HTTP status of each refusal of the verification rules
_STATUS = {"invalid": 400, "not_found": 404, "conflict": 409, "not_verified": 409,
           "same_person": 403}  # fmt: skip
ORGANIZATION_MAX = 300


def verifications() -> Verifications:
    s = services()
    return Verifications(
        store=s.store,
        directory=s.analyzer.directory,
        confirmations=int(current_app.config.get("VERIFY_CONFIRMATIONS", DEFAULT_CONFIRMATIONS)),
        is_internal=s.config.is_internal,
        on_change=_refresh,
        on_denied=lambda done: alerting.verification_denied(done, principal()),
    )


def _refresh() -> None:
    """This process uses what changed at once (the others within their next check)."""
    analyzer: Any = services().analyzer
    analyzer.refresh()
    knowledge = getattr(analyzer, "refresh_knowledge", None)
    if callable(knowledge):
        knowledge()


def _refused(exc: VerificationError) -> ApiError:
    return ApiError(_STATUS.get(exc.code, 400), exc.code if exc.code != "invalid" else
                    "invalid_field", str(exc))  # fmt: skip


def _body() -> dict[str, Any]:
    payload = read_json_body()
    if not isinstance(payload, dict):
        raise ApiError(400, "invalid_json", "the request body must be a JSON object")
    return payload


def _no_store(response: Response, status: int = 200) -> Response:
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


def _limit() -> int:
    raw = _query_text("limit", 4) or "100"
    if not raw.isdigit() or not 1 <= int(raw) <= 1000:
        raise ApiError(400, "invalid_field", "limit must be a whole number from 1 to 1000")
    return int(raw)


@bp.post("/verifications")
@requires("verify")
def record_verification() -> Response:
    body = _body()
    try:
        done = verifications().record(principal(), body)
    except VerificationError as exc:
        raise _refused(exc) from None
    return _no_store(jsonify(done.as_json()), 201)


@bp.get("/verifications")
@requires("verify")
def list_verifications() -> Response:
    organization = _query_text("organization", ORGANIZATION_MAX)
    ref = _query_text("account_ref", 64)
    if ref and not REF_RE.match(ref):
        raise ApiError(400, "invalid_field", "account_ref must be 64 hexadecimal digits")
    if ref and not organization:
        raise ApiError(400, "invalid_field", "account_ref needs organization")
    v = verifications()
    found = v.entries(organization or None, limit=_limit())
    if ref:
        found = [f for f in found if f.account_ref == ref]
    body: dict[str, Any] = {"verifications": [f.as_json() for f in found]}
    if ref:
        status = v.status(organization, ref)
        body["account_status"] = status.as_json() if status else None
    body["confirmations_needed"] = v.confirmations
    return _no_store(jsonify(body))


@bp.post("/verifications/<int:verification_id>/clear")
@requires("approve")
def clear_verification(verification_id: int) -> Response:
    try:
        done = verifications().clear(verification_id, principal())
    except VerificationError as exc:
        raise _refused(exc) from None
    return _no_store(jsonify(done.as_json()))


@bp.post("/accounts/approvals")
@requires("verify")
def request_account_approval() -> Response:
    body = _body()
    try:
        done = verifications().request_approval(principal(), body)
    except VerificationError as exc:
        raise _refused(exc) from None
    return _no_store(jsonify(done.as_json()), 201)


@bp.get("/accounts/approvals")
@requires("verify")
def list_account_approvals() -> Response:
    status = _query_text("status", 10)
    if status and status not in (PENDING, APPROVED, REJECTED):
        raise ApiError(400, "invalid_field", "status must be pending, approved or rejected")
    found = verifications().approvals(status or None)
    return _no_store(jsonify({"approvals": [a.as_json() for a in found]}))


@bp.post("/accounts/approvals/<int:approval_id>/approve")
@requires("approve")
def approve_account(approval_id: int) -> Response:
    return _decide(approval_id, approve=True)


@bp.post("/accounts/approvals/<int:approval_id>/reject")
@requires("approve")
def reject_account(approval_id: int) -> Response:
    return _decide(approval_id, approve=False)


def _decide(approval_id: int, *, approve: bool) -> Response:
    try:
        done = verifications().decide(approval_id, principal(), approve=approve)
    except VerificationError as exc:
        raise _refused(exc) from None
    return _no_store(jsonify(done.as_json()))
