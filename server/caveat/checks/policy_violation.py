"""policy_violation: a policy agreed with a partner is broken; and the partner's own way of
changing bank details, shown whenever a bank change from them appears.

The policies are the partner directory's (``require_auth``, ``pay_only_on_file``,
``bank_change_procedure``: docs/directory.md). Fires:

  POLICY_AUTH_REQUIRED        the From domain is a partner's (or the From address is a
                              listed contact of a partner, at a domain that is not
                              free mail), the partner agreed to pass
                              some of SPF, DKIM and DMARC, and our own boundary's results
                              (:func:`~caveat.mail.authres.trusted_auth`, the same as
                              auth_failure reads) show no aligned pass for one of them
                              (danger). Aligned as DMARC aligns (RFC 7489, relaxed: the
                              same organisational domain as From): ``spf`` needs spf=pass
                              for the envelope domain, ``dkim`` a dkim=pass signature of
                              the domain, ``dmarc`` dmarc=pass. A message without any
                              results from our boundary cannot show that the policy was
                              met: it fires too, and says so (the evidence names the
                              missing results; with no boundary configured, every message
                              of the partner does, which is the set-up to fix);
  POLICY_ACCOUNT_NOT_ON_FILE  the partner agreed that only accounts on file are paid, and
                              a message from them, or claiming to be from them, asks to pay
                              a new account or names one that is not on file (danger). An
                              account colleagues verified by phone is still not on file
                              until an administrator approves it onto the directory.

and, in the ``bank_details_change`` family (a second check of this module: what it adds
is about the bank change, not a broken policy):

  BANK_CHANGE_PROCEDURE       a bank change from a partner who agreed a procedure for them,
                              where the message is a danger for it (a new account, or one
                              the pay-only policy forbids): the procedure, in the banner;
  BANK_CHANGE_PROCEDURE_NOTE  the same where the bank finding is a note (an account not on
                              file named without a request, a verified one): the procedure,
                              as a note (weight 0: it never raises a level).

What a bank change is, and from whom, is the bank_details_change check's judgement
(:func:`caveat.checks.bank_details_change.decide` and :func:`claimant`): this check asks it
only when some partner of the directory has a bank policy, and the answer for most mail is
its pre-check's.

Named exclusions (quiet):
  * ours: mail from our own domains (no partner's policy applies);
  * aligned_pass: every method the partner requires passed, aligned, at our boundary;
  * list_relayed: a post of a mailing list that lives under our own domains or a
    partner's, relayed by the list's own servers (our boundary saw an SPF or DKIM pass for
    the list's organisation): the list's changes break the partner's signature and its
    server is not the partner's. A list anyone could run (List-Id and a pass for the
    sender's own domain cost an impostor nothing) excuses nothing; the bank checks read
    list mail as any other;
  * on_file: every account named is on file for the partner (BANK_DETAILS_ON_FILE);
  * reported: the bank change is only passed on as suspect (BANK_DETAILS_REPORTED);
  * known_fraud: the message carries a fraud indicator (reported_sender): the procedure
    comes as the note, and the banner is the indicator's.
"""

from __future__ import annotations

from caveat.knowledge.context import Context
from caveat.knowledge.directory import PartnerEntry
from caveat.mail.authres import TrustedAuth, trusted_auth
from caveat.mail.bidi import isolate, utf16_length
from caveat.mail.domains import org_domain, readable, relaxed_aligned
from caveat.mail.facts import Facts
from caveat.mail.memo import last_answer

from ._common import list_info
from .bank_details_change import A_NEW_ACCOUNT, CHANGED, NONE_NAMED, UNVERIFIED, claimant, decide
from .findings import Evidence
from .hits import Hit, check, ev, label, listed, words
from .reported_sender import BY_YOU as REPORTED_BY_YOU
from .reported_sender import reported_sender

AUTH_REQUIRED = "POLICY_AUTH_REQUIRED"
ACCOUNT_NOT_ON_FILE = "POLICY_ACCOUNT_NOT_ON_FILE"
PROCEDURE = "BANK_CHANGE_PROCEDURE"
PROCEDURE_NOTE = "BANK_CHANGE_PROCEDURE_NOTE"
#: the bank_details_change finding of a verified account (issue 17; a plain string so
#: that this check does not depend on its being there)
VERIFIED = "BANK_DETAILS_VERIFIED"

#: In the order they are named.
METHODS = ("spf", "dkim", "dmarc")
_NAMES = {"spf": "SPF", "dkim": "DKIM", "dmarc": "DMARC"}

#: What the catalogue's BANK_CHANGE_PROCEDURE banner leaves, of Outlook's 150 characters,
#: for the organisation's name and the procedure together (its own words and the bidi
#: isolates around both fields take the rest). tests/checks/test_policy_violation.py
#: fills the banner with long names and procedures: it fails when the two drift apart.
BANNER_ROOM = 90
#: Shortest cut of a procedure worth showing in the banner; below it the banner is left
#: to the bank finding (the procedure is in the finding all the same).
_SHORTEST = 24


