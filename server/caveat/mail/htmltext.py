"""The readable text of an HTML body, for the body checks.

Many messages (newsletters, invoices sent from accounting software, most phishing) carry
only an HTML part. The checks need what a reader sees: the text, with a line break where a
block ends, without scripts, styles or comments, character references decoded. Parsing is
done by the standard library's tolerant :class:`html.parser.HTMLParser`; nothing here is
rendered or stored.
"""

from __future__ import annotations

from html.parser import HTMLParser

#: elements whose content a reader never sees
_HIDDEN = frozenset({"script", "style", "head", "title", "template", "noscript", "svg"})
#: elements that end a line
_BLOCK = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "tfoot",
        "thead",
        "tr",
        "ul",
    }
)
_CELL = frozenset({"td", "th"})


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag in _BLOCK:
            self.parts.append("\n")
        elif tag in _CELL:
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The text of an HTML document or fragment: blocks on their own lines, runs of
    spaces collapsed, no markup."""
    p = _TextCollector()
    try:
        p.feed(html)
        p.close()
    except (AssertionError, ValueError):  # malformed markup the parser gives up on
        pass
    lines = (" ".join(line.split()) for line in "".join(p.parts).splitlines())
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()
