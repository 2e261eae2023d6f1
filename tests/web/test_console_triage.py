"""The console's triage pages: who sees the reports queue and the indicators; a report's
evidence (what the reporter was shown, what confirming it would make indicators of, and
why a value would be left out); confirming keeps only the parts chosen and dismissing
keeps a note, both in the audit log under the signed-in person; indicators added,
imported (a bad file refused whole, its lines named, nothing kept) and expired."""

from __future__ import annotations

import io
import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from caveat.knowledge.shared import account_ref
from caveat.storage.audit import AuditLog
from caveat.storage.indicators import IndicatorStore
from caveat.storage.reports import ReportRefs, ReportStore
from caveat.storage.store import Store
from tests.console_app import console_app, csrf, signed_in

IBAN = "GB29NWBK60161331926819"
PARTNERS = (
    "organization,domain,contact_name,contact_email,contact_phone,bank_accounts,require_auth\n"
    "Acme Supplies,acme.example,Pat Payables,pat@acme.example,+44 20 7946 0001,,\n"
)


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return console_app(tmp_path, INTERNAL_DOMAINS=["ours.example"])


def store_of(app: Flask) -> Store:
    s: Store = app.extensions["caveat"].store
    return s


def load_partners(app: Flask) -> None:
    from caveat.knowledge.partners_csv import parse_partners_csv
    from caveat.storage.directory_store import DirectoryStore

    parsed = parse_partners_csv(PARTNERS)
    DirectoryStore(store_of(app)).import_partners(parsed.partners)
    app.extensions["caveat"].analyzer.refresh()


def add_report(app: Flask, sender: str = "accounts@partner-examp1e.com", **kw: Any) -> int:
    """A report as the add-in files it: the sender, what the analysis showed, and what
    the service found in the message (Reply-To, a look-alike domain, an account)."""
    store = store_of(app)
    ref = account_ref(IndicatorStore(store).key(), IBAN)
    report = ReportStore(store).add(
        sender=sender,
        message_id=kw.get("message_id", "<invoice-42@partner-examp1e.com>"),
        conversation_id=None,
        level="danger",
        finding_ids=kw.get("finding_ids", ["REPLYTO_FREEMAIL", "LOOKALIKE_DOMAIN"]),
        reporter="ana@ours.example",
        key_id=None,
        at=store.clock(),
        reporter_subject="ana-subject",
        refs=ReportRefs(
            addresses=("payments@freemail-example.com",),
            domains=kw.get("domains", ("partner-examp1e.com",)),
            accounts=((ref, "GB29 **** 6819"),),
        ),
    )
    return report.id


def text_of(rv: Any) -> str:
    """The page's text without tags and with runs of white space as one space."""
    html = rv.get_data(as_text=True)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def post(client: FlaskClient, path: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
    return client.post(path, data={"csrf_token": csrf(client), **(data or {})}, **kw)


# ----------------------------------------------------------------- who sees what


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("user", False), ("finance", False), ("security", True), ("admin", True)],
)
def test_reports_and_indicators_are_for_security_and_admins(
    app: Flask, role: str, allowed: bool
) -> None:
    rid = add_report(app)
    client = signed_in(app, role)
    for path in ("/admin/reports", f"/admin/reports/{rid}", "/admin/indicators"):
        rv = client.get(path)
        assert rv.status_code == (200 if allowed else 403), (path, rv.status_code)
        if allowed:
            assert rv.headers["Cache-Control"].startswith("no-store")
        else:
            assert "accounts@partner-examp1e.com" not in rv.get_data(as_text=True)


def test_a_role_without_triage_cannot_act_on_a_report(app: Flask) -> None:
    rid = add_report(app)
    fin = signed_in(app, "finance")
    assert post(fin, f"/admin/reports/{rid}/confirm", {"keep": "sender"}).status_code == 403
    assert post(fin, f"/admin/reports/{rid}/dismiss").status_code == 403
    assert (
        post(fin, "/admin/indicators", {"kind": "domain", "value": "x.example"}).status_code == 403
    )
    assert ReportStore(store_of(app)).get(rid).status == "open"  # type: ignore[union-attr]
    assert IndicatorStore(store_of(app)).entries() == []


# ----------------------------------------------------------------- the queue


