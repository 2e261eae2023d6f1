"""The partner directory in the database: import, listing, and the snapshot the checks read
(:class:`~caveat.knowledge.directory.Directory`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import (
    delete,
    select,
)
from sqlalchemy.orm import Session

from caveat.knowledge.directory import Directory, DirectoryContact, PartnerEntry
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
from .store import Store


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
        was about) ``replace`` removes nothing."""
        partial = frozenset(incomplete)
        created = updated = removed = 0
        problems: list[tuple[str, str]] = []
        now = self.store.clock()
        with self.store.session() as s:
            owners = dict(
                s.execute(select(PartnerDomainRow.domain, PartnerDomainRow.partner_id)).all()
            )
            by_key = {r.org_key: r for r in s.scalars(select(PartnerRow))}
            seen: set[int] = set()
            for p in partners:
                organization = clip(str(getattr(p, "organization", "")).strip(), ORG_MAX)
                key = org_key(organization)
                if not key:
                    continue
                row = by_key.get(key)
                if row is None:
                    row = PartnerRow(organization=organization, org_key=key, updated_at=now)
                    s.add(row)
                    s.flush()
                    by_key[key] = row
                    created += 1
                else:
                    updated += 1
                    row.organization = organization
                    row.updated_at = now
                seen.add(row.id)
                auth = set(getattr(p, "require_auth", ()) or ())
                kept_contacts: set[str] = set()
                kept_accounts: set[str] = set()
                if key in partial:  # add to what is on file, take nothing away
                    auth |= {a for a in row.require_auth.split(";") if a}
                    kept_contacts = {
                        c.email or c.name
                        for c in s.scalars(
                            select(PartnerContactRow).where(PartnerContactRow.partner_id == row.id)
                        )
                    }
                    kept_accounts = set(
                        s.scalars(
                            select(PartnerAccountRow.account).where(
                                PartnerAccountRow.partner_id == row.id
                            )
                        )
                    )
                else:
                    for table in (PartnerDomainRow, PartnerContactRow, PartnerAccountRow):
                        s.execute(delete(table).where(table.partner_id == row.id))
                        if table is PartnerDomainRow:
                            owners = {d: o for d, o in owners.items() if o != row.id}
                row.require_auth = ";".join(sorted(auth))
                for d in dict.fromkeys(getattr(p, "domains", ())):
                    owner = owners.get(d)
                    if owner == row.id:
                        continue  # kept from what was on file
                    if owner is not None and owner != row.id:
                        other = s.get(PartnerRow, owner)
                        problems.append(
                            (
                                organization,
                                f"{d} belongs to "
                                f"{other.organization if other else 'another organisation'}; "
                                "left there",
                            )
                        )
                        continue
                    owners[d] = row.id
                    s.add(PartnerDomainRow(domain=clip(d, DOMAIN_MAX), partner_id=row.id))
                for c in getattr(p, "contacts", ()):
                    if (c.email.lower() or c.name) in kept_contacts:
                        continue
                    s.add(
                        PartnerContactRow(
                            partner_id=row.id,
                            name=clip(c.name, NAME_MAX),
                            email=clip(c.email.lower(), ADDRESS_MAX),
                            phone=clip(c.phone, 100),
                        )
                    )
                for account in dict.fromkeys(getattr(p, "bank_accounts", ())):
                    if clip(account, 64) in kept_accounts:
                        continue
                    s.add(PartnerAccountRow(partner_id=row.id, account=clip(account, 64)))
                s.flush()
            if replace and keep_absent:
                absent = sum(1 for r in by_key.values() if r.id not in seen)
                if absent:
                    problems.append(
                        (
                            "the file",
                            "it has bad rows, so no organisation was removed "
                            f"({absent} not listed in it kept); fix the rows and import "
                            "again to remove them",
                        )
                    )
            elif replace:
                stale = [r for r in by_key.values() if r.id not in seen]
                for r in stale:
                    s.delete(r)
                removed = len(stale)
            self._bump(s, now)
        return ImportReport(created, updated, removed, tuple(problems))

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
        with self.store.session() as s:
            rows = list(s.scalars(select(PartnerRow).order_by(PartnerRow.org_key)))
            domains: dict[int, list[str]] = {}
            for d, pid in s.execute(
                select(PartnerDomainRow.domain, PartnerDomainRow.partner_id).order_by(
                    PartnerDomainRow.domain
                )
            ):
                domains.setdefault(pid, []).append(d)
            contacts: dict[int, list[DirectoryContact]] = {}
            for c in s.scalars(select(PartnerContactRow).order_by(PartnerContactRow.id)):
                contacts.setdefault(c.partner_id, []).append(
                    DirectoryContact(c.name, c.email, c.phone)
                )
            accounts: dict[int, list[str]] = {}
            for pid, account in s.execute(
                select(PartnerAccountRow.partner_id, PartnerAccountRow.account).order_by(
                    PartnerAccountRow.account
                )
            ):
                accounts.setdefault(pid, []).append(account)
            return [
                PartnerEntry(
                    r.organization,
                    tuple(domains.get(r.id, ())),
                    tuple(contacts.get(r.id, ())),
                    tuple(accounts.get(r.id, ())),
                    frozenset(a for a in r.require_auth.split(";") if a),
                )
                for r in rows
            ]

    def load(
        self, *, internal_domains: Iterable[str] = (), freemail: FreemailList | None = None
    ) -> Directory:
        version = self.version()
        return Directory(
            self.partners(), internal_domains=internal_domains, freemail=freemail, version=version
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
