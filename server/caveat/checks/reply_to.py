"""reply_to_mismatch: pressing Reply would send the answer outside the sender's organisation.

One finding per message, the strongest that applies to any Reply-To address:
  REPLYTO_FREEMAIL                 a free-mail Reply-To on mail from a non-free-mail sender;
  REPLYTO_SAME_NAME_OTHER_ADDRESS  the sender's own display name (folded: look-alike
                                   letters, invisible characters and decorations do not
                                   make it another) at another organisation;
  REPLYTO_OTHER_DOMAIN             any other organisation.
And, besides it:
  REPLYTO_IMITATES_OURS            a Reply-To domain is a look-alike of one of our own
                                   domains (danger, whoever sent the message and however
                                   well it authenticated: nobody has a reason to have our
                                   answers sent to an imitation of our own name).

Named exclusions (quiet):
  * same_organisation: the Reply-To shares the From address's organisation (sub-domains
    included), both are internal, or the directory lists both domains for one partner;
  * list_rewrite: a mailing list put its own address in From ("Name via List") and the
    poster's address in Reply-To (DMARC mitigation); the list marks must name the From's
    organisation;
  * reply_to_list: the Reply-To is the list itself, on list mail whose marks are vouched
    for (:func:`caveat.checks._common.list_info`) or that was sent to that list;
  * list_or_bulk_vouched: List-Id / List-Unsubscribe / Precedence: bulk mail whose marks
    are vouched for (aligned DKIM at our boundary, or a list of ours or a partner's),
    except a free-mail Reply-To carrying the sender's own name (the hijack pattern);
  * list_or_bulk_note: the same marks, vouched for or not, excuse REPLYTO_OTHER_DOMAIN,
    which is a note; marks nobody vouches for never excuse REPLYTO_FREEMAIL or
    REPLYTO_SAME_NAME_OTHER_ADDRESS (the evidence says that the marks were not accepted);
  * esp_aligned: trusted authentication shows a DKIM signature aligned with From, so the
    domain owner chose that Reply-To (ticket systems, campaign tools) — except free mail;
  * freemail_sender: the From address is free mail itself (personal mail).
"""

from __future__ import annotations

from caveat.knowledge.context import Context
from caveat.knowledge.directory import OURS
from caveat.mail.authres import trusted_auth
from caveat.mail.bidi import isolate
from caveat.mail.domains import readable
from caveat.mail.facts import Address, Facts
from caveat.mail.names import name_keys

from ._common import list_info, same_name
from .hits import Hit, check, ev, label

_RANK = {"REPLYTO_OTHER_DOMAIN": 1, "REPLYTO_SAME_NAME_OTHER_ADDRESS": 2, "REPLYTO_FREEMAIL": 3}


_LOOKALIKE = label("Look-alike")


@check(
    "reply_to_mismatch",
    emits=[
        "REPLYTO_FREEMAIL",
        "REPLYTO_SAME_NAME_OTHER_ADDRESS",
        "REPLYTO_OTHER_DOMAIN",
        "REPLYTO_IMITATES_OURS",
    ],
)
def reply_to_mismatch(facts: Facts, ctx: Context) -> list[Hit]:
    author = facts.author
    if not facts.reply_to:
        return []
    hits = _imitates_ours(facts, ctx)
    if author is None or not author.domain:
        return hits
    freemail = ctx.config.freemail
    if author.domain in freemail:
        return hits
    outside = [
        r
        for r in facts.reply_to
        if r.domain
        and r.address != author.address
        and not ctx.same_organisation(r.domain, author.domain)
    ]
    if not outside:
        return hits
    lists = list_info(facts, ctx)
    if lists.from_rewritten:
        return hits
    if lists.is_list and (lists.trusted or lists.addressed):
        outside = [r for r in outside if r.org not in lists.list_orgs]
    best: tuple[str, Address] | None = None
    for r in outside:
        fid = _classify(r, author, ctx)
        if fid == "REPLYTO_FREEMAIL":
            if lists.marked and lists.trusted and not _exact_name(r, author):
                continue
        elif fid == "REPLYTO_SAME_NAME_OTHER_ADDRESS":
            if lists.marked and lists.trusted:
                continue
        elif lists.marked:
            continue
        if best is None or _RANK[fid] > _RANK[best[0]]:
            best = (fid, r)
    if best is None:
        return hits
    fid, r = best
    if fid != "REPLYTO_FREEMAIL":
        auth = trusted_auth(facts, ctx.config)
        if auth is not None and auth.dkim_aligned_pass(author.domain):
            return hits
    evidence = [ev("From", author.display()), ev("Reply-To", _shown(facts))]
    evidence.extend(lists.evidence)
    evidence.extend(lists.refused())
    hits.append(
        Hit(
            fid,
            tuple(evidence),
            {
                "reply_to": r.shown,
                "name": r.name,
                "reply_org": r.shown_org,
                "from_org": author.shown_org,
            },
        )
    )
    return hits


def _shown(facts: Facts) -> str:
    # Decoded like the From line ("João Silva <...>", not "=?utf-8?q?Jo=C3=A3o...?=").
    return ", ".join(x.display() for x in facts.reply_to) or facts.first("reply-to") or ""


def _exact_name(r: Address, author: Address) -> bool:
    """The Reply-To shows the sender's own name, as folded (a look-alike letter or an
    invisible character in one of them changes nothing)."""
    a, b = name_keys(r.name), name_keys(author.name)
    return bool(a) and bool(b) and a[0] == b[0]


def _imitates_ours(facts: Facts, ctx: Context) -> list[Hit]:
    """REPLYTO_IMITATES_OURS: a Reply-To domain made to look like one of our domains."""
    if not ctx.config.internal_domains:
        return []
    index = ctx.lookalikes()
    for r in facts.reply_to:
        d = r.domain
        if not d or ctx.config.is_internal(d) or d in ctx.config.freemail:
            continue
        if index.is_protected(d):
            continue
        m = index.match(d, r.shown_domain)
        if m is None or m.owner != OURS:
            continue
        evidence = [ev("Reply-To", _shown(facts))]
        if facts.author is not None:
            evidence.insert(0, ev("From", facts.author.display()))
        evidence.append(
            ev(
                _LOOKALIKE,
                f"{isolate(readable(r.shown_domain))} imitates {m.imitates}: {isolate(m.detail)}",
            )
        )
        return [
            Hit(
                "REPLYTO_IMITATES_OURS",
                tuple(evidence),
                {
                    "reply_to": r.shown,
                    "candidate": readable(r.shown_domain),
                    "imitates": m.imitates,
                    "detail": m.detail,
                },
            )
        ]
    return []


def _classify(r: Address, author: Address, ctx: Context) -> str:
    if r.domain in ctx.config.freemail:
        return "REPLYTO_FREEMAIL"
    if same_name(r.name, author.name):
        return "REPLYTO_SAME_NAME_OTHER_ADDRESS"
    return "REPLYTO_OTHER_DOMAIN"
