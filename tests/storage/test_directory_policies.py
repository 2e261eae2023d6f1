"""Partner policies in the store, on every backend: imported (in bulk, across batches, and
on PostgreSQL through the temporary table of updates), kept when a file says nothing of
them, changed one partner at a time, read into the snapshot; every change audited."""

from __future__ import annotations

from dataclasses import replace

import pytest

from caveat.knowledge.partners_csv import COLUMNS, Contact, Partner, parse_partners_csv
from caveat.storage import directory_store
from caveat.storage.audit import Actor, AuditLog
from caveat.storage.directory_store import DirectoryStore, Policy, check_policy, import_parsed
from caveat.storage.store import Store

PROCEDURE = "Only by signed letter, confirmed by a call to the treasury desk."
OPERATOR = Actor.command_line("ops")


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(directory_store, "BATCH", 7)
    monkeypatch.setattr(directory_store, "COPY_BATCH", 5)


def partner(
    i: int, procedure: str | None = "", pay_only: bool | None = False, auth: str = "dkim"
) -> Partner:
    return Partner(
        f"Org {i}",
        (f"org{i}.example",),
        (Contact(f"Ann Lee {i}", f"ann@org{i}.example", "+1 1"),),
        (),
        frozenset({auth}) if auth else frozenset(),
        procedure,
        pay_only,
    )


def test_policies_are_stored_updated_in_bulk_and_read_into_the_snapshot(store: Store) -> None:
    d = DirectoryStore(store)
    d.import_partners(
        [partner(i, PROCEDURE if i % 3 == 0 else "", i % 2 == 0) for i in range(30)], who=OPERATOR
    )
    stored = {p.organization: p for p in d.partners()}
    assert stored["Org 3"].bank_change_procedure == PROCEDURE
    assert stored["Org 4"].bank_change_procedure == "" and stored["Org 4"].pay_only_on_file
    assert not stored["Org 3"].pay_only_on_file
    # every existing organisation updated (several batches; PostgreSQL's UPDATE ... FROM)
    d.import_partners([partner(i, "" if i % 3 == 0 else PROCEDURE, i % 2 == 1) for i in range(30)])
    stored = {p.organization: p for p in d.partners()}
    assert stored["Org 3"].bank_change_procedure == "" and stored["Org 3"].pay_only_on_file
    assert stored["Org 4"].bank_change_procedure == PROCEDURE
    assert not stored["Org 4"].pay_only_on_file
    directory = d.load()
    assert directory.has_bank_policies
    p = directory.partner_of_domain("org4.example")
    assert p is not None and p.bank_change_procedure == PROCEDURE and not p.pay_only_on_file
    assert directory.partner_of_domain("org3.example").pay_only_on_file  # type: ignore[union-attr]


def test_a_file_without_the_columns_keeps_what_is_on_file(store: Store) -> None:
    d = DirectoryStore(store)
    d.import_partners([partner(1, PROCEDURE, True)])
    d.import_partners([partner(1, None, None, auth="spf")])  # a seven-column file's partner
    [p] = d.partners()
    assert (p.bank_change_procedure, p.pay_only_on_file) == (PROCEDURE, True)
    assert p.require_auth == frozenset({"spf"})  # the seven columns do say require_auth
    # with the columns, empty cells clear them
    d.import_partners([partner(1, "", False)])
    [p] = d.partners()
    assert (p.bank_change_procedure, p.pay_only_on_file) == ("", False)


def test_a_bad_row_of_an_organisation_takes_none_of_its_policies_away(store: Store) -> None:
    header = ",".join(COLUMNS)
    good = f'{header}\nAcme,acme.example,Ann,ann@acme.example,,,,"{PROCEDURE}",yes\n'
    import_parsed(store, parse_partners_csv(good))
    # the same organisation, one good row without the policies, one bad row
    bad = f"{header}\nAcme,acme.example,Bob,bob@acme.example,,,,,\nAcme,not a domain,,,,,,,\n"
    result = parse_partners_csv(bad)
    assert result.errors
    import_parsed(store, result)
    [p] = DirectoryStore(store).partners()
    assert (p.bank_change_procedure, p.pay_only_on_file) == (PROCEDURE, True)


