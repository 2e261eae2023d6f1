"""freemail_impersonation, DISPLAY_NAME_CONTROLS: a sender's name that hides characters.

A display name is shown first and read as written. Characters that draw nothing change
what it says without showing: a RIGHT-TO-LEFT OVERRIDE (U+202E) turns the rest of the line
around, so ``"Anna Keller\\u202e" <moc.evil@...>`` can make a foreign address read like a
known one; a zero-width space or a soft hyphen inside "Anna\\u200bKeller" makes the name
another string for every filter that compares names, while the reader sees the same one.
Caveat's own comparisons fold such characters away (:func:`caveat.mail.names.name_keys`);
this check says that they were there. It is its own module because it reads the name's
characters, not who the name belongs to; its family is the display-name family.

  DISPLAY_NAME_CONTROLS  the From or Reply-To display name holds a direction override, or
                         an invisible character (:func:`caveat.mail.names.is_invisible`,
                         the list name folding uses) where the name's own writing has no
                         use for it.

Named exclusions (quiet), for the characters that real names do carry:
  * right_to_left_name: direction marks (LRM, RLM, ALM), embeddings and isolates in a name
    that has right-to-left letters: Arabic, Hebrew and Persian names use them to keep
    punctuation and Latin parts in place. An override is never excused;
  * joining_script: a zero-width joiner or non-joiner beside a letter of a script that
    joins (Persian "می‌خواهم", Arabic, the Indic scripts: all but Latin, Greek and
    Cyrillic, the scripts a name passes for), or a joiner between emoji ("👩‍💻");
  * emoji_presentation: a variation selector after a symbol or emoji ("❤️"), a keycap
    ("1️⃣") or an ideograph (CJK ideographic variants); tag characters that spell a
    subdivision flag ("🏴󠁧󠁢󠁳󠁣󠁴󠁿");
  * edge_mark: a direction mark (LRM, RLM, ALM) at either end of a name, where mail
    software in right-to-left locales puts them around a name in Latin letters; a mark
    moves only the punctuation next to it, never a letter, and at the ends it splits no
    word;
  * byte_order_mark: a ZERO WIDTH NO-BREAK SPACE (U+FEFF) as the very first character,
    where software that writes a byte-order mark puts it;
  * not_hidden: private-use and unassigned code points draw a glyph (a logo, an emoji
    newer than this Python's Unicode data) or a box; they hide nothing.
"""

from __future__ import annotations

import unicodedata

from caveat.knowledge.context import Context
from caveat.mail.bidi import explicit, isolate, mark, override, right_to_left, visible
from caveat.mail.facts import Address, Facts
from caveat.mail.names import is_invisible

from .hits import Hit, check, ev, label

_AS_WRITTEN = label("Name as written")
_HIDDEN = label("Hidden characters")

_JOINERS = frozenset("\u200c\u200d")  # ZERO WIDTH NON-JOINER, ZERO WIDTH JOINER
_ZWJ = "\u200d"
_BOM = "\ufeff"
_KEYCAP = "\u20e3"  # COMBINING ENCLOSING KEYCAP
_BLACK_FLAG = "\U0001f3f4"  # the base of the subdivision flags' tag sequences
_CANCEL_TAG = "\U000e007f"
#: Letters of the scripts a name passes for: a joiner or a selector among them has no use.
_IMITATED = ("LATIN ", "GREEK ", "CYRILLIC ")
#: Most characters named in the evidence; the rest are counted.
_MAX_NAMED = 8


@check("freemail_impersonation", emits=["DISPLAY_NAME_CONTROLS"])
def display_name_controls(facts: Facts, ctx: Context) -> list[Hit]:
    found: list[tuple[str, Address, list[int]]] = []
    seen: set[tuple[str, str]] = set()
    for header, a in [("From", x) for x in facts.from_] + [("Reply-To", x) for x in facts.reply_to]:
        if not a.name or (header, a.name) in seen:
            continue
        seen.add((header, a.name))
        hidden = hidden_characters(a.name)
        if hidden:
            found.append((header, a, hidden))
    if not found:
        return []
    evidence = []
    for header, a, hidden in found:
        evidence.append(ev(header, a.display()))
        evidence.append(ev(_AS_WRITTEN, isolate(visible(a.name, hidden))))
        evidence.append(ev(_HIDDEN, _listed([a.name[i] for i in hidden])))
    header, a, hidden = found[0]
    return [
        Hit(
            "DISPLAY_NAME_CONTROLS",
            tuple(evidence),
            {"where": header, "address": a.shown, "what": _described(a.name, hidden)},
        )
    ]


def hidden_characters(name: str) -> list[int]:
    """The positions in ``name`` of the characters this check reports: overrides always,
    other invisible characters unless one of the named exclusions gives them a use."""
    if name.isascii() and name.isprintable():
        return []
    rtl = any(right_to_left(c) for c in name)
    out = []
    for i, c in enumerate(name):
        if not is_invisible(c) or unicodedata.category(c) in ("Co", "Cn", "Cs"):
            continue  # not_hidden
        if override(c):
            out.append(i)
        elif explicit(c) or mark(c):
            # right_to_left_name excuses them in such a name; edge_mark a mark at either end
            if not rtl and not (mark(c) and _at_edge(name, i)):
                out.append(i)
        elif c in _JOINERS:
            if not _joins(name, i):
                out.append(i)
        elif _selector(c):
            if not _presents(name, i):
                out.append(i)
        elif _tag(c):
            if not _flag(name, i):
                out.append(i)
        elif not (c == _BOM and i == 0):
            out.append(i)
    return out


