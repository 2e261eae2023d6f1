"""What every console page uses: the blueprint, the ``page`` gate, ``render``, notices,
form parsing into 400 pages, and CSV downloads.

A page module::

    from caveat.web.console.kit import bp, page, render, principal, notice, require, form_int

    @bp.get("/partners")
    @page("directory", "contacts")      # signed in and any one of these, else sign-in / 403
    def partners_list() -> Response:
        return render("console/partners.html", title="Partners", rows=rows)

    @bp.post("/partners/<path:org>/edit")
    @page("directory")                  # a POST's CSRF token is checked before the view
    def partners_edit(org: str) -> Response:
        notice("Saved.")                # shown once, on the next page
        return redirect(url_for("console.partners_view", org=org), 303)

Templates extend ``console/base.html`` and fill ``{% block content %}``; in them
``csrf_field()`` goes inside every ``<form method="post">``, ``may("perm")`` shows or hides
controls, and ``principal`` is who is signed in.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

from flask import Blueprint, Response, abort, current_app, g, render_template, request
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from caveat.identity.permissions import ROLE_PERMISSIONS
from caveat.identity.principal import Principal
from caveat.service.audit_csv import inert

from .session import (
    CONSOLE_CSP,
    CSRF_FIELD,
    console,
    csrf_ok,
    current_session,
    principal_of,
)

__all__ = [
    "arg_int",
    "arg_text",
    "bad_input",
    "bp",
    "csv_download",
    "error_page",
    "first_page",
    "form_choice",
    "form_file_text",
    "form_int",
    "form_text",
    "may",
    "notice",
    "page",
    "principal",
    "public",
    "render",
    "require",
    "see_other",
]

bp = Blueprint(
    "console",
    __name__,
    url_prefix="/admin",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

F = TypeVar("F", bound=Callable[..., Any])

#: Methods that change nothing, so carry no CSRF token.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class NavItem:
    label: str
    #: the page's path under /admin
    path: str


#: The console's pages in the navigation's order. A page shows in the navigation when its
#: module has registered a GET route at the path and the person may see it (the route's own
#: ``@page`` permissions decide: there is no second list to keep in step).
NAV: tuple[NavItem, ...] = (
    NavItem("Overview", "/"),
    NavItem("Partners", "/partners"),
    NavItem("Reports", "/reports"),
    NavItem("Indicators", "/indicators"),
    NavItem("Verifications", "/verifications"),
    NavItem("Approvals", "/approvals"),
    NavItem("Deployment", "/deployment"),
    NavItem("Keys", "/keys"),
    NavItem("Audit", "/audit"),
)


# ----------------------------------------------------------------- the gate


def page(*perms: str) -> Callable[[F], F]:
    """The gate of a console route: a live session, and (when ``perms`` are given) any one
    of them. Without a session a GET goes to sign-in (and comes back), anything else gets
    the 403 page; a POST must carry the session's CSRF token; a person without the
    permission gets the 403 page naming the roles that grant it. Sets ``g.principal`` and
    ``g.console_session``."""

    def wrap(view: F) -> F:
        @functools.wraps(view)
        def gated(*args: Any, **kwargs: Any) -> Any:
            session = current_session()
            if session is None:
                if request.method in SAFE_METHODS:
                    return see_other(_signin_url())
                return error_page(
                    403,
                    "Your console session has ended. Sign in again, then repeat what you did.",
                    title="Signed out",
                )
            who = principal_of(session)
            g.principal = who
            if request.method not in SAFE_METHODS and not csrf_ok(session):
                return error_page(
                    403,
                    "This form was not sent from this console session (its security token is "
                    "missing or out of date). Reload the page and try again.",
                    title="Form refused",
                )
            if perms and not any(who.may(p) for p in perms):
                if request.method in SAFE_METHODS and request.path == "/admin/":
                    elsewhere = first_page(who)
                    if elsewhere:
                        return see_other(elsewhere)
                return forbidden(perms)
            return view(*args, **kwargs)

        gated.console_page = tuple(perms)  # type: ignore[attr-defined]
        return gated  # type: ignore[return-value]

    return wrap


def see_other(url: str) -> Response:
    """A 303 redirect to ``url`` (Post/Redirect/Get), typed as Flask's Response."""
    response = Response(status=303)
    response.headers["Location"] = url
    return response


def public(view: F) -> F:
    """Mark a console route that needs no session (sign-in, first-run link): the route
    walk in the tests accepts only ``@page`` and ``@public`` routes."""
    view.console_public = True  # type: ignore[attr-defined]
    return view


