"""gunicorn settings for the service:
``gunicorn -c python:caveat.web.gunicorn_conf 'caveat.web.wsgi:app'``.

``caveat serve`` passes workers, bind address and certificate on the command line, which
take precedence over this file.

Worker class: gthread with ONE thread per worker.
  * The work is CPU-bound Python (JSON decoding, header parsing, the checks). Threads would
    add no throughput under the GIL, so parallelism comes from processes: one worker per
    CPU, as ``caveat serve`` defaults to.
  * One thread also keeps the engine single-threaded within a process, which its memo
    caches (``cachetools`` caches without locks) require.
  * gthread rather than sync for HTTP keep-alive: the add-in calls once per message the
    user opens, over TLS, and the sync worker closes the connection after every response,
    which costs a full TLS handshake each time. gthread keeps idle connections in its
    poller, where they do not occupy the worker.
  * Caveat of gthread: its main thread keeps heartbeating while a request runs, so
    ``timeout`` does not kill a request that hangs; it still restarts a worker whose main
    loop is stuck. The engine's input limits bound the work per request.
Preloading: the master imports the application once (settings, catalogue, database
migration) and forks the workers from it, so a worker that ``max_requests`` recycles is
serving again in milliseconds rather than after a fresh import, and the workers share the
read-only pages. Each worker drops the database connections it inherited (``post_fork``).
For an internet-facing deployment, put a reverse proxy in front that buffers requests
(slow clients then cost the proxy, not a worker).
"""

from __future__ import annotations

import logging
import os
from typing import Any

preload_app = True
worker_class = "gthread"
threads = 1
# Connections a worker keeps (mostly idle keep-alive connections in the poller).
worker_connections = 1000
keepalive = 5
timeout = 30
graceful_timeout = 30

# Restart workers now and then so that memory cannot creep up over weeks.
max_requests = 10000
max_requests_jitter = 1000

# Request line and header limits: gunicorn's defaults. The large inputs (a 256 KB header
# block, a whole raw message) travel inside the JSON body, which these do not limit; the
# application refuses bodies over MAX_REQUEST_BYTES before reading them.
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


def post_fork(server: Any, worker: Any) -> None:
    """Give the worker its own database connections: pooled connections opened in the
    master must not be shared across processes (SQLAlchemy's guidance for forking)."""
    from caveat.web.api.services import EXTENSION

    app = server.app.wsgi()
    app.extensions[EXTENSION].store.engine.dispose(close=False)