def test_the_queue_lists_open_reports_and_filters_by_state(app: Flask) -> None:
    first = add_report(app)
    second = add_report(app, "billing@other-fraud.example", message_id="<two@x>")
    sec = signed_in(app, "security")
    ReportStore(store_of(app)).dismiss(second, _person("sec2"), at=store_of(app).clock())
    page = text_of(sec.get("/admin/reports"))
    assert f"Report {first}" in page and "accounts@partner-examp1e.com" in page
    assert "billing@other-fraud.example" not in page
    page = text_of(sec.get("/admin/reports?state=dismissed"))
    assert "billing@other-fraud.example" in page and "accounts@partner-examp1e.com" not in page
    page = text_of(sec.get("/admin/reports?state=all"))
    assert "billing@other-fraud.example" in page and "accounts@partner-examp1e.com" in page
    rv = sec.get("/admin/reports?state=everything")
    assert rv.status_code == 400 and "state must be one of" in text_of(rv)


def _person(subject: str) -> Any:
    from caveat.identity.principal import Principal

    return Principal.person(
        subject=subject,
        tenant=None,
        name="Second Desk",
        username=f"{subject}@ours.example",
        roles=["security"],
    )


def test_a_report_shows_its_evidence_and_what_would_be_left_out(app: Flask) -> None:
    load_partners(app)
    # the message used the partner's own domain: a forged From must not become an indicator
    rid = add_report(app, "pat@acme.example", domains=("acme.example",))
    page = text_of(signed_in(app, "security").get(f"/admin/reports/{rid}"))
    assert "pat@acme.example" in page and "ana@ours.example" in page
    assert "REPLYTO_FREEMAIL" in page and "reply_to_mismatch" in page
    assert "payments@freemail-example.com" in page and "GB29 **** 6819" in page
    assert "yes: a domain of Acme Supplies, a partner" in page
    assert "Confirm as fraud" in page and "Dismiss" in page


def test_a_missing_report_is_a_404_page(app: Flask) -> None:
    sec = signed_in(app, "security")
    assert sec.get("/admin/reports/999").status_code == 404
    assert post(sec, "/admin/reports/999/confirm", {"keep": "sender"}).status_code == 404
    assert post(sec, "/admin/reports/999/dismiss").status_code == 404


# ----------------------------------------------------------------- confirm, dismiss


def test_confirming_keeps_the_chosen_parts_and_audits_the_person(app: Flask) -> None:
    rid = add_report(app)
    sec = signed_in(app, "security")
    rv = post(sec, f"/admin/reports/{rid}/confirm", {"keep": ["sender", "reply_to", "domains"]})
    assert rv.status_code == 303 and rv.headers["Location"].endswith(f"/admin/reports/{rid}")
    report = ReportStore(store_of(app)).get(rid)
    assert report is not None and report.status == "confirmed"
    made = {(e.kind, e.shown) for e in IndicatorStore(store_of(app)).entries()}
    assert made == {
        ("address", "accounts@partner-examp1e.com"),
        ("address", "payments@freemail-example.com"),
        ("domain", "partner-examp1e.com"),
    }  # the account was not kept
    [row] = AuditLog(store_of(app)).entries(action="report.confirm")
    assert row.target == str(rid) and row.actor == report.triaged_by
    assert row.actor_subject != "" and not row.actor.startswith("service key")
    assert ["GB29 **** 6819", "left out by the person who confirmed it"] in row.after["left_out"]
    page = text_of(sec.get(rv.headers["Location"]))
    assert "confirmed as fraud: 3 indicators added" in page
    assert "Confirm as fraud" not in page  # decided: no more buttons


def test_confirming_twice_changes_nothing_and_says_so(app: Flask) -> None:
    rid = add_report(app)
    sec = signed_in(app, "security")
    post(sec, f"/admin/reports/{rid}/confirm", {"keep": ["sender"]})
    rv = post(sec, f"/admin/reports/{rid}/dismiss", {"note": "changed my mind"})
    assert rv.status_code == 303
    assert ReportStore(store_of(app)).get(rid).status == "confirmed"  # type: ignore[union-attr]
    assert "was confirmed already" in text_of(sec.get(rv.headers["Location"]))
    assert AuditLog(store_of(app)).entries(action="report.dismiss") == []


def test_dismissing_makes_no_indicator_and_keeps_the_note(app: Flask) -> None:
    rid = add_report(app)
    sec = signed_in(app, "security")
    rv = post(sec, f"/admin/reports/{rid}/dismiss", {"note": "a real invoice from a new supplier"})
    assert rv.status_code == 303
    assert ReportStore(store_of(app)).get(rid).status == "dismissed"  # type: ignore[union-attr]
    assert IndicatorStore(store_of(app)).entries() == []
    [row] = AuditLog(store_of(app)).entries(action="report.dismiss")
    assert row.after["note"] == "a real invoice from a new supplier"
    assert row.actor_subject and not row.actor.startswith("service key")
    assert "dismissed: no indicator made" in text_of(sec.get(rv.headers["Location"]))


