"""The partner directory in the database: import, listing, and the snapshot the checks read
(:class:`~caveat.knowledge.directory.Directory`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    Integer,
    Table,
    bindparam,
    column,
    delete,
    insert,
    select,
    table,
    text,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import TableClause

from caveat.knowledge.directory import (
    Directory,
    DirectoryContact,
    PartnerEntry,
    PartnerRecord,
)
from caveat.knowledge.partners_csv import ParseResult
from caveat.reference.freemail import FreemailList

from .records import (
    ADDRESS_MAX,
    DOMAIN_MAX,
    NAME_MAX,
    ORG_MAX,
    DirectoryStateRow,
    ImportReport,
    PartnerAccountRow,
    PartnerContactRow,
    PartnerDomainRow,
    PartnerRow,
    clip,
    org_key,
)
from .store import Store, storable_text


class DirectoryStore:
    """The partner directory in the database."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def version(self) -> int:
        with self.store.session() as s:
            v = s.scalar(select(DirectoryStateRow.version).where(DirectoryStateRow.id == 1))
        return int(v or 0)

    def import_partners(
        self,
        partners: Iterable[object],
        *,
        replace: bool = False,
        incomplete: Iterable[str] = (),
        keep_absent: bool = False,
    ) -> ImportReport:
        """Store partner records (objects with organization, domains, contacts,
        bank_accounts, require_auth). An organisation already stored is updated to what
        the records say (re-importing never duplicates); with ``replace``, organisations
        absent from the records are removed. A domain that another stored organisation
        owns is reported and left with its owner.

        A bad row never costs what is on file: organisations in ``incomplete`` (keys of
        :func:`org_key`: the file named them on a row that could not be read) only gain
        what the records add, and with ``keep_absent`` (the file had a bad row, whoever it
        was about) ``replace`` removes nothing.

        In bulk, in one transaction: what is on file is read once (columns, no ORM
        objects), the records are merged with it in memory, and the changes are written
        with one executemany per table and batch, so the time grows with the number of
        partners, not with its square."""
        now = self.store.clock()
        with self.store.session() as s:
            plan = _ImportPlan(s, frozenset(incomplete))
            for p in partners:
                plan.add(p)
            problems = list(plan.problems)
            removed = 0
            stale = [o for o in plan.orgs.values() if o.id is not None and not o.seen]
            if replace and keep_absent:
                if stale:
                    problems.append(
                        (
                            "the file",
                            "it has bad rows, so no organisation was removed "
                            f"({len(stale)} not listed in it kept); fix the rows and import "
                            "again to remove them",
                        )
                    )
                stale = []
            elif not replace:
                stale = []
            plan.write(s, now, [o.id for o in stale if o.id is not None])
            removed = len(stale)
            self._bump(s, now)
        return ImportReport(plan.created, plan.updated, removed, tuple(problems))

    def remove(self, organization: str) -> bool:
        with self.store.session() as s:
            row = s.scalar(select(PartnerRow).where(PartnerRow.org_key == org_key(organization)))
            if row is None:
                return False
            s.delete(row)
            self._bump(s, self.store.clock())
        return True

    def _bump(self, s: Session, now: datetime) -> None:
        state = s.get(DirectoryStateRow, 1)
        if state is None:
            s.add(DirectoryStateRow(id=1, version=1, updated_at=now))
        else:
            state.version += 1
            state.updated_at = now

    def partners(self) -> list[PartnerEntry]:
        """Every partner, ordered by organisation name."""
        return [
            PartnerEntry(
                organization,
                tuple(domains),
                tuple(DirectoryContact(*c) for c in contacts),
                tuple(accounts),
                frozenset(auth),
            )
            for organization, domains, contacts, accounts, auth in self._records()
        ]

    def _records(self) -> Iterator[PartnerRecord]:
        """Every partner as a plain record, ordered by organisation name (domains by name,
        contacts in the order they were stored, accounts by identifier): one select of
        columns per table, no ORM objects."""
        with self.store.session() as s:
            rows = s.execute(
                select(_PARTNERS.c.id, _PARTNERS.c.organization, _PARTNERS.c.require_auth).order_by(
                    _PARTNERS.c.org_key
                )
            ).all()
            domains: dict[int, list[str]] = {}
            for d, pid in s.execute(
                select(_DOMAINS.c.domain, _DOMAINS.c.partner_id).order_by(_DOMAINS.c.domain)
            ):
                domains.setdefault(pid, []).append(d)
            contacts: dict[int, list[tuple[str, str, str]]] = {}
            for pid, name, email, phone in s.execute(
                select(
                    _CONTACTS.c.partner_id, _CONTACTS.c.name, _CONTACTS.c.email, _CONTACTS.c.phone
                ).order_by(_CONTACTS.c.id)
            ):
                contacts.setdefault(pid, []).append((name, email, phone))
            accounts: dict[int, list[str]] = {}
            for pid, account in s.execute(
                select(_ACCOUNTS.c.partner_id, _ACCOUNTS.c.account).order_by(_ACCOUNTS.c.account)
            ):
                accounts.setdefault(pid, []).append(account)
        auth_sets: dict[str, tuple[str, ...]] = {}
        for pid, organization, auth in rows:
            if auth not in auth_sets:
                auth_sets[auth] = tuple(a for a in auth.split(";") if a)
            yield (
                organization,
                domains.pop(pid, ()),
                contacts.pop(pid, ()),
                accounts.pop(pid, ()),
                auth_sets[auth],
            )

    def load(
        self, *, internal_domains: Iterable[str] = (), freemail: FreemailList | None = None
    ) -> Directory:
        """The directory as the checks read it, at the version read first (a change that
        lands while it is read is picked up by the next version check)."""
        version = self.version()
        return Directory.of_records(
            self._records(), internal_domains=internal_domains, freemail=freemail, version=version
        )


