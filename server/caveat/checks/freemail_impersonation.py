"""freemail_impersonation: an address dressed as someone the organisation knows.

Display names are compared folded (:func:`caveat.mail.names.name_keys`): invisible
characters, look-alike letters of other scripts, decorations ("Name | CEO", "Name
(Company)", "Name via ..."), titles and middle initials do not make a name another.

  FREEMAIL_KNOWN_NAME               a free-mail address shows the name of a known person at
                                    another address: a partner contact from the directory,
                                    a colleague, a sender whose mail passed authentication
                                    before, or a participant of this conversation;
  FREEMAIL_LOCALPART_IMPERSONATION  a free-mail user name spells a known person's name, or
                                    our or a partner's company name
                                    ("felix.brandt.partnerb@...");
  FREEMAIL_PARTNER_NAME             a free-mail address shows a partner's organisation name
                                    ("Northwind Metals GmbH <northwind.billing@...>");
  KNOWN_NAME_OTHER_DOMAIN           a known person's name at a company domain that is
                                    neither theirs, nor ours, nor a partner's, nor a
                                    look-alike (which lookalike_domain reports): the
                                    attacker's own new domain ("we have moved"); in From
                                    and Reply-To, a user name that spells the name counts
                                    when the display name shows no person's name;
  KNOWN_NAME_NEW_IN_THREAD          the same, in a conversation the memory knows, at an
                                    address that never took part in it (danger);
  PARTNER_NAME_OTHER_DOMAIN         a partner's organisation name at such a domain;
  DISPLAY_NAME_ADDRESS              the display name spells out an address or a domain of
                                    ours or a partner's (or a look-alike of one) while the
                                    real address is elsewhere ("accounts@partnerb.example
                                    <x@free.example>", "Partner B Billing partnerb.example").

Looked at: From, Reply-To, To and Cc; a known person from the memory (colleague,
authenticated sender) only in From and Reply-To (two people of one name among a large
organisation's correspondents are common; the directory's contacts are few and chosen).

Named exclusions (quiet):
  * directory_contact: the partner directory lists this very address (a small supplier
    that works from free mail is not impersonating itself);
  * known_here: the known person was seen at this very address (directory, colleague,
    earlier authenticated mail; for a display name, not the conversation: an impostor's
    address takes part in the thread it started, see :mod:`caveat.knowledge.memory`);
  * private_to_private: the known person's own address is free mail too (people keep
    several private mailboxes; nothing company-like is imitated);
  * list_conversation: on mailing-list mail whose marks are vouched for, or that was sent
    to the list it names, people seen earlier in the list's threads do not count (posters
    write from work and from home); the directory, colleagues and authenticated senders
    still do. List marks nobody vouches for on a message not addressed to the list excuse
    nothing;
  * same_or_partner_organisation: the address is ours, in the organisation of an address
    the person is known at (their own other mailbox, known_here, included), at a domain
    the directory lists for their company, or at another partner's;
  * lookalike: a look-alike of ours or a partner's domain is lookalike_domain's to report;
  * replies_reach_them: every Reply-To is the known person's own address, or at their
    organisation (a service that sends for them, answers going to them);
  * sending_service: the address is at a service that sends in its users' names
    (``data/sending_services.txt``: e-signature, invoicing, help desks), unless our
    boundary's authentication shows the service's domain was not the sender;
  * partner_tenant: a partner's own tenant on a shared service, a sub-domain named after
    the partner's (or the known person's company's) domain label
    ("northwind.zendesk.example" for northwind.example);
  * list_rewrite: a mailing list that put its own address in From ("Anna Keller via
    Group", "'anna@partner.example' via Group"), when the list marks name the From's
    organisation; for a known person's name, only when the list's mail is also vouched
    for (signed at our boundary): an unsigned list of one's own is a line in a header.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from caveat.knowledge.context import Context
from caveat.knowledge.directory import OURS, PartnerEntry
from caveat.knowledge.memory import KnownPerson, local_name_keys
from caveat.mail.authres import trusted_auth
from caveat.mail.bidi import isolate, mailbox
from caveat.mail.domains import normalise_domain, org_domain, readable
from caveat.mail.facts import Address, Facts
from caveat.mail.names import (
    addresses_in_name,
    fold_name,
    is_person_name,
    local_key,
    local_words,
    name_keys,
)

from ._common import ListInfo, list_info, owner_words
from .hits import Hit, check, ev, label, words
from .lookalike_domain import addresses_by_role

_SOURCE = {
    "directory": words("source.directory", "partner directory"),
    "colleague": words("source.colleague", "colleague"),
    "authenticated": words("source.authenticated", "earlier authenticated mail"),
    "conversation": words("source.conversation", "earlier in this conversation"),
}
_SPELLS_PERSON = words("spelled.person", "the name of {name} ({address})")
_SPELLS_COMPANY = words("spelled.company", "the company name of {owner} ('{word}')")
_NO_DOMAIN = words("no_domain_on_file", "no domain on file")
_IMITATING = words("imitating", "imitating {domain} of {owner}")
_KNOWN_AS = label("Known as")
_SPELLS = label("User name spells")
_PARTNER = label("Partner")
_NOT_EXCUSED = label("Not excused")
_NAME_SHOWS = label("Name shows")
_MIN_LABEL_IN_WORD = 4
_MIN_LABEL_INSIDE = 6
_SENDER_ROLES = ("From", "Reply-To")
_DOMAIN_IN_NAME = re.compile(
    r"(?<![\w@.-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24})(?![\w-])",
    re.IGNORECASE,
)
_VIA_NAME = re.compile(r"\bvia\b|\bon behalf of\b|\(via\b", re.IGNORECASE)


@cache
def sending_services() -> frozenset[str]:
    text = resources.files("caveat.data").joinpath("sending_services.txt").read_text("utf-8")
    return frozenset(
        normalise_domain(line.split("#", 1)[0].strip())
        for line in text.splitlines()
        if line.split("#", 1)[0].strip()
    )


def known_people(key: str, ctx: Context, *, conversation: bool = True) -> list[KnownPerson]:
    """Everyone the organisation knows by this name key, most trusted source first."""
    out = list(ctx.directory.contacts_named(key))
    out.extend(ctx.memory.known.get(key, ()))
    conv = ctx.memory.conversation
    if conv is not None and conversation:
        out.extend(
            KnownPerson(s.address, s.name, "conversation") for s in conv.people if s.name_key == key
        )
    return out


def _person_keys(name: str) -> list[str]:
    return [k for k in name_keys(name) if is_person_name(k)]


@check(
    "freemail_impersonation",
    emits=[
        "FREEMAIL_KNOWN_NAME",
        "FREEMAIL_LOCALPART_IMPERSONATION",
        "FREEMAIL_PARTNER_NAME",
        "KNOWN_NAME_OTHER_DOMAIN",
        "KNOWN_NAME_NEW_IN_THREAD",
        "PARTNER_NAME_OTHER_DOMAIN",
        "DISPLAY_NAME_ADDRESS",
    ],
    prepare=sending_services,
)
def freemail_impersonation(facts: Facts, ctx: Context) -> list[Hit]:
    freemail = ctx.config.freemail
    lists = list_info(facts, ctx)
    # list_conversation: only where the list marks hold (vouched for, or a post to the list)
    in_thread = not (lists.is_list and (lists.trusted or lists.addressed))
    by_name: list[tuple[str, Address, KnownPerson]] = []
    by_local: list[tuple[str, Address, str]] = []
    by_org: list[tuple[str, Address, PartnerEntry]] = []
    done: set[str] = set()
    roles = addresses_by_role(facts)
    for header, a in roles:
        if a.address in done or a.domain not in freemail:
            continue
        done.add(a.address)
        if ctx.directory.partner_of_address(a.address) is not None:
            continue  # directory_contact
        person = _impersonated(_person_keys(a.name), a, ctx, in_thread)
        if person is not None and _own_second_address(facts, a, person, ctx):
            continue  # known_here: the user's own mailbox, in a draft
        if person is not None:
            by_name.append((header, a, person))
            continue
        partner = _partner_named(a.name, ctx)
        if partner is not None:
            by_org.append((header, a, partner))
            continue
        what = _spelled(a, ctx, in_thread)
        if what:
            by_local.append((header, a, what))
    hits = []
    refused = lists.refused() if lists.is_list and in_thread else ()
    if by_name:
        header, a, p = by_name[0]
        evidence = []
        for h, addr, known in by_name:
            evidence.append(ev(h, addr.display()))
            evidence.append(
                ev(_KNOWN_AS, f"{mailbox(known.name, known.address)} ({_SOURCE[known.source]()})")
            )
        evidence.extend(refused)
        hits.append(
            Hit(
                "FREEMAIL_KNOWN_NAME",
                tuple(evidence),
                {
                    "address": a.shown,
                    "name": p.name or a.name,
                    "known_address": p.address,
                    "known_source": _SOURCE[p.source](),
                },
            )
        )
    if by_org:
        hits.append(_org_hit("FREEMAIL_PARTNER_NAME", by_org))
    if by_local:
        header, a, what = by_local[0]
        evidence = []
        for h, addr, spelled in by_local:
            evidence.append(ev(h, addr.display()))
            evidence.append(ev(_SPELLS, spelled))
        hits.append(
            Hit(
                "FREEMAIL_LOCALPART_IMPERSONATION",
                tuple(evidence),
                {"address": a.shown, "what": what},
            )
        )
    hits.extend(_other_domain(facts, ctx, roles, lists))
    hit = _display_name_address(facts, ctx, roles, lists)
    if hit is not None:
        hits.append(hit)
    return hits


def _org_hit(fid: str, found: list[tuple[str, Address, PartnerEntry]]) -> Hit:
    _, a, partner = found[0]
    evidence = []
    for h, addr, p in found:
        evidence.append(ev(h, addr.display()))
        where = ", ".join(readable(d) for d in p.domains[:3]) or "no domain on file"
        evidence.append(ev(_PARTNER, f"{isolate(p.organization)} ({where})"))
    return Hit(
        fid,
        tuple(evidence),
        {
            "address": a.shown,
            "name": a.name,
            "organisation": partner.organization,
            "partner_domains": ", ".join(readable(d) for d in partner.domains[:3]) or _NO_DOMAIN(),
        },
    )


def _impersonated(keys: list[str], a: Address, ctx: Context, in_thread: bool) -> KnownPerson | None:
    freemail = ctx.config.freemail
    for key in keys:
        people = known_people(key, ctx, conversation=in_thread)
        if any(p.address == a.address and p.source != "conversation" for p in people):
            return None  # known_here
        for p in people:
            domain = p.address.rpartition("@")[2]
            if p.address and domain and domain not in freemail:
                return p
    return None


def _own_second_address(facts: Facts, a: Address, person: KnownPerson, ctx: Context) -> bool:
    """In a draft the send-time guard judges (the user as the Sender): the user's own
    address, or the user's own name at an address the conversation saw (the user's other
    mailbox, kept in copy). Whoever writes the draft knows their own addresses."""
    user = facts.sender
    if not facts.draft or user is None:
        return False
    if a.address == user.address:
        return True
    if person.address != user.address:
        return False
    conv = ctx.memory.conversation
    return conv is not None and any(s.address == a.address for s in conv.people)


def _partner_named(name: str, ctx: Context) -> PartnerEntry | None:
    """The partner whose organisation the display name (or a part of it) names."""
    if not name or not len(ctx.directory):
        return None
    for key in name_keys(name):
        p = ctx.directory.partner_by_name_key(key)
        if p is None and "-" in key:  # "northwind-metals", a domain label written as a name
            p = ctx.directory.partner_by_name_key(" ".join(sorted(key.replace("-", " ").split())))
        if p is not None:
            return p
    return None


def _spelled(a: Address, ctx: Context, in_thread: bool) -> str:
    """What the user name spells: a known person's name, or a company's name."""
    for key in sorted(local_name_keys(a.local)):
        known = known_people(key, ctx, conversation=in_thread)
        if any(p.address == a.address for p in known):
            return ""  # known_here: this very address is known under that name
        people = [p for p in known if p.address.rpartition("@")[2] not in ctx.config.freemail]
        if people:
            p = people[0]
            return _SPELLS_PERSON(name=p.name, address=p.address)
    labels = ctx.directory.labels
    internal = {d.split(".", 1)[0]: "your organisation" for d in ctx.config.internal_domains}
    for w in local_words(a.local):
        owner = labels.get(w) or (internal.get(w) if len(w) >= _MIN_LABEL_IN_WORD else None)
        if owner and len(w) >= _MIN_LABEL_IN_WORD:
            return _SPELLS_COMPANY(owner=owner_words(owner), word=w)
    flat = "".join(c for c in a.local.casefold() if c.isalnum())
    for size in range(min(len(flat), 30), _MIN_LABEL_INSIDE - 1, -1):
        for i in range(len(flat) - size + 1):
            piece = flat[i : i + size]
            owner = labels.get(piece) or internal.get(piece)
            if owner:
                return _SPELLS_COMPANY(owner=owner_words(owner), word=piece)
    return ""


# ------------------------------------------------------------------ unrelated domains


def partner_claimed(facts: Facts, a: Address, ctx: Context) -> PartnerEntry | None:
    """The partner whose organisation the display name of ``a`` (or a part of it) names
    while the address is not the partner's: on free mail, or on a domain that is neither
    the partner's, nor ours, nor a look-alike of one -- with the exemptions
    PARTNER_NAME_OTHER_DOMAIN grants (a service sending in its users' names, the partner's
    own tenant on a shared service, replies that reach the partner)."""
    partner = _partner_named(a.name, ctx)
    if partner is None or not a.domain:
        return None
    if a.domain in ctx.config.freemail:
        return partner
    if ctx.directory.partner_of_address(a.address) is not None or not _unrelated(a, ctx):
        return None
    if _partner_tenant(a, partner.domains) or _service(facts, a, "From", ctx):
        return None
    contacts = {c.email for c in partner.contacts if c.email}
    if _replies_reach(facts, ctx, contacts, set(partner.domains)):
        return None
    return partner


def _unrelated(a: Address, ctx: Context) -> bool:
    """A company domain that is neither ours, nor a partner's, nor a look-alike of one."""
    d = a.domain
    if not d or d in ctx.config.freemail or ctx.config.is_internal(d):
        return False
    index = ctx.lookalikes()
    # is_protected: same_or_partner_organisation (a partner's domain or sub-domain);
    # match: lookalike (lookalike_domain reports it)
    return not (len(index) and (index.is_protected(d) or index.match(d) is not None))


