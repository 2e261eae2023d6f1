"""Impersonation of the organisation's own people, and payroll diversion.

Both read the people directory (:mod:`caveat.knowledge.people`: employees and executives,
imported from a CSV or the identity provider), so a person who never mailed before is
protected from the first message on. Names are compared folded
(:func:`caveat.mail.names.name_keys`), as the other name checks do.

Family ``freemail_impersonation`` (:func:`impersonation_people`):

  EXECUTIVE_NAME_OUTSIDE    an executive's name on an address that is not one of theirs,
                            outside the organisation (free mail, or another domain): a
                            note, since executives do write from private mailboxes (not
                            given when replies reach them, see replies_reach_them);
  PERSON_GIFT_CARDS         a person's name (executive or employee) on such an address asks
                            for gift cards or their codes;
  PERSON_WIRE_REQUEST       ... asks for an urgent or confidential transfer;
  PERSON_AVAILABILITY       ... asks whether you are at your desk, for a quick favour or for
                            your mobile number: the opener of the two above;
  SENSITIVE_RECIPIENT       one of the above (or a payroll request) is addressed to someone
                            in finance, HR or executive support, whom fraud aims at: the
                            catalogue's composites raise the level (a data change, not code).

Family ``bank_details_change`` (:func:`payroll_diversion`):

  PAYROLL_DIVERSION         an employee's name on an address that is not one of theirs
                            asks to pay their salary into another account;
  PAYROLL_CHANGE_REQUEST    a free-mail sender the people directory does not know asks to
                            pay their salary into another account (read in the first
                            :data:`UNKNOWN_SENDER_CHARS` characters of each text).

Looked at: the From address, and Reply-To (a reply would reach the impostor). The
requests are read in the sender's own words (quoted text and forwarded mail excluded)
and the subject, in every language of ``data/bank_language`` (categories ``gift_cards``,
``confidential_wire``, ``availability``, ``payroll``).

Nothing the sender writes quiets these checks, and nothing is learnt from earlier
messages: the second message from an impostor's address is judged like the first, since
only the people directory (an administrator's or the identity provider's) says which
addresses are a person's.

Named exclusions (quiet):
  * known_here: the address is one of the person's in the people directory (work or
    personal): an employee writing from their own private mailbox about a day off, an
    executive from theirs;
  * ours: the address is at one of our own domains (a forged one is auth_failure's to
    report; a colleague's real mail is the colleague's);
  * partner_or_namesake: the address is a partner's (the directory lists it or its
    domain): a person at a partner who shares a name with one of ours;
  * sending_service: the address is at a service that sends in its users' names
    (``data/sending_services.txt``: e-signature, HR and invoicing portals);
  * list_rewrite: a mailing list that signs its own mail put its address in From;
  * replies_reach_them (the note only): the name is in From and every Reply-To is one of
    the person's own addresses in the people directory, as a mailing list's DMARC rewrite
    gives it ("Name via List" <list@...>, Reply-To: the poster): an answer reaches the
    person, so the bare name is no note; a request in it still warns (the sender wrote the
    Reply-To, and a transfer or a salary change needs no answer);
  * no_request (payroll): a payroll portal's notice ("your direct deposit was changed")
    is not the first-person request the phrases describe;
  * list_post (SENSITIVE_RECIPIENT, for the bare name only): an executive's name with no
    request, posted to a mailing list (list marks, and the list's address among the
    recipients or the list's rewrite of From) is a public post that copies a colleague,
    not a word to finance in private: the note stays, the recipient's group does not
    raise it. A request in the post still does (measured on real list mail in
    ``bench/bec_persistence.py``: executives' own posts from addresses the directory
    does not list, copying a colleague in finance or HR).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from caveat.knowledge.context import Context
from caveat.knowledge.people import Employee
from caveat.mail.bidi import mailbox
from caveat.mail.facts import Address, Facts
from caveat.mail.names import is_person_name, local_key, name_keys
from caveat.reference.bank_language import Cues, language_cues, phrase_book, readings

from ._common import list_info
from .freemail_impersonation import sending_services
from .hits import Hit, Phrase, check, ev, label, listed, words

_REQUESTS = (
    ("gift_cards", "PERSON_GIFT_CARDS"),
    ("confidential_wire", "PERSON_WIRE_REQUEST"),
    ("availability", "PERSON_AVAILABILITY"),
)
#: How much of each text an unknown free-mail sender's message is read for a salary
#: change (a payroll request is a few lines; a newsletter's long body is not read through
#: for one). A person's name on the address lifts the limit.
UNKNOWN_SENDER_CHARS = 2000
_GROUP_WORDS = {
    "finance": words("group.finance", "finance"),
    "hr": words("group.hr", "HR"),
    "executive_support": words("group.executive_support", "executive support"),
}
_FREE_MAIL = words("where.free_mail", "a free-mail mailbox")
_THE_DOMAIN = words("where.domain", "the domain {domain}")
_EXECUTIVE = words("role.executive", "executive")
_EMPLOYEE = words("role.employee", "employee")
_NAME_OF = label("Name of")
_ASKS = label("Asks")
_RECIPIENT = label("Recipient")


@dataclass(frozen=True, slots=True)
class Impostor:
    header: str
    address: Address
    person: Employee
    free: bool
    #: every Reply-To is one of the person's own addresses (From only)
    replies_reach_them: bool = False


def _prepare() -> None:
    phrase_book()
    sending_services()


def outside(a: Address, ctx: Context) -> bool:
    """An address that is not ours, not a partner's and not a sending service."""
    if not a.domain or ctx.config.is_internal(a.domain):
        return False  # ours
    if ctx.directory.partner_of_address(a.address) is not None:
        return False  # partner_or_namesake
    if a.domain not in ctx.config.freemail and ctx.directory.partner_of_domain(a.domain):
        return False  # partner_or_namesake
    return a.org not in sending_services()  # sending_service


