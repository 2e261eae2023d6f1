"""Fraud indicators and the version of everything colleagues share.

An indicator is one address, domain, bank account or phone number known to be used for
fraud: imported from a list a bank or sector ISAC shares (``caveat intel import``, ``POST
/api/v1/indicators/import``), added one by one through the API, or made when security
confirms a user's report or a finance user's call to a partner denies a bank change. It
keeps who added it and when (what the ``reported_sender`` finding says), an optional
expiry, and is removed by marking it (who, when), never deleted: the audit log and
a later look at what was known stay whole.

Accounts are never stored in clear: the value kept is the keyed hash
(:func:`caveat.knowledge.shared.account_ref` under :func:`account_ref_key`) and the
masked form; a British IBAN also keeps the hash of its sort code and account number.

``knowledge_state.version`` goes up with every change here, in reports, and in the
verifications (:func:`bump`, in the change's own transaction): every process compares it
at most every few seconds and reloads its :class:`~caveat.knowledge.shared.
SharedKnowledge` snapshot when it moved (:mod:`caveat.service.knowledge`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from sqlalchemy import Integer, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from caveat.identity.principal import Principal
from caveat.knowledge.indicators_csv import IndicatorValue, ParsedIndicator
from caveat.knowledge.memory import derive_key
from caveat.knowledge.shared import Indicator, SharedKnowledge, account_ref

from .audit import Actor, AuditLog
from .records import deployment_secret
from .store import Base, SafeString, Store, UTCDateTime, storable_text

#: The label under which the accounts' HMAC key is derived from the deployment's secret.
ACCOUNT_KEY_LABEL = b"caveat account refs v1"
VALUE_MAX = 320
ALIASES_MAX = 400
NOTE_MAX = 300
BY_MAX = 700
SUBJECT_MAX = 320


class IndicatorRow(Base):
    __tablename__ = "indicators"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: address, domain, account, phone
    kind: Mapped[str] = mapped_column(SafeString(16), index=True)
    #: the comparison form (an account's keyed hash)
    value: Mapped[str] = mapped_column(SafeString(VALUE_MAX), index=True)
    #: other comparison forms, comma-separated (a British IBAN's sort code and account)
    aliases: Mapped[str] = mapped_column(SafeString(ALIASES_MAX), default="")
    #: what evidence shows (an account masked)
    shown: Mapped[str] = mapped_column(SafeString(VALUE_MAX))
    #: a phone number's country (ISO 3166), "" otherwise
    region: Mapped[str] = mapped_column(SafeString(8), default="")
    note: Mapped[str] = mapped_column(SafeString(NOTE_MAX), default="")
    #: import, report, verification, api
    source: Mapped[str] = mapped_column(SafeString(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    created_by_subject: Mapped[str] = mapped_column(SafeString(SUBJECT_MAX))
    created_by: Mapped[str] = mapped_column(SafeString(BY_MAX))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    removed_by: Mapped[str | None] = mapped_column(SafeString(BY_MAX), nullable=True)
    #: the report whose confirmation made it
    report_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class KnowledgeStateRow(Base):
    __tablename__ = "knowledge_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


def account_ref_key(secret: bytes) -> bytes:
    """The accounts' HMAC key, derived from the deployment's secret."""
    return derive_key(secret, ACCOUNT_KEY_LABEL)


class DerivedKey:
    """The key of one use (``label``) of the deployment's secret (:func:`derive_key`), read
    from ``store`` the first time it is asked for (the secret is made then if need be)."""

    def __init__(self, store: Store, label: bytes) -> None:
        self.store = store
        self.label = label
        self._key: bytes | None = None

    def __call__(self) -> bytes:
        if self._key is None:
            with self.store.session() as s:
                self._key = derive_key(deployment_secret(s), self.label)
        return self._key


def stamp(at: datetime) -> str:
    """``at`` as the API's JSON writes a stored moment: UTC to the second, ``Z``."""
    return at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def bump(s: Session, now: datetime | None = None) -> None:
    """The shared knowledge changed (in the caller's transaction ``s``)."""
    now = now or datetime.now(UTC)
    state = s.get(KnowledgeStateRow, 1)
    if state is None:
        s.add(KnowledgeStateRow(id=1, version=1, updated_at=now))
    else:
        state.version += 1
        state.updated_at = now


def knowledge_version(s: Session) -> int:
    v = s.scalar(select(KnowledgeStateRow.version).where(KnowledgeStateRow.id == 1))
    return int(v or 0)


@dataclass(frozen=True, slots=True)
class NewIndicator:
    """An indicator about to be stored, in its stored forms (an account already hashed)."""

    kind: str
    value: str
    shown: str
    note: str = ""
    aliases: tuple[str, ...] = ()
    region: str = ""

    @classmethod
    def of(cls, value: IndicatorValue, key: bytes, note: str = "") -> NewIndicator:
        """A checked value; an account's clear key and aliases become hashes under ``key``."""
        if value.kind == "account":
            return cls(
                "account",
                account_ref(key, value.value),
                value.shown,
                note,
                tuple(account_ref(key, a) for a in value.aliases),
            )
        return cls(value.kind, value.value, value.shown, note, value.aliases, value.region)


