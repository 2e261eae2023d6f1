"""freemail_impersonation: a free-mail address dressed as someone the organisation knows.

  FREEMAIL_KNOWN_NAME               the display name is that of a known person at another
                                    address: a partner contact from the directory, a
                                    colleague, a sender whose mail passed authentication
                                    before, or a participant of this conversation;
  FREEMAIL_LOCALPART_IMPERSONATION  the user name spells a known person's name, or our or
                                    a partner's company name ("felix.brandt.partnerb@...").

Looked at: From, Reply-To, To and Cc. Named exclusions (quiet):
  * directory_contact: the partner directory lists this very free-mail address (a small
    supplier that works from free mail is not impersonating itself);
  * known_here: the known person was seen at this very address;
  * private_to_private: the known person's own address is free mail too (people keep
    several private mailboxes; nothing company-like is imitated);
  * list_conversation: on mailing-list mail, people seen earlier in the list's threads do
    not count (posters write from work and from home); the directory, colleagues and
    authenticated senders still do.
"""

from __future__ import annotations

from caveat.knowledge.context import Context
from caveat.knowledge.memory import KnownPerson, local_name_keys
from caveat.mail.facts import Address, Facts
from caveat.mail.names import is_person_name, local_words, name_key

from ._common import list_info
from .hits import Hit, check, ev
from .lookalike_domain import addresses_by_role

_SOURCE = {
    "directory": "partner directory",
    "colleague": "colleague",
    "authenticated": "earlier authenticated mail",
    "conversation": "earlier in this conversation",
}
_MIN_LABEL_IN_WORD = 4
_MIN_LABEL_INSIDE = 6


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


@check(
    "freemail_impersonation",
    emits=["FREEMAIL_KNOWN_NAME", "FREEMAIL_LOCALPART_IMPERSONATION"],
)
def freemail_impersonation(facts: Facts, ctx: Context) -> list[Hit]:
    freemail = ctx.config.freemail
    by_name: list[tuple[str, Address, KnownPerson]] = []
    by_local: list[tuple[str, Address, str]] = []
    done: set[str] = set()
    in_thread = not list_info(facts).is_list
    for header, a in addresses_by_role(facts):
        if a.address in done or a.domain not in freemail:
            continue
        done.add(a.address)
        if ctx.directory.partner_of_address(a.address) is not None:
            continue
        person = _impersonated(name_key(a.name), a, ctx, in_thread)
        if person is not None:
            by_name.append((header, a, person))
            continue
        what = _spelled(a, ctx, in_thread)
        if what:
            by_local.append((header, a, what))
    hits = []
    if by_name:
        header, a, p = by_name[0]
        evidence = []
        for h, addr, known in by_name:
            evidence.append(ev(h, addr.display()))
            evidence.append(
                ev("Known as", f"{known.name} <{known.address}> ({_SOURCE[known.source]})")
            )
        hits.append(
            Hit(
                "FREEMAIL_KNOWN_NAME",
                tuple(evidence),
                {
                    "address": a.shown,
                    "name": p.name or a.name,
                    "known_address": p.address,
                    "known_source": _SOURCE[p.source],
                },
            )
        )
    if by_local:
        header, a, what = by_local[0]
        evidence = []
        for h, addr, spelled in by_local:
            evidence.append(ev(h, addr.display()))
            evidence.append(ev("User name spells", spelled))
        hits.append(
            Hit(
                "FREEMAIL_LOCALPART_IMPERSONATION",
                tuple(evidence),
                {"address": a.shown, "what": what},
            )
        )
    return hits


def _impersonated(key: str, a: Address, ctx: Context, in_thread: bool) -> KnownPerson | None:
    if not is_person_name(key):
        return None
    people = known_people(key, ctx, conversation=in_thread)
    if any(p.address == a.address for p in people):
        return None
    freemail = ctx.config.freemail
    for p in people:
        domain = p.address.rpartition("@")[2]
        if p.address and domain and domain not in freemail:
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
            return f"the name of {p.name} ({p.address})"
    labels = ctx.directory.labels
    internal = {d.split(".", 1)[0]: "your organisation" for d in ctx.config.internal_domains}
    for w in local_words(a.local):
        owner = labels.get(w) or (internal.get(w) if len(w) >= _MIN_LABEL_IN_WORD else None)
        if owner and len(w) >= _MIN_LABEL_IN_WORD:
            return f"the company name of {owner} ('{w}')"
    flat = "".join(c for c in a.local.casefold() if c.isalnum())
    for size in range(min(len(flat), 30), _MIN_LABEL_INSIDE - 1, -1):
        for i in range(len(flat) - size + 1):
            piece = flat[i : i + size]
            owner = labels.get(piece) or internal.get(piece)
            if owner:
                return f"the company name of {owner} ('{piece}')"
    return ""
