"""A dismissed report's page shows the note its decision gave (kept in the audit row
``report.dismiss``), as text; a report dismissed without a note, an open or a confirmed
one shows none."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from caveat.storage.reports import ReportStore
from tests.console_app import console_app, csrf, signed_in
from tests.web.test_console_triage import add_report, store_of, text_of


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return console_app(tmp_path, INTERNAL_DOMAINS=["ours.example"])


def dismiss(app: Flask, report_id: int, note: str) -> None:
    sec = signed_in(app, "security")
    rv = sec.post(
        f"/admin/reports/{report_id}/dismiss", data={"csrf_token": csrf(sec), "note": note}
    )
    assert rv.status_code == 303


def test_a_dismissed_reports_page_shows_the_decisions_note(app: Flask) -> None:
    rid = add_report(app)
    note = "A real invoice from a new supplier <b>&amp; checked</b> by phone\nwith Pat"
    dismiss(app, rid, note)
    for roles in (("security",), ("admin",)):
        rv = signed_in(app, *roles).get(f"/admin/reports/{rid}")
        assert rv.status_code == 200
        html = rv.get_data(as_text=True)
        # the note is text: its markup is shown, never run; its lines kept apart
        assert "&lt;b&gt;&amp;amp; checked&lt;/b&gt;" in html and "<b>" not in html
        page = text_of(rv)
        assert "Why it was dismissed" in page
        assert "A real invoice from a new supplier <b>&amp; checked</b> by phone" in page
        assert "with Pat" in page


def test_no_note_shows_for_a_dismissal_without_one_nor_for_other_states(app: Flask) -> None:
    silent, confirmed, still_open = add_report(app), add_report(app), add_report(app)
    dismiss(app, silent, "")
    sec = signed_in(app, "security")
    rv = sec.post(
        f"/admin/reports/{confirmed}/confirm", data={"csrf_token": csrf(sec), "keep": "sender"}
    )
    assert rv.status_code == 303
    for rid in (silent, confirmed, still_open):
        page = text_of(sec.get(f"/admin/reports/{rid}"))
        assert "Why it was dismissed" not in page


def test_the_note_is_the_dismissals_of_this_report(app: Flask) -> None:
    first, second = add_report(app), add_report(app)
    dismiss(app, first, "the first one's reason")
    ReportStore(store_of(app)).dismiss(
        second, signed_in(app, "security").principal, at=store_of(app).clock(), note="another"
    )
    page = text_of(signed_in(app, "security").get(f"/admin/reports/{first}"))
    assert "the first one's reason" in page and "another" not in page
