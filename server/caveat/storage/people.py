"""The people directory: the organisation's own employees and executives (migration 0016).

Tables:
  people            one row per person: name, title, department, group, executive flag,
                    where the row came from (``csv`` or ``idp``) and when it last changed;
  people_addresses  each address of a person (work or personal), unique across people.

Like the partner directory, it is configuration: kept until an administrator changes it
(no retention sweep). Read as a whole into :class:`~caveat.knowledge.people.People` by
:meth:`PeopleStore.snapshot`; :meth:`PeopleStore.version` is one small query that changes
whenever the directory does, so a process knows when to read it again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Boolean, ForeignKey, Integer, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from caveat.identity.principal import Principal
from caveat.knowledge.people import People
from caveat.knowledge.people_csv import PeopleParseResult, PersonRecord

from .audit import Actor, AuditLog
from .store import Base, SafeString, Store, UTCDateTime

NAME_MAX = 300
TEXT_MAX = 300
ADDRESS_MAX = 320
SUBJECT_MAX = 400
SOURCES = ("csv", "idp")


class PersonRow(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(SafeString(NAME_MAX))
    title: Mapped[str] = mapped_column(SafeString(TEXT_MAX), default="")
    department: Mapped[str] = mapped_column(SafeString(TEXT_MAX), default="")
    #: finance, hr, executive_support or ""
    group_name: Mapped[str] = mapped_column(SafeString(40), default="")
    executive: Mapped[bool] = mapped_column(Boolean, default=False)
    #: csv (an administrator's import) or idp (the identity provider's token claims)
    source: Mapped[str] = mapped_column(SafeString(10), default="csv")
    #: for a row learned from sign-in: the person's id at the identity provider
    #: (``tenant:oid``, or ``:sub``), whose tokens alone may change the row (migration 0017)
    subject: Mapped[str | None] = mapped_column(SafeString(SUBJECT_MAX), default=None)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class PersonAddressRow(Base):
    __tablename__ = "people_addresses"

    address: Mapped[str] = mapped_column(SafeString(ADDRESS_MAX), primary_key=True)
    person_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    #: the person's own private mailbox, not a work address
    personal: Mapped[bool] = mapped_column(Boolean, default=False)
    #: order of the work addresses (0: the main one)
    position: Mapped[int] = mapped_column(Integer, default=0)


@dataclass(frozen=True, slots=True)
class PeopleImportReport:
    added: int
    updated: int
    unchanged: int
    removed: int


class PeopleStore:
    def __init__(self, store: Store) -> None:
        self.store = store

    def records(self) -> list[PersonRecord]:
        """Every person on file, ordered by name."""
        with self.store.session() as s:
            rows = s.execute(select(PersonRow).order_by(PersonRow.name, PersonRow.id)).scalars()
            return list(self._records_in(s, {p.id: p for p in rows}).values())

    def snapshot(self) -> People:
        return People(self.records())

    def version(self) -> tuple[int, str]:
        """Changes whenever the directory does (how many, and the newest change)."""
        with self.store.session() as s:
            count, newest = s.execute(
                select(func.count(PersonRow.id), func.max(PersonRow.updated_at))
            ).one()
            return int(count or 0), str(newest or "")

    def import_people(
        self,
        people: Iterable[PersonRecord],
        *,
        replace: bool = False,
        source: str = "csv",
        who: Principal | Actor,
        summary: dict[str, object] | None = None,
        now: datetime | None = None,
    ) -> PeopleImportReport:
        """Add or update each person (matched by any of their addresses); with ``replace``,
        remove the people of this source the import does not name. One transaction, with
        its audit row."""
        if source not in SOURCES:
            raise ValueError(f"unknown source {source!r}")
        now = now or datetime.now(UTC)
        added = updated = unchanged = removed = 0
        with self.store.session() as s:
            owner = {a.address: a.person_id for a in s.execute(select(PersonAddressRow)).scalars()}
            rows = {p.id: p for p in s.execute(select(PersonRow)).scalars()}
            current = self._records_in(s, rows)
            seen: set[int] = set()
            for rec in people:
                pid = next((owner[a] for a in rec.emails if a in owner), None)
                if pid is None:
                    pid = next((owner[a] for a in rec.personal_emails if a in owner), None)
                row = rows.get(pid) if pid is not None else None
                if row is None:
                    row = PersonRow(source=source, updated_at=now, name=rec.name)
                    s.add(row)
                    s.flush()
                    rows[row.id] = row
                    added += 1
                else:
                    if current.get(row.id) == rec and row.source == source:
                        unchanged += 1
                        seen.add(row.id)
                        continue
                    updated += 1
                    s.execute(delete(PersonAddressRow).where(PersonAddressRow.person_id == row.id))
                    s.flush()
                    for a in [a for a, p in owner.items() if p == row.id]:
                        del owner[a]
                seen.add(row.id)
                row.name = rec.name
                row.title = rec.title
                row.department = rec.department
                row.group_name = rec.group
                row.executive = rec.executive
                row.source = source
                row.updated_at = now
                for i, a in enumerate(rec.emails):
                    if a in owner:
                        continue  # another person's address already: the first keeps it
                    s.add(PersonAddressRow(address=a, person_id=row.id, personal=False, position=i))
                    owner[a] = row.id
                for a in rec.personal_emails:
                    if a in owner:
                        continue
                    s.add(PersonAddressRow(address=a, person_id=row.id, personal=True, position=0))
                    owner[a] = row.id
            if replace:
                gone = [p for pid, p in rows.items() if pid not in seen and p.source == source]
                for p in gone:
                    s.execute(delete(PersonAddressRow).where(PersonAddressRow.person_id == p.id))
                    s.delete(p)
                removed = len(gone)
            report = PeopleImportReport(added, updated, unchanged, removed)
            if added or updated or removed:
                AuditLog.append(
                    s,
                    who,
                    "people.import",
                    source,
                    after={
                        **(summary or {}),
                        "added": added,
                        "updated": updated,
                        "removed": removed,
                    },
                )
            return report

    def learn_signed_in(
        self,
        *,
        name: str,
        address: str,
        subject: str,
        title: str = "",
        department: str = "",
        group: str = "",
        executive: bool = False,
        who: Principal | Actor,
    ) -> bool:
        """Add or update the row of a person who signed in with the identity provider
        (source ``idp``), with what their token says. The row of an administrator's import
        (source ``csv``) wins: it is never changed from a token. A row learned from sign-in
        is changed only by tokens of the same ``subject`` (the provider's id of the person):
        another person's token naming the same address changes nothing. When the person's
        sign-in address changed, their row moves to the new one (unless someone holds it).
        One transaction, with its audit row. True when the directory changed."""
        now = datetime.now(UTC)
        subject = subject[:SUBJECT_MAX]
        wanted = {
            "name": (name or address)[:NAME_MAX],
            "title": title[:TEXT_MAX],
            "department": department[:TEXT_MAX],
            "group_name": group,
            "executive": executive,
        }
        moved = False
        with self.store.session() as s:
            held = s.get(PersonAddressRow, address)
            if held is not None:
                row = s.get(PersonRow, held.person_id)
                if row is None or row.source != "idp":
                    return False  # the administrator's import wins
                if row.subject is not None and row.subject != subject:
                    return False  # another person's row
            else:
                row = s.execute(
                    select(PersonRow).where(PersonRow.source == "idp", PersonRow.subject == subject)
                ).scalars().first()
                if row is not None:  # the person's address changed: the row moves
                    s.execute(delete(PersonAddressRow).where(PersonAddressRow.person_id == row.id))
                    s.add(
                        PersonAddressRow(
                            address=address, person_id=row.id, personal=False, position=0
                        )
                    )
                    moved = True
            if row is None:
                row = PersonRow(source="idp", subject=subject, updated_at=now, **wanted)
                s.add(row)
                s.flush()
                s.add(
                    PersonAddressRow(address=address, person_id=row.id, personal=False, position=0)
                )
                AuditLog.append(s, who, "people.sign_in", address, after=_shown(wanted))
                return True
            before = {k: getattr(row, k) for k in wanted}
            if before == wanted and row.subject == subject and not moved:
                return False
            for k, v in wanted.items():
                setattr(row, k, v)
            row.subject = subject
            row.updated_at = now
            AuditLog.append(
                s,
                who,
                "people.sign_in_update",
                address,
                before=_shown(before),
                after=_shown(wanted),
            )
            return True

    @staticmethod
    def _records_in(s: Session, rows: dict[int, PersonRow]) -> dict[int, PersonRecord]:
        work: dict[int, list[str]] = {}
        personal: dict[int, list[str]] = {}
        for a in s.execute(
            select(PersonAddressRow).order_by(PersonAddressRow.position, PersonAddressRow.address)
        ).scalars():
            (personal if a.personal else work).setdefault(a.person_id, []).append(a.address)
        return {
            pid: PersonRecord(
                name=p.name,
                emails=tuple(work.get(pid, ())),
                personal_emails=tuple(personal.get(pid, ())),
                title=p.title,
                department=p.department,
                group=p.group_name,
                executive=p.executive,
            )
            for pid, p in rows.items()
            if work.get(pid)
        }


def _shown(fields: dict[str, object]) -> dict[str, object]:
    """A row's fields as the audit log shows them (``group``, not the column's name)."""
    return {("group" if k == "group_name" else k): v for k, v in fields.items()}


def import_people_parsed(
    store: Store,
    result: PeopleParseResult,
    *,
    replace: bool = False,
    who: Principal | Actor,
    source: str = "",
) -> PeopleImportReport:
    """Store a parsed people CSV. With bad rows, ``replace`` removes nobody (the file is
    not the whole list)."""
    return PeopleStore(store).import_people(
        result.people,
        replace=replace and not result.errors,
        who=who,
        summary={
            **({"file": source} if source else {}),
            "rows": result.rows,
            "bad_rows": [e.line for e in result.errors][:20],
            "people": len(result.people),
        },
    )
