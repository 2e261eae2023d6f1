"""Alerts out against real receivers on loopback: the webhook retried with backoff until it
answers, refusals not retried, every request signed; syslog lines that parse by RFC 5424's
grammar over UDP and over TCP with octet counting; the queue bounded and never in the
caller's way; nothing of a message's text in an event."""

from __future__ import annotations

import itertools
import json
import logging
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from caveat.checks.findings import Evidence, Finding, Verdict
from caveat.mail.normalise import from_payload
from caveat.service import alerts as A
from caveat.service.settings import SettingsError, load_settings

from .alert_receivers import SyslogListener, WebhookReceiver, parse_syslog

SECRET = "s3cret-for-tests-only-0123456789"
NOW = datetime(2026, 12, 6, 23, 59, tzinfo=UTC)


class Who:
    subject = "oid-sec"
    label = "Sam Security <sam@ours.example>"
    tenant = "tenant-1"


def fast_webhook(url: str, **kw: Any) -> A.Webhook:
    kw.setdefault("first_delay", 0.02)
    kw.setdefault("max_delay", 0.2)
    kw.setdefault("timeout", 5.0)
    return A.Webhook(url, SECRET, **kw)


def dead_recorder() -> tuple[list[tuple[str, str]], Any]:
    seen: list[tuple[str, str]] = []
    return seen, lambda kind, dest: seen.append((kind, dest))


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as r:
        yield r


# ------------------------------------------------------------------ webhook


def test_a_failing_webhook_is_retried_until_it_answers_and_each_try_is_signed(
    receiver: WebhookReceiver,
) -> None:
    receiver.plan = [503, 500, 502]
    dead, on_dead = dead_recorder()
    alerts = A.Alerts([fast_webhook(receiver.url)], deployment="test", on_dead=on_dead)
    event = alerts.emit(A.FRAUD_CONFIRMED, {"report_id": 7, "sender": "x@fraud.example"}, Who())
    assert event is not None
    assert alerts.flush(20)
    got = receiver.requests
    assert [r.status for r in got] == [503, 500, 502, 204]
    assert dead == []
    for r in got:
        assert r.headers["Caveat-Event"] == "fraud.confirmed"
        assert r.headers["Caveat-Event-Id"] == event.id
        assert r.headers["Content-Type"] == "application/json"
        assert A.verify_signature(SECRET, r.body, r.headers["Caveat-Signature"])
        assert not A.verify_signature(
            "another-secret-0123456789", r.body, r.headers["Caveat-Signature"]
        )
        assert not A.verify_signature(SECRET, r.body + b" ", r.headers["Caveat-Signature"])
    doc = got[-1].json()
    assert doc["type"] == "fraud.confirmed" and doc["id"] == event.id
    assert doc["deployment"] == "test" and doc["tenant"] == "tenant-1"
    assert doc["actor"] == {"subject": "oid-sec", "label": "Sam Security <sam@ours.example>"}
    assert doc["data"] == {"report_id": 7, "sender": "x@fraud.example"}
    # the waits grew: each gap at least half the doubled delay
    gaps = [b.at - a.at for a, b in itertools.pairwise(got)]
    assert gaps[0] >= 0.01 and gaps[1] >= 0.02 and gaps[2] >= 0.04


def test_a_refusal_is_final_but_408_and_429_are_retried(receiver: WebhookReceiver) -> None:
    dead, on_dead = dead_recorder()
    alerts = A.Alerts([fast_webhook(receiver.url)], deployment="test", on_dead=on_dead)
    receiver.plan = [400]
    alerts.emit(A.POLICY_VIOLATION, {"from": "a@b.example"})
    assert alerts.flush(10)
    assert [r.status for r in receiver.requests] == [400]
    assert dead == [("policy.violation", "webhook")]
    for refusal in (401, 403, 404, 410, 422):
        receiver.plan = [refusal]
        alerts.emit(A.POLICY_VIOLATION, {"from": "a@b.example"})
        assert alerts.flush(10)
    assert len(receiver.requests) == 6 and len(dead) == 6

    receiver.requests.clear()
    receiver.plan = [408, 429]
    alerts.emit(A.VERIFICATION_DENIED, {"verification_id": 1})
    assert alerts.flush(10)
    assert [r.status for r in receiver.requests] == [408, 429, 204]
    assert len(dead) == 6


