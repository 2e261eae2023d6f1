"""Verify sender: whom a message is from, or claims to be from, and how to reach them.

For the task pane's "Verify sender" action (``GET /api/v1/senders/contact``). The answer
comes from the partner directory only, never from the message: the phone number in a
fraudulent message rings the fraudster. Bank accounts are never part of it.

Resolution, first match wins:

  address    the directory lists the sender's address as a partner's contact;
  domain     the sender's domain (or its registrable domain) is a partner's;
  lookalike  the sender's domain imitates a partner's (the directory's look-alike index);
  name       the display name is the name of a partner's contact (at one partner only:
             a name two partners share says nothing), or a partner's organisation name.

Named exclusions: an address of our own domains is never matched (a colleague is no
partner, and a colleague's name shared with a partner's contact is a coincidence); a
look-alike of our own domains, and a free-mail domain, are not looked up as look-alikes of
a partner's (our domain has no number on file here; the provider imitates nobody), so only
the display name can still match.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from caveat.mail.domains import parse_address, to_unicode
from caveat.mail.names import is_person_name, name_key
from caveat.reference.freemail import FreemailList

from .directory import OURS, Directory, DirectoryContact, PartnerEntry

MATCHED_BY = ("address", "domain", "lookalike", "name")

#: The answer when the directory knows nobody the message is, or claims to be, from.
UNKNOWN: dict[str, Any] = {"known": False}

_CALL = "call the number on file, not one from the message."


def _sentence_end(name: str) -> str:
    """A name that ends a sentence: "Acme Ltd." stays, "Acme Ltd" gains its full stop."""
    return name if name.endswith(".") else name + "."


@dataclass(frozen=True, slots=True)
class SenderContact:
    """A partner from the directory, how it was found, and its contacts."""

    organization: str
    matched_by: str
    contacts: tuple[DirectoryContact, ...]
    note: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "known": True,
            "organization": self.organization,
            "matched_by": self.matched_by,
            "contacts": [
                {"name": c.name, "email": c.email, "phone": c.phone} for c in self.contacts
            ],
            "note": self.note,
        }


def find_sender_contact(
    directory: Directory,
    address: str,
    name: str = "",
    *,
    freemail: FreemailList | None = None,
) -> SenderContact | None:
    """The partner a sender (``address``, display ``name``) is, or claims to be; None when
    the directory knows none."""
    parsed = parse_address(address)
    addr, domain = parsed.address, parsed.domain
    if domain and directory.is_internal(domain):
        return None
    partner = directory.partner_of_address(addr) if domain else None
    if partner is not None:
        return _found(
            partner,
            "address",
            f"The sender's address is on file for {_sentence_end(partner.organization)} To "
            f"confirm a request, {_CALL}",
            first=lambda c: c.email == addr,
        )
    if domain:
        partner = directory.partner_of_domain(domain)
        if partner is not None:
            return _found(
                partner,
                "domain",
                f"The sender's domain belongs to {partner.organization}, but the address is "
                f"not on file. To confirm a request, {_CALL}",
            )
        if freemail is None or domain not in freemail:
            match = directory.lookalikes.match(domain)
            if match is not None and match.owner != OURS:
                partner = directory.partner_named(match.owner)
                if partner is not None:
                    return _found(
                        partner,
                        "lookalike",
                        f"The sender's domain imitates {to_unicode(match.imitates)}, the "
                        f"domain of {partner.organization}; {_CALL}",
                    )
    return _by_name(directory, name)


def _by_name(directory: Directory, name: str) -> SenderContact | None:
    key = name_key(name)
    if is_person_name(key):
        people = directory.contacts_named(key)
        organisations = list(dict.fromkeys(p.organization for p in people))
        if len(organisations) == 1:
            partner = directory.partner_named(organisations[0])
            if partner is not None:
                who = people[0].name
                return _found(
                    partner,
                    "name",
                    f"The sender uses the name of {who} of {partner.organization}, but the "
                    f"address is not on file; {_CALL}",
                    first=lambda c: name_key(c.name) == key,
                )
    partner = directory.partner_called(name)
    if partner is not None:
        return _found(
            partner,
            "name",
            f"The sender uses the name of {partner.organization}, but the address is not "
            f"on file; {_CALL}",
        )
    return None


def _found(
    partner: PartnerEntry,
    matched_by: str,
    note: str,
    first: Callable[[DirectoryContact], bool] | None = None,
) -> SenderContact:
    """The answer, the contact that matched first."""
    contacts = partner.contacts
    if first is not None:
        contacts = tuple(sorted(contacts, key=lambda c: not first(c)))
    return SenderContact(partner.organization, matched_by, contacts, note)
