"""The readers of PDF, Word and image content. They run in the child process that
:mod:`.isolated` starts, under its resource limits; nothing here is safe to run in the
service's own process on hostile input, and nothing here logs or stores what it reads.

Each reader returns ``(text, note)``: the text a person would read, bounded, and a note in
plain words when not all of it (or nothing) was read.
"""

from __future__ import annotations

import io
import subprocess
import zipfile
from typing import IO, Any

from caveat.mail.limits import Limits

#: Pages of a PDF whose images are read through OCR when the page has (almost) no text:
#: a scanned invoice.
PDF_OCR_PAGES = 2
#: Below this many characters, a PDF page is taken for a scan.
PDF_SCAN_CHARS = 40
#: Bytes of XML read from one part of a Word document, and from all of them: a real
#: document's text is a small part of it; a ZIP bomb stops here.
DOCX_PART_BYTES = 16 * 1024 * 1024
DOCX_TOTAL_BYTES = 32 * 1024 * 1024
#: The parts of a Word document that hold what a reader sees, main text first.
_DOCX_PARTS = ("word/document.xml",)
_DOCX_EXTRA_PREFIXES = ("word/header", "word/footer", "word/footnotes", "word/endnotes")
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
#: Larger images are scaled down to this many pixels before OCR: text large enough to
#: read in a phone photo stays readable, and OCR time stays within the limit.
OCR_PIXELS = 8_000_000
#: Smallest image worth reading (a spacer, a bullet or a one-line icon is not a document).
MIN_IMAGE_SIDE = 24
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class _Full(Exception):
    """Enough text was read."""


def read_one(kind: str, data: bytes, limits: Limits, ocr: tuple[str, str]) -> tuple[str, str]:
    """Read one attachment of ``kind``; ``ocr`` is (tesseract command, languages) or ("", "").

    Never raises: a file a reader cannot read gives a note ``unreadable: ...``.
    """
    try:
        if kind == "pdf":
            return read_pdf(data, limits, ocr)
        if kind == "docx":
            return read_docx(data, limits)
        if kind == "image":
            return read_image(data, limits, ocr)
    except MemoryError:
        return "", "unreadable: too much memory"
    except RecursionError:
        return "", "unreadable: nested too deep"
    except Exception as exc:  # any failure of a reader on hostile input is a note
        return "", f"unreadable: {_reason(exc)}"
    return "", "not read: type"


def _reason(exc: BaseException) -> str:
    """A short reason without any of the file's content (an exception message may quote it)."""
    return {
        "PdfReadError": "not a valid PDF",
        "PdfStreamError": "broken PDF stream",
        "FileNotDecryptedError": "encrypted",
        "BadZipFile": "not a valid Word document",
        "XMLSyntaxError": "not a valid Word document",
        "UnidentifiedImageError": "not a valid image",
        "DecompressionBombError": "too large",
        "LimitReachedError": "too large or too complex to read",
        "TimeoutExpired": "took too long",
    }.get(type(exc).__name__, type(exc).__name__)


# ------------------------------------------------------------------ PDF


def read_pdf(data: bytes, limits: Limits, ocr: tuple[str, str]) -> tuple[str, str]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data), strict=False)
    notes: list[str] = []
    if reader.is_encrypted:
        # Many PDFs are encrypted with an empty user password (only editing is locked):
        # they open without a password, so a person reads them, and so do we.
        try:
            opened = bool(reader.decrypt(""))
        except Exception:  # an encryption pypdf cannot open is as locked
            opened = False
        if not opened:
            return "", "encrypted"
    count = len(reader.pages)
    most = limits.max_attachment_chars
    texts: list[str] = []
    size = 0
    read = min(count, limits.max_pdf_pages)
    scanned: list[int] = []
    for i in range(read):
        page = reader.pages[i]
        text = page.extract_text() or ""
        if len(text.strip()) < PDF_SCAN_CHARS and i < PDF_OCR_PAGES:
            scanned.append(i)
        texts.append(text)
        size += len(text)
        if size >= most:
            if i + 1 < count:
                notes.append(f"cut to {i + 1} of {count} pages")
            break
    else:
        if count > read:
            notes.append(f"cut to {read} of {count} pages")
    if scanned and size < most:
        if not ocr[0]:
            notes.append("images not read: no OCR")
        else:
            for i in scanned:
                text, note = _ocr_pdf_page(reader.pages[i], limits, ocr)
                if text:
                    texts[i] = (texts[i] + "\n" + text).strip()
                if note and note not in notes:
                    notes.append(note)
    return "\n".join(t for t in texts if t)[:most], "; ".join(notes)


def _ocr_pdf_page(page: object, limits: Limits, ocr: tuple[str, str]) -> tuple[str, str]:
    """The largest image of a page that has no text of its own (a scan), through OCR."""
    best = None
    best_pixels = 0
    try:
        images = list(page.images)  # type: ignore[attr-defined]
    except Exception:  # an image pypdf cannot list is not read
        return "", "images unreadable"
    for image in images[:20]:
        pil = _decoded_image(image)
        if pil is None:
            continue
        pixels = pil.width * pil.height
        if pixels > best_pixels:
            best, best_pixels = pil, pixels
    if best is None:
        return "", ""
    return _ocr_image(best, limits, ocr)


def _decoded_image(image: Any) -> Any:
    """A PDF image as a Pillow image, or None when its encoding cannot be decoded."""
    try:
        return image.image
    except Exception:  # an image encoding Pillow cannot decode is not read
        return None


# ------------------------------------------------------------------ Word (OOXML)