def test_retries_are_bounded_in_number_and_time(receiver: WebhookReceiver) -> None:
    receiver.plan = [500] * 50
    dead, on_dead = dead_recorder()
    alerts = A.Alerts([fast_webhook(receiver.url, attempts=4)], deployment="t", on_dead=on_dead)
    alerts.emit(A.FRAUD_CONFIRMED, {"report_id": 1})
    assert alerts.flush(10)
    assert len(receiver.requests) == 4
    assert dead == [("fraud.confirmed", "webhook")]
    assert alerts.dead == 1

    receiver.requests.clear()
    hook = fast_webhook(receiver.url, attempts=100, first_delay=0.1, max_delay=0.1,
                        give_up_after=0.35)  # fmt: skip
    alerts = A.Alerts([hook], deployment="t")
    started = time.monotonic()
    alerts.emit(A.FRAUD_CONFIRMED, {"report_id": 2})
    assert alerts.flush(10)
    assert time.monotonic() - started < 2
    assert 2 <= len(receiver.requests) <= 8
    assert alerts.dead == 1


def test_retry_after_is_honoured(receiver: WebhookReceiver) -> None:
    receiver.plan = [429]
    receiver.retry_after = "1"
    alerts = A.Alerts([fast_webhook(receiver.url)], deployment="t")
    alerts.emit(A.FRAUD_CONFIRMED, {"report_id": 1})
    assert alerts.flush(10)
    first, second = receiver.requests
    assert second.at - first.at >= 0.95


def test_backoff_doubles_with_jitter() -> None:
    hook = A.Webhook("https://hooks.example.com/x", SECRET, first_delay=1, max_delay=60)
    for n, base in ((1, 1), (2, 2), (3, 4), (4, 8), (7, 60), (12, 60)):
        delays = {hook.delay(n) for _ in range(50)}
        assert all(base / 2 <= d <= base for d in delays), (n, delays)
        assert len(delays) > 1  # jittered: workers retrying together spread out


def test_network_errors_are_retried_and_a_redirect_is_not_followed() -> None:
    # nothing listens on this port (bound, never accepting): refused, retried, dead
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dead, on_dead = dead_recorder()
    alerts = A.Alerts([fast_webhook(f"http://127.0.0.1:{port}/x", attempts=3)], deployment="t",
                      on_dead=on_dead)  # fmt: skip
    alerts.emit(A.FRAUD_CONFIRMED, {"report_id": 1})
    assert alerts.flush(10)
    assert dead == [("fraud.confirmed", "webhook")]

    with WebhookReceiver(plan=[302]) as r:
        answer = fast_webhook(r.url).attempt(A.make_event(A.TEST, {}, deployment="t"))
        assert not answer.ok and not answer.retry and answer.detail == "HTTP 302"
        assert len(r.requests) == 1


def test_emit_never_waits_for_a_destination_and_the_queue_is_bounded() -> None:
    with WebhookReceiver(delay=1.0) as slow:
        dead, on_dead = dead_recorder()
        alerts = A.Alerts([fast_webhook(slow.url)], deployment="t", capacity=2, on_dead=on_dead)
        started = time.monotonic()
        alerts.emit(A.FRAUD_CONFIRMED, {"report_id": 0})
        time.sleep(0.2)  # the first is being sent (for a second)
        for n in range(1, 5):
            alerts.emit(A.FRAUD_CONFIRMED, {"report_id": n})
        assert time.monotonic() - started < 0.5  # 2 wait, 2 dropped, none waited for
        assert alerts.flush(10)
        assert len(slow.requests) == 3
        assert dead == [("fraud.confirmed", "webhook")] * 2
        assert sorted(r.json()["data"]["report_id"] for r in slow.requests) == [0, 1, 2]


