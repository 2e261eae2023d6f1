"""Authentication results written by mail servers: parse them, then keep only our own.

Three header families carry the verdicts of SPF, DKIM, DMARC and friends:

* ``Authentication-Results`` (RFC 8601), its ARC copy ``ARC-Authentication-Results``
  (RFC 8617, with a leading ``i=N;``) and ``X-Original-Authentication-Results`` (written by
  gateways that replace the original);
* ``Received-SPF`` (RFC 7208 section 9.1).

:func:`parse_authres` and :func:`parse_received_spf` are a small tokenizer over the RFC
grammar (CFWS with nested comments, quoted strings, ``method=result``, ``reason=``,
``ptype.property=value``) that is lenient where real servers are sloppy: Exchange Online
writes no authserv-id, leaves out the space after ``;``, adds ``action=`` to dmarc, puts the
recipient's domain between results (``header.d=none;contoso.com; dmarc=...``) and emits
``compauth``. Neither function raises, whatever the input.

:func:`trusted_auth` then picks the results written at *our* boundary. Anyone can write an
Authentication-Results header, so a header counts only when its authserv-id is one we trust
(configured, or under an internal domain) or, with ``trust_microsoft``, when it is one of
Exchange Online's own headers above every hop that is neither Microsoft's nor ours.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Protocol

from .domains import (
    is_subdomain_or_equal,
    normalise_domain,
    org_domain,
    relaxed_aligned,
    to_unicode,
)
from .facts import Facts
from .memo import last_answer


class TrustConfig(Protocol):
    """What deciding whose Authentication-Results to believe needs from the site
    configuration (:class:`caveat.knowledge.context.EngineConfig` provides it)."""

    @property
    def internal_domains(self) -> frozenset[str]: ...
    @property
    def trusted_authserv_ids(self) -> frozenset[str]: ...
    @property
    def trust_microsoft(self) -> bool: ...
    def is_internal(self, domain: str) -> bool: ...
    def trusts_authserv(self, authserv_id: str) -> bool: ...


# ------------------------------------------------------------------------- data model


@dataclass(frozen=True, slots=True)
class MethodResult:
    """One ``method=result`` with what the server said about it."""

    method: str  # lower case: "spf", "dkim", "dmarc", "compauth", "arc", ...
    result: str  # lower case: "pass", "fail", "softfail", "none", ...
    reason: str = ""
    #: ``ptype.property`` (and Microsoft's bare ``action``, the dmarc comment's ``p``,
    #: ``sp``, ``pct``, ``dis``) in the order written; names lower case, values as written.
    props: tuple[tuple[str, str], ...] = ()
    comment: str = ""  # the comments after the result, joined by one space

    def prop(self, name: str) -> str | None:
        """The first value of a property (``header.d``, ``smtp.mailfrom``, ``action``)."""
        key = name.lower()
        for k, v in self.props:
            if k == key:
                return v
        return None


@dataclass(frozen=True, slots=True)
class AuthResults:
    """One parsed header."""

    header: str  # the header's name as shown in evidence, e.g. "Authentication-Results"
    raw: str  # the value as received (unfolded)
    authserv_id: str  # "" when the header names no authserv-id (Exchange Online)
    instance: int | None  # ARC's i=, else None
    results: tuple[MethodResult, ...]

    def first(self, method: str) -> MethodResult | None:
        for r in self.results:
            if r.method == method:
                return r
        return None


# ------------------------------------------------------------------------- tokenizer

_WS_RE = re.compile(r"[ \t\r\n]+")
# A token: authserv-id, method, ptype.property, key. Stops at the specials of the grammar.
_WORD_RE = re.compile(r'[^ \t\r\n;=()"]+')
# A value after "=": like a token, but "=" is allowed (SRS and VERP addresses, base64).
_VALUE_RE = re.compile(r'[^ \t\r\n;()"]+')
_COMMENT_TEXT_RE = re.compile(r"[^()\\]+")
_QUOTED_TEXT_RE = re.compile(r'[^"\\]+')
_METHOD_RE = re.compile(r"[a-z0-9][a-z0-9_-]*")
_MAX_VALUE = 100_000  # the normaliser caps whole header blocks well below this


class _Scanner:
    """Reads an Authentication-Results style value left to right; never raises."""

    __slots__ = ("comments", "n", "pos", "s")

    def __init__(self, s: str) -> None:
        self.s = s
        self.n = len(s)
        self.pos = 0
        self.comments: list[str] = []

    def at_end(self) -> bool:
        return self.pos >= self.n

    def peek(self) -> str:
        return self.s[self.pos] if self.pos < self.n else ""

    def cfws(self) -> None:
        """Skip white space and comments; keep the comments' text."""
        while self.pos < self.n:
            c = self.s[self.pos]
            if c in " \t\r\n":
                m = _WS_RE.match(self.s, self.pos)
                self.pos = m.end() if m else self.pos + 1
            elif c == "(":
                self.comments.append(self._comment())
            else:
                return

    def _comment(self) -> str:
        s, n = self.s, self.n
        pos = self.pos + 1
        depth = 1
        out: list[str] = []
        while pos < n:
            m = _COMMENT_TEXT_RE.match(s, pos)
            if m:
                out.append(m.group())
                pos = m.end()
                continue
            c = s[pos]
            if c == "\\":
                out.append(s[pos + 1 : pos + 2])
                pos += 2
            elif c == "(":
                depth += 1
                out.append(c)
                pos += 1
            else:  # ")"
                depth -= 1
                pos += 1
                if depth == 0:
                    break
                out.append(c)
        self.pos = min(pos, n)
        return " ".join("".join(out).split())

    def quoted(self) -> str:
        s, n = self.s, self.n
        pos = self.pos + 1
        out: list[str] = []
        while pos < n:
            m = _QUOTED_TEXT_RE.match(s, pos)
            if m:
                out.append(m.group())
                pos = m.end()
                continue
            if s[pos] == "\\":
                out.append(s[pos + 1 : pos + 2])
                pos += 2
            else:  # the closing quote
                pos += 1
                break
        self.pos = min(pos, n)
        return "".join(out)

    def word(self) -> str:
        m = _WORD_RE.match(self.s, self.pos)
        if not m:
            return ""
        self.pos = m.end()
        return m.group()

    def value(self) -> str:
        """A token or a quoted string (RFC 2045 ``value``)."""
        if self.peek() == '"':
            return self.quoted()
        m = _VALUE_RE.match(self.s, self.pos)
        if not m:
            return ""
        self.pos = m.end()
        return m.group()

    def skip_junk(self) -> None:
        """Step over one character (or quoted string) that no rule accepts here."""
        if self.peek() == '"':
            self.quoted()
        else:
            self.pos += 1


