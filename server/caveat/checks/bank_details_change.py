"""bank_details_change: the message asks to pay a new or changed account, or carries bank
details that are not on file for the organisation it claims to come from.

The body's own text (quoted earlier messages removed) is read for change language in every
language of ``data/bank_language`` (:mod:`caveat.reference.bank_language`) and for bank identifiers
(:mod:`caveat.reference.bank_identifiers`). Who is asking decides how loud the answer is:

  BANK_DETAILS_CHANGED         a known partner, a look-alike of a partner's or our domain, or
                               a free-mail address using a partner contact's name asks for a
                               new account, or names one that is not on file (danger);
  BANK_DETAILS_CHANGE_REQUEST  anyone else asks to pay a new or changed account (caution);
  BANK_DETAILS_PRESSURE        urgency or secrecy alongside such a request (caution);
  BANK_DETAILS_ON_FILE         every account named is on file (info: a note, not a warning);
  BANK_DETAILS_UNVERIFIED      an IBAN or an account with its bank code, with no request to
                               change anything, that nothing on file confirms (info).

Named exclusions (quiet):
  * quoted: text below an attribution line, an Outlook header block or ``>`` is not read;
  * weak_number: a bare "account number" (a customer number as often as a bank account)
    counts only inside a change request;
  * bulk_unknown: newsletters and list mail from senders we do not know never raise a
    change request or an unverified note (banks explain to customers how to change
    *their* details);
  * ours: accounts on file for an organisation whose domain is ours are never "new".

Bodies are read here and nowhere kept: evidence carries masked accounts and the quoted
request phrase only, and nothing is logged.
"""

from __future__ import annotations

from dataclasses import dataclass

from caveat.knowledge.context import Context
from caveat.knowledge.directory import OURS, PartnerEntry
from caveat.mail.domains import readable
from caveat.mail.facts import Facts
from caveat.mail.names import name_key
from caveat.reference.bank_identifiers import Account, BankIdentifiers, extract
from caveat.reference.bank_language import Cues, language_cues, phrase_book, strip_quoted

from ._common import list_info
from .findings import Evidence
from .hits import Hit, check, ev

CHANGED = "BANK_DETAILS_CHANGED"
CHANGE_REQUEST = "BANK_DETAILS_CHANGE_REQUEST"
PRESSURE = "BANK_DETAILS_PRESSURE"
ON_FILE = "BANK_DETAILS_ON_FILE"
UNVERIFIED = "BANK_DETAILS_UNVERIFIED"
_QUOTES_SHOWN = 3


@dataclass(frozen=True, slots=True)
class Claimant:
    """The organisation the message claims to come from, and how Caveat knows it."""

    organisation: str
    partner: PartnerEntry | None  # None when it is our own organisation
    how: str  # "directory", "lookalike", "freemail_name"
    evidence: Evidence


def claimant(facts: Facts, ctx: Context) -> Claimant | None:
    """The partner (or our organisation) behind the From address, if any: listed in the
    directory, imitated by a look-alike domain, or named by a free-mail sender."""
    a = facts.author
    if a is None or not a.address:
        return None
    d = ctx.directory
    if a.domain and ctx.config.is_internal(a.domain):
        return None
    p = d.partner_of_address(a.address) or d.partner_of_domain(a.domain)
    if p is not None:
        return Claimant(p.organization, p, "directory", ev("Directory", f"{p.organization}"))
    if not a.domain:
        return None
    if a.domain in ctx.config.freemail:
        key = name_key(a.name)
        for person in d.contacts_named(key) if key else ():
            partner = d.partner_named(person.organization)
            if partner is not None:
                return Claimant(
                    partner.organization,
                    partner,
                    "freemail_name",
                    ev("Directory", f"{person.name} is a contact of {partner.organization}"),
                )
        return None
    m = ctx.lookalikes().match(a.domain, a.shown_domain)
    if m is None:
        return None
    ours = m.owner == OURS or ctx.config.is_internal(m.imitates)
    partner = None if ours else d.partner_of_domain(m.imitates)
    return Claimant(
        OURS if ours else m.owner,
        partner,
        "lookalike",
        ev(
            "Look-alike",
            f"{readable(a.shown_domain)} imitates {m.imitates} ({m.owner}): {m.detail}",
        ),
    )


def _on_file(account: Account, partner: PartnerEntry | None) -> bool:
    return partner is not None and any(account.matches(f) for f in partner.bank_accounts)


def _is_ours(p: PartnerEntry, ctx: Context) -> bool:
    return any(ctx.config.is_internal(d) for d in p.domains)


