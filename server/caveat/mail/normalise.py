"""Build :class:`~caveat.mail.facts.Facts` from an add-in payload or a raw RFC 5322 message.

The only exception that leaves this module for bad input is :class:`InputError`. Sizes are
checked before anything is parsed. What is read only in part (a body longer than the body
limit; recipients over their limit, when the caller asks for a cut rather than a refusal)
is named in :attr:`Facts.cuts <caveat.mail.facts.Facts.cuts>`.
"""

from __future__ import annotations

import email
import email.errors
import email.policy
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from itertools import islice
from typing import Any

from .attachments import Blob, b64decode, collect, content_type_of, read_attachments
from .attachments.isolated import read_isolated
from .attachments.reader import IsolatedReader
from .domains import parse_address
from .errors import InputError
from .facts import Address, Facts
from .htmltext import html_to_text
from .limits import Limits
from .words import words

# What was left out of a message read in part (Facts.cuts, the answer's ``partial``).
_CUT_RECIPIENTS = words("cut.recipients", "recipients cut to {most} of {count}")
_CUT_HTML = words("cut.html", "HTML body cut to {limit} of {size} bytes")
_READ_HTML = words("cut.html_read", "HTML body read to {limit} of {size} bytes")
_CUT_BODY = words("cut.body", "body text cut to {limit} of {size} bytes")
_NOT_READ_BOUNDARIES = words(
    "cut.boundaries",
    "the body was not read: the message declares more than {most} multipart boundaries",
)

_MSGID_RE = re.compile(r"<([^<>\s]+)>")
_HEADER_NAME_RE = re.compile(r"^[\x21-\x39\x3b-\x7e]+$")  # RFC 5322 ftext


def decode_words(value: str) -> str:
    """Decode RFC 2047 encoded words; text that cannot be decoded is kept as it came."""
    if "=?" not in value:
        return value
    try:
        return str(make_header(decode_header(value)))
    except (
        LookupError,
        UnicodeError,
        ValueError,
        TypeError,
        AssertionError,
        email.errors.HeaderParseError,  # e.g. a base64 word of the wrong length
    ):
        return value


def split_headers(block: str) -> tuple[tuple[str, str], ...]:
    """Split a header block into (lower-case name, unfolded value) pairs, in order.

    Unlike the standard library's parser, a line that is not a header (Outlook's header
    string sometimes carries one) is skipped instead of ending the header block, so the
    headers after it are not lost. An empty line ends the block; a line of only spaces or
    tabs does not (it is folding white space, RFC 5322 section 4.2), or a header could hide
    every header below it, the real From included.
    """
    out: list[tuple[str, str]] = []
    name: str | None = None
    parts: list[str] = []
    for line in block.split("\n"):
        line = line.rstrip("\r")
        if not line:
            if name is None and not out:
                continue  # blank lines before the first header
            break  # the blank line that ends the header block
        if line[:1] in (" ", "\t"):
            if name is not None:
                parts.append(line)
            continue
        head, sep, value = line.partition(":")
        if name is not None:
            out.append((name, "".join(parts).strip()))
            name = None
        if not sep:
            continue  # garbage line (or an mbox "From " separator): skip it
        head = head.rstrip()
        if not head or not _HEADER_NAME_RE.match(head):
            continue
        name = head.lower()
        parts = [value]
    if name is not None:
        out.append((name, "".join(parts).strip()))
    return tuple(out)


#: The longest message id kept (RFC 5322's line length).
MAX_MESSAGE_ID_CHARS = 998


def _message_ids(value: str | None, *, fold: bool = True) -> tuple[str, ...]:
    """The message ids in a header value, lower-cased (``fold=False``: as written)."""
    if not value:
        return ()
    found = _MSGID_RE.findall(value) or [tok for tok in value.split() if "@" in tok]
    # An id longer than a header line may be (RFC 5322: 998 characters) is no id a mail
    # system made; dropped, it can neither be echoed back nor stored.
    found = [f for f in found if len(f) <= MAX_MESSAGE_ID_CHARS]
    return tuple(f.lower() for f in found) if fold else tuple(found)


