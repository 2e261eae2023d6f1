"""The Outlook add-in manifest of one deployment: built, versioned and checked offline.

Why the XML "add-in only" manifest
    It is the format every Outlook that runs add-ins reads directly: Outlook on the web, new
    and classic Outlook on Windows (subscription and perpetual), Outlook on Mac, iOS and
    Android. The JSON unified manifest for Microsoft 365 is read directly only by the web,
    new Outlook and recent subscription builds on Windows; elsewhere it depends on an XML
    manifest generated from it. A warning that shows on some desks and not on others
    teaches people that no banner means nothing. (This manifest declares no mobile surface
    yet: that needs a ``MobileFormFactor`` and mobile icon sizes.)

Why ReadItem, and never more
    Reading the open message's internet headers, addresses, subject and body, showing a
    notification bar on it, and reading the recipients of a message being composed are all
    allowed at ReadItem. Caveat never changes mail, never reads other items of the mailbox
    and never sends on the user's behalf, so it asks for nothing above that. An add-in
    that asks for ReadWriteMailbox "for now" is a standing risk to every mailbox it is
    deployed to; :func:`check_manifest` refuses any other permission.

Who the add-in calls the service as
    With sign-in on (the deployment has an app registration: ``IDENTITY_CLIENT_ID``), every
    call carries the signed-in person's own token, which the add-in gets through MSAL.js's
    nested app authentication or, where Outlook lacks it, Office's single sign-on. The
    manifest then carries no key anywhere; it names the app registration in
    ``<WebApplicationInfo>`` (its client id, the application ID URI ``api://<host>/<client
    id>`` that Office's single sign-on requires, and the scopes), which Office's single
    sign-on reads (see ``docs/identity.md``).

    Without an app registration (the local demo) the add-in authenticates with an API key
    that can only ask for analyses, which rides in the query of the add-in's page URLs
    (``?key=...``); the manifest says in a comment that it is for a local demo only: every
    mailbox it reaches holds the same key, and the service cannot tell people apart.

Identity and version
    Microsoft 365 recognises an add-in by its GUID and accepts an updated manifest only when
    its version is higher. :func:`load_identity` keeps both in the instance folder
    (``addin-manifest.toml``): the GUID is created once, and the fourth part of the version
    grows by one each time the manifest's content changes (another base URL, another key,
    a new release of this module), so running ``caveat manifest`` twice with the same input
    produces the same file.

:func:`check_manifest` validates structure offline — element order, permission, URLs,
resource ids, icons, the launch events — so that a mistake shows in the tests rather than as
an upload refused by the admin center or an add-in that silently never loads.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import tempfile
import tomllib
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from caveat import __version__

#: Office refuses a manifest of 256 KB or more.
MAX_MANIFEST_BYTES = 256 * 1024
#: The schema's limit for one URL.
MAX_URL_LENGTH = 2048
#: Resource ids (``id`` and ``resid``) are at most 32 characters.
MAX_RESOURCE_ID = 32
#: Each part of the version; Office's schema allows up to five digits, this stays in 16 bits.
MAX_VERSION_PART = 65535

IDENTITY_FILE = "addin-manifest.toml"

NS_APP = "http://schemas.microsoft.com/office/appforoffice/1.1"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
NS_BT = "http://schemas.microsoft.com/office/officeappbasictypes/1.0"
NS_VO_1_0 = "http://schemas.microsoft.com/office/mailappversionoverrides"
NS_VO_1_1 = "http://schemas.microsoft.com/office/mailappversionoverrides/1.1"
XSI_TYPE = f"{{{NS_XSI}}}type"

# The paths the service serves (see caveat.web.addin); the manifest only points at them.
TASKPANE_PATH = "/addin/outlook/taskpane.html"
COMMANDS_PATH = "/addin/outlook/commands.html"
LAUNCH_EVENT_PATH = "/addin/outlook/launchevent.js"
ICON_DIR = "/static/icons/"
ICON_SIZES = (16, 32, 64, 80, 128)
#: Sizes every ribbon button must offer.
BUTTON_ICON_SIZES = (16, 32, 80)

#: The children of a MailApp ``<OfficeApp>``, in the order its schema requires: the
#: ``OfficeApp`` sequence (OfficeAppManifestV1_1.xsd) followed by the ``MailApp`` extension.
OFFICE_APP_ORDER = (
    "Id",
    "AlternateId",
    "Version",
    "ProviderName",
    "DefaultLocale",
    "DisplayName",
    "Description",
    "IconUrl",
    "HighResolutionIconUrl",
    "SupportUrl",
    "AppDomains",
    "Hosts",
    "Requirements",
    "FormSettings",
    "Permissions",
    "Rule",
    "DisableEntityHighlighting",
    "VersionOverrides",
)
#: What this project's manifest must carry (the schema requires fewer).
OFFICE_APP_REQUIRED = (
    "Id",
    "Version",
    "ProviderName",
    "DefaultLocale",
    "DisplayName",
    "Description",
    "IconUrl",
    "HighResolutionIconUrl",
    "SupportUrl",
    "Hosts",
    "Requirements",
    "FormSettings",
    "Permissions",
    "Rule",
    "VersionOverrides",
)
VERSION_OVERRIDES_ORDER = (
    "Description",
    "Requirements",
    "Hosts",
    "Resources",
    "WebApplicationInfo",
    "EquivalentAddins",
    "VersionOverrides",
)
MAIL_HOST_ORDER = ("Runtimes", "DesktopFormFactor", "MobileFormFactor")
FORM_FACTOR_ORDER = ("FunctionFile", "ExtensionPoint", "SupportsSharedFolders")
SHOW_TASKPANE_ORDER = (
    "SourceLocation",
    "SupportsPinning",
    "SupportsNoItemContext",
    "SupportsMultiSelect",
)
RESOURCES_ORDER = ("Images", "Urls", "ShortStrings", "LongStrings")

PERMISSION = "ReadItem"
#: The Mailbox requirement set of the send-time guard (OnMessageSend, SendMode).
SMART_ALERTS_MAILBOX = "1.12"
LAUNCH_EVENTS = {
    "OnMessageRecipientsChanged": "onMessageRecipientsChangedHandler",
    "OnMessageSend": "onMessageSendHandler",
}
SEND_MODE = "SoftBlock"

DISPLAY_NAME = "Caveat"
DESCRIPTION = (
    "Warns when the message in front of you shows the marks of business email compromise, "
    "such as replies diverted elsewhere, a spoofed sender or new bank details."
)
BUTTON_TOOLTIP = (
    "Open Caveat: why this message was flagged, the evidence, and how to verify the sender."
)

#: The add-ins' message files (addin/_locales/<lang>/messages.json): the description and
#: the button's tooltip in every language, as Override elements for Office's display
#: language. English, the default, is the constants above (the tests keep them the same).
LOCALES = Path(__file__).resolve().parents[3] / "addin" / "_locales"
#: Office matches an Override by its culture (the display language as "de-AT"), so each
#: language is given for the cultures Office is used in.
CULTURES: dict[str, tuple[str, ...]] = {
    "de": ("de-DE", "de-AT", "de-CH", "de-LU", "de-LI"),
    "fr": ("fr-FR", "fr-BE", "fr-CH", "fr-CA", "fr-LU"),
    "es": ("es-ES", "es-MX", "es-AR", "es-CO", "es-CL", "es-US"),
    "it": ("it-IT", "it-CH"),
    "nl": ("nl-NL", "nl-BE"),
    "pt": ("pt-PT", "pt-BR"),
    "pl": ("pl-PL",),
    "cs": ("cs-CZ",),
    "sv": ("sv-SE", "sv-FI"),
    "tr": ("tr-TR",),
    "ja": ("ja-JP",),
    "zh": ("zh-CN", "zh-SG"),
    "ar": ("ar-SA", "ar-AE", "ar-EG", "ar-MA", "ar-QA", "ar-KW", "ar-JO"),
}
#: The message ids of the manifest's texts.
MESSAGE_IDS = {
    "DisplayName": "extensionName",
    "Description": "outlook_manifestDescription",
    "Button.Tooltip": "outlook_manifestTooltip",
}

_GUID = re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
_VERSION = re.compile(r"[0-9]{1,5}(?:\.[0-9]{1,5}){0,3}")
_DIGEST = re.compile(r"[0-9a-f]{64}")
_PATH_PREFIX = re.compile(r"(?:/[A-Za-z0-9._~-]+)*/?")
_SCHEME_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_RESOURCE = re.compile(r"api://(?:[A-Za-z0-9.-]+(?::[0-9]{1,5})?/)?[0-9A-Fa-f-]{36}")


class ManifestError(ValueError):
    """The manifest cannot be built from these inputs, or its identity file is unusable."""


#: What Office's single sign-on asks for besides the API's own scope (the person's name
#: and sign-in name in the token).
SIGN_IN_SCOPES = ("openid", "profile")
DEMO_COMMENT = (
    " For a local demo only: this manifest carries an API key in its URLs, which every "
    "mailbox it reaches can read and use, and the service cannot tell people apart. For a "
    "deployment, configure sign-in (IDENTITY_ISSUER, IDENTITY_CLIENT_ID; docs/identity.md) "
    "and run caveat manifest again: that manifest carries no key. "
)


@dataclass(frozen=True)
class SignIn:
    """The app registration the add-in signs people in with: its client id, the application
    ID URI (``api://<host>/<client id>`` for Office's single sign-on) and the scopes."""

    client_id: str
    resource: str
    scopes: tuple[str, ...] = SIGN_IN_SCOPES


def sign_in_for(base_url: str, client_id: str, resource: str | None = None) -> SignIn:
    """:class:`SignIn` for the service at ``base_url``: the resource defaults to
    ``api://<host>/<client id>``. Raises :class:`ManifestError` for an unusable client id
    or resource."""
    client = client_id.strip() if isinstance(client_id, str) else ""
    if not _GUID.fullmatch(client):
        raise ManifestError(
            f"the client id must be the app registration's Application (client) ID, a GUID: "
            f"{client_id!r}"
        )
    client = client.lower()
    if resource is None:
        host = urlsplit(normalise_base_url(base_url)).netloc
        resource = f"api://{host}/{client}"
    resource = resource.strip()
    if not _RESOURCE.fullmatch(resource) or not resource.lower().endswith(client):
        raise ManifestError(
            f"the resource must be an application ID URI api://[host/]<client id> ending "
            f"with the client id {client}: {resource!r}"
        )
    return SignIn(client, resource)


@dataclass(frozen=True)
class ManifestIdentity:
    """What Microsoft 365 recognises the add-in by: its GUID, and a version that only grows."""

    id: str
    version: str


#: Stands in for the identity when the content is fingerprinted (the identity is not part
#: of the content: it is derived from it).
PLACEHOLDER_IDENTITY = ManifestIdentity("00000000-0000-0000-0000-000000000000", "0.0.0.1")


# ----------------------------------------------------------------- URLs


def normalise_base_url(raw: str) -> str:
    """The service's public address as ``https://host[:port][/prefix]``, no trailing slash.

    Raises :class:`ManifestError` for anything else: another scheme, credentials, a query,
    a fragment, or a path that is more than a plain prefix.
    """
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        raise ManifestError("the base URL is empty (write https://caveat.example.com)")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise ManifestError(f"the base URL is not a URL: {raw!r} ({exc})") from None
    if parts.scheme.lower() != "https":
        raise ManifestError(f"the base URL must use https: {raw!r}")
    if not parts.hostname:
        raise ManifestError(f"the base URL has no host name: {raw!r}")
    if parts.username is not None or parts.password is not None:
        raise ManifestError(f"the base URL must not carry a user name or password: {raw!r}")
    if "?" in text or "#" in text:
        raise ManifestError(f"the base URL must not have a query or a fragment: {raw!r}")
    if not text.isascii():
        raise ManifestError(f"write the base URL in ASCII (a host name in its xn-- form): {raw!r}")
    path = parts.path
    segments = [s for s in path.split("/") if s]
    if not _PATH_PREFIX.fullmatch(path) or any(s in (".", "..") for s in segments):
        raise ManifestError(
            f"the base URL may only add a plain path prefix such as /caveat: {raw!r}"
        )
    host = parts.hostname.lower()
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    netloc = host if port is None else f"{host}:{port}"
    return f"https://{netloc}{path.rstrip('/')}"


def origin(base: str) -> str:
    """``https://host[:port]`` of a normalised base URL."""
    parts = urlsplit(base)
    return f"{parts.scheme}://{parts.netloc}"


def _with_key(url: str, key: str | None) -> str:
    return url if key is None else f"{url}?key={quote(key, safe='')}"


def icon_url(base: str, size: int) -> str:
    return f"{base}{ICON_DIR}icon-{size}.png"


@dataclass(frozen=True)
class _Urls:
    base: str
    taskpane: str
    commands: str
    launch_event: str
    support: str


def _urls(base_url: str, key: str | None) -> _Urls:
    base = normalise_base_url(base_url)
    if key is not None and not key.strip():
        raise ManifestError("the key must not be empty")
    return _Urls(
        base=base,
        taskpane=_with_key(base + TASKPANE_PATH, key),
        commands=_with_key(base + COMMANDS_PATH, key),
        launch_event=_with_key(base + LAUNCH_EVENT_PATH, key),
        support=base + "/",
    )


# ----------------------------------------------------------------- building


def _add(
    parent: ET.Element,
    tag: str,
    attrs: dict[str, str] | None = None,
    text: str | None = None,
) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs or {})
    if text is not None:
        element.text = text
    return element


