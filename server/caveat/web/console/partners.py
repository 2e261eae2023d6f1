"""The console's partner directory: see it with ``directory`` or ``contacts`` (finance
staff read it to verify senders, and change nothing), change it with ``directory``.

* ``GET /admin/partners?q=&page=``: search by organisation, domain, contact (name,
  address, phone) or bank account, 25 partners a page.
* ``GET /admin/partners/view?org=``: one partner: domains, contacts, bank accounts on
  file, policies. With ``directory``, the forms that change each of them, each a POST to
  ``/admin/partners/<what>`` naming the organisation in a field: ``domain/add``,
  ``domain/remove``, ``contact/add``, ``contact/edit`` (form at ``GET /admin/partners/
  contact``), ``contact/remove``, ``account/add``, ``account/remove``, ``policy``,
  ``delete`` (asked first at ``GET /admin/partners/delete``).
* ``GET /admin/partners/import``: a CSV to upload or paste, merge or replace;
  ``POST /admin/partners/import`` previews it (every bad row with its line; what would be
  added, changed, removed), nothing stored; ``POST /admin/partners/import/confirm``
  imports it, unless the directory changed since the preview (then a new preview).
* ``GET /admin/partners/export``: the directory CSV, cells that a spreadsheet would run as
  formulas made inert (they import back unchanged).

A change to one partner is checked as a row of the directory CSV and stored by the
import the API and the command line use (:mod:`caveat.service.directory_edit`); policies
and removal by the store's own functions, as ``PATCH /api/v1/partners/…/policy``. Each
moves the directory's version and writes its audit row naming the person. A refused change
shows the page again with the reason and what was typed (400).
"""

from __future__ import annotations

from typing import Any

from flask import Response, request, url_for

from caveat.knowledge.partners_csv import PROCEDURE_MAX, REQUIRE_AUTH_VALUES
from caveat.service import directory_edit as edit
from caveat.service.directory_import import (
    DirectoryFileError,
    ImportPreview,
    StalePreview,
    confirm_import,
    export_rows,
    preview_import,
)
from caveat.storage.directory_store import DirectoryStore, check_policy

from ..api.services import services
from ..limits import CONSOLE_IMPORT_BYTES
from .kit import (
    arg_int,
    arg_text,
    bad_input,
    bp,
    csv_download,
    error_page,
    form_choice,
    form_int,
    form_text,
    notice,
    page,
    principal,
    render,
    see_other,
)

#: Longest organisation name in a field (the directory keeps 300 characters).
ORG_MAX = 300
#: Longest value typed into one of the partner's fields (the CSV's cell limit).
FIELD_MAX = 1000
#: Largest file an import takes: the confirmation sends it back with a few fields, and
#: the whole form must stay within the console's limit for imports.
IMPORT_MAX = CONSOLE_IMPORT_BYTES - 64 * 1024
#: Changes of each kind a preview lists one by one (the rest are counted).
PREVIEW_LISTED = 300

_IMPORT_ENDPOINTS = frozenset(
    {"console.partners_import_preview", "console.partners_import_confirm"}
)


@bp.before_request
def _import_forms_carry_a_file() -> None:
    """An import's form holds the whole file (pasted, or sent back with the confirmation),
    more than the form fields' default memory limit."""
    if request.endpoint in _IMPORT_ENDPOINTS:
        request.max_form_memory_size = CONSOLE_IMPORT_BYTES


# ----------------------------------------------------------------------------- reading


@bp.get("/partners")
@page("directory", "contacts")
def partners_list() -> Response:
    query = arg_text("q", label="Search", max_len=edit.QUERY_MAX)
    number = arg_int("page", label="Page", default=1, min_value=1, max_value=10**9)
    found = edit.find_partners(services().store, query, page=number)
    return render(
        "console/partners.html",
        title="Partners",
        found=found,
        version=DirectoryStore(services().store).version(),
    )


def _org_arg(source: Any) -> str:
    name = " ".join(str(source.get("org") or "").split())
    if not name:
        bad_input("Organisation: name the partner (org=…).")
    if len(name) > ORG_MAX:
        bad_input(f"Organisation: at most {ORG_MAX} characters.")
    return name


def _partner_or_404(name: str) -> Any:
    found = edit.partner(services().store, name)
    if found is None:
        return None
    return found


def _view(
    name: str,
    *,
    status: int = 200,
    error: str = "",
    form: str = "",
    typed: dict[str, str] | None = None,
) -> Response:
    p = _partner_or_404(name)
    if p is None:
        return error_page(
            404, "No partner of that name is in the directory (it may have been removed)."
        )
    return render(
        "console/partners_view.html",
        title=p.organization,
        p=p,
        error=error,
        form=form,
        typed=typed or {},
        auth_values=REQUIRE_AUTH_VALUES,
        procedure_max=PROCEDURE_MAX,
        status=status,
    )


@bp.get("/partners/view")
@page("directory", "contacts")
def partners_view() -> Response:
    return _view(_org_arg(request.args))


