"""Name keys, name-bearing local parts and thread subjects."""

from __future__ import annotations

import pytest

from caveat.mail.names import (
    addresses_in_name,
    is_company_name,
    is_person_name,
    local_key,
    name_key,
    name_keys,
    organisation_key,
    sent_through,
    subject_key,
)


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


# ------------------------------------------------------------------ folding (issue 13)


@pytest.mark.parametrize(
    "written",
    [
        "\u0410nna K\u0435ller",  # Cyrillic A and e
        "\u0391nn\u03b1 \u039aeller",  # Greek Alpha, alpha, Kappa
        "Anna\u200bKeller",  # zero-width space where the space was
        "An\u200bna Kel\u200dler",  # zero-width characters inside the words
        "\u202eAnna Keller\u202c",  # bidi override and pop
        "Anna\u2066 Keller\u2069",  # bidi isolates
        "Anna Keller\ufe0f",  # a variation selector
        "\uff21\uff4e\uff4e\uff41 \uff2b\uff45\uff4c\uff4c\uff45\uff52",  # full-width
        "\U0001d400\U0001d427\U0001d427\U0001d41a "
        "\U0001d40a\U0001d41e\U0001d425\U0001d425\U0001d41e\U0001d42b",  # bold
        "Anna KeIler",  # a capital I for an l
        "Anna Ke11er",  # digits for letters
        "Anna Keller | CEO",
        "CEO | Anna Keller",
        "Anna Keller (Northwind Metals)",
        "Anna Keller - Northwind Metals GmbH",
        "Anna Keller [External]",
        "Anna Keller, CFO",
        "Dr. Anna M. Keller",
        "Frau Anna Keller",
        "'Anna Keller'",
        "\u201cAnna Keller\u201d",
        "Anna Keller \U0001f512",
        "Anna\U0001f4e7Keller",
        "Anna Keller anna.keller@northwind.example",
        "Anna Keller via Northwind Portal",
        "Anna Keller on behalf of Northwind",
    ],
)
def test_a_disguised_name_folds_to_the_name_a_reader_sees(written: str) -> None:
    assert "anna keller" in name_keys(written)
    assert name_keys(written)[0] == "anna keller"


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("\u00c9lodie\u200bMarchand", "elodie marchand"),
        ("Mar\u00eda Jos\u00e9 Ortega | Fabrikam", "jose maria ortega"),
        ("Dott.ssa Giulia M. Ferrari\u200f (Aurora)", "ferrari giulia"),
        ("J\u00f6rg Br\u0430ndt", "brandt jorg"),  # a Cyrillic a
        ("Jo\u00e3o Oliveira - Fatura\u00e7\u00e3o", "joao oliveira"),
        ("Pieter van Dijk [EXTERN]", "dijk pieter van"),
    ],
)
def test_folding_in_other_languages_and_scripts(written: str, key: str) -> None:
    assert name_key(written) == key


@pytest.mark.parametrize(
    "name",
    [
        "Anna Keller",
        "Keller, Anna",
        "J\u00f6rg M\u00fcller",
        "M\u00fcller, J\u00f6rg Peter",
        "Jos\u00e9 Garc\u00eda",
        "Anna Keller-Schmidt",
        "Ingrid Bergstr\u00f6m",
        "McDonald Ronald",
        "A. Keller",
        "Finance Team",
    ],
)
def test_plain_names_keep_the_key_the_memory_stored(name: str) -> None:
    """name_key is what the conversation memory stores: for a plain name it is what it was
    before folding (case, accents, quotes, commas and order ignored), so stored keys stay
    valid."""
    import re
    import unicodedata

    folded = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    parts = re.split(r"[\s,\"'.()\[\]<>]+", plain)
    words = [w for w in parts if w and any(c.isalpha() for c in w)]
    assert name_key(name) == " ".join(sorted(words))


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Дмитрий Волков", "волков дмитрии"),
        ("田中 太郎", "田中太郎"),  # family and given name as written
    ],
)
def test_a_name_wholly_in_another_script_keeps_its_letters(name: str, key: str) -> None:
    assert name_key(name) == key


def test_a_list_rewrite_keys_as_a_whole() -> None:
    """The address behind "Name via List" is the list's: the memory must not learn it as the
    poster's, so the stored key keeps the "via" part; name_keys still finds the person."""
    assert name_key("Marcus Leech via USRP-users") == "leech marcus usrp-users via"
    assert name_keys("Marcus Leech via USRP-users")[0] == "leech marcus"
    assert sent_through("Marcus Leech via USRP-users")
    assert not sent_through("Marcus Leech")


def test_addresses_and_organisations_in_names() -> None:
    assert addresses_in_name('"accounts@partnerb.example" x') == ("accounts@partnerb.example",)
    assert addresses_in_name("Anna Keller") == ()
    assert organisation_key("Northwind Metals GmbH") == organisation_key("NORTHWIND  metals")
    assert is_company_name(name_key("Northwind Metals GmbH"))
    assert not is_company_name(name_key("Anna Keller"))


def test_an_invisible_only_name_has_no_key() -> None:
    assert name_key("\u3164") == ""
    assert name_key("\u200b\u200b") == ""


@pytest.mark.parametrize(
    ("dotted", "plain", "key"),
    [
        ("Aurora Trasporti S.p.A.", "Aurora Trasporti SpA", "aurora trasporti"),
        ("AURORA TRASPORTI S. P. A.", "aurora trasporti", "aurora trasporti"),
        ("Van Dijk Techniek B.V.", "Van Dijk Techniek BV", "dijk techniek van"),
        ("Fabrikam Componentes, S.L.", "Fabrikam Componentes SL", "componentes fabrikam"),
        ("Contoso Logistique S.A.R.L.", "Contoso Logistique SARL", "contoso logistique"),
        ("Northwind Metals G.m.b.H.", "Northwind Metals", "metals northwind"),
    ],
)
def test_a_legal_form_written_with_dots_is_one_word(dotted: str, plain: str, key: str) -> None:
    """A dotted legal form reads as the form: the directory's "Aurora Trasporti S.p.A." and a
    display name "Aurora Trasporti SpA" name one organisation, whichever writes the dots."""
    assert organisation_key(dotted) == organisation_key(plain) == key


def test_initials_are_joined_only_with_each_other() -> None:
    # A run of initials is one word, kept when it is no legal form ...
    assert organisation_key("P.O.S. Systems Ltd") == organisation_key("POS Systems")
    # ... and a lone initial stays a letter of its own, never joined to the next word.
    assert organisation_key("J. Smith Holdings") == "holdings j smith"


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("A & S Transport GmbH", "as transport"),
        ("A.G. Meyer", "ag meyer"),
        ("Meyer A.G.", "meyer"),
        ("S & A Transport", "sa transport"),
    ],
)
def test_initials_that_spell_a_legal_form_are_left_out_only_at_the_end(name: str, key: str) -> None:
    """Legal forms close a name: initials elsewhere are part of it, so "A & S Transport
    GmbH" never shrinks to "transport" (which an unrelated "Transport Service" would
    match)."""
    assert organisation_key(name) == key
