"""The console's deployment pages (permission ``settings``: administrators only).

* ``GET /admin/deployment``: the downloads for this instance, and the settings' health: the
  set-up notices, internal domains, trusted authserv-ids (Microsoft's too), the identity
  provider (and whether console sign-in works), the database, retention, and the alert
  destinations, each with a "Send test" button.
* ``GET /admin/deployment/outlook-manifest.xml``: the Outlook manifest as ``caveat
  manifest --out`` writes it for this deployment (``PUBLIC_URL``, else the address the
  console was reached at; the app registration's client id): it records the add-in's id and
  version in the instance folder, and carries no key. Without sign-in configured there is
  no such manifest: ``POST /admin/deployment/outlook-manifest-demo`` makes the local demo's,
  with a new analyze-only key in it, only when the person ticks that they understand that
  every mailbox can read the key (the key is made through :mod:`caveat.service.keys`, with
  its audit row).
* ``GET /admin/deployment/thunderbird.xpi``: the Thunderbird extension for this service, as
  ``caveat thunderbird-xpi --base-url`` builds it (never with a key).
* ``POST /admin/deployment/alerts/test``: one test event (``alert.test``) to the chosen
  destination through :mod:`caveat.service.alerts` (one attempt, no retries), and what it
  answered, shown on the page.
* ``GET``/``POST /admin/deployment/headers``: paste a received message's headers and see
  which Authentication-Results to trust and what Caveat would make of them
  (:mod:`caveat.service.header_probe`). The text is read for the answer and dropped: not
  stored, not logged, not put in the session.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Response, current_app, request, url_for
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from caveat.checks.findings import Verdict
from caveat.clients.outlook_manifest import (
    ManifestError,
    SignIn,
    check_manifest,
    content_fingerprint,
    load_identity,
    normalise_base_url,
    render_manifest,
    sign_in_for,
)
from caveat.clients.thunderbird_xpi import (
    Deployment,
    XpiError,
    build_xpi,
    redirect_url,
    service_url,
    sign_in_origins,
)
from caveat.knowledge.context import Context, EngineConfig
from caveat.mail.facts import Facts
from caveat.service import header_probe
from caveat.service import keys as service_keys
from caveat.service.header_probe import MICROSOFT, ProbeError
from caveat.service.settings import identity_config
from caveat.storage.store import LEGACY_SCOPES

from ..alerting import alerts
from ..api.services import services
from ..limits import CONSOLE_FORM_BYTES
from .kit import bad_input, bp, error_page, form_choice, notice, page, principal, render, see_other

#: What the paste-headers form reads at most: below the console's form limit, so that an
#: over-long paste gets this page's own message rather than the bare 413.
PROBE_BYTES = CONSOLE_FORM_BYTES - 4 * 1024
#: The name of the key a local-demo manifest carries (as ``caveat manifest --new-key``).
DEMO_KEY_NAME = "outlook-addin"
#: How long that key works (days).
DEMO_KEY_DAYS = 30


def _base_url() -> str:
    """Where mail clients reach this service: PUBLIC_URL, else the address the console was
    reached at (which, without PUBLIC_URL, is loopback only: web/hosts.py)."""
    public = current_app.config.get("PUBLIC_URL")
    return str(public).rstrip("/") if public else request.host_url.rstrip("/")


def _where(url: str) -> str:
    """A destination's address without its path (which may hold a token)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def _database(url: str) -> dict[str, str]:
    try:
        parsed = make_url(url)
    except ArgumentError:
        return {"kind": "unknown", "where": ""}
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        where = parsed.database or ""
        return {
            "kind": "SQLite",
            "where": where if where and where != ":memory:" else "in memory (a throw-away store)",
        }
    if backend == "postgresql":
        host = parsed.host or "local socket"
        port = f":{parsed.port}" if parsed.port else ""
        return {"kind": "PostgreSQL", "where": f"{host}{port}/{parsed.database or ''}"}
    return {"kind": backend, "where": parsed.host or ""}


