"""Text as the body checks read it: one canonical form, with a way back to the original.

Attackers write ``IBAN`` with full-width letters, put zero-width spaces inside words and
mix accents; people write ``Bankverbindung geändert`` or ``geaendert``. Two foldings:

* :func:`fold` — lower case, accents stripped, compatibility forms (full-width, ligatures)
  replaced, invisible format characters removed. For phrase matching. Returns the folded
  text and, when characters were removed or expanded, a map from folded positions back to
  the original, so evidence can quote what the message really says.
* :func:`canonical` — compatibility forms replaced and invisible characters removed, case
  and accents kept. For extracting identifiers (IBAN, BIC), whose letters are upper case.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache


class _FoldTable(dict[int, str]):
    """``str.translate`` table computed on first sight of each character."""

    def __init__(self, fn) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        self._fn = fn
        #: characters that fold to other than exactly one character
        self.uneven: set[str] = set()

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        out = self._fn(ch)
        if len(out) != 1:
            self.uneven.add(ch)
        self[code] = out
        return out


def _strip_marks(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


#: letters that carry no combining mark to strip, folded the way people type them without
#: their accents: Polish "ł" (zmieniliśmy -> zmienilismy, "wpłata" -> "wplata") and Turkish
#: dotless "ı" ("hesabımız" -> "hesabimiz"; "HESABIMIZ" lower-cases to dotted i anyway)
_BARE_LETTERS = str.maketrans({"ß": "ss", "ł": "l", "ı": "i"})


#: Arabic tatweel (kashida), a stretch of the line between letters: "الحـــساب" is
#: "الحساب"
_STRETCH = "\u0640"


def _digit(ch: str) -> str | None:
    """A decimal digit of any script (Arabic-Indic "٣", Persian "۳", Devanagari "३") as
    the ASCII digit, so that account numbers and IBANs read the same in every script."""
    if ch.isascii() or unicodedata.category(ch) != "Nd":
        return None
    return str(unicodedata.decimal(ch))


def _fold_char(ch: str) -> str:
    if unicodedata.category(ch) == "Cf" or ch == _STRETCH:  # zero-width space and
        return ""  # joiners, BOM, soft hyphen, bidi marks; tatweel
    digit = _digit(ch)
    if digit is not None:
        return digit
    s = unicodedata.normalize("NFKC", ch)
    if s.isspace():
        return " " if ch not in "\n\r" else ch
    return _strip_marks(s).lower().translate(_BARE_LETTERS)


def _canonical_char(ch: str) -> str:
    if unicodedata.category(ch) == "Cf" or ch == _STRETCH:
        return ""
    digit = _digit(ch)
    if digit is not None:
        return digit
    s = unicodedata.normalize("NFKC", ch)
    if s.isspace() and ch not in "\n\r\t":
        return " "
    return s


_FOLD = _FoldTable(_fold_char)
_CANON = _FoldTable(_canonical_char)


@lru_cache(maxsize=4)
def fold(text: str) -> tuple[str, list[int] | None]:
    """The folded text and, when its positions differ from the original's, the original
    position of every folded character (``None`` when they are the same).

    The last few results are kept: the body checks fold the same text more than once.
    Callers must not change the returned list."""
    if text.isascii():
        return text.lower(), None
    folded = text.translate(_FOLD)
    if _FOLD.uneven.isdisjoint(text):
        return folded, None
    # Runs of characters that fold to one character each map one for one; only the
    # uneven ones (removed, or expanded like "ß") are looked at one by one.
    offsets: list[int] = []
    at = 0
    for m in _uneven_pattern(len(_FOLD.uneven)).finditer(text):
        i = m.start()
        offsets.extend(range(at, i))
        offsets.extend([i] * len(_FOLD[ord(text[i])]))
        at = i + 1
    offsets.extend(range(at, len(text)))
    return folded, offsets


@lru_cache(maxsize=2)
def _uneven_pattern(size: int) -> re.Pattern[str]:
    """A character class of the uneven characters seen so far (``size`` of them: the set
    only grows, so its size names its content)."""
    del size
    return re.compile("[" + "".join(re.escape(c) for c in sorted(_FOLD.uneven)) + "]")


def fold_phrase(text: str) -> str:
    return fold(text)[0]


def canonical(text: str) -> str:
    """Compatibility forms replaced (full-width ``ＤＥ８９`` becomes ``DE89``), invisible format
    characters removed, every space character a plain space; case and accents kept."""
    if text.isascii():
        return text
    return text.translate(_CANON)


def original_span(offsets: list[int] | None, start: int, end: int) -> tuple[int, int]:
    """The original text's span of the folded span ``start:end``."""
    if offsets is None or start >= end:
        return start, end
    return offsets[start], offsets[end - 1] + 1
