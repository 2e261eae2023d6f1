"""``caveat manifest`` with sign-in configured: the app registration, and no key."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from caveat.cli import main
from caveat.clients.outlook_manifest import NS_VO_1_1, check_manifest

BASE = "https://caveat.example.com"
CLIENT_ID = "0c8f5e52-3b7d-4a61-8e2f-9d4c1b0a7e36"


@pytest.fixture
def db(tmp_path: Path, caveat_env: Path) -> str:
    return f"sqlite:///{tmp_path / 'manifest.db'}"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["manifest", *args])
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_with_a_client_id_the_manifest_signs_people_in_and_holds_no_key(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAVEAT_IDENTITY_CLIENT_ID", CLIENT_ID)
    out = tmp_path / "manifest.xml"
    code, _, err = run(["--base-url", BASE, "--db", db, "--out", str(out)], capsys)
    assert code == 0, err
    xml = out.read_bytes()
    assert check_manifest(xml) == []
    assert b"key=" not in xml and b"local demo only" not in xml
    root = ET.fromstring(xml)  # noqa: S314 (our own output)
    resource = root.findtext(f".//{{{NS_VO_1_1}}}WebApplicationInfo/{{{NS_VO_1_1}}}Resource")
    assert resource == f"api://caveat.example.com/{CLIENT_ID}"
    assert f"signing people in as {CLIENT_ID}" in err

    code, _, err = run(
        ["--base-url", BASE, "--db", db, "--out", str(out), "--resource", f"api://{CLIENT_ID}"],
        capsys,
    )
    assert code == 0, err
    assert f"<Resource>api://{CLIENT_ID}</Resource>".encode() in out.read_bytes()


@pytest.mark.parametrize("extra", [["--new-key"], ["--key", "cav_something"]])
def test_with_sign_in_a_key_is_refused(
    db: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    extra: list[str],
) -> None:
    monkeypatch.setenv("CAVEAT_IDENTITY_CLIENT_ID", CLIENT_ID)
    out = tmp_path / "manifest.xml"
    code, _, err = run(["--base-url", BASE, "--db", db, "--out", str(out), *extra], capsys)
    assert code == 2
    assert "carries no key" in err
    assert not out.exists()


def test_a_client_id_that_is_not_a_guid_is_named(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAVEAT_IDENTITY_CLIENT_ID", "caveat-outlook")
    code, _, err = run(["--base-url", BASE, "--db", db, "--out", str(tmp_path / "m.xml")], capsys)
    assert code == 2
    assert "IDENTITY_CLIENT_ID" in err and "GUID" in err


def test_without_sign_in_the_demo_manifest_says_so_and_resource_is_refused(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "manifest.xml"
    code, _, err = run(["--base-url", BASE, "--db", db, "--out", str(out), "--new-key"], capsys)
    assert code == 0, err
    assert b"local demo only" in out.read_bytes()
    assert "local demo only" in err
    code, _, err = run(
        ["--base-url", BASE, "--db", db, "--new-key", "--resource", f"api://{CLIENT_ID}"], capsys
    )
    assert code == 2
    assert "--resource needs sign-in" in err
