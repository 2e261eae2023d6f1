"""The normaliser: what a mail client or a raw message becomes, and what it refuses.

Everything here is attacker-controlled input. The normaliser must read what a mail client
would show (folded, encoded, internationalised headers), keep reading past junk, and refuse
oversized input with an :class:`InputError` *before* it spends any effort parsing it.
"""

from __future__ import annotations

import email
import email.policy
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from email.utils import getaddresses
from typing import Any

import pytest

import caveat.mail.normalise
from caveat.mail.errors import InputError
from caveat.mail.facts import Facts
from caveat.mail.limits import Limits
from caveat.mail.normalise import from_payload, from_raw

from ..corpus import CORPUS, dataset


def headers(text: str) -> Facts:
    return from_payload({"headers": text})


def refused(call: Any, *args: Any, **kwargs: Any) -> InputError:
    with pytest.raises(InputError) as info:
        call(*args, **kwargs)
    return info.value


# ---------------------------------------------------------------- folding


@pytest.mark.parametrize("eol", ["\n", "\r\n"], ids=["LF", "CRLF"])
def test_folded_headers_are_unfolded(eol: str) -> None:
    f = headers(
        f"Received: from mx.partner.example{eol}"
        f"\tby mx.acme.example;{eol}"
        f" Mon, 1 Jan 2024 10:00:00 +0000{eol}"
        f"From: Ann Lee{eol}"
        f"  <ann@partner.example>{eol}"
        f"Subject: Invoice{eol}"
        f"\tfor March{eol}"
    )
    assert f.subject == "Invoice for March"
    assert f.author is not None and f.author.address == "ann@partner.example"
    assert f.author.name == "Ann Lee"
    (received,) = f.header("received")
    assert "\r" not in received and "\n" not in received
    assert received.startswith("from mx.partner.example")
    assert received.endswith("Mon, 1 Jan 2024 10:00:00 +0000")


def test_continuation_line_before_any_header_is_ignored() -> None:
    f = headers(" stray continuation\nFrom: a@x.example\n")
    assert f.headers == (("from", "a@x.example"),)


# ---------------------------------------------------------------- RFC 2047


@pytest.mark.parametrize(
    ("encoded", "decoded"),
    [
        ("=?utf-8?q?Gr=C3=BC=C3=9Fe_aus_M=C3=BCnchen?=", "Grüße aus München"),
        ("=?UTF-8?B?R3LDvMOfZQ==?=", "Grüße"),
        ("=?iso-8859-1?q?Gr=FC=DFe?=", "Grüße"),
        ("=?ISO-8859-1?B?R3L832U=?=", "Grüße"),
        ("=?iso-2022-jp?B?GyRCRnxLXDhsGyhC?=", "日本語"),
        ("RE: =?utf-8?q?Rechnung?= 2024", "RE: Rechnung 2024"),
        # whitespace between two encoded words is not part of the text (RFC 2047 6.2)
        ("=?utf-8?q?Rech?= =?utf-8?q?nung?=", "Rechnung"),
    ],
)
def test_encoded_words_in_subject(encoded: str, decoded: str) -> None:
    assert headers(f"From: a@x.example\nSubject: {encoded}\n").subject == decoded


@pytest.mark.parametrize(
    "undecodable",
    [
        "=?x-no-such-charset?q?abc?=",  # unknown charset
        "=?utf-8?q?=E2=82?=",  # truncated UTF-8 sequence
        "=?utf-8?",  # not even an encoded word
    ],
)
def test_undecodable_encoded_words_are_kept_as_they_came(undecodable: str) -> None:
    assert headers(f"From: a@x.example\nSubject: {undecodable}\n").subject == undecodable


def test_broken_base64_in_an_encoded_word_raises_nothing() -> None:
    assert isinstance(headers("From: a@x.example\nSubject: =?utf-8?b?###?=\n").subject, str)


def test_base64_word_of_impossible_length_in_a_display_name_is_kept() -> None:
    # Five data characters cannot be base64: the standard library raises HeaderParseError.
    facts = headers("From: =?utf-8?b?=?utf-8?q?=?<=?\n")
    assert isinstance(facts.author.name if facts.author else "", str)
    assert headers("From: a@x.example\nSubject: =?utf-8?b?abcde?=\n").subject == (
        "=?utf-8?b?abcde?="
    )


