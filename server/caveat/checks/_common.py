"""Facts several checks share: named exclusions such as "this is mailing-list mail"."""

from __future__ import annotations

import re
from dataclasses import dataclass

from caveat.mail.domains import normalise_domain, org_domain
from caveat.mail.facts import Facts

from .findings import Evidence

_LIST_ID_RE = re.compile(r"<([^<>\s]+)>")
_MAILTO_RE = re.compile(r"mailto:([^?>\s,]+)", re.IGNORECASE)
_VIA_RE = re.compile(r"\s(via|on behalf of|über|par|via de)\s", re.IGNORECASE)
_ADDR_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_BULK_PRECEDENCE = {"list", "bulk", "junk"}
_LEGACY_LIST_HEADERS = (
    ("mailing-list", "Mailing-List"),
    ("x-beenthere", "X-BeenThere"),
    ("x-mailman-version", "X-Mailman-Version"),
    ("x-ml-name", "X-ML-Name"),
)


@dataclass(frozen=True, slots=True)
class ListInfo:
    """What marks a message as mailing-list or bulk mail, and where the list lives."""

    is_list: bool  # List-Id or List-Post: a discussion list
    is_bulk: bool  # List-Unsubscribe or Precedence: bulk/list (newsletters, ESPs)
    list_orgs: frozenset[str]  # organisational domains of the list (List-Id, List-Post)
    from_rewritten: bool  # the list put its own address in From ("Name via List")
    evidence: tuple[Evidence, ...]


def list_info(facts: Facts) -> ListInfo:
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
    if list_id:
        evidence.append(Evidence("List-Id", list_id))
        m = _LIST_ID_RE.search(list_id)
        ident = (m.group(1) if m else list_id.strip()).lower()
        # A List-Id is a dotted name under the list owner's domain (RFC 2919).
        if "." in ident:
            orgs.add(org_domain(normalise_domain(ident)))
    if list_post:
        evidence.append(Evidence("List-Post", list_post))
        m = _MAILTO_RE.search(list_post)
        if m and "@" in m.group(1):
            orgs.add(org_domain(normalise_domain(m.group(1).rsplit("@", 1)[1])))
    if legacy is not None:
        evidence.append(Evidence(legacy[0], legacy[1] or ""))
        for found in _ADDR_RE.findall(legacy[1] or ""):
            orgs.add(org_domain(normalise_domain(found.rsplit("@", 1)[1])))
    if unsubscribe:
        evidence.append(Evidence("List-Unsubscribe", unsubscribe))
    is_list = bool(list_id or list_post or legacy)
    is_bulk = bool(unsubscribe) or precedence in _BULK_PRECEDENCE
    author = facts.author
    rewritten = False
    if author is not None and is_list:
        rewritten = author.org in orgs or bool(_VIA_RE.search(f" {author.name} "))
    return ListInfo(is_list, is_bulk, frozenset(orgs), rewritten, tuple(evidence))


def same_name(a: str, b: str) -> bool:
    """Display names equal once case, quotes, commas and spacing are ignored."""
    na, nb = _name_key(a), _name_key(b)
    return bool(na) and na == nb


def _name_key(name: str) -> str:
    parts = re.split(r"[\s,\"'.]+", name.casefold())
    words = [p for p in parts if p]
    return " ".join(sorted(words))
