"""Domestic account formats in a body: found with their labels, validated by python-stdnum
or schwifty, and compared with the accounts on file in any of their forms."""

from __future__ import annotations

import pytest

from caveat.reference.bank_identifiers import (
    Account,
    extract,
    may_name_strong,
    on_file_keys,
    on_file_problem,
)
from caveat.reference.bank_language import words_of

# Commerzbank Köln, the Bundesbank's own example pair; and the Czech example of
# python-stdnum's documentation, as its IBAN.
DE_IBAN = "DE89370400440532013000"
CZ_IBAN = "CZ6508000000192000145399"


def strong(text: str) -> list[tuple[str, str]]:
    return [(a.kind, a.key) for a in extract(text).accounts if a.strong]


def weak(text: str) -> list[str]:
    return [a.key for a in extract(text).accounts if not a.strong]


@pytest.mark.parametrize(
    "text",
    [
        "Kontonummer 532013000, BLZ 370 400 44 (Commerzbank)",
        "Konto: 0532013000\nBLZ: 37040044",
        "Bankleitzahl 37040044, Kto-Nr. 532 013 000",
        "BLZ 37040044 Konto 532013000",
    ],
)
def test_german_account_with_bank_code_is_its_iban(text: str) -> None:
    assert strong(text) == [("de", DE_IBAN)]


def test_german_pair_failing_the_banks_check_digits_stays_weak() -> None:
    ids = extract("Kontonummer 1234567890, BLZ 37040044")
    assert not ids.strong
    assert ids.bank_codes == ("BLZ 37040044",)
    assert weak("Kontonummer 1234567890, BLZ 37040044") == ["1234567890"]


def test_german_pair_with_unknown_bank_code_stays_weak() -> None:
    assert not extract("Kontonummer 532013000, BLZ 99999999").strong


def test_bank_code_alone_is_a_code_not_an_account() -> None:
    ids = extract("Unsere Bankleitzahl lautet 37040044.")
    assert not ids.accounts
    assert ids.bank_codes == ("BLZ 37040044",)


@pytest.mark.parametrize(
    "text",
    [
        "Bankovní spojení: Komerční banka, č.ú. 19-2000145399/0800",
        "číslo účtu: 19 - 2000145399 / 0800",
        "Prosíme o úhradu na účet č. 19-2000145399/0800.",
    ],
)
def test_czech_account_is_its_iban(text: str) -> None:
    assert strong(text) == [("cz", CZ_IBAN)]


def test_czech_account_with_wrong_check_digits_is_not_strong() -> None:
    assert not extract("číslo účtu: 19-2000145398/0800").strong


def test_czech_number_without_an_account_label_is_not_read() -> None:
    # an invoice or order number written the same way
    assert not extract("Faktura 2000145399/0800 ze dne 3. 3.").strong


@pytest.mark.parametrize(
    ("text", "kind", "key"),
    [
        ("Betala till bankgiro 5050-1055 senast 30 dagar.", "bankgiro", "50501055"),
        ("Bankgironummer: 5050 1055", "bankgiro", "50501055"),
        ("BG 50501055", "bankgiro", "50501055"),
        ("Plusgiro: 90 01 22-3", "plusgiro", "9001223"),
        ("PG 9001223", "plusgiro", "9001223"),
    ],
)
def test_swedish_giro_numbers(text: str, kind: str, key: str) -> None:
    assert strong(text) == [(kind, key)]


@pytest.mark.parametrize(
    "text",
    [
        "Betala till bankgiro 5050-1056",  # check digit wrong
        "Plusgiro: 90 01 22-4",
        "Ring oss på 08-505 010 55",  # a phone number, no giro label
    ],
)
def test_swedish_giro_numbers_must_validate(text: str) -> None:
    assert not extract(text).strong


def test_japanese_account_with_branch_number() -> None:
    text = "振込先：三菱UFJ銀行 渋谷支店（店番号：123） 普通預金 口座番号：1234567"
    assert strong(text) == [("jp", "1231234567")]
    assert extract(text).accounts[0].masked == "branch 123, account ****4567"


def test_japanese_account_with_bank_code_branch_and_full_width_digits() -> None:
    text = "金融機関コード：０００５\n支店番号：１２３\n口座番号：１２３４５６７"
    assert strong(text) == [("jp", "00051231234567")]


def test_japanese_account_without_branch_is_weak() -> None:
    text = "振込先 口座番号 1234567 までお願いします"
    assert not extract(text).strong
    assert weak(text) == ["1234567"]


def test_chinese_account_with_its_bank_named() -> None:
    text = "收款账号：6222 0202 0000 1234 567\n开户行：中国工商银行北京分行"
    assert strong(text) == [("cn", "6222020200001234567")]


