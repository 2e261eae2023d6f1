"""Tables whose labels stand in a header row and whose values stand in the row below, in
plain text (tabs, pipes, aligned spaces, a Markdown rule) and as an HTML table's text
(cells one space apart): each label is read with the value under it."""

from __future__ import annotations

import pytest

from caveat.mail.htmltext import html_to_text
from caveat.reference.bank_identifiers import extract, may_name_strong
from caveat.reference.bank_language import words_of

DE_IBAN = "DE89370400440532013000"  # BLZ 370 400 44, Kontonummer 532 013 000
DE_OTHER = "DE95700202704681108918"  # BLZ 700 202 70, Kontonummer 4681108918


def strong(text: str) -> list[tuple[str, str]]:
    return [(a.kind, a.key) for a in extract(text).accounts if a.strong]


def html_table(*rows: list[str]) -> str:
    head, *body = rows
    cells = "".join(f"<th>{c}</th>" for c in head)
    trs = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in body)
    return html_to_text(f"<p>Bitte zahlen Sie auf:</p><table><tr>{cells}</tr>{trs}</table>")


@pytest.mark.parametrize(
    "text",
    [
        "Kontoinhaber | Kontonummer | BLZ\nMuster GmbH | 532013000 | 37040044",
        "Kontoinhaber\tKontonummer\tBLZ\nMuster GmbH\t532013000\t37040044",
        "Kontoinhaber    Kontonummer   BLZ\nMuster GmbH     532013000     370 400 44",
        "| Kontoinhaber | Kontonummer | BLZ |\n|---|---|---|\n"
        "| Muster GmbH | 532013000 | 37040044 |",
        "BLZ | Konto-Nr.\n370 400 44 | 0532013000",
        "Bankleitzahl  Kontonummer  Bank\n37040044      532013000    Commerzbank",
        # a blank line between the rows, as an HTML table's text has it
        "Kontoinhaber Kontonummer BLZ\n\nMuster GmbH 532013000 370 400 44",
    ],
)
def test_german_header_row_gives_its_iban(text: str) -> None:
    assert strong(text) == [("de", DE_IBAN)]


@pytest.mark.parametrize(
    "rows",
    [
        (["Kontoinhaber", "Kontonummer", "BLZ"], ["Muster GmbH", "532013000", "370 400 44"]),
        (
            ["Kontoinhaber", "Bank", "Kontonummer", "BLZ"],
            ["Muster GmbH", "Commerzbank", "532013000", "37040044"],
        ),
        (["BLZ", "Kontonummer", "Kontoinhaber"], ["37040044", "532013000", "Muster GmbH"]),
    ],
)
def test_german_html_table_gives_its_iban(rows: tuple[list[str], ...]) -> None:
    text = html_table(*rows)
    assert strong(text) == [("de", DE_IBAN)]
    assert may_name_strong(text, words_of(text))


def test_row_position_is_the_value_rows() -> None:
    text = "Hallo,\n\nKontonummer | BLZ\n532013000 | 37040044\n"
    ids = extract(text)
    assert (DE_IBAN, text.index("532013000")) in ids.positions


@pytest.mark.parametrize(
    "text",
    [
        # the pair fails the bank's check digits
        "Kontonummer | BLZ\n1234567890 | 37040044",
        # no bank label over the numbers
        "Artikelnummer | Menge | Bestellnummer\n532013000 | 12 | 37040044",
        # the labels in a sentence, numbers below that make no account
        "Ihre Kontonummer und BLZ haben wir gespeichert.\nRechnung 2026 0503 vom 3. 3.\n"
        "Betrag 1 234,56 EUR, Kundennummer 532013000",
        # header and values in the wrong order for the pair: BLZ column holds the account
        "Kontonummer | BLZ\n37040044 | 532013000",
        # an unknown bank code
        "Kontonummer | BLZ\n532013000 | 99999999",
    ],
)
def test_header_row_look_alikes_give_no_account(text: str) -> None:
    assert not strong(text)


def test_html_row_read_two_ways_with_two_accounts_is_left_alone() -> None:
    """Cells one space apart: when the numbers can be shared among the columns in two
    ways that each make a valid account, nothing is guessed."""
    text = "Kontonummer BLZ\n\n532013000 37040044 4681108918 70020270"
    assert not strong(text)
    # each pair alone is read
    assert strong("Kontonummer BLZ\n\n4681108918 70020270") == [("de", DE_OTHER)]


