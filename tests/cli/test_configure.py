"""``caveat configure``: the one command that writes a deployment's own domains and trusted
authserv-ids into the instance file, keeping everything else the file says."""

from __future__ import annotations

from pathlib import Path

import pytest

from caveat.cli import main
from caveat.service.settings import load_settings


def configure(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["configure", *args])
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_without_options_it_shows_what_is_missing(
    caveat_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = configure([], capsys)
    assert code == 0
    assert "INTERNAL_DOMAINS" in out and "(none)" in out and "[default]" in out
    assert "Not yet set up: No internal domain is configured" in out
    assert not (caveat_env / "caveat.toml").exists()


def test_it_writes_what_the_service_then_reads(
    caveat_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = configure(
        [
            "--internal-domain", "Example.COM",
            "--internal-domain", "example.org.",
            "--trust-authserv-id", "MX.example.com",
            "--trust-microsoft",
        ],
        capsys,
    )  # fmt: skip
    assert code == 0, out
    assert f"Wrote {caveat_env / 'caveat.toml'}" in out
    assert "Not yet set up" not in out
    assert "Restart the service" in out
    settings = load_settings()
    assert settings["INTERNAL_DOMAINS"] == ["example.com", "example.org"]
    assert settings["TRUSTED_AUTHSERV_IDS"] == ["mx.example.com"]
    assert settings["TRUST_MICROSOFT"] is True

    code, out, _ = configure([], capsys)
    assert "example.com, example.org" in out and str(caveat_env / "caveat.toml") in out


def test_it_keeps_the_rest_of_the_file_and_replaces_a_key_in_any_case(
    caveat_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    caveat_env.mkdir(parents=True)
    path = caveat_env / "caveat.toml"
    path.write_text(
        "# our proxy strips large messages anyway\n"
        "MAX_RECIPIENTS = 100\n"
        'internal_domains = ["old.example"]\n',
        "utf-8",
    )
    assert configure(["--internal-domain", "example.com"], capsys)[0] == 0
    text = path.read_text("utf-8")
    assert "# our proxy strips large messages anyway" in text
    assert "old.example" not in text and "internal_domains" not in text
    settings = load_settings()
    assert settings["MAX_RECIPIENTS"] == 100
    assert settings["INTERNAL_DOMAINS"] == ["example.com"]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--internal-domain", "ap@example.com"], "is not a domain name"),
        (["--internal-domain", "https://example.com/"], "is not a domain name"),
        (["--internal-domain", " "], "at least one domain"),
        (["--trust-authserv-id", "mx example"], "is not an authserv-id"),
        (["--public-url", "http://caveat.example.com"], "must be an https URL"),
    ],
)
def test_a_bad_value_is_refused_and_the_file_left_alone(
    caveat_env: Path, capsys: pytest.CaptureFixture[str], args: list[str], says: str
) -> None:
    caveat_env.mkdir(parents=True)
    path = caveat_env / "caveat.toml"
    path.write_text('INTERNAL_DOMAINS = ["example.org"]\n', "utf-8")
    code, _, err = configure(args, capsys)
    assert code == 2
    assert err.startswith("caveat configure: ") and says in err
    assert path.read_text("utf-8") == 'INTERNAL_DOMAINS = ["example.org"]\n'


def test_a_broken_instance_file_is_named_not_overwritten(
    caveat_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    caveat_env.mkdir(parents=True)
    path = caveat_env / "caveat.toml"
    path.write_text("INTERNAL_DOMAINS = [\n", "utf-8")
    code, _, err = configure(["--internal-domain", "example.com"], capsys)
    assert code == 2 and "not valid TOML" in err and str(path) in err
    assert path.read_text("utf-8") == "INTERNAL_DOMAINS = [\n"


def test_an_environment_variable_that_overrides_the_file_is_pointed_out(
    caveat_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAVEAT_INTERNAL_DOMAINS", "env.example")
    code, out, _ = configure(["--internal-domain", "example.com"], capsys)
    assert code == 0
    assert "CAVEAT_INTERNAL_DOMAINS in the environment override the file" in out
    assert "env.example" in out and "[CAVEAT_INTERNAL_DOMAINS]" in out
