"""Structured logs: JSON lines, each with the request id of the request it was written for,
and never a word of the message, its subject, names or addresses, a query string or a key."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from gunicorn.config import Config

from caveat.storage.store import StorageError
from caveat.web.app import create_app
from caveat.web.logs import APP_LOGGER, GunicornLogger, JsonFormatter

# Distinctive strings in every part of a message a client may send.
SUBJECT = "Quarterly Zanzibar Walrus invoice"
NAME = "Ottoline Fitzgerald-Quimby"
LOCAL = "ottoline.quimby"
DOMAIN = "mauve-heron.example"
BODY = "Please wire the Pangolin balance to IBAN DE89370400440532013000"
REPLY_NAME = "Barnaby Thistlewood"
REPLY_ADDRESS = "barnaby.thistle@freemail-kestrel.example"
MESSAGE_ID = "marzipan-4471@mauve-heron.example"
QUERY = "Gooseberry"
SECRETS = (
    SUBJECT,
    "Zanzibar",
    NAME,
    "Quimby",
    LOCAL,
    DOMAIN,
    "mauve-heron",
    BODY,
    "Pangolin",
    "DE89",
    REPLY_NAME,
    "Thistlewood",
    REPLY_ADDRESS,
    "kestrel",
    "marzipan",
    QUERY,
)

HEADERS = (
    f"From: {NAME} <{LOCAL}@{DOMAIN}>\r\n"
    f"Reply-To: {REPLY_NAME} <{REPLY_ADDRESS}>\r\n"
    "To: ap@ours.example\r\n"
    f"Subject: RE: {SUBJECT}\r\n"
    f"Message-ID: <{MESSAGE_ID}>\r\n"
)
PAYLOAD = {
    "headers": HEADERS,
    "from": {"name": NAME, "address": f"{LOCAL}@{DOMAIN}"},
    "reply_to": [{"name": REPLY_NAME, "address": REPLY_ADDRESS}],
    "subject": f"RE: {SUBJECT}",
    "body": BODY,
    "internet_message_id": f"<{MESSAGE_ID}>",
}
RAW = HEADERS + "MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n" + BODY + "\r\n"


@pytest.fixture
def saved_loggers() -> Iterator[None]:
    """Put the logging set-up back as it was (the gunicorn logger rewires ``caveat``)."""
    names = [APP_LOGGER, "gunicorn.error", "gunicorn.access", ""]
    saved = {n: (list(logging.getLogger(n).handlers), logging.getLogger(n).level) for n in names}
    propagate = {n: logging.getLogger(n).propagate for n in names}
    yield
    for n, (handlers, level) in saved.items():
        logger = logging.getLogger(n)
        for h in list(logger.handlers):
            if h not in handlers:
                logger.removeHandler(h)
                h.close()
        for h in handlers:
            logger.addHandler(h)
        logger.setLevel(level)
        logger.propagate = propagate[n]


@pytest.fixture
def json_lines(saved_loggers: None) -> Iterator[io.StringIO]:
    """Every record of the process (root logger, DEBUG and up) as JSON lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    logging.getLogger(APP_LOGGER).setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)