def import_parsed(
    store: Store, result: ParseResult, *, replace: bool = False
) -> tuple[ImportReport, list[str]]:
    """Store the parsed partners; also returns warnings about free-mail domains listed as
    company domains (they are kept in the directory but never treated as the partner's)."""
    freemail = FreemailList.packaged()
    warnings = [
        f"{p.organization}: {d} is a free-mail provider, not a company domain; list the "
        "partner's address as contact_email instead"
        for p in result.partners
        for d in p.domains
        if d in freemail
    ]
    report = DirectoryStore(store).import_partners(
        result.partners,
        replace=replace,
        incomplete=result.incomplete,
        keep_absent=bool(result.errors),
    )
    return report, warnings


# ----------------------------------------------------------------- bulk import

#: Rows per executemany call and ids per ``IN (...)``: each call stays well inside the
#: store's per-statement deadline, and within SQLite's limit of bound parameters.
BATCH = 2000
#: Rows per COPY on PostgreSQL.
COPY_BATCH = 10_000

_PARTNERS = cast(Table, PartnerRow.__table__)
_DOMAINS = cast(Table, PartnerDomainRow.__table__)
_CONTACTS = cast(Table, PartnerContactRow.__table__)
_ACCOUNTS = cast(Table, PartnerAccountRow.__table__)
#: PostgreSQL: the organisations an import updates, for the length of its transaction
_IMPORTED = table(
    "partner_import", column("id", Integer), column("organization"), column("require_auth")
)


class _Org:
    """One organisation during an import: what is on file, and what the records make of it."""

    __slots__ = (
        "accounts",
        "auth",
        "contacts",
        "domains",
        "id",
        "key",
        "organization",
        "rewrite",
        "seen",
    )

    def __init__(self, key: str, organization: str, auth: str, pid: int | None) -> None:
        self.key = key
        self.organization = organization
        self.auth = auth
        self.id = pid
        self.seen = False
        #: its stored domains, contacts and accounts are deleted before the new ones go in
        self.rewrite = False
        self.domains: list[str] = []
        self.contacts: list[tuple[str, str, str]] = []
        self.accounts: list[str] = []


