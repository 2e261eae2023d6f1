"""What the user reads, in the user's language: the catalogue's and the guard's texts as
gettext messages (:func:`messages`, the list the translations must cover), and a verdict
worded again in another language (:class:`Localiser`).

The engine words every finding in English, the source language, and keeps the values it
filled in (``Finding.params``); a verdict is worded again only when it is sent, so the
checks, the scores and the memory never see a language. Wording again changes texts only:
the level, the findings and their evidence stay as they are.

Contexts name where a text is used:

  level.<level>.title / .text           the banner of an arriving message
  finding.<ID>.title / .explanation     a finding (a plural entry where the catalogue has
                                        a wording for exactly one: title_one and title)
  finding.<ID>.banner                   a finding's own banner text
  guard.level.<level>.title / .text     the send-time guard's banner
  guard.banner.<ID>                     the guard's banner naming a recipient
  phrase.<key>                          words a check put in a finding's field
                                        (:class:`caveat.checks.hits.Phrase`)
  evidence.<label>                      an evidence label of Caveat's own ("Known as");
                                        header names (From, Reply-To) are never worded

A field's value is worded too when a check made it of words of its own (a ``Phrase``,
its inner values worded in turn) or of a list (``Listed``, joined by the language's rules,
Babel's :func:`babel.lists.format_list`); what the message holds stays as written.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import replace
from importlib import resources
from typing import Any

from babel.lists import format_list

from caveat.checks.findings import Banner, Evidence, Finding, Verdict
from caveat.i18n import SOURCE, Message, Translator, translator
from caveat.mail import normalise as _normalise  # noqa: F401  (its phrases: a cut message)
from caveat.mail.bidi import Isolated, isolate
from caveat.mail.words import LABELS, PHRASES, Listed, Phrase, fill
from caveat.reference import lookalike as _lookalike  # noqa: F401  (a look-alike's detail)

from .catalogue import BANNER_MAX, Catalogue, Entry, Level, banner_length, render
from .guard import GuardTexts, GuardVerdict, guard_banner


def messages(catalogue: Catalogue, texts: GuardTexts) -> list[Message]:
    """Every text a user can read from the catalogue and the guard, in file order."""
    out: list[Message] = []
    for name, lv in catalogue.levels.items():
        out.append(Message(f"level.{name}.title", lv.title))
        out.append(Message(f"level.{name}.text", lv.text))
        if lv.repeat:
            out.append(Message(f"level.{name}.repeat", lv.repeat_one, lv.repeat))
    for e in catalogue.entries():
        out.append(_worded(f"finding.{e.id}.title", e.title_one, e.title))
        out.append(_worded(f"finding.{e.id}.explanation", e.explanation_one, e.explanation))
        if e.banner:
            out.append(Message(f"finding.{e.id}.banner", e.banner))
    for name, gl in texts.levels.items():
        out.append(Message(f"guard.level.{name}.title", gl.title))
        out.append(Message(f"guard.level.{name}.text", gl.text))
    for fid, template in texts.banners.items():
        out.append(Message(f"guard.banner.{fid}", template))
    # (importing caveat.checks imported every check: their phrases and labels are declared)
    for w in PHRASES.values():
        out.append(Message(w.context, w.text, w.plural))
    for text in LABELS:
        out.append(Message(f"evidence.{text}", text))
    # the service's notices of gaps in its configuration (caveat.service.notices)
    notices = tomllib.loads(resources.files("caveat.data").joinpath("notices.toml").read_text())
    for code, variants in notices.items():
        if isinstance(variants, dict):
            for variant, text in variants.items():
                out.append(Message(f"notice.{code}.{variant}", text))
    return out


def _value(value: Any, t: Translator) -> Any:
    """A field's value in the translator's language: a check's phrase worded (its inner
    values too), a list joined by the language's rules; anything else as it is."""
    if isinstance(value, Phrase):
        w = value.words
        if w.plural:
            template = t.plural(w.context, w.text, w.plural, value.number or 0)
        else:
            template = t.text(w.context, w.text)
        return fill(template, {k: _value(v, t) for k, v in value.values.items()})
    if isinstance(value, Listed):
        items = [isolate(_value(i, t)) for i in value.items]
        return Isolated(format_list(items, locale=t.language)) if items else value
    return value


def worded(value: Any, language: str) -> Any:
    """A value in ``language`` as a finding's field is worded (:func:`_value`): a phrase
    of Caveat's own, such as a note that the message was read in part, in the reader's
    words; English and anything else as it is."""
    if language == SOURCE or not isinstance(value, (Phrase, Listed)):
        return value
    return _value(value, translator(language))