def _prepare() -> None:
    """Compile the phrase files (a broken one stops start-up) and the label patterns."""
    phrase_book()
    extract("")


@check(
    "bank_details_change",
    emits=[CHANGED, CHANGE_REQUEST, PRESSURE, ON_FILE, UNVERIFIED],
    prepare=_prepare,
)
def bank_details_change(facts: Facts, ctx: Context) -> list[Hit]:
    if not facts.body:
        return []
    text = strip_quoted(facts.body)
    ids = extract(text)
    cues = language_cues(text)
    asks = cues.asks_change(identifier=bool(ids))
    if not asks and not ids.strong:
        return []
    who = claimant(facts, ctx)
    # A bare account number is weak: it counts only when the message asks for a change.
    accounts = ids.accounts if asks else ids.strong
    partner = who.partner if who else None
    new: list[Account] = []
    known: list[tuple[Account, str]] = []  # (account, organisation it is on file for)
    for acct in accounts:
        if _on_file(acct, partner):
            known.append((acct, partner.organization if partner else ""))
            continue
        owners = ctx.directory.account_owners(acct.key)
        if any(_is_ours(o, ctx) for o in owners):
            continue  # our own account, quoted back to us (an invoice we sent)
        if owners and who is None:
            known.append((acct, owners[0].organization))
        else:
            # On file for another partner is still not on file for this one.
            new.append(acct)

    hits: list[Hit] = []
    evidence = _evidence(facts, cues, ids, new, known, who)
    params = _params(who, new, known, partner)
    if who is not None:
        on_file_exists = bool(partner and partner.bank_accounts)
        if (new and (asks or on_file_exists or who.how != "directory")) or (asks and not known):
            hits.append(Hit(CHANGED, evidence, params))
        elif known and not new:
            hits.append(Hit(ON_FILE, evidence, params))
        elif new:
            hits.append(Hit(UNVERIFIED, evidence, params))
    else:
        lists = list_info(facts)
        bulk = lists.is_list or lists.is_bulk
        if known and not new:
            hits.append(Hit(ON_FILE, evidence, params))
        elif bulk:
            pass
        elif asks:
            hits.append(Hit(CHANGE_REQUEST, evidence, params))
        elif any(a.strong for a in new):
            hits.append(Hit(UNVERIFIED, evidence, params))
    if hits and hits[0].id in (CHANGED, CHANGE_REQUEST):
        pressure = [
            ev(label, f'"{q}"')
            for label, cat in (("Urgency", "urgency"), ("Secrecy", "secrecy"))
            for q in cues.found(cat)[:_QUOTES_SHOWN]
        ]
        if pressure:
            hits.append(Hit(PRESSURE, tuple(pressure), params))
    return hits


def _evidence(
    facts: Facts,
    cues: Cues,
    ids: BankIdentifiers,
    new: list[Account],
    known: list[tuple[Account, str]],
    who: Claimant | None,
) -> tuple[Evidence, ...]:
    out: list[Evidence] = []
    if facts.author is not None:
        out.append(ev("From", facts.author.display()))
    if who is not None:
        out.append(who.evidence)
    for cat, label in (("change", "Request"), ("hold", "Request"), ("records", "Request")):
        for q in cues.found(cat)[:_QUOTES_SHOWN]:
            out.append(ev(label, f'"{q}"'))
    for a in new:
        out.append(ev("Account", f"{a.masked}: not on file"))
    for a, org in known:
        out.append(ev("Account", f"{a.masked}: on file for {org}"))
    for code in ids.bics:
        out.append(ev("BIC", code))
    return tuple(out)


def _params(
    who: Claimant | None,
    new: list[Account],
    known: list[tuple[Account, str]],
    partner: PartnerEntry | None,
) -> dict[str, str]:
    on_file = partner.bank_accounts if partner else ()
    return {
        "organisation": who.organisation if who else "the sender",
        "claimed": _how(who),
        "account": new[0].masked if new else "a new account",
        "accounts": ", ".join(a.masked for a in new) or "none named in the text",
        "known_account": known[0][0].masked if known else "",
        "known_organisation": known[0][1] if known else "",
        "on_file": _accounts_on_file(len(on_file)),
    }


def _accounts_on_file(n: int) -> str:
    if n == 0:
        return "no account on file"
    return "one account on file" if n == 1 else f"{n} accounts on file"


def _how(who: Claimant | None) -> str:
    if who is None:
        return "a sender who is not in the partner directory"
    if who.how == "directory":
        return f"{who.organisation}, a partner in the directory"
    if who.how == "lookalike":
        return f"a domain imitating {who.organisation}"
    return f"a free-mail address using the name of a {who.organisation} contact"
