"""``caveat manifest``: the key it embeds, where it writes, and what it refuses."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from caveat.cli import main
from caveat.clients.outlook_manifest import IDENTITY_FILE, NS_APP, check_manifest
from caveat.storage.store import Store

BASE = "https://caveat.example.com"


@pytest.fixture
def db(tmp_path: Path, caveat_env: Path) -> str:
    return f"sqlite:///{tmp_path / 'manifest.db'}"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["manifest", *args])
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def embedded_key(xml: bytes | str) -> str:
    data = xml.encode() if isinstance(xml, str) else xml
    root = ET.fromstring(data)  # noqa: S314 (our own output)
    pane = root.find(f"{{{NS_APP}}}FormSettings//{{{NS_APP}}}SourceLocation")
    assert pane is not None
    (key,) = parse_qs(urlsplit(pane.get("DefaultValue", "")).query)["key"]
    return key


def identity(xml: bytes | str) -> tuple[str, str]:
    data = xml.encode() if isinstance(xml, str) else xml
    root = ET.fromstring(data)  # noqa: S314 (our own output)
    return root.findtext(f"{{{NS_APP}}}Id") or "", root.findtext(f"{{{NS_APP}}}Version") or ""


def create_key(db: str, name: str = "outlook-addin", *, admin: bool = False) -> tuple[int, str]:
    store = Store.from_url(db)
    try:
        store.upgrade()
        record, key = store.create_key(name, admin=admin)
    finally:
        store.dispose()
    return record.id, key


def keys_in(db: str) -> list[tuple[str, bool, bool]]:
    store = Store.from_url(db)
    try:
        store.upgrade()
        return [(r.name, r.admin, r.active) for r in store.list_keys()]
    finally:
        store.dispose()


def test_new_key_with_out_writes_a_valid_manifest_with_a_new_analyze_only_key(
    db: str, caveat_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "caveat-manifest.xml"
    args = ["--base-url", BASE, "--new-key", "--out", str(out), "--db", db]
    code, stdout, err = run(args, capsys)
    assert code == 0, err
    assert stdout == ""
    xml = out.read_bytes()
    assert check_manifest(xml) == []
    key = embedded_key(xml)
    store = Store.from_url(db)
    try:
        record = store.verify_key(key)
    finally:
        store.dispose()
    assert record is not None and record.name == "outlook-addin" and not record.admin
    assert f"Created API key {record.id}" in err and "embedded" in err
    guid, version = identity(xml)
    assert guid in err and version in err and version.endswith(".1")
    assert str(out) in err
    assert (caveat_env / IDENTITY_FILE).is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_printing_is_a_preview_that_creates_and_records_nothing(
    db: str, caveat_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key_id, key = create_key(db)
    # no id yet: printing does not make one, and says how to
    code, stdout, err = run(["--base-url", BASE, "--key", key, "--db", db], capsys)
    assert code == 2 and stdout == ""
    assert "no id yet" in err and "--out FILE" in err
    assert not (caveat_env / IDENTITY_FILE).exists()

    out = tmp_path / "m.xml"
    assert run(["--base-url", BASE, "--key", key, "--out", str(out), "--db", db], capsys)[0] == 0
    record = (caveat_env / IDENTITY_FILE).read_bytes()
    written = identity(out.read_bytes())

    code, stdout, err = run(["--base-url", BASE, "--key", key, "--db", db], capsys)
    assert code == 0, err
    assert stdout.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert check_manifest(stdout.encode()) == []
    assert embedded_key(stdout) == key
    assert identity(stdout) == written  # the same input, the same id and version
    assert "Preview" in err and "Nothing was recorded" in err
    assert f"Embedded API key {key_id}" in err
    assert key not in err  # the key itself is never echoed

    # another base URL: the preview shows the version --out would record, twice alike
    for _ in range(2):
        code, stdout, err = run(["--base-url", BASE + "/c", "--key", key, "--db", db], capsys)
        assert code == 0 and identity(stdout)[1].endswith(".2")
    assert (caveat_env / IDENTITY_FILE).read_bytes() == record  # never raised by printing
    assert keys_in(db) == [("outlook-addin", False, True)]  # and no key created


def test_without_a_key_nothing_is_created(
    db: str, caveat_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "m.xml"
    for args in (["--out", str(out)], []):
        code, stdout, err = run(["--base-url", BASE, *args, "--db", db], capsys)
        assert code == 2 and stdout == ""
        assert "no key to embed" in err and "--new-key" in err
    assert keys_in(db) == []
    assert not out.exists() and not (caveat_env / IDENTITY_FILE).exists()


def test_the_same_input_gives_the_same_file_and_a_change_a_higher_version(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, key = create_key(db)
    out = tmp_path / "m.xml"
    args = ["--base-url", BASE, "--key", key, "--out", str(out), "--db", db]
    assert run(args, capsys)[0] == 0
    first = out.read_bytes()
    assert run(args, capsys)[0] == 0
    assert out.read_bytes() == first

    assert run(["--base-url", BASE + "/caveat", *args[2:]], capsys)[0] == 0
    moved = out.read_bytes()
    assert identity(moved)[0] == identity(first)[0]
    assert identity(moved)[1].endswith(".2") and identity(first)[1].endswith(".1")


def test_the_key_can_come_from_the_environment(
    db: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, key = create_key(db)
    monkeypatch.setenv("CAVEAT_ADDIN_KEY", key)
    out = tmp_path / "m.xml"
    code, _, err = run(["--base-url", BASE, "--out", str(out), "--db", db], capsys)
    assert code == 0, err
    assert embedded_key(out.read_bytes()) == key
    assert len(keys_in(db)) == 1


def test_an_unknown_key_is_refused(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    create_key(db)
    code, stdout, err = run(["--base-url", BASE, "--key", "cav_notakey", "--db", db], capsys)
    assert code == 2 and stdout == ""
    assert err.startswith("caveat manifest: ") and "not an active API key" in err
    assert "Traceback" not in err


def test_a_revoked_key_is_refused(
    db: str, caveat_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key_id, key = create_key(db)
    store = Store.from_url(db)
    try:
        store.revoke_key(key_id)
    finally:
        store.dispose()
    code, stdout, err = run(["--base-url", BASE, "--key", key, "--db", db], capsys)
    assert code == 2 and stdout == ""
    assert "revoked" in err
    assert not (caveat_env / IDENTITY_FILE).exists()


def test_an_admin_key_is_refused(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    _, key = create_key(db, "tools", admin=True)
    code, stdout, err = run(["--base-url", BASE, "--key", key, "--db", db], capsys)
    assert code == 2 and stdout == ""
    assert "admin key" in err


@pytest.mark.parametrize(
    "url", ["http://caveat.example.com", "https://caveat.example.com/?key=1", "caveat"]
)
def test_a_bad_base_url_exits_2_before_anything_is_created(
    db: str, caveat_env: Path, tmp_path: Path, url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "m.xml"
    args = ["--base-url", url, "--new-key", "--out", str(out), "--db", db]
    code, stdout, err = run(args, capsys)
    assert code == 2 and stdout == ""
    assert err.startswith("caveat manifest: the base URL")
    assert "Traceback" not in err
    assert not out.exists() and not (caveat_env / IDENTITY_FILE).exists()
    assert keys_in(db) == []


def test_an_out_path_in_a_missing_folder_exits_2(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "missing" / "m.xml"
    code, _, err = run(["--base-url", BASE, "--new-key", "--out", str(out), "--db", db], capsys)
    assert code == 2 and "cannot write" in err
    assert keys_in(db) == []


def test_a_corrupt_identity_file_exits_2_naming_it(
    db: str, caveat_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, key = create_key(db)
    caveat_env.mkdir(parents=True, exist_ok=True)
    (caveat_env / IDENTITY_FILE).write_text("id = [\n", "utf-8")
    code, stdout, err = run(["--base-url", BASE, "--key", key, "--db", db], capsys)
    assert code == 2 and stdout == ""
    assert IDENTITY_FILE in err
