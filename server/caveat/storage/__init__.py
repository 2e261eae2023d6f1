"""Storage: API keys, the partner directory, the conversation memory, reports, the
audit log and the admin console's sessions.

SQLAlchemy models and the stores that read and write them, on SQLite (the default) or
PostgreSQL, with Alembic migrations in ``migrations/``. Storage is read before the engine
runs and written after it, by :mod:`caveat.service`; no check or engine module imports
it.

Importing this package registers every table in :data:`~caveat.storage.store.Base`'s
metadata, which the migrations and the schema comparison need.
"""

from . import (
    audit,
    console,
    directory_store,
    indicators,
    memory_store,
    people,
    records,
    repeats,
    reports,
    retention,
    store,
    verifications,
)

__all__ = [
    "audit",
    "console",
    "directory_store",
    "indicators",
    "memory_store",
    "people",
    "records",
    "repeats",
    "reports",
    "retention",
    "store",
    "verifications",
]