def _requirements(parent: ET.Element, minimum: str) -> None:
    sets = _add(_add(parent, "Requirements"), "bt:Sets", {"DefaultMinVersion": minimum})
    _add(sets, "bt:Set", {"Name": "Mailbox"})


def _read_surface(form_factor: ET.Element, *, pinnable: bool) -> None:
    """The button on the message-read ribbon that opens the task pane."""
    point = _add(form_factor, "ExtensionPoint", {"xsi:type": "MessageReadCommandSurface"})
    group = _add(_add(point, "OfficeTab", {"id": "TabDefault"}), "Group", {"id": "CaveatGroup"})
    _add(group, "Label", {"resid": "Group.Label"})
    control = _add(group, "Control", {"xsi:type": "Button", "id": "CaveatOpenPane"})
    _add(control, "Label", {"resid": "Button.Label"})
    tip = _add(control, "Supertip")
    _add(tip, "Title", {"resid": "Button.Label"})
    _add(tip, "Description", {"resid": "Button.Tooltip"})
    icon = _add(control, "Icon")
    for size in BUTTON_ICON_SIZES:
        _add(icon, "bt:Image", {"size": str(size), "resid": f"Icon.{size}"})
    action = _add(control, "Action", {"xsi:type": "ShowTaskpane"})
    _add(action, "SourceLocation", {"resid": "Taskpane.Url"})
    if pinnable:
        _add(action, "SupportsPinning", text="true")


