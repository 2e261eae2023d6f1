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
    PeopleParseResult,
    PersonRecord,
    parse_people_csv,
    write_people_csv,
)
from caveat.storage.people import PeopleStore, import_people_parsed
from caveat.storage.store import Store

from . import directory_files
from .common import count, opened, operator, stops
from .directory_files import FileActions, add_file_actions, export, import_summary, read_all

PROG = "caveat people"
_WORDS = FileActions(
    file="PEOPLE.csv",
    import_help="load a people CSV (bad rows are reported)",
    replace_help="also remove imported people the file does not list",
    list_help="show the people in the directory",
    json_help="one JSON object per person",
    export_help="write the people directory as CSV (the import format)",
)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "people",
        help="import, list and export the people directory (employees, executives)",
        description="The organisation's own people: names, work and personal addresses, "
        "title, department, group (finance, hr, executive_support) and whether they are "
        "an executive. Caveat warns when someone borrows their names.",
    )
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    add_file_actions(actions, _WORDS, run_import, run_list, run_export)


def parse_file(path: Path, err: TextIO, prog: str) -> PeopleParseResult | None:
    """The parsed file, with its bad rows reported on ``err``; None if it is unusable."""
    return directory_files.parse_file(path, err, prog, parse_people_csv)


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
    return read_all(args, err, PROG, lambda store: PeopleStore(store).records())


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
        import_summary(
            result.rows,
            count(len(result.people), "person", "people"),
            report.added,
            report.updated,
            report.removed if args.replace else None,
            bad,
        )
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
    return export(args, out, err, PROG, text, count(len(people), "person", "people"))
