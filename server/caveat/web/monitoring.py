"""What operators watch: request ids, request metrics and ``GET /metrics``.

* Every answer carries ``X-Request-Id`` (the client's when acceptable, else a new one;
  :func:`caveat.web.logs.request_id`), and every log line written while answering carries
  it too.
* Every answer is counted by endpoint (the URL rule, never the path a client typed),
  method and status, and timed per endpoint; every analysed message is counted by level
  (:mod:`caveat.web.metrics`).
* ``GET /metrics`` serves the metrics in Prometheus' text format (or OpenMetrics, when the
  scraper asks for it) to a scraper that sends ``Authorization: Bearer <METRICS_TOKEN>``.
  The token is a setting, not an API key: it is checked without the database, so the
  service can still be watched, and its database errors counted, while the database is
  down. Without the setting the endpoint answers 404.
"""

from __future__ import annotations

import hashlib
import hmac
import time

from flask import Flask, Response, current_app, g, request

from caveat.mail.facts import Facts
from caveat.web.api.errors import ApiError
from caveat.web.api.services import ANALYZE_OBSERVERS

from . import metrics
from .logs import REQUEST_ID_HEADER, request_id

SETTING = "METRICS_TOKEN"
_REALM = 'Bearer realm="caveat-metrics"'


def init_app(app: Flask) -> None:
    """Register before the other parts, so the clock starts first and stops last."""
    app.before_request(_start)
    app.after_request(_finish)
    app.add_url_rule("/metrics", "metrics", metrics_view, methods=["GET"])
    app.extensions.setdefault(ANALYZE_OBSERVERS, []).append(_count_verdict)


def _start() -> None:
    g.started = time.perf_counter()
    request_id()


def _finish(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = request_id()
    started = g.get("started")
    rule = request.url_rule
    metrics.observe_request(
        rule.rule if rule is not None else None,
        request.method,
        response.status_code,
        time.perf_counter() - started if started is not None else None,
    )
    return response


def _count_verdict(facts: Facts, level: str) -> None:
    metrics.observe_verdict(level, bool(facts.cuts), ((a.kind, a.note) for a in facts.attachments))


def metrics_view() -> Response:
    token: str | None = current_app.config.get(SETTING)
    if not token:
        raise ApiError(
            404, "not_found", "metrics are off: set METRICS_TOKEN to serve them at /metrics"
        )
    scheme, _, given = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not _same(given.strip(), token):
        raise ApiError(
            401,
            "unauthorized",
            "the metrics need the metrics token: send Authorization: Bearer <METRICS_TOKEN>",
            [("WWW-Authenticate", _REALM)],
        )
    body, content_type = metrics.exposition(request.headers.get("Accept"))
    response = Response(body, content_type=content_type)
    response.headers["Cache-Control"] = "no-store"
    return response


def _same(given: str, token: str) -> bool:
    """Compared as digests in constant time: neither the token's length nor its characters
    can be learnt from how long a refusal takes."""
    a = hashlib.sha256(given.encode("utf-8", "replace")).digest()
    b = hashlib.sha256(token.encode("utf-8")).digest()
    return hmac.compare_digest(a, b)
