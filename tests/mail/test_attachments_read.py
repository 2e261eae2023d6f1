"""Reading what a person would read in PDF, Word and image attachments, in a child process,
and surviving the files built to hurt a reader.

The documents are made here (tests/mail/documents.py). The OCR tests need Debian's
tesseract (scripts/ensure-ocr installs it for `make test`); without it they skip, unless
CAVEAT_TEST_OCR=required makes them fail.
"""

from __future__ import annotations

import base64
import os
import time
from pathlib import Path

import pytest

from caveat.mail.attachments import isolated
from caveat.mail.attachments.isolated import ocr_command, read_isolated
from caveat.mail.limits import Limits
from caveat.mail.normalise import from_payload, from_raw

from . import documents as doc

LIMITS = Limits()
#: Generous: the bound the tests prove is the limit plus process start-up on a busy machine.
SLACK = 3.0

needs_ocr = pytest.mark.skipif(
    not ocr_command()[0] and os.environ.get("CAVEAT_TEST_OCR") != "required",
    reason="tesseract is not installed (scripts/ensure-ocr installs it)",
)

INVOICE_DE = [
    "Rechnung 2211",
    "Bitte beachten Sie unsere neue Bankverbindung:",
    "IBAN DE89 3704 0044 0532 0130 00",
]
LETTER_PNG = ["Invoice 2211", "Please pay to our new account", "IBAN GB82 WEST 1234 5698 7654 32"]


def read(kind: str, data: bytes, limits: Limits = LIMITS) -> tuple[str, str]:
    started = time.monotonic()
    (result,) = read_isolated([(kind, data)], limits)
    assert time.monotonic() - started < limits.attachment_seconds + SLACK
    return result


def squash(text: str) -> str:
    return " ".join(text.split())


# ------------------------------------------------------------------ each kind is read


def test_a_pdf_is_read() -> None:
    text, note = read("pdf", doc.pdf([INVOICE_DE, ["Seite 2"]]))
    assert note == ""
    assert "Bitte beachten Sie unsere neue Bankverbindung:" in text
    assert "IBAN DE89 3704 0044 0532 0130 00" in text
    assert "Seite 2" in text


def test_a_pdf_is_read_to_its_page_limit() -> None:
    pages = [[f"page {i}"] for i in range(30)]
    text, note = read("pdf", doc.pdf(pages))
    assert note == "cut to 20 of 30 pages"
    assert "page 19" in text and "page 20" not in text


def test_a_pdf_that_opens_without_a_password_is_read() -> None:
    text, note = read(
        "pdf", doc.encrypted_pdf(["Nouveau RIB FR14 2004 1010 0505 0013 M026 06"], "")
    )
    assert (squash(text), note) == ("Nouveau RIB FR14 2004 1010 0505 0013 M026 06", "")


def test_a_word_document_is_read_without_its_hidden_text() -> None:
    data = doc.docx(
        [
            "Le informiamo che le nostre coordinate bancarie sono cambiate.",
            # hidden text inside the IBAN, to break it for a reader that keeps it
            [("IT60 X054 2811 1010 ", False), ("0000 0000", True), ("0000 0123 456", False)],
        ],
        footer="Fornitore Esempio S.r.l.",
    )
    text, note = read("docx", data)
    assert note == ""
    assert text.splitlines() == [
        "Le informiamo che le nostre coordinate bancarie sono cambiate.",
        "IT60 X054 2811 1010 0000 0123 456",
        "Fornitore Esempio S.r.l.",
    ]


@needs_ocr
@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "TIFF"])
def test_an_image_is_read_through_ocr(fmt: str) -> None:
    png = doc.text_png(LETTER_PNG)
    data = png if fmt == "PNG" else doc.as_format(png, fmt)
    text, note = read("image", data)
    assert note == ""
    assert "Please pay to our new account" in text
    assert "GB82 WEST 1234 5698 7654 32" in text


