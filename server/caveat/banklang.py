"""How people ask to be paid into a new account, in the languages partners write in.

The phrase lists are data (``data/bank_language/<language>.toml``; the syntax is described
at the top of ``en.toml``). This module compiles them once per process and answers, for a
body of text, which categories matched:

* ``change``  — the bank details are new or have changed;
* ``hold``    — the usual account cannot be used (on hold, audit, closed);
* ``records`` — "please update your records" (a request only with bank details named);
* ``urgency``, ``secrecy`` — pressure cues that strengthen a request.

Every language's patterns run against every message: a German supplier writing in English,
or an English request with a German footer, needs no language detection. Before any
pattern runs, the words of the text are collected once, and only the patterns whose
required word occurs are tried, so a body costs a few regular-expression searches rather
than hundreds.

:func:`strip_quoted` removes the quoted earlier messages of a reply (``>`` lines, and all
that follows an attribution line such as "On … wrote:", an Outlook header block or an
"Original Message" line): a reply that quotes someone else's request is not a request.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from .textfold import canonical, fold, fold_phrase, original_span

CATEGORIES = ("change", "hold", "records", "urgency", "secrecy")
_GAP = {"..": 3, "...": 20}
_TOKEN_RE = re.compile(r"\.\.\.|\.\.|\{[a-z_]+\}|[()|?]|\w+\*?|[^\w\s]")
_WORD_RE = re.compile(r"\w+")
_KEY_LEN = 4
#: longest piece of evidence quoted from the message
EVIDENCE_MAX = 160
#: lines longer than this are not attribution lines (and are not examined as such)
_ATTRIBUTION_MAX = 300
#: how close (characters, either side) bank details must be to "update your records"
_NEAR = 200


class PhraseError(ValueError):
    """A phrase file cannot be compiled; the message names the file and the pattern."""


# ----------------------------------------------------------------- pattern compiler


@dataclass
class _Node:
    """A compiled item: its regular expression, whether it may be absent, and the word
    prefixes one of which any text it matches must contain (None: matches no word)."""

    regex: str
    optional: bool = False
    keys: frozenset[str] | None = None
    gap: int = 0


class _Compiler:
    def __init__(self, terms: Mapping[str, Sequence[str]], where: str) -> None:
        self.terms = terms
        self.where = where
        self._term_nodes: dict[str, _Node] = {}
        self._stack: list[str] = []

    def compile(self, pattern: str) -> _Node:
        tokens = _TOKEN_RE.findall(fold_phrase(pattern))
        pos, node = self._sequence(tokens, 0, pattern)
        if pos != len(tokens):
            raise PhraseError(f"{self.where}: unbalanced ')' in {pattern!r}")
        if node.keys is None:
            raise PhraseError(f"{self.where}: {pattern!r} has no word to match")
        return node

    def _sequence(self, tokens: list[str], pos: int, pattern: str) -> tuple[int, _Node]:
        """Alternatives separated by '|' until ')' or the end."""
        alternatives: list[_Node] = []
        items: list[_Node] = []
        while pos < len(tokens):
            tok = tokens[pos]
            if tok == ")":
                break
            pos += 1
            if tok == "|":
                alternatives.append(self._join(items, pattern))
                items = []
            elif tok == "(":
                pos, inner = self._sequence(tokens, pos, pattern)
                if pos >= len(tokens) or tokens[pos] != ")":
                    raise PhraseError(f"{self.where}: unclosed '(' in {pattern!r}")
                pos += 1
                if pos < len(tokens) and tokens[pos] == "?":
                    pos += 1
                    inner = _Node(inner.regex, True, inner.keys)
                items.append(inner)
            elif tok in _GAP:
                items.append(_Node("", gap=_GAP[tok]))
            elif tok.startswith("{"):
                items.append(self._term(tok[1:-1], pattern))
            elif tok[0].isalnum() or tok[0] == "_":
                items.append(_word(tok))
            # any other punctuation separates words, like a space
        alternatives.append(self._join(items, pattern))
        if len(alternatives) == 1:
            return pos, alternatives[0]
        keys: set[str] = set()
        for a in alternatives:
            if a.keys is None:
                return pos, _Node("(?:" + "|".join(a.regex for a in alternatives) + ")")
            keys |= a.keys
        return pos, _Node(
            "(?:" + "|".join(a.regex for a in alternatives) + ")", False, frozenset(keys)
        )

    def _join(self, items: list[_Node], pattern: str) -> _Node:
        words = [i for i in items if not i.gap]
        if not words:
            raise PhraseError(f"{self.where}: empty alternative in {pattern!r}")
        regex = ""
        first = True
        gap = 0
        for item in items:
            if item.gap:
                gap = max(gap, item.gap)
                continue
            if first:  # a leading gap: up to that many words before the first item
                sep = rf"(?:\w+\W+){{0,{gap}}}" if gap else ""
            else:
                sep = r"\W+" + (rf"(?:\w+\W+){{0,{gap}}}" if gap else "")
            if item.optional:
                regex += f"(?:{sep}{item.regex})?" if not first else f"{sep}(?:{item.regex}\\W+)?"
            else:
                regex += sep + item.regex
                first = False
            gap = 0
        if first:  # every item optional: not a usable pattern
            raise PhraseError(f"{self.where}: nothing required in {pattern!r}")
        required = [i for i in words if not i.optional]
        # The most selective required item decides whether the pattern is tried at all.
        best = max(
            (i for i in required if i.keys is not None),
            key=lambda i: min(len(k) for k in i.keys) if i.keys else 0,
            default=None,
        )
        return _Node(regex, False, best.keys if best else None)

    def _term(self, name: str, pattern: str) -> _Node:
        if name in self._term_nodes:
            return self._term_nodes[name]
        if name not in self.terms:
            raise PhraseError(f"{self.where}: {pattern!r} uses unknown term list {{{name}}}")
        if name in self._stack:
            raise PhraseError(f"{self.where}: term list {{{name}}} refers to itself")
        self._stack.append(name)
        nodes = [self.compile(entry) for entry in self.terms[name]]
        self._stack.pop()
        keys = frozenset(k for n in nodes for k in (n.keys or ()))
        node = _Node("(?:" + "|".join(n.regex for n in nodes) + ")", False, keys)
        self._term_nodes[name] = node
        return node


def _word(tok: str) -> _Node:
    star = tok.endswith("*")
    word = tok.rstrip("*")
    regex = re.escape(word) + (r"\w*" if star else "")
    return _Node(regex, False, frozenset({word[:_KEY_LEN]}))


def _prefixes(words: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for w in words:
        for n in range(1, min(len(w), _KEY_LEN) + 1):
            out.add(w[:n])
    return out


# ----------------------------------------------------------------- compiled phrase book


@dataclass(frozen=True)
class _Pattern:
    language: str
    category: str
    source: str
    regex: re.Pattern[str]
    keys: frozenset[str]


@dataclass(frozen=True)
class Extraction:
    """Labels that introduce bank identifiers, over every language (folded)."""

    account_labels: tuple[str, ...]
    routing_labels: tuple[str, ...]
    sort_code_labels: tuple[str, ...]
    bic_labels: tuple[str, ...]


@dataclass(frozen=True)
class PhraseBook:
    languages: tuple[str, ...]
    patterns: tuple[_Pattern, ...]
    bank_terms: tuple[_Pattern, ...]
    extraction: Extraction
    attribution: re.Pattern[str]
    from_label: re.Pattern[str]
    sent_label: re.Pattern[str]

    def scan(self, text: str) -> Cues:
        folded, offsets = fold(text)
        present = _prefixes(set(_WORD_RE.findall(folded)))
        spans: dict[str, list[tuple[int, int]]] = {}
        languages: set[str] = set()
        for p in self.patterns:
            if p.keys.isdisjoint(present):
                continue
            m = p.regex.search(folded)
            if m is None:
                continue
            spans.setdefault(p.category, []).append(original_span(offsets, m.start(), m.end()))
            languages.add(p.language)
        terms = [t for t in self.bank_terms if not t.keys.isdisjoint(present)]
        bank_term = any(t.regex.search(folded) for t in terms)
        if "records" in spans:
            # "Update your records" names bank details only when they are close by.
            near = [
                (s, e)
                for s, e in spans["records"]
                if any(
                    t.regex.search(folded, max(0, s - _NEAR), min(len(folded), e + _NEAR))
                    for t in terms
                )
            ]
            records_bank = bool(near)
        else:
            records_bank = False
        return Cues(
            {c: tuple(_quote(text[s:e]) for s, e in _merge(v)) for c, v in spans.items()},
            frozenset(languages),
            bank_term,
            records_bank,
        )

    def strip_quoted(self, text: str) -> str:
        lines = text.splitlines()
        kept: list[str] = []
        for i, line in enumerate(lines):
            stripped = line.lstrip()
            if stripped.startswith(">"):
                continue
            if len(stripped) <= _ATTRIBUTION_MAX and stripped:
                f = fold_phrase(stripped)
                if self.attribution.match(f):
                    break
                if self.from_label.match(f) and any(
                    self.sent_label.match(fold_phrase(nxt.lstrip()[:_ATTRIBUTION_MAX]))
                    for nxt in lines[i + 1 : i + 4]
                ):
                    break
            kept.append(line)
        return "\n".join(kept)


@dataclass(frozen=True)
class Cues:
    """What the phrase book found in one text."""

    _found: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    languages: frozenset[str] = frozenset()
    #: the text names bank details (a {bank} term of some language)
    bank_term: bool = False
    #: a {bank} term is close to an "update your records" passage
    records_bank: bool = False

    def found(self, category: str) -> tuple[str, ...]:
        """The matched passages of a category, quoted from the text (deduplicated)."""
        if category not in CATEGORIES:
            raise KeyError(category)
        return self._found.get(category, ())

    def asks_change(self, identifier: bool = False) -> bool:
        """The text asks to pay a new or changed account: a change or hold phrase, or an
        "update your records" together with bank details named near it or a bank
        identifier anywhere in the text."""
        if self._found.get("change") or self._found.get("hold"):
            return True
        return bool(self._found.get("records")) and (self.records_bank or identifier)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping matches of one category as one passage each, in text order."""
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(e, out[-1][1]))
        else:
            out.append((s, e))
    return out