@pytest.mark.parametrize(
    ("from_header", "name"),
    [
        ("=?utf-8?q?J=C3=B6hn_M=C3=BCller?= <j@x.example>", "Jöhn Müller"),
        ("=?utf-8?b?SsO2aG4gTcO8bGxlcg==?= <j@x.example>", "Jöhn Müller"),
        ("=?iso-8859-1?q?J=F6hn?= <j@x.example>", "Jöhn"),
        ('"=?utf-8?q?Doe=2C_John?=" <j@x.example>', "Doe, John"),
        ("=?x-no-such-charset?q?Ann?= <j@x.example>", "=?x-no-such-charset?q?Ann?="),
    ],
)
def test_encoded_words_in_display_names(from_header: str, name: str) -> None:
    f = headers(f"From: {from_header}\n")
    assert f.author is not None
    assert (f.author.name, f.author.address) == (name, "j@x.example")


# ---------------------------------------------------------------- addresses


def test_internationalised_domain_is_kept_in_both_forms() -> None:
    f = headers("From: Jöhn <j@bücher.de>\n")
    a = f.author
    assert a is not None
    assert a.name == "Jöhn"
    assert a.domain == "xn--bcher-kva.de"
    assert a.address == "j@xn--bcher-kva.de"
    assert a.domain_unicode == "bücher.de"
    assert a.valid


@pytest.mark.parametrize("written", ["j@xn--bcher-kva.de", "J@XN--BCHER-KVA.DE", "J@BÜCHER.DE"])
def test_punycode_and_unicode_spellings_normalise_to_one_address(written: str) -> None:
    a = headers(f"From: {written}\n").author
    assert a is not None
    assert (a.address, a.domain_unicode) == ("j@xn--bcher-kva.de", "bücher.de")


@pytest.mark.parametrize(
    ("header", "written", "address", "domain"),
    [
        ("Lena <lena.vogt@northwind-metaIs.de>", "lena.vogt@northwind-metaIs.de",
         "lena.vogt@northwind-metais.de", "northwind-metaIs.de"),
        ("Lena.Vogt@Northwind-Metals.DE", "Lena.Vogt@Northwind-Metals.DE",
         "lena.vogt@northwind-metals.de", "Northwind-Metals.DE"),
        ("j@n\u043erthwind.de", "j@n\u043erthwind.de", "j@xn--nrthwind-nbh.de",
         "n\u043erthwind.de"),
        ("J@XN--BCHER-KVA.DE", "J@XN--BCHER-KVA.DE", "j@xn--bcher-kva.de", "XN--BCHER-KVA.DE"),
    ],
)  # fmt: skip
def test_an_address_keeps_how_it_was_written_beside_its_normal_form(
    header: str, written: str, address: str, domain: str
) -> None:
    a = headers(f"From: a@x.example\nReply-To: {header}\n").reply_to[0]
    assert (a.shown, a.address, a.shown_domain) == (written, address, domain)
    assert written in a.display()


def test_addresses_written_differently_are_the_same_address() -> None:
    """Matching folds: only the written form differs, and it takes no part in equality."""
    f = headers("From: Ann <Ann.Lee@Partner.EXAMPLE>\nTo: Ann <ann.lee@partner.example>\n")
    assert f.author is not None
    assert f.author == f.to[0]
    assert f.author.shown != f.to[0].shown
    assert len({f.author, f.to[0]}) == 1


def test_payload_addresses_keep_how_they_were_written() -> None:
    f = from_payload({"from": {"name": "Ann", "address": " <Ann.Lee@Partner.EXAMPLE> "}})
    assert f.author is not None
    assert (f.author.address, f.author.shown) == (
        "ann.lee@partner.example",
        "Ann.Lee@Partner.EXAMPLE",
    )


def test_quoted_display_name_with_a_comma_is_one_address() -> None:
    f = headers('From: a@x.example\nTo: "Doe, John" <j@x.example>, b@y.example\n')
    assert [(a.name, a.address) for a in f.to] == [
        ("Doe, John", "j@x.example"),
        ("", "b@y.example"),
    ]


def test_address_with_no_domain_is_kept_but_marked_invalid() -> None:
    f = headers("From: a@x.example\nTo: undisclosed-recipients:;, Ann <not-an-address>\n")
    assert [(a.address, a.valid) for a in f.to] == [("not-an-address", False)]