def _text(value: str) -> str:
    """Lone surrogates (from JSON escapes or undecodable bytes) become U+FFFD, so that an
    address or a name can be stored, hashed and shown like any other text."""
    if value.isascii():
        return value
    return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def _address(name: str, raw_address: str) -> Address | None:
    raw_address = _text(raw_address).strip()
    if not raw_address:
        return None
    parsed = parse_address(raw_address)
    return Address(
        name=_text(" ".join(decode_words(name).split()).strip().strip("'\"")),
        address=parsed.address,
        local=parsed.local,
        domain=parsed.domain,
        valid=parsed.valid,
        # what parse_address read, before any folding: shown in evidence
        written=raw_address.strip("<>").strip(),
    )


#: the longest address header read (To, Cc, From, Sender, Reply-To, in characters): the
#: stdlib's address parser is slow on long or contrived headers, so length is checked first
MAX_ADDRESS_HEADER_CHARS = 64 * 1024


def addresses_from_header(values: Iterable[str]) -> tuple[Address, ...]:
    values = list(values)
    if sum(len(v) for v in values) > MAX_ADDRESS_HEADER_CHARS:
        raise InputError(
            "header_too_large",
            f"an address header is longer than {MAX_ADDRESS_HEADER_CHARS} characters",
            status=413,
        )
    try:
        pairs = getaddresses(values)
    except RecursionError:
        # Groups and comments nested hundreds deep ("::::", "((((") exhaust the parser.
        raise InputError(
            "unreadable_header", "an address header nests too deeply to be read"
        ) from None
    out = []
    for name, addr in pairs:
        a = _address(name, addr)
        if a is not None:
            out.append(a)
    return tuple(out)


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        d = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if d is None:
        return None
    return d if d.tzinfo else d.replace(tzinfo=UTC)


def _larger_than(text: str | bytes, limit: int) -> bool:
    """Whether ``text`` is more than ``limit`` bytes, counting text in UTF-8 (not characters)."""
    if len(text) > limit:
        return True
    if isinstance(text, bytes) or len(text) * 4 <= limit:
        return False
    return len(text.encode("utf-8", "surrogatepass")) > limit


#: the most multipart boundaries a message may declare (real mail has a handful; the
#: stdlib parser spends about a third of a millisecond on each level of nesting)
MAX_MIME_BOUNDARIES = 100
_BOUNDARY_RE = re.compile(r"boundary\s*=", re.IGNORECASE)


def _too_many_parts(text: str) -> bool:
    """Whether the message declares more multipart boundaries than
    :data:`MAX_MIME_BOUNDARIES`: its body is then not parsed (MIME nested a thousand deep
    cost the parser a third of a second, and more with every level); the headers are
    still read, and the verdict says what was left out."""
    # Each declaration spells "boundary" (in any case), so a count of the word is a bound
    # that spares nearly every message the case-blind search.
    if text.lower().count("boundary") <= MAX_MIME_BOUNDARIES:
        return False
    found = _BOUNDARY_RE.finditer(text)
    return next(islice(found, MAX_MIME_BOUNDARIES, None), None) is not None


def _check_message_size(raw: str | bytes, limits: Limits) -> None:
    if _larger_than(raw, limits.max_message_bytes):
        raise InputError(
            "message_too_large",
            f"the message is larger than {limits.max_message_bytes} bytes",
            status=413,
        )


def _check_header_size(text: str, limits: Limits) -> None:
    if _larger_than(text, limits.max_header_bytes):
        raise InputError(
            "headers_too_large",
            f"the header block is larger than {limits.max_header_bytes} bytes",
            status=413,
        )


def _check_recipients(count: int, limits: Limits) -> None:
    if count > limits.max_recipients:
        raise InputError(
            "too_many_recipients",
            f"the message has {count} recipients; at most {limits.max_recipients} are analysed",
            status=413,
        )


