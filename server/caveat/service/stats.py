"""Counting warnings, and the overview built from the counts.

**What is counted.** A message whose level is ``caution`` or ``danger`` is a warning; one
at ``none`` or ``info`` is not, and costs nothing here but a comparison. A warning adds one
to each of these keys of its day (UTC), in :mod:`caveat.storage.stats`'s tally:

* ``level``: its level;
* ``family``: every check family with a finding at caution or danger in it (once each);
* ``recipient``: every internal address among its To and Cc (once each, at most
  :data:`MAX_RECIPIENTS`);
* ``partner``: every directory organisation it *imitated or came as*, by this rule, each
  organisation once:

  1. *came as*: the From address is a contact in the directory, or its domain (or the
     registrable domain of it) is a partner's domain; a warned message from a partner's
     own domain is either forged in its name or sent from its compromised account;
  2. *look-alike*: each ``lookalike_domain`` finding's "Look-alike" evidence names the
     domain imitated ("x imitates D (owner): ..."); the partner that has D counts (our own
     domains count for nothing here);
  3. *by name*: each ``freemail_impersonation`` finding's "Partner" evidence (a display
     name or user name that matched a partner: "Organisation (domains)") names the
     organisation; its "Known as" evidence of a directory contact ("Name <address>
     (partner directory)") names the contact, whose partner counts; its "User name
     spells" evidence names a person ("the name of N (address)": the partner of that
     address or its domain) or a company ("the company name of O ('word')": partner O);
  4. *swapped person*: each ``recipient_swap`` finding's evidence names the address a
     person of the conversation had before ("Name: was A, now B (...)"); when A is a
     directory contact's address or a partner's domain, that partner counts (the message
     put another address in the place of one of its people).

  Only organisations of the current directory snapshot count: a name read from evidence
  must be a partner's name exactly, so the rule can only ever name partners, never text a
  sender wrote.

**Once per message and reader.** The pane analyses a message again each time it is
opened; only the first analysis of a (message, reader) pair counts, remembered in a
bounded time-to-live cache of keyed digests (:data:`SEEN_MAX`, :data:`SEEN_SECONDS`).
The message is its Message-ID (else the client's conversation id with the sender and
date), the reader the signed-in person's subject (a service key's requests share one
reader). The cache is per process: two gunicorn workers that each see the same pair
count it twice, which is rare (one person's requests mostly meet one worker) and only
ever over-counts.

**Off the request's path.** A warning is a few dictionary updates under a lock; one
background thread per process writes what gathered in one upsert :data:`FLUSH_SECONDS`
after the first count not yet written (``WarningTally.flush``; the thread, its end when
idle, close and fork are :class:`caveat.storage.background.BackgroundWriter`'s, shared with
the conversation memory's queue; on an in-memory database, whose one connection threads
must not share, the reader's own flush and the process's exit write instead). When more
than :data:`MAX_PENDING` keys gather before a flush, the request that adds the next writes
them (back-pressure). A flush that fails keeps the counts for the next one (up to that
bound) and logs its kind. A worker killed with SIGKILL loses at most the counts of the last
interval.

Nothing of a message is kept but those keys: no subject, body or sender's free text.
"""

from __future__ import annotations

import collections
import hashlib
import logging
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from cachetools import TTLCache

from caveat.checks.findings import FAMILIES, Verdict
from caveat.knowledge.context import EngineConfig
from caveat.knowledge.directory import Directory
from caveat.mail.bidi import FSI, PDI
from caveat.mail.facts import Facts
from caveat.storage import stats as tally_store
from caveat.storage.background import BackgroundWriter
from caveat.storage.stats import Queues
from caveat.storage.store import Store, is_memory_url

log = logging.getLogger(__name__)

