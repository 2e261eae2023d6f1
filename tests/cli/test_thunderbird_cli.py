"""``caveat thunderbird-xpi``: generic and deployment builds, the key it accepts, and what
it refuses with a clear message and exit code 2."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from caveat.cli import main
from caveat.storage.store import Store

BASE = "https://caveat.example.com"


@pytest.fixture
def db(tmp_path: Path, caveat_env: Path) -> str:
    return f"sqlite:///{tmp_path / 'xpi.db'}"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["thunderbird-xpi", *args])
    return code, capsys.readouterr().err


def create_key(db: str, *, admin: bool = False) -> str:
    store = Store.from_url(db)
    try:
        store.upgrade()
        _, key = store.create_key("thunderbird-addin", admin=admin)
    finally:
        store.dispose()
    return key


def deployment(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as xpi:
        value: dict[str, str] = json.loads(xpi.read("thunderbird/deployment.json"))
    return value


def test_a_generic_xpi_is_written(
    tmp_path: Path, caveat_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "dist" / "caveat-thunderbird.xpi"
    code, err = run(["--out", str(out)], capsys)
    assert code == 0, err
    assert deployment(out) == {}
    assert "generic" in err


def test_a_deployment_xpi_carries_the_service_and_a_checked_key(
    tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    key = create_key(db)
    out = tmp_path / "tb.xpi"
    code, err = run(["--base-url", BASE, "--key", key, "--db", db, "--out", str(out)], capsys)
    assert code == 0, err
    assert deployment(out) == {"base_url": BASE, "api_key": key}
    assert key not in err


def test_the_key_may_come_from_the_environment(
    tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    key = create_key(db)
    monkeypatch.setenv("CAVEAT_ADDIN_KEY", key)
    out = tmp_path / "tb.xpi"
    code, err = run(["--base-url", BASE, "--db", db, "--out", str(out)], capsys)
    assert code == 0, err
    assert deployment(out)["api_key"] == key


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--base-url", "http://caveat.example.com"], "https"),
        (["--key", "abc"], "needs --base-url"),
        (["--base-url", BASE, "--key", ""], "--key is empty"),
        (["--base-url", BASE, "--key", "not-a-key"], "not an active API key"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(
    tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str], args: list[str], words: str
) -> None:
    create_key(db)
    out = tmp_path / "tb.xpi"
    code, err = run([*args, "--db", db, "--out", str(out)], capsys)
    assert code == 2
    assert err.startswith("caveat thunderbird-xpi: ")
    assert words in err
    assert not out.exists()


def test_an_admin_key_is_refused(
    tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    key = create_key(db, admin=True)
    out = tmp_path / "tb.xpi"
    code, err = run(["--base-url", BASE, "--key", key, "--db", db, "--out", str(out)], capsys)
    assert code == 2
    assert "admin key" in err
    assert not out.exists()


def test_an_out_path_that_is_a_folder_exits_2(
    tmp_path: Path, caveat_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = run(["--out", str(tmp_path)], capsys)
    assert code == 2
    assert "folder" in err


ISSUER = "https://login.microsoftonline.com/{tenantid}/v2.0"


@pytest.fixture
def sign_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAVEAT_IDENTITY_ISSUER", ISSUER)
    monkeypatch.setenv("CAVEAT_IDENTITY_CLIENT_ID", "5f1c0a52-6c1e-4c07-9f59-0d9e2b3c4a11")
    monkeypatch.setenv("CAVEAT_IDENTITY_TENANTS", "0c2ee1bb-5a18-4d2b-8f4a-0b4d8f0e6a11")


def test_with_sign_in_the_xpi_has_no_key_asks_for_the_provider_and_names_the_redirect_uri(
    tmp_path: Path, db: str, sign_in: None, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "tb.xpi"
    code, err = run(["--base-url", BASE, "--db", db, "--out", str(out)], capsys)
    assert code == 0, err
    assert deployment(out) == {"base_url": BASE}
    with zipfile.ZipFile(out) as xpi:
        manifest = json.loads(xpi.read("manifest.json"))
    assert manifest["host_permissions"] == [
        "https://caveat.example.com/*",
        "https://login.microsoftonline.com/*",
    ]
    assert "each person signs in" in err
    assert ".extensions.allizom.org/" in err


@pytest.mark.parametrize("how", ["--key", "env"])
def test_with_sign_in_a_key_is_refused_with_the_reason(
    tmp_path: Path,
    db: str,
    sign_in: None,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    how: str,
) -> None:
    key = create_key(db)
    args = ["--base-url", BASE, "--db", db, "--out", str(tmp_path / "tb.xpi")]
    if how == "--key":
        args += ["--key", key]
    else:
        monkeypatch.setenv("CAVEAT_ADDIN_KEY", key)
    code, err = run(args, capsys)
    assert code == 2
    assert "signs people in" in err
    assert ("--key" if how == "--key" else "CAVEAT_ADDIN_KEY") in err
    assert "local demo" in err
    assert key not in err
    assert not (tmp_path / "tb.xpi").exists()


def test_with_sign_in_a_generic_build_still_works(
    tmp_path: Path, caveat_env: Path, sign_in: None, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "tb.xpi"
    code, err = run(["--out", str(out)], capsys)
    assert code == 0, err
    assert deployment(out) == {}
    with zipfile.ZipFile(out) as xpi:
        assert "host_permissions" not in json.loads(xpi.read("manifest.json"))