def _identity(cfg: dict[str, Any], base: str) -> dict[str, Any]:
    issuer = cfg.get("IDENTITY_ISSUER")
    roles: dict[str, list[str]] = cfg.get("IDENTITY_ROLES") or {}
    on = bool(issuer and cfg.get("IDENTITY_CLIENT_ID"))
    problems = []
    if on and not roles.get("admin"):
        problems.append(
            "No token value grants the admin role (IDENTITY_ROLES admin=...): nobody can sign "
            "in to this console through the provider. A first-run link (caveat console link) "
            "still opens it."
        )
    entra = bool(issuer and "login.microsoftonline.com" in str(issuer))
    if on and entra and not cfg.get("IDENTITY_CONSOLE_CLIENT_SECRET"):
        problems.append(
            "Entra ID redeems the console's sign-in code only for a Web redirect URI with a "
            "client secret: set IDENTITY_CONSOLE_CLIENT_SECRET (docs/identity.md)."
        )
    try:
        ok = on and identity_config(cfg) is not None
    except ValueError as exc:
        ok = False
        problems.append(str(exc))
    return {
        "on": on,
        "ok": ok and not problems,
        "issuer": issuer or "",
        "client_id": cfg.get("IDENTITY_CLIENT_ID") or "",
        "tenants": list(cfg.get("IDENTITY_TENANTS") or []),
        "audiences": list(cfg.get("IDENTITY_AUDIENCE") or []),
        "roles": sorted((role, ", ".join(values)) for role, values in roles.items()),
        "role_claims": list(cfg.get("IDENTITY_ROLE_CLAIMS") or []),
        "secret": bool(cfg.get("IDENTITY_CONSOLE_CLIENT_SECRET")),
        "callback": base + url_for("console.signin_callback"),
        "thunderbird_redirect": redirect_url(),
        "problems": problems,
    }


