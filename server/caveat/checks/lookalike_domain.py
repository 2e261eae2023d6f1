"""lookalike_domain: an address in the message uses a domain made to look like ours or a
partner's.

Every From, Sender, Reply-To, To and Cc domain is looked up in the look-alike index of the
organisation's own domains and every partner domain (:mod:`caveat.reference.lookalike`); a lookup
never scans the directory.

  LOOKALIKE_DOMAIN          confusable characters, one edit, hyphens, or our domain used as
                            a sub-domain of another: made to deceive the eye (danger);
  LOOKALIKE_DOMAIN_VARIANT  a word added, or the same name under another suffix: often a
                            related company, sometimes a trap (caution);
  LOOKALIKE_CORRESPONDENT   confusable characters, one edit, hyphens, or the domain used as
                            a sub-domain of another, imitating a frequent correspondent who
                            is not in the directory: a domain whose mail passed aligned
                            authentication at our boundary and drew no warning at least
                            CORRESPONDENT_MESSAGES times (the conversation memory's
                            :class:`~caveat.knowledge.memory.Correspondents`) (danger).
                            Only the techniques that deceive the eye count: an unvetted
                            list of who writes to us holds many related names.

Named exclusions (quiet):
  * protected: the domain is ours or a partner's (a partner's sub-domains included);
  * freemail: free-mail providers are judged by freemail_impersonation;
  * list_or_bulk_vouched: the weaker variant is not reported on mailing-list or bulk mail
    whose list marks are vouched for: signed by the list's own domain or a list of ours or
    a partner's, or signed by the From domain when the variant is another address of the
    message (a DKIM signature of the variant domain itself proves only that its owner
    sent the mail, and says nothing about whose it is). Marks nobody vouches for excuse
    nothing: they are a line in the header for whoever registered the variant.
  * correspondent: a domain that is itself a frequent correspondent imitates none of the
    others (two companies whose names differ by a letter both write to us);
  * established_sender: the weaker variant, and a look-alike of a correspondent, are not
    reported when it is only the sender's
    own domain, this message passed aligned SPF or DKIM for it at our boundary, and the
    conversation memory shows the same address writing to us for at least
    ESTABLISHED_DAYS, with ESTABLISHED_MESSAGES messages and aligned authentication
    before. A domain registered to imitate a partner is new: to pass this it would have
    had to write to us for months, each of those messages warned about. Nothing quiets
    LOOKALIKE_DOMAIN: a domain that deceives the eye stays reported however long it has
    written. (Which names count as look-alikes at all, and why a short name needs more
    than any one changed letter, is the index's: :mod:`caveat.reference.lookalike`.)
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from caveat.knowledge.context import Context
from caveat.mail.authres import trusted_auth
from caveat.mail.bidi import isolate
from caveat.mail.domains import readable
from caveat.mail.facts import Address, Facts

from ._common import list_info, owner_words
from .hits import Hit, check, ev, label, words

if TYPE_CHECKING:
    from caveat.knowledge.memory import Correspondents
    from caveat.reference.lookalike import LookalikeMatch

STRONG = frozenset({"confusable", "edit", "hyphen", "subdomain"})
#: An address that has written to us, authenticated, for this long and this often is an
#: established correspondent (see established_sender above).
ESTABLISHED_DAYS = 90
ESTABLISHED_MESSAGES = 5
_ROLES = (
    ("From", "from_"),
    ("Sender", "sender"),
    ("Reply-To", "reply_to"),
    ("To", "to"),
    ("Cc", "cc"),
)
#: the address a finding is about, as its explanation names it ("The sender address uses
#: ..."); header names other than From's and Sender's stay as they are
_SENDER = words("where.sender", "sender")
_WHERE = {"From": _SENDER, "Sender": _SENDER}
_LOOKALIKE = label("Look-alike")


def addresses_by_role(facts: Facts) -> list[tuple[str, Address]]:
    out: list[tuple[str, Address]] = []
    for header, attr in _ROLES:
        value = getattr(facts, attr)
        if value is None:
            continue
        for a in value if isinstance(value, tuple) else (value,):
            if a.domain:
                out.append((header, a))
    return out


CORRESPONDENT = "LOOKALIKE_CORRESPONDENT"


@check(
    "lookalike_domain",
    emits=["LOOKALIKE_DOMAIN", "LOOKALIKE_DOMAIN_VARIANT", CORRESPONDENT],
)
def lookalike_domain(facts: Facts, ctx: Context) -> list[Hit]:
    index = ctx.lookalikes()
    correspondents = ctx.memory.correspondents
    if not len(index) and not len(correspondents):
        return []
    freemail = ctx.config.freemail
    found: dict[str, list[tuple[str, Address, LookalikeMatch]]] = {}
    # keyed by the domain as written: the match is the folded domain's, the detail names
    # the characters as written
    checked: dict[tuple[str, str], LookalikeMatch | None] = {}
    for header, a in addresses_by_role(facts):
        d = a.domain
        key = (d, a.shown_domain)
        if key not in checked:
            if d in freemail or ctx.config.is_internal(d) or index.is_protected(d):
                checked[key] = None
            else:
                checked[key] = index.match(d, a.shown_domain) or _correspondent(
                    correspondents, d, a.shown_domain
                )
        m = checked[key]
        if m is None:
            continue
        if m.owner == correspondents.OWNER and not index.is_protected(m.imitates):
            fid = CORRESPONDENT
        else:
            fid = "LOOKALIKE_DOMAIN" if m.technique in STRONG else "LOOKALIKE_DOMAIN_VARIANT"
        found.setdefault(fid, []).append((header, a, m))
    if "LOOKALIKE_DOMAIN_VARIANT" in found:
        variants = found["LOOKALIKE_DOMAIN_VARIANT"]
        lists = list_info(facts, ctx)
        if (lists.marked and _vouched_for(lists.trust, variants, facts)) or _established(
            variants, facts, ctx
        ):
            del found["LOOKALIKE_DOMAIN_VARIANT"]
    if CORRESPONDENT in found and _established(found[CORRESPONDENT], facts, ctx):
        del found[CORRESPONDENT]
    hits = []
    for fid, items in found.items():
        header, a, m = items[0]
        evidence = []
        for h, addr, match in items:
            evidence.append(ev(h, addr.display()))
            evidence.append(
                ev(
                    _LOOKALIKE,
                    f"{isolate(readable(addr.shown_domain))} imitates {match.imitates} "
                    f"({isolate(match.owner)}): {isolate(match.detail)}",
                )
            )
        hits.append(
            Hit(
                fid,
                tuple(evidence),
                {
                    "candidate": readable(a.shown_domain),
                    "imitates": m.imitates,
                    "owner": owner_words(m.owner),
                    "detail": m.detail,
                    "where": _WHERE[header]() if header in _WHERE else header,
                },
            )
        )
    return hits


def _correspondent(
    correspondents: Correspondents, domain: str, written: str
) -> LookalikeMatch | None:
    """A look-alike of a frequent correspondent by a technique that deceives the eye;
    never for a domain that is one itself."""
    if not len(correspondents):
        return None
    index = correspondents.index()
    if index.is_protected(domain):
        return None
    m = index.match(domain, written)
    return m if m is not None and m.technique in STRONG else None


def _vouched_for(
    trust: str, items: list[tuple[str, Address, LookalikeMatch]], facts: Facts
) -> bool:
    if trust in ("dkim_list", "known_list"):
        return True
    author = facts.author
    return (
        trust == "dkim_from"
        and author is not None
        and all(a.org != author.org for _, a, _ in items)
    )


def _established(
    items: list[tuple[str, Address, LookalikeMatch]], facts: Facts, ctx: Context
) -> bool:
    """Every variant is the sender's own domain, authenticated now, and the sender has a
    long authenticated history with us (established_sender)."""
    author, seen = facts.author, ctx.memory.sender
    if author is None or not author.domain or seen is None or not seen.authenticated:
        return False
    if any(a.domain != author.domain for _, a, _ in items):
        return False
    if seen.messages < ESTABLISHED_MESSAGES:
        return False
    if ctx.now - seen.first_seen < timedelta(days=ESTABLISHED_DAYS):
        return False
    auth = trusted_auth(facts, ctx.config)
    return auth is not None and (
        auth.dkim_aligned_pass(author.domain) or auth.spf_aligned_pass(author.domain)
    )