def _resources(parent: ET.Element, urls: _Urls, url_ids: Iterable[tuple[str, str]]) -> None:
    resources = _add(parent, "Resources")
    images = _add(resources, "bt:Images")
    for size in BUTTON_ICON_SIZES:
        _add(images, "bt:Image", {"id": f"Icon.{size}", "DefaultValue": icon_url(urls.base, size)})
    links = _add(resources, "bt:Urls")
    for resid, url in url_ids:
        _add(links, "bt:Url", {"id": resid, "DefaultValue": url})
    short = _add(resources, "bt:ShortStrings")
    _add(short, "bt:String", {"id": "Group.Label", "DefaultValue": DISPLAY_NAME})
    _add(short, "bt:String", {"id": "Button.Label", "DefaultValue": DISPLAY_NAME})
    long = _add(resources, "bt:LongStrings")
    tooltip = _add(long, "bt:String", {"id": "Button.Tooltip", "DefaultValue": BUTTON_TOOLTIP})
    _overrides(tooltip, "Button.Tooltip", "bt:Override")


def localised(what: str) -> dict[str, str]:
    """A manifest text (a key of :data:`MESSAGE_IDS`) per language other than English,
    from the add-ins' message files; a language without it is left out (Office shows the
    default)."""
    out: dict[str, str] = {}
    for lang in CULTURES:
        path = LOCALES / lang / "messages.json"
        if not path.is_file():
            continue
        try:
            entry = json.loads(path.read_text("utf-8")).get(MESSAGE_IDS[what])
        except (OSError, ValueError) as exc:
            raise ManifestError(f"{path}: {exc}") from None
        text = entry.get("message", "").strip() if isinstance(entry, dict) else ""
        if text:
            out[lang] = text
    return out


