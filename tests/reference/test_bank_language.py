"""The phrase-file compiler and the reply cutter (the phrases per language have their own
tests in tests/reference/bank_language)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from caveat.reference.bank_language import (
    CATEGORIES,
    PhraseError,
    load_phrase_book,
    phrase_book,
    strip_quoted,
)

HEADER = 'language = "xx"\n[terms]\nbank = ["bank details", "iban"]\n'


def book(tmp_path: Path, patterns: str, quotes: str = "") -> object:
    (tmp_path / "xx.toml").write_text(HEADER + "[patterns]\n" + patterns + quotes, "utf-8")
    return load_phrase_book(tmp_path)


def test_every_packaged_language_compiles() -> None:
    b = phrase_book()
    assert {"en", "de", "fr", "es", "it", "nl", "pt"} <= set(b.languages)
    for lang in b.languages:
        for cat in ("change", "hold"):
            assert any(p.language == lang and p.category == cat for p in b.patterns), (lang, cat)


@pytest.mark.parametrize(
    ("pattern", "text", "hit"),
    [
        ("our new {bank}", "Our NEW bank details:", True),
        ("our new {bank}", "our renew bank details", False),  # whole words only
        ("bank* changed", "Bankverbindung changed", True),
        ("(a|b c) d", "b c d", True),
        ("(a|b c) d", "b d", False),
        ("x .. y", "x one two three y", True),
        ("x .. y", "x one two three four y", False),
        ("x (very)? y", "x y", True),
        ("x (very)? y", "x very y", True),
        ("x very? y", "x y", True),
        # a gap before an optional item stays when the item is absent
        ("x .. (very)? y", "x one two y", True),
        ("x .. (very)? y", "x one two very y", True),
        ("x .. (very)? y", "x one two three four y", False),
        ("x (very)? y", "x one y", False),
        ("{bank}? changed", "changed", True),
        ("{bank}? changed", "iban changed", True),
        ("geändert", "GEAENDERT geandert", True),
        ("don t use", "don’t use", True),
    ],
)
def test_pattern_syntax(tmp_path: Path, pattern: str, text: str, hit: bool) -> None:
    b = book(tmp_path, f"change = [{pattern!r}]\n".replace("'", '"'))
    assert b.scan(text).asks_change() is hit  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("patterns", "message"),
    [
        ('change = ["(a|b"]\n', "unclosed"),
        ('change = ["a)"]\n', "unbalanced"),
        ('change = ["{nope} a"]\n', "unknown term list"),
        ('change = [".."]\n', "empty alternative"),
        ('change = ["(a)?"]\n', "nothing required"),
        ('shout = ["a"]\n', "unknown pattern categories"),
        ("change = [1]\n", "list of non-empty strings"),
        ('change = ["? a"]\n', "must follow"),
    ],
)
def test_bad_phrase_files_are_refused_with_the_place(
    tmp_path: Path, patterns: str, message: str
) -> None:
    with pytest.raises(PhraseError, match=message) as exc:
        book(tmp_path, patterns)
    assert "xx.toml" in str(exc.value)


def test_evidence_quotes_the_original_and_merges_overlaps() -> None:
    cues = phrase_book().scan("Please note that OUR bank details have changed; thanks.")
    assert cues.found("change") == ("OUR bank details have changed",)
    with pytest.raises(KeyError):
        cues.found("nonsense")
    assert set(CATEGORIES) >= {
        "change", "hold", "records", "urgency", "secrecy", "disown", "payer", "unchanged",
        "payroll", "gift_cards", "availability", "confidential_wire",
    }  # fmt: skip


def test_records_needs_bank_details_close_by_or_an_identifier() -> None:
    near = phrase_book().scan("Please update your records with our IBAN below.")
    assert near.asks_change()
    far = phrase_book().scan(
        "Please update your records: we moved to 5 Main Street." + " filler" * 60 + " iban"
    )
    assert not far.asks_change() and far.asks_change(identifier=True)


@pytest.mark.parametrize(
    "reply",
    [
        "On Wed, 6 Nov 2024 at 12:31, Anna Keller <anna.keller@buyer.example> wrote:",
        "Anna Keller wrote:",
        "-----Original Message-----",
        "---------- Forwarded message ---------",
        "From: Anna Keller\nSent: Wednesday, 6 November 2024 12:31\nTo: Accounts",
    ],
)
def test_quoted_part_is_cut(reply: str) -> None:
    body = f"Thanks, we will pay on Friday.\n\n{reply}\nOur bank details have changed.\n"
    kept = strip_quoted(body)
    assert "Thanks, we will pay on Friday." in kept
    assert "have changed" not in kept


def test_quoted_lines_are_dropped() -> None:
    body = "Thanks, noted.\n> Our bank details have changed.\n>> IBAN GB29 NWBK 6016 1331 9268 19\n"
    assert strip_quoted(body) == "Thanks, noted."


def test_from_line_alone_is_not_a_quote() -> None:
    body = "From: our accounts team\nOur bank details have changed."
    assert strip_quoted(body) == body


def test_hostile_lines_stay_linear() -> None:
    # A library reply parser tried first took 16 s on this shape of input (a quadratic
    # regular expression); lines are examined only up to a bounded length here.
    long_line = "On " + "a " * 30000
    many_lines = "On x\n" * 20000
    start = time.perf_counter()
    strip_quoted(long_line)
    strip_quoted(many_lines)
    phrase_book().scan(long_line)
    assert time.perf_counter() - start < 5  # generous: a quadratic cutter takes minutes


@pytest.mark.parametrize(
    "footer",
    [
        "Please note: we will never change our bank details by email. Always call us.",
        "We never send changes to our bank details by email.",
        "Wir werden unsere Bankverbindung niemals per E-Mail ändern.",
        "Nous ne modifierons jamais nos coordonnées bancaires par e-mail.",
        "Nunca cambiaremos nuestros datos bancarios por correo electrónico.",
        "Non cambieremo mai le nostre coordinate bancarie via e-mail.",
        "Wij wijzigen ons rekeningnummer nooit per e-mail.",
        "Nunca alteramos os nossos dados bancários por email.",
    ],
)
def test_anti_fraud_footers_are_not_requests(footer: str) -> None:
    """Many firms warn in every signature that they never change bank details by mail."""
    assert not phrase_book().scan(footer).asks_change()


def test_a_negation_of_another_language_does_not_count() -> None:
    # Portuguese "no" ("in the") is Spanish for "not".
    cues = phrase_book().scan("Abrimos uma nova conta no Banco Exemplo para os pagamentos.")
    assert cues.asks_change()


PAID_TO = [
    "Bonifico a 60 giorni sul conto di sempre: IBAN IT61 X030 6909 6061 0000 0012 345.",
    "Merci de régler par virement sur notre compte IBAN FR76 3000 6000 0112 3456 7890 189.",
    "Betaling van de rekening graag binnen 30 dagen op NL20 INGB 0001 2345 67.",
    "Pago de la cuenta pendiente a la cuenta ES60 0049 1500 0512 3456 7892.",
    "Pagamento da conta em aberto para o IBAN PT09 0033 0000 4530 0135 0005 8.",
]
PAID_FROM = [
    "Il bonifico è stato eseguito dal nostro conto IT60 X054 2811 1010 0000 0123 456.",
    "Le paiement a été effectué depuis notre compte FR14 2004 1010 0505 0001 3M02 606.",
    "Montant débité de notre compte le 3 mars.",
    "Het bedrag is overgemaakt van onze rekening NL91 ABNA 0417 1643 00.",
    "La transferencia se hizo desde nuestra cuenta ES91 2100 0418 4502 0005 1332.",
    "O pagamento foi feito da nossa conta PT50 0002 0123 1234 5678 9015 4.",
]


@pytest.mark.parametrize("text", PAID_TO)
def test_the_account_to_pay_into_is_not_the_payers(text: str) -> None:
    # "sul conto", "sur notre compte": where to pay. "la rekening", "la cuenta", "a conta"
    # are also the bill ("payment of the bill"), not an account paid from.
    assert not phrase_book().scan(text).found("payer"), text


@pytest.mark.parametrize("text", PAID_FROM)
def test_the_account_paid_from_is_the_payers(text: str) -> None:
    assert phrase_book().scan(text).found("payer"), text
