"""first_contact (info): the first message from an address the organisation has not seen.

Only with a conversation memory (a store): without one, everyone would be new. Named
exclusions (quiet): internal senders, partner domains and partner contacts from the
directory, and mailing-list or bulk mail (a list brings new posters every day). The list
marks need no one to vouch for them here: first contact is a note, and a sender who adds
them to a message only loses that note (:mod:`caveat.checks._common`).
"""

from __future__ import annotations

from caveat.knowledge.context import Context
from caveat.mail.facts import Facts

from ._common import list_info
from .hits import Hit, check, ev


@check("first_contact", emits=["FIRST_CONTACT"])
def first_contact(facts: Facts, ctx: Context) -> list[Hit]:
    a = facts.author
    if not ctx.memory.available or a is None or not a.domain or ctx.memory.sender is not None:
        return []
    if ctx.config.is_internal(a.domain) or ctx.directory.partner_of_domain(a.domain):
        return []
    if ctx.directory.partner_of_address(a.address) is not None:
        return []
    lists = list_info(facts)
    if lists.is_list or lists.is_bulk:
        return []
    return [Hit("FIRST_CONTACT", (ev("From", a.display()),))]
