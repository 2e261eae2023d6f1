"""relay_sender_mismatch: the account that logged in to send is not the From address.

Servers that accept authenticated submission often record the account in the trace:
``Received: ... (Authenticated sender: ACCOUNT, from: ADDRESS)`` or headers such as
``X-Auth-ID``, ``X-Authenticated-Sender``, ``X-Source-Auth`` and ``X-AuthUser``. When that
account belongs to another organisation than the From address, someone used a server that
lets an account send under any name: the seed's compromised third-party server.

Named exclusions (quiet):
  * same_organisation: the account and the From address share an organisation (an assistant
    sending for a manager, a shared mailbox, a partner's other domain in the directory);
  * list_resend: a list that rewrote From to its own address resends a poster's message
    whose original submission the trace still shows;
  * no_address: the account is a bare user name, which names no organisation.
"""

from __future__ import annotations

import re

from caveat.knowledge.context import Context
from caveat.mail.domains import parse_address
from caveat.mail.facts import Facts

from ._common import list_info
from .hits import Hit, check, ev

_AUTH_SENDER_RE = re.compile(r"authenticated sender:\s*([^\s,;()]+)", re.IGNORECASE)
_ADDRESS_RE = re.compile(r"[^\s<>(),;:\"']+@[^\s<>(),;:\"']+\.[^\s<>(),;:\"']+")
_AUTH_HEADERS = (
    ("x-auth-id", "X-Auth-ID"),
    ("x-authenticated-sender", "X-Authenticated-Sender"),
    ("x-source-auth", "X-Source-Auth"),
    ("x-authuser", "X-AuthUser"),
)


def _accounts(facts: Facts) -> list[tuple[str, str, str]]:
    """(account address, header name, header value) for every authenticated-account record."""
    out = []
    for value in facts.header("received"):
        m = _AUTH_SENDER_RE.search(value)
        if m:
            out.append((m.group(1), "Received", value))
    for key, label in _AUTH_HEADERS:
        for value in facts.header(key):
            # cPanel writes "X-Authenticated-Sender: host.example: user@example.com"
            found = _ADDRESS_RE.findall(value)
            if found:
                out.append((found[-1], label, value))
    return out


@check("relay_sender_mismatch", emits=["RELAY_AUTH_SENDER_MISMATCH"])
def relay_sender_mismatch(facts: Facts, ctx: Context) -> list[Hit]:
    author = facts.author
    if author is None or not author.domain:
        return []
    accounts = _accounts(facts)
    if not accounts:
        return []
    if list_info(facts).from_rewritten:
        return []
    for raw, header, value in accounts:
        if "@" not in raw:
            continue
        account = parse_address(raw.strip("<>[]"))
        if not account.domain or account.address == author.address:
            continue
        if ctx.same_organisation(account.domain, author.domain):
            continue
        evidence = [ev(header, value), ev("From", author.display())]
        # the account as the header wrote it (parse_address folds what it returns)
        written = raw.strip("<>[]").strip().strip("<>").strip()
        return [
            Hit(
                "RELAY_AUTH_SENDER_MISMATCH",
                tuple(evidence),
                {"account": written or account.address, "header": header},
            )
        ]
    return []
