"""The in-process memory answers as the database's does: the same snapshot for every message
and so the same verdict, on threads made to probe each rule and on every fixture.

Each sequence runs through :class:`~caveat.storage.memory_store.MemoryStore` (on every
backend of the ``store`` fixture) and :class:`~caveat.knowledge.process_memory.
ProcessMemory` side by side; every snapshot the analysis reads is compared whole.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from caveat.engine.engine import Engine
from caveat.knowledge.context import EngineConfig
from caveat.knowledge.memory import Memory, MemorySnapshot, Observation, observe
from caveat.knowledge.partners_csv import parse_partners_csv
from caveat.knowledge.process_memory import ProcessMemory
from caveat.mail.facts import Facts
from caveat.mail.normalise import from_raw
from caveat.service.analysis import Analyzer
from caveat.storage.directory_store import import_parsed
from caveat.storage.memory_store import MemoryStore
from caveat.storage.store import Store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FAR = datetime.max.replace(tzinfo=UTC)
EMPTY_DIRECTORY = (
    b"organization,domain,contact_name,contact_email,contact_phone,bank_accounts,require_auth\n"
)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine()


def base(snap: MemorySnapshot) -> MemorySnapshot:
    """What the checks see of a snapshot (the database's carries more, for its record)."""
    return MemorySnapshot(**{f.name: getattr(snap, f.name) for f in fields(MemorySnapshot)})


class Recording:
    """A memory that keeps every snapshot it gave."""

    def __init__(self, inner: Memory) -> None:
        self.inner = inner
        self.snapshots: list[MemorySnapshot] = []

    def snapshot(self, facts: Facts) -> MemorySnapshot:
        snap = self.inner.snapshot(facts)
        self.snapshots.append(base(snap))
        return snap

    def record(self, obs: Observation, snapshot: MemorySnapshot) -> None:
        self.inner.record(obs, snapshot)


@dataclass
class Pair:
    """The two memories, fed the same messages."""

    database: MemoryStore
    process: ProcessMemory

    def snapshots(self, facts: Facts) -> tuple[MemorySnapshot, MemorySnapshot]:
        return self.database.snapshot(facts), self.process.snapshot(facts)

    def feed(
        self,
        raw: str | bytes,
        at: datetime,
        *,
        authenticated: bool = False,
        ours: str = "ours.example",
        unremarkable: bool = True,
    ) -> MemorySnapshot:
        """Snapshot (compared), then record, in both; returns the snapshot."""
        facts = from_raw(raw if isinstance(raw, bytes) else message(raw))
        db, proc = self.snapshots(facts)
        assert proc == base(db)
        internal = [a.address for a in (*facts.from_, *facts.recipients) if a.domain == ours]
        obs = observe(
            facts, at=at, authenticated=authenticated, internal=internal, unremarkable=unremarkable
        )
        self.database.record(obs, db)
        self.process.record(obs, proc)
        return db

    def probe(self, raw: str | bytes) -> MemorySnapshot:
        facts = from_raw(raw if isinstance(raw, bytes) else message(raw))
        db, proc = self.snapshots(facts)
        assert proc == base(db)
        return proc


@pytest.fixture
def pair(store: Store) -> Pair:
    return Pair(MemoryStore(store), ProcessMemory())


def message(headers: str, body: str = "body") -> bytes:
    return (headers.strip() + "\n\n" + body + "\n").encode("utf-8", "surrogatepass")


THREAD = """
From: Anna Keller <anna.keller@ours.example>
To: Ben Ortiz <ben.ortiz@acme.example>
Cc: Felix Brandt <felix.brandt@acme.example>, Eva Lind <eva.lind@ours.example>
Subject: Invoice 88 - reminder
Message-ID: <m1@ours.example>
"""
SUBJECT_ONLY = """
From: Ben Ortiz <ben.ortiz@acme.example>
To: Anna Keller <anna.keller@ours.example>
Cc: Felix Brandt <felix.brandt.acme@gmail.com>, Eva Lind <eva.lind@ours.example>
Reply-To: Ben <ben.ortiz.acme@gmail.com>
Subject: RE: Invoice 88 - reminder
Message-ID: <m2@relay.example>
"""
REPLY = """
From: Anna Keller <anna.keller@ours.example>
To: Ben Ortiz <ben.ortiz.acme@gmail.com>
Subject: RE: Invoice 88 - reminder
Message-ID: <m3@ours.example>
In-Reply-To: <m2@relay.example>
References: <m1@ours.example> <m2@relay.example>
"""
STRANGERS_SAME_SUBJECT = """
From: Zed Zhou <zed@else.example>
To: Yan Yu <yan@else2.example>
Subject: Invoice 88 - reminder
Message-ID: <x1@else.example>
"""


def test_threads_found_by_ids_and_by_subject_with_people(pair: Pair) -> None:
    assert pair.feed(THREAD, T0).conversation is None
    snap = pair.feed(SUBJECT_ONLY, T0 + timedelta(hours=1), authenticated=True)
    assert snap.conversation is not None and snap.conversation_ref is not None
    snap = pair.feed(REPLY, T0 + timedelta(hours=2))
    assert snap.conversation is not None and snap.conversation.messages == 2
    assert snap.accepted_reply_to == frozenset({"ben.ortiz.acme@gmail.com"})
    assert snap.sender is not None and snap.sender.messages == 1
    assert pair.feed(STRANGERS_SAME_SUBJECT, T0 + timedelta(hours=3)).conversation is None
    # a second message of the strangers finds theirs, not the first thread
    again = STRANGERS_SAME_SUBJECT.replace("<x1@", "<x2@")
    snap = pair.feed(again, T0 + timedelta(hours=4))
    assert snap.conversation is not None and snap.conversation.messages == 1
    # the same message analysed again: within a day it changes nothing; later it refreshes
    # the conversation and its people, and is counted for neither it nor its sender
    pair.feed(REPLY, T0 + timedelta(hours=5))
    pair.feed(REPLY, T0 + timedelta(days=2))
    snap = pair.probe(REPLY.replace("<m3@", "<m4@"))
    assert snap.sender is not None and snap.sender.messages == 2
    assert snap.conversation is not None and snap.conversation.messages == 3
    known = pair.probe(
        "From: Eva Lind <eva.lind.ours@gmail.com>\nTo: x@ours.example\n"
        "Reply-To: Ben Ortiz <ben.ortiz.acme@gmail.com>\nSubject: s\n"
    ).known
    assert [p.source for p in known["eva lind"]] == ["colleague"]
    assert [p.source for p in known["ben ortiz"]] == ["authenticated"]


def test_a_message_id_two_conversations_hold(pair: Pair) -> None:
    pair.feed("From: a@one.example\nTo: b@two.example\nSubject: s\nMessage-ID: <dup@x>", T0)
    # another conversation (found by its In-Reply-To) that repeats the Message-ID
    pair.feed("From: c@three.example\nTo: d@four.example\nSubject: t\nMessage-ID: <z@x>", T0)
    pair.feed(
        "From: c@three.example\nTo: d@four.example\nSubject: t\nMessage-ID: <dup@x>\n"
        "In-Reply-To: <z@x>",
        T0 + timedelta(minutes=1),
    )
    snap = pair.probe("From: e@five.example\nTo: f@six.example\nSubject: u\nIn-Reply-To: <dup@x>")
    assert snap.conversation is not None


def test_names_addresses_and_ties(pair: Pair) -> None:
    long_domain = "abcdefghij." * 32 + "ours.example"  # an address longer than stored
    headers = (
        'From: "Zoe Null\x00 Byte" <zoe@acme.example>\n'
        "To: Bea Adler <bea@ours.example>, Al Adler <al@ours.example>, "
        f"{'Long ' * 80}<long@{long_domain}>\n"
        "Cc: Bea Adler <bea@ours.example>, Other Name <bea@ours.example>\n"
        "Subject: Quarterly numbers for review\nMessage-ID: <n1@acme.example>"
    )
    pair.feed(headers, T0)
    # the sender writes another name; the same people again, one more
    renamed = headers.replace("Zoe Null\x00 Byte", "Zoe Ng").replace("<n1@", "<n2@")
    renamed += "\nIn-Reply-To: <n1@acme.example>"
    snap = pair.feed(renamed.replace("Cc: ", "Cc: New One <new@ours.example>, "), T0)
    assert snap.conversation is not None and len(snap.conversation.people) == 4
    assert max(len(s.address) for s in snap.conversation.people) == 320
    snap = pair.probe(renamed.replace("<n2@", "<n3@").replace("<n1@", "<n2@"))
    assert snap.conversation is not None and snap.conversation.messages == 2
    assert len(snap.conversation.people) == 6  # Zoe under both her names
    assert snap.known  # the colleagues by their names


def test_a_surrogate_in_a_name(pair: Pair) -> None:
    raw = (
        b"From: =?utf-8?b?QW5uYSDtoIAgS2VsbGVy?= <anna@acme.example>\n"
        b"To: Bo Berg <bo@ours.example>\nSubject: Surrogates in a name\n"
        b"Message-ID: <s1@acme.example>\n\nbody\n"
    )
    pair.feed(raw, T0, authenticated=True)
    pair.feed(raw.replace(b"<s1@", b"<s2@"), T0 + timedelta(hours=1), authenticated=True)


def test_the_newest_conversations_of_a_subject_are_compared(pair: Pair) -> None:
    # 25 conversations share a subject; only the 20 last seen are compared by people
    for i in range(25):
        pair.feed(
            f"From: Person {i} <p{i}@acme.example>\nTo: Team <team{i}@ours.example>\n"
            f"Subject: Monthly supplier statement\nMessage-ID: <c{i}@acme.example>",
            T0 + timedelta(minutes=i),
        )
    for i in (0, 10, 24):
        pair.feed(
            f"From: Team <team{i}@ours.example>\nTo: Person {i} <p{i}@acme.example>\n"
            f"Subject: Re: Monthly supplier statement\nMessage-ID: <r{i}@ours.example>",
            T0 + timedelta(hours=1, minutes=i),
        )


PARAGRAPH = "Paragraph {i} of message {m} says something that nobody said before."


def test_text_vouched_for_and_bounded(pair: Pair) -> None:
    first = "\n\n".join(PARAGRAPH.format(i=i, m=0) for i in range(5))
    pair.feed(THREAD, T0)
    pair.feed(message(THREAD.replace("<m1@", "<t1@"), first), T0)
    # eleven long messages: the conversation keeps its newest units only
    for m in range(1, 12):
        body = "\n\n".join(PARAGRAPH.format(i=i, m=m) for i in range(400))
        pair.feed(message(THREAD.replace("<m1@", f"<t{m + 1}@"), body), T0 + timedelta(hours=m))
    # message 0 and the start of message 1 went: the oldest of the 3,305 units said
    said = [(m, i) for m in (0, 1, 2, 5, 11) for i in range(0, 300, 7)]
    said += [(1, 298), (1, 299), (2, 0), (2, 1)]  # either side of the cut
    quoted = "\n".join("> " + PARAGRAPH.format(i=i, m=m) for m, i in said)
    snap = pair.probe(
        message(
            REPLY.replace("<m2@relay.example>", "<t12@ours.example>"),
            "Agreed.\n\nOn Monday, Anna wrote:\n>\n" + quoted,
        )
    )
    assert snap.seen_text  # the newest are vouched for
    assert not any("message 0 " in u or "message 1 " in u for u in snap.seen_text)
    assert "paragraph 0 of message 2 says something that nobody said before" in snap.seen_text


# ------------------------------------------------------------------ whole analyses


def _verdicts(
    paths: Iterable[Path], analyzers: tuple[Analyzer, Analyzer]
) -> list[tuple[str, dict[str, object], dict[str, object]]]:
    facts = [(p, from_raw(p.read_bytes(), cut_recipients=True)) for p in paths]
    facts.sort(key=lambda pf: ((pf[1].date or FAR), str(pf[0])))
    out = []
    for path, f in facts:
        at = f.date.astimezone(UTC) if f.date else T0
        a, b = (an.analyze(f, now=at).to_dict() for an in analyzers)
        out.append((str(path), a, b))
    return out


def _analyzers(
    store: Store, engine: Engine, config: EngineConfig, memories: tuple[Recording, Recording]
) -> tuple[Analyzer, Analyzer]:
    return (
        Analyzer(engine, config, store, memory=memories[0]),
        Analyzer(engine, config, store, memory=memories[1]),
    )


def test_every_fixture_gets_the_same_snapshots_and_verdicts(store: Store, engine: Engine) -> None:
    """Each fixture folder in turn with its own configuration and directory (one memory
    for all, as in a service whose settings change)."""
    database, process = Recording(MemoryStore(store)), Recording(ProcessMemory())
    compared = 0
    for expect in sorted(FIXTURES.glob("*/expect.toml")):
        config_data = tomllib.loads(expect.read_text("utf-8")).get("config", {})
        config = EngineConfig.build(
            internal_domains=config_data.get("internal_domains", ()),
            trusted_authserv_ids=config_data.get("trusted_authserv_ids", ()),
            trust_microsoft=config_data.get("trust_microsoft", False),
        )
        if config_data.get("directory"):
            parsed = parse_partners_csv((expect.parent / config_data["directory"]).read_bytes())
            import_parsed(store, parsed, replace=True)
        else:
            import_parsed(store, parse_partners_csv(EMPTY_DIRECTORY), replace=True)
        analyzers = _analyzers(store, engine, config, (database, process))
        for path, one, other in _verdicts(sorted(expect.parent.rglob("*.eml")), analyzers):
            assert other == one, path
            compared += 1
        assert process.snapshots == database.snapshots
    assert compared > 200


def test_all_fixtures_in_one_memory(store: Store, engine: Engine) -> None:
    """Every fixture in one run, as ``caveat scan tests/fixtures`` reads them, with the
    seed's directory: conversations meet across folders."""
    parsed = parse_partners_csv((FIXTURES / "directory" / "seed-partners.csv").read_bytes())
    import_parsed(store, parsed)
    config = EngineConfig.build(internal_domains=["partnera.example"], trust_microsoft=True)
    database, process = Recording(MemoryStore(store)), Recording(ProcessMemory())
    analyzers = _analyzers(store, engine, config, (database, process))
    results = _verdicts(sorted(FIXTURES.rglob("*.eml")), analyzers)
    for path, one, other in results:
        assert other == one, path
    assert process.snapshots == database.snapshots
    assert sum(s.conversation is not None for s in process.snapshots) > 10