#: The levels that are warnings, in order.
WARNING_LEVELS = ("caution", "danger")
#: Seconds from the first count not written to its write (per process).
FLUSH_SECONDS = 10.0
#: Keys gathered before the request that adds more writes them itself.
MAX_PENDING = 5_000
#: (message, reader) pairs remembered per process, and for how long.
SEEN_MAX = 50_000
SEEN_SECONDS = 36 * 3600
#: Internal recipients counted per message.
MAX_RECIPIENTS = 50
#: The periods the overview offers, in days.
PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30
TOP = 10

Key = tuple[date, str, str]


# ----------------------------------------------------------------- what a warning counts


def warning_keys(
    facts: Facts, verdict: Verdict, config: EngineConfig, directory: Directory
) -> list[tuple[str, str]]:
    """The (kind, key) pairs one warned message adds to (see the module's docstring);
    empty for a message at ``none`` or ``info``."""
    if verdict.level not in WARNING_LEVELS:
        return []
    out = [("level", verdict.level)]
    families = {f.check for f in verdict.findings if f.severity in WARNING_LEVELS}
    out += [("family", f) for f in FAMILIES if f in families]
    out += [("recipient", r) for r in internal_recipients(facts, config)]
    out += [("partner", p) for p in imitated_partners(facts, verdict, directory)]
    return out


def internal_recipients(facts: Facts, config: EngineConfig) -> list[str]:
    seen: dict[str, None] = {}
    for a in (*facts.to, *facts.cc):
        if len(seen) >= MAX_RECIPIENTS:
            break
        if a.valid and a.domain and config.is_internal(a.domain):
            seen.setdefault(a.address, None)
    return list(seen)


def imitated_partners(facts: Facts, verdict: Verdict, directory: Directory) -> list[str]:
    """The directory organisations the message imitated or came as, in the order found."""
    found: dict[str, None] = {}

    def partner_of_domain(domain: str) -> None:
        try:
            org = directory.organisation_of(domain)
        except (UnicodeError, ValueError):
            return
        if org:
            found.setdefault(org, None)

    author = facts.author
    if author is not None and author.address:
        contact = directory.partner_of_address(author.address)
        if contact is not None:
            found.setdefault(contact.organization, None)
        elif author.domain:
            partner_of_domain(author.domain)
    for finding in verdict.findings:
        if finding.check == "lookalike_domain":
            for e in finding.evidence:
                if e.header == "Look-alike" and " imitates " in e.value:
                    imitated = e.value.split(" imitates ", 1)[1].split(" ", 1)[0]
                    partner_of_domain(imitated)
        elif finding.check == "freemail_impersonation":
            for e in finding.evidence:
                if e.header == "Partner" and " (" in e.value:
                    name = _unisolated(e.value.rsplit(" (", 1)[0])
                    p = directory.partner_named(name)
                    if p is not None:
                        found.setdefault(p.organization, None)
                elif e.header == "Known as" and e.value.endswith("(partner directory)"):
                    address = e.value.rpartition("<")[2].partition(">")[0]
                    p = directory.partner_of_address(address) if address else None
                    if p is not None:
                        found.setdefault(p.organization, None)
                elif e.header == "User name spells":
                    _spelled_partner(e.value, directory, found, partner_of_domain)
        elif finding.check == "recipient_swap":
            for e in finding.evidence:
                # the last one: a name written before it cannot stand in for it
                was = _SWAPPED.findall(e.value)
                if not was:
                    continue
                p = directory.partner_of_address(was[-1])
                if p is not None:
                    found.setdefault(p.organization, None)
                else:
                    partner_of_domain(was[-1].rpartition("@")[2])
    return list(found)


def _spelled_partner(
    text: str,
    directory: Directory,
    found: dict[str, None],
    partner_of_domain: Callable[[str], None],
) -> None:
    """A free-mail user name that spells a directory contact's name ("the name of N
    (address)") or a partner's company name ("the company name of O ('word')")."""
    if text.startswith("the name of ") and text.endswith(")"):
        address = text.rpartition(" (")[2][:-1]
        p = directory.partner_of_address(address) if "@" in address else None
        if p is not None:
            found.setdefault(p.organization, None)
        elif "@" in address:
            partner_of_domain(address.rpartition("@")[2])
    elif text.startswith("the company name of ") and " ('" in text:
        p = directory.partner_named(text[len("the company name of ") :].rpartition(" ('")[0])
        if p is not None:
            found.setdefault(p.organization, None)


