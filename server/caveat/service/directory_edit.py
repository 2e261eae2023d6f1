"""One partner at a time, for the admin console: search the directory, read one partner,
and change it (a domain, a contact, a bank account added or removed; a contact edited).

A change is checked exactly as a row of the directory CSV is: the partner as it would be
afterwards is written as CSV (:func:`~caveat.knowledge.partners_csv.write_partners_csv`)
and read back by the CSV's parser, whose messages name the column and the problem. What
it reads is stored by the import ``PUT /api/v1/partners`` and ``caveat partners import``
use (:func:`~caveat.storage.directory_store.import_parsed`), which moves the directory's
version and writes the audit row with the person who made the change. A domain that
another organisation has is refused before anything is stored (the import would keep it
with its owner and store the rest).

Partners' policies and a partner's removal go through the store functions the API calls
(:meth:`~caveat.storage.directory_store.DirectoryStore.set_policy`, ``remove``); they are
not here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import func, or_, select

from caveat.identity.principal import Principal
from caveat.knowledge.directory import DirectoryContact, PartnerEntry
from caveat.knowledge.partners_csv import (
    Contact,
    DirectoryFileError,
    ParseResult,
    Partner,
    organization_key,
    parse_partners_csv,
    write_partners_csv,
)
from caveat.storage.directory_store import import_parsed
from caveat.storage.records import (
    PartnerAccountRow,
    PartnerContactRow,
    PartnerDomainRow,
    PartnerRow,
)
from caveat.storage.store import Store, storable_text

__all__ = [
    "PER_PAGE",
    "QUERY_MAX",
    "EditRefused",
    "SearchPage",
    "add_account",
    "add_contact",
    "add_domain",
    "change_partner",
    "edit_contact",
    "find_partners",
    "partner",
    "remove_account",
    "remove_contact",
    "remove_domain",
]

#: Partners on one page of a search.
PER_PAGE = 25
#: Longest search text.
QUERY_MAX = 200


class EditRefused(ValueError):
    """The change would make a partner the directory CSV refuses; the message says why."""


@dataclass(frozen=True, slots=True)
class SearchPage:
    query: str
    partners: tuple[PartnerEntry, ...]
    total: int
    page: int  # 1-based
    pages: int


def _like(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def find_partners(store: Store, query: str = "", *, page: int = 1) -> SearchPage:
    """The partners whose organisation, a domain, a contact's name, address or phone, or a
    bank account contains ``query`` (case ignored; an account's spaces too), by name,
    :data:`PER_PAGE` at a time. An empty query lists every partner."""
    q = " ".join(query.split())[:QUERY_MAX]
    condition: Any = None
    if q:
        text = _like(storable_text(q.casefold()))
        account = _like(storable_text("".join(q.split()).upper()))
        condition = or_(
            PartnerRow.org_key.like(_like(storable_text(organization_key(q))), escape="\\"),
            PartnerRow.id.in_(
                select(PartnerDomainRow.partner_id).where(
                    PartnerDomainRow.domain.like(text, escape="\\")
                )
            ),
            PartnerRow.id.in_(
                select(PartnerContactRow.partner_id).where(
                    or_(
                        func.lower(PartnerContactRow.name).like(text, escape="\\"),
                        PartnerContactRow.email.like(text, escape="\\"),
                        PartnerContactRow.phone.like(_like(storable_text(q)), escape="\\"),
                    )
                )
            ),
            PartnerRow.id.in_(
                select(PartnerAccountRow.partner_id).where(
                    PartnerAccountRow.account.like(account, escape="\\")
                )
            ),
        )
    ids = select(PartnerRow.id, PartnerRow.org_key)
    counted = select(func.count()).select_from(PartnerRow)
    if condition is not None:
        ids = ids.where(condition)
        counted = counted.where(condition)
    with store.session() as s:
        total = int(s.scalar(counted) or 0)
        pages = max(1, -(-total // PER_PAGE))
        page = min(max(1, page), pages)
        found = [
            pid
            for pid, _key in s.execute(
                ids.order_by(PartnerRow.org_key).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
            )
        ]
        partners = _entries(s, found)
    return SearchPage(q, tuple(partners), total, page, pages)


def partner(store: Store, organization: str) -> PartnerEntry | None:
    """The partner of that name (matched as the CSV merges rows: case and spacing
    ignored), or None."""
    key = organization_key(organization)
    if not key:
        return None
    with store.session() as s:
        pid = s.scalar(select(PartnerRow.id).where(PartnerRow.org_key == storable_text(key)))
        if pid is None:
            return None
        found = _entries(s, [pid])
    return found[0] if found else None


def _entries(s: Any, ids: list[int]) -> list[PartnerEntry]:
    """The partners of ``ids``, in that order, with their domains (by name), contacts (in
    the order stored) and accounts (by identifier)."""
    if not ids:
        return []
    domains: dict[int, list[str]] = {}
    for pid, d in s.execute(
        select(PartnerDomainRow.partner_id, PartnerDomainRow.domain)
        .where(PartnerDomainRow.partner_id.in_(ids))
        .order_by(PartnerDomainRow.domain)
    ):
        domains.setdefault(pid, []).append(d)
    contacts: dict[int, list[DirectoryContact]] = {}
    for pid, name, email, phone in s.execute(
        select(
            PartnerContactRow.partner_id,
            PartnerContactRow.name,
            PartnerContactRow.email,
            PartnerContactRow.phone,
        )
        .where(PartnerContactRow.partner_id.in_(ids))
        .order_by(PartnerContactRow.id)
    ):
        contacts.setdefault(pid, []).append(DirectoryContact(name, email, phone))
    accounts: dict[int, list[str]] = {}
    for pid, a in s.execute(
        select(PartnerAccountRow.partner_id, PartnerAccountRow.account)
        .where(PartnerAccountRow.partner_id.in_(ids))
        .order_by(PartnerAccountRow.account)
    ):
        accounts.setdefault(pid, []).append(a)
    rows = {
        r[0]: r
        for r in s.execute(
            select(
                PartnerRow.id,
                PartnerRow.organization,
                PartnerRow.require_auth,
                PartnerRow.bank_change_procedure,
                PartnerRow.pay_only_on_file,
            ).where(PartnerRow.id.in_(ids))
        )
    }
    out = []
    for pid in ids:
        if pid not in rows:
            continue
        _id, organization, auth, procedure, pay_only = rows[pid]
        out.append(
            PartnerEntry(
                organization,
                tuple(domains.get(pid, ())),
                tuple(contacts.get(pid, ())),
                tuple(accounts.get(pid, ())),
                frozenset(a for a in auth.split(";") if a),
                procedure or "",
                bool(pay_only),
            )
        )
    return out


# ----------------------------------------------------------------------------- changes

#: What a change does to the partner: the partner before -> the partner after.
Change = Callable[[Partner], Partner]


def _as_partner(p: PartnerEntry) -> Partner:
    return Partner(
        p.organization,
        p.domains,
        tuple(Contact(c.name, c.email, c.phone) for c in p.contacts),
        p.bank_accounts,
        p.require_auth,
        p.bank_change_procedure,
        p.pay_only_on_file,
    )


def _checked(p: Partner) -> ParseResult:
    """``p`` as the directory CSV reads it back (one partner), or :class:`EditRefused`."""
    try:
        result = parse_partners_csv(write_partners_csv([p]))
    except DirectoryFileError as exc:
        raise EditRefused(str(exc)) from None
    if result.errors:
        # one message per problem: the partner's domains repeat on each contact's row
        raise EditRefused("; ".join(dict.fromkeys(e.message for e in result.errors)))
    if len(result.partners) != 1:  # pragma: no cover - a partner's rows merge
        raise EditRefused("the change does not describe one partner")
    return result


def change_partner(
    store: Store, organization: str, change: Change, *, who: Principal, what: str
) -> PartnerEntry:
    """Apply ``change`` to the partner, check it as a CSV row and store it; returns the
    partner as stored. :class:`LookupError` when no such partner is on file,
    :class:`EditRefused` when the result is not a valid directory entry (nothing stored).
    ``what`` says what was done, for the audit row (``admin console: add domain``)."""
    current = partner(store, organization)
    if current is None:
        raise LookupError(organization)
    result = _checked(change(_as_partner(current)))
    after = result.partners[0]
    if organization_key(after.organization) != organization_key(current.organization):
        raise EditRefused("the organisation's name cannot change here")
    new_domains = [d for d in after.domains if d not in current.domains]
    if new_domains:
        with store.session() as s:
            taken = s.execute(
                select(PartnerDomainRow.domain, PartnerRow.organization)
                .join(PartnerRow, PartnerRow.id == PartnerDomainRow.partner_id)
                .where(PartnerDomainRow.domain.in_(new_domains))
            ).first()
        if taken is not None:
            raise EditRefused(
                f"domain {taken[0]} already belongs to {taken[1]}; a domain belongs to one "
                "organisation"
            )
    report, _warnings = import_parsed(store, result, who=who, source=what)
    if report.problems:  # pragma: no cover - checked above; a race with another change
        raise EditRefused("; ".join(problem for _org, problem in report.problems))
    stored = partner(store, current.organization)
    assert stored is not None
    return stored


# Small changes, each a function of the partner (what the console's forms ask for).


def add_domain(domain: str) -> Change:
    return lambda p: replace(p, domains=(*p.domains, domain.strip()))


def remove_domain(domain: str) -> Change:
    def change(p: Partner) -> Partner:
        if domain not in p.domains:
            raise EditRefused(f"{p.organization} has no domain {domain}")
        return replace(p, domains=tuple(d for d in p.domains if d != domain))

    return change


def add_account(account: str) -> Change:
    return lambda p: replace(p, bank_accounts=(*p.bank_accounts, account.strip()))


def remove_account(account: str) -> Change:
    def change(p: Partner) -> Partner:
        if account not in p.bank_accounts:
            raise EditRefused(f"{p.organization} has no bank account {account} on file")
        return replace(p, bank_accounts=tuple(a for a in p.bank_accounts if a != account))

    return change


def add_contact(name: str, email: str, phone: str) -> Change:
    def change(p: Partner) -> Partner:
        new = Contact(" ".join(name.split()), email.strip(), phone.strip())
        if not (new.name or new.email or new.phone):
            raise EditRefused("give the contact a name, an address or a phone number")
        return replace(p, contacts=(*p.contacts, new))

    return change


def _contact_at(p: Partner, index: int) -> Contact:
    if not 0 <= index < len(p.contacts):
        raise EditRefused(f"{p.organization} has no such contact (it may have just changed)")
    return p.contacts[index]


def edit_contact(index: int, expected: str, name: str, email: str, phone: str) -> Change:
    """Contact number ``index`` (as stored), which must still be ``expected`` (its address,
    or its name when it has none), becomes the one given."""

    def change(p: Partner) -> Partner:
        old = _contact_at(p, index)
        if (old.email or old.name) != expected:
            raise EditRefused("the contact changed meanwhile; look at it again")
        new = Contact(" ".join(name.split()), email.strip(), phone.strip())
        if not (new.name or new.email or new.phone):
            raise EditRefused("give the contact a name, an address or a phone number")
        contacts = list(p.contacts)
        contacts[index] = new
        return replace(p, contacts=tuple(contacts))

    return change


def remove_contact(index: int, expected: str) -> Change:
    def change(p: Partner) -> Partner:
        old = _contact_at(p, index)
        if (old.email or old.name) != expected:
            raise EditRefused("the contact changed meanwhile; look at it again")
        return replace(p, contacts=tuple(c for i, c in enumerate(p.contacts) if i != index))

    return change