def _cut_recipients(
    to: tuple[Address, ...], cc: tuple[Address, ...], limits: Limits
) -> tuple[tuple[Address, ...], tuple[Address, ...], str]:
    """The first ``max_recipients`` of To then Cc, and a note of what was left out."""
    most = limits.max_recipients
    count = len(to) + len(cc)
    kept_cc = cc[: max(0, most - len(to))]
    return to[:most], kept_cc, _CUT_RECIPIENTS(most=most, count=count)


def _from_headers(
    headers: tuple[tuple[str, str], ...],
    limits: Limits,
    *,
    cut_recipients: bool = False,
    **overrides: Any,
) -> Facts:
    index: dict[str, list[str]] = {}
    for n, v in headers:
        index.setdefault(n, []).append(v)

    def one(name: str) -> str | None:
        v = index.get(name)
        return v[0] if v else None

    to = overrides.pop("to", None)
    cc = overrides.pop("cc", None)
    if to is None:
        to = addresses_from_header(index.get("to", ()))
    if cc is None:
        cc = addresses_from_header(index.get("cc", ()))
    cuts: tuple[str, ...] = overrides.pop("cuts", ())
    if cut_recipients and len(to) + len(cc) > limits.max_recipients:
        to, cc, note = _cut_recipients(to, cc, limits)
        cuts = (note, *cuts)
    _check_recipients(len(to) + len(cc), limits)
    from_ = overrides.pop("from_", None) or addresses_from_header(index.get("from", ())[:1])
    sender_list = addresses_from_header(index.get("sender", ())[:1])
    reply_to = overrides.pop("reply_to", None)
    if reply_to is None:
        reply_to = addresses_from_header(index.get("reply-to", ())[:1])
    subject = overrides.pop("subject", None)
    if subject is None:
        subject = decode_words(one("subject") or "")
    mid = overrides.pop("message_id", None) or " ".join(_message_ids(one("message-id"), fold=False))
    date = overrides.pop("date", None) or _parse_date(one("date"))
    return Facts(
        headers=headers,
        from_=from_,
        sender=overrides.pop("sender", None) or (sender_list[0] if sender_list else None),
        reply_to=reply_to,
        to=to,
        cc=cc,
        subject=" ".join(subject.split()),
        message_id=mid.strip("<>").lower(),
        message_id_written=mid.strip("<>"),
        in_reply_to=_message_ids(one("in-reply-to")),
        references=_message_ids(" ".join(index.get("references", ()))),
        date=date,
        cuts=cuts,
        **overrides,
    )


# ---------------------------------------------------------------- add-in payload

_PAYLOAD_FIELDS = {
    "headers": str,
    "from": dict,
    "sender": dict,
    "reply_to": list,
    "to": list,
    "cc": list,
    "subject": str,
    "body": str,
    "body_html": str,
    "attachments": list,
    "conversation_id": str,
    "internet_message_id": str,
    "date": str,
    "raw": str,
    # the language to answer in: read by the API (caveat.i18n.negotiate), not by the checks
    "language": str,
}


def _payload_address(value: Any, where: str) -> Address | None:
    if not isinstance(value, Mapping):
        raise InputError("invalid_field", f"{where} must be an object with name and address")
    name = value.get("name")
    addr = value.get("address")
    name = "" if name is None else name  # false, 0 or [] is a wrong type, not a missing value
    addr = "" if addr is None else addr
    if not isinstance(name, str) or not isinstance(addr, str):
        raise InputError("invalid_field", f"{where}: name and address must be strings")
    if len(name) > 1024 or len(addr) > 1024:
        raise InputError("invalid_field", f"{where}: name or address is too long")
    return _address(name, addr)


def _payload_addresses(value: Any, where: str) -> tuple[Address, ...]:
    out = []
    for i, item in enumerate(value):
        a = _payload_address(item, f"{where}[{i}]")
        if a is not None:
            out.append(a)
    return tuple(out)


