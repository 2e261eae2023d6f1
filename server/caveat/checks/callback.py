"""bank_details_change, callback lures: the message asks you to call a number it gives, to
confirm, receive or arrange payment or bank details ("our payment details are changing,
call our new treasury line on ..."). Whoever answers that number is whoever wrote the
message; the number that reaches the partner is the one you already have.

  CALLBACK_NUMBER_NOT_ON_FILE  the message comes from a partner in the directory, or from a
                               sender imitating one (a look-alike domain, a free-mail address
                               using a contact's name, the partner's name on another address),
                               the directory holds at least one phone number for that partner,
                               and a number the message asks you to call about payments is not
                               one of them (danger);
  CALLBACK_NUMBER_UNVERIFIED   the message asks you to call a number it gives about payments
                               or bank details, and nothing on file can confirm that number:
                               the sender is not a partner, or the partner has no number on
                               file (caution).

What counts as a request to call is data: the ``callback`` category of
``data/bank_language/<language>.toml`` (first person and payment-bound: "call our new
treasury line", "to confirm our new bank details please call ...", "call this number to
confirm the transfer"; never "if you have questions, call us"). The number is a phone number
(read by ``phonenumbers``: international form, or the national form of a country the
message points to) standing in the same paragraph as the request or shortly after it. A
number the message gives that is a known fraud indicator is ``REPORTED_PHONE``
(:mod:`caveat.checks.reported_sender`), whatever the wording around it.

Numbers are compared by their digits: a number on file written nationally ("030 231 25
480"), internationally ("+49 30 23125480") or with a trunk zero is the same number when
the digits of one end with the other's national significant number.

Named exclusions (quiet):
  * on_file: every number the request points to is a number on file for the partner the
    message comes from, or claims to;
  * no_number: a request to call with no phone number near it (the reader uses their own);
  * fax: a number labelled as a fax line;
  * negated: the request is turned round in its sentence ("we will never ask you to call a
    new number to confirm our bank details");
  * seen_quote: quoted text an earlier message of the conversation said is not read;
  * ours: the From address is ours and passed aligned authentication at our boundary (a
    colleague's own instructions; our numbers are not in the partner directory);
  * warning: the sender is the partner itself, authenticated at our boundary, and says in
    its own words that such requests are fraud (a partner's warning to its customers);
  * bulk_unknown: newsletters and list mail from senders who are not partners, when our
    boundary vouches for the list marks; marks the sender alone wrote excuse nothing.

Bodies are read here and nowhere kept: evidence carries the number as written and the
quoted request only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cache

import phonenumbers

from caveat.knowledge.context import Context
from caveat.knowledge.directory import PartnerEntry
from caveat.mail.authres import trusted_auth
from caveat.mail.bidi import Isolated, isolate
from caveat.mail.facts import Facts
from caveat.mail.textfold import fold, original_span
from caveat.reference.bank_language import (
    Cues,
    PhraseBook,
    _WordIndex,
    phrase_book,
    reading,
    sources,
    text_units,
    words_of,
)

from ._common import THE_SENDER, claimed_sender, list_info
from .bank_details_change import Claimant, claimant
from .findings import Evidence
from .hits import Hit, Phrase, check, ev, label, words

NOT_ON_FILE = "CALLBACK_NUMBER_NOT_ON_FILE"
UNVERIFIED = "CALLBACK_NUMBER_UNVERIFIED"
CATEGORY = "callback"
#: how far (original characters) before and after a request to call its number may stand
_BEFORE = 160
_AFTER = 400
#: the fewest digits of a national significant number compared by its ending
_MIN_DIGITS = 6
_NUMBERS_SHOWN = 3
#: the countries whose national form is read, for the languages of the request (besides
#: the international form, the countries of the numbers on file and of the domains)
_LANGUAGE_REGIONS: dict[str, tuple[str, ...]] = {
    "en": ("GB", "US"),
    "de": ("DE", "AT", "CH"),
    "fr": ("FR", "BE", "CH"),
    "es": ("ES", "MX"),
    "it": ("IT",),
    "nl": ("NL", "BE"),
    "pt": ("PT", "BR"),
    "pl": ("PL",),
    "cs": ("CZ",),
    "sv": ("SE",),
    "tr": ("TR",),
    "ja": ("JP",),
    "zh": ("CN",),
    "ar": ("AE", "SA", "EG"),
}
#: generic top-level domains say nothing of a country; ``uk`` is GB's
_TLD_REGION = {"uk": "GB"}
_REGIONS_MAX = 8
_FAX_RE = re.compile(r"\b(?:fax|telefax|telecopie|t[eé]l[eé]copie)\b[^\d\n]{0,12}$", re.I)
_SENTENCE_START_RE = re.compile(r"[.!?;\n]")
_NEGATION_REACH = 80
#: "do not hesitate to call us", in the languages of the phrase files (folded): an
#: invitation, not a negation
_HESITATE_RE = re.compile(
    r"\b(?:(?:do not|don t|dont|never) hesitate"
    r"|n\W*hesit\w*\W+pas"
    r"|non\W+esit\w*"
    r"|no\W+dud\w*"
    r"|nao\W+hesit\w*"
    r"|aarzel\w*\W+(?:\w+\W+)?niet"
    r"|zogern?\w*\W+(?:sie\W+)?nicht)\b"
)


@dataclass(frozen=True, slots=True)
class _Number:
    e164: str
    national: str  # national significant number, digits
    written: str


@dataclass(frozen=True, slots=True)
class _Request:
    where: str
    quoted: bool
    passage: str
    numbers: tuple[_Number, ...]


def _prepare() -> None:
    """Compile the phrase files (a broken one stops start-up)."""
    _callback_book()


@cache
def _callback_book() -> PhraseBook:
    """The phrase book with its callback patterns alone: what this check scans for, and
    the word index that says from a text's words whether any of them can match."""
    book = phrase_book()
    patterns = tuple(p for p in book.patterns if p.category == CATEGORY)
    return replace(book, patterns=patterns, words=_WordIndex.build(patterns))


