"""Storage: the SQLAlchemy engine, the schema (migrated with Alembic) and API keys.

SQLite is the default (one file in the instance folder) and PostgreSQL the choice for
several nodes. Nothing of a message is ever stored here: the tables hold what a feature
needs and no more (today: API keys, as hashes).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import math
import re
import secrets
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.util.exc import CommandError
from cachetools import TTLCache
from sqlalchemy import (
    Connection,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    create_engine,
    event,
    select,
    text,
    update,
)
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.engine.url import URL
from sqlalchemy.exc import (
    ArgumentError,
    InvalidatePoolError,
    NoSuchModuleError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator

from caveat.identity.permissions import PERMISSIONS, check_permissions

from .deadline import WATCHDOG, Outage, Watchdog

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"

#: How long SQLite waits for another process's write lock before giving up (gunicorn runs
#: several workers, each with its own connections to the same file), unless the engine has
#: a timeout of its own (the service's DATABASE_TIMEOUT_SECONDS).
SQLITE_BUSY_TIMEOUT_S = 30
#: PostgreSQL's statement_timeout as a share of the engine's timeout: a slow statement on a
#: live server is cancelled by the server (the connection stays usable) before the
#: client-side deadline would have to cut the connection.
STATEMENT_SHARE = 0.75
#: Connections a PostgreSQL engine with a timeout keeps per process (and opens as many
#: again at busy moments), unless told otherwise.
POOL_SIZE = 2

KEY_PREFIX = "cav_"
PREFIX_LENGTH = 8
NAME_MAX = 100
#: ``last_used_at`` is written at most this often per key, not on every request.
TOUCH_INTERVAL = timedelta(minutes=1)
#: How long a process trusts a key it has verified before asking the database again. A key
#: revoked through the same Store stops working at once; one revoked anywhere else (``caveat
#: keys revoke``, another gunicorn worker, another node on the same database) within this
#: time. Short, because a leaked key must stop quickly, and cheap: a busy key costs each
#: process one indexed lookup every two seconds.
KEY_CACHE_SECONDS = 2.0
#: What a key may call when it was made before keys had scopes (migration 0006 gives it
#: these) or is made without naming any: everything a key that was not an admin key could
#: call then (reading the reports and the partner directory needed an admin key).
#: ``caveat keys create`` always names them.
LEGACY_SCOPES = frozenset({"analyze", "report", "contacts"})

Clock = Callable[[], datetime]


class StorageError(RuntimeError):
    """The store cannot be opened or used; the message says which and why, without secrets."""


class KeyNotFound(LookupError):
    """No API key has that id or prefix."""


class AmbiguousKey(LookupError):
    """Several API keys share that prefix; the caller must use the id."""


class KeyRefused(LookupError):
    """A presented key that does not let its bearer in. ``reason`` is ``"unknown"`` (not a
    key of this store, or not a key at all), ``"revoked"`` or ``"expired"``; the message
    says the same in words a caller may be shown (never the key or its hash)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


# ----------------------------------------------------------------- engine


def normalise_url(url: str | URL) -> URL:
    """Parse a database URL and pick the driver: ``postgresql://`` (and the old
    ``postgres://``) means psycopg 3, the only PostgreSQL driver this package depends on."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise StorageError(f"not a database URL: {_safe(url)} ({exc})") from None
    backend = parsed.get_backend_name()
    if backend == "postgres":
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif backend == "postgresql" and parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif backend not in ("sqlite", "postgresql"):
        raise StorageError(
            f"unsupported database {_safe(url)}: use sqlite:///PATH, sqlite:// or postgresql://..."
        )
    return parsed


def _safe(url: str | URL) -> str:
    """The URL for messages: never with its password."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "(unparseable URL)" if "@" in str(url) else repr(str(url))


