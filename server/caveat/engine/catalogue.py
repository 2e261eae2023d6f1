"""The check catalogue: finding definitions, composites and level thresholds, as data.

Loaded from ``data/catalogue.toml`` (or a file named in the configuration) and validated at
start-up: a schema for the shape, then the cross-references (composite expressions name
known findings, every id the checks can emit is defined, banners fit Outlook's 150
characters). An invalid catalogue stops the service from starting.
"""

from __future__ import annotations

import re
import string
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from caveat.checks.findings import FAMILIES, SEVERITIES
from caveat.mail.bidi import PDI, first_strong, isolate, keep_direction, utf16_length

BANNER_MAX = 150
_ID = r"^[A-Z][A-Z0-9_]*$"
_TECHNIQUE = r"^T[0-9]{4}(\.[0-9]{3})?$"

_ENTRY_PROPS: dict[str, Any] = {
    "check": {"enum": list(FAMILIES)},
    "severity": {"enum": list(SEVERITIES)},
    "weight": {"type": "number", "minimum": 0, "maximum": 100},
    "title": {"type": "string", "minLength": 3, "maxLength": 120},
    "explanation": {"type": "string", "minLength": 20, "maxLength": 1200},
    "techniques": {"type": "array", "items": {"type": "string", "pattern": _TECHNIQUE}},
    "false_positives": {"type": "string", "minLength": 3},
    # what the evidence list of this finding shows (documentation)
    "evidence": {"type": "string", "minLength": 3},
    # the banner text when this finding sets the message's level; filled like the title and
    # used only when it fits Outlook's limit once filled (else the level's text is shown)
    "banner": {"type": "string", "minLength": 3, "maxLength": BANNER_MAX},
    # the title and explanation when the finding is about exactly one thing (its check
    # reports a count of 1: one person, one account); the plain ones are for several
    "title_one": {"type": "string", "minLength": 3, "maxLength": 120},
    "explanation_one": {"type": "string", "minLength": 20, "maxLength": 1200},
}
_ENTRY_REQUIRED = ["check", "severity", "weight", "title", "explanation", "false_positives"]

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["version", "levels", "findings"],
    "additionalProperties": False,
    "properties": {
        "version": {"const": 1},
        "levels": {
            "type": "object",
            "required": ["info", "caution", "danger"],
            "additionalProperties": False,
            "patternProperties": {
                "^(info|caution|danger)$": {
                    "type": "object",
                    "required": ["threshold", "title", "text"],
                    "additionalProperties": False,
                    "properties": {
                        "threshold": {"type": "number", "exclusiveMinimum": 0},
                        "title": {"type": "string", "minLength": 3, "maxLength": 80},
                        "text": {"type": "string", "minLength": 3, "maxLength": BANNER_MAX},
                        # the banner text instead of ``text`` when the same reader had the
                        # same findings from the same sender on earlier messages lately
                        # ({count} of them; repeat_one: exactly one). Never for danger.
                        "repeat": {"type": "string", "minLength": 3, "maxLength": BANNER_MAX},
                        "repeat_one": {
                            "type": "string", "minLength": 3, "maxLength": BANNER_MAX
                        },
                    },
                }
            },
        },
        "findings": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": _ID},
            "additionalProperties": {
                "type": "object",
                "required": _ENTRY_REQUIRED,
                "additionalProperties": False,
                "properties": _ENTRY_PROPS,
            },
        },
        "composites": {
            "type": "object",
            "propertyNames": {"pattern": _ID},
            "additionalProperties": {
                "type": "object",
                "required": [*_ENTRY_REQUIRED, "expression"],
                "additionalProperties": False,
                "properties": {**_ENTRY_PROPS, "expression": {"type": "string"}},
            },
        },
    },
}


class CatalogueError(ValueError):
    """The catalogue file is invalid; the message says where."""


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    check: str
    severity: str
    weight: float
    title: str
    explanation: str
    techniques: tuple[str, ...]
    false_positives: str
    expression: str = ""
    evidence: str = ""
    banner: str = ""
    #: the wording for exactly one (a check's ``count`` param of 1); "" when it has none
    title_one: str = ""
    explanation_one: str = ""

    def wording(self, count: object) -> tuple[str, str]:
        """The title and explanation templates for a finding about ``count`` things."""
        if count == 1:
            return self.title_one or self.title, self.explanation_one or self.explanation
        return self.title, self.explanation

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "check": self.check,
            "severity": self.severity,
            "weight": self.weight,
            "title": self.title,
            "explanation": self.explanation,
            "techniques": list(self.techniques),
            "false_positives": self.false_positives,
        }
        if self.expression:
            out["expression"] = self.expression
        if self.evidence:
            out["evidence"] = self.evidence
        if self.banner:
            out["banner"] = self.banner
        return out


