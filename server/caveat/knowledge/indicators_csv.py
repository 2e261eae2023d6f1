"""Fraud indicators as people write them: one value checked and put in the form the
``reported_sender`` check compares, and the indicators CSV (PRODUCT.md "Indicators
CSV": ``kind,value,note``).

A file is taken whole or not at all: an unknown kind or a malformed value anywhere refuses
the file, naming every bad line, so that a list shared by a bank is never half loaded.

The forms compared:

* ``address`` — lower-case local part, ASCII (punycode) domain; a valid address;
* ``domain`` — lower-case ASCII; a name an organisation can own (not a public suffix, not
  an IP address); it also matches its subdomains;
* ``account`` — an IBAN (check digits and length hold) or another identifier, spaces and
  punctuation removed, upper-case (:func:`caveat.reference.bank_identifiers.account_key`);
  kept by the store only as a keyed hash and a masked form;
* ``phone`` — E.164 (``+4930123456``): written in international form (``+`` or ``00``),
  and a number that exists in its country's numbering plan.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import phonenumbers
from stdnum import iban as _iban

from caveat.mail.domains import parse_address
from caveat.reference.bank_identifiers import account_key, mask_iban, on_file_keys

from .context import default_freemail
from .partners_csv import (
    DirectoryFileError,
    _check_account,
    _check_domain,
    _decode,
    _records,
    _show,
)
from .shared import KINDS

COLUMNS = ("kind", "value", "note")
NOTE_MAX = 300
VALUE_MAX = 320
#: The largest file read (bytes) and the most indicators in one file.
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000


class IndicatorError(ValueError):
    """A value that cannot be an indicator of its kind (the message says why)."""


class IndicatorFileError(ValueError):
    """A file refused whole; ``problems`` are (line, message), line 0 for the file."""

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        self.problems = problems
        shown = "; ".join(f"line {n}: {m}" if n else m for n, m in problems[:20])
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        super().__init__(f"nothing was imported: {shown}{more}")


@dataclass(frozen=True, slots=True)
class IndicatorValue:
    """One indicator's value, checked."""

    kind: str
    #: the comparison form (for an account: its clear key, which the store hashes)
    value: str
    #: what evidence shows (for an account: its masked form)
    shown: str
    #: other comparison forms of the same thing (a British IBAN's sort code and account)
    aliases: tuple[str, ...] = ()
    #: a phone number's country (ISO 3166), "" otherwise
    region: str = ""


@dataclass(frozen=True, slots=True)
class ParsedIndicator:
    line: int
    value: IndicatorValue
    note: str


def check_indicator(kind: str, raw: str) -> IndicatorValue:
    """``raw`` as an indicator of ``kind``, or :class:`IndicatorError` saying what is wrong."""
    kind = kind.strip().lower()
    value = raw.strip()
    if kind not in KINDS:
        raise IndicatorError(f"unknown kind {_show(kind)} (one of {', '.join(KINDS)})")
    if not value:
        raise IndicatorError(f"the {kind} is empty")
    if len(value) > VALUE_MAX:
        raise IndicatorError(f"the {kind} is longer than {VALUE_MAX} characters")
    if kind == "address":
        return _address(value)
    if kind == "domain":
        d, problem = _check_domain(value)
        if problem:
            raise IndicatorError(f"domain {_show(value)} {problem}")
        if d in default_freemail():
            raise IndicatorError(
                f"domain {_show(value)} is a free-mail provider's: give the fraudster's "
                "address instead (kind address)"
            )
        return IndicatorValue("domain", d, d)
    if kind == "account":
        return _account(value)
    return _phone(value)


def _address(value: str) -> IndicatorValue:
    text = value[7:] if value.lower().startswith("mailto:") else value
    parsed = parse_address(text)
    if not parsed.valid or not parsed.domain or parsed.domain.startswith("["):
        raise IndicatorError(f"address {_show(value)} is not a valid email address")
    return IndicatorValue("address", parsed.address, parsed.address)


def _account(value: str) -> IndicatorValue:
    checked, problem = _check_account(value)
    if problem:
        raise IndicatorError(f"account {_show(value)} {problem}")
    key = account_key(checked)
    if not any(c.isdigit() for c in key) or len(key) < 6:
        raise IndicatorError(f"account {_show(value)} is not an account identifier")
    if _iban.is_valid(key):
        aliases: tuple[str, ...] = ()
        if key.startswith("GB") and len(key) == 22:
            # a British account is as often written as sort code and account number
            aliases = (key[8:],)
        return IndicatorValue("account", key, mask_iban(key), aliases)
    # a domestic form also under the key a message's account has (a German or Czech
    # account's IBAN, a giro number's digits)
    others = tuple(sorted(k for k in on_file_keys(checked) if k != key))
    return IndicatorValue("account", key, f"account ****{key[-4:]}", others)