def _service(facts: Facts, a: Address, header: str, ctx: Context) -> bool:
    """sending_service: a service that sends in its users' names, not shown forged by our
    own boundary's authentication."""
    if a.org not in sending_services():
        return False
    if header != "From":
        return True
    auth = trusted_auth(facts, ctx.config)
    return auth is None or auth.dkim_aligned_pass(a.domain) or auth.spf_aligned_pass()


def _partner_tenant(a: Address, partner_domains: tuple[str, ...]) -> bool:
    """partner_tenant: a sub-domain named after the partner's domain label on a shared
    service ("northwind.zendesk.example" for "northwind.example")."""
    sub = a.domain[: -len(a.org)].rstrip(".") if a.org and a.domain != a.org else ""
    if not sub:
        return False
    labels = set(sub.split("."))
    return any(org_domain(d).split(".", 1)[0] in labels for d in partner_domains)


def _replies_reach(facts: Facts, ctx: Context, addresses: set[str], domains: set[str]) -> bool:
    """replies_reach_them: there is a Reply-To and every one is one of these addresses or
    in the organisation of one of these domains."""
    if not facts.reply_to:
        return False
    return all(
        r.address in addresses or any(ctx.same_organisation(r.domain, d) for d in domains)
        for r in facts.reply_to
        if r.domain
    )


