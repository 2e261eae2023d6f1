"""The parts of a raw message: which are its body, which are attachments.

The body is what :mod:`caveat.mail.normalise` has always read: the first text/plain part
without a file name, else the first text/html one; the HTML markup is the first text/html
part without a file name. Every other part a person could open or see is an attachment:
a part with a file name or ``Content-Disposition: attachment``, an image or document shown
inline, a further text part that is not an alternative rendering of another, and an
enclosed message (``message/rfc822``), read as text, its own attachments listed after it.

The walk is iterative and bounded (parts visited, enclosed-message depth), so a message
nested ten thousand deep costs no more than a flat one.
"""

from __future__ import annotations

import base64
import binascii
import email.errors
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.message import Message

from caveat.mail.htmltext import html_to_text

from .kinds import content_type_of

#: Parts looked at in one message, enclosed messages included.
MAX_PARTS = 1000
#: How deep enclosed messages are opened (a forward of a forward of a forward).
MAX_DEPTH = 3


@dataclass(slots=True)
class Blob:
    """One attachment before it is read: its bytes when they are at hand."""

    name: str
    content_type: str
    data: bytes | None  # None: not at hand (too large, not sent, not decodable)
    size: int  # bytes, decoded (estimated from the encoded length when not decoded)
    note: str = ""  # why it will not be read, when decided before reading
    #: already read (an enclosed message: its subject and body); None for the rest
    text: str | None = None
    charset: str = ""
    #: where it came in the message (kept order), set by the collector
    index: int = 0


@dataclass(slots=True)
class MimeParts:
    plain: Message | None
    html: Message | None
    blobs: list[Blob]


def part_bytes(part: Message) -> bytes | None:
    """The decoded payload of a leaf part, or None when it cannot be decoded."""
    try:
        payload = part.get_payload(decode=True)
    except (ValueError, TypeError, LookupError, AssertionError, email.errors.MessageError):
        return None
    return payload if isinstance(payload, bytes) else None


def decoded_size(part: Message) -> int:
    """The decoded size of a leaf part, estimated from its encoded length (nothing decoded)."""
    raw = part.get_payload(decode=False)
    if not isinstance(raw, str):
        return 0
    cte = str(part.get("content-transfer-encoding", "")).strip().lower()
    if cte == "base64":
        return len(raw) * 3 // 4
    return len(raw)


def filename(part: Message) -> str:
    try:
        name = part.get_filename() or ""
    except (ValueError, TypeError, LookupError, AssertionError, email.errors.MessageError):
        return ""
    return " ".join(str(name).split())[:1024]


def _disposition(part: Message) -> str:
    value = part.get("content-disposition")
    return str(value).split(";", 1)[0].strip().lower() if value is not None else ""


def collect(msg: Message, max_attachment_bytes: int, text_bytes: int) -> MimeParts:
    """The body parts and the attachments of ``msg``; ``text_bytes`` bounds what is read
    of an enclosed message's body, ``max_attachment_bytes`` what is decoded of a part."""
    # One walk in document order: leaves as (part, parent type, enclosed depth, None), an
    # enclosed message as (its container, "", its depth, the message).
    items: list[tuple[Message, str, int, Message | None]] = []
    stack: list[tuple[Message, str, int]] = [(msg, "", 0)]
    seen = 0
    while stack and seen < MAX_PARTS:
        part, parent, depth = stack.pop()
        seen += 1
        ctype = part.get_content_type()
        if ctype.startswith("message/") and part.is_multipart():
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                if depth < MAX_DEPTH:
                    items.append((part, "", depth + 1, inner[0]))
                    stack.append((inner[0], ctype, depth + 1))
                continue
        if part.is_multipart():
            children = part.get_payload()
            if isinstance(children, list):
                stack.extend(
                    (c, ctype, depth) for c in reversed(children) if isinstance(c, Message)
                )
            continue
        items.append((part, parent, depth, None))

    # The body, chosen as it always was: the first plain part without a file name (or the
    # first HTML one), wherever it is, enclosed messages included.
    plain: Message | None = None
    html: Message | None = None
    for part, _parent, _depth, inner in items:
        if inner is not None or filename(part):
            continue
        ctype = part.get_content_type()
        if ctype == "text/plain" and plain is None:
            plain = part
        elif ctype == "text/html" and html is None:
            html = part
        if plain is not None and html is not None:
            break

    blobs: list[Blob] = []
    for part, parent, depth, inner in items:
        if inner is not None:
            blobs.append(_enclosed_blob(part, inner, text_bytes))
            continue
        if part is plain or part is html:
            continue
        name = filename(part)
        ctype = part.get_content_type()
        if not name and _disposition(part) != "attachment" and ctype.startswith("text/"):
            if depth > 0 or parent == "multipart/alternative":
                continue  # an enclosed message's own body, or another rendering of a body
        blobs.append(_leaf_blob(part, name, max_attachment_bytes))
    for i, blob in enumerate(blobs):
        blob.index = i
    return MimeParts(plain, html, blobs)