def test_html_row_with_too_many_numbers_is_not_tried() -> None:
    from caveat.reference import bank_identifiers as b

    assert b._row_readings("kontonummer blz", "1 2 3 4 5 6 7 8 9") == []
    assert b._row_readings("kontonummer blz", "532013000 37040044")[0] == [
        "kontonummer: 532013000\nblz: 37040044"
    ]


@pytest.mark.parametrize(
    ("text", "kind", "key"),
    [
        # other languages' labels in a header row
        ("Sort code | Account number\n20-00-00 | 55779911", "uk", "20000055779911"),
        ("Routing number\tAccount number\n021000021\t9876543210", "us", "0210000219876543210"),
        ("Číslo účtu / kód banky\n19-2000145399/0800", "cz", "CZ6508000000192000145399"),
        ("Bankgiro\tOCR-nummer\n5050-1055\t12345678903", "bankgiro", "50501055"),
        (
            "Numer rachunku | Bank\n61 1090 1014 0000 0712 1981 2874 | Santander",
            "pl",
            "PL61109010140000071219812874",
        ),
        ("銀行コード　支店番号　口座番号\n0005　123　1234567", "jp", "00051231234567"),
        ("記号 | 番号\n12345 | 12345671", "jp", "99002381234567"),
        (
            "收款账号 | 开户行\n6222020200001234567 | 中国工商银行北京分行",
            "cn",
            "6222020200001234567",
        ),
    ],
)
def test_other_header_rows(text: str, kind: str, key: str) -> None:
    assert (kind, key) in strong(text)


def test_other_header_rows_in_html() -> None:
    text = html_table(
        ["Account name", "Sort code", "Account number"], ["Acme Ltd", "20-00-00", "55779911"]
    )
    assert ("uk", "20000055779911") in strong(text)
    text = html_table(["支店番号", "口座番号", "口座名義"], ["123", "1234567", "ヤマダショウジ"])
    assert strong(text) == [("jp", "1231234567")]


CZ_IBAN = "CZ6508000000192000145399"  # 19-2000145399/0800


@pytest.mark.parametrize(
    "text",
    [
        "Číslo účtu: 19-2000145399, kód banky: 0800",
        "Číslo účtu | Kód banky\n19-2000145399 | 0800",
        "Předčíslí | Číslo účtu | Kód banky\n19 | 2000145399 | 0800",
        "Předčíslí Číslo účtu Kód banky\n\n19 2000145399 0800",
    ],
)
def test_czech_number_and_bank_code_apart(text: str) -> None:
    assert strong(text) == [("cz", CZ_IBAN)]


@pytest.mark.parametrize(
    "text",
    [
        "Číslo účtu | Kód banky\n19-2000145398 | 0800",  # check sum fails
        "Číslo faktury | Kód banky\n2000145399 | 0800",  # no account label
        "Číslo účtu | Kód banky\n19-2000145399 | 9999",  # no such bank
    ],
)
def test_czech_look_alikes_apart_give_no_account(text: str) -> None:
    assert not strong(text)


@pytest.mark.parametrize(
    "text",
    [
        "Kontoinhaber | Kontonummer | BLZ\nMuster GmbH | 532013000 | 37040044\n"
        "Nordhafen GmbH | 4681108918 | 70020270",
        "Währung Kontonummer BLZ\n\nEUR 532013000 37040044\n\nUSD 4681108918 70020270",
    ],
)
def test_rows_after_the_first_are_read_with_the_header(text: str) -> None:
    assert strong(text) == [("de", DE_IBAN), ("de", DE_OTHER)]


def test_rows_far_below_the_header_are_not_read() -> None:
    rows = "".join(f"Zeile {i} | {i}\n" for i in range(1, 6))
    assert not strong(f"Kontonummer | BLZ\n{rows}4681108918 | 70020270")
    rows = "".join(f"Zeile {i} | {i}\n" for i in range(1, 5))
    assert strong(f"Kontonummer | BLZ\n{rows}4681108918 | 70020270") == [("de", DE_OTHER)]