def test_several_to_and_cc_headers_are_all_read() -> None:
    f = headers("From: a@x.example\nTo: b@x.example\nCc: c@x.example\nTo: d@x.example\n")
    assert [a.address for a in f.to] == ["b@x.example", "d@x.example"]
    assert [a.address for a in f.recipients] == ["b@x.example", "d@x.example", "c@x.example"]


# ---------------------------------------------------------------- header block shape


def test_duplicate_from_uses_the_first_and_headers_keep_their_order() -> None:
    f = headers(
        "Received: from hop2.example by mx.acme.example\n"
        "From: First <first@x.example>\n"
        "Received: from hop1.example by hop2.example\n"
        "From: Second <second@y.example>\n"
    )
    assert [a.address for a in f.from_] == ["first@x.example"]
    assert f.header("received") == [
        "from hop2.example by mx.acme.example",
        "from hop1.example by hop2.example",
    ]
    assert f.header("RECEIVED") == f.header("received")
    assert f.first("from") == "First <first@x.example>"


def test_garbage_lines_inside_the_header_block_are_skipped() -> None:
    f = headers(
        "From: Ann <ann@partner.example>\n"
        "this line is not a header\n"
        ": neither is this\n"
        "Not A Header: spaces are not allowed in a field name\n"
        "Reply-To: pay@elsewhere.example\n"
        "Subject: still read\n"
    )
    assert [n for n, _ in f.headers] == ["from", "reply-to", "subject"]
    assert [a.address for a in f.reply_to] == ["pay@elsewhere.example"]
    assert f.subject == "still read"


def test_line_of_only_white_space_does_not_end_the_header_block() -> None:
    # Seen in real phishing: a Subject folded over "lines" of one space, with the real
    # From below them. Ending the block there would lose the From and silence every check.
    f = headers(
        "Subject: Account notice\n"
        " \n"
        " \t\n"
        " more of the subject\n"
        "From: Service <service@phish.example>\n"
    )
    assert f.author is not None and f.author.address == "service@phish.example"
    assert f.subject == "Account notice more of the subject"


def test_mbox_from_line_at_the_top_is_not_a_header() -> None:
    raw = (
        b"From MAILER-DAEMON Mon Jan  1 10:00:00 2024\n"
        b"From: Ann <ann@partner.example>\n"
        b"Subject: Invoice\n"
        b"\n"
        b"Please find the invoice attached.\n"
    )
    f = from_raw(raw)
    assert [n for n, _ in f.headers] == ["from", "subject"]
    assert f.author is not None and f.author.address == "ann@partner.example"
    assert f.body == "Please find the invoice attached.\n"
    assert f.source == "raw"


def test_message_with_no_blank_line_is_all_headers() -> None:
    f = from_raw("From: ann@partner.example\r\nSubject: no body at all")
    assert f.subject == "no body at all"
    assert f.body == ""


def test_bytes_that_are_not_utf8_do_not_stop_the_parse() -> None:
    raw = b"From: ann@partner.example\nSubject: caf\xe9 \xff\xfe\nTo: b@x.example\n\nbody \xff\n"
    f = from_raw(raw)
    assert f.author is not None and f.author.address == "ann@partner.example"
    assert f.subject.startswith("caf")
    assert [a.address for a in f.to] == ["b@x.example"]
    # header values are valid text again (no lone surrogates left for JSON or logs)
    for _, value in f.headers:
        value.encode("utf-8")
    assert f.body.startswith("body ")


def test_raw_text_with_lone_surrogates_is_read() -> None:
    # JSON allows "\ud800"; such a string reaches from_raw through the API's "raw" field.
    f = from_payload({"raw": "From: a@x.example\nSubject: x\ud800\n\nbody \ud800\n"})
    assert f.author is not None and f.author.address == "a@x.example"
    assert f.subject.startswith("x")


def test_body_is_the_first_plain_text_part_decoded_by_its_charset() -> None:
    raw = (
        b"From: a@x.example\n"
        b"MIME-Version: 1.0\n"
        b'Content-Type: multipart/alternative; boundary="b"\n'
        b"\n"
        b"--b\n"
        b"Content-Type: text/html; charset=utf-8\n"
        b"\n"
        b"<p>html</p>\n"
        b"--b\n"
        b"Content-Type: text/plain; charset=iso-8859-1\n"
        b"Content-Transfer-Encoding: quoted-printable\n"
        b"\n"
        b"Gr=FC=DFe\n"
        b"--b--\n"
    )
    # the line break before a boundary belongs to the boundary (RFC 2046 section 5.1.1)
    assert from_raw(raw).body == "Grüße"


