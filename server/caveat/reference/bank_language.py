"""How people ask to be paid into a new account, in the languages partners write in.

The phrase lists are data (``data/bank_language/<language>.toml``; the syntax is described
at the top of ``en.toml``). This module compiles them once per process and answers, for a
body of text, which categories matched:

* ``change``  — the bank details are new or have changed;
* ``hold``    — the usual account cannot be used (on hold, audit, closed);
* ``records`` — "please update your records" (a request only with bank details named);
* ``urgency``, ``secrecy`` — pressure cues that strengthen a request;
* ``disown``  — the writer says a request they pass on is not genuine ("this was not sent
  by us", "phishing");
* ``payer``   — the account a payment was made *from* ("paid from our account");
* ``unchanged`` — the bank details stay as they are.

Every language's patterns run against every message: a German supplier writing in English,
or an English request with a German footer, needs no language detection. Before any
pattern runs, the words of each paragraph are collected once, and only the patterns each
of whose required items has one of its words there are tried (phrases match whole words;
a stem counts by its first letters), so a body costs a few regular-expression searches
rather than hundreds.

Japanese and Chinese are written without spaces, so a run of their characters up to the
next punctuation is one "word" of the text. A phrase item in those scripts is therefore
matched as a sequence of characters anywhere inside a run (no word boundary, no space
needed between items, ``..`` counting characters), and what it needs present is one of its
character pairs (bigrams), collected from the text's runs in place of its words: no
dictionary or segmenter is loaded, and text in other scripts pays one search to learn that
it has none of those characters. :func:`may_ask` answers the same for a whole text from its words
alone, for the change, hold and records patterns: when it says no, :func:`language_cues`
finds none of them (the bank-details check's pre-check).

:func:`strip_quoted` removes the quoted earlier messages of a reply (``>`` lines, and all
that follows an attribution line such as "On … wrote:", an Outlook header block or an
"Original Message" line): a reply that quotes someone else's request is not a request.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache, reduce
from importlib import resources
from itertools import pairwise
from operator import itemgetter, or_
from pathlib import Path
from typing import Any

from caveat.mail.facts import Facts
from caveat.mail.htmltext import html_to_text
from caveat.mail.textfold import canonical, fold, fold_phrase, original_span

CATEGORIES = (
    "change", "hold", "records", "urgency", "secrecy", "disown", "payer", "unchanged",
    "payroll", "gift_cards", "availability", "confidential_wire", "callback",
)  # fmt: skip
_GAP = {"..": 3, "...": 20}
_TOKEN_RE = re.compile(r"\.\.\.|\.\.|\{[a-z_]+\}|[()|?]|\w+\*?|[^\w\s]")

# Scripts written without spaces between words (Japanese kana and kanji, Chinese hanzi):
# there a "word" of the text is a whole run of characters up to the next punctuation, so a
# phrase of these scripts is matched as a sequence of characters anywhere in a run, and
# what it needs present is a pair of its characters (a bigram) rather than a word. Every
# other script (Latin, Arabic, Cyrillic, ...) keeps whole-word matching.
_CJK = "\u3005\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{_CJK}]")
_CJK_RUN_RE = re.compile(f"[{_CJK}]{{2,}}")
#: what may stand between two characters of a word of those scripts in a text: nothing,
#: or the line break a wrapped line ends with and the next line's quote markers (a
#: plain-text mail in Japanese or Chinese is cut at a width, inside a word as readily as
#: between two, and quoted as it was cut)
_CJK_WRAP = r"(?:\r?\n(?:[^\S\n]|>)*)?"
#: in a text, a run of those characters going on across such a line break, and the break
_TEXT_RUN_RE = re.compile(f"[{_CJK}](?:{_CJK_WRAP}[{_CJK}])+")
_BREAK_RE = re.compile(r"\r?\n(?:[^\S\n]|>)*")
_NON_CJK_WORD_RE = re.compile(f"[^\\W{_CJK}]+")
#: a word boundary that a run of those scripts does not need: the character before (after)
#: is not a letter or digit of another script. "口座" matches inside "振込先口座を", and
#: "IBAN" right after "新しい" in a phrase that has Japanese in it; "new" still never
#: matches inside "renew". Phrases with no Japanese or Chinese keep ``\b`` (faster).
_START = f"(?<![^\\W{_CJK}])"
_END = f"(?![^\\W{_CJK}])"
#: ".." and "..." between or around items of those scripts: up to that many characters
#: (particles, a polite verb ending, a name) within one sentence
_CJK_GAP = {3: 10, 20: 60}
#: the favoured characters of a bigram key: kanji and katakana are rarer than kana
_RARE = re.compile("[\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KEY_LEN = 4
#: longest piece of evidence quoted from the message
EVIDENCE_MAX = 160
#: the longest piece of text a phrase is looked for in (paragraphs longer are cut)
_CHUNK = 1500
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
    #: for a sequence: the key set of every required item (all must occur in the text)
    needs: tuple[frozenset[str], ...] = ()
    #: like ``keys`` and ``needs``, with whole words (``stem*`` for a stem) instead of
    #: prefixes: a text that has none of a set's words cannot match
    words: frozenset[str] | None = None
    word_needs: tuple[frozenset[str], ...] = ()
    #: it may begin (end) with a character of a script without spaces: no space is needed
    #: between it and the item before (after), and a gap next to it counts characters
    cjk_head: bool = False
    cjk_tail: bool = False


class _Compiler:
    def __init__(self, terms: Mapping[str, Sequence[str]], where: str) -> None:
        self.terms = terms
        self.where = where
        self._term_nodes: dict[str, _Node] = {}
        self._stack: list[str] = []

    def compile(self, pattern: str, keyless: bool = False) -> _Node:
        """``pattern`` compiled; with ``keyless``, it may have no key (a term list's entry
        of one Japanese or Chinese character: then the list decides nothing alone)."""
        tokens = _TOKEN_RE.findall(fold_phrase(pattern))
        pos, node = self._sequence(tokens, 0, pattern)
        if pos != len(tokens):
            raise PhraseError(f"{self.where}: unbalanced ')' in {pattern!r}")
        if node.keys is None and not (keyless and node.cjk_head):
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
                items.append(inner)
            elif tok in _GAP:
                items.append(_Node("", gap=_GAP[tok]))
                continue
            elif tok.startswith("{"):
                items.append(self._term(tok[1:-1], pattern))
            elif tok[0].isalnum() or tok[0] == "_":
                items.append(_word(tok))
            elif tok == "?":
                raise PhraseError(
                    f"{self.where}: '?' must follow a word, a group or a term in {pattern!r}"
                )
            else:
                continue  # any other punctuation separates words, like a space
            if pos < len(tokens) and tokens[pos] == "?":  # the item just read is optional
                pos += 1
                last = items[-1]
                items[-1] = _Node(
                    last.regex,
                    True,
                    last.keys,
                    words=last.words,
                    cjk_head=last.cjk_head,
                    cjk_tail=last.cjk_tail,
                )
        alternatives.append(self._join(items, pattern))
        if len(alternatives) == 1:
            return pos, alternatives[0]
        keys: set[str] = set()
        words: set[str] = set()
        head = any(a.cjk_head for a in alternatives)
        tail = any(a.cjk_tail for a in alternatives)
        regex = "(?:" + "|".join(a.regex for a in alternatives) + ")"
        for a in alternatives:
            if a.keys is None or a.words is None:
                return pos, _Node(regex, cjk_head=head, cjk_tail=tail)
            keys |= a.keys
            words |= a.words
        return pos, _Node(
            regex, False, frozenset(keys), words=frozenset(words), cjk_head=head, cjk_tail=tail
        )

    def _join(self, items: list[_Node], pattern: str) -> _Node:
        words = [i for i in items if not i.gap]
        if not words:
            raise PhraseError(f"{self.where}: empty alternative in {pattern!r}")
        regex = ""
        first = True
        gap = 0
        # whether the item before may end (the sequence may begin) with a character of a
        # script without spaces
        tail = head = False
        for item in items:
            if item.gap:
                gap = max(gap, item.gap)
                continue
            if first:
                head = head or item.cjk_head
            cjk = item.cjk_head or (tail and not first)
            if first:  # a leading gap: up to that many words before the first item
                sep = _gap_regex(gap, item.cjk_head) if gap else ""
            else:
                sep = (r"\W*" if cjk else r"\W+") + (_gap_regex(gap, cjk) if gap else "")
            if item.optional:
                after = r"\W*" if item.cjk_tail else r"\W+"
                regex += (
                    f"(?:{sep}{item.regex})?" if not first else f"{sep}(?:{item.regex}{after})?"
                )
                tail = tail or item.cjk_tail
                if first:
                    gap = 0
                # else the gap before an optional item stays for the item after it, in
                # case the optional one is absent: "pay .. (our)? new account"
            else:
                regex += sep + item.regex
                first = False
                tail = item.cjk_tail
                gap = 0
        if first:  # every item optional: not a usable pattern
            raise PhraseError(f"{self.where}: nothing required in {pattern!r}")
        if gap:  # a trailing gap: up to that many words after the last item
            regex += _CJK_GAP_AFTER.format(_CJK_GAP[gap]) if tail else rf"(?:\W+\w+){{0,{gap}}}?"
        required = [i for i in words if not i.optional]
        # The most selective required item decides whether the pattern is tried at all.
        best = max(
            (i for i in required if i.keys is not None),
            key=lambda i: min(len(k) for k in i.keys) if i.keys else 0,
            default=None,
        )
        needs = tuple(i.keys for i in required if i.keys is not None)
        word_needs = tuple(i.words for i in required if i.words is not None)
        return _Node(
            regex,
            False,
            best.keys if best else None,
            needs=needs,
            words=best.words if best else None,
            word_needs=word_needs,
            cjk_head=head,
            cjk_tail=tail,
        )

    def _term(self, name: str, pattern: str) -> _Node:
        if name in self._term_nodes:
            return self._term_nodes[name]
        if name not in self.terms:
            raise PhraseError(f"{self.where}: {pattern!r} uses unknown term list {{{name}}}")
        if name in self._stack:
            raise PhraseError(f"{self.where}: term list {{{name}}} refers to itself")
        self._stack.append(name)
        nodes = [self.compile(entry, keyless=True) for entry in self.terms[name]]
        self._stack.pop()
        keyed = all(n.keys is not None for n in nodes)
        keys = frozenset(k for n in nodes for k in (n.keys or ()))
        words = frozenset(w for n in nodes for w in (n.words or ()))
        node = _Node(
            "(?:" + "|".join(n.regex for n in nodes) + ")",
            False,
            keys if keyed else None,
            words=words if keyed else None,
            cjk_head=any(n.cjk_head for n in nodes),
            cjk_tail=any(n.cjk_tail for n in nodes),
        )
        self._term_nodes[name] = node
        return node


def _bounded(regex: str) -> re.Pattern[str]:
    """A compiled phrase that matches whole words: ``\\b`` at both ends (every phrase
    begins and ends with a letter or digit), or, when it has Japanese or Chinese in it,
    :data:`_START` and :data:`_END`, which let it stand inside a run of those scripts."""
    if _CJK_RE.search(regex):
        return re.compile(f"{_START}{regex}{_END}")
    return re.compile(rf"\b{regex}\b")


def _gap_regex(gap: int, cjk: bool) -> str:
    """Up to ``gap`` words (``..``: 3, ``...``: 20) before an item; next to an item of a
    script without spaces, up to a number of characters of one sentence instead."""
    if cjk:
        return rf"(?:[^!?。]{{0,{_CJK_GAP[gap]}}}?)"
    return rf"(?:\w+\W+){{0,{gap}}}?"


_CJK_GAP_AFTER = r"(?:[^!?。]{{0,{}}}?)"


def _word(tok: str) -> _Node:
    """A word; its key is its first four letters (the whole word when shorter), or, for a
    shorter stem with ``*``, the stem and ``*``. A run of a script without spaces
    (:data:`_CJK`) is a sequence of characters; its key is one of its bigrams."""
    if _CJK_RE.search(tok):
        return _cjk_word(tok)
    star = tok.endswith("*")
    word = tok.rstrip("*")
    regex = re.escape(word) + (r"\w*" if star else "")
    key = word + "*" if star and len(word) < _KEY_LEN else word[:_KEY_LEN]
    return _Node(regex, False, frozenset({key}), words=frozenset({tok}))


def _cjk_word(tok: str) -> _Node:
    """A phrase item in a script without spaces: matched as the characters it has, within
    a run of text (``*`` adds nothing: no boundary is needed after it). Its key (and word)
    is its most selective bigram, kanji and katakana before kana (the text's bigrams are
    collected by :func:`_cjk_bigrams`); a single character has none, so it never decides
    alone whether a pattern is tried."""
    chars = tok.rstrip("*")
    head = _CJK_RE.match(chars) is not None
    tail = _CJK_RE.match(chars[-1]) is not None
    # a word of another script in it ("itunes卡") is seen apart in the text, like a bigram
    grams = _bigrams(chars) or _NON_CJK_WORD_RE.findall(chars)
    if not grams:
        return _Node(_wrappable(chars), cjk_head=head, cjk_tail=tail)
    best = max(grams, key=lambda g: (len(_RARE.findall(g)), len(g)))
    key = frozenset({best})
    return _Node(_wrappable(chars), False, key, words=key, cjk_head=head, cjk_tail=tail)


def _wrappable(chars: str) -> str:
    """``chars`` as a pattern that also matches them with a line break between two
    characters of a script without spaces (a wrapped line)."""
    out = re.escape(chars[0])
    for before, c in pairwise(chars):
        if _CJK_RE.match(before) and _CJK_RE.match(c):
            out += _CJK_WRAP
        out += re.escape(c)
    return out


def _bigrams(chars: str) -> list[str]:
    """The bigrams of the runs of :data:`_CJK` characters in ``chars``, in order."""
    return [run[i : i + 2] for run in _CJK_RUN_RE.findall(chars) for i in range(len(run) - 1)]


def _cjk_bigrams(folded: str, start: int, end: int) -> set[str]:
    """The bigrams of ``folded[start:end]``'s runs of :data:`_CJK` characters (a run
    wrapped onto the next line goes on there), and the words of other scripts written
    inside such a run ("新しいIBANは": "iban"), which
    ``\\w+`` does not see apart (none, at the cost of one search, in text of other
    scripts)."""
    if _CJK_RE.search(folded, start, end) is None:
        return set()
    grams = {
        run[i : i + 2]
        for run in _TEXT_RUN_RE.findall(folded, start, end)
        for run in (_BREAK_RE.sub("", run) if "\n" in run else run,)
        for i in range(len(run) - 1)
    }
    grams.update(_NON_CJK_WORD_RE.findall(folded, start, end))
    return grams


def _word_needs(node: _Node) -> tuple[frozenset[str], ...]:
    """Like :func:`_needs`, in whole words."""
    if node.word_needs:
        return node.word_needs
    assert node.words is not None
    return (node.words,)


def _needs(node: _Node) -> tuple[frozenset[str], ...]:
    """What a compiled pattern needs present (compile() refuses patterns with no word)."""
    if node.needs:
        return node.needs
    assert node.keys is not None
    return (node.keys,)


def _line(regex: str) -> re.Pattern[str]:
    """A pattern that must fill a whole line (it may wrap onto the next), not a quoted one."""
    end = _END if _CJK_RE.search(regex) else r"(?!\w)"
    return re.compile(rf"^(?![ \t]*>)[^\w\n]*{regex}{end}[^\w\n]*$", re.MULTILINE)


#: the first _KEY_LEN characters of each word (a word's key, see :func:`_word`)
_KEY_RE = re.compile(rf"(\w{{1,{_KEY_LEN}}})\w*")


def _keys_of(words: Iterable[str], short_stems: bool) -> set[str]:
    """The keys ``words`` can satisfy."""
    present = {w[:_KEY_LEN] for w in words}
    if short_stems:
        present |= {k[:n] + "*" for k in present for n in range(1, min(len(k), _KEY_LEN - 1) + 1)}
    return present


def _keys_in(folded: str, start: int, end: int, short_stems: bool) -> set[str]:
    """The keys the words of ``folded[start:end]`` can satisfy."""
    present = set(_KEY_RE.findall(folded, start, end)) | _cjk_bigrams(folded, start, end)
    if short_stems:
        present |= {k[:n] + "*" for k in present for n in range(1, min(len(k), _KEY_LEN - 1) + 1)}
    return present


_BLANK_LINE_RE = re.compile(r"\n[ \t\r]*\n")
_SENTENCE_END_RE = re.compile(r"[.!?;\n。؟؛]")
#: in a script without spaces, a clause ends at a comma too: "请勿再汇入旧账户，请汇入新账户"
#: ("no longer pay the old account, pay the new one") has no negation before "新账户"
_CLAUSE_END_RE = re.compile(r"[,、]")
_NEXT_WORD_RE = re.compile(r"\W{1,3}(\w+)")
#: how far back (characters) a negation may stand from the passage it turns round
_NEGATION_REACH = 80
_NEGATABLE = frozenset({"change", "hold"})
#: the categories that make a request (see :meth:`Cues.asks_change`)
_ASKING = frozenset({"change", "hold", "records"})
#: a line that may be an attribution ends with a colon ("... wrote:") or holds a rule
#: ("-----Original Message-----"); each is found by its own pattern, led by a literal
_COLON_END_RE = re.compile(r":[^\w\n]*$", re.MULTILINE)
_RULE_RE = re.compile(r"[-_=]{3,}")
_QUOTE_START_RE = re.compile(r"[ \t]*>")


def _candidate_lines(folded: str) -> list[tuple[int, int]]:
    """Spans of the lines that end with a colon and what follows it is not a word, or
    that hold three or more of ``-``, ``_`` or ``=`` in a row; not ``>`` lines; in order."""
    starts = {folded.rfind("\n", 0, m.start()) + 1 for m in _COLON_END_RE.finditer(folded)}
    starts.update(folded.rfind("\n", 0, m.start()) + 1 for m in _RULE_RE.finditer(folded))
    out = []
    for start in sorted(starts):
        if _QUOTE_START_RE.match(folded, start):
            continue
        end = folded.find("\n", start)
        out.append((start, end if end >= 0 else len(folded)))
    return out


def _need_bits(
    patterns: Sequence[_Pattern], words: bool = False
) -> tuple[dict[str, int], tuple[int, ...]]:
    """What :meth:`_Pattern.possible` asks, as bits: each distinct key set that some
    pattern needs is one bit; the first result maps a key to the bits of the sets that
    hold it, the second gives each pattern the bits it needs, all of which must be met."""
    bit_of: dict[frozenset[str], int] = {}
    bits: dict[str, int] = {}
    masks: list[int] = []
    for p in patterns:
        mask = 0
        for keys in p.word_needs if words else p.needs:
            if keys not in bit_of:
                bit_of[keys] = 1 << len(bit_of)
                for key in keys:
                    bits[key] = bits.get(key, 0) | bit_of[keys]
            mask |= bit_of[keys]
        masks.append(mask)
    return bits, tuple(masks)


def _met(present: set[str], bits: Mapping[str, int]) -> int:
    """The need bits (see :func:`_need_bits`) that the keys ``present`` meet."""
    met = 0
    for key in present & bits.keys():
        met |= bits[key]
    return met


def _selective(words: frozenset[str]) -> tuple[int, int]:
    """How seldom a text is likely to have one of ``words``: long words first, then
    fewer of them."""
    return min(len(w.rstrip("*")) for w in words), -len(words)


#: how many distinct words a :class:`_WordIndex` remembers before it starts afresh (a
#: mailbox's vocabulary is a few tens of thousands; text made to fill it only costs time)
_MEMO_WORDS = 50_000
#: longer "words" (a base64 line, a token) are worked out each time, not remembered
_MEMO_WORD_LEN = 40


class _Memo:
    """What each word seen so far means to one :class:`_WordIndex`: the need bits it
    meets, and the patterns it is a trigger of (only words that are one)."""

    __slots__ = ("bits", "triggers")

    def __init__(self) -> None:
        self.bits: dict[str, int] = {}
        self.triggers: dict[str, tuple[tuple[int, int], ...]] = {}


@dataclass(frozen=True)
class _WordIndex:
    """Patterns by the whole words they need (``stem*`` for a stem): which of them can
    match a text, from the text's words alone. Every phrase matches whole words (a
    stem, the start of one), so a pattern one of whose required items has none of its
    words in a text cannot match there.

    What a word means (its own need bits and those of the stems it starts with; the
    patterns it triggers) is worked out once and remembered, so that a text costs one
    lookup per distinct word."""

    #: the need bits of each word (see :func:`_need_bits`)
    bits: Mapping[str, int]
    #: word -> (pattern number, its need bits) of the patterns it is the trigger of: the
    #: pattern's least common need, so that few patterns are looked at
    triggered: Mapping[str, tuple[tuple[int, int], ...]]
    #: the stems by their first _KEY_LEN letters (the whole stem when shorter)
    stems: Mapping[str, tuple[str, ...]]
    stem_keys: tuple[int, ...]
    #: each pattern's need bits, in pattern order
    needs: tuple[int, ...] = ()
    #: the words met so far (one box, swapped whole when full: a reader keeps the one
    #: it took, so threads never see it half cleared)
    _memo: list[_Memo] = field(default_factory=lambda: [_Memo()], compare=False, repr=False)

    @classmethod
    def build(cls, patterns: Sequence[_Pattern]) -> _WordIndex:
        bits, masks = _need_bits(patterns, words=True)
        triggered: dict[str, list[tuple[int, int]]] = {}
        for i, (p, need) in enumerate(zip(patterns, masks, strict=True)):
            for word in max(p.word_needs, key=_selective):
                triggered.setdefault(word, []).append((i, need))
        stems: dict[str, list[str]] = {}
        for word in bits:
            if word.endswith("*"):
                stems.setdefault(word[: min(_KEY_LEN, len(word) - 1)], []).append(word)
        return cls(
            bits,
            {k: tuple(v) for k, v in triggered.items()},
            {k: tuple(v) for k, v in stems.items()},
            tuple(sorted({len(k) for k in stems})),
            masks,
        )

    def present(self, words: Iterable[str]) -> set[str]:
        """The words, and the stems that may be there: a stem counts as there when a word
        shares its first letters (coarser than the stem itself: it lets more through)."""
        present = set(words)
        for n in self.stem_keys:
            for key in self.stems.keys() & set(map(itemgetter(slice(0, n)), present)):
                present.update(self.stems[key])
        return present

    def candidates(self, present: set[str]) -> set[int]:
        """The patterns each of whose required items has a word in ``present`` (the
        words with their stems: :meth:`present`)."""
        triggers = present & self.triggered.keys()
        if not triggers:
            return set()
        met = _met(present, self.bits)
        triggered = self.triggered
        return {i for word in triggers for i, need in triggered[word] if need & met == need}

    def _learn(self, memo: _Memo, words: Iterable[str]) -> None:
        for word in words:
            present = self.present((word,))
            triggers = present & self.triggered.keys()
            if triggers:
                memo.triggers[word] = tuple(t for w in triggers for t in self.triggered[w])
            memo.bits[word] = _met(present, self.bits)  # last: a word in bits is complete

    def _memo_for(self, words: set[str] | frozenset[str]) -> _Memo | None:
        """The memo, knowing every one of ``words``; None when one of them is too long
        to remember (then the caller works the text out in full)."""
        memo = self._memo[0]
        new = words.difference(memo.bits)
        if new:
            if any(len(w) > _MEMO_WORD_LEN for w in new):
                return None
            if len(memo.bits) + len(new) > _MEMO_WORDS:
                memo = _Memo()
                self._memo[0] = memo
                new = set(words)
            self._learn(memo, new)
        return memo

    def met(self, words: set[str] | frozenset[str]) -> int:
        """The need bits the words meet (what :func:`_met` gives for their
        :meth:`present`)."""
        memo = self._memo_for(words)
        if memo is None:
            return _met(self.present(words), self.bits)
        return reduce(or_, map(memo.bits.__getitem__, words), 0)

    def candidates_of(self, words: Iterable[str]) -> set[int]:
        """:meth:`candidates` of the words' :meth:`present`, from what each word is known
        to mean."""
        if not isinstance(words, set | frozenset):
            words = set(words)
        memo = self._memo_for(words)
        if memo is None:
            return self.candidates(self.present(words))
        triggers = words & memo.triggers.keys()
        if not triggers:
            return set()
        met = reduce(or_, map(memo.bits.__getitem__, words), 0)
        got = memo.triggers
        return {i for word in triggers for i, need in got[word] if need & met == need}


@lru_cache(maxsize=8)
def _paragraphs(
    folded: str,
) -> tuple[tuple[tuple[int, int, frozenset[str]], ...], frozenset[str]]:
    """The paragraphs of a folded text (see :func:`_chunks`) with their words (and
    bigrams), and all the text's words. The last few are remembered: each phrase book that
    scans a text (bank details, callback) reads the same paragraphs."""
    ascii_only = folded.isascii()
    out = []
    for start, end in _chunks(folded):
        words = set(_UNIT_WORD_RE.findall(folded, start, end))
        if not ascii_only:
            words |= _cjk_bigrams(folded, start, end)
        out.append((start, end, frozenset(words)))
    every = out[0][2] if len(out) == 1 else frozenset().union(*(w for _, _, w in out))
    return tuple(out), every


def _chunks(text: str) -> Iterator[tuple[int, int]]:
    """Spans of paragraphs (split at blank lines), long ones cut at line ends into pieces
    of about _CHUNK characters: a phrase is looked for within one paragraph."""
    start = 0
    for m in _BLANK_LINE_RE.finditer(text):
        yield from _pieces(text, start, m.start())
        start = m.end()
    yield from _pieces(text, start, len(text))


def _pieces(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while end - start > _CHUNK:
        cut = text.rfind("\n", start + _CHUNK // 2, start + _CHUNK)
        if cut < 0:
            cut = text.find("\n", start + _CHUNK, end)
            if cut < 0:
                break
        yield start, cut
        start = cut + 1
    if end > start:
        yield start, end


# ----------------------------------------------------------------- compiled phrase book


@dataclass(frozen=True)
class _Pattern:
    language: str
    category: str
    source: str
    regex: re.Pattern[str]
    #: one key set per required item: the pattern is tried only when each meets the text
    needs: tuple[frozenset[str], ...]
    #: one set of whole words (``stem*`` for a stem) per required item: a text that lacks
    #: every word of one of them cannot match (see :meth:`PhraseBook.may_ask`)
    word_needs: tuple[frozenset[str], ...] = ()

    def possible(self, present: set[str]) -> bool:
        for keys in self.needs:  # a plain loop: this runs a hundred times per text
            if keys.isdisjoint(present):
                return False
        return True


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
    #: each anchored to a whole line; tried only when the text has their words
    attribution: tuple[_Pattern, ...]
    from_label: re.Pattern[str]
    sent_label: re.Pattern[str]
    #: some phrase or term uses a stem shorter than a key (``ab*``): keys cost more
    short_stems: bool = False
    attribution_short_stems: bool = False
    #: language -> its negation words (``[terms] negation``)
    negation: Mapping[str, re.Pattern[str]] = field(default_factory=dict)
    #: ``attribution`` as need bits (see :func:`_need_bits`)
    attribution_bits: Mapping[str, int] = field(default_factory=dict)
    attribution_masks: tuple[int, ...] = ()
    #: ``patterns`` by the whole words they need, and the request patterns (change,
    #: hold, records) alone: which can match a paragraph, a text
    words: _WordIndex | None = None
    asking: _WordIndex | None = None

    @classmethod
    def build(cls, patterns: Sequence[_Pattern], **parts: Any) -> PhraseBook:
        # "unchanged" passages are looked for first (see scan): they come first.
        patterns = sorted(patterns, key=lambda p: p.category != "unchanged")
        attribution_bits, attribution_masks = _need_bits(parts["attribution"])

        def short(items: Iterable[_Pattern]) -> bool:
            return any(k.endswith("*") for p in items for need in p.needs for k in need)

        return cls(
            patterns=tuple(patterns),
            attribution_bits=attribution_bits,
            attribution_masks=attribution_masks,
            words=_WordIndex.build(patterns),
            asking=_WordIndex.build([p for p in patterns if p.category in _ASKING]),
            short_stems=short([*patterns, *parts["bank_terms"]]),
            attribution_short_stems=short(parts["attribution"]),
            **parts,
        )

    def may_ask(self, words: Iterable[str]) -> bool:
        """Whether a text whose words (folded, see :func:`words_of`) are ``words`` can ask
        for a change at all: some change, hold or records pattern has each of its required
        items among them. When this is false, :meth:`scan` finds none of those categories
        (every phrase matches whole words, and a paragraph's words are the text's)."""
        assert self.asking is not None
        return bool(self.asking.candidates_of(words))

    def scan(self, text: str) -> Cues:
        folded, offsets = fold(text)
        spans: dict[str, list[tuple[int, int]]] = {}
        languages: set[str] = set()
        records: list[tuple[int, int, set[str]]] = []
        index = self.words
        assert index is not None
        chunks, every = _paragraphs(folded)
        # The patterns that can match somewhere in the text, from all its words; a
        # paragraph's words are among them, so its patterns are among these.
        possible = sorted(index.candidates_of(every))
        if not possible:
            chunks = ()
        needs = index.needs
        for start, end, words in chunks:
            candidates = possible
            if len(chunks) > 1:
                # The patterns that can match this paragraph, from its words.
                met = index.met(words)
                candidates = [i for i in possible if needs[i] & met == needs[i]]
            # In index order, "unchanged" passages first: a change passage inside one
            # ("there is no change to our bank details") is not a change.
            for i in candidates:
                p = self.patterns[i]
                m = p.regex.search(folded, start, end)
                while (
                    m is not None
                    and p.category in _NEGATABLE
                    and (self._negated(p, folded, m) or _inside(m, spans.get("unchanged", ())))
                ):
                    m = p.regex.search(folded, m.end(), end)
                if m is None:
                    continue
                spans.setdefault(p.category, []).append((m.start(), m.end()))
                languages.add(p.language)
                if p.category == "records":
                    records.append((m.start(), m.end(), _keys_of(words, self.short_stems)))
        # "Update your records" names bank details only when they are close by.
        records_bank = any(
            t.possible(present)
            and t.regex.search(folded, max(0, s - _NEAR), min(len(folded), e + _NEAR))
            for s, e, present in records
            for t in self.bank_terms
        )
        merged = {c: tuple(_merge(v)) for c, v in spans.items()}
        found = {
            c: tuple(_quote(text[a:b]) for a, b in (original_span(offsets, s, e) for s, e in v))
            for c, v in merged.items()
        }
        return Cues(found, frozenset(languages), records_bank, merged)

    def _negated(self, p: _Pattern, folded: str, m: re.Match[str]) -> bool:
        """A negation of the pattern's language in the same sentence before the passage,
        or as the word right after it: "we will never change our bank details",
        "wijzigen ons rekeningnummer nooit". (Each language's own words only: Spanish
        "no" is Portuguese for "in the".)"""
        negation = self.negation.get(p.language)
        if negation is None:
            return False
        before = _SENTENCE_END_RE.split(folded[max(0, m.start() - _NEGATION_REACH) : m.start()])[-1]
        if _CJK_RE.match(folded, m.start()):
            before = _CLAUSE_END_RE.split(before)[-1]
        if negation.search(before):
            return True
        after = _NEXT_WORD_RE.match(folded, m.end())
        return after is not None and negation.fullmatch(after.group(1)) is not None

    def _attribution_in(self, folded: str, above: int, start: int, end: int) -> int | None:
        """Where an attribution that ends on the line ``start:end`` begins, if one does."""
        present = _keys_in(folded, above, end, self.attribution_short_stems)
        met = _met(present, self.attribution_bits)
        for p, need in zip(self.attribution, self.attribution_masks, strict=True):
            if need & met != need:
                continue  # p.possible(present) is false
            m = p.regex.match(folded, start, end)
            if m is not None:
                return start
            # A pattern that starts with a word of its own ("on ... wrote") may begin on the
            # line above, as long addresses make it wrap; one that starts with a gap or a
            # term list stays on its line, or it would swallow the prose above.
            if above < start and p.source[:1].isalnum():
                m = p.regex.match(folded, above, end)
                if m is not None:
                    return above
        return None

    def strip_quoted(self, text: str) -> str:
        """``text`` without ``>`` lines and without everything from the first attribution
        line, "original message" line or Outlook header block on."""
        return self.split_quoted(text)[0]

    def split_quoted(self, text: str) -> tuple[str, str]:
        """``text`` cut in two: what stands above the first attribution line, "original
        message" line or Outlook header block (without its ``>`` lines), and the rest (with
        the ``>`` lines, their markers removed): the sender's own words and what the sender
        presents as quoted. Both are written by the sender; only the caller can tell, from
        what it saw before, whether a quote is real."""
        folded, offsets = fold(text)
        cut = len(folded)
        # An attribution line ends with a colon ("... wrote:") or is a dashed separator
        # ("-----Original Message-----"); only such lines, with the line above for a
        # wrapped one, are tried.
        for start, end in _candidate_lines(folded):
            above = folded.rfind("\n", 0, max(0, start - 1)) + 1
            begins = self._attribution_in(folded, above, start, end)
            if begins is not None:
                cut = begins
                break
        for m in self.from_label.finditer(folded, 0, cut):
            line_end = folded.find("\n", m.end())
            if line_end < 0:
                break
            if self._sent_follows(folded, line_end + 1):
                cut = m.start()
                break
        # fold() keeps every line break where it was, one for one, so the line that begins
        # at ``cut`` in the folded text begins after the same line break in the original.
        if cut >= len(folded):
            head, tail = text, None
        elif cut == 0:
            head, tail = "", text
        else:
            brk = cut - 1 if offsets is None else offsets[cut - 1]
            if text[brk] == "\n":
                head, tail = text[:brk], text[brk + 1 :]
            else:  # not expected: then counted in lines
                lines = text.split("\n")
                n = folded.count("\n", 0, cut)
                head = "\n".join(lines[:n])
                tail = "\n".join(lines[n:]) if n < len(lines) else None
        if ">" in head:
            quoted = _QUOTED_LINE_RE.findall(head)
            own = _QUOTED_LINE_CUT_RE.sub("", head)
        else:
            quoted, own = [], head
        if tail is not None:
            quoted.append(tail)
        return own.rstrip(), _MARKERS_RE.sub("", "\n".join(quoted)).strip()

    def _sent_follows(self, folded: str, start: int) -> bool:
        """One of the three lines from ``start`` on begins with a "sent" label."""
        for _ in range(3):
            end = folded.find("\n", start)
            if self.sent_label.match(folded[start : end if end >= 0 else len(folded)]):
                return True
            if end < 0:
                return False
            start = end + 1
        return False


#: a line presented as quoted: ``>`` after any spaces (what ``str.lstrip`` removes)
_QUOTED_LINE_RE = re.compile(r"^[^\S\n]*>[^\n]*", re.MULTILINE)
#: the same with its line break, to cut it out of the sender's own lines
_QUOTED_LINE_CUT_RE = re.compile(r"^[^\S\n]*>[^\n]*\n?", re.MULTILINE)
#: the spaces and ``>`` markers at the start of a quoted line
_MARKERS_RE = re.compile(r"^(?:[^\S\n]|>)+", re.MULTILINE)


@dataclass(frozen=True)
class Cues:
    """What the phrase book found in one text."""

    _found: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    languages: frozenset[str] = frozenset()
    #: a {bank} term is close to an "update your records" passage
    records_bank: bool = False
    #: category -> where its passages are in the folded text (see
    #: :func:`caveat.mail.textfold.fold`), merged, in text order
    _spans: Mapping[str, tuple[tuple[int, int], ...]] = field(default_factory=dict)

    def found(self, category: str) -> tuple[str, ...]:
        """The matched passages of a category, quoted from the text (deduplicated)."""
        if category not in CATEGORIES:
            raise KeyError(category)
        return self._found.get(category, ())

    def spans(self, category: str) -> tuple[tuple[int, int], ...]:
        """Where a category's passages are in the folded text."""
        if category not in CATEGORIES:
            raise KeyError(category)
        return self._spans.get(category, ())

    def asks_change(self, identifier: bool = False) -> bool:
        """The text asks to pay a new or changed account: a change or hold phrase, or an
        "update your records" together with bank details named near it (unless the text
        says they stay as they are) or a bank identifier anywhere in the text."""
        if self._found.get("change") or self._found.get("hold"):
            return True
        if not self._found.get("records"):
            return False
        return identifier or (self.records_bank and not self._found.get("unchanged"))


