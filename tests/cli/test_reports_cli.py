"""caveat reports list|show|confirm|dismiss: a report filed through the API, worked from the
command line by the operator, reaches the running service as indicators within seconds
(confirmed) or not at all (dismissed); the audit rows name the operator's login; an
unknown id, a report decided before and bad options are said plainly, never a traceback."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from caveat.cli import main
from caveat.storage.audit import AuditLog
from caveat.storage.indicators import IndicatorStore
from caveat.storage.reports import ReportStore
from caveat.storage.store import Store
from tests.conftest import postgres_schema
from tests.identity_app import OURS, as_, make_app
from tests.identity_issuer import LocalIssuer
from tests.service.alert_receivers import WebhookReceiver
from tests.web.test_triage import report_body, the_message
from tests.web.test_two_instances import stop

LOGIN = "secdesk"
LATER = {
    "raw": "From: Accounts <accounts@partner-examp1e.com>\r\nTo: Bo <bo@ours.example>\r\n"
    "Subject: Reminder\r\nMessage-ID: <later.1@partner-examp1e.com>\r\n\r\nHello\r\n"
}


@pytest.fixture(params=["sqlite-file", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database both a running service and the command line open."""
    if request.param == "postgresql":
        with postgres_schema(request.getfixturevalue("postgres_admin")) as u:
            yield u
    else:
        yield f"sqlite:///{tmp_path / 'shared.db'}"


@pytest.fixture
def service(
    url: str, issuer: LocalIssuer, tmp_path: Path, caveat_env: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Flask]:
    """A running service on ``url``; the operator at the command line logs in as LOGIN."""
    monkeypatch.setattr("getpass.getuser", lambda: LOGIN)
    app = make_app({**OURS, **issuer.settings()}, tmp_path / "service", url)
    try:
        yield app
    finally:
        assert app.extensions["caveat"].analyzer.knowledge.wait(30)
        stop(app)


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def ids(rv: Any) -> set[str]:
    return {f["id"] for f in rv.get_json()["findings"]}


def reported(client: FlaskClient, issuer: LocalIssuer, body: dict[str, Any] | None = None) -> int:
    store = client.application.extensions["caveat"].store
    rv = client.post("/api/v1/reports", json=body or report_body(store), headers=as_(issuer, "ana"))
    assert rv.status_code == 201, rv.get_json()
    return int(rv.get_json()["id"])


def flags(client: FlaskClient, issuer: LocalIssuer, message: dict[str, str]) -> set[str]:
    rv = client.post("/api/v1/analyze", json=message, headers=as_(issuer, "fin"))
    assert rv.status_code == 200, rv.get_json()
    return {i for i in ids(rv) if i.startswith("REPORTED_")}


def shared_store(app: Flask) -> Store:
    store: Store = app.extensions["caveat"].store
    return store


def triaged(store: Store) -> list[Any]:
    """The audit rows of report triage (confirm, dismiss)."""
    return [e for e in AuditLog(store).entries() if e.action.startswith("report.")]


def test_confirmed_from_the_command_line_a_report_warns_everyone_within_seconds(
    service: Flask, url: str, issuer: LocalIssuer, capsys: pytest.CaptureFixture[str]
) -> None:
    client = service.test_client()
    assert flags(client, issuer, LATER) == set()  # the service's snapshot is read before
    rid = reported(client, issuer)

    code, out, err = run(["reports", "list", "--db", url], capsys)
    assert code == 0 and err == ""
    assert f"{rid:>5}  " in out and "open" in out and "accounts@partner-examp1e.com" in out
    assert "reported by" in out and "5 candidates" in out

    code, out, err = run(["reports", "show", str(rid), "--db", url], capsys)
    assert code == 0 and err == ""
    for shown in (
        "sender    address  accounts@partner-examp1e.com",
        "reply_to  address  payments@freemail-example.com",
        "domains   domain   partner-examp1e.com",
        "accounts  account  GB29 **** 6819",
        "phones    phone    +442079460958",
    ):
        assert shown in out, out
    assert "GB29NWBK" not in out  # never the account number
    assert "left out" not in out

    code, out, err = run(["reports", "confirm", str(rid), "--db", url], capsys)
    assert code == 0, err
    assert f"Confirmed report {rid} (accounts@partner-examp1e.com): 5 indicators added" in out

    started = time.monotonic()
    while "REPORTED_ADDRESS" not in flags(client, issuer, LATER):
        assert time.monotonic() - started < 10, "the service never saw the new indicators"
        time.sleep(0.2)
    rv = client.post("/api/v1/analyze", json=LATER, headers=as_(issuer, "fin"))
    evidence = " ".join(
        e["value"]
        for f in rv.get_json()["findings"]
        if f["id"] == "REPORTED_ADDRESS"
        for e in f["evidence"]
    )
    assert f"{LOGIN} at the command line" in evidence, evidence

    store = shared_store(service)
    [row] = triaged(store)
    assert (row.action, row.target, row.actor) == (
        "report.confirm",
        str(rid),
        f"{LOGIN} at the command line",
    )
    live = IndicatorStore(store).entries()
    assert {(e.kind, e.created_by, e.report_id) for e in live} == {
        (k, f"{LOGIN} at the command line", rid) for k in ("address", "domain", "account", "phone")
    }

    # decided once: a second decision changes nothing and says why
    for verb in ("confirm", "dismiss"):
        code, out, err = run(["reports", verb, str(rid), "--db", url], capsys)
        assert code == 3 and out == ""
        assert err == (
            f"caveat reports {verb}: report {rid} is confirmed already by "
            f"{LOGIN} at the command line; nothing changed\n"
        )
    assert len(triaged(store)) == 1

    code, out, _ = run(["reports", "list", "--db", url], capsys)
    assert (code, out) == (0, "No open reports.\n")
    code, out, _ = run(["reports", "list", "--status", "confirmed", "--json", "--db", url], capsys)
    [listed] = [json.loads(line) for line in out.splitlines()]
    assert listed["id"] == rid and listed["status"] == "confirmed"
    assert listed["triaged_by"] == f"{LOGIN} at the command line"
    assert listed["indicators"]["accounts"] == ["GB29 **** 6819"]