def test_raw_body_is_cut_to_the_body_limit_without_splitting_a_character() -> None:
    raw = "From: a@x.example\nContent-Type: text/plain; charset=utf-8\n\n" + "é" * 100
    body = from_raw(raw.encode(), Limits(max_body_bytes=5)).body
    assert body == "éé"  # 4 bytes; a third "é" would need 6


# ---------------------------------------------------------------- message ids


def test_message_ids_are_lower_cased_and_kept_in_order() -> None:
    f = headers(
        "From: a@x.example\n"
        "Message-ID: <ABC.123@Mail.X.example>\n"
        "In-Reply-To: <Parent@x.example> (Ann's message)\n"
        "References: <r1@x.example>\n <r2@x.example>\n"
        "References: <r3@x.example>\n"
    )
    assert f.message_id == "abc.123@mail.x.example"
    assert f.message_id_written == "ABC.123@Mail.X.example"  # for evidence
    assert f.in_reply_to == ("parent@x.example",)
    assert f.references == ("r1@x.example", "r2@x.example", "r3@x.example")


def test_message_ids_without_angle_brackets_are_still_read() -> None:
    f = headers("From: a@x.example\nIn-Reply-To: Parent@x.example\n")
    assert f.in_reply_to == ("parent@x.example",)


def test_payload_internet_message_id_wins_over_the_header() -> None:
    f = from_payload(
        {
            "headers": "From: a@x.example\nMessage-ID: <h@x.example>\n",
            "internet_message_id": "<Client@X.example>",
        }
    )
    assert (f.message_id, f.message_id_written) == ("client@x.example", "Client@X.example")


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "Mon, 1 Jan 2024 10:00:00 +0200",
            datetime(2024, 1, 1, 10, tzinfo=UTC) - timedelta(hours=2),
        ),
        ("Mon, 1 Jan 2024 10:00:00 -0000", datetime(2024, 1, 1, 10, tzinfo=UTC)),
        ("Mon, 1 Jan 2024 10:00:00", datetime(2024, 1, 1, 10, tzinfo=UTC)),  # naive
    ],
)
def test_header_dates_are_timezone_aware(value: str, expected: datetime) -> None:
    d = headers(f"From: a@x.example\nDate: {value}\n").date
    assert d is not None and d.tzinfo is not None
    assert d == expected


@pytest.mark.parametrize(
    "value", ["yesterday", "Mon, 32 Jan 2024 10:00:00 +0000", "1 Jan 99999 10:00 +0000", ""]
)
def test_garbage_dates_become_none(value: str) -> None:
    assert headers(f"From: a@x.example\nDate: {value}\n").date is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-01-01T10:00:00Z", datetime(2024, 1, 1, 10, tzinfo=UTC)),
        ("2024-01-01T12:00:00+02:00", datetime(2024, 1, 1, 10, tzinfo=UTC)),
        ("2024-01-01T10:00:00", datetime(2024, 1, 1, 10, tzinfo=UTC)),  # naive
    ],
)
def test_payload_dates_are_iso_8601_and_timezone_aware(value: str, expected: datetime) -> None:
    d = from_payload({"from": {"address": "a@x.example"}, "date": value}).date
    assert d is not None and d.tzinfo is not None
    assert d == expected


# ---------------------------------------------------------------- payload fields


def test_structured_payload_fields_override_the_headers() -> None:
    f = from_payload(
        {
            "headers": (
                "From: Header <h@header.example>\n"
                "To: ht@header.example\nCc: hc@header.example\n"
                "Reply-To: hr@header.example\nSubject: header subject\n"
            ),
            "from": {"name": "Client", "address": "C@Client.example"},
            "to": [{"name": "T", "address": "t@client.example"}],
            "cc": [{"address": "c@client.example"}],
            "reply_to": [{"address": "r@client.example"}],
            "subject": "client subject",
            "body": "hello",
            "conversation_id": "AAQk",
        }
    )
    assert f.author is not None and (f.author.name, f.author.address) == (
        "Client",
        "c@client.example",
    )
    assert [a.address for a in f.to] == ["t@client.example"]
    assert [a.address for a in f.cc] == ["c@client.example"]
    assert [a.address for a in f.reply_to] == ["r@client.example"]
    assert f.subject == "client subject"
    assert (f.body, f.conversation_id, f.source) == ("hello", "AAQk", "payload")
    # the raw headers stay available as evidence
    assert f.first("from") == "Header <h@header.example>"


