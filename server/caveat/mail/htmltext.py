"""The text a person sees in an HTML body, for the body checks.

Many messages (newsletters, invoices sent from accounting software, most phishing) carry
their words in an HTML part, and an attacker who knows a filter reads the markup writes
for the filter and the reader separately: text hidden by CSS (``display:none``, a zero or
tiny font, zero opacity, white on white, a box of zero size with its overflow hidden,
``mso-hide:all``, off-screen positioning) to break an IBAN apart or to plant words a reader
never sees; and words the reader does see that a naive reader misses. This module reads
the document the way a mail client renders it:

* the markup is parsed by an HTML5 parser (selectolax's Lexbor engine), so a malformed
  table or an unclosed tag builds the tree a browser builds;
* ``<style>`` blocks are parsed with tinycss2 and their rules applied through the parser's
  own selector engine, with a small cascade (``!important``, inline style, specificity,
  order, inheritance of colour, font size and visibility; ``display:none`` and opacity
  cannot be undone by a descendant), so a "hide" rule that a later rule undoes hides
  nothing;
* presentational attributes count at the lowest priority (``hidden``, ``bgcolor``,
  ``<font color>``), so CSS can show what ``hidden`` hides, as a browser does;
* text in ``<script>``, ``<style>``, ``<template>`` and the head is never seen; text in
  Outlook's conditional comments (``<!--[if mso]>``) is what classic Outlook shows, and is
  read; ``aria-hidden`` hides from screen readers only, so it hides nothing here;
* ``::before`` / ``::after`` rules with a ``content`` string add their text;
* blocks end lines, table cells are separated by a space within their row.

Hostile markup costs bounded time: the markup is cut to :data:`MAX_HTML_CHARS`, elements
nested deeper than :data:`MAX_DEPTH` lose their tags (their text is kept, so nothing can be
hidden by nesting), style sheets are read to :data:`MAX_STYLE_CHARS` and
:data:`MAX_RULES` selectors, and the walk over the tree is iterative. Nothing here is
rendered, stored or logged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import tinycss2
from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

#: markup read at most (characters); the normaliser bounds it earlier still
MAX_HTML_CHARS = 2_000_000
#: elements open at once; deeper start tags are dropped before parsing
MAX_DEPTH = 256
#: style sheet text read at most, over all <style> blocks
MAX_STYLE_CHARS = 200_000
#: selectors applied at most (a selector list counts each of its selectors)
MAX_RULES = 1000
#: a selector longer than this is not applied
MAX_SELECTOR_CHARS = 400

#: a font at or below this many CSS pixels cannot be read
_TINY_PX = 3.0
#: an element this transparent or more cannot be read
_FAINT = 0.1
#: colours closer than this (largest channel difference, 0-255) look the same
_SAME_COLOUR = 24

#: elements whose content a reader never sees
_NEVER_SHOWN = frozenset(
    {"script", "style", "head", "title", "template", "meta", "link", "base", "param"}
)
#: elements that end a line
_BLOCK = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "center", "dd", "details", "dialog",
        "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2",
        "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre",
        "section", "summary", "table", "tbody", "tfoot", "thead", "tr", "ul", "caption",
    }
)  # fmt: skip
_CELL = frozenset({"td", "th"})
#: tags that never open an element, and tags the parser closes by itself: neither
#: counts towards the nesting depth
_NOT_NESTING = frozenset(
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr", "p", "li", "dt", "dd", "td", "th", "tr", "tbody", "thead",
        "tfoot", "option", "optgroup", "colgroup", "caption", "rb", "rt", "rp", "rtc",
    }
)  # fmt: skip
_TAG_RE = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]{0,20})\b[^>]*?(/?)>")
_CONDITIONAL_RE = re.compile(r"<!--\[if[^\]>]{0,200}\]>|<!\[endif\]-->", re.IGNORECASE)
_PSEUDO_RE = re.compile(r"::?(before|after)\s*$", re.IGNORECASE)
_SPECIFICITY_ID_RE = re.compile(r"#[\w-]+")
_SPECIFICITY_CLASS_RE = re.compile(r"\.[\w-]+|\[[^\]]*\]|(?<!:):(?!not\b|is\b|where\b)[\w-]+")
_SPECIFICITY_TYPE_RE = re.compile(r"(?:^|[\s>+~(,])([a-zA-Z][\w-]*)")
_LENGTH_RE = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+))(px|pt|em|rem|%|ex|ch|vw|vh|cm|mm|in|pc)?$")
_SPACES_RE = re.compile(r"[ \t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")

#: properties the cascade keeps; everything else is ignored
_WATCHED = frozenset(
    {
        "display", "visibility", "opacity", "font-size", "font", "color", "background-color",
        "background", "width", "height", "max-height", "max-width", "overflow", "overflow-x",
        "overflow-y", "mso-hide", "position", "left", "top", "text-indent", "clip",
        "clip-path", "transform", "line-height", "content",
    }
)  # fmt: skip
_NAMED_COLOURS = {
    "white": (255, 255, 255), "black": (0, 0, 0), "red": (255, 0, 0), "green": (0, 128, 0),
    "blue": (0, 0, 255), "yellow": (255, 255, 0), "gray": (128, 128, 128),
    "grey": (128, 128, 128), "silver": (192, 192, 192), "navy": (0, 0, 128),
    "whitesmoke": (245, 245, 245), "snow": (255, 250, 250), "ivory": (255, 255, 240),
    "ghostwhite": (248, 248, 255), "floralwhite": (255, 250, 240),
    "lightgray": (211, 211, 211), "lightgrey": (211, 211, 211), "gainsboro": (220, 220, 220),
    "aliceblue": (240, 248, 255), "azure": (240, 255, 255), "mintcream": (245, 255, 250),
    "honeydew": (240, 255, 240), "linen": (250, 240, 230), "seashell": (255, 245, 238),
    "beige": (245, 245, 220), "oldlace": (253, 245, 230), "lavenderblush": (255, 240, 245),
    "darkgray": (169, 169, 169), "darkgrey": (169, 169, 169), "dimgray": (105, 105, 105),
    "orange": (255, 165, 0), "purple": (128, 0, 128), "maroon": (128, 0, 0),
    "teal": (0, 128, 128), "olive": (128, 128, 0), "lime": (0, 255, 0), "aqua": (0, 255, 255),
    "fuchsia": (255, 0, 255),
}  # fmt: skip
_WHITE = (255, 255, 255)

Colour = tuple[int, int, int]
#: (important, origin, specificity, order): the larger wins (origin 0 attributes,
#: 1 style sheet, 2 inline style)
Priority = tuple[int, int, tuple[int, int, int], int]


@dataclass(frozen=True, slots=True)
class HtmlText:
    """What a reader sees of an HTML document."""

    text: str
    #: pieces of text that were in the document but hidden from the reader
    hidden: int = 0
    #: what was left out to stay within the limits, in plain words ("" when nothing)
    cut: str = ""


# ----------------------------------------------------------------- bounding the markup


def _bounded(html: str) -> tuple[str, str]:
    """The markup with conditional-comment markers removed (their content is what classic
    Outlook shows) and start tags nested deeper than MAX_DEPTH dropped, and a note of what
    was cut."""
    note = ""
    if len(html) > MAX_HTML_CHARS:
        html = html[:MAX_HTML_CHARS]
        note = f"HTML read to {MAX_HTML_CHARS} characters"
    if "[if" in html or "[endif" in html:
        html = _CONDITIONAL_RE.sub("", html)
    if html.count("<") <= MAX_DEPTH:
        return html, note
    depth = 0
    dropped: list[tuple[int, int]] = []
    open_tags: list[str] = []
    for m in _TAG_RE.finditer(html):
        closing, tag, selfclosing = m.group(1), m.group(2).lower(), m.group(3)
        if tag in _NOT_NESTING or selfclosing:
            continue
        if closing:
            if open_tags and open_tags[-1] == tag:
                open_tags.pop()
                depth -= 1
            elif tag in open_tags:  # closes the ones opened after it, as a parser would
                while open_tags and open_tags.pop() != tag:
                    depth -= 1
                depth -= 1
            continue
        if depth >= MAX_DEPTH:
            dropped.append(m.span())
            continue
        open_tags.append(tag)
        depth += 1
    if not dropped:
        return html, note
    parts = []
    at = 0
    for s, e in dropped:
        parts.append(html[at:s])
        at = e
    parts.append(html[at:])
    extra = f"{len(dropped)} tags nested deeper than {MAX_DEPTH} ignored"
    return "".join(parts), f"{note}; {extra}" if note else extra


# ----------------------------------------------------------------- CSS values


#: a style text longer than this is parsed each time, not remembered (what is remembered
#: stays under a megabyte or two per process whatever the mail holds)
_REMEMBERED_STYLE_CHARS = 500


def _declarations(text: str) -> tuple[tuple[str, str, bool], ...]:
    """(property, value, important) for each declaration of a style attribute or block.
    The same style text comes back in every cell of a newsletter's table and in every
    message of a list: the answers for short ones are remembered."""
    if len(text) <= _REMEMBERED_STYLE_CHARS:
        return _remembered_declarations(text)
    return _parse_declarations(text)


def _parse_declarations(text: str) -> tuple[tuple[str, str, bool], ...]:
    out = []
    for d in tinycss2.parse_blocks_contents(text, skip_whitespace=True, skip_comments=True):
        if d.type != "declaration":
            continue
        name = d.lower_name
        if name not in _WATCHED:
            continue
        value = tinycss2.serialize(d.value).strip()
        out.append((name, value if name == "content" else value.lower(), bool(d.important)))
    return tuple(out)


_remembered_declarations = lru_cache(maxsize=2048)(_parse_declarations)


def _length_px(value: str, parent_px: float) -> float | None:
    """A CSS length in pixels (relative units against ``parent_px``); None when unknown."""
    v = value.strip().lower()
    if v in ("0", "0px", "none"):
        return 0.0
    m = _LENGTH_RE.match(v)
    if m is None:
        return None
    n = float(m.group(1))
    unit = m.group(2) or "px"
    if unit == "px":
        return n
    if unit == "pt":
        return n * 4 / 3
    if unit in ("em", "rem", "ex", "ch"):
        return n * parent_px * (0.5 if unit in ("ex", "ch") else 1)
    if unit == "%":
        return n * parent_px / 100
    if unit in ("vw", "vh"):
        return n * 8
    return {"cm": 37.8, "mm": 3.78, "in": 96.0, "pc": 16.0}[unit] * n


_KEYWORD_SIZES = {
    "xx-small": 9.0, "x-small": 10.0, "small": 13.0, "medium": 16.0, "large": 18.0,
    "x-large": 24.0, "xx-large": 32.0, "xxx-large": 48.0,
}  # fmt: skip


def _font_size(value: str, parent_px: float) -> float | None:
    v = value.strip().lower()
    if v in _KEYWORD_SIZES:
        return _KEYWORD_SIZES[v]
    if v == "smaller":
        return parent_px / 1.2
    if v == "larger":
        return parent_px * 1.2
    return _length_px(v, parent_px)


def _font_shorthand_size(value: str, parent_px: float) -> float | None:
    """The size in a ``font`` shorthand ("bold 0px/0 Arial")."""
    for part in value.replace("/", " / ").split():
        if part == "/":
            break
        size = _font_size(part, parent_px)
        if size is not None:
            return size
    return None


def _colour(value: str) -> Colour | None:
    v = value.strip().lower().replace(" ", "")
    if v in _NAMED_COLOURS:
        return _NAMED_COLOURS[v]
    if v.startswith("#"):
        h = v[1:]
        if len(h) in (3, 4):
            h = "".join(c * 2 for c in h[:3])
        if len(h) in (6, 8):
            try:
                return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)
            except ValueError:
                return None
        return None
    if v.startswith(("rgb(", "rgba(")):
        inner = v[v.index("(") + 1 : -1].replace("/", ",")
        parts = [p for p in inner.split(",") if p]
        try:
            rgb = [
                round(float(p[:-1]) * 2.55) if p.endswith("%") else round(float(p))
                for p in parts[:3]
            ]
        except ValueError:
            return None
        if len(parts) >= 4:  # fully transparent text shows nothing: treat as the background
            try:
                alpha = float(parts[3][:-1]) / 100 if parts[3].endswith("%") else float(parts[3])
            except ValueError:
                alpha = 1.0
            if alpha <= _FAINT:
                return None
        if len(rgb) == 3:
            return rgb[0], rgb[1], rgb[2]
    return None


def _transparent(value: str) -> bool:
    v = value.strip().lower().replace(" ", "")
    if v == "transparent":
        return True
    if v.startswith("rgba(") or (v.startswith("rgb(") and "/" in v):
        parts = v[v.index("(") + 1 : -1].replace("/", ",").split(",")
        if len(parts) >= 4:
            try:
                a = parts[3]
                return (float(a[:-1]) / 100 if a.endswith("%") else float(a)) <= _FAINT
            except ValueError:
                return False
    return False


def _background_colour(value: str) -> Colour | None:
    """The colour in a ``background`` shorthand or ``background-color``."""
    for token in re.split(r"\s+(?![^(]*\))", value.strip()):
        c = _colour(token)
        if c is not None:
            return c
    return None


def _near(a: Colour, b: Colour) -> bool:
    return max(abs(x - y) for x, y in zip(a, b, strict=True)) <= _SAME_COLOUR


def _specificity(selector: str) -> tuple[int, int, int]:
    s = re.sub(r"\"[^\"]*\"|'[^']*'", "", selector)
    ids = len(_SPECIFICITY_ID_RE.findall(s))
    classes = len(_SPECIFICITY_CLASS_RE.findall(_SPECIFICITY_ID_RE.sub("", s)))
    types = len(_SPECIFICITY_TYPE_RE.findall(_SPECIFICITY_CLASS_RE.sub("", s)))
    return ids, classes, types


def _split_selectors(prelude: str) -> list[str]:
    """A selector list split at its top-level commas."""
    out: list[str] = []
    depth = 0
    start = 0
    for i, ch in enumerate(prelude):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif ch == "," and depth == 0:
            out.append(prelude[start:i].strip())
            start = i + 1
    out.append(prelude[start:].strip())
    return [s for s in out if s]


# ----------------------------------------------------------------- the cascade


@dataclass(frozen=True, slots=True)
class _Rule:
    selector: str
    pseudo: str  # "", "before" or "after"
    specificity: tuple[int, int, int]
    order: int
    declarations: tuple[tuple[str, str, bool], ...]


@lru_cache(maxsize=8)
def _rules(sheet: str) -> tuple[_Rule, ...]:
    """Style rules of the document's style sheets that set a watched property, in order;
    the rules inside ``@media`` and ``@supports`` blocks count (a mail client may well
    meet their condition). The messages of one sender carry the same sheet: the last
    few sheets' rules are remembered."""
    out: list[_Rule] = []
    pending = list(
        reversed(tinycss2.parse_stylesheet(sheet, skip_whitespace=True, skip_comments=True))
    )
    order = 0
    while pending and order < MAX_RULES:
        node = pending.pop()
        if node.type == "at-rule":
            if node.lower_at_keyword in ("media", "supports", "document", "layer") and node.content:
                inner = tinycss2.parse_rule_list(
                    node.content, skip_whitespace=True, skip_comments=True
                )
                pending.extend(reversed(inner))
            continue
        if node.type != "qualified-rule":
            continue
        decls = _declarations(tinycss2.serialize(node.content))
        if not decls:
            continue
        for sel in _split_selectors(tinycss2.serialize(node.prelude)):
            if len(sel) > MAX_SELECTOR_CHARS or order >= MAX_RULES:
                continue
            pseudo = ""
            m = _PSEUDO_RE.search(sel)
            if m is not None:
                pseudo = m.group(1).lower()
                sel = sel[: m.start()].strip() or "*"
            order += 1
            out.append(_Rule(sel, pseudo, _specificity(sel), order, decls))
    return tuple(out)


