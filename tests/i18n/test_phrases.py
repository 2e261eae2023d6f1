"""Words the checks write into a finding's fields ("sender", "a free-mail mailbox") and
Caveat's own evidence labels ("Look-alike") are worded in the reader's language; what the
message holds (addresses, names, header names) stays as written, and English stays as the
checks wrote it."""

from __future__ import annotations

import io
import re
from importlib import resources

import pytest
from babel.messages.pofile import read_po

from caveat.checks._common import _CLAIMED, YOUR_ORGANISATION
from caveat.checks.findings import Finding, Verdict
from caveat.checks.hits import LABELS, PHRASES, listed, words
from caveat.engine.catalogue import Catalogue, render
from caveat.engine.guard import GuardTexts
from caveat.engine.localise import Localiser
from caveat.i18n import DOMAIN, LANGUAGES, SOURCE, catalogue_path
from caveat.mail.bidi import FSI, PDI
from tests.fixtures_runner import analyse, load_cases

TRANSLATED = [lang for lang in LANGUAGES if lang != SOURCE]
CATALOGUE = Catalogue.load()
LOCALISER = Localiser(CATALOGUE, GuardTexts.load())
CASES = {c.name: c for c in load_cases()}


def _strings(lang: str) -> dict[str, tuple[str, ...]]:
    raw = resources.files("caveat.locale").joinpath(catalogue_path(lang)).read_bytes()
    cat = read_po(io.BytesIO(raw), locale=lang, domain=DOMAIN)
    return {
        m.context: m.string if isinstance(m.string, tuple) else (m.string,)
        for m in cat
        if m.id and m.context
    }


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_phrase_and_label_is_translated(lang: str) -> None:
    have = _strings(lang)
    wanted = [w.context for w in PHRASES.values()] + [f"evidence.{t}" for t in LABELS]
    untranslated = [c for c in wanted if not all(s.strip() for s in have.get(c, ("",)))]
    assert not untranslated, f"{lang}: {untranslated}"


def test_the_checks_declare_their_words() -> None:
    assert PHRASES["phrase.where.free_mail"].text == "a free-mail mailbox"
    assert PHRASES["phrase.where.sender"].text == "sender"
    assert {"Look-alike", "Known as", "Request", "Account", "Reported"} <= set(LABELS)
    # header names are never labels of Caveat's own
    assert not {"From", "Reply-To", "To", "Cc", "Subject", "Authentication-Results"} & set(LABELS)


def test_a_phrase_is_its_english_text() -> None:
    seen = words("test.seen", "one account", "{count} accounts")
    assert seen(count=1) == "one account"
    assert seen(count=3) == "3 accounts"
    domain = words("test.domain", "the domain {domain}")
    assert domain(domain="northwind.example") == "the domain northwind.example"
    assert listed(["A", "B", "C"]) == "A, B and C"
    assert listed(["finance", "HR"], "finance and HR") == "finance and HR"
    with pytest.raises(ValueError):
        words("test.domain", "another wording")


def _lookalike(lang: str) -> Finding:
    verdict = analyse(CASES["lookalike/capital-i-for-l.eml"])
    worded = LOCALISER.verdict(verdict, lang)
    return next(f for f in worded.findings if f.id == "LOOKALIKE_DOMAIN")


def test_english_lookalike_names_the_sender() -> None:
    f = _lookalike(SOURCE)
    assert f.explanation.startswith("The sender address uses northwind-metaIs.de,")
    assert [e.header for e in f.evidence] == ["From", "Look-alike"]


@pytest.mark.parametrize(
    ("lang", "sender", "label"),
    [
        ("de", "Absender", "Nachahmung"),
        ("ar", "المرسل", "نطاق شبيه"),
        ("ja", "送信者", "類似ドメイン"),
    ],
)
def test_a_lookalike_finding_speaks_the_readers_language(
    lang: str, sender: str, label: str
) -> None:
    english = _lookalike(SOURCE)
    f = _lookalike(lang)
    assert not re.search(r"\bsender\b", f.explanation)  # ("Absender" is German)
    assert sender in f.explanation
    # evidence: Caveat's label worded, the header name and every value as they were
    assert [e.header for e in f.evidence] == ["From", label]
    assert [e.value for e in f.evidence] == [e.value for e in english.evidence]


def _explained(fid: str, params: dict[str, object], lang: str) -> str:
    """A finding's explanation filled with ``params`` as the engine words it in English,
    worded again in ``lang``."""
    english = render(CATALOGUE.findings[fid].explanation, params)
    f = Finding(fid, "x", "caution", "", english, params=params)
    return LOCALISER.verdict(Verdict("caution", 1.0, None, (f,)), lang).findings[0].explanation


def test_inner_values_stay_as_written_and_isolated() -> None:
    where = PHRASES["phrase.where.domain"]
    params = {
        "address": "ceo@مثال.example",
        "name": "Anna Keller",
        "role": "CFO",
        "known_address": "anna@ours.example",
        "where": where(domain="مثال.example"),
    }
    explanation = _explained("EXECUTIVE_NAME_OUTSIDE", params, "de")
    assert "der Domain " + FSI + "مثال.example" + PDI in explanation
    assert "the domain" not in explanation


def test_phrases_inside_phrases_and_plurals() -> None:
    claimed = _CLAIMED["lookalike"](organisation=YOUR_ORGANISATION())
    on_file = PHRASES["phrase.on_file.accounts"](count=3)
    params = {
        "organisation": "Nordlicht GmbH",
        "claimed": claimed,
        "accounts": "DE89 …3000",
        "on_file": on_file,
    }
    en = _explained("BANK_DETAILS_CHANGED", params, SOURCE)
    assert "from a domain imitating your organisation." in en
    assert "which has 3 accounts on file" in en
    de = _explained("BANK_DETAILS_CHANGED", params, "de")
    assert "einer Domain, die der von Ihrer Organisation nachempfunden ist" in de
    assert "3 Konten" in de
    pl = _explained("BANK_DETAILS_CHANGED", params, "pl")
    assert "3 konta" in pl


@pytest.mark.parametrize(
    ("lang", "joined"),
    [
        ("en", "executive support and finance"),
        ("de", "Assistenz der Geschäftsleitung und Finanzen"),
        ("zh", "高管助理和财务"),
    ],
)
def test_lists_are_joined_by_the_languages_rules(lang: str, joined: str) -> None:
    groups = [PHRASES["phrase.group.executive_support"](), PHRASES["phrase.group.finance"]()]
    params = {"groups": listed(groups, " and ".join(groups))}
    explanation = _explained("SENSITIVE_RECIPIENT", params, lang)
    assert joined in explanation
    assert " and " not in explanation or lang == SOURCE
