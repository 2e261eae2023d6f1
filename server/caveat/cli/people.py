"""``caveat people``: import, list and export the people directory (employees and
executives; format in :mod:`caveat.knowledge.people_csv` and docs/directory.md).

    caveat people import PEOPLE.csv [--replace] [--db URL]
    caveat people list [--json] [--db URL]
    caveat people export [FILE] [--db URL]

Import reports bad rows with their line numbers and stores the good ones; a person is
matched by any of their addresses, so importing the file again updates and never
duplicates. ``--replace`` also removes the imported people the file no longer lists
(nobody when the file has bad rows). Every change is written to the audit log as made by
``<login> at the command line``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from caveat.knowledge.people_csv import (
    DirectoryFileError,
    PeopleParseResult,
    PersonRecord,
    parse_people_csv,
    write_people_csv,
)
from caveat.storage.people import PeopleStore, import_people_parsed
from caveat.storage.store import Store

from .common import Stop, add_db_option, count, opened, operator, stops

PROG = "caveat people"
_DB_HELP = "default: DATABASE_URL, by default the SQLite file in the instance folder"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "people",
        help="import, list and export the people directory (employees, executives)",
        description="The organisation's own people: names, work and personal addresses, "
        "title, department, group (finance, hr, executive_support) and whether they are "
        "an executive. Caveat warns when someone borrows their names.",
    )
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    imp = actions.add_parser("import", help="load a people CSV (bad rows are reported)")
    imp.add_argument("file", type=Path, metavar="PEOPLE.csv")
    imp.add_argument(
        "--replace", action="store_true", help="also remove imported people the file does not list"
    )
    add_db_option(imp, _DB_HELP)
    imp.set_defaults(func=run_import)
    ls = actions.add_parser("list", help="show the people in the directory")
    ls.add_argument("--json", action="store_true", help="one JSON object per person")
    add_db_option(ls, _DB_HELP)
    ls.set_defaults(func=run_list)
    exp = actions.add_parser("export", help="write the people directory as CSV (the import format)")
    exp.add_argument("file", nargs="?", type=Path, metavar="FILE", help="default: standard output")
    add_db_option(exp, _DB_HELP)
    exp.set_defaults(func=run_export)


def parse_file(path: Path, err: TextIO, prog: str) -> PeopleParseResult | None:
    """The parsed file, with its bad rows reported on ``err``; None if it is unusable."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        print(f"{prog}: {path}: {exc.strerror or exc}", file=err)
        return None
    try:
        result = parse_people_csv(data)
    except DirectoryFileError as exc:
        print(f"{prog}: {path}: {exc}", file=err)
        return None
    for e in result.errors:
        print(f"{prog}: {path}, line {e.line}: {e.message}", file=err)
    return result


def load_people(store: Store, path: Path, err: TextIO, *, prog: str) -> bool:
    """Parse and import ``path`` (for ``caveat scan --people``). False when unusable."""
    result = parse_file(path, err, prog)
    if result is None:
        return False
    import_people_parsed(store, result, who=operator(), source=str(path))
    return True


def person_json(p: PersonRecord) -> dict[str, object]:
    return {
        "name": p.name,
        "email": list(p.emails),
        "personal_email": list(p.personal_emails),
        "title": p.title,
        "department": p.department,
        "group": p.group,
        "executive": p.executive,
    }


def _read(args: argparse.Namespace, err: TextIO) -> list[PersonRecord] | None:
    try:
        with opened(args.db, PROG, err) as store:
            return PeopleStore(store).records()
    except Stop:
        return None


@stops
def run_import(
    args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    result = parse_file(args.file, err, f"{PROG} import")
    if result is None:
        return 2
    with opened(args.db, PROG, err) as store:
        report = import_people_parsed(
            store, result, replace=args.replace, who=operator(), source=str(args.file)
        )
    bad = len(result.errors)
    out.write(
        f"Read {count(result.rows, 'row')}: {count(len(result.people), 'person', 'people')}; "
        f"{report.added} new, {report.updated} updated"
        + (f", {report.removed} removed" if args.replace else "")
        + (f"; {count(bad, 'bad row')} skipped (see above)" if bad else "")
        + ".\n"
    )
    return 1 if bad else 0


def run_list(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    people = _read(args, err)
    if people is None:
        return 2
    if args.json:
        for p in people:
            out.write(json.dumps(person_json(p), ensure_ascii=False) + "\n")
        return 0
    if not people:
        out.write("The people directory is empty (caveat people import PEOPLE.csv).\n")
        return 0
    for p in people:
        extra = [x for x in (p.title, p.department) if x]
        if p.group:
            extra.append(p.group)
        if p.executive:
            extra.append("executive")
        out.write(f"{p.name} <{p.email}>" + (f"  [{'; '.join(extra)}]" if extra else "") + "\n")
    out.write(f"{count(len(people), 'person', 'people')}.\n")
    return 0


def run_export(
    args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    people = _read(args, err)
    if people is None:
        return 2
    text = write_people_csv(people)
    if args.file is None:
        out.write(text)
        return 0
    try:
        args.file.write_text(text, "utf-8", newline="")
    except OSError as exc:
        print(f"{PROG}: {args.file}: {exc.strerror or exc}", file=err)
        return 2
    print(f"Wrote {count(len(people), 'person', 'people')} to {args.file}.", file=err)
    return 0