#: something a phone number could be: six digits or more, with at most three spaces,
#: brackets, dots, dashes or slashes between two of them (a "+" or "00" in front or not)
_PHONE_LIKE_RE = re.compile(r"\d(?:[ \t().\-/]{0,3}\d){5}")


def may_call(words: Iterable[str]) -> bool:
    """Whether a text whose folded words are ``words`` can hold a request to call: some
    callback pattern has each of its required items among them."""
    index = _callback_book().words
    assert index is not None
    return bool(index.candidates_of(words))


def _may_hold(text: str) -> bool:
    """The pre-check of one text: a run of digits a phone number could be, and the words
    some request to call needs (most mail has neither)."""
    return _PHONE_LIKE_RE.search(text) is not None and may_call(words_of(text))


def _unseen(text: str, seen: frozenset[str]) -> str:
    """``text`` without the sentences and paragraphs the conversation said before."""
    if not seen or not text:
        return text
    parts: list[str] = []
    at = 0
    for unit, start, end in text_units(text):
        if unit in seen:
            parts.append(text[at:start])
            parts.append("\n")
            at = end
    parts.append(text[at:])
    return "".join(parts).strip()


def _texts(facts: Facts, seen: frozenset[str]) -> Iterator[tuple[str, bool, str]]:
    """(where, quoted, text) of what a person reads that can hold a request to call."""
    for source in sources(facts):
        if not _may_hold(source.text):
            continue
        r = reading(source)
        if r.own.strip():
            yield r.where, False, r.own
        quoted = _unseen(r.quoted, seen)
        if quoted.strip():
            yield r.where, True, quoted


def _negated(cues: Cues, folded: str, start: int) -> bool:
    """A negation, of a language the text matched, earlier in the request's sentence
    ("do not hesitate to call" and its likes negate nothing)."""
    at = max(0, start - _NEGATION_REACH)
    # blanked where an idiom stands, the request's first words included ("n'hésitez pas")
    around = _HESITATE_RE.sub(lambda m: " " * len(m.group()), folded[at : start + 40])
    before = _SENTENCE_START_RE.split(around[: start - at])[-1]
    negation = phrase_book().negation
    return any(
        (n := negation.get(lang)) is not None and n.search(before) is not None
        for lang in cues.languages
    )


