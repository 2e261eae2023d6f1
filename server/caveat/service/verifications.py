"""Verify sender outcomes: what a finance user heard when they called a partner, the
four-eyes rule that makes an account *verified*, and the maker--checker step that puts a
verified account on the directory's accounts on file.

The rules, in one place (the API and the CLI both come through :class:`Verifications`):

* A call is recorded against a partner **in the directory** and one of **its contacts on
  file** (by position in the partner's contact list or by address): the number called is
  the directory's, never one from the message. Anything else is refused.
* The account is the opaque ``account_ref`` the analyze response showed (the account's
  keyed hash): the client never sends an account number to record a call, and the service
  never needs it again.
* ``confirmed`` by ``VERIFY_CONFIRMATIONS`` distinct people (default 2; the same person
  twice counts once) makes the account verified for that partner: later messages from the
  partner naming it show BANK_DETAILS_VERIFIED instead of the unknown-account warning.
* ``denied`` blocks the account until an administrator clears the denial, and turns the
  account, and the sender and Reply-To addresses the client passes from the message, into
  fraud indicators (source ``verification``) in the same transaction. An address of the
  partner itself (its domains, its contacts on file) or of our own domains is not made an
  indicator: a forged From that uses the partner's real address must not put every genuine
  message of the partner at danger; the answer says what was left out and why.
* ``unreachable`` is recorded and changes nothing.
* Putting a verified account on file is a request (any holder of ``verify``) that someone
  else with ``approve`` decides; the requester can never decide their own request.

Every change writes its audit row and moves the shared knowledge's version in its own
transaction; the writing process refreshes its snapshots at once
(``on_change``), the others within their next check.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any
from weakref import WeakKeyDictionary

from caveat.identity.principal import Principal
from caveat.knowledge.directory import Directory, DirectoryContact, PartnerEntry
from caveat.knowledge.indicators_csv import IndicatorError, check_indicator
from caveat.knowledge.shared import SharedKnowledge
from caveat.mail.domains import is_subdomain_or_equal
from caveat.reference.bank_identifiers import on_file_keys
from caveat.storage.audit import Actor
from caveat.storage.indicators import NewIndicator
from caveat.storage.store import Store
from caveat.storage.verifications import (
    OUTCOMES,
    REF_RE,
    AccountStatus,
    Approval,
    Contact,
    Verification,
    VerificationError,
    VerificationStore,
)

from .settings import SettingsError, load_settings

#: Confirmations by distinct people that make an account verified (VERIFY_CONFIRMATIONS).
DEFAULT_CONFIRMATIONS = 2
#: VERIFY_CONFIRMATIONS of each store's service (:func:`configure`)
_CONFIRMATIONS: WeakKeyDictionary[Store, int] = WeakKeyDictionary()
NOTE_MAX = 500
#: A masked account as the analyze response shows it: ``DE89 **** 3000``,
#: ``sort code 12-34-56, account ****6819``, ``routing 021000021, account ****3210``.
_MASKED_RE = re.compile(r"^[A-Za-z0-9 ,*\-]{1,64}$")
_BANK_CODE_RE = re.compile(r"^(?:sort code [\d-]+|routing \d+),", re.IGNORECASE)


def configure(store: Store, confirmations: int) -> None:
    """The VERIFY_CONFIRMATIONS the service runs with on ``store`` (the application sets
    it when it starts; a command without it reads the settings once)."""
    _CONFIRMATIONS[store] = confirmations


def confirmations_for(store: Store) -> int:
    found = _CONFIRMATIONS.get(store)
    if found is None:
        try:
            found = int(load_settings()["VERIFY_CONFIRMATIONS"])
        except SettingsError:
            found = DEFAULT_CONFIRMATIONS
        _CONFIRMATIONS[store] = found
    return found


def with_verified_accounts(store: Store | None, found: SharedKnowledge) -> SharedKnowledge:
    """``found`` with the accounts that count as verified (four-eyes reached, no denial
    standing) and who confirmed them: one select, with the rest of the snapshot's read
    (:mod:`caveat.service.knowledge`)."""
    if store is None:
        return found
    verified = VerificationStore(store).verified_accounts(confirmations_for(store))
    return replace(found, verified_accounts=MappingProxyType(verified))


@dataclass(frozen=True, slots=True)
class Recorded:
    """A recorded call and where its account now stands."""

    verification: Verification
    status: AccountStatus
    #: indicators made from a denial: (kind, what it shows)
    indicators: tuple[tuple[str, str], ...] = ()
    #: message addresses not made indicators, and why
    left_out: tuple[tuple[str, str], ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            **self.verification.as_json(),
            "account_status": self.status.as_json(),
            "indicators": [{"kind": k, "value": v} for k, v in self.indicators],
            "not_indicators": [{"value": v, "reason": r} for v, r in self.left_out],
        }


@dataclass
class Verifications:
    """Verify sender outcomes and approvals of one store (see the module's description)."""

    store: Store
    #: the partner directory as the checks read it
    directory: Callable[[], Directory]
    confirmations: int = DEFAULT_CONFIRMATIONS
    #: is this domain ours (the configured internal domains)?
    is_internal: Callable[[str], bool] = field(default=lambda _d: False)
    #: told after every change (this process rebuilds its snapshots)
    on_change: Callable[[], None] = field(default=lambda: None)
    #: told of every denial, after it is stored (the alerts)
    on_denied: Callable[[Recorded], None] | None = None

    @property
    def records(self) -> VerificationStore:
        return VerificationStore(self.store)

    # ------------------------------------------------------------ calls

    def record(self, who: Principal | Actor, body: Mapping[str, Any]) -> Recorded:
        """Record one call from a request body (see :mod:`caveat.web.api.verify`)."""
        partner = self._partner(body.get("organization"))
        contact = _contact(partner, body.get("contact"))
        ref = body.get("account_ref")
        if not isinstance(ref, str) or not REF_RE.match(ref):
            raise VerificationError(
                "invalid", "account_ref must be the 64 hexadecimal digits the analysis showed"
            )
        outcome = body.get("outcome")
        if outcome not in OUTCOMES:
            raise VerificationError("invalid", f"outcome must be one of {', '.join(OUTCOMES)}")
        masked = _masked(body.get("account_masked"))
        note = _text(body.get("note"), "note", NOTE_MAX)
        addresses = _message_addresses(body.get("message"))
        made: list[NewIndicator] = []
        left_out: list[tuple[str, str]] = []
        if outcome == "denied":
            made.append(
                NewIndicator(
                    "account",
                    ref,
                    masked or "account (masked form not given)",
                    f"denied by {partner.organization} on a call to its contact on file",
                )
            )
            for value in addresses:
                reason = self._not_indicator(value, partner)
                if reason:
                    left_out.append((value, reason))
                    continue
                try:
                    checked = check_indicator("address", value)
                except IndicatorError as exc:
                    raise VerificationError("invalid", f"message: {exc}") from None
                made.append(
                    NewIndicator(
                        "address",
                        checked.value,
                        checked.shown,
                        f"in a message whose bank details {partner.organization} denied",
                    )
                )
        verification = self.records.record(
            who,
            organization=partner.organization,
            account_ref=ref,
            account_masked=masked,
            contact=contact,
            outcome=outcome,
            note=note,
            indicators=made,
        )
        status = self.records.status(partner.organization, ref, self.confirmations)
        assert status is not None
        self.on_change()
        done = Recorded(
            verification,
            status,
            tuple((i.kind, i.shown) for i in made),
            tuple(left_out),
        )
        if outcome == "denied" and self.on_denied is not None:
            self.on_denied(done)
        return done

    def entries(self, organization: str | None = None, *, limit: int = 500) -> list[Verification]:
        return self.records.entries(organization, limit=limit)

    def status(self, organization: str, account_ref: str) -> AccountStatus | None:
        return self.records.status(organization, account_ref, self.confirmations)

    def clear(self, verification_id: int, who: Principal | Actor) -> Verification:
        done = self.records.clear(verification_id, who)
        self.on_change()
        return done

    # ------------------------------------------------------------ approvals

    def request_approval(self, who: Principal | Actor, body: Mapping[str, Any]) -> Approval:
        """A request to put a verified account on file. The body names the account in
        clear (``account``: the client reads it from the message for this request only)
        and the ``account_ref`` it was verified under; they must agree."""
        partner = self._partner(body.get("organization"))
        raw = body.get("account")
        if not isinstance(raw, str) or not raw.strip():
            raise VerificationError("invalid", "account is required (the account in clear)")
        try:
            checked = check_indicator("account", raw)
        except IndicatorError as exc:
            raise VerificationError("invalid", str(exc)) from None
        ref = body.get("account_ref")
        records = self.records
        if not isinstance(ref, str) or ref != records.hash_account(checked.value):
            raise VerificationError(
                "invalid", "account does not match account_ref (the account that was verified)"
            )
        status = records.status(partner.organization, ref, self.confirmations)
        if status is None or not status.verified:
            have = len(status.confirmations) if status else 0
            why = (
                "a denial of it stands"
                if status and status.denied
                else f"{have} of {self.confirmations} confirmations"
            )
            raise VerificationError(
                "not_verified", f"the account is not verified for {partner.organization}: {why}"
            )
        if any(_same_account(checked.value, f) for f in partner.bank_accounts):
            raise VerificationError(
                "conflict", f"the account is on file for {partner.organization} already"
            )
        note = _text(body.get("note"), "note", NOTE_MAX)
        return records.request_approval(
            who,
            organization=partner.organization,
            account=checked.value,
            account_masked=checked.shown,
            note=note,
        )

    def approvals(self, status: str | None = None) -> list[Approval]:
        return self.records.approvals(status)

    def decide(self, approval_id: int, who: Principal | Actor, *, approve: bool) -> Approval:
        done = self.records.decide(approval_id, who, approve=approve)
        self.on_change()
        return done

    # ------------------------------------------------------------ helpers

    def _partner(self, organization: object) -> PartnerEntry:
        if not isinstance(organization, str) or not organization.strip():
            raise VerificationError("invalid", "organization is required")
        d = self.directory()
        partner = d.partner_named(organization) or d.partner_called(organization)
        if partner is None:
            raise VerificationError("invalid", "organization is not a partner in the directory")
        return partner

    def _not_indicator(self, address: str, partner: PartnerEntry) -> str:
        """Why a message address must not become an indicator ("" when it may)."""
        domain = address.rpartition("@")[2].lower()
        if self.is_internal(domain):
            return "an address of our own domains"
        if any(c.email and c.email.lower() == address.lower() for c in partner.contacts):
            return f"a contact on file for {partner.organization}"
        if any(is_subdomain_or_equal(domain, d) for d in partner.domains):
            return f"an address of {partner.organization}'s own domain"
        return ""


def _same_account(key: str, on_file: str) -> bool:
    """The account ``key`` is the one on file, in any of the forms the directory takes
    (an IBAN and the German or Czech domestic form that makes it are one account)."""
    return key in on_file_keys(on_file)


def _digits(phone: str) -> str:
    return "".join(c for c in phone if c.isdigit())


def _contact(partner: PartnerEntry, raw: object) -> Contact:
    """The directory contact a call went to: ``{"index": n}`` (0-based, in the order the
    directory holds the partner's contacts, as its export lists them), ``{"email":
    address}`` or ``{"phone": number}`` (the number on file, any spacing): each must be a
    contact on file, so the number called is the directory's."""
    if not isinstance(raw, Mapping) or not raw:
        raise VerificationError(
            "invalid", "contact is required: the index or email of a contact on file"
        )
    found: DirectoryContact | None = None
    if "index" in raw:
        i = raw["index"]
        if isinstance(i, bool) or not isinstance(i, int):
            raise VerificationError("invalid", "contact.index must be a whole number")
        if 0 <= i < len(partner.contacts):
            found = partner.contacts[i]
    elif "email" in raw:
        e = raw["email"]
        if not isinstance(e, str):
            raise VerificationError("invalid", "contact.email must be text")
        e = e.strip().lower()
        found = next((c for c in partner.contacts if c.email and c.email.lower() == e), None)
    elif "phone" in raw:
        p = raw["phone"]
        if not isinstance(p, str) or not _digits(p):
            raise VerificationError("invalid", "contact.phone must be a phone number")
        found = next(
            (c for c in partner.contacts if c.phone and _digits(c.phone) == _digits(p)), None
        )
    else:
        raise VerificationError("invalid", "contact must give index, email or phone")
    if found is None:
        raise VerificationError(
            "invalid",
            f"contact is not on file for {partner.organization}: call a number from the "
            "directory, never one from the message",
        )
    return Contact(found.name, found.email, found.phone)


def _message_addresses(raw: object) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, Mapping):
        raise VerificationError("invalid", "message must be an object (from, reply_to)")
    out: list[str] = []
    for name in ("from", "reply_to"):
        v = raw.get(name)
        if v is None or v == "":
            continue
        if not isinstance(v, str) or len(v) > 320:
            raise VerificationError("invalid", f"message.{name} must be an address")
        if v.strip().lower() not in out:
            out.append(v.strip().lower())
    return out


def _masked(raw: object) -> str:
    if raw is None or raw == "":
        return ""
    if not isinstance(raw, str) or not _MASKED_RE.match(raw.strip()):
        raise VerificationError(
            "invalid", "account_masked must be the masked form the analysis showed"
        )
    masked = raw.strip()
    # A masked form shows at most four digits of the account in a row (a sort code or a
    # routing number before it is a bank's, not the account): never a whole account.
    account_part = _BANK_CODE_RE.sub("", masked)
    if re.search(r"\d{5}", account_part.replace(" ", "").replace("-", "")):
        raise VerificationError(
            "invalid", "account_masked must be masked (the account in clear is never sent)"
        )
    return masked


def _text(raw: object, name: str, most: int) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise VerificationError("invalid", f"{name} must be text")
    if len(raw) > most:
        raise VerificationError("invalid", f"{name} is too long (at most {most} characters)")
    return raw.strip()
