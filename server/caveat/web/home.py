"""The service's home page and its documentation, for a person who opens it in a browser.

``/`` is the Outlook manifest's support address, and where an administrator lands first: a
short page that says what this service is, whether it is set up (the configuration notices),
and where its health check, API description and documentation are. ``/docs/NAME.md`` serves
the administrator documentation from the repository's ``docs/`` folder as plain text. Both
are static in shape: no script runs, nothing is framed, everything is autoescaped.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, Response, abort, render_template

from caveat import __version__
from caveat.web.api.services import services

PROJECT_ROOT = Path(__file__).resolve().parents[3]
DOCS_ROOT = PROJECT_ROOT / "docs"

HOME_CSP = "; ".join(
    [
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)

#: The documentation the home page lists, in reading order, with what each is for.
DOCS = (
    ("console.md", "The admin console: signing in, who sees which page, what each does"),
    ("deploy-outlook.md", "Deploying the Outlook add-in tenant-wide"),
    ("deploy-thunderbird.md", "The Thunderbird extension"),
    ("directory.md", "The partner directory: CSV, import, export, API"),
    ("checks.md", "Every finding and how findings add up to a level"),
    ("finance.md", "When a message asks to pay a new account: the finance procedure"),
    ("alerts.md", "Alerts to a webhook and syslog; the audit log"),
    ("freemail.md", "The free-mail provider list"),
    ("measurements.md", "False-warning rates and speed"),
)

bp = Blueprint("home", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


@bp.get("/")
def home() -> Response:
    docs = [(name, what) for name, what in DOCS if (DOCS_ROOT / name).is_file()]
    page = render_template(
        "home.html", version=__version__, notices=services().notices, docs=docs
    )
    response = Response(page, mimetype="text/html")
    response.headers["Content-Security-Policy"] = HOME_CSP
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/docs/<name>")
def doc(name: str) -> Response:
    if name not in {n for n, _ in DOCS}:
        abort(404)
    try:
        text = (DOCS_ROOT / name).read_text("utf-8")
    except FileNotFoundError:
        abort(404)
    response = Response(text, mimetype="text/plain")
    response.headers["Content-Security-Policy"] = HOME_CSP
    response.headers["Cache-Control"] = "no-cache"
    return response