def _region_of_domain(domain: str) -> str | None:
    tld = domain.rsplit(".", 1)[-1].lower() if domain else ""
    if len(tld) != 2 or not tld.isalpha():
        return None
    region = _TLD_REGION.get(tld, tld.upper())
    return region if region in phonenumbers.SUPPORTED_REGIONS else None


def _on_file_numbers(partner: PartnerEntry | None) -> list[str]:
    if partner is None:
        return []
    return [c.phone for c in partner.contacts if any(ch.isdigit() for ch in c.phone)]


def _parse_on_file(phone: str, regions: Iterable[str]) -> phonenumbers.PhoneNumber | None:
    text = phone.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    for region in (None, *regions) if text.startswith("+") else regions:
        try:
            n = phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(n):
            return n
    return None


def _regions(
    facts: Facts, who: Claimant | None, on_file: list[str], languages: Iterable[str]
) -> tuple[str, ...]:
    """The countries whose national form the message's numbers are read in."""
    out: dict[str, None] = {}
    for phone in on_file:
        text = phone.strip()
        if text.startswith(("+", "00")):
            n = _parse_on_file(phone, ())
            region = phonenumbers.region_code_for_number(n) if n is not None else None
            if region:
                out.setdefault(region)
    domains = [facts.author.domain] if facts.author is not None and facts.author.domain else []
    if who is not None and who.partner is not None:
        domains += list(who.partner.domains)
    for d in domains:
        region = _region_of_domain(d)
        if region:
            out.setdefault(region)
    for lang in sorted(languages):
        for region in _LANGUAGE_REGIONS.get(lang, ()):
            out.setdefault(region)
    return tuple(out)[:_REGIONS_MAX]


def _numbers_in(text: str, regions: tuple[str, ...]) -> list[_Number]:
    """The valid phone numbers of ``text``, in international form or in the national form
    of one of ``regions``, in the order they stand; a fax number is left out."""
    found: dict[int, _Number] = {}
    taken: set[str] = set()
    for region in ("ZZ", *regions):
        try:
            matcher = phonenumbers.PhoneNumberMatcher(
                text, region, leniency=phonenumbers.Leniency.VALID, max_tries=50
            )
            for m in matcher:
                e164 = phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164)
                if e164 in taken or m.start in found:
                    continue
                if _FAX_RE.search(text[max(0, m.start - 24) : m.start]):
                    continue
                taken.add(e164)
                found[m.start] = _Number(e164, str(m.number.national_number), m.raw_string)
        except Exception:  # noqa: S112 - a library error on hostile text finds nothing
            continue
    return [found[k] for k in sorted(found)]


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


def _same_number(n: _Number, on_file: str, parsed: phonenumbers.PhoneNumber | None) -> bool:
    if parsed is not None:
        if phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == n.e164:
            return True
    digits = _digits(on_file)
    national = n.national
    if len(national) >= _MIN_DIGITS and digits.endswith(national):
        return True
    # a national number on file whose trunk prefix the country keeps ("02 ..." in Italy)
    return len(digits) >= _MIN_DIGITS and _digits(n.e164).endswith(digits.lstrip("0"))


def _requests(
    facts: Facts, ctx: Context, who: Claimant | None, on_file: list[str]
) -> list[_Request]:
    out: list[_Request] = []
    book = _callback_book()
    for where, quoted, text in _texts(facts, ctx.memory.seen_text):
        cues = book.scan(text)
        spans = cues.spans(CATEGORY)
        if not spans:
            continue
        folded, offsets = fold(text)
        regions: tuple[str, ...] | None = None
        for (s, e), passage in zip(spans, cues.found(CATEGORY), strict=False):
            if _negated(cues, folded, s):
                continue
            a, b = original_span(offsets, s, e)
            if regions is None:
                regions = _regions(facts, who, on_file, cues.languages)
            window = text[max(0, a - _BEFORE) : b + _AFTER]
            numbers = _numbers_in(window, regions)
            if numbers:
                out.append(_Request(where, quoted, passage, tuple(numbers)))
    return out


