"""Name keys, name-bearing local parts and thread subjects."""

from __future__ import annotations

import pytest

from caveat.mail.names import is_person_name, local_key, name_key, subject_key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Anna Keller", "Keller, Anna"),
        ("Anna Keller", '"anna keller"'),
        ("Jörg Müller", "Jorg Muller"),
        ("Dr. Anna Keller", "Anna Keller Dr"),
    ],
)
def test_the_same_name_written_differently_has_one_key(a: str, b: str) -> None:
    assert name_key(a) == name_key(b) != ""


@pytest.mark.parametrize("name", ["", "anna@example.com", "  ", "123", "---"])
def test_no_key_for_addresses_and_empty_names(name: str) -> None:
    assert name_key(name) == ""


@pytest.mark.parametrize(
    ("name", "person"),
    [
        ("Anna Keller", True),
        ("Finance Team", False),
        ("Accounts Payable", False),
        ("Anna", False),
        ("A. B.", False),
    ],
)
def test_person_names(name: str, person: bool) -> None:
    assert is_person_name(name_key(name)) is person


@pytest.mark.parametrize(
    ("local", "key"),
    [
        ("anna.keller", "anna keller"),
        ("keller_anna", "anna keller"),
        ("anna.keller2024", "anna keller"),
        ("finance", ""),
        ("accounts.payable", ""),
        ("invoice-partnerb", ""),
        ("ak", ""),
        ("annakeller", ""),
    ],
)
def test_name_bearing_local_parts(local: str, key: str) -> None:
    assert local_key(local) == key


@pytest.mark.parametrize(
    "subject",
    [
        "Invoice 2024-1187 - payment reminder",
        "RE: Invoice 2024-1187 - payment reminder",
        "AW: RE: invoice 2024-1187 -  payment reminder",
        "Re[2]: Invoice 2024-1187 - payment reminder",
        "[EXT] Fwd: Invoice 2024-1187 - payment reminder",
        "SV:Invoice 2024-1187 - payment reminder",
    ],
)
def test_a_thread_shares_one_subject_key(subject: str) -> None:
    assert subject_key(subject) == "invoice 2024-1187 - payment reminder"