def from_payload(
    payload: Any, limits: Limits | None = None, *, isolated: IsolatedReader | None = None
) -> Facts:
    """Facts from the add-in's JSON payload (already decoded from JSON).

    ``isolated`` reads PDF, Word and image attachments (default: in a child process,
    :func:`caveat.mail.attachments.isolated.read_isolated`).
    """
    limits = limits or Limits()
    if not isinstance(payload, Mapping):
        raise InputError("invalid_payload", "the request body must be a JSON object")
    # Keys are compared and reported as text: a mapping built by other code than the JSON
    # decoder may hold keys of mixed types, which must not escape as a TypeError.
    unknown = sorted(str(k) for k in payload if k not in _PAYLOAD_FIELDS)
    if unknown:
        word = "unknown field" if len(unknown) == 1 else "unknown fields"
        raise InputError("unknown_field", f"{word}: {', '.join(unknown)}")
    for key, typ in _PAYLOAD_FIELDS.items():
        if key in payload and payload[key] is not None and not isinstance(payload[key], typ):
            raise InputError("invalid_field", f"{key} must be a {_TYPE_NAMES[typ]}")

    if payload.get("raw") is not None:
        others = [
            k for k in payload if k not in ("raw", "conversation_id", "language") and payload[k]
        ]
        if others:
            raise InputError("invalid_payload", "send either a raw message or its parts, not both")
        raw = payload["raw"]
        _check_message_size(raw, limits)
        return from_raw(
            raw, limits, conversation_id=payload.get("conversation_id") or "", isolated=isolated
        )

    headers_text = payload.get("headers") or ""
    body = payload.get("body") or ""
    to_raw = payload.get("to") or []
    cc_raw = payload.get("cc") or []
    _check_header_size(headers_text, limits)
    if _larger_than(body, limits.max_body_bytes):
        raise InputError(
            "body_too_large",
            f"the body snippet is larger than {limits.max_body_bytes} bytes",
            status=413,
        )
    _check_recipients(len(to_raw) + len(cc_raw), limits)
    if not headers_text and not payload.get("from"):
        raise InputError("invalid_payload", "send at least the headers or the From address")

    cuts: list[str] = []
    body_html = _cut_html(payload.get("body_html") or "", limits, cuts)
    if not body and body_html:
        body = _cut_text(html_to_text(body_html), limits.max_body_bytes, cuts)
    blobs = _payload_blobs(payload.get("attachments") or [], limits)
    attachments, attachment_cuts = read_attachments(blobs, limits, isolated or read_isolated)
    overrides: dict[str, Any] = {
        "body": body,
        "body_html": body_html,
        "attachments": attachments,
        "cuts": (*cuts, *attachment_cuts),
        "source": "payload",
    }
    overrides["conversation_id"] = payload.get("conversation_id") or ""
    if payload.get("from"):
        a = _payload_address(payload["from"], "from")
        overrides["from_"] = (a,) if a else ()
    if payload.get("sender"):
        overrides["sender"] = _payload_address(payload["sender"], "sender")
    if payload.get("reply_to") is not None and "reply_to" in payload:
        overrides["reply_to"] = _payload_addresses(payload["reply_to"], "reply_to")
    if "to" in payload and payload["to"] is not None:
        overrides["to"] = _payload_addresses(to_raw, "to")
    if "cc" in payload and payload["cc"] is not None:
        overrides["cc"] = _payload_addresses(cc_raw, "cc")
    if payload.get("subject") is not None:
        overrides["subject"] = payload["subject"]
    if payload.get("internet_message_id"):
        ids = _message_ids(payload["internet_message_id"], fold=False) or (
            payload["internet_message_id"],
        )
        overrides["message_id"] = ids[0]
    if payload.get("date"):
        try:
            d = datetime.fromisoformat(payload["date"].replace("Z", "+00:00"))
        except ValueError as exc:
            raise InputError("invalid_field", "date must be an ISO 8601 date-time") from exc
        overrides["date"] = d if d.tzinfo else d.replace(tzinfo=UTC)
    return _from_headers(split_headers(headers_text), limits, **overrides)


