"""Repeated warnings: which reader had which caution from which sender lately, so that the
same warning is said once in full and summarised after (migration 0018).

One row per (reader, sender, findings):

===========  ===========================================================================
column       holds
===========  ===========================================================================
viewer       SHA-256 of the reader's stable subject (the identity provider's id): the
             row says nothing about who it is without that id
sender       the From address, folded
signature    SHA-256 of the level and the sorted finding ids: "the same warning"
first_at     when the first of these messages was warned about (this run of them)
last_at      when the latest was
count        how many different messages of this run
messages     the first :data:`MESSAGES_MAX` of them, in the order they came, as short
             hashes of their keys (Message-ID, or conversation, author, date and subject)
===========  ===========================================================================

No subject, body or text of a message is kept. A run ends when nothing of it came for
:data:`WINDOW`; the next message starts a new one. The retention sweep drops rows whose
last message is older than the window.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Integer, String
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from .records import ADDRESS_MAX
from .store import Base, SafeString, Store, UTCDateTime

#: How long a run of the same warning lasts without a new message of it.
WINDOW = timedelta(days=7)
#: Messages of a run kept by hash (later ones are counted only).
MESSAGES_MAX = 32
_HASH_CHARS = 16


class WarningRepeatRow(Base):
    __tablename__ = "warning_repeats"

    viewer: Mapped[str] = mapped_column(String(64), primary_key=True)
    sender: Mapped[str] = mapped_column(SafeString(ADDRESS_MAX), primary_key=True)
    signature: Mapped[str] = mapped_column(String(64), primary_key=True)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_at: Mapped[datetime] = mapped_column(UTCDateTime())
    count: Mapped[int] = mapped_column(Integer(), default=0)
    messages: Mapped[str] = mapped_column(String(MESSAGES_MAX * (_HASH_CHARS + 1)), default="")


@dataclass(frozen=True, slots=True)
class Earlier:
    """The earlier messages of a run: how many, and when the first came."""

    count: int
    since: datetime


def _h(text: str, n: int = 64) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:n]


def signature(level: str, finding_ids: list[str] | tuple[str, ...]) -> str:
    return _h(level + "|" + ",".join(sorted(set(finding_ids))))


def note(
    store: Store,
    viewer: str,
    sender: str,
    sig: str,
    message_key: str,
    now: datetime,
) -> Earlier | None:
    """Record that ``viewer`` was warned (``sig``) about a message from ``sender``; the
    earlier messages of the run, or None when this one is the first (a message opened
    again keeps its place: only those that came before it are earlier)."""
    key = (_h(viewer), sender[:ADDRESS_MAX], sig)
    mine = _h(message_key, _HASH_CHARS)
    for attempt in (1, 2):
        try:
            with store.session() as s:
                row = s.get(WarningRepeatRow, key)
                if row is None:
                    s.add(
                        WarningRepeatRow(
                            viewer=key[0], sender=key[1], signature=key[2], first_at=now,
                            last_at=now, count=1, messages=mine,
                        )
                    )
                    return None
                seen = row.messages.split()
                if row.last_at < now - WINDOW:
                    row.first_at, row.last_at, row.count, row.messages = now, now, 1, mine
                    return None
                if mine in seen:
                    place = seen.index(mine)
                    return Earlier(place, row.first_at) if place else None
                earlier = Earlier(row.count, row.first_at)
                row.count += 1
                row.last_at = max(row.last_at, now)
                if len(seen) < MESSAGES_MAX:
                    row.messages = " ".join([*seen, mine])
                return earlier
        except IntegrityError:
            # another process made the row first: read it again
            if attempt == 2:
                raise
    return None