@dataclass(frozen=True, slots=True)
class IndicatorEntry:
    """An indicator as listed (``caveat intel list``, ``GET /api/v1/indicators``)."""

    id: int
    kind: str
    shown: str
    note: str
    source: str
    created_at: datetime
    created_by: str
    expires_at: datetime | None
    removed_at: datetime | None
    removed_by: str | None
    report_id: int | None

    @classmethod
    def of(cls, row: IndicatorRow) -> IndicatorEntry:
        return cls(
            row.id,
            row.kind,
            row.shown,
            row.note,
            row.source,
            row.created_at,
            row.created_by,
            row.expires_at,
            row.removed_at,
            row.removed_by,
            row.report_id,
        )

    def state(self, now: datetime) -> str:
        if self.removed_at is not None:
            return "removed"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"

    def as_json(self, now: datetime) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "value": self.shown,
            "note": self.note,
            "source": self.source,
            "created_at": stamp(self.created_at),
            "created_by": self.created_by,
            "expires_at": stamp(self.expires_at) if self.expires_at else None,
            "removed_at": stamp(self.removed_at) if self.removed_at else None,
            "removed_by": self.removed_by,
            "report_id": self.report_id,
            "state": self.state(now),
        }


@dataclass(frozen=True, slots=True)
class ImportResult:
    added: tuple[int, ...]
    #: values already held by a live indicator of the same kind (not added again)
    known: int


def _audit_state(row: IndicatorRow) -> dict[str, Any]:
    return {
        "kind": row.kind,
        "value": row.shown,
        "note": row.note,
        "source": row.source,
        "expires_at": stamp(row.expires_at) if row.expires_at else None,
        **({"report": row.report_id} if row.report_id is not None else {}),
    }


def add_in(
    s: Session,
    who: Principal | Actor,
    items: Sequence[NewIndicator],
    *,
    source: str,
    at: datetime,
    expires_at: datetime | None = None,
    report_id: int | None = None,
    audit: bool = True,
) -> tuple[list[IndicatorRow], int]:
    """Add ``items`` in the caller's transaction ``s`` (the change that made them: a
    confirmed report, a denied verification): each value already held by a live indicator
    of its kind is left as it is. Writes one audit row per indicator added (unless
    ``audit`` is False: the caller writes its own) and bumps the knowledge version.
    Returns the rows added and how many were already known."""
    actor = Actor.of(who)
    seen: set[tuple[str, str]] = set()
    live = _live_values(s, items, at)
    rows: list[IndicatorRow] = []
    known = 0
    for item in items:
        key = (item.kind, item.value)
        if key in seen or key in live:
            known += 1
            continue
        seen.add(key)
        row = IndicatorRow(
            kind=item.kind,
            value=storable_text(item.value[:VALUE_MAX]),
            aliases=",".join(item.aliases)[:ALIASES_MAX],
            shown=storable_text(item.shown[:VALUE_MAX]),
            region=item.region[:8],
            note=storable_text(item.note[:NOTE_MAX]),
            source=source,
            created_at=at,
            created_by_subject=actor.subject[:SUBJECT_MAX],
            created_by=storable_text(actor.label[:BY_MAX]),
            expires_at=expires_at,
            report_id=report_id,
        )
        s.add(row)
        rows.append(row)
    if rows:
        s.flush()
        if audit:
            for row in rows:
                AuditLog.append(
                    s, who, "indicator.add", str(row.id), after=_audit_state(row), at=at
                )
        bump(s, at)
    return rows, known


def _live_values(s: Session, items: Sequence[NewIndicator], at: datetime) -> set[tuple[str, str]]:
    out: set[tuple[str, str]] = set()
    values = sorted({i.value for i in items})
    for start in range(0, len(values), 500):
        chunk = values[start : start + 500]
        q = select(IndicatorRow.kind, IndicatorRow.value).where(
            IndicatorRow.value.in_(chunk),
            IndicatorRow.removed_at.is_(None),
            or_(IndicatorRow.expires_at.is_(None), IndicatorRow.expires_at > at),
        )
        out.update((k, v) for k, v in s.execute(q))
    return out


