"""The partner directory in the database: import, listing, partner policies, and the
snapshot the checks read (:class:`~caveat.knowledge.directory.Directory`).

Every change (an import, a removal, a policy set for one partner) writes one row of the
audit log (:mod:`caveat.storage.audit`) in its own transaction: an import's row holds what
it did in numbers and, per organisation whose policies it changed, the policies before and
after; a policy change holds the partner's policies before and after. No account number
and no contact detail goes into the log."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    Boolean,
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

from caveat.identity.principal import Principal
from caveat.knowledge.directory import (
    Directory,
    DirectoryContact,
    PartnerEntry,
    PartnerRecord,
)
from caveat.knowledge.partners_csv import PROCEDURE_MAX, REQUIRE_AUTH_VALUES, ParseResult
from caveat.reference.freemail import FreemailList

from .audit import Actor, AuditLog
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

#: Who changed the directory when the caller names nobody (tests, library use).
UNNAMED = Actor("unnamed", "a caller that gave no name")
#: Organisations whose policy change an import's audit row lists one by one.
AUDIT_POLICIES_LISTED = 200


@dataclass(frozen=True, slots=True)
class Policy:
    """A partner's agreed policies, as the audit log and the API show them."""

    require_auth: frozenset[str]
    bank_change_procedure: str
    pay_only_on_file: bool

    @classmethod
    def of_row(cls, auth: str, procedure: str | None, pay_only: bool | None) -> Policy:
        return cls(frozenset(a for a in auth.split(";") if a), procedure or "", bool(pay_only))

    def as_json(self) -> dict[str, Any]:
        return {
            "require_auth": [v for v in REQUIRE_AUTH_VALUES if v in self.require_auth],
            "bank_change_procedure": self.bank_change_procedure,
            "pay_only_on_file": self.pay_only_on_file,
        }


