"""The people directory (employees and executives), on version 1 of the API.

* ``PUT /api/v1/people`` (directory) — load a people CSV (the format of ``caveat people
  import``, :mod:`caveat.knowledge.people_csv`); ``replace=true`` also removes the
  imported people the file does not list. Bad rows are reported with their line numbers
  and skipped; the good rows are stored, with one audit row (``people.import``).
* ``GET /api/v1/people`` (directory) — the directory as CSV, in the import format.
"""

from __future__ import annotations

from flask import Response, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from caveat.knowledge.people_csv import DirectoryFileError, parse_people_csv, write_people_csv
from caveat.storage.people import PeopleStore, import_people_parsed

from .errors import ApiError
from .services import services
from .v1 import bp, principal, requires


@bp.put("/people")
@requires("directory")
def import_people() -> Response:
    limit = request.max_content_length
    if limit is not None and request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge()
    if request.mimetype not in ("text/csv", "text/plain", "application/octet-stream"):
        raise ApiError(
            415,
            "unsupported_media_type",
            "send the people directory as text/csv"
            + (f", not {request.mimetype}" if request.mimetype else ""),
        )
    replace = request.args.get("replace", "false").lower() in ("1", "true", "yes")
    try:
        result = parse_people_csv(request.get_data(cache=False))
    except DirectoryFileError as exc:
        raise ApiError(400, "invalid_directory", str(exc)) from None
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
            "errors": [{"line": e.line, "message": e.message} for e in result.errors],
        }
    )


@bp.get("/people")
@requires("directory")
def export_people() -> Response:
    text = write_people_csv(PeopleStore(services().store).records())
    response = Response(text, mimetype="text/csv")
    response.headers["Cache-Control"] = "no-store"
    return response
