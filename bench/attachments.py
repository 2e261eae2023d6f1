"""Attachment reading: time per attachment kind and size, p50 and p99, and what it adds to
one analyze request.

    .venv/bin/python bench/attachments.py [--repeat 20]

Each attachment is read --repeat times through the isolated reader (a child process per
attachment, forked by the reader's fork server, as the service does); percentiles are
over those runs. The fork server's own start (once per worker process) is timed apart.
Then the analyze path of the service (the payload normalised, the engine run) for the same
message without attachments, with a PDF, and with a PDF, a Word document and a PNG.

The documents are made on the spot by tests/mail/documents.py (no file is read).
"""

from __future__ import annotations

import argparse
import base64
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.mail import documents as doc  # noqa: E402

from caveat.engine.engine import Engine  # noqa: E402
from caveat.knowledge.context import Context, EngineConfig  # noqa: E402
from caveat.mail.attachments import isolated  # noqa: E402
from caveat.mail.limits import Limits  # noqa: E402
from caveat.mail.normalise import from_payload  # noqa: E402

LETTER = [
    "Lieferant GmbH - Buchhaltung",
    "Bitte beachten Sie unsere neue Bankverbindung",
    "IBAN DE89 3704 0044 0532 0130 00",
]


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def cases() -> list[tuple[str, str, bytes]]:
    lines = [f"Position {i}  Beratung  1.200,00 EUR" for i in range(40)]
    big_pages = [[*LETTER, *lines] for _ in range(20)]
    return [
        ("pdf", "1 page", doc.pdf([LETTER])),
        ("pdf", "20 pages", doc.pdf(big_pages)),
        ("pdf", "200 pages", doc.pdf(big_pages * 10)),
        ("pdf", "scan, 1 page (OCR)", doc.scanned_pdf(doc.text_png(LETTER))),
        ("docx", "3 paragraphs", doc.docx(LETTER)),
        ("docx", "2000 paragraphs", doc.docx([*LETTER, *(lines * 50)])),
        ("image", "PNG 1400x250, 3 lines", doc.text_png(LETTER)),
        ("image", "PNG A4 2480x2700, 43 lines", doc.text_png([*LETTER, *lines], width=2480)),
        ("image", "JPEG 1400x250", doc.as_format(doc.text_png(LETTER), "JPEG")),
        ("docx", "zip bomb (300 MiB)", doc.zip_bomb_docx(300)),
        ("pdf", "decompression bomb (60 MiB)", doc.bomb_pdf(60)),
        ("image", "PNG header 20000x20000", doc.huge_png()),
    ]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    limits = Limits()
    ocr = isolated.ocr_command(limits.ocr_languages)
    print(f"OCR: {ocr[0] or 'none'} ({ocr[1] or '-'})")

    t0 = time.perf_counter()
    isolated.read_isolated([("docx", doc.docx(["warm up"]))], limits)
    print(f"fork server start (once per worker): {(time.perf_counter() - t0) * 1000:.0f} ms")

    print(f"\n{'kind':6} {'attachment':30} {'bytes':>9} {'p50 ms':>8} {'p99 ms':>8}  note")
    for kind, label, data in cases():
        times: list[float] = []
        note = ""
        runs = args.repeat if "bomb" not in label else max(3, args.repeat // 5)
        for _ in range(runs):
            t = time.perf_counter()
            ((_text, note),) = isolated.read_isolated([(kind, data)], limits)
            times.append((time.perf_counter() - t) * 1000)
        print(
            f"{kind:6} {label:30} {len(data):9} {pct(times, 0.5):8.1f} {pct(times, 0.99):8.1f}"
            f"  {note}"
        )

    engine = Engine()
    ctx = Context(config=EngineConfig.build(internal_domains=["buyer.example"]))
    base = {
        "headers": "From: Jana Vogel <jana.vogel@lieferant.example>\r\nTo: ap@buyer.example\r\n"
        "Subject: Rechnung\r\nMessage-ID: <b1@lieferant.example>\r\n",
        "body": "Sehr geehrte Damen und Herren,\n\nanbei unsere Rechnung.\n\nJana Vogel",
    }

    def item(name: str, ctype: str, data: bytes) -> dict[str, str]:
        return {"name": name, "content_type": ctype, "content": base64.b64encode(data).decode()}

    pdf = item("rechnung.pdf", "application/pdf", doc.pdf([LETTER]))
    payloads = {
        "no attachments": base,
        "one PDF": {**base, "attachments": [pdf]},
        "PDF + DOCX + PNG (OCR)": {
            **base,
            "attachments": [
                pdf,
                item("brief.docx", "application/octet-stream", doc.docx(LETTER)),
                item("scan.png", "image/png", doc.text_png(LETTER)),
            ],
        },
    }
    print(f"\n{'analyze (normalise + engine)':30} {'p50 ms':>8} {'p99 ms':>8}")
    for label, payload in payloads.items():
        engine.analyze(from_payload(payload), ctx)
        times = []
        for _ in range(args.repeat if label != "no attachments" else args.repeat * 50):
            t = time.perf_counter()
            engine.analyze(from_payload(payload), ctx)
            times.append((time.perf_counter() - t) * 1000)
        print(f"{label:30} {pct(times, 0.5):8.3f} {pct(times, 0.99):8.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
