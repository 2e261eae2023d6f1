"""Domain facts: organisational domains (Public Suffix List) and address normalisation.

Two forms of every domain: the *folded* one (lower-case ASCII, punycode) that every
comparison, index and stored key uses, and the one *as written* in the message (case and
script kept, U-label or A-label as it came), which is what evidence shows: a capital ``I``
standing in for an ``l``, or a Cyrillic ``а``, is the very trick a finding is about.

Everything here is memoised with bounded caches: the same few domains recur in every
message, and the lookups are on the hot path of every check.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import email_validator
from cachetools import LRUCache, cached
from publicsuffixlist import PublicSuffixList

_PSL = PublicSuffixList()


def normalise_domain(domain: str) -> str:
    """Lower-case ASCII (punycode) form of a domain; unchanged when it is not valid IDNA."""
    d = domain.strip().rstrip(".").lower()
    if d.isascii():
        return d
    return _to_ascii(d)


@cached(LRUCache(maxsize=8192))
def _to_ascii(domain: str) -> str:
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        pass
    try:
        import idna

        return idna.encode(domain, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        return domain


@cached(LRUCache(maxsize=8192))
def to_unicode(domain: str) -> str:
    """Unicode form of an ASCII domain (xn-- labels decoded); unchanged on bad punycode."""
    if "xn--" not in domain:
        return domain
    labels = []
    for label in domain.split("."):
        if label.startswith("xn--"):
            # The IDNA codec, not bare punycode: it refuses labels that do not round-trip,
            # such as "xn--example-", which bare punycode would show as "example".
            try:
                label = label.encode("ascii").decode("idna")
            except (UnicodeError, ValueError):
                pass
        labels.append(label)
    return ".".join(labels)


def readable(written: str) -> str:
    """A domain as written, for people: unchanged, except that a domain written with
    punycode labels (``xn--``) gets its Unicode form beside it."""
    if "xn--" not in written.lower():
        return written
    decoded = to_unicode(written.lower())
    return written if decoded == written.lower() else f"{written} ({decoded})"


def written_org(written: str, org: str) -> str:
    """The organisational domain ``org`` (folded) as ``written`` spells it: its last labels,
    case and script kept (``Mail.NorthWind-MetaIs.de`` gives ``NorthWind-MetaIs.de``).
    ``org`` itself when the written labels do not fold to it label for label."""
    if not written or not org:
        return org
    labels = written.rstrip(".").split(".")
    n = org.count(".") + 1
    if len(labels) < n:
        return org
    tail = ".".join(labels[-n:])
    return tail if normalise_domain(tail) == org else org


@cached(LRUCache(maxsize=16384))
def org_domain(domain: str) -> str:
    """The organisational (registrable) domain per the Public Suffix List.

    A name that is itself a public suffix, or that has no dot, is its own organisation; so
    is an IP address or a domain literal (``[192.0.2.1]``), which has no labels to strip.
    """
    d = normalise_domain(domain)
    if not d or _is_ip_literal(d):
        return d
    return _PSL.privatesuffix(d) or d


def _is_ip_literal(domain: str) -> bool:
    if domain.startswith("[") and domain.endswith("]"):
        return True
    if ":" not in domain and not domain[-1:].isdigit():
        return False  # no top-level domain is all digits, so not an IPv4 or IPv6 address
    try:
        ipaddress.ip_address(domain)
    except ValueError:
        return False
    return True


def same_org(a: str, b: str) -> bool:
    """True when two domains belong to the same organisational domain."""
    return bool(a) and bool(b) and org_domain(a) == org_domain(b)


def relaxed_aligned(a: str, b: str) -> bool:
    """DMARC relaxed alignment (RFC 7489 section 3.1)."""
    return same_org(a, b)


def is_subdomain_or_equal(domain: str, parent: str) -> bool:
    d = normalise_domain(domain)
    p = normalise_domain(parent)
    return bool(p) and (d == p or d.endswith("." + p))


@dataclass(frozen=True, slots=True)
class ParsedAddress:
    """An address split and normalised; ``valid`` says whether its syntax is acceptable."""

    address: str  # local@domain, domain lower-cased ASCII, local part lower-cased
    local: str
    domain: str  # ASCII (punycode) form
    valid: bool


@cached(LRUCache(maxsize=16384))
def parse_address(raw: str) -> ParsedAddress:
    """Split and normalise an addr-spec taken from a header or a client payload."""
    text = raw.strip().strip("<>").strip()
    try:
        info = email_validator.validate_email(
            text,
            check_deliverability=False,
            allow_smtputf8=True,
            allow_quoted_local=True,
            allow_domain_literal=True,
            allow_display_name=False,
        )
    except email_validator.EmailNotValidError:
        local, _, domain = text.rpartition("@")
        if not local:
            local, domain = text, ""
        dom = normalise_domain(domain)
        local = local.lower()
        return ParsedAddress(f"{local}@{dom}" if dom else local, local, dom, False)
    local = info.local_part.lower()
    dom = (info.ascii_domain or info.domain).lower()
    return ParsedAddress(f"{local}@{dom}", local, dom, True)
