"""Bank identifiers in bodies: found whatever the formatting, validated, masked, compared."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import iban

from caveat.reference.bank_identifiers import extract, mask_iban

GB = "GB29 NWBK 6016 1331 9268 19"
GB_KEY = "GB29NWBK60161331926819"
DE = "DE89 3704 0044 0532 0130 00"


def keys(text: str) -> list[str]:
    return [a.key for a in extract(text).accounts]


@pytest.mark.parametrize(
    "text",
    [
        f"IBAN: {GB}",
        f"IBAN {GB_KEY}.",
        "IBAN GB29-NWBK-6016-1331-9268-19",
        "IBAN: GB29 NWBK\n6016 1331 9268 19",
        "IBAN: GB29 NWBK 6016\r\n  1331 9268 19",
        "IBAN GB29\u00a0NWBK\u00a06016\u00a01331\u00a09268\u00a019",
        "IBAN GB29\u200bNWBK\u200b6016 1331 9268 19",
        "IBAN GB29 NW\u200dBK 6016 1331 9268 19",
        "ＩＢＡＮ： ＧＢ２９ ＮＷＢＫ ６０１６ １３３１ ９２６８ １９",
        "iban gb29 nwbk 6016 1331 9268 19",
        f"IBAN: {GB} BIC: NWBKGB2L",
        f"IBAN: {GB} 12.500,00 EUR due",
        f"<{GB}>",
    ],
)
def test_iban_in_any_formatting(text: str) -> None:
    assert keys(text) == [GB_KEY]


@pytest.mark.parametrize(
    "text",
    [
        "IBAN: GB28 NWBK 6016 1331 9268 19",  # check digits wrong
        "IBAN: GB29 NWBK 6016 1331 9268",  # too short for GB
        "IBAN: XX29 NWBK 6016 1331 9268 19",  # no such country
        "order AB12CDEF34567890123 shipped",
        "Reference DE89370400440532013001",
        "The IBAN is on the invoice as always.",
    ],
)
def test_no_iban(text: str) -> None:
    assert [a for a in extract(text).accounts if a.kind == "iban"] == []


def test_two_ibans_in_order_and_deduplicated() -> None:
    found = extract(f"old: {DE}\nnew: {GB}\nagain: {GB_KEY}").accounts
    assert [a.key for a in found] == ["DE89370400440532013000", GB_KEY]


def test_masking_shows_country_check_digits_and_last_four() -> None:
    (a,) = extract(f"IBAN {GB}").accounts
    assert a.masked == "GB29 **** 6819" == mask_iban(GB_KEY)
    assert "NWBK" not in a.masked


def test_bic_needs_its_label_and_a_valid_form() -> None:
    assert extract("BIC: NWBKGB2L").bics == ("NWBKGB2L",)
    assert extract("SWIFT code DEUTDEFF500").bics == ("DEUTDEFF500",)
    assert extract("CONGRATULATIONS on your win").bics == ()
    assert extract("BIC: NWBK1234").bics == ()  # the country part must be letters


def test_uk_sort_code_and_account() -> None:
    (a,) = extract("Sort code: 60-16-13\nAccount number: 31926819").accounts
    assert (a.kind, a.key, a.strong) == ("uk", "60161331926819", True)
    assert a.masked == "sort code 60-16-13, account ****6819"
    assert a.matches(GB)  # the GB IBAN on file holds the same sort code and account
    assert not a.matches(DE)


def test_us_routing_needs_a_valid_check_digit() -> None:
    (a,) = extract("Routing number: 021000021, Account number: 123456789").accounts
    assert (a.kind, a.strong) == ("us", True)
    assert a.matches("021000021/123456789") and a.matches("123456789")
    assert not a.matches("021000021/987654321")
    (weak,) = extract("Routing number: 021000022, Account number: 123456789").accounts
    assert weak.kind == "account"  # the routing number is invalid: only the account remains


def test_bare_account_number_is_weak() -> None:
    (a,) = extract("Account number: 4711-0815-22").accounts
    assert (a.kind, a.strong, a.key) == ("account", False, "4711081522")
    assert extract("account 12345").accounts == ()  # too short to be an account


def test_domestic_number_matches_the_iban_on_file() -> None:
    (a,) = extract("account number 0532013000").accounts
    assert a.matches(DE)
    assert not a.matches(GB)


def test_iban_compares_exactly() -> None:
    (a,) = extract(f"IBAN {GB}").accounts
    assert a.matches("gb29nwbk60161331926819") and a.matches(GB)
    assert not a.matches(DE) and not a.matches("")


@given(st.sampled_from(["DE", "GB", "FR", "NL"]), st.integers(0, 10**18))
def test_any_valid_iban_is_found_whatever_the_grouping(country: str, n: int) -> None:
    bban = {
        "DE": f"{n % 10**18:018d}",
        "GB": f"NWBK{n % 10**14:014d}",
        "FR": f"{n % 10**18:018d}00189"[:23],
        "NL": f"ABNA{n % 10**10:010d}",
    }[country]
    number = country + iban.calc_check_digits(country + "00" + bban) + bban
    if not iban.is_valid(number):
        return
    spaced = iban.format(number)
    for text in (f"IBAN {number}", f"IBAN {spaced}", "IBAN " + spaced.replace(" ", "\n", 1)):
        assert number in keys(text)


@given(st.text(max_size=400))
def test_never_raises(text: str) -> None:
    extract(text)


def test_long_hostile_input_is_bounded() -> None:
    # Many IBAN-shaped candidates, none valid: each is tried once and skipped.
    text = ("AB12" + "C" * 30 + " ") * 2000
    assert extract(text).accounts == ()


# ------------------------------------------------------------------ split across cells and labels


@pytest.mark.parametrize(
    "text, masked",
    [
        ("IBAN (part 1): DE89 3704 0044\n\nIBAN (part 2): 0532 0130 00", "DE89 **** 3000"),
        ("IBAN DE89 3704 | Bankleitzahl (Rest): 0044 | Konto 0532013000", "DE89 **** 3000"),
        ("GB82 WEST | Sort code: 12 34 56 | Account: 98765432", "GB82 **** 5432"),
        ("Compte FR14 2004 1010\nsuite : 0505 0001 3M02 606", "FR14 **** 2606"),
        ("ES91 2100 0418\nTitular: Proveedor SL\n4502 0005 1332", "ES91 **** 1332"),
        ("NL91 | ABNA | 0417 | 164300", "NL91 **** 4300"),
    ],
)
def test_an_iban_split_by_cells_and_labels_is_joined(text: str, masked: str) -> None:
    assert [a.masked for a in extract(text).accounts] == [masked]


@pytest.mark.parametrize(
    "text",
    [
        # the parts do not complete the country's format, or the check digits fail
        "IBAN DE89 3704 0044, invoice 0532 0130 01",
        "Reference AB12 3456, call 0800 1234 5678 9012",
        "Room DE12, floor 3, ext 4567 8901 2345 6789",
        "Order GB82 WEST dispatched; tracking 123456 98765431",
    ],
)
def test_numbers_after_an_iban_like_start_are_not_joined_into_an_iban(text: str) -> None:
    assert not extract(text).strong
