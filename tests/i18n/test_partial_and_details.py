"""Caveat's own words about a message read in part (the answer's ``partial``) and about
what a look-alike domain changed (a finding's ``{detail}``) are worded in the reader's
language, the numbers, characters and domains they name as they are; English stays as it
was written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from caveat.engine.catalogue import Catalogue
from caveat.engine.guard import GuardTexts
from caveat.engine.localise import Localiser, worded
from caveat.i18n import LANGUAGES, SOURCE
from caveat.mail.words import PHRASES, Phrase
from caveat.reference.lookalike import (
    _added_detail,
    _confusable_detail,
    _edit_phrase,
    _Entry,
    _hyphen_detail,
)
from caveat.web.app import create_app
from tests.fixtures_runner import analyse, load_cases

TRANSLATED = [lang for lang in LANGUAGES if lang != SOURCE]
LOCALISER = Localiser(Catalogue.load(), GuardTexts.load())
CASES = {c.name: c for c in load_cases()}
LONG = "From: a@b.example\r\nTo: c@d.example\r\nSubject: long\r\n\r\n" + "x" * 5000 + "\r\n"


@pytest.fixture
def client(caveat_env: Path) -> FlaskClient:
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": "sqlite://",
            "MAX_BODY_BYTES": 1000,
            "RATE_LIMIT_PER_KEY": "off",
            "RATE_LIMIT_PER_ADDRESS": "off",
            "RATE_LIMIT_AUTH_FAILURES": "off",
        }
    )
    client = app.test_client()
    _, key = app.extensions["caveat"].store.create_key("tests")
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    return client


def _partial(client: FlaskClient, language: str | None) -> list[str]:
    body = {"raw": LONG, **({"language": language} if language else {})}
    rv = client.post("/api/v1/analyze", json=body)
    assert rv.status_code == 200, rv.get_json()
    partial: list[str] = rv.get_json()["partial"]
    return partial


def test_a_message_read_in_part_says_so_in_german(client: FlaskClient) -> None:
    assert _partial(client, None) == ["body text cut to 1000 of 5002 bytes"]
    assert _partial(client, "de") == ["Nachrichtentext auf 1000 von 5002 Bytes gekürzt"]


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_cut_is_worded_with_its_numbers(lang: str) -> None:
    for context, w in PHRASES.items():
        if not context.startswith("phrase.cut."):
            continue
        values = {"most": 50, "count": 70, "limit": 1000, "size": 2345}
        english = w(**{k: v for k, v in values.items() if "{" + k + "}" in w.text})
        said = worded(english, lang)
        assert said != english, context
        for name in re.findall(r"{(\w+)}", w.text):
            assert str(values[name]) in said, (lang, context)


def _lookalike(lang: str) -> str:
    verdict = analyse(CASES["lookalike/capital-i-for-l.eml"])
    worded_verdict = LOCALISER.verdict(verdict, lang)
    f = next(f for f in worded_verdict.findings if f.id == "LOOKALIKE_DOMAIN")
    return f.explanation


def test_the_detail_of_a_lookalike_in_french() -> None:
    english = _lookalike(SOURCE)
    assert "the letter 'l' is replaced by the letter 'I'" in english
    french = _lookalike("fr")
    assert "replaced by" not in french
    assert "la lettre 'I' remplace la lettre 'l'" in french


def _entry(domain: str) -> _Entry:
    return _Entry(domain, "Partner", domain.partition(".")[0], 0)


#: one detail of each kind, English as the index writes it
DETAILS: list[tuple[str, str]] = [
    (_confusable_detail("paypa1", "paypal"), "the letter 'l' is replaced by the digit '1'"),
    (
        _confusable_detail("раураl", "paypal"),
        "the letter 'p' is replaced by the Cyrillic letter 'р' twice and the letter 'a' is "
        "replaced by the Cyrillic letter 'а' twice, and 1 more look-alike characters are used",
    ),
    (_hyphen_detail("north-wind", "northwind"), "a hyphen is added between 'north' and 'wind'"),
    (_edit_phrase("nortwind", "northwind") or Phrase(), "the letter 'h' after 'nort' is missing"),
    (_edit_phrase("nrothwind", "northwind") or Phrase(), "the letters 'o' and 'r' are swapped"),
    (_edit_phrase("northwindd", "northwind") or Phrase(), "the letter 'd' is doubled"),
    (
        _added_detail(["secure", "pay"], _entry("northwind.de"), "northwind", "northwind", 0),
        "the word 'secure' and the word 'pay' are added",
    ),
]


def test_english_details_are_as_they_were() -> None:
    for phrase, english in DETAILS:
        assert phrase == english


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_detail_is_worded(lang: str) -> None:
    for phrase, english in DETAILS:
        said = worded(phrase, lang)
        assert said != english
        assert "?" not in said  # every inner value found its field
        assert not re.search(r"\b(replaced|added|missing|swapped|doubled)\b", said)
