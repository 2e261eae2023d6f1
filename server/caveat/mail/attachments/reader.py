"""Attachments to :class:`~caveat.mail.facts.Attachment` records: which are read, and how.

The budget of a message is spent in this order: documents (PDF, Word, text, enclosed
messages) before images, so that ten logos in a signature cannot push the invoice out;
within a kind, in the order the message carries them. Those beyond the count limit are
left out (the cut is named); those beyond a byte limit are listed with the note
``too large`` and not read. Text files and enclosed messages are read here, in memory;
PDF, Word documents and images go to the isolated reader (:mod:`.isolated`), which runs
only when there is one to read.
"""

from __future__ import annotations

import email
import email.errors
import email.policy
from collections.abc import Callable, Sequence

from caveat.mail.facts import Attachment
from caveat.mail.htmltext import html_to_text
from caveat.mail.limits import Limits

from ..words import words
from .kinds import kind_of
from .mime import Blob, decode_text, message_text

#: The kinds the isolated reader reads.
ISOLATED_KINDS = frozenset({"pdf", "docx", "image"})
#: Read first, in this order.
_PRIORITY = {"pdf": 0, "docx": 0, "text": 0, "image": 1, "other": 2}
#: Markup read from an HTML attachment, per character of text kept.
_HTML_FACTOR = 8

#: The note that attachments were left out (Facts.cuts, the answer's ``partial``).
_CUT_ATTACHMENTS = words("cut.attachments", "attachments cut to {most} of {count}")

#: Reads the isolated kinds: (kind, data) items, the limits -> (text, note) per item.
IsolatedReader = Callable[[Sequence[tuple[str, bytes]], Limits], list[tuple[str, str]]]


def read_attachments(
    blobs: Sequence[Blob],
    limits: Limits,
    isolated: IsolatedReader | None = None,
) -> tuple[tuple[Attachment, ...], tuple[str, ...]]:
    """The attachments, read within ``limits``, and the cuts made (plain words).

    ``isolated`` reads PDF, Word and image content; without it they are listed with the
    note ``not read: type``.
    """
    if not blobs:
        return (), ()
    cuts: list[str] = []
    kinds = [kind_of(b.name, b.content_type, b.data[:1024] if b.data else b"") for b in blobs]
    order = sorted(range(len(blobs)), key=lambda i: (_PRIORITY[kinds[i]], i))
    if len(order) > limits.max_attachments:
        cuts.append(_CUT_ATTACHMENTS(most=limits.max_attachments, count=len(order)))
        order = order[: limits.max_attachments]

    texts: dict[int, str] = {}
    notes: dict[int, str] = {i: blobs[i].note for i in order}
    total = 0
    to_isolate: list[int] = []
    for i in order:
        blob, kind = blobs[i], kinds[i]
        if notes[i]:
            continue
        if kind == "other":
            notes[i] = "not read: type"
            continue
        if blob.text is not None:
            texts[i] = blob.text
            continue
        if blob.data is None:
            notes[i] = "not read: no content"
            continue
        if total + len(blob.data) > limits.max_attachments_bytes:
            notes[i] = "too large"  # together with those before it
            continue
        total += len(blob.data)
        if kind == "text":
            texts[i] = _text(blob, limits)
        elif isolated is None:
            notes[i] = "not read: type"
        else:
            to_isolate.append(i)
    if to_isolate and isolated is not None:
        results = isolated([(kinds[i], blobs[i].data or b"") for i in to_isolate], limits)
        for i, (text, note) in zip(to_isolate, results, strict=True):
            texts[i] = text
            notes[i] = note

    # Characters: per attachment, then for the message, in the same order of priority.
    left = limits.max_attachments_chars
    for i in order:
        text = texts.get(i, "").strip()
        most = min(limits.max_attachment_chars, left)
        if len(text) > most:
            text = text[:most]
            note = f"text cut to {most} characters"
            notes[i] = f"{notes[i]}; {note}" if notes[i] else note
        left -= len(text)
        texts[i] = text

    kept = sorted(order)
    return (
        tuple(
            Attachment(
                name=blobs[i].name,
                content_type=blobs[i].content_type,
                kind=kinds[i],
                size=blobs[i].size,
                text=texts.get(i, ""),
                note=notes[i],
            )
            for i in kept
        ),
        tuple(cuts),
    )


def _text(blob: Blob, limits: Limits) -> str:
    """A text attachment: plain text decoded, HTML read as a person sees it, an enclosed
    message (sent by a client as a file) by its body."""
    data = blob.data or b""
    most = limits.max_attachment_chars * 4
    html = blob.content_type in ("text/html", "application/xhtml+xml") or (
        not blob.content_type.startswith("text/plain")
        and blob.name.lower().endswith((".htm", ".html"))
    )
    if blob.content_type == "message/rfc822" or blob.name.lower().endswith(".eml"):
        try:
            msg = email.message_from_bytes(data, policy=email.policy.compat32)
        except (ValueError, TypeError, LookupError, IndexError, email.errors.MessageError):
            return ""
        return message_text(msg, most)
    if html:
        return html_to_text(decode_text(data[: most * _HTML_FACTOR], blob.charset))
    return decode_text(data[:most], blob.charset)
