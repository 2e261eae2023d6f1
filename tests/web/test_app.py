"""create_app: everything built once at start-up, the failures that must stop it, and the
handling of defects (a JSON 500 that gives nothing away and logs no request content)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import inspect

from caveat.engine.catalogue import CatalogueError
from caveat.engine.engine import Engine
from caveat.service.settings import SettingsError
from caveat.storage.store import StorageError, Store
from caveat.web.api.services import Services
from caveat.web.app import create_app, redacted_traceback

from .conftest import SMALL_PAYLOAD

SECRET = "Please pay to IBAN DE89370400440532013000 today"


def test_services_are_built_once_at_start_up(app: Flask) -> None:
    services = app.extensions["caveat"]
    assert isinstance(services, Services)
    assert isinstance(services.engine, Engine)
    assert isinstance(services.store, Store)
    assert app.config["MAX_CONTENT_LENGTH"] == app.config["MAX_REQUEST_BYTES"]


def test_the_default_database_is_created_and_migrated_in_the_instance_folder(
    caveat_env: Path,
) -> None:
    app = create_app({"TESTING": True})
    assert (caveat_env / "caveat.db").is_file()
    store: Store = app.extensions["caveat"].store
    assert "api_keys" in inspect(store.engine).get_table_names()
    store.dispose()


def test_settings_come_from_the_environment(
    caveat_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAVEAT_INTERNAL_DOMAINS", "example.com")
    monkeypatch.setenv("CAVEAT_DATABASE_URL", "sqlite://")
    app = create_app()
    assert app.extensions["caveat"].config.internal_domains == frozenset({"example.com"})


def test_an_invalid_catalogue_stops_the_app(caveat_env: Path) -> None:
    caveat_env.mkdir()
    (caveat_env / "bad.toml").write_text("version = 2\n", "utf-8")
    with pytest.raises(CatalogueError):
        create_app({"DATABASE_URL": "sqlite://", "CATALOGUE_PATH": "bad.toml"})


def test_bad_settings_stop_the_app(caveat_env: Path) -> None:
    with pytest.raises(SettingsError, match="MAX_RECIPIENTS"):
        create_app({"DATABASE_URL": "sqlite://", "MAX_RECIPIENTS": -1})


def test_an_unusable_database_stops_the_app(caveat_env: Path) -> None:
    with pytest.raises(StorageError):
        create_app({"DATABASE_URL": "mysql://db.example/caveat"})


def test_a_defect_is_a_bare_json_500_and_logs_no_request_content(
    caveat_env: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app({"TESTING": True, "PROPAGATE_EXCEPTIONS": False, "DATABASE_URL": "sqlite://"})
    _, key = app.extensions["caveat"].store.create_key("t")

    def broken(facts: Any, ctx: Any) -> Any:
        try:
            raise KeyError(facts.body)
        except KeyError as exc:
            raise ValueError(f"could not handle {facts.body!r}") from exc

    monkeypatch.setattr(app.extensions["caveat"].engine, "analyze", broken)
    with caplog.at_level(logging.DEBUG):
        rv = app.test_client().post(
            "/api/v1/analyze",
            json={**SMALL_PAYLOAD, "body": SECRET},
            headers={"Authorization": f"Bearer {key}"},
        )
    assert rv.status_code == 500
    assert rv.get_json() == {
        "error": {"code": "internal_error", "message": "the service could not handle this request"}
    }
    assert "DE89" not in caplog.text
    assert "unhandled ValueError on POST /api/v1/analyze" in caplog.text
    assert "KeyError" in caplog.text and "message withheld" in caplog.text
    assert "broken" in caplog.text  # the frames are there to find the defect


def test_nothing_of_a_request_is_logged_on_the_happy_path(
    client: FlaskClient, auth: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        client.post("/api/v1/analyze", json={**SMALL_PAYLOAD, "body": SECRET}, headers=auth)
        client.post("/api/v1/analyze", json={"headers": 5, "body": SECRET}, headers=auth)
    assert "DE89" not in caplog.text


def test_healthz_is_503_when_the_database_does_not_answer(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down() -> None:
        raise StorageError("database error on sqlite://: disk I/O error")

    monkeypatch.setattr(app.extensions["caveat"].store, "ping", down)
    rv = client.get("/healthz")
    assert rv.status_code == 503
    assert rv.get_json()["error"]["code"] == "service_unavailable"


def test_a_database_outage_during_authentication_is_503(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(key: str) -> None:
        raise StorageError("database error")

    monkeypatch.setattr(app.extensions["caveat"].store, "check_key", down)
    rv = client.get("/api/v1/checks", headers={"Authorization": "Bearer cav_x"})
    assert rv.status_code == 503


def test_security_headers_on_every_answer(client: FlaskClient, auth: dict[str, str]) -> None:
    for rv in (
        client.get("/healthz"),
        client.get("/api/v1/checks", headers=auth),
        client.get("/api/v1/openapi.json"),
        client.get("/nowhere"),
        client.post("/api/v1/analyze"),
    ):
        assert rv.headers["X-Content-Type-Options"] == "nosniff"
        assert rv.headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_redacted_traceback_keeps_frames_and_types_only() -> None:
    try:
        try:
            raise OSError(SECRET)
        except OSError:
            raise RuntimeError(SECRET) from None
    except RuntimeError as exc:
        text = redacted_traceback(exc)
    assert "DE89" not in text
    assert "builtins.RuntimeError: (message withheld)" in text
    assert "OSError" not in text  # suppressed context stays suppressed
    assert "test_redacted_traceback_keeps_frames_and_types_only" in text
