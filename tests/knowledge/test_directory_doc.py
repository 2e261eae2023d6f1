"""docs/directory.md: its example CSV loads cleanly with the real reader, holds an account
of every kind, and each account is matched by the way a message would write it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from stdnum import iban
from stdnum.us import rtn

from caveat.knowledge.partners_csv import Partner, parse_partners_csv
from caveat.reference.bank_identifiers import extract

DOC = Path(__file__).resolve().parents[2] / "docs" / "directory.md"

_UK = re.compile(r"^(\d{2})-?(\d{2})-?(\d{2})[/.\-]?(\d{8})$")
_US = re.compile(r"^(\d{9})[/.\-]?(\d{4,17})$")
_OTHER = re.compile(r"^[\d\-.]*?[/.\-]?(\d{6,20})$")


def doc_csv() -> str:
    blocks = re.findall(r"^```csv\n(.*?)^```$", DOC.read_text("utf-8"), re.S | re.M)
    assert len(blocks) == 1, "docs/directory.md should have exactly one ```csv block"
    return blocks[0]


def kind(account: str) -> str:
    """The kind the doc means for an account as the reader stores it."""
    if iban.is_valid(account):
        return "iban"
    if _UK.match(account):
        return "uk"
    m = _US.match(account)
    if m and rtn.is_valid(m.group(1)):
        return "us"
    return "other"


def message_text(account: str) -> str:
    """The account as a message writes it."""
    k = kind(account)
    if k == "iban":
        return f"Please pay to IBAN {iban.format(account)}."
    if (uk := _UK.match(account)) and k == "uk":
        a, b, c, number = uk.groups()
        return f"Sort code: {a}-{b}-{c}\nAccount number: {number}"
    if (us := _US.match(account)) and k == "us":
        routing, number = us.groups()
        return f"Routing number: {routing}, account number: {number}"
    other = _OTHER.match(account)
    assert other, f"{account}: the doc's other account should end in its account number"
    return f"Our bank details have changed, account number: {other.group(1)}"


@pytest.fixture(scope="module")
def partners() -> tuple[Partner, ...]:
    return parse_partners_csv(doc_csv()).partners


def test_the_example_loads_without_errors() -> None:
    result = parse_partners_csv(doc_csv())
    assert [(e.line, e.message) for e in result.errors] == []
    assert result.rows == len(doc_csv().splitlines()) - 1


def test_the_example_has_an_account_of_every_kind(partners: tuple[Partner, ...]) -> None:
    kinds = sorted(kind(a) for p in partners for a in p.bank_accounts)
    assert kinds == ["iban", "iban", "other", "uk", "us"]


def test_every_account_in_the_example_matches_as_a_message_writes_it(
    partners: tuple[Partner, ...],
) -> None:
    expected = {"iban": "iban", "uk": "uk", "us": "us", "other": "account"}
    for p in partners:
        for account in p.bank_accounts:
            (found,) = extract(message_text(account)).accounts
            assert found.kind == expected[kind(account)], account
            assert found.matches(account), account


def test_the_example_has_a_partner_without_a_domain(partners: tuple[Partner, ...]) -> None:
    assert any(not p.domains and p.contacts for p in partners)
    assert any(len(p.contacts) > 1 and len(p.domains) > 1 for p in partners)


def test_the_separators_the_doc_names() -> None:
    text = DOC.read_text("utf-8")
    header = doc_csv().splitlines()[0]
    row = "Great Lakes Supply Inc.,greatlakes.example,,,,{},"
    for written in ("021000021/9876543210", "021000021 9876543210", "021000021-9876543210"):
        result = parse_partners_csv(f"{header}\n{row.format(written)}\n")
        assert result.errors == (), written
    assert "`021000021:9876543210` is refused" in text
    (error,) = parse_partners_csv(f"{header}\n{row.format('021000021:9876543210')}\n").errors
    assert error.line == 2
    assert error.message in text.replace("\n", " ")
