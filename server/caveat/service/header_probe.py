"""Which Authentication-Results to trust: read a received message's pasted headers and say.

Anyone can write an Authentication-Results header, so Caveat believes only those written at
the organisation's own boundary (:mod:`caveat.mail.authres`). Which authserv-id that is
depends on the mail route, and the route is written in the message: each server on the way
puts a ``Received`` line on top, and the server that checks SPF, DKIM and DMARC adds its
results next to its own line. :func:`probe` reads a pasted header block with the same
parser the analysis uses (:func:`caveat.mail.normalise.from_payload`) and lists:

* the ``Received`` chain, numbered from the first server (hop 1) to the last, each line
  marked as written by the receiving side or upstream of it. The receiving side is the
  topmost run of lines written by one organisation: the first named host (read from
  ``by``), then every line below it by the same organisation, by an internal domain or a
  trusted authserv-id, by an internal name or address, or by Microsoft's service when the
  run already holds one of those. The first line by another organisation ends it: what is
  below was written before the mail reached the receiving side.
* every ``Authentication-Results``, ``ARC-Authentication-Results``,
  ``X-Original-Authentication-Results`` and ``Received-SPF`` header, with its authserv-id,
  the hop that added it (the nearest line whose host matches the authserv-id: above it for
  Postfix, Exim and Gmail, below it for Exchange Online, which writes its results before
  its own line; otherwise the line just above it), whether
  the receiving side wrote it, whether the configuration trusts it now and whether the
  analysis reads it for this message;
* which one to trust: the topmost the receiving side wrote (an Authentication-Results
  before an ARC copy, as the analysis prefers them), and the setting that trusts it
  (``TRUSTED_AUTHSERV_IDS``, or ``TRUST_MICROSOFT`` for Exchange Online's headers);
* what Caveat would make of the headers now, and with each listed writer trusted: the
  analysis run once per configuration on the headers alone (no body, no conversation
  memory), with the authentication results it would believe.

Nothing of the pasted text is kept, logged or sent anywhere; it is parsed, never run.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

from caveat.checks.findings import LEVELS, Finding, Verdict
from caveat.knowledge.context import EngineConfig
from caveat.mail.authres import (
    MICROSOFT_WRITERS,
    AuthResults,
    TrustedAuth,
    parse_authres,
    parse_received_spf,
    trusted_auth,
)
from caveat.mail.domains import is_subdomain_or_equal, normalise_domain, org_domain
from caveat.mail.errors import InputError
from caveat.mail.facts import Facts
from caveat.mail.normalise import from_payload

#: The longest header block read, in bytes of UTF-8 (a message from Microsoft 365 with a
#: few ARC sets is 20 to 40 KiB).
MAX_PROBE_BYTES = 128 * 1024
#: Pasted text may be a whole message (its body is not read) of at most this many times the
#: header block's limit.
WHOLE_TEXT_FACTOR = 16
#: At most this many writers are tried as trusted (each is one run of the analysis).
MAX_WHAT_IFS = 8
#: More Received lines or authentication headers than these is no message a mail system
#: delivered (MTAs stop a loop well before: Postfix at 50 hops, Exim at 100): refused.
MAX_RECEIVED = 100
MAX_RESULTS_HEADERS = 100
#: Header values and hosts are shown cut to this many characters.
SHOWN_CHARS = 300

#: The analysis, given the message's facts and a configuration.
Analyse = Callable[[Facts, EngineConfig], Verdict]

MICROSOFT = "microsoft"  # the trust key of Exchange Online's headers: TRUST_MICROSOFT

_HEADERS = {
    "authentication-results": "Authentication-Results",
    "arc-authentication-results": "ARC-Authentication-Results",
    "x-original-authentication-results": "X-Original-Authentication-Results",
    "received-spf": "Received-SPF",
}
#: The order in which the analysis prefers them (mail.authres.trusted_auth).
_PREFERENCE = tuple(_HEADERS.values())

_BY_RE = re.compile(r"\bby\s+\[?([^\s;()\[\]]+)", re.IGNORECASE)
_FROM_RE = re.compile(r"^\s*from\s+\[?([^\s;()\[\]]+)", re.IGNORECASE)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BLANK_LINE_RE = re.compile(r"\r?\n\r?\n")  # as mail.normalise.from_raw
_MICROSOFT_HOSTS = (
    "outlook.com", "office365.com", "microsoft.com", "exchangelabs.com",
    "outlook.cn", "office365.us", "outlook.de",
)  # fmt: skip
_PRIVATE_TLDS = frozenset({"local", "lan", "internal", "localdomain", "corp", "home", "intranet"})


class ProbeError(ValueError):
    """Pasted text that cannot be read as a header block; the message says why."""


def _cut(text: str, most: int = SHOWN_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= most else text[: most - 1] + "\u2026"


# ------------------------------------------------------------------ the Received chain


@dataclass(frozen=True)
class Hop:
    """One ``Received`` line."""

    number: int  # 1: the first server on the way (the bottom line); the last is the top
    by: str  # the host that wrote it ("" when the line names none)
    source: str  # the host it came from ("" when the line names none)
    when: str  # what follows the last ";" (the time), as written
    receiving: bool  # written by the receiving side
    position: int  # index in the header list


def _host(pattern: re.Pattern[str], value: str) -> str:
    m = pattern.search(value)
    return m.group(1).rstrip(".").lower()[:253] if m else ""


@lru_cache(maxsize=4096)
def _org(host: str) -> str:
    return org_domain(host)


@lru_cache(maxsize=4096)
def _is_microsoft(host: str) -> bool:
    return any(host == d or host.endswith("." + d) for d in _MICROSOFT_HOSTS)


@lru_cache(maxsize=4096)
def _anonymous(host: str) -> bool:
    """A host that names no organisation: none, a bare name, an address, a private TLD."""
    if not host or "." not in host:
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return host.rsplit(".", 1)[1] in _PRIVATE_TLDS
    return True


def _ours(host: str, config: EngineConfig) -> bool:
    return config.is_internal(host) or any(
        is_subdomain_or_equal(host, a) for a in config.trusted_authserv_ids
    )


def _organisation(host: str, config: EngineConfig) -> str | None:
    """Who wrote a line, as a key: "ours", "microsoft", an organisational domain, or None
    when the host names no organisation."""
    if _anonymous(host):
        return None
    if _ours(host, config):
        return "ours"
    if _is_microsoft(host):
        return MICROSOFT
    return _org(host)


def _chain(headers: tuple[tuple[str, str], ...], config: EngineConfig) -> tuple[Hop, ...]:
    lines = [(i, v) for i, (n, v) in enumerate(headers) if n == "received"]
    side: set[str] = set()
    ended = False
    hops = []
    for k, (pos, value) in enumerate(lines):
        by = _host(_BY_RE, value)
        who = _organisation(by, config)
        if not ended and who is not None:
            if not side or who in side or who == "ours" or (who == MICROSOFT and "ours" in side):
                side.add(who)
            else:
                ended = True
        when = value.rsplit(";", 1)[1] if ";" in value else ""
        hops.append(
            Hop(
                number=len(lines) - k,
                by=by,
                source=_host(_FROM_RE, value),
                when=_cut(when, 80),
                receiving=not ended,
                position=pos,
            )
        )
    return tuple(hops)


# ------------------------------------------------------------------ the results headers


@dataclass(frozen=True)
class Result:
    method: str
    result: str
    about: str  # the domain or address it is about (smtp.mailfrom, header.d, header.from)


@dataclass(frozen=True)
class Seen:
    """One authentication header of the pasted block."""

    header: str  # "Authentication-Results", "ARC-Authentication-Results", ...
    authserv_id: str  # "" when it names none (Exchange Online)
    instance: int | None  # ARC's i=
    results: tuple[Result, ...]
    value: str  # the value, cut for display
    #: the Received line of the server that added it; None when no line here is its own
    #: (the sender's server, above which the receiving side's first line was written)
    hop: Hop | None
    receiving: bool  # the receiving side added it
    trust_key: str  # MICROSOFT, or the authserv-id (lower case) that would trust it
    trusted_now: bool  # the configuration trusts its writer
    read_now: bool  # the analysis reads it for this message
    position: int

    @property
    def writer(self) -> str:
        if self.trust_key == MICROSOFT:
            return self.authserv_id or "Exchange Online (no authserv-id)"
        return self.authserv_id

    @property
    def microsoft(self) -> bool:
        return self.trust_key == MICROSOFT


_ABOUT = ("smtp.mailfrom", "header.from", "header.d", "header.i", "smtp.helo", "envelope-from")


def _results(parsed: AuthResults) -> tuple[Result, ...]:
    out = []
    for r in parsed.results[:20]:
        about = next((r.prop(p) for p in _ABOUT if r.prop(p)), "") or ""
        out.append(Result(_cut(r.method, 40), _cut(r.result, 40), _cut(about, 120)))
    return tuple(out)


def _attribute(
    position: int, writer: str, microsoft: bool, hops: tuple[Hop, ...]
) -> tuple[Hop | None, bool]:
    """The Received line of the server that added the header at ``position``, and whether
    that line's host matches the header's writer (else it is the line just above)."""
    if not hops:
        return None, False
    above = [h for h in hops if h.position < position]
    below = [h for h in hops if h.position > position]

    def matches(h: Hop) -> bool:
        if not h.by:
            return False
        if microsoft:
            return _is_microsoft(h.by)
        w = normalise_domain(writer)
        return bool(w) and (
            is_subdomain_or_equal(h.by, w)
            or is_subdomain_or_equal(w, h.by)
            or (not _anonymous(w) and not _anonymous(h.by) and _org(w) == _org(h.by))
        )

    # Exchange Online writes its results above its own line; Postfix milters, Exim and
    # Gmail below theirs.
    near = (*below, *reversed(above)) if microsoft else (*reversed(above), *below)
    for h in near:
        if matches(h):
            return h, True
    return (above[-1] if above else hops[0]), False


def _trust_key(header: str, authserv_id: str) -> str:
    a = authserv_id.strip().lower().rstrip(".")
    if not a or a in MICROSOFT_WRITERS:
        # Exchange Online labels none of its own headers with an id we could configure
        # safely: "mx.microsoft.com" is written by every tenant, the sender's included.
        return MICROSOFT
    return a


def _trusted(key: str, config: EngineConfig) -> bool:
    return config.trust_microsoft if key == MICROSOFT else config.trusts_authserv(key)


def _same_organisation(writer: str, host: str) -> bool:
    w = normalise_domain(writer)
    if not w or not host or _anonymous(w) or _anonymous(host):
        return False
    return _org(w) == _org(host)


def _upstream_below_entry(writer: str, microsoft: bool, hops: tuple[Hop, ...]) -> bool:
    """Whether a header below the receiving side's lowest line (the one that took the
    message in, ``from <sender's server> by <ours>``) was written by that sender's server
    rather than by ours: its writer is the server the message came from, and not one of
    the receiving side's."""
    mine = [h for h in hops if h.receiving]
    if not mine:
        return False
    entry = mine[-1]
    if microsoft:
        return not any(_is_microsoft(h.by) for h in mine) and _is_microsoft(entry.source)
    if any(
        h.by and (is_subdomain_or_equal(writer, h.by) or _same_organisation(writer, h.by))
        for h in mine
    ):
        return False
    return is_subdomain_or_equal(writer, entry.source) or _same_organisation(writer, entry.source)


