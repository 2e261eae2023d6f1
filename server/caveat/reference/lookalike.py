"""Look-alike domain index: does a domain imitate one of ours or a partner's?

A pure library (no Flask, no database). :class:`LookalikeIndex` is built once from
``(domain, owner)`` pairs and answers :meth:`LookalikeIndex.match` without scanning the
protected domains: every trick below is an exact-key lookup, so a lookup costs about the
same with a thousand partner domains as with a hundred thousand. The index is a handful
of flat buffers (strings, byte blobs, arrays of hashes), not an object per domain: built
before a server forks, it is shared by the workers page for page.

Terms: the *registrable domain* of ``mail.acme.co.uk`` is ``acme.co.uk`` (Public Suffix
List); its *label* is ``acme`` and its *suffix* ``co.uk``. The *skeleton* of a text is its
Unicode TR39 skeleton (each character mapped to the prototype it can be confused with, per
Unicode's confusables.txt), case-folded, with ``rn`` written ``m`` and ``vv`` written ``w``.

Techniques, strongest first. When several protected domains match, the strongest
technique wins; within one, the protected domain under the candidate's own suffix, then the
longest label, then the first in alphabetical order.

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
                  short names one letter apart are mostly unrelated companies:
                  ``delta-group.com`` is not reported for ``deltagroupe.fr``).
``other_suffix``  the same label under another suffix: ``partnerb.co``, ``partnerb.com.de``.
                  Labels of 4+ characters that are not generic words.
``added_word``    the protected label is a word of the candidate's label, separated by
                  hyphens or digits (``partnerb-invoices.example``, ``invoice-partnerb.com``,
                  ``partnerb24.de``; labels of 4+ characters), or joined without a separator
                  at the start or the end of a word (``partnerbinvoices.com``,
                  ``securepartnerb.com``; labels of 6+ characters: in the middle of a longer
                  word, six letters are mostly a coincidence). Generic words excluded.

Short names. A protected label of under ``LONG_LABEL`` (8) characters, hyphens not
counted, is one letter from many other companies' names, and a large directory holds many
such labels: one substitution in a five-letter name is a different word far more often
than in a twelve-letter one. For such a label:

* ``edit`` takes only a change the eye passes over: a letter for one of like shape
  (``l``/``i``, ``c``/``e``, ``n``/``h``, ``u``/``v``: :data:`_LIKE_SHAPES`), a letter
  doubled or a double written once, two neighbours swapped after the first letter. Any
  other letter changed, added or dropped reads as another name (``orange`` and
  ``trange``), and is not reported;
* ``added_word`` takes only the words a fraudster adds (:data:`BUSINESS_WORDS`,
  :data:`GENERIC_WORDS`, numbers): ``acme-payments`` is reported, ``acme-kitchen`` not;
* a label that begins or ends at least ``COMMON_MIN`` (2) other, longer protected labels
  is a word this directory's companies build their names from (``freight`` beside
  ``nordicfreight`` and ``freightlines``), and takes no ``other_suffix`` or ``added_word``
  at all, as a generic word does.

Long labels take every technique as above, whatever else the directory holds (a group's
name that begins its companies' names stays the group's). A label that is generic words run
together (``techgroup``) is not looked for inside a longer word without a separator.

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

What the index cannot know: a large brand owns look-alikes of its own name
(``googlemail.com``, ``onmicrosoft.com`` for ``google.com``, ``microsoft.com``). Such a
domain is reported as an added word unless the caller protects it too, or tells it apart
(free-mail providers, for one, are judged by another check).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from cachetools import LRUCache, cached
from rapidfuzz.distance import OSA

from caveat.mail.domains import _PSL, normalise_domain, org_domain, to_unicode
from caveat.mail.names import LEGAL_FORMS, confusable_prototypes
from caveat.mail.words import Listed, Phrase, Words, listed, words

__all__ = [
    "BUSINESS_WORDS",
    "GENERIC_WORDS",
    "TECHNIQUES",
    "LookalikeIndex",
    "LookalikeMatch",
    "skeleton",
]

#: Every technique :meth:`LookalikeIndex.match` reports (the module docstring ranks them).
TECHNIQUES = ("confusable", "edit", "hyphen", "added_word", "other_suffix", "subdomain")

# Minimum lengths, in skeleton characters of the protected label.
CONFUSABLE_MIN = 3
HYPHEN_MIN = 4  # counted without the hyphens
EDIT_MIN = 5  # both labels
OTHER_SUFFIX_MIN = 4  # also for confusable and hyphen when the suffix differs
WORD_MIN = 4
SUBSTRING_MIN = 6
#: From this many characters (hyphens not counted) a protected label is long enough that
#: another company's name is rarely one edit from it or built around it by chance. Shorter
#: labels collide with unrelated names, the more so the larger the directory: for them
#: ``edit`` takes only a change the eye passes over (letters of like shape, a letter
#: doubled or undoubled, neighbours swapped after the first letter), ``added_word`` only
#: words a fraudster adds (:data:`BUSINESS_WORDS`, numbers), and a short label that the
#: directory itself uses as a word (``COMMON_MIN``) takes no ``other_suffix`` or
#: ``added_word`` at all.
LONG_LABEL = 8
#: A protected label that begins or ends this many other, longer protected labels is a
#: word companies in this directory build their names from (``freight``, ``labs``).
COMMON_MIN = 2

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

#: Words fraudsters add to a partner's name, beside :data:`GENERIC_WORDS`: billing words
#: in the languages of the product's users and legal forms.
BUSINESS_WORDS = LEGAL_FORMS | frozenset(
    """
    accounting accountspayable ap ar billing buchhaltung cobros compta comptabilite docs
    documents facturas facturation facture factures factura fattura fatture finanz finanzen
    hr invoicing kreditoren ltd pagamenti pagamentos pago pagos payable receivable rechnung
    rechnungen signin sso treasury update verify verification zahlung zahlungen
    """.split()
)

#: Lower-case letters of like shape, told apart at a glance only by a careful reader.
_LIKE_SHAPES = frozenset(
    frozenset(pair) for pair in "il ij lt ft ce co uv vw vy nh nm nr bh bd pq gq".split()
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
    #: one short sentence saying what changed: English, worded again in the reader's
    #: language (a phrase of caveat.mail.words)
    detail: str


# --------------------------------------------------------------------------- skeletons


def _prototypes() -> dict[int, str]:
    """confusables.txt as a ``str.translate`` table: code point -> prototype (read once,
    shared with the display-name folding of :mod:`caveat.mail.names`)."""
    return confusable_prototypes()


def _map(text: str) -> str:
    """TR39 skeleton (NFD, prototypes, NFD), case-folded; again while case-folding changes
    it (a prototype's lower case may have a prototype of its own)."""
    table = _prototypes()
    s = text
    for _ in range(3):
        t = unicodedata.normalize("NFD", unicodedata.normalize("NFD", s).translate(table))
        t = t.casefold()
        if t == s:
            break
        s = t
    return s


@cache
def _ascii_table() -> dict[int, str]:
    return {cp: _map(chr(cp)) for cp in range(128) if _map(chr(cp)) != chr(cp)}


def skeleton(text: str) -> str:
    """The comparison key of a label: equal keys look the same to a reader."""
    s = text.translate(_ascii_table()) if text.isascii() else _map(text)
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


_FUZZY = 1  # takes part in the fuzzy techniques at all
_PLAIN = 2  # and in other_suffix and added_word (not a generic word)
_COMMON = 4  # a building block of other protected names (see _common_flags)


class _Entry:
    """One protected registrable domain, as the techniques read it (made on demand: the
    index itself keeps no Python object per domain)."""

    __slots__ = ("common", "domain", "fuzzy", "label", "owner", "plain", "size", "skel", "suffix")

    def __init__(self, domain: str, owner: str, skel: str, flags: int) -> None:
        self.domain = domain
        self.owner = owner
        self.label, _, self.suffix = domain.partition(".")
        self.skel = skel
        self.size = len(skel) - skel.count("-")  # characters, hyphens not counted
        self.fuzzy = bool(flags & _FUZZY)
        self.plain = bool(flags & _PLAIN)
        self.common = bool(flags & _COMMON)

    @property
    def short(self) -> bool:
        """Short enough for another company to have the same or a neighbouring name by
        chance (see ``LONG_LABEL``)."""
        return self.size < LONG_LABEL


def _key(s: str) -> int:
    return hash(s) & _MASK64


def _deletions(s: str) -> Iterator[str]:
    yield s
    for k in range(len(s)):
        yield s[:k] + s[k + 1 :]


def _near_key(s: str, suffix_hash: int) -> int:
    return (hash(s) ^ suffix_hash) & _MASK64


def _suffix_hash(suffix: str) -> int:
    return (hash(suffix) * 0x9E3779B97F4A7C15) & _MASK64


def _filter(hashes: array[int], bits_per_key: int = 8) -> tuple[bytearray, int]:
    """A one-hash bit filter of ``hashes`` (their low bits): most keys that are not there
    are turned away without a search."""
    bits = max(10, (bits_per_key * len(hashes)).bit_length())
    mask = (1 << bits) - 1
    seen = bytearray(1 << (bits - 3))
    for h in hashes:
        h &= mask
        seen[h >> 3] |= 1 << (h & 7)
    return seen, mask


class _Table:
    """A multimap from 64-bit keys to entry numbers: two parallel arrays sorted by key and
    bucket offsets on the keys' top bits, so that a search bisects a handful of keys, and a
    bit filter that turns most absent keys away first. A few Python objects whatever its
    size."""

    __slots__ = ("_buckets", "_ids", "_keys", "_seen", "_seen_mask", "_shift")

    def __init__(self, packed: list[int]) -> None:
        """``packed``: ``key << 32 | entry`` per pair (sorted here, in place)."""
        packed.sort()
        self._keys = array("Q", [p >> 32 for p in packed])
        self._ids = array("I", [p & 0xFFFFFFFF for p in packed])
        bits = max(0, len(packed).bit_length() - 3)
        self._shift = 64 - bits
        keys = self._keys
        self._buckets = array("I", [bisect_left(keys, b << self._shift) for b in range(1 << bits)])
        self._buckets.append(len(keys))
        self._seen, self._seen_mask = _filter(keys)

    def __len__(self) -> int:
        return len(self._keys)

    def get(self, key: int) -> tuple[int, ...]:
        h = key & self._seen_mask
        if not self._seen[h >> 3] & (1 << (h & 7)):
            return ()
        keys = self._keys
        b = key >> self._shift
        hi = self._buckets[b + 1]
        j = bisect_left(keys, key, self._buckets[b], hi)
        if j == hi or keys[j] != key:
            return ()
        k = j + 1
        while k < hi and keys[k] == key:
            k += 1
        return tuple(self._ids[j:k])


def _slip(cand: str, prot: str) -> bool:
    """``cand`` is one edit from ``prot`` that the eye passes over in a short name: a
    letter of like shape for another, a letter doubled or a double written once, or two
    neighbours swapped after the first letter. (Any other edit of a short name reads as
    another name, and in a large directory it mostly is one.)"""
    la, lb = len(cand), len(prot)
    i = 0
    while i < min(la, lb) and cand[i] == prot[i]:
        i += 1
    if la == lb:
        if i >= la:
            return False
        if cand[i + 1 :] == prot[i + 1 :]:
            return frozenset((cand[i], prot[i])) in _LIKE_SHAPES
        return (
            i > 0
            and i + 1 < la
            and cand[i] == prot[i + 1]
            and cand[i + 1] == prot[i]
            and cand[i + 2 :] == prot[i + 2 :]
        )
    longer, shorter = (cand, prot) if la > lb else (prot, cand)
    if len(longer) != len(shorter) + 1 or longer[i + 1 :] != shorter[i:]:
        return False
    c = longer[i]
    return (i > 0 and longer[i - 1] == c) or (i + 1 < len(longer) and longer[i + 1] == c)


def _common_flags(bares: list[str], flags: bytearray, ids: list[int]) -> None:
    """Mark the labels that begin or end at least ``COMMON_MIN`` other, longer protected
    labels (hyphens ignored): in this directory they are words companies build their
    names from (``freight`` of ``nordicfreight`` and ``freight-partners``), not one
    company's name."""
    distinct = sorted(set(bares))
    backwards = sorted(b[::-1] for b in distinct)
    for i, bare in zip(ids, bares, strict=True):
        if not WORD_MIN <= len(bare) < LONG_LABEL:
            continue  # only a short label's commonness is asked about
        found = 0
        for table, key in ((distinct, bare), (backwards, bare[::-1])):
            lo = bisect_left(table, key)
            found += bisect_left(table, key + "\U0010ffff", lo) - lo - 1
        if found >= COMMON_MIN:
            flags[i] |= _COMMON


# --------------------------------------------------------------------------- the index


class LookalikeIndex:
    """Protected registrable domains, indexed for every look-alike technique.

    Compact and fork-friendly: the domains are one string and the owners one UTF-8 blob,
    both with an array of offsets; every lookup table is a pair of sorted arrays of 64-bit
    hashes and entry numbers (the edit-distance neighbourhood stores 32 bits of each hash
    per key and finds the rest through its bucket). A lookup reads these buffers and
    touches no per-domain Python object, so after ``gc.freeze()`` and ``fork()`` the
    workers share the pages.
    """

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
            # The Public Suffix List directly: the cached org_domain() would only churn
            # its cache with a directory's worth of names seen once.
            org = _PSL.privatesuffix(d) if d else None
            if org is None:
                continue
            # One owner per registrable domain, whatever the input order.
            cur = owners.get(org)
            if cur is None or (owner.casefold(), owner) < (cur.casefold(), cur):
                owners[org] = owner
        domains = sorted(owners)
        self._n = len(domains)
        self._names = "".join(domains)  # ASCII: one byte a character
        self._name_at = array("I", [0])
        owner_blob = bytearray()
        self._owner_at = array("I", [0])
        for d in domains:
            self._name_at.append(self._name_at[-1] + len(d))
            owner_blob += owners[d].encode("utf-8", "surrogatepass")
            self._owner_at.append(len(owner_blob))
        self._owner_blob = bytes(owner_blob)
        del owners, owner_blob
        self._flags = bytearray(self._n)
        org_keys: list[int] = []
        skel_keys: list[int] = []
        bare_keys: list[int] = []  # hyphenated labels only
        bares: list[str] = []
        bare_ids: list[int] = []
        ends: list[int] = []
        sub_lengths: set[int] = set()
        pairs: list[int] = []
        self._max_org_labels = 2
        self._max_parts = 1
        for i, domain in enumerate(domains):
            org_keys.append((_key(domain) << 32) | i)
            self._max_org_labels = max(self._max_org_labels, domain.count(".") + 1)
            label, _, suffix = domain.partition(".")
            label_u = to_unicode(label) if "xn--" in label else label
            skel = skeleton(label_u)
            skel_keys.append((_key(skel) << 32) | i)
            if label.isdigit() or label_u.startswith("xn--"):
                continue
            plain = label_u not in generic and skel not in generic
            self._flags[i] = _FUZZY | (_PLAIN if plain else 0)
            bare = skel
            if "-" in skel:
                bare = skeleton(label_u.replace("-", ""))
                bare_keys.append((_key(bare) << 32) | i)
                self._max_parts = max(self._max_parts, skel.count("-") + 1)
            if plain:
                bares.append(bare)
                bare_ids.append(i)
            if plain and len(skel) >= SUBSTRING_MIN:
                ends.append(hash("<" + skel[:SUBSTRING_MIN]))
                ends.append(hash(">" + skel[-SUBSTRING_MIN:]))
                sub_lengths.add(len(skel))
            if len(skel) >= EDIT_MIN:
                sh = _suffix_hash(suffix)
                keys = {(hash(skel[:k] + skel[k + 1 :]) ^ sh) & _MASK64 for k in range(len(skel))}
                keys.add((hash(skel) ^ sh) & _MASK64)
                pairs.extend([(h << 32) | i for h in keys])
        del domains
        self._orgs = _Table(org_keys)
        self._by_skel = _Table(skel_keys)
        self._by_bare = _Table(bare_keys)
        del org_keys, skel_keys, bare_keys
        _common_flags(bares, self._flags, bare_ids)
        del bares, bare_ids
        self._sub_lengths = tuple(sorted(sub_lengths, reverse=True))
        # Which labels start or end with a given six characters: a one-hash bit filter, so
        # that the search for a label inside a longer one tries lengths only where one may be.
        bits = max(10, (16 * len(ends)).bit_length())
        self._ends_mask = (1 << bits) - 1
        self._ends = bytearray(1 << (bits - 3))
        for h in ends:
            h &= self._ends_mask
            self._ends[h >> 3] |= 1 << (h & 7)
        del ends
        # Deletion neighbourhood: 64-bit hashes of every protected skeleton label and its
        # one-character deletions (with the suffix), sorted; the top bits choose a bucket
        # (its start in an offsets array), the next 32 are stored, beside the entry number.
        pairs.sort()
        bits = max(0, len(pairs).bit_length() - 4)
        self._shift = 64 - bits
        low = self._shift - 32
        self._keys = array("I", [(p >> (32 + low)) & 0xFFFFFFFF for p in pairs])
        self._ids = array("I", [p & 0xFFFFFFFF for p in pairs])
        top = self._shift + 32
        self._buckets = array("I", [bisect_left(pairs, b << top) for b in range(1 << bits)])
        self._buckets.append(len(pairs))
        del pairs

    def _domain(self, i: int) -> str:
        return self._names[self._name_at[i] : self._name_at[i + 1]]

    def _entry(self, i: int) -> _Entry:
        domain = self._domain(i)
        label = domain.partition(".")[0]
        skel = skeleton(to_unicode(label) if "xn--" in label else label)
        at = self._owner_at
        owner = self._owner_blob[at[i] : at[i + 1]].decode("utf-8", "surrogatepass")
        return _Entry(domain, owner, skel, self._flags[i])

    def _org_id(self, d: str) -> int | None:
        for i in self._orgs.get(_key(d)):
            if self._domain(i) == d:
                return i
        return None

    def _same_skel(self, skel: str) -> list[_Entry]:
        return [e for e in map(self._entry, self._by_skel.get(_key(skel))) if e.skel == skel]

    def _same_bare(self, bare: str) -> list[_Entry]:
        found = map(self._entry, self._by_bare.get(_key(bare)))
        return [e for e in found if skeleton(to_unicode(e.label).replace("-", "")) == bare]

    def _has_end(self, key: str) -> bool:
        h = hash(key) & self._ends_mask
        return bool(self._ends[h >> 3] & (1 << (h & 7)))

    def __len__(self) -> int:
        return self._n

    def is_protected(self, domain: str) -> bool:
        """The domain is a protected registrable domain or one of its sub-domains."""
        d = _clean(domain)
        return d is not None and self._protected(d)

    def _protected(self, d: str) -> bool:
        while True:
            if self._org_id(d) is not None:
                return True
            dot = d.find(".")
            if dot < 0:
                return False
            d = d[dot + 1 :]

    def match(self, domain: str, written: str = "") -> LookalikeMatch | None:
        """The protected domain this one imitates, with the technique; None when none.

        ``written``: the domain as the message wrote it, when known. It changes nothing
        about the match, which is made on the folded form; the detail names the characters
        as written ("the letter 'l' is replaced by the letter 'I'")."""
        d = _clean(domain)
        if d is None or not self._n or self._protected(d):
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
        shown = _written_label(written, d, org, label_u)
        return _Query(self, d, label, label_u, suffix, shown).run()

    # ------------------------------------------------------------------ subdomain

    def _subdomain(self, d: str, org: str) -> LookalikeMatch | None:
        labels = d.split(".")
        starts = [0]
        for lab in labels:
            starts.append(starts[-1] + len(lab) + 1)
        label_end = len(d) - len(org) + org.find(".")  # end of the registrable label
        n_sub = len(labels) - org.count(".") - 1  # labels left of the registrable domain
        best: tuple[tuple[int, int, str], int, Phrase] | None = None
        for i in range(len(labels) - 1):
            for size in range(2, self._max_org_labels + 1):
                end = starts[i + size] - 1
                if i + size >= len(labels) or end > label_end:
                    break
                idx = self._org_id(d[starts[i] : end])
                if idx is not None:
                    e = self._entry(idx)
                    key = (0, -len(e.domain), e.domain)
                    if best is None or key < best[0]:
                        tail = d[end:]
                        name = to_unicode(e.domain)
                        if end < len(d) - len(org):
                            how = _SUB_DOMAIN(domain=name, org=to_unicode(org))
                        else:
                            how = _ADDED_END(domain=name, tail=to_unicode(tail))
                        best = (key, idx, how)
        for lab in labels[:n_sub]:
            for k, ch in enumerate(lab):
                if ch != "-":
                    continue
                idx = self._org_id(lab[:k] + lab[k:].replace("-", "."))
                if idx is not None:
                    e = self._entry(idx)
                    key = (1, -len(e.domain), e.domain)
                    if best is None or key < best[0]:
                        text = _SUB_DOMAIN_WRITTEN(
                            domain=to_unicode(e.domain), label=to_unicode(lab), org=to_unicode(org)
                        )
                        best = (key, idx, text)
        if best is None:
            return None
        e = self._entry(best[1])
        return LookalikeMatch(d, e.domain, e.owner, "subdomain", best[2])

    # ------------------------------------------------------------------ edit distance

    def _near(self, skel: str, suffix: str) -> set[int]:
        """Entries whose skeleton label may share a deletion with ``skel``, same suffix
        (a hash match: the caller measures the distance)."""
        out: set[int] = set()
        keys, ids, buckets, shift = self._keys, self._ids, self._buckets, self._shift
        low = shift - 32
        sh = _suffix_hash(suffix)
        for s in _deletions(skel):
            h = _near_key(s, sh)
            b = h >> shift
            k = (h >> low) & 0xFFFFFFFF
            hi = buckets[b + 1]
            j = bisect_left(keys, k, buckets[b], hi)
            while j < hi and keys[j] == k:
                out.add(ids[j])
                j += 1
        return out


class _Query:
    """One candidate's registrable label, tried against the index technique by technique."""

    __slots__ = ("ascii_label", "d", "index", "label", "shown", "skel", "suffix")

    def __init__(
        self,
        index: LookalikeIndex,
        d: str,
        ascii_label: str,
        label: str,
        suffix: str,
        shown: str | None = None,
    ) -> None:
        self.index = index
        self.d = d
        self.ascii_label = ascii_label
        self.label = label  # Unicode form
        #: the label as written, character for character with ``label``: for details only
        self.shown = shown or label
        self.suffix = suffix  # ASCII form
        self.skel = skeleton(label)

    def _result(self, e: _Entry, technique: str, detail: Phrase | Listed) -> LookalikeMatch:
        if e.suffix != self.suffix:
            detail = _OTHER_SUFFIX(
                change=detail, suffix=to_unicode(self.suffix), expected=to_unicode(e.suffix)
            )
        return LookalikeMatch(self.d, e.domain, e.owner, technique, detail)

    def _rank(self, e: _Entry) -> tuple[bool, int, str]:
        return (e.suffix != self.suffix, -len(e.skel), e.domain)

    def run(self) -> LookalikeMatch | None:
        index, skel = self.index, self.skel
        entry = index._entry
        same_skel = index._same_skel(skel)
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
            text = _confusable_detail(self.label, to_unicode(e.label), self.shown)
            return self._result(e, "confusable", text)
        # hyphen: the same once hyphens are ignored
        bare = skeleton(self.label.replace("-", "")) if "-" in self.label else skel
        if len(bare) >= HYPHEN_MIN:
            found = index._same_bare(bare)
            if bare != skel:
                found += index._same_skel(bare)
            hits = [
                e
                for e in found
                if e.fuzzy
                and e.skel != skel
                and (e.suffix == self.suffix or len(bare) >= OTHER_SUFFIX_MIN)
            ]
            if hits:
                e = min(hits, key=self._rank)
                text = _hyphen_detail(self.label, to_unicode(e.label), self.shown)
                return self._result(e, "hyphen", text)
        # edit: one change on the skeletons, same suffix; in a short name only a change the
        # eye passes over
        if len(skel) >= EDIT_MIN:
            hits = [
                e
                for e in map(entry, index._near(skel, self.suffix))
                if e.suffix == self.suffix
                and e.fuzzy
                and len(e.skel) >= EDIT_MIN
                and e.skel != skel
                and OSA.distance(skel, e.skel, score_cutoff=1) <= 1
                and (not e.short or _slip(skel, e.skel))
            ]
            if hits:
                e = min(hits, key=self._rank)
                return self._result(e, "edit", self._edit_detail(e))
        # other_suffix: the same label elsewhere
        hits = [
            e
            for e in same_skel
            if e.plain
            and e.suffix != self.suffix
            and len(skel) >= OTHER_SUFFIX_MIN
            and not (e.short and e.common)
        ]
        if hits:
            e = min(hits, key=self._rank)
            same = _SAME_NAME(suffix=to_unicode(self.suffix), expected=to_unicode(e.suffix))
            return LookalikeMatch(self.d, e.domain, e.owner, "other_suffix", same)
        return self._added_word()

    def _edit_detail(self, e: _Entry) -> Phrase:
        text = _edit_phrase(self.label, to_unicode(e.label), self.shown)
        if text is None:
            text = _AND_LOOKALIKE(change=_edit_phrase(self.skel, e.skel) or _ONE_CHANGED())
        return text

    # ------------------------------------------------------------------ added words

    def _added_word(self) -> LookalikeMatch | None:
        index = self.index
        parts = self.label.split("-")
        if len(parts) > 32 or "" in parts:
            parts = [p for p in parts if p][:32]
        skels = [skeleton(p) for p in parts]
        n = len(parts)
        # order: 0 a word, 1 a word with its hyphens changed, 2 digits around, 3 a plain part
        # best: (rank, entry, what is added, order, the text that imitates the label)
        best: tuple[tuple[bool, int, int, str], _Entry, list[str], int, str] | None = None

        def consider(found: list[_Entry], order: int, extra: list[str], text: str) -> None:
            nonlocal best
            minimum = SUBSTRING_MIN if order == 3 else WORD_MIN
            for e in found:
                if not e.plain or len(e.skel) < minimum:
                    continue
                if e.common and e.short:
                    continue  # a word of many names in this directory
                if order == 3 and _generic_compound(e.skel):
                    continue  # generic words run together: inside many names by chance
                if e.short and not all(_business_word(w) for w in extra if w):
                    continue  # a short name beside an unremarkable word: mostly chance
                s, length, name = self._rank(e)
                key = (s, length, order, name)
                if best is None or key < best[0]:
                    best = (key, e, extra, order, text)

        same_skel, same_bare = index._same_skel, index._same_bare
        for i in range(n):
            for j in range(i + 1, min(n, i + index._max_parts) + 1):
                if j - i == n:
                    break
                extra = parts[:i] + parts[j:]
                text = "-".join(parts[i:j])
                consider(same_skel("-".join(skels[i:j])), 0, extra, text)
                if j - i > 1:
                    consider(same_skel(skeleton("".join(parts[i:j]))), 1, extra, text)
                elif len(index._by_bare):
                    consider(same_bare(skels[i]), 1, extra, text)
        for p, part in enumerate(parts):
            if part.isascii() and not part.isalpha() and not part.isdigit():
                tokens = [t for t in _DIGITS.split(part) if t]
                if len(tokens) > 1:
                    for k, tok in enumerate(tokens):
                        if tok.isdigit():
                            continue
                        extra = parts[:p] + tokens[:k] + tokens[k + 1 :] + parts[p + 1 :]
                        consider(same_skel(skeleton(tok)), 2, extra, tok)
        # a protected label at the start or the end of a part, with no separator
        lengths = index._sub_lengths
        for p, (part, s) in enumerate(zip(parts, skels, strict=True)):
            size = len(s)
            if size <= SUBSTRING_MIN:
                continue
            src = part if len(part) == size else s
            for at_start in (True, False):
                if not index._has_end(
                    ("<" + s[:SUBSTRING_MIN]) if at_start else (">" + s[-SUBSTRING_MIN:])
                ):
                    continue
                for length in lengths:
                    if length >= size:
                        continue
                    key = s[:length] if at_start else s[size - length :]
                    found = same_skel(key)
                    if found:
                        if at_start:
                            text, rest = src[:length], src[length:]
                        else:
                            text, rest = src[size - length :], src[: size - length]
                        consider(found, 3, [*parts[:p], rest, *parts[p + 1 :]], text)
                        break
        if best is None:
            return None
        _, e, extra, order, text = best
        detail = _added_detail(extra, e, text, to_unicode(e.label), order)
        return self._result(e, "added_word", detail)


@lru_cache(maxsize=4096)
def _generic_compound(skel: str) -> bool:
    """The label is generic words run together (``techgroup``, ``datasystems``)."""
    ok = [True] + [False] * len(skel)
    for end in range(1, len(skel) + 1):
        ok[end] = any(
            ok[start] and skel[start:end] in GENERIC_WORDS for start in range(max(0, end - 14), end)
        )
    return ok[-1] and skel not in GENERIC_WORDS


def _business_word(word: str) -> bool:
    """A word a fraudster adds to a partner's name (``invoices``, ``pay``, ``gmbh``), or a
    number."""
    w = skeleton(word)
    return w.isdigit() or w in BUSINESS_WORDS or w in GENERIC_WORDS


# --------------------------------------------------------------------------- details
#
# A detail is a phrase (caveat.mail.words): English text that the reader's language words
# again, the characters, words and domains it names inner values written as they are.

_W = "lookalike"
_LOOKALIKE_USED = words(f"{_W}.lookalike_used", "look-alike characters are used")
_AND_LOOKALIKE = words(f"{_W}.and_lookalike", "{change}, and look-alike characters are used")
_REPLACED = words(f"{_W}.replaced", "{old} is replaced by {new}")
_STANDS_IN = words(f"{_W}.stands_in", "'{new}' stands in for '{old}'")
_TWICE = words(f"{_W}.twice", "{change} twice")
_TIMES = words(f"{_W}.times", "{change} {count} times", "{change} {count} times")
_MORE = words(
    f"{_W}.more",
    "{changes}, and {count} more look-alike characters are used",
    "{changes}, and {count} more look-alike characters are used",
)
_OTHER_SUFFIX = words(f"{_W}.other_suffix", "{change}, under .{suffix} instead of .{expected}")
_SAME_NAME = words(f"{_W}.same_name", "same name under .{suffix} instead of .{expected}")
_SUB_DOMAIN = words(f"{_W}.sub_domain", "{domain} is used as a sub-domain of {org}")
_ADDED_END = words(f"{_W}.added_end", "{domain} has '{tail}' added at the end")
_SUB_DOMAIN_WRITTEN = words(
    f"{_W}.sub_domain_written", "{domain}, written '{label}', is used as a sub-domain of {org}"
)
_HYPHENS_CHANGED = words(
    f"{_W}.hyphens_changed", "the hyphens are changed: '{old}' becomes '{new}'"
)
_HYPHEN_ADDED = words(f"{_W}.hyphen_added", "a hyphen is added between '{left}' and '{right}'")
_HYPHEN_REMOVED = words(
    f"{_W}.hyphen_removed", "the hyphen between '{left}' and '{right}' is removed"
)
_HYPHENS_ADDED = words(f"{_W}.hyphens_added", "hyphens are added: '{new}'")
_HYPHENS_REMOVED = words(f"{_W}.hyphens_removed", "the hyphens are removed: '{new}'")
_HYPHENS_MOVED = words(f"{_W}.hyphens_moved", "the hyphens are moved: '{old}' becomes '{new}'")
_DOUBLED = words(f"{_W}.doubled", "{char} is doubled")
_DOUBLE_SINGLE = words(f"{_W}.double_single", "the double '{double}' is written with one '{char}'")
_MISSING_AFTER = words(f"{_W}.missing_after", "{char} after '{before}' is missing")
_MISSING_START = words(f"{_W}.missing_start", "{char} at the start is missing")
_ONE_CHANGED = words(f"{_W}.one_changed", "one character is changed")
_WRITTEN_AS = words(f"{_W}.written_as", "{domain} is written '{text}'")
_QUOTED = words(f"{_W}.quoted", "'{text}'")
_NUMBER = words(f"{_W}.number", "the number '{text}'")
_WORD = words(f"{_W}.word", "the word '{text}'")
_ADDED = words(f"{_W}.added", "{items} is added", "{items} are added")
_ADDED_TO_NAME = words(
    f"{_W}.added_to_name", "{items} is added to the name", "{items} are added to the name"
)
_AND_WRITTEN = words(f"{_W}.and_written", "{change}, and '{name}' is written '{text}'")

#: the kinds of character a detail names: (kind, with a script) -> "the letter 'x'" ...
_THE = {
    ("letter", False): words(f"{_W}.the.letter", "the letter '{char}'"),
    ("digit", False): words(f"{_W}.the.digit", "the digit '{char}'"),
    ("character", False): words(f"{_W}.the.character", "the character '{char}'"),
    ("hyphen", False): words(f"{_W}.the.hyphen", "the hyphen '{char}'"),
    ("letter", True): words(f"{_W}.the.script_letter", "the {script} letter '{char}'"),
    ("digit", True): words(f"{_W}.the.script_digit", "the {script} digit '{char}'"),
}
_EXTRA = {
    ("letter", False): words(f"{_W}.extra.letter", "an extra letter '{char}' is inserted"),
    ("digit", False): words(f"{_W}.extra.digit", "an extra digit '{char}' is inserted"),
    ("character", False): words(f"{_W}.extra.character", "an extra character '{char}' is inserted"),
    ("hyphen", False): words(f"{_W}.extra.hyphen", "an extra hyphen '{char}' is inserted"),
    ("letter", True): words(
        f"{_W}.extra.script_letter", "an extra {script} letter '{char}' is inserted"
    ),
    ("digit", True): words(
        f"{_W}.extra.script_digit", "an extra {script} digit '{char}' is inserted"
    ),
}
_SWAPPED = {
    ("letter", False): words(f"{_W}.swapped.letter", "the letters '{a}' and '{b}' are swapped"),
    ("digit", False): words(f"{_W}.swapped.digit", "the digits '{a}' and '{b}' are swapped"),
    ("character", False): words(
        f"{_W}.swapped.character", "the characters '{a}' and '{b}' are swapped"
    ),
    ("letter", True): words(
        f"{_W}.swapped.script_letter", "the {script} letters '{a}' and '{b}' are swapped"
    ),
    ("digit", True): words(
        f"{_W}.swapped.script_digit", "the {script} digits '{a}' and '{b}' are swapped"
    ),
}
#: scripts whose letters pass for Latin ones, named in the reader's language (a script
#: not listed keeps the first word of its Unicode name)
_SCRIPTS = {
    name: words(f"{_W}.script.{name.lower()}", name)
    for name in (
        "Cyrillic", "Greek", "Armenian", "Cherokee", "Coptic", "Georgian", "Hebrew", "Arabic",
    )
}  # fmt: skip


def _kind(c: str) -> tuple[str, Any]:
    """The kind of character ``c`` is ("letter", "digit", "character", "hyphen") and the
    script it belongs to when not Latin ("" when none is named)."""
    if c == "-":
        return "hyphen", ""
    if c.isascii():
        return ("digit" if c.isdigit() else "letter" if c.isalpha() else "character"), ""
    name = unicodedata.name(c, "")
    base = "letter" if " LETTER " in f" {name} " else "digit" if " DIGIT " in name else ""
    if not base:
        return "character", ""
    script = name.split(" ", 1)[0].capitalize()
    if script == "Latin":
        return base, ""
    return base, (_SCRIPTS[script]() if script in _SCRIPTS else script)


def _kinded(table: dict[tuple[str, bool], Words], c: str, **values: Any) -> Phrase:
    kind, script = _kind(c)
    if script:
        return table[kind, True](script=script, **values)
    return table[kind, False](**values)


def _show(c: str) -> str:
    if len(c) == 1 and unicodedata.category(c).startswith(("M", "C", "Z")):
        return f"U+{ord(c):04X}"
    return c


def _the(c: str) -> Phrase:
    if len(c) != 1:
        return _QUOTED(text=c)
    return _kinded(_THE, c, char=_show(c))


def _written_label(written: str, d: str, org: str, label_u: str) -> str | None:
    """The registrable label of ``written`` (the domain as the message wrote it) when it is
    ``label_u`` character for character, but for case or compatibility forms; else None.

    The details compare folded labels and show the characters of this one."""
    if not written:
        return None
    labels = written.rstrip(".").split(".")
    if len(labels) != d.count(".") + 1:
        return None
    label = labels[len(labels) - org.count(".") - 1]
    if label.lower().startswith("xn--") or len(label) != len(label_u):
        return None  # punycode carries no case of its own: the decoded label is shown
    for w, u in zip(label, label_u, strict=True):
        if w != u and w.lower() != u and unicodedata.normalize("NFKC", w).lower() != u:
            return None
    return label


def _split_like(cand: str, shown: str) -> list[str]:
    """``shown`` cut where ``cand`` (the same length) has its hyphens."""
    out, start = [], 0
    for i, c in enumerate(cand):
        if c == "-":
            out.append(shown[start:i])
            start = i + 1
    out.append(shown[start:])
    return out


def _confusable_detail(cand: str, prot: str, shown: str | None = None) -> Phrase | Listed:
    """What changed from ``prot`` to ``cand``; the characters named as ``shown`` (``cand``
    as written, character for character) writes them."""
    written = shown if shown is not None and len(shown) == len(cand) else cand
    changes: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, prot, cand, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        a, b = prot[i1:i2], written[j1:j2]
        if not a or not b:
            return _LOOKALIKE_USED()
        changes.extend(zip(a, b, strict=True) if len(a) == len(b) else [(a, b)])
    counts: dict[tuple[str, str], int] = {}
    for change in changes:
        counts[change] = counts.get(change, 0) + 1
    phrases: list[Phrase] = []
    for (a, b), times in counts.items():
        if len(a) == 1 and len(b) == 1:
            text = _REPLACED(old=_the(a), new=_the(b))
        else:
            text = _STANDS_IN(new=b, old=a)
        if times > 1:
            text = _TWICE(change=text) if times == 2 else _TIMES(count=times, change=text)
        phrases.append(text)
    if not phrases:
        return _LOOKALIKE_USED()
    first = phrases[0] if len(phrases) == 1 else listed(phrases[:2])
    if len(phrases) > 2:
        return _MORE(count=len(phrases) - 2, changes=first)
    return first


def _hyphen_detail(cand: str, prot: str, shown: str | None = None) -> Phrase:
    written = shown if shown is not None and len(shown) == len(cand) else cand
    cw, pw = _split_like(cand, written), prot.split("-")
    if "" in cw or "" in pw:
        text = _HYPHENS_CHANGED(old=prot, new=written)
    elif len(pw) == 1 and len(cw) == 2:
        text = _HYPHEN_ADDED(left=cw[0], right=cw[1])
    elif len(cw) == 1 and len(pw) == 2:
        text = _HYPHEN_REMOVED(left=pw[0], right=pw[1])
    elif len(pw) == 1:
        text = _HYPHENS_ADDED(new=written)
    elif len(cw) == 1:
        text = _HYPHENS_REMOVED(new=written)
    else:
        text = _HYPHENS_MOVED(old=prot, new=written)
    if cand.replace("-", "") != prot.replace("-", ""):
        text = _AND_LOOKALIKE(change=text)
    return text


def _edit_phrase(cand: str, prot: str, shown: str | None = None) -> Phrase | None:
    """What single edit turns ``prot`` into ``cand``; None when it is not one edit. The
    characters of ``cand`` are named as ``shown`` (``cand`` as written) writes them."""
    w = shown if shown is not None and len(shown) == len(cand) else cand
    la, lb = len(cand), len(prot)
    i = 0
    while i < min(la, lb) and cand[i] == prot[i]:
        i += 1
    if la == lb and i < la:
        if cand[i + 1 :] == prot[i + 1 :]:
            return _REPLACED(old=_the(prot[i]), new=_the(w[i]))
        if (
            i + 1 < la
            and cand[i] == prot[i + 1]
            and cand[i + 1] == prot[i]
            and cand[i + 2 :] == prot[i + 2 :]
        ):
            a, b = prot[i], prot[i + 1]
            if _kind(a) != _kind(b):
                return _SWAPPED["character", False](a=_show(a), b=_show(b))
            return _kinded(_SWAPPED, a, a=_show(a), b=_show(b))
        return None
    if la == lb + 1 and cand[i + 1 :] == prot[i:]:
        c = cand[i]
        if (i > 0 and cand[i - 1] == c) or (i + 1 < la and cand[i + 1] == c):
            return _DOUBLED(char=_the(w[i]))
        return _kinded(_EXTRA, w[i], char=_show(w[i]))
    if lb == la + 1 and prot[i + 1 :] == cand[i:]:
        c = prot[i]
        if (i > 0 and prot[i - 1] == c) or (i + 1 < lb and prot[i + 1] == c):
            return _DOUBLE_SINGLE(double=c + c, char=c)
        if i:
            return _MISSING_AFTER(char=_the(c), before=prot[:i])
        return _MISSING_START(char=_the(c))
    return None


def _added_detail(extra: list[str], e: _Entry, text: str, prot: str, order: int) -> Phrase:
    parts = [w for w in extra if w]
    if parts == to_unicode(e.suffix).split("."):
        return _WRITTEN_AS(domain=to_unicode(e.domain), text="-".join([prot, *parts]))
    if order == 3:  # joined to the name without a separator: not necessarily a word
        items = [_QUOTED(text=w) for w in parts]
    else:
        items = [_NUMBER(text=w) if w.isdigit() else _WORD(text=w) for w in parts]
    added = _ADDED_TO_NAME if order == 3 else _ADDED
    phrase = added(count=len(items), items=listed(items))
    if order == 1:
        phrase = _AND_WRITTEN(change=phrase, name=prot, text=text)
    elif text != prot:
        phrase = _AND_LOOKALIKE(change=phrase)
    return phrase
