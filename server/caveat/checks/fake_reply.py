"""fake_reply: a subject that says "reply" on a message that replies to nothing.

A real reply carries In-Reply-To and/or References naming the message it answers. A new
message whose subject merely starts with a reply prefix (RE, AW, SV, Antw, RIF, ODP, YNT,
R, Réf, ...) borrows the trust of a thread: the seed's attacker read an invoice thread and
sent a "reply" that was a fresh message from another server.

Named exclusions (quiet):
  * threaded: In-Reply-To or References is present, or Outlook's Thread-Index shows a
    child of an existing conversation (longer than the 22-byte root);
  * forward_first: the outermost prefix is a forward (FW, Fwd, WG, TR, ...), which is
    normal without threading headers;
  * mailing_list: list mail (List-Id, List-Post and older list markers) sent to the list
    it names, or whose list marks are vouched for (:mod:`caveat.checks._common`); many
    list posts from older clients reply without threading headers, and a thread hijack is
    aimed at a person, not a list. List marks on a message that is not addressed to their
    list, and that nothing vouches for, excuse nothing (the evidence says so).
Supporting evidence (FAKE_REPLY_FOREIGN_MESSAGE_ID, only with FAKE_REPLY): the Message-ID
was written under a domain unrelated to the From address, its envelope, its DKIM signers
or a large mail platform.
"""

from __future__ import annotations

import base64
import binascii
import re
import tomllib
from functools import lru_cache
from importlib import resources

from caveat.knowledge.context import Context
from caveat.mail.domains import normalise_domain, org_domain
from caveat.mail.facts import Facts

from ._common import list_info
from .hits import Hit, check, ev
from .hits import words as declare

#: the evidence value for a header the message does not have (Caveat's words)
ABSENT = declare("evidence.absent", "(absent)")

_TAG_RE = re.compile(r"^\s*(?:\[[^\]]{0,40}\]|\*{1,3}[^*]{0,30}\*{1,3})\s*")
_DKIM_D_RE = re.compile(r"(?:^|;)\s*d\s*=\s*([^;\s]+)", re.IGNORECASE)
_THREAD_INDEX_ROOT_BYTES = 22


@lru_cache(maxsize=1)
def _prefix_re() -> tuple[re.Pattern[str], frozenset[str]]:
    data = tomllib.loads(
        resources.files("caveat.data").joinpath("reply_prefixes.toml").read_text("utf-8")
    )
    reply = {p.casefold() for p in data["reply"]}
    forward = {p.casefold() for p in data["forward"]}
    words = sorted(reply | forward, key=len, reverse=True)
    alternation = "|".join(re.escape(w) for w in words)
    pattern = re.compile(rf"^\s*({alternation})\s*(?:\[\d+\]|\(\d+\))?\s*[:：]", re.IGNORECASE)
    return pattern, frozenset(reply)


@lru_cache(maxsize=1)
def _mail_hosts() -> frozenset[str]:
    text = resources.files("caveat.data").joinpath("mail_hosts.txt").read_text("utf-8")
    return frozenset(
        line.split("#", 1)[0].strip().lower()
        for line in text.splitlines()
        if line.split("#", 1)[0].strip()
    )


def outer_prefix(subject: str) -> tuple[str, bool] | None:
    """The outermost reply/forward prefix of a subject and whether it is a reply."""
    pattern, replies = _prefix_re()
    s = subject
    for _ in range(4):  # leading tags such as "[EXTERNAL]" may precede the prefix
        m = pattern.match(s)
        if m:
            word = m.group(1)
            return word, word.casefold() in replies
        t = _TAG_RE.match(s)
        if not t or not t.group(0):
            return None
        s = s[t.end() :]
    return None


def _thread_index_is_child(value: str | None) -> bool:
    if not value:
        return False
    try:
        raw = base64.b64decode(value.strip() + "==", validate=False)
    except (binascii.Error, ValueError):
        return False
    return len(raw) > _THREAD_INDEX_ROOT_BYTES


def _related_orgs(facts: Facts) -> set[str]:
    orgs = set()
    for a in (*facts.from_, *([facts.sender] if facts.sender else [])):
        if a.domain:
            orgs.add(a.org)
    for value in facts.header("return-path"):
        if "@" in value:
            orgs.add(org_domain(normalise_domain(value.strip(" <>").rsplit("@", 1)[1])))
    for value in facts.header("dkim-signature"):
        m = _DKIM_D_RE.search(value)
        if m:
            orgs.add(org_domain(normalise_domain(m.group(1))))
    return orgs


@check("fake_reply", emits=["FAKE_REPLY", "FAKE_REPLY_FOREIGN_MESSAGE_ID"])
def fake_reply(facts: Facts, ctx: Context) -> list[Hit]:
    found = outer_prefix(facts.subject)
    if found is None or not found[1]:
        return []
    if facts.in_reply_to or facts.references:
        return []
    if _thread_index_is_child(facts.first("thread-index")):
        return []
    lists = list_info(facts, ctx)
    if lists.is_list and (lists.trusted or lists.addressed):
        return []
    prefix = found[0]
    evidence = [
        ev("Subject", facts.subject),
        ev("In-Reply-To", ABSENT()),
        ev("References", ABSENT()),
        *lists.refused(),
    ]
    hits = [Hit("FAKE_REPLY", tuple(evidence), {"prefix": prefix + ":"})]
    mid_domain = facts.message_id.rpartition("@")[2] if "@" in facts.message_id else ""
    if mid_domain and facts.author is not None:
        mid_org = org_domain(normalise_domain(mid_domain))
        if mid_org not in _related_orgs(facts) and mid_org not in _mail_hosts():
            written = facts.message_id_written or facts.message_id
            hits.append(
                Hit(
                    "FAKE_REPLY_FOREIGN_MESSAGE_ID",
                    (ev("Message-ID", f"<{written}>"), ev("From", facts.author.display())),
                    {"msgid_domain": written.rpartition("@")[2] or mid_domain},
                )
            )
    return hits