def _other_domain(
    facts: Facts, ctx: Context, roles: list[tuple[str, Address]], lists: ListInfo
) -> list[Hit]:
    people: list[tuple[str, Address, KnownPerson, str]] = []
    orgs: list[tuple[str, Address, PartnerEntry]] = []
    conv = ctx.memory.conversation
    in_conv = {s.address for s in conv.people} if conv is not None else set()
    if facts.author is not None and not ctx.memory.sender_vouched:
        in_conv.discard(facts.author.address)  # its part in the thread vouches for nothing
    done: set[str] = set()
    for header, a in roles:
        if header == "Sender" or a.address in done:
            continue
        done.add(a.address)
        if ctx.directory.partner_of_address(a.address) is not None:
            continue
        # The name lookups first: most addresses show no known name, and for those the
        # domain need not be placed (the look-alike index is the costly part).
        found = _known_elsewhere(facts, a, header, ctx, lists)
        partner = None
        if found is None:
            partner = _partner_named(a.name, ctx) if header in _SENDER_ROLES else None
            if partner is None or _partner_tenant(a, partner.domains):
                continue
        if not _unrelated(a, ctx) or _service(facts, a, header, ctx):
            continue
        if found is not None:
            known, note = found
            people.append((header, a, known, note))
            continue
        if partner is None:
            continue
        domains = set(partner.domains)
        contacts = {c.email for c in partner.contacts if c.email}
        if header == "From" and _replies_reach(facts, ctx, contacts, domains):
            continue
        orgs.append((header, a, partner))
    hits = []
    if people:
        fresh = conv is not None and any(a.address not in in_conv for _, a, _, _ in people)
        fid = "KNOWN_NAME_NEW_IN_THREAD" if fresh else "KNOWN_NAME_OTHER_DOMAIN"
        header, a, p, _ = people[0]
        evidence = []
        for h, addr, known, note in people:
            evidence.append(ev(h, addr.display()))
            evidence.append(ev(_KNOWN_AS, _known_as(known)))
            if note:
                evidence.append(ev(_NOT_EXCUSED, note))
        hits.append(
            Hit(
                fid,
                tuple(evidence),
                {
                    "address": a.shown,
                    "name": p.name or a.name,
                    "known_address": p.address or p.organization,
                    "known_source": _SOURCE[p.source](),
                    "domain": readable(a.shown_domain),
                },
            )
        )
    if orgs:
        hits.append(_org_hit("PARTNER_NAME_OTHER_DOMAIN", orgs))
    return hits


