"""Service configuration: defaults, then the instance file, then ``CAVEAT_`` environment variables.

The instance folder is ``./instance`` (relative to the working directory) unless
``CAVEAT_INSTANCE_PATH`` names another one; the instance file is ``caveat.toml`` inside it.
Each later source overrides the earlier ones key by key, and explicit overrides (the
``test_config`` of :func:`caveat.web.app.create_app`, or a command-line option) come last.

Every value is checked and converted here, once, so that a bad setting stops the service
at start-up with a message that names it (``CAVEAT_MAX_RECIPIENTS: must be a positive
integer, got 'many'``) instead of failing on the first request.

Environment variables carry text: lists are comma-separated (``CAVEAT_INTERNAL_DOMAINS=
example.com,example.org``), booleans are ``true/false``, ``yes/no``, ``on/off`` or ``1/0``.
In the instance file, lists may be TOML arrays or comma-separated strings.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from limits import parse_many
from limits.storage import SCHEMES as LIMITS_SCHEMES

from caveat.identity.config import IdentityConfig, IdentityConfigError
from caveat.identity.permissions import ROLES
from caveat.knowledge.context import EngineConfig
from caveat.knowledge.people_csv import GROUPS as PEOPLE_GROUPS
from caveat.mail.limits import Limits
from caveat.reference.freemail import FreemailList
from caveat.storage.retention import Retention

from .alerts import AlertConfigError, check_webhook_url, parse_syslog_url

ENV_PREFIX = "CAVEAT_"
INSTANCE_ENV = ENV_PREFIX + "INSTANCE_PATH"
INSTANCE_FILE = "caveat.toml"
DEFAULT_INSTANCE = "instance"
DATABASE_FILE = "caveat.db"

_LIMITS = Limits()


class SettingsError(ValueError):
    """A setting has a value that cannot be used; the message names the setting and source."""


def _fail(where: str, message: str) -> SettingsError:
    return SettingsError(f"{where}: {message}")


# ----------------------------------------------------------------- converters
#
# Each converter takes the raw value (text from the environment, a TOML value, or a Python
# value from overrides) and the name to report, and returns the clean value.


def _to_str(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise _fail(where, f"must be a string, got {type(value).__name__}")
    value = value.strip()
    if not value:
        raise _fail(where, "must not be empty")
    return value


def _to_optional_str(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _fail(where, f"must be a string, got {type(value).__name__}")
    return value.strip() or None


def _to_bool(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        v = value.strip().lower()
        if v in ("1", "true", "yes", "on"):
            return True
        if v in ("0", "false", "no", "off", ""):
            return False
    raise _fail(where, f"must be true or false, got {value!r}")


def _to_positive_int(value: Any, where: str) -> int:
    if isinstance(value, bool):  # bool is an int subclass; True is not a size
        raise _fail(where, f"must be a positive integer, got {value!r}")
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            raise _fail(where, f"must be a positive integer, got {value!r}") from None
    if not isinstance(value, int) or value <= 0:
        raise _fail(where, f"must be a positive integer, got {value!r}")
    return value


def _to_seconds(value: Any, where: str) -> float:
    """A number of seconds, at least 0.1 and at most 3600 (text or a number)."""
    if isinstance(value, bool):
        raise _fail(where, f"must be a number of seconds, got {value!r}")
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise _fail(where, f"must be a number of seconds, got {value!r}") from None
    if not isinstance(value, int | float) or not 0.1 <= value <= 3600:
        raise _fail(where, f"must be a number of seconds from 0.1 to 3600, got {value!r}")
    return float(value)


def _to_ocr_languages(value: Any, where: str) -> str:
    """Tesseract model names joined by '+' ("eng", "eng+deu"), or "none" (or empty): no OCR."""
    if not isinstance(value, str):
        raise _fail(where, f"must be a string, got {type(value).__name__}")
    text = value.strip().lower()
    if text in ("", "none", "off"):
        return ""
    names = [n.strip() for n in text.replace(",", "+").split("+")]
    if not all(n and n.replace("_", "").isalnum() and len(n) <= 20 for n in names):
        raise _fail(where, f"must be tesseract model names joined by '+', or none, got {value!r}")
    return "+".join(names)


def _to_list(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        items: list[Any] = value.split(",")
    elif isinstance(value, list | tuple | set | frozenset):
        items = list(value)
    else:
        raise _fail(where, f"must be a list or a comma-separated string, got {value!r}")
    out = []
    for item in items:
        if not isinstance(item, str):
            raise _fail(where, f"every item must be a string, got {item!r}")
        item = item.strip()
        if item:
            out.append(item)
    return out


_NOT_IN_DOMAIN = set(" \t\r\n@/:,;\\<>\"'")


def _to_domains(value: Any, where: str) -> list[str]:
    out = _to_list(value, where)
    for d in out:
        if set(d) & _NOT_IN_DOMAIN or d.startswith("."):
            raise _fail(where, f"{d!r} is not a domain name (write example.com, no @ or URL)")
    return out


def _to_ids(value: Any, where: str) -> list[str]:
    out = _to_list(value, where)
    for a in out:
        if any(c.isspace() for c in a) or ";" in a:
            raise _fail(where, f"{a!r} is not an authserv-id (one token, no spaces or ';')")
    return out


def _to_public_url(value: Any, where: str) -> str | None:
    text = _to_optional_str(value, where)
    if text is None:
        return None
    parts = urlsplit(text)
    if parts.scheme != "https" or not parts.netloc or parts.query or parts.fragment:
        raise _fail(where, f"must be an https URL such as https://caveat.example.com, got {text!r}")
    return text.rstrip("/")


def _to_origins(value: Any, where: str) -> list[str]:
    out = _to_list(value, where)
    for origin in out:
        parts = urlsplit(origin)
        if not parts.scheme or not parts.netloc or parts.path or parts.query or parts.fragment:
            raise _fail(
                where,
                f"{origin!r} is not an origin (scheme://host[:port], no path), "
                "e.g. moz-extension://4e1a0c3b-0000-4000-8000-000000000000",
            )
    return out


#: A metrics token shorter than this is refused (it guards what the service counts).
METRICS_TOKEN_MIN = 16


def _to_token(value: Any, where: str) -> str | None:
    """A bearer token: at least METRICS_TOKEN_MIN printable ASCII characters, no spaces
    (what an HTTP header carries unchanged); unset or empty for none. The token is never
    echoed in the message."""
    text = _to_optional_str(value, where)
    if text is None:
        return None
    if len(text) < METRICS_TOKEN_MIN or not all("!" <= c <= "~" for c in text):
        raise _fail(
            where,
            f"must be at least {METRICS_TOKEN_MIN} printable ASCII characters without spaces "
            "(make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))')",
        )
    return text


#: A rate limit setting that limits nothing.
RATE_LIMIT_OFF = "off"


def _to_rate_limit(value: Any, where: str) -> str:
    """One or more limits in the ``limits`` package's notation, separated by ';' (``3000/minute;
    100/second``: each must hold), or ``off``. Returned as written, spaces trimmed."""
    text = _to_str(value, where)
    if text.lower() in (RATE_LIMIT_OFF, "none"):
        return RATE_LIMIT_OFF
    try:
        items = parse_many(text)
    except ValueError:
        items = []
    if not items or any(item.amount < 1 for item in items):
        raise _fail(
            where,
            f"must be limits such as 3000/minute;100/second (or off), got {value!r}",
        )
    return ";".join(part.strip() for part in text.replace(",", ";").split(";") if part.strip())


def _to_limits_storage(value: Any, where: str) -> str:
    """Where the rate limit counters live: memory:// (each process its own) or a store the
    ``limits`` package supports (redis://, rediss://, redis+unix://, memcached://, ...)."""
    text = _to_str(value, where)
    scheme = text.partition("://")[0].lower() if "://" in text else ""
    if scheme not in LIMITS_SCHEMES or scheme.startswith("async+"):
        # Name the scheme only: the rest may carry a password.
        found = f"{scheme}://" if scheme else "no scheme://"
        raise _fail(where, f"must be memory:// or a URI such as redis://host:6379, got {found}")
    return text


def _to_optional_bool(value: Any, where: str) -> bool | None:
    if value is None:
        return None
    return _to_bool(value, where)


def _to_words(value: Any, where: str) -> list[str]:
    """A list whose items may also be separated by spaces (OAuth scopes, claim names)."""
    out = []
    for item in _to_list(value, where):
        out.extend(item.split())
    return out


def _to_role_map(value: Any, where: str) -> dict[str, list[str]]:
    """Caveat roles to the token values that grant them: a TOML table (``finance =
    "Caveat.Finance"``, or a list of values), or ``role=value`` pairs separated by commas
    (a role may come back with another value)."""
    return _to_value_map(value, where, ROLES, "role", "finance=Caveat.Finance")


def _to_group_map(value: Any, where: str) -> dict[str, list[str]]:
    """The people directory's groups to the token values that place a person in them
    (IDENTITY_SENSITIVE_GROUPS), written as :func:`_to_role_map` reads roles."""
    return _to_value_map(value, where, PEOPLE_GROUPS, "group", "hr=HR.Staff")


def _to_value_map(
    value: Any, where: str, names: tuple[str, ...], kind: str, example: str
) -> dict[str, list[str]]:
    if value is None:
        return {}
    pairs: list[tuple[Any, Any]] = []
    if isinstance(value, Mapping):
        for name, values in value.items():
            for v in values if isinstance(values, list | tuple) else [values]:
                pairs.append((name, v))
    elif isinstance(value, str):
        for item in value.split(","):
            if item.strip():
                name, eq, v = item.partition("=")
                if not eq:
                    raise _fail(where, f"{item.strip()!r} is not {kind}=value (e.g. {example})")
                pairs.append((name, v))
    else:
        raise _fail(where, f"must be {kind}=value pairs ({example},...) or a table")
    out: dict[str, list[str]] = {}
    for name, v in pairs:
        if not isinstance(name, str) or not isinstance(v, str) or not v.strip():
            raise _fail(where, f"every {kind} must map to a token value, got {name!r}={v!r}")
        name, v = name.strip().lower(), v.strip()
        if name not in names:
            raise _fail(where, f"no {kind} {name!r} ({kind}s: {', '.join(names)})")
        out.setdefault(name, [])
        if v not in out[name]:
            out[name].append(v)
    return out


def _to_webhook_url(value: Any, where: str) -> str | None:
    text = _to_optional_str(value, where)
    if text is None:
        return None
    try:
        return check_webhook_url(text)
    except AlertConfigError as exc:
        raise _fail(where, str(exc)) from None


def _to_syslog_url(value: Any, where: str) -> str | None:
    text = _to_optional_str(value, where)
    if text is None:
        return None
    try:
        parse_syslog_url(text)
    except AlertConfigError as exc:
        raise _fail(where, str(exc)) from None
    return text


def _to_secret(value: Any, where: str) -> str | None:
    """A shared secret: at least METRICS_TOKEN_MIN printable ASCII characters; never echoed."""
    text = _to_optional_str(value, where)
    if text is None:
        return None
    if len(text) < METRICS_TOKEN_MIN or not all("!" <= c <= "~" for c in text):
        raise _fail(
            where,
            f"must be at least {METRICS_TOKEN_MIN} printable ASCII characters without spaces "
            "(make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))')",
        )
    return text


def _to_scope(value: Any, where: str) -> str:
    text = _to_str(value, where)
    if any(c.isspace() for c in text) or '"' in text or "\\" in text:
        raise _fail(where, f"must be one scope name (no spaces), got {value!r}")
    return text


#: Every setting with its converter. INSTANCE_PATH and DATABASE_URL get their defaults
#: from the instance folder, so they are filled in by :func:`load_settings`.
_CONVERTERS: dict[str, Callable[[Any, str], Any]] = {
    "INSTANCE_PATH": _to_str,
    "DATABASE_URL": _to_str,
    "DATABASE_TIMEOUT_SECONDS": _to_seconds,
    "DATABASE_POOL_SIZE": _to_positive_int,
    "MEMORY_RETENTION_DAYS": _to_positive_int,
    "REPORT_RETENTION_DAYS": _to_positive_int,
    "REVOKED_KEY_RETENTION_DAYS": _to_positive_int,
    "WARNING_TALLY_RETENTION_DAYS": _to_positive_int,
    "RETENTION_INTERVAL_MINUTES": _to_positive_int,
    "INTERNAL_DOMAINS": _to_domains,
    "TRUSTED_AUTHSERV_IDS": _to_ids,
    "TRUST_MICROSOFT": _to_bool,
    "MAX_HEADER_BYTES": _to_positive_int,
    "MAX_RECIPIENTS": _to_positive_int,
    "MAX_BODY_BYTES": _to_positive_int,
    "MAX_MESSAGE_BYTES": _to_positive_int,
    "MAX_REQUEST_BYTES": _to_positive_int,
    "MAX_SMALL_REQUEST_BYTES": _to_positive_int,
    "REQUEST_READ_SECONDS": _to_positive_int,
    "REQUEST_BUDGET_SECONDS": _to_positive_int,
    "MAX_HTML_BYTES": _to_positive_int,
    "MAX_ATTACHMENTS": _to_positive_int,
    "MAX_ATTACHMENT_BYTES": _to_positive_int,
    "MAX_ATTACHMENTS_BYTES": _to_positive_int,
    "OCR_LANGUAGES": _to_ocr_languages,
    "CATALOGUE_PATH": _to_optional_str,
    "FREEMAIL_EXTRA": _to_domains,
    "FREEMAIL_EXCLUDE": _to_domains,
    "PUBLIC_URL": _to_public_url,
    "ADDIN_ORIGINS": _to_origins,
    "METRICS_TOKEN": _to_token,
    "TEST_ENDPOINTS": _to_bool,
    "RATE_LIMIT_PER_KEY": _to_rate_limit,
    "RATE_LIMIT_PER_ADDRESS": _to_rate_limit,
    "RATE_LIMIT_AUTH_FAILURES": _to_rate_limit,
    "RATE_LIMIT_STORAGE_URI": _to_limits_storage,
    "IDENTITY_ISSUER": _to_optional_str,
    "IDENTITY_CLIENT_ID": _to_optional_str,
    "IDENTITY_AUDIENCE": _to_words,
    "IDENTITY_TENANTS": _to_words,
    "IDENTITY_SCOPE": _to_scope,
    "IDENTITY_REQUEST_SCOPES": _to_words,
    "IDENTITY_ROLES": _to_role_map,
    "IDENTITY_ROLE_CLAIMS": _to_words,
    "IDENTITY_JWKS_URL": _to_optional_str,
    "IDENTITY_AUTHORITY": _to_optional_str,
    "IDENTITY_CONSOLE_CLIENT_SECRET": _to_optional_str,
    "IDENTITY_CLAIM_TITLE": _to_optional_str,
    "IDENTITY_CLAIM_DEPARTMENT": _to_optional_str,
    "IDENTITY_EXECUTIVE_GROUPS": _to_list,
    "IDENTITY_SENSITIVE_GROUPS": _to_group_map,
    "CONSOLE_SESSION_HOURS": _to_positive_int,
    "CONSOLE_IDLE_MINUTES": _to_positive_int,
    "SERVICE_KEYS_FOR_PEOPLE": _to_optional_bool,
    "VERIFY_CONFIRMATIONS": _to_positive_int,
    "ALERT_WEBHOOK_URL": _to_webhook_url,
    "ALERT_WEBHOOK_SECRET": _to_secret,
    "ALERT_SYSLOG": _to_syslog_url,
    "ALERT_DEPLOYMENT": _to_optional_str,
}

SETTINGS = frozenset(_CONVERTERS)

DEFAULTS: dict[str, Any] = {
    # How long the database may take to answer any one call (a connection from the pool
    # with its liveness check, a statement, the commit): past it the connection is cut and
    # the request answered 503, and the process answers 503 at once until the database
    # answers a background probe. PostgreSQL's statement_timeout is three quarters of it;
    # connecting is bounded by libpq's connect_timeout (whole seconds, at least 2). On
    # SQLite it is the busy timeout (waiting for another process's write lock). See
    # docs/architecture.md.
    "DATABASE_TIMEOUT_SECONDS": 2.0,
    # Connections each process keeps open to PostgreSQL; it may open as many again at busy
    # moments (SQLAlchemy's max_overflow) and then waits at most DATABASE_TIMEOUT_SECONDS
    # for one. Workers serve one request at a time, so 2 is plenty; mind PostgreSQL's
    # max_connections: workers x 2 x DATABASE_POOL_SIZE, per node.
    "DATABASE_POOL_SIZE": 2,
    # How long stored rows are kept (caveat.storage.retention; docs/architecture.md). The
    # conversation memory (conversations, their hashed keys, participants and text hashes;
    # senders seen and colleagues' names) goes once not seen for this many days: a year
    # and a month, so that a partner who writes once a year is still known next year.
    "MEMORY_RETENTION_DAYS": 400,
    # Reports of fraud from the add-ins: two years, the administrators' record of attempts.
    "REPORT_RETENTION_DAYS": 730,
    # Revoked API keys (active keys are kept): a quarter after revocation.
    "REVOKED_KEY_RETENTION_DAYS": 90,
    # The console overview's daily counts of warnings (levels, check families, internal
    # recipients, imitated partners; no message content): a year and a month.
    "WARNING_TALLY_RETENTION_DAYS": 400,
    # How often the sweep runs: one process of all those on the database, after a request,
    # in the background (no cron); `caveat database prune` runs it at once.
    "RETENTION_INTERVAL_MINUTES": 60,
    "INTERNAL_DOMAINS": [],
    "TRUSTED_AUTHSERV_IDS": [],
    "TRUST_MICROSOFT": False,
    "MAX_HEADER_BYTES": _LIMITS.max_header_bytes,
    "MAX_RECIPIENTS": _LIMITS.max_recipients,
    "MAX_BODY_BYTES": _LIMITS.max_body_bytes,
    "MAX_MESSAGE_BYTES": _LIMITS.max_message_bytes,
    # A whole raw message of MAX_MESSAGE_BYTES plus the JSON around it.
    "MAX_REQUEST_BYTES": 26 * 1024 * 1024,
    # Every other request (the send-time guard, reports, ...) carries a few kilobytes; its
    # body is refused beyond this, before it is read.
    "MAX_SMALL_REQUEST_BYTES": 1024 * 1024,
    # A request body must arrive within this many seconds, plus one second for every
    # 64 KiB it declares (a 16 MiB body on a slow line: 10 + 256 s), or the request is
    # answered 408 and its connection closed. Bodies are read by the event loop, so a
    # client trickling its request holds a connection, never a worker (caveat.web.front).
    "REQUEST_READ_SECONDS": 10,
    # Once a request has arrived, its answer must be ready within this many seconds,
    # waiting for its turn included, or the client gets 503 over_budget at once (and a
    # request still waiting never runs). Above the slowest legitimate request: attachments
    # read for up to 12 s, and the database's own timeouts.
    "REQUEST_BUDGET_SECONDS": 30,
    # The HTML body's markup read per message (more is cut, and the cut named).
    "MAX_HTML_BYTES": _LIMITS.max_html_bytes,
    # Attachments read per message (documents before images), the bytes of one, and the
    # bytes of all together; beyond them an attachment is listed as not read, never refused.
    "MAX_ATTACHMENTS": _LIMITS.max_attachments,
    "MAX_ATTACHMENT_BYTES": _LIMITS.max_attachment_bytes,
    "MAX_ATTACHMENTS_BYTES": _LIMITS.max_attachments_bytes,
    # Tesseract's language models for images in attachments ("eng+deu"), or "none" for no
    # OCR at all (images are then listed as not read; PDFs and Word documents still are).
    "OCR_LANGUAGES": _LIMITS.ocr_languages,
    "CATALOGUE_PATH": None,
    "FREEMAIL_EXTRA": [],
    "FREEMAIL_EXCLUDE": [],
    # The https origin clients reach the service at, when a proxy hides it from requests.
    "PUBLIC_URL": None,
    # Origins besides the service's own that may call the API from a browser (CORS).
    # The Thunderbird extension needs none: its host permission for the service lets it
    # past CORS.
    "ADDIN_ORIGINS": [],
    # The bearer token a Prometheus scraper sends for GET /metrics (caveat.web.monitoring);
    # unset: /metrics answers 404.
    "METRICS_TOKEN": None,
    # The read-back endpoints of the add-ins' end-to-end tests (caveat.web.testing); never
    # on in a deployment.
    "TEST_ENDPOINTS": False,
    # Requests one API key may make (caveat.web.api.ratelimit). A client's key usually
    # serves a whole organisation: at about one call a minute per person at the morning
    # peak, this fits 3,000 people, and the per-second part allows bursts.
    "RATE_LIMIT_PER_KEY": "3000/minute;100/second",
    # Requests one client address may make (an IPv6 address counts by its /64), keys or
    # not, /healthz excepted: above the per-key limit, so that an organisation behind one
    # NAT address is held by its key's limit first.
    "RATE_LIMIT_PER_ADDRESS": "6000/minute;200/second",
    # API requests one address may make with a missing, unknown or revoked key; beyond it
    # the address may present only keys already accepted from it recently.
    "RATE_LIMIT_AUTH_FAILURES": "60/minute",
    # Where the counters live. memory:// is per process: with several gunicorn workers the
    # effective limit is workers x limit; several nodes share counters through redis://.
    "RATE_LIMIT_STORAGE_URI": "memory://",
    # People sign in with the organisation's identity provider (caveat.identity.tokens;
    # docs/identity.md). The issuer of its tokens: Entra ID's
    # https://login.microsoftonline.com/<tenant id>/v2.0, or with {tenantid} in place of the
    # id for several tenants (then IDENTITY_TENANTS), or any OIDC issuer
    # (https://kc.example.com/realms/acme). Unset: no sign-in, service keys only.
    "IDENTITY_ISSUER": None,
    # The app registration's client id (the add-ins and the API are one registration).
    "IDENTITY_CLIENT_ID": None,
    # Accepted aud values; empty: api://<client id> and <client id>.
    "IDENTITY_AUDIENCE": [],
    # Accepted tid values (Entra tenant ids); required with {tenantid} in the issuer.
    "IDENTITY_TENANTS": [],
    # The delegated scope people's tokens must carry (in scp, or scope).
    "IDENTITY_SCOPE": "access_as_user",
    # What clients ask the provider for; empty: api://<client id>/<scope> for Entra,
    # openid and <scope> for other issuers.
    "IDENTITY_REQUEST_SCOPES": [],
    # Caveat roles from token values (app roles, group ids, realm roles):
    # finance=Caveat.Finance,security=Caveat.Security,admin=Caveat.Admin. Everyone
    # signed in is a user.
    "IDENTITY_ROLES": {},
    # The claims those values are read from; a dotted path reaches inside one
    # (Keycloak: realm_access.roles).
    "IDENTITY_ROLE_CLAIMS": ["roles", "groups"],
    # The provider's key set; unset: its discovery document's jwks_uri.
    "IDENTITY_JWKS_URL": None,
    # The authority the Outlook add-in's MSAL signs in at; unset: Entra's organizations
    # endpoint (several tenants), the tenant's own, or the issuer.
    "IDENTITY_AUTHORITY": None,
    # The admin console (/admin) signs people in with the same registration, by the
    # authorization code flow with PKCE, redeeming the code from the server. Entra ID
    # redeems a code for a "Web" redirect URI (<PUBLIC_URL>/admin/signin/callback) only
    # with a client secret: set the registration's secret here. Unset: a public client.
    "IDENTITY_CONSOLE_CLIENT_SECRET": None,
    # The people directory from the tokens of the people who sign in (docs/identity.md,
    # "The people directory from sign-in"): the claims holding a person's job title and
    # department (a dotted path reaches inside one: extn.department), the token values
    # (app roles or group ids, read from IDENTITY_ROLE_CLAIMS) that mark an executive,
    # and those that place a person in a group fraud aims at:
    # finance=<group id>,hr=HR.Staff,executive_support=<group id>. Unset: none read; the
    # people CSV wins wherever it names the person.
    "IDENTITY_CLAIM_TITLE": None,
    "IDENTITY_CLAIM_DEPARTMENT": None,
    "IDENTITY_EXECUTIVE_GROUPS": [],
    "IDENTITY_SENSITIVE_GROUPS": {},
    # A console session ends this many hours after sign-in, and sooner when its browser
    # has made no request for CONSOLE_IDLE_MINUTES.
    "CONSOLE_SESSION_HOURS": 8,
    "CONSOLE_IDLE_MINUTES": 60,
    # May a service key stand in for the people of mail clients (a key in the Outlook
    # manifest or the Thunderbird package)? Unset: yes without IDENTITY_ISSUER (a local
    # demo), no with it.
    "SERVICE_KEYS_FOR_PEOPLE": None,
    # Four-eyes for Verify sender: how many distinct people must confirm a partner's bank
    # account by phone (a contact on file) before it counts as verified and later messages
    # naming it say so instead of warning (caveat.service.verifications). 1 turns the
    # four-eyes rule off.
    "VERIFY_CONFIRMATIONS": 2,
    # Alerts out (caveat.service.alerts; docs/alerts.md): confirmed fraud, denied
    # verifications and policy violations at danger. A JSON webhook (https; http only to a
    # loopback address), each request signed with ALERT_WEBHOOK_SECRET (required with it).
    "ALERT_WEBHOOK_URL": None,
    "ALERT_WEBHOOK_SECRET": None,
    # Syslog (RFC 5424) for a SIEM: udp://host:514 or tcp://host:601 (octet counting).
    "ALERT_SYSLOG": None,
    # The name events carry as their deployment; unset: PUBLIC_URL's host, or the machine's.
    "ALERT_DEPLOYMENT": None,
}


def check_setting(name: str, value: Any, where: str | None = None) -> Any:
    """One setting's value, checked and converted as the service will read it; raises
    :class:`SettingsError` naming ``where`` (default: the setting)."""
    if name not in _CONVERTERS:
        raise SettingsError(f"unknown setting {name!r}")
    return _CONVERTERS[name](value, where or name)


def setting_sources(
    overrides: Mapping[str, Any] | None = None, *, environ: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Where each setting's value comes from: ``default``, the instance file's path, or the
    ``CAVEAT_`` variable that overrides it."""
    env = os.environ if environ is None else environ
    instance = instance_path(overrides, env)
    sources = {name: "default" for name in SETTINGS}
    for name in _read_instance_file(instance / INSTANCE_FILE):
        sources[name] = str(instance / INSTANCE_FILE)
    for name in SETTINGS - {"INSTANCE_PATH"}:
        if ENV_PREFIX + name in env:
            sources[name] = ENV_PREFIX + name
    return sources


def instance_path(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> Path:
    """The absolute instance folder: the override, else ``CAVEAT_INSTANCE_PATH``, else
    ``./instance``. It is not created here."""
    env = os.environ if environ is None else environ
    if overrides and overrides.get("INSTANCE_PATH") is not None:
        raw = _to_str(overrides["INSTANCE_PATH"], "INSTANCE_PATH")
    elif env.get(INSTANCE_ENV, "").strip():
        raw = env[INSTANCE_ENV].strip()
    else:
        raw = DEFAULT_INSTANCE
    return Path(raw).expanduser().absolute()


def default_database_url(instance: Path) -> str:
    return f"sqlite:///{instance / DATABASE_FILE}"


def _read_instance_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(str(path), f"cannot read the instance file: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _fail(str(path), f"not valid TOML: {exc}") from None
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = key.upper()
        if name == "INSTANCE_PATH":
            raise _fail(
                str(path),
                f"INSTANCE_PATH cannot be set inside the instance folder; use {INSTANCE_ENV}",
            )
        if name not in SETTINGS:
            known = ", ".join(sorted(SETTINGS - {"INSTANCE_PATH"}))
            raise _fail(str(path), f"unknown setting {key!r} (known: {known})")
        out[name] = (value, f"{path}: {name}")
    return out


def load_settings(
    overrides: Mapping[str, Any] | None = None, *, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """All settings, checked and converted: defaults < instance file < environment < overrides.

    ``overrides`` may only name known settings. ``environ`` defaults to ``os.environ``.
    Relative paths (``CATALOGUE_PATH``) are taken from the instance folder.
    Raises :class:`SettingsError` naming the first bad setting.
    """
    env = os.environ if environ is None else environ
    overrides = dict(overrides or {})
    unknown = sorted(k for k in overrides if k not in SETTINGS)
    if unknown:
        word = "unknown setting" if len(unknown) == 1 else "unknown settings"
        raise SettingsError(f"{word}: {', '.join(unknown)}")

    instance = instance_path(overrides, env)
    raw: dict[str, tuple[Any, str]] = {k: (v, f"default {k}") for k, v in DEFAULTS.items()}
    raw["DATABASE_URL"] = (default_database_url(instance), "default DATABASE_URL")
    raw.update(_read_instance_file(instance / INSTANCE_FILE))
    for name in SETTINGS - {"INSTANCE_PATH"}:
        var = ENV_PREFIX + name
        if var in env:
            raw[name] = (env[var], var)
    for name, value in overrides.items():
        if name != "INSTANCE_PATH":
            raw[name] = (value, name)

    settings: dict[str, Any] = {"INSTANCE_PATH": str(instance)}
    for name, (value, where) in raw.items():
        settings[name] = _CONVERTERS[name](value, where)

    if settings["IDENTITY_ISSUER"] is not None:
        try:
            identity_config(settings)
        except IdentityConfigError as exc:
            raise SettingsError(str(exc)) from None
    if settings["ALERT_WEBHOOK_URL"] and not settings["ALERT_WEBHOOK_SECRET"]:
        raise _fail(
            raw["ALERT_WEBHOOK_URL"][1],
            "needs ALERT_WEBHOOK_SECRET too: receivers check each alert's signature with it",
        )
    if settings["SERVICE_KEYS_FOR_PEOPLE"] is None:
        settings["SERVICE_KEYS_FOR_PEOPLE"] = settings["IDENTITY_ISSUER"] is None

    if settings["CATALOGUE_PATH"] is not None:
        where = raw["CATALOGUE_PATH"][1]
        path = instance / Path(settings["CATALOGUE_PATH"]).expanduser()
        if not path.is_file():
            raise _fail(where, f"no catalogue file at {path}")
        settings["CATALOGUE_PATH"] = str(path)
    return settings


def limits(settings: Mapping[str, Any]) -> Limits:
    return Limits(
        max_header_bytes=settings["MAX_HEADER_BYTES"],
        max_recipients=settings["MAX_RECIPIENTS"],
        max_body_bytes=settings["MAX_BODY_BYTES"],
        max_message_bytes=settings["MAX_MESSAGE_BYTES"],
        max_html_bytes=settings["MAX_HTML_BYTES"],
        max_attachments=settings["MAX_ATTACHMENTS"],
        max_attachment_bytes=settings["MAX_ATTACHMENT_BYTES"],
        max_attachments_bytes=settings["MAX_ATTACHMENTS_BYTES"],
        ocr_languages=settings["OCR_LANGUAGES"],
    )


def retention(settings: Mapping[str, Any]) -> Retention:
    """How long stored rows are kept, and how often the sweep runs."""
    return Retention(
        memory_days=settings["MEMORY_RETENTION_DAYS"],
        report_days=settings["REPORT_RETENTION_DAYS"],
        revoked_key_days=settings["REVOKED_KEY_RETENTION_DAYS"],
        tally_days=settings["WARNING_TALLY_RETENTION_DAYS"],
        interval=timedelta(minutes=settings["RETENTION_INTERVAL_MINUTES"]),
    )


def identity_config(settings: Mapping[str, Any]) -> IdentityConfig | None:
    """The identity provider people sign in with, or None when sign-in is off; raises
    :class:`IdentityConfigError` when the IDENTITY_ settings do not fit together."""
    issuer = settings.get("IDENTITY_ISSUER")
    if not issuer:
        return None
    return IdentityConfig.build(
        issuer=issuer,
        client_id=settings.get("IDENTITY_CLIENT_ID"),
        audiences=settings.get("IDENTITY_AUDIENCE") or (),
        tenants=settings.get("IDENTITY_TENANTS") or (),
        scope=settings.get("IDENTITY_SCOPE"),
        request_scopes=settings.get("IDENTITY_REQUEST_SCOPES") or (),
        roles=settings.get("IDENTITY_ROLES") or {},
        role_claims=settings.get("IDENTITY_ROLE_CLAIMS") or (),
        jwks_url=settings.get("IDENTITY_JWKS_URL"),
        authority=settings.get("IDENTITY_AUTHORITY"),
        title_claim=settings.get("IDENTITY_CLAIM_TITLE"),
        department_claim=settings.get("IDENTITY_CLAIM_DEPARTMENT"),
        executive_values=settings.get("IDENTITY_EXECUTIVE_GROUPS") or (),
        groups=settings.get("IDENTITY_SENSITIVE_GROUPS") or {},
    )


def engine_config(settings: Mapping[str, Any]) -> EngineConfig:
    """The engine's site configuration from loaded settings.

    The packaged free-mail list is shared by the whole process; a list of its own is built
    only when FREEMAIL_EXTRA or FREEMAIL_EXCLUDE change it.
    """
    extra = settings.get("FREEMAIL_EXTRA") or []
    exclude = settings.get("FREEMAIL_EXCLUDE") or []
    freemail = FreemailList.packaged(extra, exclude) if extra or exclude else None
    return EngineConfig.build(
        internal_domains=settings["INTERNAL_DOMAINS"],
        trusted_authserv_ids=settings["TRUSTED_AUTHSERV_IDS"],
        trust_microsoft=settings["TRUST_MICROSOFT"],
        limits=limits(settings),
        freemail=freemail,
    )


def environment(settings: Mapping[str, Any]) -> dict[str, str]:
    """The settings as ``CAVEAT_`` environment variables, for a child process (gunicorn's
    workers) that loads them again with :func:`load_settings`."""
    out: dict[str, str] = {}
    for name in sorted(SETTINGS):
        value = settings.get(name)
        if value is None:
            continue
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, list | tuple):
            text = ",".join(value)
        elif isinstance(value, Mapping):  # IDENTITY_ROLES, IDENTITY_SENSITIVE_GROUPS
            text = ",".join(f"{k}={v}" for k, vs in value.items() for v in vs)
        else:
            text = str(value)
        out[ENV_PREFIX + name] = text
    return out