def test_chinese_account_without_its_bank_is_weak() -> None:
    text = "您的会员账号 6222020200001234567 已登记"
    assert not extract(text).strong


@pytest.mark.parametrize(
    ("found", "on_file"),
    [
        ("Kontonummer 532013000, BLZ 37040044", DE_IBAN),
        ("Kontonummer 532013000, BLZ 37040044", "37040044/532013000"),
        ("Kontonummer 532013000, BLZ 37040044", "0532013000"),
        ("IBAN DE89 3704 0044 0532 0130 00", "37040044/532013000"),
        ("IBAN CZ65 0800 0000 1920 0014 5399", "19-2000145399/0800"),
        ("číslo účtu: 19-2000145399/0800", CZ_IBAN),
        ("číslo účtu: 19-2000145399/0800", "19-2000145399/0800"),
        ("bankgiro 5050-1055", "Bankgiro 5050-1055"),
        ("bankgiro 5050-1055", "5050-1055"),
        ("Plusgiro: 90 01 22-3", "PG 90 01 22-3"),
        ("支店番号：123 口座番号：1234567", "0005-123-1234567"),
        ("支店番号：123 口座番号：1234567", "123-1234567"),
        ("銀行コード 0005 支店番号 123 口座番号 1234567", "123-1234567"),
        ("收款账号：6222020200001234567 开户行：工商银行", "6222 0202 0000 1234 567"),
    ],
)
def test_found_account_matches_its_other_forms_on_file(found: str, on_file: str) -> None:
    accounts = extract(found).accounts
    assert accounts, found
    assert accounts[0].matches(on_file)


@pytest.mark.parametrize(
    ("found", "on_file"),
    [
        ("Kontonummer 532013000, BLZ 37040044", "DE62370400440532013001"),
        # the same account number at another bank is another account
        ("Kontonummer 532013000, BLZ 37040044", "DE49100000000532013000"),
        ("IBAN DE89 3704 0044 0532 0130 00", "10000000/532013000"),
        ("číslo účtu: 19-2000145399/0800", "2000145399/0100"),
        ("bankgiro 5050-1055", "Bankgiro 5402-9681"),
        ("支店番号：124 口座番号：1234567", "0005-123-1234567"),
        ("銀行コード 0009 支店番号 123 口座番号 1234567", "0005-123-1234567"),
        ("收款账号：6222020200001234567 开户行：工商银行", "6222020200001234568"),
    ],
)
def test_other_accounts_do_not_match(found: str, on_file: str) -> None:
    accounts = extract(found).accounts
    assert accounts, found
    assert not accounts[0].matches(on_file)


def test_on_file_keys_of_the_domestic_forms() -> None:
    assert DE_IBAN in on_file_keys("37040044 / 532013000")
    assert CZ_IBAN in on_file_keys("19-2000145399/0800")
    assert "50501055" in on_file_keys("Bankgiro 5050-1055")
    assert on_file_keys("021000021/9876543210") == frozenset({"0210000219876543210"})


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("37040044/1234567890", "fails that bank's check digits"),
        ("99999999/532013000", "not a bank code in the Bundesbank's registry"),
        ("19-2000145398/0800", "Czech account"),
        ("BG 5050-1056", "bankgiro or plusgiro"),
    ],
)
def test_on_file_problem_names_what_is_wrong(value: str, says: str) -> None:
    assert says in on_file_problem(value)


@pytest.mark.parametrize(
    "value",
    [
        "37040044/532013000",
        "19-2000145399/0800",
        "Bankgiro 5050-1055",
        "021000021/9876543210",
        DE_IBAN,
        "0005-123-1234567",
        "12345678",
    ],
)
def test_on_file_problem_quiet_on_good_and_other_forms(value: str) -> None:
    assert on_file_problem(value) == ""


@pytest.mark.parametrize(
    "text",
    [
        "Kontonummer 532013000, BLZ 37040044",
        "číslo účtu: 19-2000145399/0800",
        "bankgiro 5050-1055",
        "支店番号：123 口座番号：1234567",
        "收款账号：6222020200001234567 开户行：工商银行",
    ],
)
def test_precheck_lets_domestic_formats_through(text: str) -> None:
    """The body check's pre-check must not rule out a text that holds one: when it is
    false, the check never reads the text."""
    assert extract(text).strong
    assert may_name_strong(text, words_of(text))


def test_precheck_rules_out_text_without_a_domestic_label() -> None:
    text = "Invoice 20260307 attached, order 55501234."
    assert not may_name_strong(text, words_of(text))


def test_account_is_strong_by_kind() -> None:
    assert Account("de", DE_IBAN, "532013000", "").strong
    assert not Account("account", "1234567", "1234567", "").strong
