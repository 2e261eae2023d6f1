"""The console's partner directory pages: who sees and who changes what (finance reads,
administrators change, users and security staff get the 403 page); search; one partner
changed with the CSV's checks (errors shown on the page, nothing stored); policies and
removal; an import previewed with every bad row's line and nothing stored until confirmed,
refused when the directory changed meanwhile; the export with formula cells inert that
imports back unchanged. Every change is audited with the person."""

from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from caveat.knowledge.partners_csv import parse_partners_csv
from caveat.storage.audit import AuditLog
from caveat.storage.directory_store import DirectoryStore, import_parsed
from caveat.storage.store import Store
from caveat.web.api.services import services
from tests.console_app import console_app, csrf, signed_in

HEADER = "organization,domain,contact_name,contact_email,contact_phone,bank_accounts,require_auth\n"
SEED = (
    HEADER
    + "Acme Ltd,acme.example,Ann Lee,ann@acme.example,+44 20 7946 0000,"
    + "GB82WEST12345698765432,spf;dkim\n"
    + "Beta GmbH,beta.example,Bo Berg,bo@beta.example,,,\n"
)


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    app = console_app(tmp_path)
    import_parsed(store_of(app), parse_partners_csv(SEED))
    return app


def store_of(app: Flask) -> Store:
    with app.app_context():
        return services().store


def text(rv: Any) -> str:
    return html.unescape(rv.get_data(as_text=True))


def post(client: FlaskClient, path: str, **form: Any) -> Any:
    return client.post(path, data={"csrf_token": csrf(client), **form})


def partner(app: Flask, name: str) -> Any:
    return {p.organization: p for p in DirectoryStore(store_of(app)).partners()}.get(name)


def hidden(page: str, name: str) -> str:
    m = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', page)
    assert m, f"no hidden field {name}"
    return html.unescape(m.group(1))


# ----------------------------------------------------------------------------- who


@pytest.mark.parametrize("roles", [(), ("security",)])
def test_users_and_security_staff_get_the_403_page(app: Flask, roles: tuple[str, ...]) -> None:
    client = signed_in(app, *roles)
    for path in ("/admin/partners", "/admin/partners/view?org=Acme+Ltd", "/admin/partners/export"):
        rv = client.get(path)
        assert rv.status_code == 403 and "Acme" not in text(rv)
    rv = post(client, "/admin/partners/delete", org="Acme Ltd")
    assert rv.status_code == 403
    assert partner(app, "Acme Ltd") is not None


def test_finance_reads_the_directory_and_changes_nothing(app: Flask) -> None:
    client = signed_in(app, "finance")
    page = text(client.get("/admin/partners"))
    assert "Acme Ltd" in page and "You can read it" in page
    assert "Import CSV" not in page and "Export CSV" not in page
    page = text(client.get("/admin/partners/view?org=acme ltd"))
    assert "+44 20 7946 0000" in page and "GB82WEST12345698765432" in page
    assert "Read only" in page
    assert '<form method="post" action="/admin/partners/' not in page
    assert "<button" not in page.split("<main", 1)[1]  # nothing to press but sign-out
    version = DirectoryStore(store_of(app)).version()
    for path, form in (
        ("/admin/partners/domain/add", {"org": "Acme Ltd", "domain": "acme.example.org"}),
        ("/admin/partners/domain/remove", {"org": "Acme Ltd", "domain": "acme.example"}),
        ("/admin/partners/contact/add", {"org": "Acme Ltd", "name": "Eve"}),
        ("/admin/partners/contact/remove", {"org": "Acme Ltd", "index": "0", "was": "x"}),
        ("/admin/partners/account/add", {"org": "Acme Ltd", "account": "DE89370400440532013000"}),
        ("/admin/partners/policy", {"org": "Acme Ltd", "pay_only_on_file": "yes"}),
        ("/admin/partners/delete", {"org": "Acme Ltd"}),
        ("/admin/partners/import", {"text": SEED}),
    ):
        rv = post(client, path, **form)
        assert rv.status_code == 403, path
    for path in (
        "/admin/partners/export",
        "/admin/partners/import",
        "/admin/partners/delete?org=Acme+Ltd",
    ):
        assert client.get(path).status_code == 403, path
    assert DirectoryStore(store_of(app)).version() == version