def impostor(facts: Facts, ctx: Context) -> Impostor | None:
    """The first From or Reply-To address that shows the name of someone in the people
    directory while it is not one of theirs, outside the organisation."""
    people = ctx.people
    if not len(people):
        return None
    roles = [("From", a) for a in facts.from_[:1]] + [("Reply-To", a) for a in facts.reply_to]
    lists = None
    for header, a in roles:
        if people.by_address(a.address) is not None:
            continue  # known_here
        keys = [k for k in name_keys(a.name) if is_person_name(k)]
        if not keys and local_key(a.local):
            keys = [local_key(a.local)]
        found = next((e for k in keys for e in people.named(k)), None)
        if found is None or not outside(a, ctx):
            continue
        if header == "From":
            lists = lists or list_info(facts, ctx)
            if lists.from_rewritten and lists.trusted:
                continue  # list_rewrite
        reach = header == "From" and bool(facts.reply_to)
        reach = reach and all(found.owns(r.address) for r in facts.reply_to)
        return Impostor(header, a, found, a.domain in ctx.config.freemail, reach)
    return None


@lru_cache(maxsize=16)
def _cues(text: str) -> Cues:
    return language_cues(text)


def requests(facts: Facts, limit: int | None = None) -> dict[str, tuple[str, ...]]:
    """The passages of each people category in the sender's own words and the subject
    (each text's first ``limit`` characters, when given)."""
    found: dict[str, list[str]] = {}
    texts = [facts.subject] + [r.own for r in readings(facts)]
    for text in texts:
        if not text.strip():
            continue
        cues = _cues(text[:limit] if limit is not None else text)
        for category in ("gift_cards", "confidential_wire", "availability", "payroll"):
            for passage in cues.found(category):
                found.setdefault(category, []).append(passage)
    return {c: tuple(dict.fromkeys(v)) for c, v in found.items()}


def sensitive_recipients(facts: Facts, ctx: Context) -> list[tuple[Address, Employee]]:
    """The To and Cc recipients the people directory places in finance, HR or executive
    support."""
    out = []
    for a in facts.recipients:
        e = ctx.people.by_address(a.address)
        if e is not None and e.group:
            out.append((a, e))
    return out


def _role(e: Employee) -> str:
    """The person's title as the people directory writes it, or what they are."""
    return e.title or (_EXECUTIVE() if e.executive else _EMPLOYEE())


def _whose(e: Employee) -> str:
    return f"{mailbox(e.name, e.email)}, {_role(e)} (people directory)"


def _where(imp: Impostor) -> Phrase:
    return _FREE_MAIL() if imp.free else _THE_DOMAIN(domain=imp.address.shown_domain)


