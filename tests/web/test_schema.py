"""The request schema in openapi.json and the normaliser agree on what an analyze request is.

Property test: for any JSON object built from the payload's field names (and a stranger),
the schema accepts it exactly when ``from_payload`` accepts its structure. Only checks the
schema cannot express are left out: sizes and recipient counts (413, limits are settings),
whether a raw message has a header block, and whether a date string parses.

One deliberate difference: the schema refuses unknown keys inside an address object
(``{"emailAddress": ...}``, Office.js's spelling, would otherwise pass as an empty address),
which the normaliser ignores.
"""

from __future__ import annotations

from typing import Any

import fastjsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caveat.mail.errors import InputError
from caveat.mail.limits import Limits
from caveat.mail.normalise import from_payload
from caveat.web.api.schema import RequestValidator

CHECK = settings(
    max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
LIMITS = Limits()
VALIDATOR = RequestValidator(LIMITS)

SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.sampled_from(["", "x", "a@example.com"]),
    st.sampled_from(["From: a@example.com\r\n", "2026-01-05T09:00:00Z", "yesterday"]),
)
ADDRESS = st.fixed_dictionaries({}, optional={"name": SCALAR, "address": SCALAR})
CONTENT = st.one_of(SCALAR, st.sampled_from(["aGk=", "aGk", "a GI=", "UEsDBA==", "=", "é"]))
ATTACHMENT = st.fixed_dictionaries(
    {},
    optional={
        "name": SCALAR,
        "content_type": st.one_of(SCALAR, st.just("application/pdf")),
        "content": CONTENT,
        "size": SCALAR,
    },
)
VALUE = st.one_of(
    SCALAR,
    ADDRESS,
    st.lists(st.one_of(ADDRESS, SCALAR), max_size=3),
    st.lists(st.one_of(ATTACHMENT, SCALAR), max_size=3),
    st.just({}),
    st.just([]),
)
FIELDS = [
    "headers",
    "from",
    "sender",
    "reply_to",
    "to",
    "cc",
    "subject",
    "body",
    "body_html",
    "attachments",
    "conversation_id",
    "internet_message_id",
    "date",
    "raw",
    "stranger",
]
PAYLOAD = st.dictionaries(st.sampled_from(FIELDS), VALUE, max_size=5)

#: Problems that only the normaliser can see (not structure).
SEMANTIC = {
    "invalid_message",
    "headers_too_large",
    "body_too_large",
    "message_too_large",
    "too_many_recipients",
}


def schema_accepts(payload: dict[str, Any]) -> bool:
    try:
        VALIDATOR.validate(payload)
    except InputError:
        return False
    return True


def normaliser_accepts(payload: dict[str, Any]) -> bool:
    try:
        from_payload(payload, LIMITS)
    except InputError as exc:
        if exc.code in SEMANTIC or (
            exc.code == "invalid_field" and exc.message.startswith("date must be an ISO")
        ):
            return True
        return False
    return True


@CHECK
@given(PAYLOAD)
def test_schema_and_normaliser_agree(payload: dict[str, Any]) -> None:
    if payload.get("raw") == "":
        return  # the schema says "not empty"; the normaliser says "no header block": both refuse
    assert schema_accepts(payload) == normaliser_accepts(payload), payload


@CHECK
@given(PAYLOAD)
def test_every_refusal_is_a_4xx_input_error(payload: dict[str, Any]) -> None:
    try:
        VALIDATOR.validate(payload)
    except InputError as exc:
        assert 400 <= exc.status < 500
        assert exc.message


def test_unknown_keys_in_an_address_are_refused_by_the_schema_only() -> None:
    payload = {"headers": "From: a@example.com", "from": {"emailAddress": "a@example.com"}}
    assert not schema_accepts(payload)
    assert normaliser_accepts(payload)


@CHECK
@given(PAYLOAD)
def test_the_compiled_schema_and_the_reference_validator_agree(payload: dict[str, Any]) -> None:
    """The fast path (fastjsonschema) must accept exactly what jsonschema accepts."""
    try:
        VALIDATOR.accepts(payload)
    except fastjsonschema.JsonSchemaException:
        fast = False
    else:
        fast = True
    assert fast == VALIDATOR.validator.is_valid(payload), payload


def test_the_compiled_schema_refuses_what_the_reference_refuses() -> None:
    """A few hand-picked cases at the schema's edges."""
    cases: list[tuple[dict[str, Any], bool]] = [
        ({"headers": "From: a@example.com"}, True),
        ({"raw": "From: a@example.com\r\n\r\nhi", "conversation_id": "c"}, True),
        ({"raw": "From: a@example.com\r\n\r\nhi", "subject": "s"}, False),
        ({"raw": "From: a@example.com\r\n\r\nhi", "to": [], "from": {}}, True),
        ({"from": {"name": "A", "address": "a@example.com"}}, True),
        ({"from": {}}, False),
        ({"headers": ""}, False),
        ({"headers": "x", "to": [{"name": "n" * 1025}]}, False),
        ({"headers": "x", "to": [{"name": "n" * 1024}]}, True),
        ({"headers": "x", "date": "not a date"}, True),  # format is an annotation
        ({"headers": "x", "to": [True]}, False),
        ({"headers": "x", "subject": 1}, False),
    ]
    for payload, valid in cases:
        assert VALIDATOR.validator.is_valid(payload) is valid, payload
        try:
            VALIDATOR.accepts(payload)
        except fastjsonschema.JsonSchemaException:
            assert not valid, payload
        else:
            assert valid, payload


def test_a_false_or_zero_name_is_a_wrong_type_for_both() -> None:
    for value in (False, 0, []):
        payload = {"from": {"name": value, "address": "a@example.com"}}
        assert not schema_accepts(payload), value
        assert not normaliser_accepts(payload), value