_TYPE_NAMES = {str: "string", dict: "object", list: "array"}

#: The most attachment entries a payload may list (the schema's maxItems); only the first
#: ``Limits.max_attachments`` of them, by kind, are read.
MAX_PAYLOAD_ATTACHMENTS = 100
_ATTACHMENT_FIELDS = {"name": 1024, "content_type": 255, "content": None}


def _cut_html(html: str, limits: Limits, cuts: list[str]) -> str:
    """The HTML markup, cut to ``max_html_bytes`` (and the cut named)."""
    if not _larger_than(html, limits.max_html_bytes):
        return html
    encoded = html.encode("utf-8", "surrogatepass")
    cuts.append(_CUT_HTML(limit=limits.max_html_bytes, size=len(encoded)))
    return _text(encoded[: limits.max_html_bytes].decode("utf-8", "ignore"))


def _cut_text(text: str, limit: int, cuts: list[str]) -> str:
    encoded = text.encode("utf-8", "surrogatepass")
    if len(encoded) <= limit:
        return text
    cuts.append(_CUT_BODY(limit=limit, size=len(encoded)))
    return encoded[:limit].decode("utf-8", "ignore")


def _payload_blobs(items: Any, limits: Limits) -> list[Blob]:
    """The payload's attachments as blobs: checked, and decoded only when within the size
    limit for one attachment (a larger one is listed as ``too large``, not decoded)."""
    if len(items) > MAX_PAYLOAD_ATTACHMENTS:
        raise InputError(
            "invalid_field",
            f"attachments has too many items (at most {MAX_PAYLOAD_ATTACHMENTS})",
        )
    blobs = []
    for i, item in enumerate(items):
        where = f"attachments[{i}]"
        if not isinstance(item, Mapping):
            raise InputError("invalid_field", f"{where} must be an object")
        unknown = sorted(str(k) for k in item if k not in _ATTACHMENT_FIELDS)
        if unknown:
            word = "unknown field" if len(unknown) == 1 else "unknown fields"
            raise InputError("invalid_field", f"{where}: {word} {', '.join(unknown)}")
        for key, most in _ATTACHMENT_FIELDS.items():
            if key not in item:
                raise InputError("invalid_field", f"{where}.{key} is required")
            if not isinstance(item[key], str):
                raise InputError("invalid_field", f"{where}.{key} must be a string")
            if most is not None and len(item[key]) > most:
                raise InputError(
                    "invalid_field", f"{where}.{key} is too long (at most {most} characters)"
                )
        content: str = item["content"]
        name = _text(" ".join(item["name"].split()))
        ctype = content_type_of(item["content_type"])
        charset = _charset_param(item["content_type"])
        estimate = len(content) // 4 * 3
        if estimate > limits.max_attachment_bytes:
            blobs.append(Blob(name, ctype, None, estimate, note="too large", index=i))
            continue
        data = b64decode(content) if content.isascii() else None
        if data is None:
            raise InputError("invalid_field", f"{where}.content must be base64")
        blobs.append(Blob(name, ctype, data, len(data), charset=charset, index=i))
    return blobs


def _charset_param(content_type: str) -> str:
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip('"')[:40]
    return ""


# ---------------------------------------------------------------- raw RFC 5322 message

_BLANK_LINE_RE = re.compile(r"\r?\n\r?\n")


def _decoded(part: Message, read: int) -> tuple[str, int] | None:
    """The first ``read`` bytes of a body part as text, and its whole decoded size."""
    try:
        payload = part.get_payload(decode=True)
    except (ValueError, TypeError, LookupError, AssertionError):
        return None
    if not isinstance(payload, bytes):
        return None
    charset = part.get_content_charset() or "utf-8"
    try:
        text = payload[:read].decode(charset, "replace")
    except LookupError:
        text = payload[:read].decode("utf-8", "replace")
    return text, len(payload)


