"""recipient_swap: someone this conversation knew now appears at a different address.

The conversation memory (:mod:`caveat.memory`) keeps, per conversation, the address each
person's display name and each name-bearing user name ("anna.keller") had first. A later
message that shows the same person at another address is reported with every change:

  RECIPIENT_SWAP_FREEMAIL   the new address is free mail and the old one was not (danger);
  RECIPIENT_SWAP_LOOKALIKE  the new address's domain imitates the old one, ours or a
                            partner's (danger);
  RECIPIENT_SWAP            any other organisation (caution).

Looked at: From, Reply-To, To and Cc. Named exclusions (quiet):
  * same_organisation: the new address is in the old one's organisation (a colleague's
    alias, a sub-domain, a partner's second domain from the directory);
  * both_present: the old address is in this message too (two people share a name);
  * mailing_list: list mail, where one person posts from several addresses as a matter of
    course and nobody's replies are redirected.
"""

from __future__ import annotations

from cachetools import LRUCache

from ..context import Context
from ..facts import Facts
from ..hits import Hit, check, ev
from ..memory import Seen, person
from ..names import is_person_name
from ._common import list_info
from .lookalike_domain import addresses_by_role

_PAIRS: LRUCache[tuple[str, str], bool] = LRUCache(maxsize=4096)


@check(
    "recipient_swap",
    emits=["RECIPIENT_SWAP_FREEMAIL", "RECIPIENT_SWAP_LOOKALIKE", "RECIPIENT_SWAP"],
)
def recipient_swap(facts: Facts, ctx: Context) -> list[Hit]:
    conv = ctx.memory.conversation
    if conv is None or not conv.people:
        return []
    if list_info(facts).is_list:
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
        if old is None or old.address == a.address or old.address in present:
            continue
        old_domain = old.address.rpartition("@")[2]
        if ctx.same_organisation(old_domain, a.domain):
            continue
        # A role name ("Finance Team", "Accounts") exists at every company: the same one at
        # another company is another mailbox, unless it moved to free mail or a look-alike.
        role_only = by_name and not is_person_name(old.name_key)
        if (old.address, a.address) in reported:
            continue
        reported.add((old.address, a.address))
        if a.domain in freemail and old_domain not in freemail:
            fid, note = "RECIPIENT_SWAP_FREEMAIL", "free mail"
        elif _imitates(a.domain, old_domain, ctx):
            fid, note = "RECIPIENT_SWAP_LOOKALIKE", f"look-alike of {old_domain}"
        elif role_only:
            continue
        else:
            fid, note = "RECIPIENT_SWAP", "another organisation"
        found.setdefault(fid, []).append((header, a.address, old, note))
    hits = []
    for fid, swaps in found.items():
        people = ", ".join(dict.fromkeys(old.name or old.address for _, _, old, _ in swaps))
        text = "; ".join(
            f"{old.name or old.address}: {old.address} → {new}" for _, new, old, _ in swaps
        )
        evidence = tuple(
            ev(header, f"{old.name or old.address}: was {old.address}, now {new} ({note})")
            for header, new, old, note in swaps
        )
        hits.append(Hit(fid, evidence, {"people": people, "swaps": text, "count": len(swaps)}))
    return hits


def _imitates(new_domain: str, old_domain: str, ctx: Context) -> bool:
    """The new domain is a look-alike of the old one, or of one of ours or a partner's."""
    m = ctx.lookalikes().match(new_domain) if len(ctx.lookalikes()) else None
    if m is not None:
        return True
    key = (new_domain, old_domain)
    if key not in _PAIRS:
        from ..lookalike import LookalikeIndex

        _PAIRS[key] = LookalikeIndex([(old_domain, old_domain)]).match(new_domain) is not None
    return _PAIRS[key]
