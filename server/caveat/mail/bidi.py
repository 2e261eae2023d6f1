"""Text direction: keeping what a sender wrote from reordering the text around it.

Unicode's bidirectional algorithm (UAX #9) lets a character change the direction of the
text after it: a RIGHT-TO-LEFT OVERRIDE (U+202E) in a display name makes "Anna Keller
<anna@evil.example>" read backwards from the override on, address included, and a name in
Arabic or Hebrew letters pulls the punctuation next to it into its own direction. Every
sentence the service writes ("{name} appears here at {domain} ...") and every mailbox it
shows as ``Name <address>`` therefore puts what the sender wrote inside an *isolate*:

  * FIRST STRONG ISOLATE (U+2068) before the value and POP DIRECTIONAL ISOLATE (U+2069)
    after it. The value takes the direction of its own first letter, and from outside it
    is one neutral character: whatever it holds ends at the PDI (UAX #9, rules X6a, BD8);
  * inside the value, the characters that could end the isolate early or leave an
    embedding open across it are removed first: the embeddings and overrides (LRE, RLE,
    LRO, RLO, PDF) and the isolates (LRI, RLI, FSI, PDI). Direction *marks* (LRM, RLM,
    ALM) stay: they cannot reach outside the isolate, and right-to-left names use them.

The finding that reports such characters in a name (``DISPLAY_NAME_CONTROLS``) quotes them
visibly (:func:`visible`); the name in the sentences is the isolated, cleaned one.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

FSI = "\u2068"
PDI = "\u2069"

#: The bidi classes of the explicit formatting characters (UAX #9, table 4): embeddings,
#: overrides, their terminator, and the isolates. Direction marks are not among them.
_EXPLICIT = frozenset({"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"})
#: The overrides: letters after them show in the forced order, whatever their own direction.
_OVERRIDES = frozenset({"LRO", "RLO"})


class Isolated(str):
    """Text in which every part a sender wrote is already isolated (built with
    :func:`isolate`): :func:`caveat.engine.catalogue.render` isolates it as a whole
    without removing the isolates inside it. A check that joins several values into one
    field ("Anna Keller: was a@x, now b@y") returns it as ``Isolated``."""

    __slots__ = ()


def explicit(c: str) -> bool:
    """An embedding, override or isolate control (or their terminators): a character that
    opens or closes a directional run."""
    return unicodedata.bidirectional(c) in _EXPLICIT


def override(c: str) -> bool:
    """LEFT-TO-RIGHT or RIGHT-TO-LEFT OVERRIDE: letters after it show in the forced order."""
    return unicodedata.bidirectional(c) in _OVERRIDES


def mark(c: str) -> bool:
    """A direction mark: LEFT-TO-RIGHT MARK, RIGHT-TO-LEFT MARK, ARABIC LETTER MARK (the
    format characters with a strong direction). Marks change only the neutral characters
    next to them; right-to-left text uses them to keep punctuation in place."""
    return unicodedata.category(c) == "Cf" and unicodedata.bidirectional(c) in ("L", "R", "AL")


def right_to_left(c: str) -> bool:
    """A right-to-left letter or sign (Hebrew, Arabic, Syriac, Thaana, N'Ko, ...); not a
    mark, which draws nothing."""
    return unicodedata.bidirectional(c) in ("R", "AL") and unicodedata.category(c) != "Cf"


def neutralise(text: str) -> str:
    """``text`` without explicit embedding, override and isolate controls."""
    if text.isascii():
        return text
    return "".join(c for c in text if not explicit(c))


def isolate(value: object) -> Isolated:
    """``value`` as one isolated run: FSI, the value without explicit controls, PDI.
    Text already :class:`Isolated` is wrapped as it is.

    Text that needs no isolate is returned as it is (:func:`left_to_right`): only
    left-to-right letters (Latin, Greek, Cyrillic, CJK, ...), European digits, spaces,
    punctuation and accents. Every value beside it that has more is isolated, so in the
    service's left-to-right sentences it shows in its written order with or without an
    isolate; left bare, the texts of ordinary mail stay byte for byte what they were."""
    text = "" if value is None else str(value)
    if left_to_right(text):
        return Isolated(text)
    if isinstance(value, Isolated):
        if _single_isolate(text):
            return value
        return Isolated(FSI + text + PDI)
    return Isolated(FSI + neutralise(text) + PDI)


#: Bidi classes that neither carry a right-to-left direction nor change one: strong
#: left-to-right, European numbers and their separators and terminators, non-spacing marks
#: (they take the class of the letter they sit on), white space and other neutrals.
_LTR_SAFE = frozenset({"L", "EN", "ES", "ET", "CS", "NSM", "WS", "ON"})


def left_to_right(text: str) -> bool:
    """``text`` is empty or shows in its written order in a left-to-right sentence
    whatever surrounds it: printable, with no right-to-left letter, no Arabic digit, no
    explicit control, no invisible or format character, no paragraph or segment
    separator."""
    if text.isascii():
        return text.isprintable()
    return text.isprintable() and all(unicodedata.bidirectional(c) in _LTR_SAFE for c in text)


LRM = "\u200e"
RLM = "\u200f"


def first_strong(text: str) -> str:
    """"L" or "R": the direction of the first letter with one, isolates *not* skipped (as
    HTML's ``dir=auto`` and many hosts guess a paragraph's direction); "" when none."""
    for c in text:
        cls = unicodedata.bidirectional(c)
        if cls == "L":
            return "L"
        if cls in ("R", "AL"):
            return "R"
    return ""


def keep_direction(text: str, own: str) -> str:
    """``text`` with a direction mark in front when a host guessing its direction from its
    first letter would take it from a value rather than from the sentence itself (``own``,
    "L" or "R": the direction of the sentence's own words). UAX #9 skips isolates when it
    guesses; HTML's ``dir=auto`` does not, and would set an English sentence that opens
    with a Hebrew company's name right to left."""
    if own and first_strong(text) not in ("", own):
        return (LRM if own == "L" else RLM) + text
    return text


def _single_isolate(text: str) -> bool:
    """``text`` is one FSI ... PDI run whose first FSI is closed by its last PDI."""
    if not (text.startswith(FSI) and text.endswith(PDI)):
        return False
    depth = 0
    for i, c in enumerate(text):
        cls = unicodedata.bidirectional(c)
        if cls in ("LRI", "RLI", "FSI"):
            depth += 1
        elif cls == "PDI":
            depth -= 1
            if depth == 0 and i != len(text) - 1:
                return False
    return depth == 0


def joined(values: Iterable[object], sep: str = ", ") -> Isolated:
    """Several values, each isolated, joined with ``sep``."""
    return Isolated(sep.join(isolate(v) for v in values if str(v)))


def mailbox(name: str, address: str) -> str:
    """``Name <address>`` with the name isolated, so that nothing in it can move or turn
    the address; the bare address when there is no name."""
    return f"{isolate(name)} <{address}>" if name else address


def visible(text: str, hidden: Iterable[int]) -> str:
    """``text`` with the characters at the positions ``hidden`` written as their code
    points in brackets ("Anna[U+202E]Keller"), so a reader sees where they are."""
    at = set(hidden)
    return "".join(f"[U+{ord(c):04X}]" if i in at else c for i, c in enumerate(text))


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units: how Outlook (JavaScript) counts a banner's 150
    characters. A character outside the Basic Multilingual Plane (most emoji) counts two."""
    if text.isascii():
        return len(text)
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)