def test_close_sends_what_is_queued_and_gives_up_the_rest(receiver: WebhookReceiver) -> None:
    alerts = A.Alerts([fast_webhook(receiver.url)], deployment="t")
    for n in range(3):
        alerts.emit(A.FRAUD_CONFIRMED, {"report_id": n})
    alerts.close(5)
    assert sorted(r.json()["data"]["report_id"] for r in receiver.requests) == [0, 1, 2]

    with WebhookReceiver(plan=[500] * 100) as failing:
        dead, on_dead = dead_recorder()
        hook = fast_webhook(failing.url, first_delay=30, max_delay=30)
        alerts = A.Alerts([hook], deployment="t", on_dead=on_dead)
        alerts.emit(A.FRAUD_CONFIRMED, {"report_id": 9})
        failing.wait_for(1)
        started = time.monotonic()
        alerts.close(2)  # does not sit out a 30 s retry delay
        assert time.monotonic() - started < 3
        assert dead == [("fraud.confirmed", "webhook")]
        assert len(failing.requests) == 2  # the first try, and one last when stopping


def test_a_dead_event_is_logged_without_its_content(receiver: WebhookReceiver) -> None:
    receiver.plan = [400]
    alerts = A.Alerts([fast_webhook(receiver.url)], deployment="t")
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    A.log.addHandler(handler)
    try:
        event = alerts.emit(A.FRAUD_CONFIRMED, {"sender": "distinctive-sender@fraud.example"})
        assert alerts.flush(10)
    finally:
        A.log.removeHandler(handler)
    assert event is not None
    text = "\n".join(r.getMessage() for r in records)
    assert event.id in text and "HTTP 400" in text
    assert "distinctive-sender" not in text


def test_signature_header_format_and_age() -> None:
    body = b'{"a":1}'
    header = A.sign(SECRET, body, 1_700_000_000)
    assert header.startswith("t=1700000000,v1=") and len(header.split("v1=")[1]) == 64
    assert A.verify_signature(SECRET, body, header, now=1_700_000_100)
    assert not A.verify_signature(SECRET, body, header, now=1_700_000_000 + 301)  # replayed
    assert not A.verify_signature(SECRET, body, "v1=" + header.split("v1=")[1])
    assert not A.verify_signature(SECRET, body, "garbage")


def test_send_test_reports_each_destination(receiver: WebhookReceiver) -> None:
    with SyslogListener("udp") as udp:
        receiver.plan = [401]
        alerts = A.Alerts([fast_webhook(receiver.url), A.Syslog(udp.url)], deployment="t")
        answers = dict(alerts.send_test(Who()))
        assert answers["webhook"].ok is False and answers["webhook"].detail == "HTTP 401"
        assert answers["syslog"].ok is True and answers["syslog"].detail == "sent"
        assert len(receiver.requests) == 1  # no retries for a test
        [line] = udp.wait_for(1)
        assert parse_syslog(line)["msgid"] == "alert.test"
        alerts.close(1)


# ------------------------------------------------------------------ syslog


def sample_event(kind: str = A.FRAUD_CONFIRMED) -> A.Event:
    return A.make_event(
        kind,
        {
            "report_id": 12,
            "sender": 'odd"name]\\@fraud.example',
            "finding_ids": ["REPLYTO_FREEMAIL", "BEC_BANK_DETAILS_CHANGED"],
            "accounts": ["DE89 **** 3000"],
            "contact": {"email": "pat@acme.example"},
            "organization": "Société Générale ☃",
        },
        deployment="caveat.example.com",
        actor=Who(),
        now=NOW,
    )


def test_a_syslog_line_follows_rfc_5424() -> None:
    event = sample_event()
    line = A.syslog_line(event, hostname="node-1", procid=4242)
    parsed = parse_syslog(line)
    assert parsed["pri"] == str(4 * 8 + 2) and parsed["version"] == "1"
    assert parsed["timestamp"] == "2026-12-06T23:59:00.000Z"
    assert (parsed["hostname"], parsed["app"], parsed["procid"], parsed["msgid"]) == (
        "node-1", "caveat", "4242", "fraud.confirmed",
    )  # fmt: skip
    p = parsed["params"]
    assert p["id"] == [event.id] and p["type"] == ["fraud.confirmed"]
    assert p["finding_ids"] == ["REPLYTO_FREEMAIL", "BEC_BANK_DETAILS_CHANGED"]
    assert p["sender"] == ['odd"name]\\@fraud.example']  # escaped, and read back whole
    assert p["actor.subject"] == ["oid-sec"] and p["contact.email"] == ["pat@acme.example"]
    assert p["organization"] == ["Société Générale ☃"]
    assert parsed["json"] == event.as_json()
    assert parse_syslog(A.syslog_line(sample_event(A.POLICY_VIOLATION)))["pri"] == "36"


