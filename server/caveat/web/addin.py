"""The add-in's pages and assets as the service serves them, and its cross-origin rules.

* ``/addin/outlook/…`` and ``/addin/shared/…``: the Outlook task pane, its event runtime and
  the JavaScript the add-ins share, from the repository's ``addin/`` folder. Only pages,
  scripts and style sheets at the top of those two folders are served (never tests or
  package files). Pages carry a strict Content-Security-Policy: scripts only from this
  service and from Microsoft's Office.js host, nothing inline, nothing framed except by
  Outlook's own web hosts; requests only to this service and, with sign-in on, to the
  identity provider's origin. They are revalidated on every load (``no-cache`` with an
  ETag), so a new version reaches clients without waiting for a cache to expire.
* ``/addin/_locales/<lang>/messages.json``: the add-ins' words in each language (WebExtension
  message files), which the pages read at start; revalidated like the pages.
* ``/addin/vendor/msal-browser.min.js``: Microsoft's MSAL.js (the npm package
  ``@azure/msal-browser``, MIT, its licence beside it), which the pages use for nested app
  authentication. It is served from this service, never from a CDN, from the copy kept in
  ``addin/vendor/`` (``scripts/vendor-msal`` refreshes it from the locked npm package; a
  test checks that the two are the same).
* ``/addin/outlook/launchevent.js``: for classic Outlook on Windows, whose JavaScript-only
  runtime loads the file with no page around it and so cannot read its configuration from
  its own URL, the service writes the deployment's base URL in front of the script, with
  what sign-in needs (the client id, authority and scopes, all public) when sign-in is on,
  and with the key of the demo mode only when the key in the request's ``key`` parameter
  is a valid one, so the file reveals no key to someone who does not already hold it. It
  writes the script's own words too (``CAVEAT_MESSAGES``: the ``outlook_event_`` messages of
  every language, from the message files), since that runtime cannot fetch them itself.
* ``/.well-known/microsoft-officeaddins-allowed.json``: names that script, which classic
  Outlook requires before the script may make cross-origin requests.
* ``/static/…``: icons and other assets, cacheable for a week.
* CORS: answered only for the add-in's own origin (this service's, or ``PUBLIC_URL``'s) and
  the origins listed in ``ADDIN_ORIGINS``. Any other origin gets no CORS header, so a
  browser refuses it the answer. The Thunderbird extension needs no entry: its host
  permission for the service exempts its calls from CORS (Thunderbird still sends a
  preflight, which gets the plain answer every other origin gets).
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import re
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Flask, Response, abort, current_app, request
from werkzeug.security import safe_join

from caveat.web.api import auth
from caveat.web.api.services import services

#: The repository folders the service serves from (an editable install, as ``make run``).
PROJECT_ROOT = Path(__file__).resolve().parents[3]
ADDIN_ROOT = PROJECT_ROOT / "addin"
STATIC_ROOT = PROJECT_ROOT / "static"

#: Outlook on the web, new Outlook and the Microsoft 365 app frame the task pane from these
#: hosts (commercial, government and consumer clouds); desktop Outlook shows it unframed.
OUTLOOK_FRAME_HOSTS = (
    "https://outlook.office.com",
    "https://outlook.office365.com",
    "https://outlook.live.com",
    "https://*.office.com",
    "https://*.office365.com",
    "https://*.outlook.com",
    "https://*.office365.us",
    "https://*.apps.mil",
    "https://*.microsoft365.com",
    "https://*.cloud.microsoft",
)
OFFICE_JS_HOST = "https://appsforoffice.microsoft.com"


def page_csp(connect: tuple[str, ...] = ()) -> str:
    """The pages' Content-Security-Policy; ``connect`` adds origins the page may call (the
    identity provider's, when sign-in is on)."""
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src 'self' {OFFICE_JS_HOST}",
            "style-src 'self'",
            "img-src 'self' data:",
            " ".join(("connect-src 'self'", *connect)),
            "base-uri 'none'",
            "form-action 'none'",
            "object-src 'none'",
            "frame-ancestors 'self' " + " ".join(OUTLOOK_FRAME_HOSTS),
        ]
    )


