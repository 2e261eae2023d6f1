"""reply_to_mismatch: pressing Reply would send the answer outside the sender's organisation.

One finding per message, the strongest that applies to any Reply-To address:
  REPLYTO_FREEMAIL                 a free-mail Reply-To on mail from a non-free-mail sender;
  REPLYTO_SAME_NAME_OTHER_ADDRESS  the sender's own display name at another organisation;
  REPLYTO_OTHER_DOMAIN             any other organisation.

Named exclusions (quiet):
  * same_organisation: the Reply-To shares the From address's organisation (sub-domains
    included), both are internal, or the directory lists both domains for one partner;
  * list_rewrite: a mailing list put its own address in From ("Name via List") and the
    poster's address in Reply-To (DMARC mitigation), or the Reply-To is the list itself;
  * list_or_bulk: List-Id / List-Unsubscribe / Precedence: bulk mail, except a free-mail
    Reply-To carrying the sender's exact display name (the hijack pattern, which a header
    added by the sender cannot excuse);
  * esp_aligned: trusted authentication shows a DKIM signature aligned with From, so the
    domain owner chose that Reply-To (ticket systems, campaign tools) — except free mail;
  * freemail_sender: the From address is free mail itself (personal mail).
"""

from __future__ import annotations

from caveat.knowledge.context import Context
from caveat.mail.authres import trusted_auth
from caveat.mail.facts import Address, Facts

from ._common import list_info, same_name
from .hits import Hit, check, ev

_RANK = {"REPLYTO_OTHER_DOMAIN": 1, "REPLYTO_SAME_NAME_OTHER_ADDRESS": 2, "REPLYTO_FREEMAIL": 3}


@check(
    "reply_to_mismatch",
    emits=["REPLYTO_FREEMAIL", "REPLYTO_SAME_NAME_OTHER_ADDRESS", "REPLYTO_OTHER_DOMAIN"],
)
def reply_to_mismatch(facts: Facts, ctx: Context) -> list[Hit]:
    author = facts.author
    if author is None or not author.domain or not facts.reply_to:
        return []
    freemail = ctx.config.freemail
    if author.domain in freemail:
        return []
    outside = [
        r
        for r in facts.reply_to
        if r.domain
        and r.address != author.address
        and not ctx.same_organisation(r.domain, author.domain)
    ]
    if not outside:
        return []
    lists = list_info(facts)
    if lists.from_rewritten:
        return []
    if lists.is_list:
        outside = [r for r in outside if r.org not in lists.list_orgs]
    best: tuple[str, Address] | None = None
    for r in outside:
        fid = _classify(r, author, ctx)
        if fid == "REPLYTO_FREEMAIL":
            exact_name = bool(r.name) and r.name.casefold() == author.name.casefold()
            if (lists.is_list or lists.is_bulk) and not exact_name:
                continue
        elif lists.is_list or lists.is_bulk:
            continue
        if best is None or _RANK[fid] > _RANK[best[0]]:
            best = (fid, r)
    if best is None:
        return []
    fid, r = best
    if fid != "REPLYTO_FREEMAIL":
        auth = trusted_auth(facts, ctx.config)
        if auth is not None and auth.dkim_aligned_pass(author.domain):
            return []
    # Decoded like the From line ("João Silva <...>", not "=?utf-8?q?Jo=C3=A3o...?=").
    shown = ", ".join(x.display() for x in facts.reply_to) or facts.first("reply-to") or ""
    evidence = [ev("From", author.display()), ev("Reply-To", shown)]
    evidence.extend(lists.evidence)
    return [
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
    ]


def _classify(r: Address, author: Address, ctx: Context) -> str:
    if r.domain in ctx.config.freemail:
        return "REPLYTO_FREEMAIL"
    if same_name(r.name, author.name):
        return "REPLYTO_SAME_NAME_OTHER_ADDRESS"
    return "REPLYTO_OTHER_DOMAIN"