def test_udp_syslog_receives_parseable_lines_and_long_ones_fit_a_datagram() -> None:
    with SyslogListener("udp") as udp:
        alerts = A.Alerts([A.Syslog(udp.url)], deployment="t")
        alerts.emit(A.VERIFICATION_DENIED, {"verification_id": 3, "organization": "Acme"})
        big = {
            "indicators": [{"kind": "address", "value": f"a{n}@fraud.example"} for n in range(60)]
        }
        alerts.emit(A.FRAUD_CONFIRMED, big)
        assert alerts.flush(5)
        first, second = udp.wait_for(2)
        assert parse_syslog(first)["json"]["data"]["verification_id"] == 3
        assert len(second) <= A.UDP_MAX or "json" not in parse_syslog(second)
        p = parse_syslog(second)["params"]
        assert len(p["indicators.value"]) == 60  # the structured data keeps every field
        alerts.close(1)


def test_tcp_syslog_uses_octet_counting_and_reconnects() -> None:
    with SyslogListener("tcp") as tcp:
        tcp.close_after = 2
        alerts = A.Alerts([A.Syslog(tcp.url)], deployment="t")
        for n in range(2):
            alerts.emit(A.FRAUD_CONFIRMED, {"report_id": n, "note": "line\nbreak"})
        assert alerts.flush(5)
        lines = tcp.wait_for(2)
        assert [parse_syslog(x)["json"]["data"]["report_id"] for x in lines] == [0, 1]
        time.sleep(0.3)  # the listener has closed that connection
        alerts.emit(A.FRAUD_CONFIRMED, {"report_id": 2})
        alerts.emit(A.FRAUD_CONFIRMED, {"report_id": 3})
        assert alerts.flush(5)
        lines = tcp.wait_for(4)
        got = sorted(parse_syslog(x)["json"]["data"]["report_id"] for x in lines)
        assert got == [0, 1, 2, 3]  # none lost to the closed connection
        assert tcp.connections == 2
        alerts.close(1)


def test_a_syslog_listener_that_is_down_makes_the_event_dead() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dead, on_dead = dead_recorder()
    alerts = A.Alerts([A.Syslog(f"tcp://127.0.0.1:{port}")], deployment="t", on_dead=on_dead)
    alerts.emit(A.FRAUD_CONFIRMED, {"report_id": 1})
    assert alerts.flush(5)
    assert dead == [("fraud.confirmed", "syslog")]
    alerts.close(1)


# ------------------------------------------------------------------ what events carry


def test_a_policy_violation_event_carries_no_text_of_the_message() -> None:
    facts = from_payload(
        {
            "headers": "From: Pat <pat@acme.example>\r\nReply-To: pat.acme@freemail.example\r\n"
            "To: ap@ours.example\r\nSubject: SECRET-SUBJECT-42\r\n"
            "Message-ID: <m1@acme.example>\r\n",
            "from": {"name": "Pat", "address": "pat@acme.example"},
            "subject": "SECRET-SUBJECT-42",
            "body": "SECRET-BODY-43 please pay DE89 3704 0044 0532 0130 00",
        }
    )
    verdict = Verdict(
        "danger",
        9.0,
        None,
        (
            Finding("POLICY_AUTH_REQUIRED", "policy_violation", "danger", "t", "e",
                    (Evidence("Request", "SECRET-BODY-43 please pay"),)),
            Finding("BEC_BANK_DETAILS_CHANGED", "bank_details_change", "danger", "t", "e",
                    (Evidence("Account", "DE89 **** 3000: not on file (in SECRET-NAME.pdf)",
                              ref="ab" * 32),
                     Evidence("Account", "sort code 12-34-56, account ****6819: on file",
                              ref="cd" * 32),
                     Evidence("Account", "SECRET-NO-MASK", ref="ef" * 32),
                     Evidence("Request", "SECRET-BODY-43"))),
        ),
    )  # fmt: skip
    data = A.policy_violation(facts, verdict, "Acme Supplies")
    assert data == {
        "message_id": "m1@acme.example",
        "from": "pat@acme.example",
        "reply_to": ["pat.acme@freemail.example"],
        "organization": "Acme Supplies",
        "level": "danger",
        "policy_findings": ["POLICY_AUTH_REQUIRED"],
        "finding_ids": ["POLICY_AUTH_REQUIRED", "BEC_BANK_DETAILS_CHANGED"],
        "accounts": ["DE89 **** 3000", "sort code 12-34-56, account ****6819"],
    }
    text = json.dumps(data)
    assert "SECRET" not in text and "3704" not in text
    # not at danger, or no broken policy: no event
    assert A.policy_violation(facts, Verdict("caution", 3, None, verdict.findings), None) is None
    assert A.policy_violation(facts, Verdict("danger", 9, None, verdict.findings[1:]), None) is None


