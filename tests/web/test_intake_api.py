"""``POST /api/v1/analyze`` with the new request fields: the HTML body and attachments.

What the engine sees is read back through the analyze observers (the hook the end-to-end
tests use), so these tests show that the fields reach the Facts, within their limits.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from caveat.mail.facts import Facts
from caveat.web.api.services import ANALYZE_OBSERVERS
from caveat.web.app import create_app

from .conftest import SMALL_PAYLOAD
from .test_api import ANALYZE, assert_error, post

TEXT = base64.b64encode(b"Nieuwe rekening NL91 ABNA 0417 1643 00").decode()


def observe(app: Flask) -> list[Facts]:
    got: list[Facts] = []
    app.extensions.setdefault(ANALYZE_OBSERVERS, []).append(lambda f, level: got.append(f))
    return got


@pytest.fixture
def seen(app: Flask) -> list[Facts]:
    return observe(app)


def test_body_html_and_attachments_reach_the_engine(
    client: FlaskClient, auth: dict[str, str], seen: list[Facts]
) -> None:
    rv = post(
        client,
        auth,
        {
            **SMALL_PAYLOAD,
            "body": "See attached.",
            "body_html": "<p>See <b>attached</b>.</p>",
            "attachments": [
                {"name": "rekening.txt", "content_type": "text/plain", "content": TEXT},
                {"name": "setup.exe", "content_type": "application/octet-stream", "content": ""},
            ],
        },
    )
    assert rv.status_code == 200, rv.get_json()
    (facts,) = seen
    assert facts.body_html == "<p>See <b>attached</b>.</p>"
    text, exe = facts.attachments
    assert (text.kind, text.text) == ("text", "Nieuwe rekening NL91 ABNA 0417 1643 00")
    assert (exe.kind, exe.note) == ("other", "not read: type")


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (
            {"name": "a.pdf", "content_type": "application/pdf", "content": "not base64!"},
            "attachments[0].content must be base64",
        ),
        (
            {"name": "a.pdf", "content_type": "application/pdf"},
            "attachments[0].content is required",
        ),
        (
            {"name": "a.pdf", "content_type": "application/pdf", "content": "", "url": "x"},
            "attachments[0]: unknown field url; an attachment has only name, content_type and "
            "content",
        ),
        (
            {"name": "a.pdf", "content_type": 5, "content": ""},
            "attachments[0].content_type must be a string",
        ),
        ("a.pdf", "attachments[0] must be an object"),
    ],
)
def test_a_bad_attachment_is_a_clear_400(
    client: FlaskClient, auth: dict[str, str], item: Any, message: str
) -> None:
    rv = post(client, auth, {**SMALL_PAYLOAD, "attachments": [item]})
    assert assert_error(rv, 400, "invalid_field") == message


def test_more_than_a_hundred_attachments_is_a_clear_400(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    item = {"name": "a.txt", "content_type": "text/plain", "content": ""}
    rv = post(client, auth, {**SMALL_PAYLOAD, "attachments": [item] * 101})
    assert "at most 100" in assert_error(rv, 400, "invalid_field")


def test_attachments_alongside_raw_are_refused(client: FlaskClient, auth: dict[str, str]) -> None:
    rv = post(
        client,
        auth,
        {
            "raw": "From: a@example.com\r\n\r\nhi",
            "attachments": [{"name": "", "content_type": "", "content": ""}],
        },
    )
    assert "not both" in assert_error(rv, 400, "invalid_payload")


def test_the_attachment_limits_are_settings(caveat_env: Any) -> None:
    app: Flask = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": "sqlite://",
            "MAX_ATTACHMENTS": 1,
            "MAX_ATTACHMENT_BYTES": 10,
            "MAX_ATTACHMENTS_BYTES": 20,
            "MAX_HTML_BYTES": 8,
            "OCR_LANGUAGES": "eng+deu",
        }
    )
    limits = app.extensions["caveat"].config.limits
    assert (
        limits.max_attachments,
        limits.max_attachment_bytes,
        limits.max_attachments_bytes,
        limits.max_html_bytes,
    ) == (1, 10, 20, 8)
    assert limits.ocr_languages == "eng+deu"
    _, key = app.extensions["caveat"].store.create_key("t")
    got = observe(app)
    rv = app.test_client().post(
        ANALYZE,
        headers={"Authorization": f"Bearer {key}"},
        json={
            **SMALL_PAYLOAD,
            "body_html": "<p>0123456789</p>",
            "attachments": [
                {"name": "big.txt", "content_type": "text/plain", "content": TEXT},
                {"name": "b.txt", "content_type": "text/plain", "content": "aGk="},
            ],
        },
    )
    assert rv.status_code == 200
    (facts,) = got
    assert facts.body_html == "<p>01234"
    assert [(a.name, a.note) for a in facts.attachments] == [("big.txt", "too large")]
    assert facts.cuts == ("HTML body cut to 8 of 17 bytes", "attachments cut to 1 of 2")


def test_hostile_attachments_get_notes_and_the_service_keeps_answering(
    client: FlaskClient, auth: dict[str, str], seen: list[Facts]
) -> None:
    from tests.mail import documents as doc

    def item(name: str, ctype: str, data: bytes) -> dict[str, str]:
        return {"name": name, "content_type": ctype, "content": base64.b64encode(data).decode()}

    rv = post(
        client,
        auth,
        {
            **SMALL_PAYLOAD,
            "attachments": [
                item("bomb.docx", "application/octet-stream", doc.zip_bomb_docx(100)),
                item("broken.pdf", "application/pdf", b"%PDF-1.7\n" + b"\x00" * 500),
                item("huge.png", "image/png", doc.huge_png()),
                item("invoice.pdf", "application/pdf", doc.pdf([["Invoice 2211"]])),
            ],
        },
    )
    assert rv.status_code == 200, rv.get_json()
    bomb, broken, huge, invoice = seen[-1].attachments
    assert bomb.note.startswith("cut")
    assert broken.note.startswith("unreadable")
    assert huge.note.startswith("too large")
    assert (invoice.text.strip(), invoice.note) == ("Invoice 2211", "")
    assert post(client, auth, SMALL_PAYLOAD).status_code == 200


@pytest.mark.parametrize(
    ("value", "languages"), [("none", ""), ("", ""), ("ENG+deu", "eng+deu"), ("eng,fra", "eng+fra")]
)
def test_ocr_can_be_turned_off_or_given_more_models(value: str, languages: str) -> None:
    from caveat.service.settings import check_setting

    assert check_setting("OCR_LANGUAGES", value) == languages


def test_a_bad_ocr_setting_is_named() -> None:
    from caveat.service.settings import SettingsError, check_setting

    with pytest.raises(SettingsError, match="OCR_LANGUAGES"):
        check_setting("OCR_LANGUAGES", "eng; rm -rf")