def _known_as(p: KnownPerson) -> str:
    where = p.address or p.organization
    return (
        f"{mailbox(p.name, where)} ({_SOURCE[p.source]()})"
        if p.address
        else (f"{isolate(p.name)}, {isolate(where)} ({_SOURCE[p.source]()})")
    )


def _known_elsewhere(
    facts: Facts, a: Address, header: str, ctx: Context, lists: ListInfo
) -> tuple[KnownPerson, str] | None:
    """The known person whose name ``a`` shows while they are known elsewhere only (at
    other addresses, or at their partner's domains when the directory has no address for
    them), with a note when the name's "via" was not accepted as the reason."""
    freemail = ctx.config.freemail
    keys = _person_keys(a.name)
    if not keys and header in _SENDER_ROLES and local_key(a.local):
        # no person's name shown ("Accounts <anna.keller@...>"): the user name spells one
        keys = [local_key(a.local)]
    for key in keys:
        people = list(ctx.directory.contacts_named(key))
        if header in _SENDER_ROLES:
            people.extend(ctx.memory.known.get(key, ()))
        if not people:
            continue
        addresses = {p.address for p in people if p.address}
        domains = {x.rpartition("@")[2] for x in addresses}
        for p in people:
            partner = ctx.directory.partner_named(p.organization) if p.organization else None
            if partner is not None:
                domains.update(partner.domains)
        domains.discard("")
        if any(ctx.same_organisation(a.domain, d) for d in domains):
            return None  # known_here, or same_or_partner_organisation
        if header == "From" and _replies_reach(facts, ctx, addresses, domains):
            return None  # replies_reach_them
        if _partner_tenant(a, tuple(domains)):
            return None  # partner_tenant: their company's tenant on a shared service
        if header == "From" and lists.from_rewritten and lists.trusted:
            return None  # list_rewrite: a list that signs its own mail posted for them
        if not any(d not in freemail for d in domains):
            continue  # private_to_private (or nowhere known)
        known = next(
            (p for p in people if p.address and p.address.rpartition("@")[2] not in freemail),
            people[0],
        )
        note = ""
        if header == "From" and lists.from_rewritten:
            note = "a list's rewrite of From, but nothing vouches for the list marks" + (
                f" ({lists.trust})" if lists.trust else ""
            )
        elif header == "From" and _VIA_NAME.search(a.name):
            note = "the name says 'via', but replies would not reach the person"
        return known, note
    return None


