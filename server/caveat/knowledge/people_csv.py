"""The people directory CSV: the organisation's own employees and executives.

One row per person, header row required::

    name,email,personal_email,title,department,group,executive

* ``name`` (required): the person's name as colleagues see it.
* ``email`` (required): the work address; ``;``-separated when a person has several (the
  first is their main one). A row with an address already given merges into that person.
* ``personal_email``: private addresses the organisation knows for the person
  (``;``-separated): their own mail from these is theirs, never "impersonation".
* ``title``, ``department``: as the HR system or the identity provider names them.
* ``group``: ``finance``, ``hr`` or ``executive_support``: recipients in these groups are
  the ones payroll and executive fraud aims at, and mail to them is judged more strictly.
  Empty: read from the department and the title (see :func:`group_of`).
* ``executive``: ``yes`` for the people whose names fraudsters borrow (chief executive,
  directors, ...); empty or ``no`` otherwise.

Bad rows are reported with their line number; good rows still load. Cells an export made
inert (``'+...``) read back as their values.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from caveat.mail.names import name_key, organisation_words

from .partners_csv import (
    DirectoryFileError,
    RowError,
    _check_email,
    _decode,
    _records,
)
from .spreadsheet_cells import inert, read_inert

__all__ = [
    "COLUMNS",
    "GROUPS",
    "DirectoryFileError",
    "PeopleParseResult",
    "PersonRecord",
    "group_of",
    "parse_people_csv",
    "write_people_csv",
]

COLUMNS = ("name", "email", "personal_email", "title", "department", "group", "executive")
_REQUIRED = ("name", "email")
#: The groups whose members fraud aims at.
GROUPS = ("finance", "hr", "executive_support")
MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 200_000
NAME_MAX = 300
TEXT_MAX = 300
MAX_ADDRESSES = 10
_YES = frozenset({"yes", "true", "y", "1"})
_NO = frozenset({"no", "false", "n", "0", ""})
_SHOW = 60

# Words of a department or a title that place a person in a group when the file names no
# group: data/organisation_words.toml, every language the product reads.
_FOLD = str.maketrans({"ı": "i", "ł": "l", "đ": "d", "ø": "o", "æ": "ae", "œ": "oe", "ـ": ""})


def _fold(text: str) -> str:
    """Lower case without accents, white space collapsed: "Księgowość" is "ksiegowosc",
    "İnsan Kaynakları" is "insan kaynaklari", as people type them on keyboards without
    the letters."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.translate(_FOLD).split())


def _no_spaces(phrase: str) -> bool:
    """Written in a script without spaces between words (Chinese, Japanese)."""
    return any("\u3040" <= c <= "\u30ff" or "\u3400" <= c <= "\u9fff" for c in phrase)


def _group_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    groups = organisation_words()["groups"]
    out = []
    for group in ("executive_support", "hr", "finance"):
        phrases = sorted(
            {_fold(p) for items in groups[group].values() for p in items}, key=len, reverse=True
        )
        spaced = [re.escape(p) for p in phrases if not _no_spaces(p)]
        unspaced = [re.escape(p) for p in phrases if _no_spaces(p)]
        parts = []
        if spaced:
            parts.append(rf"(?<!\w)(?:{'|'.join(spaced)})(?!\w)")
        if unspaced:
            parts.append(f"(?:{'|'.join(unspaced)})")
        out.append((group, re.compile("|".join(parts))))
    return tuple(out)


_GROUP_WORDS = _group_patterns()


@dataclass(frozen=True, slots=True)
class PersonRecord:
    name: str
    #: work addresses, normalised, the main one first
    emails: tuple[str, ...]
    personal_emails: tuple[str, ...] = ()
    title: str = ""
    department: str = ""
    #: one of :data:`GROUPS`, or ""
    group: str = ""
    executive: bool = False

    @property
    def email(self) -> str:
        return self.emails[0]

    @property
    def name_key(self) -> str:
        return name_key(self.name)


@dataclass(frozen=True, slots=True)
class PeopleParseResult:
    people: tuple[PersonRecord, ...]
    errors: tuple[RowError, ...]
    rows: int


def group_of(title: str, department: str) -> str:
    """The group a department or a title places a person in, or ""."""
    text = _fold(f"{department} {title}")
    for group, words in _GROUP_WORDS:
        if words.search(text):
            return group
    return ""


def _show(value: str) -> str:
    v = " ".join(value.split())
    return repr(v if len(v) <= _SHOW else v[:_SHOW] + "...")


def _addresses(cell: str, column: str) -> tuple[list[str], str]:
    out: list[str] = []
    for part in cell.split(";"):
        part = part.strip()
        if not part:
            continue
        address, _name, problem = _check_email(part)
        if problem:
            return [], problem.replace("contact_email", column)
        if address not in out:
            out.append(address)
    if len(out) > MAX_ADDRESSES:
        return [], f"{column} holds more than {MAX_ADDRESSES} addresses"
    return out, ""


