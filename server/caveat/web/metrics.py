"""The service's Prometheus metrics: what they count, and how they are read.

Every label has a small, fixed set of values (URL rules, methods, status codes, levels,
attachment kinds, index names); nothing from a message, a header, a query string or a key
ever becomes a label or a value.

Under gunicorn each worker is its own process, so counts are kept the way prometheus_client's
multiprocess mode keeps them: when ``PROMETHEUS_MULTIPROC_DIR`` is set (``caveat serve`` sets
it to a fresh folder), every process writes its values to memory-mapped files there and a
scrape adds up the files of all workers, the dead ones' included; gunicorn's ``child_exit``
hook (:func:`mark_process_dead`) drops the gauges of a worker that has gone. Without the
variable (tests, ``caveat scan``, one process) the values live in the process's own registry.

The variable is read once, when prometheus_client is first imported, so it must be set
before the process starts.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import choose_encoder

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def multiprocess_dir() -> str | None:
    """The folder the workers share their values in, or None in single-process mode."""
    return os.environ.get(MULTIPROC_ENV) or None


def _check_folder() -> None:
    folder = multiprocess_dir()
    if folder is not None and not os.path.isdir(folder):
        raise RuntimeError(
            f"{MULTIPROC_ENV}={folder!r} is not a folder: create it (empty) before starting, "
            "or unset it for a single process"
        )


_check_folder()  # before the first metric opens its file there

#: HTTP methods counted by name; any other method token a client sends counts as "other".
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
#: The endpoint label of a request that matched no route (404, 405 on an unknown path).
UNMATCHED = "(unmatched)"

#: Latency buckets in seconds: the API answers in milliseconds, a message with attachments
#: to read may take seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
#: Index build buckets in seconds: a few partners take milliseconds, 100,000 take seconds.
BUILD_BUCKETS = (0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

REQUESTS = Counter(
    "caveat_http_requests",
    "HTTP requests answered by the application, by endpoint (the URL rule, not the path), "
    "method and status code",
    ["endpoint", "method", "status"],
)
LATENCY = Histogram(
    "caveat_http_request_duration_seconds",
    "Time from the application receiving a request to its answer, by endpoint (URL rule)",
    ["endpoint"],
    buckets=LATENCY_BUCKETS,
)
VERDICTS = Counter(
    "caveat_verdicts",
    "Messages analysed through POST /api/v1/analyze, by the verdict's level",
    ["level"],
)
PARTIAL = Counter(
    "caveat_partial_verdicts",
    "Analysed messages that were read only in part because a limit cut something off",
)
ATTACHMENTS = Counter(
    "caveat_attachments",
    "Attachments of analysed messages by kind and outcome: read whole, read in part "
    "(cut to the page or size limit), or not read (too large, encrypted, unreadable, no OCR)",
    ["kind", "outcome"],
)
DATABASE_ERRORS = Counter(
    "caveat_database_errors",
    "Requests answered 503 because the database could not be reached or did not answer",
)
INDEX_ENTRIES = Gauge(
    "caveat_index_entries",
    "Entries of the newest index a worker built: index=directory counts partner "
    "organisations, index=lookalikes the protected domains (ours and the partners')",
    ["index"],
    multiprocess_mode="livemostrecent",
)
INDEX_BUILD = Histogram(
    "caveat_index_build_seconds",
    "Time to build an index: index=directory reads the partner directory from the "
    "database and indexes it, index=lookalikes builds the look-alike domain index over it",
    ["index"],
    buckets=BUILD_BUCKETS,
)

DEAD_ALERTS = Counter(
    "caveat_alerts_dead",
    "Alerts not delivered (retries spent, refused, queue full, or the process stopping), "
    "by event type and destination (webhook, syslog)",
    ["event", "destination"],
)

def method_label(method: str) -> str:
    return method if method in METHODS else "other"


def observe_request(endpoint: str | None, method: str, status: int, seconds: float | None) -> None:
    """Count one answered request (``endpoint``: the URL rule, None when none matched)."""
    label = endpoint or UNMATCHED
    REQUESTS.labels(label, method_label(method), str(status)).inc()
    if seconds is not None:
        LATENCY.labels(label).observe(seconds)


#: What :data:`ATTACHMENTS` calls an attachment by its note (``Attachment.note``).
def attachment_outcome(note: str) -> str:
    if not note:
        return "read"
    return "partial" if note.startswith("cut") else "not_read"


def observe_verdict(level: str, cut: bool, attachments: Iterable[tuple[str, str]]) -> None:
    """Count one analysed message: its level, whether it was read in part, and its
    attachments as ``(kind, note)``."""
    VERDICTS.labels(level).inc()
    if cut:
        PARTIAL.inc()
    for kind, note in attachments:
        ATTACHMENTS.labels(kind, attachment_outcome(note)).inc()


def count_storage_error() -> None:
    DATABASE_ERRORS.inc()


def count_dead_alert(event: str, destination: str) -> None:
    """An alert that was not delivered (:mod:`caveat.service.alerts`)."""
    DEAD_ALERTS.labels(event, destination).inc()

def observe_index(index: str, entries: int, seconds: float) -> None:
    """An index was built (the listener of :class:`caveat.knowledge.directory.Directory`)."""
    INDEX_ENTRIES.labels(index).set(entries)
    INDEX_BUILD.labels(index).observe(seconds)


def exposition(accept: str | None) -> tuple[bytes, str]:
    """The metrics of every worker (multiprocess mode) or of this process, in the format
    the scraper asks for (Prometheus text, or OpenMetrics), and its content type."""
    encoder, content_type = choose_encoder(accept or "")
    folder = multiprocess_dir()
    if folder is None:
        return encoder(REGISTRY), content_type
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=folder)
    return encoder(registry), content_type


def mark_process_dead(pid: int) -> None:
    """Forget the live gauges of a worker that exited (gunicorn's ``child_exit``)."""
    folder = multiprocess_dir()
    if folder is None:
        return
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(pid, folder)
