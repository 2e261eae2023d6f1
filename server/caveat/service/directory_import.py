"""A partner directory import in two steps, for the admin console: a preview of what a CSV
file would do, then the import itself once the person confirms it.

* :func:`preview_import` reads the file with the directory CSV's own parser (every bad row
  with its line and message) and runs the very import ``PUT /api/v1/partners`` and
  ``caveat partners import`` run (:func:`~caveat.storage.directory_store.import_parsed`),
  inside one transaction that is rolled back: what it would add, change and remove is the
  directory before and after, compared, and nothing of it is kept (no partner, no audit
  row, the directory's version unchanged).
* :func:`confirm_import` runs the same import for good, by the person confirming, on two
  conditions: the file is the one previewed (its digest), and the directory is still at
  the version the preview was made against. When someone changed the directory meanwhile
  it refuses with :class:`StalePreview`, which carries a new preview against the
  directory as it is now, rather than overwrite what that change did.

The file travels with the preview (the console sends it back with the confirmation), so
nothing waits on the server between the two steps. Its line ends are made ``\\n`` before
the preview reads it: a browser sends a form field's line ends as CRLF, and the file
confirmed must read exactly as the file previewed.

Also :func:`export_rows`, the directory as the CSV's rows with every cell that could run
as a spreadsheet formula made inert; the parser reads such a cell back to its value, so
an exported file imports unchanged.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from caveat.identity.principal import Principal
from caveat.knowledge.directory import PartnerEntry
from caveat.knowledge.partners_csv import (
    DirectoryFileError,
    ParseResult,
    RowError,
    organization_key,
    parse_partners_csv,
    write_partners_csv,
)
from caveat.knowledge.spreadsheet_cells import inert
from caveat.storage.directory_store import DirectoryStore, Policy, import_parsed
from caveat.storage.records import DirectoryStateRow, ImportReport
from caveat.storage.store import Store

__all__ = [
    "DirectoryFileError",
    "ImportDone",
    "ImportPreview",
    "PartnerChange",
    "StalePreview",
    "confirm_import",
    "csv_text",
    "digest",
    "export_rows",
    "preview_import",
]


@dataclass(frozen=True, slots=True)
class PartnerChange:
    """What an import does to one organisation."""

    organization: str
    #: "added", "changed" or "removed"
    kind: str
    #: one line per difference, in plain words ("domain added: acme.example")
    details: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportPreview:
    """What importing ``text`` would do to the directory at ``version``."""

    text: str
    replace: bool
    version: int
    rows: int
    organizations: int
    errors: tuple[RowError, ...]
    added: tuple[PartnerChange, ...]
    changed: tuple[PartnerChange, ...]
    removed: tuple[PartnerChange, ...]
    #: organisations the file names that it would leave as they are
    unchanged: int
    #: free-mail domains listed as a company's, domains another organisation keeps, and
    #: organisations a replace keeps because the file has bad rows
    warnings: tuple[str, ...] = ()
    digest: str = field(default="")

    @property
    def changes(self) -> int:
        return len(self.added) + len(self.changed) + len(self.removed)


@dataclass(frozen=True, slots=True)
class ImportDone:
    """An import made for good."""

    rows: int
    organizations: int
    errors: tuple[RowError, ...]
    report: ImportReport
    warnings: tuple[str, ...]


class StalePreview(Exception):
    """The directory changed since the preview; ``preview`` is a new one against it now."""

    def __init__(self, preview: ImportPreview) -> None:
        super().__init__("the partner directory changed since this preview")
        self.preview = preview


def csv_text(data: bytes | str) -> str:
    """The file as text with ``\\n`` line ends; :class:`DirectoryFileError` with the
    parser's own explanation when it is not UTF-8 text."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            parse_partners_csv(data)  # says why: UTF-16, a workbook, a legacy encoding
            raise DirectoryFileError("The file is not UTF-8 text.") from None
    else:
        text = data.removeprefix("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def digest(text: str, replace: bool) -> str:
    """What a confirmation must send back to import what was previewed."""
    h = hashlib.sha256(b"replace\n" if replace else b"merge\n")
    h.update(text.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def preview_import(store: Store, data: bytes | str, *, replace: bool) -> ImportPreview:
    """What importing ``data`` (merge, or with ``replace`` also removing the organisations
    the file does not list) would do; nothing is kept. :class:`DirectoryFileError` for a
    file that cannot be a directory at all."""
    text = csv_text(data)
    result = parse_partners_csv(text)
    return _preview(store, text, result, replace)


def confirm_import(
    store: Store,
    text: str,
    *,
    replace: bool,
    version: int,
    digest_sent: str,
    who: Principal,
    source: str = "admin console",
) -> ImportDone:
    """Import ``text`` as previewed at ``version``. :class:`ValueError` when ``text`` is not
    the file previewed (``digest_sent``), :class:`StalePreview` when the directory is no
    longer at ``version``, :class:`DirectoryFileError` when the file is unusable."""
    text = csv_text(text)
    if digest(text, replace) != digest_sent:
        raise ValueError("the file is not the one previewed; preview it again")
    result = parse_partners_csv(text)
    try:
        with store.session() as s:
            # The version and the import in one transaction: a change committed by anyone
            # else before this one holds the row, and this import sees its version.
            current = s.scalar(
                select(DirectoryStateRow.version).where(DirectoryStateRow.id == 1).with_for_update()
            )
            if int(current or 0) != version:
                raise _Stale
            report, warnings = import_parsed(
                _pinned(store, s), result, replace=replace, who=who, source=source
            )
    except _Stale:
        raise StalePreview(_preview(store, text, result, replace)) from None
    return ImportDone(
        result.rows,
        len(result.partners),
        result.errors,
        report,
        tuple(warnings) + tuple(f"{org}: {problem}" for org, problem in report.problems),
    )


def export_rows(store: Store) -> Iterator[list[str]]:
    """The directory CSV (``caveat partners export``'s file), row by row, the header first,
    each cell a spreadsheet could run as a formula made inert."""
    text = write_partners_csv(DirectoryStore(store).partners())  # type: ignore[arg-type]
    for row in csv.reader(io.StringIO(text, newline="")):
        yield [inert(cell) for cell in row]


# ----------------------------------------------------------------------------- internals


class _Stale(Exception):
    pass


class _Rollback(Exception):
    def __init__(
        self,
        version: int,
        before: list[PartnerEntry],
        after: list[PartnerEntry],
        report: ImportReport,
        warnings: list[str],
    ) -> None:
        super().__init__("preview")
        self.version, self.before, self.after = version, before, after
        self.report, self.warnings = report, warnings


class _PinnedStore:
    """A store whose every session is one open session: the directory's functions then
    run inside the caller's transaction."""

    def __init__(self, store: Store, session: Session) -> None:
        self._store = store
        self._session = session

    def clock(self) -> datetime:
        return self._store.clock()

    @contextmanager
    def session(self, *, timeout: float | None = None) -> Iterator[Session]:
        yield self._session


def _pinned(store: Store, session: Session) -> Store:
    return cast(Store, _PinnedStore(store, session))


def _preview(store: Store, text: str, result: ParseResult, replace: bool) -> ImportPreview:
    try:
        with store.session() as s:
            pinned = DirectoryStore(_pinned(store, s))
            version = pinned.version()
            before = pinned.partners()
            report, warnings = import_parsed(pinned.store, result, replace=replace)
            after = pinned.partners()
            raise _Rollback(version, before, after, report, warnings)
    except _Rollback as done:
        return _compare(text, result, replace, done)
    raise AssertionError("unreachable")  # pragma: no cover


def _compare(text: str, result: ParseResult, replace: bool, done: _Rollback) -> ImportPreview:
    was = {organization_key(p.organization): p for p in done.before}
    now = {organization_key(p.organization): p for p in done.after}
    added = tuple(
        PartnerChange(p.organization, "added", _described(p))
        for k, p in now.items()
        if k not in was
    )
    removed = tuple(
        PartnerChange(p.organization, "removed") for k, p in was.items() if k not in now
    )
    named = {organization_key(p.organization) for p in result.partners}
    changed: list[PartnerChange] = []
    unchanged = 0
    for k, p in now.items():
        old = was.get(k)
        if old is None:
            continue
        details = _differences(old, p)
        if details:
            changed.append(PartnerChange(p.organization, "changed", details))
        elif k in named:
            unchanged += 1
    warnings = tuple(done.warnings) + tuple(
        f"{org}: {problem}" for org, problem in done.report.problems
    )
    return ImportPreview(
        text=text,
        replace=replace,
        version=done.version,
        rows=result.rows,
        organizations=len(result.partners),
        errors=result.errors,
        added=added,
        changed=tuple(changed),
        removed=removed,
        unchanged=unchanged,
        warnings=warnings,
        digest=digest(text, replace),
    )


def _contact(c: object) -> str:
    name, email, phone = (getattr(c, a) for a in ("name", "email", "phone"))
    parts = [name] if name else []
    if email:
        parts.append(f"<{email}>")
    if phone:
        parts.append(phone)
    return " ".join(parts) or "(empty)"


def _policy(p: PartnerEntry) -> Policy:
    return Policy(p.require_auth, p.bank_change_procedure, p.pay_only_on_file)


def _auth(values: frozenset[str]) -> str:
    return ";".join(sorted(values)) or "none"


def _described(p: PartnerEntry) -> tuple[str, ...]:
    out = [f"domain: {d}" for d in p.domains]
    out += [f"contact: {_contact(c)}" for c in p.contacts]
    out += [f"bank account: {a}" for a in p.bank_accounts]
    if p.require_auth:
        out.append(f"requires: {_auth(p.require_auth)}")
    if p.bank_change_procedure:
        out.append(f"bank change procedure: {p.bank_change_procedure}")
    if p.pay_only_on_file:
        out.append("pay only accounts on file: yes")
    return tuple(out)


def _differences(old: PartnerEntry, new: PartnerEntry) -> tuple[str, ...]:
    out: list[str] = []
    if old.organization != new.organization:
        out.append(f"name: {old.organization} → {new.organization}")

    def lists(label: str, a: tuple[str, ...], b: tuple[str, ...]) -> None:
        out.extend(f"{label} removed: {v}" for v in a if v not in b)
        out.extend(f"{label} added: {v}" for v in b if v not in a)

    lists("domain", old.domains, new.domains)
    lists(
        "contact",
        tuple(_contact(c) for c in old.contacts),
        tuple(_contact(c) for c in new.contacts),
    )
    lists("bank account", old.bank_accounts, new.bank_accounts)
    before, after = _policy(old), _policy(new)
    if before.require_auth != after.require_auth:
        out.append(f"requires: {_auth(before.require_auth)} → {_auth(after.require_auth)}")
    if before.bank_change_procedure != after.bank_change_procedure:
        out.append(
            f"bank change procedure: {before.bank_change_procedure or '(none)'} → "
            f"{after.bank_change_procedure or '(none)'}"
        )
    if before.pay_only_on_file != after.pay_only_on_file:
        yes = {True: "yes", False: "no"}
        out.append(
            f"pay only accounts on file: {yes[before.pay_only_on_file]} → "
            f"{yes[after.pay_only_on_file]}"
        )
    return tuple(out)
