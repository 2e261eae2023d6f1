"""Reading attachments: what a person would read in them, within bounds.

- :mod:`.kinds` tells a PDF, a Word document, an image, a text file and the rest apart,
  by content first, then by type and name (both written by the sender).
- :mod:`.mime` finds the body parts and the attachments of a raw message.
- :mod:`.reader` decides what is read within the limits and reads text in memory.

Nothing read here is stored or logged: the text lives in the Facts of one request.
"""

from __future__ import annotations

from .kinds import content_type_of, kind_of
from .mime import Blob, b64decode, collect, decode_text
from .reader import read_attachments

__all__ = [
    "Blob",
    "b64decode",
    "collect",
    "content_type_of",
    "decode_text",
    "kind_of",
    "read_attachments",
]
