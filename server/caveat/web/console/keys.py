"""The console's service keys (permission ``keys``: administrators only).

* ``GET /admin/keys``: every key, newest first, with its prefix, scopes, when it was
  made, when it expires, when it was last used and whether it still works.
* ``GET /admin/keys/new``, ``POST /admin/keys/new``: make a key. Its scopes are chosen
  among :data:`~caveat.identity.permissions.PERMISSIONS` (never the console's own
  permissions: a key is for a script, not a person), its expiry among 30, 90 or 365 days, a
  date or never, as ``caveat keys create`` allows. The answer to the POST is the only page
  that ever shows the key: it is rendered there (no redirect, nothing kept in the session,
  no-store), with a copy button (``static/console-keys.js``).
* ``GET /admin/keys/<id>/revoke`` asks, ``POST`` revokes: requests with the key are refused
  from then on.

Making and revoking go through :mod:`caveat.service.keys` (the store's functions, as the
command line's), which writes the audit row naming the person.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, abort, redirect, request, url_for

from caveat.identity.permissions import PERMISSIONS
from caveat.service import keys as service_keys
from caveat.storage.store import NAME_MAX, KeyNotFound, KeyRecord

from ..api.services import services
from .kit import bp, error_page, notice, page, principal, render


def when(moment: datetime | None, empty: str = "never") -> str:
    """A moment as the console's pages show it (UTC, to the minute)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else empty


def _row(record: KeyRecord, now: datetime) -> dict[str, object]:
    return {
        "id": record.id,
        "name": record.name,
        "prefix": record.prefix,
        "scopes": sorted(record.scopes),
        "admin": record.admin,
        "created": when(record.created_at),
        "expires": when(record.expires_at),
        "last_used": when(record.last_used_at),
        "state": service_keys.state(record, now),
        "revoked": when(record.revoked_at, ""),
    }


def _form(status: int = 200, error: str = "", **values: object) -> Response:
    chosen = {
        "name": "",
        "scopes": (),
        "expires": str(service_keys.DEFAULT_EXPIRY_DAYS),
        "on": "",
        **values,
    }
    return render(
        "console/keys_new.html",
        title="New service key",
        status=status,
        permissions=PERMISSIONS,
        expiry_days=service_keys.EXPIRY_DAYS,
        name_max=NAME_MAX,
        error=error,
        chosen=chosen,
    )


@bp.get("/keys")
@page("keys")
def keys_list() -> Response:
    store = services().store
    now = store.clock()
    rows = [_row(r, now) for r in reversed(store.list_keys())]
    return render("console/keys.html", title="Service keys", rows=rows)


@bp.get("/keys/new")
@page("keys")
def keys_new() -> Response:
    return _form()


@bp.post("/keys/new")
@page("keys")
def keys_create() -> Response:
    name = request.form.get("name", "")
    scopes = request.form.getlist("scope")
    choice = request.form.get("expires", "")
    on = request.form.get("on", "")
    store = services().store
    try:
        expires_at = service_keys.expiry(choice, on, store.clock())
        record, key = service_keys.create(store, principal(), name, scopes, expires_at)
    except service_keys.KeyRequestError as exc:
        return _form(400, str(exc), name=name[:NAME_MAX], scopes=scopes, expires=choice, on=on)
    # The only time the key is shown: in this answer (no-store), never in a URL or a notice.
    return render(
        "console/keys_created.html",
        title="Service key made",
        key=key,
        row=_row(record, store.clock()),
    )


def _found(key_id: int) -> KeyRecord:
    try:
        return services().store.find_key(key_id)
    except KeyNotFound:
        abort(error_page(404, f"There is no service key {key_id}."))


@bp.get("/keys/<int:key_id>/revoke")
@page("keys")
def keys_revoke_confirm(key_id: int) -> Response:
    record = _found(key_id)
    if not record.active:
        notice(f"The key {record.name} ({record.prefix}) was already revoked.")
        return redirect(url_for("console.keys_list"), 303)  # type: ignore[return-value]
    store = services().store
    return render(
        "console/keys_revoke.html", title="Revoke a service key", row=_row(record, store.clock())
    )


@bp.post("/keys/<int:key_id>/revoke")
@page("keys")
def keys_revoke(key_id: int) -> Response:
    _found(key_id)
    record, changed = service_keys.revoke(services().store, principal(), key_id)
    if changed:
        notice(f"Revoked the key {record.name} ({record.prefix}): it is refused from now on.")
    else:
        notice(f"The key {record.name} ({record.prefix}) was already revoked.")
    return redirect(url_for("console.keys_list"), 303)  # type: ignore[return-value]