def bump_directory(s: Session, now: datetime) -> None:
    """The directory changed: every process rebuilds its snapshot at its next check."""
    state = s.get(DirectoryStateRow, 1)
    if state is None:
        s.add(DirectoryStateRow(id=1, version=1, updated_at=now))
    else:
        state.version += 1
        state.updated_at = now


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
        who: Principal | Actor = UNNAMED,
        summary: dict[str, Any] | None = None,
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
        partners, not with its square.

        A record's ``bank_change_procedure`` or ``pay_only_on_file`` of None (a file
        without that column) keeps what is on file. The import's audit row is written by
        ``who``, with ``summary`` (what the caller read: rows, bad rows) added to it."""
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
            bump_directory(s, now)
            changed = plan.policy_changes()
            after: dict[str, Any] = {
                **(summary or {}),
                "replace": replace,
                "created": plan.created,
                "updated": plan.updated,
                "removed": removed,
                "removed_organizations": sorted(o.organization for o in stale)[
                    :AUDIT_POLICIES_LISTED
                ],
                "problems": len(problems),
                "policies_changed": len(changed),
            }
            before_policies = {org: old.as_json() for org, old, _new in changed}
            after["policies"] = {
                org: new.as_json() for org, _old, new in changed[:AUDIT_POLICIES_LISTED]
            }
            AuditLog.append(
                s,
                who,
                "partner.import",
                "directory",
                before={"policies": dict(list(before_policies.items())[:AUDIT_POLICIES_LISTED])},
                after=after,
                at=now,
            )
        return ImportReport(plan.created, plan.updated, removed, tuple(problems))

    def remove(self, organization: str, *, who: Principal | Actor = UNNAMED) -> bool:
        with self.store.session() as s:
            row = s.scalar(select(PartnerRow).where(PartnerRow.org_key == org_key(organization)))
            if row is None:
                return False
            before = Policy.of_row(
                row.require_auth, row.bank_change_procedure, row.pay_only_on_file
            )
            name = row.organization
            s.delete(row)
            now = self.store.clock()
            bump_directory(s, now)
            AuditLog.append(
                s, who, "partner.remove", name, before={"policy": before.as_json()}, at=now
            )
        return True

    def policy(self, organization: str) -> tuple[str, Policy] | None:
        """The organisation's name as stored and its policies; None when it is not on file
        (matched as rows of the CSV merge: case and spacing ignored)."""
        with self.store.session() as s:
            row = s.execute(
                select(
                    _PARTNERS.c.organization,
                    _PARTNERS.c.require_auth,
                    _PARTNERS.c.bank_change_procedure,
                    _PARTNERS.c.pay_only_on_file,
                ).where(_PARTNERS.c.org_key == storable_text(org_key(organization)))
            ).first()
        if row is None:
            return None
        return row[0], Policy.of_row(row[1], row[2], row[3])

    def set_policy(
        self,
        organization: str,
        *,
        require_auth: Iterable[str] | None = None,
        bank_change_procedure: str | None = None,
        pay_only_on_file: bool | None = None,
        who: Principal | Actor = UNNAMED,
    ) -> tuple[str, Policy, Policy] | None:
        """Change one partner's policies (None leaves that one as it is); returns the
        organisation's name, its policies before and after, or None when it is not on file.
        The values must be valid already (:func:`check_policy`). A change that changes
        nothing writes nothing, not even an audit row."""
        with self.store.session() as s:
            row = s.scalar(select(PartnerRow).where(PartnerRow.org_key == org_key(organization)))
            if row is None:
                return None
            before = Policy.of_row(
                row.require_auth, row.bank_change_procedure, row.pay_only_on_file
            )
            after = Policy(
                before.require_auth if require_auth is None else frozenset(require_auth),
                before.bank_change_procedure
                if bank_change_procedure is None
                else storable_text(bank_change_procedure),
                before.pay_only_on_file if pay_only_on_file is None else pay_only_on_file,
            )
            if after == before:
                return row.organization, before, after
            now = self.store.clock()
            row.require_auth = ";".join(sorted(after.require_auth))
            row.bank_change_procedure = after.bank_change_procedure
            row.pay_only_on_file = after.pay_only_on_file
            row.updated_at = now
            bump_directory(s, now)
            AuditLog.append(
                s,
                who,
                "partner.policy",
                row.organization,
                before=before.as_json(),
                after=after.as_json(),
                at=now,
            )
            return row.organization, before, after

    def partners(self) -> list[PartnerEntry]:
        """Every partner, ordered by organisation name."""
        return [
            PartnerEntry(
                organization,
                tuple(domains),
                tuple(DirectoryContact(*c) for c in contacts),
                tuple(accounts),
                frozenset(auth),
                procedure,
                pay_only,
            )
            for organization, domains, contacts, accounts, auth, procedure, pay_only in (
                self._records()
            )
        ]

    def _records(self) -> Iterator[PartnerRecord]:
        """Every partner as a plain record, ordered by organisation name (domains by name,
        contacts in the order they were stored, accounts by identifier): one select of
        columns per table, no ORM objects."""
        with self.store.session() as s:
            rows = s.execute(
                select(
                    _PARTNERS.c.id,
                    _PARTNERS.c.organization,
                    _PARTNERS.c.require_auth,
                    _PARTNERS.c.bank_change_procedure,
                    _PARTNERS.c.pay_only_on_file,
                ).order_by(_PARTNERS.c.org_key)
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
        for pid, organization, auth, procedure, pay_only in rows:
            if auth not in auth_sets:
                auth_sets[auth] = tuple(a for a in auth.split(";") if a)
            yield (
                organization,
                domains.pop(pid, ()),
                contacts.pop(pid, ()),
                accounts.pop(pid, ()),
                auth_sets[auth],
                procedure or "",
                bool(pay_only),
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
    store: Store,
    result: ParseResult,
    *,
    replace: bool = False,
    who: Principal | Actor = UNNAMED,
    source: str = "",
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
        who=who,
        summary={
            **({"source": source} if source else {}),
            "rows": result.rows,
            "bad_rows": [e.line for e in result.errors][:AUDIT_POLICIES_LISTED],
            "organizations": len(result.partners),
        },
    )
    return report, warnings


def check_policy(
    require_auth: object = None,
    bank_change_procedure: object = None,
    pay_only_on_file: object = None,
) -> tuple[frozenset[str] | None, str | None, bool | None, list[str]]:
    """Policy values as a request gives them, checked: (require_auth, procedure,
    pay_only_on_file, problems). None stays None (leave it as it is); ``require_auth`` is
    a list, or text separated by ``;`` or ``,`` as in the CSV; the procedure's whitespace
    is collapsed as the CSV's is."""
    problems: list[str] = []
    auth: frozenset[str] | None = None
    if require_auth is not None:
        values = (
            require_auth.replace(",", ";").split(";")
            if isinstance(require_auth, str)
            else require_auth
        )
        if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
            problems.append("require_auth must be a list of spf, dkim and dmarc")
        else:
            wanted = {v.strip().lower() for v in values if v.strip()}
            unknown = sorted(wanted - set(REQUIRE_AUTH_VALUES))
            if unknown:
                problems.append(
                    f"require_auth {', '.join(repr(u[:20]) for u in unknown[:3])} is not one of "
                    "spf, dkim, dmarc"
                )
            else:
                auth = frozenset(wanted)
    procedure: str | None = None
    if bank_change_procedure is not None:
        if not isinstance(bank_change_procedure, str):
            problems.append("bank_change_procedure must be text")
        else:
            procedure = " ".join(bank_change_procedure.split())
            if len(procedure) > PROCEDURE_MAX:
                problems.append(
                    f"bank_change_procedure is {len(procedure):,} characters long (at most "
                    f"{PROCEDURE_MAX})"
                )
                procedure = None
            elif any(ord(c) < 32 or 127 <= ord(c) < 160 for c in procedure):
                problems.append("bank_change_procedure contains a control character")
                procedure = None
    pay_only: bool | None = None
    if pay_only_on_file is not None:
        if not isinstance(pay_only_on_file, bool):
            problems.append("pay_only_on_file must be true or false")
        else:
            pay_only = pay_only_on_file
    return auth, procedure, pay_only, problems


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
    "partner_import",
    column("id", Integer),
    column("organization"),
    column("require_auth"),
    column("bank_change_procedure"),
    column("pay_only_on_file", Boolean),
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
        "pay_only",
        "procedure",
        "rewrite",
        "seen",
        "was",
    )

    def __init__(
        self,
        key: str,
        organization: str,
        auth: str,
        pid: int | None,
        procedure: str = "",
        pay_only: bool = False,
    ) -> None:
        self.key = key
        self.organization = organization
        self.auth = auth
        self.procedure = procedure
        self.pay_only = pay_only
        #: the policies on file before the import (None for a new organisation)
        self.was: Policy | None = Policy.of_row(auth, procedure, pay_only) if pid else None
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
        for pid, key, organization, auth, procedure, pay_only in s.execute(
            select(
                _PARTNERS.c.id,
                _PARTNERS.c.org_key,
                _PARTNERS.c.organization,
                _PARTNERS.c.require_auth,
                _PARTNERS.c.bank_change_procedure,
                _PARTNERS.c.pay_only_on_file,
            )
        ):
            org = _Org(key, organization, auth, pid, procedure or "", bool(pay_only))
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
        procedure = getattr(p, "bank_change_procedure", "")
        pay_only = getattr(p, "pay_only_on_file", False)
        kept_contacts: set[str] = set()
        kept_accounts: set[str] = set()
        if key in self.partial:  # add to what is on file, take nothing away
            auth |= {a for a in org.auth.split(";") if a}
            procedure = procedure or None
            pay_only = pay_only or None
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
        # None: the file says nothing of it (no such column, or a bad row's organisation)
        if procedure is not None:
            org.procedure = text(clip(" ".join(str(procedure).split()), PROCEDURE_MAX))
        if pay_only is not None:
            org.pay_only = bool(pay_only)
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

    def policy_changes(self) -> list[tuple[str, Policy, Policy]]:
        """(organisation, before, after) of each stored organisation whose policies the
        records changed, and of each new one that has any."""
        out = []
        none = Policy(frozenset(), "", False)
        for o in self.orgs.values():
            if not o.seen:
                continue
            now = Policy.of_row(o.auth, o.procedure, o.pay_only)
            was = o.was or none
            if now != was:
                out.append((o.organization, was, now))
        return out

    def write(self, s: Session, now: datetime, remove: list[int]) -> None:
        """Apply the plan: updates, then deletions (so that a domain that changes owner is
        free before it is inserted again), then the new organisations and every new row."""
        seen = [o for o in self.orgs.values() if o.seen]
        _update_partners(
            s,
            [
                (o.id, o.organization, o.auth, o.procedure, o.pay_only)
                for o in seen
                if o.id is not None
            ],
            now,
        )
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
            (
                "organization",
                "org_key",
                "require_auth",
                "bank_change_procedure",
                "pay_only_on_file",
                "updated_at",
            ),
            [(o.organization, o.key, o.auth, o.procedure, o.pay_only, now) for o in new],
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


