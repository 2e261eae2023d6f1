"""The console's service keys (permission ``keys``: administrators only).

* ``GET /admin/keys``: every key, newest first, with its prefix, scopes, when it was
  made, when it expires, when it was last used and whether it still works.
* ``GET /admin/keys/new``, ``POST /admin/keys/new``: make a key. Its scopes are chosen
  among :data:`~caveat.identity.permissions.PERMISSIONS` (never the console's own
  permissions: a key is for a script, not a person), its expiry among 30, 90 or 365 days, a
  date or never, as ``caveat keys create`` allows. The answer to the POST is the only page
  that ever shows the key: it is rendered there (no redirect, nothing kept in the session,
  no-store), with a copy button (``static/console-keys.js``). So that reloading that page
  (which sends the POST again) makes no second key, the form carries a one-time id
  (:meth:`~caveat.storage.console.ConsoleStore.issue_form`), used in the key's own
  transaction: a form sent again makes nothing and says so, with a fresh form.
* ``GET /admin/keys/<id>/revoke`` asks, ``POST`` revokes: requests with the key are refused
  from then on.

Making and revoking go through :mod:`caveat.service.keys` (the store's functions, as the
command line's), which writes the audit row naming the person.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, abort, redirect, request, url_for
from sqlalchemy.orm import Session

from caveat.identity.permissions import PERMISSIONS
from caveat.service import keys as service_keys
from caveat.storage.console import FormRefused
from caveat.storage.store import NAME_MAX, KeyNotFound, KeyRecord

from ..api.services import services
from .kit import bp, error_page, notice, page, principal, render
from .session import console, current_session

#: What the new-key form's one-time id is for, and the field that carries it.
FORM_PURPOSE = "key.create"
FORM_FIELD = "form_id"
#: What a new-key form sent again is told (its key was made the first time).
RESENT = (
    "This form was already used; the key was made then and is not shown again. Make a new "
    "one if you did not keep it."
)
#: What a form without a usable id is told.
OUT_OF_DATE = (
    "This form is out of date (it was opened before you signed in again, or is not from "
    "this console). Nothing was made: check the choices below and send it again."
)


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
    session = current_session()
    assert session is not None  # inside @page
    return render(
        "console/keys_new.html",
        title="New service key",
        status=status,
        form_field=FORM_FIELD,
        form_id=console().store.issue_form(session, FORM_PURPOSE),
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
    form_id = request.form.get(FORM_FIELD, "")
    store = services().store
    c = console()
    session = current_session()
    assert session is not None  # inside @page
    chosen = {"name": name[:NAME_MAX], "scopes": scopes, "expires": choice, "on": on}

    def use_form(s: Session, record: KeyRecord) -> None:
        # in the key's transaction: a form sent twice makes one key
        c.store.use_form(s, form_id, session.id, FORM_PURPOSE, c.now(), made=str(record.id))

    try:
        expires_at = service_keys.expiry(choice, on, store.clock())
        record, key = service_keys.create(
            store, principal(), name, scopes, expires_at, also=use_form
        )
    except service_keys.KeyRequestError as exc:
        return _form(400, str(exc), **chosen)
    except FormRefused as refused:
        if refused.reason == "used":
            return _form(409, RESENT + _made_then(refused.made), **chosen)
        return _form(400, OUT_OF_DATE, **chosen)
    # The only time the key is shown: in this answer (no-store), never in a URL or a notice.
    return render(
        "console/keys_created.html",
        title="Service key made",
        key=key,
        row=_row(record, store.clock()),
    )


def _made_then(made: str | None) -> str:
    """Which key the first sending made, as the list shows it ("" when it is gone)."""
    if not made or not made.isdigit():
        return ""
    try:
        record = services().store.find_key(int(made))
    except KeyNotFound:
        return ""
    return f" It is the key {record.name} ({record.prefix}) in the list of service keys."


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
