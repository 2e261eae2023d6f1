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

**Triage.** A report is ``open`` until security staff confirm or dismiss it (who, when).
While it is open, its reporter (by their stable subject) sees the message, and later
messages from the same sender, marked as reported by them (REPORTED_BY_YOU) — nobody else
does. Confirming it turns what the report carried into fraud indicators for everyone
(:mod:`caveat.storage.indicators`): the sender's address, and what the client passed from
the analyze response: the Reply-To addresses, look-alike domains, the accounts (their
opaque reference and masked form, never the number) and phone numbers. Dismissing it
makes none. Both write an audit row in the same transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from sqlalchemy import Integer, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from caveat.identity.principal import Principal
from caveat.knowledge.shared import PendingReport

from .audit import Actor, AuditLog
from .indicators import DerivedKey, IndicatorEntry, NewIndicator, add_in, bump
from .store import Base, SafeString, StorageError, Store, UTCDateTime, storable_text

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
    #: the reporter's stable subject (the principal's), for what only they are shown
    reporter_subject: Mapped[str | None] = mapped_column(
        SafeString(ADDRESS_MAX), nullable=True, index=True
    )
    #: open, confirmed, dismissed
    status: Mapped[str] = mapped_column(SafeString(10), default="open", index=True)
    triaged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    triaged_by: Mapped[str | None] = mapped_column(SafeString(700), nullable=True)
    #: JSON of what confirmation turns into indicators besides the sender (see the module)
    refs: Mapped[str | None] = mapped_column(Text(), nullable=True)


STATUSES = ("open", "confirmed", "dismissed")


@dataclass(frozen=True, slots=True)
class ReportRefs:
    """What a report carries from the analyze response, checked, for its confirmation:
    addresses (Reply-To), domains (look-alikes), accounts as (reference, masked), phones
    (E.164)."""

    addresses: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    accounts: tuple[tuple[str, str], ...] = ()
    phones: tuple[tuple[str, str], ...] = ()  # (E.164, region)
    #: (an account's reference, the reference of another form of it): found by the
    #: service in the reported message, never taken from a client
    account_aliases: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> str | None:
        if not (self.addresses or self.domains or self.accounts or self.phones):
            return None
        return json.dumps(
            {
                "addresses": list(self.addresses),
                "domains": list(self.domains),
                "accounts": [list(a) for a in self.accounts],
                "phones": [list(p) for p in self.phones],
                "account_aliases": [list(a) for a in self.account_aliases],
            }
        )

    @classmethod
    def from_json(cls, text: str | None) -> ReportRefs:
        if not text:
            return cls()
        try:
            d = json.loads(text)
            return cls(
                tuple(d.get("addresses", ())),
                tuple(d.get("domains", ())),
                tuple((a, m) for a, m in d.get("accounts", ())),
                tuple((p, r) for p, r in d.get("phones", ())),
                tuple((a, b) for a, b in d.get("account_aliases", ())),
            )
        except (ValueError, TypeError, AttributeError):
            return cls()

    def as_dict(self) -> dict[str, Any]:
        return {
            "reply_to": list(self.addresses),
            "domains": list(self.domains),
            "accounts": [m for _, m in self.accounts],
            "phones": [p for p, _ in self.phones],
        }


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
    status: str = "open"
    triaged_at: datetime | None = None
    triaged_by: str | None = None
    refs: ReportRefs = field(default_factory=ReportRefs)

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
            status=row.status or "open",
            triaged_at=row.triaged_at,
            triaged_by=row.triaged_by,
            refs=ReportRefs.from_json(row.refs),
        )


def id_hash(key: bytes, value: str) -> str:
    """HMAC-SHA-256 (hex) under ``key`` of an identifier, angle brackets and surrounding
    space removed."""
    data = value.strip().strip("<>").strip().encode("utf-8", "surrogatepass")
    return hmac.new(key, data, hashlib.sha256).hexdigest()


