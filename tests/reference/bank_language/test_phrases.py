"""The sentence lists of every language file's tests, run the same way: requests are read
as requests (in that language), the rest is not, and the pressure cues are found.

Each ``test_<language>.py`` holds its language's lists (POSITIVE, NEGATIVE, URGENCY,
SECRECY) and its own cases (records, quoted replies); a new language is a new module here.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

import pytest

from caveat.reference.bank_language import language_cues

#: every test_<language>.py beside this one (a new language needs no edit here)
LANGUAGES = tuple(sorted(p.stem[5:] for p in Path(__file__).parent.glob("test_??.py")))
MODULES = {lang: import_module(f"{__package__}.test_{lang}") for lang in LANGUAGES}


def cases(name: str) -> list[tuple[str, str]]:
    return [(lang, text) for lang, m in MODULES.items() for text in getattr(m, name)]


@pytest.mark.parametrize(("lang", "text"), cases("POSITIVE"))
def test_asks_for_a_new_account(lang: str, text: str) -> None:
    cues = language_cues(text)
    assert cues.asks_change(), text
    assert lang in cues.languages


@pytest.mark.parametrize(("lang", "text"), cases("NEGATIVE"))
def test_no_request(lang: str, text: str) -> None:
    cues = language_cues(text)
    assert not cues.asks_change(), (text, cues.found("change"), cues.found("hold"))


@pytest.mark.parametrize(("lang", "text"), cases("URGENCY"))
def test_urgency(lang: str, text: str) -> None:
    assert language_cues(text).found("urgency"), text


@pytest.mark.parametrize(("lang", "text"), cases("SECRECY"))
def test_secrecy(lang: str, text: str) -> None:
    assert language_cues(text).found("secrecy"), text


def test_every_phrase_file_has_its_sentence_lists() -> None:
    from caveat.reference.bank_language import phrase_book

    assert set(phrase_book().languages) <= set(LANGUAGES)
