"""Reproducers of the hostile-traffic run (issue 14) that crashed a request: each now gets
a clear 4xx or a verdict, never a 5xx, and costs little."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient

from caveat.mail.errors import InputError
from caveat.mail.normalise import MAX_ADDRESS_HEADER_CHARS, from_raw


def analyze(client: FlaskClient, auth: dict[str, str], headers: str) -> tuple[int, dict]:
    r = client.post("/api/v1/analyze", json={"headers": headers}, headers=auth)
    return r.status_code, r.get_json()


def test_a_reply_to_of_a_thousand_colons_is_a_clear_400(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    # The stdlib address parser recursed once per group colon until RecursionError (500).
    status, body = analyze(
        client, auth, f"From: a@b.example\r\nReply-To: {':' * 1000}\r\nTo: c@d.example\r\n"
    )
    assert status == 400
    assert body["error"]["code"] == "unreadable_header"


def test_a_from_of_nested_comments_is_read_or_refused_never_a_500(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    for depth in (260, 2000):
        frm = "(" * depth + ")" * depth + " <a@b.example>"
        status, _ = analyze(client, auth, f"From: {frm}\r\nTo: c@d.example\r\n")
        assert status in (200, 400, 413), depth


def test_an_address_header_longer_than_the_cap_is_refused_before_parsing(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    long = ", ".join(f"p{i}@x.example" for i in range(MAX_ADDRESS_HEADER_CHARS // 12))
    status, body = analyze(client, auth, f"From: a@b.example\r\nReply-To: {long}\r\n")
    assert status == 413
    assert body["error"]["code"] == "header_too_large"


def test_the_raw_path_refuses_the_same_headers_with_an_input_error() -> None:
    with pytest.raises(InputError) as exc:
        from_raw(f"From: a@b.example\r\nReply-To: {':' * 1000}\r\n\r\nbody\r\n".encode())
    assert exc.value.code == "unreadable_header"


@pytest.mark.parametrize("field", ["name", "address"])
def test_a_lone_surrogate_in_a_report_is_replaced_not_a_500(
    client: FlaskClient, auth: dict[str, str], field: str
) -> None:
    # JSON may escape half of a UTF-16 pair alone; such text could not be encoded for the
    # database (UnicodeEncodeError, a 500 on every such report).
    name, address = "Fin\\ud800ance", "a@x.example"
    if field == "address":
        address = "a\\udc00@x.example"
    body = (
        f'{{"from": {{"name": "{name}", "address": "{address}"}}, '
        '"internet_message_id": "<a\\ud800b@x>", "conversation_id": "c\\udfff", '
        '"level": "danger", "finding_ids": ["FAKE_REPLY"], "reporter": "r@p.example"}'
    )
    r = client.post(
        "/api/v1/reports", data=body, headers={**auth, "Content-Type": "application/json"}
    )
    assert r.status_code in (200, 201), r.data
    json.loads(r.data)


def test_mime_nested_a_thousand_deep_is_not_parsed_and_the_verdict_says_so() -> None:
    head = "From: a@b.example\r\nTo: c@d.example\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
    depth = 1000
    opening = "".join(
        f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n' for i in range(depth)
    )
    closing = "".join(f"--b{i}--\r\n" for i in reversed(range(depth)))
    raw = (head + opening + "Content-Type: text/plain\r\n\r\nhi\r\n" + closing).encode()
    facts = from_raw(raw)
    assert facts.body == "" and facts.author is not None
    assert any("multipart boundaries" in c for c in facts.cuts)
    # A message nested twenty deep is still read.
    shallow = "".join(
        f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n' for i in range(20)
    )
    end = "".join(f"--b{i}--\r\n" for i in reversed(range(20)))
    facts = from_raw((head + shallow + "Content-Type: text/plain\r\n\r\nhello\r\n" + end).encode())
    assert "hello" in facts.body


@pytest.mark.parametrize(
    ("field", "most"), [("subject", 4096), ("conversation_id", 1024), ("internet_message_id", 998)]
)
def test_identifier_and_subject_fields_have_a_length_limit(
    client: FlaskClient, auth: dict[str, str], field: str, most: int
) -> None:
    payload = {"headers": "From: a@b.example\r\nTo: c@d.example\r\n"}
    ok = client.post("/api/v1/analyze", json={**payload, field: "x" * most}, headers=auth)
    assert ok.status_code == 200
    r = client.post("/api/v1/analyze", json={**payload, field: "x" * 1_000_000}, headers=auth)
    assert r.status_code == 400
    assert r.get_json()["error"]["code"] == "invalid_field"
    assert len(r.data) < 300  # the value is not echoed back


def test_a_message_id_longer_than_a_header_line_is_dropped_not_echoed(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    huge = "x" * 200_000
    headers = f"From: a@b.example\r\nTo: c@d.example\r\nMessage-ID: <{huge}@a.example>\r\n"
    r = client.post("/api/v1/analyze", json={"headers": headers}, headers=auth)
    assert r.status_code == 200
    assert r.get_json()["message_id"] == ""
    assert len(r.data) < 10_000


def test_the_send_time_guard_takes_small_bodies_only(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    big = json.dumps({"to": [{"address": "a@b.example"}], "subject": "z" * 2_000_000})
    r = client.post(
        "/api/v1/recipients", data=big, content_type="application/json", headers=auth
    )
    assert r.status_code == 413
    assert r.get_json()["error"]["code"] == "request_too_large"


def test_a_message_read_in_part_says_so_in_the_answer(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    head = "From: a@b.example\r\nTo: c@d.example\r\nMIME-Version: 1.0\r\n"
    nested = "".join(
        f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n' for i in range(1000)
    )
    r = client.post("/api/v1/analyze", json={"raw": head + nested}, headers=auth)
    assert r.status_code == 200
    (said,) = r.get_json()["partial"]
    assert "multipart boundaries" in said
    whole = client.post(
        "/api/v1/analyze", json={"headers": "From: a@b.example\r\nTo: c@d.example\r\n"},
        headers=auth,
    )
    assert "partial" not in whole.get_json()
