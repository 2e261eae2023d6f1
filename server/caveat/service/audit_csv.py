"""The audit log as CSV, for ``GET /api/v1/audit/export`` and ``caveat audit export``.

Columns: ``id,at,actor_subject,actor,action,target,before,after`` (``before`` and
``after`` as compact JSON). Much of what a row holds was typed by someone else: an
organisation's name from a partner file, a note, a display name. A spreadsheet runs a cell
that begins with ``=``, ``+``, ``-`` or ``@`` as a formula (and a tab or carriage return
before one hides it), so such a cell is written with a ``'`` in front, which makes it text
(OWASP's advice on CSV injection). The export is for reading; the ``'`` shows where a value
was made inert.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from caveat.knowledge.spreadsheet_cells import FORMULA_START, inert
from caveat.storage.audit import AuditEntry

__all__ = ["COLUMNS", "FORMULA_START", "inert", "lines", "row"]

COLUMNS = ("id", "at", "actor_subject", "actor", "action", "target", "before", "after")


def _state(value: Any) -> str:
    if value is None:
        return ""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def row(entry: AuditEntry) -> list[str]:
    doc = entry.as_json()
    return [
        str(doc["id"]),
        doc["at"],
        inert(doc["actor_subject"]),
        inert(doc["actor"]),
        inert(doc["action"]),
        inert(doc["target"]),
        inert(_state(doc["before"])),
        inert(_state(doc["after"])),
    ]


def lines(entries: Iterable[AuditEntry]) -> Iterator[str]:
    """The CSV text, the header first, a chunk per row (CRLF line ends, RFC 4180)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    yield buffer.getvalue()
    for entry in entries:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(row(entry))
        yield buffer.getvalue()