LETTERS = {
    "de": (
        [
            "Rechnung 2211",
            "Bitte beachten Sie unsere neue Bankverbindung",
            "IBAN DE89 3704 0044 0532 0130 00",
        ],
        "neue Bankverbindung",
        "DE89 3704 0044 0532 0130 00",
    ),
    "fr": (
        [
            "Facture 2211",
            "Nos nouvelles coordonnées bancaires",
            "IBAN FR14 2004 1010 0505 0013 M026 06",
        ],
        "nouvelles coordonnées bancaires",
        "FR14 2004 1010 0505 0013 M026 06",
    ),
    "es": (
        ["Factura 2211", "Nuestra nueva cuenta bancaria", "IBAN ES91 2100 0418 4502 0005 1332"],
        "nueva cuenta bancaria",
        "ES91 2100 0418 4502 0005 1332",
    ),
    "nl": (
        ["Factuur 2211", "Ons nieuwe rekeningnummer", "IBAN NL91 ABNA 0417 1643 00"],
        "nieuwe rekeningnummer",
        "NL91 ABNA 0417 1643 00",
    ),
}


@needs_ocr
@pytest.mark.parametrize("language", sorted(LETTERS))
def test_a_letter_in_each_language_is_read_through_ocr(language: str) -> None:
    lines, phrase, iban = LETTERS[language]
    text, note = read("image", doc.text_png(lines))
    assert note == ""
    assert phrase in text
    assert iban in text


@needs_ocr
def test_a_scanned_pdf_is_read_through_ocr() -> None:
    text, note = read("pdf", doc.scanned_pdf(doc.text_png(LETTER_PNG)))
    assert note == ""
    assert "GB82 WEST 1234 5698 7654 32" in text


def test_without_tesseract_images_are_listed_as_not_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(isolated, "ocr_command", lambda languages: ("", ""))
    assert read_isolated([("image", doc.text_png(["x"]))], LIMITS) == [("", "not read: no OCR")]
    _text, note = read_isolated([("pdf", doc.scanned_pdf(doc.text_png(["x"])))], LIMITS)[0]
    assert note == "images not read: no OCR"


# ------------------------------------------------------------------ hostile files


def test_an_encrypted_pdf_is_named_not_read() -> None:
    assert read("pdf", doc.encrypted_pdf(INVOICE_DE)) == ("", "encrypted")


def test_a_pdf_with_a_huge_page_tree_costs_bounded_time() -> None:
    _text, note = read("pdf", doc.pdf([["only page"]], kids=[4] * 300_000))
    assert note.startswith("unreadable") or note.startswith("cut to 20")


def test_a_pdf_whose_page_tree_loops_is_unreadable() -> None:
    assert read("pdf", doc.pdf([["a"]], kids=[2, 4]))[1].startswith("unreadable")


def test_a_pdf_that_claims_more_pages_than_it_has_is_read() -> None:
    text, _note = read("pdf", doc.pdf([["one page"]], claimed_pages=1_000_000))
    assert squash(text) == "one page"


def test_a_pdf_decompression_bomb_costs_bounded_time_and_memory() -> None:
    assert read("pdf", doc.bomb_pdf(200))[1].startswith("unreadable")


def test_a_word_zip_bomb_is_cut_in_bounded_time_and_memory() -> None:
    _text, note = read("docx", doc.zip_bomb_docx(300))
    assert note == "cut: too large or broken from some point on"


def test_an_enormous_image_is_refused_from_its_header() -> None:
    assert read("image", doc.huge_png(20000, 20000)) == ("", "too large: 20000x20000 pixels")


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("pdf", b"%PDF-1.7\n" + b"\x00garbage" * 100),
        ("pdf", doc.pdf([INVOICE_DE])[:300]),
        ("docx", b"PK\x03\x04" + b"\x00" * 200),
        ("docx", doc.docx(["truncated"])[:150]),
        ("docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100),
        ("image", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50),
        ("image", doc.text_png(["cut"])[:400]),
    ],
)
def test_a_truncated_or_garbage_file_gives_a_note(kind: str, data: bytes) -> None:
    text, note = read(kind, data)
    assert note, (kind, text)


