"""Retention: how long each kind of stored row is kept, and the sweep that removes the rest.

=========================================  =========================================
rows                                       kept
=========================================  =========================================
conversations, conversation_keys,          until the conversation was last seen more
conversation_people, conversation_text     than ``memory_days`` ago (MEMORY_RETENTION_DAYS,
                                           400 by default)
contacts (senders seen, colleagues'        until last seen more than ``memory_days`` ago
names)
correspondent_domains, learned_accounts   until last seen more than ``memory_days`` ago
(frequent correspondents; accounts
learned, keyed hashes)
reports                                    ``report_days`` after the report
                                           (REPORT_RETENTION_DAYS, 730)
api_keys                                   while active; ``revoked_key_days`` after
                                           revocation (REVOKED_KEY_RETENTION_DAYS, 90)
warning_tally (the overview's daily        ``tally_days`` after its day
counts)                                    (WARNING_TALLY_RETENTION_DAYS, 400)
warning_repeats (which reader had which    a week after its latest message (a run of
caution from whom lately)                  the same warning ends then)
console_sessions (the admin console's)     until signed out or past their absolute end
console_signins (sign-ins under way)       until they lapse (minutes)
console_links (first-run links)            until past their time, used or not
console_forms (one-time form ids)          until their session's end, used or not
partners and their domains, contacts,      until an administrator changes the directory:
accounts; directory_state                  it is configuration, not observation
memory_secret, maintenance                 one row each, for good
=========================================  =========================================

The sweep runs on its own inside the service (:class:`Sweeper`): after a request, a worker
compares the clock with the time of its next check, which costs nothing; once per
``interval`` it starts a background thread that tries to *claim* the sweep with a
conditional UPDATE of the ``maintenance`` row (``due_at <= now`` moved to ``now +
interval``). Only one process of all the workers and nodes on one database wins per
interval; the others change nothing. The winner deletes in batches of at most ``batch``
rows, each batch its own short transaction, so that a sweep never holds a lock for long,
and stops after ``budget_seconds`` (what is left goes with the next sweep). A failure is
logged by its kind only and never reaches a request. ``caveat database prune`` runs the
same sweep at once and prints what it deleted.

The lease is read against each process's clock: nodes must keep their clocks in time
(NTP), or a node ahead of the others may sweep a little early. Nothing worse follows: two
sweeps at once delete the same rows twice over, which deletes nothing more.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from .console import (
    ConsoleFormRow,
    ConsoleLinkRow,
    ConsoleSessionRow,
    ConsoleSigninRow,
    form_lapsed,
    link_spent,
    session_ended,
    signin_lapsed,
)
from .indicators import bump
from .records import (
    ContactRow,
    ConversationKeyRow,
    ConversationPersonRow,
    ConversationRow,
    ConversationTextRow,
    CorrespondentDomainRow,
    LearnedAccountRow,
)
from .repeats import WINDOW, WarningRepeatRow
from .reports import ReportRow
from .stats import WarningTallyRow
from .store import ApiKey, Base, SafeString, StorageError, Store, UTCDateTime, is_memory_url

log = logging.getLogger(__name__)

#: The ``maintenance`` row of the retention sweep.
RETENTION_JOB = "retention"
#: ``due_at`` of a job that never ran: due at once.
NEVER = datetime(1970, 1, 1, tzinfo=UTC)


class MaintenanceRow(Base):
    """A recurring job shared by every process on the database (migration 0005)."""

    __tablename__ = "maintenance"

    name: Mapped[str] = mapped_column(SafeString(40), primary_key=True)
    #: the lease: no process starts the job before this time; claiming moves it forward
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


@dataclass(frozen=True, slots=True)
class Retention:
    """How long rows are kept and how the sweep runs (see the module's docstring)."""

    #: A year and a month: a partner who writes once a year (an annual invoice, a renewal,
    #: the audit season) is still known when the next year's message comes; someone not
    #: seen for longer is forgotten.
    memory_days: int = 400
    #: Two years: reports are the administrators' evidence of attempts, and a fraudster's
    #: address comes back over months; the reported_sender check warns colleagues with them.
    report_days: int = 730
    #: A quarter: long enough to answer "which key was that, and when was it last used"
    #: after an incident; the hash of a revoked key opens nothing.
    revoked_key_days: int = 90
    #: A year and a month, like the memory: the overview shows at most 90 days, and a
    #: year's counts answer "is this month worse than the same month last year".
    tally_days: int = 400
    #: How often the sweep may run (over all processes on the database).
    interval: timedelta = timedelta(hours=1)
    #: Rows deleted per statement and transaction.
    batch: int = 500
    #: Seconds one sweep may take before it leaves the rest to the next one (None: no end).
    budget_seconds: float | None = 60.0

    def __post_init__(self) -> None:
        for name in ("memory_days", "report_days", "revoked_key_days", "tally_days", "batch"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.interval <= timedelta(0):
            raise ValueError("interval must be positive")


@dataclass
class SweepResult:
    """Rows deleted, by table, and whether the sweep got through everything due."""

    deleted: dict[str, int] = field(default_factory=dict)
    complete: bool = True

    @property
    def total(self) -> int:
        return sum(self.deleted.values())


# ----------------------------------------------------------------- the claim


def claim(store: Store, interval: timedelta, *, force: bool = False) -> bool:
    """Whether this process may sweep now. It may when the job is due (or ``force``, for
    the command line); the claim moves the due time ``interval`` ahead in the same
    conditional UPDATE, so that of several processes asking at once exactly one wins."""
    now = store.clock()
    with store.session() as s:
        _insert_ignore(s, {"name": RETENTION_JOB, "due_at": NEVER})
        stmt = update(MaintenanceRow).where(MaintenanceRow.name == RETENTION_JOB)
        if not force:
            stmt = stmt.where(MaintenanceRow.due_at <= now)
        result = s.execute(
            stmt.values(due_at=now + interval, started_at=now).execution_options(
                synchronize_session=False
            )
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def _insert_ignore(s: Session, values: dict[str, Any]) -> None:
    dialect = s.get_bind().dialect.name
    ins = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(MaintenanceRow)
    s.execute(ins.values(**values).on_conflict_do_nothing())


def _finished(store: Store) -> None:
    with store.session() as s:
        s.execute(
            update(MaintenanceRow)
            .where(MaintenanceRow.name == RETENTION_JOB)
            .values(finished_at=store.clock())
            .execution_options(synchronize_session=False)
        )


def last_run(store: Store) -> tuple[datetime | None, datetime | None, datetime | None]:
    """When the sweep last started and finished, and when it is next due."""
    with store.session() as s:
        row = s.get(MaintenanceRow, RETENTION_JOB)
        if row is None:
            return None, None, None
        return row.started_at, row.finished_at, row.due_at


# ----------------------------------------------------------------- the sweep


@dataclass(frozen=True)
class _Step:
    name: str
    model: type[Base]
    key: Sequence[Any]  # the columns that name one row
    due: ColumnElement[bool]  # which rows are past their retention
    #: run in the deleting transaction when a batch deleted rows
    then: Callable[[Session], None] | None = None


def _steps(now: datetime, retention: Retention) -> list[_Step]:
    memory = now - timedelta(days=retention.memory_days)
    expired = select(ConversationRow.id).where(ConversationRow.last_seen_at < memory)
    return [
        # A conversation's rows first, then the conversation: no batch waits on a cascade.
        _Step(
            "conversation_text",
            ConversationTextRow,
            (ConversationTextRow.id,),
            ConversationTextRow.conversation_id.in_(expired),
        ),
        _Step(
            "conversation_keys",
            ConversationKeyRow,
            (ConversationKeyRow.key_hash, ConversationKeyRow.conversation_id),
            ConversationKeyRow.conversation_id.in_(expired),
        ),
        _Step(
            "conversation_people",
            ConversationPersonRow,
            (ConversationPersonRow.id,),
            ConversationPersonRow.conversation_id.in_(expired),
        ),
        _Step(
            "conversations",
            ConversationRow,
            (ConversationRow.id,),
            ConversationRow.last_seen_at < memory,
        ),
        _Step("contacts", ContactRow, (ContactRow.address,), ContactRow.last_seen < memory),
        _Step(
            "correspondent_domains",
            CorrespondentDomainRow,
            (CorrespondentDomainRow.domain,),
            CorrespondentDomainRow.last_seen < memory,
        ),
        _Step(
            "learned_accounts",
            LearnedAccountRow,
            (LearnedAccountRow.owner_hash, LearnedAccountRow.digest),
            LearnedAccountRow.last_seen < memory,
        ),
        _Step(
            "reports",
            ReportRow,
            (ReportRow.id,),
            ReportRow.reported_at < now - timedelta(days=retention.report_days),
            # an open report shows to its reporter (REPORTED_BY_YOU) until the shared
            # knowledge is read again: its going is a change of that knowledge
            then=bump,
        ),
        _Step(
            "api_keys",
            ApiKey,
            (ApiKey.id,),
            ApiKey.revoked_at.is_not(None)
            & (ApiKey.revoked_at < now - timedelta(days=retention.revoked_key_days)),
        ),
        _Step(
            "warning_tally",
            WarningTallyRow,
            (WarningTallyRow.day, WarningTallyRow.kind, WarningTallyRow.key),
            # a day is kept whole: the first day to go is the one ``tally_days`` before today
            WarningTallyRow.day
            <= (now.astimezone(UTC) - timedelta(days=retention.tally_days)).date(),
        ),
        _Step(
            "warning_repeats",
            WarningRepeatRow,
            (WarningRepeatRow.viewer, WarningRepeatRow.sender, WarningRepeatRow.signature),
            WarningRepeatRow.last_at < now - WINDOW,
        ),
        # The console's rows that open nothing any more (the same conditions as
        # ConsoleStore.prune): they are kept no longer than they work.
        _Step("console_sessions", ConsoleSessionRow, (ConsoleSessionRow.id,), session_ended(now)),
        _Step(
            "console_signins",
            ConsoleSigninRow,
            (ConsoleSigninRow.state_hash,),
            signin_lapsed(now),
        ),
        _Step("console_links", ConsoleLinkRow, (ConsoleLinkRow.id,), link_spent(now)),
        _Step("console_forms", ConsoleFormRow, (ConsoleFormRow.form_hash,), form_lapsed(now)),
    ]


def _delete_batch(store: Store, step: _Step, batch: int) -> tuple[int, bool]:
    """Delete at most ``batch`` rows that are due; returns how many, and whether more
    may be due."""
    with store.session() as s:
        rows = s.execute(select(*step.key).where(step.due).limit(batch)).all()
        if not rows:
            return 0, False
        if len(step.key) == 1:
            which = step.key[0].in_([r[0] for r in rows])
        else:
            which = tuple_(*step.key).in_([tuple(r) for r in rows])
        # ``due`` again: a row that became current since the SELECT stays.
        result = s.execute(
            delete(step.model).where(which, step.due).execution_options(synchronize_session=False)
        )
        deleted = int(result.rowcount or 0)  # type: ignore[attr-defined]
        if deleted and step.then is not None:
            step.then(s)
        return deleted, len(rows) >= batch


def sweep(
    store: Store,
    retention: Retention,
    *,
    budget_seconds: float | None = None,
    monotonic: Callable[[], float] = time.monotonic,
) -> SweepResult:
    """Delete every row past its retention, in batches; ``budget_seconds`` (None: the
    retention's) bounds the time, and the result says when it ran out first."""
    budget = retention.budget_seconds if budget_seconds is None else budget_seconds
    started = monotonic()
    result = SweepResult()
    for step in _steps(store.clock(), retention):
        result.deleted[step.name] = 0
        more = True
        while more:
            if budget is not None and monotonic() - started > budget:
                result.complete = False
                return result
            count, more = _delete_batch(store, step, retention.batch)
            result.deleted[step.name] += count
    return result


def run(store: Store, retention: Retention, *, force: bool = False) -> SweepResult | None:
    """Claim the sweep and run it: None when it is not due or another process claimed it.
    ``force`` (the command line) sweeps now, to the end, whatever the lease says."""
    if not claim(store, retention.interval, force=force):
        return None
    result = sweep(store, retention, budget_seconds=float("inf") if force else None)
    _finished(store)
    return result


# ----------------------------------------------------------------- in the service


class Sweeper:
    """Starts the sweep from inside the service, at most once per interval per process.

    :meth:`poke` is called after every request: it reads the store's clock and compares it
    with the next check's time, and does more only when that has come (then it starts a
    thread, so the request that happened to be the one does not wait). On an in-memory
    SQLite database (tests, a throw-away demo), whose one connection threads must not
    share, the sweep runs in the calling thread instead.
    """

    def __init__(self, store: Store, retention: Retention, *, background: bool | None = None):
        self.store = store
        self.retention = retention
        self.background = not is_memory_url(store.engine.url) if background is None else background
        self.last: SweepResult | None = None
        self._next_check: datetime | None = None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def poke(self) -> None:
        """Check whether a sweep is due; never raises."""
        try:
            now = self.store.clock()
            due = self._next_check
            if due is not None and now < due:
                return
            with self._lock:
                if self._thread is not None and self._thread.is_alive():
                    return
                if self._next_check is not None and now < self._next_check:
                    return
                self._next_check = now + self.retention.interval
                if self.background:
                    self._thread = threading.Thread(
                        target=self._run, name="caveat-retention", daemon=True
                    )
                    self._thread.start()
                    return
            self._run()
        except Exception as exc:  # the request that poked must never see it
            log.warning("retention sweep not started: %s", type(exc).__name__)

    def _run(self) -> None:
        try:
            result = run(self.store, self.retention)
        except StorageError as exc:
            log.warning("retention sweep failed: %s", exc)
            return
        except Exception as exc:
            log.warning("retention sweep failed: %s", type(exc).__name__)
            return
        if result is None:
            return
        self.last = result
        if result.total or not result.complete:
            log.info(
                "retention sweep deleted %d rows (%s)%s",
                result.total,
                ", ".join(f"{k} {v}" for k, v in result.deleted.items() if v),
                "" if result.complete else "; the rest goes with the next sweep",
            )

    def join(self, timeout: float | None = None) -> None:
        """Wait for a sweep this process started (for tests and shutdown)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
