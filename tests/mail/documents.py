"""Small real documents made on the spot for the attachment tests and bench/attachments.py:
PDF (written by hand, to the letter of the format), Word .docx (a ZIP of WordprocessingML),
PNG (drawn with Pillow), and hostile ones built to hurt a reader. No third-party document
is committed; every one is made from the text given."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib


def _pdf_string(line: str) -> bytes:
    raw = line.encode("cp1252", "replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def pdf(
    pages: list[list[str]],
    *,
    claimed_pages: int | None = None,
    kids: list[int] | None = None,
) -> bytes:
    """A PDF with one page per item of ``pages``, each line of text on its own line, in
    Helvetica (WinAnsi). ``claimed_pages`` writes another /Count into the page tree;
    ``kids`` lists the page tree's children by object number (for broken trees)."""
    objects: dict[int, bytes] = {}
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[3] = (
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    page_ids = []
    n = 4
    for lines in pages:
        stream = (
            b"BT /F1 12 Tf 14 TL 56 780 Td "
            + b" ".join(_pdf_string(line) + b" Tj T*" for line in lines)
            + b" ET"
        )
        objects[n + 1] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
        objects[n] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (n + 1)
        )
        page_ids.append(n)
        n += 2
    kid_ids = page_ids if kids is None else kids
    count = len(page_ids) if claimed_pages is None else claimed_pages
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kid_ids),
        count,
    )
    return _pdf_file(objects)


def _pdf_file(objects: dict[int, bytes]) -> bytes:
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for num in sorted(objects):
        offsets[num] = out.tell()
        out.write(b"%d 0 obj\n" % num + objects[num] + b"\nendobj\n")
    size = max(objects) + 1
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % size)
    for num in range(1, size):
        if num in offsets:
            out.write(b"%010d 00000 n \n" % offsets[num])
        else:
            out.write(b"0000000000 65535 f \n")
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref))
    return out.getvalue()


def encrypted_pdf(lines: list[str], user_password: str = "s3cret") -> bytes:  # noqa: S107
    """The PDF of ``lines``, encrypted (AES-256); with ``user_password=""`` it opens
    without a password (only editing is locked)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf([lines]))))
    writer.encrypt(user_password=user_password, owner_password="owner-only", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def scanned_pdf(png: bytes) -> bytes:
    """A one-page PDF whose only content is an image (a scan), no text."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("L")
    data = zlib.compress(image.tobytes())
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        4: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /XObject << /Im1 6 0 R >> >> /Contents 5 0 R >>",
    }
    draw = b"q 595 0 0 %d 0 %d cm /Im1 Do Q" % (
        595 * image.height // image.width,
        842 - 595 * image.height // image.width,
    )
    objects[5] = b"<< /Length %d >>\nstream\n" % len(draw) + draw + b"\nendstream"
    objects[6] = (
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n"
        % (image.width, image.height, len(data))
        + data
        + b"\nendstream"
    )
    return _pdf_file(objects)


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def docx(paragraphs: list[str | list[tuple[str, bool]]], *, footer: str = "") -> bytes:
    """A Word document: each paragraph a string, or a list of (text, hidden) runs."""
    body = []
    for para in paragraphs:
        runs = [(para, False)] if isinstance(para, str) else para
        xml_runs = "".join(
            "<w:r>"
            + ("<w:rPr><w:vanish/></w:rPr>" if hidden else "")
            + f'<w:t xml:space="preserve">{_xml_text(text)}</w:t></w:r>'
            for text, hidden in runs
        )
        body.append(f"<w:p>{xml_runs}</w:p>")
    document = (
        f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body>'
        + "".join(body)
        + "</w:body></w:document>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("word/document.xml", document)
        if footer:
            run = f"<w:p><w:r><w:t>{_xml_text(footer)}</w:t></w:r></w:p>"
            z.writestr("word/footer1.xml", f'<w:ftr xmlns:w="{W}">{run}</w:ftr>')
    return out.getvalue()


def zip_bomb_docx(megabytes: int = 200) -> bytes:
    """A .docx whose document.xml inflates to ``megabytes`` MiB of one paragraph."""
    head = f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>'.encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            f.write(head)
            chunk = b"A" * (1 << 20)
            for _ in range(megabytes):
                f.write(chunk)
            f.write(b"</w:t></w:r></w:p></w:body></w:document>")
    return out.getvalue()


def text_png(lines: list[str], *, width: int = 1400, size: int = 40) -> bytes:
    """A white image with ``lines`` of black text, as a scan of a letter would have."""
    from PIL import Image, ImageDraw, ImageFont

    try:  # a font with every accented letter of the seven languages, where there is one
        font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", size)
    except OSError:
        font = ImageFont.load_default(size=size)
    height = 60 + len(lines) * int(size * 1.6)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((40, 30 + i * int(size * 1.6)), line, fill=0, font=font)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def as_format(png: bytes, fmt: str) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("L").save(out, format=fmt)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def huge_png(width: int = 20000, height: int = 20000) -> bytes:
    """A PNG that claims ``width`` x ``height`` pixels (of which a few bytes are sent):
    a decoder that trusts it allocates gigabytes."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * (width + 1) * 4)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
    )


def bomb_pdf(megabytes: int = 60) -> bytes:
    """A one-page PDF whose content stream inflates from a few kilobytes to ``megabytes``
    MiB (spaces, then one line of text)."""
    content = b" " * (megabytes << 20) + b"BT /F1 12 Tf 56 780 Td (bottom) Tj ET"
    data = zlib.compress(content, 9)
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        4: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>",
        5: b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream",
    }
    return _pdf_file(objects)
