"""People's names in mail: display-name keys, name-bearing local parts, subject keys.

Used both by the checks (is this the same person?) and by the conversation memory (what
to remember about a person), so both agree on what "the same name" means.
"""

from __future__ import annotations

import re
import unicodedata

from cachetools import LRUCache, cached

_SPLIT = re.compile(r"[\s,\"'.()\[\]<>]+")
_LOCAL_SPLIT = re.compile(r"[._\-+]+|\d+")
_REPLY_PREFIX = re.compile(
    r"^\s*(?:(?:re|aw|sv|vs|antw|antwort|rif|r|odp|ynt|réf|ref|fw|fwd|wg|tr|rv|enc|doorst|"
    r"vl|i|rv|továbbítás|πρθ|απ|回复|转发|答复)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*)+",
    re.IGNORECASE,
)
_TAG = re.compile(r"^\s*\[[^\]]{1,40}\]\s*")

#: Local parts that name a role, not a person: the same local part at two organisations
#: is two different mailboxes.
ROLE_LOCAL_PARTS = frozenset(
    """
    accounting accounts accountspayable accountsreceivable admin administration ap ar billing
    bookkeeping buchhaltung compta comptabilite contact contabilidad contabilita customerservice
    enquiries finance hello help hr info information invoice invoices invoicing kontakt mail
    mailer marketing no-reply noreply notifications office orders payables payments
    postmaster purchasing rechnung rechnungen receivables reception sales service support team
    treasury webmaster
    """.split()
)


@cached(LRUCache(maxsize=8192))
def name_key(name: str) -> str:
    """A display name reduced to what identifies a person: case, accents, quotes, commas,
    dots and word order ignored ("Keller, Anna" is "Anna Keller"). "" when the name has no
    letters or is itself an address."""
    if not name or "@" in name:
        return ""
    folded = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    words = [w for w in _SPLIT.split(plain) if w and any(c.isalpha() for c in w)]
    return " ".join(sorted(words))


def is_person_name(key: str) -> bool:
    """A name key that can identify a person: at least two words, one of them longer than
    an initial, and not a role ("Finance Team" is a role, and two companies have one)."""
    words = key.split()
    if len(words) < 2 or not any(len(w) > 2 for w in words):
        return False
    return not any(w in ROLE_LOCAL_PARTS for w in words) and "team" not in words


@cached(LRUCache(maxsize=8192))
def local_key(local: str) -> str:
    """The local part of an address when it carries a person's name ("anna.keller",
    "keller_a"): its words, sorted. "" for role mailboxes and single words."""
    words = [w for w in _LOCAL_SPLIT.split(local.casefold()) if w]
    if len(words) < 2 or not any(len(w) > 2 for w in words):
        return ""
    if any(w in ROLE_LOCAL_PARTS for w in words) or local.casefold() in ROLE_LOCAL_PARTS:
        return ""
    return " ".join(sorted(words))


def local_words(local: str) -> tuple[str, ...]:
    """The words of a local part, in order ("felix.brandt.partnerb1" -> felix, brandt,
    partnerb)."""
    return tuple(w for w in _LOCAL_SPLIT.split(local.casefold()) if w)


def subject_key(subject: str) -> str:
    """The subject a whole thread shares: reply and forward prefixes (any number, any of the
    common languages) and leading list tags removed, case and spacing ignored."""
    s = subject
    for _ in range(10):
        before = s
        s = _TAG.sub("", s)
        s = _REPLY_PREFIX.sub("", s)
        if s == before:
            break
    return " ".join(s.casefold().split())
