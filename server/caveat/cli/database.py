"""Opening the store for a command: ``--db URL``, else the configured DATABASE_URL (by
default the SQLite file in the instance folder), migrated to the newest schema."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from caveat.service.settings import load_settings
from caveat.storage.store import Store


def database_url(db: str | None) -> tuple[str, Path]:
    """The URL to use and the instance folder (raises SettingsError on bad settings)."""
    settings = load_settings({"DATABASE_URL": db} if db else None)
    return settings["DATABASE_URL"], Path(settings["INSTANCE_PATH"])


def open_store(db: str | None) -> Store:
    """The store, migrated. Raises SettingsError or StorageError with a readable message."""
    url, instance = database_url(db)
    if _inside(url, instance):
        instance.mkdir(parents=True, exist_ok=True)
    store = Store.from_url(url)
    try:
        store.upgrade()
    except BaseException:
        store.dispose()
        raise
    return store


def _inside(url: str, folder: Path) -> bool:
    """Whether ``url`` is a SQLite file directly in ``folder`` (which may then be created)."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return False
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return False
    if parsed.database == ":memory:":
        return False
    return Path(parsed.database).expanduser().absolute().parent == folder