def test_signed_out_goes_to_sign_in(app: Flask) -> None:
    rv = app.test_client().get("/admin/partners", base_url="https://localhost")
    assert rv.status_code == 303 and "/admin/signin" in rv.headers["Location"]


# ----------------------------------------------------------------------------- reading


def test_search_and_pages(app: Flask) -> None:
    import_parsed(
        store_of(app),
        parse_partners_csv(
            HEADER + "".join(f"Zed {i:02},zed{i}.example,,,,,\n" for i in range(30))
        ),
    )
    client = signed_in(app, "admin")
    page = text(client.get("/admin/partners?q=7946"))
    assert "Acme Ltd" in page and "Beta GmbH" not in page and "1 partner matching" in page
    page = text(client.get("/admin/partners?q=zed"))
    assert "30 partners matching" in page and "page 1 of 2" in page and "Zed 24" in page
    assert "Zed 25" not in page and "Next page" in page
    page = text(client.get("/admin/partners?q=zed&page=2"))
    assert "Zed 25" in page and "Zed 24" not in page
    page = text(client.get("/admin/partners?q=<script>"))
    assert "No partner matches" in page
    assert "<script>" not in client.get("/admin/partners?q=<script>").get_data(as_text=True)
    for bad in ("page=x", "page=0", "q=" + "x" * 300):
        rv = client.get(f"/admin/partners?{bad}")
        assert rv.status_code == 400, bad
    assert client.get("/admin/partners/view?org=Nobody").status_code == 404
    assert client.get("/admin/partners/view").status_code == 400


def test_a_hostile_name_is_text(app: Flask) -> None:
    import_parsed(
        store_of(app),
        parse_partners_csv(HEADER + '"<img src=x onerror=alert(1)>",evil.example,,,,,\n'),
    )
    client = signed_in(app, "admin")
    for path in ("/admin/partners", "/admin/partners/view?org=<img src=x onerror=alert(1)>"):
        body = client.get(path).get_data(as_text=True)
        assert "<img src=x" not in body and "&lt;img src=x onerror=alert(1)&gt;" in body


# ----------------------------------------------------------------------------- changes


def test_edits_are_checked_as_csv_rows_and_errors_shown_with_what_was_typed(app: Flask) -> None:
    client = signed_in(app, "admin")
    version = DirectoryStore(store_of(app)).version()
    rv = post(client, "/admin/partners/domain/add", org="Acme Ltd", domain="not a domain")
    assert rv.status_code == 400
    page = text(rv)
    assert "domain 'not a domain'" in page and 'value="not a domain"' in page
    assert 'aria-invalid="true"' in page
    rv = post(client, "/admin/partners/domain/add", org="Acme Ltd", domain="beta.example")
    assert rv.status_code == 400 and "already belongs to Beta GmbH" in text(rv)
    rv = post(client, "/admin/partners/contact/add", org="Acme Ltd", name="Eve", email="eve@@x")
    assert rv.status_code == 400 and "contact_email" in text(rv) and 'value="Eve"' in text(rv)
    rv = post(
        client, "/admin/partners/account/add", org="Acme Ltd", account="GB00WEST12345698765432"
    )
    assert rv.status_code == 400 and "bank_accounts" in text(rv)
    rv = post(
        client, "/admin/partners/policy", org="Acme Ltd", require_auth="md5", pay_only_on_file="no"
    )
    assert rv.status_code == 400 and "not one of spf, dkim, dmarc" in text(rv)
    rv = post(client, "/admin/partners/policy", org="Acme Ltd", pay_only_on_file="maybe")
    assert rv.status_code == 400
    rv = post(client, "/admin/partners/domain/add", org="Acme Ltd")
    assert rv.status_code == 400 and "Domain: this field is required" in text(rv)
    rv = post(client, "/admin/partners/domain/add", org="Nobody", domain="nobody.example")
    assert rv.status_code == 404
    assert DirectoryStore(store_of(app)).version() == version
    assert AuditLog(store_of(app)).entries(action="partner.", actor=client.principal.subject) == []  # type: ignore[attr-defined]