# ----------------------------------------------------------------------------- changes


def _field(name: str, label: str, *, required: bool = True) -> str:
    return form_text(name, label=label, required=required, max_len=FIELD_MAX)


def _apply(
    name: str,
    change: edit.Change,
    what: str,
    done: str,
    form: str,
    typed: dict[str, str] | None = None,
) -> Response:
    """Store ``change`` to the partner; back to its page with ``done``, or the page again
    with the reason (400), the form ``form`` keeping what was typed."""
    s = services()
    try:
        p = edit.change_partner(
            s.store, name, change, who=principal(), what=f"admin console: {what}"
        )
    except LookupError:
        return error_page(
            404, "No partner of that name is in the directory (it may have been removed)."
        )
    except edit.EditRefused as exc:
        return _view(name, status=400, error=str(exc), form=form, typed=typed or {})
    s.analyzer.refresh()
    notice(done)
    return see_other(url_for("console.partners_view", org=p.organization))


@bp.post("/partners/domain/add")
@page("directory")
def partners_domain_add() -> Response:
    name = _org_arg(request.form)
    domain = _field("domain", "Domain")
    return _apply(
        name,
        edit.add_domain(domain),
        "add domain",
        f"Domain {domain} added.",
        "domain",
        {"domain": domain},
    )


@bp.post("/partners/domain/remove")
@page("directory")
def partners_domain_remove() -> Response:
    name = _org_arg(request.form)
    domain = _field("domain", "Domain")
    return _apply(
        name, edit.remove_domain(domain), "remove domain", f"Domain {domain} removed.", "domain"
    )


@bp.post("/partners/account/add")
@page("directory")
def partners_account_add() -> Response:
    name = _org_arg(request.form)
    account = _field("account", "Bank account")
    return _apply(
        name,
        edit.add_account(account),
        "add bank account",
        "Bank account added.",
        "account",
        {"account": account},
    )


@bp.post("/partners/account/remove")
@page("directory")
def partners_account_remove() -> Response:
    name = _org_arg(request.form)
    account = _field("account", "Bank account")
    return _apply(
        name,
        edit.remove_account(account),
        "remove bank account",
        "Bank account removed.",
        "account",
    )


def _contact_fields() -> dict[str, str]:
    return {
        "name": _field("name", "Name", required=False),
        "email": _field("email", "Address", required=False),
        "phone": _field("phone", "Phone", required=False),
    }


@bp.post("/partners/contact/add")
@page("directory")
def partners_contact_add() -> Response:
    name = _org_arg(request.form)
    c = _contact_fields()
    return _apply(
        name,
        edit.add_contact(c["name"], c["email"], c["phone"]),
        "add contact",
        "Contact added.",
        "contact",
        c,
    )


def _contact_index() -> tuple[int, str]:
    index = form_int("index", label="Contact", min_value=0, max_value=100_000)
    return index, form_text("was", label="Contact", required=False, max_len=FIELD_MAX)


@bp.get("/partners/contact")
@page("directory")
def partners_contact_form() -> Response:
    name = _org_arg(request.args)
    index = arg_int("index", label="Contact", min_value=0, max_value=100_000)
    p = _partner_or_404(name)
    if p is None or index >= len(p.contacts):
        return error_page(404, "No such contact is on file for that partner.")
    c = p.contacts[index]
    return render(
        "console/partners_contact.html",
        title=f"Edit contact · {p.organization}",
        p=p,
        index=index,
        was=c.email or c.name,
        typed={"name": c.name, "email": c.email, "phone": c.phone},
        error="",
    )


@bp.post("/partners/contact/edit")
@page("directory")
def partners_contact_edit() -> Response:
    name = _org_arg(request.form)
    index, was = _contact_index()
    c = _contact_fields()
    s = services()
    try:
        p = edit.change_partner(
            s.store,
            name,
            edit.edit_contact(index, was, c["name"], c["email"], c["phone"]),
            who=principal(),
            what="admin console: edit contact",
        )
    except LookupError:
        return error_page(404, "No partner of that name is in the directory.")
    except edit.EditRefused as exc:
        current = _partner_or_404(name)
        if current is None:
            return error_page(404, "No partner of that name is in the directory.")
        return render(
            "console/partners_contact.html",
            title=f"Edit contact · {current.organization}",
            p=current,
            index=index,
            was=was,
            typed=c,
            error=str(exc),
            status=400,
        )
    s.analyzer.refresh()
    notice("Contact saved.")
    return see_other(url_for("console.partners_view", org=p.organization))


@bp.post("/partners/contact/remove")
@page("directory")
def partners_contact_remove() -> Response:
    name = _org_arg(request.form)
    index, was = _contact_index()
    return _apply(
        name, edit.remove_contact(index, was), "remove contact", "Contact removed.", "contact"
    )


