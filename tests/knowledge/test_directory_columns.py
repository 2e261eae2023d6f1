"""The directory kept as columns answers as one object per partner did: built from partner
objects or from plain records, the same lookups, ties broken by the first partner."""

from __future__ import annotations

from caveat.knowledge.directory import Directory, DirectoryContact, PartnerEntry
from caveat.knowledge.partners_csv import Contact, Partner
from caveat.reference.bank_identifiers import account_key
from caveat.reference.freemail import FreemailList

IBAN = "DE89370400440532013000"

PARTNERS = [
    Partner(
        "Acme Mail",
        ("mail.acme.example", "Gmail.com"),
        (Contact("Jane Doe", "Jane.Doe@Acme.example", "+1 1"), Contact("", "ap@acme.example", "")),
        (IBAN,),
        frozenset({"dkim"}),
    ),
    Partner(
        "Acme",
        ("acme.example",),
        (Contact("Jane Doe", "jd@acme.example", "+1 2"),),
        (IBAN, IBAN),
        frozenset(),
    ),
    Partner(
        "Solo",
        (),
        (Contact("Sam Solo", "sam.solo@gmail.com", "+1 3"),),
        (),
        frozenset({"spf", "dmarc"}),
    ),
]


def records(partners: list[Partner]) -> list[tuple[object, ...]]:
    return [
        (
            p.organization,
            p.domains,
            [(c.name, c.email, c.phone) for c in p.contacts],
            p.bank_accounts,
            p.require_auth,
        )
        for p in partners
    ]


def both() -> list[Directory]:
    freemail = FreemailList(["gmail.com"])
    return [
        Directory(PARTNERS, internal_domains=["ours.example"], freemail=freemail),
        Directory.of_records(
            records(PARTNERS), internal_domains=["ours.example"], freemail=freemail
        ),  # type: ignore[arg-type]
    ]


def test_built_either_way_the_entries_are_the_same() -> None:
    for d in both():
        assert len(d) == 3
        acme_mail, acme, solo = d.partners
        assert acme_mail == PartnerEntry(
            "Acme Mail",
            ("mail.acme.example",),
            (
                DirectoryContact("Jane Doe", "jane.doe@acme.example", "+1 1"),
                DirectoryContact("", "ap@acme.example", ""),
            ),
            (IBAN,),
            frozenset({"dkim"}),
        )
        assert acme.bank_accounts == (IBAN, IBAN) and solo.domains == ()
        assert solo.require_auth == frozenset({"spf", "dmarc"})
        assert d.ignored_domains == [("Acme Mail", "gmail.com")]


def test_a_domain_first_then_its_registrable_domain_goes_to_the_first_partner_under_it() -> None:
    for d in both():
        assert d.organisation_of("acme.example") == "Acme"  # listed as such
        assert d.organisation_of("MAIL.acme.example.") == "Acme Mail"
        assert d.organisation_of("other.acme.example") == "Acme Mail"  # first under acme.example
        assert d.partner_of_domain("gmail.com") is None and d.organisation_of("") is None
        assert d.partner_of_address("JANE.DOE@acme.example").organization == "Acme Mail"


def test_names_and_accounts_point_to_every_partner_that_has_them() -> None:
    for d in both():
        people = d.contacts_named("doe jane")
        assert [(p.address, p.organization) for p in people] == [
            ("jane.doe@acme.example", "Acme Mail"),
            ("jd@acme.example", "Acme"),
        ]
        assert [p.organization for p in d.account_owners(account_key(IBAN))] == [
            "Acme Mail",
            "Acme",
        ]
        assert d.account_owners("nothing") == ()
        assert d.partner_called("ACME  mail").organization == "Acme Mail"
        assert d.partner_named("Solo").contacts[0].email == "sam.solo@gmail.com"


def test_the_same_partner_is_the_same_entry_and_warm_builds_every_index() -> None:
    d = both()[1]
    assert d.partner_named("Acme") is d.partner_of_domain("acme.example")
    assert d.warm() is d
    for index in ("lookalikes", "labels", "_by_organisation_key", "_by_display_org"):
        assert index in vars(d), index
    assert d.labels["acme"] == "Acme Mail"
    assert d.lookalikes.match("acme-invoices.example") is not None
