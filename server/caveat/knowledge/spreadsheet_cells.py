"""Cells that a spreadsheet will not run as formulas (CSV injection).

A spreadsheet opening a CSV file runs a cell that begins with ``=``, ``+``, ``-`` or ``@``
as a formula, and a tab or carriage return in front of one hides it. Much of what Caveat
exports was typed by someone else (an organisation's name from a partner file, a note, a
display name), so every export writes such a cell with a ``'`` in front, which makes it
text (OWASP's advice on CSV injection). :func:`inert` does that; :func:`read_inert` undoes
it, so a file Caveat exported reads back to the same values when it is imported again
(the partner directory: a phone number written ``+44 …`` exports as ``'+44 …``).
"""

from __future__ import annotations

__all__ = ["FORMULA_START", "inert", "read_inert"]

#: What a spreadsheet reads as the start of a formula (or hides one behind).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def inert(value: str) -> str:
    """``value`` as a cell no spreadsheet runs as a formula. Idempotent: a cell made inert
    twice (by a service and then by the page that sends it) is made inert once."""
    return "'" + value if value.startswith(FORMULA_START) else value


def read_inert(value: str) -> str:
    """The value :func:`inert` made this cell of; any other cell as it is. (A value that
    itself began with ``'`` and a formula's first character, which no import keeps, reads
    back without its ``'``.)"""
    if value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value
