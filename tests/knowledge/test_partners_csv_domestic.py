"""Domestic account forms in the directory's ``bank_accounts`` cell: kept as written,
refused with the reason when they cannot be the account meant, and found by the
directory's account index under the IBAN they make."""

from __future__ import annotations

import pytest

from caveat.knowledge.directory import Directory
from caveat.knowledge.indicators_csv import IndicatorError, check_indicator
from caveat.knowledge.partners_csv import COLUMNS, parse_partners_csv
from caveat.reference.bank_identifiers import extract

HEADER = ",".join(COLUMNS)


def row(accounts: str) -> str:
    return f'Lieferant GmbH,lieferant.example,Jana Vogel,jana@lieferant.example,,"{accounts}",'


def parse(accounts: str):  # type: ignore[no-untyped-def]
    return parse_partners_csv(f"{HEADER}\n{row(accounts)}\n")


@pytest.mark.parametrize(
    ("cell", "kept"),
    [
        ("37040044/532013000", "37040044/532013000"),
        ("19-2000145399/0800", "19-2000145399/0800"),
        ("Bankgiro 5050-1055", "BANKGIRO5050-1055"),
        ("BG 5050-1055", "BG5050-1055"),
        ("PG 90 01 22-3", "PG900122-3"),
        ("0005-123-1234567", "0005-123-1234567"),
        ("6222 0202 0000 1234 567", "6222020200001234567"),
    ],
)
def test_domestic_forms_load(cell: str, kept: str) -> None:
    result = parse(cell)
    assert result.errors == ()
    assert result.partners[0].bank_accounts == (kept,)


@pytest.mark.parametrize(
    ("cell", "says"),
    [
        ("37040044/1234567890", "fails that bank's check digits"),
        ("99999999/532013000", "99999999 is not a bank code in the Bundesbank's registry"),
        ("19-2000145398/0800", "looks like a Czech account"),
        ("BG 5050-1056", "bankgiro or plusgiro number but its check digit is wrong"),
    ],
)
def test_domestic_forms_that_do_not_validate_are_refused(cell: str, says: str) -> None:
    result = parse(cell)
    assert len(result.errors) == 1
    assert says in result.errors[0].message
    assert result.errors[0].line == 2


def test_directory_finds_a_domestic_form_by_its_iban() -> None:
    partners = parse("37040044/532013000; 19-2000145399/0800").partners
    d = Directory(partners)
    assert [p.organization for p in d.account_owners("DE89370400440532013000")] == [
        "Lieferant GmbH"
    ]
    assert [p.organization for p in d.account_owners("CZ6508000000192000145399")] == [
        "Lieferant GmbH"
    ]
    assert d.account_owners("DE62370400440532013001") == ()


@pytest.mark.parametrize(
    ("value", "alias"),
    [
        ("37040044/532013000", "DE89370400440532013000"),
        ("19-2000145399/0800", "CZ6508000000192000145399"),
        ("Bankgiro 5050-1055", "50501055"),
    ],
)
def test_an_account_indicator_in_a_domestic_form_also_has_the_messages_key(
    value: str, alias: str
) -> None:
    """A fraud indicator written the domestic way is found under the key the body check
    gives the same account (its IBAN, a giro number's digits)."""
    checked = check_indicator("account", value)
    assert alias in checked.aliases
    assert extract_key(value) in (checked.value, *checked.aliases)


def extract_key(value: str) -> str:
    texts = {
        "37040044/532013000": "Kontonummer 532013000, BLZ 37040044",
        "19-2000145399/0800": "číslo účtu 19-2000145399/0800",
        "Bankgiro 5050-1055": "bankgiro 5050-1055",
    }
    (account,) = extract(texts[value]).accounts
    return account.key


def test_an_account_indicator_in_a_bad_domestic_form_is_refused() -> None:
    with pytest.raises(IndicatorError, match="fails that bank's check digits"):
        check_indicator("account", "37040044/1234567890")