def _seen(facts: Facts, hops: tuple[Hop, ...], config: EngineConfig) -> list[Seen]:
    boundary = next((h.position for h in hops if not h.receiving), len(facts.headers))
    entry = max((h.position for h in hops if h.receiving), default=-1)
    auth = trusted_auth(facts, config)
    read = {(s.header, s.raw) for s in auth.sources} if auth is not None else set()
    if auth is not None and auth.received_spf_raw:
        read.add(("Received-SPF", auth.received_spf_raw))
    out = []
    for pos, (name, value) in enumerate(facts.headers):
        header = _HEADERS.get(name)
        if header is None:
            continue
        if header == "Received-SPF":
            spf = parse_received_spf(value)
            if spf is None:
                continue
            writer = spf.prop("receiver") or ""
            parsed = AuthResults(header, value, writer, None, (spf,))
        else:
            parsed = parse_authres(value, header)
        key = _trust_key(header, parsed.authserv_id)
        if header == "Received-SPF" and not parsed.authserv_id:
            continue  # nobody to trust: the analysis skips it too
        hop, matched = _attribute(pos, parsed.authserv_id, key == MICROSOFT, hops)
        before_entry = pos > entry and _upstream_below_entry(
            parsed.authserv_id, key == MICROSOFT, hops
        )
        if before_entry and not matched:
            hop = None  # the server the message came from, which wrote no line here
        out.append(
            Seen(
                header=header,
                authserv_id=_cut(parsed.authserv_id, 120),
                instance=parsed.instance,
                results=_results(parsed),
                value=_cut(value),
                hop=hop,
                receiving=pos < boundary and not before_entry,
                trust_key=key,
                trusted_now=_trusted(key, config),
                read_now=(header, value) in read,
                position=pos,
            )
        )
    return out


