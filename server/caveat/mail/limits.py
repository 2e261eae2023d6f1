"""Size limits, checked before any parsing.

The attachment limits bound what one message can cost: how many attachments are read, how
many bytes of each and of all, and (for the reader in :mod:`caveat.mail.attachments`, which
runs in a child process) pages, pixels, characters, seconds and memory.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    max_header_bytes: int = 256 * 1024
    max_recipients: int = 500
    max_body_bytes: int = 64 * 1024
    # A whole raw message (headers, body, attachments) handed to the API or the CLI.
    max_message_bytes: int = 25 * 1024 * 1024
    # The HTML part's markup kept in Facts.body_html (more is cut, and the cut named).
    max_html_bytes: int = 512 * 1024
    # Attachments read per message; those beyond are left out and the cut named.
    max_attachments: int = 10
    # Bytes of one attachment (decoded); a larger one is listed, not read ("too large").
    max_attachment_bytes: int = 5 * 1024 * 1024
    # Bytes of all attachments of one message together (decoded); those that would pass
    # it are listed, not read ("too large").
    max_attachments_bytes: int = 12 * 1024 * 1024
    # Pages of a PDF read (the first ones).
    max_pdf_pages: int = 20
    # Pixels of an image read through OCR (width times height).
    max_image_pixels: int = 16_000_000
    # Characters of text kept per attachment, and for all attachments of a message.
    max_attachment_chars: int = 20_000
    max_attachments_chars: int = 60_000
    # Wall-clock seconds for reading one attachment, and for all of a message's (the
    # add-ins wait 20 seconds for an answer that reads attachments).
    attachment_seconds: float = 5.0
    attachments_seconds: float = 12.0
    # Address space of the child process that reads an attachment.
    attachment_memory_bytes: int = 768 * 1024 * 1024
    # Tesseract's language models for OCR, '+'-separated. English alone reads the Latin
    # script of all seven phrase-list languages, IBAN digits more reliably (0, not O) and
    # in half the time of all seven together (docs/measurements.md); accents it misses are
    # folded away by the phrase matcher. Models that are not installed are skipped.
    ocr_languages: str = "eng"
