"""What the API's directory uploads share (``PUT /api/v1/partners``, ``PUT /api/v1/people``):
a CSV body, its ``replace`` flag, the same answers to a body too large (413), of another
type (415) or unreadable as a whole (400 ``invalid_directory``), the bad rows as the answer
lists them, and the download of a directory as CSV that no cache keeps."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from flask import Response, request
from werkzeug.exceptions import RequestEntityTooLarge

from caveat.knowledge.partners_csv import DirectoryFileError, RowError

from .errors import ApiError

#: The types a directory CSV may come as (curl --data-binary sends the last).
CSV_TYPES = ("text/csv", "text/plain", "application/octet-stream")


class Parsed(Protocol):
    @property
    def errors(self) -> Sequence[RowError]: ...


P = TypeVar("P", bound=Parsed)


def csv_upload(what: str, parse: Callable[[bytes], P]) -> tuple[P, bool]:
    """The request's CSV body parsed, and whether ``replace`` was asked; ``what`` names the
    directory in the 415 message (``the partner directory``)."""
    limit = request.max_content_length
    if limit is not None and request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge()
    if request.mimetype not in CSV_TYPES:
        raise ApiError(
            415,
            "unsupported_media_type",
            f"send {what} as text/csv" + (f", not {request.mimetype}" if request.mimetype else ""),
        )
    replace = request.args.get("replace", "false").lower() in ("1", "true", "yes")
    try:
        result = parse(request.get_data(cache=False))
    except DirectoryFileError as exc:
        raise ApiError(400, "invalid_directory", str(exc)) from None
    return result, replace


def row_errors(result: Parsed) -> list[dict[str, object]]:
    """The bad rows of an upload, as the answer lists them."""
    return [{"line": e.line, "message": e.message} for e in result.errors]


def csv_download(text: str) -> Response:
    """A directory as CSV; ``no-store``, since it holds addresses (and a partner's phone
    numbers and accounts)."""
    response = Response(text, mimetype="text/csv")
    response.headers["Cache-Control"] = "no-store"
    return response