def test_repeats_of_the_same_message_are_alerted_once_a_day() -> None:
    alerts = A.Alerts([], deployment="t")
    assert alerts.first_time("k", now=0)
    assert not alerts.first_time("k", now=10)
    assert alerts.first_time("other", now=10)
    assert alerts.first_time("k", now=A.REPEAT_SECONDS + 1)


def test_no_destination_sends_nothing_and_costs_nothing() -> None:
    alerts = A.from_settings({"ALERT_WEBHOOK_URL": None, "ALERT_SYSLOG": None})
    assert not alerts.configured
    threads = set(threading.enumerate())
    assert alerts.emit(A.FRAUD_CONFIRMED, {"report_id": 1}) is None
    assert set(threading.enumerate()) <= threads  # nothing started


def test_unknown_event_types_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown event"):
        A.make_event("fraud.maybe", {}, deployment="t")


# ------------------------------------------------------------------ settings


@pytest.mark.parametrize(
    ("settings", "says"),
    [
        ({"ALERT_WEBHOOK_URL": "http://siem.example.com/x", "ALERT_WEBHOOK_SECRET": SECRET},
         "https URL"),
        ({"ALERT_WEBHOOK_URL": "ftp://siem.example.com/x", "ALERT_WEBHOOK_SECRET": SECRET},
         "https URL"),
        ({"ALERT_WEBHOOK_URL": "https://u:p@siem.example.com/x", "ALERT_WEBHOOK_SECRET": SECRET},
         "user name or password"),
        ({"ALERT_WEBHOOK_URL": "https://siem.example.com/x"}, "needs ALERT_WEBHOOK_SECRET"),
        ({"ALERT_WEBHOOK_URL": "https://siem.example.com/x", "ALERT_WEBHOOK_SECRET": "short"},
         "at least 16"),
        ({"ALERT_SYSLOG": "syslog.example.com:514"}, "udp://host:port"),
        ({"ALERT_SYSLOG": "udp://syslog.example.com:99999"}, "udp://host:port"),
        ({"ALERT_SYSLOG": "http://syslog.example.com"}, "udp://host:port"),
    ],
)  # fmt: skip
def test_bad_destinations_stop_the_service_with_a_clear_message(
    caveat_env: Path, settings: dict[str, Any], says: str
) -> None:
    with pytest.raises(SettingsError, match=says) as info:
        load_settings(settings)
    assert SECRET not in str(info.value)


def test_good_destinations_load(caveat_env: Path) -> None:
    s = load_settings(
        {
            "ALERT_WEBHOOK_URL": "https://siem.example.com/hooks/caveat",
            "ALERT_WEBHOOK_SECRET": SECRET,
            "ALERT_SYSLOG": "tcp://syslog.example.com:601",
            "PUBLIC_URL": "https://caveat.example.com",
        }
    )
    alerts = A.from_settings(s)
    assert [d.name for d in alerts.destinations] == ["webhook", "syslog"]
    assert alerts.deployment == "caveat.example.com"
    assert load_settings({"ALERT_WEBHOOK_URL": "http://127.0.0.1:9/x",
                          "ALERT_WEBHOOK_SECRET": SECRET})["ALERT_WEBHOOK_URL"]  # fmt: skip
    assert A.from_settings({**s, "ALERT_DEPLOYMENT": "prod-eu"}).deployment == "prod-eu"
