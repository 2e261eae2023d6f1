"""What a reported message offers security as fraud indicators, read by the service from
the message itself rather than picked by the client.

A report may carry the same message payload the client sends to ``POST /api/v1/analyze``.
From it the service derives, and the report keeps (never the message's text):

* **Reply-To** addresses: each one that is not the From address;
* **look-alike domains**: the domains of the message's addresses that the engine's
  ``lookalike_domain`` check reports on this message (LOOKALIKE_DOMAIN or
  LOOKALIKE_DOMAIN_VARIANT), judged with the service's directory, our own domains and the
  conversation memory, exactly as an analysis would (its exclusions apply);
* **bank accounts**: each validated account (an IBAN, a sort code with its account, a
  routing number with its account; a bare "account number" may be a customer number and
  is left out) the message's texts name, as its keyed hash (the analyze response's
  ``account_ref``) and masked form; an account some partner has on file is left out (a
  fraudster quoting the real account must not turn it into an indicator);
* **phone numbers**: in the sender's own words only (not what the message quotes, which
  may be our own signatures), read in international form and in the national form of
  the countries of our own domains' country-code top-level domains (``ours.de`` reads
  ``030 1234567`` as German); numbers written nationally for any other country are not
  read, and a number on file for a partner's contact is left out.

Security sees these in the triage queue and may leave some out when confirming; a
confirmation never turns our own or a partner's address or domain into an indicator
(:mod:`caveat.web.api.intel`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import phonenumbers

from caveat.checks.lookalike_domain import STRONG, addresses_by_role, lookalike_domain
from caveat.knowledge.context import Context, EngineConfig
from caveat.knowledge.directory import Directory
from caveat.knowledge.indicators_csv import IndicatorError, check_indicator, phones_in
from caveat.knowledge.memory import EMPTY
from caveat.knowledge.shared import account_ref
from caveat.mail.facts import Facts
from caveat.reference.bank_identifiers import extract
from caveat.reference.bank_language import readings, sources
from caveat.service.analysis import Analyzer
from caveat.storage.indicators import IndicatorStore

#: The most values of each kind derived from one message.
MOST = 20


@dataclass(frozen=True, slots=True)
class Candidates:
    """What a reported message offers as indicators (see the module)."""

    reply_to: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    #: (account_ref, masked)
    accounts: tuple[tuple[str, str], ...] = ()
    #: (E.164, region)
    phones: tuple[tuple[str, str], ...] = ()
    #: (account_ref, the ref of another form of the same account): a British IBAN's sort
    #: code and account number, as an imported indicator keeps it
    aliases: tuple[tuple[str, str], ...] = ()


def report_candidates(analyzer: Analyzer, facts: Facts, now: datetime) -> Candidates:
    """The candidates of the message ``facts`` (see the module). Reads the directory, the
    shared knowledge and the conversation memory; writes nothing."""
    directory = analyzer.directory()
    config = analyzer.config
    snapshot = analyzer.memory.snapshot(facts) if analyzer.memory is not None else EMPTY
    ctx = Context(
        config=config, directory=directory, memory=snapshot, now=now, knowledge=analyzer.shared()
    )
    accounts, aliases = _accounts(facts, directory, _account_key(analyzer))
    return Candidates(
        reply_to=_reply_to(facts),
        domains=_lookalike_domains(facts, ctx),
        accounts=accounts,
        phones=_phones(facts, directory, config),
        aliases=aliases,
    )


def _checked(kind: str, value: str) -> str | None:
    try:
        return check_indicator(kind, value).value
    except IndicatorError:
        return None


def _reply_to(facts: Facts) -> tuple[str, ...]:
    sender = {a.address.lower() for a in facts.from_}
    out: dict[str, None] = {}
    for a in facts.reply_to:
        value = _checked("address", a.address) if a.address else None
        if value and value not in sender:
            out[value] = None
    return tuple(out)[:MOST]


def _lookalike_domains(facts: Facts, ctx: Context) -> tuple[str, ...]:
    fired = {h.id for h in lookalike_domain(facts, ctx)}
    if not fired:
        return ()
    index = ctx.lookalikes()
    freemail = ctx.config.freemail
    out: dict[str, None] = {}
    for _header, a in addresses_by_role(facts):
        d = a.domain
        if d in freemail or ctx.config.is_internal(d) or index.is_protected(d):
            continue
        m = index.match(d, a.shown_domain)
        if m is None:
            continue
        fid = "LOOKALIKE_DOMAIN" if m.technique in STRONG else "LOOKALIKE_DOMAIN_VARIANT"
        value = _checked("domain", d) if fid in fired else None
        if value:
            out[value] = None
    return tuple(out)[:MOST]


def _account_key(analyzer: Analyzer) -> bytes:
    """The key of the analyze response's ``account_ref`` (empty: no store, no accounts)."""
    key = analyzer.shared().account_key
    if not key and analyzer.store is not None:
        key = IndicatorStore(analyzer.store).key()
    return key


def _accounts(
    facts: Facts, directory: Directory, key: bytes
) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """(account_ref, masked) of each account, and (account_ref, alias ref) of the other
    forms of those that have one."""
    if not key:
        return (), ()
    out: dict[str, str] = {}
    aliases: dict[str, str] = {}
    for src in sources(facts):
        for account in extract(src.text).accounts:
            if not account.strong or directory.account_owners(account.key):
                continue
            ref = account_ref(key, account.key)
            out.setdefault(ref, account.masked)
            if account.key.startswith("GB") and len(account.key) == 22:
                # a British account is as often written as sort code and account number
                aliases.setdefault(ref, account_ref(key, account.key[8:]))
    kept = tuple(out.items())[:MOST]
    return kept, tuple((r, aliases[r]) for r, _ in kept if r in aliases)


def _regions(config: EngineConfig) -> frozenset[str]:
    """The countries of our own domains' country-code top-level domains."""
    out = set()
    for domain in config.internal_domains:
        tld = domain.rpartition(".")[2].upper()
        region = "GB" if tld == "UK" else tld
        if len(region) == 2 and region in phonenumbers.SUPPORTED_REGIONS:
            out.add(region)
    return frozenset(out)


def _partner_phones(directory: Directory) -> set[str]:
    out = set()
    for partner in directory.partners:
        for contact in partner.contacts:
            if contact.phone:
                value = _checked("phone", contact.phone)
                if value:
                    out.add(value)
    return out


def _phones(
    facts: Facts, directory: Directory, config: EngineConfig
) -> tuple[tuple[str, str], ...]:
    regions = _regions(config)
    found: dict[str, str] = {}
    for reading in readings(facts):
        if not reading.own.strip():
            continue
        for e164, _written in phones_in(reading.own, regions):
            try:
                checked = check_indicator("phone", e164)
            except IndicatorError:
                continue
            found.setdefault(checked.value, checked.region or "")
        if len(found) >= MOST:
            break
    if not found:
        return ()
    ours = _partner_phones(directory)
    return tuple((p, r) for p, r in found.items() if p not in ours)[:MOST]
