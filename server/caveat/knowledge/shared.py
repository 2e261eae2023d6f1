"""What the whole organisation has learnt, as one read-only snapshot a check may consult:
fraud indicators (from confirmed reports, denied verifications, imported lists and the
API), the reports people still have open (each shown only to its reporter), and the
accounts colleagues verified by telephone.

The service builds a :class:`SharedKnowledge` from storage off the request path
(:mod:`caveat.service.knowledge`) and hands it to the engine in
:attr:`caveat.knowledge.context.Context.knowledge`; checks only read it. Nothing here
touches a database or the network.

Accounts are never held in clear: an account named in a message is compared by its keyed
hash (:func:`account_ref`, HMAC-SHA-256 under a key derived from the deployment's secret,
of the account's comparison form :func:`caveat.reference.bank_identifiers.account_key`),
the same opaque reference the analyze response gives clients. Phone numbers are held in
E.164 form, addresses lower-case, domains in their normalised (A-label) form.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

import phonenumbers

#: The kinds of indicator (PRODUCT.md "Indicators CSV").
KINDS = ("address", "domain", "account", "phone")
#: Where an indicator came from.
SOURCES = ("import", "report", "verification", "api")


def account_ref(key: bytes, account_key: str) -> str:
    """The opaque reference of an account (hex HMAC-SHA-256 under ``key`` of its comparison
    form, see :func:`caveat.reference.bank_identifiers.account_key`)."""
    return hmac.new(key, account_key.encode("ascii", "replace"), hashlib.sha256).hexdigest()


def message_ref(key: bytes, message_id: str) -> str:
    """The keyed hash reports keep of a Message-ID (the same as
    :func:`caveat.storage.reports.id_hash`)."""
    data = message_id.strip().strip("<>").strip().encode("utf-8", "surrogatepass")
    return hmac.new(key, data, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class Indicator:
    """One piece of known fraud."""

    id: int
    kind: str
    #: the comparison form: an address (lower-case), a domain (normalised), an account's
    #: :func:`account_ref`, a phone number in E.164
    value: str
    #: what evidence shows: the address, the domain, the masked account, the phone number
    shown: str
    note: str
    source: str
    #: who reported, confirmed or imported it (a person's label, ``service key NAME``, an
    #: operator at the command line)
    by: str
    at: datetime
    expires_at: datetime | None = None

    def live(self, now: datetime) -> bool:
        return self.expires_at is None or now < self.expires_at


@dataclass(frozen=True, slots=True)
class PendingReport:
    """A report its reporter made and security has not yet triaged: the message it was
    about and its sender, shown to that reporter only."""

    id: int
    message_hash: str
    sender: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Confirmation:
    """One person's confirmation of an account by a call to the partner's contact on file.
    (Filled by the verification store; see issue 17's "Verify sender outcomes".)"""

    by: str
    at: datetime


def verified_key(organisation_key: str, account_hash: str) -> str:
    """The key of :attr:`SharedKnowledge.verified_accounts`."""
    return f"{organisation_key}\x1f{account_hash}"


_EMPTY_MAP: Mapping[str, tuple[object, ...]] = MappingProxyType({})


@dataclass(frozen=True)
class SharedKnowledge:
    #: the ``knowledge_state`` version it was read at (0: nothing stored)
    version: int = 0
    #: live indicators by kind, then by comparison value (several may share one value)
    indicators: Mapping[str, Mapping[str, tuple[Indicator, ...]]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    #: open reports by their reporter's subject (the principal's stable id)
    pending_reports: Mapping[str, tuple[PendingReport, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    #: confirmations of an account for a partner, keyed by :func:`verified_key` of the
    #: organisation's key (:func:`caveat.knowledge.directory.organization_key`) and the
    #: account's :func:`account_ref`; only accounts that reached the four-eyes count and
    #: that no one denied
    verified_accounts: Mapping[str, tuple[Confirmation, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    #: the key of :func:`account_ref` (empty: accounts cannot be compared)
    account_key: bytes = b""
    #: the key of :func:`message_ref` (the reports' key; empty: messages cannot be matched)
    message_key: bytes = b""
    #: phone indicators' regions (ISO 3166 codes), to read national forms in a body
    phone_regions: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.indicators or self.pending_reports or self.verified_accounts)

    @functools.cached_property
    def phone_digits(self) -> tuple[str, ...]:
        """The national significant numbers of the phone indicators (see
        :func:`caveat.knowledge.indicators_csv.may_name`)."""
        return tuple(sorted({national_digits(v) for v in self.indicators.get("phone", {})}))

    def matching(self, kind: str, value: str, now: datetime) -> tuple[Indicator, ...]:
        """The live indicators of ``kind`` for the comparison form ``value``."""
        found = self.indicators.get(kind, {}).get(value, ())
        return tuple(i for i in found if i.live(now))

    def has(self, kind: str) -> bool:
        return bool(self.indicators.get(kind))

    def account_ref(self, account_key: str) -> str | None:
        """The opaque reference of an account (None when no key is known)."""
        return account_ref(self.account_key, account_key) if self.account_key else None

    def message_ref(self, message_id: str) -> str | None:
        return message_ref(self.message_key, message_id) if self.message_key else None

    def verified(self, organisation_key: str, account_hash: str) -> tuple[Confirmation, ...]:
        return self.verified_accounts.get(verified_key(organisation_key, account_hash), ())

    def pending_for(self, subject: str | None) -> tuple[PendingReport, ...]:
        if not subject:
            return ()
        return self.pending_reports.get(subject, ())


def national_digits(e164: str) -> str:
    """The national significant number of an E.164 number (``+442079460958`` →
    ``2079460958``): the digits every written form of it holds in a row."""
    try:
        return phonenumbers.national_significant_number(phonenumbers.parse(e164, None))
    except phonenumbers.NumberParseException:
        return e164.lstrip("+")


EMPTY_KNOWLEDGE = SharedKnowledge()
