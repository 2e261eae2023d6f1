"""The OpenAPI document, and request validation against the schemas it holds.

``openapi.json`` is the single source of truth for what the API accepts: the request body
of ``POST /api/v1/analyze`` is validated against its ``AnalyzeRequest`` schema before the
engine sees it, and the contract tests validate every response against it too.

Two validators read the same schema. fastjsonschema compiles it to Python once at start-up
and answers "valid or not" in a few microseconds, which is every request that is well formed;
jsonschema, the reference implementation, walks it again only for a refused request, to say
precisely what is wrong. A property test keeps the two in agreement.

Error messages name the field and never quote the value (a value is message content, and a
26 MiB one would make a 26 MiB error).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from importlib import resources
from typing import Any

import fastjsonschema
from jsonschema import Draft202012Validator, ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from caveat.mail.errors import InputError
from caveat.mail.limits import Limits

DOCUMENT_URI = "urn:caveat:openapi"
_TYPE_WORDS = {
    "string": "a string",
    "object": "an object",
    "array": "an array",
    "null": "null",
    "number": "a number",
    "integer": "an integer",
    "boolean": "true or false",
}


@cache
def openapi_bytes() -> bytes:
    """The document exactly as shipped (served as it is)."""
    return resources.files("caveat.web.api").joinpath("openapi.json").read_bytes()


def openapi_document() -> dict[str, Any]:
    """A fresh parsed copy of the document."""
    doc: dict[str, Any] = json.loads(openapi_bytes())
    return doc


def registry(document: Mapping[str, Any]) -> Registry:
    """A registry in which ``urn:caveat:openapi#/components/schemas/X`` resolves, and the
    document's own ``#/components/...`` references with it."""
    resource = Resource.from_contents(document, default_specification=DRAFT202012)
    return Registry().with_resource(DOCUMENT_URI, resource)


def validator_for(document: Mapping[str, Any], schema_name: str) -> Draft202012Validator:
    schema = {"$ref": f"{DOCUMENT_URI}#/components/schemas/{schema_name}"}
    return Draft202012Validator(schema, registry=registry(document))


def compiled_check(document: Mapping[str, Any], schema_name: str) -> Callable[[Any], Any]:
    """The schema compiled by fastjsonschema: a function that raises
    ``fastjsonschema.JsonSchemaException`` for an invalid value.

    The component schemas travel along so that ``#/components/...`` references resolve.
    ``format`` stays an annotation, as it is for the jsonschema validator (the normaliser
    parses the date and says what is wrong with it).
    """
    schema = {
        **document["components"]["schemas"][schema_name],
        "components": document["components"],
    }
    return fastjsonschema.compile(schema, use_formats=False)  # type: ignore[no-any-return]