def _overrides(element: ET.Element, what: str, tag: str = "Override") -> None:
    """Override children of ``element``: ``what`` in each language, for its cultures."""
    for lang, text in localised(what).items():
        for culture in CULTURES[lang]:
            _add(element, tag, {"Locale": culture, "Value": text})


def _web_application_info(parent: ET.Element, sign_in: SignIn) -> None:
    """The app registration, for Office's single sign-on (after ``<Resources>``)."""
    info = _add(parent, "WebApplicationInfo")
    _add(info, "Id", text=sign_in.client_id)
    _add(info, "Resource", text=sign_in.resource)
    scopes = _add(info, "Scopes")
    for scope in sign_in.scopes:
        _add(scopes, "Scope", text=scope)


def _version_overrides_1_1(parent: ET.Element, urls: _Urls, sign_in: SignIn | None) -> None:
    """Mailbox 1.12 clients: the pinnable pane and the send-time guard (Smart Alerts)."""
    overrides = _add(
        parent, "VersionOverrides", {"xmlns": NS_VO_1_1, "xsi:type": "VersionOverridesV1_1"}
    )
    _requirements(overrides, SMART_ALERTS_MAILBOX)
    host = _add(_add(overrides, "Hosts"), "Host", {"xsi:type": "MailHost"})
    # The event runtime: an HTML page for web, new Outlook and Mac; classic Outlook on
    # Windows loads the JavaScript file alone.
    runtime = _add(_add(host, "Runtimes"), "Runtime", {"resid": "Runtime.Url"})
    _add(runtime, "Override", {"type": "javascript", "resid": "Runtime.Js.Url"})
    form_factor = _add(host, "DesktopFormFactor")
    _add(form_factor, "FunctionFile", {"resid": "Commands.Url"})
    _read_surface(form_factor, pinnable=True)
    point = _add(form_factor, "ExtensionPoint", {"xsi:type": "LaunchEvent"})
    events = _add(point, "LaunchEvents")
    for event, handler in LAUNCH_EVENTS.items():
        attrs = {"Type": event, "FunctionName": handler}
        if event == "OnMessageSend":
            attrs["SendMode"] = SEND_MODE
        _add(events, "LaunchEvent", attrs)
    _add(point, "SourceLocation", {"resid": "Runtime.Url"})
    _resources(
        overrides,
        urls,
        (
            ("Commands.Url", urls.commands),
            ("Taskpane.Url", urls.taskpane),
            ("Runtime.Url", urls.commands),
            ("Runtime.Js.Url", urls.launch_event),
        ),
    )
    if sign_in is not None:
        _web_application_info(overrides, sign_in)


def _office_app(urls: _Urls, identity: ManifestIdentity, sign_in: SignIn | None) -> ET.Element:
    root = ET.Element(
        "OfficeApp",
        {"xmlns": NS_APP, "xmlns:xsi": NS_XSI, "xmlns:bt": NS_BT, "xsi:type": "MailApp"},
    )
    _add(root, "Id", text=identity.id)
    _add(root, "Version", text=identity.version)
    _add(root, "ProviderName", text=DISPLAY_NAME)
    _add(root, "DefaultLocale", text="en-US")
    _overrides(_add(root, "DisplayName", {"DefaultValue": DISPLAY_NAME}), "DisplayName")
    _overrides(_add(root, "Description", {"DefaultValue": DESCRIPTION}), "Description")
    _add(root, "IconUrl", {"DefaultValue": icon_url(urls.base, 64)})
    _add(root, "HighResolutionIconUrl", {"DefaultValue": icon_url(urls.base, 128)})
    _add(root, "SupportUrl", {"DefaultValue": urls.support})
    _add(_add(root, "AppDomains"), "AppDomain", text=origin(urls.base))
    _add(_add(root, "Hosts"), "Host", {"Name": "Mailbox"})
    sets = _add(_add(root, "Requirements"), "Sets")
    _add(sets, "Set", {"Name": "Mailbox", "MinVersion": "1.1"})
    form = _add(_add(root, "FormSettings"), "Form", {"xsi:type": "ItemRead"})
    desktop = _add(form, "DesktopSettings")
    _add(desktop, "SourceLocation", {"DefaultValue": urls.taskpane})
    _add(desktop, "RequestedHeight", text="250")
    _add(root, "Permissions", text=PERMISSION)
    _add(root, "Rule", {"xsi:type": "ItemIs", "ItemType": "Message", "FormType": "Read"})

    # Add-in commands (Mailbox 1.3): the ribbon button that opens the task pane.
    overrides = _add(
        root, "VersionOverrides", {"xmlns": NS_VO_1_0, "xsi:type": "VersionOverridesV1_0"}
    )
    _requirements(overrides, "1.3")
    host = _add(_add(overrides, "Hosts"), "Host", {"xsi:type": "MailHost"})
    form_factor = _add(host, "DesktopFormFactor")
    _add(form_factor, "FunctionFile", {"resid": "Commands.Url"})
    _read_surface(form_factor, pinnable=False)
    _resources(overrides, urls, (("Commands.Url", urls.commands), ("Taskpane.Url", urls.taskpane)))
    _version_overrides_1_1(overrides, urls, sign_in)
    return root