class _ImportPlan:
    """The directory on file, read once, and the records merged into it in memory, with
    the same rules as one record after another: a domain goes to the first organisation
    that has it (on file, or earlier in the records), an incomplete organisation keeps
    what is on file and gains what the records add."""

    def __init__(self, s: Session, partial: frozenset[str]) -> None:
        self.partial = frozenset(storable_text(k) for k in partial)
        self.created = self.updated = 0
        self.problems: list[tuple[str, str]] = []
        self.orgs: dict[str, _Org] = {}
        by_id: dict[int, _Org] = {}
        for pid, key, organization, auth in s.execute(
            select(
                _PARTNERS.c.id,
                _PARTNERS.c.org_key,
                _PARTNERS.c.organization,
                _PARTNERS.c.require_auth,
            )
        ):
            org = _Org(key, organization, auth, pid)
            self.orgs[key] = org
            by_id[pid] = org
        #: domain -> the key of the organisation that has it, and the other way round
        self.owners: dict[str, str] = {}
        self.owned: dict[str, list[str]] = {}
        for domain, pid in s.execute(select(_DOMAINS.c.domain, _DOMAINS.c.partner_id)):
            key = by_id[pid].key
            self.owners[domain] = key
            self.owned.setdefault(key, []).append(domain)
        # What incomplete organisations have on file: their new records only add to it.
        self.kept_contacts: dict[str, set[str]] = {}
        self.kept_accounts: dict[str, set[str]] = {}
        ids = [o.id for k, o in self.orgs.items() if k in self.partial and o.id is not None]
        for chunk in _chunks(ids):
            for pid, email, name in s.execute(
                select(_CONTACTS.c.partner_id, _CONTACTS.c.email, _CONTACTS.c.name).where(
                    _CONTACTS.c.partner_id.in_(chunk)
                )
            ):
                self.kept_contacts.setdefault(by_id[pid].key, set()).add(email or name)
            for pid, account in s.execute(
                select(_ACCOUNTS.c.partner_id, _ACCOUNTS.c.account).where(
                    _ACCOUNTS.c.partner_id.in_(chunk)
                )
            ):
                self.kept_accounts.setdefault(by_id[pid].key, set()).add(account)

    def add(self, p: object) -> None:
        # Text as the database will hold it (NUL and lone surrogates replaced), so that
        # what the records say compares equal to what is on file.
        text = storable_text
        organization = text(clip(str(getattr(p, "organization", "")).strip(), ORG_MAX))
        key = text(org_key(organization))
        if not key:
            return
        org = self.orgs.get(key)
        if org is None:
            org = self.orgs[key] = _Org(key, organization, "", None)
            self.created += 1
        else:
            self.updated += 1
            org.organization = organization
        org.seen = True
        auth = set(getattr(p, "require_auth", ()) or ())
        kept_contacts: set[str] = set()
        kept_accounts: set[str] = set()
        if key in self.partial:  # add to what is on file, take nothing away
            auth |= {a for a in org.auth.split(";") if a}
            if not org.rewrite:
                kept_contacts |= self.kept_contacts.get(key, set())
                kept_accounts |= self.kept_accounts.get(key, set())
            kept_contacts |= {email or name for name, email, _ in org.contacts}
            kept_accounts |= set(org.accounts)
        else:
            org.rewrite = org.id is not None
            org.contacts, org.accounts, org.domains = [], [], []
            for d in self.owned.pop(key, ()):
                if self.owners.get(d) == key:
                    del self.owners[d]
        org.auth = ";".join(sorted(auth))
        owned = self.owned.setdefault(key, [])
        for d in dict.fromkeys(text(d) for d in getattr(p, "domains", ())):
            owner = self.owners.get(d)
            if owner == key:
                continue  # kept from what was on file
            if owner is not None:
                self.problems.append(
                    (organization, f"{d} belongs to {self.orgs[owner].organization}; left there")
                )
                continue
            self.owners[d] = key
            owned.append(d)
            org.domains.append(clip(d, DOMAIN_MAX))
        for c in getattr(p, "contacts", ()):
            name, email = text(c.name), text(c.email.lower())
            if (email or name) in kept_contacts:
                continue
            org.contacts.append(
                (clip(name, NAME_MAX), clip(email, ADDRESS_MAX), text(clip(c.phone, 100)))
            )
        for account in dict.fromkeys(text(clip(a, 64)) for a in getattr(p, "bank_accounts", ())):
            if account not in kept_accounts:
                org.accounts.append(account)

    def write(self, s: Session, now: datetime, remove: list[int]) -> None:
        """Apply the plan: updates, then deletions (so that a domain that changes owner is
        free before it is inserted again), then the new organisations and every new row."""
        seen = [o for o in self.orgs.values() if o.seen]
        _update_partners(s, [(o.id, o.organization, o.auth) for o in seen if o.id is not None], now)
        rewrite = [o.id for o in seen if o.rewrite and o.id is not None]
        for child in (_DOMAINS, _CONTACTS, _ACCOUNTS):
            for chunk in _chunks(rewrite + remove):
                s.execute(delete(child).where(child.c.partner_id.in_(chunk)))
        for chunk in _chunks(remove):
            s.execute(delete(_PARTNERS).where(_PARTNERS.c.id.in_(chunk)))
        new = [o for o in seen if o.id is None]
        _insert(
            s,
            _PARTNERS,
            ("organization", "org_key", "require_auth", "updated_at"),
            [(o.organization, o.key, o.auth, now) for o in new],
        )
        if new:
            ids = {k: i for k, i in s.execute(select(_PARTNERS.c.org_key, _PARTNERS.c.id))}
            for o in new:
                o.id = ids[o.key]
        _insert(
            s,
            _DOMAINS,
            ("domain", "partner_id"),
            [(d, o.id) for o in seen for d in o.domains],
        )
        _insert(
            s,
            _CONTACTS,
            ("partner_id", "name", "email", "phone"),
            [(o.id, *c) for o in seen for c in o.contacts],
        )
        _insert(
            s,
            _ACCOUNTS,
            ("partner_id", "account"),
            [(o.id, a) for o in seen for a in o.accounts],
        )


