"""The console's audit log: only holders of ``audit`` see it; rows newest first, filtered by
action, actor, target and days, paged both ways; the export is the API's CSV with
formula-leading cells inert; bad filters are 400 pages; hostile text stays text."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask

from caveat.storage.audit import Actor, AuditLog
from caveat.storage.store import Store
from caveat.web.api.services import services
from caveat.web.console.audit import PAGE_SIZE
from tests.console_app import console_app, signed_in

START = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
ROOT = Actor.command_line("root")
SEC = Actor("oid-sec", "Sam Example <sam@ours.example>")


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return console_app(tmp_path)


def store_of(app: Flask) -> Store:
    with app.app_context():
        return services().store


def rows(app: Flask, n: int) -> None:
    """``n`` rows six hours apart (four a day), alternating two actors and two actions;
    row i has target ``t<i>``."""
    with store_of(app).session() as s:
        for i in range(n):
            AuditLog.append(
                s,
                ROOT if i % 2 else SEC,
                "indicator.add" if i % 2 else "partner.import",
                f"t{i}",
                after={"n": i},
                at=START + timedelta(hours=6 * i),
            )


def targets(page: str) -> list[str]:
    return re.findall(r"<bdi>(t\d+)</bdi>", page)


@pytest.mark.parametrize("roles", [(), ("finance",), ("security",)])
def test_only_holders_of_audit_see_the_log(app: Flask, roles: tuple[str, ...]) -> None:
    rows(app, 2)
    client = signed_in(app, *roles)
    for path in ("/admin/audit", "/admin/audit/export", "/admin/audit?action=partner."):
        rv = client.get(path)
        assert rv.status_code == 403, path
        assert "t0" not in rv.get_data(as_text=True)
    admin = signed_in(app, "admin")
    assert admin.get("/admin/audit").status_code == 200
    assert admin.get("/admin/audit/export").status_code == 200


def test_rows_newest_first_with_who_what_and_the_change(app: Flask) -> None:
    rows(app, 3)
    rv = signed_in(app, "admin").get("/admin/audit")
    page = rv.get_data(as_text=True)
    assert rv.headers["Cache-Control"] == "no-store"
    assert targets(page) == ["t2", "t1", "t0"]
    assert "Sam Example &lt;sam@ours.example&gt;" in page and "root at the command line" in page
    assert "2026-11-01 21:00:00 UTC" in page  # t2, in UTC
    assert "&#34;n&#34;: 2" in page  # what the row holds after the change
    assert 'aria-current="page"' in page


def test_filters(app: Flask) -> None:
    rows(app, 10)
    client = signed_in(app, "admin")

    def shown(query: str) -> list[str]:
        rv = client.get("/admin/audit?" + query)
        assert rv.status_code == 200, query
        return targets(rv.get_data(as_text=True))

    assert shown("action=partner.") == ["t8", "t6", "t4", "t2", "t0"]
    assert shown("action=indicator.add") == ["t9", "t7", "t5", "t3", "t1"]
    assert shown("action=partner.%25") == []  # a LIKE wildcard is only a character
    assert shown("actor=cli:root") == ["t9", "t7", "t5", "t3", "t1"]
    assert shown("actor=oid-sec&action=indicator.") == []
    assert shown("target=t3") == ["t3"]
    assert shown("target=t") == []  # exactly
    # days, both included, in UTC: t0 at 09:00 on the 1st, then every six hours
    assert shown("since=2026-11-02&until=2026-11-02") == ["t6", "t5", "t4", "t3"]
    assert shown("since=2026-11-03") == ["t9", "t8", "t7"]
    assert shown("until=2026-11-01") == ["t2", "t1", "t0"]
    assert shown("since=&until=&action=&actor=&target=") == [f"t{i}" for i in range(9, -1, -1)]


def test_each_rows_actor_action_and_target_link_to_their_filter(app: Flask) -> None:
    rows(app, 2)
    page = signed_in(app, "admin").get("/admin/audit?action=indicator.").get_data(as_text=True)
    assert 'href="/admin/audit?action=indicator.&amp;actor=cli:root"' in page
    assert 'href="/admin/audit?action=indicator.&amp;target=t1"' in page
    assert 'href="/admin/audit?action=indicator.add"' in page
    assert 'value="indicator."' in page  # the form shows the filter in force
    suggested = re.findall(r'<option value="([^"]+)"></option>', page)
    assert {"indicator.", "partner.", "indicator.add", "partner.import"} <= set(suggested)
    assert suggested.index("partner.") < suggested.index("indicator.add")  # prefixes first


def test_pages_of_rows_both_ways(app: Flask) -> None:
    n = PAGE_SIZE * 2 + 5
    client = signed_in(app, "admin")  # before the rows: its own audit row is the oldest
    rows(app, n)
    first = client.get("/admin/audit?action=").get_data(as_text=True)
    assert targets(first) == [f"t{i}" for i in range(n - 1, n - 1 - PAGE_SIZE, -1)]
    assert "Newer rows" not in first
    older = re.search(r'href="(/admin/audit\?before=\d+)" rel="next"', first)
    assert older
    second = client.get(older.group(1)).get_data(as_text=True)
    assert targets(second) == [f"t{i}" for i in range(n - 1 - PAGE_SIZE, n - 1 - 2 * PAGE_SIZE, -1)]
    older = re.search(r'href="(/admin/audit\?before=\d+)" rel="next"', second)
    assert older
    third = client.get(older.group(1)).get_data(as_text=True)
    assert targets(third) == [f"t{i}" for i in range(4, -1, -1)]
    assert 'rel="next"' not in third
    newer = re.search(r'href="(/admin/audit\?after=\d+)" rel="prev"', third)
    assert newer
    back = client.get(newer.group(1)).get_data(as_text=True)
    assert targets(back) == targets(second)
    # filters ride along
    filtered = client.get("/admin/audit?actor=cli:root").get_data(as_text=True)
    assert 'href="/admin/audit?actor=cli:root&amp;before=' in filtered


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("since=yesterday", "since must be a date"),
        ("until=2026-13-01", "until must be a date"),
        ("since=2026-11-02&until=2026-11-01", "must not be before"),
        ("before=x", "before must be"),
        ("after=-1", "after must be"),
        ("before=3&after=1", "not both"),
        ("action=" + "a" * 65, "too long"),
        ("target=a%00b", "printable"),
    ],
)
def test_bad_filters_are_400_pages(app: Flask, query: str, says: str) -> None:
    client = signed_in(app, "admin")
    for path in ("/admin/audit", "/admin/audit/export"):
        if path.endswith("export") and query.startswith(("before", "after")):
            continue  # paging means nothing to the export
        rv = client.get(f"{path}?{query}")
        assert rv.status_code == 400, (path, query)
        assert says in rv.get_data(as_text=True)


def test_the_export_is_the_apis_csv_with_formula_cells_inert(app: Flask) -> None:
    hostile = ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "\t=x", "\r=y", "plain", "a=b"]
    with store_of(app).session() as s:
        for i, text in enumerate(hostile):
            AuditLog.append(s, Actor(f"sub{i}", text), "indicator.add", text, after={"note": text})
        AuditLog.append(s, ROOT, "partner.import", '=HYPERLINK("http://x.example")')
    client = signed_in(app, "admin")
    rv = client.get("/admin/audit/export?action=indicator.")
    assert rv.status_code == 200 and rv.mimetype == "text/csv"
    assert rv.headers["Cache-Control"] == "no-store"
    assert 'attachment; filename="caveat-audit.csv"' == rv.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(rv.get_data(as_text=True))))
    assert table[0] == ["id", "at", "actor_subject", "actor", "action", "target", "before", "after"]
    body = table[1:]
    assert len(body) == len(hostile)  # the filter applies: no partner.import row
    for row, text in zip(body, hostile, strict=True):
        actor, target = row[3], row[5]
        if text[0] in "=+-@\t\r":
            assert actor == "'" + text and target == "'" + text
        else:
            assert actor == text and target == text
    everything = client.get("/admin/audit/export").get_data(as_text=True)
    assert "'=HYPERLINK" in everything
    empty = client.get("/admin/audit/export?actor=nobody").get_data(as_text=True)
    assert empty.splitlines() == [",".join(table[0])]


def test_the_export_link_carries_the_filters(app: Flask) -> None:
    page = signed_in(app, "admin").get("/admin/audit?actor=cli:root&since=2026-11-01")
    text = page.get_data(as_text=True)
    assert 'href="/admin/audit/export?actor=cli:root&amp;since=2026-11-01"' in text


def test_hostile_text_in_a_row_is_text(app: Flask) -> None:
    with store_of(app).session() as s:
        AuditLog.append(
            s, Actor("x", '<script>alert("a")</script>'), "partner.update",
            "<img src=x onerror=alert(1)>", after={"name": "</pre><b>bold</b>"},
        )  # fmt: skip
    page = signed_in(app, "admin").get("/admin/audit").get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>bold" not in page
    assert "&lt;script&gt;alert(&#34;a&#34;)&lt;/script&gt;" in page


def test_what_the_console_does_to_keys_is_in_the_log(app: Flask) -> None:
    client = signed_in(app, "admin")
    from tests.web.test_console_keys import make

    rv = make(client, name="sync", scope=["directory"], expires="30")
    assert rv.status_code == 200
    page = client.get("/admin/audit?action=key.").get_data(as_text=True)
    assert "key.create" in page and "&#34;sync&#34;" in page
