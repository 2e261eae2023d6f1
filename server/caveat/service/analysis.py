"""One message through the whole product: memory snapshot, engine, memory record.

The API and ``caveat scan`` both analyse through :class:`Analyzer`, so a message gets the
same verdict whichever way it arrives. The engine stays pure; this is where the store is
read before and written after. A message still being written (:meth:`Analyzer.
check_recipients`) reads the same memory and directory and writes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from caveat.checks.findings import Verdict
from caveat.engine.engine import Engine
from caveat.engine.guard import GuardVerdict, Outgoing, RecipientGuard
from caveat.engine.localise import Localiser
from caveat.knowledge.context import Context, EngineConfig
from caveat.knowledge.directory import Directory, IndexListener
from caveat.knowledge.memory import EMPTY, Memory, MemorySnapshot, observe, participants
from caveat.knowledge.shared import SharedKnowledge
from caveat.mail.authres import trusted_auth
from caveat.mail.facts import Facts
from caveat.service.directories import DIRECTORY_CHECK_SECONDS, Directories
from caveat.service.knowledge import Knowledge
from caveat.service.people import PeopleSnapshots, SignedInPeople
from caveat.service.stats import WarningTally
from caveat.storage.memory_store import MemoryStore
from caveat.storage.store import Store

from .repeats import Repeats


class Analyzer:
    def __init__(
        self,
        engine: Engine,
        config: EngineConfig,
        store: Store | None,
        *,
        remember: bool = True,
        monotonic: Callable[[], float] = time.monotonic,
        index_listener: IndexListener | None = None,
        memory: Memory | None = None,
        write_behind: bool = False,
        count_warnings: bool = False,
    ) -> None:
        """``index_listener`` is told of every directory snapshot this analyser loads (how
        many partners, how long reading and indexing took) and of its look-alike index.
        ``memory`` replaces the store's conversation memory (a one-off scan's own).
        ``write_behind``: the store's memory records each message from a per-process
        queue, off the request's path (the service; see :mod:`caveat.storage.
        memory_writer`); otherwise before :meth:`analyze` returns.
        ``count_warnings``: every warning (a message at caution or danger) is counted for
        the admin console's overview, once per message and reader, written off the
        request's path (:mod:`caveat.service.stats`); the service does, a scan does not."""
        self.engine = engine
        self.config = config
        self.store = store
        self.directories = Directories(
            store,
            config,
            monotonic=monotonic,
            index_listener=index_listener,
            check_seconds=DIRECTORY_CHECK_SECONDS,
        )
        #: what colleagues learnt (indicators, open reports, verified accounts)
        self.knowledge = Knowledge(store, monotonic=monotonic)
        #: the organisation's own people (caveat.service.people)
        self.people = PeopleSnapshots(store, monotonic=monotonic)
        #: adds people who sign in with the identity provider (caveat.service.people)
        self.signed_in = SignedInPeople(store, config.is_internal, monotonic=monotonic)
        self.memory: Memory | None = memory
        if self.memory is None and store is not None:
            self.memory = MemoryStore(store, write_behind=write_behind)
        self.remember = remember and self.memory is not None
        #: the warnings counted for the overview (None: not counted)
        self.tally: WarningTally | None = (
            WarningTally(store, config) if count_warnings and store is not None else None
        )
        #: the same caution again for the same reader and sender: summarised
        self.repeats: Repeats | None = (
            Repeats(store, engine.catalogue) if store is not None else None
        )
        self._guard: RecipientGuard | None = None
        self._localiser: Localiser | None = None

    def directory(self) -> Directory:
        """The directory snapshot; a newer one is built in the background when another
        process changed the directory (:mod:`caveat.service.directories`)."""
        return self.directories.current()

    def refresh(self) -> None:
        """Build the directory snapshot now (after an import in this process)."""
        self.directories.refresh()

    def shared(self) -> SharedKnowledge:
        """The shared-knowledge snapshot (:mod:`caveat.service.knowledge`)."""
        return self.knowledge.current()

    def refresh_knowledge(self) -> None:
        """Read the shared knowledge now (after a change in this process)."""
        self.knowledge.refresh()

    def analyze(
        self, facts: Facts, now: datetime | None = None, *, viewer: str | None = None
    ) -> Verdict:
        """``viewer``: the caller's stable subject, for what is shown to them only (their
        own open reports)."""
        now = now or datetime.now(UTC)
        snapshot = self.memory.snapshot(facts) if self.memory is not None else EMPTY
        ctx = self._context(snapshot, now, viewer)
        verdict = self.engine.analyze(facts, ctx)
        if self.repeats is not None and viewer and verdict.level == "caution":
            verdict = self.repeats.mark(facts, verdict, viewer, now)
        if self.tally is not None:
            self.tally.count(facts, verdict, viewer=viewer, now=now, directory=ctx.directory)
        if self.remember and self.memory is not None:
            self.memory.record(
                observe(
                    facts,
                    at=now,
                    authenticated=self._authenticated(facts),
                    internal=[
                        p.address
                        for p in participants(facts)
                        if self.config.is_internal(p.address.rpartition("@")[2])
                    ],
                    unremarkable=verdict.level in ("none", "info"),
                ),
                snapshot,
            )
        return verdict

    def _context(self, snapshot: MemorySnapshot, now: datetime, viewer: str | None) -> Context:
        """What the checks know besides the message: this deployment's settings, directory and
        shared knowledge now, and the memory's ``snapshot`` of the people involved."""
        return Context(
            config=self.config,
            directory=self.directory(),
            memory=snapshot,
            now=now,
            knowledge=self.shared(),
            viewer=viewer,
            people=self.people.current(),
        )

    def flush(self) -> None:
        """Write what the memory has queued (see ``write_behind``) and the warnings
        counted."""
        if isinstance(self.memory, MemoryStore):
            self.memory.flush()
        if self.tally is not None:
            self.tally.flush()

    def close(self) -> None:
        """Write what the memory has queued and the warnings counted, and stop their
        writers (a worker's exit)."""
        if isinstance(self.memory, MemoryStore):
            self.memory.close()
        if self.tally is not None:
            self.tally.close()

    def check_recipients(
        self, outgoing: Outgoing, now: datetime | None = None, *, viewer: str | None = None
    ) -> GuardVerdict:
        """Judge the recipients of a message being written (:mod:`caveat.engine.guard`).

        The conversation memory is read to know who took part before; nothing is recorded,
        whatever ``remember`` says: a draft is not a message.
        """
        now = now or datetime.now(UTC)
        snapshot = self.memory.snapshot(outgoing.lookup()) if self.memory is not None else EMPTY
        ctx = self._context(snapshot, now, viewer)
        return self.recipient_guard().check(outgoing, ctx)

    def recipient_guard(self) -> RecipientGuard:
        """The guard on this analyser's catalogue, built on first use."""
        if self._guard is None:
            self._guard = RecipientGuard(self.engine.catalogue)
        return self._guard

    def localiser(self) -> Localiser:
        """Words this analyser's verdicts in another language, built on first use."""
        if self._localiser is None:
            self._localiser = Localiser(self.engine.catalogue, self.recipient_guard().texts)
        return self._localiser

    def _authenticated(self, facts: Facts) -> bool:
        """The From domain passed aligned SPF or DKIM at our own boundary."""
        a = facts.author
        if a is None or not a.domain:
            return False
        auth = trusted_auth(facts, self.config)
        return auth is not None and (
            auth.dkim_aligned_pass(a.domain) or auth.spf_aligned_pass(a.domain)
        )