def test_set_policy_changes_one_partner_bumps_the_version_and_audits(store: Store) -> None:
    d = DirectoryStore(store)
    d.import_partners([partner(1), partner(2)])
    version = d.version()
    changed = d.set_policy(
        "ORG  1", bank_change_procedure=PROCEDURE, pay_only_on_file=True, who=OPERATOR
    )
    assert changed is not None
    name, before, after = changed
    assert name == "Org 1"
    assert before == Policy(frozenset({"dkim"}), "", False)
    assert after == Policy(frozenset({"dkim"}), PROCEDURE, True)
    assert d.version() == version + 1
    assert d.policy("org 1") == ("Org 1", after)
    [row] = AuditLog(store).entries(action="partner.policy")
    assert (row.actor_subject, row.target) == ("cli:ops", "Org 1")
    assert row.before == before.as_json() and row.after == after.as_json()
    # nothing to change: no version, no row
    d.set_policy("Org 1", pay_only_on_file=True, who=OPERATOR)
    assert d.version() == version + 1
    assert len(AuditLog(store).entries(action="partner.policy")) == 1
    assert d.set_policy("Nobody", pay_only_on_file=True) is None
    assert d.policy("Nobody") is None


def test_import_and_remove_write_audit_rows(store: Store) -> None:
    d = DirectoryStore(store)
    d.import_partners([partner(1, PROCEDURE, True), partner(2)], who=OPERATOR)
    d.import_partners([partner(1, PROCEDURE, True)], replace=True, who=OPERATOR)
    d.remove("Org 1", who=OPERATOR)
    rows = AuditLog(store).entries(action="partner.")
    assert [r.action for r in rows] == ["partner.import", "partner.import", "partner.remove"]
    first, second, removal = rows
    assert first.after["created"] == 2
    assert first.after["policies"] == {
        "Org 1": {
            "require_auth": ["dkim"],
            "bank_change_procedure": PROCEDURE,
            "pay_only_on_file": True,
        },
        "Org 2": {"require_auth": ["dkim"], "bank_change_procedure": "", "pay_only_on_file": False},
    }
    assert second.after["removed_organizations"] == ["Org 2"]
    assert second.after["policies_changed"] == 0
    assert removal.target == "Org 1" and removal.before["policy"]["pay_only_on_file"] is True


def test_text_that_the_database_cannot_hold_is_made_storable(store: Store) -> None:
    d = DirectoryStore(store)
    d.import_partners([replace(partner(1), bank_change_procedure="Call\x00 back")])
    [p] = d.partners()
    assert "\x00" not in p.bank_change_procedure


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ((["SPF", " dkim "], None, None), (frozenset({"spf", "dkim"}), None, None, [])),
        (("spf;dmarc", " a  b ", True), (frozenset({"spf", "dmarc"}), "a b", True, [])),
        (("DKIM, spf", None, False), (frozenset({"spf", "dkim"}), None, False, [])),
        (("", "", None), (frozenset(), "", None, [])),
        ((None, None, None), (None, None, None, [])),
    ],
)
def test_check_policy_reads_what_a_request_gives(
    given: tuple[object, object, object], expected: tuple[object, ...]
) -> None:
    assert check_policy(*given) == expected


def test_check_policy_says_what_is_wrong() -> None:
    *_, problems = check_policy(["spf", "bimi"], "x" * 301, "yes")
    assert problems == [
        "require_auth 'bimi' is not one of spf, dkim, dmarc",
        "bank_change_procedure is 301 characters long (at most 300)",
        "pay_only_on_file must be true or false",
    ]
    assert check_policy(None, "a\x07b", None)[3] == [
        "bank_change_procedure contains a control character"
    ]
