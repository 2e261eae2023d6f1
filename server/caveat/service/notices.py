"""What the service's configuration costs the verdicts, said plainly.

A deployment that runs without knowing its own mail domains still answers, but worse: no
Authentication-Results header is believed (anyone can write one, so only those written at
our own boundary count), and colleagues look like strangers. That is never silent: the
service says so at start, in ``/healthz``, in every analysis answer (the add-in's pane shows
it) and on its home page.
"""

from __future__ import annotations

from dataclasses import dataclass

from caveat.knowledge.context import EngineConfig

CONFIGURE = "caveat configure --internal-domain example.com"


@dataclass(frozen=True, slots=True)
class Notice:
    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


def setup_notices(config: EngineConfig) -> tuple[Notice, ...]:
    """The configuration's gaps that change verdicts, in the order to fix them."""
    notices: list[Notice] = []
    if not config.internal_domains:
        trusted = config.trusted_authserv_ids or config.trust_microsoft
        costs = [
            "colleagues look like first contacts",
            "look-alikes of your own domains go unnoticed",
            "your own domain can pass for a look-alike of a partner's",
        ]
        if not trusted:
            costs.insert(
                0,
                "no Authentication-Results header is trusted (failed SPF, DKIM and DMARC go "
                "unreported)",
            )
        notices.append(
            Notice(
                "no_internal_domains",
                "No internal domain is configured, so Caveat cannot tell your organisation's "
                f"mail from anyone else's: {', '.join(costs[:-1])} and {costs[-1]}. "
                f"An administrator sets them with `{CONFIGURE}`.",
            )
        )
    return tuple(notices)
