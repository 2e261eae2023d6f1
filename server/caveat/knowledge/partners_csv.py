"""The partner directory CSV: a pure parser and writer (no database, no Flask).

The format is a contract (PRODUCT.md, "Partner directory CSV")::

    organization,domain,contact_name,contact_email,contact_phone,bank_accounts,require_auth

with two optional columns after it for the partner's policies (issue 17):
``bank_change_procedure`` (how the partner makes bank changes: free text of at most 300
characters, shown whenever a bank change from them appears) and ``pay_only_on_file``
(``yes``, ``no`` or empty: only the accounts on file may be paid). A file of the seven
contract columns loads as before; the writer puts out all nine.

One row per contact; rows of the same organisation merge. A file that cannot be a
directory at all (wrong header, not UTF-8, too large, binary, semicolon-separated) raises
:class:`DirectoryFileError`; a bad row becomes a :class:`RowError` with the physical line
where it starts, and the good rows still load.

Choices the contract leaves open:

* One :class:`RowError` per bad row, listing every problem of that row, ``;``-separated.
* Header names are matched trimmed, case-insensitively, with spaces or hyphens read as
  underscores (``Contact Email`` is ``contact_email``). ``contact_phone``,
  ``bank_accounts``, ``require_auth``, ``bank_change_procedure`` and ``pay_only_on_file``
  may be absent; an unknown column refuses the file.
* A file without the ``bank_change_procedure`` (``pay_only_on_file``) column says nothing
  about it: its partners carry None there, and an import keeps what is on file. With the
  column, an empty cell is "none" ("no"). The procedure's whitespace is collapsed (it is
  shown on one line); ``pay_only_on_file`` reads ``yes``/``no`` and also ``true``/``false``
  (spreadsheets write those), any case. Rows of one organisation may repeat the same
  procedure or leave it empty; two different ones, or ``yes`` and ``no``, are an error
  naming the row that said it first.
* ``bank_accounts`` takes IBANs and the domestic forms the body checks read
  (:mod:`caveat.reference.bank_identifiers`), each matched with the same account written
  in another form: a German Bankleitzahl and Kontonummer as ``37040044/532013000`` (the
  same account as its IBAN), a Czech account as ``19-2000145399/0800``, a Swedish giro
  number as ``Bankgiro 5050-1055`` or ``PG 90 01 22-3``, a Japanese account as bank code,
  branch and account number ``0005-123-1234567`` (or branch and account, ``123-1234567``),
  a Chinese account by its digits. One of these forms that does not validate (the bank
  code unknown, a check digit wrong) is an error naming what is wrong: it would never
  match the account it was meant to be.
* Inside the ``domain``, ``bank_accounts`` and ``require_auth`` cells, ``,`` separates as
  well as ``;`` (a comma can only be there inside a quoted cell, and none of those values
  can contain one).
* A domain written as a web address (``https://acme.example/``) or as ``@acme.example`` is
  tidied to the host name; a ``www.`` is kept. An address in the ``domain`` column, an IP
  address, a name without a dot, a special-use name (``.local``, ``.test``) and a public
  suffix (``co.uk``) are errors. IDNs become punycode by IDNA 2008, as in email_validator
  (``straße.example`` is ``xn--strae-oqa.example``, not ``strasse.example``).
* The organisation name is kept as first written, trimmed and whitespace-collapsed.
* A cell that spans lines and holds a line with several commas is an error: a quote left
  open has swallowed the rows after it.
* ``contact_email`` may be written ``Name <address>`` or ``mailto:address``; the name then
  fills an empty ``contact_name``. More than one address in the cell is an error.
* Every row must carry a domain or a contact address itself, even when another row of the
  same organisation does.
* A row whose cells are all empty (spreadsheets export them) is skipped and not counted.
* A cell that begins with ``'`` and then a formula's first character (``'+44 20 …``,
  ``'=Acme``) is read without the ``'``: that is how an export makes such a cell inert
  (:mod:`caveat.knowledge.spreadsheet_cells`), so an exported file imports unchanged.
* A row with fewer cells than the header is read as if the missing cells were empty; a row
  with more is an error (it usually means a comma in an unquoted name shifted the cells).
* Contacts are the same when they have the same address, or, without an address, the same
  name (case and spacing ignored), or, with neither, the same phone number. A repeated
  contact fills in a name or phone left empty before; a different phone number for the same
  contact is an error (it is the number staff call to verify payment changes).
* A domain belongs to one organisation: a later row of another organisation claiming it is
  an error naming the first. Contact addresses and bank accounts may be shared.
* The row and domain limits refuse the whole file rather than loading part of it.
"""