class _Styles:
    """The declarations that apply to each element, with their priority."""

    def __init__(self) -> None:
        self.by_node: dict[int, dict[str, tuple[Priority, str]]] = {}
        self.pseudo: dict[int, dict[str, tuple[Priority, str]]] = {}

    def add(self, key: int, prop: str, value: str, priority: Priority, pseudo: str = "") -> None:
        table = self.by_node if not pseudo else self.pseudo
        slot = key if not pseudo else key * 2 + (pseudo == "after")
        props = table.setdefault(slot, {})
        old = props.get(prop)
        if old is None or priority >= old[0]:
            props[prop] = (priority, value)


def _apply_sheets(tree: LexborHTMLParser, styles: _Styles) -> None:
    sheet_parts: list[str] = []
    size = 0
    for node in tree.css("style"):
        text = node.text(deep=True) or ""
        if size + len(text) > MAX_STYLE_CHARS:
            text = text[: max(0, MAX_STYLE_CHARS - size)]
        sheet_parts.append(text)
        size += len(text)
        if size >= MAX_STYLE_CHARS:
            break
    if not sheet_parts:
        return
    for rule in _rules("\n".join(sheet_parts)):
        try:
            matched = tree.css(rule.selector)
        except SelectolaxError:  # a selector the engine cannot read matches nothing
            matched = []
        for node in matched:
            key = node.mem_id
            for prop, value, important in rule.declarations:
                priority: Priority = (int(important), 1, rule.specificity, rule.order)
                styles.add(key, prop, value, priority, rule.pseudo)