class RequestValidator:
    """Checks an analyze request body and turns the first problem into an :class:`InputError`."""

    def __init__(self, limits: Limits, document: Mapping[str, Any] | None = None) -> None:
        doc = document if document is not None else openapi_document()
        self.limits = limits
        self.schema = doc["components"]["schemas"]["AnalyzeRequest"]
        self.validator = validator_for(doc, "AnalyzeRequest")
        self.accepts = compiled_check(doc, "AnalyzeRequest")

    def validate(self, payload: Any) -> None:
        if not isinstance(payload, dict):
            raise InputError(
                "invalid_payload",
                f"the request body must be a JSON object, not {_TYPE_WORDS[json_type(payload)]}",
            )
        self._check_counts(payload)
        try:
            self.accepts(payload)
        except fastjsonschema.JsonSchemaException:
            pass  # refused: the reference validator says why
        else:
            return
        errors = list(self.validator.iter_errors(payload))
        if errors:
            raise self._describe(payload, min(errors, key=_rank))

    def _check_counts(self, payload: Mapping[str, Any]) -> None:
        """Refuse oversized address lists before the schema walks them item by item.

        Same rule and answer as the normaliser for To and Cc (413 too_many_recipients);
        Reply-To gets the same ceiling, so no list can cost more than the limit allows.
        """
        most = self.limits.max_recipients
        to, cc, reply_to = (payload.get(k) for k in ("to", "cc", "reply_to"))
        count = sum(len(v) for v in (to, cc) if isinstance(v, list))
        if count > most:
            raise InputError(
                "too_many_recipients",
                f"the message has {count} recipients; at most {most} are analysed",
                status=413,
            )
        if isinstance(reply_to, list) and len(reply_to) > most:
            raise InputError(
                "too_many_recipients",
                f"reply_to has {len(reply_to)} addresses; at most {most} are analysed",
                status=413,
            )

    def _describe(self, payload: Mapping[str, Any], error: ValidationError) -> InputError:
        schema_path = list(error.schema_path)
        if "then" in schema_path and error.validator == "enum":
            return InputError(
                "invalid_payload",
                f"send either a raw message or its parts, not both "
                f"({field_name(error.absolute_path)} is set alongside raw)",
            )
        if "else" in schema_path:
            return InputError("invalid_payload", "send at least the headers or the From address")
        error = _deepest(error)
        where = field_name(error.absolute_path)
        if error.validator == "additionalProperties":
            allowed = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
            instance = error.instance if isinstance(error.instance, dict) else {}
            extra = sorted(str(k) for k in instance if k not in allowed)
            names = ", ".join(extra)
            unknown = "unknown field" if len(extra) == 1 else "unknown fields"
            if not error.absolute_path:
                return InputError("unknown_field", f"{unknown}: {names}")
            has = (
                "an attachment has only name, content_type and content"
                if error.absolute_path[0] == "attachments"
                else "an address has only name and address"
            )
            return InputError("invalid_field", f"{where}: {unknown} {names}; {has}")
        if error.validator == "type":
            expected = error.validator_value
            types = [expected] if isinstance(expected, str) else list(expected)
            words = [_TYPE_WORDS.get(t, t) for t in types if t != "null"] or ["null"]
            return InputError("invalid_field", f"{where} must be {' or '.join(words)}")
        if error.validator == "maxLength":
            return InputError(
                "invalid_field", f"{where} is too long (at most {error.validator_value} characters)"
            )
        if error.validator == "minLength":
            return InputError("invalid_field", f"{where} must not be empty")
        if error.validator == "required":
            instance = error.instance if isinstance(error.instance, dict) else {}
            missing = [str(k) for k in error.validator_value if k not in instance]
            prefix = f"{where}." if error.absolute_path else ""
            return InputError(
                "invalid_field", ", ".join(prefix + m for m in missing) + " is required"
            )
        if error.validator == "maxItems":
            return InputError(
                "invalid_field", f"{where} has too many items (at most {error.validator_value})"
            )
        if error.validator == "pattern":
            if error.absolute_path and error.absolute_path[-1] == "content":
                return InputError("invalid_field", f"{where} must be base64")
            return InputError("invalid_field", f"{where} is not in the expected form")
        return InputError("invalid_field", f"{where} is not valid ({error.validator})")


class BodyValidator(RequestValidator):
    """The same checks and error wording for another request body of the OpenAPI document,
    one with no address lists to count first (the report of a message, say)."""

    def __init__(self, schema_name: str, document: Mapping[str, Any] | None = None) -> None:
        doc = document if document is not None else openapi_document()
        self.limits = Limits()
        self.schema = doc["components"]["schemas"][schema_name]
        self.validator = validator_for(doc, schema_name)
        self.accepts = compiled_check(doc, schema_name)

    def _check_counts(self, payload: Mapping[str, Any]) -> None:
        return None


def _rank(error: ValidationError) -> tuple[int, int, list[str]]:
    """Which of several problems to report: unknown fields first, then wrong types, then the
    rest; within a kind, the first field in document order."""
    kind = {"additionalProperties": 0, "type": 1}.get(str(error.validator), 2)
    if kind == 2 and error.validator in ("anyOf", "oneOf") and "else" not in error.schema_path:
        inner = _deepest(error)
        kind = {"additionalProperties": 0, "type": 1}.get(str(inner.validator), 2)
    return kind, len(error.absolute_path), [str(p) for p in error.absolute_path]


def _deepest(error: ValidationError) -> ValidationError:
    """For a failed ``anyOf`` (an address or null), the reason from the branch that fits the
    value's kind: not "is not null" when an object was sent."""
    while error.validator in ("anyOf", "oneOf") and error.context:
        useful = [
            e for e in error.context if not (e.validator == "type" and e.validator_value == "null")
        ]
        if not useful:
            break
        error = min(useful, key=_rank)
    return error


def field_name(path: Iterable[Any]) -> str:
    """``to[3].address`` from a JSON path."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "the request body"


def json_type(value: Any) -> str:
    """The JSON type name of a decoded value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"