def _suggest(seen: list[Seen]) -> Seen | None:
    """The header of the receiving side to trust: the topmost, in the analysis's order of
    preference (Authentication-Results, then the ARC copy with the highest i=, ...)."""
    mine = [s for s in seen if s.receiving]
    for header in _PREFERENCE:
        group = [s for s in mine if s.header == header]
        if not group:
            continue
        if header == "ARC-Authentication-Results":
            return max(group, key=lambda s: (s.instance or 0, -s.position))
        return group[0]
    return None


# ------------------------------------------------------------------ what Caveat makes of it


@dataclass(frozen=True)
class Believed:
    """The authentication results the analysis believes for the message."""

    header: str
    writer: str
    spf: str  # "pass (example.com)", "" when there is none
    dkim: tuple[str, ...]
    dmarc: str
    compauth: str


@dataclass(frozen=True)
class Outcome:
    """The analysis of the headers under one configuration."""

    label: str  # "Now", "Trusting mm2.emwd.com", "Trusting Exchange Online"
    trust_key: str | None  # None for the current configuration
    level: str
    findings: tuple[Finding, ...]
    believed: Believed | None
    #: compared with the current configuration: finding ids added and gone
    added: tuple[str, ...] = ()
    gone: tuple[str, ...] = ()

    @property
    def same_as_now(self) -> bool:
        return self.trust_key is not None and not self.added and not self.gone