from __future__ import annotations

import csv
import gc
import io
import ipaddress
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from difflib import get_close_matches
from functools import lru_cache
from urllib.parse import urlsplit

import email_validator
import idna
from stdnum import iban as _iban
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)

from caveat.knowledge.spreadsheet_cells import read_inert
from caveat.mail.domains import _PSL, parse_address
from caveat.reference.bank_identifiers import on_file_problem

__all__ = [
    "COLUMNS",
    "CONTRACT_COLUMNS",
    "MAX_BYTES",
    "MAX_CELL_CHARS",
    "MAX_DOMAINS",
    "MAX_ROWS",
    "PROCEDURE_MAX",
    "REQUIRE_AUTH_VALUES",
    "Contact",
    "DirectoryFileError",
    "ParseResult",
    "Partner",
    "RowError",
    "organization_key",
    "parse_partners_csv",
    "write_partners_csv",
]

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
MAX_DOMAINS = 200_000
MAX_CELL_CHARS = 1000
#: Longest piece of a cell quoted back in an error message.
SHOW_CHARS = 80
#: Problems listed in one row's error message; the rest are counted.
MAX_PROBLEMS_SHOWN = 5

COLUMNS: tuple[str, ...] = (
    "organization",
    "domain",
    "contact_name",
    "contact_email",
    "contact_phone",
    "bank_accounts",
    "require_auth",
    "bank_change_procedure",
    "pay_only_on_file",
)
#: The contract's columns (PRODUCT.md); the two after them are optional policies.
CONTRACT_COLUMNS: tuple[str, ...] = COLUMNS[:7]
#: Longest bank-change procedure (characters, after whitespace is collapsed).
PROCEDURE_MAX = 300
_YES = frozenset({"yes", "true", "y", "1"})
_NO = frozenset({"no", "false", "n", "0"})
REQUIRED_COLUMNS: tuple[str, ...] = ("organization", "domain", "contact_name", "contact_email")
#: In the order the writer lists them.
REQUIRE_AUTH_VALUES: tuple[str, ...] = ("spf", "dkim", "dmarc")

_SAVE_AS = 'save it as "CSV UTF-8 (Comma delimited)" and load it again'


@dataclass(frozen=True, slots=True)
class Contact:
    name: str  # display name as written, whitespace collapsed; may be ""
    email: str  # normalised address (lower-case, IDNA domain) or ""
    phone: str  # as written, trimmed; may be ""


@dataclass(frozen=True, slots=True)
class Partner:
    organization: str  # as first written, trimmed, whitespace collapsed
    domains: tuple[str, ...]  # ASCII (punycode), lower-case, no trailing dot, first-seen order
    contacts: tuple[Contact, ...]  # de-duplicated (same email, or same name when no email)
    bank_accounts: tuple[str, ...]  # upper-case, no spaces, de-duplicated
    require_auth: frozenset[str]  # subset of {"spf", "dkim", "dmarc"}
    #: how the partner makes bank changes ("" for none; None: the file has no such column)
    bank_change_procedure: str | None = ""
    #: only the accounts on file may be paid (None: the file has no such column)
    pay_only_on_file: bool | None = False


@dataclass(frozen=True, slots=True)
class RowError:
    line: int  # 1-based physical line number where the row starts
    message: str  # plain English; names the column and the problem


@dataclass(frozen=True, slots=True)
class ParseResult:
    partners: tuple[Partner, ...]  # in first-seen order
    errors: tuple[RowError, ...]
    rows: int  # data rows read (rows with every cell empty are not counted)
    #: organisation keys (:func:`organization_key`) named on a bad row: the file says
    #: something about them that could not be read, so what it says is not all there is
    incomplete: frozenset[str] = frozenset()


class DirectoryFileError(ValueError):
    """The whole file is unusable; the message says what to do about it."""