class IndicatorStore:
    def __init__(self, store: Store) -> None:
        self.store = store
        #: the accounts' HMAC key (see :func:`account_ref_key`)
        self.key = DerivedKey(store, ACCOUNT_KEY_LABEL)

    def prepare(self, values: Iterable[IndicatorValue], note: str = "") -> list[NewIndicator]:
        key = self.key()
        return [NewIndicator.of(v, key, note) for v in values]

    def add(
        self,
        who: Principal | Actor,
        items: Sequence[NewIndicator],
        *,
        source: str,
        at: datetime | None = None,
        expires_at: datetime | None = None,
    ) -> tuple[list[IndicatorEntry], int]:
        """Add indicators in a transaction of their own (API, one by one)."""
        at = at or self.store.clock()
        with self.store.session() as s:
            rows, known = add_in(s, who, items, source=source, at=at, expires_at=expires_at)
            return [IndicatorEntry.of(r) for r in rows], known

    def import_parsed(
        self,
        who: Principal | Actor,
        parsed: Sequence[ParsedIndicator],
        *,
        at: datetime | None = None,
        expires_at: datetime | None = None,
        name: str = "",
    ) -> ImportResult:
        """Store a whole checked file in one transaction, with one audit row for it."""
        at = at or self.store.clock()
        key = self.key()
        items = [NewIndicator.of(p.value, key, p.note) for p in parsed]
        with self.store.session() as s:
            rows, known = add_in(
                s, who, items, source="import", at=at, expires_at=expires_at, audit=False
            )
            kinds: dict[str, int] = {}
            for r in rows:
                kinds[r.kind] = kinds.get(r.kind, 0) + 1
            AuditLog.append(
                s,
                who,
                "indicator.import",
                name[:200],
                after={
                    "added": len(rows),
                    "already_known": known,
                    "kinds": kinds,
                    "ids": [r.id for r in rows],
                    "expires_at": stamp(expires_at) if expires_at else None,
                },
                at=at,
            )
            return ImportResult(tuple(r.id for r in rows), known)

    def remove(
        self, indicator_id: int, who: Principal | Actor, *, at: datetime | None = None
    ) -> IndicatorEntry | None:
        """Mark an indicator removed; None when there is none live with that id."""
        at = at or self.store.clock()
        actor = Actor.of(who)
        with self.store.session() as s:
            row = s.get(IndicatorRow, indicator_id)
            if row is None or row.removed_at is not None:
                return None
            before = _audit_state(row)
            row.removed_at = at
            row.removed_by = storable_text(actor.label[:BY_MAX])
            AuditLog.append(
                s, who, "indicator.remove", str(row.id), before=before, after=None, at=at
            )
            bump(s, at)
            s.flush()
            return IndicatorEntry.of(row)

    def get(self, indicator_id: int) -> IndicatorEntry | None:
        with self.store.session() as s:
            row = s.get(IndicatorRow, indicator_id)
            return None if row is None else IndicatorEntry.of(row)

    def entries(
        self,
        *,
        kind: str | None = None,
        everything: bool = False,
        now: datetime | None = None,
        after_id: int | None = None,
        limit: int = 1000,
    ) -> list[IndicatorEntry]:
        """Indicators oldest first: the live ones, or with ``everything`` the removed and
        expired too."""
        now = now or self.store.clock()
        q = select(IndicatorRow).order_by(IndicatorRow.id).limit(limit)
        if kind:
            q = q.where(IndicatorRow.kind == kind)
        if not everything:
            q = q.where(
                IndicatorRow.removed_at.is_(None),
                or_(IndicatorRow.expires_at.is_(None), IndicatorRow.expires_at > now),
            )
        if after_id is not None:
            q = q.where(IndicatorRow.id > after_id)
        with self.store.session() as s:
            return [IndicatorEntry.of(r) for r in s.scalars(q)]

    def version(self) -> int:
        with self.store.session() as s:
            return knowledge_version(s)

    def load(self, now: datetime | None = None) -> SharedKnowledge:
        """The snapshot of the live indicators, at the version read first (a change that
        lands meanwhile is picked up at the next version check); the open reports are
        added by :meth:`caveat.storage.reports.ReportStore.pending`."""
        now = now or self.store.clock()
        with self.store.session() as s:
            version = knowledge_version(s)
            secret = deployment_secret(s)
            by_kind: dict[str, dict[str, list[Indicator]]] = {}
            regions: set[str] = set()
            rows = s.scalars(
                select(IndicatorRow).where(
                    IndicatorRow.removed_at.is_(None),
                    or_(IndicatorRow.expires_at.is_(None), IndicatorRow.expires_at > now),
                )
            )
            for r in rows:
                ind = Indicator(
                    r.id, r.kind, r.value, r.shown, r.note, r.source, r.created_by,
                    r.created_at, r.expires_at,
                )  # fmt: skip
                values = by_kind.setdefault(r.kind, {})
                for v in (r.value, *(a for a in r.aliases.split(",") if a)):
                    values.setdefault(v, []).append(ind)
                if r.region:
                    regions.add(r.region)
        return SharedKnowledge(
            version=version,
            indicators=MappingProxyType(
                {
                    k: MappingProxyType({v: tuple(i) for v, i in values.items()})
                    for k, values in by_kind.items()
                }
            ),
            account_key=account_ref_key(secret),
            phone_regions=frozenset(regions),
        )