def _quote(span: str) -> str:
    s = " ".join(canonical(span).split())
    return s if len(s) <= EVIDENCE_MAX else s[: EVIDENCE_MAX - 1] + "…"


def _as_list(data: Any, key: str, where: str) -> list[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise PhraseError(f"{where}: {key} must be a list of non-empty strings")
    return value


def _load(files: Iterable[tuple[str, str]]) -> PhraseBook:
    languages: list[str] = []
    patterns: list[_Pattern] = []
    bank_terms: list[_Pattern] = []
    labels: dict[str, list[str]] = {
        "account_labels": [],
        "routing_labels": [],
        "sort_code_labels": [],
        "bic_labels": [],
    }
    attribution: list[str] = []
    from_labels: list[str] = []
    sent_labels: list[str] = []
    for where, text in files:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            raise PhraseError(f"{where}: {e}") from e
        lang = data.get("language")
        if not isinstance(lang, str) or not re.fullmatch(r"[a-z]{2,3}", lang):
            raise PhraseError(f"{where}: language must be a two- or three-letter code")
        languages.append(lang)
        terms_raw = data.get("terms", {})
        terms = {name: _as_list(terms_raw, name, f"{where} [terms]") for name in terms_raw}
        comp = _Compiler(terms, where)
        cats = data.get("patterns", {})
        unknown = set(cats) - set(CATEGORIES)
        if unknown:
            raise PhraseError(f"{where}: unknown pattern categories {sorted(unknown)}")
        for cat in CATEGORIES:
            for src in _as_list(cats, cat, f"{where} [patterns]"):
                node = comp.compile(src)
                assert node.keys is not None
                regex = re.compile(rf"(?<!\w){node.regex}(?!\w)")
                patterns.append(_Pattern(lang, cat, src, regex, node.keys))
        if "bank" in terms:
            node = comp._term("bank", "{bank}")
            assert node.keys is not None
            regex = re.compile(rf"(?<!\w){node.regex}(?!\w)")
            bank_terms.append(_Pattern(lang, "bank", "{bank}", regex, node.keys))
        ext = data.get("extraction", {})
        for key in labels:
            labels[key] += [fold_phrase(v) for v in _as_list(ext, key, f"{where} [extraction]")]
        quotes = data.get("quotes", {})
        for src in _as_list(quotes, "attribution", f"{where} [quotes]"):
            attribution.append(comp.compile(src).regex)
        from_labels += [comp.compile(v).regex for v in _as_list(quotes, "from_labels", where)]
        sent_labels += [comp.compile(v).regex for v in _as_list(quotes, "sent_labels", where)]
    if not languages:
        raise PhraseError("no phrase files found")

    def anchored(parts: list[str], tail: str) -> re.Pattern[str]:
        body = "|".join(parts) or r"(?!)"
        return re.compile(rf"^\W*(?:{body}){tail}")

    return PhraseBook(
        tuple(languages),
        tuple(patterns),
        tuple(bank_terms),
        Extraction(**{k: tuple(dict.fromkeys(v)) for k, v in labels.items()}),
        anchored(attribution, r"(?!\w)[^\w]*$"),
        anchored(from_labels, r"\s*:"),
        anchored(sent_labels, r"\s*:"),
    )


def load_phrase_book(folder: Path | None = None) -> PhraseBook:
    """Compile every phrase file of ``folder`` (default: the packaged ones)."""
    if folder is not None:
        files = sorted(folder.glob("*.toml"))
        return _load((str(p), p.read_text("utf-8")) for p in files)
    root = resources.files("caveat.data").joinpath("bank_language")
    entries = sorted((e for e in root.iterdir() if e.name.endswith(".toml")), key=lambda e: e.name)
    return _load((f"bank_language/{e.name}", e.read_text("utf-8")) for e in entries)


@cache
def phrase_book() -> PhraseBook:
    """The packaged phrase book, compiled once per process."""
    return load_phrase_book()


def language_cues(text: str) -> Cues:
    return phrase_book().scan(text)


def strip_quoted(text: str) -> str:
    return phrase_book().strip_quoted(text)
