"""The phrase index remembers what each word means; what it answers from memory is what it
works out from a text's words in full: on the public corpus, on every fixture, when the
memory is full and starts afresh, and for words too long to remember."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import pytest

from caveat.mail.normalise import from_raw
from caveat.reference import bank_language
from caveat.reference.bank_language import (
    _Memo,
    _met,
    _WordIndex,
    phrase_book,
    sources,
    words_of,
)

from ..corpus import HAM, messages
from ..fixtures_runner import load_cases


@lru_cache(maxsize=1)
def _texts() -> tuple[str, ...]:
    out = [s.text for name in HAM for _, facts in messages(name) for s in sources(facts)]
    for case in load_cases():
        out += [s.text for s in sources(from_raw(case.path.read_bytes()))]
    return tuple(out)


def _indexes() -> list[tuple[str, _WordIndex]]:
    book = phrase_book()
    assert book.words is not None and book.asking is not None
    return [("every pattern", book.words), ("requests", book.asking)]


def _fresh(index: _WordIndex) -> _WordIndex:
    """The index with an empty memory of its own."""
    return replace(index, _memo=[_Memo()])


def _in_full(index: _WordIndex, words: frozenset[str]) -> tuple[set[int], int]:
    present = index.present(words)
    return index.candidates(present), _met(present, index.bits)


@pytest.mark.parametrize("which", [0, 1], ids=["every pattern", "requests"])
def test_remembered_answers_are_the_full_ones(which: int) -> None:
    _, shared = _indexes()[which]
    index = _fresh(shared)
    texts = _texts()
    assert len(texts) > 1000
    some = 0
    for text in texts + texts[::3]:  # the second time the words are remembered
        words = words_of(text)
        candidates, met = _in_full(index, words)
        assert index.candidates_of(words) == candidates
        assert index.met(words) == met
        some += bool(candidates)
    assert some > 20  # the comparison saw texts that some pattern can match


def test_a_full_memory_starts_afresh_and_stays_right(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bank_language, "_MEMO_WORDS", 300)
    index = _fresh(_indexes()[0][1])
    resets = 0
    texts = [t for t in _texts() if len(words_of(t)) < 250][:400]
    for text in texts:
        words = words_of(text)
        before = index._memo[0]
        candidates, met = _in_full(index, words)
        assert index.candidates_of(words) == candidates
        assert index.met(words) == met
        assert len(index._memo[0].bits) <= 300
        resets += index._memo[0] is not before
    assert resets > 5


def test_long_words_are_worked_out_not_remembered() -> None:
    index = _fresh(_indexes()[0][1])
    long = "x" * (bank_language._MEMO_WORD_LEN + 1)
    words = words_of(
        f"Please note our bank details have changed {long}. Kindly update your records."
    )
    assert long in words
    candidates, met = _in_full(index, words)
    assert candidates
    assert index.candidates_of(words) == candidates
    assert index.met(words) == met
    assert long not in index._memo[0].bits
    # A text of only remembered words is answered from memory again afterwards.
    assert index.candidates_of(words - {long}) == _in_full(index, words - {long})[0]
    assert long not in index._memo[0].bits


def test_stems_count_through_memory() -> None:
    """A word counts for the stems it starts with, remembered or not: the inflected
    forms of a stemmed phrase word trigger the same patterns."""
    index = _fresh(_indexes()[0][1])
    stems = [w for w in index.bits if w.endswith("*") and len(w) > 4]
    assert stems
    for stem in stems[:200]:
        word = stem[:-1] + "ungen"
        once = index.candidates_of({word}), index.met({word})
        again = index.candidates_of({word}), index.met({word})
        assert once == again == (_in_full(index, frozenset({word})))
        assert index.met({word}) & index.bits[stem] == index.bits[stem]
