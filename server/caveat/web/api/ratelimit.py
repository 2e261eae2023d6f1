"""Rate limits, with Flask-Limiter and the ``limits`` package it is built on.

Three limits, each a setting of :mod:`caveat.service.settings` in ``limits`` notation
(``3000/minute;100/second``: every part must hold) or ``off``:

* ``RATE_LIMIT_PER_ADDRESS``: every request from one client address, with or without a key,
  ``/healthz`` excepted. It is checked before anything else, so a flood costs no database
  work. The address is the socket's (``REMOTE_ADDR``); ``X-Forwarded-For`` is not believed,
  because the service does not sit behind a proxy it could trust. An IPv6 address counts by
  its /64, the block one site is given, so that rotating addresses inside it gains nothing.
* ``RATE_LIMIT_PER_KEY``: every authenticated API request, by the service key's id, or by
  the signed-in person (their id at the identity provider, whatever token they send).
* ``RATE_LIMIT_AUTH_FAILURES``: API requests from one address with a missing, unknown or
  revoked key or a refused token. Beyond it that address may present only keys and tokens
  this process accepted in the last hour; any other is refused unread (no database lookup,
  no signature check), so key guessing learns nothing, while an organisation's clients
  behind the same NAT address keep working when a few of them still hold a key that was
  replaced.

Beyond a limit the answer is 429 ``rate_limited`` in the API's error shape, with
``Retry-After`` in seconds. The counters live in ``RATE_LIMIT_STORAGE_URI``: ``memory://``
keeps them in each process (so with several gunicorn workers the effective limit is workers
times the limit), ``redis://`` shares them between the workers and nodes that name the same
server. When that store does not answer, each process counts in its own memory meanwhile
(as with ``memory://``) and tries the store again later, with a warning in the log: a rate
limit protects the service and must not be what stops it.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import threading
import time
from collections.abc import Iterable

from cachetools import TTLCache
from flask import Flask, current_app, request
from flask.typing import ResponseReturnValue
from flask_limiter import Limiter, RateLimitExceeded
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import STRATEGIES, RateLimiter

from caveat.identity.principal import Principal
from caveat.service.settings import RATE_LIMIT_OFF
from caveat.storage.store import hash_key

from .errors import ApiError, error_response

log = logging.getLogger(__name__)

EXTENSION = "caveat.rate_limits"
#: Approximates a moving window with two counters per limit: no burst of twice the limit
#: across a window's edge (fixed windows allow that), without storing every request.
STRATEGY = "sliding-window-counter"
#: How long a request waits for Redis (connect, and each answer) before the store counts as
#: not answering: a hung store must not hang the service.
STORE_TIMEOUT_SECONDS = 0.5
#: Prefix of every counter in a shared store, so that other users of a Redis keep theirs.
KEY_PREFIX = "caveat"
#: How long a key accepted from anywhere stays welcome from an address over its failure limit.
ACCEPTED_SECONDS = 3600
ACCEPTED_MAX = 4096
#: After the store failed to answer, counting is in memory for this long before it is tried
#: again (Flask-Limiter's own limit backs off the same way).
STORE_RETRY_SECONDS = 30.0

CODE = "rate_limited"
#: Where a request keeps the address it is counted under (WSGI environ key).
_ADDRESS = "caveat.rate_limit_address"


def client_address() -> str:
    """The address a request is counted under: the socket's, an IPv6 one as its /64."""
    cached: str | None = request.environ.get(_ADDRESS)
    if cached is None:
        cached = request.environ[_ADDRESS] = _counted_address(request.remote_addr or "")
    return cached


def _counted_address(raw: str) -> str:
    raw = raw.strip()
    try:
        ip = ipaddress.ip_address(raw.split("%", 1)[0])
    except ValueError:
        return raw or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def _items(setting: str) -> list[RateLimitItem]:
    return [] if setting == RATE_LIMIT_OFF else list(parse_many(setting))


def _retry_after(reset_at: float) -> int:
    """Whole seconds until ``reset_at`` (a Unix time), at least one."""
    return max(1, math.ceil(reset_at - time.time()))


def _too_many(message: str, retry_after: int) -> ApiError:
    return ApiError(
        429, CODE, f"{message}; try again in {retry_after} s", [("Retry-After", str(retry_after))]
    )


