"""``caveat scan``'s conversation memory: its own in-process one without ``--db``, the
database's with it, and the same lines either way."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from caveat.cli import main
from caveat.cli import scan as scan_module
from caveat.knowledge.process_memory import ProcessMemory
from caveat.storage.memory_store import MemoryStore

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PARTNERS = FIXTURES / "directory" / "seed-partners.csv"
COMMON = ["--internal-domain", "partnera.example", "--trust-microsoft"]


def scan(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(["scan", "--json", *args])
    return code, capsys.readouterr().out.splitlines()


@pytest.fixture
def memories(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The memory of each analyser scan builds."""
    built: list[Any] = []
    real = scan_module.Analyzer

    def spy(*args: Any, **kwargs: Any) -> Any:
        analyzer = real(*args, **kwargs)
        built.append(analyzer.memory)
        return analyzer

    monkeypatch.setattr(scan_module, "Analyzer", spy)
    return built


def test_without_db_the_memory_is_the_process_own(
    memories: list[Any], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _ = scan([*COMMON, str(FIXTURES / "thread")], capsys)
    assert code == 0
    code, _ = scan(["--db", f"sqlite:///{tmp_path / 'scan.db'}", str(FIXTURES / "thread")], capsys)
    assert code == 0
    assert [type(m) for m in memories] == [ProcessMemory, MemoryStore]


def test_every_fixture_gets_the_same_line_with_either_memory(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """All fixtures in one run (threads meet, senders come back), with the seed directory."""
    args = [*COMMON, "--directory", str(PARTNERS), str(FIXTURES)]
    code, own = scan(args, capsys)
    assert code == 0 and len(own) > 200
    code, database = scan(["--db", "sqlite://", *args], capsys)
    assert code == 0
    assert [without_refs(line) for line in own] == [without_refs(line) for line in database]


def without_refs(line: str) -> Any:
    """A line with its accounts' refs left out: each is a keyed hash under the store's own
    secret (a throw-away one without ``--db``), so the two runs cannot share them."""
    verdict = json.loads(line)
    for finding in verdict["findings"]:
        for item in finding["evidence"]:
            item.pop("ref", None)
    return verdict
