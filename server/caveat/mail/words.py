"""Words of Caveat's own inside what it tells the reader, worded again in the reader's
language: a check's words in a finding's field ("a free-mail mailbox", "colleague"), what a
look-alike domain changed ("the letter 'l' is replaced by the letter 'I'"), the note that a
message was read in part ("body text cut to 1000000 of 2500000 bytes").

Those words are :class:`Phrase` values, made by :class:`Words` declared where they are
used: English text like any other value, which also knows its gettext context and its
inner values, so that :mod:`caveat.engine.localise` words it again in the reader's
language. A :class:`Listed` value is a list the reader's language joins ("A, B and C").
Evidence labels of Caveat's own ("Known as", "Request"), unlike header names, are declared
with :func:`label` and worded again the same way.

The module sits low (beside the mail it reads) so that every layer that writes words, the
reference data and the mail reader as well as the checks, can declare them.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .bidi import Isolated, isolate

_FORMATTER = string.Formatter()

#: every phrase Caveat can put in what the reader reads, by gettext context
#: ("phrase.where.free_mail")
PHRASES: dict[str, Words] = {}
#: every evidence label of Caveat's own (not a header name), in declaration order
LABELS: dict[str, None] = {}


def fill(template: str, values: Mapping[str, Any]) -> Isolated:
    """``template`` with its ``{name}`` fields filled, each value a bidi isolate (as
    :func:`caveat.engine.catalogue.render` fills a finding's); a missing one is ``?``."""
    out: list[str] = []
    for literal, name, _, _ in _FORMATTER.parse(template):
        out.append(literal)
        if name is not None:
            out.append(isolate(values[name]) if name in values else "?")
    return Isolated("".join(out))


class Phrase(Isolated):
    """Words Caveat put in what the reader reads: the English text (what the string is),
    the :class:`Words` it was made from, the count its plural form was chosen by
    (``number``: ``count`` is str's own method) and its inner values."""

    words: Words
    number: int | None
    values: Mapping[str, Any]


class Listed(Isolated):
    """A list of values in a finding's field: English joins them with "and" (or as the
    check wrote it); another language joins ``items`` as its own rules say."""

    items: tuple[Any, ...]


def listed(items: Sequence[Any], english: str | None = None) -> Listed:
    """``A``, ``A and B``, ``A, B and C`` (or ``english``), each item a bidi isolate."""
    parts = [isolate(i) for i in items]
    if english is None:
        english = (
            (parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1])
            if parts
            else ""
        )
    out = Listed(english)
    out.items = tuple(items)
    return out


@dataclass(frozen=True, slots=True)
class Words:
    """A translatable phrase with gettext context ``phrase.<key>``: ``text`` (and
    ``plural`` for a count other than one) with ``{name}`` fields for inner values.
    Declared once, at import, so that the translations can list every phrase."""

    context: str
    text: str
    plural: str = ""

    def __call__(self, count: int | None = None, **values: Any) -> Phrase:
        if self.plural and count is None:
            raise TypeError(f"{self.context} needs a count")
        if count is not None:
            values = {"count": count, **values}
        template = self.plural if self.plural and count != 1 else self.text
        out = Phrase(fill(template, values))
        out.words, out.number, out.values = self, count, values
        return out


def words(key: str, text: str, plural: str = "") -> Words:
    """Declare (and register) a phrase ``phrase.<key>``; the same key twice must say the
    same words."""
    w = Words(f"phrase.{key}", text, plural)
    known = PHRASES.setdefault(w.context, w)
    if known != w:
        raise ValueError(f"{w.context} declared twice with different words")
    return known


def label(text: str) -> str:
    """Declare (and register) an evidence label of Caveat's own, worded in the reader's
    language with context ``evidence.<text>`` (a header name is never declared)."""
    LABELS.setdefault(text, None)
    return text
