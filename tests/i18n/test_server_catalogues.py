"""The translations of what users read from the service: complete, in step with the
English texts, with the same placeholders, and short enough for Outlook's banners."""

from __future__ import annotations

import io
from importlib import resources

import pytest
from babel.messages.pofile import read_po

from caveat.engine.catalogue import BANNER_MAX, Catalogue, banner_length, render
from caveat.engine.guard import GuardTexts
from caveat.engine.localise import messages
from caveat.i18n import DOMAIN, LANGUAGES, SOURCE, catalogue_path, placeholders

TRANSLATED = [lang for lang in LANGUAGES if lang != SOURCE]
MESSAGES = messages(Catalogue.load(), GuardTexts.load())
BY_KEY = {(m.context, m.text): m for m in MESSAGES}

# Values as long as real ones often are, for the banners' 150 characters once filled.
SAMPLE = {
    "name": "Katarzyna Wiśniewska",
    "organization": "Nordlicht Logistik GmbH",
    "organisation": "Nordlicht Logistik GmbH",
    "domain": "nordlicht-logistik.de",
    "candidate": "nordIicht-logistik.de",
    "address": "k.wisniewska@nordIicht-logistik.de",
    "from_address": "k.wisniewska@nordIicht-logistik.de",
    "from_domain": "nordIicht-logistik.de",
    "what": "DE89 3704 0044 0532 0130 00",
    "number": "+49 30 1234567",
    "count": "2",
}


def _catalogue(lang: str):  # type: ignore[no-untyped-def]
    raw = resources.files("caveat.locale").joinpath(catalogue_path(lang)).read_bytes()
    return read_po(io.BytesIO(raw), locale=lang, domain=DOMAIN)


def _entries(lang: str) -> dict[tuple[str, str], object]:
    cat = _catalogue(lang)
    return {(m.context, m.id[0] if isinstance(m.id, tuple) else m.id): m for m in cat if m.id}


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_is_there_and_none_is_left_over(lang: str) -> None:
    have = _entries(lang)
    missing = sorted(f"{c}: {t[:50]!r}" for c, t in set(BY_KEY) - set(have))
    unused = sorted(f"{c}: {t[:50]!r}" for c, t in set(have) - set(BY_KEY))
    assert not missing, f"{lang}: messages missing (run python -m caveat.engine.translations)"
    assert not unused, f"{lang}: messages no longer used: {unused}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_is_translated_with_the_same_placeholders(lang: str) -> None:
    cat = _catalogue(lang)
    nplurals = cat.num_plurals
    problems = []
    for m in cat:
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strs = m.string if isinstance(m.string, tuple) else (m.string,)
        where = f"{lang} {m.context}"
        if m.fuzzy:
            problems.append(f"{where}: fuzzy")
        if isinstance(m.id, tuple):
            if len(strs) != nplurals:
                problems.append(f"{where}: {len(strs)} plural forms, the language has {nplurals}")
        for s in strs:
            if not s or not s.strip():
                problems.append(f"{where}: not translated")
                continue
            # every form uses the fields of the English (either English form: "one" may
            # name the count where "other" does not)
            allowed = set().union(*(placeholders(i) for i in ids))
            needed = set(placeholders(ids[-1]))
            got = set(placeholders(s))
            if not got <= allowed or not (needed - {"count"}) <= got:
                problems.append(f"{where}: placeholders {sorted(got)}, English {sorted(needed)}")
            if "{{" in s or "}}" in s or s.count("{") != s.count("}"):
                problems.append(f"{where}: unbalanced braces")
    assert not problems, "\n".join(problems[:40])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_banners_fit_in_outlooks_150_characters(lang: str) -> None:
    """Level texts always fit; a finding's or the guard's banner fits once filled with
    values as long as real ones (longer ones fall back to the level's text, which fits)."""
    entries = _entries(lang) if lang != SOURCE else {}

    def word(m) -> list[str]:  # type: ignore[no-untyped-def]
        if lang == SOURCE:
            return [m.text]
        e = entries[(m.context, m.text)]
        return list(e.string) if isinstance(e.string, tuple) else [e.string]  # type: ignore[attr-defined]

    too_long = []
    for m in MESSAGES:
        kind = m.context.rsplit(".", 1)[-1]
        is_banner = m.context.endswith(".banner") or m.context.startswith("guard.banner.")
        for text in word(m):
            if m.context.startswith(("level.", "guard.level.")):
                limit = 80 if kind == "title" else BANNER_MAX
                if banner_length(text) > limit:
                    too_long.append(f"{m.context}: {banner_length(text)} > {limit}: {text}")
            elif is_banner:
                filled = render(text, SAMPLE)
                if banner_length(filled) > BANNER_MAX:
                    too_long.append(f"{m.context}: {banner_length(filled)} filled: {filled}")
    assert not too_long, f"{lang}:\n" + "\n".join(too_long)
