"""caveat.knowledge.verify: the partner a sender is, or claims to be, from the directory alone; the
resolution order address, domain, look-alike, name; never a bank account."""

from __future__ import annotations

import json

import pytest

from caveat.knowledge.context import EngineConfig
from caveat.knowledge.directory import Directory, DirectoryContact, PartnerEntry
from caveat.knowledge.verify import MATCHED_BY, UNKNOWN, find_sender_contact

FREEMAIL = EngineConfig.build().freemail
BEN = DirectoryContact("Ben Ortiz", "ben.ortiz@acme.example", "+49 30 1111")
FELIX = DirectoryContact("Felix Brandt", "felix.brandt@acme.example", "+49 30 2222")
SAM = DirectoryContact("Sam Solo", "sam.solo@gmail.com", "+49 89 3333")
ANNA_AT_BETA = DirectoryContact("Anna Berg", "anna@beta.example", "+46 8 1")
ANNA_AT_GAMMA = DirectoryContact("Anna Berg", "anna.berg@gamma.example", "+46 8 2")


def partner(org: str, domains: tuple[str, ...], *contacts: DirectoryContact) -> PartnerEntry:
    return PartnerEntry(org, domains, contacts, ("DE89370400440532013000",), frozenset())


DIRECTORY = Directory(
    [
        partner("Acme Supplies", ("acme.example", "acme-group.example"), BEN, FELIX),
        partner("Solo Supplier", ("gmail.com",), SAM),
        partner("Beta", ("beta.example",), ANNA_AT_BETA),
        partner("Gamma", ("gamma.example",), ANNA_AT_GAMMA),
        partner("Partner Co", ("partner.example",)),
    ],
    internal_domains=["ours.example"],
    freemail=FREEMAIL,
)


def find(address: str, name: str = "") -> tuple[str, str, tuple[str, ...]] | None:
    found = find_sender_contact(DIRECTORY, address, name, freemail=FREEMAIL)
    if found is None:
        return None
    return found.organization, found.matched_by, tuple(c.name for c in found.contacts)


ACME = "Acme Supplies"
BF = ("Ben Ortiz", "Felix Brandt")
FB = ("Felix Brandt", "Ben Ortiz")


@pytest.mark.parametrize(
    ("address", "name", "expected"),
    [
        # the address on file, that contact first, whatever the name says
        ("felix.brandt@acme.example", "Anna Berg", (ACME, "address", FB)),
        ("FELIX.BRANDT@ACME.EXAMPLE", "", (ACME, "address", FB)),
        # a small supplier on free mail: its address, not the provider's domain
        ("sam.solo@gmail.com", "", ("Solo Supplier", "address", ("Sam Solo",))),
        # the partner's domains and sub-domains
        ("new.person@acme.example", "", (ACME, "domain", BF)),
        ("x@mail.acme-group.example", "", (ACME, "domain", BF)),
        # a look-alike of the partner's domain beats the name
        ("ben.ortiz@acrne.example", "Anna Berg", (ACME, "lookalike", BF)),
        # the name of one partner's contact, that contact first
        ("felix.acme@gmail.com", "Brandt, Felix", (ACME, "name", FB)),
        # an organisation's name, case and spacing ignored
        ("billing@unknown.example", "  acme SUPPLIES ", (ACME, "name", BF)),
        # a look-alike of our own domain is nobody's partner; the name it uses still counts
        ("it@0urs.example", "Acme Supplies", (ACME, "name", BF)),
        # a partner without contacts is still a partner
        ("jane@partner.example", "", ("Partner Co", "domain", ())),
    ],
)
def test_resolution(address: str, name: str, expected: tuple[str, str, tuple[str, ...]]) -> None:
    assert find(address, name) == expected


@pytest.mark.parametrize(
    ("address", "name"),
    [
        ("stranger@unknown.example", "Some One"),
        ("someone@gmail.com", ""),  # free mail is nobody's domain, and no look-alike
        ("anna.b@gmail.com", "Anna Berg"),  # a name two partners share says nothing
        ("ben.ortiz@ours.example", "Ben Ortiz"),  # a colleague of ours
        ("it@0urs.example", "IT Desk"),  # imitates us: no partner's domain
        ("ben@gmail.com", "Ben"),  # one word is not a person's name
        ("not an address", ""),
        ("", ""),
    ],
)
def test_unknown(address: str, name: str) -> None:
    assert find(address, name) is None


def test_the_answer_holds_the_contacts_and_never_the_accounts() -> None:
    found = find_sender_contact(DIRECTORY, "ben.ortiz@acrne.example", freemail=FREEMAIL)
    assert found is not None
    body = found.to_dict()
    assert body == {
        "known": True,
        "organization": "Acme Supplies",
        "matched_by": "lookalike",
        "contacts": [
            {"name": "Ben Ortiz", "email": "ben.ortiz@acme.example", "phone": "+49 30 1111"},
            {"name": "Felix Brandt", "email": "felix.brandt@acme.example", "phone": "+49 30 2222"},
        ],
        "note": "The sender's domain imitates acme.example, the domain of Acme Supplies; "
        "call the number on file, not one from the message.",
    }
    assert "DE89" not in json.dumps(body)
    assert body["matched_by"] in MATCHED_BY
    assert UNKNOWN == {"known": False}


@pytest.mark.parametrize(
    ("address", "name"),
    [
        ("ben.ortiz@acme.example", ""),
        ("x@acme.example", ""),
        ("x@acrne.example", ""),
        ("x@gmail.com", "Ben Ortiz"),
        ("x@gmail.com", "Acme Supplies"),
    ],
)
def test_every_note_is_one_short_plain_sentence(address: str, name: str) -> None:
    found = find_sender_contact(DIRECTORY, address, name, freemail=FREEMAIL)
    assert found is not None
    assert found.note.endswith("not one from the message.")
    assert found.organization in found.note
    assert len(found.note) <= 200


def test_without_a_free_mail_list_a_free_mail_domain_is_still_no_partners() -> None:
    found = find_sender_contact(DIRECTORY, "someone@gmail.com")
    assert found is None


def test_partner_called_ignores_case_and_spacing() -> None:
    assert DIRECTORY.partner_called("ACME   supplies") is DIRECTORY.partner_named("Acme Supplies")
    assert DIRECTORY.partner_called("Acme") is None
    assert DIRECTORY.partner_called("   ") is None


def test_an_organisation_whose_name_ends_with_a_full_stop_reads_once() -> None:
    from caveat.knowledge.directory import Directory
    from caveat.knowledge.partners_csv import parse_partners_csv
    from caveat.knowledge.verify import find_sender_contact

    header = "organization,domain,contact_name,contact_email,contact_phone,bank_accounts"
    parsed = parse_partners_csv(
        f"{header}\nGreat Lakes Supply Inc.,greatlakes.example,Dana,dana@greatlakes.example,1,\n"
    )
    found = find_sender_contact(Directory(parsed.partners), "dana@greatlakes.example", "Dana")
    assert found is not None
    assert "Inc.." not in found.note and "on file for Great Lakes Supply Inc. To" in found.note