# Methods of the IANA "Email Authentication Methods" registry and Microsoft's compauth. A
# bare ``name=`` inside a result that is one of these starts a new result: the ";" before
# it was left out.
_METHODS = frozenset(
    {
        "arc", "auth", "bimi", "compauth", "dkim", "dkim-adsp", "dkim-atps", "dmarc",
        "domainkeys", "iprev", "rrvs", "sender-id", "smime", "spf", "vbr",
    }
)  # fmt: skip
_DMARC_COMMENT_KEYS = frozenset({"p", "sp", "pct", "dis", "policy"})


def parse_authres(value: str, header: str = "Authentication-Results") -> AuthResults:
    """Parse an Authentication-Results, ARC-Authentication-Results or
    X-Original-Authentication-Results value. Lenient; never raises."""
    text = value[:_MAX_VALUE] if len(value) > _MAX_VALUE else value
    sc = _Scanner(text)
    instance: int | None = None
    sc.cfws()
    if "arc" in header.lower():
        instance = _arc_instance(sc)
    authserv_id = _authserv_id(sc)
    results: list[MethodResult] = []
    strays: list[str] = []
    while True:
        sc.cfws()
        if sc.at_end():
            break
        if sc.peek() == ";":
            sc.pos += 1
            continue
        r = _resinfo(sc, strays)
        if r is not None:
            results.append(r)
    if authserv_id and any(s.lower() == authserv_id.lower() for s in strays):
        # Exchange Online writes the recipient's domain between results
        # ("header.d=none;contoso.com; dmarc=..."); when it also opens the header, it is
        # that marker, not an authserv-id.
        authserv_id = ""
    return AuthResults(header, value, authserv_id, instance, tuple(results))


def _arc_instance(sc: _Scanner) -> int | None:
    start = sc.pos
    if sc.word().lower() == "i":
        sc.cfws()
        if sc.peek() == "=":
            sc.pos += 1
            sc.cfws()
            v = sc.value()
            if v.isascii() and v.isdigit() and len(v) <= 6:
                sc.cfws()
                if sc.peek() == ";":
                    sc.pos += 1
                return int(v)
    sc.pos = start
    return None


