"""Fixtures shared by every test folder. Add fixtures here; do not remove others'."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture
def caveat_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean configuration: no ``CAVEAT_`` variable from the developer's shell, and a
    fresh, empty instance folder (returned; not created)."""
    for name in list(os.environ):
        if name.startswith("CAVEAT_"):
            monkeypatch.delenv(name)
    instance = tmp_path / "instance"
    monkeypatch.setenv("CAVEAT_INSTANCE_PATH", str(instance))
    return instance
