"""Which Host a request may name.

The service builds absolute URLs (the add-in's base URL, the cacheable list of
``/.well-known/microsoft-officeaddins-allowed.json``) and grants CORS to its own origin.
With ``PUBLIC_URL`` set, all of them come from it and the Host header is never used. Without
it — the local demo of ``make run`` — they would come from the Host header, which anyone
can write; so a request is then served only when it names this machine (``localhost``,
``127.0.0.1``, ``[::1]``, any port). ``caveat serve`` refuses to listen beyond loopback
without ``PUBLIC_URL``, and this check stops the same mistake when the application is run
some other way. ``/healthz`` answers whatever the Host, for load balancers' probes.
"""

from __future__ import annotations

from flask import current_app, request

from .api.errors import ApiError

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


def is_loopback_name(host: str) -> bool:
    host = host.lower().rstrip(".")
    return host in LOOPBACK_HOSTS or host.endswith(".localhost")


def _hostname(host_header: str) -> str:
    if host_header.startswith("["):  # [::1]:8443
        return host_header[: host_header.find("]") + 1]
    return host_header.rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header


def check_host() -> None:
    if current_app.config.get("PUBLIC_URL") or request.path == "/healthz":
        return
    if not is_loopback_name(_hostname(request.host)):
        raise ApiError(
            400,
            "unknown_host",
            "this service has no PUBLIC_URL, so it answers requests for localhost only; "
            "an administrator sets it with caveat configure --public-url https://...",
        )
