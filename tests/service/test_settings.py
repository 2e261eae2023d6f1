"""Configuration: defaults < instance file < CAVEAT_ environment < explicit overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from caveat.knowledge.context import default_freemail
from caveat.mail.limits import Limits
from caveat.service.settings import (
    DEFAULTS,
    SettingsError,
    engine_config,
    environment,
    instance_path,
    load_settings,
)


def write_instance(folder: Path, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "caveat.toml").write_text(text, "utf-8")


def test_defaults_use_the_instance_folder_under_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    s = load_settings(environ={})
    assert s["INSTANCE_PATH"] == str(tmp_path / "instance")
    assert s["DATABASE_URL"] == f"sqlite:///{tmp_path / 'instance' / 'caveat.db'}"
    assert s["MAX_REQUEST_BYTES"] == 26 * 1024 * 1024
    assert s["INTERNAL_DOMAINS"] == []
    assert s["TRUST_MICROSOFT"] is False
    assert s["CATALOGUE_PATH"] is None
    limits = Limits()
    assert s["MAX_HEADER_BYTES"] == limits.max_header_bytes
    assert s["MAX_RECIPIENTS"] == limits.max_recipients
    assert s["MAX_BODY_BYTES"] == limits.max_body_bytes
    assert s["MAX_MESSAGE_BYTES"] == limits.max_message_bytes
    assert not (tmp_path / "instance").exists()  # loading settings creates nothing


def test_the_instance_folder_comes_from_the_environment(tmp_path: Path) -> None:
    s = load_settings(environ={"CAVEAT_INSTANCE_PATH": str(tmp_path / "elsewhere")})
    assert s["INSTANCE_PATH"] == str(tmp_path / "elsewhere")
    assert s["DATABASE_URL"].endswith("/elsewhere/caveat.db")
    assert instance_path({"INSTANCE_PATH": str(tmp_path / "o")}, {}) == tmp_path / "o"


def test_each_source_overrides_the_one_before(tmp_path: Path) -> None:
    write_instance(
        tmp_path,
        'internal_domains = ["file.example"]\n'
        "MAX_RECIPIENTS = 50\n"
        "TRUST_MICROSOFT = true\n"
        'DATABASE_URL = "sqlite:///from-file.db"\n',
    )
    env = {
        "CAVEAT_INSTANCE_PATH": str(tmp_path),
        "CAVEAT_MAX_RECIPIENTS": "60",
        "CAVEAT_DATABASE_URL": "sqlite:///from-env.db",
    }
    s = load_settings(environ=env)
    assert s["INTERNAL_DOMAINS"] == ["file.example"]  # file over default
    assert s["TRUST_MICROSOFT"] is True
    assert s["MAX_RECIPIENTS"] == 60  # environment over file
    assert s["DATABASE_URL"] == "sqlite:///from-env.db"
    s = load_settings({"MAX_RECIPIENTS": 70, "DATABASE_URL": "sqlite://"}, environ=env)
    assert s["MAX_RECIPIENTS"] == 70  # overrides over environment
    assert s["DATABASE_URL"] == "sqlite://"


def test_environment_lists_are_comma_separated(tmp_path: Path) -> None:
    env = {
        "CAVEAT_INSTANCE_PATH": str(tmp_path),
        "CAVEAT_INTERNAL_DOMAINS": " example.com, example.org ,,",
        "CAVEAT_TRUSTED_AUTHSERV_IDS": "mx.example.com",
        "CAVEAT_FREEMAIL_EXTRA": "",
    }
    s = load_settings(environ=env)
    assert s["INTERNAL_DOMAINS"] == ["example.com", "example.org"]
    assert s["TRUSTED_AUTHSERV_IDS"] == ["mx.example.com"]
    assert s["FREEMAIL_EXTRA"] == []


def test_instance_file_lists_may_be_strings_too(tmp_path: Path) -> None:
    write_instance(tmp_path, 'FREEMAIL_EXCLUDE = "a.example, b.example"\n')
    s = load_settings(environ={"CAVEAT_INSTANCE_PATH": str(tmp_path)})
    assert s["FREEMAIL_EXCLUDE"] == ["a.example", "b.example"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", True),
        ("true", True),
        ("YES", True),
        ("on", True),
        ("0", False),
        ("false", False),
        ("No", False),
        ("off", False),
        ("", False),
    ],
)
def test_booleans_from_the_environment(tmp_path: Path, text: str, expected: bool) -> None:
    env = {"CAVEAT_INSTANCE_PATH": str(tmp_path), "CAVEAT_TRUST_MICROSOFT": text}
    assert load_settings(environ=env)["TRUST_MICROSOFT"] is expected


@pytest.mark.parametrize(
    ("var", "value", "words"),
    [
        ("CAVEAT_TRUST_MICROSOFT", "maybe", "true or false"),
        ("CAVEAT_MAX_RECIPIENTS", "many", "positive integer"),
        ("CAVEAT_MAX_RECIPIENTS", "0", "positive integer"),
        ("CAVEAT_MAX_BODY_BYTES", "-5", "positive integer"),
        ("CAVEAT_INTERNAL_DOMAINS", "@example.com", "not a domain"),
        ("CAVEAT_INTERNAL_DOMAINS", "https://example.com", "not a domain"),
        ("CAVEAT_TRUSTED_AUTHSERV_IDS", "mx.example.com; dkim=pass", "not an authserv-id"),
        ("CAVEAT_DATABASE_URL", "  ", "must not be empty"),
        ("CAVEAT_ADDIN_ORIGINS", "moz-extension://x/path", "not an origin"),
        ("CAVEAT_ADDIN_ORIGINS", "moz-extension://*/", "not an origin"),
    ],
)
def test_a_bad_environment_value_names_the_variable(
    tmp_path: Path, var: str, value: str, words: str
) -> None:
    with pytest.raises(SettingsError) as err:
        load_settings(environ={"CAVEAT_INSTANCE_PATH": str(tmp_path), var: value})
    assert str(err.value).startswith(f"{var}: ")
    assert words in str(err.value)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("MAX_RECIPIENTS = true\n", "MAX_RECIPIENTS: must be a positive integer"),
        ("MAX_RECIPIENTS = 1.5\n", "MAX_RECIPIENTS: must be a positive integer"),
        ('TRUST_MICROSOFT = "perhaps"\n', "TRUST_MICROSOFT: must be true or false"),
        ("INTERNAL_DOMAINS = [1, 2]\n", "INTERNAL_DOMAINS: every item must be a string"),
        ("INTERNAL_DOMAINS = 3\n", "INTERNAL_DOMAINS: must be a list"),
        ("MAX_RECIPENTS = 5\n", "unknown setting 'MAX_RECIPENTS'"),
        ('INSTANCE_PATH = "/x"\n', "INSTANCE_PATH cannot be set inside the instance folder"),
        ("MAX_RECIPIENTS = \n", "not valid TOML"),
    ],
)
def test_a_bad_instance_file_names_the_file_and_the_setting(
    tmp_path: Path, text: str, words: str
) -> None:
    write_instance(tmp_path, text)
    with pytest.raises(SettingsError) as err:
        load_settings(environ={"CAVEAT_INSTANCE_PATH": str(tmp_path)})
    assert str(tmp_path / "caveat.toml") in str(err.value)
    assert words in str(err.value)


def test_unknown_overrides_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"unknown setting.*NOT_A_SETTING"):
        load_settings({"NOT_A_SETTING": 1}, environ={"CAVEAT_INSTANCE_PATH": str(tmp_path)})


def test_unknown_environment_variables_are_ignored(tmp_path: Path) -> None:
    env = {"CAVEAT_INSTANCE_PATH": str(tmp_path), "CAVEAT_SOMETHING_ELSE": "x"}
    assert load_settings(environ=env)["MAX_RECIPIENTS"] == DEFAULTS["MAX_RECIPIENTS"]


def test_catalogue_path_is_relative_to_the_instance_folder(tmp_path: Path) -> None:
    (tmp_path / "mine.toml").write_text("", "utf-8")
    env = {"CAVEAT_INSTANCE_PATH": str(tmp_path), "CAVEAT_CATALOGUE_PATH": "mine.toml"}
    assert load_settings(environ=env)["CATALOGUE_PATH"] == str(tmp_path / "mine.toml")
    env["CAVEAT_CATALOGUE_PATH"] = "missing.toml"
    with pytest.raises(SettingsError, match="CAVEAT_CATALOGUE_PATH: no catalogue file"):
        load_settings(environ=env)


def test_engine_config_carries_the_settings(tmp_path: Path) -> None:
    s = load_settings(
        {
            "INTERNAL_DOMAINS": ["Example.COM"],
            "TRUSTED_AUTHSERV_IDS": ["MX.Example.net"],
            "TRUST_MICROSOFT": True,
            "MAX_RECIPIENTS": 7,
            "MAX_HEADER_BYTES": 1000,
        },
        environ={"CAVEAT_INSTANCE_PATH": str(tmp_path)},
    )
    config = engine_config(s)
    assert config.internal_domains == frozenset({"example.com"})
    assert config.trusted_authserv_ids == frozenset({"mx.example.net"})
    assert config.trust_microsoft is True
    assert config.limits.max_recipients == 7
    assert config.limits.max_header_bytes == 1000
    assert config.freemail is default_freemail()  # the shared packaged list


def test_freemail_changes_build_a_list_of_their_own(tmp_path: Path) -> None:
    s = load_settings(
        {"FREEMAIL_EXTRA": ["mail.example"], "FREEMAIL_EXCLUDE": ["gmail.com"]},
        environ={"CAVEAT_INSTANCE_PATH": str(tmp_path)},
    )
    freemail = engine_config(s).freemail
    assert freemail is not default_freemail()
    assert "mail.example" in freemail
    assert "gmail.com" not in freemail
    assert "yahoo.com" in freemail


def test_environment_round_trips(tmp_path: Path) -> None:
    s = load_settings(
        {
            "INTERNAL_DOMAINS": ["a.example", "b.example"],
            "TRUST_MICROSOFT": True,
            "MAX_REQUEST_BYTES": 1234,
        },
        environ={"CAVEAT_INSTANCE_PATH": str(tmp_path)},
    )
    env = environment(s)
    assert env["CAVEAT_INSTANCE_PATH"] == str(tmp_path)
    assert env["CAVEAT_INTERNAL_DOMAINS"] == "a.example,b.example"
    assert "CAVEAT_CATALOGUE_PATH" not in env
    assert load_settings(environ=env) == s


def test_no_addin_origin_is_granted_by_default(tmp_path: Path) -> None:
    env = {"CAVEAT_INSTANCE_PATH": str(tmp_path)}
    assert load_settings(environ=env)["ADDIN_ORIGINS"] == []
    env["CAVEAT_ADDIN_ORIGINS"] = "https://addin.example.com, moz-extension://4e1a0c3b"
    assert load_settings(environ=env)["ADDIN_ORIGINS"] == [
        "https://addin.example.com",
        "moz-extension://4e1a0c3b",
    ]
    assert load_settings(environ=env)["TEST_ENDPOINTS"] is False
