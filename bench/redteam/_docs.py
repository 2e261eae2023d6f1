"""Attachments of the red-team set: PDF invoices and letters (fpdf2), Word letters and
invoices (python-docx), and scanned or photographed letters (Pillow), all made from the
scenario's text with fixed dates, so that running the generator again writes the same
bytes.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from docx import Document
from docx.shared import Pt
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FIXED = datetime(2026, 11, 2, 8, 0, 0, tzinfo=UTC)


def _font(name: str) -> Path | None:
    p = FONT_DIR / name
    return p if p.exists() else None


@dataclass
class Letterhead:
    company: str
    lines: list[str]  # address, phone, web
    footer: list[str] = field(default_factory=list)  # register, VAT, bank line


@dataclass
class Invoice:
    title: str  # "Rechnung", "Invoice", "Facture", ...
    number_label: str
    number: str
    date_label: str
    date: str
    to_lines: list[str]
    columns: list[str]  # e.g. ["Pos.", "Beschreibung", "Menge", "Preis", "Betrag"]
    rows: list[list[str]]
    totals: list[tuple[str, str]]
    notes: list[str]  # paragraphs after the table (payment terms, bank details, notices)
    bank_block: list[str] = field(default_factory=list)  # lines of the payment box


class _PDF(FPDF):
    def __init__(self, head: Letterhead, unicode_font: bool) -> None:
        super().__init__(format="A4")
        self.head = head
        self.set_creation_date(FIXED)
        self.set_title(head.company)
        self.set_producer("Invoicing 4.2")
        self.unicode_font = unicode_font and _font("DejaVuSans.ttf") is not None
        if self.unicode_font:
            self.add_font("body", "", str(_font("DejaVuSans.ttf")))
            self.add_font("body", "B", str(_font("DejaVuSans-Bold.ttf")))
            self.family = "body"
        else:
            self.family = "helvetica"
        self.set_auto_page_break(True, margin=28)

    def txt(self, s: str) -> str:
        if self.unicode_font:
            return s
        return s.encode("latin-1", "replace").decode("latin-1")

    def header(self) -> None:
        self.set_font(self.family, "B", 15)
        self.cell(0, 8, self.txt(self.head.company), new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.family, "", 8)
        for line in self.head.lines:
            self.cell(0, 4, self.txt(line), new_x="LMARGIN", new_y="NEXT")
        self.ln(6)

    def footer(self) -> None:
        if not self.head.footer:
            return
        self.set_y(-24)
        self.set_font(self.family, "", 7)
        for line in self.head.footer:
            self.cell(0, 3.5, self.txt(line), align="C", new_x="LMARGIN", new_y="NEXT")


def pdf_invoice(
    head: Letterhead, inv: Invoice, unicode_font: bool = True, page_break_before_notes: bool = False
) -> bytes:
    pdf = _PDF(head, unicode_font)
    pdf.add_page()
    pdf.set_font(pdf.family, "", 10)
    for line in inv.to_lines:
        pdf.cell(0, 5, pdf.txt(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font(pdf.family, "B", 13)
    pdf.cell(0, 7, pdf.txt(inv.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(pdf.family, "", 10)
    pdf.cell(
        0,
        5,
        pdf.txt(f"{inv.number_label}: {inv.number}    {inv.date_label}: {inv.date}"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(4)
    widths = _widths(len(inv.columns))
    pdf.set_font(pdf.family, "B", 9)
    for w, c in zip(widths, inv.columns, strict=True):
        pdf.cell(w, 6, pdf.txt(c), border="B")
    pdf.ln()
    pdf.set_font(pdf.family, "", 9)
    for row in inv.rows:
        for w, c in zip(widths, row, strict=True):
            pdf.cell(w, 6, pdf.txt(c))
        pdf.ln()
    pdf.ln(2)
    for label, value in inv.totals:
        pdf.cell(sum(widths[:-1]), 6, pdf.txt(label), align="R")
        pdf.cell(widths[-1], 6, pdf.txt(value), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    if page_break_before_notes:
        pdf.add_page()
    for para in inv.notes:
        pdf.multi_cell(0, 5, pdf.txt(para), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    if inv.bank_block:
        pdf.ln(2)
        pdf.set_font(pdf.family, "B", 9)
        y = pdf.get_y()
        pdf.rect(pdf.l_margin, y, 120, 5.5 * len(inv.bank_block) + 3)
        pdf.set_xy(pdf.l_margin + 2, y + 1.5)
        for line in inv.bank_block:
            pdf.cell(0, 5.5, pdf.txt(line), new_x="LMARGIN", new_y="NEXT")
            pdf.set_x(pdf.l_margin + 2)
    return bytes(pdf.output())


def _widths(n: int) -> list[float]:
    if n == 5:
        return [12, 88, 20, 25, 25]
    if n == 4:
        return [100, 20, 25, 25]
    return [170 / n] * n


def pdf_letter(
    head: Letterhead,
    to_lines: list[str],
    place_date: str,
    subject: str,
    paragraphs: list[str],
    signature: list[str],
    unicode_font: bool = True,
) -> bytes:
    pdf = _PDF(head, unicode_font)
    pdf.add_page()
    pdf.set_font(pdf.family, "", 10)
    for line in to_lines:
        pdf.cell(0, 5, pdf.txt(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.cell(0, 5, pdf.txt(place_date), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(pdf.family, "B", 11)
    pdf.multi_cell(0, 6, pdf.txt(subject), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(pdf.family, "", 10)
    for para in paragraphs:
        pdf.multi_cell(0, 5, pdf.txt(para), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2.5)
    pdf.ln(4)
    for line in signature:
        pdf.cell(0, 5, pdf.txt(line), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def pdf_of_image(png: bytes) -> bytes:
    """A scanned letter: one A4 page holding only a picture, no text layer."""
    pdf = FPDF(format="A4")
    pdf.set_creation_date(FIXED)
    pdf.set_producer("Scan2PDF 3.1")
    pdf.add_page()
    pdf.image(io.BytesIO(png), x=0, y=0, w=210, h=297)
    return bytes(pdf.output())


# --- Word ----------------------------------------------------------------------------------


def _fix_docx(raw: bytes) -> bytes:
    """Rewrite the package with fixed member dates (python-docx stamps the current time)."""
    src = zipfile.ZipFile(io.BytesIO(raw))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 11, 2, 8, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def docx_letter(
    head: Letterhead,
    to_lines: list[str],
    place_date: str,
    subject: str,
    paragraphs: list[str],
    signature: list[str],
    table: list[list[str]] | None = None,
    author: str = "",
) -> bytes:
    doc = Document()
    props = doc.core_properties
    props.author = author or head.company
    props.last_modified_by = author or head.company
    props.created = FIXED.replace(tzinfo=None)
    props.modified = FIXED.replace(tzinfo=None)
    props.revision = 1
    props.title = subject
    style = doc.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(10.5)
    hdr = doc.sections[0].header.paragraphs[0]
    run = hdr.add_run(head.company)
    run.bold = True
    for line in head.lines:
        hdr.add_run("\n" + line).font.size = Pt(8)
    for line in to_lines:
        doc.add_paragraph(line)
    doc.add_paragraph(place_date)
    p = doc.add_paragraph()
    p.add_run(subject).bold = True
    for para in paragraphs:
        doc.add_paragraph(para)
    if table:
        t = doc.add_table(rows=0, cols=len(table[0]))
        t.style = "Table Grid"
        for row in table:
            cells = t.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                cell.text = value
        doc.add_paragraph("")
    for line in signature:
        doc.add_paragraph(line)
    if head.footer:
        ftr = doc.sections[0].footer.paragraphs[0]
        ftr.text = " · ".join(head.footer)
    buf = io.BytesIO()
    doc.save(buf)
    return _fix_docx(buf.getvalue())


# --- images ----------------------------------------------------------------------------------


def letter_image(
    lines: list[str], fmt: str = "PNG", photo: bool = False, width: int = 1240
) -> bytes:
    """A letter as a scan (PNG, clean) or a phone photo (JPEG, tilted, grey paper)."""
    regular = _font("DejaVuSans.ttf")
    bold = _font("DejaVuSans-Bold.ttf")
    size = 26
    font = ImageFont.truetype(str(regular), size) if regular else ImageFont.load_default()
    font_b = ImageFont.truetype(str(bold), size + 4) if bold else font
    line_h = int(size * 1.55)
    height = max(900, 140 + line_h * (len(lines) + 2))
    bg = (236, 234, 228) if photo else (255, 255, 255)
    img = Image.new("RGB", (width, height), bg)
    draw = ImageDraw.Draw(img)
    y = 90
    for line in lines:
        is_title = line.startswith("# ")
        text = line[2:] if is_title else line
        draw.text((100, y), text, fill=(25, 25, 30), font=font_b if is_title else font)
        y += line_h + (10 if is_title else 0)
    if photo:
        img = img.rotate(
            0.7, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(90, 84, 76)
        )
        img = img.filter(ImageFilter.GaussianBlur(0.6))
    buf = io.BytesIO()
    if fmt == "JPEG":
        img.save(buf, "JPEG", quality=82, optimize=True)
    else:
        img = img.convert("L")
        img.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def logo_png(text: str, colour: tuple[int, int, int]) -> bytes:
    """A small signature logo, as mail signatures carry inline."""
    bold = _font("DejaVuSans-Bold.ttf")
    font = ImageFont.truetype(str(bold), 22) if bold else ImageFont.load_default()
    img = Image.new("RGB", (260, 48), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, 10, 48), fill=colour)
    draw.text((20, 10), text, fill=colour, font=font)
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=True)
    return buf.getvalue()
