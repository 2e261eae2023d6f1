"""The sub-commands' shared store handling: a store that cannot be opened, or fails while a
command uses it, is one line ``<command>: <why>`` on stderr and exit code 2, and the store
is always disposed of."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from caveat.cli import main
from caveat.cli.common import Stop, opened, stops
from caveat.storage.store import StorageError, Store

COMMANDS = [
    (["intel", "list"], "caveat intel: "),
    (["intel", "remove", "1"], "caveat intel: "),
    (["verifications", "list"], "caveat verifications list: "),
    (["verifications", "clear", "1"], "caveat verifications clear: "),
    (["approvals", "list"], "caveat approvals list: "),
    (["approvals", "approve", "1"], "caveat approvals approve: "),
    (["audit", "list"], "caveat audit: "),
    (["audit", "export"], "caveat audit: "),
    (["partners", "list"], "caveat partners: "),
    (["partners", "export"], "caveat partners: "),
    (["partners", "policy", "Acme"], "caveat partners: "),
    (["keys", "list"], "caveat keys: "),
    (["keys", "revoke", "1"], "caveat keys: "),
    (["keys", "create", "k", "--scope", "analyze"], "caveat keys: "),
]


@pytest.mark.parametrize(("argv", "prefix"), COMMANDS)
def test_a_store_that_cannot_be_opened_is_one_line_and_exit_2(
    argv: list[str], prefix: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main([*argv, "--db", f"sqlite:///{tmp_path}/no/such/folder/caveat.db"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.startswith(prefix) and "does not exist" in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_a_storage_error_in_the_block_is_reported_and_the_store_disposed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    disposed: list[Store] = []
    real = Store.dispose

    def dispose(self: Store) -> None:
        disposed.append(self)
        real(self)

    monkeypatch.setattr(Store, "dispose", dispose)
    err = io.StringIO()

    @stops
    def run() -> int:
        with opened("sqlite://", "caveat thing", err):
            raise StorageError("the database went away")
        return 0

    assert run() == 2
    assert err.getvalue() == "caveat thing: the database went away\n"
    assert len(disposed) == 1


def test_the_block_ends_normally_and_the_store_is_disposed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    disposed: list[Store] = []
    real = Store.dispose
    monkeypatch.setattr(Store, "dispose", lambda self: (disposed.append(self), real(self)))
    err = io.StringIO()
    with opened("sqlite://", "caveat thing", err) as store:
        store.ping()
    assert len(disposed) == 1 and err.getvalue() == ""


def test_stop_is_the_exit_code() -> None:
    @stops
    def run() -> int:
        raise Stop(7)

    assert run() == 7