@dataclass(frozen=True, slots=True)
class Level:
    name: str
    threshold: float
    title: str
    text: str
    #: the banner text for a repeated warning ({count} earlier messages), "" for none
    repeat: str = ""
    repeat_one: str = ""


Predicate = Callable[[frozenset[str]], bool]


@dataclass(frozen=True)
class Composite:
    entry: Entry
    holds: Predicate
    #: every finding the expression names
    needs: frozenset[str]
    #: the findings it names in a positive place (not under a "!"): those present when it
    #: holds are its parts, the findings that made it hold
    positive: frozenset[str] = frozenset()

    def parts(self, present: frozenset[str]) -> frozenset[str]:
        """The findings of ``present`` that make this composite hold (it must hold)."""
        return self.positive & present


_FORMATTER = string.Formatter()


def render(template: str, params: Mapping[str, Any]) -> str:
    """Fill ``{name}`` fields; a missing one becomes ``?`` rather than an error. A value
    that ends a sentence itself ("Supply Inc.") takes the place of the template's full
    stop right after it, so the text never reads "Inc..".

    Every filled value is a bidi isolate (:func:`caveat.mail.bidi.isolate`): FSI, the value
    without embedding, override or isolate controls, PDI. A display name holding a
    RIGHT-TO-LEFT OVERRIDE, or written in Arabic letters, then cannot reorder the rest of
    the sentence. A value a check built from several (``Isolated``) keeps its inner
    isolates. A text that would open with a right-to-left letter of a value gets a
    LEFT-TO-RIGHT MARK in front (:func:`caveat.mail.bidi.keep_direction`).

    Templates hold only plain ``{name}`` fields (checked when the catalogue loads)."""
    out: list[str] = []
    own: list[str] = []
    ended = False
    for literal, field, _, _ in _FORMATTER.parse(template):
        if ended and literal.startswith("."):
            literal = literal[1:]
        out.append(literal)
        own.append(literal)
        ended = False
        if field is not None:
            value = isolate(params[field]) if field in params else "?"
            out.append(value)
            ended = value.rstrip(PDI).endswith(".")
    # "{organisation} asks you to pay ...": a host that guesses the direction from the first
    # letter must find the sentence's, not a right-to-left name's
    return keep_direction("".join(out), first_strong("".join(own)))


def banner_length(text: str) -> int:
    """A banner's length as Outlook counts it (UTF-16 code units; the isolates count)."""
    return utf16_length(text)


class Catalogue:
    def __init__(self, data: Mapping[str, Any], *, source: str = "catalogue") -> None:
        try:
            jsonschema.validate(data, SCHEMA)
        except jsonschema.ValidationError as exc:
            where = "/".join(str(p) for p in exc.absolute_path) or "(top)"
            raise CatalogueError(f"{source}: {where}: {exc.message}") from None
        self.source = source
        self.levels = {
            name: Level(
                name,
                float(v["threshold"]),
                v["title"],
                v["text"],
                v.get("repeat", ""),
                v.get("repeat_one", ""),
            )
            for name, v in data["levels"].items()
        }
        if self.levels["danger"].repeat or self.levels["danger"].repeat_one:
            raise CatalogueError(f"{source}: levels/danger: a danger is never summarised")
        for lv in self.levels.values():
            if bool(lv.repeat) != bool(lv.repeat_one):
                raise CatalogueError(f"{source}: levels/{lv.name}: repeat needs repeat_one")
            for kind in ("repeat", "repeat_one"):
                if getattr(lv, kind):
                    _check_template(getattr(lv, kind), f"{source}: levels/{lv.name}/{kind}")
        order = [self.levels[n].threshold for n in ("info", "caution", "danger")]
        if order != sorted(order) or len(set(order)) != 3:
            raise CatalogueError(f"{source}: level thresholds must rise info < caution < danger")
        self.findings: dict[str, Entry] = {
            fid: _entry(fid, v) for fid, v in data["findings"].items()
        }
        self.composites: list[Composite] = []
        for cid, v in (data.get("composites") or {}).items():
            if cid in self.findings:
                raise CatalogueError(f"{source}: {cid} is both a finding and a composite")
            holds, names, positive = _compile(v["expression"], f"{source}: composites/{cid}")
            unknown = names - set(self.findings)
            if unknown:
                raise CatalogueError(
                    f"{source}: composites/{cid}: unknown "
                    f"{'finding' if len(unknown) == 1 else 'findings'} {', '.join(sorted(unknown))}"
                )
            if holds(frozenset()):
                # "!A" or "A | !B" would add a finding to every clean message.
                raise CatalogueError(
                    f"{source}: composites/{cid}: {v['expression']!r} holds on a message "
                    "with no findings; a composite must need at least one finding"
                )
            self.composites.append(
                Composite(_entry(cid, v), holds, frozenset(names), frozenset(positive))
            )
        for kind, entries in (
            ("findings", self.findings.values()),
            ("composites", (c.entry for c in self.composites)),
        ):
            for e in entries:
                _check_template(e.title, f"{source}: {kind}/{e.id}/title")
                _check_template(e.explanation, f"{source}: {kind}/{e.id}/explanation")
                if e.title_one:
                    _check_template(e.title_one, f"{source}: {kind}/{e.id}/title_one")
                if e.explanation_one:
                    _check_template(e.explanation_one, f"{source}: {kind}/{e.id}/explanation_one")
                if e.banner:
                    _check_template(e.banner, f"{source}: {kind}/{e.id}/banner")

    @classmethod
    def load(cls, path: str | Path | None = None) -> Catalogue:
        if path is None:
            text = resources.files("caveat.data").joinpath("catalogue.toml").read_text("utf-8")
            source = "catalogue.toml"
        else:
            text = Path(path).read_text("utf-8")
            source = str(path)
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise CatalogueError(f"{source}: {exc}") from None
        return cls(data, source=source)

    def require(self, ids: Iterable[str]) -> None:
        """Fail unless every id a check can emit is defined."""
        missing = sorted(set(ids) - set(self.findings))
        if missing:
            raise CatalogueError(f"{self.source}: no entry for {', '.join(missing)}")

    def entries(self) -> list[Entry]:
        return [*self.findings.values(), *(c.entry for c in self.composites)]


