"""The people directory (employees and executives), on version 1 of the API.

* ``PUT /api/v1/people`` (directory) — load a people CSV (the format of ``caveat people
  import``, :mod:`caveat.knowledge.people_csv`); ``replace=true`` also removes the
  imported people the file does not list. Bad rows are reported with their line numbers
  and skipped; the good rows are stored, with one audit row (``people.import``).
* ``GET /api/v1/people`` (directory) — the directory as CSV, in the import format.
"""

from __future__ import annotations

from flask import Response, jsonify

from caveat.knowledge.people_csv import parse_people_csv, write_people_csv
from caveat.storage.people import PeopleStore, import_people_parsed

from .csv_upload import csv_download, csv_upload, row_errors
from .services import services
from .v1 import bp, principal, requires


@bp.put("/people")
@requires("directory")
def import_people() -> Response:
    result, replace = csv_upload("the people directory", parse_people_csv)
    s = services()
    report = import_people_parsed(
        s.store, result, replace=replace, who=principal(), source="PUT /api/v1/people"
    )
    s.analyzer.people.refresh()
    return jsonify(
        {
            "rows": result.rows,
            "people": len(result.people),
            "created": report.added,
            "updated": report.updated,
            "removed": report.removed,
            "errors": row_errors(result),
        }
    )


@bp.get("/people")
@requires("directory")
def export_people() -> Response:
    return csv_download(write_people_csv(PeopleStore(services().store).records()))
