"""The warning tally: how many warned messages each day, by level, check family, internal
recipient and imitated partner (migration 0013), and the counts the overview reads.

One row per (day, kind, key) with a count:

=========  ==============================================================================
kind       key
=========  ==============================================================================
level      ``caution`` or ``danger``: the message's level (``none`` and ``info`` are not
           warnings and are not counted)
family     a check family (PRODUCT.md) with a finding at caution or danger in the message
recipient  an internal To or Cc address of a message at caution or danger
partner    a directory organisation the message imitated or came as
=========  ==============================================================================

Nothing else of a message is kept: no subject, body, sender or free text. The counts are
added (:func:`add`) by :class:`caveat.service.stats.WarningTally`, which gathers them in
memory and writes them in one upsert per interval, off the requests' path. The retention
sweep drops rows older than ``WARNING_TALLY_RETENTION_DAYS``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Date, Integer, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from .records import ADDRESS_MAX, ORG_MAX
from .reports import ReportRow
from .store import Base, SafeString, Store
from .verifications import PENDING, AccountApprovalRow, VerificationRow

KINDS = ("level", "family", "recipient", "partner")
#: The longest key: an address (320) or an organisation (300).
KEY_MAX = max(ADDRESS_MAX, ORG_MAX)
#: Rows per upsert statement.
CHUNK = 500

#: (day, kind, key) -> how many to add
Counts = Mapping[tuple[date, str, str], int]


class WarningTallyRow(Base):
    """How many warned messages of a day had this level, family, recipient or partner."""

    __tablename__ = "warning_tally"

    day: Mapped[date] = mapped_column(Date(), primary_key=True)
    kind: Mapped[str] = mapped_column(SafeString(10), primary_key=True)
    key: Mapped[str] = mapped_column(SafeString(KEY_MAX), primary_key=True)
    count: Mapped[int] = mapped_column(Integer(), default=0)


def add(store: Store, counts: Counts) -> None:
    """Add ``counts`` to the tally in one transaction: a row that exists grows, one that
    does not is made (one upsert per :data:`CHUNK` rows, on SQLite and PostgreSQL)."""
    rows = [
        {"day": day, "kind": kind, "key": key[:KEY_MAX], "count": n}
        for (day, kind, key), n in sorted(counts.items())
        if n > 0 and kind in KINDS
    ]
    if not rows:
        return
    with store.session() as s:
        dialect = s.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        for i in range(0, len(rows), CHUNK):
            stmt = insert(WarningTallyRow).values(rows[i : i + CHUNK])
            s.execute(
                stmt.on_conflict_do_update(
                    index_elements=["day", "kind", "key"],
                    set_={"count": WarningTallyRow.count + stmt.excluded.count},
                )
            )


def daily(store: Store, kind: str, since: date, until: date) -> dict[date, dict[str, int]]:
    """Each day's counts of one kind, ``since`` to ``until`` inclusive (days without any
    count are absent)."""
    out: dict[date, dict[str, int]] = {}
    with store.session() as s:
        q = select(WarningTallyRow.day, WarningTallyRow.key, WarningTallyRow.count).where(
            WarningTallyRow.kind == kind,
            WarningTallyRow.day >= since,
            WarningTallyRow.day <= until,
        )
        for day, key, count in s.execute(q):
            out.setdefault(day, {})[key] = count
    return out


def top(
    store: Store, kind: str, since: date, until: date, limit: int = 10
) -> list[tuple[str, int]]:
    """The ``limit`` keys of one kind with the highest total over the days, highest first
    (ties by key)."""
    total = func.sum(WarningTallyRow.count)
    with store.session() as s:
        q = (
            select(WarningTallyRow.key, total)
            .where(
                WarningTallyRow.kind == kind,
                WarningTallyRow.day >= since,
                WarningTallyRow.day <= until,
            )
            .group_by(WarningTallyRow.key)
            .order_by(total.desc(), WarningTallyRow.key)
            .limit(limit)
        )
        return [(key, int(n)) for key, n in s.execute(q)]


@dataclass(frozen=True, slots=True)
class Queues:
    """What waits for someone: reports not yet triaged, denials of an account that block it
    until an administrator clears them, account approvals not yet decided."""

    open_reports: int
    standing_denials: int
    pending_approvals: int


def queues(store: Store) -> Queues:
    with store.session() as s:
        reports = s.scalar(select(func.count()).where(ReportRow.status == "open"))
        denials = s.scalar(
            select(func.count()).where(
                VerificationRow.outcome == "denied", VerificationRow.cleared_at.is_(None)
            )
        )
        approvals = s.scalar(select(func.count()).where(AccountApprovalRow.status == PENDING))
    return Queues(int(reports or 0), int(denials or 0), int(approvals or 0))
