"""The cheap test before reading phone numbers (``may_name``) never hides a number the
full reading finds: however it is written, its national digits stand in a row."""

from __future__ import annotations

import pytest

from caveat.knowledge.indicators_csv import may_name, phones_in
from caveat.knowledge.shared import national_digits

WRITTEN = [
    "Call +44 20 7946 0958 today",
    "Call +44 (0)20 7946 0958 today",
    "Call 0044 20-7946-0958 today",
    "Call 020 7946 0958 today",
    "Tel.: +49 (0) 30 / 901820-0, Fax -99",
    "Unsere neue Nummer: 030 90182012",
    "Appelez le +33 1 42 68 53 00.",
    "Appelez le 01.42.68.53.00.",
    "Bel ons op +31 (0)20 624 1111",
    "our treasury line is (212) 555-0147 ext. 12",
]
REGIONS = frozenset({"GB", "DE", "FR", "NL", "US"})


@pytest.mark.parametrize("text", WRITTEN)
def test_every_number_the_reading_finds_passes_the_cheap_test(text: str) -> None:
    found = phones_in(text, REGIONS)
    assert found, text
    for e164, _written in found:
        assert may_name(text, [national_digits(e164)]), (text, e164)


def test_a_text_without_those_digits_is_passed_over() -> None:
    assert national_digits("+442079460958") == "2079460958"
    assert not may_name("Invoice 2024-1187, order 55 0147, call +44 20 7946 0000", ["2079460958"])
    assert not may_name("no numbers at all", ["2079460958"])
    assert not may_name("+44 20 7946 0958", [])
