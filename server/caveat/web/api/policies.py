"""One partner's policies, on version 1 of the API.

* ``GET /api/v1/partners/<organization>/policy`` (directory) — the partner's agreed
  authentication (``require_auth``), its bank-change procedure and whether only the
  accounts on file may be paid.
* ``PATCH /api/v1/partners/<organization>/policy`` (directory) — change any of the three;
  what the body leaves out stays as it is. The organisation is matched as rows of the
  directory CSV merge (case and spacing ignored); 404 when it is not on file.

A change writes its audit row (``partner.policy``: the policies before and after, and who)
in the same transaction, and the directory snapshot is rebuilt: this process sees it at
its next request, the others within seconds. Who acted is the caller's token or key.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from caveat.storage.directory_store import DirectoryStore, Policy, check_policy

from .errors import ApiError
from .services import services
from .v1 import bp, principal, read_json_body, requires

#: Longest organisation name in a path (the directory keeps 300 characters).
ORGANIZATION_MAX = 300
_FIELDS = ("require_auth", "bank_change_procedure", "pay_only_on_file")
#: What clears each field.
_CLEAR = {"require_auth": "[]", "bank_change_procedure": '""', "pay_only_on_file": "false"}


def _organization(value: str) -> str:
    name = " ".join(value.split())
    if not name:
        raise ApiError(400, "invalid_field", "the organization is empty")
    if len(name) > ORGANIZATION_MAX:
        raise ApiError(
            400, "invalid_field", f"organization is too long (at most {ORGANIZATION_MAX})"
        )
    return name


def _body(organization: str, policy: Policy) -> dict[str, Any]:
    return {"organization": organization, "policy": policy.as_json()}


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/partners/<path:organization>/policy")
@requires("directory")
def partner_policy(organization: str) -> Response:
    found = DirectoryStore(services().store).policy(_organization(organization))
    if found is None:
        raise ApiError(404, "not_found", "no organisation of that name is in the directory")
    return _no_store(jsonify(_body(*found)))


@bp.patch("/partners/<path:organization>/policy")
@requires("directory")
def change_partner_policy(organization: str) -> Response:
    name = _organization(organization)
    payload = read_json_body()
    if not isinstance(payload, dict):
        raise ApiError(400, "invalid_request", "the request body must be a JSON object")
    unknown = sorted(k for k in payload if k not in _FIELDS)
    if unknown:
        shown = ", ".join(repr(k[:40]) for k in unknown[:3])
        raise ApiError(
            400,
            "invalid_request",
            f"unknown field {shown}; the fields are {', '.join(_FIELDS)}",
        )
    if not payload:
        raise ApiError(
            400, "invalid_request", f"nothing to change: give any of {', '.join(_FIELDS)}"
        )
    for key in _FIELDS:  # an explicit null is not "leave it": say what to send instead
        if key in payload and payload[key] is None:
            raise ApiError(
                400,
                "invalid_field",
                f"{key} is null; leave it out to keep it, or send {_CLEAR[key]} to clear it",
            )
    auth, procedure, pay_only, problems = check_policy(
        payload.get("require_auth"),
        payload.get("bank_change_procedure"),
        payload.get("pay_only_on_file"),
    )
    if problems:
        raise ApiError(400, "invalid_field", "; ".join(problems))
    s = services()
    changed = DirectoryStore(s.store).set_policy(
        name,
        require_auth=auth,
        bank_change_procedure=procedure,
        pay_only_on_file=pay_only,
        who=principal(),
    )
    if changed is None:
        raise ApiError(404, "not_found", "no organisation of that name is in the directory")
    stored, before, after = changed
    if before != after:
        s.analyzer.refresh()
    return _no_store(jsonify({**_body(stored, after), "changed": before != after}))
