"""Repeated warnings, said once: when the same reader has had the same caution from the same
sender on earlier messages lately, the banner says so in a sentence instead of repeating the
level's text (the catalogue's ``repeat`` and ``repeat_one`` of that level).

What it never does: change a level, drop a finding or its evidence, or summarise a danger
(the catalogue refuses a danger ``repeat``). The findings must be exactly the same: one more
(new bank details in the next message) is a new warning, said in full. A reader is a
signed-in person (the verdict's viewer); a shared key names nobody, so nothing is
summarised for it. A failure to read or write the record costs the summary, never the
answer. The record: :mod:`caveat.storage.repeats`.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime

from caveat.checks.findings import Banner, Repeat, Verdict
from caveat.engine.catalogue import BANNER_MAX, Catalogue, banner_length, render
from caveat.mail.facts import Facts
from caveat.storage.repeats import note, signature
from caveat.storage.store import Store

from .stats import _message_key

log = logging.getLogger(__name__)


def repeat_text(one: str, other: str, count: int) -> str:
    """The banner text for ``count`` earlier messages (English's two forms)."""
    return render(one if count == 1 else other, {"count": count})


class Repeats:
    def __init__(self, store: Store, catalogue: Catalogue) -> None:
        self.store = store
        self.catalogue = catalogue

    def mark(self, facts: Facts, verdict: Verdict, viewer: str | None, now: datetime) -> Verdict:
        """The verdict, with its banner summarised when ``viewer`` had it before."""
        level = self.catalogue.levels.get(verdict.level)
        author = facts.author
        if not viewer or level is None or not level.repeat or author is None:
            return verdict
        sig = signature(verdict.level, [f.id for f in verdict.findings])
        try:
            earlier = note(self.store, viewer, author.address, sig, _message_key(facts), now)
        except Exception as exc:  # the summary must never cost an answer
            log.warning("repeated warnings: not read (%s)", type(exc).__name__)
            return verdict
        if earlier is None:
            return verdict
        since = earlier.since.astimezone(UTC).isoformat().replace("+00:00", "Z")
        text = repeat_text(level.repeat_one, level.repeat, earlier.count)
        banner = verdict.banner
        if banner_length(text) <= BANNER_MAX:
            banner = Banner(level.title, text)
        return replace(verdict, banner=banner, repeat=Repeat(earlier.count, since))
