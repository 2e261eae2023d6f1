"""The real server under a short mixed load, on SQLite and PostgreSQL, with and without a
worker killed mid-run: no errors but the killed worker's requests in flight, and no
acknowledged report lost (``bench/load.py``, which runs the long version: 60 s)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy.engine import Engine

from tests.bench_scripts import bench_module
from tests.conftest import postgres_schema


@pytest.fixture(scope="module")
def load() -> ModuleType:
    return bench_module("load")


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
