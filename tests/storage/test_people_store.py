"""The stored people directory: import adds, updates by any address, never duplicates;
--replace removes the absent; each change writes its audit row; the version moves."""

from __future__ import annotations

from caveat.knowledge.people_csv import parse_people_csv
from caveat.storage.audit import Actor, AuditLog
from caveat.storage.people import PeopleStore, import_people_parsed
from caveat.storage.store import Store

WHO = Actor.command_line("tester")
CSV = (
    "name,email,personal_email,title,department,group,executive\n"
    "Margaret Holloway,margaret.holloway@buyer.example,maggie@gmail.com,CEO,Management,,yes\n"
    "Priya Raman,priya.raman@buyer.example,,AP Specialist,Finance,,\n"
)


def test_import_update_replace_and_audit(store: Store) -> None:
    people = PeopleStore(store)
    v0 = people.version()
    r = import_people_parsed(store, parse_people_csv(CSV), who=WHO, source="a.csv")
    assert (r.added, r.updated, r.unchanged) == (2, 0, 0)
    assert people.version() != v0
    again = import_people_parsed(store, parse_people_csv(CSV), who=WHO)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    changed = CSV.replace("AP Specialist", "Senior AP Specialist")
    r = import_people_parsed(store, parse_people_csv(changed), who=WHO)
    assert (r.added, r.updated) == (0, 1)
    records = people.records()
    assert [p.name for p in records] == ["Margaret Holloway", "Priya Raman"]
    assert records[1].title == "Senior AP Specialist"
    assert records[0].personal_emails == ("maggie@gmail.com",) and records[0].executive
    only_one = "name,email\nPriya Raman,priya.raman@buyer.example\n"
    r = import_people_parsed(store, parse_people_csv(only_one), who=WHO, replace=True)
    assert r.removed == 1
    assert [p.name for p in people.records()] == ["Priya Raman"]
    snap = people.snapshot()
    assert snap.by_address("maggie@gmail.com") is None
    actions = [e.action for e in AuditLog(store).entries()]
    assert actions.count("people.import") == 3  # the unchanged import wrote none


def test_replace_removes_nobody_when_the_file_has_bad_rows(store: Store) -> None:
    import_people_parsed(store, parse_people_csv(CSV), who=WHO)
    partial = "name,email\nPriya Raman,priya.raman@buyer.example\nBad,nope\n"
    r = import_people_parsed(store, parse_people_csv(partial), who=WHO, replace=True)
    assert r.removed == 0 and len(PeopleStore(store).records()) == 2


def test_sign_in_adds_updates_and_moves_only_its_own_row(store: Store) -> None:
    people = PeopleStore(store)

    def learn(address: str, subject: str = "person:t:1", *, ceo: bool = True) -> bool:
        title = "Chief Executive Officer" if ceo else ""
        return people.learn_signed_in(
            name="Ana Example",
            address=address,
            subject=subject,
            title=title,
            executive=ceo,
            who=WHO,
        )

    assert learn("ana@buyer.example", ceo=False)
    assert not learn("ana@buyer.example", ceo=False)
    assert learn("ana@buyer.example")  # the token now says more: the row follows
    # another subject naming the same address changes nothing
    assert not learn("ana@buyer.example", "person:t:2", ceo=False)
    # the same subject at a new address: the row moves
    assert learn("ana.x@buyer.example")
    (ana,) = people.records()
    assert ana.emails == ("ana.x@buyer.example",) and ana.executive
    assert ana.title == "Chief Executive Officer"
    # an import takes the row over; tokens change it no more
    csv = "name,email\nAna Example,ana.x@buyer.example\n"
    import_people_parsed(store, parse_people_csv(csv), who=WHO)
    assert not learn("ana.x@buyer.example")
    (ana,) = people.records()
    assert not ana.executive and ana.title == ""
    actions = [e.action for e in AuditLog(store).entries()]
    assert actions.count("people.sign_in") == 1 and actions.count("people.sign_in_update") == 2