def normalise_phone(value: str, region: str | None = None) -> tuple[str, str] | None:
    """(E.164, region) of a valid phone number, else None; without ``region`` only the
    international form (``+`` or ``00``) is read."""
    text = value.strip()
    if region is None:
        if text.startswith("00"):
            text = "+" + text[2:]
        if not text.startswith("+"):
            return None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return e164, phonenumbers.region_code_for_number(number) or ""


def _phone(value: str) -> IndicatorValue:
    found = normalise_phone(value)
    if found is None:
        raise IndicatorError(
            f"phone {_show(value)} is not a valid phone number in international form "
            "(+ or 00, then the country code)"
        )
    e164, region = found
    return IndicatorValue("phone", e164, e164, region=region)


_DIGIT_RUNS = re.compile(r"\d+")


def may_name(text: str, numbers: Iterable[str]) -> bool:
    """Whether ``text`` can name one of the phone numbers whose national digits are
    ``numbers``: however a number is written (spaces, brackets, a trunk 0, the country
    code or not), its national digits stand in a row among the text's digits. A cheap
    test before :func:`phones_in`, which reads every number a text holds."""
    digits = "".join(_DIGIT_RUNS.findall(text))
    return any(n in digits for n in numbers)


def phones_in(text: str, regions: frozenset[str]) -> list[tuple[str, str]]:
    """(E.164, as written) of each valid phone number in ``text``: in international form,
    and in the national forms of ``regions``. Bounded: phonenumbers' matcher gives up on
    overlong candidates, and the caller passes only the regions its indicators are in."""
    found: dict[str, str] = {}
    for region in ("ZZ", *sorted(regions)):
        try:
            matcher = phonenumbers.PhoneNumberMatcher(
                text, region, leniency=phonenumbers.Leniency.VALID, max_tries=200
            )
            for m in matcher:
                e164 = phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164)
                found.setdefault(e164, m.raw_string)
        except Exception:  # noqa: S112 - a library error on hostile text finds nothing
            continue
    return list(found.items())


def parse_indicators_csv(data: bytes | str, *, max_bytes: int = MAX_BYTES) -> list[ParsedIndicator]:
    """Every indicator of a file, or :class:`IndicatorFileError` naming each bad line."""
    try:
        text = _decode(data, max_bytes)
    except DirectoryFileError as exc:
        raise IndicatorFileError([(0, str(exc))]) from None
    problems: list[tuple[int, str]] = []
    out: list[ParsedIndicator] = []
    records = _records(text)
    header: list[str] | None = None
    for start, _end, cells in records:
        if cells is None:
            problems.append((start, "the line could not be read as CSV (a quote left open?)"))
            if header is None:
                break
            continue
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            header = [c.strip().lower().lstrip("\ufeff") for c in cells]
            if (
                header[:2] != ["kind", "value"]
                or len(header) > 3
                or (len(header) == 3 and header[2] != "note")
            ):
                wanted = ",".join(COLUMNS)
                problems.append(
                    (start, f"the header row must be {wanted} (it is {_show(','.join(cells))})")
                )
                break
            continue
        if len(cells) > len(header):
            problems.append((start, f"{len(cells)} cells where the header has {len(header)}"))
            continue
        if len(cells) < 2:
            problems.append((start, "a kind and a value are needed"))
            continue
        note = cells[2].strip() if len(cells) > 2 else ""
        if len(note) > NOTE_MAX:
            problems.append((start, f"the note is longer than {NOTE_MAX} characters"))
            continue
        try:
            value = check_indicator(cells[0], cells[1])
        except IndicatorError as exc:
            problems.append((start, str(exc)))
            continue
        out.append(ParsedIndicator(start, value, note))
        if len(out) > MAX_ROWS:
            problems.append((start, f"more than {MAX_ROWS:,} indicators; split the file"))
            break
    if header is None and not problems:
        problems.append((0, f"the file is empty; it needs a header row: {','.join(COLUMNS)}"))
    if problems:
        raise IndicatorFileError(problems)
    return out