def organization_key(name: str) -> str:
    """How rows of the same organisation are matched: Unicode-normalised (NFKC),
    case-folded, whitespace collapsed and trimmed."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


# ----------------------------------------------------------------------------- parsing


def parse_partners_csv(data: bytes | str, *, max_bytes: int = MAX_BYTES) -> ParseResult:
    """Parse a partner directory CSV; raise :class:`DirectoryFileError` for an unusable file."""
    text = _decode(data, max_bytes)
    records = _records(text)
    header_line, header = _first_record(records)
    columns = _read_header(header, header_line)
    builder = _Builder()
    rows = 0
    # Nothing built here forms a reference cycle, and the cyclic collector's full passes
    # over the growing directory cost about a third of a large file's parse time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for start, end, cells in records:
            if cells is not None and not any(c.strip() for c in cells):
                continue
            rows += 1
            if rows > MAX_ROWS:
                raise DirectoryFileError(
                    f"The file has more than {MAX_ROWS:,} rows; split it into smaller files "
                    "and load them one after the other."
                )
            if cells is None:  # the csv module gave up on this record
                builder.errors.append(
                    RowError(start, "the row could not be read as CSV: check for a missing quote")
                )
                continue
            builder.add_row(start, end, cells, columns)
        builder.policy_columns(columns)
        return ParseResult(
            tuple(builder.partners()), tuple(builder.errors), rows, frozenset(builder.incomplete)
        )
    finally:
        if collecting:
            gc.enable()


def _decode(data: bytes | str, max_bytes: int) -> str:
    if isinstance(data, str):
        if len(data) > max_bytes:
            _too_large(max_bytes)
        try:
            size = len(data.encode("utf-8"))
        except UnicodeEncodeError:
            raise DirectoryFileError(
                f"The file is not valid text (it contains lone surrogates); {_SAVE_AS}."
            ) from None
        if size > max_bytes:
            _too_large(max_bytes)
        text = data
    else:
        if len(data) > max_bytes:
            _too_large(max_bytes)
        raw = bytes(data)
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise DirectoryFileError(
                f'The file is saved as UTF-16 ("Unicode Text"), not as UTF-8; {_SAVE_AS}.'
            )
        if raw.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
            raise DirectoryFileError(
                f"The file is a spreadsheet workbook (.xlsx or .xls), not CSV; {_SAVE_AS}."
            )
        if b"\x00" in raw:
            raise DirectoryFileError(
                f"The file is binary (or UTF-16 text without a byte-order mark), not CSV; "
                f"{_SAVE_AS}."
            )
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            line = raw.count(b"\n", 0, e.start) + 1
            raise DirectoryFileError(
                f"The file is not UTF-8 text (the first character that is not UTF-8 is on "
                f"line {line}); it was probably saved in a legacy encoding such as "
                f'Windows-1252 ("CSV (Comma delimited)"); {_SAVE_AS}.'
            ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        raise DirectoryFileError(f"The file is binary, not CSV; {_SAVE_AS}.")
    return text


def _too_large(max_bytes: int) -> None:
    raise DirectoryFileError(
        f"The file is larger than {max_bytes:,} bytes; split it into smaller files and load "
        "them one after the other."
    )


_Record = tuple[int, int, list[str] | None]


def _records(text: str) -> Iterator[_Record]:
    """(first line, last line, cells) of each record; cells is None when csv gave up.

    ``newline=""`` keeps line breaks inside quoted cells and counts CRLF, LF and CR each as
    one line, so ``line_num`` is the physical line a text editor shows.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    line_num = 0
    while True:
        start = line_num + 1
        try:
            cells: list[str] | None = next(reader)
        except StopIteration:
            return
        except csv.Error:
            cells = None
        line_num = reader.line_num
        yield start, max(start, line_num), cells


def _first_record(records: Iterator[_Record]) -> tuple[int, list[str]]:
    for start, _end, cells in records:
        if cells is None:
            raise DirectoryFileError(
                f"The header row on line {start} could not be read as CSV; it must be "
                f"{','.join(COLUMNS)}"
            )
        if any(c.strip() for c in cells):
            return start, cells
    raise DirectoryFileError(
        f"The file is empty; it needs a header row: {','.join(COLUMNS)} and then one row per "
        "contact."
    )


def _header_name(cell: str) -> str:
    return re.sub(r"[\s\-]+", "_", cell.strip().lower())