@bp.post("/partners/policy")
@page("directory")
def partners_policy() -> Response:
    name = _org_arg(request.form)
    auth = request.form.getlist("require_auth")
    procedure = form_text(
        "bank_change_procedure", label="Bank change procedure", required=False, max_len=FIELD_MAX
    )
    pay_only = form_choice(
        "pay_only_on_file", ("yes", "no"), label="Pay only accounts on file", default="no"
    )
    checked_auth, checked_procedure, checked_pay, problems = check_policy(
        auth, procedure, pay_only == "yes"
    )
    if problems:
        return _view(
            name,
            status=400,
            error="; ".join(problems),
            form="policy",
            typed={
                "bank_change_procedure": procedure,
                "pay_only_on_file": pay_only,
                "require_auth": ";".join(auth),
            },
        )
    s = services()
    changed = DirectoryStore(s.store).set_policy(
        name,
        require_auth=checked_auth,
        bank_change_procedure=checked_procedure,
        pay_only_on_file=checked_pay,
        who=principal(),
    )
    if changed is None:
        return error_page(404, "No partner of that name is in the directory.")
    stored, before, after = changed
    if before != after:
        s.analyzer.refresh()
        notice("Policies saved.")
    else:
        notice("The policies were already so; nothing changed.")
    return see_other(url_for("console.partners_view", org=stored))


@bp.get("/partners/delete")
@page("directory")
def partners_delete_confirm() -> Response:
    p = _partner_or_404(_org_arg(request.args))
    if p is None:
        return error_page(404, "No partner of that name is in the directory.")
    return render("console/partners_delete.html", title=f"Remove {p.organization}", p=p)


@bp.post("/partners/delete")
@page("directory")
def partners_delete() -> Response:
    name = _org_arg(request.form)
    s = services()
    if not DirectoryStore(s.store).remove(name, who=principal()):
        return error_page(404, "No partner of that name is in the directory.")
    s.analyzer.refresh()
    notice(f"{name} removed from the directory.")
    return see_other(url_for("console.partners_list"))


# ----------------------------------------------------------------------------- import


def _import_form(
    status: int = 200, error: str = "", text: str = "", mode: str = "merge"
) -> Response:
    return render(
        "console/partners_import.html",
        title="Import partners",
        error=error,
        text=text,
        mode=mode,
        import_max=IMPORT_MAX,
        status=status,
    )


def _preview_page(preview: ImportPreview, *, stale: bool = False) -> Response:
    return render(
        "console/partners_preview.html",
        title="Import preview",
        preview=preview,
        stale=stale,
        listed=PREVIEW_LISTED,
        status=409 if stale else 200,
    )


@bp.get("/partners/import")
@page("directory")
def partners_import_form() -> Response:
    return _import_form()


@bp.post("/partners/import")
@page("directory")
def partners_import_preview() -> Response:
    mode = form_choice("mode", ("merge", "replace"), label="Mode", default="merge")
    upload = request.files.get("file")
    data: bytes = upload.read(IMPORT_MAX + 1) if upload is not None and upload.filename else b""
    pasted = request.form.get("text") or ""
    if not data.strip():
        data = pasted.encode("utf-8", "surrogatepass")
    if not data.strip():
        return _import_form(400, "Choose a CSV file or paste its text.", pasted, mode)
    if len(data) > IMPORT_MAX:
        return _import_form(
            400,
            f"The file is larger than {IMPORT_MAX:,} bytes, the most the console takes; split "
            "it, or load it with caveat partners import or PUT /api/v1/partners.",
            "",
            mode,
        )
    try:
        preview = preview_import(services().store, data, replace=mode == "replace")
    except DirectoryFileError as exc:
        return _import_form(
            400, str(exc), pasted if not upload or not upload.filename else "", mode
        )
    return _preview_page(preview)


@bp.post("/partners/import/confirm")
@page("directory")
def partners_import_confirm() -> Response:
    mode = form_choice("mode", ("merge", "replace"), label="Mode")
    version = form_int("version", label="Version", min_value=0, max_value=2**62)
    sent = form_text("digest", label="Digest", max_len=64)
    text = request.form.get("text") or ""
    s = services()
    try:
        done = confirm_import(
            s.store,
            text,
            replace=mode == "replace",
            version=version,
            digest_sent=sent,
            who=principal(),
        )
    except StalePreview as stale:
        return _preview_page(stale.preview, stale=True)
    except DirectoryFileError as exc:
        return _import_form(400, str(exc), "", mode)
    except ValueError as exc:
        bad_input(f"{exc}.")
    s.analyzer.refresh()
    r = done.report
    message = (
        f"Imported: {r.created} new, {r.updated} updated"
        + (f", {r.removed} removed" if mode == "replace" else "")
        + "."
        + (f" {len(done.errors)} bad rows skipped." if done.errors else "")
        + (f" {len(done.warnings)} warnings." if done.warnings else "")
    )
    notice(message)
    return see_other(url_for("console.partners_list"))


# ----------------------------------------------------------------------------- export


@bp.get("/partners/export")
@page("directory")
def partners_export() -> Response:
    return csv_download("partners.csv", export_rows(services().store))