def _authserv_id(sc: _Scanner) -> str:
    """The authserv-id and its optional version, or "" when the value starts with a result."""
    sc.cfws()
    start = sc.pos
    ident = sc.quoted() if sc.peek() == '"' else sc.word()
    sc.cfws()
    if not ident or sc.peek() == "=":
        sc.pos = start  # "spf=pass ...": no authserv-id (Exchange Online)
        return ""
    if sc.peek() not in (";", ""):
        version_start = sc.pos
        version = sc.word()
        if not (version.isascii() and version.isdigit()):
            sc.pos = version_start  # no ";": let the result loop read on
        sc.cfws()
    if sc.peek() == ";":
        sc.pos += 1
    return ident.strip()


def _resinfo(sc: _Scanner, strays: list[str]) -> MethodResult | None:
    key = sc.word()
    if not key:
        sc.skip_junk()
        return None
    sc.cfws()
    if sc.peek() != "=":
        strays.append(key)  # "none", or Exchange Online's recipient domain
        return None
    sc.pos += 1
    sc.cfws()
    result = sc.value().lower()
    method = key.partition("/")[0].lower()  # "dkim/1=pass": drop the version
    keep = _METHOD_RE.fullmatch(method) is not None and bool(result)
    first_comment = len(sc.comments)
    reason = ""
    props: list[tuple[str, str]] = []
    while True:
        sc.cfws()
        c = sc.peek()
        if c in (";", ""):
            break
        start = sc.pos
        k = sc.word()
        if not k:
            sc.skip_junk()
            continue
        sc.cfws()
        if sc.peek() != "=":
            continue  # a stray word: skip it
        kl = k.lower()
        if kl in _METHODS:
            sc.pos = start  # a new result without the ";" before it
            break
        sc.pos += 1
        sc.cfws()
        v = sc.value()
        if kl == "reason":
            reason = reason or v
        else:
            props.append((kl, v))
    if not keep:
        return None  # "header.From=x; dkim=..." (an old draft's form) or garbage
    comment = " ".join(c for c in sc.comments[first_comment:] if c)
    del sc.comments[first_comment:]
    if method == "dmarc" and comment:
        props.extend(_dmarc_comment_props(comment, props))
    return MethodResult(method, result, reason, tuple(props), comment)