def payroll_sender(facts: Facts, ctx: Context, imp: Impostor | None) -> Address | None:
    """The From address when it is one payroll requests are judged from: an impostor's,
    or a free-mail address the people directory does not know."""
    a = facts.author
    if a is None or not a.domain:
        return None
    if imp is not None and imp.header == "From":
        return a
    if a.domain not in ctx.config.freemail or ctx.people.by_address(a.address) is not None:
        return None
    return a if outside(a, ctx) else None


def _list_post(facts: Facts, ctx: Context) -> bool:
    """list_post: the message carries list marks and was sent to the list they name."""
    lists = list_info(facts, ctx)
    return lists.is_list and lists.addressed


@check(
    "freemail_impersonation",
    emits=[
        "EXECUTIVE_NAME_OUTSIDE",
        "PERSON_GIFT_CARDS",
        "PERSON_WIRE_REQUEST",
        "PERSON_AVAILABILITY",
        "SENSITIVE_RECIPIENT",
    ],
    prepare=_prepare,
)
def impersonation_people(facts: Facts, ctx: Context) -> list[Hit]:
    if not len(ctx.people):
        return []
    imp = impostor(facts, ctx)
    payroll_from = payroll_sender(facts, ctx, imp)
    if imp is None and payroll_from is None:
        return []
    asked = requests(facts, None if imp is not None else UNKNOWN_SENDER_CHARS)
    hits: list[Hit] = []
    if imp is not None:
        person = imp.person
        base = [
            ev(imp.header, imp.address.display()),
            ev(_NAME_OF, _whose(person)),
        ]
        params = {
            "address": imp.address.shown,
            "name": person.name,
            "known_address": person.email,
            "where": _where(imp),
            "role": _role(person),
        }
        if person.executive and not imp.replies_reach_them:
            hits.append(Hit("EXECUTIVE_NAME_OUTSIDE", tuple(base), params))
        for category, fid in _REQUESTS:
            passages = asked.get(category, ())
            if passages:
                hits.append(
                    Hit(
                        fid,
                        (*base, *(ev(_ASKS, p) for p in passages[:3])),
                        {**params, "asks": passages[0]},
                    )
                )
    requested = any(h.id != "EXECUTIVE_NAME_OUTSIDE" for h in hits)
    bare = bool(hits) and not requested and not _list_post(facts, ctx)
    raised = requested or bare or (payroll_from is not None and "payroll" in asked)
    if raised:
        targets = sensitive_recipients(facts, ctx)
        if targets:
            groups = sorted({_GROUP_WORDS[e.group]() for _, e in targets})
            hits.append(
                Hit(
                    "SENSITIVE_RECIPIENT",
                    tuple(
                        ev(_RECIPIENT, f"{a.display()} ({_GROUP_WORDS[e.group]()})")
                        for a, e in targets[:5]
                    ),
                    {"groups": listed(groups, " and ".join(groups))},
                )
            )
    return hits


@check(
    "bank_details_change",
    emits=["PAYROLL_DIVERSION", "PAYROLL_CHANGE_REQUEST"],
    prepare=_prepare,
)
def payroll_diversion(facts: Facts, ctx: Context) -> list[Hit]:
    a = facts.author
    if a is None or not a.domain:
        return []
    imp = impostor(facts, ctx) if len(ctx.people) else None
    sender = payroll_sender(facts, ctx, imp)
    if sender is None:
        return []
    passages = requests(facts, None if imp is not None else UNKNOWN_SENDER_CHARS).get("payroll", ())
    if not passages:
        return []  # no_request
    asks = tuple(ev(_ASKS, p) for p in passages[:3])
    if imp is not None and imp.header == "From":
        person = imp.person
        return [
            Hit(
                "PAYROLL_DIVERSION",
                (ev("From", a.display()), ev(_NAME_OF, _whose(person)), *asks),
                {
                    "address": a.shown,
                    "name": person.name,
                    "known_address": person.email,
                    "where": _where(imp),
                    "asks": passages[0],
                },
            )
        ]
    return [
        Hit(
            "PAYROLL_CHANGE_REQUEST",
            (ev("From", a.display()), *asks),
            {"address": a.shown, "asks": passages[0]},
        )
    ]
