"""A deployment that does not know its own mail domains says so: at start, in /healthz, in
every analysis answer (which the pane shows) and on the home page; configured, it is quiet."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from caveat.knowledge.context import EngineConfig
from caveat.service.notices import setup_notices
from caveat.web.app import create_app

from .conftest import SMALL_PAYLOAD


def _client_and_key(**settings: object):  # type: ignore[no-untyped-def]
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://", **settings})
    _, key = app.extensions["caveat"].store.create_key("tests")
    return app, app.test_client(), {"Authorization": f"Bearer {key}"}


def test_without_internal_domains_every_answer_says_what_it_costs(
    caveat_env: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        _, client, auth = _client_and_key()
    assert "No internal domain is configured" in caplog.text

    health = client.get("/healthz").get_json()
    assert [n["code"] for n in health["notices"]] == ["no_internal_domains"]
    message = health["notices"][0]["message"]
    assert "failed SPF, DKIM and DMARC go unreported" in message
    assert "first contact" in message
    assert "caveat configure --internal-domain" in message

    answer = client.post("/api/v1/analyze", headers=auth, json=SMALL_PAYLOAD).get_json()
    assert answer["notices"] == health["notices"]
    assert all(f["id"] != "no_internal_domains" for f in answer["findings"])


def test_configured_the_service_is_quiet(
    caveat_env: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        _, client, auth = _client_and_key(INTERNAL_DOMAINS=["example.org"])
    assert "internal domain" not in caplog.text
    assert client.get("/healthz").get_json()["notices"] == []
    answer = client.post("/api/v1/analyze", headers=auth, json=SMALL_PAYLOAD).get_json()
    assert answer["notices"] == []


def test_trusted_authserv_ids_alone_still_leave_colleagues_unknown() -> None:
    (notice,) = setup_notices(EngineConfig.build(trusted_authserv_ids=["mx.example.org"]))
    assert notice.code == "no_internal_domains"
    assert "SPF" not in notice.message  # those results are trusted
    assert "first contact" in notice.message
    assert setup_notices(EngineConfig.build(internal_domains=["example.org"])) == ()


def test_the_notice_speaks_the_readers_language() -> None:
    (notice,) = setup_notices(EngineConfig.build())
    english = notice.to_dict()
    assert english["message"] == notice.message
    for lang in ("de", "ja", "ar"):
        worded = notice.to_dict(lang)
        assert worded["code"] == english["code"] == "no_internal_domains"
        assert worded["message"] != english["message"]
        assert "caveat configure --internal-domain example.com" in worded["message"]
