"""auth_failure: our own mail boundary could not confirm who sent the message.

Reads only the authentication results written at our boundary (:func:`trusted_auth`):
the topmost Authentication-Results with a trusted authserv-id, or Exchange Online's own
when ``trust_microsoft`` is set; anyone can write that header, so all others are ignored.

Fires (From domain = the domain of the From line, alignment = same organisational domain
per the Public Suffix List, RFC 7489 relaxed mode):
  * AUTH_DMARC_FAIL_POLICY_NONE: dmarc=fail and the domain asks for nothing to be done
    (p=none, Exchange Online's action=none, policy.dmarc=none, pct=0);
  * AUTH_DMARC_FAIL: dmarc=fail under an enforcing policy (or none stated);
  * AUTH_SPF_FAIL / AUTH_SPF_SOFTFAIL: spf=fail / spf=softfail;
  * AUTH_DKIM_FAIL: no DMARC verdict, a DKIM signature failed, and no aligned pass;
  * AUTH_UNALIGNED: no DMARC verdict, nothing failed, and what passed (SPF, DKIM) passed
    for other domains than the From domain;
  * AUTH_COMPAUTH_FAIL: Exchange Online's composite authentication said fail
    (softfail, none, other and pass say nothing).

Named exclusions (quiet):
  * no_trusted_results: no header from our boundary (the default when nothing is
    configured); a claim of failure by a server we do not trust is not evidence;
  * dmarc_pass: dmarc=pass: the domain vouched for the message, whatever else failed;
  * aligned_pass: an SPF or DKIM pass for the From organisation; this is what DMARC would
    pass on, and it is how forwarded mail looks (SPF fails at the forwarder's IP while
    the original DKIM signature still verifies);
  * list_broke_signature: mailing-list mail (List-Id / List-Post) that demonstrably came
    from the list's own server (an SPF or DKIM pass for the list's organisation, or a DKIM
    signature that verified at our boundary and covers List-Id: the list host signing with
    its provider's domain) and that either carries a DKIM-Signature of the From domain (the
    list's footer or subject tag broke it) or whose From the list rewrote ("Name via
    List"). It applies to AUTH_DKIM_FAIL and AUTH_UNALIGNED, which is what a list's changes
    produce, and to a DMARC failure under p=none only when the From domain's own signature
    is there and failed: the poster's domain did sign, and the list's changes broke the
    signature. A DMARC failure under an enforcing policy and SPF failures are still
    reported.
"""

from __future__ import annotations

from dataclasses import dataclass

from caveat.knowledge.context import Context
from caveat.mail.authres import MethodResult, TrustedAuth, trusted_auth
from caveat.mail.domains import normalise_domain, org_domain, readable, relaxed_aligned
from caveat.mail.facts import Facts

from ._common import list_info
from .findings import Evidence
from .hits import Hit, check, ev, listed, words

_UNKNOWN = words("unknown", "unknown")
_UNKNOWN_DOMAIN = words("unknown_domain", "(unknown domain)")
_PASSED_FOR = words("passed_for", "{method} for {domain}")

_SPF_FAILS = {"fail": "AUTH_SPF_FAIL", "hardfail": "AUTH_SPF_FAIL", "softfail": "AUTH_SPF_SOFTFAIL"}


