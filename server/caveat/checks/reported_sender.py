"""reported_sender: the message, or the draft, carries something colleagues already know
to be fraud (:mod:`caveat.knowledge.shared`).

  REPORTED_ADDRESS   From, Sender, Reply-To, Return-Path or a recipient is a known fraud
                     address (danger);
  REPORTED_DOMAIN    one of those addresses is at a known fraud domain, or a subdomain of
                     one (danger);
  REPORTED_ACCOUNT   the body, the HTML part or an attachment names a known mule account,
                     compared by its keyed hash, never in clear (danger);
  REPORTED_PHONE     the text gives a known fraud phone number, in international form or
                     in the national form of a country the indicators are in (danger);
  REPORTED_BY_YOU    the person looking reported this message, or its sender, and security
                     has not yet decided (caution; shown to that person only).

Each finding says what matched, who reported or confirmed it, when, and how it came to be
known (a confirmed report, a denied verification call, an imported list, the API).

Nothing is excluded: an indicator is a decision someone made about this very value, so
neither a list header nor authentication quiets it. With no indicators (a new deployment,
the CLI without a store), the check costs one attribute test per message; accounts and
phone numbers are looked for only when there are indicators of that kind.

The send-time guard runs :data:`reported_recipients`: the same address and domain findings
for the recipients of a message being written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from caveat.knowledge.context import Context
from caveat.knowledge.indicators_csv import may_name, phones_in
from caveat.knowledge.shared import Indicator, SharedKnowledge
from caveat.mail.domains import parse_address
from caveat.mail.facts import Address, Facts
from caveat.reference.bank_identifiers import extract
from caveat.reference.bank_language import sources

from .findings import Evidence
from .hits import Hit, check, ev, label, words

ADDRESS = "REPORTED_ADDRESS"
DOMAIN = "REPORTED_DOMAIN"
ACCOUNT = "REPORTED_ACCOUNT"
PHONE = "REPORTED_PHONE"
BY_YOU = "REPORTED_BY_YOU"

_HOW = {
    "report": words("how.report", "confirmed from a colleague's report"),
    "verification": words("how.verification", "denied by the partner on a verification call"),
    "import": words("how.import", "imported from a shared list"),
    "api": words("how.api", "added by security"),
}
_THIS_MESSAGE = words("reported.this_message", "this message")
_MESSAGE_FROM = words("reported.message_from", "a message from {address}")
_REPORTED = label("Reported")
_ACCOUNT = label("Account")
_PHONE = label("Phone")
_DOMAIN = label("Domain")


def _how(source: str) -> str:
    return _HOW[source]() if source in _HOW else source


def _when(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _reported(ind: Indicator) -> Evidence:
    note = f"; {ind.note}" if ind.note else ""
    return ev(_REPORTED, f"{_how(ind.source)}, by {ind.by}, {_when(ind.at)}{note}")


def _params(found: Sequence[tuple[str, Indicator]]) -> dict[str, object]:
    first = found[0][1]
    return {
        "what": found[0][0],
        "by": first.by,
        "when": _when(first.at),
        "how": _how(first.source),
        "count": len(found),
    }


def _roles(facts: Facts) -> list[tuple[str, Address]]:
    out: list[tuple[str, Address]] = [("From", a) for a in facts.from_]
    if facts.sender is not None:
        out.append(("Sender", facts.sender))
    out += [("Reply-To", a) for a in facts.reply_to]
    for value in facts.header("return-path")[:1]:
        p = parse_address(value)
        if p.valid and p.domain:
            out.append(("Return-Path", Address("", p.address, p.local, p.domain, True)))
    out += [("To", a) for a in facts.to]
    out += [("Cc", a) for a in facts.cc]
    return out


def _domain_matches(k: SharedKnowledge, domain: str, now: datetime) -> tuple[Indicator, ...]:
    """Indicators of ``domain`` or of a domain it is under."""
    labels = domain.split(".")
    for i in range(len(labels) - 1):
        found = k.matching("domain", ".".join(labels[i:]), now)
        if found:
            return found
    return ()


def _address_hits(roles: Iterable[tuple[str, Address]], ctx: Context) -> list[Hit]:
    k = ctx.knowledge
    now = ctx.now
    by_address: list[tuple[str, Indicator]] = []
    address_ev: list[Evidence] = []
    by_domain: list[tuple[str, Indicator]] = []
    domain_ev: list[Evidence] = []
    seen: set[tuple[str, str]] = set()
    for role, a in roles:
        if not a.address or (role, a.address) in seen:
            continue
        seen.add((role, a.address))
        if k.has("address"):
            found = k.matching("address", a.address, now)
            if found:
                by_address.append((a.shown, found[0]))
                address_ev += [ev(role, a.display() if role in ("To", "Cc") else a.shown)]
                address_ev += [_reported(i) for i in found[:3]]
                continue
        if a.domain and k.has("domain"):
            found = _domain_matches(k, a.domain, now)
            if found:
                by_domain.append((a.shown_domain, found[0]))
                domain_ev += [ev(role, a.display() if role in ("To", "Cc") else a.shown)]
                domain_ev += [ev(_DOMAIN, found[0].shown), *(_reported(i) for i in found[:3])]
    hits = []
    if by_address:
        hits.append(Hit(ADDRESS, tuple(address_ev), _params(by_address)))
    if by_domain:
        hits.append(Hit(DOMAIN, tuple(domain_ev), _params(by_domain)))
    return hits


def _account_hits(facts: Facts, ctx: Context) -> list[Hit]:
    k = ctx.knowledge
    found: list[tuple[str, Indicator]] = []
    evidence: list[Evidence] = []
    seen: set[str] = set()
    for src in sources(facts):
        for account in extract(src.text).accounts:
            if account.key in seen:
                continue
            seen.add(account.key)
            ref = k.account_ref(account.key)
            matched = k.matching("account", ref, ctx.now) if ref else ()
            if matched:
                found.append((account.masked, matched[0]))
                where = f" (in {src.where})" if src.where else ""
                evidence += [ev(_ACCOUNT, f"{account.masked}{where}")]
                evidence += [_reported(i) for i in matched[:3]]
    return [Hit(ACCOUNT, tuple(evidence), _params(found))] if found else []


def _phone_hits(facts: Facts, ctx: Context) -> list[Hit]:
    k = ctx.knowledge
    found: list[tuple[str, Indicator]] = []
    evidence: list[Evidence] = []
    seen: set[str] = set()
    numbers = k.phone_digits
    for src in sources(facts):
        if not may_name(src.text, numbers):
            continue  # (reading every number a text holds costs milliseconds)
        for e164, written in phones_in(src.text, k.phone_regions):
            matched = k.matching("phone", e164, ctx.now)
            if matched and e164 not in seen:
                seen.add(e164)
                found.append((written, matched[0]))
                evidence += [ev(_PHONE, written), *(_reported(i) for i in matched[:3])]
    return [Hit(PHONE, tuple(evidence), _params(found))] if found else []


def _by_you(facts: Facts, ctx: Context) -> list[Hit]:
    pending = ctx.knowledge.pending_for(ctx.viewer)
    if not pending:
        return []
    ids = {i for i in (facts.message_id, facts.message_id_written) if i}
    hashes = {ctx.knowledge.message_ref(i) for i in ids}
    author = facts.author.address if facts.author is not None else ""
    for p in pending:
        if p.message_hash in hashes:
            what = _THIS_MESSAGE()
        elif author and p.sender == author:
            what = _MESSAGE_FROM(address=author)
        else:
            continue
        return [
            Hit(
                BY_YOU,
                (ev(_REPORTED, f"you reported {what} as fraud, {_when(p.at)}; not yet reviewed"),),
                {"what": what, "when": _when(p.at)},
            )
        ]
    return []


@check("reported_sender", emits=[ADDRESS, DOMAIN, ACCOUNT, PHONE, BY_YOU])
def reported_sender(facts: Facts, ctx: Context) -> list[Hit]:
    k = ctx.knowledge
    if not k:
        return []
    hits = _by_you(facts, ctx)
    if k.has("address") or k.has("domain"):
        hits += _address_hits(_roles(facts), ctx)
    if k.has("account") and k.account_key:
        hits += _account_hits(facts, ctx)
    if k.has("phone"):
        hits += _phone_hits(facts, ctx)
    return hits


@check("reported_sender", emits=[ADDRESS, DOMAIN])
def reported_recipients(facts: Facts, ctx: Context) -> list[Hit]:
    """The send-time guard's part: recipients at known fraud addresses and domains."""
    k = ctx.knowledge
    if not (k.has("address") or k.has("domain")):
        return []
    return _address_hits([("To", a) for a in facts.to] + [("Cc", a) for a in facts.cc], ctx)