# ------------------------------------------------------------------ addresses in names


def _display_name_address(
    facts: Facts, ctx: Context, roles: list[tuple[str, Address]], lists: ListInfo
) -> Hit | None:
    found: list[tuple[str, Address, str, str]] = []
    done: set[tuple[str, str]] = set()
    for header, a in roles:
        if header == "Sender" or not a.name or (header, a.address) in done:
            continue
        done.add((header, a.address))
        shown = _shown_elsewhere(a, ctx)
        if shown is None:
            continue
        what, whose = shown
        if header == "From" and lists.from_rewritten:
            continue  # list_rewrite: "'anna@partner.example' via Group <group@list.example>"
        if _VIA_NAME.search(a.name) and _service(facts, a, header, ctx):
            continue  # sending_service
        found.append((header, a, what, whose))
    if not found:
        return None
    header, a, what, whose = found[0]
    evidence = []
    for h, addr, w, owner in found:
        evidence.append(ev(h, addr.display()))
        evidence.append(ev(_NAME_SHOWS, f"{isolate(w)} ({isolate(owner)})"))
    if lists.marked and not lists.from_rewritten:
        evidence.extend(lists.refused())
    return Hit(
        "DISPLAY_NAME_ADDRESS",
        tuple(evidence),
        {"address": a.shown, "shown": what, "whose": whose},
    )


