"""The HTTP API: one versioned blueprint (:mod:`caveat.web.api.v1`) and the JSON errors shared
by every endpoint (:mod:`caveat.web.api.errors`), and the rate limits
(:mod:`caveat.web.api.ratelimit`)."""

from __future__ import annotations

from flask import Flask

from . import audit, errors, intel, people, policies, ratelimit, v1, verify  # noqa: F401 (they add routes)


def init_app(app: Flask) -> None:
    errors.init_app(app)
    ratelimit.init_app(app)
    app.register_blueprint(v1.bp)