def _destinations(cfg: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for dest in alerts().destinations:
        url = str(getattr(dest, "url", ""))
        row: dict[str, Any] = {"name": dest.name, "where": _where(url)}
        if dest.name == "webhook":
            row["label"] = "Webhook"
            row["detail"] = "signed with" if cfg.get("ALERT_WEBHOOK_SECRET") else "not signed by"
        else:
            row["label"] = "Syslog"
            row["detail"] = "RFC 5424 over " + urlsplit(url).scheme.upper()
        out.append(row)
    return out


def _health() -> dict[str, Any]:
    s = services()
    cfg = dict(current_app.config)
    base = _base_url()
    config = s.config
    return {
        "notices": s.notices,
        "internal_domains": sorted(config.internal_domains),
        "trusted_ids": sorted(config.trusted_authserv_ids),
        "trust_microsoft": config.trust_microsoft,
        "identity": _identity(cfg, base),
        "database": _database(str(cfg.get("DATABASE_URL") or "")),
        "retention": [
            ("Conversation memory (senders seen, threads)", cfg.get("MEMORY_RETENTION_DAYS")),
            ("Reports of fraud", cfg.get("REPORT_RETENTION_DAYS")),
            ("Revoked service keys", cfg.get("REVOKED_KEY_RETENTION_DAYS")),
            *(
                [("Warning counts of the overview", cfg["WARNING_TALLY_RETENTION_DAYS"])]
                if cfg.get("WARNING_TALLY_RETENTION_DAYS")
                else []
            ),
        ],
        "sweep_minutes": cfg.get("RETENTION_INTERVAL_MINUTES"),
        "destinations": _destinations(cfg),
        "deployment_name": alerts().deployment,
    }


@bp.get("/deployment")
@page("settings")
def deployment() -> Response:
    base = _base_url()
    signs_in = bool(current_app.config.get("IDENTITY_CLIENT_ID"))
    return render(
        "console/deployment.html",
        title="Deployment",
        base=base,
        public_url=current_app.config.get("PUBLIC_URL"),
        signs_in=signs_in,
        people_sign_in=bool(current_app.config.get("IDENTITY_ISSUER")),
        health=_health(),
        demo_key_days=DEMO_KEY_DAYS,
    )


# ----------------------------------------------------------------- downloads


def _download(data: bytes, filename: str, mimetype: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _manifest(key: str | None, sign_in: SignIn | None) -> bytes:
    """The manifest for this deployment, its id and version recorded (as ``--out``)."""
    base = normalise_base_url(_base_url())
    instance = Path(current_app.instance_path)
    identity = load_identity(instance, content_fingerprint(base, key, sign_in), record=True)
    xml = render_manifest(base, key, identity, sign_in)
    problems = check_manifest(xml)
    if problems:  # a defect of this program, not of the input
        raise RuntimeError("the generated manifest is invalid: " + "; ".join(problems))
    return xml


@bp.get("/deployment/outlook-manifest.xml")
@page("settings")
def outlook_manifest() -> Response:
    client_id = current_app.config.get("IDENTITY_CLIENT_ID")
    if not client_id:
        return error_page(
            409,
            "Sign-in is not configured (IDENTITY_ISSUER, IDENTITY_CLIENT_ID), so a manifest "
            "for this deployment would have to carry a key that every mailbox can read. Use "
            "the local-demo form on the Deployment page, or configure sign-in first "
            "(docs/identity.md).",
            title="No manifest without sign-in",
        )
    try:
        sign_in = sign_in_for(_base_url(), str(client_id))
        xml = _manifest(None, sign_in)
    except ManifestError as exc:
        bad_input(f"The manifest cannot be made for {_base_url()}: {exc}")
    return _download(xml, "caveat-outlook-manifest.xml", "application/xml")


@bp.post("/deployment/outlook-manifest-demo")
@page("settings")
def outlook_manifest_demo() -> Response:
    if current_app.config.get("IDENTITY_CLIENT_ID"):
        bad_input(
            "Sign-in is configured: the manifest carries no key. Download it from the "
            "Deployment page."
        )
    if request.form.get("understood") != "yes":
        bad_input(
            "Tick the box that says you understand that every mailbox the manifest reaches "
            "can read and use its key."
        )
    try:
        base = normalise_base_url(_base_url())
    except ManifestError as exc:
        bad_input(f"The manifest cannot be made for {_base_url()}: {exc}")
    store = services().store
    expires = store.clock() + timedelta(days=DEMO_KEY_DAYS)
    record, key = service_keys.create(
        store, principal(), DEMO_KEY_NAME, sorted(LEGACY_SCOPES), expires
    )
    try:
        xml = _manifest(key, None)
    except ManifestError as exc:
        service_keys.revoke(store, principal(), record.id)
        bad_input(f"The manifest cannot be made for {base}: {exc}")
    return _download(xml, "caveat-outlook-manifest-demo.xml", "application/xml")


@bp.get("/deployment/thunderbird.xpi")
@page("settings")
def thunderbird_xpi() -> Response:
    cfg = dict(current_app.config)
    origins = sign_in_origins(cfg)
    try:
        data = build_xpi(
            Deployment(base_url=service_url(_base_url()), sign_in_origins=origins or ())
        )
    except XpiError as exc:
        bad_input(f"The extension cannot be built for {_base_url()}: {exc}")
    return _download(data, "caveat-thunderbird.xpi", "application/x-xpinstall")


# ----------------------------------------------------------------- alerts


@bp.post("/deployment/alerts/test")
@page("settings")
def alerts_test() -> Response:
    configured = alerts()
    names = [d.name for d in configured.destinations]
    if not names:
        bad_input(
            "No alert destination is configured (ALERT_WEBHOOK_URL with ALERT_WEBHOOK_SECRET, "
            "or ALERT_SYSLOG; docs/alerts.md)."
        )
    name = form_choice("destination", names, label="Destination")
    dest = next(d for d in configured.destinations if d.name == name)
    [(_, answer)] = configured.send_test(principal(), only=name)
    where = _where(str(getattr(dest, "url", "")))
    label = "Webhook" if name == "webhook" else "Syslog"
    at = datetime.now(UTC).strftime("%H:%M:%S UTC")
    if answer.ok:
        what = "delivered" if name == "webhook" else "sent (syslog returns no receipt)"
        notice(f"{label} {where}: test event {what} ({answer.detail}) at {at}.")
    else:
        notice(f"{label} {where}: test event NOT delivered ({answer.detail}) at {at}.", "error")
    return see_other(url_for("console.deployment"))  # the notice is at the top


# ----------------------------------------------------------------- headers


def _analyse(facts: Facts, config: EngineConfig) -> Verdict:
    """The engine on pasted headers with this instance's directory and shared knowledge
    (no conversation memory: nothing is read about, or recorded for, the message)."""
    s = services()
    ctx = Context(
        config=config,
        directory=s.analyzer.directory(),
        now=s.clock(),
        knowledge=s.analyzer.shared(),
    )
    return s.engine.analyze(facts, ctx)


@bp.get("/deployment/headers")
@page("settings")
def headers() -> Response:
    return _headers_page()


@bp.post("/deployment/headers")
@page("settings")
def headers_probe() -> Response:
    text = request.form.get("headers", "")
    try:
        result = header_probe.probe(text, services().config, _analyse, most=PROBE_BYTES)
    except ProbeError as exc:
        return _headers_page(error=str(exc), status=400)
    return _headers_page(result=result)


def _headers_page(
    result: header_probe.Probe | None = None, error: str = "", status: int = 200
) -> Response:
    config = services().config
    return render(
        "console/deployment_headers.html",
        title="Which Authentication-Results to trust",
        status=status,
        result=result,
        error=error,
        most=PROBE_BYTES,
        microsoft=MICROSOFT,
        trusted_ids=sorted(config.trusted_authserv_ids),
        trust_microsoft=config.trust_microsoft,
        internal_domains=sorted(config.internal_domains),
    )
