"""``caveat database prune``: the retention sweep, now, with what it deleted."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from caveat.cli import main
from caveat.knowledge.memory import observe
from caveat.mail.normalise import from_raw
from caveat.storage.memory_store import MemoryStore
from caveat.storage.retention import claim
from caveat.storage.store import Store


@pytest.fixture
def db(tmp_path: Path, caveat_env: Path) -> str:
    return f"sqlite:///{tmp_path / 'prune.db'}"


def remember(db: str, days_ago: int, n: int) -> None:
    at = datetime.now(UTC) - timedelta(days=days_ago)
    store = Store.from_url(db, clock=lambda: at)
    store.upgrade()
    memory = MemoryStore(store)
    facts = from_raw(
        f"From: Felix <felix{n}@acme.example>\nTo: anna@ours.example\nSubject: Order {n:05d} "
        f"for March\nMessage-ID: <m{n}@acme.example>\n\nHello.\n".encode()
    )
    memory.record(observe(facts, at=at, authenticated=False, internal=[]), memory.snapshot(facts))
    # a claim made by a service that swept a moment ago: prune runs all the same
    claim(store, timedelta(hours=1))
    store.dispose()


def conversations(db: str) -> int:
    store = Store.from_url(db)
    try:
        return MemoryStore(store).counts()["conversations"]
    finally:
        store.dispose()


def test_prune_deletes_what_is_past_its_retention_and_says_what(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    remember(db, 500, 1)
    remember(db, 10, 2)
    assert main(["database", "prune", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "conversation memory 400 days" in out
    assert "conversations" in out and "Deleted" in out
    assert conversations(db) == 1
    assert main(["database", "prune", "--db", db]) == 0
    assert "Nothing was past its retention." in capsys.readouterr().out


def test_prune_follows_the_retention_settings(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    remember(db, 10, 1)
    monkeypatch.setenv("CAVEAT_MEMORY_RETENTION_DAYS", "7")
    assert main(["database", "prune", "--json", "--db", db]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["deleted"]["conversations"] == 1 and result["total"] >= 1
    assert conversations(db) == 0


def test_a_bad_retention_setting_is_named(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAVEAT_REPORT_RETENTION_DAYS", "forever")
    assert main(["database", "prune", "--db", db]) == 2
    assert "CAVEAT_REPORT_RETENTION_DAYS" in capsys.readouterr().err


def test_prune_removes_the_consoles_ended_rows_and_names_every_retention(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from caveat.storage.audit import Actor
    from caveat.storage.console import ConsoleStore

    long_ago = datetime.now(UTC) - timedelta(days=2)
    store = Store.from_url(db)
    store.upgrade()
    consoles = ConsoleStore(store)
    consoles.open_session(
        subject="s",
        tenant=None,
        name="",
        username="",
        roles=frozenset({"admin"}),
        via="link",
        now=long_ago,
        lifetime=timedelta(hours=8),
    )
    used = consoles.create_link(
        created_by=Actor.command_line("ops"), now=long_ago, lifetime=timedelta(hours=1)
    )
    consoles.use_link(used, long_ago)
    consoles.create_link(  # used or not, a link goes once its time is up
        created_by=Actor.command_line("ops"), now=long_ago, lifetime=timedelta(hours=1)
    )
    store.dispose()
    assert main(["database", "prune", "--json", "--db", db]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["deleted"]["console_sessions"] == 1
    assert result["deleted"]["console_links"] == 2
    assert result["deleted"]["console_signins"] == 0
    assert main(["database", "prune", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "warning tally 400 days" in out and "console" in out


def test_prunes_help_names_what_it_prunes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "400")  # one line: no word broken at its hyphen
    with pytest.raises(SystemExit):
        main(["database", "prune", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for setting in (
        "MEMORY_RETENTION_DAYS",
        "REPORT_RETENTION_DAYS",
        "REVOKED_KEY_RETENTION_DAYS",
        "WARNING_TALLY_RETENTION_DAYS",
        "RETENTION_INTERVAL_MINUTES",
    ):
        assert setting in text
    assert "sessions" in text and "first-run links" in text
