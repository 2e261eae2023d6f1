"""``caveat serve``: what it prepares before it hands over to gunicorn (exec is faked)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from caveat.cli import main
from caveat.storage.store import Store


class Exec:
    def __init__(self) -> None:
        self.calls: list[tuple[str, list[str]]] = []

    def __call__(self, file: str, argv: list[str]) -> None:
        self.calls.append((file, argv))


@pytest.fixture
def execvp(monkeypatch: pytest.MonkeyPatch, caveat_env: Path) -> Iterator[Exec]:
    fake = Exec()
    monkeypatch.setattr(os, "execvp", fake)
    saved = dict(os.environ)  # serve exports the settings into os.environ for gunicorn
    yield fake
    os.environ.clear()
    os.environ.update(saved)


def serve(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["serve", *args])
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def test_https_by_default_with_a_generated_certificate(
    execvp: Exec, caveat_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 's.db'}"
    code, out, _ = serve(["--db", db, "--workers", "3"], capsys)
    assert code == 0
    ((file, argv),) = execvp.calls
    assert argv[0] == file
    assert Path(file).name == "gunicorn" or argv[1:3] == ["-m", "gunicorn"]
    assert option(argv, "--workers") == "3"
    assert option(argv, "--bind") == "127.0.0.1:8443"
    assert option(argv, "--config") == "python:caveat.web.gunicorn_conf"
    assert argv[-1] == "caveat.web.asgi:app"
    assert option(argv, "--control-socket") == str(caveat_env.absolute() / "gunicorn.ctl")
    cert, key = Path(option(argv, "--certfile")), Path(option(argv, "--keyfile"))
    assert cert.parent == caveat_env and cert.is_file()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert "https://127.0.0.1:8443/" in out
    assert "curl -k https://127.0.0.1:8443/api/v1/analyze" in out
    # settings reach the workers through the environment
    assert os.environ["CAVEAT_DATABASE_URL"] == db
    assert os.environ["CAVEAT_INSTANCE_PATH"] == str(caveat_env)
    # and the database is migrated before gunicorn starts
    store = Store.from_url(db)
    assert store.list_keys() == []
    store.dispose()


def _demo_key(out: str) -> str:
    return out.split("API key (id ")[1].split("): ")[1].split()[0]


def test_the_demo_key_survives_restarts_and_is_replaced_only_on_request(
    execvp: Exec, caveat_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 's.db'}"
    _, out1, _ = serve(["--demo", "--db", db], capsys)
    key1 = _demo_key(out1)
    assert "New demo API key" in out1 and f"Bearer {key1}" in out1
    kept = caveat_env / "demo-key"
    assert kept.read_text().strip() == key1
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600

    _, out2, _ = serve(["--demo", "--db", db], capsys)
    assert _demo_key(out2) == key1  # a client set up with it keeps working
    assert "New demo API key" not in out2

    _, out3, _ = serve(["--demo", "--new-demo-key", "--db", db], capsys)
    key3 = _demo_key(out3)
    assert key3 != key1 and "New demo API key" in out3
    store = Store.from_url(db)
    assert store.verify_key(key1) is None
    assert store.verify_key(key3) is not None
    assert [r.name for r in store.list_keys(include_revoked=False)] == ["demo"]
    store.dispose()


def test_a_kept_demo_key_that_no_longer_works_is_replaced(
    execvp: Exec, caveat_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 's.db'}"
    key1 = _demo_key(serve(["--demo", "--db", db], capsys)[1])
    store = Store.from_url(db)
    store.revoke_key(store.verify_key(key1).id)  # type: ignore[union-attr]
    store.dispose()
    key2 = _demo_key(serve(["--demo", "--db", db], capsys)[1])
    assert key2 != key1
    # another database: the kept key is not one of its keys
    key3 = _demo_key(serve(["--demo", "--db", f"sqlite:///{tmp_path / 'other.db'}"], capsys)[1])
    assert key3 not in (key1, key2)
    assert (caveat_env / "demo-key").read_text().strip() == key3


def test_start_says_plainly_when_no_internal_domain_is_set(
    execvp: Exec, caveat_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = serve(["--db", "sqlite://", "--no-tls"], capsys)
    assert "NOT SET UP: No internal domain is configured" in out
    assert "caveat configure --internal-domain" in out
    for name in [n for n in os.environ if n.startswith("CAVEAT_") and n != "CAVEAT_INSTANCE_PATH"]:
        del os.environ[name]  # what the first run exported for gunicorn
    (caveat_env / "caveat.toml").parent.mkdir(parents=True, exist_ok=True)
    (caveat_env / "caveat.toml").write_text('INTERNAL_DOMAINS = ["example.org"]\n')
    _, out, _ = serve(["--db", "sqlite://", "--no-tls"], capsys)
    assert "NOT SET UP" not in out


def test_no_tls(execvp: Exec, caveat_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = serve(["--no-tls", "--db", "sqlite://", "--port", "8080"], capsys)
    assert code == 0
    argv = execvp.calls[0][1]
    assert "--certfile" not in argv
    assert "http://127.0.0.1:8080/" in out
    assert "curl http://127.0.0.1:8080/api/v1/analyze" in out
    assert not (caveat_env / "tls-key.pem").exists()


def test_own_certificate(execvp: Exec, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from caveat.web.tls import ensure_self_signed

    pair = ensure_self_signed(tmp_path / "certs")
    code, out, _ = serve(
        ["--db", "sqlite://", "--certfile", str(pair.cert), "--keyfile", str(pair.key)], capsys
    )
    assert code == 0
    argv = execvp.calls[0][1]
    assert option(argv, "--certfile") == str(pair.cert)
    assert "curl https://" in out  # no -k: the certificate is the operator's


def test_ipv6_host(execvp: Exec, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = serve(["--db", "sqlite://", "--host", "::1"], capsys)
    assert option(execvp.calls[0][1], "--bind") == "[::1]:8443"
    assert "https://[::1]:8443/" in out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--db", "mysql://x/y"], "unsupported database"),
        (["--db", "sqlite://", "--certfile", "/nonexistent.pem"], "go together"),
        (
            ["--db", "sqlite://", "--certfile", "/nonexistent.pem", "--keyfile", "/x.pem"],
            "no such file",
        ),
    ],
)
def test_problems_are_reported_before_gunicorn_starts(
    execvp: Exec, capsys: pytest.CaptureFixture[str], args: list[str], words: str
) -> None:
    code, _, err = serve(args, capsys)
    assert code == 2
    assert err.startswith("caveat serve: ") and words in err
    assert execvp.calls == []


@pytest.mark.parametrize(
    "args",
    [["--port", "0"], ["--port", "x"], ["--workers", "0"], ["--no-tls", "--certfile", "c.pem"]],
)
def test_bad_options(execvp: Exec, args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["serve", *args])
    assert exit_.value.code == 2


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10"])  # noqa: S104
def test_listening_beyond_loopback_needs_public_url(
    execvp: Exec, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], host: str
) -> None:
    code, _, err = serve(["--db", "sqlite://", "--host", host], capsys)
    assert code == 2 and "PUBLIC_URL" in err
    assert execvp.calls == []
    monkeypatch.setenv("CAVEAT_PUBLIC_URL", "https://caveat.example.com")
    code, _, _ = serve(["--db", "sqlite://", "--host", host], capsys)
    assert code == 0 and len(execvp.calls) == 1


def test_a_bad_setting_is_reported(
    execvp: Exec, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CAVEAT_MAX_RECIPIENTS", "lots")
    code, _, err = serve(["--db", "sqlite://"], capsys)
    assert code == 2 and "CAVEAT_MAX_RECIPIENTS" in err


def test_gunicorn_config_loads() -> None:
    from caveat.web import gunicorn_conf

    assert gunicorn_conf.worker_class == "caveat.web.worker.Worker"
    # paths only: no query strings in the access log
    assert "%(U)s" in gunicorn_conf.access_log_format
    assert "%(q)s" not in gunicorn_conf.access_log_format
    assert "%(r)s" not in gunicorn_conf.access_log_format