def _update_partners(
    s: Session, rows: list[tuple[int | None, str, str, str, bool]], now: datetime
) -> None:
    """Set the name and policies of stored organisations. SQLite: one executemany per
    batch. PostgreSQL, where a statement per row is a round trip: one
    ``UPDATE ... FROM`` a temporary table per batch."""
    if s.get_bind().dialect.name != "postgresql":
        statement = (
            update(_PARTNERS)
            .where(_PARTNERS.c.id == bindparam("b_id"))
            .values(
                organization=bindparam("b_org"),
                require_auth=bindparam("b_auth"),
                bank_change_procedure=bindparam("b_proc"),
                pay_only_on_file=bindparam("b_pay"),
                updated_at=bindparam("b_at"),
            )
        )
        for chunk in _chunks(rows):
            s.execute(
                statement,
                [
                    {"b_id": i, "b_org": o, "b_auth": a, "b_proc": pr, "b_pay": pay, "b_at": now}
                    for i, o, a, pr, pay in chunk
                ],
            )
        return
    # PostgreSQL: the new values by COPY into a table of this transaction, then one
    # UPDATE ... FROM it per range of BATCH ids (each statement short).
    s.execute(
        text(
            "CREATE TEMPORARY TABLE partner_import (id integer PRIMARY KEY, "
            "organization text NOT NULL, require_auth text NOT NULL, "
            "bank_change_procedure text NOT NULL, pay_only_on_file boolean NOT NULL) "
            "ON COMMIT DROP"
        )
    )
    rows = sorted(rows, key=lambda r: r[0] or 0)
    _insert(
        s,
        _IMPORTED,
        ("id", "organization", "require_auth", "bank_change_procedure", "pay_only_on_file"),
        rows,
    )
    given = _IMPORTED
    statement = (
        update(_PARTNERS)
        .where(_PARTNERS.c.id == given.c.id)
        .where(given.c.id.between(bindparam("lo"), bindparam("hi")))
        .values(
            organization=given.c.organization,
            require_auth=given.c.require_auth,
            bank_change_procedure=given.c.bank_change_procedure,
            pay_only_on_file=given.c.pay_only_on_file,
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
