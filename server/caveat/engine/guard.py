"""The send-time recipient guard: before a message leaves, are its recipients who they seem?

The Outlook add-in asks while a new message or a reply is being written (when the
recipients change, and when the user presses Send). Only the recipient-facing families
judge it, with the same checks and catalogue entries as an arriving message:

  recipient_swap          someone this conversation knew is now addressed at another
                          address (the memory of the conversation is read);
  lookalike_domain        a recipient's domain imitates ours or a partner's;
  freemail_impersonation  a free-mail recipient uses the name of someone we know;
  reported_sender         a recipient's address or domain is a known fraud indicator
                          (the shared knowledge, :mod:`caveat.knowledge.shared`).

The checks see facts made of the recipients alone (To, Cc and Bcc; a :class:`Facts` has no
Bcc, so Bcc rides in Cc and its evidence is labelled Bcc again). The user's own address only
helps to find the conversation. Nothing is written to the memory: a draft is not a message,
and whom the user copies blind is nobody else's business.

The verdict has the shape of an analysis, plus one line per recipient saying which
findings name it. The banner is the one thing said differently: it comes from
``data/recipient_guard.toml``, speaks of the recipient, and names the address to check.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from caveat.checks.findings import Banner, Evidence, Verdict
from caveat.checks.freemail_impersonation import freemail_impersonation
from caveat.checks.hits import CheckFn, Hit
from caveat.checks.lookalike_domain import lookalike_domain
from caveat.checks.recipient_swap import recipient_swap
from caveat.checks.reported_sender import reported_recipients
from caveat.knowledge.context import Context
from caveat.mail.errors import InputError
from caveat.mail.facts import Address, Facts
from caveat.mail.limits import Limits
from caveat.mail.normalise import _payload_address, _payload_addresses

from .catalogue import BANNER_MAX, Catalogue, CatalogueError, banner_length, render
from .engine import Engine

#: The checks that judge recipients, in the engine's order.
GUARD_CHECKS: tuple[CheckFn, ...] = (
    lookalike_domain,
    freemail_impersonation,
    recipient_swap,
    reported_recipients,
)
GUARD_FAMILIES = tuple(c.family for c in GUARD_CHECKS)

#: Fields a banner template may use.
BANNER_FIELDS = frozenset({"address", "domain"})

#: Evidence headers that open the evidence about one address (the lines after it, such as
#: "Look-alike" or "Known as", say more about the same address).
_ROLES = frozenset({"From", "Sender", "Reply-To", "To", "Cc"})

_PAYLOAD_FIELDS: dict[str, type] = {
    "from": dict,
    "to": list,
    "cc": list,
    "bcc": list,
    "conversation_id": str,
    "subject": str,
    # the language to answer in: read by the API (caveat.i18n.negotiate)
    "language": str,
}
_TYPE_NAMES: dict[type, str] = {str: "a string", dict: "an object", list: "an array"}


# ----------------------------------------------------------------- the message being written


@dataclass(frozen=True)
class Outgoing:
    """A message being written. Each address appears once: in To if it is there, else in
    Cc, else in Bcc."""

    user: Address | None = None
    to: tuple[Address, ...] = ()
    cc: tuple[Address, ...] = ()
    bcc: tuple[Address, ...] = ()
    subject: str = ""
    conversation_id: str = ""

    @classmethod
    def build(
        cls,
        *,
        user: Address | None = None,
        to: Iterable[Address] = (),
        cc: Iterable[Address] = (),
        bcc: Iterable[Address] = (),
        subject: str = "",
        conversation_id: str = "",
    ) -> Outgoing:
        seen: set[str] = set()

        def fresh(addresses: Iterable[Address]) -> tuple[Address, ...]:
            out = []
            for a in addresses:
                if a.address and a.address not in seen:
                    seen.add(a.address)
                    out.append(a)
            return tuple(out)

        return cls(
            user=user,
            to=fresh(to),
            cc=fresh(cc),
            bcc=fresh(bcc),
            subject=" ".join(subject.split()),
            conversation_id=conversation_id,
        )

    @property
    def recipients(self) -> tuple[Address, ...]:
        return self.to + self.cc + self.bcc

    def facts(self) -> Facts:
        """What the checks judge: the recipients, Bcc in Cc, and the user as the Sender.

        As the Sender the user's own address is present in the draft without being judged
        (no check looks for a swap or an impersonation in Sender), so a user's second
        address, kept in Cc of a thread where both appeared, is not taken for a swap of the
        first: the old address is the one sending."""
        return Facts(
            sender=self.user,
            to=self.to,
            cc=self.cc + self.bcc,
            subject=self.subject,
            conversation_id=self.conversation_id,
            source="payload",
            draft=True,
        )

    def lookup(self) -> Facts:
        """What finds the conversation and the known names in the memory: the recipients
        and the user, as the From of the reply being written."""
        return replace(self.facts(), from_=(self.user,) if self.user else ())


def outgoing_from_payload(payload: Any, limits: Limits | None = None) -> Outgoing:
    """The message being written, from the add-in's JSON (already decoded).

    The same address normalisation as an analysed message, so that a name or an address
    means the same thing to the memory either way. Raises :class:`InputError` only.
    """
    limits = limits or Limits()
    if not isinstance(payload, Mapping):
        raise InputError("invalid_payload", "the request body must be a JSON object")
    unknown = sorted(str(k) for k in payload if k not in _PAYLOAD_FIELDS)
    if unknown:
        word = "field" if len(unknown) == 1 else "fields"
        raise InputError("unknown_field", f"unknown {word}: {', '.join(unknown)}")
    for key, typ in _PAYLOAD_FIELDS.items():
        if payload.get(key) is not None and not isinstance(payload[key], typ):
            raise InputError("invalid_field", f"{key} must be {_TYPE_NAMES[typ]}")
    lists = {k: payload.get(k) or [] for k in ("to", "cc", "bcc")}
    count = sum(len(v) for v in lists.values())
    if count > limits.max_recipients:
        raise InputError(
            "too_many_recipients",
            f"the message has {count} recipients; at most {limits.max_recipients} are checked",
            status=413,
        )
    user = _payload_address(payload["from"], "from") if payload.get("from") else None
    out = Outgoing.build(
        user=user,
        to=_payload_addresses(lists["to"], "to"),
        cc=_payload_addresses(lists["cc"], "cc"),
        bcc=_payload_addresses(lists["bcc"], "bcc"),
        subject=payload.get("subject") or "",
        conversation_id=payload.get("conversation_id") or "",
    )
    if not out.recipients:
        raise InputError("invalid_payload", "send at least one recipient address in to, cc or bcc")
    return out


# ----------------------------------------------------------------- banners (data)

_TEXTS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["version", "levels", "banners"],
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
                    "required": ["title", "text"],
                    "additionalProperties": False,
                    "properties": {
                        "title": {"type": "string", "minLength": 3, "maxLength": 80},
                        "text": {"type": "string", "minLength": 3, "maxLength": BANNER_MAX},
                    },
                }
            },
        },
        "banners": {
            "type": "object",
            "propertyNames": {"pattern": "^[A-Z][A-Z0-9_]*$"},
            "additionalProperties": {"type": "string", "minLength": 3, "maxLength": BANNER_MAX},
        },
    },
}


@dataclass(frozen=True, slots=True)
class LevelText:
    title: str
    text: str


@dataclass(frozen=True)
class GuardTexts:
    """The guard's banners: per level, and per finding id with ``{address}`` and
    ``{domain}`` of the recipient."""

    levels: Mapping[str, LevelText]
    banners: Mapping[str, str]
    source: str = "recipient_guard.toml"

    @classmethod
    def load(cls, path: str | Path | None = None) -> GuardTexts:
        if path is None:
            source = "recipient_guard.toml"
            text = resources.files("caveat.data").joinpath(source).read_text("utf-8")
        else:
            text = Path(path).read_text("utf-8")
            source = str(path)
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise CatalogueError(f"{source}: {exc}") from None
        return cls.from_data(data, source=source)

    @classmethod
    def from_data(cls, data: Mapping[str, Any], *, source: str = "guard texts") -> GuardTexts:
        try:
            jsonschema.validate(data, _TEXTS_SCHEMA)
        except jsonschema.ValidationError as exc:
            where = "/".join(str(p) for p in exc.absolute_path) or "(top)"
            raise CatalogueError(f"{source}: {where}: {exc.message}") from None
        for fid, template in data["banners"].items():
            _check_fields(template, f"{source}: banners/{fid}")
        return cls(
            levels={k: LevelText(v["title"], v["text"]) for k, v in data["levels"].items()},
            banners=dict(data["banners"]),
            source=source,
        )


def _check_fields(template: str, where: str) -> None:
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise CatalogueError(f"{where}: {exc}") from None
    for _, field, spec, conversion in parsed:
        if field is None:
            continue
        if field not in BANNER_FIELDS or spec or conversion:
            allowed = ", ".join(f"{{{f}}}" for f in sorted(BANNER_FIELDS))
            bad = field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            raise CatalogueError(f"{where}: only {allowed} may be used, not {{{bad}}}")


# ----------------------------------------------------------------- the verdict


@dataclass(frozen=True, slots=True)
class RecipientVerdict:
    """One recipient: its level and the findings whose evidence names it."""

    address: str
    level: str
    findings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"address": self.address, "level": self.level, "findings": list(self.findings)}


@dataclass(frozen=True)
class GuardVerdict:
    verdict: Verdict
    recipients: tuple[RecipientVerdict, ...]
    #: what the banner's text was filled from: the finding id whose banner it is, with the
    #: recipient's address and domain as shown (None: the level's text), so that it can be
    #: worded again in another language
    banner_source: tuple[str, str, str] | None = None

    @property
    def level(self) -> str:
        return self.verdict.level

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.verdict.to_dict(),
            "recipients": [r.to_dict() for r in self.recipients],
        }


class RecipientGuard:
    """The recipient-facing checks over a message being written, scored by the catalogue."""

    def __init__(self, catalogue: Catalogue | None = None, texts: GuardTexts | None = None):
        self.engine = Engine(catalogue, checks=GUARD_CHECKS)
        self.texts = texts or GuardTexts.load()
        emitted = frozenset().union(*(c.emits for c in GUARD_CHECKS))
        unknown = sorted(set(self.texts.banners) - emitted)
        if unknown:
            raise CatalogueError(
                f"{self.texts.source}: banners for findings the guard never reports: "
                + ", ".join(unknown)
            )
        missing = sorted(emitted - set(self.texts.banners))
        if missing:
            raise CatalogueError(f"{self.texts.source}: no banner for {', '.join(missing)}")

    def check(self, outgoing: Outgoing, ctx: Context) -> GuardVerdict:
        """Judge the recipients; ``ctx.memory`` is what the conversation knew before."""
        facts = outgoing.facts()
        recipients = outgoing.recipients
        blind = {a.address for a in outgoing.bcc}
        hits: dict[str, Hit] = {}
        named: dict[str, tuple[str, ...]] = {}
        for c in self.engine.checks:
            for hit in c(facts, ctx):
                if hit.id not in c.emits:
                    raise CatalogueError(f"check {c.name} emitted undeclared id {hit.id}")
                if hit.id not in hits:
                    hits[hit.id], named[hit.id] = _attribute(hit, recipients, blind)
        verdict = self.engine.score(facts, list(hits.values()))
        lines = []
        for r in recipients:
            ids = tuple(f.id for f in verdict.findings if r.address in named.get(f.id, ()))
            level = self.engine.score(facts, [Hit(i) for i in ids]).level if ids else "none"
            lines.append(RecipientVerdict(r.address, level, ids))
        banner, source = self._banner(verdict, named, recipients)
        return GuardVerdict(replace(verdict, banner=banner), tuple(lines), source)

    def _banner(
        self,
        verdict: Verdict,
        named: Mapping[str, Sequence[str]],
        recipients: Sequence[Address],
    ) -> tuple[Banner | None, tuple[str, str, str] | None]:
        """The banner of the strongest finding that names a recipient, with its address;
        the level's text when none fits in Outlook's 150 characters. With it, what it was
        filled from (:attr:`GuardVerdict.banner_source`)."""
        if verdict.level == "none":
            return None, None
        level = self.texts.levels[verdict.level]
        by_address = {r.address: r for r in recipients}
        for f in verdict.findings:
            template = self.texts.banners.get(f.id)
            who = [by_address[a] for a in named.get(f.id, ()) if a in by_address]
            if not template or not who:
                continue
            # as the user wrote them: a capital I for an l must show in the banner too
            text = guard_banner(template, who[0].shown, who[0].shown_domain)
            if text:
                return Banner(level.title, text), (f.id, who[0].shown, who[0].shown_domain)
        return Banner(level.title, level.text), None


def guard_banner(template: str, address: str, domain: str) -> str:
    """A guard banner filled with the recipient's address and domain, or "" when it does
    not fit in Outlook's 150 characters once filled."""
    text = render(template, {"address": address, "domain": domain})
    return text if banner_length(text) <= BANNER_MAX else ""


