"""Messages that users reported as fraud from the add-in (the pane's **Report** action).

A report keeps what an administrator needs to act and what a later ``reported_sender``
check needs to warn colleagues: who sent the message (the From address), a keyed hash of
its Message-ID and of the client's conversation id (HMAC-SHA-256 under a key derived from
the deployment's secret: enough to recognise the same message or thread again, not to
read it, nor to confirm a guessed id without the secret), the level and finding ids Caveat
had shown, who reported it and when, and through which API key. Nothing of the message's
content: no subject, no body.

The same user reporting the same message twice makes one report. Reports made before
migration 0005 hold plain SHA-256 hashes, which cannot be re-keyed: such a report is not
recognised as the same when the message is reported again, and goes with retention
(REPORT_RETENTION_DAYS, :mod:`caveat.storage.retention`).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from .records import deployment_secret
from .store import Base, SafeString, StorageError, Store, UTCDateTime

ADDRESS_MAX = 320
IDS_MAX = 1000
#: The label under which the reports' HMAC key is derived from the deployment's secret.
REPORT_KEY_LABEL = b"caveat report ids v1"


class ReportRow(Base):
    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("message_hash", "reporter"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    sender: Mapped[str] = mapped_column(SafeString(ADDRESS_MAX), index=True)
    #: HMAC-SHA-256 of the Message-ID without angle brackets (of the report itself when
    #: absent), under the key derived with REPORT_KEY_LABEL
    message_hash: Mapped[str] = mapped_column(SafeString(64))
    conversation_hash: Mapped[str | None] = mapped_column(SafeString(64), nullable=True)
    level: Mapped[str | None] = mapped_column(SafeString(10), nullable=True)
    #: comma-separated finding ids shown when the message was reported
    finding_ids: Mapped[str] = mapped_column(SafeString(IDS_MAX), default="")
    #: the reporting user's address, as the mail client gives it ("" when unknown)
    reporter: Mapped[str] = mapped_column(SafeString(ADDRESS_MAX), default="")
    key_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


@dataclass(frozen=True, slots=True)
class Report:
    id: int
    reported_at: datetime
    sender: str
    message_hash: str
    conversation_hash: str | None
    level: str | None
    finding_ids: tuple[str, ...]
    reporter: str
    created: bool

    @classmethod
    def of(cls, row: ReportRow, *, created: bool) -> Report:
        return cls(
            id=row.id,
            reported_at=row.reported_at,
            sender=row.sender,
            message_hash=row.message_hash,
            conversation_hash=row.conversation_hash,
            level=row.level,
            finding_ids=tuple(i for i in row.finding_ids.split(",") if i),
            reporter=row.reporter,
            created=created,
        )


def id_hash(key: bytes, value: str) -> str:
    """HMAC-SHA-256 (hex) under ``key`` of an identifier, angle brackets and surrounding
    space removed."""
    data = value.strip().strip("<>").strip().encode("utf-8", "surrogatepass")
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def report_key(secret: bytes) -> bytes:
    """The reports' HMAC key, derived from the deployment's secret."""
    return hmac.new(secret, REPORT_KEY_LABEL, hashlib.sha256).digest()


class ReportStore:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._key: bytes | None = None

    def key(self) -> bytes:
        if self._key is None:
            with self.store.session() as s:
                self._key = report_key(deployment_secret(s))
        return self._key

    def add(
        self,
        *,
        sender: str,
        message_id: str | None,
        conversation_id: str | None,
        level: str | None,
        finding_ids: list[str],
        reporter: str | None,
        key_id: int | None,
        at: datetime,
    ) -> Report:
        """Record a report, or return the earlier one of the same user for the same message."""
        reporter = (reporter or "").strip().lower()[:ADDRESS_MAX]
        sender = sender.strip().lower()[:ADDRESS_MAX]
        key = self.key()
        message_hash = (
            id_hash(key, message_id)
            if message_id and message_id.strip("<> ")
            else id_hash(key, f"{sender}|{reporter}|{at.isoformat()}")
        )
        earlier = self._find(message_hash, reporter)
        if earlier is not None:
            return earlier
        try:
            return self._insert(
                ReportRow(
                    reported_at=at,
                    sender=sender,
                    message_hash=message_hash,
                    conversation_hash=id_hash(key, conversation_id) if conversation_id else None,
                    level=level,
                    finding_ids=",".join(finding_ids)[:IDS_MAX],
                    reporter=reporter,
                    key_id=key_id,
                )
            )
        except StorageError:
            # The same report, sent twice at once, was stored by the other request.
            earlier = self._find(message_hash, reporter)
            if earlier is None:
                raise
            return earlier

    def _find(self, message_hash: str, reporter: str) -> Report | None:
        with self.store.session() as s:
            row = s.scalars(
                select(ReportRow).where(
                    ReportRow.message_hash == message_hash, ReportRow.reporter == reporter
                )
            ).first()
            return None if row is None else Report.of(row, created=False)

    def _insert(self, row: ReportRow) -> Report:
        with self.store.session() as s:
            s.add(row)
            s.flush()
            return Report.of(row, created=True)

    def recent(self, limit: int = 100) -> list[Report]:
        with self.store.session() as s:
            rows = s.scalars(
                select(ReportRow).order_by(ReportRow.reported_at.desc(), ReportRow.id.desc())
                .limit(limit)
            ).all()
            return [Report.of(r, created=False) for r in rows]
