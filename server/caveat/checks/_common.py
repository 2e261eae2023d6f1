"""Facts several checks share: named exclusions such as "this is mailing-list mail".

Every list mark is a header the sender writes: List-Id, List-Post, List-Unsubscribe,
Precedence: bulk and the older list managers' headers cost an impostor one line each. So
:func:`list_info` says not only whether a message carries them but whether anything vouches
for them (:attr:`ListInfo.trusted`):

  * ``dkim_from``: our own boundary saw a DKIM signature of the From organisation pass (the
    domain owner sent the message, list marks and all);
  * ``dkim_list``: our boundary saw a DKIM signature of the list's own organisation pass
    (the List-Id or List-Post domain: the list server signed what it sent);
  * ``known_list``: the list lives under one of our domains or a partner's.

Checks decide what an unvouched mark may still excuse. The rule the checks follow: a mark
nobody vouches for may quiet a *note* (first contact, a Reply-To at another organisation, a
reply prefix on a post addressed to the list), never a warning (a free-mail Reply-To, a
swapped or impersonated person, a look-alike domain); and the list's rewrite of From
("Name via List", the list's own address in From) counts only when the list marks name
the From's own organisation. When an exclusion is refused, the check says why in its
evidence (:meth:`ListInfo.refused`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from caveat.knowledge.directory import OURS
from caveat.knowledge.memory import Correspondents
from caveat.mail.authres import trusted_auth
from caveat.mail.bidi import Isolated
from caveat.mail.domains import normalise_domain, org_domain
from caveat.mail.facts import Facts
from caveat.mail.memo import last_answer
from caveat.mail.names import name_keys, sent_through

from .findings import Evidence
from .hits import Phrase, label, words

if TYPE_CHECKING:
    from caveat.knowledge.context import Context

_LIST_ID_RE = re.compile(r"<([^<>\s]+)>")
_MAILTO_RE = re.compile(r"mailto:([^?>\s,]+)", re.IGNORECASE)
_ADDR_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_BULK_PRECEDENCE = {"list", "bulk", "junk"}
_LEGACY_LIST_HEADERS = (
    ("mailing-list", "Mailing-List"),
    ("x-beenthere", "X-BeenThere"),
    ("x-mailman-version", "X-Mailman-Version"),
    ("x-ml-name", "X-ML-Name"),
)


LIST_MARKS = label("List marks")


@dataclass(frozen=True, slots=True)
class ListInfo:
    """What marks a message as mailing-list or bulk mail, where the list lives, and whether
    anything but the sender vouches for it."""

    is_list: bool  # List-Id or List-Post: a discussion list
    is_bulk: bool  # List-Unsubscribe or Precedence: bulk/list (newsletters, ESPs)
    list_orgs: frozenset[str]  # organisational domains of the list (List-Id, List-Post)
    #: the list put its own address in From ("Name via List"): the From is the list's own
    #: address (its List-Post, or its name), or says "via" at the list's organisation; a
    #: "via" in the display name alone, on a From the list marks do not name, is not enough
    from_rewritten: bool
    evidence: tuple[Evidence, ...]
    #: authentication at our boundary, or our or a partner's domain, vouches for the marks
    trusted: bool = False
    #: why they are trusted ("dkim_from", "dkim_list", "known_list"), or why not
    trust: str = ""
    #: the post was sent to the list it names: an address of the list's organisation, or
    #: one under the list's own name, is among To and Cc, or the list rewrote From (a
    #: hijack is aimed at a person, not at a list)
    addressed: bool = False

    @property
    def marked(self) -> bool:
        return self.is_list or self.is_bulk

    def refused(self) -> tuple[Evidence, ...]:
        """Evidence that list marks were present but did not excuse the finding."""
        if not self.marked or self.trusted:
            return ()
        return (Evidence(LIST_MARKS, f"not accepted: {self.trust}"),)


NOT_LIST = ListInfo(False, False, frozenset(), False, ())


def list_info(facts: Facts, ctx: Context | None = None) -> ListInfo:
    """The list marks of a message; with ``ctx``, whether they are vouched for (without it,
    never: callers that cannot say whose authentication to believe get ``trusted=False``).
    Several checks ask about the same message in a row: the last answer is kept."""
    return _list_info(facts, ctx)


@last_answer
def _list_info(facts: Facts, ctx: Context | None) -> ListInfo:
    evidence = []
    orgs: set[str] = set()
    list_id = facts.first("list-id")
    list_post = facts.first("list-post")
    # Pre-RFC 2369 list managers (ezmlm, Yahoo Groups, old Mailman) mark posts differently.
    legacy = next(
        ((name, facts.first(key)) for key, name in _LEGACY_LIST_HEADERS if facts.has(key)),
        None,
    )
    unsubscribe = facts.first("list-unsubscribe")
    precedence = (facts.first("precedence") or "").strip().lower()
    names: set[str] = set()  # the list's own names: List-Id's first label, List-Post's user
    posts: set[str] = set()  # the list's own addresses (List-Post, the older headers)
    if list_id:
        evidence.append(Evidence("List-Id", list_id))
        m = _LIST_ID_RE.search(list_id)
        ident = (m.group(1) if m else list_id.strip()).lower()
        # A List-Id is a dotted name under the list owner's domain (RFC 2919).
        if "." in ident:
            orgs.add(org_domain(normalise_domain(ident)))
            names.add(ident.split(".", 1)[0])
    if list_post:
        evidence.append(Evidence("List-Post", list_post))
        m = _MAILTO_RE.search(list_post)
        if m and "@" in m.group(1):
            local, _, domain = m.group(1).rpartition("@")
            orgs.add(org_domain(normalise_domain(domain)))
            names.add(local.lower())
            posts.add(f"{local.lower()}@{normalise_domain(domain)}")
    if legacy is not None:
        evidence.append(Evidence(legacy[0], legacy[1] or ""))
        for found in _ADDR_RE.findall(legacy[1] or ""):
            local, _, domain = found.rpartition("@")
            orgs.add(org_domain(normalise_domain(domain)))
            posts.add(f"{local.lower()}@{normalise_domain(domain)}")
    if unsubscribe:
        evidence.append(Evidence("List-Unsubscribe", unsubscribe))
    if precedence in _BULK_PRECEDENCE:
        evidence.append(Evidence("Precedence", precedence))
    orgs.discard("")
    is_list = bool(list_id or list_post or legacy)
    is_bulk = bool(unsubscribe) or precedence in _BULK_PRECEDENCE
    if not (is_list or is_bulk):
        return NOT_LIST
    author = facts.author
    rewritten = bool(
        is_list
        and author is not None
        and author.domain
        and author.org in orgs
        and (author.local in names or author.address in posts or sent_through(author.name))
    )
    addressed = rewritten or (
        is_list
        and any(a.domain and (a.org in orgs or a.local in names) for a in (*facts.to, *facts.cc))
    )
    trusted, trust = _vouched(facts, ctx, orgs)
    return ListInfo(
        is_list,
        is_bulk,
        frozenset(orgs),
        rewritten,
        tuple(evidence),
        trusted=trusted,
        trust=trust,
        addressed=addressed,
    )


def _vouched(facts: Facts, ctx: Context | None, orgs: set[str]) -> tuple[bool, str]:
    if ctx is None:
        return False, "no authentication was consulted"
    author = facts.author
    auth = trusted_auth(facts, ctx.config)
    if auth is not None:
        if author is not None and author.domain and auth.dkim_aligned_pass(author.domain):
            return True, "dkim_from"
        for r in auth.dkim:
            if r.result == "pass" and org_domain(auth.dkim_domain(r)) in orgs:
                return True, "dkim_list"
    # A list of ours or a partner's, posting under that organisation's own From: the marks
    # claim nothing the From does not (and a forged From is auth_failure's to report).
    if author is not None and author.domain and author.org in orgs:
        known = ctx.config.is_internal(author.domain) or (
            ctx.directory.partner_of_domain(author.domain) is not None
        )
        if known and (auth is None or auth.dmarc is None or auth.dmarc.result != "fail"):
            return True, "known_list"
    if auth is None:
        return False, "no authentication results from our own mail boundary vouch for them"
    return False, "no DKIM signature of the sender's or the list's domain passed at our boundary"


def same_name(a: str, b: str) -> bool:
    """Two display names name the same person once folded (:func:`caveat.mail.names.
    name_keys`): case, accents, invisible characters, look-alike letters, decorations and
    word order ignored."""
    ka, kb = name_keys(a), name_keys(b)
    if not ka or not kb:
        return False
    return ka[0] in kb or kb[0] in ka


class Claimed(Protocol):
    """Who a message claims to come from (:class:`~caveat.checks.bank_details_change.
    Claimant`): the organisation, and how Caveat knows it."""

    @property
    def organisation(self) -> str: ...

    @property
    def how(self) -> str: ...


_CLAIMED = {
    None: words("claimed.unknown", "a sender who is not in the partner directory"),
    "directory": words("claimed.directory", "{organisation}, a partner in the directory"),
    "lookalike": words("claimed.lookalike", "a domain imitating {organisation}"),
    "learned": words(
        "claimed.learned",
        "{organisation}, whose earlier mail, authenticated at your boundary, named other accounts",
    ),
    "name_elsewhere": words(
        "claimed.name_elsewhere", "an address that is not {organisation}'s but shows its name"
    ),
    "freemail_name": words(
        "claimed.freemail_name",
        "a free-mail address using the name of {organisation} or of its contact",
    ),
}
#: whose a domain is when it is not a partner's (the look-alike index's owners)
YOUR_ORGANISATION = words("owner.yours", "your organisation")
FREQUENT_CORRESPONDENT = words("owner.frequent_correspondent", "a frequent correspondent")
#: who the sender is when nothing names them
THE_SENDER = words("the_sender", "the sender")


def owner_words(owner: str) -> str:
    """Whose a domain is, as a finding names it: the partner's name as written, or the
    words for our own organisation and for a frequent correspondent."""
    if isinstance(owner, Phrase):
        return owner
    if owner == OURS:
        return YOUR_ORGANISATION()
    if owner == Correspondents.OWNER:
        return FREQUENT_CORRESPONDENT()
    return owner


def claimed_sender(who: Claimed | None) -> Isolated:
    """Who the message claims to come from, in words, for a finding's ``claimed``
    parameter (the bank details and callback findings); the organisation's name isolated."""
    if who is None:
        return _CLAIMED[None]()
    return _CLAIMED.get(who.how, _CLAIMED["freemail_name"])(organisation=who.organisation)
