"""The console's overview: who sees it, the counts it shows (from the tally the analyser
keeps), the numbers under each chart equal to the chart's data, the period's choice, bad
input as a 400 page, and nothing from a message rendered as markup or run as script."""

from __future__ import annotations

import html
import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from caveat.knowledge.partners_csv import parse_partners_csv
from caveat.mail.normalise import from_raw
from caveat.storage import stats as tally_store
from caveat.storage.directory_store import DirectoryStore
from caveat.storage.reports import ReportStore
from caveat.storage.store import Store
from caveat.web.api.services import services
from tests.console_app import console_app, signed_in
from tests.fixtures_runner import FIXTURES

DATA = re.compile(r'<script type="application/json" id="overview-data">(.*?)</script>', re.S)


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    app = console_app(tmp_path, INTERNAL_DOMAINS=["partnera.example"], TRUST_MICROSOFT=True)
    csv = (FIXTURES / "directory" / "seed-partners.csv").read_bytes()
    with app.app_context():
        DirectoryStore(services().store).import_partners(parse_partners_csv(csv).partners)
        services().analyzer.refresh()
    return app


def store_of(app: Flask) -> Store:
    with app.app_context():
        return services().store


def today(app: Flask) -> date:
    with app.app_context():
        return services().clock().date()


def analyse(app: Flask, name: str, viewer: str) -> str:
    with app.app_context():
        s = services()
        facts = from_raw((FIXTURES / "seed" / name).read_bytes())
        return s.analyzer.analyze(facts, s.clock(), viewer=viewer).level


def page(client: FlaskClient, query: str = "") -> str:
    rv = client.get("/admin/" + query)
    assert rv.status_code == 200, rv.status_code
    return rv.get_data(as_text=True)


def table(text: str, table_id: str) -> list[list[str]]:
    """The body rows of a table, each as its cells' text."""
    body = re.search(rf'<table id="{table_id}".*?<tbody>(.*?)</tbody>', text, re.S)
    assert body is not None, table_id
    out = []
    for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        out.append([html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells])
    return out


@pytest.mark.parametrize("roles", [("security",), ("admin",)])
def test_security_staff_and_administrators_see_the_overview(app: Flask, roles: tuple[str]) -> None:
    text = page(signed_in(app, *roles))
    assert "<h1>Overview</h1>" in text
    assert '<a href="/admin/" aria-current="page">Overview</a>' in text


def test_finance_is_sent_to_a_page_of_its_own_and_a_user_is_refused(app: Flask) -> None:
    rv = signed_in(app, "finance").get("/admin/")
    assert rv.status_code in (303, 403)
    assert "Overview</h1>" not in rv.get_data(as_text=True)
    if rv.status_code == 303:
        assert rv.headers["Location"] != "/admin/"
    rv = signed_in(app).get("/admin/")
    assert rv.status_code == 403
    assert "security" in rv.get_data(as_text=True) or "admin" in rv.get_data(as_text=True)


def test_warnings_analysed_show_once_per_reader(app: Flask) -> None:
    assert analyse(app, "02-fake-reply-via-relay.eml", "ana") == "danger"
    assert analyse(app, "02-fake-reply-via-relay.eml", "ana") == "danger"  # opened again
    assert analyse(app, "03-compromised-server.eml", "ana") == "danger"
    assert analyse(app, "02-fake-reply-via-relay.eml", "fin") == "danger"
    assert analyse(app, "05-real-reply-partner-b.eml", "ana") in ("none", "info")
    text = page(signed_in(app, "security"))
    assert re.search(r'id="figure-warnings">3<', text)
    levels = table(text, "levels-table")
    assert levels[-1] == [today(app).isoformat(), "0", "3", "3"]
    assert sum(int(r[3]) for r in levels) == 3
    assert table(text, "recipients-table")[0][:2] == ["anna.keller@partnera.example", "3"]
    assert table(text, "partners-table") == [["Partner B", "3", "3"]]


