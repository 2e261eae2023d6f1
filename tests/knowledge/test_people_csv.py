"""The people directory CSV: required columns, bad rows by line, merging, groups read from
the department, and an export that imports back to the same people."""

from __future__ import annotations

import pytest

from caveat.knowledge.people import People
from caveat.knowledge.people_csv import (
    DirectoryFileError,
    group_of,
    parse_people_csv,
    write_people_csv,
)

CSV = (
    "name,email,personal_email,title,department,group,executive\n"
    "Margaret Holloway,margaret.holloway@buyer.example;mh@buyer.example,maggie@gmail.com,"
    "Chief Executive Officer,Management,,yes\n"
    "Priya Raman,priya.raman@buyer.example,,Accounts Payable Specialist,Finance,,\n"
    "Broken,not-an-address,,,,,\n"
    "Tom Becker,tom.becker@buyer.example,,,,sales,\n"
    "Tom Becker,tom.becker@buyer.example,tom@web.example,Payroll Administrator,,,\n"
    "Lena Fischer,lena.fischer@buyer.example,,Executive Assistant,,,maybe\n"
)


def test_good_rows_load_and_bad_rows_are_named_by_line() -> None:
    r = parse_people_csv(CSV)
    assert [e.line for e in r.errors] == [4, 5, 7]
    assert "email" in r.errors[0].message
    assert "group 'sales'" in r.errors[1].message
    assert "executive 'maybe'" in r.errors[2].message
    names = [p.name for p in r.people]
    assert names == ["Margaret Holloway", "Priya Raman", "Tom Becker"]
    m = r.people[0]
    assert m.emails == ("margaret.holloway@buyer.example", "mh@buyer.example")
    assert m.personal_emails == ("maggie@gmail.com",) and m.executive
    assert r.people[1].group == "finance"
    assert r.people[2].group == "hr" and r.people[2].personal_emails == ("tom@web.example",)


def test_rows_of_one_person_merge() -> None:
    r = parse_people_csv(
        "name,email,department\n"
        "Anna Keller,anna.keller@buyer.example,\n"
        "Anna Keller,anna.keller@buyer.example,Human Resources\n"
    )
    assert len(r.people) == 1 and r.people[0].group == "hr"


@pytest.mark.parametrize(
    ("title", "department", "group"),
    [
        ("Executive Assistant to the CEO", "", "executive_support"),
        ("Personal Assistant", "Board", "executive_support"),
        ("Sachbearbeiterin Lohnbuchhaltung", "Personal", "hr"),
        ("", "Accounts Payable", "finance"),
        ("Comptable", "Comptabilité", "finance"),
        ("Engineer", "Research", ""),
    ],
)
def test_the_group_is_read_from_title_and_department(
    title: str, department: str, group: str
) -> None:
    assert group_of(title, department) == group


@pytest.mark.parametrize(
    "text",
    [
        "",
        "name,organization\nA,b\n",
        "name;email\nA;a@b.example\n",
        "name,email,colour\nA,a@b.example,red\n",
    ],
)
def test_an_unusable_file_is_refused_with_a_reason(text: str) -> None:
    with pytest.raises(DirectoryFileError):
        parse_people_csv(text)


def test_export_imports_back_and_cells_are_inert() -> None:
    r = parse_people_csv(
        "name,email,title\n=HYPERLINK(1),x@buyer.example,+Boss\nAnna Keller,anna@buyer.example,\n"
    )
    text = write_people_csv(r.people)
    assert "'=HYPERLINK(1)" in text and "'+Boss" in text
    assert parse_people_csv(text).people == r.people


def test_the_snapshot_finds_people_by_address_and_folded_name() -> None:
    people = People(parse_people_csv(CSV).people)
    assert len(people) == 3
    assert people.by_address("maggie@gmail.com").name == "Margaret Holloway"  # type: ignore[union-attr]
    assert people.by_address("nobody@buyer.example") is None
    assert [e.name for e in people.named("holloway margaret")] == ["Margaret Holloway"]
