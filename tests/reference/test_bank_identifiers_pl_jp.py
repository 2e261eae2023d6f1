"""A Polish account written as its NRB (the IBAN without "PL") and a Japan Post Bank account
written as its 記号 and 番号: read whole, validated where a check exists, and compared with
the accounts on file in any of their forms."""

from __future__ import annotations

import pytest

from caveat.reference.bank_identifiers import (
    extract,
    may_name_strong,
    on_file_keys,
    yucho_transfer,
)
from caveat.reference.bank_language import words_of

# The example account of Polish banking material; and another made to pass the check digits.
PL_IBAN = "PL61109010140000071219812874"
PL_OTHER = "PL95114020040000360251234567"
# Japan Post Bank 記号 12345, 番号 12345671: paid to from other banks as bank 9900, branch
# 238, ordinary account 1234567.
YUCHO_KEY = "99002381234567"


def strong(text: str) -> list[tuple[str, str]]:
    return [(a.kind, a.key) for a in extract(text).accounts if a.strong]


@pytest.mark.parametrize(
    "text",
    [
        "Numer rachunku: 61 1090 1014 0000 0712 1981 2874",
        "nr konta 61109010140000071219812874",
        "Prosimy o przelew na rachunek 61 1090 1014 0000 0712 1981 2874.",
        "NRB: 61-1090-1014-0000-0712-1981-2874",
        "Konto bankowe:\t61 1090 1014 0000 0712 1981 2874 (Santander)",
    ],
)
def test_polish_nrb_is_read_whole_as_its_iban(text: str) -> None:
    assert strong(text) == [("pl", PL_IBAN)]
    account = extract(text).accounts[0]
    assert account.masked == "PL61 **** 2874"
    assert account.number == PL_IBAN[4:]


@pytest.mark.parametrize(
    "text",
    [
        "Numer rachunku: 61 1090 1014 0000 0712 1981 2875",  # a check digit wrong
        "Numer rachunku: 16 1090 1014 0000 0712 1981 2874",  # check digits swapped
        "Numer zamówienia 61 1090 1014 0000 0712 1981 2874",  # no account label
        "Numer rachunku: 61 1090 1014 0000 0712 1981 287",  # 25 digits
        "Numer rachunku: 61 1090 1014 0000 0712 1981 28745",  # 27 digits
    ],
)
def test_polish_look_alikes_are_not_an_nrb(text: str) -> None:
    assert not [k for k, _ in strong(text) if k == "pl"]


@pytest.mark.parametrize(
    ("found", "on_file"),
    [
        ("Numer rachunku: 61 1090 1014 0000 0712 1981 2874", "PL61 1090 1014 0000 0712 1981 2874"),
        ("Numer rachunku: 61 1090 1014 0000 0712 1981 2874", "61 1090 1014 0000 0712 1981 2874"),
        ("Numer rachunku: 61 1090 1014 0000 0712 1981 2874", PL_IBAN),
        ("IBAN: PL61 1090 1014 0000 0712 1981 2874", "61109010140000071219812874"),
    ],
)
def test_nrb_and_pl_iban_are_the_same_account(found: str, on_file: str) -> None:
    accounts = extract(found).strong
    assert accounts, found
    assert accounts[0].matches(on_file)


@pytest.mark.parametrize(
    ("found", "on_file"),
    [
        ("Numer rachunku: 61 1090 1014 0000 0712 1981 2874", PL_OTHER),
        ("Numer rachunku: 95 1140 2004 0000 3602 5123 4567", "61 1090 1014 0000 0712 1981 2874"),
        # the same digits in another country's IBAN are another account
        ("Numer rachunku: 61 1090 1014 0000 0712 1981 2874", "10901014000007121981287"),
    ],
)
def test_other_polish_accounts_do_not_match(found: str, on_file: str) -> None:
    accounts = extract(found).strong
    assert accounts, found
    assert not accounts[0].matches(on_file)


def test_on_file_keys_of_a_bare_nrb() -> None:
    assert PL_IBAN in on_file_keys("61 1090 1014 0000 0712 1981 2874")
    assert PL_IBAN in on_file_keys("61-1090-1014-0000-0712-1981-2874")
    # 26 digits whose check digits fail as a Polish IBAN: only their own key
    assert on_file_keys("61 1090 1014 0000 0712 1981 2875") == frozenset(
        {"61109010140000071219812875"}
    )