def _believed(auth: TrustedAuth | None, facts: Facts) -> Believed | None:
    if auth is None:
        return None

    def show(r: object, domain: str) -> str:
        result = getattr(r, "result", "")
        return f"{result} ({domain})" if domain else str(result)

    spf = show(auth.spf, auth.spf_domain()) if auth.spf is not None else ""
    dkim = tuple(show(r, auth.dkim_domain(r)) for r in auth.dkim[:10])
    dmarc = ""
    if auth.dmarc is not None:
        policy = auth.policy_text()
        dmarc = auth.dmarc.result + (f" ({policy})" if policy else "")
    compauth = ""
    if auth.compauth is not None:
        compauth = auth.compauth.result + (
            f" (reason {auth.compauth.reason})" if auth.compauth.reason else ""
        )
    src = auth.source
    writer = src.authserv_id or "Exchange Online (no authserv-id)"
    return Believed(src.header, _cut(writer, 120), _cut(spf, 160), dkim, _cut(dmarc, 160), compauth)


def _outcome(
    label: str, key: str | None, facts: Facts, config: EngineConfig, analyse: Analyse
) -> Outcome:
    verdict = analyse(facts, config)
    return Outcome(
        label=label,
        trust_key=key,
        level=verdict.level if verdict.level in LEVELS else "none",
        findings=verdict.findings,
        believed=_believed(trusted_auth(facts, config), facts),
    )


def trusting(config: EngineConfig, key: str) -> EngineConfig:
    """``config`` with the writer of ``key`` trusted as well."""
    if key == MICROSOFT:
        return replace(config, trust_microsoft=True)
    return replace(config, trusted_authserv_ids=config.trusted_authserv_ids | {key})


# ------------------------------------------------------------------ the probe


@dataclass(frozen=True)
class Probe:
    hops: tuple[Hop, ...]
    seen: tuple[Seen, ...]
    suggestion: Seen | None
    #: the receiving side's first named host ("" when no Received line names one)
    receiving_host: str
    now: Outcome
    what_ifs: tuple[Outcome, ...]  # one per writer not trusted now, in header order

    def what_if(self, key: str) -> Outcome | None:
        return next((o for o in self.what_ifs if o.trust_key == key), None)

    @property
    def receiving_keys(self) -> frozenset[str]:
        """The trust keys of the headers the receiving side wrote."""
        return frozenset(s.trust_key for s in self.seen if s.receiving)

    @property
    def suggestion_trusted(self) -> bool:
        return self.suggestion is not None and self.suggestion.trusted_now


