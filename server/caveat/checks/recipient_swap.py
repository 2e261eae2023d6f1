"""recipient_swap: someone this conversation knew now appears at a different address.

The conversation memory (:mod:`caveat.knowledge.memory`) keeps, per conversation, the address each
person's display name and each name-bearing user name ("anna.keller") had first. A later
message that shows the same person at another address is reported with every change:

  RECIPIENT_SWAP_FREEMAIL   the new address is free mail and the old one was not (danger);
  RECIPIENT_SWAP_LOOKALIKE  the new address's domain imitates the old one, ours or a
                            partner's (danger);
  RECIPIENT_SWAP            any other organisation (caution).

A person is recognised by display name, by a name-bearing user name, or, failing both, by
the very same user name under a domain that imitates the one the conversation knew
(``jane@partner-example.com`` for ``jane@partner.example``: a bare address is how a
look-alike copy is slipped into a thread). A domain imitates another when the look-alike
index says so, or when it spells the other out in its name (``partner-example.com``,
``partnerexample.com``), which the index leaves alone for a generic word like "partner".

Looked at: From, Reply-To, To and Cc. Named exclusions (quiet):
  * same_organisation: the new address is in the old one's organisation (a colleague's
    alias, a sub-domain, a partner's second domain from the directory);
  * both_present: the old address is in this message too (two people share a name);
  * mailing_list: list mail sent to the list it names, or whose list marks are vouched
    for (:mod:`caveat.checks._common`), where one person posts from several addresses as
    a matter of course and nobody's replies are redirected. List marks on a message not
    addressed to their list, and that nothing vouches for, excuse nothing (the evidence
    says so).
  * user_name_alone: the same user name by itself ("jane", "info") at free mail or at an
    unrelated company is somebody else; it counts only under a look-alike of its domain.
  * back_on_file: the new address is on file (a partner contact's address, a partner's
    domain or one of ours) and the old one was not: after a fake message put someone at a
    free-mail address, the real address is where replies belong, not a swap.
  * accepted_reply_to: the new address is where an earlier message of this conversation
    asked for replies to go (its Reply-To), and Caveat found that message unremarkable
    (none or info): a newsletter answered at its editor's address. A Reply-To on a message
    that drew a caution or a danger is never accepted (:mod:`caveat.knowledge.memory`).
"""

from __future__ import annotations

from collections.abc import Iterable

from cachetools import LRUCache

from caveat.knowledge.context import Context
from caveat.knowledge.memory import Seen, person
from caveat.mail.bidi import Isolated, isolate
from caveat.mail.domains import org_domain
from caveat.mail.facts import Address, Facts
from caveat.mail.names import is_person_name

from ._common import list_info
from .hits import Hit, check, ev, listed
from .lookalike_domain import addresses_by_role

_PAIRS: LRUCache[tuple[str, str], bool] = LRUCache(maxsize=4096)
#: Letters of the shortest registrable domain whose spelling-out counts ("acme.de").
_MIN_SPELLED = 6


