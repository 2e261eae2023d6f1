"""Size limits, checked before any parsing."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    max_header_bytes: int = 256 * 1024
    max_recipients: int = 500
    max_body_bytes: int = 64 * 1024
    # A whole raw message (headers, body, attachments) handed to the API or the CLI.
    max_message_bytes: int = 25 * 1024 * 1024