def _at_edge(name: str, i: int) -> bool:
    """edge_mark: only marks (and a leading byte-order mark) stand between ``i`` and one
    end of the name."""
    return all(mark(c) or c == _BOM for c in name[:i]) or all(mark(c) for c in name[i + 1 :])


def _base_before(name: str, i: int) -> str:
    """The character a joiner or selector at ``i`` follows, past selectors, combining marks
    and emoji skin-tone modifiers (which sit on it)."""
    j = i - 1
    while j >= 0 and _sits_on(name[j]):
        j -= 1
    return name[j] if j >= 0 else ""


def _sits_on(c: str) -> bool:
    """A selector, a combining mark or a skin-tone modifier: part of the character before."""
    return _selector(c) or bool(unicodedata.combining(c)) or unicodedata.category(c) == "Sk"


def _imitated_letter(c: str) -> bool:
    """A letter (or digit) of the scripts a name passes for, or nothing at all."""
    if not c:
        return True
    if c.isdigit() and c.isascii():
        return True
    return c.isalpha() and unicodedata.name(c, "").startswith(_IMITATED)


def _joining_letter(c: str) -> bool:
    """A letter or vowel sign of a script that uses joiners: any but Latin, Greek and
    Cyrillic (a generic combining accent is no script's own)."""
    if not c or _imitated_letter(c):
        return False
    if c.isalpha():
        return True
    return unicodedata.category(c) in ("Mn", "Mc") and not unicodedata.name(c, "").startswith(
        "COMBINING "
    )


def _symbol(c: str) -> bool:
    return bool(c) and unicodedata.category(c).startswith("S")


def _joins(name: str, i: int) -> bool:
    """joining_script: the joiner at ``i`` sits by a letter of a joining script, or (a ZWJ)
    between emoji."""
    before = _base_before(name, i)
    after = name[i + 1] if i + 1 < len(name) else ""
    if _joining_letter(before) or _joining_letter(after):
        return True
    return name[i] == _ZWJ and _symbol(before) and _symbol(after)


def _selector(c: str) -> bool:
    o = ord(c)
    return 0xFE00 <= o <= 0xFE0F or 0xE0100 <= o <= 0xE01EF


def _presents(name: str, i: int) -> bool:
    """emoji_presentation: a variation selector on a symbol, on a keycap's digit, or on an
    ideograph or another letter of a script a name does not pass for."""
    base = name[i - 1] if i else ""
    if _symbol(base):
        return True
    if base and base in "0123456789#*" and name[i + 1 : i + 2] == _KEYCAP:
        return True
    return bool(base) and base.isalpha() and not _imitated_letter(base)


def _tag(c: str) -> bool:
    return 0xE0000 <= ord(c) <= 0xE007F


def _flag(name: str, i: int) -> bool:
    """emoji_presentation: the tag run around ``i`` follows a black flag and ends with a
    CANCEL TAG (a subdivision flag: England, Scotland, Wales)."""
    start = i
    while start > 0 and _tag(name[start - 1]):
        start -= 1
    end = i
    while end + 1 < len(name) and _tag(name[end + 1]):
        end += 1
    return start > 0 and name[start - 1] == _BLACK_FLAG and name[end] == _CANCEL_TAG


def _char_name(c: str) -> str:
    return unicodedata.name(c, "") or f"control character {ord(c):#04x}"


def _listed(chars: list[str]) -> str:
    """``U+202E RIGHT-TO-LEFT OVERRIDE, U+200B ZERO WIDTH SPACE (2 times)``."""
    counts: dict[str, int] = {}
    for c in chars:
        counts[c] = counts.get(c, 0) + 1
    parts = []
    for c, n in list(counts.items())[:_MAX_NAMED]:
        times = f" ({n} times)" if n > 1 else ""
        parts.append(f"U+{ord(c):04X} {_char_name(c)}{times}")
    rest = len(counts) - _MAX_NAMED
    if rest > 0:
        parts.append(f"and {rest} other{'s' if rest > 1 else ''}")
    return ", ".join(parts)


def _described(name: str, hidden: list[int]) -> str:
    """What was hidden, in words: "a right-to-left override (U+202E)", "2 zero width
    spaces (U+200B)", "37 tag characters (U+E0000 to U+E007F)"."""
    kinds: dict[str, tuple[str, str, int]] = {}
    for i in hidden:
        c = name[i]
        if _tag(c):
            key, word, code = "tag", "tag character", "U+E0000 to U+E007F"
        else:
            key, word, code = c, _char_name(c).lower(), f"U+{ord(c):04X}"
        n = kinds[key][2] + 1 if key in kinds else 1
        kinds[key] = (word, code, n)
    words = []
    for word, code, n in list(kinds.values())[:3]:
        words.append(f"{n} {word}s ({code})" if n > 1 else f"{_article(word)} {word} ({code})")
    if len(kinds) > 3:
        words.append("other invisible characters")
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"
