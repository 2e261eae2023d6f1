"""The real server under a short mixed load, on SQLite and PostgreSQL, with and without a
worker killed mid-run: no errors but the killed worker's requests in flight, and no
acknowledged report lost (``bench/load.py``, which runs the long version: 60 s)."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy.engine import Engine

from tests.conftest import postgres_schema

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def load() -> ModuleType:
    sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location("caveat_bench_load", BENCH / "load.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[str]]:
    if request.param == "sqlite":
        yield []  # load.py makes a SQLite file of its own
        return
    admin: Engine = request.getfixturevalue("postgres_admin")
    with postgres_schema(admin) as url:
        yield ["--db", url]


def test_a_mixed_load_has_no_errors(load: ModuleType, db: list[str]) -> None:
    assert load.main(["--seconds", "8", "--connections", "4", *db]) == 0


def test_a_worker_killed_mid_load_loses_nothing(load: ModuleType, db: list[str]) -> None:
    assert load.main(["--seconds", "8", "--connections", "4", "--kill-worker-at", "3", *db]) == 0
