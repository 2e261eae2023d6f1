"""The RATE_LIMIT_ settings: limits in the ``limits`` notation or off, and the counters' store."""

from __future__ import annotations

from pathlib import Path

import pytest

from caveat.service.settings import (
    RATE_LIMIT_OFF,
    SettingsError,
    environment,
    load_settings,
)


def load(tmp_path: Path, **env: str) -> dict[str, object]:
    environ = {"CAVEAT_INSTANCE_PATH": str(tmp_path), **{f"CAVEAT_{k}": v for k, v in env.items()}}
    return load_settings(environ=environ)


def test_defaults(tmp_path: Path) -> None:
    s = load(tmp_path)
    assert s["RATE_LIMIT_PER_KEY"] == "3000/minute;100/second"
    assert s["RATE_LIMIT_PER_ADDRESS"] == "6000/minute;200/second"
    assert s["RATE_LIMIT_AUTH_FAILURES"] == "60/minute"
    assert s["RATE_LIMIT_STORAGE_URI"] == "memory://"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("600/minute", "600/minute"),
        (" 600/minute ; 20/second ", "600/minute;20/second"),
        ("10 per minute, 5/second", "10 per minute;5/second"),
        ("1000/hour", "1000/hour"),
        ("off", RATE_LIMIT_OFF),
        ("OFF", RATE_LIMIT_OFF),
        ("none", RATE_LIMIT_OFF),
    ],
)
def test_limits_are_read(tmp_path: Path, text: str, expected: str) -> None:
    assert load(tmp_path, RATE_LIMIT_PER_KEY=text)["RATE_LIMIT_PER_KEY"] == expected


@pytest.mark.parametrize("text", ["", "many", "0/minute", "600", "600/fortnight", "-1/second"])
def test_a_bad_limit_stops_the_start_naming_the_setting(tmp_path: Path, text: str) -> None:
    with pytest.raises(SettingsError, match="CAVEAT_RATE_LIMIT_PER_ADDRESS"):
        load(tmp_path, RATE_LIMIT_PER_ADDRESS=text)


@pytest.mark.parametrize(
    "uri",
    [
        "memory://",
        "redis://cache.internal:6379/2",
        "rediss://:pw@cache:6380",
        "memcached://m:11211",
    ],
)
def test_storage_uris_the_limits_package_knows(tmp_path: Path, uri: str) -> None:
    assert load(tmp_path, RATE_LIMIT_STORAGE_URI=uri)["RATE_LIMIT_STORAGE_URI"] == uri


@pytest.mark.parametrize(
    "uri",
    [
        "http://cache:6379",
        "cache:6379",
        "async+redis://cache:6379",
        "postgresql://x:secret@db/caveat",
    ],
)
def test_a_bad_storage_uri_is_refused_without_echoing_it(tmp_path: Path, uri: str) -> None:
    with pytest.raises(SettingsError, match="CAVEAT_RATE_LIMIT_STORAGE_URI") as info:
        load(tmp_path, RATE_LIMIT_STORAGE_URI=uri)
    assert "secret" not in str(info.value)
    assert "cache" not in str(info.value) and "db/caveat" not in str(info.value)


def test_off_and_limits_survive_the_trip_to_gunicorn_workers(tmp_path: Path) -> None:
    s = load(tmp_path, RATE_LIMIT_PER_KEY="off", RATE_LIMIT_PER_ADDRESS="50/second")
    again = load_settings(environ=environment(s))
    assert again["RATE_LIMIT_PER_KEY"] == RATE_LIMIT_OFF
    assert again["RATE_LIMIT_PER_ADDRESS"] == "50/second"