def test_from_without_headers_is_enough() -> None:
    f = from_payload({"from": {"name": "Ann", "address": "ann@partner.example"}})
    assert f.author is not None and f.author.address == "ann@partner.example"
    assert f.headers == ()


def test_payload_to_and_cc_fall_back_to_the_headers_when_absent() -> None:
    f = from_payload({"headers": "From: a@x.example\nTo: t@x.example\n", "cc": None})
    assert [a.address for a in f.to] == ["t@x.example"]


def test_raw_in_the_payload_is_read_as_a_message() -> None:
    f = from_payload({"raw": "From: a@x.example\nSubject: hi\n\nbody\n", "conversation_id": "c1"})
    assert (f.subject, f.body, f.conversation_id, f.source) == ("hi", "body\n", "c1", "raw")


# ---------------------------------------------------------------- refusals

FROM = {"address": "a@x.example"}


@pytest.mark.parametrize("payload", [[], "From: a@x.example", None, 3, b"{}"])
def test_payload_that_is_not_an_object(payload: Any) -> None:
    e = refused(from_payload, payload)
    assert (e.code, e.status) == ("invalid_payload", 400)


def test_unknown_field_is_named() -> None:
    e = refused(from_payload, {"from": FROM, "bcc": [], "x_extra": 1})
    assert (e.code, e.status) == ("unknown_field", 400)
    assert "bcc" in e.message and "x_extra" in e.message


def test_unknown_non_text_key_is_an_input_error() -> None:
    e = refused(from_payload, {0: "x", "from": FROM})
    assert e.code == "unknown_field"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("headers", 1),
        ("from", "a@x.example"),
        ("sender", ["a@x.example"]),
        ("to", {"address": "a@x.example"}),
        ("cc", "b@x.example"),
        ("reply_to", True),
        ("subject", ["hi"]),
        ("body", 3.5),
        ("conversation_id", 7),
        ("internet_message_id", {}),
        ("date", 1704103200),
        ("raw", b"From: a@x.example"),
    ],
)
def test_field_of_the_wrong_type(field: str, value: Any) -> None:
    payload = {"from": FROM, field: value} if field != "from" else {field: value}
    e = refused(from_payload, payload)
    assert (e.code, e.status) == ("invalid_field", 400)
    assert field in e.message


@pytest.mark.parametrize(
    ("field", "value", "where"),
    [
        ("to", ["a@x.example"], "to[0]"),
        ("cc", [{"address": "c@x.example"}, {"name": 1, "address": "d@x.example"}], "cc[1]"),
        ("reply_to", [{"address": ["r@x.example"]}], "reply_to[0]"),
        ("from", {"name": "x" * 1025, "address": "a@x.example"}, "from"),
        ("sender", {"address": "s" * 1025}, "sender"),
    ],
)
def test_malformed_address_objects(field: str, value: Any, where: str) -> None:
    payload = {"headers": "From: a@x.example\n", field: value}
    e = refused(from_payload, payload)
    assert (e.code, e.status) == ("invalid_field", 400)
    assert e.message.startswith(where)


def test_date_that_is_not_iso_8601() -> None:
    e = refused(from_payload, {"from": FROM, "date": "Mon, 1 Jan 2024 10:00:00 +0000"})
    assert (e.code, e.status) == ("invalid_field", 400)


def test_raw_and_parts_together() -> None:
    e = refused(from_payload, {"raw": "From: a@x.example\n\n", "subject": "hi"})
    assert (e.code, e.status) == ("invalid_payload", 400)


def test_neither_headers_nor_from() -> None:
    e = refused(from_payload, {"subject": "hi", "body": "pay now"})
    assert (e.code, e.status) == ("invalid_payload", 400)


@pytest.mark.parametrize("raw", [b"", "", "\n\n", "  \r\n\r\nbody"])
def test_empty_raw_message(raw: str | bytes) -> None:
    e = refused(from_raw, raw)
    assert (e.code, e.status) == ("invalid_message", 400)