def render_manifest(
    base_url: str,
    key: str | None,
    identity: ManifestIdentity,
    sign_in: SignIn | None = None,
) -> bytes:
    """The manifest, UTF-8 XML, for the service at ``base_url``: with ``sign_in``, naming
    the app registration and no key; else with ``key`` in its page URLs and a comment that
    it is for a local demo only.

    The tree is built with local names and explicit ``xmlns`` declarations (as Microsoft's
    own manifests are written), so every element sits in its schema's default namespace and
    the unprefixed ``xsi:type`` values resolve against it. ElementTree escapes every value.
    """
    if not _GUID.fullmatch(identity.id):
        raise ManifestError(f"the add-in id is not a GUID: {identity.id!r}")
    if not _VERSION.fullmatch(identity.version):
        raise ManifestError(f"the version is not 1 to 4 numbers: {identity.version!r}")
    if sign_in is not None and key is not None:
        raise ManifestError("a manifest with sign-in carries no key")
    urls = _urls(base_url, key)
    for url in (urls.taskpane, urls.commands, urls.launch_event):
        if len(url) > MAX_URL_LENGTH:
            raise ManifestError(f"a URL would be longer than {MAX_URL_LENGTH} characters")
    root = _office_app(urls, identity, sign_in)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    head = '<?xml version="1.0" encoding="UTF-8"?>\n'
    if key is not None:
        head += f"<!--{DEMO_COMMENT}-->\n"
    xml = (head + body + "\n").encode("utf-8")
    if len(xml) >= MAX_MANIFEST_BYTES:
        raise ManifestError(
            f"the manifest would be {len(xml)} bytes; Office accepts less than {MAX_MANIFEST_BYTES}"
        )
    return xml


def content_fingerprint(base_url: str, key: str | None, sign_in: SignIn | None = None) -> str:
    """SHA-256 (hex) of the manifest's content, identity left out: what decides whether a
    new version is due."""
    xml = render_manifest(base_url, key, PLACEHOLDER_IDENTITY, sign_in)
    return hashlib.sha256(xml).hexdigest()


# ----------------------------------------------------------------- identity