class _Capped(io.RawIOBase):
    """A stream that ends after ``most`` bytes, whatever the ZIP entry claims."""

    def __init__(self, raw: IO[bytes], most: int) -> None:
        self.raw = raw
        self.left = most
        self.cut = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self.left <= 0:
            self.cut = bool(self.raw.read(1))
            return 0
        chunk = self.raw.read(min(len(buffer), self.left, 1 << 16))
        buffer[: len(chunk)] = chunk
        self.left -= len(chunk)
        return len(chunk)


def read_docx(data: bytes, limits: Limits) -> tuple[str, str]:
    if data.startswith(OLE_MAGIC):
        return "", "encrypted"  # a password-protected Office file is an OLE container
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return "", "unreadable: not a valid Word document"
    with archive:
        names = archive.namelist()
        if "word/document.xml" not in names:
            return "", "unreadable: not a Word document"
        extra = sorted(
            n for n in names if n.startswith(_DOCX_EXTRA_PREFIXES) and n.endswith(".xml")
        )
        texts: list[str] = []
        notes: list[str] = []
        size = 0
        budget = DOCX_TOTAL_BYTES
        for name in (*_DOCX_PARTS, *extra[:20]):
            if budget <= 0 or size >= limits.max_attachment_chars:
                break
            with archive.open(name) as raw:
                capped = _Capped(raw, min(DOCX_PART_BYTES, budget))
                text, broken = _docx_text(capped, limits.max_attachment_chars - size)
                budget -= min(DOCX_PART_BYTES, budget) - max(capped.left, 0)
            if (capped.cut or broken) and not notes:
                notes.append("cut: too large or broken from some point on")
            if text:
                texts.append(text)
                size += len(text)
    return "\n".join(texts), "; ".join(notes)


def _docx_text(stream: Any, most: int) -> tuple[str, bool]:
    """The visible text of one WordprocessingML part: runs marked hidden (``w:vanish``) or
    of a size no one can read, deleted text and field codes are left out. The flag says
    the part could not be read to its end (cut, or broken XML)."""
    from lxml import etree

    out: list[str] = []
    size = 0
    broken = False
    try:
        for event, elem in etree.iterparse(
            stream,
            events=("end",),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        ):
            tag = elem.tag
            if tag == _W + "r":
                if not _hidden_run(elem):
                    for child in elem:
                        ctag = child.tag
                        if ctag == _W + "t" and child.text:
                            out.append(child.text)
                            size += len(child.text)
                        elif ctag == _W + "tab":
                            out.append("\t")
                        elif ctag in (_W + "br", _W + "cr"):
                            out.append("\n")
                elem.clear(keep_tail=True)
            elif tag == _W + "p":
                out.append("\n")
                elem.clear(keep_tail=True)
                if size >= most:
                    raise _Full
            elif tag in (_W + "tc",):
                out.append("\t")
            del event
    except _Full:
        pass
    except etree.XMLSyntaxError:
        broken = True  # cut or broken: what was read stands
    lines = ("".join(out)).split("\n")
    return "\n".join(line.strip() for line in lines if line.strip())[:most], broken


def _hidden_run(run: object) -> bool:
    props = run.find(_W + "rPr")  # type: ignore[attr-defined]
    if props is None:
        return False
    vanish = props.find(_W + "vanish")
    if vanish is not None and vanish.get(_W + "val", "true") not in ("0", "false", "off"):
        return True
    size = props.find(_W + "sz")
    if size is not None:
        try:
            return int(size.get(_W + "val", "24")) <= 2  # half-points: 1 pt or less
        except ValueError:
            return False
    return False


# ------------------------------------------------------------------ images


def read_image(data: bytes, limits: Limits, ocr: tuple[str, str]) -> tuple[str, str]:
    from PIL import Image

    # Pillow's own bomb check would refuse at open; the size is checked here instead, from
    # the header, before a pixel is decoded.
    Image.MAX_IMAGE_PIXELS = None
    with Image.open(io.BytesIO(data)) as image:
        if image.format not in ("PNG", "JPEG", "GIF", "TIFF", "MPO"):
            return "", "not read: type"
        width, height = image.size
        if width * height > limits.max_image_pixels:
            return "", f"too large: {width}x{height} pixels"
        if min(width, height) < MIN_IMAGE_SIDE:
            return "", "not read: too small"
        if not ocr[0]:
            return "", "not read: no OCR"
        frames = getattr(image, "n_frames", 1)
        image.seek(0)
        text, note = _ocr_image(image, limits, ocr)
        if frames > 1:
            note = "; ".join(n for n in (note, f"cut to 1 of {frames} pages") if n)
        return text, note


def _ocr_image(image: object, limits: Limits, ocr: tuple[str, str]) -> tuple[str, str]:
    """Tesseract on one image (grey, as PNG on its standard input), bounded by the child's
    limits and its own timeout."""
    from PIL import Image

    assert isinstance(image, Image.Image)
    if image.width * image.height > limits.max_image_pixels:
        return "", f"too large: {image.width}x{image.height} pixels"
    grey = image.convert("L")
    if grey.width * grey.height > OCR_PIXELS:
        scale = (OCR_PIXELS / (grey.width * grey.height)) ** 0.5
        grey = grey.resize((max(1, int(grey.width * scale)), max(1, int(grey.height * scale))))
    buffer = io.BytesIO()
    grey.save(buffer, format="PNG", compress_level=1)
    command, languages = ocr
    done = subprocess.run(  # noqa: S603 - a fixed command, no shell
        [command, "stdin", "stdout", "-l", languages, "--psm", "3"],
        input=buffer.getvalue(),
        capture_output=True,
        timeout=limits.attachment_seconds,
        check=False,
        env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"},
    )
    if done.returncode != 0:
        return "", "unreadable: OCR failed"
    text = done.stdout.decode("utf-8", "replace")
    return "\n".join(line.strip() for line in text.splitlines() if line.strip()), ""
