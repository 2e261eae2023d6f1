"""What a check may consult besides the message: configuration and read-only stores.

Everything that varies (the clock, the partner directory, the conversation memory) comes in
through :class:`Context`, so the engine stays pure and the CLI, the API and the tests share
one code path.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from cachetools import LRUCache

from caveat.mail.domains import is_subdomain_or_equal, normalise_domain, org_domain
from caveat.mail.limits import Limits
from caveat.reference.freemail import FreemailList

from .directory import EMPTY_DIRECTORY, Directory
from .memory import EMPTY, MemorySnapshot
from .people import EMPTY_PEOPLE, People
from .shared import EMPTY_KNOWLEDGE, SharedKnowledge

if TYPE_CHECKING:
    from caveat.reference.lookalike import LookalikeIndex


@dataclass(frozen=True)
class EngineConfig:
    """Site configuration that checks read."""

    internal_domains: frozenset[str] = frozenset()
    #: authserv-ids whose Authentication-Results we trust (besides internal domains).
    trusted_authserv_ids: frozenset[str] = frozenset()
    #: trust Exchange Online's unlabelled Authentication-Results and its Received-SPF.
    trust_microsoft: bool = False
    limits: Limits = field(default_factory=Limits)
    freemail: FreemailList = field(default_factory=lambda: default_freemail())

    @classmethod
    def build(
        cls,
        *,
        internal_domains: Iterable[str] = (),
        trusted_authserv_ids: Iterable[str] = (),
        trust_microsoft: bool = False,
        limits: Limits | None = None,
        freemail: FreemailList | None = None,
    ) -> EngineConfig:
        return cls(
            internal_domains=frozenset(normalise_domain(d) for d in internal_domains if d),
            trusted_authserv_ids=frozenset(
                a.strip().lower() for a in trusted_authserv_ids if a.strip()
            ),
            trust_microsoft=trust_microsoft,
            limits=limits or Limits(),
            freemail=freemail if freemail is not None else default_freemail(),
        )

    def is_internal(self, domain: str) -> bool:
        return bool(domain) and any(is_subdomain_or_equal(domain, d) for d in self.internal_domains)

    def trusts_authserv(self, authserv_id: str) -> bool:
        """Authentication-Results from this authserv-id are from our own boundary."""
        a = authserv_id.strip().lower().rstrip(".")
        if not a:
            return False
        if a in self.trusted_authserv_ids:
            return True
        return any(is_subdomain_or_equal(a, d) for d in self.internal_domains)


_FREEMAIL: FreemailList | None = None
_INDEXES: LRUCache[tuple[int, frozenset[str]], tuple[Directory, LookalikeIndex]] = LRUCache(8)


def _with_internal(directory: Directory, internal: frozenset[str]) -> LookalikeIndex:
    key = (id(directory), internal)
    hit = _INDEXES.get(key)
    if hit is not None and hit[0] is directory:
        return hit[1]
    combined = Directory(
        directory.partners, internal_domains=[*directory.internal, *sorted(internal)]
    )
    _INDEXES[key] = (directory, combined.lookalikes)
    return combined.lookalikes


def default_freemail() -> FreemailList:
    """The packaged list, read once per process."""
    global _FREEMAIL
    if _FREEMAIL is None:
        _FREEMAIL = FreemailList.packaged()
    return _FREEMAIL


@dataclass(frozen=True)
class Context:
    config: EngineConfig = field(default_factory=EngineConfig.build)
    #: the partner directory and our own domains, indexed (see :mod:`caveat.knowledge.directory`)
    directory: Directory = field(default_factory=lambda: EMPTY_DIRECTORY)
    #: what the conversation memory knows that bears on this message
    memory: MemorySnapshot = EMPTY
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    #: what colleagues learnt: indicators, open reports, verified accounts
    #: (see :mod:`caveat.knowledge.shared`)
    knowledge: SharedKnowledge = EMPTY_KNOWLEDGE
    #: who is looking (the caller's stable subject), for what is shown to them only
    viewer: str | None = None
    #: the organisation's own people: employees and executives (see
    #: :mod:`caveat.knowledge.people`)
    people: People = EMPTY_PEOPLE

    def lookalikes(self) -> LookalikeIndex:
        """The look-alike index of our domains and the partners'. The directory's own, when
        it was built with the configured internal domains (the service and the CLI build it
        so); otherwise one that adds them, built once per directory and domain set."""
        d = self.directory
        if set(self.config.internal_domains) <= set(d.internal):
            return d.lookalikes
        return _with_internal(d, self.config.internal_domains)

    def same_organisation(self, a: str, b: str) -> bool:
        """Two domains belong to one organisation: same registrable domain, both internal,
        or both listed for one partner in the directory."""
        if not a or not b:
            return False
        if org_domain(a) == org_domain(b):
            return True
        if self.config.is_internal(a) and self.config.is_internal(b):
            return True
        pa = self.directory.organisation_of(a)
        return pa is not None and pa == self.directory.organisation_of(b)