def _inside(m: re.Match[str], spans: Iterable[tuple[int, int]]) -> bool:
    return any(a <= m.start() and m.end() <= b for a, b in spans)


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
    attribution: list[_Pattern] = []
    negations: dict[str, re.Pattern[str]] = {}
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
                regex = _bounded(node.regex)
                patterns.append(_Pattern(lang, cat, src, regex, _needs(node), _word_needs(node)))
        if "negation" in terms:
            words = comp._term("negation", "{negation}").regex
            negations[lang] = _bounded(words)
        if "bank" in terms:
            node = comp._term("bank", "{bank}")
            if node.keys is None:
                raise PhraseError(f"{where}: every [terms] bank entry needs a word to match")
            regex = _bounded(node.regex)
            bank_terms.append(_Pattern(lang, "bank", "{bank}", regex, (node.keys,)))
        ext = data.get("extraction", {})
        for key in labels:
            labels[key] += [fold_phrase(v) for v in _as_list(ext, key, f"{where} [extraction]")]
        quotes = data.get("quotes", {})
        for src in _as_list(quotes, "attribution", f"{where} [quotes]"):
            node = comp.compile(src)
            attribution.append(_Pattern(lang, "attribution", src, _line(node.regex), _needs(node)))
        from_labels += [comp.compile(v).regex for v in _as_list(quotes, "from_labels", where)]
        sent_labels += [comp.compile(v).regex for v in _as_list(quotes, "sent_labels", where)]
    if not languages:
        raise PhraseError("no phrase files found")

    def anchored(parts: list[str], tail: str) -> re.Pattern[str]:
        # At the start of a line (not a quoted one).
        body = "|".join(parts) or r"(?!)"
        return re.compile(rf"^(?![ \t]*>)[^\w\n]*(?:{body}){tail}", re.MULTILINE)

    return PhraseBook.build(
        patterns,
        languages=tuple(languages),
        bank_terms=tuple(bank_terms),
        extraction=Extraction(**{k: tuple(dict.fromkeys(v)) for k, v in labels.items()}),
        attribution=tuple(attribution),
        negation=negations,
        from_label=anchored(from_labels, r"[ \t]*:"),
        sent_label=anchored(sent_labels, r"[ \t]*:"),
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


@lru_cache(maxsize=8)
def words_of(text: str) -> frozenset[str]:
    """The words of ``text``, folded (:func:`caveat.mail.textfold.fold`), and the bigrams of
    its runs of a script without spaces (what a phrase of such a script needs present).
    The last few are remembered: the bank-details and callback checks read the same
    texts."""
    folded = fold(text)[0]
    words = _UNIT_WORD_RE.findall(folded)
    if folded.isascii():
        return frozenset(words)
    return frozenset(words).union(_cjk_bigrams(folded, 0, len(folded)))


def may_ask(words: Iterable[str]) -> bool:
    return phrase_book().may_ask(words)


def strip_quoted(text: str) -> str:
    return phrase_book().strip_quoted(text)


def split_quoted(text: str) -> tuple[str, str]:
    return phrase_book().split_quoted(text)


# ----------------------------------------------------------------- what a body check reads

#: where a sentence or a paragraph ends: a unit of text the conversation memory knows
_UNIT_END_RE = re.compile(r"(?<=[.!?;])\s+|\n[ \t\r]*\n")
_UNIT_WORD_RE = re.compile(r"\w+")
#: content types of an attachment that is an enclosed message (a forward)
_ENCLOSED = frozenset({"message/rfc822", "message/global"})


@dataclass(frozen=True, slots=True)
class Reading:
    """One text a person reads in a message, cut into the sender's own words and what the
    sender presents as quoted (an earlier message, a forward)."""

    where: str  # "" for the body, "the HTML part", or an attachment's name
    own: str
    quoted: str


@dataclass(frozen=True, slots=True)
class Source:
    """One text a person reads in a message, before it is cut (see :func:`reading`)."""

    where: str  # "" for the body, "the HTML part", or an attachment's name
    text: str
    #: "split" (the body, the HTML part: cut into own words and quote), "own" (an
    #: attachment's text), "quoted" (an enclosed message: a forward)
    kind: str


def sources(facts: Facts) -> tuple[Source, ...]:
    """What a person reads in ``facts``: the body; the HTML part's visible text when it
    says anything the plain part does not (a stub "this message contains HTML", or words
    only the HTML shows); the text read from each attachment (an enclosed message counts
    as quoted)."""
    out: list[Source] = []
    if facts.body.strip():
        out.append(Source("", facts.body, "split"))
    if facts.body_html:
        visible = html_text(facts.body_html)
        if visible.strip() and not _same_words(visible, facts.body):
            out.append(Source("the HTML part", visible, "split"))
    for a in facts.attachments:
        if not a.text.strip():
            continue
        name = a.name or "an attachment"
        out.append(Source(name, a.text, "quoted" if a.content_type in _ENCLOSED else "own"))
    return tuple(out)


@lru_cache(maxsize=8)
def reading(source: Source) -> Reading:
    """``source`` cut into the sender's own words and what it presents as quoted. Each
    part is made of the source's lines (spaces and ``>`` markers at their start removed),
    so its words are among the source's.

    The last few are remembered: the memory's snapshot, the bank-details check and the
    memory's record each read the same message's texts."""
    if source.kind == "split":
        own, quoted = split_quoted(source.text)
        return Reading(source.where, own, quoted)
    if source.kind == "quoted":
        return Reading(source.where, "", source.text)
    return Reading(source.where, source.text, "")


def readings(facts: Facts) -> tuple[Reading, ...]:
    """:func:`reading` of each of :func:`sources`."""
    return tuple(reading(s) for s in sources(facts))


@lru_cache(maxsize=4)
def html_text(markup: str) -> str:
    """The visible text of an HTML part (the last few are remembered: the check and the
    conversation memory read the same one)."""
    return html_to_text(markup)


@lru_cache(maxsize=4)
def _same_words(a: str, b: str) -> bool:
    """Every word of ``a`` is a word of ``b`` (folded)."""
    return set(_UNIT_WORD_RE.findall(fold(a)[0])) <= set(_UNIT_WORD_RE.findall(fold(b)[0]))


def text_units(text: str) -> list[tuple[str, int, int]]:
    """The sentences and paragraphs of ``text`` in a form that survives quoting: folded,
    words only, single spaces (a reply's client re-wraps lines and adds ``>``); with
    where each stands in ``text``. Units without a word are left out."""
    out: list[tuple[str, int, int]] = []
    start = 0
    for m in _UNIT_END_RE.finditer(text):
        _unit(text, start, m.start(), out)
        start = m.end()
    _unit(text, start, len(text), out)
    return out


_fold_once = fold.__wrapped__  # units are many and small: not worth the shared cache


def _unit(text: str, start: int, end: int, out: list[tuple[str, int, int]]) -> None:
    words = _UNIT_WORD_RE.findall(_fold_once(text[start:end])[0])
    if words:
        out.append((" ".join(words), start, end))
