"""Retention inside the service: no cron to remember.

After every request the application asks its :class:`~caveat.storage.retention.Sweeper`
whether a sweep is due, which costs a clock read and a comparison; once per
RETENTION_INTERVAL_MINUTES a worker starts a background thread that claims the sweep in
the database (only one process of all those on the database wins each interval) and
deletes what is past its retention in short batches. The request that happened to be the
one is answered as if nothing happened; a failure is logged without content.
"""

from __future__ import annotations

from flask import Flask, Response, current_app

from caveat.service.settings import retention
from caveat.storage.retention import Sweeper

from .api.services import EXTENSION

#: ``app.extensions`` key of the application's sweeper.
SWEEPER = "caveat.retention"


def init_app(app: Flask) -> None:
    app.extensions[SWEEPER] = Sweeper(app.extensions[EXTENSION].store, retention(app.config))
    app.after_request(_poke)


def sweeper(app: Flask) -> Sweeper:
    s: Sweeper = app.extensions[SWEEPER]
    return s


def _poke(response: Response) -> Response:
    s = current_app.extensions.get(SWEEPER)
    if s is not None:
        s.poke()  # never raises
    return response
