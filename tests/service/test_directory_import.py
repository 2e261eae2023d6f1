"""The console's directory services on every backend: an import previewed (each bad row
with its line, what would be added, changed and removed, nothing kept) and then confirmed
(only the file previewed, only against the directory previewed); the export with formula
cells inert that imports back unchanged; search; one partner changed with the CSV's
checks, through the import that moves the version and writes the audit row."""

from __future__ import annotations

import csv
import io

import pytest

from caveat.identity.principal import Principal
from caveat.knowledge.partners_csv import parse_partners_csv
from caveat.knowledge.spreadsheet_cells import FORMULA_START, inert, read_inert
from caveat.service import directory_edit as edit
from caveat.service.directory_import import (
    DirectoryFileError,
    StalePreview,
    confirm_import,
    digest,
    export_rows,
    preview_import,
)
from caveat.storage.audit import AuditLog
from caveat.storage.directory_store import DirectoryStore, import_parsed
from caveat.storage.store import Store

ADMIN = Principal.person(
    subject="adm-1", tenant=None, name="Admin Example", username="adm@ours.example", roles=["admin"]
)
HEADER = "organization,domain,contact_name,contact_email,contact_phone,bank_accounts,require_auth\n"
ON_FILE = (
    HEADER
    + "Acme Ltd,acme.example,Ann Lee,ann@acme.example,+44 20 7946 0000,GB82WEST12345698765432,spf\n"
    + "Beta GmbH,beta.example,Bo Berg,bo@beta.example,,,\n"
    + "Gamma SA,gamma.example,,,,,\n"
)


@pytest.fixture
def filled(store: Store) -> Store:
    import_parsed(store, parse_partners_csv(ON_FILE))
    return store


def names(store: Store) -> list[str]:
    return [p.organization for p in DirectoryStore(store).partners()]


def test_a_preview_lists_each_bad_row_with_its_line_and_keeps_nothing(filled: Store) -> None:
    version = DirectoryStore(filled).version()
    audit = len(AuditLog(filled).entries())
    text = (
        HEADER
        + "Acme Ltd,acme.example;acme.example.net,Ann Lee,ann@acme.example,"
        + "+44 20 7946 0000,,spf;dkim\n"
        + "Delta BV,delta.example,,dee@delta.example,,,\n"
        + "Bad One,not a domain,,,,,\n"  # line 4
        + "Worse,,,,,,md5\n"  # line 5
    )
    preview = preview_import(filled, text.encode(), replace=False)
    assert [(e.line, e.message.split(" ")[0]) for e in preview.errors] == [
        (4, "domain"),
        (5, "require_auth"),
    ]
    assert "is not one of spf, dkim, dmarc" in preview.errors[1].message
    assert preview.rows == 4 and preview.organizations == 2
    assert [c.organization for c in preview.added] == ["Delta BV"]
    assert "domain: delta.example" in preview.added[0].details
    [acme] = preview.changed
    assert acme.organization == "Acme Ltd"
    assert "domain added: acme.example.net" in acme.details
    assert "bank account removed: GB82WEST12345698765432" in acme.details
    assert "requires: spf → dkim;spf" in acme.details
    assert preview.removed == () and preview.unchanged == 0
    # nothing kept: partners, version and audit log as before
    assert names(filled) == ["Acme Ltd", "Beta GmbH", "Gamma SA"]
    assert DirectoryStore(filled).version() == version == preview.version
    assert len(AuditLog(filled).entries()) == audit
    acme_now = edit.partner(filled, "acme ltd")
    assert acme_now is not None and acme_now.domains == ("acme.example",)

    done = confirm_import(
        filled,
        preview.text,
        replace=False,
        version=preview.version,
        digest_sent=preview.digest,
        who=ADMIN,
    )
    assert done.report.created == 1 and done.report.updated == 1
    assert [e.line for e in done.errors] == [4, 5]
    assert names(filled) == ["Acme Ltd", "Beta GmbH", "Delta BV", "Gamma SA"]
    acme_now = edit.partner(filled, "Acme Ltd")
    assert acme_now is not None and acme_now.domains == ("acme.example", "acme.example.net")
    assert DirectoryStore(filled).version() == version + 1
    [row] = AuditLog(filled).entries(action="partner.import", actor="adm-1")
    assert row.after["source"] == "admin console" and row.after["bad_rows"] == [4, 5]


