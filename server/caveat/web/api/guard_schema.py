"""Validation of ``POST /api/v1/recipients`` against its schema in ``openapi.json``.

The same two validators and the same error wording as the analyze request
(:class:`~caveat.web.api.schema.RequestValidator`), over the ``RecipientsRequest`` schema, and
the recipient ceiling counted over To, Cc and Bcc together.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from caveat.mail.errors import InputError
from caveat.mail.limits import Limits

from .schema import RequestValidator, compiled_check, openapi_document, validator_for

SCHEMA_NAME = "RecipientsRequest"


class RecipientsRequestValidator(RequestValidator):
    """Checks a recipients request body; the first problem becomes an :class:`InputError`."""

    def __init__(self, limits: Limits, document: Mapping[str, Any] | None = None) -> None:
        # The parent's reporting, not its schema: the attributes it validates with are set
        # here from the recipients schema instead.
        doc = document if document is not None else openapi_document()
        self.limits = limits
        self.schema = doc["components"]["schemas"][SCHEMA_NAME]
        self.validator = validator_for(doc, SCHEMA_NAME)
        self.accepts = compiled_check(doc, SCHEMA_NAME)

    def _check_counts(self, payload: Mapping[str, Any]) -> None:
        """413 before the schema walks an oversized list item by item."""
        most = self.limits.max_recipients
        count = sum(len(v) for k in ("to", "cc", "bcc") if isinstance(v := payload.get(k), list))
        if count > most:
            raise InputError(
                "too_many_recipients",
                f"the message has {count} recipients; at most {most} are checked",
                status=413,
            )


@cache
def recipients_validator(limits: Limits) -> RecipientsRequestValidator:
    """One validator per set of limits, compiled on first use."""
    return RecipientsRequestValidator(limits)