def _shown_elsewhere(a: Address, ctx: Context) -> tuple[str, str] | None:
    """An address or domain the display name spells out that is one of ours or a
    partner's (or a look-alike of one) and not ``a``'s organisation's: (what, whose)."""
    text = fold_name(a.name)
    shown_addresses = addresses_in_name(a.name)
    candidates = [(x, x.rpartition("@")[2]) for x in shown_addresses]
    bare = text
    for x in shown_addresses:
        bare = bare.replace(x, " ")
    candidates += [(m.group(1), m.group(1)) for m in _DOMAIN_IN_NAME.finditer(bare)]
    for what, domain in candidates:
        try:
            d = normalise_domain(domain)
        except (UnicodeError, ValueError):
            continue
        if not d or "." not in d or org_domain(d) == a.org or ctx.same_organisation(d, a.domain):
            continue
        owner = _owner(d, ctx)
        if owner:
            return what, owner
    return None


def _owner(d: str, ctx: Context) -> str:
    """Whose domain ``d`` is or imitates: ours, a partner's, or ""."""
    if ctx.config.is_internal(d):
        return owner_words(OURS)
    p = ctx.directory.partner_of_domain(d)
    if p is not None:
        return p.organization
    index = ctx.lookalikes()
    if len(index) and not index.is_protected(d):
        m = index.match(d)
        if m is not None:
            return _IMITATING(domain=m.imitates, owner=owner_words(m.owner))
    return ""