def _read_header(header: list[str], line: int) -> list[str]:
    """Canonical column name per cell position ("" for an unnamed column)."""
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        sep = "semicolons" if ";" in header[0] else "tabs"
        raise DirectoryFileError(
            f"The header row on line {line} is separated by {sep}; export the file "
            'comma-separated ("CSV UTF-8 (Comma delimited)"; where Excel uses ";" as the '
            'list separator, change it to "," or export from another program).'
        )
    names = [_header_name(c) for c in header]
    known = set(COLUMNS)
    if not known.intersection(names):
        raise DirectoryFileError(
            f"The first row (line {line}) is not the header row; the file must start with "
            f"{','.join(COLUMNS)}"
        )
    unknown = [n for n in names if n and n not in known]
    if unknown:
        parts = []
        for n in unknown:
            hint = get_close_matches(n, COLUMNS, n=1)
            parts.append(_show(n) + (f" (did you mean {hint[0]}?)" if hint else ""))
        raise DirectoryFileError(
            f"The header row on line {line} has unknown "
            f"{'column' if len(parts) == 1 else 'columns'} {', '.join(parts)}; is this "
            f"the right file? The columns are {','.join(COLUMNS)}"
        )
    seen: set[str] = set()
    for n in names:
        if n and n in seen:
            raise DirectoryFileError(f"The header row on line {line} names {n} twice.")
        seen.add(n)
    missing = [c for c in REQUIRED_COLUMNS if c not in seen]
    if missing:
        raise DirectoryFileError(
            f"The header row on line {line} lacks the "
            f"{'column' if len(missing) == 1 else 'columns'} {', '.join(missing)}; the "
            f"columns are {','.join(COLUMNS)}"
        )
    return names


def _show(value: str) -> str:
    """A cell value quoted for an error message, cut to about SHOW_CHARS characters."""
    if len(value) > SHOW_CHARS:
        value = value[: SHOW_CHARS - 1] + "…"
    return repr(value)


def _split(cell: str) -> list[str]:
    if not cell:
        return []
    return [p for p in (p.strip() for p in cell.replace(",", ";").split(";")) if p]


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LABEL_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_IBAN_LIKE_RE = re.compile(r"^[A-Z]{2}[0-9]{2}")
_ACCOUNT_RE = re.compile(r"^[A-Z0-9\-/.]{4,64}$")
#: a Swedish giro number named with its scheme ("BG 5050-1055"): not an IBAN of Bulgaria
_GIRO_RE = re.compile(r"^(?:BG|PG)[:.]?[0-9][0-9\-]+$")
_NAMED_ADDRESS_RE = re.compile(r"^(.*?)<([^<>]*)>$", re.S)


@lru_cache(maxsize=65536)
def _check_domain(value: str) -> tuple[str, str]:
    """(normalised domain, "") or ("", what is wrong with it), for a ``domain`` cell part."""
    d = value.strip()
    if "://" in d:
        try:
            parts = urlsplit(d)
            host = parts.hostname or ""
        except ValueError:
            return "", "is not a domain name"
        if parts.scheme.lower() not in ("http", "https") or not host or "@" in parts.netloc:
            return "", "is not a domain name"
        d = host
    elif d.startswith("@"):
        d = d[1:]
    if "@" in d:
        return "", "is an email address, not a domain (addresses go in contact_email)"
    d = d.rstrip(".")
    if not d:
        return "", "is not a domain name"
    if len(d.split()) > 1:
        return "", "is not a domain name (it contains a space)"
    return _domain_name(d)


_SPECIAL_USE = tuple(email_validator.SPECIAL_USE_DOMAIN_NAMES)


