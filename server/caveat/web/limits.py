"""How large a request body each endpoint accepts, one rule for the front (which refuses
before reading) and for Flask (which refuses while reading, in-process and in tests)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: Endpoints that carry whole messages or files: a raw message (``raw``), attachment
#: content (analyze, and a report's ``message``), or the partner directory's CSV.
LARGE_BODIES = frozenset(
    {("POST", "/api/v1/analyze"), ("POST", "/api/v1/reports"), ("PUT", "/api/v1/partners")}
)

#: The admin console's forms: an import (any path under /admin/ with a segment
#: ``import``: a partner or indicator file, its preview and confirmation) carries a file;
#: every other form a few fields.
CONSOLE_PREFIX = "/admin/"
CONSOLE_IMPORT_BYTES = 2 * 1024 * 1024
CONSOLE_FORM_BYTES = 64 * 1024


def body_limit(method: str, path: str, settings: Mapping[str, Any]) -> int:
    """The largest request body, in bytes, that ``method path`` accepts."""
    if (method.upper(), path.rstrip("/")) in LARGE_BODIES:
        return int(settings["MAX_REQUEST_BYTES"])
    if path.startswith(CONSOLE_PREFIX):
        if "import" in path.split("/"):
            return CONSOLE_IMPORT_BYTES
        return CONSOLE_FORM_BYTES
    return int(settings["MAX_SMALL_REQUEST_BYTES"])