def _dmarc_comment_props(comment: str, props: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``(p=none sp=none pct=100)`` and ``(policy=reject)`` as properties of the result."""
    have = {k for k, _ in props}
    out = []
    for token in comment.replace(",", " ").replace(";", " ").split():
        k, sep, v = token.partition("=")
        k = k.lower()
        if sep and v and k in _DMARC_COMMENT_KEYS and k not in have:
            have.add(k)
            out.append((k, v.lower()))
    return out


# ------------------------------------------------------------------------- Received-SPF

_SPF_DOMAIN_RE = re.compile(r"\bdomain of (?:transitioning )?(\S+?)[,;)]?(?:\s|$)", re.I)
_SPF_RESULT_RE = re.compile(r"[a-z]+")


def parse_received_spf(value: str) -> MethodResult | None:
    """Parse a Received-SPF value into an ``spf`` result; None when it has no result word.

    The props keep the key-value list (``client-ip``, ``envelope-from``, ``helo``,
    ``identity``, ``receiver``, ...) and add ``smtp.mailfrom`` (or ``smtp.helo`` when the
    HELO identity was checked), so it reads like an Authentication-Results spf result.
    ``receiver`` names who wrote it: the key when present, else the comment's first word
    (``protection.outlook.com`` in ``Pass (protection.outlook.com: domain of ...)``).
    """
    text = value[:_MAX_VALUE] if len(value) > _MAX_VALUE else value
    sc = _Scanner(text)
    sc.cfws()
    result = sc.word().lower()
    if not _SPF_RESULT_RE.fullmatch(result):
        return None
    props: list[tuple[str, str]] = []
    while True:
        sc.cfws()
        c = sc.peek()
        if c == "":
            break
        if c == ";":
            sc.pos += 1
            continue
        k = sc.word()
        if not k:
            sc.skip_junk()
            continue
        sc.cfws()
        if sc.peek() != "=":
            continue
        sc.pos += 1
        sc.cfws()
        props.append((k.lower(), sc.value()))
    comment = " ".join(c for c in sc.comments if c)
    have = {k for k, _ in props}
    if "receiver" not in have and comment:
        writer = comment.split(None, 1)[0].rstrip(":")
        if writer:
            props.append(("receiver", writer))
    identity = next((v.lower() for k, v in props if k == "identity"), "")
    if identity == "helo":
        helo = next((v for k, v in props if k == "helo"), "")
        if helo:
            props.append(("smtp.helo", helo))
    else:
        mailfrom = next((v for k, v in props if k == "envelope-from"), "").strip("<>")
        if not mailfrom:
            m = _SPF_DOMAIN_RE.search(comment)
            mailfrom = m.group(1) if m else ""
        if mailfrom:
            props.append(("smtp.mailfrom", mailfrom))
    return MethodResult("spf", result, "", tuple(props), comment)


# ------------------------------------------------------------------------- trust

#: What Exchange Online calls itself in ARC-Authentication-Results and Received-SPF.
MICROSOFT_WRITERS = frozenset({"mx.microsoft.com", "protection.outlook.com"})
#: Hosts of Microsoft's mail service as they appear in ``Received: ... by HOST``.
_MICROSOFT_HOSTS = (
    "outlook.com", "office365.com", "microsoft.com", "exchangelabs.com",
    "outlook.cn", "office365.us", "outlook.de",
)  # fmt: skip
_PRIVATE_TLDS = frozenset({"local", "lan", "internal", "localdomain", "corp", "home", "intranet"})
_RECEIVED_BY_RE = re.compile(r"\bby\s+\[?([^\s;()\[\]]+)", re.IGNORECASE)
_SENDER_IP_RE = re.compile(r"sender ip is\s+([^\s;)]+)", re.IGNORECASE)
_SPF_IP_RE = re.compile(r"\b(?:designates|use of)\s+(\S+)\s+as\b")
_DMARC_POLICIES = ("none", "quarantine", "reject")


@dataclass(frozen=True, slots=True)
class TrustedAuth:
    """The authentication results of our own boundary for one message."""

    source: AuthResults  # the topmost trusted header: quote it as evidence
    sources: tuple[AuthResults, ...]  # every trusted header of that boundary, topmost first
    spf: MethodResult | None
    dkim: tuple[MethodResult, ...]
    dmarc: MethodResult | None
    compauth: MethodResult | None
    from_domain: str  # the From header's domain (else dmarc's header.from), ASCII
    received_spf: MethodResult | None = None  # the trusted Received-SPF, when present
    received_spf_raw: str = ""
    #: ``from_domain`` as the message (or header.from) wrote it, case and script kept
    from_domain_written: str = ""

    # ---- domains

    def written(self, domain: str) -> str:
        """A domain of these results (folded), spelt as the From line or the results wrote
        it, for evidence; its Unicode form when nothing spells it."""
        if not domain:
            return ""
        if domain == self.from_domain and self.from_domain_written:
            return self.from_domain_written
        results = [r for src in self.sources for r in src.results]
        if self.received_spf is not None:
            results.append(self.received_spf)
        for r in results:
            for k, v in r.props:
                if k in _DOMAIN_PROPS:
                    w = _written_domain_of(v)
                    if w and normalise_domain(w) == domain:
                        return w
        return to_unicode(domain)

    def spf_domain(self) -> str:
        """The domain SPF checked: smtp.mailfrom's, or smtp.helo for a null sender."""
        if self.spf is None:
            return ""
        return _domain_of(self.spf.prop("smtp.mailfrom") or "") or _domain_of(
            self.spf.prop("smtp.helo") or ""
        )

    @staticmethod
    def dkim_domain(result: MethodResult) -> str:
        """The signing domain: header.d, else the domain of header.i."""
        return _domain_of(result.prop("header.d") or "") or _domain_of(
            result.prop("header.i") or ""
        )

    def passes(self) -> list[tuple[str, str]]:
        """(method, domain) of every SPF or DKIM pass, in header order."""
        out = []
        if self.spf is not None and self.spf.result == "pass":
            d = self.spf_domain()
            if d:
                out.append(("spf", d))
        for r in self.dkim:
            if r.result == "pass":
                d = self.dkim_domain(r)
                if d:
                    out.append(("dkim", d))
        return out

    # ---- alignment (RFC 7489 section 3.1, relaxed: same organisational domain)

    def spf_aligned_pass(self, from_domain: str | None = None) -> bool:
        fd = self.from_domain if from_domain is None else from_domain
        return (
            self.spf is not None
            and self.spf.result == "pass"
            and relaxed_aligned(self.spf_domain(), fd)
        )

    def dkim_aligned_pass(self, from_domain: str | None = None) -> bool:
        fd = self.from_domain if from_domain is None else from_domain
        return any(
            r.result == "pass" and relaxed_aligned(self.dkim_domain(r), fd) for r in self.dkim
        )

    # ---- DMARC policy

    def dmarc_policy(self) -> str:
        """The published policy for the From domain: 'none', 'quarantine', 'reject' or ''."""
        d = self.dmarc
        if d is None:
            return ""
        sub = self.from_domain != "" and org_domain(self.from_domain) != normalise_domain(
            self.from_domain
        )
        names: tuple[str, ...] = ("sp", "policy.published-subdomain-policy") if sub else ()
        names += ("p", "policy", "policy.dmarc", "policy.published-domain-policy")
        for name in names:
            v = (d.prop(name) or "").strip().lower()
            if v in _DMARC_POLICIES:
                return v
        return ""

    def not_enforced(self) -> bool:
        """The domain asks receivers to do nothing on failure: p=none, Microsoft's
        action=none, policy.dmarc=none, or a pct=0 sample."""
        d = self.dmarc
        if d is None:
            return False
        if self.dmarc_policy() == "none":
            return True
        if (d.prop("action") or "").strip().lower() == "none":
            return True
        return (d.prop("pct") or "").strip() == "0"

    def policy_text(self) -> str:
        """What the dmarc result said about the policy, e.g. ``p=none, action=none``."""
        d = self.dmarc
        if d is None:
            return ""
        parts = [
            f"{name}={v}"
            for name in ("p", "sp", "pct", "policy", "policy.dmarc", "action")
            if (v := d.prop(name)) and not (name == "pct" and v == "100")
        ]
        return ", ".join(parts)

    def sender_ip(self) -> str:
        """The connecting IP SPF judged, or "" when no header says."""
        for r in (self.spf, self.received_spf):
            if r is None:
                continue
            m = _SENDER_IP_RE.search(r.comment)
            if m:
                return m.group(1)
            ip = r.prop("client-ip") or r.prop("smtp.remote-ip") or r.prop("policy.iprev")
            if ip:
                return ip
            m = _SPF_IP_RE.search(r.comment)
            if m:
                return m.group(1)
        return ""

    def source_of(self, result: MethodResult) -> AuthResults:
        """The header a result was read from."""
        for src in self.sources:
            if any(r is result for r in src.results):
                return src
        return self.source


#: Properties whose value names a domain (or an address at one).
_DOMAIN_PROPS = frozenset({"smtp.mailfrom", "smtp.helo", "header.d", "header.i", "header.from"})


def _domain_of(value: str) -> str:
    """The domain of ``user@domain``, ``@domain`` or ``domain``; "" for ``none``."""
    v = _written_domain_of(value)
    return normalise_domain(v) if v else ""


def _written_domain_of(value: str) -> str:
    """The same domain as written (case and script kept); "" for ``none``."""
    v = value.strip().strip("<>").strip()
    if "@" in v:
        v = v.rsplit("@", 1)[1]
    v = v.rstrip(".")
    if not v or v.lower() == "none":
        return ""
    return v


def _our_hop(received: str, config: TrustConfig) -> bool:
    """A ``Received: ... by HOST`` line written by Microsoft's service or by ourselves."""
    m = _RECEIVED_BY_RE.search(received)
    if not m:
        return True  # no "by": says nothing about who wrote it
    host = m.group(1).lower().rstrip(".")
    if "." not in host:
        return True  # an internal server name
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return ip.is_private or ip.is_loopback
    if host.rsplit(".", 1)[1] in _PRIVATE_TLDS:
        return True
    if any(host == d or host.endswith("." + d) for d in _MICROSOFT_HOSTS):
        return True
    return config.is_internal(host) or any(
        is_subdomain_or_equal(host, a) for a in config.trusted_authserv_ids
    )


def _trusted_id(authserv_id: str, config: TrustConfig, microsoft_ok: bool) -> bool:
    if authserv_id:
        if config.trusts_authserv(authserv_id):
            return True
        return microsoft_ok and authserv_id.strip().lower() in MICROSOFT_WRITERS
    return microsoft_ok


@last_answer
def trusted_auth(facts: Facts, config: TrustConfig) -> TrustedAuth | None:
    """The authentication results of our own boundary, or None when there are none.
    Several checks ask about the same message in a row: the last answer is kept.

    Headers are prepended on the way, so the topmost trusted Authentication-Results is the
    one our boundary wrote; headers from the same authserv-id below it are merged (milters
    often write one header per method), the topmost result of each method winning. Without
    one, the trusted ARC-Authentication-Results with the highest i=, then a trusted
    X-Original-Authentication-Results, then a trusted Received-SPF (SPF only).

    Microsoft's headers (unlabelled Authentication-Results, ``mx.microsoft.com``,
    ``protection.outlook.com``) count only with ``trust_microsoft`` and only above the first
    ``Received`` line written by a server that is neither Microsoft's nor ours: below it,
    they were written by someone else's Exchange Online (the sender's tenant, before a
    mailing list or a forwarder), not at our boundary.
    """
    if not (config.trusted_authserv_ids or config.internal_domains or config.trust_microsoft):
        return None
    microsoft_ok = config.trust_microsoft
    ar: list[tuple[str, bool]] = []
    arc: list[tuple[str, bool]] = []
    xorig: list[tuple[str, bool]] = []
    rspf: list[tuple[str, bool]] = []
    for name, value in facts.headers:
        if name == "received":
            if microsoft_ok and not _our_hop(value, config):
                microsoft_ok = False
        elif name == "authentication-results":
            ar.append((value, microsoft_ok))
        elif name == "arc-authentication-results":
            arc.append((value, microsoft_ok))
        elif name == "x-original-authentication-results":
            xorig.append((value, microsoft_ok))
        elif name == "received-spf":
            rspf.append((value, microsoft_ok))

    sources = _topmost_group(ar, "Authentication-Results", config)
    if not sources:
        best: AuthResults | None = None
        for value, ms in arc:
            parsed = parse_authres(value, "ARC-Authentication-Results")
            if _trusted_id(parsed.authserv_id, config, ms) and (
                best is None or (parsed.instance or 0) > (best.instance or 0)
            ):
                best = parsed
        if best is not None:
            sources = [best]
    if not sources:
        sources = _topmost_group(xorig, "X-Original-Authentication-Results", config)

    received_spf, received_spf_raw = _trusted_received_spf(rspf, config)
    if not sources:
        if received_spf is None:
            return None
        writer = received_spf.prop("receiver") or ""
        sources = [AuthResults("Received-SPF", received_spf_raw, writer, None, (received_spf,))]

    spf = dmarc = compauth = None
    dkim: list[MethodResult] = []
    for src in sources:
        seen_dkim = bool(dkim)
        for r in src.results:
            if r.method == "spf" and spf is None:
                spf = r
            elif r.method == "dmarc" and dmarc is None:
                dmarc = r
            elif r.method == "compauth" and compauth is None:
                compauth = r
            elif r.method == "dkim" and not seen_dkim:
                dkim.append(r)
    if spf is None and received_spf is not None:
        spf = received_spf
    author = facts.author
    from_domain = author.domain if author is not None and author.domain else ""
    from_written = author.shown_domain if author is not None and author.domain else ""
    if not from_domain and dmarc is not None:
        from_domain = _domain_of(dmarc.prop("header.from") or "")
        from_written = _written_domain_of(dmarc.prop("header.from") or "")
    return TrustedAuth(
        source=sources[0],
        sources=tuple(sources),
        spf=spf,
        dkim=tuple(dkim),
        dmarc=dmarc,
        compauth=compauth,
        from_domain=from_domain,
        received_spf=received_spf,
        received_spf_raw=received_spf_raw,
        from_domain_written=from_written,
    )


def _topmost_group(
    values: list[tuple[str, bool]], header: str, config: TrustConfig
) -> list[AuthResults]:
    """The topmost trusted header and the trusted ones below it from the same authserv-id."""
    group: list[AuthResults] = []
    key: str | None = None
    for value, ms in values:
        parsed = parse_authres(value, header)
        if not _trusted_id(parsed.authserv_id, config, ms):
            continue
        k = parsed.authserv_id.strip().lower()
        if key is None:
            key = k
        if k == key:
            group.append(parsed)
    return group


def _trusted_received_spf(
    values: list[tuple[str, bool]], config: TrustConfig
) -> tuple[MethodResult | None, str]:
    for value, ms in values:
        parsed = parse_received_spf(value)
        if parsed is None:
            continue
        if (parsed.prop("identity") or "").lower() == "helo":
            continue  # a HELO check says nothing about the envelope sender
        writer = (parsed.prop("receiver") or "").strip().lower()
        if not writer:
            continue
        if config.trusts_authserv(writer) or (ms and writer in MICROSOFT_WRITERS):
            return parsed, value
    return None, ""