PAGE_CSP = page_csp()

_SERVED = {".html": "text/html", ".js": "text/javascript", ".css": "text/css"}
_PARTS = frozenset({"outlook", "shared"})
#: Third-party files served as they are, by name (see the module's docstring).
VENDOR_ROOT = ADDIN_ROOT / "vendor"
_VENDOR_FILES = {
    "msal-browser.min.js": "text/javascript",
    "msal-browser.LICENSE": "text/plain",
}
STATIC_MAX_AGE = 7 * 24 * 3600
#: The add-ins' message files: ``<lang>/messages.json`` (``de``, ``pt_BR``).
LOCALES_ROOT = ADDIN_ROOT / "_locales"
_LOCALE_NAME = re.compile(r"[a-z]{2,3}(?:_[A-Z]{2})?")
#: The messages launchevent.js speaks (written in front of it, see the module's docstring).
LAUNCH_EVENT_PREFIX = "outlook_event_"

bp = Blueprint("addin", __name__)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.before_request(cors_preflight)
    app.after_request(cors_headers)


@bp.get("/addin/<part>/<name>")
def addin_file(part: str, name: str) -> Response:
    suffix = Path(name).suffix
    if part not in _PARTS or suffix not in _SERVED or name.startswith("."):
        abort(404)
    if part == "outlook" and name == "launchevent.js":
        return _launch_event_script()
    response = _small_file(ADDIN_ROOT / part, name, _SERVED[suffix])
    response.headers["Cache-Control"] = "no-cache"
    if suffix == ".html":
        response.headers["Content-Security-Policy"] = page_csp(_identity_origins())
    return response


@bp.get("/addin/_locales/<lang>/messages.json")
def locale_file(lang: str) -> Response:
    """One language's message file, for i18n.js in the pages."""
    if not _LOCALE_NAME.fullmatch(lang):
        abort(404)
    response = _small_file(LOCALES_ROOT, f"{lang}/messages.json", "application/json")
    response.headers["Cache-Control"] = "no-cache"
    return response


