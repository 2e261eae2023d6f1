"""caveat alerts test: one signed test event to each configured destination, and what each
answered; clear messages when none is configured or one is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from caveat.cli import main
from caveat.service.alerts import verify_signature
from tests.service.alert_receivers import SyslogListener, WebhookReceiver, parse_syslog

SECRET = "cli-test-secret-0123456789"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_each_destination_gets_a_test_event(
    caveat_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with WebhookReceiver() as hook, SyslogListener("tcp") as syslog:
        monkeypatch.setenv("CAVEAT_ALERT_WEBHOOK_URL", hook.url)
        monkeypatch.setenv("CAVEAT_ALERT_WEBHOOK_SECRET", SECRET)
        monkeypatch.setenv("CAVEAT_ALERT_SYSLOG", syslog.url)
        code, out, _ = run(["alerts", "test"], capsys)
        assert code == 0, out
        port = hook.url.split(":")[2].split("/")[0]
        assert f"webhook http://127.0.0.1:{port}: ok (HTTP 204)" in out
        assert "/hooks/caveat" not in out  # a webhook's path may hold a token
        assert f"syslog {syslog.url}: ok (sent)" in out
        [request] = hook.requests
        assert verify_signature(SECRET, request.body, request.headers["Caveat-Signature"])
        doc = request.json()
        assert doc["type"] == "alert.test" and doc["actor"]["subject"].startswith("cli:")
        [line] = syslog.wait_for(1)
        assert parse_syslog(line)["msgid"] == "alert.test"

        hook.plan = [401]
        code, out, _ = run(["alerts", "test"], capsys)
        assert code == 1 and "webhook" in out and "FAILED (HTTP 401)" in out
        assert len(hook.requests) == 2  # no retries for a test


def test_nothing_configured_or_a_bad_setting(
    caveat_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["alerts", "test"], capsys)
    assert code == 2 and "no destination is configured" in err
    monkeypatch.setenv("CAVEAT_ALERT_SYSLOG", "syslog.example.com")
    code, _, err = run(["alerts", "test"], capsys)
    assert code == 2 and "CAVEAT_ALERT_SYSLOG" in err and "udp://host:port" in err
