"""What the end-to-end tests of the mail-client add-ins read back from the service.

Registered only when the ``TEST_ENDPOINTS`` setting is on (the browser and Thunderbird
tests turn it on for a service on loopback); a deployment never has these routes, and the
setting is off by default.

* ``POST /test/display-events``: a test build of the Thunderbird extension reports here
  what its display script actually put at the top of a message (level, whether a banner
  was shown, the banner's text as read back from the page). No credential: the extension
  sends it only when its build names this URL.
* ``GET /test/display-events``: those reports, oldest first.
* ``GET /test/analyze-calls``: one summary per ``POST /api/v1/analyze`` this process
  answered: the Message-ID, the From address, the names of the header fields received and
  the level. Never the body, never header values other than those two.

Both lists are bounded and live in memory only. Even when on, the endpoints answer only
requests from loopback (anything else gets 404), and the service logs a warning at start.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, jsonify, request

from caveat.mail.facts import Facts
from caveat.web.api.errors import ApiError
from caveat.web.api.services import ANALYZE_OBSERVERS

SETTING = "TEST_ENDPOINTS"
EXTENSION = "caveat.test_recorder"
MAX_KEPT = 500
MAX_EVENT_BYTES = 8 * 1024
MAX_TEXT = 1000
LEVELS = ("none", "info", "caution", "danger", "unknown")

LOOPBACK = frozenset({"127.0.0.1", "::1"})

log = logging.getLogger(__name__)
bp = Blueprint("testing", __name__, url_prefix="/test")


@bp.before_request
def _loopback_only() -> None:
    if request.remote_addr not in LOOPBACK:
        abort(404)


class Recorder:
    """The bounded, thread-safe lists the test endpoints read."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.display_events: deque[dict[str, Any]] = deque(maxlen=MAX_KEPT)
        self.analyze_calls: deque[dict[str, Any]] = deque(maxlen=MAX_KEPT)

    def add(self, kind: deque[dict[str, Any]], item: dict[str, Any]) -> None:
        with self._lock:
            kind.append(item)

    def read(self, kind: deque[dict[str, Any]]) -> list[dict[str, Any]]:
        with self._lock:
            return list(kind)


def init_app(app: Flask) -> None:
    if not app.config.get(SETTING):
        return
    log.warning(
        "TEST_ENDPOINTS is on: /test/ answers loopback clients with the Message-ID and From "
        "of every analysed message; never turn it on in a deployment"
    )
    app.extensions[EXTENSION] = Recorder()
    app.extensions.setdefault(ANALYZE_OBSERVERS, []).append(record_analyze)
    app.register_blueprint(bp)


def record_analyze(facts: Facts, level: str) -> None:
    """Told of every analysed message (registered only when the test endpoints are on)."""
    recorder: Recorder | None = current_app.extensions.get(EXTENSION)
    if recorder is None:
        return
    recorder.add(
        recorder.analyze_calls,
        {
            "message_id": facts.message_id,
            "from": facts.from_[0].address if facts.from_ else "",
            "header_names": sorted({name.lower() for name, _ in facts.headers}),
            "level": level,
        },
    )


def _recorder() -> Recorder:
    recorder: Recorder = current_app.extensions[EXTENSION]
    return recorder


def _text(value: Any, name: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ApiError(400, "invalid_field", f"{name} must be a string")
    return value[:limit]


@bp.post("/display-events")
def add_display_event() -> Response:
    if (request.content_length or 0) > MAX_EVENT_BYTES:
        raise ApiError(413, "too_large", f"a display event is at most {MAX_EVENT_BYTES} bytes")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", "the body must be a JSON object")
    level = data.get("level")
    if level not in LEVELS:
        raise ApiError(400, "invalid_field", f"level must be one of {', '.join(LEVELS)}")
    shown = data.get("shown")
    if not isinstance(shown, bool):
        raise ApiError(400, "invalid_field", "shown must be true or false")
    event = {
        "internet_message_id": _text(data.get("internet_message_id"), "internet_message_id", 998),
        "level": level,
        "shown": shown,
        "text": _text(data.get("text"), "text", MAX_TEXT),
    }
    recorder = _recorder()
    recorder.add(recorder.display_events, event)
    return Response(status=204)


@bp.get("/display-events")
def list_display_events() -> Response:
    recorder = _recorder()
    return jsonify({"events": recorder.read(recorder.display_events)})


@bp.get("/analyze-calls")
def list_analyze_calls() -> Response:
    recorder = _recorder()
    return jsonify({"calls": recorder.read(recorder.analyze_calls)})