def test_a_replace_preview_names_what_goes_and_a_bad_row_keeps_everyone(filled: Store) -> None:
    clean = (
        HEADER
        + "Acme Ltd,acme.example,Ann Lee,ann@acme.example,+44 20 7946 0000,"
        + "GB82WEST12345698765432,spf\n"
    )
    preview = preview_import(filled, clean, replace=True)
    assert sorted(c.organization for c in preview.removed) == ["Beta GmbH", "Gamma SA"]
    assert preview.changed == () and preview.unchanged == 1
    with_bad_row = clean + "Broken,,,,,,\n"
    preview = preview_import(filled, with_bad_row, replace=True)
    assert preview.removed == ()
    assert any("no organisation was removed" in w for w in preview.warnings)
    assert names(filled) == ["Acme Ltd", "Beta GmbH", "Gamma SA"]


def test_a_confirmation_refuses_another_file_and_a_directory_changed_meanwhile(
    filled: Store,
) -> None:
    text = HEADER + "Delta BV,delta.example,,,,,\n"
    preview = preview_import(filled, text, replace=False)
    with pytest.raises(ValueError, match="not the one previewed"):
        confirm_import(
            filled,
            text + "Epsilon,epsilon.example,,,,,\n",
            replace=False,
            version=preview.version,
            digest_sent=preview.digest,
            who=ADMIN,
        )
    with pytest.raises(ValueError, match="not the one previewed"):  # merge previewed
        confirm_import(
            filled,
            text,
            replace=True,
            version=preview.version,
            digest_sent=preview.digest,
            who=ADMIN,
        )
    # someone else changes the directory between the preview and the confirmation
    DirectoryStore(filled).remove("Gamma SA")
    with pytest.raises(StalePreview) as stale:
        confirm_import(
            filled,
            text,
            replace=False,
            version=preview.version,
            digest_sent=preview.digest,
            who=ADMIN,
        )
    assert "Delta BV" not in names(filled)
    fresh = stale.value.preview
    assert fresh.version == preview.version + 1
    assert [c.organization for c in fresh.added] == ["Delta BV"]
    confirm_import(
        filled, text, replace=False, version=fresh.version, digest_sent=fresh.digest, who=ADMIN
    )
    assert "Delta BV" in names(filled)


def test_the_file_confirmed_reads_as_the_file_previewed_whatever_its_line_ends() -> None:
    # A browser sends a form field's line ends as CRLF; the preview's text has "\n".
    text = HEADER.replace("\n", "\r\n") + 'Acme,acme.example,"Ann\rLee",,,,\r\n'
    preview_text = text.replace("\r\n", "\n").replace("\r", "\n")
    assert digest(preview_text, False) == digest(
        preview_text.replace("\n", "\r\n").replace("\r\n", "\n"), False
    )


def test_a_file_that_cannot_be_a_directory_says_why(store: Store) -> None:
    with pytest.raises(DirectoryFileError, match="UTF-16"):
        preview_import(store, "\ufeffa,b".encode("utf-16"), replace=False)
    with pytest.raises(DirectoryFileError, match="Windows-1252"):
        preview_import(
            store, HEADER.encode() + "Café,cafe.example,,,,,\n".encode("cp1252"), replace=False
        )
    with pytest.raises(DirectoryFileError, match="header"):
        preview_import(store, b"name,email\nx,y\n", replace=False)


def test_the_export_makes_formula_cells_inert_and_imports_back_unchanged(store: Store) -> None:
    hostile = (
        HEADER
        + '"=HYPERLINK(""http://evil.example"",""x"")",evil.example,@SUM(A1),ceo@evil.example,'
        + "+44 20 7946 0000,,\n"
        + "-Minus Ltd,minus.example,Ann,ann@minus.example,-1,,\n"
    )
    import_parsed(store, parse_partners_csv(hostile))
    before = DirectoryStore(store).partners()
    rows = list(export_rows(store))
    assert rows[0][0] == "organization"
    cells = [cell for row in rows[1:] for cell in row]
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert '\'=HYPERLINK("http://evil.example","x")' in cells
    assert "'@SUM(A1)" in cells and "'+44 20 7946 0000" in cells and "'-Minus Ltd" in cells
    # written out and imported again: the same directory
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    result = parse_partners_csv(out.getvalue())
    assert result.errors == ()
    report, _ = import_parsed(store, result)
    assert report.created == 0 and report.updated == 2
    assert DirectoryStore(store).partners() == before


@pytest.mark.parametrize(
    "value",
    ["=1+1", "+44 20", "-x", "@x", "\t=x", "\r=x", "'quoted'", "''", "plain", "", "'"],
)
def test_inert_cells_read_back_to_their_values(value: str) -> None:
    cell = inert(value)
    assert not cell.startswith(FORMULA_START)
    assert read_inert(cell) == value
    assert inert(cell) == cell  # made inert twice: once


