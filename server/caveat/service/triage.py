"""What a confirmed report must not turn into an indicator, whoever confirms it: the API
(``POST /api/v1/reports/<id>/confirm``) and ``caveat reports confirm`` ask the same
question of :func:`leave_out`, and :meth:`caveat.storage.reports.ReportStore.confirm`
applies the answer.

A value is left out when security chose to leave its part out (:data:`PARTS`), or when it
is ours or a partner's: a forged message can carry a real partner's address, and an
indicator on it would warn about every genuine message from them. A free-mail provider's
domain is never an indicator either (an address at it may be).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from caveat.knowledge.context import EngineConfig
from caveat.knowledge.directory import Directory
from caveat.storage.indicators import NewIndicator

#: The parts of a report a confirmation may be told to leave out (``leave_out``).
PARTS = ("sender", "reply_to", "domains", "accounts", "phones")

CHOSEN = "left out by the person who confirmed it"


def leave_out(
    chosen: Iterable[str], directory: Directory, config: EngineConfig
) -> Callable[[str, NewIndicator], str]:
    """``reason(part, indicator)``: why that value of the report must not become an
    indicator, or "" when it may. ``chosen``: the parts security left out."""
    left = frozenset(chosen)

    def reason(part: str, item: NewIndicator) -> str:
        if part in left:
            return CHOSEN
        if item.kind not in ("address", "domain"):
            return ""
        domain = item.value.rpartition("@")[2] if item.kind == "address" else item.value
        if config.is_internal(domain):
            return "one of our own domains"
        partner = directory.partner_of_domain(domain)
        if partner is not None:
            return f"a domain of {partner.organization}, a partner (a forged message can use it)"
        if item.kind == "address":
            partner = directory.partner_of_address(item.value)
            if partner is not None:
                return f"a contact on file for {partner.organization}"
        elif domain in config.freemail:
            return "a free-mail provider's domain"
        return ""

    return reason