def test_changes_are_stored_as_imports_audited_with_the_person(app: Flask) -> None:
    client = signed_in(app, "admin")
    who = client.principal.subject  # type: ignore[attr-defined]
    rv = post(client, "/admin/partners/domain/add", org="acme ltd", domain="@Acme.example.ORG")
    assert rv.status_code == 303
    assert rv.headers["Location"].startswith("/admin/partners/view?org=Acme")
    page = text(client.get(rv.headers["Location"]))
    assert "Domain @Acme.example.ORG added." in page and "acme.example.org" in page
    assert partner(app, "Acme Ltd").domains == ("acme.example", "acme.example.org")

    rv = post(
        client, "/admin/partners/contact/add", org="Acme Ltd", name="Cy Dee", phone="+1 555 0100"
    )
    assert rv.status_code == 303
    p = partner(app, "Acme Ltd")
    assert [c.name for c in p.contacts] == ["Ann Lee", "Cy Dee"]
    form = text(client.get("/admin/partners/contact?org=Acme+Ltd&index=0"))
    assert 'value="+44 20 7946 0000"' in form and hidden(form, "was") == "ann@acme.example"
    rv = post(
        client,
        "/admin/partners/contact/edit",
        org="Acme Ltd",
        index="0",
        was="ann@acme.example",
        name="Ann Lee",
        email="ann@acme.example",
        phone="+44 20 7946 1111",
    )
    assert rv.status_code == 303
    assert partner(app, "Acme Ltd").contacts[0].phone == "+44 20 7946 1111"
    rv = post(
        client,
        "/admin/partners/contact/edit",
        org="Acme Ltd",
        index="0",
        was="ann@acme.example",
        email="bad@",
    )
    assert rv.status_code == 400 and "contact_email" in text(rv) and 'value="bad@"' in text(rv)
    rv = post(client, "/admin/partners/contact/remove", org="Acme Ltd", index="1", was="Cy Dee")
    assert rv.status_code == 303 and len(partner(app, "Acme Ltd").contacts) == 1
    rv = post(
        client, "/admin/partners/account/remove", org="Acme Ltd", account="GB82WEST12345698765432"
    )
    assert rv.status_code == 303 and partner(app, "Acme Ltd").bank_accounts == ()
    rv = post(
        client, "/admin/partners/account/add", org="Acme Ltd", account="de89 3704 0044 0532 0130 00"
    )
    assert rv.status_code == 303 and partner(app, "Acme Ltd").bank_accounts == (
        "DE89370400440532013000",
    )

    rv = post(
        client,
        "/admin/partners/policy",
        org="Acme Ltd",
        require_auth=["dmarc", "spf"],
        bank_change_procedure="Only  by signed letter.",
        pay_only_on_file="yes",
    )
    assert rv.status_code == 303
    p = partner(app, "Acme Ltd")
    assert p.require_auth == {"dmarc", "spf"} and p.pay_only_on_file
    assert p.bank_change_procedure == "Only by signed letter."
    # the contact edits kept the policies; an edit after them keeps them too
    post(client, "/admin/partners/domain/remove", org="Acme Ltd", domain="acme.example.org")
    p = partner(app, "Acme Ltd")
    assert (
        p.domains == ("acme.example",) and p.pay_only_on_file and p.require_auth == {"dmarc", "spf"}
    )

    page = text(client.get("/admin/partners/delete?org=Beta+GmbH"))
    assert "Remove <bdi>Beta GmbH</bdi>?" in page
    rv = post(client, "/admin/partners/delete", org="Beta GmbH")
    assert rv.status_code == 303 and partner(app, "Beta GmbH") is None
    assert post(client, "/admin/partners/delete", org="Beta GmbH").status_code == 404

    actions = [
        (e.action, e.after.get("source") if isinstance(e.after, dict) else None)
        for e in AuditLog(store_of(app)).entries(actor=who, action="partner.")
    ]
    assert actions == [
        ("partner.import", "admin console: add domain"),
        ("partner.import", "admin console: add contact"),
        ("partner.import", "admin console: edit contact"),
        ("partner.import", "admin console: remove contact"),
        ("partner.import", "admin console: remove bank account"),
        ("partner.import", "admin console: add bank account"),
        ("partner.policy", None),
        ("partner.import", "admin console: remove domain"),
        ("partner.remove", None),
    ]


