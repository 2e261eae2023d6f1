"""The Thunderbird extension as an installable XPI, generic or for one deployment.

The extension's source is ``addin/thunderbird/`` (its manifest and its pages and scripts)
and the JavaScript it shares with the Outlook add-in, ``addin/shared/``. An XPI is a zip
whose root holds ``manifest.json``; this module lays it out as

    manifest.json                 addin/thunderbird/manifest.json, version set
    thunderbird/*.js|html|css     the extension's own files (never its tests)
    thunderbird/deployment.json   the deployment's service address (and key), or {}
    shared/*.js                   addin/shared/*.js (never its tests)
    _locales/<lang>/messages.json addin/_locales/<lang>/messages.json, every language there
    icons/icon-{16,32,64,128}.png static/icons

so the relative imports of the source tree (``../shared/api.js``) hold inside the XPI too,
and so does ``shared/i18n.js``'s ``../_locales/<lang>/messages.json``. The message files are
Thunderbird's own ``_locales`` as well: the manifest's ``__MSG_extensionName__`` and
``__MSG_extensionDescription__`` come from them (``default_locale`` is ``en``). Each is
checked to be a JSON object before it is shipped.

A generic build (no base URL) asks for no host at all: the user enters the service's
address in the options page, which asks Thunderbird for that one origin. A deployment
build names the service, and its manifest asks for exactly that origin in
``host_permissions`` (granted at installation) and nothing optional; administrators push
it with Thunderbird's enterprise policies.

How a person proves who they are is the service's to say (``GET /api/v1/identity``): when it
signs people in, each person signs in with the organisation's identity provider from the
extension (authorization code with PKCE through Thunderbird's ``identity`` API, see
``addin/thunderbird/signin.js``), and the XPI carries no key: a deployment build then also
asks for the provider's origin (``sign_in_origins``), so that the extension may call its
token endpoint. The provider must know the extension's redirect URI, :func:`redirect_url`.
Only a service without sign-in (the local demo) takes a key from a mail client; such a key
rides in the XPI as it rides in the Outlook manifest: an analyze-only key, never an admin key.

The zip is reproducible: entries sorted, fixed timestamps, so the same input gives the same
bytes.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from caveat import __version__

from .outlook_manifest import ManifestError, normalise_base_url

PROJECT_ROOT = Path(__file__).resolve().parents[3]
SOURCE = PROJECT_ROOT / "addin" / "thunderbird"
SHARED = PROJECT_ROOT / "addin" / "shared"
LOCALES = PROJECT_ROOT / "addin" / "_locales"
ICONS = PROJECT_ROOT / "static" / "icons"
ICON_SIZES = (16, 32, 64, 128)
#: What the extension's folders may ship: pages, scripts, style sheets.
SHIPPED_SUFFIXES = frozenset({".js", ".html", ".css"})
EXTENSION_ID = "caveat-thunderbird@caveat.invalid"
#: 1980-01-01, the earliest time a zip entry can carry: every build has the same bytes.
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
#: Thunderbird's default ``extensions.webextensions.identity.redirectDomain``.
REDIRECT_DOMAIN = "extensions.allizom.org"
#: What a test build may ask the background to do when a message's banner is shown.
TEST_ACTIONS = frozenset({"report", "sign_out", "verify_confirmed"})


def redirect_url(extension_id: str = EXTENSION_ID) -> str:
    """The redirect URI of the extension's sign-in, as Thunderbird's
    ``identity.getRedirectURL()`` makes it: ``https://`` + the SHA-1 of the extension id in
    hex + ``.extensions.allizom.org/``. Thunderbird catches the redirect to it and never
    loads it, so the host needs no DNS. It is registered with the identity provider."""
    digest = hashlib.sha1(extension_id.encode("utf-8"), usedforsecurity=False).hexdigest()
    return f"https://{digest}.{REDIRECT_DOMAIN}/"


class XpiError(ValueError):
    """The XPI cannot be built as asked: a bad base URL, a missing source file."""


@dataclass(frozen=True)
class Deployment:
    """What a deployment build carries in ``thunderbird/deployment.json``."""

    base_url: str | None = None
    api_key: str | None = None
    #: Test builds only: where the display script's read-back goes (caveat.web.testing).
    display_report_url: str | None = None
    #: The identity provider's addresses the extension calls (its token endpoint's origin)
    #: when the service signs people in; they join ``host_permissions`` of a deployment build.
    sign_in_origins: tuple[str, ...] = ()
    #: Test builds only (with ``display_report_url``): popup commands ("report", "sign_out",
    #: "verify_confirmed": Verify sender's call recorded as confirmed) the background runs
    #: for a message, by Message-ID, once its banner is shown.
    test_actions: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.base_url:
            out["base_url"] = self.base_url
        if self.api_key:
            out["api_key"] = self.api_key
        if self.display_report_url:
            out["display_report_url"] = self.display_report_url
            if self.test_actions:
                out["test_actions"] = {mid: list(acts) for mid, acts in self.test_actions}
        return out


def service_url(raw: str) -> str:
    """The service address for the extension: https, or plain http on loopback only (a
    service on the same machine, as in the tests). No trailing slash."""
    text = raw.strip() if isinstance(raw, str) else ""
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as exc:
        raise XpiError(f"the base URL is not a URL: {raw!r} ({exc})") from None
    if parts.scheme == "http" and parts.hostname in _LOOPBACK:
        if parts.query or parts.fragment or parts.username or parts.password:
            raise XpiError(f"the base URL must be a plain address: {raw!r}")
        return text.rstrip("/")
    try:
        return normalise_base_url(text)
    except ManifestError as exc:
        raise XpiError(f"{exc} (plain http is accepted on loopback only)") from None


def sign_in_origins(settings: Mapping[str, object]) -> tuple[str, ...] | None:
    """The origins of the identity provider the extension calls (``IDENTITY_ISSUER``'s and
    ``IDENTITY_AUTHORITY``'s), or None when the service does not sign people in (read
    from loaded settings; ``caveat thunderbird-xpi`` and the console's download alike)."""
    issuer = settings.get("IDENTITY_ISSUER")
    if not isinstance(issuer, str) or not issuer.strip():
        return None
    out: list[str] = []
    for value in (issuer, settings.get("IDENTITY_AUTHORITY")):
        if not isinstance(value, str) or not value.strip():
            continue
        parts = urlsplit(value.strip())
        origin = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"
        if origin not in out:
            out.append(origin)
    return tuple(out)


def origin_pattern(base_url: str) -> str:
    """The host permission for the service: its scheme and host. Firefox's and Thunderbird's
    match patterns take no port (one with a port does not match), so it covers the host on
    every port."""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}/*"


def build_manifest(deployment: Deployment) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((SOURCE / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise XpiError(f"cannot read addin/thunderbird/manifest.json: {exc}") from None
    manifest["version"] = __version__
    if deployment.base_url:
        manifest.pop("optional_host_permissions", None)
        hosts = [origin_pattern(deployment.base_url)]
        extra = [origin_pattern(o) for o in deployment.sign_in_origins]
        if deployment.display_report_url:
            extra.append(origin_pattern(deployment.display_report_url))
        for pattern in extra:
            if pattern not in hosts:
                hosts.append(pattern)
        manifest["host_permissions"] = hosts
    return manifest


def _files() -> list[tuple[str, Path]]:
    """(name in the XPI, source file) for everything but the manifest."""
    out: list[tuple[str, Path]] = []
    for folder, prefix in ((SOURCE, "thunderbird"), (SHARED, "shared")):
        if not folder.is_dir():
            raise XpiError(f"the extension's source folder is missing: {folder}")
        for path in sorted(folder.iterdir()):
            if path.is_file() and path.suffix in SHIPPED_SUFFIXES:
                out.append((f"{prefix}/{path.name}", path))
    out += _message_files()
    for size in ICON_SIZES:
        icon = ICONS / f"icon-{size}.png"
        if not icon.is_file():
            raise XpiError(f"the icon is missing: {icon}")
        out.append((f"icons/icon-{size}.png", icon))
    return out


def _message_files() -> list[tuple[str, Path]]:
    """(name in the XPI, source file) for each language's ``messages.json``, checked to be
    a JSON object of messages; English, the default locale, must be there."""
    out: list[tuple[str, Path]] = []
    if not LOCALES.is_dir():
        raise XpiError(f"the message files' folder is missing: {LOCALES}")
    for folder in sorted(LOCALES.iterdir()):
        path = folder / "messages.json"
        if not folder.is_dir() or not path.is_file():
            continue
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise XpiError(f"{path} is not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise XpiError(f"{path} is not a JSON object of messages")
        out.append((f"_locales/{folder.name}/messages.json", path))
    if not any(name == "_locales/en/messages.json" for name, _ in out):
        raise XpiError(f"the default locale's messages are missing: {LOCALES / 'en'}")
    return out


def build_xpi(deployment: Deployment = Deployment()) -> bytes:
    """The XPI's bytes for ``deployment`` (a generic build when it names no service)."""
    if deployment.api_key and deployment.sign_in_origins:
        raise XpiError(
            "a build for a service that signs people in carries no key: each person signs in"
        )
    for origin in deployment.sign_in_origins:
        service_url(origin)  # https, or http on loopback
    for _, actions in deployment.test_actions:
        unknown = set(actions) - TEST_ACTIONS
        if unknown:
            raise XpiError(f"unknown test actions: {', '.join(sorted(unknown))}")
    if deployment.base_url:
        deployment = replace(deployment, base_url=service_url(deployment.base_url))
    elif deployment.api_key:
        raise XpiError("a key needs the service's base URL to go with it")
    entries: list[tuple[str, bytes]] = [
        ("manifest.json", _json_bytes(build_manifest(deployment))),
        ("thunderbird/deployment.json", _json_bytes(deployment.to_json())),
    ]
    entries += [(name, path.read_bytes()) for name, path in _files()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as xpi:
        for name, data in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            xpi.writestr(info, data)
    return buffer.getvalue()


def _json_bytes(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