def _attribute(
    hit: Hit, recipients: Sequence[Address], blind: set[str]
) -> tuple[Hit, tuple[str, ...]]:
    """The recipients a hit's evidence names, in order; and the hit with the evidence of a
    blind copy labelled Bcc (it reached the checks as a Cc)."""
    units: list[list[Evidence]] = []
    for e in hit.evidence:
        if e.header in _ROLES or not units:
            units.append([e])
        else:
            units[-1].append(e)
    evidence: list[Evidence] = []
    who: list[str] = []
    first_blind = False
    for i, unit in enumerate(units):
        head = unit[0]
        addresses = _named(head.value, recipients) if head.header in ("To", "Cc") else []
        if head.header == "Cc" and addresses and all(a in blind for a in addresses):
            unit = [Evidence("Bcc", head.value), *unit[1:]]
            first_blind = first_blind or i == 0
        evidence.extend(unit)
        who.extend(a for a in addresses if a not in who)
    params = dict(hit.params)
    if first_blind and "where" in params:
        params["where"] = "Bcc"
    return Hit(hit.id, tuple(evidence), params), tuple(who)


def _named(value: str, recipients: Sequence[Address]) -> list[str]:
    """The recipient an evidence line is about: the address as the checks show it, as it
    was written (``Name <address>``), or the new address of a swap (``..., now <address>
    (why)``). Returned normalised."""
    exact = [r.address for r in recipients if value in (r.display(), r.shown, r.address)]
    if exact:
        return exact
    _, sep, tail = value.rpartition(", now ")
    if not sep:
        return []
    return [r.address for r in recipients if tail.startswith(r.shown + " (")]
