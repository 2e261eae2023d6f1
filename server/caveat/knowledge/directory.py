"""The partner directory as the checks read it: an immutable, indexed snapshot.

Built from the partner records (``caveat partners import``) and the organisation's own
domains; every lookup a check makes is a dictionary access or an index query, never a scan
of the directory, so a directory of 100,000 partners costs a message what 1,000 do.
"""

from __future__ import annotations

import itertools
import time
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

from caveat.mail.domains import _PSL, normalise_domain, org_domain
from caveat.mail.names import (
    LEGAL_FORMS,
    ROLE_LOCAL_PARTS,
    is_person_name,
    name_key,
    organisation_key,
)
from caveat.reference.bank_identifiers import on_file_keys
from caveat.reference.freemail import FreemailList

from .memory import KnownPerson
from .partners_csv import organization_key

if TYPE_CHECKING:
    from caveat.reference.lookalike import LookalikeIndex

#: The owner label of the organisation's own domains in look-alike evidence.
OURS = "your organisation"

#: Told when an index is built: its name ("directory", "lookalikes"), its number of
#: entries and the seconds the build took (the service's metrics listen).
IndexListener = Callable[[str, int, float], None]

#: Words that name a department of a company rather than the company ("Northwind Metals
#: Billing", "Buchhaltung Northwind Metals").
_DEPARTMENT_WORDS = ROLE_LOCAL_PARTS | frozenset(
    """
    accounts department dept abteilung service services servicio servizio team equipe
    payable receivable payment payments billing invoice invoices invoicing finance finances
    financial comptabilite facturation facturacion fatturazione amministrazione
    contabilidade faturacao boekhouding administratie debiteuren crediteuren credit
    collections customer client clients kundenservice office desk
    buchhaltung rechnungswesen verwaltung finanzen debitoren kreditoren inkasso treasury
    tresorerie tesoreria tesouraria administration administracion administracao admin
    contabilidad contabilita financien financiele ufficio cobros cobranzas cobrancas
    pagos pagamentos pagamenti factures facturen rechnungen
    """.split()
)


class ContactLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def phone(self) -> str: ...


class PartnerLike(Protocol):
    @property
    def organization(self) -> str: ...
    @property
    def domains(self) -> Sequence[str]: ...
    @property
    def contacts(self) -> Sequence[ContactLike]: ...
    @property
    def bank_accounts(self) -> Sequence[str]: ...
    @property
    def require_auth(self) -> frozenset[str]: ...


@dataclass(frozen=True, slots=True)
class DirectoryContact:
    name: str
    email: str
    phone: str


@dataclass(frozen=True, slots=True)
class PartnerEntry:
    organization: str
    domains: tuple[str, ...]
    contacts: tuple[DirectoryContact, ...]
    bank_accounts: tuple[str, ...]
    require_auth: frozenset[str]
    #: how the partner makes bank changes, agreed with them ("" for none)
    bank_change_procedure: str = ""
    #: only the accounts on file may be paid
    pay_only_on_file: bool = False


#: Partner entries a directory keeps once made (lookups of the same partners in a row).
ENTRIES_KEPT = 1024

#: A partner as :meth:`Directory.of_records` takes it: organisation, domains, contacts as
#: (name, email, phone), bank accounts, agreed authentication, bank-change procedure, and
#: whether only the accounts on file may be paid.
PartnerRecord = tuple[
    str, Sequence[str], Sequence[tuple[str, str, str]], Sequence[str], Iterable[str], str, bool
]


def _org_domain(domain: str) -> str:
    """:func:`org_domain` of a normalised domain, without its memo cache (a directory's
    worth of names seen once would only churn it) and, for a name whose last label ends
    with a letter and holds no colon (no IP address or literal does), without the test for
    an IP address."""
    if domain[-1:].isalpha() and ":" not in domain:
        return _PSL.privatesuffix(domain) or domain
    return org_domain(domain)


#: Index values: one number, or several (a list while the directory is built, a tuple after).
_Ids = int | list[int] | tuple[int, ...]


def _add_id(index: dict[str, _Ids], key: str, i: int) -> None:
    """Add number ``i`` (never smaller than the ones added before) under ``key``."""
    cur = index.get(key)
    if cur is None:
        index[key] = i
    elif isinstance(cur, int):
        if cur != i:
            index[key] = [cur, i]
    elif isinstance(cur, list) and cur[-1] != i:
        cur.append(i)


