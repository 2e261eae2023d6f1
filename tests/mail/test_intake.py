"""What the normaliser takes in besides the plain body: the HTML markup and the attachments,
from a raw message's MIME tree and from the add-in's payload, within their limits."""

from __future__ import annotations

import base64
from collections.abc import Sequence

import pytest

from caveat.mail.attachments import kind_of
from caveat.mail.errors import InputError
from caveat.mail.limits import Limits
from caveat.mail.normalise import from_payload, from_raw

HEAD = (
    "From: Ines Vidal <ines@partner.example>\r\n"
    "To: ap@example.com\r\n"
    "Subject: invoice 2211\r\n"
    "Message-ID: <inv-2211@partner.example>\r\n"
    "MIME-Version: 1.0\r\n"
)


def fake_reader(items: Sequence[tuple[str, bytes]], limits: Limits) -> list[tuple[str, str]]:
    """Stands in for the isolated reader: says what it was given."""
    return [(f"{kind} of {len(data)} bytes", "") for kind, data in items]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def mixed(*parts: str, boundary: str = "b1") -> str:
    out = HEAD + f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n'
    for p in parts:
        out += f"--{boundary}\r\n{p}\r\n"
    return out + f"--{boundary}--\r\n"


ALTERNATIVE = (
    'Content-Type: multipart/alternative; boundary="alt"\r\n\r\n'
    "--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlease see the attached invoice.\r\n"
    "--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
    "<p>Please see the <b>attached</b> invoice.</p>\r\n"
    "--alt--"
)
PDF_BYTES = b"%PDF-1.4\n% not a real one\n"


def pdf_part(name: str = "invoice-2211.pdf", ctype: str = "application/pdf") -> str:
    return (
        f'Content-Type: {ctype}; name="{name}"\r\n'
        f'Content-Disposition: attachment; filename="{name}"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n" + b64(PDF_BYTES)
    )


# ------------------------------------------------------------------ raw: body parts


def test_the_html_part_is_kept_as_markup_and_the_plain_part_stays_the_body() -> None:
    f = from_raw(mixed(ALTERNATIVE), isolated=fake_reader)
    assert f.body == "Please see the attached invoice."
    assert f.body_html.strip() == "<p>Please see the <b>attached</b> invoice.</p>"
    assert f.attachments == ()
    assert f.cuts == ()


def test_without_a_plain_part_the_body_is_the_html_text() -> None:
    raw = HEAD + "Content-Type: text/html; charset=utf-8\r\n\r\n<p>New <i>bank</i> details</p>"
    f = from_raw(raw)
    assert f.body == "New bank details"
    assert f.body_html == "<p>New <i>bank</i> details</p>"


def test_html_over_its_limit_is_cut_and_the_cut_named() -> None:
    raw = HEAD + "Content-Type: text/html\r\n\r\n<p>" + "x" * 5000 + "</p>"
    f = from_raw(raw, Limits(max_html_bytes=1000))
    assert len(f.body_html) == 1000
    assert "HTML body read to 1000 of 5007 bytes" in f.cuts


def test_a_plain_only_message_has_no_html() -> None:
    f = from_raw(HEAD + "\r\nHello.\r\n")
    assert (f.body.strip(), f.body_html, f.attachments) == ("Hello.", "", ())


# ------------------------------------------------------------------ raw: attachments


def test_a_pdf_attachment_goes_to_the_isolated_reader() -> None:
    f = from_raw(mixed(ALTERNATIVE, pdf_part()), isolated=fake_reader)
    (a,) = f.attachments
    assert (a.name, a.content_type, a.kind, a.size) == (
        "invoice-2211.pdf",
        "application/pdf",
        "pdf",
        len(PDF_BYTES),
    )
    assert a.text == f"pdf of {len(PDF_BYTES)} bytes"
    assert a.note == ""
    assert f.body == "Please see the attached invoice."


def test_the_content_decides_the_kind_not_the_label() -> None:
    f = from_raw(
        mixed(ALTERNATIVE, pdf_part("scan.bin", "application/octet-stream")), isolated=fake_reader
    )
    assert f.attachments[0].kind == "pdf"
    # says PDF, is not one: nothing to read
    assert kind_of("invoice.pdf", "application/pdf", b"MZ\x90\x00") == "other"
    assert kind_of("a.docx", "application/octet-stream", b"PK\x03\x04") == "docx"
    assert kind_of("a.zip", "application/zip", b"PK\x03\x04") == "other"
    assert kind_of("logo", "image/png", b"") == "image"
    assert kind_of("notes.txt", "", b"") == "text"
    assert kind_of("x.exe", "application/x-msdownload", b"MZ") == "other"


def test_a_text_attachment_is_read_in_memory() -> None:
    part = (
        'Content-Type: text/plain; charset=iso-8859-1; name="bank.txt"\r\n'
        'Content-Disposition: attachment; filename="bank.txt"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        "Neue Bankverbindung f=FCr alle Zahlungen: DE89 3704 0044 0532 0130 00\r\n"
    )
    f = from_raw(mixed(ALTERNATIVE, part), isolated=fake_reader)
    (a,) = f.attachments
    assert (a.kind, a.note) == ("text", "")
    assert a.text == "Neue Bankverbindung für alle Zahlungen: DE89 3704 0044 0532 0130 00"


