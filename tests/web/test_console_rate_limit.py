"""A rate-limited request under /admin is the console's HTML error page (429, with
Retry-After and the console's CSP), not the API's JSON; elsewhere the API's answer stays."""

from __future__ import annotations

from pathlib import Path

from tests.console_app import console_app, csrf, https_client, signed_in


def test_a_rate_limited_console_page_is_the_consoles_429_page(tmp_path: Path) -> None:
    app = console_app(tmp_path, RATE_LIMIT_PER_ADDRESS="3/hour")
    client = signed_in(app, "admin")
    assert client.get("/admin/keys").status_code == 200
    assert client.get("/admin/keys/new").status_code == 200
    assert client.get("/admin/audit").status_code == 200
    for rv in (
        client.get("/admin/keys"),
        client.post("/admin/keys/new", data={"csrf_token": csrf(client), "name": "x"}),
        https_client(app).get("/admin/signin"),  # no session: the same address
    ):
        assert rv.status_code == 429
        assert rv.mimetype == "text/html"
        retry = rv.headers["Retry-After"]
        assert retry.isdigit() and 0 < int(retry) <= 3600
        page = rv.get_data(as_text=True)
        assert "Too many requests" in page and f"Try again in {retry} seconds" in page
        assert '"error"' not in page
        assert "default-src 'none'" in rv.headers["Content-Security-Policy"]
        assert rv.headers["Cache-Control"] == "no-store"
    # nothing was made by the refused POST
    from caveat.web.api.services import services

    with app.app_context():
        assert services().store.list_keys() == []


def test_outside_the_console_the_api_still_answers_json(tmp_path: Path) -> None:
    app = console_app(tmp_path, RATE_LIMIT_PER_ADDRESS="1/hour")
    client = https_client(app)
    assert client.get("/api/v1/openapi.json").status_code == 200
    rv = client.get("/api/v1/openapi.json")
    assert rv.status_code == 429 and rv.is_json
    assert rv.get_json()["error"]["code"] == "rate_limited"
    assert rv.headers["Retry-After"].isdigit()
    # and the console, on the same address, its page
    page = client.get("/admin/")
    assert page.status_code == 429 and page.mimetype == "text/html"
    assert page.headers["Retry-After"].isdigit()