def test_the_numbers_under_each_chart_are_the_charts_data(app: Flask) -> None:
    d = today(app)
    tally_store.add(
        store_of(app),
        {
            (d, "level", "caution"): 4,
            (d - timedelta(days=3), "level", "danger"): 2,
            (d, "family", "lookalike_domain"): 3,
            (d - timedelta(days=3), "family", "auth_failure"): 2,
            (d - timedelta(days=40), "level", "danger"): 9,  # outside 30 days
        },
    )
    text = page(signed_in(app, "admin"))
    m = DATA.search(text)
    assert m is not None
    data = json.loads(m.group(1))
    assert set(data) == {"levels", "families"}
    for name in ("levels", "families"):
        chart = data[name]
        rows = table(text, f"{name}-table")
        assert [r[0] for r in rows] == chart["days"]
        assert len(rows) == 30
        for i, s in enumerate(chart["series"]):
            assert [int(r[1 + i]) for r in rows] == s["values"], (name, s["key"])
    assert [s["key"] for s in data["families"]["series"]] == ["auth_failure", "lookalike_domain"]
    # a chart per series block, drawn by the static script (never inline)
    assert text.count('data-chart="') == 2
    seven = json.loads(DATA.search(page(signed_in(app, "admin"), "?days=7")).group(1))  # type: ignore[union-attr]
    assert len(seven["levels"]["days"]) == 7
    ninety = page(signed_in(app, "admin"), "?days=90")
    assert "9" in [r[2] for r in table(ninety, "levels-table")]
    assert 'href="?days=90" aria-current="page"' in ninety


@pytest.mark.parametrize("days", ["8", "0", "-30", "abc", "30.0", "9" * 40])
def test_a_period_not_offered_is_a_400_page(app: Flask, days: str) -> None:
    rv = signed_in(app, "security").get("/admin/", query_string={"days": days})
    assert rv.status_code == 400
    assert "choose 7, 30 or 90" in rv.get_data(as_text=True)


def test_the_queues_link_to_their_pages_for_those_who_may_see_them(app: Flask) -> None:
    with app.app_context():
        ReportStore(services().store).add(
            sender="fraud@evil.example", message_id="<1@e>", conversation_id=None,
            level="danger", finding_ids=[], reporter="ana@partnera.example", key_id=None,
            at=services().clock(),
        )  # fmt: skip
    sec = page(signed_in(app, "security"))
    assert re.search(r'id="figure-reports">1<', sec)
    assert '<a href="/admin/reports">open reports</a>' in sec
    assert 'href="/admin/verifications"' not in sec.split("</nav>", 1)[1]  # no link for sec
    adm = page(signed_in(app, "admin"))
    assert '<a href="/admin/verifications">denied accounts</a>' in adm
    assert '<a href="/admin/approvals">approvals pending</a>' in adm


def test_text_from_the_tally_is_never_markup_nor_script(app: Flask) -> None:
    evil = '</script><script>alert(1)</script><b onmouseover="x">'
    d = today(app)
    tally_store.add(
        store_of(app),
        {
            (d, "level", "danger"): 1,
            (d, "family", evil): 1,
            (d, "partner", evil): 1,
            (d, "recipient", f"{evil}@partnera.example"): 1,
        },
    )
    rv = signed_in(app, "admin").get("/admin/")
    text = rv.get_data(as_text=True)
    assert "<script>alert(1)" not in text and "<b onmouseover" not in text
    m = DATA.search(text)
    assert m is not None and "</script" not in m.group(1) and "<" not in m.group(1)
    assert evil in [s["key"] for s in json.loads(m.group(1))["families"]["series"]]
    # no inline script or style anywhere: scripts come from files, the data block is JSON
    for tag in re.findall(r"<script[^>]*>", text):
        assert 'src="/admin/static/' in tag or 'type="application/json"' in tag, tag
    assert " style=" not in text
    csp = rv.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_the_chart_scripts_are_served(app: Flask) -> None:
    client = signed_in(app, "security")
    for path in (
        "/admin/static/vendor/uPlot.iife.min.js",
        "/admin/static/vendor/uPlot.min.css",
        "/admin/static/console-charts.js",
    ):
        rv = client.get(path)
        assert rv.status_code == 200, path
        rv.close()