@lru_cache(maxsize=65536)
def _domain_name(d: str) -> tuple[str, str]:
    """(lower-case ASCII form, "") or ("", what is wrong): a domain that an organisation can
    own and that email_validator (so parse_address) accepts in an address."""
    if d.startswith("[") or _is_ip(d):
        return "", "is an IP address, not a domain name"
    ascii_only = d.isascii()
    if not ascii_only:
        try:
            d = idna.encode(d, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError, ValueError):
            return "", "is not a valid internationalised domain name"
    d = d.lower()
    if len(d) > 253:
        return "", "is longer than 253 characters"
    labels = d.split(".")
    if len(labels) < 2:
        return "", "is not a domain name (it has no dot)"
    punycode = False
    for label in labels:
        if not _LABEL_RE.match(label):
            return "", "is not a valid domain name"
        if label.startswith("xn--"):
            punycode = True
            try:
                idna.decode(label)
            except (idna.IDNAError, UnicodeError, ValueError):
                return "", "is not a valid domain name (bad punycode)"
        elif label[2:4] == "--":
            return "", "is not a valid domain name (only punycode labels have '--' there)"
    if not labels[-1][-1].isalpha():
        return "", "is not a valid domain name (no top-level domain ends in a digit)"
    if any(d == s or d.endswith("." + s) for s in _SPECIAL_USE):
        return "", "is a special-use name that mail cannot be sent to"
    if (punycode or not ascii_only) and not _address_domain(d):
        # email_validator's IDNA checks (bidi rule, unsafe characters) for the rest.
        return "", "is not a valid internationalised domain name"
    if _PSL.privatesuffix(d) is None:
        return "", "is a public suffix, not an organisation's domain"
    return d, ""


def _is_ip(d: str) -> bool:
    if not (d[-1].isdigit() or ":" in d):
        return False  # neither IPv4 (ends in a digit) nor IPv6
    try:
        ipaddress.ip_address(d)
    except ValueError:
        return False
    return True


# A plain dot-atom local part (RFC 5322), lower-cased: what nearly every address has.
_PLAIN_LOCAL_RE = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")


@lru_cache(maxsize=65536)
def _address_domain(domain: str) -> str:
    """The lower-case ASCII form of a domain that parse_address accepts after an "@", else "".

    Called with parse_address's own options rather than through it, so that loading a
    large directory does not flush the cache that message analysis relies on.
    """
    try:
        info = email_validator.validate_email(
            f"a@{domain}",
            check_deliverability=False,
            allow_smtputf8=True,
            allow_quoted_local=True,
            allow_domain_literal=True,
            allow_display_name=False,
        )
    except email_validator.EmailNotValidError:
        return ""
    d = (info.ascii_domain or info.domain).lower()
    return "" if d.startswith("[") else d


def _plain_address(value: str) -> str:
    """The normalised address when it is a plain one that parse_address accepts, else "".

    A shortcut with the same answers: addresses are nearly all distinct, so parse_address's
    cache does not help, and its full validation costs most of a large file's parse time;
    the domain part, which repeats, is validated once per domain.
    """
    local, at, domain = value.lower().rpartition("@")
    if not at or len(local) > 64 or not _PLAIN_LOCAL_RE.match(local):
        return ""
    ascii_domain = ""
    if domain.isascii() and domain[-1:].isalpha():
        # The partner's own domains, mostly, already checked (a stricter check).
        ascii_domain = _domain_name(domain)[0]
    if not ascii_domain:
        ascii_domain = _address_domain(domain)
    if not ascii_domain or len(local) + 1 + len(ascii_domain) > 254:
        return ""
    return f"{local}@{ascii_domain}"


def _check_email(cell: str) -> tuple[str, str, str]:
    """(normalised address, display name found in the cell, problem)."""
    value = cell
    name = ""
    m = _NAMED_ADDRESS_RE.match(value)
    if m:
        name, value = m.group(1).strip().strip('"').strip(), m.group(2).strip()
    if value.lower().startswith("mailto:"):
        value = value[7:].strip()
    plain = _plain_address(value)
    if plain:
        return plain, name, ""
    if value.count("@") > 1 and re.search(r"[;,\s]", value):
        return (
            "",
            "",
            (
                f"contact_email {_show(cell)} holds more than one address; give each contact "
                "a row of their own"
            ),
        )
    parsed = parse_address(value)
    if not parsed.valid:
        try:
            email_validator.validate_email(value, check_deliverability=False)
            reason = "it is not a valid address"
        except email_validator.EmailNotValidError as e:
            reason = str(e)
        return "", "", f"contact_email {_show(cell)} is not a valid address: {reason}"
    if parsed.domain.startswith("["):
        return "", "", f"contact_email {_show(cell)} must have a domain name, not an IP address"
    return parsed.address, name, ""