_INLINE_SPECIFICITY = (1, 0, 0)


def _attribute_styles(node: LexborNode, styles: _Styles) -> None:
    attrs = node.attributes
    key = node.mem_id
    low: Priority = (0, 0, (0, 0, 0), 0)
    if "hidden" in attrs:
        styles.add(key, "display", "none", low)
    if attrs.get("bgcolor"):
        styles.add(key, "background-color", str(attrs["bgcolor"]), low)
    if node.tag == "font":
        if attrs.get("color"):
            styles.add(key, "color", str(attrs["color"]), low)
        if attrs.get("size") in ("0", "-7", "-6"):
            styles.add(key, "font-size", "1px", low)
    style = attrs.get("style")
    if style:
        for prop, value, important in _declarations(str(style)):
            styles.add(key, prop, value, (int(important), 2, _INLINE_SPECIFICITY, 0))


# ----------------------------------------------------------------- the walk


@dataclass(frozen=True, slots=True)
class _State:
    hidden: bool = False
    invisible: bool = False  # visibility:hidden (a descendant may be visible again)
    font_px: float = 16.0
    colour: Colour | None = None
    background: Colour = _WHITE
    opacity: float = 1.0


def _hides_box(props: dict[str, tuple[Priority, str]], font_px: float) -> bool:
    """The element's own box shows nothing of its content."""

    def get(name: str) -> str:
        v = props.get(name)
        return v[1] if v else ""

    if get("display").startswith("none") or get("mso-hide").startswith("all"):
        return True
    overflow = " ".join(get(n) for n in ("overflow", "overflow-x", "overflow-y"))
    if "hidden" in overflow or "clip" in overflow:
        for dim in ("width", "height", "max-height", "max-width"):
            px = _length_px(get(dim), font_px) if get(dim) else None
            if px is not None and px <= 1:
                return True
    position = get("position")
    if position in ("absolute", "fixed"):
        for side in ("left", "top"):
            px = _length_px(get(side), font_px) if get(side) else None
            if px is not None and px <= -500:
                return True
        clip = get("clip").replace(" ", "")
        if clip.startswith("rect(") and re.fullmatch(r"rect\((0(px)?,?){4}\)", clip):
            return True
    indent = _length_px(get("text-indent"), font_px) if get("text-indent") else None
    if indent is not None and indent <= -500:
        return True
    clip_path = get("clip-path").replace(" ", "")
    if clip_path in ("inset(50%)", "inset(100%)", "circle(0)", "circle(0px)", "polygon()"):
        return True
    transform = get("transform").replace(" ", "")
    return transform in ("scale(0)", "scale(0,0)", "scalex(0)", "scaley(0)")


