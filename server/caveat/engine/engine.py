"""The analysis engine: facts in, findings and one level out. No Flask, no database."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from caveat.checks import ALL_CHECKS
from caveat.checks.findings import LEVELS, Banner, Finding, Verdict
from caveat.checks.hits import CheckFn, Hit
from caveat.knowledge.context import Context
from caveat.mail.domains import readable
from caveat.mail.facts import Facts

from .catalogue import BANNER_MAX, Catalogue, CatalogueError, banner_length, render

_RANK = {name: i for i, name in enumerate(LEVELS)}


class Engine:
    def __init__(
        self, catalogue: Catalogue | None = None, checks: Sequence[CheckFn] = ALL_CHECKS
    ) -> None:
        self.catalogue = catalogue or Catalogue.load()
        self.checks = tuple(checks)
        for c in self.checks:
            if c.prepare is not None:
                c.prepare()
            self.catalogue.require(c.emits)
            for fid in c.emits:
                if self.catalogue.findings[fid].check != c.family:
                    raise CatalogueError(
                        f"{self.catalogue.source}: {fid} is emitted by the {c.family} check "
                        f"but catalogued under {self.catalogue.findings[fid].check}"
                    )
        self._thresholds = sorted(
            ((lv.threshold, lv.name) for lv in self.catalogue.levels.values()), reverse=True
        )

    def analyze(self, facts: Facts, ctx: Context | None = None) -> Verdict:
        ctx = ctx or Context()
        hits: dict[str, Hit] = {}
        for c in self.checks:
            for hit in c(facts, ctx):
                if hit.id not in c.emits:
                    raise CatalogueError(f"check {c.name} emitted undeclared id {hit.id}")
                hits.setdefault(hit.id, hit)
        return self.score(facts, list(hits.values()))

    def score(self, facts: Facts, hits: list[Hit]) -> Verdict:
        base = _base_params(facts)
        findings = [self._dress(self.catalogue.findings[h.id], h, base) for h in hits]
        present = frozenset(h.id for h in hits)
        # A composite names its parts instead of copying their evidence: each piece of
        # evidence is shown once, under the finding it proves.
        parts: dict[str, frozenset[str]] = {}
        for comp in self.catalogue.composites:
            if comp.holds(present):
                parts[comp.entry.id] = comp.parts(present)
                findings.append(self._dress(comp.entry, Hit(comp.entry.id), base))
        findings.sort(key=lambda f: (-_RANK[f.severity], -f.weight, f.id))
        if parts:
            order = [f.id for f in findings]
            findings = [
                replace(f, parts=tuple(i for i in order if i in parts[f.id]))
                if f.id in parts
                else f
                for f in findings
            ]
        total = sum(f.weight for f in findings)
        level = "none"
        for threshold, name in self._thresholds:
            if total >= threshold:
                level = name
                break
        for f in findings:
            if _RANK[f.severity] > _RANK[level]:
                level = f.severity
        banner = None
        if level != "none":
            lv = self.catalogue.levels[level]
            # The most severe finding that set the level may name specifics (the account
            # asked for); a finding below the level never speaks for the message.
            text = next((f.banner for f in findings if f.severity == level and f.banner), lv.text)
            banner = Banner(lv.title, text)
        return Verdict(level=level, score=total, banner=banner, findings=tuple(findings))

    @staticmethod
    def _dress(entry, hit: Hit, base: dict[str, str]) -> Finding:  # type: ignore[no-untyped-def]
        params = {**base, **hit.params}
        title, explanation = entry.wording(params.get("count"))
        return Finding(
            id=entry.id,
            check=entry.check,
            severity=entry.severity,
            title=render(title, params),
            explanation=render(explanation, params),
            evidence=_dedupe(hit.evidence),
            techniques=entry.techniques,
            weight=entry.weight,
            banner=_fit(render(entry.banner, params)) if entry.banner else "",
            params=params,
        )


def _fit(text: str) -> str:
    """A filled banner text, or "" when the filled fields made it too long for Outlook
    (counted as Outlook counts: UTF-16 code units, the isolates around the fields
    included)."""
    return text if banner_length(text) <= BANNER_MAX else ""


def _dedupe(evidence):  # type: ignore[no-untyped-def]
    seen = set()
    out = []
    for e in evidence:
        if e not in seen:
            seen.add(e)
            out.append(e)
    return tuple(out)


def _base_params(facts: Facts) -> dict[str, str]:
    a = facts.author
    return {
        # as the message wrote them (matching is done on the folded forms, elsewhere)
        "from_address": a.shown if a else "(no From address)",
        "from_domain": readable(a.shown_domain) if a else "(no From domain)",
        "from_name": a.name if a else "",
    }