# ----------------------------------------------------------------------------- import


BAD_FILE = (
    HEADER
    + "Acme Ltd,acme.example;acme.example.net,Ann Lee,ann@acme.example,+44 20 7946 0000,,spf\n"
    + "Delta BV,delta.example,Dee,dee@delta.example,,,\n"
    + "Broken,not a domain,,,,,\n"
    + "Worse,worse.example,,,,,md5\n"
)


def test_an_import_previews_each_bad_row_and_stores_nothing_until_confirmed(app: Flask) -> None:
    client = signed_in(app, "admin")
    store = store_of(app)
    version = DirectoryStore(store).version()
    audit = len(AuditLog(store).entries())
    rv = client.post(
        "/admin/partners/import",
        data={
            "csrf_token": csrf(client),
            "mode": "merge",
            "file": (io.BytesIO(BAD_FILE.replace("\n", "\r\n").encode()), "partners.csv"),
        },
        content_type="multipart/form-data",
    )
    assert rv.status_code == 200
    page = text(rv)
    assert "Nothing has been stored yet" in page
    rows = re.findall(r'<tr><td class="num">(\d+)</td><td><bdi>([^<]*)</bdi>', page)
    assert [(line, msg.split(" ")[0]) for line, msg in rows] == [
        ("4", "domain"),
        ("5", "require_auth"),
    ]
    assert "Delta BV" in page and "domain: delta.example" in page
    assert "domain added: acme.example.net" in page
    assert "bank account removed: GB82WEST12345698765432" in page
    assert "requires: dkim;spf → spf" in page
    # nothing stored
    assert partner(app, "Delta BV") is None
    assert DirectoryStore(store).version() == version and len(AuditLog(store).entries()) == audit

    confirm = {name: hidden(page, name) for name in ("text", "mode", "version", "digest")}
    assert "\r" not in confirm["text"]
    # the browser sends the field's line ends as CRLF: still the file previewed
    confirm["text"] = confirm["text"].replace("\n", "\r\n")
    rv = client.post(
        "/admin/partners/import/confirm",
        data={"csrf_token": csrf(client), **confirm},
        content_type="multipart/form-data",
    )
    assert rv.status_code == 303, text(rv)
    assert "Imported: 1 new, 1 updated. 2 bad rows skipped." in text(
        client.get(rv.headers["Location"])
    )
    assert partner(app, "Delta BV") is not None
    assert partner(app, "Acme Ltd").domains == ("acme.example", "acme.example.net")
    [row] = AuditLog(store).entries(action="partner.import", actor=client.principal.subject)  # type: ignore[attr-defined]
    assert row.after["bad_rows"] == [4, 5] and row.after["source"] == "admin console"


def test_a_preview_of_a_directory_changed_meanwhile_is_not_imported(app: Flask) -> None:
    client = signed_in(app, "admin")
    page = text(
        post(
            client,
            "/admin/partners/import",
            mode="replace",
            text=HEADER + "Delta BV,delta.example,,,,,\n",
        )
    )
    assert "Removed partners (2)" in page
    confirm = {name: hidden(page, name) for name in ("text", "mode", "version", "digest")}
    # another administrator adds a partner meanwhile
    other = signed_in(app, "admin", subject="other-admin")
    post(other, "/admin/partners/domain/add", org="Beta GmbH", domain="beta.example.org")
    rv = post(client, "/admin/partners/import/confirm", **confirm)
    assert rv.status_code == 409
    page = text(rv)
    assert "The directory changed since your preview" in page
    assert partner(app, "Acme Ltd") is not None and partner(app, "Delta BV") is None
    again = {name: hidden(page, name) for name in ("text", "mode", "version", "digest")}
    assert int(again["version"]) == int(confirm["version"]) + 1
    # a tampered file is refused
    forged = {**again, "text": again["text"] + "Evil,evil.example,,,,,\n"}
    rv = post(client, "/admin/partners/import/confirm", **forged)
    assert rv.status_code == 400 and "not the one previewed" in text(rv)
    rv = post(client, "/admin/partners/import/confirm", **again)
    assert rv.status_code == 303
    assert [p.organization for p in DirectoryStore(store_of(app)).partners()] == ["Delta BV"]