#: "Name: was OLD, now NEW (note)" of recipient_swap's evidence: the address before
_SWAPPED = re.compile(r": was ([^\s,]+@[^\s,]+), now ")


def _unisolated(text: str) -> str:
    if text.startswith(FSI) and text.endswith(PDI):
        return text[1:-1]
    return text


def _message_key(facts: Facts) -> str:
    if facts.message_id:
        return "m:" + facts.message_id
    author = facts.author.address if facts.author is not None else ""
    when = facts.date.isoformat() if facts.date is not None else ""
    return f"c:{facts.conversation_id}\x00{author}\x00{when}\x00{facts.subject}"


# ----------------------------------------------------------------- the tally


class WarningTally(BackgroundWriter):
    """Counts warnings per process and writes them to the store off the request's path
    (the thread, close and fork: :class:`~caveat.storage.background.BackgroundWriter`).

    ``background``: write from a thread of its own, ``interval`` seconds after the first
    count it has not written (None: unless the database is in memory). ``clock`` gives
    "now" for :meth:`count` callers that pass none (tests)."""

    thread_name = "caveat-warning-tally"

    def __init__(
        self,
        store: Store,
        config: EngineConfig,
        *,
        interval: float = FLUSH_SECONDS,
        background: bool | None = None,
        max_pending: int = MAX_PENDING,
        seen_max: int = SEEN_MAX,
        seen_seconds: float = SEEN_SECONDS,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.store = store
        self.config = config
        self.max_pending = max_pending
        self._seen_max = seen_max
        self._seen_seconds = seen_seconds
        self._clock = clock or store.clock
        #: flushes written and failed (for tests and benches)
        self.flushes = 0
        self.failures = 0
        super().__init__(
            linger=interval,
            idle=interval,
            background=not is_memory_url(store.engine.url) if background is None else background,
        )

    @property
    def interval(self) -> float:
        """Seconds between the first count not written and its write."""
        return self.linger

    def _clear(self) -> None:
        self._pending: collections.Counter[Key] = collections.Counter()
        self._seen: TTLCache[bytes, bool] = TTLCache(
            maxsize=self._seen_max,
            ttl=self._seen_seconds,
            timer=lambda: self._clock().timestamp(),
        )
        self._salt = secrets.token_bytes(16)

    def _gathered(self) -> bool:
        return bool(self._pending)

    def _write_batch(self) -> bool:
        return self._flush()

    def count(
        self,
        facts: Facts,
        verdict: Verdict,
        *,
        viewer: str | None,
        now: datetime | None,
        directory: Directory,
    ) -> None:
        """Count one analysis: nothing for a message that is not a warning or that this
        reader's earlier analysis counted already. Never raises."""
        if verdict.level not in WARNING_LEVELS:
            return
        try:
            self._count(facts, verdict, viewer, now or self._clock(), directory)
        except Exception as exc:  # counting must never cost an answer
            log.warning("warning tally: a message was not counted (%s)", type(exc).__name__)

    def _count(
        self,
        facts: Facts,
        verdict: Verdict,
        viewer: str | None,
        now: datetime,
        directory: Directory,
    ) -> None:
        self._check_process()
        seen = hashlib.blake2b(
            f"{_message_key(facts)}\x00{viewer or ''}".encode("utf-8", "replace"),
            digest_size=16,
            key=self._salt,
        ).digest()
        with self._lock:
            if seen in self._seen:
                return  # the common case for a warning: its reader opened it again
            self._seen[seen] = True
        keys = warning_keys(facts, verdict, self.config, directory)
        day = now.astimezone(UTC).date()
        with self._lock:
            for kind, key in keys:
                self._pending[(day, kind, key)] += 1
            full = len(self._pending) >= self.max_pending or self._closed
            if not full:
                self._signal()
        if full:
            self.flush()

    def pending(self) -> dict[Key, int]:
        """What is gathered and not yet written."""
        with self._lock:
            return dict(self._pending)

    def flush(self) -> None:
        """Write what is gathered, on this thread (after a write in progress)."""
        self._check_process()
        self._flush()

    def _flush(self) -> bool:
        """Write what is gathered; False when the write failed and the counts were kept
        for the next one (as many as :attr:`max_pending` allows)."""
        with self._writing:
            with self._lock:
                taken, self._pending = self._pending, collections.Counter()
            if not taken:
                return True
            try:
                tally_store.add(self.store, taken)
                self.flushes += 1
                return True
            except Exception as exc:  # kept for the next flush
                self.failures += 1
                log.warning(
                    "warning tally: %d counts not written (%s)", len(taken), type(exc).__name__
                )
                with self._lock:
                    if len(self._pending) + len(taken) <= self.max_pending:
                        self._pending.update(taken)
                return False


# ----------------------------------------------------------------- the overview


@dataclass(frozen=True, slots=True)
class Series:
    """Counts per day for each key, the days in order, every day present (zero when none)."""

    days: tuple[date, ...]
    keys: tuple[str, ...]
    #: key -> one count per day
    values: dict[str, tuple[int, ...]]

    def totals(self) -> dict[str, int]:
        return {k: sum(v) for k, v in self.values.items()}

    def rows(self) -> list[tuple[date, tuple[int, ...]]]:
        """Day by day: the counts of each key in :attr:`keys` order."""
        return [(d, tuple(self.values[k][i] for k in self.keys)) for i, d in enumerate(self.days)]

    def to_json(self) -> dict[str, Any]:
        return {
            "days": [d.isoformat() for d in self.days],
            "series": [{"key": k, "values": list(self.values[k])} for k in self.keys],
        }


@dataclass(frozen=True, slots=True)
class Overview:
    period: int
    since: date
    until: date
    levels: Series
    families: Series
    recipients: list[tuple[str, int]]
    partners: list[tuple[str, int]]
    queues: Queues

    @property
    def warnings(self) -> int:
        return sum(self.levels.totals().values())


def period_days(value: str | None) -> int | None:
    """The period a request asks for (``7``, ``30`` or ``90``; none: the default);
    None when it is not one of those."""
    if value is None or value == "":
        return DEFAULT_PERIOD
    return int(value) if value in {str(p) for p in PERIODS} else None


def overview(store: Store, period: int, *, today: date | None = None) -> Overview:
    """The last ``period`` days (today included) of the tally, and the queues now."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}")
    until = today or store.clock().astimezone(UTC).date()
    since = until - timedelta(days=period - 1)
    days = tuple(since + timedelta(days=i) for i in range(period))
    return Overview(
        period=period,
        since=since,
        until=until,
        levels=_series(store, "level", days, WARNING_LEVELS),
        families=_series(store, "family", days, None),
        recipients=tally_store.top(store, "recipient", since, until, TOP),
        partners=tally_store.top(store, "partner", since, until, TOP),
        queues=tally_store.queues(store),
    )


def _series(store: Store, kind: str, days: tuple[date, ...], keys: Iterable[str] | None) -> Series:
    counts = tally_store.daily(store, kind, days[0], days[-1])
    if keys is None:
        present = {k for per_day in counts.values() for k in per_day}
        # the families in the contract's order, any other (an older name) after them
        keys = [f for f in FAMILIES if f in present] + sorted(present - set(FAMILIES))
    ordered = tuple(keys)
    values = {k: tuple(counts.get(d, {}).get(k, 0) for d in days) for k in ordered}
    return Series(days, ordered, values)