@check(
    "auth_failure",
    emits=[
        "AUTH_DMARC_FAIL",
        "AUTH_DMARC_FAIL_POLICY_NONE",
        "AUTH_SPF_FAIL",
        "AUTH_SPF_SOFTFAIL",
        "AUTH_DKIM_FAIL",
        "AUTH_UNALIGNED",
        "AUTH_COMPAUTH_FAIL",
    ],
)
def auth_failure(facts: Facts, ctx: Context) -> list[Hit]:
    auth = trusted_auth(facts, ctx.config)
    if auth is None:
        return []  # no_trusted_results
    dmarc = auth.dmarc.result if auth.dmarc is not None else ""
    if dmarc == "pass":
        return []  # dmarc_pass
    if auth.from_domain and (auth.spf_aligned_pass() or auth.dkim_aligned_pass()):
        return []  # aligned_pass

    # Domains are shown as the message (or our boundary's results) wrote them.
    from_domain = (
        readable(auth.written(auth.from_domain)) if auth.from_domain else "(no From domain)"
    )
    hits: list[Hit] = []

    if (
        dmarc == "fail"
        and auth.dmarc is not None
        and not _list_broke_signature(facts, auth, auth.passes(), dmarc=True)
    ):
        evidence = _evidence(auth, auth.dmarc)
        if auth.not_enforced():
            hits.append(
                Hit(
                    "AUTH_DMARC_FAIL_POLICY_NONE",
                    evidence,
                    {"from_domain": from_domain, "policy": auth.policy_text() or "p=none"},
                )
            )
        else:
            hits.append(Hit("AUTH_DMARC_FAIL", evidence, {"from_domain": from_domain}))

    if auth.spf is not None and auth.spf.result in _SPF_FAILS:
        domain = auth.spf_domain()
        hits.append(
            Hit(
                _SPF_FAILS[auth.spf.result],
                _evidence(auth, auth.spf),
                {
                    "from_domain": from_domain,
                    "domain": readable(auth.written(domain)) if domain else _UNKNOWN_DOMAIN(),
                    "ip": auth.sender_ip() or _UNKNOWN(),
                },
            )
        )

    if dmarc != "fail" and auth.from_domain:
        # No DMARC verdict (none evaluated, no record, or an error): judge alignment here.
        failed = [r for r in auth.dkim if r.result == "fail"]
        passed = auth.passes()
        if (failed or passed) and not _list_broke_signature(facts, auth, passed):
            if failed:
                hits.append(
                    Hit(
                        "AUTH_DKIM_FAIL",
                        _evidence(auth, failed[0]),
                        {"from_domain": from_domain},
                    )
                )
            else:
                hits.append(
                    Hit(
                        "AUTH_UNALIGNED",
                        _evidence(auth, None),
                        {
                            "from_domain": from_domain,
                            "passed": _passed([(m, readable(auth.written(d))) for m, d in passed]),
                        },
                    )
                )

    if auth.compauth is not None and auth.compauth.result == "fail":
        hits.append(
            Hit(
                "AUTH_COMPAUTH_FAIL",
                _evidence(auth, auth.compauth),
                {"from_domain": from_domain, "reason": auth.compauth.reason or _UNKNOWN()},
            )
        )
    return hits


def _passed(passed: list[tuple[str, str]]) -> str:
    """What passed, for which domain: "spf for a.example, dkim for b.example"."""
    items = [_PASSED_FOR(method=m, domain=d) for m, d in passed]
    return listed(items, ", ".join(items))


def _evidence(auth: TrustedAuth, result: MethodResult | None) -> tuple[Evidence, ...]:
    """The trusted header the result was read from (whole), then the Received-SPF line."""
    src = auth.source_of(result) if result is not None else auth.source
    out = [ev(src.header, src.raw)]
    if auth.received_spf_raw and not (
        src.header == "Received-SPF" and src.raw == auth.received_spf_raw
    ):
        out.append(ev("Received-SPF", auth.received_spf_raw))
    return tuple(out)


def _list_broke_signature(
    facts: Facts, auth: TrustedAuth, passed: list[tuple[str, str]], *, dmarc: bool = False
) -> bool:
    info = list_info(facts)
    if not info.is_list:
        return False
    signatures = _dkim_signatures(facts)
    from_list_server = any(org_domain(d) in info.list_orgs for _, d in passed) or any(
        _verified(auth, sig) and "list-id" in sig.signed for sig in signatures
    )
    if not from_list_server:
        return False
    if info.from_rewritten and not dmarc:
        return True
    from_signed = [s for s in signatures if relaxed_aligned(s.domain, auth.from_domain)]
    if not dmarc:
        return bool(from_signed)
    # DMARC failed: excused only when the domain asked for nothing to be done (a domain
    # with an enforcing policy asked receivers to reject exactly this), and only when a
    # signature of the From domain that our boundary saw fail proves that the poster's
    # domain signed and the list broke it.
    return (
        auth.not_enforced()
        and any(
            r.result == "fail" and relaxed_aligned(auth.dkim_domain(r), auth.from_domain)
            for r in auth.dkim
        )
        and bool(from_signed)
    )


@dataclass(frozen=True, slots=True)
class _Signature:
    domain: str
    selector: str
    signed: frozenset[str]  # lower-cased names in h=


def _dkim_signatures(facts: Facts) -> list[_Signature]:
    """d=, s= and h= of every DKIM-Signature header (RFC 6376 tag=value list)."""
    out = []
    for value in facts.header("dkim-signature"):
        tags: dict[str, str] = {}
        for tag in value.split(";"):
            name, sep, v = tag.partition("=")
            if sep:
                tags.setdefault(name.strip().lower(), "".join(v.split()))
        domain = normalise_domain(tags.get("d", ""))
        if domain:
            signed = frozenset(h.lower() for h in tags.get("h", "").split(":") if h)
            out.append(_Signature(domain, tags.get("s", "").lower(), signed))
    return out


def _verified(auth: TrustedAuth, sig: _Signature) -> bool:
    """Our boundary reported dkim=pass for this signature's domain (and selector, if given)."""
    for r in auth.dkim:
        if r.result != "pass" or auth.dkim_domain(r) != sig.domain:
            continue
        selector = (r.prop("header.s") or "").lower()
        if not selector or not sig.selector or selector == sig.selector:
            return True
    return False
