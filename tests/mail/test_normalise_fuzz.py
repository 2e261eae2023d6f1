"""Property tests: whatever arrives, the normaliser answers with Facts or an InputError.

Anything else escaping from_raw or from_payload becomes a 5xx in the API and a crash in
`caveat scan`. The strategies build mail-shaped input (header names, colons, folding,
encoded words, IDN, surrogates, MIME) as well as plain noise, so the examples reach past
the first line of the parser. Small limits make the size checks part of the search.
"""

from __future__ import annotations

import base64
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caveat.mail.errors import InputError
from caveat.mail.facts import Facts
from caveat.mail.limits import Limits
from caveat.mail.normalise import from_payload, from_raw

# Modest, machine-independent settings: no deadline, no database left in the work tree.
FUZZ = settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

LIMITS = Limits(max_header_bytes=2048, max_body_bytes=512, max_recipients=8, max_message_bytes=4096)

HEADER_NAMES = st.sampled_from(
    "From To Cc Reply-To Sender Subject Date Message-ID In-Reply-To References Received "
    "Content-Type Content-Transfer-Encoding MIME-Version X-Auth-ID from FROM".split()
)
FRAGMENTS = st.sampled_from(
    [
        *(" ", "\t", "\r\n ", "\n\t"),  # white space and folding
        *':,;<>@"\\()[]',  # address and header syntax, one character each
        *("=?", "?=", "=?utf-8?q?", "=?utf-8?b?", "=?iso-2022-jp?B?", "=?x-unknown?q?"),
        *("=C3=BC", "_", "GyRCRnxLXDhsGyhC"),  # encoded-word payloads
        *("xn--", "xn--bcher-kva.de", "bücher.de", "ann@partner.example", "Doe, John"),
        *("<id@x.example>", "Mon, 1 Jan 2024 10:00:00 +0000"),
        *("multipart/mixed; boundary=b", "text/plain; charset=iso-8859-1"),
        *("text/plain; charset=x-nope", "base64", "quoted-printable"),
        *("\x00", "\ud800", "\udcff", "\u202e", "\ufeff", "€"),  # NUL, surrogates, bidi, BOM
    ]
)
VALUE = st.lists(st.one_of(FRAGMENTS, st.text(max_size=8)), max_size=12).map("".join)
EOL = st.sampled_from(["\n", "\r\n", "\r"])


@st.composite
def mail_text(draw: Any) -> str:
    """A header block (sometimes with junk lines), maybe a blank line and a body."""
    eol = draw(EOL)
    lines = draw(
        st.lists(
            st.one_of(
                st.tuples(HEADER_NAMES, VALUE).map(lambda nv: f"{nv[0]}: {nv[1]}"),
                VALUE,  # junk, continuation lines, an mbox "From " line ...
            ),
            max_size=12,
        )
    )
    text = eol.join(lines)
    if draw(st.booleans()):
        body = draw(
            st.lists(st.one_of(FRAGMENTS, st.text(max_size=20), st.just("--b")), max_size=12)
        )
        text += eol + eol + eol.join(body)
    return text


def answers(call: Any, *args: Any) -> Facts | None:
    try:
        facts = call(*args)
    except InputError as e:
        assert e.code and e.message
        assert 400 <= e.status < 500
        return None
    assert isinstance(facts, Facts)
    return facts


@FUZZ
@given(st.text(max_size=3000))
def test_any_text_as_a_raw_message(text: str) -> None:
    answers(from_raw, text, LIMITS)


@FUZZ
@given(st.binary(max_size=3000))
def test_any_bytes_as_a_raw_message(data: bytes) -> None:
    answers(from_raw, data, LIMITS)


@FUZZ
@given(mail_text())
def test_mail_shaped_text_as_a_raw_message(text: str) -> None:
    answers(from_raw, text, LIMITS)
    answers(from_raw, text.encode("utf-8", "surrogatepass"), LIMITS)


@FUZZ
@given(mail_text())
def test_mail_shaped_text_as_payload_headers(text: str) -> None:
    answers(from_payload, {"headers": text}, LIMITS)
    answers(from_payload, {"raw": text}, LIMITS)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | VALUE,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
ADDRESS = st.fixed_dictionaries(
    {}, optional={"name": JSON | VALUE, "address": JSON | VALUE, "extra": JSON}
)
FIELDS = st.sampled_from(
    "headers from sender reply_to to cc subject body body_html attachments conversation_id "
    "internet_message_id date raw".split()
)
#: Attachment content: base64 of bytes that start like a PDF, a Word file, a PNG or nothing
#: in particular (the readers get broken files of every kind), or text that is not base64.
CONTENT = st.one_of(
    st.tuples(
        st.sampled_from(
            [b"", b"%PDF-1.4\n", b"PK\x03\x04", b"\x89PNG\r\n\x1a\n", b"\xd0\xcf\x11\xe0"]
        ),
        st.binary(max_size=300),
    ).map(lambda parts: base64.b64encode(parts[0] + parts[1]).decode()),
    VALUE,
)
ATTACHMENT = st.fixed_dictionaries(
    {},
    optional={
        "name": JSON | st.sampled_from(["a.pdf", "b.docx", "c.png", "d.txt", "e.eml", ""]),
        "content_type": JSON | st.sampled_from(["application/pdf", "image/png", "text/html"]),
        "content": JSON | CONTENT,
        "extra": JSON,
    },
)
FIELD_VALUE = st.one_of(
    JSON,
    ADDRESS,
    st.lists(ADDRESS, max_size=10),
    st.lists(ATTACHMENT, max_size=4),
    mail_text(),
    st.sampled_from(["2024-01-01T10:00:00Z", "2024-13-01", "9999-12-31T23:59:59-23:59"]),
)


@FUZZ
@given(st.dictionaries(FIELDS, FIELD_VALUE, max_size=8))
def test_payloads_with_known_fields(payload: dict[str, Any]) -> None:
    answers(from_payload, payload, LIMITS)


@FUZZ
@given(
    JSON
    | st.dictionaries(st.text(max_size=12) | st.integers() | st.none(), FIELD_VALUE, max_size=4)
)
def test_any_json_value_as_a_payload(payload: Any) -> None:
    answers(from_payload, payload, LIMITS)


# ---------------------------------------------------------------- properties that must hold

WORD = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="=?"),
    min_size=1,
    max_size=10,
)


@FUZZ
@given(st.lists(WORD, min_size=1, max_size=12), st.data())
def test_folding_does_not_change_a_header(words: list[str], data: Any) -> None:
    """Folding (a line break before white space) is invisible once the header is read."""
    plain = " ".join(words)
    folded = words[0]
    for w in words[1:]:
        folded += data.draw(st.sampled_from([" ", "\r\n ", "\n\t", "\r\n\t "])) + w
    one = from_payload({"headers": f"From: a@x.example\nSubject: {plain}\n"})
    two = from_raw(f"From: a@x.example\r\nSubject: {folded}\r\n\r\nbody")
    assert one.subject == two.subject == plain


@FUZZ
@given(st.text(min_size=1, max_size=600))
def test_headers_over_the_limit_are_always_refused_as_too_large(filler: str) -> None:
    text = "From: a@x.example\nX-Filler: " + filler * 8
    size = len(text.encode("utf-8", "surrogatepass"))
    limits = Limits(max_header_bytes=1024)
    try:
        from_payload({"headers": text}, limits)
    except InputError as e:
        assert size > limits.max_header_bytes
        assert (e.code, e.status) == ("headers_too_large", 413)
    else:
        assert size <= limits.max_header_bytes