def parsed(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_every_line_is_one_json_object_with_the_request_id(
    caveat_env: Path, json_lines: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
    client = app.test_client()

    def down() -> None:
        raise StorageError("database error on sqlite://: disk I/O error")

    monkeypatch.setattr(app.extensions["caveat"].store, "ping", down)
    json_lines.truncate(0)
    json_lines.seek(0)
    rv = client.get("/healthz", headers={"X-Request-Id": "probe-42"})
    assert rv.status_code == 503
    lines = parsed(json_lines)
    assert lines, "the outage is logged"
    for line in lines:
        assert {"time", "level", "logger", "message", "process"} <= set(line)
        assert line["request_id"] == "probe-42"
        assert line["time"].endswith("Z")
    assert any(
        line["logger"] == "caveat.web.api.errors" and line["level"] == "ERROR" for line in lines
    )


def test_lines_outside_a_request_have_no_request_id(json_lines: io.StringIO) -> None:
    logging.getLogger("caveat.test").warning("set-up: %s", "something")
    (line,) = parsed(json_lines)
    assert line["message"] == "set-up: something"
    assert line["level"] == "WARNING"
    assert "request_id" not in line


def test_exceptions_are_logged_as_frames_and_types_only(json_lines: io.StringIO) -> None:
    try:
        raise ValueError(BODY)
    except ValueError:
        logging.getLogger("caveat.test").exception("failed")
    (line,) = parsed(json_lines)
    assert "Pangolin" not in json.dumps(line)
    assert "builtins.ValueError: (message withheld)" in line["exc_info"]
    assert "test_exceptions_are_logged_as_frames_and_types_only" in line["exc_info"]


def test_no_log_line_carries_message_content(
    caveat_env: Path, json_lines: io.StringIO, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A message with distinctive strings everywhere goes through every path that logs:
    verdicts with findings, raw messages, bad input, a storage outage, a defect, and the
    access log line; none of the strings is in any log line."""
    app = create_app(
        {
            "TESTING": True,
            "PROPAGATE_EXCEPTIONS": False,
            "DATABASE_URL": "sqlite://",
            "INTERNAL_DOMAINS": ["ours.example"],
        }
    )
    _, key = app.extensions["caveat"].store.create_key("t")
    auth = {"Authorization": f"Bearer {key}"}
    client = app.test_client()
    json_lines.truncate(0)  # from here on, every line is written for a request
    json_lines.seek(0)
    answers = [
        client.post(f"/api/v1/analyze?note={QUERY}", json=PAYLOAD, headers=auth),
        client.post("/api/v1/analyze", json={"raw": RAW}, headers=auth),
        client.post("/api/v1/analyze", json={**PAYLOAD, "subject": 5}, headers=auth),
        client.post("/api/v1/analyze", json={**PAYLOAD, "mystery": BODY}, headers=auth),
        client.post(
            "/api/v1/recipients",
            json={"from": PAYLOAD["from"], "to": [PAYLOAD["reply_to"][0]], "subject": SUBJECT},
            headers=auth,
        ),
        client.get(f"/api/v1/senders/contact?address={LOCAL}@{DOMAIN}&name={QUERY}", headers=auth),
        client.post(
            "/api/v1/reports",
            json={"from": PAYLOAD["from"], "internet_message_id": f"<{MESSAGE_ID}>"},
            headers=auth,
        ),
        client.get(f"/{QUERY}?{QUERY}=1"),
    ]
    assert answers[0].status_code == 200
    assert answers[0].get_json()["findings"], "a verdict with evidence quoting the message"

    def broken(facts: Any, ctx: Any) -> Any:
        raise ValueError(f"could not handle {facts.subject} from {facts.body}")

    monkeypatch.setattr(app.extensions["caveat"].engine, "analyze", broken)
    answers.append(client.post("/api/v1/analyze", json=PAYLOAD, headers=auth))
    assert answers[-1].status_code == 500

    def down(*args: Any) -> None:
        raise StorageError("database error on sqlite://: disk I/O error")

    monkeypatch.setattr(app.extensions["caveat"].store, "check_key", down)
    answers.append(client.post("/api/v1/analyze", json=PAYLOAD, headers=auth))
    assert answers[-1].status_code == 503

    # gunicorn's access line for the first request, as the worker would write it
    access = tmp_path / "access.log"
    logger = GunicornLogger(_gunicorn_config(access, tmp_path / "error.log"))
    logger.access(
        _Response(answers[0]),
        None,
        {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/api/v1/analyze",
            "QUERY_STRING": f"note={QUERY}",
            "RAW_URI": f"/api/v1/analyze?note={QUERY}",
            "HTTP_AUTHORIZATION": f"Bearer {key}",
            "REMOTE_ADDR": "192.0.2.7",
            "SERVER_PROTOCOL": "HTTP/1.1",
        },
        timedelta(milliseconds=12),
    )

    text = json_lines.getvalue() + access.read_text("utf-8")
    assert len(parsed(json_lines)) >= 2  # the defect and the outage
    for secret in (*SECRETS, key, key[:12]):
        assert secret.lower() not in text.lower(), secret
    ids = {rv.headers["X-Request-Id"] for rv in answers}
    for line in parsed(json_lines):
        assert line.get("request_id") in ids
    (access_line,) = [json.loads(line) for line in access.read_text("utf-8").splitlines()]
    assert access_line["request_id"] == answers[0].headers["X-Request-Id"]


def test_the_unhandled_error_log_names_its_request(
    caveat_env: Path, json_lines: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app({"TESTING": True, "PROPAGATE_EXCEPTIONS": False, "DATABASE_URL": "sqlite://"})
    monkeypatch.setattr(app, "view_functions", {**app.view_functions, "healthz": _boom})
    rv = app.test_client().get("/healthz", headers={"X-Request-Id": "req-500"})
    assert rv.status_code == 500
    assert rv.headers["X-Request-Id"] == "req-500"
    (line,) = [x for x in parsed(json_lines) if x["level"] == "ERROR"]
    assert line["request_id"] == "req-500"
    assert line["message"].startswith("unhandled RuntimeError on GET /healthz")


def _boom() -> Any:
    raise RuntimeError("secret detail")


# ----------------------------------------------------------------- gunicorn


def _gunicorn_config(access: Path, error: Path) -> Config:
    cfg = Config()
    cfg.set("accesslog", str(access))
    cfg.set("errorlog", str(error))
    cfg.set("logger_class", "caveat.web.logs.GunicornLogger")
    return cfg


class _Response:
    """What gunicorn's workers hand the logger: a status, the headers, the bytes sent."""

    def __init__(self, answer: Any = None, status: str = "200 OK") -> None:
        self.status = f"{answer.status_code} X" if answer is not None else status
        self.headers = list(answer.headers.items()) if answer is not None else []
        self.sent = 321


def test_gunicorn_access_lines_are_json_fields_without_query_or_headers(
    saved_loggers: None, tmp_path: Path
) -> None:
    access, error = tmp_path / "access.log", tmp_path / "error.log"
    logger = GunicornLogger(_gunicorn_config(access, error))
    response = _Response()
    response.headers = [("Content-Type", "application/json"), ("X-Request-Id", "abc.123")]
    logger.access(
        response,
        None,
        {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": "/api/v1/senders/contact",
            "QUERY_STRING": f"address={LOCAL}%40{DOMAIN}",
            "HTTP_AUTHORIZATION": "Bearer cav_SECRETKEY",
            "HTTP_USER_AGENT": "Outlook",
            "HTTP_REFERER": f"https://{DOMAIN}/",
            "REMOTE_ADDR": "192.0.2.7",
            "SERVER_PROTOCOL": "HTTP/1.1",
        },
        timedelta(seconds=1, microseconds=2500),
    )
    text = access.read_text("utf-8")
    (line,) = [json.loads(x) for x in text.splitlines()]
    assert line["logger"] == "gunicorn.access"
    assert line["message"] == "GET /api/v1/senders/contact 200"
    assert (line["method"], line["path"], line["status"], line["bytes"]) == (
        "GET",
        "/api/v1/senders/contact",
        200,
        321,
    )
    assert line["duration_ms"] == 1002.5
    assert line["remote_addr"] == "192.0.2.7"
    assert line["request_id"] == "abc.123"
    for absent in ("SECRETKEY", LOCAL, DOMAIN, "Outlook", "address="):
        assert absent not in text


def test_gunicorn_error_log_and_the_application_log_are_json(
    saved_loggers: None, tmp_path: Path
) -> None:
    access, error = tmp_path / "access.log", tmp_path / "error.log"
    logger = GunicornLogger(_gunicorn_config(access, error))
    logger.info("Booting worker with pid: %s", 1234)
    logging.getLogger("caveat.web.app").warning("set-up: %s", "no internal domain")
    logging.getLogger("caveat.web.app").info("an info line")
    lines = [json.loads(x) for x in error.read_text("utf-8").splitlines()]
    assert [(x["logger"], x["level"], x["message"]) for x in lines] == [
        ("gunicorn.error", "INFO", "Booting worker with pid: 1234"),
        ("caveat.web.app", "WARNING", "set-up: no internal domain"),
        ("caveat.web.app", "INFO", "an info line"),
    ]
    # set up again (a configuration reload): still one copy of each line
    logger.setup(logger.cfg)
    logging.getLogger("caveat.web.app").warning("after reload")
    again = [json.loads(x) for x in error.read_text("utf-8").splitlines()]
    assert [x["message"] for x in again].count("after reload") == 1


def test_a_response_without_a_request_id_logs_none(saved_loggers: None, tmp_path: Path) -> None:
    """The front's own answers (a body too slow or too large) never reach the application."""
    access = tmp_path / "access.log"
    logger = GunicornLogger(_gunicorn_config(access, tmp_path / "error.log"))
    response = _Response(status="408 Request Timeout")
    response.headers = [(b"x-request-id", b"not allowed!")]
    logger.access(response, None, {"REQUEST_METHOD": "POST"}, timedelta(seconds=10))
    (line,) = [json.loads(x) for x in access.read_text("utf-8").splitlines()]
    assert line["status"] == 408
    assert line["request_id"] is None


def test_flask_sees_the_app_logger_under_caveat(app: Flask) -> None:
    assert app.logger.name.startswith(APP_LOGGER + ".")


def test_an_outage_is_logged_once_in_a_while_not_once_a_request(
    caveat_env: Path, json_lines: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    from caveat.web.api import errors

    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
    client = app.test_client()

    def down() -> None:
        raise StorageError("database error on sqlite://: disk I/O error")

    monkeypatch.setattr(app.extensions["caveat"].store, "ping", down)
    now = [1000.0]
    monkeypatch.setattr(errors, "_monotonic", lambda: now[0])
    json_lines.truncate(0)
    json_lines.seek(0)
    for _ in range(50):
        assert client.get("/healthz").status_code == 503
    outage = [x for x in parsed(json_lines) if "storage unavailable" in x["message"]]
    assert len(outage) == 1
    now[0] += errors.STORAGE_LOG_SECONDS
    assert client.get("/healthz").status_code == 503
    outage = [x for x in parsed(json_lines) if "storage unavailable" in x["message"]]
    assert len(outage) == 2
    assert "and 49 more 503s" in outage[1]["message"]
