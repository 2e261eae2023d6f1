"""The audit log: every change to the directory, partner policies, indicators and
verifications, with who made it, when, and what the thing was before and after.

Rows are only ever added: this module offers no way to change or delete one, retention
does not sweep them, and the service's database account needs nothing but INSERT and
SELECT on the table. A change and its audit row are written in the same transaction
(:meth:`AuditLog.append` takes the caller's session), so there is never a change without
its row nor a row for a change that was rolled back.

``before`` and ``after`` hold JSON of what changed, never anything of a message: account
numbers appear masked, as everywhere else in storage.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Integer, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from caveat.identity.principal import Principal

from .store import Base, SafeString, Store, UTCDateTime, storable_text

ACTION_MAX = 64
TARGET_MAX = 512
ACTOR_MAX = 700
SUBJECT_MAX = 320
#: JSON of one side of a change beyond this is cut (and says so): a directory import's
#: summary, not its rows, belongs here.
STATE_MAX = 16384


class AuditRow(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    #: the principal's stable id (``oid``/``sub``, ``key:<id>``, ``cli:<user>``)
    actor_subject: Mapped[str] = mapped_column(SafeString(SUBJECT_MAX), index=True)
    #: how the actor is shown (:attr:`Principal.label`)
    actor: Mapped[str] = mapped_column(SafeString(ACTOR_MAX))
    #: what was done, ``<thing>.<verb>``: ``partner.import``, ``indicator.add``, ...
    action: Mapped[str] = mapped_column(SafeString(ACTION_MAX), index=True)
    #: what it was done to: an organisation, an indicator's id, a report's id, ...
    target: Mapped[str] = mapped_column(SafeString(TARGET_MAX), default="")
    before: Mapped[str | None] = mapped_column(Text(), nullable=True)
    after: Mapped[str | None] = mapped_column(Text(), nullable=True)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    actor_subject: str
    actor: str
    action: str
    target: str
    before: Any
    after: Any

    @classmethod
    def of(cls, row: AuditRow) -> AuditEntry:
        return cls(
            id=row.id,
            at=row.at,
            actor_subject=row.actor_subject,
            actor=row.actor,
            action=row.action,
            target=row.target,
            before=_load(row.before),
            after=_load(row.after),
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "actor_subject": self.actor_subject,
            "actor": self.actor,
            "action": self.action,
            "target": self.target,
            "before": self.before,
            "after": self.after,
        }


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acted, as the audit log keeps it: a :class:`Principal` (API) or an operator at
    the command line (``cli:<login>``)."""

    subject: str
    label: str

    @classmethod
    def of(cls, who: Principal | Actor) -> Actor:
        if isinstance(who, Actor):
            return who
        return cls(who.subject, who.label)

    @classmethod
    def command_line(cls, login: str) -> Actor:
        return cls(f"cli:{login}", f"{login} at the command line")


def _dump(state: Mapping[str, Any] | None) -> str | None:
    if state is None:
        return None
    text = json.dumps(state, sort_keys=True, ensure_ascii=False, default=str)
    if len(text) > STATE_MAX:
        text = json.dumps({"cut": True, "start": text[: STATE_MAX // 2]}, ensure_ascii=False)
    return storable_text(text)


def _load(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return {"unreadable": True}


class AuditLog:
    """Appends to and reads the audit log of one store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @staticmethod
    def append(
        s: Session,
        who: Principal | Actor,
        action: str,
        target: str = "",
        *,
        before: Mapping[str, Any] | None = None,
        after: Mapping[str, Any] | None = None,
        at: datetime | None = None,
    ) -> None:
        """Add one row in the caller's transaction ``s`` (committed with the change)."""
        actor = Actor.of(who)
        s.add(
            AuditRow(
                at=at or datetime.now(UTC),
                actor_subject=storable_text(actor.subject[:SUBJECT_MAX]),
                actor=storable_text(actor.label[:ACTOR_MAX]),
                action=action[:ACTION_MAX],
                target=storable_text(target[:TARGET_MAX]),
                before=_dump(before),
                after=_dump(after),
            )
        )

    def entries(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        action: str | None = None,
        actor: str | None = None,
        target: str | None = None,
        after_id: int | None = None,
        before_id: int | None = None,
        newest_first: bool = False,
        limit: int = 500,
    ) -> list[AuditEntry]:
        """Rows oldest first (``newest_first``: newest first), filtered: ``action`` is a
        prefix (``partner.`` for every change to the directory), ``actor`` an actor
        subject, ``target`` what was acted on (exactly); ``after_id`` and ``before_id``
        page on (rows with a greater, a smaller id)."""
        order = AuditRow.id.desc() if newest_first else AuditRow.id
        q = select(AuditRow).order_by(order).limit(limit)
        if since is not None:
            q = q.where(AuditRow.at >= since)
        if until is not None:
            q = q.where(AuditRow.at < until)
        if action:
            q = q.where(AuditRow.action.startswith(action, autoescape=True))
        if actor:
            q = q.where(AuditRow.actor_subject == actor)
        if target:
            q = q.where(AuditRow.target == target)
        if after_id is not None:
            q = q.where(AuditRow.id > after_id)
        if before_id is not None:
            q = q.where(AuditRow.id < before_id)
        with self.store.session() as s:
            return [AuditEntry.of(r) for r in s.scalars(q)]

    def actions(self) -> list[str]:
        """Every action the log holds, sorted (for a filter's suggestions)."""
        with self.store.session() as s:
            return sorted(s.scalars(select(AuditRow.action).distinct()))

    def every(self, **filters: Any) -> Iterator[AuditEntry]:
        """Every row matching ``filters`` (see :meth:`entries`), page by page."""
        last: int | None = None
        while True:
            page = self.entries(after_id=last, limit=1000, **filters)
            yield from page
            if len(page) < 1000:
                return
            last = page[-1].id
