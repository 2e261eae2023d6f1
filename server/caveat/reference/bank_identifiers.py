"""Bank identifiers in a message body: found, validated, masked and compared with the
accounts on file.

What is recognised (validation by python-stdnum, never by hand-written checksums):

* IBAN — anywhere, in any grouping, across a line break; country length and check digits
  must hold (``stdnum.iban``). Also an IBAN split by what stands between its parts: table
  cells read in order with a label between the halves ("IBAN: DE89 3704 0044 | cont.:
  0532 0130 00"), or a bank code and an account number each behind its own label after
  the country and check digits. The parts are joined only where the country's format
  (``stdnum``'s IBAN registry) expects them, so words are skipped and nothing is guessed;
  the check digits then decide;
* BIC / SWIFT — after a label such as "BIC" or "SWIFT" (``stdnum.bic``);
* US ABA routing number — after a label such as "routing" or "ABA", check digit valid
  (``stdnum.us.rtn``), paired with the account number next to it;
* UK sort code — after "sort code", paired with the account number next to it;
* an account number after a bank label ("account number", "Kontonummer", "numéro de
  compte") — no checksum exists for these, so on its own it is a *weak* identifier;
* domestic formats (labels in ``data/account_formats.toml``): a German Kontonummer with
  its Bankleitzahl (the bank code in the Bundesbank's registry, the account through that
  bank's check-digit method: schwifty) and a Czech "prefix-number/bank code"
  (``stdnum.cz.bankaccount``), both compared as the IBAN they make; a Swedish bankgiro or
  plusgiro number (Luhn, ``stdnum.luhn``); a Japanese account number with its branch
  number (and bank code when given); a Chinese account number with its bank (开户行)
  named next to it. Japanese and Chinese accounts have no check digit: the pair of
  labelled parts is what makes them strong; each part alone is weak. Also a Polish NRB
  (26 digits: the IBAN without "PL", its check digits validated as that IBAN and compared
  as it) and a Japan Post Bank account as its 記号 and 番号, keyed as the bank, branch
  and account other banks pay to (:func:`yucho_transfer`), so either form matches the
  other;
* a table whose labels stand in a header row and whose values stand in the row below
  (cells apart by tabs, pipes, spaces, or one space as an HTML table's text has them):
  each label is read with the value under it, and only validated (strong) accounts are
  taken from it.

The accounts on file may be written in any of these forms (:func:`on_file_keys`): an IBAN
on file matches the same account written as Kontonummer and BLZ, and the other way round.

Labels come from the language files (``[extraction]`` in ``data/bank_language``). Text is
folded first (:func:`caveat.mail.textfold.fold`): full-width digits and letters, zero-width
characters and non-breaking spaces do not hide an identifier.

Nothing here stores or logs what it reads; callers get masked forms (``GB29 **** 6819``)
for display and comparison keys for the directory.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from itertools import combinations

from schwifty import IBAN as _SchwiftyIBAN
from schwifty.exceptions import SchwiftyException
from stdnum import bic as _bic
from stdnum import iban as _iban
from stdnum import luhn as _luhn
from stdnum import numdb as _numdb
from stdnum.cz import bankaccount as _cz_account
from stdnum.us import rtn as _rtn

from caveat.mail.textfold import fold

from .bank_language import phrase_book

#: how far (characters) an account number may be from the sort code or routing number
_PAIR_DISTANCE = 160
_IBAN_RE = re.compile(
    r"(?<![a-z0-9])[a-z]{2}[0-9]{2}(?:(?:[ .\-/]{1,2}|[ \t]*\r?\n[ \t]*)?[a-z0-9]){11,30}"
)


_ACCOUNT_KEY_RE = re.compile(r"[^0-9A-Z]")


def account_key(value: str) -> str:
    """The comparison form of an account identifier: upper-case letters and digits only."""
    return _ACCOUNT_KEY_RE.sub("", value.upper())


@dataclass(frozen=True, slots=True)
class Account:
    """One bank account named in a message."""

    #: "iban", "uk" (sort code + account), "us" (routing + account), "de" (Kontonummer +
    #: BLZ), "cz" (Czech account / bank code), "pl" (a Polish NRB: the IBAN without "PL"),
    #: "bankgiro", "plusgiro", "jp" (branch + account, or a Japan Post Bank 記号 and 番号),
    #: "cn" (account with its bank named), "account" (a bare account number)
    kind: str
    #: see account_key(); for "uk" sort code + account, for "us" routing + account, for
    #: "de", "cz" and "pl" the IBAN they make, for "jp" [bank code +] branch + account (a
    #: Japan Post Bank 記号 and 番号 as bank 9900 and the branch and account other banks
    #: pay to), for "bankgiro", "plusgiro" and "cn" the digits
    key: str
    number: str  # the account number alone (for "iban": the BBAN)
    masked: str  # for display: GB29 **** 6819

    @property
    def strong(self) -> bool:
        """Validated or unambiguous: an IBAN, or an account with its sort code or routing
        number. A bare "account number" may be a customer number and is weak."""
        return self.kind != "account"

    def matches(self, on_file: str) -> bool:
        """This account is the one recorded as ``on_file`` (an identifier from the
        directory, in any formatting)."""
        f = account_key(on_file)
        if not f:
            return False
        if self.key in on_file_keys(on_file):
            return True
        if self.kind == "iban":
            return False
        number = self.number.lstrip("0")
        if len(number) < 6:
            return False
        if f.lstrip("0") == number:
            return True  # the account number alone is on file
        if self.kind == "jp":
            # [bank code +] branch + account: what both sides give must agree (two bank
            # codes were compared with the whole key above)
            return any(
                k.isdigit() and {len(k), len(self.key)} == {10, 14} and k[-10:] == self.key[-10:]
                for k in on_file_keys(on_file)
            )
        if self.kind in _DOMESTIC_KINDS:
            return False  # the whole key (an IBAN, a giro number) was compared above
        if _iban.is_valid(f):
            bban = f[4:]
            if self.kind == "uk":
                return f.startswith("GB") and bban.endswith(self.key)
            return bban.endswith(number)
        # "routing/account" or "sort code account" on file, compared by the account part
        return f.endswith(self.number) and len(f) - len(self.number) in (6, 9)


_DOMESTIC_KINDS = frozenset({"de", "cz", "bankgiro", "plusgiro", "jp", "cn", "pl"})
#: on file: a Bankleitzahl and a Kontonummer ("37040044/532013000")
_DE_ON_FILE_RE = re.compile(r"(?:BLZ)?(\d{8})/(?:KTO|KONTO|KONTONR)?(\d{1,10})")
#: on file: a Czech "prefix-number/bank code" ("19-2000145399/0800")
_CZ_ON_FILE_RE = re.compile(r"(?:(\d{1,6})-)?(\d{2,10})/(\d{4})")
#: on file: a Swedish giro number with its scheme named ("Bankgiro 5050-1055")
_GIRO_ON_FILE_RE = re.compile(r"(?:BANKGIRO|PLUSGIRO|POSTGIRO|BG|PG)(?:NR)?[:.]?([0-9\-]{2,12})")
#: on file: a Polish NRB (26 digits, "61 1090 1014 0000 0712 1981 2874")
_NRB_ON_FILE_RE = re.compile(r"(?:NRB:?)?(\d{26})")
#: on file: a Japan Post Bank 記号 and 番号 ("12345-12345671", "ゆうちょ 記号12345 番号12345671")
_YUCHO_ON_FILE_RE = re.compile(
    r"(?:ゆうちょ銀行|ゆうちょ)?[:：]?(?:記号)?[:：]?(1\d{4})(?:[-‐－ー]|番号[:：]?)(\d{1,8})"
)


@lru_cache(maxsize=65536)
def on_file_keys(on_file: str) -> frozenset[str]:
    """The comparison keys of an account written on file (the directory, an indicator):
    its :func:`account_key`, and the key of the same account in the other forms this
    module reads: the IBAN of a German "BLZ/Kontonummer" or a Czech "number/bank code"
    that validates, the digits of a bankgiro or plusgiro named with its scheme."""
    key = account_key(on_file)
    keys = {key} if key else set()
    v = "".join(on_file.split()).upper()
    if m := _DE_ON_FILE_RE.fullmatch(v):
        iban = _de_iban(m.group(1), m.group(2))
        if iban:
            keys.add(iban)
    if m := _CZ_ON_FILE_RE.fullmatch(v):
        iban = _cz_iban(m.group(1) or "", m.group(2), m.group(3))
        if iban:
            keys.add(iban)
    if m := _GIRO_ON_FILE_RE.fullmatch(v):
        digits = m.group(1).replace("-", "")
        if digits.isdigit() and _luhn.is_valid(digits):
            keys.add(digits)
    if (m := _NRB_ON_FILE_RE.fullmatch(v.replace("-", ""))) and _iban.is_valid("PL" + m.group(1)):
        keys.add("PL" + m.group(1))
    if m := _YUCHO_ON_FILE_RE.fullmatch(v):
        transfer = yucho_transfer(m.group(1), m.group(2))
        if transfer is not None:
            keys.add(_YUCHO_BANK + transfer[0] + transfer[1])
    return frozenset(keys)


def on_file_problem(on_file: str) -> str:
    """What is wrong with an account written on file in a domestic form that does not
    validate ("" when nothing is, or when it is in no form this module knows): a giro
    number named with its scheme whose check digit is wrong, a German "BLZ/Kontonummer"
    whose bank code is unknown or whose account fails the bank's check digits, a Czech
    "number/bank code" of a known bank whose check sums fail."""
    v = "".join(on_file.split()).upper()
    if _iban.is_valid(v):
        return ""
    if m := _GIRO_ON_FILE_RE.fullmatch(v):
        digits = m.group(1).replace("-", "")
        if not digits.isdigit() or not _luhn.is_valid(digits):
            return "looks like a Swedish bankgiro or plusgiro number but its check digit is wrong"
        return ""
    de = _DE_ON_FILE_RE.fullmatch(v)
    cz = _CZ_ON_FILE_RE.fullmatch(v)
    if cz and _cz_iban(cz.group(1) or "", cz.group(2), cz.group(3)):
        return ""
    if de and _de_iban(de.group(1), de.group(2)):
        return ""
    if cz and _cz_account.info(f"{cz.group(2)}/{cz.group(3)}").get("bank") is not None:
        return "looks like a Czech account (prefix-number/bank code) but its check digits are wrong"
    if de and not cz:
        if _de_bank_known(de.group(1)):
            return (
                "looks like a German bank code and account number (BLZ/Kontonummer) but "
                "the account number fails that bank's check digits"
            )
        return (
            "looks like a German bank code and account number (BLZ/Kontonummer) but "
            f"{de.group(1)} is not a bank code in the Bundesbank's registry"
        )
    return ""


@lru_cache(maxsize=4096)
def _de_bank_known(blz: str) -> bool:
    try:
        return _SchwiftyIBAN.generate("DE", bank_code=blz, account_code="0").bank is not None
    except SchwiftyException:
        return False


@lru_cache(maxsize=4096)
def _de_iban(blz: str, account: str) -> str:
    """The IBAN of a German account and bank code, or "" when the bank code is not in the
    Bundesbank's registry or the account fails that bank's check-digit method."""
    if len(blz) != 8 or not 1 <= len(account.lstrip("0")) <= 10:
        return ""
    try:
        iban = _SchwiftyIBAN.generate("DE", bank_code=blz, account_code=account.lstrip("0"))
        iban.validate(validate_bban=True)  # the bank's own check-digit method
    except SchwiftyException:
        return ""
    if iban.bank is None:
        return ""
    return str(iban.compact)


@lru_cache(maxsize=4096)
def _cz_iban(prefix: str, number: str, bank: str) -> str:
    """The IBAN of a Czech account ("prefix-number/bank code"), or "" when a check sum
    fails or the bank code is unknown (python-stdnum)."""
    written = f"{prefix}-{number}/{bank}" if prefix else f"{number}/{bank}"
    if not _cz_account.is_valid(written):
        return ""
    bban = bank + prefix.zfill(6) + number.zfill(10)
    iban = "CZ" + _iban.calc_check_digits("CZ00" + bban) + bban
    return iban if _iban.is_valid(iban) else ""


@dataclass(frozen=True, slots=True)
class BankIdentifiers:
    accounts: tuple[Account, ...] = ()
    bics: tuple[str, ...] = ()
    #: routing numbers and sort codes with no account number next to them
    bank_codes: tuple[str, ...] = ()
    #: (account key, where it starts in the folded text) for each account found
    positions: tuple[tuple[str, int], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.accounts or self.bics or self.bank_codes)

    @property
    def strong(self) -> tuple[Account, ...]:
        return tuple(a for a in self.accounts if a.strong)


def mask_iban(compact: str) -> str:
    return f"{compact[:4]} **** {compact[-4:]}"


def _label_regex(labels: tuple[str, ...], value: str) -> re.Pattern[str] | None:
    if not labels:
        return None
    words = sorted(
        (r"\W+".join(re.escape(w) for w in label.split()) for label in labels),
        key=len,
        reverse=True,
    )
    return re.compile(rf"(?<!\w)(?:{'|'.join(words)})(?!\w)[^\w\n]{{0,6}}{value}")


@dataclass(frozen=True)
class _Extractor:
    account: re.Pattern[str] | None
    routing: re.Pattern[str] | None
    sort_code: re.Pattern[str] | None
    bic: re.Pattern[str] | None
    #: how far before its number a label may begin (characters)
    reach: int = 0
    #: words one of which every BIC label has: without one, no BIC pattern is tried
    bic_anchor: re.Pattern[str] | None = None
    #: those words, as plain strings
    bic_words: tuple[str, ...] = ()
    #: the words of each sort code and routing label (a UK or US account needs one)
    pair_labels: tuple[frozenset[str], ...] = ()


#: a run of six digits or more, single separators allowed: where a labelled number can be
_DIGIT_RUN_RE = re.compile(r"\d(?:[ \-.]?\d){5,}")


def _digit_windows(runs: list[re.Match[str]], size: int, reach: int) -> list[tuple[int, int]]:
    """Spans of a text of ``size`` characters that hold every labelled number with its
    label: from ``reach`` characters before each run of digits (``_DIGIT_RUN_RE`` in the
    text) to just after it (the character after a number decides whether it ends there),
    overlapping spans merged."""
    out: list[tuple[int, int]] = []
    for m in runs:
        start, end = max(0, m.start() - reach), min(size, m.end() + 1)
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def _finditer(
    regex: re.Pattern[str], folded: str, windows: list[tuple[int, int]]
) -> Iterator[re.Match[str]]:
    """``regex.finditer`` over the windows only (a lookbehind still sees what is before
    a window's start)."""
    for start, end in windows:
        yield from regex.finditer(folded, start, end)


@cache
def _extractor() -> _Extractor:
    ext = phrase_book().extraction
    number = r"(\d(?:[ \-.]?\d){5,19})(?![\w\-])"
    labels = (*ext.account_labels, *ext.routing_labels, *ext.sort_code_labels)
    # The longest label, each space of it a run of up to 8 non-word characters, then up to
    # 6 before "no"/"number" (6 characters and 3 more) and the number.
    reach = max((len(label) + 8 * label.count(" ") for label in labels), default=0) + 24
    return _Extractor(
        _label_regex(ext.account_labels, r"(?:(?:no|nr|n|number|num)\W{0,3})?" + number),
        _label_regex(ext.routing_labels, r"(?:(?:no|nr|number|num)\W{0,3})?(\d{9})(?!\d)"),
        _label_regex(ext.sort_code_labels, r"(\d{2})[ \-.]?(\d{2})[ \-.]?(\d{2})(?![\d])"),
        _label_regex(
            ext.bic_labels, r"(?:code\W{0,3})?([a-z]{6}[a-z0-9]{2}(?:[a-z0-9]{3})?)(?!\w)"
        ),
        reach,
        _anchor(_anchor_words(ext.bic_labels)),
        _anchor_words(ext.bic_labels),
        tuple(
            frozenset(_WORD_RE.findall(label))
            for label in (*ext.sort_code_labels, *ext.routing_labels)
        ),
    )


_WORD_RE = re.compile(r"\w+")


_ALNUM_OR_BREAK_RE = re.compile(r"[a-z0-9\n]")


def _iban_may_start(folded: str) -> bool:
    """Whether an IBAN, whole or split, may begin in ``folded``: a word starts with two
    letters and two digits (a space allowed between), the letters are a country with
    IBANs, and the first letter or digit after them on their line, if there is one, fits
    that country's first BBAN position (as both IBAN patterns and the checksum's format
    test require). Only the line is looked at: the same test then holds for any text
    made of this one's lines (the sender's own lines of a reply, its quote)."""
    for m in _SPLIT_HINT_RE.finditer(folded):
        at = m.start()  # the first check digit
        country = folded[at - 3 : at - 1] if folded[at - 1] == " " else folded[at - 2 : at]
        classes = _bban_classes(country)
        if classes is None:
            continue
        first = _ALNUM_OR_BREAK_RE.search(folded, m.end())
        if first is None or first.group(0) == "\n" or _fits(first.group(0), classes):
            return True
    return False


def may_name_strong(text: str, words: frozenset[str]) -> bool:
    """Whether ``text``, whose folded words are ``words``, can hold a strong identifier
    (an IBAN, an account with its sort code or routing number, a domestic format) at
    all: a word starts with two letters and two digits (every IBAN does), or the words of
    a sort code, routing or domestic label (the first characters of a Japanese or Chinese
    one) are there and so is a run of six digits. When this is false,
    ``extract(text).strong`` is empty, and so it is for every text made of this one's
    lines, whole or in part, with spaces or ``>`` markers at their start removed."""
    folded, _ = fold(text)
    if _iban_may_start(folded):
        return True
    if _may_be_domestic(folded, words) and _DIGIT_RUN_RE.search(folded) is not None:
        return True
    x = _extractor()
    if not any(label <= words for label in x.pair_labels):
        return False
    return _DIGIT_RUN_RE.search(folded) is not None


def _anchor(words: tuple[str, ...]) -> re.Pattern[str] | None:
    if not words:
        return None
    return re.compile(rf"(?<!\w)(?:{'|'.join(re.escape(w) for w in words)})(?!\w)")


def _anchor_words(labels: tuple[str, ...]) -> tuple[str, ...]:
    """A few words that, between them, occur in every label (chosen greedily, the word in
    most labels first)."""
    left = [set(label.split()) for label in labels]
    words: list[str] = []
    while left:
        counts: dict[str, int] = {}
        for ws in left:
            for w in ws:
                counts[w] = counts.get(w, 0) + 1
        best = max(sorted(counts), key=lambda w: counts[w])
        words.append(best)
        left = [ws for ws in left if best not in ws]
    return tuple(words)


#: two letters and two digits at the start of a word ("de89"): where every IBAN begins.
#: Led by the digit, so the search skips along the text instead of trying every letter.
_IBAN_HINT_RE = re.compile(r"[0-9](?<=(?<![a-z0-9])[a-z]{2}[0-9])[0-9]")
#: the same with a space allowed before the digits ("de 89"): where a split IBAN begins
_SPLIT_HINT_RE = re.compile(
    r"[0-9](?:(?<=(?<![a-z0-9])[a-z]{2}[0-9])|(?<=(?<![a-z0-9])[a-z]{2} [0-9]))[0-9]"
)


def _ibans(folded: str) -> list[tuple[int, int, str]]:
    """(start, end, compact IBAN) for every valid IBAN, in text order."""
    out: list[tuple[int, int, str]] = []
    if _IBAN_HINT_RE.search(folded) is None:
        return out  # no word starts with two letters and two digits
    pos = 0
    while (m := _IBAN_RE.search(folded, pos)) is not None:
        chunk = m.group(0)
        positions = [i for i, c in enumerate(chunk) if c.isalnum()]
        compact = "".join(chunk[i] for i in positions).upper()
        # The country's format fixes the length (its BBAN, after the country and the
        # check digits): only that prefix can be valid.
        classes = _bban_classes(compact[:2])
        length = 4 + len(classes) if classes is not None else 0
        if not (15 <= length <= min(len(compact), 34) and _iban.is_valid(compact[:length])):
            length = 0
        if length:
            end = m.start() + positions[length - 1] + 1
            out.append((m.start(), end, compact[:length]))
            pos = end
        else:
            pos = m.start() + 1
    return out


#: where an IBAN split by labels may begin: a country code and check digits at a word start
_SPLIT_START_RE = re.compile(
    r"(?<![a-z0-9])([a-z]{2}) ?([0-9]{2})(?=[^a-z0-9\n]{0,3}[a-z0-9]{2})(?![a-z0-9]{24})"
)
_TOKEN_RE = re.compile(r"[a-z0-9]+")
#: how far (characters) the parts of a split IBAN may reach after its start
_SPLIT_REACH = 240
#: words (labels) skipped between the parts of one split IBAN at most
_SPLIT_WORDS = 8
_BBAN_PART_RE = re.compile(r"(\d+)!?([nac])")


@cache
def _bban_classes(country: str) -> str | None:
    """The character class ("n", "a" or "c") of each BBAN position of ``country``'s
    IBAN, from the registry python-stdnum ships; None for a country without IBAN."""
    info = _numdb.get("iban").info(country.upper())
    if not info or not info[0][1].get("bban"):
        return None
    return "".join(k * int(n) for n, k in _BBAN_PART_RE.findall(info[0][1]["bban"]))


def _fits(token: str, classes: str) -> bool:
    if len(token) > len(classes):
        return False
    for ch, k in zip(token, classes, strict=False):
        if (k == "n" and not ch.isdigit()) or (k == "a" and not ch.isalpha()):
            return False
    return True


def _split_ibans(folded: str, taken: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """IBANs whose parts are separated by labels or cells: from a country code and check
    digits, the following tokens that fit the country's BBAN format in turn are joined; a
    word (a label) is skipped, and anything else ends the attempt. A one- or two-digit
    number right after a word is tried both ways: as a label's number ("part 2") and as a
    part ("sort code 12 34 56"). Only a complete BBAN with valid check digits counts."""
    out: list[tuple[int, int, str]] = []
    if _SPLIT_HINT_RE.search(folded) is None:
        return out  # no word starts with two letters and two digits, spaced or not
    for m in _SPLIT_START_RE.finditer(folded):
        if any(ts <= m.start() < te for ts, te in taken):
            continue
        classes = _bban_classes(m.group(1))
        if classes is None:
            continue
        first = _TOKEN_RE.search(folded, m.end(), m.end() + 6)
        if first is None or not _fits(first.group(0), classes):
            continue  # the BBAN begins right after the check digits, in the same cell
        limit = min(len(folded), m.end() + _SPLIT_REACH)
        tokens = [(t.group(0), t.end()) for t in _TOKEN_RE.finditer(folded, m.end(), limit)]
        for skip_numbers in (True, False):
            found = _join_parts(tokens, classes, skip_numbers)
            if found is None:
                continue
            bban, end = found
            compact = (m.group(1) + m.group(2) + bban).upper()
            if _iban.is_valid(compact):
                out.append((m.start(), end, compact))
                taken.append((m.start(), end))
                break
    return out


def _join_parts(
    tokens: list[tuple[str, int]], classes: str, skip_numbers: bool
) -> tuple[str, int] | None:
    """The BBAN the tokens spell (skipping labels) and where it ends, or None."""
    bban = ""
    words = 0
    after_word = False
    for tok, end in tokens:
        label_number = skip_numbers and after_word and tok.isdigit() and len(tok) <= 2
        if not label_number and _fits(tok, classes[len(bban) :]):
            bban += tok
            after_word = False
            if len(bban) == len(classes):
                return bban, end
            continue
        if not (tok.isalpha() or label_number):
            return None
        words += 1
        after_word = True  # a label's number ("part 2 of 2") goes on the label
        if words > _SPLIT_WORDS:
            return None
    return None


# ------------------------------------------------------------------ domestic formats

#: scripts written without spaces: a label in them needs no word boundary
_CJK_CHAR_RE = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
#: how far (characters) a Japanese branch number or bank code, or a Chinese account's bank,
#: may be from the account number
_CJK_PAIR_DISTANCE = 80


def _domestic_label_regex(labels: list[str], value: str) -> re.Pattern[str]:
    """A label of ``labels`` (folded as the text is), a few characters that are neither
    digits nor a line break, then ``value``. Latin labels match whole words; labels of
    scripts without spaces match anywhere."""
    alts = []
    for label in sorted(
        {fold(lb)[0].strip() for lb in labels if lb.strip()}, key=len, reverse=True
    ):
        body = r"[^\w\n]+".join(re.escape(w) for w in label.split())
        if _CJK_CHAR_RE.search(label):
            alts.append(body)
        else:
            alts.append(rf"(?<![^\W_])(?:{body})(?![^\W_])")
    return re.compile(rf"(?:{'|'.join(alts)})[^\d\n]{{0,8}}?(?<!\d){value}")


@dataclass(frozen=True)
class _Domestic:
    de_bank_code: re.Pattern[str]
    cz: re.Pattern[str]
    #: a Czech account number without its bank code, and a bank code after its own label
    cz_number: re.Pattern[str]
    cz_bank_code: re.Pattern[str]
    cz_prefix: re.Pattern[str]
    bankgiro: re.Pattern[str]
    plusgiro: re.Pattern[str]
    jp_bank_code: re.Pattern[str]
    jp_branch: re.Pattern[str]
    jp_account: re.Pattern[str]
    cn_account: re.Pattern[str]
    cn_bank: re.Pattern[str]
    #: a Polish NRB (26 digits) after its label
    pl_nrb: re.Pattern[str]
    #: a Japan Post Bank 記号 and 番号
    jp_yucho: re.Pattern[str]
    #: a Japan Post Bank branch named by its number in kanji digits (店名 二三八)
    jp_branch_name: re.Pattern[str]
    #: Japan Post Bank's names
    jp_yucho_bank: re.Pattern[str]
    #: the words of each Latin-script label (folded): a text has all of one of them, or
    #: no Latin-script format is there
    word_sets: tuple[frozenset[str], ...]
    #: one of these strings must be in a text for a Japanese or Chinese format to be there
    cjk: tuple[str, ...]


@cache
def _formats() -> dict[str, dict[str, list[str]]]:
    raw = resources.files("caveat").joinpath("data/account_formats.toml").read_text("utf-8")
    return tomllib.loads(raw)


@cache
def _domestic() -> _Domestic:
    """The domestic formats' label patterns, from ``data/account_formats.toml`` (a broken
    file stops start-up). Also loads schwifty's bank registry now, before any message."""
    data = _formats()
    de, cz, se, pl, jp, cn = (data[k] for k in ("de", "cz", "se", "pl", "jp", "cn"))
    latin = [
        *de["bank_code_labels"],
        *cz["account_labels"],
        *cz["bank_code_labels"],
        *se["bankgiro_labels"],
        *se["plusgiro_labels"],
        *pl["account_labels"],
    ]
    cjk = [
        *jp["bank_code_labels"],
        *jp["branch_labels"],
        *jp["account_labels"],
        *jp["yucho_symbol_labels"],
        *jp["branch_name_labels"],
        *cn["account_labels"],
        *cn["bank_labels"],
    ]
    word_sets = tuple(dict.fromkeys(frozenset(fold(label)[0].split()) for label in latin))
    _de_iban("37040044", "532013000")  # the registry, read once before the first message
    return _Domestic(
        de_bank_code=_domestic_label_regex(
            de["bank_code_labels"], r"(\d{3}) ?(\d{3}) ?(\d{2})(?![\d/])"
        ),
        cz=_domestic_label_regex(
            cz["account_labels"], r"(?:(\d{1,6}) ?- ?)?(\d{6,10}) ?/ ?(\d{4})(?!\d)"
        ),
        cz_number=_domestic_label_regex(
            cz["account_labels"], r"(?:(\d{1,6}) ?- ?)?(\d{6,10})(?![\d/\-]| ?/ ?\d)"
        ),
        cz_bank_code=_domestic_label_regex(cz["bank_code_labels"], r"(\d{4})(?![\d/\-])"),
        cz_prefix=_domestic_label_regex(cz["prefix_labels"], r"(\d{1,6})(?![\d/\-])"),
        bankgiro=_domestic_label_regex(
            se["bankgiro_labels"], r"(?:(\d{3,4})[ \-](\d{4})|(\d{7,8}))(?![\d\-/])"
        ),
        plusgiro=_domestic_label_regex(
            se["plusgiro_labels"], r"(?:(\d(?: ?\d){4,6})-(\d)|(\d{6,8}))(?![\d\-/])"
        ),
        jp_bank_code=_domestic_label_regex(jp["bank_code_labels"], r"(\d{4})(?!\d)"),
        jp_branch=_domestic_label_regex(jp["branch_labels"], r"(\d{3})(?!\d)"),
        jp_account=_domestic_label_regex(jp["account_labels"], r"(\d{7})(?!\d)"),
        cn_account=_domestic_label_regex(cn["account_labels"], r"(\d(?:[ \-]?\d){9,24})(?![\d\-])"),
        cn_bank=re.compile("|".join(re.escape(fold(b)[0]) for b in cn["bank_labels"])),
        pl_nrb=_domestic_label_regex(pl["account_labels"], r"(\d\d(?:[ \-]?\d){24})(?![\d\-])"),
        # 記号, then the 番号 after a hyphen or a space, or after its own label
        jp_yucho=_domestic_label_regex(
            jp["yucho_symbol_labels"],
            r"(1\d{4})(?:[ ]?-[ ]?|[^\d]{0,4}?番号[^\d]{0,6}?|[ ])(\d{1,8})(?![\d\-])",
        ),
        jp_branch_name=re.compile(
            "(?:"
            + "|".join(re.escape(fold(b)[0]) for b in jp["branch_name_labels"])
            + f")[^\\d\n]{{0,4}}?([{_KANJI_DIGITS}零]{{3}})(?![{_KANJI_DIGITS}零])"
        ),
        jp_yucho_bank=re.compile("|".join(re.escape(fold(b)[0]) for b in jp["yucho_bank_names"])),
        word_sets=word_sets,
        cjk=tuple(sorted({fold(label)[0][:2] for label in cjk})),
    )


#: the kanji digits a Japan Post Bank branch's name is written in, in the order of 0 to 9
_KANJI_DIGITS = "〇一二三四五六七八九"
_KANJI_TO_DIGIT = str.maketrans({k: str(i) for i, k in enumerate(_KANJI_DIGITS)} | {"零": "0"})
#: Japan Post Bank's bank code (全銀協 code) as other banks pay to it
_YUCHO_BANK = "9900"


def yucho_transfer(symbol: str, number: str) -> tuple[str, str] | None:
    """The branch (店番) and account number (口座番号) other banks pay a Japan Post Bank
    account to, from its 記号 and 番号, or None when they do not make an ordinary account
    (記号 of 5 digits, the first 1; 番号 of up to 8 digits, the last 1). Japan Post Bank
    publishes the conversion (its page 振込用の店名・預金種目・口座番号): the branch is the
    2nd and 3rd digits of the 記号 and 8, the account the 番号, zero-filled to 8 digits,
    without its last digit."""
    if not (len(symbol) == 5 and symbol.isdigit() and symbol[0] == "1"):
        return None
    if not (1 <= len(number) <= 8 and number.isdigit()):
        return None
    number = number.zfill(8)
    if number[-1] != "1":
        return None
    return symbol[1:3] + "8", number[:7]


def _may_be_domestic(folded: str, words: frozenset[str] | None = None) -> bool:
    """Whether a domestic format's label can be in ``folded``: a word of a Latin label, or
    the first two characters of a Japanese or Chinese one. Cheap: a set test, or substring
    tests on text that is not ASCII."""
    d = _domestic()
    if words is None:
        words = frozenset(_WORD_RE.findall(folded))
    if any(ws <= words for ws in d.word_sets):
        return True
    return not folded.isascii() and any(c in folded for c in d.cjk)


def _nearest_at(at: int, spots: list[tuple[int, str]], reach: int) -> str | None:
    best: tuple[int, str] | None = None
    for pos, value in spots:
        d = abs(pos - at)
        if d <= reach and (best is None or d < abs(best[0] - at)):
            best = (pos, value)
    return best[1] if best else None


def _domestic_accounts(folded: str, taken: list[tuple[int, int]]) -> list[tuple[int, int, Account]]:
    """(start, end, account) of the self-contained domestic formats in ``folded``: Czech,
    bankgiro, plusgiro, Japanese and Chinese (German pairs need the labelled account
    numbers: :func:`extract`). Spans already taken (IBANs) are skipped."""
    d = _domestic()
    out: list[tuple[int, int, Account]] = []

    def free(s: int, e: int) -> bool:
        return not any(s < te and ts < e for ts, te in taken)

    for m in d.pl_nrb.finditer(folded):
        digits = re.sub(r"\D", "", m.group(1))
        iban = "PL" + digits
        if _iban.is_valid(iban) and free(m.start(1), m.end(1)):
            out.append((m.start(1), m.end(1), Account("pl", iban, digits[2:], mask_iban(iban))))
            taken.append((m.start(1), m.end(1)))
    for m in d.cz.finditer(folded):
        prefix, number, bank = m.group(1) or "", m.group(2), m.group(3)
        iban = _cz_iban(prefix, number, bank)
        if iban and free(m.start(2), m.end()):
            tail = number[-4:]
            out.append(
                (m.start(2), m.end(), Account("cz", iban, number, f"account ****{tail}/{bank}"))
            )
    # the number and the bank code in cells or phrases of their own ("Číslo účtu:
    # 2000145399, kód banky: 0800")
    codes = [(m.start(1), m.group(1)) for m in d.cz_bank_code.finditer(folded)]
    if codes:
        prefixes = [(m.start(1), m.group(1)) for m in d.cz_prefix.finditer(folded)]
        for m in d.cz_number.finditer(folded):
            bank = _nearest_at(m.start(2), codes, _CJK_PAIR_DISTANCE)
            prefix, number = m.group(1) or "", m.group(2)
            if not prefix:  # a prefix in a cell or phrase of its own ("předčíslí 19")
                prefix = _nearest_at(m.start(2), prefixes, _CJK_PAIR_DISTANCE) or ""
            iban = _cz_iban(prefix, number, bank) if bank else ""
            if iban and free(m.start(2), m.end()):
                tail = number[-4:]
                masked = f"account ****{tail}/{bank}"
                out.append((m.start(2), m.end(), Account("cz", iban, number, masked)))
    for kind, regex in (("bankgiro", d.bankgiro), ("plusgiro", d.plusgiro)):
        for m in regex.finditer(folded):
            split = m.group(1) is not None  # "5050-1055", "90 01 22-3"
            digits = re.sub(r"\D", "", m.group(1) + m.group(2) if split else m.group(3))
            if len(digits) < 6 or not _luhn.is_valid(digits):
                continue
            s = m.start(1) if split else m.start(3)
            if free(s, m.end()):
                out.append((s, m.end(), Account(kind, digits, digits, f"{kind} ****{digits[-4:]}")))
    if not folded.isascii():
        yucho_named = [(m.start(), _YUCHO_BANK) for m in d.jp_yucho_bank.finditer(folded)]
        for m in d.jp_yucho.finditer(folded):
            symbol, number = m.group(1), m.group(2)
            transfer = yucho_transfer(symbol, number)
            # A 記号 and 番号 are also on health insurance cards and elsewhere: a full
            # 8-digit 番号, or Japan Post Bank named near, says this one is an account.
            if transfer is None or not free(m.start(1), m.end(2)):
                continue
            if len(number) < 8 and _nearest_at(m.start(1), yucho_named, _CJK_PAIR_DISTANCE) is None:
                continue
            to_branch, to_account = transfer
            out.append(
                (
                    m.start(1),
                    m.end(2),
                    Account(
                        "jp",
                        _YUCHO_BANK + to_branch + to_account,
                        to_account,
                        f"branch {to_branch}, account ****{to_account[-4:]}",
                    ),
                )
            )
            taken.append((m.start(1), m.end(2)))
        branches = [(m.start(1), m.group(1)) for m in d.jp_branch.finditer(folded)]
        branches += [
            (m.start(1), m.group(1).translate(_KANJI_TO_DIGIT))
            for m in d.jp_branch_name.finditer(folded)
        ]
        banks = [(m.start(1), m.group(1)) for m in d.jp_bank_code.finditer(folded)]
        banks += yucho_named
        for m in d.jp_account.finditer(folded):
            if not free(m.start(1), m.end(1)):
                continue
            account = m.group(1)
            branch = _nearest_at(m.start(1), branches, _CJK_PAIR_DISTANCE)
            if branch is None:
                out.append(
                    (
                        m.start(1),
                        m.end(1),
                        Account("account", account, account, f"account ****{account[-4:]}"),
                    )
                )
                continue
            bank = _nearest_at(m.start(1), banks, _CJK_PAIR_DISTANCE + 40) or ""
            out.append(
                (
                    m.start(1),
                    m.end(1),
                    Account(
                        "jp",
                        bank + branch + account,
                        account,
                        f"branch {branch}, account ****{account[-4:]}",
                    ),
                )
            )
        bank_spots = [(m.start(), m.group(0)) for m in d.cn_bank.finditer(folded)]
        for m in d.cn_account.finditer(folded):
            if not free(m.start(1), m.end(1)):
                continue
            digits = re.sub(r"\D", "", m.group(1))
            near = _nearest_at(m.start(1), bank_spots, _CJK_PAIR_DISTANCE)
            kind = "cn" if near is not None else "account"
            out.append(
                (m.start(1), m.end(1), Account(kind, digits, digits, f"account ****{digits[-4:]}"))
            )
    return out


def _de_pairs(
    folded: str, numbers: list[tuple[int, str]], paired: set[int]
) -> tuple[list[tuple[int, Account]], list[str]]:
    """German accounts: each Bankleitzahl with the labelled account number nearest to it,
    as the IBAN they make when the bank code and check digits hold; and the bank codes
    found with no such account (as "BLZ 37040044")."""
    d = _domestic()
    found: list[tuple[int, Account]] = []
    codes: list[str] = []
    for m in d.de_bank_code.finditer(folded):
        blz = "".join(m.groups())
        best: tuple[int, str] | None = None
        for pos, n in numbers:
            dist = abs(pos - m.start(1))
            if (
                pos not in paired
                and n != blz
                and dist <= _PAIR_DISTANCE
                and (best is None or dist < abs(best[0] - m.start(1)))
            ):
                best = (pos, n)
        iban = _de_iban(blz, best[1]) if best is not None else ""
        if best is None or not iban:
            codes.append(f"BLZ {blz}")
            continue
        paired.add(best[0])
        account = best[1].lstrip("0")
        masked = f"BLZ {blz}, account ****{account[-4:]}"
        found.append((min(m.start(1), best[0]), Account("de", iban, account, masked)))
    return found, codes


# ------------------------------------------------------------------ header-row tables

#: a cell boundary in a plain-text table row: a tab, a pipe, or two spaces or more
_CELL_SPLIT_RE = re.compile(r"[ \t|]{2,}|[\t|]")
#: a table's rule line under its header ("|---|:--|", "=====")
_TABLE_RULE_RE = re.compile(r"[ \t|:+\-=]*")
_ANY_DIGIT_RE = re.compile(r"\d")
_NUMBER_RE = re.compile(r"\d+")
#: what stands between the digit groups of one value ("19-2000145399/0800", "20-00-00")
_IN_VALUE_RE = re.compile(r"[ ]?[\-./][ ]?")
#: the longest header line and value row read as a table (characters)
_MAX_HEADER = 200
_MAX_ROW = 300
#: rows of a table read under its header after the first
_MAX_ROWS_ABOVE = 4
#: at most this many numbers in a value row whose cells are one space apart, labelled
#: columns in its header, and ways to read the row: the ways to share the numbers among
#: the columns stay few
_MAX_ROW_NUMBERS = 8
_MAX_LABELLED = 4
_MAX_READINGS = 120
#: how two numbers in a row are apart: surely in one value, maybe (one space), surely not
_JOINED, _SPACED, _APART = 0, 1, 2


@dataclass(frozen=True)
class _HeaderLabels:
    #: the labels of accounts, bank codes and giro numbers in Latin script, as their words
    latin: frozenset[tuple[str, ...]]
    #: the most words a Latin-script label has
    longest: int
    #: any Japanese or Chinese label
    cjk_regex: re.Pattern[str]
    #: the labels whose column holds a name, not a number (a Chinese account's bank)
    named: frozenset[str]
    #: each word of a Latin-script label, with the word sets of the labels it is in
    words: dict[str, tuple[frozenset[str], ...]]
    #: the first two characters of each Japanese or Chinese label
    cjk: tuple[str, ...]

    def may_be_in(self, line: str) -> bool:
        """Whether a label can be in ``line`` (cheaper than the regex: word set tests, and
        substring tests on text that is not ASCII)."""
        words = frozenset(_WORD_RE.findall(line))
        for w in words:
            if any(ws <= words for ws in self.words.get(w, ())):
                return True
        return not line.isascii() and any(c in line for c in self.cjk)

    def find(self, line: str) -> list[str]:
        """The labels in ``line``, in order: runs of words that make a Latin-script label
        (the longest first), and the Japanese or Chinese labels."""
        found: list[tuple[int, str]] = []
        words = [(m.start(), m.group(0)) for m in _WORD_RE.finditer(line)]
        i = 0
        while i < len(words):
            for n in range(min(self.longest, len(words) - i), 0, -1):
                key = tuple(w for _, w in words[i : i + n])
                if key in self.latin:
                    found.append((words[i][0], " ".join(key)))
                    i += n
                    break
            else:
                i += 1
        if not line.isascii():
            found.extend((m.start(), m.group(0)) for m in self.cjk_regex.finditer(line))
            found.sort()
        return [label for _, label in found]


@cache
def _header_labels() -> _HeaderLabels:
    ext = phrase_book().extraction
    data = _formats()
    named = [*data["cn"]["bank_labels"]]
    labels = [
        *ext.account_labels,
        *ext.routing_labels,
        *ext.sort_code_labels,
        *data["de"]["bank_code_labels"],
        *data["cz"]["account_labels"],
        *data["cz"]["bank_code_labels"],
        *data["cz"]["prefix_labels"],
        *data["se"]["bankgiro_labels"],
        *data["se"]["plusgiro_labels"],
        *data["pl"]["account_labels"],
        *data["jp"]["bank_code_labels"],
        *data["jp"]["branch_labels"],
        *data["jp"]["account_labels"],
        *data["jp"]["yucho_symbol_labels"],
        *data["cn"]["account_labels"],
        *named,
    ]
    latin: set[tuple[str, ...]] = set()
    cjk: list[str] = []
    words: dict[str, list[frozenset[str]]] = {}
    for label in sorted(
        {fold(lb)[0].strip() for lb in labels if lb.strip()}, key=len, reverse=True
    ):
        if _CJK_CHAR_RE.search(label):
            cjk.append(r"[^\w\n]+".join(re.escape(w) for w in label.split()))
            continue
        latin.add(tuple(_WORD_RE.findall(label)))
        ws = frozenset(_WORD_RE.findall(label))
        for w in ws:
            words.setdefault(w, []).append(ws)
    return _HeaderLabels(
        frozenset(latin),
        max(len(ws) for ws in latin),
        re.compile("|".join(cjk)),
        frozenset(fold(lb)[0].strip() for lb in named),
        {w: tuple(dict.fromkeys(sets)) for w, sets in words.items()},
        tuple(sorted({fold(lb)[0].strip()[:2] for lb in labels if _CJK_CHAR_RE.search(lb)})),
    )


def _cells(line: str) -> list[str]:
    """The cells of a plain-text table row (apart by tabs, pipes or two spaces)."""
    return [c for c in (c.strip() for c in _CELL_SPLIT_RE.split(line.strip(" \t|"))) if c]


_Above = tuple[int, str, int] | None


def _header_above(folded: str, line_start: int, known: dict[int, _Above]) -> _Above:
    """(start, text, rows between) of the line above the one starting at ``line_start``
    that may be its table's header: the first without a digit, not too long, with at most
    a few rows of the same table (lines with digits), blank lines and a rule line between.
    ``known`` holds the answers for lines above already looked at (and gets this one)."""
    end = line_start - 1
    rows = 0
    found: _Above = None
    for _ in range(3 * (_MAX_ROWS_ABOVE + 1)):
        if end <= 0:
            break
        start = folded.rfind("\n", 0, end) + 1
        line = folded[start:end]
        if line.strip() and not _TABLE_RULE_RE.fullmatch(line):
            if len(line) > _MAX_HEADER:
                break
            if start in known:  # a row above whose header is known: it is this one's
                above = known[start]
                if above is not None and above[2] + rows + 1 <= _MAX_ROWS_ABOVE:
                    found = (above[0], above[1], above[2] + rows + 1)
                break
            if not _ANY_DIGIT_RE.search(line):
                found = (start, line, rows)
                break
            rows += 1
            if rows > _MAX_ROWS_ABOVE:
                break
        end = start - 1
    known[line_start] = found
    return found


def _row_readings(header: str, row: str) -> list[list[str]]:
    """The ways to read a value ``row`` under a ``header`` row of labels, each as text of
    "label: value" lines, those that give a value to more labelled columns first (in a
    list for each number of columns; none when the header names no account). Cells
    apart by tabs, pipes or two spaces pair one for one; cells one space apart (an HTML
    table's text) leave it open which numbers are whose: the labelled columns, all or
    some of them (a label's column may hold a name: "Account name"), take the row's
    numbers in turn, in every way that keeps the parts of a value written with hyphens,
    dots or slashes ("20-00-00") together."""
    h = _header_labels()
    if not h.may_be_in(header):
        return []
    found = h.find(header)
    if not found:
        return []
    hcells, vcells = _cells(header), _cells(row)
    if len(hcells) > 1 and len(hcells) == len(vcells):
        return [["\n".join(f"{a}: {b}" for a, b in zip(hcells, vcells, strict=True))]]
    numeric = [lb for lb in found if lb not in h.named]
    names = [f"{lb}:" for lb in found if lb in h.named]
    numbers = [(m.start(), m.end()) for m in _NUMBER_RE.finditer(row)]
    k = len(numeric)
    if not 1 <= k <= _MAX_LABELLED or not numbers or len(numbers) > _MAX_ROW_NUMBERS:
        return []
    n = len(numbers)
    # link[i]: how numbers i and i + 1 are apart
    link = [
        _SPACED
        if row[numbers[i][1] : numbers[i + 1][0]] == " "
        else _JOINED
        if _IN_VALUE_RE.fullmatch(row, numbers[i][1], numbers[i + 1][0])
        else _APART
        for i in range(n - 1)
    ]
    out: list[str] = []
    total = 0

    def share(columns: tuple[str, ...], at: int, parts: list[str]) -> None:
        if total + len(out) >= _MAX_READINGS:
            return
        if not columns:
            out.append("\n".join([*parts, *names]))
            return
        if at > 0 and link[at - 1] == _JOINED:
            return  # a value does not begin inside another
        for end in range(at, n - len(columns) + 1):
            if end > at and link[end - 1] == _APART:
                break
            if end < n - 1 and link[end] == _JOINED:
                continue  # nor end inside one
            value = row[numbers[at][0] : numbers[end][1]]
            share(columns[1:], end + 1, [*parts, f"{columns[0]}: {value}"])

    by_size: list[list[str]] = []
    for size in range(k, 0, -1):
        for columns in combinations(numeric, size):
            for first in range(n - size + 1):
                share(columns, first, [])
        by_size.append(list(dict.fromkeys(out)))
        total += len(out)
        out = []
    return by_size


def _table_accounts(folded: str, runs: list[re.Match[str]]) -> list[tuple[int, Account]]:
    """Accounts in rows of numbers under a header row of labels ("Kontonummer | BLZ" over
    "532013000 | 37040044"): (where the row starts, account). Only strong accounts count,
    and only when the ways to read a row that give values to the most labelled columns
    and make accounts at all make the same ones."""
    out: list[tuple[int, Account]] = []
    seen: set[int] = set()
    labelled: dict[int, bool] = {}  # header start: may a label be in it
    known: dict[int, _Above] = {}
    h = _header_labels()
    for run in runs:
        line_start = folded.rfind("\n", 0, run.start()) + 1
        if line_start in seen:
            continue
        seen.add(line_start)
        above = _header_above(folded, line_start, known)
        if above is None:
            continue
        at, header, _rows = above
        if at not in labelled:
            labelled[at] = h.may_be_in(header)
        if not labelled[at]:
            continue
        line_end = folded.find("\n", run.end())
        row = folded[line_start : line_end if line_end >= 0 else len(folded)]
        if len(row) > _MAX_ROW:
            continue
        for texts in _row_readings(header, row):
            readings: dict[frozenset[str], tuple[Account, ...]] = {}
            for text in texts:
                strong = _extract_folded(text, tables=False).strong
                if strong:
                    readings.setdefault(frozenset(a.key for a in strong), strong)
            if readings:
                # the readings that give values to the most columns decide, if they agree
                if len(readings) == 1:
                    out.extend((line_start, a) for a in next(iter(readings.values())))
                break
    return out


def extract(text: str) -> BankIdentifiers:
    """Every bank identifier in ``text`` (deduplicated, in the order found)."""
    return _extract_folded(fold(text)[0])


def _extract_folded(folded: str, tables: bool = True) -> BankIdentifiers:
    x = _extractor()
    accounts: dict[str, Account] = {}
    taken: list[tuple[int, int]] = []
    positions: list[tuple[str, int]] = []
    for s, e, compact in _ibans(folded):
        accounts.setdefault(compact, Account("iban", compact, compact[4:], mask_iban(compact)))
        taken.append((s, e))
        positions.append((compact, s))
    for s, _e, compact in _split_ibans(folded, taken):
        accounts.setdefault(compact, Account("iban", compact, compact[4:], mask_iban(compact)))
        positions.append((compact, s))
    # Account numbers, routing numbers and sort codes are runs of six digits or more: the
    # label patterns are tried only just before and over such runs, not along the text.
    # Every domestic format has such a run too, with its label inside the same window.
    runs = list(_DIGIT_RUN_RE.finditer(folded))
    windows = _digit_windows(runs, len(folded), x.reach)
    domestic = bool(windows) and _may_be_domestic(
        folded, frozenset(w for s, e in windows for w in _WORD_RE.findall(folded, s, e))
    )
    if domestic:
        for s, e, account in _domestic_accounts(folded, taken):
            accounts.setdefault(account.key, account)
            positions.append((account.key, s))
            taken.append((s, e))

    def free(s: int, e: int) -> bool:
        return not any(s < te and ts < e for ts, te in taken)

    numbers: list[tuple[int, str]] = []
    if x.account is not None:
        for m in _finditer(x.account, folded, windows):
            if free(m.start(1), m.end(1)):
                numbers.append((m.start(1), re.sub(r"\D", "", m.group(1))))
    paired: set[int] = set()
    codes: list[str] = []
    if domestic:
        de, blz = _de_pairs(folded, numbers, paired)
        for at, account in de:
            accounts.setdefault(account.key, account)
            positions.append((account.key, at))
        codes.extend(blz)

    def nearest(at: int, skip: str) -> tuple[int, str] | None:
        best = None
        for pos, n in numbers:
            d = abs(pos - at)
            if n != skip and d <= _PAIR_DISTANCE and pos not in paired:
                if best is None or d < abs(best[0] - at):
                    best = (pos, n)
        return best

    if x.sort_code is not None:
        for m in _finditer(x.sort_code, folded, windows):
            sort = "".join(m.groups())
            acct = nearest(m.start(), sort)
            if acct is None or not 7 <= len(acct[1]) <= 10:
                codes.append(f"{sort[:2]}-{sort[2:4]}-{sort[4:]}")
                continue
            paired.add(acct[0])
            a = acct[1].zfill(8)
            masked = f"sort code {sort[:2]}-{sort[2:4]}-{sort[4:]}, account ****{a[-4:]}"
            accounts.setdefault(sort + a, Account("uk", sort + a, a, masked))
            positions.append((sort + a, min(m.start(), acct[0])))
    if x.routing is not None:
        for m in _finditer(x.routing, folded, windows):
            routing = m.group(1)
            if not _rtn.is_valid(routing):
                continue
            acct = nearest(m.start(), routing)
            if acct is None:
                codes.append(routing)
                continue
            paired.add(acct[0])
            masked = f"routing {routing}, account ****{acct[1][-4:]}"
            accounts.setdefault(
                routing + acct[1], Account("us", routing + acct[1], acct[1], masked)
            )
            positions.append((routing + acct[1], min(m.start(), acct[0])))
    for pos, n in numbers:
        if pos in paired or n in codes or f"BLZ {n}" in codes:
            continue
        accounts.setdefault(n, Account("account", n, n, f"account ****{n[-4:]}"))
        positions.append((n, pos))
    if tables and runs and "\n" in folded:
        for at, account in _table_accounts(folded, runs):
            if accounts.get(account.key, account).strong:
                accounts[account.key] = account
                positions.append((account.key, at))
    bics: list[str] = []
    if (
        x.bic is not None
        and x.bic_anchor is not None
        and any(w in folded for w in x.bic_words)  # a substring test first: it is cheap
        and x.bic_anchor.search(folded)
    ):
        for m in x.bic.finditer(folded):
            code = m.group(1).upper()
            if _bic.is_valid(code):
                bics.append(code)
    return BankIdentifiers(
        tuple(accounts.values()),
        tuple(dict.fromkeys(bics)),
        tuple(dict.fromkeys(codes)),
        tuple(positions),
    )