def is_memory_url(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def make_engine(
    url: str | URL, *, timeout: float | None = None, pool_size: int | None = None
) -> Engine:
    """A SQLAlchemy engine for ``url``, configured for this service.

    * ``sqlite://`` (or ``sqlite:///:memory:``): a throw-away in-memory database. One
      connection is shared (StaticPool), or every session would see a different, empty
      database.
    * ``sqlite:///PATH``: WAL journal (readers do not block the writer, so several gunicorn
      workers can share the file), foreign keys on, a busy timeout instead of an immediate
      "database is locked" (``timeout`` seconds, else :data:`SQLITE_BUSY_TIMEOUT_S`), and
      synchronous=NORMAL, which is durable enough in WAL mode.
    * ``postgresql://``: psycopg 3, with a liveness check of pooled connections. With a
      ``timeout`` (the service's), every use is bounded: libpq's ``connect_timeout`` (whole
      seconds, at least 2), the server's ``statement_timeout`` (:data:`STATEMENT_SHARE`
      of it), a pool of ``pool_size`` connections plus as many overflow ones that waits at
      most ``timeout`` for a free one, and a client-side deadline for each wait for the
      server that :meth:`Store.session` arms (:mod:`caveat.storage.deadline`), which also
      covers the liveness check. Without one (command-line tools, migrations) nothing is
      bounded.
    """
    parsed = normalise_url(url)
    if timeout is not None and not timeout > 0:
        raise ValueError("timeout must be positive seconds or None")
    try:
        if parsed.get_backend_name() == "sqlite":
            busy = SQLITE_BUSY_TIMEOUT_S if timeout is None else timeout
            if is_memory_url(parsed):
                engine = create_engine(
                    parsed,
                    poolclass=StaticPool,
                    connect_args={"check_same_thread": False},
                )
            else:
                _check_sqlite_folder(parsed)
                engine = create_engine(
                    parsed,
                    connect_args={"timeout": busy, "check_same_thread": False},
                )
            event.listen(engine, "connect", _sqlite_pragmas(busy))
        elif timeout is None:
            engine = create_engine(parsed, pool_pre_ping=True)
        else:
            size = pool_size or POOL_SIZE
            engine = create_engine(
                parsed,
                pool_size=size,
                max_overflow=size,
                pool_timeout=timeout,
                connect_args=_postgres_limits(parsed, timeout),
            )
            _watch(engine, WATCHDOG)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise StorageError(f"cannot use {_safe(parsed)}: {exc}") from None
    return engine


def _postgres_limits(url: URL, timeout: float) -> dict[str, Any]:
    """libpq parameters that bound connecting and statements. The URL's own ``options``
    (a search_path, say) are kept, its own ``connect_timeout`` or ``statement_timeout``
    win (later ``-c`` settings override earlier ones)."""
    statement_ms = max(1, round(timeout * STATEMENT_SHARE * 1000))
    options = f"-c statement_timeout={statement_ms}"
    given = url.query.get("options")
    if given:
        options += " " + (given if isinstance(given, str) else " ".join(given))
    limits: dict[str, Any] = {"options": options}
    if "connect_timeout" not in url.query:
        limits["connect_timeout"] = max(2, math.ceil(timeout))
    return limits


def _watch(engine: Engine, watchdog: Watchdog) -> None:
    """Hook a PostgreSQL engine's pool into the watchdog: connections checked out under an
    armed deadline are cut when it passes, the liveness check of a pooled connection runs
    after the connection is attached (SQLAlchemy's own ``pool_pre_ping`` runs before any
    hook could), and no new connection is opened once the deadline has passed."""

    @event.listens_for(engine, "do_connect")
    def refuse_late(_dialect: Any, _record: Any, _cargs: Any, _cparams: Any) -> None:
        if watchdog.expired():
            raise engine.dialect.loaded_dbapi.OperationalError(
                "no new connection: the database call ran out of time"
            )

    @event.listens_for(engine, "connect")
    def fresh(_dbapi_connection: Any, record: Any) -> None:
        record.info["caveat_fresh"] = True

    @event.listens_for(engine, "checkout")
    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        watchdog.attach(dbapi_connection)
        if record.info.pop("caveat_fresh", False):
            return  # just opened: it answered already
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            watchdog.detach(dbapi_connection)
            # Like pool_pre_ping: drop every pooled connection and try a new one (which
            # fails at once when the deadline has passed).
            raise InvalidatePoolError(f"liveness check failed: {exc}") from exc

    def touch(*_args: Any, **_kwargs: Any) -> None:
        watchdog.touch()

    # Before and after each statement, and before commit and rollback: the deadline bounds
    # every wait for the server, not a session's many quick statements together.
    for name in ("before_cursor_execute", "after_cursor_execute", "commit", "rollback"):
        event.listen(engine, name, touch)

    @event.listens_for(engine, "checkin")
    def checkin(dbapi_connection: Any, _record: Any) -> None:
        if dbapi_connection is not None:
            watchdog.detach(dbapi_connection)

    @event.listens_for(engine, "close")
    def close(dbapi_connection: Any, _record: Any) -> None:
        watchdog.forget(dbapi_connection)

    @event.listens_for(engine, "close_detached")
    def close_detached(dbapi_connection: Any) -> None:
        watchdog.forget(dbapi_connection)


def _check_sqlite_folder(url: URL) -> None:
    folder = Path(url.database or "").expanduser().absolute().parent
    if not folder.is_dir():
        raise StorageError(f"cannot open {_safe(url)}: the folder {folder} does not exist")


def _sqlite_pragmas(busy_seconds: float) -> Callable[[Any, Any], None]:
    def pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute(f"PRAGMA busy_timeout = {round(busy_seconds * 1000)}")
            # In-memory databases answer "memory" and keep it; files switch to WAL for good.
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    return pragmas


# ----------------------------------------------------------------- schema


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend.

    PostgreSQL stores ``timestamptz``; SQLite has no time zones, so values are stored as
    naive UTC and made aware again on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store aware UTC datetimes only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


#: What no text column may hold: NUL, which PostgreSQL refuses in text, and UTF-16
#: surrogates, which have no UTF-8 form (a Python string holds them only alone, e.g. from a
#: JSON ``"\ud800"`` escape or a lenient decoder).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable_text(value: str) -> str:
    """``value`` with NUL and surrogates replaced by U+FFFD, the replacement character."""
    if value.isascii() and "\x00" not in value:
        return value
    return _UNSTORABLE.sub("\ufffd", value)


class SafeString(TypeDecorator[str]):
    """A string column that every backend accepts whatever a request carried.

    PostgreSQL refuses NUL in text and no driver can encode a lone surrogate, so an
    attacker's display name holding one would turn an analysis into a database error.
    Both become U+FFFD on the way in, on SQLite too, so that both backends store, find and
    answer the same. Comparisons bind through the column's type, so a lookup of a name
    holding NUL finds the row stored for it. Every String column of the models uses it.
    """

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return storable_text(value) if isinstance(value, str) else value


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_name)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class ApiKey(Base):
    """One API key. The key itself is never stored, only its SHA-256 hash.

    Why a plain SHA-256 and not bcrypt/scrypt/Argon2: slow, salted hashes exist to protect
    *low-entropy* secrets (passwords people choose) against guessing after a database leak.
    These keys are 32 bytes from ``secrets`` (256 bits), so guessing a preimage of the hash
    is infeasible at any hashing speed, and rainbow tables are useless for the same reason.
    A fast, unsalted hash also lets a request find its key by an indexed lookup instead of
    running a deliberately slow function against every key on every API call.
    """

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(SafeString(NAME_MAX))
    #: the first characters of the key, shown in listings so people can tell keys apart
    prefix: Mapped[str] = mapped_column(SafeString(PREFIX_LENGTH), index=True)
    #: hex SHA-256 of the whole key
    key_hash: Mapped[str] = mapped_column(SafeString(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: what the key may call: permission names (caveat.identity.permissions), space-separated
    scopes: Mapped[str] = mapped_column(SafeString(), default="", server_default="")
    #: when it stops working; None: never
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """What callers see of a stored key (never the key or its hash)."""

    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    #: the permissions the key grants (names of caveat.identity.permissions)
    scopes: frozenset[str] = frozenset()
    expires_at: datetime | None = None

    @property
    def active(self) -> bool:
        """Not revoked (an expired key is still active in this sense: see :meth:`usable`)."""
        return self.revoked_at is None

    @property
    def admin(self) -> bool:
        """The key grants every permission there is (made with ``--admin``)."""
        return self.scopes >= frozenset(PERMISSIONS)

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at

    def usable(self, now: datetime) -> bool:
        """Neither revoked nor expired at ``now``."""
        return self.active and not self.expired(now)

    @classmethod
    def of(cls, row: ApiKey) -> KeyRecord:
        return cls(
            id=row.id,
            name=row.name,
            prefix=row.prefix,
            created_at=row.created_at,
            last_used_at=row.last_used_at,
            revoked_at=row.revoked_at,
            scopes=frozenset((row.scopes or "").split()),
            expires_at=row.expires_at,
        )


def scopes_text(scopes: frozenset[str]) -> str:
    """How scopes are stored and shown: the names, space-separated, in a stable order."""
    return " ".join(sorted(scopes))


def hash_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


# ----------------------------------------------------------------- migrations


def alembic_config(connection: Any = None, *, url: str | None = None) -> Config:
    """Alembic's configuration, built in code: the scripts ship inside the package and no
    ``alembic.ini`` is needed on disk. Give a live ``connection`` (what :func:`upgrade`
    does) or a ``url`` (for Alembic commands run by hand, see ``migrations/env.py``)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        # configparser interpolation: a literal % in a password must be doubled
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision; a no-op when it is there already.

    Several processes may start at once (gunicorn workers); a lock makes them take turns,
    and the ones that come second find the schema current.
    """
    try:
        with _migration_lock(engine), engine.begin() as connection:
            _no_statement_timeout(connection)
            command.upgrade(alembic_config(connection), "head")
    except CommandError as exc:
        raise StorageError(
            f"cannot migrate {_safe(engine.url)}: {exc} (is the database newer than this "
            "version of caveat?)"
        ) from None
    except SQLAlchemyError as exc:
        raise StorageError(f"cannot migrate {_safe(engine.url)}: {_reason(exc)}") from None


@contextlib.contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    url = engine.url
    if url.get_backend_name() == "postgresql":
        with engine.connect() as conn:
            # Waiting for another process's migration is no slow statement.
            _no_statement_timeout(conn)
            # Any constant shared by every caveat process; released with the connection.
            conn.execute(text("SELECT pg_advisory_lock(7260814)"))
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(7260814)"))
                conn.commit()
        return
    if url.get_backend_name() == "sqlite" and not is_memory_url(url):
        try:
            import fcntl
        except ImportError:  # not on POSIX: no concurrent gunicorn workers there either
            yield
            return
        db_path = Path(url.database or "").expanduser().absolute()
        lock_path = db_path.with_name(db_path.name + ".migrate-lock")
        try:
            fh = lock_path.open("a")
        except OSError as exc:
            raise StorageError(f"cannot open {_safe(url)}: {exc}") from None
        with fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
        return
    yield


def _no_statement_timeout(connection: Any) -> None:
    """Lift the engine's statement_timeout for the rest of this transaction (PostgreSQL):
    migrations may take their time."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SET LOCAL statement_timeout = 0"))


def _reason(exc: SQLAlchemyError) -> str:
    """The driver's own words, first line only (no SQL, no parameters)."""
    orig = getattr(exc, "orig", None)
    text_ = str(orig) if orig is not None else str(exc)
    return text_.strip().splitlines()[0] if text_.strip() else type(exc).__name__


# ----------------------------------------------------------------- the store


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Store:
    """The service's persistent state, behind one engine, with short-lived sessions.

    ``clock`` is injected so tests can move time (``last_used_at`` throttling).
    ``key_cache_seconds`` is how long a verified API key is remembered (0: not at all).
    ``timeout``: how long the server may take to answer any one call of a
    :meth:`session` on PostgreSQL before the connection is cut (give the engine the same,
    see :func:`make_engine`); None: no limit. Database failures, a passed deadline among
    them, surface as :class:`StorageError`.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Clock = _utcnow,
        key_cache_seconds: float = KEY_CACHE_SECONDS,
        timeout: float | None = None,
        watchdog: Watchdog = WATCHDOG,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.timeout = timeout
        self._watchdog = watchdog
        # SQLite is bounded by its busy timeout and never hangs on a network.
        self._deadlines = timeout is not None and engine.dialect.name == "postgresql"
        #: after a session ran out of time, later ones fail at once until a probe answers
        self.outage = Outage(self._probe)
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        # Every API request presents its key; remembering the ones found valid saves a
        # database round trip per request. Only valid keys are remembered, so a new key
        # works at once. Keyed by the key's hash, never the key.
        self._verified: TTLCache[str, KeyRecord] | None = (
            TTLCache(maxsize=1024, ttl=key_cache_seconds, timer=lambda: self.clock().timestamp())
            if key_cache_seconds > 0
            else None
        )
        self._verified_lock = threading.Lock()

    @classmethod
    def from_url(
        cls,
        url: str | URL,
        *,
        clock: Clock = _utcnow,
        key_cache_seconds: float = KEY_CACHE_SECONDS,
        timeout: float | None = None,
        pool_size: int | None = None,
    ) -> Store:
        """A store on a new engine. ``timeout`` and ``pool_size``: see :func:`make_engine`
        (the service passes DATABASE_TIMEOUT_SECONDS and DATABASE_POOL_SIZE; command-line
        tools pass nothing and wait as long as the database takes)."""
        return cls(
            make_engine(url, timeout=timeout, pool_size=pool_size),
            clock=clock,
            key_cache_seconds=key_cache_seconds,
            timeout=timeout,
        )

    @property
    def url(self) -> str:
        return _safe(self.engine.url)

    def upgrade(self) -> None:
        upgrade(self.engine)

    def dispose(self) -> None:
        self.outage.close()
        self.engine.dispose()

    @contextlib.contextmanager
    def session(self, *, timeout: float | None = None) -> Iterator[Session]:
        """A session that commits when the block ends and rolls back on any error.

        On PostgreSQL with a store timeout, the server has that long (or ``timeout``
        seconds, for a statement known to take longer) to answer each call: the
        connection from the pool with its liveness check, every statement, the commit.
        The time runs again from each answer, so many quick statements may together take
        longer. A server that does not answer in time has its connection cut, the block
        raises :class:`StorageError`, and later sessions of this store raise it at once
        until a background probe gets an answer (:class:`~caveat.storage.deadline.Outage`).
        """
        if not self._deadlines:
            with self._session(None) as session:
                yield session
            return
        down = self.outage.since()
        if down is not None:
            raise StorageError(
                f"database unavailable on {self.url}: no answer for {down:.1f} s "
                "(checked again in the background)"
            )
        seconds = timeout if timeout is not None else self.timeout
        assert seconds is not None
        with self._watchdog.armed(seconds) as deadline:
            try:
                with self._session(timeout) as session:
                    yield session
            except StorageError as exc:
                # A busy pool is not a silent server: only time run out talking to it
                # makes the calls after this one fail at once.
                if deadline.expired and not isinstance(exc.__cause__, PoolTimeout):
                    self.outage.begin()
                    raise StorageError(
                        f"database timeout on {self.url}: no answer within {seconds:g} s"
                    ) from exc
                raise

    @contextlib.contextmanager
    def connection(self) -> Iterator[Connection]:
        """A plain Core connection in one transaction (committed when the block ends,
        rolled back on any error), bounded like :meth:`session`: for hot paths that run a
        few statements built once, without an ORM session's cost."""
        if self._deadlines:
            down = self.outage.since()
            if down is not None:
                raise StorageError(
                    f"database unavailable on {self.url}: no answer for {down:.1f} s "
                    "(checked again in the background)"
                )
        armed = (
            self._watchdog.armed(self.timeout)
            if self._deadlines and self.timeout is not None
            else None
        )
        with armed if armed is not None else contextlib.nullcontext() as deadline:
            try:
                with self.engine.begin() as conn:
                    yield conn
            except SQLAlchemyError as exc:
                if deadline is not None and deadline.expired and not isinstance(exc, PoolTimeout):
                    self.outage.begin()
                    raise StorageError(
                        f"database timeout on {self.url}: no answer within {self.timeout:g} s"
                    ) from exc
                raise StorageError(f"database error on {self.url}: {_reason(exc)}") from exc

    def _probe(self) -> None:
        """One liveness check during an outage, with the usual deadline."""
        assert self.timeout is not None
        with self._watchdog.armed(self.timeout), self._session(None) as s:
            s.execute(select(1))

    @contextlib.contextmanager
    def _session(self, statement_seconds: float | None) -> Iterator[Session]:
        try:
            with self._sessions() as session, session.begin():
                if statement_seconds is not None:
                    ms = max(1, round(statement_seconds * STATEMENT_SHARE * 1000))
                    session.execute(text(f"SET LOCAL statement_timeout = {ms}"))
                yield session
        except SQLAlchemyError as exc:
            raise StorageError(f"database error on {self.url}: {_reason(exc)}") from exc

    def ping(self) -> None:
        """Raise :class:`StorageError` unless the database answers."""
        with self.session() as s:
            s.execute(select(1))

    # ------------------------------------------------------------- API keys

    def create_key(
        self,
        name: str,
        *,
        scopes: Iterable[str] | None = None,
        admin: bool = False,
        expires_at: datetime | None = None,
        also: Callable[[Session, KeyRecord], None] | None = None,
    ) -> tuple[KeyRecord, str]:
        """A new key named ``name``: its record, and the key itself.

        ``scopes``: the permissions it grants (names from caveat.identity.permissions; an
        unknown one is a ValueError naming the known ones); ``admin``: every permission,
        whatever ``scopes`` says; neither: :data:`LEGACY_SCOPES`. ``expires_at``: when it
        stops working (timezone-aware, after now), None for never. ``also``: called with
        the session and the new key's record before the commit (an audit row, written in
        the same transaction).

        The key exists only in this return value; the store keeps its hash.
        """
        name = _check_name(name)
        if admin:
            granted = frozenset(PERMISSIONS)
        elif scopes is None:
            granted = LEGACY_SCOPES
        else:
            if isinstance(scopes, str):  # "analyze report" would otherwise be its letters
                scopes = scopes.split()
            granted = check_permissions(scopes)
            if not granted:
                raise ValueError("a key needs at least one scope")
        now = self.clock()
        if expires_at is not None:
            if expires_at.tzinfo is None:
                raise ValueError("a key's expiry must say its time zone")
            if expires_at <= now:
                raise ValueError("a key's expiry must be in the future")
        plaintext = new_key()
        row = ApiKey(
            name=name,
            prefix=plaintext[:PREFIX_LENGTH],
            key_hash=hash_key(plaintext),
            created_at=now,
            scopes=scopes_text(granted),
            expires_at=expires_at,
        )
        with self.session() as s:
            s.add(row)
            s.flush()
            record = KeyRecord.of(row)
            if also is not None:
                also(s, record)
        return record, plaintext

    def list_keys(self, *, include_revoked: bool = True) -> list[KeyRecord]:
        with self.session() as s:
            stmt = select(ApiKey).order_by(ApiKey.id)
            if not include_revoked:
                stmt = stmt.where(ApiKey.revoked_at.is_(None))
            return [KeyRecord.of(r) for r in s.scalars(stmt)]

    def active_keys_named(self, name: str) -> list[KeyRecord]:
        with self.session() as s:
            stmt = (
                select(ApiKey)
                .where(ApiKey.name == name, ApiKey.revoked_at.is_(None))
                .order_by(ApiKey.id)
            )
            return [KeyRecord.of(r) for r in s.scalars(stmt)]

    def find_key(self, id_or_prefix: int | str) -> KeyRecord:
        """The key with this id (digits) or prefix (``cav_...``), revoked or not.

        Raises :class:`KeyNotFound`, or :class:`AmbiguousKey` when a prefix matches several.
        """
        with self.session() as s:
            return KeyRecord.of(self._find(s, id_or_prefix))

    def revoke_key(
        self,
        id_or_prefix: int | str,
        *,
        also: Callable[[Session, KeyRecord], None] | None = None,
    ) -> KeyRecord:
        """Revoke the key with this id (digits) or prefix (``cav_...``) and return it.

        Revoking a revoked key changes nothing and returns it as it is. ``also``: called
        with the session and the revoked key's record before the commit, when this call
        revoked it (an audit row, written in the same transaction).
        Raises :class:`KeyNotFound`, or :class:`AmbiguousKey` when a prefix matches several.
        """
        with self.session() as s:
            row = self._find(s, id_or_prefix)
            revoking = row.revoked_at is None
            if revoking:
                row.revoked_at = self.clock()
            s.flush()
            record = KeyRecord.of(row)
            if revoking and also is not None:
                also(s, record)
        self._forget_verified()
        return record

    def _forget_verified(self) -> None:
        if self._verified is not None:
            with self._verified_lock:
                self._verified.clear()

    @staticmethod
    def _find(s: Session, id_or_prefix: int | str) -> ApiKey:
        ref = str(id_or_prefix).strip()
        if ref.isdigit():
            row = s.get(ApiKey, int(ref))
            if row is None:
                raise KeyNotFound(f"no API key with id {ref}")
            return row
        if not ref:
            raise KeyNotFound("give a key id or prefix")
        rows = list(s.scalars(select(ApiKey).where(ApiKey.prefix == ref[:PREFIX_LENGTH])))
        # A longer reference (the whole key, pasted) must match the key, not only the prefix.
        if len(ref) > PREFIX_LENGTH:
            digest = hash_key(ref)
            rows = [r for r in rows if hmac.compare_digest(r.key_hash, digest)]
        if not rows:
            raise KeyNotFound(f"no API key with prefix {ref[:PREFIX_LENGTH]}")
        if len(rows) > 1:
            ids = ", ".join(str(r.id) for r in rows)
            raise AmbiguousKey(f"several API keys start with {ref}: ids {ids}; give the id")
        return rows[0]

    def verify_key(self, plaintext: str) -> KeyRecord | None:
        """The usable key ``plaintext`` is (known, not revoked, not expired), or None.

        See :meth:`check_key`, which says why a key is refused.
        """
        try:
            return self.check_key(plaintext)
        except KeyRefused:
            return None

    def check_key(self, plaintext: str) -> KeyRecord:
        """The usable key ``plaintext`` is, or :class:`KeyRefused` saying why not.

        Records the use about once a minute (a key remembered from an earlier request is
        not looked up, so ``last_used_at`` may lag by up to a minute plus the cache time).
        A remembered key is checked against its expiry on every call, so none is accepted
        past it.
        """
        if (
            not isinstance(plaintext, str)
            or not plaintext.startswith(KEY_PREFIX)
            or len(plaintext) > 128
            or not plaintext.isascii()
        ):
            raise KeyRefused("unknown", "not an API key of this service")
        digest = hash_key(plaintext)
        now = self.clock()
        if self._verified is not None:
            with self._verified_lock:
                cached = self._verified.get(digest)
                if cached is not None and cached.expired(now):
                    del self._verified[digest]
                    cached = None
            if cached is not None:
                return cached
        with self.session() as s:
            row = s.scalars(select(ApiKey).where(ApiKey.key_hash == digest)).first()
            # The lookup found the row by its hash; compare again in constant time so that
            # nothing (a collation, an index quirk) can make a near match pass.
            if row is None or not hmac.compare_digest(row.key_hash, digest):
                raise KeyRefused("unknown", "not an API key of this service")
            record = KeyRecord.of(row)
        if record.revoked_at is not None:
            raise KeyRefused(
                "revoked", f"API key {record.prefix} was revoked {_moment(record.revoked_at)}"
            )
        if record.expires_at is not None and record.expired(now):
            raise KeyRefused(
                "expired", f"API key {record.prefix} expired {_moment(record.expires_at)}"
            )
        if record.last_used_at is None or now - record.last_used_at >= TOUCH_INTERVAL:
            self._touch(record.id, now)
        if self._verified is not None:
            with self._verified_lock:
                self._verified[digest] = record
        return record

    def _touch(self, key_id: int, now: datetime) -> None:
        """Record a use. A separate short write whose condition makes concurrent requests
        write once; a busy database costs the timestamp, never the request."""
        try:
            with self.session() as s:
                s.execute(
                    update(ApiKey)
                    .where(
                        ApiKey.id == key_id,
                        (ApiKey.last_used_at.is_(None))
                        | (ApiKey.last_used_at <= now - TOUCH_INTERVAL),
                    )
                    .values(last_used_at=now)
                )
        except StorageError as exc:
            log.warning("could not record the use of API key %s: %s", key_id, exc)


def _moment(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _check_name(name: str) -> str:
    if not isinstance(name, str):
        raise ValueError("a key name must be text")
    clean = " ".join(name.split())
    if not clean:
        raise ValueError("a key name must not be empty")
    if len(clean) > NAME_MAX:
        raise ValueError(f"a key name has at most {NAME_MAX} characters")
    if not clean.isprintable():
        raise ValueError("a key name must be printable text")
    return clean