def _leaf_blob(part: Message, name: str, max_bytes: int) -> Blob:
    ctype = content_type_of(part.get_content_type())
    size = decoded_size(part)
    charset = _charset(part)
    if size > max_bytes:
        return Blob(name, ctype, None, size, note="too large", charset=charset)
    data = part_bytes(part)
    if data is None:
        return Blob(name, ctype, None, size, note="unreadable: bad encoding", charset=charset)
    return Blob(name, ctype, data, len(data), charset=charset)


def _charset(part: Message) -> str:
    try:
        return part.get_content_charset() or ""
    except (ValueError, TypeError, LookupError, email.errors.MessageError):
        return ""


def _enclosed_blob(container: Message, inner: Message, text_bytes: int) -> Blob:
    """An enclosed message as text: its From, Subject and body, as a reader opening it sees."""
    name = filename(container) or _header(inner, "subject") or "message"
    lines = [f"{h}: {v}" for h in ("From", "Subject") if (v := _header(inner, h.lower()))]
    body = message_text(inner, text_bytes)
    text = "\n".join([*lines, "", body]).strip() if lines else body
    size = decoded_size(container) or len(text.encode("utf-8", "replace"))
    return Blob(name, "message/rfc822", None, size, text=text)


def _header(msg: Message, name: str) -> str:
    value = msg.get(name)
    if value is None:
        return ""
    text = str(value)
    if "=?" in text:
        try:
            text = str(make_header(decode_header(text)))
        except (
            LookupError,
            UnicodeError,
            ValueError,
            TypeError,
            AssertionError,
            email.errors.HeaderParseError,
        ):
            pass
    return " ".join(text.split())[:1024]


def message_text(msg: Message, limit: int) -> str:
    """The text a reader sees in a message's own body (not its attachments): the first
    plain part, else the text of the first HTML part, at most ``limit`` bytes of it read."""
    plain = html = None
    stack = [msg]
    seen = 0
    while stack and seen < MAX_PARTS:
        part = stack.pop()
        seen += 1
        if part.is_multipart():
            if part.get_content_type().startswith("message/"):
                continue  # a message enclosed in this one is not its body
            children = part.get_payload()
            if isinstance(children, list):
                stack.extend(c for c in reversed(children) if isinstance(c, Message))
            continue
        if filename(part):
            continue
        ctype = part.get_content_type()
        if ctype == "text/plain":
            plain = part
            break
        if ctype == "text/html" and html is None:
            html = part
    chosen = plain or html
    if chosen is None:
        return ""
    data = part_bytes(chosen)
    if data is None:
        return ""
    text = decode_text(data[:limit], _charset(chosen))
    return html_to_text(text) if chosen is html else text


def decode_text(data: bytes, charset: str = "") -> str:
    """Bytes of text in their declared charset, else UTF-8 (a BOM honoured), else
    Windows-1252; nothing raises."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace")
    if charset:
        try:
            return data.decode(charset, "replace")
        except LookupError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3:  # cut in the middle of a character
            return data[: exc.start].decode("utf-8", "replace")
        return data.decode("cp1252", "replace")


def b64decode(text: str) -> bytes | None:
    """Strict base64 (line breaks allowed); None when it is not base64."""
    if "\n" in text or "\r" in text:
        text = "".join(text.split())
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