@pytest.mark.parametrize(
    ("symbol", "number", "transfer"),
    [
        ("12345", "12345671", ("238", "1234567")),
        ("10530", "12345671", ("058", "1234567")),
        ("17300", "19927651", ("738", "1992765")),
        ("12345", "345671", ("238", "0034567")),  # zero-filled to 8 digits first
        ("12345", "12345672", None),  # an ordinary account's 番号 ends in 1
        ("02345", "12345671", None),  # 記号 of a transfer account (振替口座): not converted
        ("1234", "12345671", None),
        ("12345", "123456781", None),
    ],
)
def test_yucho_transfer_conversion(
    symbol: str, number: str, transfer: tuple[str, str] | None
) -> None:
    assert yucho_transfer(symbol, number) == transfer


@pytest.mark.parametrize(
    "text",
    [
        "記号 12345 番号 12345671",
        "ゆうちょ銀行 記号：12345、番号：12345671",
        "記号番号：12345-12345671",
        "通帳記号 １２３４５ 番号 １２３４５６７１",
        "記号：12345\n番号：12345671",
        "ゆうちょ銀行 記号 12345-12345671",
        # the form other banks pay to: the branch as 店名 in kanji digits or as 店番
        "振込先：ゆうちょ銀行 店名：二三八（ニサンハチ） 普通預金 口座番号：1234567",
        "ゆうちょ銀行 店番：238 普通 口座番号 1234567",
    ],
)
def test_yucho_account_in_either_form_has_one_key(text: str) -> None:
    assert strong(text) == [("jp", YUCHO_KEY)]


def test_short_yucho_number_needs_japan_post_bank_named() -> None:
    assert strong("ゆうちょ銀行 記号：12345、番号：345671") == [("jp", "99002380034567")]
    # a health insurance card's 記号 and 番号 look the same
    assert not strong("被保険者証 記号：12345、番号：345671")


@pytest.mark.parametrize(
    "text",
    [
        "記号 12345 番号 12345672",  # 番号 not ending in 1
        "記号 02345 番号 12345671",  # not an ordinary account
        "商品記号 12345 番号 123456781",  # 9 digits
        "記号 123456 番号 12345671",
    ],
)
def test_yucho_look_alikes_are_not_accounts(text: str) -> None:
    assert not strong(text)


@pytest.mark.parametrize(
    ("found", "on_file"),
    [
        ("記号 12345 番号 12345671", "12345-12345671"),
        ("記号 12345 番号 12345671", "9900-238-1234567"),
        ("記号 12345 番号 12345671", "238-1234567"),
        ("店番：238 口座番号：1234567", "12345-12345671"),
        ("ゆうちょ銀行 店名：二三八 普通 口座番号：1234567", "12345-12345671"),
        ("ゆうちょ銀行 店名：二三八 普通 口座番号：1234567", "記号12345 番号12345671"),
    ],
)
def test_yucho_forms_match_on_file(found: str, on_file: str) -> None:
    accounts = extract(found).strong
    assert accounts, found
    assert accounts[0].matches(on_file)


@pytest.mark.parametrize(
    ("found", "on_file"),
    [
        ("記号 12345 番号 12345671", "12345-12355671"),
        ("記号 12345 番号 12345671", "0005-238-1234567"),  # another bank's branch 238
        ("店番：248 口座番号：1234567", "12345-12345671"),
        ("記号 12345 番号 12345671", "12345-12345672"),  # on file: no ordinary account
    ],
)
def test_other_yucho_accounts_do_not_match(found: str, on_file: str) -> None:
    accounts = extract(found).strong
    assert accounts, found
    assert not accounts[0].matches(on_file)


@pytest.mark.parametrize(
    "text",
    [
        "Numer rachunku: 61 1090 1014 0000 0712 1981 2874",
        "記号 12345 番号 12345671",
        "ゆうちょ銀行 店名：二三八 普通 口座番号：1234567",
    ],
)
def test_precheck_lets_them_through(text: str) -> None:
    assert extract(text).strong
    assert may_name_strong(text, words_of(text))
