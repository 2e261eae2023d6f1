"""What the sub-commands share: the ``--db`` option and opening its store, who the operator
is, and the checks on a key for an add-in."""

from __future__ import annotations

import argparse
import functools
import getpass
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import ParamSpec, TextIO

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from caveat.service.settings import SettingsError, load_settings
from caveat.storage.audit import Actor
from caveat.storage.store import KeyRecord, StorageError, Store

_P = ParamSpec("_P")

#: What ``--expires`` takes, for each command's help (which adds its default).
EXPIRES_HELP = (
    "a number of days (90d), a date (YYYY-MM-DD: at its start, 00:00 UTC), a time (ISO "
    "8601, UTC unless it says otherwise) or never"
)
_DAYS = re.compile(r"(\d{1,6})d")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

#: What a key inside an add-in (the local demo's key-in-manifest mode) may grant at most:
#: what a mail client asks of the service. Everyone who receives the add-in holds the key.
ADDIN_KEY_SCOPES = frozenset({"analyze", "report", "contacts"})


def count(n: int, singular: str, plural: str | None = None) -> str:
    """``1 row``, ``2 rows``: a number with its noun in the right number."""
    return f"{n:,} {singular if n == 1 else (plural or singular + 's')}"


def add_db_option(parser: argparse.ArgumentParser, default_help: str) -> None:
    parser.add_argument(
        "--db",
        metavar="URL",
        default=None,
        help=f"the store: sqlite:///PATH, sqlite:// (throw-away), postgresql://... "
        f"({default_help})",
    )


def addin_key_problem(
    store: Store, key: str, source: str, remedy: str
) -> tuple[KeyRecord | None, str]:
    """The key record when ``key`` may ride in an add-in that every user receives (an
    active key of this store that can only ask for analyses); otherwise (None, why not).
    ``source`` says where the key came from, ``remedy`` how to get a usable one."""
    found = store.verify_key(key)
    if found is None:
        return None, (
            f"the key from {source} is not an active API key of this store (unknown, "
            f"revoked or expired); {remedy}"
        )
    if found.admin:
        return None, (
            f"the key from {source} is an admin key (id {found.id}); the add-in must carry "
            "a key that can only ask for analyses: every user receives it"
        )
    beyond = found.scopes - ADDIN_KEY_SCOPES
    if beyond:
        return None, (
            f"the key from {source} (id {found.id}) grants {', '.join(sorted(beyond))}; the "
            f"add-in must carry a key with no scope beyond {', '.join(sorted(ADDIN_KEY_SCOPES))}: "
            "every user receives it"
        )
    return found, ""


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


class ExpiryError(ValueError):
    """An ``--expires`` value that is not ``Nd``, a date, a time or ``never``, or that is
    not in the future or too far ahead."""


def parse_expiry(value: str, now: datetime, *, longest_days: int | None = None) -> datetime | None:
    """When something given ``--expires value`` at ``now`` stops counting; None for never.

    ``90d``: that many days from now. ``2027-06-30``: at the start of that day, UTC (it
    counts through 2027-06-29). ``2027-06-30T17:00Z``: then (a time without an offset is
    UTC). ``never``: no expiry. The moment must be after ``now`` and, with
    ``longest_days``, at most that many days ahead.
    """
    text = value.strip()
    if text.lower() == "never":
        return None
    limit = f"from 1d to {longest_days}d" if longest_days else "at least 1d"
    days = _DAYS.fullmatch(text.lower())
    if days:
        n = int(days.group(1))
        if n < 1 or (longest_days and n > longest_days):
            raise ExpiryError(f"--expires {value}: give {limit}, or never")
        return now + timedelta(days=n)
    if _DATE.fullmatch(text):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise ExpiryError(f"--expires {value}: no such date") from None
        moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
        if moment <= now:
            raise ExpiryError(f"--expires {value}: that day has begun or passed (UTC)")
    else:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ExpiryError(
                f"--expires {value}: give a number of days (90d), a date (YYYY-MM-DD, UTC) "
                "or never, or a time (ISO 8601, e.g. 2027-06-30T17:00Z)"
            ) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        if moment <= now:
            raise ExpiryError(f"--expires {value}: that time has passed")
    if longest_days and moment - now > timedelta(days=longest_days):
        raise ExpiryError(f"--expires {value}: at most {longest_days} days ahead; or give never")
    return moment


def operator() -> Actor:
    """Who is at the command line, as the audit log names them."""
    try:
        login = getpass.getuser()
    except (KeyError, OSError):  # no login name for this uid (a bare container)
        login = "unknown"
    return Actor.command_line(login)


class Stop(Exception):
    """Ends a sub-command with exit code ``code``; why is already on standard error."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def stops(run: Callable[_P, int]) -> Callable[_P, int]:
    """A sub-command's ``run_*`` that may raise :class:`Stop` (as :func:`opened` does):
    the exception becomes the exit code."""

    @functools.wraps(run)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> int:
        try:
            return run(*args, **kwargs)
        except Stop as stop:
            return stop.code

    return wrapper


@contextmanager
def opened(db: str | None, prog: str, err: TextIO) -> Iterator[Store]:
    """The store of ``--db`` (migrated), disposed of when the block ends.

    Settings or a store that cannot be opened, and a StorageError raised in the block, are
    written to ``err`` as ``prog: message`` and end the command with exit code 2 (raise
    :class:`Stop`; the command's ``run_*`` is wrapped in :func:`stops`)."""
    try:
        store = open_store(db)
    except (SettingsError, StorageError) as exc:
        print(f"{prog}: {exc}", file=err)
        raise Stop(2) from None
    try:
        yield store
    except StorageError as exc:
        print(f"{prog}: {exc}", file=err)
        raise Stop(2) from None
    finally:
        store.dispose()
