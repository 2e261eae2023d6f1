"""Render docs/checks.md from the catalogue, so the documentation cannot drift from it.

``python -m caveat.engine.catalogue_docs > docs/checks.md`` regenerates it; a test fails when the
file and the catalogue disagree.
"""

from __future__ import annotations

import re
import sys

from caveat.checks.findings import FAMILIES

from .catalogue import Catalogue, Entry

_INTRO = """\
# Checks

Every finding Caveat can report, generated from the check catalogue
(`server/caveat/data/catalogue.toml`) by `python -m caveat.engine.catalogue_docs`. Change the
catalogue, then regenerate this file; a test keeps the two in step.

## Scoring

Each finding adds its weight to the message's score. A composite adds its own finding when
its expression over other findings holds (`&` and, `|` or, `!` not). The level is the highest
whose threshold the score reaches, and never lower than the highest severity among the
findings: a single `danger` finding makes the message `danger`.

A composite's finding has no evidence of its own. Its `parts` list the findings present that
made its expression hold (those it names outside a `!`), and they carry the evidence; every
finding, part or not, is in the answer as well. Other findings have empty `parts`.

Fields in *italics* are filled from what the check found. Where an entry has a wording for
exactly one (one person, one account), that wording is used when the check counts one.

## Text direction

Names, addresses, domains, subjects and file names are written by the sender, and some
characters change the direction of the text after them: a RIGHT-TO-LEFT OVERRIDE (U+202E)
in a display name would turn the rest of a sentence around, or the address written after
the name. So, in every answer of the service:

- **Titles, explanations and banners.** Every filled field is a bidi isolate: FIRST STRONG
  ISOLATE (U+2068), the value, POP DIRECTIONAL ISOLATE (U+2069). Inside it the embedding,
  override and isolate controls (U+202A to U+202E, U+2066 to U+2069) are removed, so that
  nothing can close the isolate early or reach past it; direction marks (U+200E, U+200F,
  U+061C) stay, as right-to-left names need them. A value of left-to-right letters,
  European digits, spaces and punctuation only (which nothing can reorder) is left bare,
  so the texts of most mail carry no extra characters. A text that would open with a
  right-to-left letter of a value ("{organisation} asks you to pay ...") starts with a
  LEFT-TO-RIGHT MARK (U+200E): HTML's `dir=auto`, and hosts that guess a text's
  direction the same way, look inside isolates and would otherwise set the whole English
  sentence right to left. A banner's 150 characters are
  counted as Outlook counts them, in UTF-16 code units with the isolates included; a
  banner that does not fit once filled gives way to its level's text.
- **Evidence.** Values are quoted as the message wrote them, character for character, for
  people and for programs (exports, SIEM): a header value, a subject, an account. Where a
  value puts a name beside an address (`Name <address>`, "Known as", a swap "Name: was …,
  now …") or a name or file name inside a sentence, that name is isolated the same way,
  so that it cannot move or turn the address. The name as written, controls included, is
  in the evidence of `DISPLAY_NAME_CONTROLS`, with each hidden character shown as its
  code point.
- **Clients.** The Outlook task pane and the Thunderbird pop-up and banner set every
  message-derived string as text (never markup) in its own `<bdi>` element (CSS
  `unicode-bidi: isolate`): the name and the address of the From line are two isolates.

| level | threshold | banner title | banner text |
|---|---|---|---|
"""


_REPEATS = """
## Repeated warnings

A warning read again and again becomes wallpaper. When the same person (a signed-in reader:
a shared key names nobody) has had a `caution` with the same findings from the same sender
on earlier messages of the past seven days, the banner says so in one sentence instead of
repeating the level's text; the level, the findings and their evidence are those of the
message, and the pane shows them in full. A `danger` is always said in full, and a message
with one finding more or fewer than the earlier ones is a new warning. Opening the same
message again is not a repeat. The answer's `repeat` says how many earlier messages there
were and since when.

| level | one earlier message | several |
|---|---|---|
"""

_LANGUAGES = """
## Languages

Every title, explanation and banner is written in the reader's language when the client
names it (the request's `language`, else its Accept-Language header): English, German,
French, Spanish, Italian, Dutch, Portuguese, Polish, Czech, Swedish, Turkish, Japanese,
Chinese (simplified) or Arabic. The English below is the source; the translations are
gettext catalogues in `server/caveat/locale/`, kept in step by `python -m
caveat.engine.translations`. Counts take each language's plural forms. The words a check
puts in a field ("a free-mail mailbox", "the sender", a list of groups) and Caveat's own
evidence labels ("Known as", "Account") are worded too, lists joined by the language's
rules; header names and the values quoted from the message stay as written. Only the wording
changes with the language, never the level or the findings.
"""


def render_markdown(catalogue: Catalogue) -> str:
    out = [_INTRO]
    for name in ("info", "caution", "danger"):
        lv = catalogue.levels[name]
        out.append(f"| `{name}` | {lv.threshold:g} | {lv.title} | {lv.text} |\n")
    out.append(_REPEATS)
    for name in ("info", "caution", "danger"):
        lv = catalogue.levels[name]
        if lv.repeat:
            out.append(f"| `{name}` | {lv.repeat_one} | {_fields(lv.repeat)} |\n")
    out.append(_LANGUAGES)
    by_family: dict[str, list[Entry]] = {}
    for entry in catalogue.entries():
        by_family.setdefault(entry.check, []).append(entry)
    for family in FAMILIES:
        entries = by_family.get(family)
        if not entries:
            continue
        out.append(f"\n## `{family}`\n")
        for e in entries:
            out.append(_section(e))
    return "".join(out)


def _section(e: Entry) -> str:
    kind = "composite" if e.expression else "finding"
    lines = [
        f"\n### `{e.id}`\n",
        f"\n**{e.title}** — {kind}, severity `{e.severity}`, weight {e.weight:g}",
    ]
    if e.techniques:
        lines.append(f", ATT&CK {', '.join(e.techniques)}")
    lines.append(".\n\n")
    if e.expression:
        lines.append(f"Fires when: `{e.expression}`\n\n")
    lines.append(f"What it means: {_fields(e.explanation)}\n\n")
    if e.title_one or e.explanation_one:
        title = _fields(e.title_one or e.title)
        lines.append(
            f"For exactly one: **{title}** — {_fields(e.explanation_one or e.explanation)}\n\n"
        )
    lines.append(f"Evidence: {e.evidence}\n\n")
    lines.append(f"Known false positives: {e.false_positives}\n")
    return "".join(lines)


def _fields(template: str) -> str:
    return re.sub(r"\{(\w+)\}", r"*\1*", template)


def main() -> int:
    sys.stdout.write(render_markdown(Catalogue.load()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
