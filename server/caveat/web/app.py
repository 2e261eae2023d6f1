"""The Flask application: a thin HTTP shell around the engine.

``create_app`` builds everything once per process: settings (defaults, instance file,
environment, ``test_config``), the catalogue (validated: an invalid one stops the app from
starting), the engine, the store (migrated to the newest schema), and the request
validator from the OpenAPI document. The WSGI entry point is :mod:`caveat.web.wsgi`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from flask import Flask, Response, current_app, jsonify, request

from caveat import __version__
from caveat.engine.catalogue import Catalogue
from caveat.engine.engine import Engine
from caveat.service.analysis import Analyzer
from caveat.service.notices import setup_notices
from caveat.service.settings import SETTINGS, engine_config, load_settings
from caveat.service.verifications import configure as configure_verifications
from caveat.storage.store import Store
from caveat.web.api.schema import RequestValidator
from caveat.web.api.services import EXTENSION, Services, catalogue_document, services

from . import addin, alerting, api, console, home, monitoring, retention, testing
from .hosts import check_host
from .limits import body_limit
from .logs import redacted_traceback
from .metrics import observe_index

#: For JSON answers: nothing may load from them, nothing may frame them.
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

ExcInfo = tuple[type[BaseException], BaseException, TracebackType] | tuple[None, None, None]


class CaveatFlask(Flask):
    def log_exception(self, exc_info: ExcInfo) -> None:
        """Log a defect with its stack but without any exception message.

        Messages can quote the data that caused them (a header value, a line of the body),
        and request content is never logged. The path and method identify the request; the
        frames and exception types locate the defect.
        """
        exc = exc_info[1]
        if exc is None:
            self.logger.error("unhandled error on %s %s", request.method, request.path)
            return
        self.logger.error(
            "unhandled %s on %s %s\n%s",
            type(exc).__qualname__,
            request.method,
            request.path,
            redacted_traceback(exc),
        )


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application.

    ``test_config`` may set any setting of :mod:`caveat.service.settings` (it overrides the instance
    file and the environment) and any Flask option (``TESTING``, ...).
    """
    test_config = dict(test_config or {})
    settings = load_settings({k: v for k, v in test_config.items() if k in SETTINGS})
    flask_options = {k: v for k, v in test_config.items() if k not in SETTINGS}

    app = CaveatFlask(__name__, instance_path=settings["INSTANCE_PATH"], static_folder=None)
    app.config.update(settings)
    app.config["MAX_CONTENT_LENGTH"] = settings["MAX_REQUEST_BYTES"]
    app.config.update(flask_options)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    config = engine_config(settings)
    catalogue = Catalogue.load(settings["CATALOGUE_PATH"])
    engine = Engine(catalogue)
    store = Store.from_url(
        settings["DATABASE_URL"],
        timeout=settings["DATABASE_TIMEOUT_SECONDS"],
        pool_size=settings["DATABASE_POOL_SIZE"],
    )
    store.upgrade()
    configure_verifications(store, settings["VERIFY_CONFIRMATIONS"])
    app.extensions[EXTENSION] = Services(
        engine=engine,
        config=config,
        catalogue=catalogue,
        store=store,
        request_validator=RequestValidator(config.limits),
        analyzer=Analyzer(
            engine,
            config,
            store,
            index_listener=observe_index,
            write_behind=True,
            count_warnings=True,  # the console overview's tally (service/stats.py)
        ),
        clock=_utcnow,
        catalogue_document=catalogue_document(catalogue),
        notices=setup_notices(config),
    )
    for notice in app.extensions[EXTENSION].notices:
        app.logger.warning("set-up: %s", notice.message)

    monitoring.init_app(app)  # first: its clock starts before the other parts run
    alerting.init_app(app)  # alerts out (webhook, syslog), sent off the request thread
    api.init_app(app)
    addin.init_app(app)
    home.init_app(app)
    console.init_app(app)  # the admin console under /admin (after the API: wraps its error pages)
    testing.init_app(app)
    retention.init_app(app)  # the retention sweep, after requests (no cron)
    app.add_url_rule("/healthz", "healthz", healthz, methods=["GET"])
    app.before_request(check_host)
    app.before_request(_body_limit)
    app.after_request(security_headers)
    return app


def _body_limit() -> None:
    """Each endpoint's body limit (the front applies the same one before reading)."""
    request.max_content_length = body_limit(request.method, request.path, current_app.config)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def healthz() -> Response:
    s = services()
    s.store.ping()  # StorageError becomes a 503 service_unavailable
    response = jsonify(
        {"status": "ok", "version": __version__, "notices": [n.to_dict() for n in s.notices]}
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def security_headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    if response.mimetype == "application/json" or request.path.startswith("/api/"):
        response.headers.setdefault("Content-Security-Policy", API_CSP)
    return response