def _bodies(
    plain: Message | None, html: Message | None, limits: Limits
) -> tuple[str, str, tuple[str, ...]]:
    """The body text (the plain part, else the HTML part's text) cut to the body limit, the
    HTML markup cut to the HTML limit, and a note of each cut made."""
    cuts: list[str] = []
    markup = ""
    if html is not None:
        read = limits.max_html_bytes
        got = _decoded(html, read)
        if got is not None:
            markup, whole = got
            if whole > read:
                cuts.append(_READ_HTML(limit=read, size=whole))
            markup = _text(markup)
    limit = limits.max_body_bytes
    if plain is not None:
        got = _decoded(plain, 2 * limit)
        if got is None:
            return "", markup, tuple(cuts)
        text, whole = got
        encoded = text.encode("utf-8")
        if len(encoded) > limit or whole > 2 * limit:
            # A plain part cut on reading is counted whole, in its own bytes.
            cuts.append(_CUT_BODY(limit=limit, size=whole if whole > 2 * limit else len(encoded)))
        return encoded[:limit].decode("utf-8", "ignore"), markup, tuple(cuts)
    if not markup:
        return "", markup, tuple(cuts)
    encoded = html_to_text(markup).encode("utf-8")
    if len(encoded) > limit:
        cuts.append(_CUT_BODY(limit=limit, size=len(encoded)))
    return encoded[:limit].decode("utf-8", "ignore"), markup, tuple(cuts)


def from_raw(
    raw: bytes | str,
    limits: Limits | None = None,
    *,
    conversation_id: str = "",
    cut_recipients: bool = False,
    isolated: IsolatedReader | None = None,
) -> Facts:
    """Facts from a whole RFC 5322 message (as read from an .eml file or an mbox).

    More To and Cc recipients than the limit are refused (``too_many_recipients``), unless
    ``cut_recipients``: then the first ones up to the limit are kept, To before Cc, and the
    cut is named in ``Facts.cuts``. Sizes over the other limits are always refused.
    """
    limits = limits or Limits()
    _check_message_size(raw, limits)
    text = raw.decode("utf-8", "surrogateescape") if isinstance(raw, bytes) else raw
    m = _BLANK_LINE_RE.search(text)
    header_block = text[: m.start()] if m else text
    _check_header_size(header_block, limits)
    if not header_block.strip():
        raise InputError("invalid_message", "the message has no header block")
    headers = split_headers(header_block)
    if not headers:
        raise InputError("invalid_message", "no header could be read from the message")
    body = body_html = ""
    cuts: tuple[str, ...] = ()
    blobs: list[Blob] = []
    if m and _too_many_parts(text):
        cuts = (_NOT_READ_BOUNDARIES(most=MAX_MIME_BOUNDARIES),)
    elif m:
        # surrogatepass: text decoded from JSON may hold lone surrogates ("\ud800"), which
        # no other error handler can encode.
        data = raw if isinstance(raw, bytes) else raw.encode("utf-8", "surrogatepass")
        try:
            msg = email.message_from_bytes(data, policy=email.policy.compat32)
            parts = collect(msg, limits.max_attachment_bytes, 4 * limits.max_attachment_chars)
            body, body_html, cuts = _bodies(parts.plain, parts.html, limits)
            blobs = parts.blobs
        except (ValueError, TypeError, LookupError, IndexError, AssertionError, RecursionError):
            body, body_html, cuts, blobs = "", "", (), []
    attachments, attachment_cuts = read_attachments(blobs, limits, isolated or read_isolated)
    headers = tuple((n, v.encode("utf-8", "replace").decode("utf-8")) for n, v in headers)
    return _from_headers(
        headers,
        limits,
        cut_recipients=cut_recipients,
        body=body,
        body_html=body_html,
        attachments=attachments,
        cuts=(*cuts, *attachment_cuts),
        source="raw",
        conversation_id=conversation_id,
    )