def launch_event_messages() -> dict[str, dict[str, str]]:
    """The messages of launchevent.js by language: ``{"en": {"outlook_event_…": "…"}}``,
    from every message file there is (a file that cannot be read is left out)."""
    found: dict[str, dict[str, str]] = {}
    if not LOCALES_ROOT.is_dir():
        return found
    for folder in sorted(LOCALES_ROOT.iterdir()):
        if not _LOCALE_NAME.fullmatch(folder.name):
            continue
        try:
            data = json.loads((folder / "messages.json").read_text("utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(data, dict):
            continue
        words = {
            key: entry["message"]
            for key, entry in data.items()
            if key.startswith(LAUNCH_EVENT_PREFIX)
            and isinstance(entry, dict)
            and isinstance(entry.get("message"), str)
        }
        if words:
            found[folder.name] = words
    return found


@bp.get("/addin/vendor/<name>")
def vendor_file(name: str) -> Response:
    mimetype = _VENDOR_FILES.get(name)
    if mimetype is None:
        abort(404)
    response = _small_file(VENDOR_ROOT, name, mimetype)
    response.headers["Cache-Control"] = "no-cache"
    return response


def sign_in_config() -> dict[str, object] | None:
    """What the add-in needs to sign people in (the app registration's client id, the
    authority MSAL signs in at, the scopes to ask for; all of it public, as
    ``GET /api/v1/identity`` says it), or None with sign-in off. Read from the settings:
    nothing is fetched from the provider here."""
    config = auth.identity().config
    if config is None:
        return None
    return {
        "client_id": config.client_id,
        "authority": config.authority,
        "scopes": list(config.request_scopes),
    }


def _identity_origins() -> tuple[str, ...]:
    """The identity provider's origins (issuer and authority), which the pages may call."""
    config = auth.identity().config
    if config is None:
        return ()
    found: list[str] = []
    for value in (config.issuer, config.authority):
        parts = urlsplit(value)
        if parts.scheme in ("https", "http") and parts.netloc and "{" not in parts.netloc:
            own = f"{parts.scheme}://{parts.netloc}"
            if own not in found:
                found.append(own)
    return tuple(found)


def _launch_event_script() -> Response:
    path = ADDIN_ROOT / "outlook" / "launchevent.js"
    try:
        script = path.read_text("utf-8")
    except FileNotFoundError:
        abort(404)
    config: dict[str, object] = {}
    sign_in = sign_in_config()
    if sign_in is not None:
        config = {"baseUrl": public_base(), "identity": sign_in}
    key = request.args.get("key", "")
    if key and len(key) <= 200 and services().store.verify_key(key) is not None:
        config = {**config, "baseUrl": public_base(), "key": key}
    # JSON is valid JavaScript (ASCII mode escapes U+2028/9); a verified key is plain text.
    words = json.dumps(launch_event_messages(), sort_keys=True)
    script = f"var CAVEAT_MESSAGES = {words};\n{script}"
    if config:
        script = f"var CAVEAT_DEPLOYMENT = {json.dumps(config)};\n{script}"
    response = Response(script, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/.well-known/microsoft-officeaddins-allowed.json")
def officeaddins_allowed() -> Response:
    """The event-runtime scripts this origin vouches for. Classic Outlook on Windows runs the
    send-time guard in its JavaScript-only runtime and lets it make cross-origin requests
    only when the script's origin lists it here."""
    response = Response(
        json.dumps({"allowed": [f"{public_base()}/addin/outlook/launchevent.js"]}),
        mimetype="application/json",
    )
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/static/<path:name>")
def static_file(name: str) -> Response:
    mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = _small_file(STATIC_ROOT, name, mimetype)
    response.headers["Cache-Control"] = f"public, max-age={STATIC_MAX_AGE}"
    return response


def _small_file(folder: Path, name: str, mimetype: str) -> Response:
    """A file of ``folder`` (never outside it) read whole — these are a few kilobytes — with
    an ETag from its content, answered 304 when the client has it already."""
    path = Path(safe_join(str(folder), name) or folder)
    if path == folder or not path.is_file():
        abort(404)
    data = path.read_bytes()
    response = Response(data, mimetype=mimetype)
    response.set_etag(hashlib.sha256(data).hexdigest()[:32])
    response.make_conditional(request)
    return response


def public_base() -> str:
    """The URL the service is reached at, with its path prefix if mounted under one:
    PUBLIC_URL, else what the request shows (a proxy passes a prefix as SCRIPT_NAME)."""
    configured: str | None = current_app.config.get("PUBLIC_URL")
    return configured.rstrip("/") if configured else request.url_root.rstrip("/")


def public_origin() -> str:
    """The origin clients reach this service at: PUBLIC_URL's, else the request's."""
    configured: str | None = current_app.config.get("PUBLIC_URL")
    if configured:
        parts = urlsplit(configured)
        return f"{parts.scheme}://{parts.netloc}"
    return request.host_url.rstrip("/")


def allowed_origin() -> str | None:
    """The request's Origin when CORS may be granted to it, else None."""
    origin = request.headers.get("Origin")
    if not origin:
        return None
    if origin == public_origin() or origin in current_app.config.get("ADDIN_ORIGINS", ()):
        return origin
    return None


def cors_preflight() -> Response | None:
    """Answer a CORS preflight for the API before authentication (a preflight carries no
    credential): granted to the allowed origins, refused with no CORS header otherwise."""
    if request.method != "OPTIONS" or not request.path.startswith("/api/"):
        return None
    if "Access-Control-Request-Method" not in request.headers:
        return None
    response = Response(status=204)
    origin = allowed_origin()
    if origin is not None:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, PUT"
        response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
        response.headers["Access-Control-Max-Age"] = "600"
    response.headers["Vary"] = "Origin"
    return response


def cors_headers(response: Response) -> Response:
    if request.path.startswith("/api/") and request.method != "OPTIONS":
        response.vary.add("Origin")
        origin = allowed_origin()
        if origin is not None:
            response.headers["Access-Control-Allow-Origin"] = origin
    return response