@lru_cache(maxsize=65536)
def _check_account(value: str) -> tuple[str, str]:
    """(normalised identifier, "") or ("", what is wrong with it)."""
    v = "".join(value.split()).upper()
    problem = on_file_problem(v)
    if problem:
        return "", problem
    if _IBAN_LIKE_RE.match(v) and not _GIRO_RE.match(v):
        v = _iban.compact(v)
        try:
            _iban.validate(v)
        except InvalidChecksum:
            return "", "looks like an IBAN but its check digits are wrong"
        except InvalidLength:
            return "", f"looks like an IBAN but has the wrong length for {v[:2]}"
        except InvalidComponent:
            return "", f"looks like an IBAN but {v[:2]} is not a country that uses IBANs"
        except InvalidFormat:
            return "", f"looks like an IBAN but is not in the format used in {v[:2]}"
        except ValidationError:
            return "", "looks like an IBAN but is not a valid one"
        return v, ""
    if not _ACCOUNT_RE.match(v):
        odd = sorted({c for c in v if not (c.isascii() and (c.isalnum() or c in "-/."))})
        shown = " ".join(repr(c) for c in odd[:3])
        hint = (
            f"; it contains {shown}: write a bank code and its account with '/' between "
            "them, e.g. 021000021/9876543210"
            if odd
            else ""
        )
        return "", f"is not an account identifier (4 to 64 letters, digits, '-', '/' or '.'){hint}"
    return v, ""


def _looks_like_rows(value: str) -> bool:
    """A cell with a line break and a line of several commas: a quote was left open and
    swallowed the rows after it (the csv module reads on to the next quote)."""
    if "\n" not in value and "\r" not in value:
        return False
    return any(line.count(",") >= 3 for line in value.splitlines())


def _phone_key(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit() or ch == "+") or phone.casefold()


@dataclass
class _ContactSlot:
    contact: Contact
    line: int  # the line that gave the phone number (or that first named the contact)


@dataclass
class _PartnerDraft:
    organization: str
    domains: dict[str, None] = field(default_factory=dict)
    contacts: dict[tuple[str, str], _ContactSlot] = field(default_factory=dict)
    bank_accounts: dict[str, None] = field(default_factory=dict)
    require_auth: set[str] = field(default_factory=set)
    #: the procedure and the line that gave it ("" and 0 while no row did)
    procedure: str = ""
    procedure_line: int = 0
    #: yes / no and the line that said it first (None while no row did)
    pay_only: bool | None = None
    pay_only_line: int = 0

    def freeze(self, procedure_column: bool, pay_only_column: bool) -> Partner:
        return Partner(
            organization=self.organization,
            domains=tuple(self.domains),
            contacts=tuple(s.contact for s in self.contacts.values()),
            bank_accounts=tuple(self.bank_accounts),
            require_auth=frozenset(self.require_auth),
            bank_change_procedure=self.procedure if procedure_column else None,
            pay_only_on_file=bool(self.pay_only) if pay_only_column else None,
        )


def _contact_key(c: Contact) -> tuple[str, str]:
    if c.email:
        return ("email", c.email)
    if c.name:
        return ("name", organization_key(c.name))
    return ("phone", _phone_key(c.phone))