def _authenticated(facts: Facts, ctx: Context) -> bool:
    a = facts.author
    if a is None or not a.domain:
        return False
    auth = trusted_auth(facts, ctx.config)
    return auth is not None and (
        auth.dkim_aligned_pass(a.domain) or auth.spf_aligned_pass(a.domain)
    )


def _warns(facts: Facts) -> bool:
    """The sender's own words say such requests are fraud."""
    book = phrase_book()
    for source in sources(facts):
        own = reading(source).own
        if own.strip() and book.scan(own).found("disown"):
            return True
    return False


def _label(r: _Request, value: str) -> str:
    place = []
    if r.quoted:
        place.append("quoted")
    if r.where:
        place.append(f"in {isolate(r.where)}")
    return f"{value} ({', '.join(place)})" if place else value


@check("bank_details_change", emits=[NOT_ON_FILE, UNVERIFIED], prepare=_prepare)
def callback_lure(facts: Facts, ctx: Context) -> list[Hit]:
    if not any(_may_hold(s.text) for s in sources(facts)):
        return []
    a = facts.author
    internal = a is not None and bool(a.domain) and ctx.config.is_internal(a.domain)
    if internal and _authenticated(facts, ctx):
        return []  # ours
    who = None if internal else claimant(facts, ctx)
    partner = who.partner if who is not None else None
    on_file = _on_file_numbers(partner)
    requests = _requests(facts, ctx, who, on_file)
    if not requests:
        return []  # no_number (or every request negated)
    if who is not None and who.how == "directory" and _authenticated(facts, ctx) and _warns(facts):
        return []  # warning
    if who is None:
        lists = list_info(facts, ctx)
        if (lists.is_list or lists.is_bulk) and lists.trusted:
            return []  # bulk_unknown
    regions = _regions(facts, who, on_file, ())
    parsed = [(p, _parse_on_file(p, regions)) for p in on_file]
    unknown: dict[str, tuple[_Number, _Request]] = {}
    for r in requests:
        for n in r.numbers:
            if not any(_same_number(n, p, pp) for p, pp in parsed):
                unknown.setdefault(n.e164, (n, r))
    if not unknown:
        return []  # on_file
    shown = list(unknown.values())[:_NUMBERS_SHOWN]
    evidence: list[Evidence] = []
    if a is not None:
        evidence.append(ev("From", a.display()))
    if who is not None:
        evidence.append(who.evidence)
    for r in dict.fromkeys(r for _n, r in shown):
        evidence.append(ev(_REQUEST, _label(r, f'"{r.passage}"')))
    organisation = who.organisation if who is not None else THE_SENDER()
    for n, r in shown:
        if on_file:
            what = f"{n.written}: not a number on file for {isolate(organisation)}"
        else:
            what = f"{n.written}: nothing on file to compare it with"
        evidence.append(ev(_PHONE, _label(r, what)))
    first = shown[0][0]
    params = {
        "number": isolate(first.written),
        "numbers": Isolated(", ".join(isolate(n.written) for n, _r in shown)),
        # (words of Caveat's own stay a phrase, to be worded in the reader's language)
        "organisation": organisation if isinstance(organisation, Phrase) else isolate(organisation),
        "claimed": claimed_sender(who),
        "on_file": _phones_on_file(len(on_file)),
    }
    if on_file and who is not None:
        return [Hit(NOT_ON_FILE, tuple(dict.fromkeys(evidence)), params)]
    return [Hit(UNVERIFIED, tuple(dict.fromkeys(evidence)), params)]


_NO_PHONE_ON_FILE = words("on_file.no_phone", "no phone number on file")
_PHONES_ON_FILE = words(
    "on_file.phones", "one phone number on file", "{count} phone numbers on file"
)
_REQUEST = label("Request")
_PHONE = label("Phone")


def _phones_on_file(n: int) -> str:
    return _PHONES_ON_FILE(count=n) if n else _NO_PHONE_ON_FILE()