class RateLimits:
    """The limits of one application: Flask-Limiter's extension for the per-address limit,
    and the per-key and failed-authentication limits the API's authentication applies
    through the same strategy and store."""

    def __init__(
        self,
        limiter: Limiter,
        per_key: list[RateLimitItem],
        auth_failures: list[RateLimitItem],
    ) -> None:
        self.limiter = limiter
        self.per_key = per_key
        self.auth_failures = auth_failures
        # SHA-256 hashes of keys accepted lately (never the keys).
        self._accepted: TTLCache[str, bool] = TTLCache(maxsize=ACCEPTED_MAX, ttl=ACCEPTED_SECONDS)
        self._lock = threading.Lock()
        self._fallback: RateLimiter = STRATEGIES[STRATEGY](MemoryStorage())
        self._retry_store_at = -math.inf

    # ------------------------------------------------------------- the API's authentication

    def before_verifying(self, key: str) -> None:
        """Refuse ``key`` unread when this address is over its failure limit and the key is
        not one accepted lately."""
        if not self.auth_failures or not self.limiter.enabled:
            return
        # A key accepted lately passes whatever the count: asked first, it spares every
        # request of a working client a look at the store (a round trip with Redis).
        with self._lock:
            if key and hash_key(key) in self._accepted:
                return
        reset_at = self._exhausted(self.auth_failures, "auth-failures", client_address())
        if reset_at is not None:
            raise _too_many(
                "too many requests without a valid API key from this address",
                _retry_after(reset_at),
            )

    def verification_failed(self) -> None:
        """Count a failed authentication against the address; 429 once it is over the limit."""
        if not self.auth_failures or not self.limiter.enabled:
            return
        reset_at = self._hit(self.auth_failures, "auth-failures", client_address())
        if reset_at is not None:
            raise _too_many(
                "too many requests without a valid API key from this address",
                _retry_after(reset_at),
            )

    def verified(self, credential: str, principal: Principal) -> None:
        """Remember ``credential`` (a key or a token) as accepted and count the request
        against whom it names: a service key by its id, a person by their id at the
        identity provider (so a new token each hour does not start a new count); 429
        beyond the limit."""
        if not self.limiter.enabled:
            return
        if self.auth_failures:
            with self._lock:
                self._accepted[hash_key(credential)] = True
        if not self.per_key:
            return
        if principal.key_id is not None:
            reset_at = self._hit(self.per_key, "key", str(principal.key_id))
        else:
            reset_at = self._hit(self.per_key, "person", principal.counter)
        if reset_at is not None:
            if principal.key_id is not None:
                log.info("rate limit of API key %s reached", principal.key_id)
                message = "too many requests with this API key"
            else:
                log.info("rate limit of a signed-in person reached")
                message = "too many requests from your account"
            raise _too_many(message, _retry_after(reset_at))

    # ------------------------------------------------------------- counting

    def _hit(self, items: Iterable[RateLimitItem], *ids: str) -> float | None:
        """Count one request under ``ids`` against every item; the reset time of the first
        item it exceeds, or None when all hold."""
        return self._count(items, ids, consume=True)

    def _exhausted(self, items: Iterable[RateLimitItem], *ids: str) -> float | None:
        """Like :meth:`_hit`, without counting."""
        return self._count(items, ids, consume=False)

    def _count(
        self, items: Iterable[RateLimitItem], ids: tuple[str, ...], *, consume: bool
    ) -> float | None:
        items = list(items)
        if time.monotonic() < self._retry_store_at:
            return _count_with(self._fallback, items, ids, consume=consume)
        try:
            return _count_with(self.limiter.limiter, items, ids, consume=consume)
        except Exception as exc:  # the store's own errors (redis, memcached, ...)
            self._retry_store_at = time.monotonic() + STORE_RETRY_SECONDS
            log.warning(
                "rate limit store unavailable (%s): counting in this process's memory for %g s",
                type(exc).__name__,
                STORE_RETRY_SECONDS,
            )
            return _count_with(self._fallback, items, ids, consume=consume)


def _count_with(
    strategy: RateLimiter, items: list[RateLimitItem], ids: tuple[str, ...], *, consume: bool
) -> float | None:
    check = strategy.hit if consume else strategy.test
    for item in items:
        if not check(item, KEY_PREFIX, *ids):
            return float(strategy.get_window_stats(item, KEY_PREFIX, *ids).reset_time)
    return None


def rate_limits() -> RateLimits:
    limits: RateLimits = current_app.extensions[EXTENSION]
    return limits


def _address_limit_exceeded(exc: RateLimitExceeded) -> ResponseReturnValue:
    limits = rate_limits()
    current = limits.limiter.current_limit
    retry = _retry_after(current.reset_at) if current is not None else 1
    error = _too_many("too many requests from this address", retry)
    return error_response(error.status, error.code, error.message, error.headers)


def init_app(app: Flask) -> None:
    """Install the limits of ``app.config``'s RATE_LIMIT_ settings."""
    per_address = app.config["RATE_LIMIT_PER_ADDRESS"]
    uri = app.config["RATE_LIMIT_STORAGE_URI"]
    options: dict[str, str | int | float] = {}
    if uri.startswith(("redis", "valkey")):
        options = {
            "socket_timeout": STORE_TIMEOUT_SECONDS,
            "socket_connect_timeout": STORE_TIMEOUT_SECONDS,
        }
    limiter = Limiter(
        client_address,
        application_limits=None if per_address == RATE_LIMIT_OFF else [per_address],
        storage_uri=uri,
        # Flask-Limiter's annotation says str | int; the redis client takes float seconds.
        storage_options=options,  # type: ignore[arg-type]
        strategy=STRATEGY,
        key_prefix=KEY_PREFIX,
        # Retry-After is written on 429 answers only, by the handler below.
        headers_enabled=False,
        # A store that does not answer: Flask-Limiter counts in memory meanwhile, and
        # lets the request through when even that fails.
        in_memory_fallback_enabled=True,
        swallow_errors=True,
    )
    limiter.request_filter(lambda: request.endpoint == "healthz")
    limiter.init_app(app)
    app.extensions[EXTENSION] = RateLimits(
        limiter,
        per_key=_items(app.config["RATE_LIMIT_PER_KEY"]),
        auth_failures=_items(app.config["RATE_LIMIT_AUTH_FAILURES"]),
    )
    app.register_error_handler(RateLimitExceeded, _address_limit_exceeded)