class _Builder:
    def __init__(self) -> None:
        self.drafts: dict[str, _PartnerDraft] = {}
        self.domain_owner: dict[str, tuple[str, int]] = {}  # domain -> (org key, line)
        self.errors: list[RowError] = []
        self.incomplete: set[str] = set()
        self._row_org = ""
        self._procedure_column = False
        self._pay_only_column = False

    def policy_columns(self, columns: list[str]) -> None:
        """Note which optional policy columns the header has."""
        self._procedure_column = "bank_change_procedure" in columns
        self._pay_only_column = "pay_only_on_file" in columns

    def partners(self) -> Iterator[Partner]:
        procedure, pay_only = self._procedure_column, self._pay_only_column
        return (d.freeze(procedure, pay_only) for d in self.drafts.values())

    def add_row(self, line: int, end: int, cells: list[str], columns: list[str]) -> None:
        # The organisation a bad row was about, read before anything else can fail.
        at = columns.index("organization") if "organization" in columns else len(cells)
        self._row_org = organization_key(cells[at]) if at < len(cells) else ""
        problems: list[str] = []
        if len(cells) > len(columns):
            problems.append(
                f"the row has {len(cells)} cells but the header has {len(columns)} columns "
                "(a value that contains a comma must be in double quotes)"
            )
            self._fail(line, end, problems)
            return
        row = dict.fromkeys(COLUMNS, "")
        for i, raw in enumerate(cells):
            col = columns[i]
            # A cell an export made inert ('+44 ...) reads as the value it was made of.
            value = read_inert(raw.strip())
            if not col:
                if value:
                    problems.append(
                        f"column {i + 1} has no name in the header but holds {_show(value)}"
                    )
                continue
            if len(value) > MAX_CELL_CHARS:
                problems.append(
                    f"{col} is {len(value):,} characters long (at most {MAX_CELL_CHARS:,})"
                )
                continue
            if _CONTROL_RE.search(value):
                problems.append(f"{col} contains a control character")
                continue
            if _looks_like_rows(value):
                problems.append(f"{col} seems to hold further rows of the file")
                continue
            row[col] = value
        if problems:
            self._fail(line, end, problems)
            return

        organization = " ".join(row["organization"].split())
        key = organization_key(organization)
        if not key:
            problems.append("organization is empty")

        domains: dict[str, None] = {}
        for part in _split(row["domain"]):
            d, why = _check_domain(part)
            if why:
                problems.append(f"domain {_show(part)} {why}")
            else:
                domains[d] = None

        name = " ".join(row["contact_name"].split())
        email = ""
        if row["contact_email"]:
            email, found_name, why = _check_email(row["contact_email"])
            if why:
                problems.append(why)
            elif not name:
                name = " ".join(found_name.split())

        accounts: dict[str, None] = {}
        for part in _split(row["bank_accounts"]):
            a, why = _check_account(part)
            if why:
                problems.append(f"bank_accounts {_show(part)} {why}")
            else:
                accounts[a] = None

        auth: set[str] = set()
        bad_auth: list[str] = []
        for part in _split(row["require_auth"]):
            v = part.lower()
            if v in REQUIRE_AUTH_VALUES:
                auth.add(v)
            else:
                bad_auth.append(_show(part))
        if bad_auth:
            problems.append(
                f"require_auth {', '.join(bad_auth)} is not one of spf, dkim, dmarc "
                "(write them ;-separated, e.g. spf;dkim;dmarc)"
            )

        procedure = " ".join(row["bank_change_procedure"].split())
        if len(procedure) > PROCEDURE_MAX:
            problems.append(
                f"bank_change_procedure is {len(procedure):,} characters long (at most "
                f"{PROCEDURE_MAX}: say how bank changes are made, in a sentence or two)"
            )
        pay_only: bool | None = None
        flag = row["pay_only_on_file"].lower()
        if flag in _YES:
            pay_only = True
        elif flag in _NO:
            pay_only = False
        elif flag:
            problems.append(
                f"pay_only_on_file {_show(row['pay_only_on_file'])} is not yes or no "
                "(or empty for no)"
            )

        if not _split(row["domain"]) and not row["contact_email"]:
            problems.append(
                "domain and contact_email are both empty; one of them must identify the partner"
            )
        if problems:
            self._fail(line, end, problems)
            return

        # Conflicts with rows already loaded.
        for d in domains:
            owner = self.domain_owner.get(d)
            if owner is not None and owner[0] != key:
                other = self.drafts[owner[0]].organization
                problems.append(
                    f"domain {d} already belongs to {_show(other)} (line {owner[1]}); a domain "
                    "belongs to one organisation"
                )
        draft = self.drafts.get(key)
        contact = Contact(name, email, row["contact_phone"])
        slot = None
        if draft is not None and (name or email or contact.phone):
            slot = draft.contacts.get(_contact_key(contact))
            if (
                slot is not None
                and contact.phone
                and slot.contact.phone
                and _phone_key(contact.phone) != _phone_key(slot.contact.phone)
            ):
                who = email or name
                problems.append(
                    f"contact_phone {_show(contact.phone)} differs from "
                    f"{_show(slot.contact.phone)} given for {_show(who)} on line {slot.line}; "
                    "write the same number on every row of a contact, or leave it empty"
                )
        if draft is not None and procedure and draft.procedure and procedure != draft.procedure:
            problems.append(
                f"bank_change_procedure {_show(procedure)} differs from the one given on line "
                f"{draft.procedure_line}; write the same procedure on every row of an "
                "organisation, or leave it empty"
            )
        if draft is not None and pay_only is not None and draft.pay_only not in (None, pay_only):
            problems.append(
                f"pay_only_on_file says {'yes' if pay_only else 'no'} but line "
                f"{draft.pay_only_line} says {'yes' if draft.pay_only else 'no'} for the same "
                "organisation"
            )
        if problems:
            self._fail(line, end, problems)
            return

        if draft is None:
            draft = self.drafts[key] = _PartnerDraft(organization)
        if procedure and not draft.procedure:
            draft.procedure, draft.procedure_line = procedure, line
        if pay_only is not None and draft.pay_only is None:
            draft.pay_only, draft.pay_only_line = pay_only, line
        for d in domains:
            if d not in self.domain_owner:
                if len(self.domain_owner) >= MAX_DOMAINS:
                    raise DirectoryFileError(
                        f"The file has more than {MAX_DOMAINS:,} domains; split it into "
                        "smaller files and load them one after the other."
                    )
                self.domain_owner[d] = (key, line)
            draft.domains[d] = None
        if name or email or contact.phone:
            if slot is None:
                draft.contacts[_contact_key(contact)] = _ContactSlot(contact, line)
            else:
                old = slot.contact
                merged = Contact(old.name or name, old.email, old.phone or contact.phone)
                if merged != old:
                    phone_line = slot.line if old.phone or not contact.phone else line
                    draft.contacts[_contact_key(contact)] = _ContactSlot(merged, phone_line)
        draft.bank_accounts.update(accounts)
        draft.require_auth |= auth

    def _fail(self, line: int, end: int, problems: list[str]) -> None:
        if len(problems) > MAX_PROBLEMS_SHOWN:
            more = len(problems) - MAX_PROBLEMS_SHOWN
            tail = f"and {more} more problem" + ("" if more == 1 else "s")
            problems = [*problems[:MAX_PROBLEMS_SHOWN], tail]
        message = "; ".join(problems)
        if end > line:
            message += (
                f" (the row runs over lines {line}-{end}; if it should not, check for a "
                "missing closing quote)"
            )
        self.errors.append(RowError(line, message))
        if self._row_org:
            self.incomplete.add(self._row_org)


