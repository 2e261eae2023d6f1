"""caveat.mail.bidi: isolating what the sender wrote (issue 14, text direction)."""

from __future__ import annotations

import pytest

from caveat.mail.bidi import (
    FSI,
    PDI,
    Isolated,
    first_strong,
    isolate,
    joined,
    keep_direction,
    left_to_right,
    mailbox,
    neutralise,
    utf16_length,
    visible,
)
from caveat.mail.normalise import from_payload

RLO, LRO, RLE, PDF, RLI, LRI = "\u202e", "\u202d", "\u202b", "\u202c", "\u2067", "\u2066"
RLM, LRM, ALM = "\u200f", "\u200e", "\u061c"


@pytest.mark.parametrize(
    "value",
    [
        "Anna Keller",
        "J\u00f6rg M\u00fcller",
        "\u0410\u043d\u043d\u0430",
        "\u4f0a\u85e4",
        "Anna \U0001f600",
        "anna@northwind-metals.example",
        "DE89 **** 3000",
        "Supply Inc.",
        "(x) <y> [z] 12%",
    ],
)
def test_left_to_right_values_are_left_bare(value: str) -> None:
    assert left_to_right(value)
    assert isolate(value) == value


@pytest.mark.parametrize(
    "value",
    [
        "\u05e9\u05e8\u05d4 Cohen",  # Hebrew letters
        "\u0645\u062d\u0645\u062f",  # Arabic letters
        "\u0663\u0664",  # Arabic-Indic digits
        f"Anna{RLM}Keller",
        "Anna\u200bKeller",
        "Anna\tKeller",
        "Anna\x1cKeller",  # an ASCII paragraph separator
    ],
)
def test_values_with_a_direction_or_a_hidden_character_are_isolated(value: str) -> None:
    assert not left_to_right(value)
    out = isolate(value)
    assert out.startswith(FSI) and out.endswith(PDI)
    assert out[1:-1] == value  # nothing here is an embedding, override or isolate


@pytest.mark.parametrize("control", [RLO, LRO, RLE, PDF, RLI, LRI, FSI, PDI])
def test_controls_that_could_leave_the_isolate_are_removed_inside_it(control: str) -> None:
    out = isolate(f"Anna{control} Keller")
    assert out == f"{FSI}Anna Keller{PDI}"


def test_a_stray_pdi_cannot_close_the_isolate_early() -> None:
    out = isolate(f"Anna{PDI}{RLO}Keller")
    assert out.count(PDI) == 1 and out.endswith(PDI) and RLO not in out


@pytest.mark.parametrize("m", [RLM, LRM, ALM])
def test_direction_marks_stay(m: str) -> None:
    assert (
        isolate(f"\u05e9\u05e8\u05d4{m} (Cohen Ltd)")
        == f"{FSI}\u05e9\u05e8\u05d4{m} (Cohen Ltd){PDI}"
    )


def test_neutralise_keeps_everything_else() -> None:
    assert neutralise(f"a{RLO}b{RLM}c\u200bd") == f"ab{RLM}c\u200bd"


def test_empty_stays_empty() -> None:
    assert isolate("") == "" and isolate(None) == ""


def test_isolated_text_keeps_its_inner_isolates_and_is_wrapped_once() -> None:
    names = joined(["\u05e9\u05e8\u05d4", "Anna"])
    assert names == f"{FSI}\u05e9\u05e8\u05d4{PDI}, Anna"
    outer = isolate(names)
    assert outer == f"{FSI}{names}{PDI}"
    # a single isolate is not wrapped again
    single = isolate("\u05e9\u05e8\u05d4")
    assert isolate(single) == single
    # "FSI a PDI, FSI b PDI" starts and ends like one isolate but is two
    two = Isolated(f"{FSI}\u05d0{PDI}, {FSI}\u05d1{PDI}")
    assert isolate(two) == f"{FSI}{two}{PDI}"


def test_mailbox_isolates_the_name_only() -> None:
    assert mailbox("Anna Keller", "a@x.example") == "Anna Keller <a@x.example>"
    assert mailbox(f"Anna{RLO}", "a@x.example") == f"{FSI}Anna{PDI} <a@x.example>"
    assert mailbox("", "a@x.example") == "a@x.example"


def test_the_from_line_of_evidence_isolates_a_name_with_an_override() -> None:
    facts = from_payload({"from": {"name": f"Anna Keller{RLO}", "address": "a@gmail.com"}})
    assert facts.author is not None
    assert facts.author.name == f"Anna Keller{RLO}"  # the name itself is kept as written
    assert facts.author.display() == f"{FSI}Anna Keller{PDI} <a@gmail.com>"


def test_visible_writes_the_hidden_characters_as_code_points() -> None:
    assert visible(f"Anna{RLO}Keller", [4]) == "Anna[U+202E]Keller"
    assert visible("A\U000e0041nna", [1]) == "A[U+E0041]nna"


def test_utf16_length_counts_astral_characters_twice() -> None:
    assert utf16_length("abc") == 3
    assert utf16_length(f"{FSI}x{PDI}") == 3
    assert utf16_length("\U0001f600") == 2


def test_first_strong_looks_inside_isolates_as_html_does() -> None:
    assert first_strong(f"{FSI}\u05e9\u05dc\u05d5\u05dd{PDI} asks") == "R"
    assert first_strong("123 Acme") == "L"
    assert first_strong("123 ...") == ""


@pytest.mark.parametrize(
    ("text", "own", "expected"),
    [
        (f"{FSI}\u05e9{PDI} asks you to pay.", "L", f"\u200e{FSI}\u05e9{PDI} asks you to pay."),
        ("Acme asks you to pay.", "L", "Acme asks you to pay."),
        (f"Pay {FSI}\u05e9{PDI}.", "L", f"Pay {FSI}\u05e9{PDI}."),
        # a catalogue written in a right-to-left language keeps its own direction too
        ("Acme \u05e9\u05dc\u05d5\u05dd", "R", "\u200fAcme \u05e9\u05dc\u05d5\u05dd"),
        ("12 34", "L", "12 34"),
    ],
)
def test_keep_direction_marks_a_text_only_when_a_value_would_set_its_direction(
    text: str, own: str, expected: str
) -> None:
    assert keep_direction(text, own) == expected