def test_a_reader_over_its_time_is_killed_and_the_next_one_runs() -> None:
    # a page whose text costs the PDF reader far more than the time allowed
    slow = doc.pdf([[f"line {i} " * 10 for i in range(25_000)]])
    limits = Limits(attachment_seconds=0.5)
    started = time.monotonic()
    _text, note = read_isolated([("pdf", slow)], limits)[0]
    assert note == "unreadable: took too long"
    assert time.monotonic() - started < 0.5 + SLACK
    assert read("pdf", doc.pdf([["still reading"]]))[0].strip() == "still reading"


def test_a_reader_over_its_memory_is_stopped_and_the_next_one_runs() -> None:
    # a content stream that inflates to 60 MiB, in a reader allowed 128 MiB in all
    limits = Limits(attachment_memory_bytes=128 * 1024 * 1024)
    _text, note = read_isolated([("pdf", doc.bomb_pdf(60))], limits)[0]
    assert note == "unreadable: too much memory"
    assert "DE89" in read("pdf", doc.pdf([INVOICE_DE]))[0]


def test_the_message_time_budget_is_kept() -> None:
    slow = doc.pdf([[f"line {i} " * 10 for i in range(25_000)]])
    limits = Limits(attachment_seconds=0.4, attachments_seconds=1.0)
    started = time.monotonic()
    results = read_isolated([("pdf", slow)] * 5, limits)
    assert time.monotonic() - started < 1.0 + SLACK
    assert results[-1] == ("", "not read: time limit")


# ------------------------------------------------------------------ end to end, and the cost


def test_a_raw_message_with_a_pdf_attachment_has_its_text() -> None:
    pdf = base64.b64encode(doc.pdf([INVOICE_DE])).decode()
    raw = (
        "From: billing@partner.example\r\nTo: ap@example.com\r\nSubject: Rechnung\r\n"
        'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nAnbei die Rechnung.\r\n"
        '--b\r\nContent-Type: application/pdf; name="rechnung.pdf"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n" + pdf + "\r\n--b--\r\n"
    )
    (a,) = from_raw(raw).attachments
    assert (a.name, a.kind, a.note) == ("rechnung.pdf", "pdf", "")
    assert "DE89 3704 0044 0532 0130 00" in a.text


def test_no_process_is_started_without_something_to_read(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> object:
        raise AssertionError("a reader process was asked for")

    monkeypatch.setattr(isolated._SERVER, "read", refuse)
    f = from_payload(
        {
            "headers": "From: a@partner.example\r\n",
            "body": "hi",
            "attachments": [
                {"name": "a.txt", "content_type": "text/plain", "content": "aGk="},
                {"name": "a.zip", "content_type": "application/zip", "content": "UEsDBA=="},
            ],
        }
    )
    assert [a.text for a in f.attachments] == ["hi", ""]
    from_raw("From: a@partner.example\r\n\r\nhi\r\n")


@needs_ocr
def test_a_letter_sent_as_an_image_reaches_the_bank_check(tmp_path: Path) -> None:
    """End to end: the request and the new account are only in a scanned letter (PNG)."""
    from tests.fixtures_runner import FIXTURES, Case, analyse

    png = doc.text_png(
        [
            "Supplier Ltd - Accounts",
            "Please note that our bank details have changed.",
            "Kindly make all future payments to our new account:",
            "IBAN GB82 WEST 1234 5698 7654 32",
        ]
    )
    raw = (
        "From: Oliver Hughes <oliver.hughes@supplier-uk.example>\r\nTo: ap@buyer.example\r\n"
        "Subject: Letter\r\nMessage-ID: <scan-1@supplier-uk.example>\r\n"
        'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nPlease see the attached letter.\r\n"
        '--b\r\nContent-Type: image/png; name="letter.png"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
        + base64.b64encode(png).decode()
        + "\r\n--b--\r\n"
    )
    path = tmp_path / "scan.eml"
    path.write_text(raw)
    config = {
        "internal_domains": ["buyer.example"],
        "directory": str(FIXTURES / "directory" / "bank-partners.csv"),
    }
    verdict = analyse(Case(path, {}, config))
    assert verdict.level == "danger"
    assert "BANK_DETAILS_CHANGED" in {f.id for f in verdict.findings}
