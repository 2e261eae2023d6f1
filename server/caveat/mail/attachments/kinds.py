"""What kind of file an attachment is: by its first bytes, then its type, then its name.

The declared type and the file name are written by the sender, and mail software labels
real invoices ``application/octet-stream`` every day, so the content decides when it can:
a file that starts like a PDF is read as a PDF whatever it is called.
"""

from __future__ import annotations

#: Content types read as text.
TEXT_TYPES = frozenset(
    {
        "text/plain",
        "text/csv",
        "text/html",
        "text/markdown",
        "text/tab-separated-values",
        "message/rfc822",
        "application/xhtml+xml",
    }
)
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
IMAGE_TYPES = frozenset(
    {"image/png", "image/jpeg", "image/jpg", "image/pjpeg", "image/gif", "image/tiff"}
)

_EXTENSIONS = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".docm": "docx",
    ".png": "image",
    ".jpg": "image",
    ".jpeg": "image",
    ".jpe": "image",
    ".gif": "image",
    ".tif": "image",
    ".tiff": "image",
    ".txt": "text",
    ".text": "text",
    ".csv": "text",
    ".tsv": "text",
    ".htm": "text",
    ".html": "text",
    ".eml": "text",
    ".md": "text",
}

_MAGIC = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF87a", "image"),
    (b"GIF89a", "image"),
    (b"II*\x00", "image"),
    (b"MM\x00*", "image"),
)


def content_type_of(value: str) -> str:
    """``type/subtype`` in lower case, without parameters; "" for anything else."""
    main = value.split(";", 1)[0].strip().lower()
    return main if "/" in main and len(main) <= 255 and " " not in main else ""


def extension_kind(name: str) -> str:
    dot = name.rfind(".")
    return _EXTENSIONS.get(name[dot:].strip().lower(), "") if dot >= 0 else ""


def kind_of(name: str, content_type: str, head: bytes = b"") -> str:
    """One of ``pdf``, ``docx``, ``image``, ``text`` or ``other``.

    ``head`` is the start of the content (a kilobyte is plenty); when it is empty (content
    not at hand) the type and the name decide. A ZIP file is a Word document only when its
    type or name says so (the reader then finds out whether it holds one).
    """
    if head:
        for magic, kind in _MAGIC:
            if head.startswith(magic):
                return kind
        if b"%PDF-" in head[:1024]:  # readers allow (and senders put) bytes before it
            return "pdf"
    by_type = _type_kind(content_type)
    by_name = extension_kind(name)
    if head.startswith(b"PK\x03\x04"):
        return "docx" if "docx" in (by_type, by_name) else "other"
    if head and (by_type in ("pdf", "image") or by_name in ("pdf", "image")):
        return "other"  # says it is a PDF or an image, but is not one: nothing to read
    if by_type and by_type != "other":
        return by_type
    if by_name:
        return by_name
    return "other"


def _type_kind(content_type: str) -> str:
    if content_type == "application/pdf" or content_type == "application/x-pdf":
        return "pdf"
    if content_type == DOCX_TYPE:
        return "docx"
    if content_type in IMAGE_TYPES:
        return "image"
    if content_type in TEXT_TYPES:
        return "text"
    return "other" if content_type else ""