def _package_parts(version: str = __version__) -> tuple[int, int, int]:
    match = re.match(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?", version)
    if not match:
        raise ManifestError(f"the package version {version!r} does not start with a number")
    major, minor, patch = (int(p or 0) for p in match.groups())
    return major, minor, patch


def manifest_version(revision: int, package_version: str = __version__) -> str:
    """``major.minor.patch.revision``: the package's release, then the manifest revision."""
    parts = (*_package_parts(package_version), revision)
    if any(p > MAX_VERSION_PART for p in parts):
        raise ManifestError(f"a version part exceeds {MAX_VERSION_PART}: {parts}")
    return ".".join(str(p) for p in parts)


@dataclass(frozen=True)
class _Record:
    id: str
    revision: int
    fingerprint: str


def _corrupt(path: Path, why: str) -> ManifestError:
    return ManifestError(
        f"{path}: {why}. Fix the file or restore it from a backup; deleting it gives the "
        "add-in a new id, which Microsoft 365 treats as a different add-in"
    )


def _read_record(path: Path) -> _Record | None:
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise _corrupt(path, f"cannot be read ({exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _corrupt(path, f"is not valid TOML ({exc})") from None
    guid, revision, fingerprint = data.get("id"), data.get("revision"), data.get("fingerprint")
    if not isinstance(guid, str) or not _GUID.fullmatch(guid):
        raise _corrupt(path, "'id' is not a GUID")
    if isinstance(revision, bool) or not isinstance(revision, int):
        raise _corrupt(path, "'revision' is not an integer")
    if not 1 <= revision <= MAX_VERSION_PART:
        raise _corrupt(path, f"'revision' is not between 1 and {MAX_VERSION_PART}")
    if not isinstance(fingerprint, str) or not _DIGEST.fullmatch(fingerprint):
        raise _corrupt(path, "'fingerprint' is not a SHA-256 hex digest")
    return _Record(guid.lower(), revision, fingerprint)


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and
    ``os.replace``: readers see the old file or the new one, never half of one. The file is
    readable by its owner only (it may carry a key)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_record(path: Path, record: _Record) -> None:
    text = (
        "# The Outlook add-in's identity in this deployment, kept by `caveat manifest`.\n"
        "# Keep this file: the id must never change and the revision must only grow, or\n"
        "# Microsoft 365 will not take the next manifest as an update of this add-in.\n"
        f'id = "{record.id}"\n'
        f"revision = {record.revision}\n"
        f'fingerprint = "{record.fingerprint}"\n'
    )
    write_atomically(path, text.encode("utf-8"))


def has_identity(instance_path: Path) -> bool:
    """Whether this deployment's add-in has an id yet (raises :class:`ManifestError` when
    the record is corrupt)."""
    return _read_record(Path(instance_path) / IDENTITY_FILE) is not None


def load_identity(
    instance_path: Path, content_fingerprint: str, *, record: bool = True
) -> ManifestIdentity:
    """The add-in's GUID and version for a manifest whose content has this fingerprint.

    The first call creates the GUID. The revision (the version's fourth part) grows by one
    whenever the fingerprint differs from the last one recorded; the same content gives the
    same version again. With ``record`` false nothing is written: the version is the one
    that recording this content would give, and a deployment without an id yet is an
    error. Raises :class:`ManifestError` naming the file when it is corrupt.
    """
    if not _DIGEST.fullmatch(content_fingerprint):
        raise ManifestError(
            f"the content fingerprint is not a SHA-256 hex digest: {content_fingerprint!r}"
        )
    path = Path(instance_path) / IDENTITY_FILE
    kept = _read_record(path)
    if kept is None:
        if not record:
            raise ManifestError(
                f"this deployment's add-in has no id yet ({path} does not exist); the first "
                "manifest must be written to a file, which creates the id"
            )
        kept = _Record(str(uuid.uuid4()), 1, content_fingerprint)
        manifest_version(kept.revision)  # fails before anything is written
        _write_record(path, kept)
    elif kept.fingerprint != content_fingerprint:
        kept = _Record(kept.id, kept.revision + 1, content_fingerprint)
        if kept.revision > MAX_VERSION_PART:
            raise _corrupt(path, f"the revision would pass {MAX_VERSION_PART}")
        manifest_version(kept.revision)
        if record:
            _write_record(path, kept)
    return ManifestIdentity(kept.id, manifest_version(kept.revision))


# ----------------------------------------------------------------- checking


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _ns(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def _q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def _order_problems(parent: ET.Element, order: tuple[str, ...], where: str) -> list[str]:
    """Known children of ``parent`` out of ``order`` (repeats allowed, unknown ones skipped)."""
    names = [_local(c.tag) for c in parent if isinstance(c.tag, str)]
    known = [n for n in names if n in order]
    ranks = [order.index(n) for n in known]
    if any(later < earlier for earlier, later in itertools.pairwise(ranks)):
        expected = [n for n in order if n in known]
        return [f"{where}: children out of schema order: {known}, expected {expected}"]
    return []


def _check_top(root: ET.Element) -> list[str]:
    problems: list[str] = []
    names: list[str] = []
    for child in root:
        if not isinstance(child.tag, str):
            continue
        name = _local(child.tag)
        want = NS_VO_1_0 if name == "VersionOverrides" else NS_APP
        if name not in OFFICE_APP_ORDER or _ns(child.tag) != want:
            problems.append(f"OfficeApp: unexpected element {child.tag}")
            continue
        names.append(name)
    for name in sorted(set(names)):
        if names.count(name) > 1:
            problems.append(f"OfficeApp: <{name}> appears {names.count(name)} times")
    ranks = [OFFICE_APP_ORDER.index(n) for n in names]
    if ranks != sorted(ranks):
        expected = [n for n in OFFICE_APP_ORDER if n in names]
        problems.append(f"OfficeApp: children out of schema order: {names}, expected {expected}")
    problems += [
        f"OfficeApp: <{name}> is missing" for name in OFFICE_APP_REQUIRED if name not in names
    ]

    def text(name: str) -> str:
        element = root.find(_q(NS_APP, name))
        return (element.text or "").strip() if element is not None else ""

    if "Id" in names and not _GUID.fullmatch(text("Id")):
        problems.append(f"Id: not a GUID: {text('Id')!r}")
    version = text("Version")
    if "Version" in names and not _VERSION.fullmatch(version):
        problems.append(f"Version: not 1 to 4 numbers of up to 5 digits: {version!r}")
    if "Permissions" in names and text("Permissions") != PERMISSION:
        problems.append(
            f"Permissions: must be {PERMISSION}, the least that reading a message needs; "
            f"got {text('Permissions')!r}"
        )
    for name, limit in (("DisplayName", 125), ("Description", 250)):
        element = root.find(_q(NS_APP, name))
        value = element.get("DefaultValue", "") if element is not None else ""
        if element is not None and not 1 <= len(value) <= limit:
            problems.append(f"{name}: DefaultValue must be 1 to {limit} characters")
        for o in element.findall(_q(NS_APP, "Override")) if element is not None else ():
            if not 1 <= len(o.get("Value", "")) <= limit:
                where = f"{name}: the {o.get('Locale')} Override"
                problems.append(f"{where} must be 1 to {limit} characters")
    return problems


_URL_ELEMENTS = frozenset(
    {"IconUrl", "HighResolutionIconUrl", "SupportUrl", "SourceLocation", "Image", "Url"}
)


def _url_problem(value: str) -> str | None:
    try:
        parts = urlsplit(value)
    except ValueError:
        return "not a URL"
    if parts.scheme.lower() != "https" or not parts.netloc:
        return "not an https URL"
    if len(value) > MAX_URL_LENGTH:
        return f"longer than {MAX_URL_LENGTH} characters"
    return None


def _check_urls(root: ET.Element) -> list[str]:
    problems: list[str] = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        name = _local(element.tag)
        values = [(f"{name}@{k}", v) for k, v in element.attrib.items()]
        if element.text and element.text.strip():
            values.append((name, element.text.strip()))
        for where, value in values:
            must = where == f"{name}@DefaultValue" and name in _URL_ELEMENTS
            must = must or name == "AppDomain"
            if name == "Resource":
                continue  # an application ID URI (api://...), checked with WebApplicationInfo
            if must or _SCHEME_URL.match(value):
                why = _url_problem(value)
                if why:
                    problems.append(f"{where}: {why}: {value!r}")
    return problems


def _own(element: ET.Element) -> Iterator[tuple[ET.Element, ET.Element]]:
    """(parent, child) pairs below a VersionOverrides, not entering a nested one."""
    for child in element:
        if not isinstance(child.tag, str) or _local(child.tag) == "VersionOverrides":
            continue
        yield element, child
        yield from _own(child)


#: Which resource collection a ``resid`` must name, by the referring element.
_RESID_KIND = {
    "Image": "Images",
    "SourceLocation": "Urls",
    "FunctionFile": "Urls",
    "Runtime": "Urls",
    "Override": "Urls",
    "Label": "ShortStrings",
    "Title": "ShortStrings",
    "Description": "LongStrings",
}


def _check_resources(overrides: ET.Element, ns: str, where: str) -> list[str]:
    problems: list[str] = []
    defined: dict[str, set[str]] = {kind: set() for kind in RESOURCES_ORDER}
    resources = overrides.find(_q(ns, "Resources"))
    if resources is None:
        return [f"{where}: <Resources> is missing"]
    problems += _order_problems(resources, RESOURCES_ORDER, f"{where} Resources")
    for kind in RESOURCES_ORDER:
        item = "Image" if kind == "Images" else "Url" if kind == "Urls" else "String"
        for element in resources.findall(f"{_q(NS_BT, kind)}/{_q(NS_BT, item)}"):
            rid = element.get("id", "")
            if not 1 <= len(rid) <= MAX_RESOURCE_ID:
                problems.append(f"{where}: resource id {rid!r} is not 1 to 32 characters")
            if rid in defined[kind]:
                problems.append(f"{where}: resource id {rid!r} is defined twice in {kind}")
            if not element.get("DefaultValue"):
                problems.append(f"{where}: resource {rid!r} has no DefaultValue")
            defined[kind].add(rid)
    for parent, element in _own(overrides):
        resid = element.get("resid")
        if resid is None:
            continue
        name = _local(element.tag)
        collection = _RESID_KIND.get(name)
        if not 1 <= len(resid) <= MAX_RESOURCE_ID:
            problems.append(f"{where}: resid {resid!r} is not 1 to 32 characters")
        if collection is None:
            if not any(resid in ids for ids in defined.values()):
                problems.append(f"{where}: <{name} resid={resid!r}> names no resource")
        elif resid not in defined[collection]:
            problems.append(
                f"{where}: <{name} resid={resid!r}> (in <{_local(parent.tag)}>) names no "
                f"resource in {collection}"
            )
    for _, icon in _own(overrides):
        if _local(icon.tag) != "Icon":
            continue
        sizes = {image.get("size") for image in icon.findall(_q(NS_BT, "Image"))}
        missing = [s for s in BUTTON_ICON_SIZES if str(s) not in sizes]
        if missing:
            problems.append(f"{where}: an <Icon> lacks the sizes {missing}")
    return problems


def _check_hosts(overrides: ET.Element, ns: str, where: str) -> list[str]:
    problems: list[str] = []
    hosts = overrides.findall(f"{_q(ns, 'Hosts')}/{_q(ns, 'Host')}")
    if not hosts:
        return [f"{where}: no <Hosts><Host>"]
    for host in hosts:
        if host.get(XSI_TYPE) != "MailHost":
            problems.append(f"{where}: <Host> is not xsi:type MailHost")
        problems += _order_problems(host, MAIL_HOST_ORDER, f"{where} Host")
        for form_factor in host:
            if _local(form_factor.tag).endswith("FormFactor"):
                problems += _order_problems(
                    form_factor, FORM_FACTOR_ORDER, f"{where} {_local(form_factor.tag)}"
                )
    for _, action in _own(overrides):
        if _local(action.tag) == "Action" and action.get(XSI_TYPE) == "ShowTaskpane":
            problems += _order_problems(action, SHOW_TASKPANE_ORDER, f"{where} ShowTaskpane")
    return problems


def _mailbox_minimum(overrides: ET.Element, ns: str) -> tuple[int, ...] | None:
    sets = overrides.find(f"{_q(ns, 'Requirements')}/{_q(NS_BT, 'Sets')}")
    if sets is None:
        return None
    for entry in sets.findall(_q(NS_BT, "Set")):
        if entry.get("Name") == "Mailbox":
            value = entry.get("MinVersion") or sets.get("DefaultMinVersion") or "1.1"
            try:
                return tuple(int(p) for p in value.split("."))
            except ValueError:
                return None
    return None


def _check_smart_alerts(overrides: ET.Element) -> list[str]:
    where = "VersionOverridesV1_1"
    ns = NS_VO_1_1
    problems: list[str] = []
    minimum = _mailbox_minimum(overrides, ns)
    wanted = tuple(int(p) for p in SMART_ALERTS_MAILBOX.split("."))
    if minimum is None or minimum < wanted:
        problems.append(f"{where}: Requirements must ask for Mailbox {SMART_ALERTS_MAILBOX}")
    own = [element for _, element in _own(overrides)]
    pinning = [e for e in own if _local(e.tag) == "SupportsPinning"]
    if not pinning:
        problems.append(f"{where}: the task pane action has no <SupportsPinning>")
    elif any((e.text or "").strip() != "true" for e in pinning):
        problems.append(f"{where}: <SupportsPinning> must be true")
    runtimes = [e for e in own if _local(e.tag) == "Runtime"]
    if len(runtimes) != 1:
        problems.append(f"{where}: expected one <Runtime>, found {len(runtimes)}")
    runtime_id = runtimes[0].get("resid") if runtimes else None
    if runtimes and not any(
        _local(o.tag) == "Override" and o.get("type") == "javascript" for o in runtimes[0]
    ):
        problems.append(
            f'{where}: the <Runtime> has no <Override type="javascript"> for classic '
            "Outlook on Windows"
        )
    points = [
        e for e in own if _local(e.tag) == "ExtensionPoint" and e.get(XSI_TYPE) == "LaunchEvent"
    ]
    if len(points) != 1:
        return [*problems, f"{where}: expected one LaunchEvent extension point"]
    point = points[0]
    events = {
        e.get("Type"): e for e in point.findall(f"{_q(ns, 'LaunchEvents')}/{_q(ns, 'LaunchEvent')}")
    }
    for event, handler in LAUNCH_EVENTS.items():
        found = events.get(event)
        if found is None:
            problems.append(f"{where}: no {event} launch event")
        elif found.get("FunctionName") != handler:
            problems.append(f"{where}: {event} must call {handler}")
    send = events.get("OnMessageSend")
    if send is not None and send.get("SendMode") != SEND_MODE:
        problems.append(
            f'{where}: OnMessageSend must have SendMode="{SEND_MODE}", got {send.get("SendMode")!r}'
        )
    source = point.find(_q(ns, "SourceLocation"))
    if source is None or source.get("resid") != runtime_id:
        problems.append(f"{where}: the LaunchEvent's SourceLocation must name the Runtime's resid")
    return problems


def _check_web_application_info(overrides: ET.Element, ns: str, where: str) -> list[str]:
    """At most one ``<WebApplicationInfo>``: a GUID client id, an ``api://`` resource ending
    with it, at least one scope; and no key in any URL beside it."""
    found = overrides.findall(_q(ns, "WebApplicationInfo"))
    if not found:
        return []
    if len(found) > 1:
        return [f"{where}: <WebApplicationInfo> appears {len(found)} times"]
    info = found[0]
    problems: list[str] = []
    client = (info.findtext(_q(ns, "Id")) or "").strip()
    resource = (info.findtext(_q(ns, "Resource")) or "").strip()
    scopes = [(e.text or "").strip() for e in info.findall(f"{_q(ns, 'Scopes')}/{_q(ns, 'Scope')}")]
    if not _GUID.fullmatch(client):
        problems.append(f"{where} WebApplicationInfo: Id is not a GUID: {client!r}")
    if not _RESOURCE.fullmatch(resource) or not resource.lower().endswith(client.lower()):
        problems.append(
            f"{where} WebApplicationInfo: Resource must be api://[host/]<client id>: {resource!r}"
        )
    if not scopes or not all(scopes):
        problems.append(f"{where} WebApplicationInfo: no <Scopes><Scope>")
    return problems


def _keys_in_urls(root: ET.Element) -> list[str]:
    found = []
    for element in root.iter():
        for value in (*element.attrib.values(), element.text or ""):
            query = urlsplit(value.strip()).query if "://" in value else ""
            if "key=" in query:
                found.append(value.strip())
    return [f"a manifest with sign-in must carry no key, but a URL does: {v!r}" for v in found]


def _check_overrides(root: ET.Element) -> list[str]:
    outer = root.find(_q(NS_VO_1_0, "VersionOverrides"))
    if outer is None:
        return []  # reported as missing by _check_top
    problems: list[str] = []
    if outer.get(XSI_TYPE) != "VersionOverridesV1_0":
        problems.append("VersionOverrides: the outer one must be xsi:type VersionOverridesV1_0")
    problems += _order_problems(outer, VERSION_OVERRIDES_ORDER, "VersionOverridesV1_0")
    problems += _check_hosts(outer, NS_VO_1_0, "VersionOverridesV1_0")
    problems += _check_resources(outer, NS_VO_1_0, "VersionOverridesV1_0")
    inner = outer.find(_q(NS_VO_1_1, "VersionOverrides"))
    if inner is None:
        return [*problems, "VersionOverridesV1_0: no nested VersionOverrides V1_1"]
    if inner.get(XSI_TYPE) != "VersionOverridesV1_1":
        problems.append("VersionOverrides: the nested one must be xsi:type VersionOverridesV1_1")
    problems += _order_problems(inner, VERSION_OVERRIDES_ORDER, "VersionOverridesV1_1")
    problems += _check_hosts(inner, NS_VO_1_1, "VersionOverridesV1_1")
    problems += _check_resources(inner, NS_VO_1_1, "VersionOverridesV1_1")
    problems += _check_smart_alerts(inner)
    problems += _check_web_application_info(inner, NS_VO_1_1, "VersionOverridesV1_1")
    if inner.find(_q(NS_VO_1_1, "WebApplicationInfo")) is not None:
        problems += _keys_in_urls(root)
    return problems


def check_manifest(xml: bytes) -> list[str]:
    """Offline structural problems of a manifest (an empty list: none found).

    Checks what Office refuses or what this project requires: the root and its type, the
    top-level elements and their schema order, the ReadItem permission, https for every URL,
    the size, the Id and Version formats, resource ids defined and short enough, ribbon
    icons in 16/32/80, a pinnable task pane, and both launch events with SoftBlock on send.
    It does not replace Microsoft's validator; it catches the mistakes that matter here.
    """
    problems: list[str] = []
    if len(xml) >= MAX_MANIFEST_BYTES:
        problems.append(f"the manifest is {len(xml)} bytes; Office accepts less than 256 KB")
    if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:
        return [*problems, "the manifest must not carry a DOCTYPE or entity declarations"]
    try:
        # No DOCTYPE (checked above), so no entity can expand: safe to parse.
        root = ET.fromstring(xml)  # noqa: S314
    except ET.ParseError as exc:
        return [*problems, f"not well-formed XML: {exc}"]
    if root.tag != _q(NS_APP, "OfficeApp"):
        return [*problems, f"the root element is {root.tag}, not OfficeApp in {NS_APP}"]
    if root.get(XSI_TYPE) != "MailApp":
        problems.append(f"OfficeApp: xsi:type must be MailApp, got {root.get(XSI_TYPE)!r}")
    problems += _check_top(root)
    problems += _check_urls(root)
    problems += _check_overrides(root)
    return problems