def parse_people_csv(data: bytes | str, *, max_bytes: int = MAX_BYTES) -> PeopleParseResult:
    """Parse a people directory CSV; raise :class:`DirectoryFileError` for an unusable file."""
    text = _decode(data, max_bytes)
    records = _records(text)
    header: list[str] | None = None
    errors: list[RowError] = []
    merged: dict[str, PersonRecord] = {}
    owner: dict[str, str] = {}  # address -> main address of the person holding it
    rows = 0
    for start, _end, cells in records:
        if cells is not None and not any(c.strip() for c in cells):
            continue
        if header is None:
            if cells is None:
                raise DirectoryFileError(f"The header row on line {start} could not be read as CSV")
            header = [re.sub(r"[\s\-]+", "_", c.strip().lower()) for c in cells]
            missing = [c for c in _REQUIRED if c not in header]
            if missing:
                raise DirectoryFileError(
                    f"The header row on line {start} lacks the column(s) {', '.join(missing)}; "
                    f"it must be {','.join(COLUMNS)} (only name and email are required)."
                )
            unknown = [c for c in header if c and c not in COLUMNS]
            if unknown:
                raise DirectoryFileError(
                    f"The header row on line {start} names unknown column(s) "
                    f"{', '.join(_show(c) for c in unknown)}; the columns are {','.join(COLUMNS)}."
                )
            continue
        rows += 1
        if rows > MAX_ROWS:
            raise DirectoryFileError(
                f"The file has more than {MAX_ROWS:,} rows; split it and load the parts in turn."
            )
        if cells is None:
            errors.append(
                RowError(start, "the row could not be read as CSV: check for a missing quote")
            )
            continue
        row = {
            col: read_inert(cells[i].strip()) if i < len(cells) else ""
            for i, col in enumerate(header)
            if col
        }
        record, problem = _record(row)
        if record is None:
            errors.append(RowError(start, problem))
            continue
        main = next((owner[a] for a in record.emails if a in owner), record.email)
        clash = [a for a in record.personal_emails if owner.get(a, main) != main]
        if clash:
            errors.append(
                RowError(start, f"personal_email {clash[0]} is already another person's address")
            )
            continue
        prev = merged.get(main)
        if prev is not None:
            record = _merge(prev, record)
        merged[main] = record
        for a in (*record.emails, *record.personal_emails):
            owner.setdefault(a, main)
    if header is None:
        raise DirectoryFileError(
            f"The file is empty; it needs a header row: {','.join(COLUMNS)} and then one row "
            "per person."
        )
    return PeopleParseResult(tuple(merged.values()), tuple(errors), rows)


def _record(row: dict[str, str]) -> tuple[PersonRecord | None, str]:
    name = " ".join(row.get("name", "").split())
    if not name:
        return None, "name is empty"
    if len(name) > NAME_MAX:
        return None, f"name is longer than {NAME_MAX} characters"
    emails, problem = _addresses(row.get("email", ""), "email")
    if problem:
        return None, problem
    if not emails:
        return None, "email is empty"
    personal, problem = _addresses(row.get("personal_email", ""), "personal_email")
    if problem:
        return None, problem
    personal = [a for a in personal if a not in emails]
    title = " ".join(row.get("title", "").split())
    department = " ".join(row.get("department", "").split())
    for col, value in (("title", title), ("department", department)):
        if len(value) > TEXT_MAX:
            return None, f"{col} is longer than {TEXT_MAX} characters"
    group = row.get("group", "").strip().lower().replace(" ", "_").replace("-", "_")
    if group and group not in GROUPS:
        return None, f"group {_show(group)} is not one of {', '.join(GROUPS)} (or empty)"
    executive = row.get("executive", "").strip().lower()
    if executive not in _YES | _NO:
        return None, f"executive {_show(executive)} is not yes or no"
    return (
        PersonRecord(
            name=name,
            emails=tuple(emails),
            personal_emails=tuple(personal),
            title=title,
            department=department,
            group=group or group_of(title, department),
            executive=executive in _YES,
        ),
        "",
    )


def _merge(a: PersonRecord, b: PersonRecord) -> PersonRecord:
    return PersonRecord(
        name=a.name,
        emails=tuple(dict.fromkeys((*a.emails, *b.emails)))[:MAX_ADDRESSES],
        personal_emails=tuple(dict.fromkeys((*a.personal_emails, *b.personal_emails)))[
            :MAX_ADDRESSES
        ],
        title=a.title or b.title,
        department=a.department or b.department,
        group=a.group or b.group,
        executive=a.executive or b.executive,
    )


def write_people_csv(people: Iterable[PersonRecord]) -> str:
    """The people as CSV in the import format; every cell inert for spreadsheets."""
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(COLUMNS)
    for p in people:
        w.writerow(
            [
                inert(p.name),
                ";".join(p.emails),
                ";".join(p.personal_emails),
                inert(p.title),
                inert(p.department),
                p.group,
                "yes" if p.executive else "",
            ]
        )
    return buf.getvalue()