def _update_partners(s: Session, rows: list[tuple[int | None, str, str]], now: datetime) -> None:
    """Set the name and agreed authentication of stored organisations. SQLite: one
    executemany per batch. PostgreSQL, where a statement per row is a round trip: one
    ``UPDATE ... FROM (VALUES ...)`` per batch."""
    if s.get_bind().dialect.name != "postgresql":
        statement = (
            update(_PARTNERS)
            .where(_PARTNERS.c.id == bindparam("b_id"))
            .values(
                organization=bindparam("b_org"),
                require_auth=bindparam("b_auth"),
                updated_at=bindparam("b_at"),
            )
        )
        for chunk in _chunks(rows):
            s.execute(
                statement,
                [{"b_id": i, "b_org": o, "b_auth": a, "b_at": now} for i, o, a in chunk],
            )
        return
    # PostgreSQL: the new values by COPY into a table of this transaction, then one
    # UPDATE ... FROM it per range of BATCH ids (each statement short).
    s.execute(
        text(
            "CREATE TEMPORARY TABLE partner_import (id integer PRIMARY KEY, "
            "organization text NOT NULL, require_auth text NOT NULL) ON COMMIT DROP"
        )
    )
    rows = sorted(rows, key=lambda r: r[0] or 0)
    _insert(s, _IMPORTED, ("id", "organization", "require_auth"), rows)
    given = _IMPORTED
    statement = (
        update(_PARTNERS)
        .where(_PARTNERS.c.id == given.c.id)
        .where(given.c.id.between(bindparam("lo"), bindparam("hi")))
        .values(
            organization=given.c.organization,
            require_auth=given.c.require_auth,
            updated_at=bindparam("at", type_=_PARTNERS.c.updated_at.type),
        )
    )
    for chunk in _chunks(rows):
        s.execute(statement, {"lo": chunk[0][0], "hi": chunk[-1][0], "at": now})


def _insert(
    s: Session, table: TableClause, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    """Insert ``rows`` (values of ``columns``). SQLite: one executemany per batch.
    PostgreSQL: ``COPY ... FROM STDIN`` (psycopg), a batch at a time, the text made
    storable as :class:`~caveat.storage.store.SafeString` makes it for other statements."""
    if not rows:
        return
    if s.get_bind().dialect.name != "postgresql":
        statement = insert(table)
        for chunk in _chunks(rows):
            s.execute(statement, [dict(zip(columns, row, strict=True)) for row in chunk])
        return
    connection = s.connection().connection.driver_connection
    assert connection is not None
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, COPY_BATCH):
            # table and column names are this module's constants, never input
            with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                for row in chunk:
                    copy.write_row([storable_text(v) if isinstance(v, str) else v for v in row])
            # a statement through the session: the store's deadline moves on (it bounds each
            # wait for the server, and a COPY is not seen by its hooks)
            s.execute(select(1))


def _chunks(items: list[Any], size: int | None = None) -> Iterator[list[Any]]:
    size = size or BATCH
    for i in range(0, len(items), size):
        yield items[i : i + size]
