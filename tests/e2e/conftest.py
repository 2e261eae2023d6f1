"""Browser tests of the add-in: the real service in a child process, Debian's Chromium
driven by Playwright, and the Office.js stand-in served in place of Microsoft's office.js.

Chromium comes from Debian's package (``scripts/ensure-browser``, run by ``make test``);
when it is missing the tests are skipped, unless ``CAVEAT_TEST_BROWSER=required`` (as
``make test`` sets it), which turns the skip into a failure so CI cannot pass without them.
Screenshots of each state go to ``test-artifacts/outlook/`` (or ``CAVEAT_TEST_ARTIFACTS``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from caveat.cli import main as caveat_main
from caveat.storage.store import Store
from tests.live_service import Service, clean_env, serve

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
STANDIN = ROOT / "addin" / "outlook" / "test" / "office-standin.js"
OFFICE_JS = "https://appsforoffice.microsoft.com/**"
BROWSER_REQUIRED = os.environ.get("CAVEAT_TEST_BROWSER", "").strip().lower() == "required"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CAVEAT_CHROMIUM"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file():
            return candidate
    return shutil.which("chromium")


def _unavailable(why: str) -> None:
    if BROWSER_REQUIRED:
        pytest.fail(f"browser tests required but {why}", pytrace=False)
    pytest.skip(why)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    folder = Path(os.environ.get("CAVEAT_TEST_ARTIFACTS", ROOT / "test-artifacts")) / "outlook"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def start_service(folder: Path, extra_env: dict[str, str] | None = None) -> Service:
    """``caveat serve`` on loopback, on its own SQLite file, with the seed's configuration."""
    instance = folder / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    db = f"sqlite:///{instance / 'caveat.db'}"
    env = clean_env(
        instance, CAVEAT_INTERNAL_DOMAINS="partnera.example", CAVEAT_TRUST_MICROSOFT="true"
    )
    env.update(extra_env or {})
    store = Store.from_url(db)
    try:
        store.upgrade()
        _, key = store.create_key("e2e")
    finally:
        store.dispose()
    csv = FIXTURES / "directory" / "seed-partners.csv"
    assert caveat_main(["partners", "import", "--db", db, str(csv)]) == 0
    return serve(folder, db, key, env)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    svc = start_service(tmp_path_factory.mktemp("service"))
    yield svc
    svc.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    path = chromium_path()
    if path is None:
        _unavailable("Chromium is not installed (scripts/ensure-browser installs it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()
