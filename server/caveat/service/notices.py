"""What the service's configuration costs the verdicts, said plainly.

A deployment that runs without knowing its own mail domains still answers, but worse: no
Authentication-Results header is believed (anyone can write one, so only those written at
our own boundary count), and colleagues look like strangers. That is never silent: the
service says so at start, in ``/healthz``, in every analysis answer (the add-in's pane shows
it) and on its home page.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from caveat.engine.catalogue import render
from caveat.i18n import translator
from caveat.knowledge.context import EngineConfig

CONFIGURE = "caveat configure --internal-domain example.com"


@cache
def notice_texts() -> dict[str, dict[str, str]]:
    """The notices' English texts (data/notices.toml): code -> variant -> template."""
    data = tomllib.loads(resources.files("caveat.data").joinpath("notices.toml").read_text())
    return {code: dict(v) for code, v in data.items() if isinstance(v, dict)}


@dataclass(frozen=True, slots=True)
class Notice:
    code: str
    #: which of the code's texts (data/notices.toml)
    variant: str = "text"
    params: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def template(self) -> str:
        return notice_texts()[self.code][self.variant]

    @property
    def message(self) -> str:
        return render(self.template, self.params)

    def worded(self, language: str) -> str:
        """The notice in a language Caveat speaks (caveat.i18n)."""
        context = f"notice.{self.code}.{self.variant}"
        return render(translator(language).text(context, self.template), self.params)

    def to_dict(self, language: str = "en") -> dict[str, str]:
        return {"code": self.code, "message": self.worded(language)}


def setup_notices(config: EngineConfig) -> tuple[Notice, ...]:
    """The configuration's gaps that change verdicts, in the order to fix them."""
    notices: list[Notice] = []
    if not config.internal_domains:
        trusted = config.trusted_authserv_ids or config.trust_microsoft
        variant = "text" if trusted else "untrusted"
        notices.append(Notice("no_internal_domains", variant, {"configure": CONFIGURE}))
    return tuple(notices)
