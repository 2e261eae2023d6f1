"""What a check reports, and the verdict the engine returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

LEVELS = ("none", "info", "caution", "danger")
SEVERITIES = ("info", "caution", "danger")

#: The check families of PRODUCT.md: a contract with clients, reports and tests.
FAMILIES = (
    "auth_failure",
    "relay_sender_mismatch",
    "reply_to_mismatch",
    "fake_reply",
    "lookalike_domain",
    "freemail_impersonation",
    "recipient_swap",
    "bank_details_change",
    "policy_violation",
    "reported_sender",
    "first_contact",
)


@dataclass(frozen=True, slots=True)
class Evidence:
    """One header (or message field) and the value that proves a finding."""

    header: str
    value: str
    #: an opaque reference to what ``value`` shows, for a later request to name it (an
    #: account's keyed hash: Verify sender's ``account_ref``); "" when there is none
    ref: str = ""

    def to_dict(self) -> dict[str, str]:
        if self.ref:
            return {"header": self.header, "value": self.value, "ref": self.ref}
        return {"header": self.header, "value": self.value}


@dataclass(frozen=True, slots=True)
class Finding:
    id: str
    check: str
    severity: str
    title: str
    explanation: str
    evidence: tuple[Evidence, ...] = ()
    techniques: tuple[str, ...] = ()
    weight: float = 0.0
    #: the catalogue's banner text for this finding, filled ("" when it has none)
    banner: str = ""
    #: a composite's parts: the ids of the findings present that made its expression hold,
    #: in the verdict's order; they carry the evidence (empty for other findings)
    parts: tuple[str, ...] = ()
    #: the values the catalogue's templates were filled with, to word the finding again in
    #: another language (caveat.engine.localise); never sent
    params: Any = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "check": self.check,
            "severity": self.severity,
            "title": self.title,
            "explanation": self.explanation,
            "evidence": [e.to_dict() for e in self.evidence],
            "techniques": list(self.techniques),
            "parts": list(self.parts),
        }


@dataclass(frozen=True, slots=True)
class Banner:
    title: str
    text: str

    def to_dict(self) -> dict[str, str]:
        return {"title": self.title, "text": self.text}


@dataclass(frozen=True, slots=True)
class Verdict:
    level: str
    score: float
    banner: Banner | None
    findings: tuple[Finding, ...] = field(default=())
    #: the same reader had this warning from this sender on earlier messages lately (the
    #: banner says so instead of repeating itself; caveat.service.repeats)
    repeat: Repeat | None = None

    def to_dict(self) -> dict[str, Any]:
        out = {
            "level": self.level,
            "score": round(self.score, 2),
            "banner": self.banner.to_dict() if self.banner else None,
            "findings": [f.to_dict() for f in self.findings],
        }
        if self.repeat is not None:
            out["repeat"] = self.repeat.to_dict()
        return out


@dataclass(frozen=True, slots=True)
class Repeat:
    """How many earlier messages of the same sender had the same warning for this reader,
    and when the first of them came (ISO 8601, UTC)."""

    count: int
    since: str

    def to_dict(self) -> dict[str, Any]:
        return {"count": self.count, "since": self.since}