def test_empty_raw_message_in_the_payload() -> None:
    assert refused(from_payload, {"raw": ""}).code == "invalid_message"


def test_raw_message_with_no_readable_header() -> None:
    e = refused(from_raw, b"just some text\nand more\n\nbody\n")
    assert (e.code, e.status) == ("invalid_message", 400)


# ---------------------------------------------------------------- size limits


def test_default_limits() -> None:
    limits = Limits()
    assert limits.max_header_bytes == 256 * 1024
    assert limits.max_body_bytes == 64 * 1024
    assert limits.max_recipients == 500


def big_header_block(size: int) -> str:
    block = "From: a@x.example\n"
    return block + "X-Pad: " + "p" * (size - len(block) - len("X-Pad: \n")) + "\n"


def test_header_block_at_the_limit_is_accepted_one_byte_more_is_not() -> None:
    limit = Limits().max_header_bytes
    assert from_payload({"headers": big_header_block(limit)}).author is not None
    e = refused(from_payload, {"headers": big_header_block(limit + 1)})
    assert (e.code, e.status) == ("headers_too_large", 413)


def test_header_size_is_counted_in_utf8_bytes() -> None:
    limits = Limits(max_header_bytes=1000)
    text = "From: a@x.example\nSubject: " + "€" * 400 + "\n"  # ~1200 bytes, ~430 characters
    e = refused(from_payload, {"headers": text}, limits)
    assert (e.code, e.status) == ("headers_too_large", 413)


def test_raw_header_block_over_the_limit() -> None:
    raw = big_header_block(Limits().max_header_bytes + 100) + "\nsmall body\n"
    e = refused(from_raw, raw.encode())
    assert (e.code, e.status) == ("headers_too_large", 413)


def test_body_at_the_limit_is_accepted_one_byte_more_is_not() -> None:
    limit = Limits().max_body_bytes
    assert from_payload({"from": FROM, "body": "b" * limit}).body == "b" * limit
    e = refused(from_payload, {"from": FROM, "body": "b" * (limit + 1)})
    assert (e.code, e.status) == ("body_too_large", 413)


def test_body_size_is_counted_in_utf8_bytes_not_characters() -> None:
    body = "€" * 22_000  # 22,000 characters, 66,000 bytes
    assert len(body) < Limits().max_body_bytes < len(body.encode())
    e = refused(from_payload, {"from": FROM, "body": body})
    assert (e.code, e.status) == ("body_too_large", 413)


def recipients(n: int) -> list[dict[str, str]]:
    return [{"address": f"r{i}@x.example"} for i in range(n)]


def test_recipients_in_payload_lists_up_to_the_limit() -> None:
    f = from_payload({"from": FROM, "to": recipients(300), "cc": recipients(200)})
    assert len(f.recipients) == 500
    e = refused(from_payload, {"from": FROM, "to": recipients(300), "cc": recipients(201)})
    assert (e.code, e.status) == ("too_many_recipients", 413)


def test_recipients_in_a_to_header() -> None:
    to = ", ".join(f"r{i}@x.example" for i in range(501))
    e = refused(from_payload, {"headers": f"From: a@x.example\nTo: {to}\n"})
    assert (e.code, e.status) == ("too_many_recipients", 413)
    e = refused(from_raw, f"From: a@x.example\nTo: {to}\n\nbody\n".encode())
    assert (e.code, e.status) == ("too_many_recipients", 413)


def test_raw_message_over_the_limit() -> None:
    limits = Limits(max_message_bytes=1000)
    raw = b"From: a@x.example\n\n" + b"b" * 1000
    e = refused(from_raw, raw, limits)
    assert (e.code, e.status) == ("message_too_large", 413)
    e = refused(from_payload, {"raw": raw.decode()}, limits)
    assert (e.code, e.status) == ("message_too_large", 413)


def test_raw_message_size_is_counted_in_utf8_bytes() -> None:
    limits = Limits(max_message_bytes=1000)
    raw = "From: a@x.example\n\n" + "€" * 400  # 419 characters, 1,219 bytes
    e = refused(from_raw, raw, limits)
    assert (e.code, e.status) == ("message_too_large", 413)
    e = refused(from_payload, {"raw": raw}, limits)
    assert e.code == "message_too_large"


