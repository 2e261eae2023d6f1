"""What ``caveat partners`` and ``caveat people`` share: a directory loaded from a CSV file
(``import FILE [--replace]``), shown (``list [--json]``) and written back in the import
format (``export [FILE]``), with the same messages and exit codes for both."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TextIO, TypeVar

from caveat.knowledge.partners_csv import DirectoryFileError, RowError
from caveat.storage.store import Store

from .common import Stop, add_db_option, count, opened

_DB_HELP = "default: DATABASE_URL, by default the SQLite file in the instance folder"


class Parsed(Protocol):
    @property
    def errors(self) -> Sequence[RowError]: ...


P = TypeVar("P", bound=Parsed)
T = TypeVar("T")
Run = Callable[..., int]


@dataclass(frozen=True)
class FileActions:
    """The words of one directory's ``import``, ``list`` and ``export`` actions."""

    #: the file's metavar (``PARTNERS.csv``)
    file: str
    import_help: str
    replace_help: str
    list_help: str
    json_help: str
    export_help: str


def add_file_actions(
    actions: argparse._SubParsersAction,  # type: ignore[type-arg]
    words: FileActions,
    run_import: Run,
    run_list: Run,
    run_export: Run,
) -> None:
    """Add ``import``, ``list`` and ``export`` to a command's actions."""
    imp = actions.add_parser("import", help=words.import_help)
    imp.add_argument("file", type=Path, metavar=words.file)
    imp.add_argument("--replace", action="store_true", help=words.replace_help)
    add_db_option(imp, _DB_HELP)
    imp.set_defaults(func=run_import)
    ls = actions.add_parser("list", help=words.list_help)
    ls.add_argument("--json", action="store_true", help=words.json_help)
    add_db_option(ls, _DB_HELP)
    ls.set_defaults(func=run_list)
    exp = actions.add_parser("export", help=words.export_help)
    exp.add_argument("file", nargs="?", type=Path, metavar="FILE", help="default: standard output")
    add_db_option(exp, _DB_HELP)
    exp.set_defaults(func=run_export)


def parse_file(path: Path, err: TextIO, prog: str, parse: Callable[[bytes], P]) -> P | None:
    """The parsed file, with its bad rows reported on ``err``; None if it is unusable."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        print(f"{prog}: {path}: {exc.strerror or exc}", file=err)
        return None
    try:
        result = parse(data)
    except DirectoryFileError as exc:
        print(f"{prog}: {path}: {exc}", file=err)
        return None
    for e in result.errors:
        print(f"{prog}: {path}, line {e.line}: {e.message}", file=err)
    return result


def read_all(
    args: argparse.Namespace, err: TextIO, prog: str, read: Callable[[Store], list[T]]
) -> list[T] | None:
    """Every stored entry, or None after reporting why the store could not be read."""
    try:
        with opened(args.db, prog, err) as store:
            return read(store)
    except Stop:
        return None


def import_summary(
    rows: int, entries: str, new: int, updated: int, removed: int | None, bad: int
) -> str:
    """``Read 3 rows: 2 people; 1 new, 1 updated[, 0 removed][; 1 bad row skipped (see
    above)].`` (``removed`` None without --replace)."""
    return (
        f"Read {count(rows, 'row')}: {entries}; {new} new, {updated} updated"
        + (f", {removed} removed" if removed is not None else "")
        + (f"; {count(bad, 'bad row')} skipped (see above)" if bad else "")
        + ".\n"
    )


def export(
    args: argparse.Namespace, out: TextIO, err: TextIO, prog: str, text: str, entries: str
) -> int:
    """Write the CSV ``text`` to ``args.file`` (standard output without one)."""
    if args.file is None:
        out.write(text)
        return 0
    try:
        args.file.write_text(text, "utf-8", newline="")
    except OSError as exc:
        print(f"{prog}: {args.file}: {exc.strerror or exc}", file=err)
        return 2
    print(f"Wrote {entries} to {args.file}.", file=err)
    return 0