def principal() -> Principal:
    """Who is signed in (inside a ``@page`` view)."""
    found: Principal = g.principal
    return found


def may(perm: str) -> bool:
    who: Principal | None = g.get("principal")
    return who is not None and who.may(perm)


def require(perm: str) -> None:
    """Stop with the 403 page unless the signed-in person may ``perm`` (for an action
    inside a page that others may see)."""
    if not may(perm):
        abort(forbidden((perm,)))


def roles_granting(perms: Iterable[str]) -> list[str]:
    """The roles that grant any of ``perms``, in the roles' order."""
    wanted = set(perms)
    return [role for role, held in ROLE_PERMISSIONS.items() if held & wanted]


def forbidden(perms: Sequence[str]) -> Response:
    who: Principal | None = g.get("principal")
    if request.path == "/admin/" and not (who is not None and first_page(who)):
        message = "Your roles give you no page of the console."
        roles = roles_granting(_all_page_perms())
    else:
        message = "Your roles do not give you this page or action."
        roles = roles_granting(perms)
    return error_page(403, message, title="Not for your role", roles=roles)


def _signin_url() -> str:
    target = request.full_path if request.query_string else request.path
    from urllib.parse import urlencode

    return "/admin/signin?" + urlencode({"next": target})


# ----------------------------------------------------------------- navigation


def _view_perms(path: str) -> tuple[str, ...] | None:
    """The ``@page`` permissions of the GET route at ``/admin<path>``, None when none is
    registered."""
    adapter = current_app.url_map.bind("localhost")
    try:
        endpoint, _ = adapter.match("/admin" + path, method="GET")
    except (HTTPException, RequestRedirect):  # 404, 405, or a redirect: no page there
        return None
    view = current_app.view_functions.get(endpoint)
    perms = getattr(view, "console_page", None)
    return tuple(perms) if perms is not None else None


def _all_page_perms() -> set[str]:
    """Every permission that opens some page of the navigation."""
    out: set[str] = set()
    for item in NAV:
        out.update(_view_perms(item.path) or ())
    return out


def visible_pages(who: Principal) -> list[tuple[NavItem, str]]:
    """The pages ``who`` may see, as (item, URL)."""
    out = []
    for item in NAV:
        perms = _view_perms(item.path)
        if perms is None:
            continue
        if not perms or any(who.may(p) for p in perms):
            out.append((item, "/admin" + item.path))
    return out


def first_page(who: Principal) -> str:
    """The URL of the first page ``who`` may see, or ``""``."""
    pages = visible_pages(who)
    return pages[0][1] if pages else ""


def _current(url: str) -> bool:
    if url == "/admin/":
        return request.path == "/admin/"
    return request.path == url or request.path.startswith(url + "/")


# ----------------------------------------------------------------- rendering


def notice(text: str, kind: str = "ok") -> None:
    """A one-line notice for the next page this session shows (``ok`` or ``error``)."""
    if kind not in ("ok", "error"):
        raise ValueError("a notice is 'ok' or 'error'")
    session = current_session()
    g.console_notice = (text, kind)
    if session is not None:
        console().store.set_notice(session.id, text, kind)


def _take_notice() -> tuple[str, str] | None:
    session = current_session()
    found: tuple[str, str] | None = g.pop("console_notice", None)
    if found is None and session is not None and session.notice:
        found = (session.notice, session.notice_kind or "ok")
    if found is not None and session is not None:
        console().store.set_notice(session.id, None, None)
    return found


def csrf_field() -> Markup:
    """The hidden field carrying the session's CSRF token (the token is URL-safe
    base64, escaped all the same)."""
    session = current_session()
    token = session.csrf if session is not None else ""
    return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, escape(token))


def _context(title: str) -> dict[str, Any]:
    who: Principal | None = g.get("principal")
    if who is None:
        session = current_session()
        who = principal_of(session) if session is not None else None
    nav = [
        {"label": item.label, "url": url, "current": _current(url)}
        for item, url in (visible_pages(who) if who is not None else [])
    ]
    return {
        "title": title,
        "principal": who,
        "nav": nav,
        "notice": _take_notice() if who is not None else None,
        "csrf_field": csrf_field,
        "may": may,
    }