def test_search_finds_by_organisation_domain_contact_and_account_page_by_page(
    filled: Store,
) -> None:
    def found(q: str, page: int = 1) -> list[str]:
        return [p.organization for p in edit.find_partners(filled, q, page=page).partners]

    assert found("") == ["Acme Ltd", "Beta GmbH", "Gamma SA"]
    assert found("ACME") == ["Acme Ltd"]
    assert found("beta.ex") == ["Beta GmbH"]
    assert found("bo berg") == ["Beta GmbH"]
    assert found("ann@") == ["Acme Ltd"]
    assert found("7946") == ["Acme Ltd"]
    assert found("gb82 west") == ["Acme Ltd"]
    assert found("%") == [] and found("_") == [] and found("nothing") == []
    import_parsed(
        filled,
        parse_partners_csv(
            HEADER + "".join(f"Zed {i:02},zed{i}.example,,,,,\n" for i in range(30))
        ),
    )
    first = edit.find_partners(filled, "zed")
    assert (first.total, first.pages, len(first.partners)) == (30, 2, edit.PER_PAGE)
    assert found("zed", 2) == [f"Zed {i:02}" for i in range(25, 30)]
    assert found("zed", 99) == found("zed", 2)  # past the end: the last page


def test_a_change_is_checked_as_a_csv_row_and_stored_as_an_import(filled: Store) -> None:
    acme = ON_FILE.splitlines()[1]
    second = "Acme Ltd,acme.example,Al Ray,al@acme.example,,GB82WEST12345698765432,spf"
    import_parsed(filled, parse_partners_csv(f"{HEADER}{acme}\n{second}\n"))
    version = DirectoryStore(filled).version()
    with pytest.raises(edit.EditRefused) as refused:
        edit.change_partner(
            filled, "Acme Ltd", edit.add_domain("not a domain"), who=ADMIN, what="x"
        )
    # said once, though the domain is on each of the partner's two contacts' rows
    assert str(refused.value) == (
        "domain 'not a domain' is not a domain name (it contains a space)"
    )
    with pytest.raises(edit.EditRefused, match="already belongs to Beta GmbH"):
        edit.change_partner(
            filled, "Acme Ltd", edit.add_domain("BETA.example"), who=ADMIN, what="x"
        )
    with pytest.raises(edit.EditRefused, match="contact_email"):
        edit.change_partner(
            filled, "Acme Ltd", edit.add_contact("Eve", "eve@", ""), who=ADMIN, what="x"
        )
    with pytest.raises(edit.EditRefused, match="bank_accounts"):
        edit.change_partner(
            filled, "Acme Ltd", edit.add_account("GB00WEST12345698765432"), who=ADMIN, what="x"
        )
    with pytest.raises(edit.EditRefused, match="domain and contact_email are both empty"):
        edit.change_partner(
            filled, "Gamma SA", edit.remove_domain("gamma.example"), who=ADMIN, what="x"
        )
    with pytest.raises(LookupError):
        edit.change_partner(filled, "Nobody", edit.add_domain("x.example"), who=ADMIN, what="x")
    assert DirectoryStore(filled).version() == version  # nothing stored
    assert AuditLog(filled).entries(actor="adm-1") == []

    p = edit.change_partner(
        filled,
        "acme ltd",
        edit.add_domain("https://Acme.example.org/"),
        who=ADMIN,
        what="add domain",
    )
    assert p.domains == ("acme.example", "acme.example.org")
    p = edit.change_partner(
        filled,
        "Acme Ltd",
        edit.edit_contact(0, "ann@acme.example", "Ann Lee", "ann@acme.example", "+44 20 7946 1111"),
        who=ADMIN,
        what="edit contact",
    )
    assert [c.phone for c in p.contacts] == ["+44 20 7946 1111", ""]
    assert p.bank_accounts == ("GB82WEST12345698765432",) and p.require_auth == {"spf"}
    with pytest.raises(edit.EditRefused, match="changed meanwhile"):
        edit.change_partner(
            filled, "Acme Ltd", edit.remove_contact(0, "someone@else.example"), who=ADMIN, what="x"
        )
    p = edit.change_partner(
        filled,
        "Acme Ltd",
        edit.remove_account("GB82WEST12345698765432"),
        who=ADMIN,
        what="remove account",
    )
    assert p.bank_accounts == ()
    assert DirectoryStore(filled).version() == version + 3
    rows = AuditLog(filled).entries(action="partner.import", actor="adm-1")
    assert [r.after["source"] for r in rows] == ["add domain", "edit contact", "remove account"]
