"""``/``: what this service is, whether it is set up, and where its health, API description
and documentation are; ``/docs/NAME.md``: the administrator documentation."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient

from caveat.web.app import create_app


def test_home_says_what_the_service_is_and_where_things_are(client: FlaskClient) -> None:
    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.mimetype == "text/html"
    page = rv.get_data(as_text=True)
    assert "business email compromise" in page
    assert 'href="/healthz"' in page
    assert 'href="/api/v1/openapi.json"' in page
    assert 'href="/docs/deploy-outlook.md"' in page
    assert 'href="/docs/directory.md"' in page
    csp = rv.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "<script" not in page.lower() and " on" + "load=" not in page.lower()


def test_home_shows_the_set_up_notice_until_configured(caveat_env: Path) -> None:
    bare = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"}).test_client()
    assert "No internal domain is configured" in bare.get("/").get_data(as_text=True)
    configured = create_app(
        {"TESTING": True, "DATABASE_URL": "sqlite://", "INTERNAL_DOMAINS": ["example.org"]}
    ).test_client()
    page = configured.get("/").get_data(as_text=True)
    assert "Not yet set up" not in page


def test_the_home_page_works_under_a_path_prefix(client: FlaskClient) -> None:
    page = client.get("/", base_url="http://localhost/caveat/").get_data(as_text=True)
    assert 'href="/caveat/healthz"' in page
    assert 'href="/caveat/static/home.css"' in page


def test_docs_are_served_as_text_and_nothing_else_is(client: FlaskClient) -> None:
    rv = client.get("/docs/deploy-outlook.md")
    assert rv.status_code == 200 and rv.mimetype == "text/plain"
    assert rv.get_data(as_text=True).startswith("#")
    for path in ("/docs/../README.md", "/docs/README.md", "/docs/..%2Fpyproject.toml"):
        assert client.get(path).status_code == 404


def test_the_style_sheet_is_served(client: FlaskClient) -> None:
    rv = client.get("/static/home.css")
    assert rv.status_code == 200 and rv.mimetype == "text/css"