@pytest.mark.parametrize(
    ("form", "says"),
    [
        ({"text": ""}, "Choose a CSV file or paste its text"),
        ({"text": "name,email\nx,y\n"}, "is not the header row"),
        ({"text": SEED, "mode": "overwrite"}, "Mode: must be one of merge, replace"),
    ],
)
def test_an_unusable_file_says_why(app: Flask, form: dict[str, str], says: str) -> None:
    client = signed_in(app, "admin")
    rv = post(client, "/admin/partners/import", **form)
    assert rv.status_code == 400 and says in text(rv)


def test_a_legacy_encoded_upload_says_how_to_save_it(app: Flask) -> None:
    client = signed_in(app, "admin")
    rv = client.post(
        "/admin/partners/import",
        data={
            "csrf_token": csrf(client),
            "file": (io.BytesIO((HEADER + "Café,cafe.example,,,,,\n").encode("cp1252")), "p.csv"),
        },
        content_type="multipart/form-data",
    )
    assert rv.status_code == 400 and "Windows-1252" in text(rv)


def multipart(client: FlaskClient, path: str, fields: dict[str, Any]) -> Any:
    """A multipart POST built in memory (the test client spools a large body to a
    temporary file it never closes)."""
    boundary, body = encode_multipart(
        MultiDict({"csrf_token": csrf(client), **fields}), "caveat-test-boundary"
    )
    return client.post(path, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def test_a_large_paste_fits_the_form_and_an_oversized_file_is_refused(app: Flask) -> None:
    client = signed_in(app, "admin")
    big = HEADER + "".join(
        f"Org {i},org{i}.example,Name {i},n{i}@org{i}.example,,,\n" for i in range(9000)
    )
    assert 500_000 < len(big) < 1_900_000  # more than a form field's default memory limit
    rv = multipart(client, "/admin/partners/import", {"text": big})
    assert rv.status_code == 200, text(rv)[:500]
    page = text(rv)
    confirm = {name: hidden(page, name) for name in ("text", "mode", "version", "digest")}
    rv = multipart(client, "/admin/partners/import/confirm", confirm)
    assert rv.status_code == 303
    assert len(DirectoryStore(store_of(app)).partners()) == 9002
    upload = FileStorage(io.BytesIO(b"x" * 2_050_000), "p.csv", "file")
    rv = multipart(client, "/admin/partners/import", {"file": upload})
    assert rv.status_code == 400 and "the most the console takes" in text(rv)


# ----------------------------------------------------------------------------- export


def test_the_export_is_formula_guarded_and_imports_back_unchanged(app: Flask) -> None:
    store = store_of(app)
    import_parsed(
        store,
        parse_partners_csv(
            HEADER
            + '"=HYPERLINK(""http://evil.example"")",evil.example,@cmd,ceo@evil.example,-1,,\n'
        ),
    )
    before = DirectoryStore(store).partners()
    client = signed_in(app, "admin")
    rv = client.get("/admin/partners/export")
    assert rv.status_code == 200 and rv.mimetype == "text/csv"
    assert "attachment" in rv.headers["Content-Disposition"]
    assert rv.headers["Cache-Control"] == "no-store"
    body = rv.get_data(as_text=True)
    cells = [c for row in csv.reader(io.StringIO(body)) for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert '\'=HYPERLINK("http://evil.example")' in cells and "'+44 20 7946 0000" in cells
    assert "'@cmd" in cells and "'-1" in cells
    # and through the console's own import: nothing changes
    page = text(post(client, "/admin/partners/import", text=body, mode="replace"))
    assert "The file changes nothing in the directory" in page and "3</span> unchanged" in page
    report, _ = import_parsed(store, parse_partners_csv(body), replace=True)
    assert report.removed == 0 and DirectoryStore(store).partners() == before
