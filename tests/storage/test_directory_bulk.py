"""The directory's bulk import on every backend: the same rules as one record after another
(tests/storage/test_records.py), across batches, with many organisations at once."""

from __future__ import annotations

import pytest

from caveat.knowledge.partners_csv import Contact, Partner, parse_partners_csv
from caveat.storage import directory_store
from caveat.storage.directory_store import DirectoryStore, import_parsed
from caveat.storage.store import Store

HEADER = "organization,domain,contact_name,contact_email,contact_phone,bank_accounts,require_auth"
IBAN = "DE89370400440532013000"


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of 7 rows and ids (5 rows per COPY on PostgreSQL), so that a few dozen
    partners cross several of them."""
    monkeypatch.setattr(directory_store, "BATCH", 7)
    monkeypatch.setattr(directory_store, "COPY_BATCH", 5)


def partner(org: str, *domains: str, contacts: int = 1, accounts: tuple[str, ...] = ()) -> Partner:
    label = domains[0] if domains else "free.example"
    return Partner(
        org,
        tuple(domains),
        tuple(Contact(f"Ann Lee {i}", f"ann{i}@{label}", f"+1 {i}") for i in range(contacts)),
        accounts,
        frozenset({"dkim"}),
    )


def many(n: int, *, prefix: str = "Org", contacts: int = 1) -> list[Partner]:
    return [partner(f"{prefix} {i}", f"org{i}.example", contacts=contacts) for i in range(n)]


def test_a_large_import_then_a_reimport_stores_each_organisation_once(store: Store) -> None:
    d = DirectoryStore(store)
    first = d.import_partners(many(40, contacts=2))
    assert (first.created, first.updated, first.removed) == (40, 0, 0)
    v1 = d.version()
    again = d.import_partners(many(40, prefix="org", contacts=1) + many(45)[40:])
    assert (again.created, again.updated) == (5, 40)
    assert d.version() == v1 + 1
    stored = d.partners()
    assert len(stored) == 45
    by_name = {p.organization: p for p in stored}
    # the names as last written, one contact each now (the re-import rewrote them)
    assert "org 3" in by_name and "Org 3" not in by_name
    assert [c.email for c in by_name["org 3"].contacts] == ["ann0@org3.example"]
    assert by_name["Org 44"].domains == ("org44.example",)
    directory = d.load()
    assert len(directory) == 45
    assert directory.organisation_of("mail.org17.example") == "org 17"


def test_contacts_keep_the_order_they_were_written_in(store: Store) -> None:
    d = DirectoryStore(store)
    d.import_partners([partner("Acme", "acme.example", contacts=20)])
    (acme,) = d.partners()
    assert [c.name for c in acme.contacts] == [f"Ann Lee {i}" for i in range(20)]


def test_a_domain_on_file_stays_with_its_owner_and_the_rest_is_stored(store: Store) -> None:
    d = DirectoryStore(store)
    d.import_partners([partner("Acme", "acme.example"), partner("Beta", "beta.example")])
    report = d.import_partners(
        [
            partner("Gamma", "gamma.example", "acme.example"),
            *many(20),
            partner("Acme", "acme.example"),
        ]
    )
    assert report.problems == (("Gamma", "acme.example belongs to Acme; left there"),)
    directory = d.load()
    assert directory.organisation_of("acme.example") == "Acme"
    assert directory.organisation_of("gamma.example") == "Gamma"
    assert directory.organisation_of("org19.example") == "Org 19"


def test_the_first_organisation_in_the_records_keeps_a_domain_they_both_name(
    store: Store,
) -> None:
    d = DirectoryStore(store)
    report = d.import_partners(
        [partner("One", "shared.example"), partner("Two", "shared.example", "two.example")]
    )
    assert report.problems == (("Two", "shared.example belongs to One; left there"),)
    assert d.load().organisation_of("shared.example") == "One"
    assert {p.organization: p.domains for p in d.partners()}["Two"] == ("two.example",)


def test_a_domain_given_up_earlier_in_the_records_goes_to_a_later_organisation(
    store: Store,
) -> None:
    d = DirectoryStore(store)
    d.import_partners([partner("Old", "old.example", "moved.example")])
    # Old is rewritten without moved.example, then New takes it: one after the other.
    report = d.import_partners([partner("Old", "old.example"), partner("New", "moved.example")])
    assert report.problems == ()
    assert d.load().organisation_of("moved.example") == "New"


def test_a_domain_given_up_later_in_the_records_was_not_free_when_asked_for(
    store: Store,
) -> None:
    d = DirectoryStore(store)
    d.import_partners([partner("Old", "old.example", "moved.example")])
    report = d.import_partners(
        [partner("New", "new.example", "moved.example"), partner("Old", "old.example")]
    )
    # the owner's name as this same import writes it
    assert report.problems == (("New", "moved.example belongs to Old; left there"),)
    directory = d.load()
    assert directory.organisation_of("moved.example") is None
    assert directory.organisation_of("new.example") == "New"


def test_the_conflict_names_the_owner_as_renamed_by_the_same_import(store: Store) -> None:
    d = DirectoryStore(store)
    d.import_partners([partner("acme", "acme.example")])
    report = d.import_partners([partner("ACME", "acme.example"), partner("Other", "acme.example")])
    assert report.problems == (("Other", "acme.example belongs to ACME; left there"),)


def test_incomplete_organisations_keep_what_is_on_file_among_many(store: Store) -> None:
    d = DirectoryStore(store)
    d.import_partners([partner(f"Org {i}", f"org{i}.example", accounts=(IBAN,)) for i in range(30)])
    lines = [HEADER]
    for i in range(30):
        # every third organisation has a bad row (an unreadable account) besides a good one
        lines.append(f"Org {i},org{i}.example,Bo Ng,bo@org{i}.example,,,dmarc")
        if i % 3 == 0:
            lines.append(f"Org {i},org{i}.example,,,,021000021:9876543210,")
    update = parse_partners_csv("\n".join(lines) + "\n")
    assert len(update.incomplete) == 10
    report, _ = import_parsed(store, update, replace=True)
    assert report.removed == 0
    stored = {p.organization: p for p in d.partners()}
    for i in range(30):
        p = stored[f"Org {i}"]
        if i % 3 == 0:  # kept: the account, the first contact, the agreed dkim
            assert p.bank_accounts == (IBAN,)
            assert [c.email for c in p.contacts] == [f"ann0@org{i}.example", f"bo@org{i}.example"]
            assert p.require_auth == frozenset({"dkim", "dmarc"})
        else:  # rewritten to what the file says
            assert p.bank_accounts == ()
            assert [c.email for c in p.contacts] == [f"bo@org{i}.example"]
            assert p.require_auth == frozenset({"dmarc"})
        assert p.domains == (f"org{i}.example",)


def test_an_incomplete_organisation_does_not_gain_a_contact_it_has(store: Store) -> None:
    d = DirectoryStore(store)
    d.import_partners([partner("Acme", "acme.example", contacts=2, accounts=(IBAN,))])
    d.import_partners(
        [partner("Acme", "acme.example", contacts=3, accounts=(IBAN,))], incomplete=["acme"]
    )
    (acme,) = d.partners()
    assert [c.name for c in acme.contacts] == ["Ann Lee 0", "Ann Lee 1", "Ann Lee 2"]
    assert acme.bank_accounts == (IBAN,)


def test_replace_removes_every_absent_organisation_across_batches(store: Store) -> None:
    d = DirectoryStore(store)
    d.import_partners(many(50, contacts=2))
    report = d.import_partners(many(50)[:8], replace=True)
    assert report.removed == 42
    assert [p.organization for p in d.partners()] == [f"Org {i}" for i in sorted(range(8), key=str)]
    directory = d.load()
    assert directory.organisation_of("org30.example") is None
    # the removed organisations' domains are free again
    again = d.import_partners([partner("Later", "org30.example")])
    assert again.problems == ()


def test_replace_with_bad_rows_removes_nothing(store: Store) -> None:
    d = DirectoryStore(store)
    d.import_partners(many(20))
    report = d.import_partners(many(20)[:3], replace=True, keep_absent=True)
    assert report.removed == 0
    assert any("17 not listed in it kept" in problem for _, problem in report.problems)
    assert len(d.partners()) == 20


def test_text_no_driver_can_store_is_stored_as_elsewhere(store: Store) -> None:
    d = DirectoryStore(store)
    odd = Partner(
        "Odd\x00Name",
        ("odd.example",),
        (Contact("Ann\ud800 Lee", "ann@odd.example", "+1\x00"),),
        (),
        frozenset(),
    )
    d.import_partners([odd])
    d.import_partners([odd])  # and again, through the update
    (stored,) = d.partners()
    assert stored.organization == "Odd\ufffdName"
    assert stored.contacts[0].name == "Ann\ufffd Lee" and stored.contacts[0].phone == "+1\ufffd"


def test_the_same_organisation_twice_in_the_records_ends_as_the_second_says(
    store: Store,
) -> None:
    d = DirectoryStore(store)
    report = d.import_partners(
        [partner("Acme", "acme.example", contacts=2), partner("ACME", "acme.example")]
    )
    assert (report.created, report.updated) == (1, 1)
    (acme,) = d.partners()
    assert acme.organization == "ACME" and len(acme.contacts) == 1