def test_an_html_attachment_is_read_as_a_person_sees_it() -> None:
    part = (
        'Content-Type: text/html; name="remittance.html"\r\n'
        'Content-Disposition: attachment; filename="remittance.html"\r\n\r\n'
        "<html><style>p{}</style><p>IBAN <b>GB82 WEST 1234 5698 7654 32</b></p></html>\r\n"
    )
    (a,) = from_raw(mixed(ALTERNATIVE, part)).attachments
    assert a.text == "IBAN GB82 WEST 1234 5698 7654 32"


def test_an_inline_image_is_an_attachment_and_the_html_body_is_not() -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
    related = (
        'Content-Type: multipart/related; boundary="rel"\r\n\r\n'
        "--rel\r\nContent-Type: text/html\r\n\r\n<p>see below</p><img src=cid:x1>\r\n"
        "--rel\r\nContent-Type: image/png\r\nContent-ID: <x1>\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n" + b64(png) + "\r\n--rel--"
    )
    f = from_raw(mixed(related), isolated=fake_reader)
    (a,) = f.attachments
    assert (a.name, a.kind, a.content_type) == ("", "image", "image/png")
    assert f.body == "see below"


def test_an_enclosed_message_is_read_as_text_and_its_attachments_listed() -> None:
    inner = (
        "From: Ines Vidal <ines@partner.example>\r\nSubject: Cambio de cuenta\r\n"
        'Content-Type: multipart/mixed; boundary="in"\r\n\r\n'
        "--in\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Les informamos de nuestra nueva cuenta ES91 2100 0418 4502 0005 1332.\r\n"
        "--in\r\n" + pdf_part("factura.pdf") + "\r\n--in--"
    )
    part = (
        "Content-Type: message/rfc822\r\n"
        'Content-Disposition: attachment; filename="fwd.eml"\r\n\r\n' + inner
    )
    f = from_raw(
        mixed("Content-Type: text/plain\r\n\r\nSee the enclosed.", part), isolated=fake_reader
    )
    assert f.body == "See the enclosed."
    enclosed, pdf = f.attachments
    assert (enclosed.name, enclosed.kind, enclosed.content_type) == (
        "fwd.eml",
        "text",
        "message/rfc822",
    )
    assert enclosed.text.splitlines()[:2] == [
        "From: Ines Vidal <ines@partner.example>",
        "Subject: Cambio de cuenta",
    ]
    assert "ES91 2100 0418 4502 0005 1332" in enclosed.text
    assert (pdf.name, pdf.kind) == ("factura.pdf", "pdf")


def test_enclosed_messages_are_opened_to_a_bounded_depth() -> None:
    inner = "From: x@partner.example\r\nSubject: level 9\r\n\r\ndeepest\r\n"
    for level in range(8, 0, -1):
        inner = (
            f"From: x@partner.example\r\nSubject: level {level}\r\n"
            "Content-Type: message/rfc822\r\n\r\n" + inner
        )
    f = from_raw(HEAD + "Content-Type: message/rfc822\r\n\r\n" + inner)
    assert 1 <= len(f.attachments) <= 3


def test_a_deeply_nested_message_costs_no_more_than_a_flat_one() -> None:
    depth = 3000
    body = "".join(
        f'Content-Type: multipart/mixed; boundary="n{i}"\r\n\r\n--n{i}\r\n' for i in range(depth)
    )
    f = from_raw(HEAD + body + "Content-Type: text/plain\r\n\r\nhi\r\n")
    assert f.attachments == () or len(f.attachments) <= Limits().max_attachments


def test_documents_are_read_before_images_and_the_count_cut_is_named() -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 10
    logos = [
        f'Content-Type: image/png; name="logo{i}.png"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        + b64(png)
        for i in range(4)
    ]
    f = from_raw(
        mixed(ALTERNATIVE, *logos, pdf_part()), Limits(max_attachments=3), isolated=fake_reader
    )
    assert [a.name for a in f.attachments] == ["logo0.png", "logo1.png", "invoice-2211.pdf"]
    assert "attachments cut to 3 of 5" in f.cuts


def test_an_attachment_over_its_limit_is_listed_not_read() -> None:
    f = from_raw(
        mixed(ALTERNATIVE, pdf_part()), Limits(max_attachment_bytes=10), isolated=fake_reader
    )
    (a,) = f.attachments
    assert (a.note, a.text, a.kind) == ("too large", "", "pdf")


def test_attachments_over_the_total_are_listed_not_read() -> None:
    limits = Limits(max_attachments_bytes=len(PDF_BYTES) + 5)
    f = from_raw(
        mixed(ALTERNATIVE, pdf_part("a.pdf"), pdf_part("b.pdf")), limits, isolated=fake_reader
    )
    assert [(a.name, a.note) for a in f.attachments] == [("a.pdf", ""), ("b.pdf", "too large")]


