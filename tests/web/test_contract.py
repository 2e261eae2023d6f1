"""The OpenAPI document is the contract: every answer validates against it, it lists exactly
the app's routes, and its enumerations match the code's."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from werkzeug.test import TestResponse

from caveat import __version__
from caveat.checks.findings import FAMILIES, LEVELS, SEVERITIES
from caveat.web.api.schema import DOCUMENT_URI, openapi_document, registry

from .conftest import SMALL_PAYLOAD

DOC = openapi_document()
REGISTRY = registry(DOC)
IGNORED_METHODS = {"HEAD", "OPTIONS"}  # added by Flask to every route


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = REGISTRY.resolver(DOCUMENT_URI).lookup(DOCUMENT_URI + node["$ref"]).contents
    return node


def validate(instance: Any, schema: dict[str, Any]) -> None:
    Draft202012Validator(schema, registry=REGISTRY).validate(instance)


def check_response(path: str, method: str, rv: TestResponse) -> None:
    """The answer's status is documented for this operation and its body fits the schema."""
    responses = DOC["paths"][path][method.lower()]["responses"]
    assert str(rv.status_code) in responses, f"{method} {path} {rv.status_code} undocumented"
    response = resolve(responses[str(rv.status_code)])
    assert rv.mimetype == "application/json"
    schema = response["content"]["application/json"]["schema"]
    validate(rv.get_json(), {"$ref": DOCUMENT_URI + schema["$ref"]} if "$ref" in schema else schema)
    for header in response.get("headers", {}):
        assert header in rv.headers, f"{header} missing from {method} {path} {rv.status_code}"


ERROR_SCHEMA = {"$ref": DOCUMENT_URI + "#/components/schemas/Error"}


def test_the_document_is_valid_openapi_31_for_this_version() -> None:
    assert DOC["openapi"] == "3.1.0"
    assert DOC["info"]["version"] == __version__
    Draft202012Validator.check_schema(DOC["components"]["schemas"]["AnalyzeRequest"])
    for name in DOC["components"]["schemas"]:
        resolve({"$ref": f"#/components/schemas/{name}"})


def test_the_document_lists_exactly_the_routes(app: Flask) -> None:
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.startswith(("addin.", "home.", "console.")):
            continue  # pages and assets for people (test_addin.py, test_home.py, test_console_*.py)
        for method in rule.methods - IGNORED_METHODS:  # type: ignore[operator]
            # Flask's <int:name> is OpenAPI's {name}
            served.add((re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method.lower()))
    documented = {(path, method) for path, ops in DOC["paths"].items() for method in ops}
    assert {s for s in served if s[0].startswith("/api/v1")} == {
        d for d in documented if d[0].startswith("/api/v1")
    }
    assert served == documented


def test_the_enumerations_match_the_code() -> None:
    schemas = DOC["components"]["schemas"]
    assert tuple(schemas["Level"]["enum"]) == LEVELS
    assert tuple(schemas["Severity"]["enum"]) == SEVERITIES
    assert tuple(schemas["Family"]["enum"]) == FAMILIES


def test_the_request_schema_names_exactly_the_normaliser_fields() -> None:
    from caveat.mail.normalise import _PAYLOAD_FIELDS

    props = DOC["components"]["schemas"]["AnalyzeRequest"]["properties"]
    assert set(props) == set(_PAYLOAD_FIELDS)
    assert DOC["components"]["schemas"]["AnalyzeRequest"]["additionalProperties"] is False


def test_analyze_response(client: FlaskClient, auth: dict[str, str]) -> None:
    rv = client.post("/api/v1/analyze", json=SMALL_PAYLOAD, headers=auth)
    assert rv.status_code == 200
    check_response("/api/v1/analyze", "post", rv)


def test_analyze_response_with_findings(client: FlaskClient, auth: dict[str, str]) -> None:
    """A message built to trip the checks being written, so the finding shape is exercised
    whenever at least one of them fires (the level is not asserted)."""
    headers = (
        "Received: from mail.partner.example (mail.partner.example [192.0.2.10])\r\n"
        "\tby mx.ours.example with ESMTPSA id 1\r\n"
        "\t(Authenticated sender: bob@elsewhere.example)\r\n"
        "From: Anna Berg <anna@partner.example>\r\n"
        "Reply-To: Anna Berg <anna.berg.invoices@gmail.com>\r\n"
        "To: ap@ours.example\r\n"
        "Subject: RE: invoice 1042\r\n"
    )
    rv = client.post("/api/v1/analyze", json={"headers": headers}, headers=auth)
    assert rv.status_code == 200
    check_response("/api/v1/analyze", "post", rv)


def test_checks_response(client: FlaskClient, auth: dict[str, str]) -> None:
    check_response("/api/v1/checks", "get", client.get("/api/v1/checks", headers=auth))


def test_openapi_response_is_the_document(client: FlaskClient) -> None:
    rv = client.get("/api/v1/openapi.json")
    check_response("/api/v1/openapi.json", "get", rv)
    assert json.loads(rv.data) == DOC


def test_healthz_response(client: FlaskClient) -> None:
    check_response("/healthz", "get", client.get("/healthz"))


ERRORS: list[tuple[str, str, dict[str, Any]]] = [
    ("post", "/api/v1/analyze", {}),  # 401
    ("post", "/api/v1/analyze", {"auth": True, "data": "x", "content_type": "text/plain"}),
    ("post", "/api/v1/analyze", {"auth": True, "data": "{", "content_type": "application/json"}),
    ("post", "/api/v1/analyze", {"auth": True, "json": [1]}),
    ("post", "/api/v1/analyze", {"auth": True, "json": {"x": 1}}),
    ("post", "/api/v1/analyze", {"auth": True, "json": {"headers": 1}}),
    ("post", "/api/v1/analyze", {"auth": True, "json": {"headers": "a" * 300_000}}),
    ("post", "/api/v1/analyze", {"auth": True, "json": {"from": {}, "to": [{}] * 501}}),
    (
        "post",
        "/api/v1/analyze",
        {
            "auth": True,
            "data": "{}",
            "content_type": "application/json",
            "environ_overrides": {"CONTENT_LENGTH": str(27 * 2**20)},
        },
    ),
    ("get", "/api/v1/checks", {}),
    ("put", "/api/v1/checks", {"auth": True}),
    ("delete", "/api/v1/openapi.json", {}),
    ("post", "/healthz", {}),
]


@pytest.mark.parametrize(("method", "path", "kw"), ERRORS)
def test_error_responses(
    client: FlaskClient, auth: dict[str, str], method: str, path: str, kw: dict[str, Any]
) -> None:
    kw = dict(kw)
    headers = auth if kw.pop("auth", False) else {}
    rv = client.open(path, method=method.upper(), headers=headers, **kw)
    assert 400 <= rv.status_code < 500
    validate(rv.get_json(), ERROR_SCHEMA)
    if method in DOC["paths"][path]:
        check_response(path, method, rv)
    else:  # 405: the method has no operation; the path documents it on its others
        assert rv.status_code == 405
        assert any("405" in op["responses"] for op in DOC["paths"][path].values())


def test_unknown_route_error(client: FlaskClient) -> None:
    rv = client.get("/api/v1/nothing")
    assert rv.status_code == 404
    validate(rv.get_json(), ERROR_SCHEMA)
