"""The audit log's API: rows of real changes, filters (time, action prefix, actor), paging,
the CSV export with formula-leading cells made inert, and only holders of ``audit``."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from caveat.storage.audit import Actor, AuditLog
from caveat.storage.store import Store
from tests.identity_app import as_, make_app
from tests.identity_issuer import LocalIssuer

from .test_contract import check_response

PARTNERS = (
    "organization,domain,contact_name,contact_email,contact_phone,bank_accounts,require_auth\n"
    '=HYPERLINK("http://evil.example"),acme.example,Pat,pat@acme.example,,,\n'
)


@pytest.fixture
def app(issuer: LocalIssuer, tmp_path: Path) -> Flask:
    return make_app(issuer.settings(), tmp_path / "instance")


def rows(store: Store, n: int, start: datetime) -> None:
    """``n`` audit rows an hour apart, alternating two actors and two kinds of action."""
    with store.session() as s:
        for i in range(n):
            who = Actor.command_line("root") if i % 2 else Actor("oid-sec", "Sam <sam@ours>")
            action = "indicator.add" if i % 2 else "partner.import"
            AuditLog.append(s, who, action, f"t{i}", after={"n": i}, at=start + timedelta(hours=i))


def get(client: FlaskClient, headers: dict[str, str], query: str = "") -> Any:
    rv = client.get(f"/api/v1/audit{query}", headers=headers)
    check_response("/api/v1/audit", "get", rv)
    return rv


def test_real_changes_are_listed_with_who_when_and_what(
    client: FlaskClient, issuer: LocalIssuer
) -> None:
    adm = as_(issuer, "adm")
    rv = client.put("/api/v1/partners", data=PARTNERS, content_type="text/csv", headers=adm)
    assert rv.status_code == 200
    rv = client.post(
        "/api/v1/indicators", json={"kind": "domain", "value": "fraud-x.example"}, headers=adm
    )
    assert rv.status_code == 201
    entries = get(client, adm).get_json()["entries"]
    actions = [e["action"] for e in entries]
    assert actions[0].startswith("partner.") and actions[-1] == "indicator.add"
    assert {e["actor_subject"] for e in entries} == {issuer.users["adm"].oid}
    assert get(client, adm, "?action=indicator.").get_json()["entries"][0]["after"]


def test_filters_and_paging(client: FlaskClient, issuer: LocalIssuer, store: Store) -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    rows(store, 10, start)
    adm = as_(issuer, "adm")
    everything = get(client, adm).get_json()
    assert len(everything["entries"]) == 10 and everything["next_after"] is None

    page = get(client, adm, "?limit=4").get_json()
    assert [e["target"] for e in page["entries"]] == ["t0", "t1", "t2", "t3"]
    page2 = get(client, adm, f"?limit=4&after={page['next_after']}").get_json()
    assert [e["target"] for e in page2["entries"]] == ["t4", "t5", "t6", "t7"]
    page3 = get(client, adm, f"?limit=4&after={page2['next_after']}").get_json()
    assert [e["target"] for e in page3["entries"]] == ["t8", "t9"]
    assert page3["next_after"] is None

    got = get(client, adm, "?action=partner.").get_json()["entries"]
    assert [e["target"] for e in got] == ["t0", "t2", "t4", "t6", "t8"]
    got = get(client, adm, "?actor=cli:root").get_json()["entries"]
    assert [e["target"] for e in got] == ["t1", "t3", "t5", "t7", "t9"]
    got = get(client, adm, "?since=2026-11-01T03:00:00Z&until=2026-11-01T06:00:00Z")
    assert [e["target"] for e in got.get_json()["entries"]] == ["t3", "t4", "t5"]
    got = get(client, adm, "?since=2026-11-01T02:00:00%2B01:00&until=2026-11-02")
    assert [e["target"] for e in got.get_json()["entries"]][:2] == ["t1", "t2"]
    got = get(client, adm, "?action=partner.%25")  # a LIKE wildcard is only a character
    assert got.get_json()["entries"] == []


@pytest.mark.parametrize(
    "query",
    ["?since=yesterday", "?until=2026-13-01", "?limit=0", "?limit=5000", "?after=x",
     "?since=2026-11-02&until=2026-11-01", "?action=" + "a" * 65, "?limit=1&limit=2"],
)  # fmt: skip
def test_bad_filters_are_400(client: FlaskClient, issuer: LocalIssuer, query: str) -> None:
    rv = get(client, as_(issuer, "adm"), query)
    assert rv.status_code == 400
    assert rv.get_json()["error"]["code"] == "invalid_field"
    rv = client.get(f"/api/v1/audit/export{query}", headers=as_(issuer, "adm"))
    assert rv.status_code in (200, 400)  # limit and after mean nothing to the export


@pytest.mark.parametrize("user", ["ana", "fin", "sec"])
def test_only_administrators_read_the_log(
    client: FlaskClient, issuer: LocalIssuer, user: str
) -> None:
    for path in ("/api/v1/audit", "/api/v1/audit/export"):
        rv = client.get(path, headers=as_(issuer, user))
        assert rv.status_code == 403, (user, path)
        assert "'audit'" in rv.get_json()["error"]["message"]
    assert client.get("/api/v1/audit").status_code == 401
    assert client.get("/api/v1/audit", headers=as_(issuer, "adm")).status_code == 200


def test_no_route_changes_the_log(client: FlaskClient, issuer: LocalIssuer) -> None:
    adm = as_(issuer, "adm")
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        assert client.open("/api/v1/audit", method=method, headers=adm).status_code == 405
        assert client.open("/api/v1/audit/1", method=method, headers=adm).status_code == 404


def test_the_export_is_csv_with_formula_cells_inert(
    client: FlaskClient, issuer: LocalIssuer, store: Store
) -> None:
    adm = as_(issuer, "adm")
    rv = client.put("/api/v1/partners", data=PARTNERS, content_type="text/csv", headers=adm)
    assert rv.status_code == 200
    hostile = ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "\t=x", "\r=y", "plain", "a=b"]
    with store.session() as s:
        for i, text in enumerate(hostile):
            AuditLog.append(s, Actor(f"sub{i}", text), "indicator.add", text, after={"note": text})
    rv = client.get("/api/v1/audit/export", headers=adm)
    assert rv.status_code == 200
    assert rv.mimetype == "text/csv" and rv.headers["Cache-Control"] == "no-store"
    assert "attachment" in rv.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(rv.get_data(as_text=True))))
    assert table[0] == ["id", "at", "actor_subject", "actor", "action", "target", "before", "after"]
    by_target = {r[5]: r for r in table[1:]}
    for text in hostile:
        shown = "'" + text if text[0] in "=+-@\t\r" else text
        row = by_target[shown]
        assert row[3] == shown  # the actor's label
    # every cell of every row, the partner import's included, starts harmlessly
    for row in table[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row
    assert any(r[4].startswith("partner.") for r in table[1:])

    only = client.get("/api/v1/audit/export?action=partner.", headers=adm)
    listed = list(csv.reader(io.StringIO(only.get_data(as_text=True))))[1:]
    assert listed and all(r[4].startswith("partner.") for r in listed)
