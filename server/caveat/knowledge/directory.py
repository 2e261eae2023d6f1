"""The partner directory as the checks read it: an immutable, indexed snapshot.

Built from the partner records (``caveat partners import``) and the organisation's own
domains; every lookup a check makes is a dictionary access or an index query, never a scan
of the directory, so a directory of 100,000 partners costs a message what 1,000 do.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

from caveat.mail.domains import normalise_domain, org_domain
from caveat.mail.names import (
    LEGAL_FORMS,
    ROLE_LOCAL_PARTS,
    is_person_name,
    name_key,
    organisation_key,
)
from caveat.reference.bank_identifiers import account_key
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


class Directory:
    """Read interface of the partner directory (and of our own domains)."""

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
        self._partners: list[PartnerEntry] = []
        self._by_org_domain: dict[str, int] = {}
        self._by_domain: dict[str, int] = {}
        self._by_email: dict[str, int] = {}
        self._by_name: dict[str, list[KnownPerson]] = {}
        self._by_organisation: dict[str, int] = {}
        self._by_account: dict[str, list[int]] = {}
        self.ignored_domains: list[tuple[str, str]] = []  # (organisation, free-mail domain)
        #: told of the look-alike index's build; set by the snapshot's owner before sharing it
        self.listener: IndexListener | None = None
        for p in partners:
            self._add(p)

    def _add(self, p: PartnerLike) -> None:
        i = len(self._partners)
        domains: list[str] = []
        for d in p.domains:
            d = normalise_domain(d)
            if not d:
                continue
            if self._freemail is not None and d in self._freemail:
                # A free-mail provider is nobody's company domain: listing it would make
                # every mailbox there this partner's.
                self.ignored_domains.append((p.organization, d))
                continue
            domains.append(d)
            self._by_domain.setdefault(d, i)
            self._by_org_domain.setdefault(org_domain(d), i)
        contacts = tuple(DirectoryContact(c.name, c.email.lower(), c.phone) for c in p.contacts)
        for c in contacts:
            if c.email:
                self._by_email.setdefault(c.email, i)
            key = name_key(c.name)
            if is_person_name(key):
                self._by_name.setdefault(key, []).append(
                    KnownPerson(c.email, c.name, "directory", p.organization)
                )
        self._by_organisation.setdefault(p.organization, i)
        for account in p.bank_accounts:
            key = account_key(account)
            if key and i not in self._by_account.get(key, ()):
                self._by_account.setdefault(key, []).append(i)
        self._partners.append(
            PartnerEntry(
                p.organization,
                tuple(domains),
                contacts,
                tuple(p.bank_accounts),
                frozenset(p.require_auth),
            )
        )

    def __len__(self) -> int:
        return len(self._partners)

    @property
    def partners(self) -> tuple[PartnerEntry, ...]:
        return tuple(self._partners)

    # --------------------------------------------------------------- lookups

    def partner_of_domain(self, domain: str) -> PartnerEntry | None:
        """The partner that uses this mail domain (or its registrable domain)."""
        if not domain:
            return None
        d = normalise_domain(domain)
        i = self._by_domain.get(d)
        if i is None:
            i = self._by_org_domain.get(org_domain(d))
        return self._partners[i] if i is not None else None

    def organisation_of(self, domain: str) -> str | None:
        p = self.partner_of_domain(domain)
        return p.organization if p else None

    def partner_of_address(self, address: str) -> PartnerEntry | None:
        """The partner whose directory entry lists this very address as a contact."""
        i = self._by_email.get(address.lower())
        return self._partners[i] if i is not None else None

    def partner_named(self, organization: str) -> PartnerEntry | None:
        i = self._by_organisation.get(organization)
        return self._partners[i] if i is not None else None

    def partner_called(self, name: str) -> PartnerEntry | None:
        """The partner whose organisation name this is, case and spacing ignored (the rule
        by which rows of the partner CSV merge): a display name such as "ACME  gmbh"."""
        i = self._by_organisation_key.get(organization_key(name)) if name.strip() else None
        return self._partners[i] if i is not None else None

    @cached_property
    def _by_organisation_key(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for i, p in enumerate(self._partners):
            key = organization_key(p.organization)
            if key:
                out.setdefault(key, i)
        return out

    def account_owners(self, key: str) -> tuple[PartnerEntry, ...]:
        """The partners that have this account on file (``key`` as
        :func:`caveat.reference.bank_identifiers.account_key` makes it)."""
        return tuple(self._partners[i] for i in self._by_account.get(key, ()))

    def contacts_named(self, key: str) -> tuple[KnownPerson, ...]:
        """The directory's contacts whose name has this key (:func:`caveat.mail.names.
        name_key`: folded, so a look-alike or decorated spelling finds them too)."""
        return tuple(self._by_name.get(key, ()))

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
        return self._partners[i] if i is not None else None

    @cached_property
    def _by_display_org(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for i, p in enumerate(self._partners):
            key = organisation_key(p.organization)
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
        protected += [(d, p.organization) for p in self._partners for d in p.domains]
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
        for owner, domains in [(OURS, self.internal)] + [
            (p.organization, p.domains) for p in self._partners
        ]:
            for d in domains:
                org = org_domain(d)
                label = org.split(".", 1)[0]
                if len(label) >= 4 and not label.isdigit():
                    out.setdefault(label, owner)
        return out


EMPTY_DIRECTORY = Directory()