def _child_state(state: _State, props: dict[str, tuple[Priority, str]] | None) -> _State:
    if not props:
        return state

    def get(name: str) -> str:
        v = props.get(name)
        return v[1] if v else ""

    hidden = state.hidden
    invisible = state.invisible
    font_px = state.font_px
    colour = state.colour
    background = state.background
    opacity = state.opacity
    if get("font-size"):
        size = _font_size(get("font-size"), state.font_px)
        if size is not None:
            font_px = size
    elif get("font"):
        size = _font_shorthand_size(get("font"), state.font_px)
        if size is not None:
            font_px = size
    if get("visibility"):
        v = get("visibility")
        invisible = v.startswith(("hidden", "collapse"))
    if get("opacity"):
        try:
            o = get("opacity").strip()
            opacity *= float(o[:-1]) / 100 if o.endswith("%") else float(o)
        except ValueError:
            pass
    if get("color"):
        if _transparent(get("color")):
            hidden = True
        c = _colour(get("color"))
        if c is not None:
            colour = c
    for name in ("background-color", "background"):
        if get(name):
            bg = _background_colour(get(name))
            if bg is not None:
                background = bg
                break
    if not hidden and _hides_box(props, font_px):
        hidden = True
    if not hidden and opacity <= _FAINT:
        hidden = True
    lh = get("line-height")
    if not hidden and lh and _length_px(lh, font_px) == 0.0:
        mh = get("max-height") or get("height")
        if mh and _length_px(mh, font_px) == 0.0:
            hidden = True
    return _State(hidden, invisible, font_px, colour, background, opacity)