def _evidence(e: Evidence, t: Translator) -> Evidence:
    """Caveat's own label worded (a header name never), and a value that is Caveat's own
    words ("(absent)"); a value quoted from the message stays as written."""
    if e.header in LABELS:
        e = replace(e, header=t.text(f"evidence.{e.header}", e.header))
    if isinstance(e.value, (Phrase, Listed)):
        e = replace(e, value=str(_value(e.value, t)))
    return e


def _worded(context: str, one: str, other: str) -> Message:
    return Message(context, one, other) if one else Message(context, other)


def _count(params: Mapping[str, Any]) -> int:
    """The count a plural form is chosen by; a finding without one speaks of several."""
    count = params.get("count")
    if isinstance(count, bool):
        return 2
    if isinstance(count, int):
        return count
    try:
        return int(str(count))
    except ValueError:
        return 2


def _repeat(level: Level, n: int, english: str, t: Translator) -> str:
    """The summary of a warning said before, worded; "" when the English banner was not
    the summary (it did not fit) or the worded one does not fit."""
    if render(level.repeat_one if n == 1 else level.repeat, {"count": n}) != english:
        return ""
    worded = t.plural(f"level.{level.name}.repeat", level.repeat_one, level.repeat, n)
    filled = render(worded, {"count": n})
    return filled if banner_length(filled) <= BANNER_MAX else ""


class Localiser:
    """Words verdicts in a supported language."""

    def __init__(self, catalogue: Catalogue, texts: GuardTexts) -> None:
        self.catalogue = catalogue
        self.texts = texts
        self._entries: dict[str, Entry] = {e.id: e for e in catalogue.entries()}

    # ------------------------------------------------------------- arriving messages

    def verdict(self, verdict: Verdict, language: str) -> Verdict:
        if language == SOURCE:
            return verdict
        t = translator(language)
        findings = tuple(self._finding(f, t) for f in verdict.findings)
        banner = verdict.banner
        if banner is not None and verdict.level in self.catalogue.levels:
            level = self.catalogue.levels[verdict.level]
            title = t.text(f"level.{verdict.level}.title", level.title)
            text = t.text(f"level.{verdict.level}.text", level.text)
            # the finding whose banner spoke for the message speaks again, when it fits
            for english, worded in zip(verdict.findings, findings, strict=True):
                if english.banner and english.banner == banner.text and worded.banner:
                    text = worded.banner
                    break
            if verdict.repeat is not None and level.repeat:
                text = _repeat(level, verdict.repeat.count, banner.text, t) or text
            banner = Banner(title, text)
        return replace(verdict, findings=findings, banner=banner)

    def _finding(self, f: Finding, t: Translator) -> Finding:
        entry = self._entries.get(f.id)
        if entry is None or f.params is None:
            return replace(f, evidence=tuple(_evidence(e, t) for e in f.evidence))
        n = _count(f.params)
        params = {k: _value(v, t) for k, v in f.params.items()}

        def word(kind: str, one: str, other: str) -> str:
            ctx = f"finding.{f.id}.{kind}"
            return t.plural(ctx, one, other, n) if one else t.text(ctx, other)

        title = word("title", entry.title_one, entry.title)
        explanation = word("explanation", entry.explanation_one, entry.explanation)
        banner = ""
        if entry.banner and f.banner:
            filled = render(t.text(f"finding.{f.id}.banner", entry.banner), params)
            banner = filled if banner_length(filled) <= BANNER_MAX else ""
        return replace(
            f,
            title=render(title, params),
            explanation=render(explanation, params),
            banner=banner,
            evidence=tuple(_evidence(e, t) for e in f.evidence),
        )

    # ------------------------------------------------------------- the send-time guard

    def guard(self, gv: GuardVerdict, language: str) -> GuardVerdict:
        if language == SOURCE:
            return gv
        t = translator(language)
        verdict = self.verdict(gv.verdict, language)
        banner = None
        if gv.verdict.banner is not None and gv.level in self.texts.levels:
            level = self.texts.levels[gv.level]
            title = t.text(f"guard.level.{gv.level}.title", level.title)
            text = t.text(f"guard.level.{gv.level}.text", level.text)
            if gv.banner_source is not None:
                fid, address, domain = gv.banner_source
                template = self.texts.banners.get(fid)
                if template:
                    worded = t.text(f"guard.banner.{fid}", template)
                    text = guard_banner(worded, address, domain) or text
            banner = Banner(title, text)
        return replace(gv, verdict=replace(verdict, banner=banner))