@check(
    "recipient_swap",
    emits=["RECIPIENT_SWAP_FREEMAIL", "RECIPIENT_SWAP_LOOKALIKE", "RECIPIENT_SWAP"],
)
def recipient_swap(facts: Facts, ctx: Context) -> list[Hit]:
    conv = ctx.memory.conversation
    if conv is None or not conv.people:
        return []
    lists = list_info(facts, ctx)
    if lists.is_list and (lists.trusted or lists.addressed):
        return []
    established = conv.established()
    roles = addresses_by_role(facts)
    present = {a.address for _, a in roles}
    freemail = ctx.config.freemail
    found: dict[str, list[tuple[str, str, Seen, str]]] = {}
    reported: set[tuple[str, str]] = set()
    for header, a in roles:
        if header == "Sender":
            continue
        p = person(a, "")
        old = None
        by_name = False
        if p.name_key:
            old = established.get("n:" + p.name_key)
            by_name = old is not None
        if (old is None or old.address == a.address) and p.local_key:
            old = established.get("l:" + p.local_key)
            by_name = False
        by_mailbox = False
        if old is None:
            old = _same_mailbox(a, conv.people, ctx)
            by_mailbox = old is not None
        if old is None or old.address == a.address or old.address in present:
            continue
        if a.address in ctx.memory.accepted_reply_to:
            continue
        old_domain = old.address.rpartition("@")[2]
        if ctx.same_organisation(old_domain, a.domain):
            continue
        if _on_file(a.address, a.domain, ctx) and not _on_file(old.address, old_domain, ctx):
            continue
        # A role name ("Finance Team", "Accounts") exists at every company: the same one at
        # another company is another mailbox, unless it moved to free mail or a look-alike.
        role_only = by_name and not is_person_name(old.name_key)
        if (old.address, a.address) in reported:
            continue
        reported.add((old.address, a.address))
        if by_mailbox:
            fid, note = "RECIPIENT_SWAP_LOOKALIKE", f"look-alike of {old_domain}"
        elif a.domain in freemail and old_domain not in freemail:
            fid, note = "RECIPIENT_SWAP_FREEMAIL", "free mail"
        elif _imitates(a.domain, old_domain, ctx):
            fid, note = "RECIPIENT_SWAP_LOOKALIKE", f"look-alike of {old_domain}"
        elif role_only:
            continue
        else:
            fid, note = "RECIPIENT_SWAP", "another organisation"
        # the new address as this message wrote it; the old one as the memory keeps it
        found.setdefault(fid, []).append((header, a.shown, old, note))
    hits = []
    for fid, swaps in found.items():
        # names and addresses each a bidi isolate: a name cannot turn the addresses after it
        names = dict.fromkeys(old.name or old.address for _, _, old, _ in swaps)
        people = listed(list(names))
        text = Isolated(
            "; ".join(
                f"{isolate(old.name or old.address)}: {isolate(old.address)} → {isolate(new)}"
                for _, new, old, _ in swaps
            )
        )
        evidence = tuple(
            ev(header, f"{isolate(old.name or old.address)}: was {old.address}, now {new} ({note})")
            for header, new, old, note in swaps
        ) + (lists.refused() if lists.is_list else ())
        hits.append(Hit(fid, evidence, {"people": people, "swaps": text, "count": len(swaps)}))
    return hits


def _on_file(address: str, domain: str, ctx: Context) -> bool:
    """The address is one the organisation knows to be right: listed as a partner's
    contact, at a partner's domain, or at one of ours."""
    d = ctx.directory
    return (
        d.partner_of_address(address) is not None
        or d.partner_of_domain(domain) is not None
        or ctx.config.is_internal(domain)
    )


def _imitates(new_domain: str, old_domain: str, ctx: Context) -> bool:
    """The new domain is a look-alike of the old one, or of one of ours or a partner's."""
    m = ctx.lookalikes().match(new_domain) if len(ctx.lookalikes()) else None
    if m is not None:
        return True
    return _imitates_domain(new_domain, old_domain)


def _imitates_domain(new_domain: str, old_domain: str) -> bool:
    """The new domain is a look-alike of this very one (not of anyone else's)."""
    key = (new_domain, old_domain)
    if key not in _PAIRS:
        from caveat.reference.lookalike import LookalikeIndex

        match = LookalikeIndex([(old_domain, old_domain)]).match(new_domain)
        _PAIRS[key] = match is not None or spells_out(new_domain, old_domain)
    return _PAIRS[key]


def spells_out(new_domain: str, old_domain: str) -> bool:
    """The new domain's name is the old registrable domain written out, its dots turned
    into hyphens or dropped: ``partner-example.com``, ``partnerexample.net`` or
    ``partner-example-pay.com`` for ``partner.example``. Whole words only, so that
    ``acmecompany.net`` does not spell ``acme.com``."""
    new_org, old_org = org_domain(new_domain), org_domain(old_domain)
    if not new_org or not old_org or new_org == old_org:
        return False
    old_words = old_org.split(".")
    if len(old_words) < 2 or len("".join(old_words)) < _MIN_SPELLED:
        return False
    label = new_org.split(".", 1)[0]
    if label == "".join(old_words):
        return True
    words = label.split("-")
    n = len(old_words)
    return any(words[i : i + n] == old_words for i in range(len(words) - n + 1))


def _same_mailbox(a: Address, people: Iterable[Seen], ctx: Context) -> Seen | None:
    """Someone this conversation knew under the same user name at a domain that ``a``'s
    domain imitates, earliest first."""
    if not a.local or not a.domain or a.domain in ctx.config.freemail:
        return None
    for s in sorted(people, key=lambda s: (s.first_seen, s.address)):
        local, _, domain = s.address.rpartition("@")
        if (
            local == a.local
            and domain
            and s.address != a.address
            and not ctx.same_organisation(domain, a.domain)
            and _imitates_domain(a.domain, domain)
        ):
            return s
    return None