def _as_tuples(index: dict[str, _Ids]) -> None:
    """Lists of numbers into tuples, once built (smaller, and left alone by the collector)."""
    for key, value in index.items():
        if isinstance(value, list):
            index[key] = tuple(value)


def _ids(value: _Ids | None) -> Sequence[int]:
    if value is None:
        return ()
    return (value,) if isinstance(value, int) else value


class Directory:
    """Read interface of the partner directory (and of our own domains).

    Kept as columns rather than an object per partner: the organisations in one list, every
    partner's domains, contacts and accounts in flat lists with an array of offsets, and the
    indexes as dictionaries from a key to a partner number (or a tuple of them). A 100k
    directory is then a few dozen large objects for the cyclic collector instead of a
    million small ones, and the strings are shared between the lists and the indexes.
    :class:`PartnerEntry` objects are made when a lookup returns one.
    """

    def __init__(
        self,
        partners: Iterable[PartnerLike] = (),
        *,
        internal_domains: Iterable[str] = (),
        freemail: FreemailList | None = None,
        version: int = 0,
    ) -> None:
        self.version = version
        self.internal = tuple(
            dict.fromkeys(normalise_domain(d) for d in internal_domains if d.strip())
        )
        self._freemail = freemail
        self._orgs: list[str] = []
        #: each partner's agreed authentication, as a number in ``_auth_sets``
        self._auth: array[int] = array("I")
        self._auth_sets: list[frozenset[str]] = []
        self._auth_numbers: dict[frozenset[str], int] = {}
        #: the partners' policies beyond require_auth, kept sparse: few partners have one
        self._procedures: dict[int, str] = {}
        self._pay_only: set[int] = set()
        self._domains: list[str] = []
        self._domain_at: array[int] = array("I", [0])
        self._c_name: list[str] = []
        self._c_email: list[str] = []
        self._c_phone: list[str] = []
        self._contact_at: array[int] = array("I", [0])
        self._accounts: list[str] = []
        self._account_at: array[int] = array("I", [0])
        self._by_domain: dict[str, int] = {}
        #: registrable domain -> partner, only where ``_by_domain`` does not say the same
        self._by_org_domain: dict[str, int] = {}
        self._by_email: dict[str, int] = {}
        self._by_name: dict[str, _Ids] = {}  # contact numbers
        self._by_organisation: dict[str, int] = {}
        self._by_account: dict[str, _Ids] = {}  # partner numbers
        self._entries: dict[int, PartnerEntry] = {}
        self.ignored_domains: list[tuple[str, str]] = []  # (organisation, free-mail domain)
        #: told of the look-alike index's build; set by the snapshot's owner before sharing it
        self.listener: IndexListener | None = None
        org_domains: dict[str, int] = {}
        for p in partners:
            self._add(
                org_domains,
                p.organization,
                p.domains,
                [(c.name, c.email, c.phone) for c in p.contacts],
                p.bank_accounts,
                p.require_auth,
                getattr(p, "bank_change_procedure", "") or "",
                bool(getattr(p, "pay_only_on_file", False)),
            )
        self._finish(org_domains)

    @classmethod
    def of_records(
        cls,
        records: Iterable[PartnerRecord],
        *,
        internal_domains: Iterable[str] = (),
        freemail: FreemailList | None = None,
        version: int = 0,
    ) -> Directory:
        """The directory of plain records (as the store reads them: no object per partner)."""
        directory = cls(internal_domains=internal_domains, freemail=freemail, version=version)
        org_domains: dict[str, int] = {}
        for record in records:
            directory._add(org_domains, *record)
        directory._finish(org_domains)
        return directory

    def _add(
        self,
        org_domains: dict[str, int],
        organization: str,
        domains: Sequence[str],
        contacts: Sequence[tuple[str, str, str]],
        accounts: Sequence[str],
        require_auth: Iterable[str],
        procedure: str = "",
        pay_only: bool = False,
    ) -> None:
        i = len(self._orgs)
        if procedure:
            self._procedures[i] = procedure
        if pay_only:
            self._pay_only.add(i)
        for raw in domains:
            d = normalise_domain(raw)
            if not d:
                continue
            if d == raw:
                d = raw  # one string for the list and the index
            if self._freemail is not None and d in self._freemail:
                # A free-mail provider is nobody's company domain: listing it would make
                # every mailbox there this partner's.
                self.ignored_domains.append((organization, d))
                continue
            self._domains.append(d)
            self._by_domain.setdefault(d, i)
            org_domains.setdefault(_org_domain(d), i)
        self._domain_at.append(len(self._domains))
        for name, email, phone in contacts:
            address = email.lower()
            if address == email:
                address = email
            c = len(self._c_email)
            self._c_name.append(name)
            self._c_email.append(address)
            self._c_phone.append(phone)
            if address:
                self._by_email.setdefault(address, i)
            key = name_key(name)
            if is_person_name(key):
                _add_id(self._by_name, key, c)
        self._contact_at.append(len(self._c_email))
        self._by_organisation.setdefault(organization, i)
        self._orgs.append(organization)
        for account in accounts:
            self._accounts.append(account)
            for key in on_file_keys(account):  # also the IBAN a domestic form makes
                _add_id(self._by_account, key, i)
        self._account_at.append(len(self._accounts))
        auth = frozenset(require_auth)
        n = self._auth_numbers.get(auth)
        if n is None:
            n = self._auth_numbers[auth] = len(self._auth_sets)
            self._auth_sets.append(auth)
        self._auth.append(n)

    def _finish(self, org_domains: dict[str, int]) -> None:
        _as_tuples(self._by_name)
        _as_tuples(self._by_account)
        by_domain = self._by_domain
        for od, i in org_domains.items():
            if by_domain.get(od) != i:
                self._by_org_domain[od] = i

    def _entry(self, i: int) -> PartnerEntry:
        """Partner number ``i`` as an entry; the same object for the same partner while it
        stays among the last :data:`ENTRIES_KEPT` asked for."""
        entry = self._entries.get(i)
        if entry is not None:
            return entry
        if len(self._entries) >= ENTRIES_KEPT:
            self._entries.clear()
        entry = self._entries[i] = self._make_entry(i)
        return entry

    def _make_entry(self, i: int) -> PartnerEntry:
        c0, c1 = self._contact_at[i], self._contact_at[i + 1]
        return PartnerEntry(
            self._orgs[i],
            tuple(self._domains[self._domain_at[i] : self._domain_at[i + 1]]),
            tuple(
                DirectoryContact(self._c_name[c], self._c_email[c], self._c_phone[c])
                for c in range(c0, c1)
            ),
            tuple(self._accounts[self._account_at[i] : self._account_at[i + 1]]),
            self._auth_sets[self._auth[i]],
            self._procedures.get(i, ""),
            i in self._pay_only,
        )

    def _domains_of(self, i: int) -> list[str]:
        return self._domains[self._domain_at[i] : self._domain_at[i + 1]]

    def warm(self) -> Directory:
        """Build every index that is otherwise built on first use (the look-alike index,
        the name and label indexes): before a process forks, so that its children share
        them rather than each building its own."""
        _ = self.lookalikes, self.labels, self._by_organisation_key, self._by_display_org
        return self

    def __len__(self) -> int:
        return len(self._orgs)

    @property
    def has_bank_policies(self) -> bool:
        """Some partner agreed a bank-change procedure or to be paid only on accounts on
        file (the policy check has nothing to look at otherwise)."""
        return bool(self._procedures or self._pay_only)

    @property
    def partners(self) -> tuple[PartnerEntry, ...]:
        return tuple(self._make_entry(i) for i in range(len(self._orgs)))

    # --------------------------------------------------------------- lookups

    def _partner_index(self, domain: str) -> int | None:
        """The number of the partner that uses this mail domain (or its registrable
        domain)."""
        if not domain:
            return None
        d = normalise_domain(domain)
        i = self._by_domain.get(d)
        if i is None:
            od = org_domain(d)
            i = self._by_org_domain.get(od)
            if i is None:
                i = self._by_domain.get(od)
        return i

    def partner_of_domain(self, domain: str) -> PartnerEntry | None:
        """The partner that uses this mail domain (or its registrable domain)."""
        i = self._partner_index(domain)
        return self._entry(i) if i is not None else None

    def organisation_of(self, domain: str) -> str | None:
        i = self._partner_index(domain)
        return self._orgs[i] if i is not None else None

    def partner_of_address(self, address: str) -> PartnerEntry | None:
        """The partner whose directory entry lists this very address as a contact."""
        i = self._by_email.get(address.lower())
        return self._entry(i) if i is not None else None

    def partner_named(self, organization: str) -> PartnerEntry | None:
        i = self._by_organisation.get(organization)
        return self._entry(i) if i is not None else None

    def partner_called(self, name: str) -> PartnerEntry | None:
        """The partner whose organisation name this is, case and spacing ignored (the rule
        by which rows of the partner CSV merge): a display name such as "ACME  gmbh"."""
        i = self._by_organisation_key.get(organization_key(name)) if name.strip() else None
        return self._entry(i) if i is not None else None

    @cached_property
    def _by_organisation_key(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for i, organization in enumerate(self._orgs):
            key = organization_key(organization)
            if key:
                out.setdefault(organization if key == organization else key, i)
        return out

    def account_owners(self, key: str) -> tuple[PartnerEntry, ...]:
        """The partners that have this account on file (``key`` as
        :func:`caveat.reference.bank_identifiers.account_key` makes it)."""
        return tuple(self._entry(i) for i in _ids(self._by_account.get(key)))

    def contacts_named(self, key: str) -> tuple[KnownPerson, ...]:
        """The directory's contacts whose name has this key (:func:`caveat.mail.names.
        name_key`: folded, so a look-alike or decorated spelling finds them too)."""
        out = []
        for c in _ids(self._by_name.get(key)):
            i = bisect_right(self._contact_at, c) - 1
            out.append(KnownPerson(self._c_email[c], self._c_name[c], "directory", self._orgs[i]))
        return tuple(out)

    def partner_by_name_key(self, key: str) -> PartnerEntry | None:
        """The partner whose organisation a display-name key names: the organisation's
        name without its legal form ("metals northwind" for "Northwind Metals GmbH"), alone
        or with words of a department ("Northwind Metals Billing"). Only names distinctive
        enough to be one company's: a word of four letters or more that is not a role."""
        words = [w for w in key.split() if w not in LEGAL_FORMS]
        if not words:
            return None
        index = self._by_display_org
        i = index.get(" ".join(words))
        if i is None:
            core = [w for w in words if w not in _DEPARTMENT_WORDS]
            if 0 < len(core) < len(words):
                i = index.get(" ".join(core))
        return self._entry(i) if i is not None else None

    @cached_property
    def _by_display_org(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for i, organization in enumerate(self._orgs):
            key = organisation_key(organization)
            words = key.split()
            if any(len(w) >= 4 and w not in _DEPARTMENT_WORDS for w in words):
                out.setdefault(key, i)
        return out

    def is_internal(self, domain: str) -> bool:
        d = normalise_domain(domain)
        return any(d == i or d.endswith("." + i) for i in self.internal)

    @cached_property
    def lookalikes(self) -> LookalikeIndex:
        """Look-alike index over our own domains and every partner domain (built on first
        use: a directory that no message asks about costs nothing)."""
        from caveat.reference.lookalike import LookalikeIndex

        protected = [(d, OURS) for d in self.internal]
        protected += [
            (d, organization)
            for i, organization in enumerate(self._orgs)
            for d in self._domains_of(i)
        ]
        started = time.perf_counter()
        index = LookalikeIndex(protected)
        if self.listener is not None:
            self.listener("lookalikes", len(protected), time.perf_counter() - started)
        return index

    @cached_property
    def labels(self) -> dict[str, str]:
        """Registrable labels of our and the partners' domains (``partnerb`` of
        ``partnerb.example``), at least four letters long, with their owner."""
        out: dict[str, str] = {}
        owners = itertools.chain(
            [(OURS, self.internal)],
            ((organization, self._domains_of(i)) for i, organization in enumerate(self._orgs)),
        )
        for owner, domains in owners:
            for d in domains:
                org = _org_domain(d)
                label = org.split(".", 1)[0]
                if len(label) >= 4 and not label.isdigit():
                    out.setdefault(label, owner)
        return out


EMPTY_DIRECTORY = Directory()