def test_a_type_not_read_is_named() -> None:
    part = (
        'Content-Type: application/zip; name="files.zip"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n" + b64(b"PK\x03\x04rest")
    )
    (a,) = from_raw(mixed(ALTERNATIVE, part), isolated=fake_reader).attachments
    assert (a.kind, a.note, a.text) == ("other", "not read: type", "")


def test_text_is_bounded_per_attachment_and_per_message() -> None:
    def txt(name: str) -> str:
        return f'Content-Type: text/plain; name="{name}"\r\n\r\n' + "word " * 400

    limits = Limits(max_attachment_chars=1000, max_attachments_chars=1500)
    f = from_raw(mixed(ALTERNATIVE, txt("a.txt"), txt("b.txt")), limits)
    a, b = f.attachments
    assert len(a.text) == 1000 and a.note == "text cut to 1000 characters"
    assert len(b.text) == 500 and b.note == "text cut to 500 characters"


# ------------------------------------------------------------------ payload


PAYLOAD = {"headers": HEAD, "body": "Please see the attached invoice."}


def test_the_payload_html_is_kept_and_cut_when_over() -> None:
    f = from_payload({**PAYLOAD, "body_html": "<p>hi</p>"})
    assert f.body_html == "<p>hi</p>"
    f = from_payload({**PAYLOAD, "body_html": "é" * 600}, Limits(max_html_bytes=1001))
    assert f.body_html == "é" * 500
    assert f.cuts == ("HTML body cut to 1001 of 1200 bytes",)


def test_the_payload_html_gives_the_body_when_there_is_no_plain_text() -> None:
    f = from_payload({"headers": HEAD, "body_html": "<div>Nueva <b>cuenta</b></div>"})
    assert f.body == "Nueva cuenta"


def test_payload_attachments_are_decoded_and_read() -> None:
    f = from_payload(
        {
            **PAYLOAD,
            "attachments": [
                {
                    "name": "invoice.pdf",
                    "content_type": "Application/PDF",
                    "content": b64(PDF_BYTES),
                },
                {
                    "name": "note.txt",
                    "content_type": "text/plain; charset=utf-16",
                    "content": b64("Neuer IBAN".encode("utf-16")),
                },
            ],
        },
        isolated=fake_reader,
    )
    pdf, note = f.attachments
    assert (pdf.kind, pdf.content_type, pdf.size, pdf.text) == (
        "pdf",
        "application/pdf",
        len(PDF_BYTES),
        f"pdf of {len(PDF_BYTES)} bytes",
    )
    assert (note.kind, note.text) == ("text", "Neuer IBAN")


def test_a_payload_attachment_over_its_limit_is_not_decoded() -> None:
    content = "!" * 4000  # not base64 either: proves it was never decoded
    f = from_payload(
        {
            **PAYLOAD,
            "attachments": [
                {"name": "big.pdf", "content_type": "application/pdf", "content": content}
            ],
        },
        Limits(max_attachment_bytes=1000),
    )
    (a,) = f.attachments
    assert (a.note, a.size, a.kind) == ("too large", 3000, "pdf")


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("x", "attachments[0] must be an object"),
        ({"name": "a", "content_type": "text/plain"}, "attachments[0].content is required"),
        ({"name": 1, "content_type": "t/p", "content": ""}, "attachments[0].name must be a string"),
        (
            {"name": "a", "content_type": "t/p", "content": "", "size": 3},
            "attachments[0]: unknown field size",
        ),
        (
            {"name": "a", "content_type": "t/p", "content": "abc"},
            "attachments[0].content must be base64",
        ),
        (
            {"name": "a", "content_type": "t/p", "content": "YW Jj"},
            "attachments[0].content must be base64",
        ),
        (
            {"name": "a" * 1025, "content_type": "t/p", "content": ""},
            "attachments[0].name is too long",
        ),
    ],
)
def test_bad_payload_attachments_are_refused_with_the_field_named(
    item: object, message: str
) -> None:
    with pytest.raises(InputError) as info:
        from_payload({**PAYLOAD, "attachments": [item]})
    assert info.value.status == 400
    assert info.value.message.startswith(message)


def test_at_most_a_hundred_attachments_may_be_listed() -> None:
    item = {"name": "a.txt", "content_type": "text/plain", "content": ""}
    with pytest.raises(InputError, match="at most 100"):
        from_payload({**PAYLOAD, "attachments": [item] * 101})
    f = from_payload({**PAYLOAD, "attachments": [item] * 100})
    assert len(f.attachments) == Limits().max_attachments
    assert f.cuts == ("attachments cut to 10 of 100",)


def test_raw_and_parts_are_exclusive_for_the_new_fields_too() -> None:
    for extra in (
        {"body_html": "<p>x</p>"},
        {"attachments": [{"name": "", "content_type": "", "content": ""}]},
    ):
        with pytest.raises(InputError, match="not both"):
            from_payload({"raw": HEAD + "\r\nhi", **extra})