@pytest.mark.parametrize(
    ("path", "data", "says"),
    [
        ("confirm", {"keep": ["sender", "everything"]}, "keep names parts of a report"),
        ("dismiss", {"note": "x" * 501}, "the note is too long"),
    ],
)
def test_a_bad_triage_form_is_a_400_page_and_changes_nothing(
    app: Flask, path: str, data: dict[str, Any], says: str
) -> None:
    rid = add_report(app)
    sec = signed_in(app, "security")
    rv = post(sec, f"/admin/reports/{rid}/{path}", data)
    assert rv.status_code == 400 and says in text_of(rv)
    assert ReportStore(store_of(app)).get(rid).status == "open"  # type: ignore[union-attr]


def test_a_triage_without_the_csrf_token_is_refused(app: Flask) -> None:
    rid = add_report(app)
    sec = signed_in(app, "security")
    rv = sec.post(f"/admin/reports/{rid}/confirm", data={"keep": "sender"})
    assert 400 <= rv.status_code < 500
    assert ReportStore(store_of(app)).get(rid).status == "open"  # type: ignore[union-attr]


# ----------------------------------------------------------------- indicators


def test_an_indicator_added_by_hand_is_listed_and_warns(app: Flask) -> None:
    sec = signed_in(app, "security")
    rv = post(
        sec,
        "/admin/indicators",
        {"kind": "domain", "value": "Fraud-Example.com", "note": "<b>ISAC</b> bulletin 7"},
    )
    assert rv.status_code == 303
    [entry] = IndicatorStore(store_of(app)).entries()
    assert (entry.kind, entry.shown, entry.source) == ("domain", "fraud-example.com", "api")
    html = sec.get("/admin/indicators").get_data(as_text=True)
    assert "fraud-example.com" in html
    assert "&lt;b&gt;ISAC&lt;/b&gt; bulletin 7" in html and "<b>ISAC" not in html
    assert "Indicator " in html and "added: domain fraud-example.com" in html
    [row] = AuditLog(store_of(app)).entries(action="indicator.add")
    assert row.actor == entry.created_by and not row.actor.startswith("service key")
    again = post(sec, "/admin/indicators", {"kind": "domain", "value": "fraud-example.com"})
    assert "already holds" in text_of(sec.get(again.headers["Location"]))
    assert len(IndicatorStore(store_of(app)).entries()) == 1


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"kind": "bitcoin", "value": "x"}, "kind must be one of"),
        ({"kind": "phone", "value": "12"}, "not a valid phone"),
        ({"kind": "domain", "value": ""}, "give the value"),
        ({"kind": "domain", "value": "x.example", "expires": "tomorrow"}, "expiry must be a date"),
        ({"kind": "domain", "value": "x.example", "expires": "2001-01-01"}, "today or later"),
        ({"kind": "domain", "value": "x.example", "note": "n" * 301}, "note is too long"),
    ],
)
def test_a_bad_indicator_is_a_400_page_and_nothing_is_added(
    app: Flask, data: dict[str, str], says: str
) -> None:
    rv = post(signed_in(app, "security"), "/admin/indicators", data)
    assert rv.status_code == 400 and says in text_of(rv)
    assert IndicatorStore(store_of(app)).entries(everything=True) == []


GOOD = "kind,value,note\naddress,billing@fraud-example.com,ISAC 7\ndomain,fraud-examp1e.com,\n"


def upload(client: FlaskClient, text: str, **extra: str) -> Any:
    data: dict[str, Any] = {"file": (io.BytesIO(text.encode()), "feed.csv"), **extra}
    return post(client, "/admin/indicators/import", data, content_type="multipart/form-data")


def test_an_imported_file_adds_its_indicators(app: Flask) -> None:
    sec = signed_in(app, "security")
    rv = upload(sec, GOOD, expires="2099-12-31")
    assert rv.status_code == 303
    entries = IndicatorStore(store_of(app)).entries()
    assert {e.shown for e in entries} == {"billing@fraud-example.com", "fraud-examp1e.com"}
    assert all(e.expires_at is not None and e.expires_at.year == 2100 for e in entries)
    assert "Imported 2 rows: 2 added, 0 already known" in text_of(sec.get(rv.headers["Location"]))
    [row] = AuditLog(store_of(app)).entries(action="indicator.import")
    assert "feed.csv" in row.target and not row.actor.startswith("service key")


