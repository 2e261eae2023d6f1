"""The console's finance pages: Verify sender outcomes and four-eyes account approvals.

* ``/admin/verifications`` (``verify``): the calls finance recorded from the add-in,
  newest first, filtered by partner and outcome; with ``approve``, a mistaken denial can
  be cleared (``POST /admin/verifications/<id>/clear``, as ``POST
  /api/v1/verifications/<id>/clear`` allows).
* ``/admin/approvals`` (``verify`` or ``approve``): requests to put a verified account on
  the directory's accounts on file, with who asked and who verified the account; with
  ``approve``, approve or reject one. Nobody decides their own request: the rule is the
  storage's (:meth:`caveat.storage.verifications.VerificationStore.decide`), the page only
  says why the buttons are absent.

The rules are :class:`caveat.service.verifications.Verifications`', built exactly as the
API builds it (:func:`caveat.web.api.verify.verifications`).
"""

from __future__ import annotations

from flask import abort, redirect, request, url_for
from werkzeug.wrappers import Response

from caveat.knowledge.partners_csv import organization_key
from caveat.storage.verifications import (
    APPROVED,
    OUTCOMES,
    PENDING,
    REJECTED,
    AccountStatus,
    Approval,
    VerificationError,
)

from ..api.verify import ORGANIZATION_MAX, verifications
from .kit import bad_input, bp, error_page, notice, page, principal, render

#: The most calls listed on one page.
LIMIT = 500
#: What the list of calls may be filtered by ("cleared": denials an administrator cleared).
OUTCOME_FILTERS = ("all", *OUTCOMES, "cleared")
APPROVAL_STATES = (PENDING, APPROVED, REJECTED, "all")


@bp.get("/verifications")
@page("verify")
def verifications_list() -> Response:
    organization = request.args.get("organization", "").strip()
    outcome = request.args.get("outcome", "") or "all"
    if len(organization) > ORGANIZATION_MAX:
        bad_input(f"the partner's name is too long (at most {ORGANIZATION_MAX} characters)")
    if outcome not in OUTCOME_FILTERS:
        bad_input(f"outcome must be one of {', '.join(OUTCOME_FILTERS)}")
    v = verifications()
    found = v.entries(organization or None, limit=LIMIT)
    if outcome == "cleared":
        found = [f for f in found if f.cleared_at is not None]
    elif outcome != "all":
        found = [f for f in found if f.outcome == outcome]
    # where each account listed stands (four eyes reached, a denial standing): one select
    # (calls are made by people, one at a time: there are never very many)
    standing = {
        (organization_key(st.organization), st.account_ref): st
        for st in v.records.statuses(v.confirmations)
    }
    return render(
        "console/verifications.html",
        title="Verifications",
        rows=found,
        standing=standing,
        key_of=lambda f: (organization_key(f.organization), f.account_ref),
        organization=organization,
        outcome=outcome,
        outcomes=OUTCOME_FILTERS,
        needed=v.confirmations,
        limit=LIMIT,
    )


@bp.post("/verifications/<int:verification_id>/clear")
@page("approve")
def verifications_clear(verification_id: int) -> Response:
    try:
        done = verifications().clear(verification_id, principal())
    except VerificationError as exc:
        if exc.code == "not_found":
            abort(error_page(404, f"There is no verification {verification_id}."))
        notice(f"Verification {verification_id}: {exc}; nothing changed.", kind="error")
    else:
        notice(
            f"The denial of {done.account_masked or 'the account'} for {done.organization} "
            "is cleared: it no longer blocks the account."
        )
    return redirect(url_for("console.verifications_list"), 303)


def _standing(found: list[Approval]) -> dict[int, AccountStatus | None]:
    """Where each request's account stands now (who confirmed it, each person once and
    oldest first; whether a denial stands): one select."""
    if not found:
        return {}
    v = verifications()
    standing = {
        (organization_key(st.organization), st.account_ref): st
        for st in v.records.statuses(v.confirmations)
    }
    out: dict[int, AccountStatus | None] = {}
    for a in found:
        out[a.id] = standing.get((organization_key(a.organization), a.account_ref))
    return out


@bp.get("/approvals")
@page("verify", "approve")
def approvals_list() -> Response:
    state = request.args.get("state", "") or PENDING
    if state not in APPROVAL_STATES:
        bad_input(f"state must be one of {', '.join(APPROVAL_STATES)}")
    found = verifications().approvals(None if state == "all" else state)
    return render(
        "console/approvals.html",
        title="Approvals",
        rows=found,
        standing=_standing(found),
        state=state,
        states=APPROVAL_STATES,
        me=principal().subject,
    )


def _decide(approval_id: int, *, approve: bool) -> Response:
    try:
        done = verifications().decide(approval_id, principal(), approve=approve)
    except VerificationError as exc:
        if exc.code == "not_found" and "no approval request" in str(exc):
            abort(error_page(404, f"There is no approval request {approval_id}."))
        notice(f"Approval {approval_id}: {exc}; nothing changed.", kind="error")
    else:
        if approve:
            notice(f"Approved: {done.account_masked} is on file for {done.organization} now.")
        else:
            notice(f"Rejected: {done.account_masked} stays off file for {done.organization}.")
    return redirect(url_for("console.approvals_list"), 303)


@bp.post("/approvals/<int:approval_id>/approve")
@page("approve")
def approvals_approve(approval_id: int) -> Response:
    return _decide(approval_id, approve=True)


@bp.post("/approvals/<int:approval_id>/reject")
@page("approve")
def approvals_reject(approval_id: int) -> Response:
    return _decide(approval_id, approve=False)