_NO_RESULTS = words("results.none", "no results from our own mail system")
_RESULTS = words("results.ours", "results from our own mail system")
_NONE_ON_FILE = words("on_file.none", "none is on file")
_ON_FILE = words("on_file.some", "one is on file", "{count} are on file")
_DIRECTORY = label("Directory")
_POLICY = label("Policy")
_PROCEDURE = label("Procedure")


def _words(methods: list[str]) -> str:
    return listed([_NAMES[m] for m in METHODS if m in methods])


# ---------------------------------------------------------------- require_auth


@check("policy_violation", emits=[AUTH_REQUIRED, ACCOUNT_NOT_ON_FILE])
def policy_violation(facts: Facts, ctx: Context) -> list[Hit]:
    hits = []
    auth_hit = _auth_required(facts, ctx)
    if auth_hit is not None:
        hits.append(auth_hit)
    bank = _bank_policies(facts, ctx)
    if bank.pay_only is not None:
        hits.append(bank.pay_only)
    return hits


def _auth_required(facts: Facts, ctx: Context) -> Hit | None:
    a = facts.author
    if a is None or not a.domain or ctx.config.is_internal(a.domain):
        return None  # ours
    partner = ctx.directory.partner_of_domain(a.domain)
    if partner is None and a.domain not in ctx.config.freemail:
        # a partner listed by its contacts' addresses alone, at a domain of its own
        partner = ctx.directory.partner_of_address(a.address)
    if partner is None or not partner.require_auth:
        return None
    required = [m for m in METHODS if m in partner.require_auth]
    auth = trusted_auth(facts, ctx.config)
    if auth is None:
        missing = required
        results = [ev("Authentication-Results", _no_results(ctx))]
    else:
        missing = [m for m in required if not _passed(auth, m, a.domain)]
        if not missing:
            return None  # aligned_pass
        results = [ev(auth.source.header, auth.source.raw)]
        results += [ev(_NAMES[m], _what(auth, m, a.domain)) for m in missing]
    if _list_relayed(facts, ctx, auth):
        return None  # list_relayed
    evidence: list[Evidence] = [
        ev("From", a.display()),
        ev(
            _DIRECTORY,
            f"{isolate(partner.organization)} agreed that its mail passes {_words(required)}",
        ),
        *results,
    ]
    return Hit(
        AUTH_REQUIRED,
        tuple(evidence),
        {
            "organisation": partner.organization,
            "required": _words(required),
            "missing": _words(missing),
            "results": _NO_RESULTS() if auth is None else _RESULTS(),
        },
    )


def _list_relayed(facts: Facts, ctx: Context, auth: TrustedAuth | None) -> bool:
    """A post of a list that lives under our domains or a partner's, and that our boundary
    saw come from the list's own servers (an SPF or DKIM pass for its organisation)."""
    if auth is None:
        return False
    info = list_info(facts, ctx)
    if not info.is_list:
        return False
    known = {
        o
        for o in info.list_orgs
        if ctx.config.is_internal(o) or ctx.directory.partner_of_domain(o) is not None
    }
    return any(org_domain(d) in known for _m, d in auth.passes())


def _passed(auth: TrustedAuth, method: str, domain: str) -> bool:
    if method == "spf":
        return auth.spf_aligned_pass(domain)
    if method == "dkim":
        return auth.dkim_aligned_pass(domain)
    d = auth.dmarc
    if d is None or d.result != "pass":
        return False
    # dmarc=pass is for header.from; where the results name it, it must be the From's
    header_from = (d.prop("header.from") or "").strip().lower()
    return not header_from or relaxed_aligned(header_from, domain)


def _what(auth: TrustedAuth, method: str, domain: str) -> str:
    """What our boundary said of one required method, in a few words."""
    if method == "spf":
        if auth.spf is None:
            return "no SPF result"
        checked = auth.spf_domain()
        shown = isolate(readable(auth.written(checked))) if checked else "an unknown domain"
        if auth.spf.result == "pass":
            return f"pass for {shown}, not the From domain's organisation"
        return f"{auth.spf.result} for {shown}"
    if method == "dkim":
        if not auth.dkim:
            return "no DKIM result (not signed)"
        parts = []
        for r in auth.dkim:
            signer = auth.dkim_domain(r)
            shown = isolate(readable(auth.written(signer))) if signer else "an unknown domain"
            if r.result == "pass" and not relaxed_aligned(signer, domain):
                parts.append(f"pass for {shown}, not the From domain's organisation")
            else:
                parts.append(f"{r.result} for {shown}")
        return "; ".join(parts)
    if auth.dmarc is None:
        return "no DMARC result"
    if auth.dmarc.result == "pass":
        return "pass, for another domain than the From line's"
    policy = auth.policy_text()
    return auth.dmarc.result + (f" ({policy})" if policy else "")


