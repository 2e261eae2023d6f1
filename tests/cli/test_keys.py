"""``caveat keys create | list | revoke`` against a SQLite file (scopes and expiry:
test_keys_scopes.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from caveat.cli import main
from caveat.storage.store import Store


@pytest.fixture
def db(tmp_path: Path, caveat_env: Path) -> str:
    return f"sqlite:///{tmp_path / 'keys.db'}"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_create_prints_the_key_once_with_a_warning(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        ["keys", "create", "outlook-addin", "--scope", "analyze", "--db", db], capsys
    )
    assert code == 0
    key = out.strip()
    assert key.startswith("cav_") and len(key.splitlines()) == 1
    assert "only this once" in err and "outlook-addin" in err
    store = Store.from_url(db)
    assert store.verify_key(key) is not None
    store.dispose()
    _, listing, _ = run(["keys", "list", "--db", db], capsys)
    assert key not in listing
    assert key[:8] in listing


def test_list_shows_every_key_and_its_state(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    run(["keys", "create", "first", "--scope", "analyze", "--db", db], capsys)
    run(["keys", "create", "second", "--scope", "analyze", "--db", db], capsys)
    run(["keys", "revoke", "1", "--db", db], capsys)
    code, out, _ = run(["keys", "list", "--db", db], capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["ID", "PREFIX", "NAME"]
    assert "first" in lines[1] and "revoked" in lines[1]
    assert "second" in lines[2] and lines[2].rstrip().endswith("active")
    assert "never" in lines[2]  # not used yet


def test_list_json(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    run(["keys", "create", "a", "--scope", "analyze", "--db", db], capsys)
    code, out, _ = run(["keys", "list", "--json", "--db", db], capsys)
    assert code == 0
    record = json.loads(out)
    assert record["name"] == "a" and record["active"] is True and record["id"] == 1
    assert set(record) == {
        "id",
        "name",
        "prefix",
        "scopes",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "active",
        "expired",
        "admin",
    }


def test_list_of_an_empty_store(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["keys", "list", "--db", db], capsys)
    assert code == 0 and out == "" and "keys create" in err


def test_revoke_by_id_and_by_prefix(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    _, key1, _ = run(["keys", "create", "a", "--scope", "analyze", "--db", db], capsys)
    _, key2, _ = run(["keys", "create", "b", "--scope", "analyze", "--db", db], capsys)
    code, out, _ = run(["keys", "revoke", "1", "--db", db], capsys)
    assert code == 0 and out.startswith("Revoked API key 1")
    code, out, _ = run(["keys", "revoke", key2.strip()[:8], "--db", db], capsys)
    assert code == 0 and out.startswith("Revoked API key 2")
    store = Store.from_url(db)
    assert store.verify_key(key1.strip()) is None
    assert store.verify_key(key2.strip()) is None
    store.dispose()
    code, out, _ = run(["keys", "revoke", "1", "--db", db], capsys)
    assert code == 0 and "already revoked" in out


@pytest.mark.parametrize("ref", ["99", "cav_nope"])
def test_revoking_an_unknown_key_is_an_error(
    db: str, capsys: pytest.CaptureFixture[str], ref: str
) -> None:
    run(["keys", "create", "a", "--scope", "analyze", "--db", db], capsys)
    code, out, err = run(["keys", "revoke", ref, "--db", db], capsys)
    assert code == 2
    assert out == ""
    assert err.startswith("caveat keys: no API key with")


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("mysql://u:hunter2@db.example/x", "unsupported database"),
        ("nonsense", "not a database URL"),
        ("sqlite:////nonexistent-folder-for-caveat/x.db", "does not exist"),
    ],
)
def test_an_unusable_database_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], caveat_env: Path, url: str, words: str
) -> None:
    for args in (["keys", "list"], ["keys", "create", "a", "--admin"], ["keys", "revoke", "1"]):
        code, _out, err = run([*args, "--db", url], capsys)
        assert code == 2
        assert err.startswith("caveat keys: ") and words in err
        assert "hunter2" not in err
        assert "Traceback" not in err


def test_a_file_that_is_not_a_database(
    tmp_path: Path, caveat_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "x.db"
    path.write_bytes(b"not a database at all" * 100)
    code, _, err = run(["keys", "list", "--db", f"sqlite:///{path}"], capsys)
    assert code == 2 and "caveat keys:" in err


def test_a_bad_name_is_a_clear_error(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["keys", "create", "   ", "--scope", "analyze", "--db", db], capsys)
    assert code == 2 and out == "" and "must not be empty" in err


def test_without_db_the_instance_database_is_used(
    caveat_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["keys", "create", "a", "--scope", "analyze"], capsys)
    assert code == 0
    assert (caveat_env / "caveat.db").is_file()
    store = Store.from_url(f"sqlite:///{caveat_env / 'caveat.db'}")
    assert store.verify_key(out.strip()) is not None
    store.dispose()


def test_the_environment_database_url_is_used(
    tmp_path: Path,
    caveat_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CAVEAT_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    assert run(["keys", "create", "a", "--scope", "analyze"], capsys)[0] == 0
    assert (tmp_path / "env.db").is_file()
    assert not caveat_env.exists()


def test_an_action_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["keys"])
    assert exit_.value.code == 2


def audit_rows(db: str) -> list[tuple[str, str, str, object]]:
    from caveat.storage.audit import AuditLog

    store = Store.from_url(db)
    try:
        return [(e.action, e.actor_subject, e.target, e.after) for e in AuditLog(store).entries()]
    finally:
        store.dispose()


def test_create_and_revoke_are_audited_with_the_operator(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("getpass.getuser", lambda: "ops")
    code, out, _ = run(
        [
            "keys",
            "create",
            "siem-export",
            "--scope",
            "reports.read",
            "--expires",
            "never",
            "--db",
            db,
        ],
        capsys,
    )
    assert code == 0
    key = out.strip()
    assert run(["keys", "create", "tooling", "--admin", "--db", db], capsys)[0] == 0
    rows = audit_rows(db)
    assert [(a, who, target) for a, who, target, _ in rows] == [
        ("key.create", "cli:ops", "1"),
        ("key.create", "cli:ops", "2"),
    ]
    first, second = rows[0][3], rows[1][3]
    assert isinstance(first, dict) and isinstance(second, dict)
    assert first["name"] == "siem-export" and first["scopes"] == ["reports.read"]
    assert first["expires_at"] is None and first["prefix"] == key[: len(first["prefix"])]
    assert key not in json.dumps(rows)  # never the key
    from caveat.identity.permissions import PERMISSIONS

    assert second["scopes"] == sorted(PERMISSIONS)

    code, out, _ = run(["keys", "revoke", first["prefix"], "--db", db], capsys)
    assert code == 0 and "Revoked API key 1" in out
    revoked = audit_rows(db)[2]
    assert revoked[:3] == ("key.revoke", "cli:ops", "1")
    # revoking again says so and writes nothing
    code, out, _ = run(["keys", "revoke", "1", "--db", db], capsys)
    assert code == 0 and "already revoked" in out
    assert len(audit_rows(db)) == 3
    # a refused request writes nothing either
    assert run(["keys", "revoke", "99", "--db", db], capsys)[0] == 2
    assert run(["keys", "create", "x" * 500, "--scope", "analyze", "--db", db], capsys)[0] == 2
    assert len(audit_rows(db)) == 3


def test_the_command_line_keeps_the_services_day_limits(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from caveat.cli import keys as cli_keys
    from caveat.service import keys as service_keys

    assert cli_keys.MAX_EXPIRY_DAYS is service_keys.MAX_EXPIRY_DAYS
    assert cli_keys.DEFAULT_EXPIRY_DAYS is service_keys.DEFAULT_EXPIRY_DAYS
    days = service_keys.MAX_EXPIRY_DAYS
    assert (
        run(
            ["keys", "create", "a", "--scope", "analyze", "--expires", f"{days}d", "--db", db],
            capsys,
        )[0]
        == 0
    )
    code, _, err = run(
        ["keys", "create", "b", "--scope", "analyze", "--expires", f"{days + 1}d", "--db", db],
        capsys,
    )
    assert code == 2 and str(days) in err