def read_headers(text: str, *, most: int = MAX_PROBE_BYTES) -> str:
    """The header block of pasted text (what comes before the first empty line, as the
    analysis of a raw message reads it), or :class:`ProbeError` saying why it cannot be
    read. A whole message may be pasted: only its header block counts against ``most``,
    and the whole text against :data:`WHOLE_TEXT_FACTOR` times as much."""
    if not isinstance(text, str) or not text.strip():
        raise ProbeError("Paste the headers of a received message: the field is empty.")
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > most * WHOLE_TEXT_FACTOR:
        raise ProbeError(
            f"The pasted text is {size:,} bytes. Paste the header block only (up to the "
            f"first empty line, at most {most:,} bytes), not the message body."
        )
    text = text.lstrip("\r\n")
    m = _BLANK_LINE_RE.search(text)
    block = text[: m.start()] if m else text
    size = len(block.encode("utf-8", "surrogatepass"))
    if size > most:
        raise ProbeError(
            f"The header block is {size:,} bytes; at most {most:,} are read. Paste the "
            "headers of one message, up to the first empty line."
        )
    bad = _CONTROL_RE.search(block)
    if bad is not None:
        line = block.count("\n", 0, bad.start()) + 1
        raise ProbeError(
            f"The pasted text holds a control character (U+{ord(bad.group()):04X}) on line "
            f"{line}: it is not a header block as a mail program shows it. Copy the headers "
            "as text (in Outlook: File > Properties > Internet headers; in Thunderbird: "
            "View > Message Source)."
        )
    if block.count("\ufffd") > 16:
        raise ProbeError("The pasted text is not readable text (binary data?).")
    return block


def probe(
    text: str, config: EngineConfig, analyse: Analyse, *, most: int = MAX_PROBE_BYTES
) -> Probe:
    """Read pasted headers (at most ``most`` bytes) and say which authentication results to
    trust; raises :class:`ProbeError` for text that is not a readable header block."""
    block = read_headers(text, most=most)
    try:
        facts = from_payload({"headers": block}, config.limits)
    except InputError as exc:
        raise ProbeError(f"The headers cannot be read: {exc.message}.") from None
    if not facts.headers:
        raise ProbeError(
            "No header could be read: each line should look like 'Name: value'. Paste the "
            "header block of a received message."
        )
    received = sum(1 for n, _ in facts.headers if n == "received")
    results = sum(1 for n, _ in facts.headers if n in _HEADERS)
    if received > MAX_RECEIVED or results > MAX_RESULTS_HEADERS:
        raise ProbeError(
            f"The headers hold {received} Received lines and {results} authentication "
            f"headers; a delivered message has at most {MAX_RECEIVED} and "
            f"{MAX_RESULTS_HEADERS}. Paste the headers of one received message."
        )
    hops = _chain(facts.headers, config)
    seen = _seen(facts, hops, config)
    suggestion = _suggest(seen)
    now = _outcome("Now", None, facts, config, analyse)
    what_ifs = []
    keys: list[str] = []
    for s in seen:
        if not s.trusted_now and s.trust_key not in keys:
            keys.append(s.trust_key)
    if suggestion is not None and suggestion.trust_key in keys:
        keys.remove(suggestion.trust_key)  # the suggestion first
        keys.insert(0, suggestion.trust_key)
    for key in keys[:MAX_WHAT_IFS]:
        label = "Trusting Exchange Online" if key == MICROSOFT else f"Trusting {key}"
        o = _outcome(label, key, facts, trusting(config, key), analyse)
        before = {f.id for f in now.findings}
        after = {f.id for f in o.findings}
        what_ifs.append(
            replace(
                o,
                added=tuple(f.id for f in o.findings if f.id not in before),
                gone=tuple(f.id for f in now.findings if f.id not in after),
            )
        )
    receiving_host = next((h.by for h in hops if h.receiving and not _anonymous(h.by)), "")
    return Probe(
        hops=hops,
        seen=tuple(seen),
        suggestion=suggestion,
        receiving_host=receiving_host,
        now=now,
        what_ifs=tuple(what_ifs),
    )
