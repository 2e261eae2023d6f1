"""gunicorn settings for the service:
``gunicorn -c python:caveat.web.gunicorn_conf 'caveat.web.asgi:app'``.

``caveat serve`` passes workers, bind address and certificate on the command line, which
take precedence over this file.

Worker class: gunicorn's asyncio ``asgi`` worker (:mod:`caveat.web.worker`), with the Flask
application behind the buffering front of :mod:`caveat.web.front`.
  * The event loop reads every connection: request heads and bodies arrive without holding
    anything but a connection and its bytes, so a client that trickles its request (one
    byte a second) cannot keep the worker from others. The front bounds each body in size
    (per endpoint, before reading) and in time (``REQUEST_READ_SECONDS``), and the bytes
    buffered per worker.
  * The work is CPU-bound Python (JSON decoding, header parsing, the checks), so the Flask
    application runs on ONE thread per process, one complete request after another:
    threads would add no throughput under the GIL, and the engine's memo caches
    (``cachetools`` caches without locks) need a single thread. Parallelism comes from
    processes: one worker per CPU, as ``caveat serve`` defaults to.
  * Idle keep-alive connections stay in the event loop, so the add-in, which calls once
    per message the user opens, over TLS, does not pay a handshake each time.
  * The event loop keeps heartbeating while a request runs, so ``timeout`` does not kill a
    request that hangs; the engine's input limits bound the work per request and the
    database calls carry their own timeouts.
Preloading: the master imports the application once (settings, catalogue, database
migration) and forks the workers from it, so a worker that ``max_requests`` recycles is
serving again in milliseconds rather than after a fresh import, and the workers share the
read-only pages. The master also builds the partner directory snapshot before it forks
(``when_ready``), so that the workers share it and none builds it on a request. Each
worker drops the database connections it inherited (``post_fork``).
A reverse proxy in front is optional; when there is one, it should pass request bodies
through without changing them.
"""

from __future__ import annotations

import logging
import os
from typing import Any

preload_app = True
worker_class = "caveat.web.worker.Worker"
# Connections a worker keeps open at once (idle keep-alive ones and requests being read).
worker_connections = 1000
keepalive = 5
timeout = 30
graceful_timeout = 30

# Restart workers now and then so that memory cannot creep up over weeks.
max_requests = 10000
max_requests_jitter = 1000

# Request line and header limits: gunicorn's defaults. The large inputs (a 256 KB header
# block, a whole raw message) travel inside the JSON body, which these do not limit; the
# front refuses bodies over their endpoint's limit before reading them.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190

# Heartbeat files in memory rather than on a disk that may be slow (container overlays).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

proc_name = "caveat"
errorlog = "-"
loglevel = "info"
# Access log without query strings, user agents or referrers; bodies are never logged by
# gunicorn or by the application.
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
# Error, access and application logs as JSON lines, one object per line with the request
# id (caveat.web.logs): the access line's fields are named there, never a query string
# or a header other than X-Request-Id. access_log_format above applies only to
# gunicorn's own logger class.
logger_class = "caveat.web.logs.GunicornLogger"


def post_worker_init(worker: Any) -> None:
    """Send the application's own log records (``caveat.*``) to gunicorn's error log."""
    logger = logging.getLogger("caveat")
    logger.setLevel(logging.INFO)
    for handler in worker.log.error_log.handlers:
        logger.addHandler(handler)
    logger.propagate = False


def child_exit(server: Any, worker: Any) -> None:
    """Drop the live gauges of a worker that exited from the metrics (prometheus_client's
    multiprocess mode; its counters stay in the totals)."""
    from caveat.web.metrics import mark_process_dead

    mark_process_dead(worker.pid)


def when_ready(server: Any) -> None:
    """In the master, after the preload and before the first fork: build the partner
    directory snapshot and its indexes, then freeze the collector's view of the process
    (:meth:`caveat.service.directories.Directories.prepare`). Every worker then starts with
    the snapshot in pages it shares with the master, and no first request builds one. A
    database that cannot be read now is not fatal: the workers build on first use."""
    from caveat.storage.store import StorageError
    from caveat.web.api.services import EXTENSION
    from caveat.web.asgi import flask_app

    services = flask_app.extensions[EXTENSION]
    try:
        directory = services.analyzer.directories.prepare()
    except StorageError as exc:
        server.log.warning("partner directory not built before the workers start: %s", exc)
        return
    finally:
        services.store.engine.dispose()  # the master needs no connection after this
    server.log.info("partner directory built before the workers start: %d", len(directory))


def post_fork(server: Any, worker: Any) -> None:
    """Give the worker its own database connections: pooled connections opened in the
    master must not be shared across processes (SQLAlchemy's guidance for forking)."""
    from caveat.web.api.services import EXTENSION
    from caveat.web.asgi import flask_app

    flask_app.extensions[EXTENSION].store.engine.dispose(close=False)


def worker_exit(server: Any, worker: Any) -> None:
    """Write the conversation memory's queued records before the worker goes (a graceful
    stop, a ``max_requests`` recycle): nothing the worker analysed is lost
    (:mod:`caveat.storage.memory_writer`; interpreter exit does the same, for a worker
    that ends otherwise); and send the alerts queued (:mod:`caveat.service.alerts`)."""
    from caveat.web.alerting import alerts
    from caveat.web.api.services import EXTENSION
    from caveat.web.asgi import flask_app

    flask_app.extensions[EXTENSION].analyzer.close()
    alerts(flask_app).close()  # the alerts queued, sent within a few seconds
