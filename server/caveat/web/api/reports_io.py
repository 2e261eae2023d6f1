"""Reports as the API reads and shows them: what a report request carries for its
confirmation (:func:`report_refs`, :func:`with_candidates` for what the service derives
from the reported message itself) and a report as the triage queue lists it
(:func:`report_json`). Shared by :mod:`caveat.web.api.v1` (``POST`` and ``GET /reports``)
and :mod:`caveat.web.api.intel` (confirm, dismiss)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from caveat.knowledge.indicators_csv import IndicatorError, check_indicator
from caveat.service.report_candidates import Candidates
from caveat.storage.reports import Report, ReportRefs

from .errors import ApiError

_REF_RE = re.compile(r"^[0-9a-f]{64}$")
#: The most values of each kind a report may carry for its confirmation.
REFS_MAX = 20
MASKED_MAX = 64


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def report_json(r: Report) -> dict[str, Any]:
    """A report as the triage queue lists it."""
    return {
        "id": r.id,
        "reported_at": _stamp(r.reported_at),
        "sender": r.sender,
        "level": r.level,
        "finding_ids": list(r.finding_ids),
        "reporter": r.reporter,
        "status": r.status,
        "triaged_at": _stamp(r.triaged_at) if r.triaged_at else None,
        "triaged_by": r.triaged_by,
        "indicators": r.refs.as_dict(),
    }


def report_refs(payload: dict[str, Any]) -> ReportRefs:
    """What a report request carries for its confirmation (``indicators``: the analyze
    response's Reply-To addresses, look-alike domains, accounts by ``account_ref`` with
    their masked form, phone numbers), checked; 400 naming the first bad value."""
    given = payload.get("indicators")
    if given is None:
        return ReportRefs()
    if not isinstance(given, dict):
        raise ApiError(400, "invalid_field", "indicators must be an object")

    def items(name: str) -> list[Any]:
        value = given.get(name) or []
        if not isinstance(value, list) or len(value) > REFS_MAX:
            raise ApiError(
                400, "invalid_field", f"indicators.{name} must be a list of at most {REFS_MAX}"
            )
        return value

    def checked(kind: str, name: str, value: Any) -> str:
        if not isinstance(value, str):
            raise ApiError(
                400, "invalid_field", f"indicators.{name} holds a value that is not text"
            )
        try:
            return check_indicator(kind, value).value
        except IndicatorError as exc:
            raise ApiError(400, "invalid_field", f"indicators.{name}: {exc}") from None

    addresses = tuple(dict.fromkeys(checked("address", "reply_to", v) for v in items("reply_to")))
    domains = tuple(dict.fromkeys(checked("domain", "domains", v) for v in items("domains")))
    phones = []
    for v in items("phones"):
        if not isinstance(v, str):
            raise ApiError(400, "invalid_field", "indicators.phones holds a value that is not text")
        try:
            c = check_indicator("phone", v)
        except IndicatorError as exc:
            raise ApiError(400, "invalid_field", f"indicators.phones: {exc}") from None
        phones.append((c.value, c.region))
    accounts = []
    for a in items("accounts"):
        ref = a.get("account_ref") if isinstance(a, dict) else None
        masked = a.get("masked") if isinstance(a, dict) else None
        if not isinstance(ref, str) or not _REF_RE.match(ref):
            raise ApiError(
                400,
                "invalid_field",
                "indicators.accounts: each needs the account_ref (64 hexadecimal digits) "
                "the analysis showed",
            )
        if not isinstance(masked, str) or "****" not in masked or len(masked) > MASKED_MAX:
            raise ApiError(
                400,
                "invalid_field",
                "indicators.accounts: each needs its masked form as the analysis showed it "
                f"(with ****, at most {MASKED_MAX} characters), never the account number",
            )
        accounts.append((ref, masked.strip()))
    return ReportRefs(
        addresses, domains, tuple(dict.fromkeys(accounts)), tuple(dict.fromkeys(phones))
    )


def with_candidates(given: ReportRefs, found: Candidates) -> ReportRefs:
    """What the client named (``indicators``) and what the service found in the reported
    message (:mod:`caveat.service.report_candidates`), each value once, the client's
    first, at most :data:`REFS_MAX` of each kind."""

    def merged(a: tuple[Any, ...], b: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(dict.fromkeys((*a, *b)))[:REFS_MAX]

    accounts = dict(given.accounts)
    for ref, masked in found.accounts:
        accounts.setdefault(ref, masked)
    phones = dict(given.phones)
    for number, region in found.phones:
        phones.setdefault(number, region)
    kept = tuple(accounts.items())[:REFS_MAX]
    refs = {ref for ref, _ in kept}
    return ReportRefs(
        merged(given.addresses, found.reply_to),
        merged(given.domains, found.domains),
        kept,
        tuple(phones.items())[:REFS_MAX],
        tuple(a for a in found.aliases if a[0] in refs),
    )