# ----------------------------------------------------------------------------- writing


def write_partners_csv(partners: Iterable[Partner]) -> str:
    """The partners in the directory CSV format, header first; lines end with CRLF.

    One row per contact; a partner without contacts gets one row with the contact cells
    empty. The organisation's domains, bank accounts, require_auth and policies are
    repeated on every row, so that each row stands alone when the file is sorted or
    filtered in a spreadsheet; lists too long for one cell (over 1,000 characters) are
    spread over the rows, repeating contacts where needed. ``parse_partners_csv`` reads
    the result back to the same partners (for partners as it produces them). No
    byte-order mark is added: prefix one ("utf-8-sig") for a file meant for Excel.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    empty = Contact("", "", "")
    for p in partners:
        auth = ";".join(v for v in REQUIRE_AUTH_VALUES if v in p.require_auth)
        domain_cells = _chunks(p.domains)
        account_cells = _chunks(p.bank_accounts)
        contacts = p.contacts or (empty,)
        n = max(len(contacts), len(domain_cells), len(account_cells))
        for i in range(n):
            # Extra rows repeat a contact: a partner without domains is identified by its
            # contacts' addresses, and a repeated contact merges back into one.
            c = contacts[i % len(contacts)]
            writer.writerow(
                [
                    p.organization,
                    domain_cells[i % len(domain_cells)],
                    c.name,
                    c.email,
                    c.phone,
                    account_cells[i % len(account_cells)],
                    auth,
                    p.bank_change_procedure or "",
                    "yes" if p.pay_only_on_file else "no",
                ]
            )
    return out.getvalue()


def _chunks(values: tuple[str, ...]) -> list[str]:
    """``;``-joined cells of at most MAX_CELL_CHARS characters (at least one cell)."""
    cells: list[str] = []
    current = ""
    for v in values:
        if current and len(current) + 1 + len(v) > MAX_CELL_CHARS:
            cells.append(current)
            current = v
        else:
            current = f"{current};{v}" if current else v
    cells.append(current)
    return cells