def _text_visible(state: _State) -> bool:
    if state.hidden or state.invisible or state.font_px <= _TINY_PX:
        return False
    return state.colour is None or not _near(state.colour, state.background)


def _content_text(value: str) -> str:
    """The strings of a ``content`` value (``"IBAN " attr(x)`` gives "IBAN ")."""
    out = []
    for token in tinycss2.parse_component_value_list(value):
        if token.type == "string":
            out.append(token.value)
    return "".join(out)


def visible_text(html: str) -> HtmlText:
    """What a reader sees of ``html``: blocks on their own lines, table cells separated
    by a space, runs of spaces collapsed; hidden text left out and counted."""
    if not html or not html.strip():
        return HtmlText("")
    markup, cut = _bounded(html)
    try:
        tree = LexborHTMLParser(markup)
    except (SelectolaxError, ValueError, TypeError):  # the parser gave up: nothing is read
        return HtmlText("", 0, "HTML could not be parsed")
    root = tree.body if tree.body is not None else tree.root
    if root is None:
        return HtmlText("", 0, cut)
    styles = _Styles()
    if "<style" in markup.lower():
        _apply_sheets(tree, styles)
    parts: list[str] = []
    hidden = 0
    # Iterative walk: (node, state of its parent, entering?)
    stack: list[tuple[LexborNode, _State, bool]] = [(root, _State(), True)]
    while stack:
        node, state, entering = stack.pop()
        if not entering:
            if node.tag in _BLOCK and node.tag != "br":
                parts.append("\n")
            key = node.mem_id * 2 + 1
            after = styles.pseudo.get(key)
            if after and "content" in after and _text_visible(state):
                parts.append(_content_text(after["content"][1]))
            continue
        tag = node.tag
        if tag == "-text":
            text = node.text_content or ""
            if text.strip():
                if _text_visible(state):
                    parts.append(text)
                else:
                    hidden += 1
            elif text:
                parts.append(" ")
            continue
        if tag is None or tag.startswith("-") or tag in _NEVER_SHOWN:
            continue
        _attribute_styles(node, styles)
        inner = _child_state(state, styles.by_node.get(node.mem_id))
        if tag in _BLOCK:
            parts.append("\n")
        elif tag in _CELL:
            parts.append(" ")
        before = styles.pseudo.get(node.mem_id * 2)
        if before and "content" in before and _text_visible(inner):
            parts.append(_content_text(before["content"][1]))
        stack.append((node, inner, False))
        children = []
        child = node.child
        while child is not None:
            children.append(child)
            child = child.next
        for c in reversed(children):
            stack.append((c, inner, True))
    return HtmlText(_tidy("".join(parts)), hidden, cut)


def _tidy(text: str) -> str:
    lines = (_SPACES_RE.sub(" ", line).strip() for line in text.splitlines())
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


@lru_cache(maxsize=4)
def html_to_text(html: str) -> str:
    """The text a reader sees of an HTML document or fragment (see :func:`visible_text`).
    The last few answers are remembered: the normaliser reads an HTML-only message's
    text, and the body checks read the same part again."""
    return visible_text(html).text