def test_a_dismissed_report_makes_nothing(
    service: Flask, url: str, issuer: LocalIssuer, capsys: pytest.CaptureFixture[str]
) -> None:
    client = service.test_client()
    rid = reported(client, issuer)
    code, out, err = run(["reports", "dismiss", str(rid), "--json", "--db", url], capsys)
    assert code == 0, err
    done = json.loads(out)
    assert done["report"]["status"] == "dismissed" and done["indicators"] == []
    assert done["report"]["triaged_by"] == f"{LOGIN} at the command line"
    store = shared_store(service)
    assert IndicatorStore(store).entries(everything=True) == []
    [row] = triaged(store)
    assert (row.action, row.actor) == ("report.dismiss", f"{LOGIN} at the command line")
    service.extensions["caveat"].analyzer.refresh_knowledge()
    assert flags(client, issuer, LATER) == set()
    assert flags(client, issuer, the_message()) == set()
    code, _, err = run(["reports", "confirm", str(rid), "--db", url], capsys)
    assert code == 3 and "is dismissed already" in err
    assert IndicatorStore(store).entries(everything=True) == []


def test_what_is_left_out_chosen_or_by_the_rule(
    service: Flask,
    url: str,
    issuer: LocalIssuer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``--leave-out`` parts, and the rule the API applies read with the deployment's
    settings: an address at one of our own domains never becomes an indicator."""
    client = service.test_client()
    body = report_body(shared_store(service))
    body["indicators"]["reply_to"] = ["payments@freemail-example.com", "ap@ours.example"]
    rid = reported(client, issuer, body)
    monkeypatch.setenv("CAVEAT_INTERNAL_DOMAINS", "ours.example")

    code, out, err = run(["reports", "show", str(rid), "--json", "--db", url], capsys)
    assert code == 0, err
    shown = json.loads(out)
    why = {c["value"]: c["left_out"] for c in shown["candidates"]}
    assert why["ap@ours.example"] == "one of our own domains"
    assert why["payments@freemail-example.com"] is None
    assert shown["status"] == "open"

    code, out, err = run(
        [
            *("reports", "confirm", str(rid), "--leave-out", "sender", "--leave-out", "phones"),
            *("--json", "--db", url),
        ],
        capsys,
    )
    assert code == 0, err
    done = json.loads(out)
    made = {(i["kind"], i["value"]) for i in done["indicators"]}
    assert made == {
        ("address", "payments@freemail-example.com"),
        ("domain", "partner-examp1e.com"),
        ("account", "GB29 **** 6819"),
    }
    assert {(x["value"], x["reason"]) for x in done["left_out"]} == {
        ("accounts@partner-examp1e.com", "left out by the person who confirmed it"),
        ("+442079460958", "left out by the person who confirmed it"),
        ("ap@ours.example", "one of our own domains"),
    }
    [row] = triaged(shared_store(service))
    assert len(row.after["left_out"]) == 3


def test_list_filters_limits_and_shows_a_decided_report(
    service: Flask, url: str, issuer: LocalIssuer, capsys: pytest.CaptureFixture[str]
) -> None:
    client = service.test_client()
    first = reported(client, issuer)
    body = report_body(shared_store(service))
    body["internet_message_id"] = "<second@partner-examp1e.com>"
    second = reported(client, issuer, body)
    assert run(["reports", "dismiss", str(first), "--db", url], capsys)[0] == 0

    def listed(*extra: str) -> list[int]:
        code, out, err = run(["reports", "list", "--json", "--db", url, *extra], capsys)
        assert code == 0, err
        return [json.loads(line)["id"] for line in out.splitlines()]

    assert listed() == [second]
    assert listed("--status", "dismissed") == [first]
    assert listed("--status", "all") == [second, first]
    assert listed("--status", "all", "--limit", "1") == [second]

    code, out, _ = run(["reports", "show", str(first), "--db", url], capsys)
    assert code == 0
    assert f"Report {first}: dismissed" in out and f"by {LOGIN} at the command line" in out
    assert "would make" not in out  # decided: nothing more to make


@pytest.fixture
def db(tmp_path: Path, caveat_env: Path) -> str:
    return f"sqlite:///{tmp_path / 'r.db'}"


@pytest.mark.parametrize("verb", ["show", "confirm", "dismiss"])
def test_an_unknown_report_is_said_with_exit_code_1(
    db: str, verb: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["reports", verb, "42", "--db", db], capsys)
    assert (code, out, err) == (1, "", f"caveat reports {verb}: there is no report 42\n")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (
            ["confirm", "1", "--leave-out", "subject"],
            "invalid choice: 'subject' (choose from "
            "'sender', 'reply_to', 'domains', 'accounts', 'phones')",
        ),
        (["confirm", "one"], "argument ID: 'one' is not a report id (a number)"),
        (["dismiss", "0"], "argument ID: '0' is not a report id (a number from 1)"),
        (["list", "--limit", "0"], "argument --limit: give from 1 to 10,000, not 0"),
        (["list", "--limit", "many"], "argument --limit: 'many' is not a number"),
        (["list", "--status", "closed"], "argument --status: invalid choice: 'closed'"),
        (["dismiss", "1", "--leave-out", "sender"], "unrecognized arguments: --leave-out"),
    ],
)
def test_bad_options_are_a_message_and_exit_code_2(
    db: str, args: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["reports", *args, "--db", db])
    cap = capsys.readouterr()
    assert stopped.value.code == 2 and cap.out == ""
    assert says in cap.err and "Traceback" not in cap.err


def test_a_store_that_cannot_be_opened_is_said(
    caveat_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["reports", "list", "--db", "mysql+nosuchdriver://x/y"], capsys)
    assert code == 2 and out == "" and err.startswith("caveat reports list: ")
    assert "Traceback" not in err


def test_a_confirmation_sends_the_fraud_alert_as_the_api_does(
    service: Flask,
    url: str,
    issuer: LocalIssuer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rid = reported(service.test_client(), issuer)
    with WebhookReceiver() as hook:
        monkeypatch.setenv("CAVEAT_ALERT_WEBHOOK_URL", hook.url)
        monkeypatch.setenv("CAVEAT_ALERT_WEBHOOK_SECRET", "cli-test-secret-0123456789")
        code, _, err = run(["reports", "confirm", str(rid), "--db", url], capsys)
        assert code == 0 and err == ""
        [request] = hook.requests
        doc = request.json()
        assert doc["type"] == "fraud.confirmed"
        assert doc["actor"]["subject"] == f"cli:{LOGIN}"
        assert "GB29NWBK" not in request.body.decode()  # masked accounts only

        def another(message_id: str) -> int:
            body = report_body(shared_store(service))
            body["internet_message_id"] = message_id
            return reported(service.test_client(), issuer, body)

        code, _, err = run(["reports", "dismiss", str(another("<b@x>")), "--db", url], capsys)
        assert code == 0 and err == "" and len(hook.requests) == 1  # a dismissal sends none

        # a destination that fails is said; the confirmation stands
        hook.plan = [500] * 10
        third = another("<c@x>")
        code, out, err = run(["reports", "confirm", str(third), "--db", url], capsys)
        assert code == 0 and f"Confirmed report {third}" in out
        assert "the fraud.confirmed alert was not delivered everywhere" in err


def test_what_a_client_sent_cannot_rewrite_the_operators_terminal(
    service: Flask, url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A sender and finding ids come from a mail client: control and direction characters
    in them are shown as U+FFFD, never written to the terminal."""
    store = shared_store(service)
    report = ReportStore(store).add(
        sender="evil\x1b[2J\u202e@fraud-example.com",
        message_id="<t@x>",
        conversation_id=None,
        level="danger",
        finding_ids=["X\x1b]0;owned\x07"],
        reporter="ana@ours.example",
        key_id=None,
        at=store.clock(),
    )
    for args in (["list"], ["show", str(report.id)], ["dismiss", str(report.id)]):
        code, out, err = run(["reports", *args, "--db", url], capsys)
        assert code == 0, err
        assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out
        assert "evil\ufffd[2j\ufffd@fraud-example.com" in out  # (stored lower-case)