def _entry(fid: str, v: Mapping[str, Any]) -> Entry:
    return Entry(
        id=fid,
        check=v["check"],
        severity=v["severity"],
        weight=float(v["weight"]),
        title=v["title"],
        explanation=v["explanation"],
        techniques=tuple(v.get("techniques", ())),
        false_positives=v["false_positives"],
        expression=v.get("expression", ""),
        evidence=v.get("evidence", ""),
        banner=v.get("banner", ""),
        title_one=v.get("title_one", ""),
        explanation_one=v.get("explanation_one", ""),
    )


def _check_template(template: str, where: str) -> None:
    """Titles and explanations may use only plain ``{name}`` fields (see :func:`render`).

    Checked here so that a stray brace, a positional field or an attribute lookup stops
    the catalogue from loading instead of failing when the finding first fires.
    """
    try:
        fields = list(_FORMATTER.parse(template))
    except ValueError as exc:
        raise CatalogueError(f"{where}: {exc} (write {{{{ and }}}} for literal braces)") from None
    for _, field, spec, conversion in fields:
        if field is not None and (not field.isidentifier() or spec or conversion):
            bad = field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            raise CatalogueError(f"{where}: only plain {{name}} fields are allowed, not {{{bad}}}")


_TOKEN = re.compile(r"\s*(?:([A-Z][A-Z0-9_]*)|(.))")


def _compile(expression: str, where: str) -> tuple[Predicate, set[str], set[str]]:
    """Compile ``A & (B | !C)`` into a predicate over the set of finding ids present; with
    the ids it names, and those it names in a positive place (under no, or an even number
    of, ``!``: A and B here, not C)."""
    tokens: list[str] = []
    for m in _TOKEN.finditer(expression):
        if m.group(1):
            tokens.append(m.group(1))
        elif m.group(2) and not m.group(2).isspace():
            if m.group(2) not in "&|!()":
                raise CatalogueError(f"{where}: unexpected {m.group(2)!r} in expression")
            tokens.append(m.group(2))
    names: set[str] = set()
    positive: set[str] = set()
    pos = 0

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def take(expected: str | None = None) -> str:
        nonlocal pos
        tok = peek()
        if tok is None or (expected is not None and tok != expected):
            raise CatalogueError(f"{where}: expected {expected or 'a term'} in {expression!r}")
        pos += 1
        return tok

    def parse_or(negated: bool) -> Predicate:
        parts = [parse_and(negated)]
        while peek() == "|":
            take("|")
            parts.append(parse_and(negated))
        if len(parts) == 1:
            return parts[0]
        alternatives = tuple(parts)
        return lambda s: any(f(s) for f in alternatives)

    def parse_and(negated: bool) -> Predicate:
        parts = [parse_not(negated)]
        while peek() == "&":
            take("&")
            parts.append(parse_not(negated))
        if len(parts) == 1:
            return parts[0]
        conjuncts = tuple(parts)
        return lambda s: all(f(s) for f in conjuncts)

    def parse_not(negated: bool) -> Predicate:
        if peek() == "!":
            take("!")
            inner = parse_not(not negated)
            return lambda s: not inner(s)
        if peek() == "(":
            take("(")
            inner = parse_or(negated)
            take(")")
            return inner
        tok = take()
        if not re.match(_ID, tok):
            raise CatalogueError(f"{where}: expected a finding id, got {tok!r}")
        names.add(tok)
        if not negated:
            positive.add(tok)
        return lambda s: tok in s

    pred = parse_or(False)
    if pos != len(tokens):
        raise CatalogueError(f"{where}: unexpected {tokens[pos]!r} in {expression!r}")
    return pred, names, positive