def test_configured_limits_are_honoured() -> None:
    limits = Limits(max_header_bytes=100, max_body_bytes=10, max_recipients=2)
    ok = {"headers": "From: a@x.example\n", "body": "0123456789", "to": recipients(2)}
    assert len(from_payload(ok, limits).to) == 2
    assert refused(from_payload, {**ok, "headers": "X: " + "x" * 100}, limits).code == (
        "headers_too_large"
    )
    assert refused(from_payload, {**ok, "body": "01234567890"}, limits).code == "body_too_large"
    assert refused(from_payload, {**ok, "to": recipients(3)}, limits).code == (
        "too_many_recipients"
    )


@pytest.fixture
def parsing_forbidden(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any attempt to parse headers or addresses fail loudly."""

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("parsed before the size check")

    monkeypatch.setattr(caveat.mail.normalise, "split_headers", forbidden)
    monkeypatch.setattr(caveat.mail.normalise, "parse_address", forbidden)
    monkeypatch.setattr(caveat.mail.normalise.email, "message_from_bytes", forbidden)


@pytest.mark.usefixtures("parsing_forbidden")
class TestSizeIsCheckedBeforeParsing:
    limits = Limits(
        max_header_bytes=100, max_body_bytes=10, max_recipients=2, max_message_bytes=1000
    )

    def test_payload_headers(self) -> None:
        payload = {"headers": "From: a@x.example\n" + "X: y\n" * 50}
        assert refused(from_payload, payload, self.limits).code == "headers_too_large"

    def test_payload_body(self) -> None:
        payload = {"from": FROM, "body": "b" * 11}
        assert refused(from_payload, payload, self.limits).code == "body_too_large"

    def test_payload_recipients(self) -> None:
        payload = {"from": FROM, "to": recipients(3)}
        assert refused(from_payload, payload, self.limits).code == "too_many_recipients"

    def test_raw_header_block(self) -> None:
        raw = ("From: a@x.example\n" + "X: y\n" * 50 + "\nbody\n").encode()
        assert refused(from_raw, raw, self.limits).code == "headers_too_large"

    def test_raw_message(self) -> None:
        raw = b"From: a@x.example\n\n" + b"b" * 1000
        assert refused(from_raw, raw, self.limits).code == "message_too_large"

    def test_payload_raw_message(self) -> None:
        payload = {"raw": "From: a@x.example\n\n" + "b" * 1000}
        assert refused(from_payload, payload, self.limits).code == "message_too_large"


# ---------------------------------------------------------------- real mail

CORPUS_SETS = [
    ("ham", "list_usrp_users"),
    ("ham", "spamassassin_easy_ham"),
    ("ham", "spamassassin_hard_ham"),
    ("spam", "spamassassin_spam"),
    ("spam", "spamassassin_spam_2"),
    ("spam", "nazario_2004_2005"),
]


def _listed_only(items: Sequence[tuple[str, bytes]], limits: Limits) -> list[tuple[str, str]]:
    return [("", "not read: test") for _ in items]


@pytest.mark.corpus
@pytest.mark.parametrize(("kind", "name"), CORPUS_SETS, ids=[n for _, n in CORPUS_SETS])
def test_real_mail_reads_the_same_from_as_the_standard_library(kind: str, name: str) -> None:
    """Every real message parses; where the standard library finds one valid From, so do we.
    (Attachments are listed, not read: reading them is tested in test_attachments_read.py.)"""
    for path in sorted(dataset(name, kind).glob("*.eml")):
        data = path.read_bytes()
        facts = from_raw(data, isolated=_listed_only)
        msg = email.message_from_bytes(data, policy=email.policy.compat32)
        theirs = [a for _, a in getaddresses(msg.get_all("from") or []) if "@" in a]
        if len(theirs) == 1 and theirs[0].isascii() and " " not in theirs[0]:
            assert facts.author is not None, path.name
            assert facts.author.address == theirs[0].lower(), path.name


@pytest.mark.corpus
def test_authentication_results_vectors_raise_nothing_but_input_errors() -> None:
    root = CORPUS / "authres_vectors"
    if not root.is_dir():
        pytest.skip(f"corpus authres_vectors not found at {root} (only beside ../shared)")
    paths = sorted(root.rglob("*.eml"))
    assert paths
    for path in paths:
        try:
            from_raw(path.read_bytes())
        except InputError:
            pass