def test_a_bad_file_is_refused_whole_with_its_lines_named(app: Flask) -> None:
    sec = signed_in(app, "security")
    rv = upload(sec, GOOD + "bitcoin,1BoatSLRHtKNngkdXEeobR76b53LETtpyT,\nphone,12,\n")
    assert rv.status_code == 400
    page = text_of(rv)
    assert "nothing of it was imported" in page
    assert "Line 4: unknown kind 'bitcoin'" in page and "Line 5: phone '12'" in page
    assert IndicatorStore(store_of(app)).entries(everything=True) == []
    assert AuditLog(store_of(app)).entries(action="indicator.") == []
    assert upload(sec, "").status_code == 400


def test_an_import_without_a_file_is_a_400_page(app: Flask) -> None:
    rv = post(signed_in(app, "security"), "/admin/indicators/import", {})
    assert rv.status_code == 400 and "choose an indicators CSV" in text_of(rv)


def test_expiring_an_indicator_stops_it_and_keeps_it_on_record(app: Flask) -> None:
    sec = signed_in(app, "security")
    upload(sec, GOOD)
    first = IndicatorStore(store_of(app)).entries()[0]
    rv = post(sec, f"/admin/indicators/{first.id}/expire")
    assert rv.status_code == 303
    assert "no longer counts" in text_of(sec.get(rv.headers["Location"]))
    assert [e.id for e in IndicatorStore(store_of(app)).entries()] != [] and first.id not in {
        e.id for e in IndicatorStore(store_of(app)).entries()
    }
    [row] = AuditLog(store_of(app)).entries(action="indicator.remove")
    assert row.target == str(first.id) and not row.actor.startswith("service key")
    # listed as expired, by whom, among the removed; not among the active
    active = text_of(sec.get("/admin/indicators"))
    assert "billing@fraud-example.com" not in active
    removed = text_of(sec.get("/admin/indicators?state=removed"))
    assert "billing@fraud-example.com" in removed and "fraud-examp1e.com" not in removed
    again = post(sec, f"/admin/indicators/{first.id}/expire")
    assert "no live indicator" in text_of(sec.get(again.headers["Location"]))


def test_indicators_filter_by_kind_and_source(app: Flask) -> None:
    sec = signed_in(app, "security")
    upload(sec, GOOD)
    post(sec, "/admin/indicators", {"kind": "phone", "value": "+44 20 7946 0958"})
    page = text_of(sec.get("/admin/indicators?kind=domain"))
    assert "fraud-examp1e.com" in page and "billing@fraud-example.com" not in page
    page = text_of(sec.get("/admin/indicators?source=api"))
    assert "+442079460958" in page and "fraud-examp1e.com" not in page
    for bad in ("kind=bitcoin", "state=gone", "source=mail", "after=x"):
        rv = sec.get(f"/admin/indicators?{bad}")
        assert rv.status_code == 400, bad


def test_a_confirmation_and_an_expiry_reach_the_next_analysis_at_once(app: Flask) -> None:
    rid = add_report(app)
    _, key = store_of(app).create_key("tests")
    api = app.test_client()
    message = {
        "headers": "From: Accounts <accounts@partner-examp1e.com>\r\nTo: bo@ours.example\r\n"
        "Subject: Invoice 43\r\n",
        "from": {"name": "Accounts", "address": "accounts@partner-examp1e.com"},
    }

    def reported() -> set[str]:
        rv = api.post("/api/v1/analyze", json=message, headers={"Authorization": f"Bearer {key}"})
        assert rv.status_code == 200, rv.get_json()
        return {f["id"] for f in rv.get_json()["findings"] if f["check"] == "reported_sender"}

    assert "REPORTED_ADDRESS" not in reported()
    sec = signed_in(app, "security")
    post(sec, f"/admin/reports/{rid}/confirm", {"keep": ["sender"]})
    assert "REPORTED_ADDRESS" in reported()
    [entry] = IndicatorStore(store_of(app)).entries()
    post(sec, f"/admin/indicators/{entry.id}/expire")
    assert "REPORTED_ADDRESS" not in reported()


def test_a_file_over_the_console_limit_is_a_413_page_and_nothing_is_kept(app: Flask) -> None:
    sec = signed_in(app, "security")
    assert "At most 2 MiB" in text_of(sec.get("/admin/indicators"))
    big = "kind,value,note\n" + "domain,fraud-example.com,x\n" * 90_000  # over 2 MiB
    # the form encoded in memory (the test client would spool a body this large to a
    # temporary file that it never closes)
    boundary, body = encode_multipart(
        {"csrf_token": csrf(sec), "file": FileStorage(io.BytesIO(big.encode()), "feed.csv")}
    )
    rv = sec.post(
        "/admin/indicators/import",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert rv.status_code == 413 and "larger than this form accepts" in text_of(rv)
    assert IndicatorStore(store_of(app)).entries(everything=True) == []
