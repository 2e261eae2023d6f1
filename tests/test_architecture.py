"""The folder tree is the architecture: imports point down the layers and form no circle.

The contracts are in pyproject.toml (``[tool.importlinter]``) and docs/architecture.md
explains them. The second and third tests break a copy of the package on purpose, to show
that the check does fail when an import goes the wrong way or closes a circle.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")


def lint(package_parent: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    return subprocess.run(
        [str(LINT), "--no-cache", "--config", str(ROOT / "pyproject.toml")],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_imports_follow_the_layers_and_form_no_circle() -> None:
    done = lint(ROOT / "server", ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "BROKEN" not in done.stdout


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    shutil.copytree(
        ROOT / "server" / "caveat",
        tmp_path / "caveat",
        ignore=shutil.ignore_patterns("__pycache__", "data"),
    )
    return tmp_path


def _append(path: Path, line: str) -> None:
    path.write_text(path.read_text("utf-8") + "\n" + line + "\n", "utf-8")


def test_a_check_that_reads_storage_breaks_the_layers(copy: Path) -> None:
    _append(copy / "caveat" / "checks" / "relay.py", "from caveat.storage import store  # noqa")
    done = lint(copy, copy)
    assert done.returncode != 0
    assert "Each layer imports only from the layers below it BROKEN" in done.stdout
    assert "caveat.checks.relay -> caveat.storage" in done.stdout


def test_facts_that_import_the_web_break_the_layers(copy: Path) -> None:
    _append(copy / "caveat" / "mail" / "facts.py", "from caveat.web import app  # noqa")
    done = lint(copy, copy)
    assert "Each layer imports only from the layers below it BROKEN" in done.stdout


def test_a_circle_between_two_modules_of_one_package_is_refused(copy: Path) -> None:
    # storage.store once imported records and reports to register their tables
    _append(copy / "caveat" / "storage" / "store.py", "from caveat.storage import records  # noqa")
    done = lint(copy, copy)
    assert done.returncode != 0
    assert "No import circle" in done.stdout and "BROKEN" in done.stdout
