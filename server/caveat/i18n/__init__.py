"""The languages Caveat speaks to its users, and its translations of what they read.

The wording lives in gettext catalogues, one per language, under ``caveat/locale``:
``<lang>/LC_MESSAGES/caveat.po``, written by translators and read here at start (no
compiled ``.mo`` is kept: the ``.po`` is the source, compiled in memory by Babel). English
is the source language: its text is the message id itself, so English needs no catalogue.

Every message has a context naming where it is used ("finding.AUTH_DMARC_FAIL.title"); an
English text changed in the catalogue is a new message until it is translated again, so
an outdated translation is never shown (the test of the catalogues fails instead).

Plural rules are CLDR's, from Babel: a Polish or Arabic sentence about "2" and "5" people
takes different forms, which English's two texts ("one" and "other") do not tell apart.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

#: The source language: its text is the message id.
SOURCE = "en"
#: Every language Caveat speaks, in the order of the product's detection languages.
LANGUAGES: tuple[str, ...] = (
    "en", "de", "fr", "es", "it", "nl", "pt", "pl", "cs", "sv", "tr", "ja", "zh", "ar",
)
#: The gettext domain of the server's catalogues.
DOMAIN = "caveat"

# A language tag as clients send it: "de", "de-CH", "pt_BR", "zh-Hans-CN"; Accept-Language
# adds ";q=0.8" weights. Only the primary subtag decides (one catalogue per language).
_TAG = re.compile(r"^\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*\s*$")


def language_of(tag: object) -> str | None:
    """The supported language a tag names ("de-AT" -> "de"), or None."""
    if not isinstance(tag, str) or len(tag) > 64:
        return None
    m = _TAG.match(tag)
    if not m:
        return None
    primary = m.group(1).lower()
    return primary if primary in LANGUAGES else None


def negotiate(requested: object = None, accept_language: str | None = None) -> str:
    """The language to answer in: the one the client asked for by name when Caveat speaks
    it, else the first of the Accept-Language header's (by weight) that it speaks, else
    English."""
    chosen = language_of(requested)
    if chosen:
        return chosen
    if accept_language and len(accept_language) <= 1024:
        ranked: list[tuple[float, int, str]] = []
        for i, item in enumerate(accept_language.split(",")[:32]):
            tag, _, params = item.partition(";")
            weight = 1.0
            m = re.search(r"q\s*=\s*([0-9.]{1,5})", params)
            if m:
                try:
                    weight = float(m.group(1))
                except ValueError:
                    continue
            lang = language_of(tag)
            if lang and weight > 0:
                ranked.append((-weight, i, lang))
        if ranked:
            return min(ranked)[2]
    return SOURCE


@dataclass(frozen=True, slots=True)
class Message:
    """One translatable text: where it is used, its English text, and its English plural
    (the text for any count but one) when it has one."""

    context: str
    text: str
    plural: str = ""


class Translator:
    """What one language says for the English texts; English itself returns them."""

    def __init__(self, language: str, translations: NullTranslations) -> None:
        self.language = language
        self._t = translations

    def text(self, context: str, text: str) -> str:
        return self._t.pgettext(context, text)

    def plural(self, context: str, one: str, other: str, count: int) -> str:
        return self._t.npgettext(context, one, other, count)


def catalogue_path(language: str) -> str:
    return f"{language}/LC_MESSAGES/{DOMAIN}.po"


def read_catalogue(language: str):  # type: ignore[no-untyped-def]
    """The Babel catalogue of a language as its .po file holds it."""
    text = resources.files("caveat.locale").joinpath(catalogue_path(language)).read_bytes()
    return read_po(io.BytesIO(text), locale=language, domain=DOMAIN)


@cache
def translator(language: str) -> Translator:
    """The translator for a supported language (English: the texts as they are)."""
    if language not in LANGUAGES:
        raise ValueError(f"unsupported language {language!r}")
    if language == SOURCE:
        return Translator(SOURCE, NullTranslations())
    buf = io.BytesIO()
    write_mo(buf, read_catalogue(language))  # fuzzy entries are left out
    buf.seek(0)
    return Translator(language, Translations(fp=buf, domain=DOMAIN))


def placeholders(text: str) -> list[str]:
    """The ``{name}`` fields of a template, sorted (a translation must use the same)."""
    return sorted(re.findall(r"\{([A-Za-z_][A-Za-z0-9_]*)\}", text))


def all_translators() -> Iterable[Translator]:
    return (translator(lang) for lang in LANGUAGES)