class ReportStore:
    def __init__(self, store: Store) -> None:
        self.store = store
        #: the reports' HMAC key, derived from the deployment's secret
        self.key = DerivedKey(store, REPORT_KEY_LABEL)

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
        reporter_subject: str | None = None,
        refs: ReportRefs | None = None,
    ) -> Report:
        """Record a report, or return the earlier one of the same user for the same message.
        A new report moves the shared knowledge's version (its reporter sees it marked)."""
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
                    reporter_subject=(reporter_subject or None) and reporter_subject[:ADDRESS_MAX],
                    status="open",
                    refs=(refs or ReportRefs()).to_json(),
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
            if row.reporter_subject:
                bump(s, row.reported_at)
            return Report.of(row, created=True)

    def recent(self, limit: int = 100, status: str | None = None) -> list[Report]:
        """The newest reports (of one triage ``status`` when given)."""
        q = select(ReportRow).order_by(ReportRow.reported_at.desc(), ReportRow.id.desc())
        if status is not None:
            q = q.where(ReportRow.status == status)
        with self.store.session() as s:
            rows = s.scalars(q.limit(limit)).all()
            return [Report.of(r, created=False) for r in rows]

    def pending(self) -> Mapping[str, tuple[PendingReport, ...]]:
        """The open reports by their reporter's subject (for what only they are shown)."""
        out: dict[str, list[PendingReport]] = {}
        with self.store.session() as s:
            rows = s.execute(
                select(
                    ReportRow.id,
                    ReportRow.reporter_subject,
                    ReportRow.message_hash,
                    ReportRow.sender,
                    ReportRow.reported_at,
                ).where(ReportRow.status == "open", ReportRow.reporter_subject.is_not(None))
            )
            for rid, subject, message_hash, sender, at in rows:
                if subject:
                    out.setdefault(subject, []).append(PendingReport(rid, message_hash, sender, at))
        return MappingProxyType({k: tuple(v) for k, v in out.items()})

    def get(self, report_id: int) -> Report | None:
        with self.store.session() as s:
            row = s.get(ReportRow, report_id)
            return None if row is None else Report.of(row, created=False)

    def confirm(
        self,
        report_id: int,
        who: Principal | Actor,
        *,
        at: datetime,
        leave_out: Callable[[str, NewIndicator], str] | None = None,
    ) -> Triage:
        """Security confirms an open report: indicators for its sender and what it carried
        (see the module), in the same transaction as the change and its audit row.
        ``leave_out(part, indicator)`` says why one must not become an indicator ("" when
        it may); ``part`` is sender, reply_to, domains, accounts or phones."""
        return self._triage(report_id, who, "confirmed", at, leave_out)

    def dismiss(
        self, report_id: int, who: Principal | Actor, *, at: datetime, note: str = ""
    ) -> Triage:
        """Security dismisses an open report: no indicator; its reporter no longer sees it.
        ``note`` (why) is kept in the audit row."""
        return self._triage(report_id, who, "dismissed", at, note=note)

    def _triage(
        self,
        report_id: int,
        who: Principal | Actor,
        status: str,
        at: datetime,
        leave_out: Callable[[str, NewIndicator], str] | None = None,
        *,
        note: str = "",
    ) -> Triage:
        actor = Actor.of(who)
        with self.store.session() as s:
            row = s.get(ReportRow, report_id)
            if row is None:
                return Triage(None, (), 0, "missing")
            if row.status != "open":
                return Triage(Report.of(row, created=False), (), 0, "already")
            left: list[tuple[str, str]] = []
            row.status = status
            row.triaged_at = at
            row.triaged_by = storable_text(actor.label[:700])
            added: list[IndicatorEntry] = []
            known = 0
            if status == "confirmed":
                items = []
                for part, item in indicators_of(row):
                    reason = leave_out(part, item) if leave_out is not None else ""
                    if reason:
                        left.append((item.shown, reason))
                    else:
                        items.append(item)
                rows, known = add_in(s, who, items, source="report", at=at, report_id=row.id)
                added = [IndicatorEntry.of(r) for r in rows]
            AuditLog.append(
                s,
                who,
                f"report.{'confirm' if status == 'confirmed' else 'dismiss'}",
                str(row.id),
                before={"status": "open"},
                after={
                    "status": status,
                    "sender": row.sender,
                    **({"indicators": [e.id for e in added]} if status == "confirmed" else {}),
                    **({"left_out": [list(x) for x in left]} if left else {}),
                    **({"note": storable_text(note[:500])} if note else {}),
                },
                at=at,
            )
            bump(s, at)
            s.flush()
            return Triage(Report.of(row, created=False), tuple(added), known, "done", tuple(left))


@dataclass(frozen=True, slots=True)
class Triage:
    """What a confirmation or dismissal did: ``outcome`` is done, missing (no such report)
    or already (it was triaged before: nothing changed)."""

    report: Report | None
    indicators: tuple[IndicatorEntry, ...]
    known: int
    outcome: str
    #: (what, why) for each value left out of the indicators
    left_out: tuple[tuple[str, str], ...] = ()


def indicators_of(row: ReportRow) -> list[tuple[str, NewIndicator]]:
    """What confirming the report ``row`` makes indicators of, by part (sender, Reply-To,
    domain, account, phone), before any is left out."""
    refs = ReportRefs.from_json(row.refs)
    when = row.reported_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    note = f"reported by {row.reporter or 'a colleague'}, {when} (report {row.id})"
    out = []
    if "@" in row.sender:
        out.append(("sender", NewIndicator("address", row.sender, row.sender, note)))
    out += [("reply_to", NewIndicator("address", a, a, note)) for a in refs.addresses]
    out += [("domains", NewIndicator("domain", d, d, note)) for d in refs.domains]
    out += [
        (
            "accounts",
            NewIndicator(
                "account",
                ref,
                masked,
                note,
                tuple(alias for of, alias in refs.account_aliases if of == ref),
            ),
        )
        for ref, masked in refs.accounts
    ]
    out += [("phones", NewIndicator("phone", p, p, note, region=r)) for p, r in refs.phones]
    return out