def render(template: str, *, title: str, status: int = 200, **ctx: Any) -> Response:
    """``template`` as an HTML page (no-store, the console CSP)."""
    body = render_template(template, **{**ctx, **_context(title)})
    response = Response(body, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = CONSOLE_CSP
    return response


def error_page(
    status: int, message: str, *, title: str | None = None, roles: Sequence[str] = ()
) -> Response:
    """The console's page for an error: what went wrong, in words, and what to do."""
    return render(
        "console/error.html",
        title=title or _TITLES.get(status, "Error"),
        status=status,
        message=message,
        status_code=status,
        roles=list(roles),
    )


_TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    413: "Too large",
    429: "Too many requests",
    500: "Something went wrong",
    503: "Unavailable",
}


# ----------------------------------------------------------------- input


def bad_input(message: str) -> NoReturn:
    """Stop with the 400 page saying ``message``."""
    abort(error_page(400, message, title="Bad request"))


def _field(source: Any, name: str) -> str | None:
    value = source.get(name)
    if value is None:
        return None
    return str(value)


def form_text(
    name: str,
    *,
    label: str | None = None,
    required: bool = True,
    max_len: int = 1000,
    default: str = "",
) -> str:
    """A text field, stripped; a 400 page when required and empty, or too long."""
    return _text(request.form, name, label or name, required, max_len, default)


def arg_text(name: str, *, label: str | None = None, max_len: int = 200, default: str = "") -> str:
    """A query-string parameter, stripped (optional); a 400 page when too long."""
    return _text(request.args, name, label or name, False, max_len, default)


def _text(source: Any, name: str, label: str, required: bool, max_len: int, default: str) -> str:
    raw = _field(source, name)
    value = raw.strip() if raw is not None else ""
    if not value:
        if required:
            bad_input(f"{label}: this field is required.")
        return default
    if len(value) > max_len:
        bad_input(f"{label}: at most {max_len} characters, got {len(value)}.")
    if "\x00" in value:
        bad_input(f"{label}: must not contain NUL characters.")
    return value


def form_int(
    name: str,
    *,
    label: str | None = None,
    default: int | None = None,
    min_value: int | None = None,
    max_value: int | None = None,
) -> int:
    """A whole-number field; a 400 page when missing (without a default), not a number,
    or out of range."""
    return _int(request.form, name, label or name, default, min_value, max_value)


def arg_int(
    name: str,
    *,
    label: str | None = None,
    default: int | None = None,
    min_value: int | None = None,
    max_value: int | None = None,
) -> int:
    """A whole-number query parameter, as :func:`form_int`."""
    return _int(request.args, name, label or name, default, min_value, max_value)


_INT = re.compile(r"^[+-]?[0-9]{1,18}$")


def _int(
    source: Any,
    name: str,
    label: str,
    default: int | None,
    min_value: int | None,
    max_value: int | None,
) -> int:
    raw = (_field(source, name) or "").strip()
    if not raw:
        if default is None:
            bad_input(f"{label}: this field is required.")
        return default
    if not _INT.match(raw):
        bad_input(f"{label}: must be a whole number.")
    value = int(raw)
    if min_value is not None and value < min_value:
        bad_input(f"{label}: must be at least {min_value}.")
    if max_value is not None and value > max_value:
        bad_input(f"{label}: must be at most {max_value}.")
    return value


def form_choice(
    name: str, choices: Sequence[str], *, label: str | None = None, default: str | None = None
) -> str:
    """A field that must be one of ``choices``; a 400 page otherwise."""
    raw = (_field(request.form, name) or "").strip()
    if not raw and default is not None:
        return default
    if raw not in choices:
        bad_input(f"{label or name}: must be one of {', '.join(choices)}.")
    return raw


def form_file_text(name: str, *, label: str | None = None, required: bool = True) -> str:
    """An uploaded file (or a pasted text field of the same name) as UTF-8 text (a BOM is
    dropped); a 400 page when missing or not UTF-8."""
    upload = request.files.get(name)
    data = upload.read() if upload is not None else (request.form.get(name) or "").encode()
    if not data.strip():
        if required:
            bad_input(f"{label or name}: choose a file.")
        return ""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        bad_input(f"{label or name}: the file is not UTF-8 text.")
    return text


# ----------------------------------------------------------------- downloads

_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def csv_download(filename: str, rows: Iterable[Sequence[Any]]) -> Response:
    """``rows`` (the header first) as a CSV attachment; every text cell that a spreadsheet
    would run as a formula is made inert (:func:`caveat.service.audit_csv.inert`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(
            [
                inert(cell) if isinstance(cell, str) else ("" if cell is None else cell)
                for cell in row
            ]
        )
    name = _FILENAME.sub("-", filename).strip("-.") or "export.csv"
    response = Response(buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = CONSOLE_CSP
    return response