def _no_results(ctx: Context) -> str:
    c = ctx.config
    if not (c.trusted_authserv_ids or c.internal_domains or c.trust_microsoft):
        return (
            "none trusted: no mail boundary is configured (internal domains, trusted "
            "authserv-ids or Microsoft's), so no authentication can be confirmed"
        )
    return "none written by our own mail boundary"


# ---------------------------------------------------------------- bank policies


class _Bank:
    """What the bank policies make of one message."""

    __slots__ = ("pay_only", "procedure")

    def __init__(self, pay_only: Hit | None = None, procedure: Hit | None = None) -> None:
        self.pay_only = pay_only
        self.procedure = procedure


_NOTHING = _Bank()


@last_answer
def _bank_policies(facts: Facts, ctx: Context) -> _Bank:
    """The pay-only and procedure findings of a message (both checks of this module ask)."""
    if not ctx.directory.has_bank_policies:
        return _NOTHING
    found = decide(facts, ctx)
    ids = {h.id for h in found}
    change = ids & {CHANGED, UNVERIFIED, VERIFIED}
    if not change:
        return _NOTHING  # no bank change; on_file and reported among them
    who = claimant(facts, ctx)
    partner = who.partner if who is not None else None
    if partner is None or not (partner.pay_only_on_file or partner.bank_change_procedure):
        return _NOTHING
    first = next(h for h in found if h.id in change)
    accounts = [e for h in found for e in h.evidence if e.header == "Account"]
    pay_only = None
    if partner.pay_only_on_file:
        pay_only = Hit(
            ACCOUNT_NOT_ON_FILE,
            (
                *(e for e in first.evidence if e.header in ("From", "Directory", "Look-alike")),
                ev(
                    _POLICY,
                    f"{isolate(partner.organization)} agreed that only accounts on file are paid",
                ),
                *(e for e in first.evidence if e.header == "Request"),
                *dict.fromkeys(accounts),
            ),
            {
                "organisation": partner.organization,
                # a verified account is named as the verified one (it left "new")
                "account": first.params.get(
                    "verified_account", first.params.get("account", A_NEW_ACCOUNT())
                ),
                "accounts": first.params.get(
                    "verified_accounts", first.params.get("accounts", NONE_NAMED())
                ),
                "on_file": _on_file(partner),
            },
        )
    procedure = None
    if partner.bank_change_procedure:
        # known_fraud: a reported fraud indicator speaks for the message, not the procedure
        danger = (CHANGED in ids or pay_only is not None) and not _known_fraud(facts, ctx)
        procedure = Hit(
            PROCEDURE if danger else PROCEDURE_NOTE,
            (
                ev(
                    _PROCEDURE,
                    f"{isolate(partner.organization)}: {isolate(partner.bank_change_procedure)}",
                ),
            ),
            {
                "organisation": partner.organization,
                "procedure": partner.bank_change_procedure,
                "procedure_short": _cut(
                    partner.bank_change_procedure,
                    BANNER_ROOM - utf16_length(partner.organization),
                ),
            },
        )
    return _Bank(pay_only, procedure)


def _known_fraud(facts: Facts, ctx: Context) -> bool:
    """The message carries a fraud indicator (reported_sender's danger findings)."""
    return bool(ctx.knowledge) and any(h.id != REPORTED_BY_YOU for h in reported_sender(facts, ctx))


def _on_file(partner: PartnerEntry) -> str:
    n = len(partner.bank_accounts)
    return _ON_FILE(count=n) if n else _NONE_ON_FILE()


def _cut(text: str, room: int) -> str:
    """``text`` cut to at most ``room`` UTF-16 units at a word, with an ellipsis; whole
    when it fits, or when the room is too small for a useful part (the banner then falls
    back to another finding's)."""
    if utf16_length(text) <= room or room < _SHORTEST:
        return text
    cut = text[: room - 1]
    while utf16_length(cut) > room - 1:
        cut = cut[:-1]
    space = cut.rfind(" ")
    if space >= _SHORTEST // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + "…"


@check("bank_details_change", emits=[PROCEDURE, PROCEDURE_NOTE])
def bank_change_procedure(facts: Facts, ctx: Context) -> list[Hit]:
    hit = _bank_policies(facts, ctx).procedure
    return [hit] if hit is not None else []


__all__ = [
    "ACCOUNT_NOT_ON_FILE",
    "AUTH_REQUIRED",
    "PROCEDURE",
    "PROCEDURE_NOTE",
    "bank_change_procedure",
    "policy_violation",
]
