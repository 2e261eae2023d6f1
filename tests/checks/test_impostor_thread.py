"""An impostor's second and later messages warn as the first did (made-up threads).

Each thread of ``bench/bec_persistence.py`` (executive from free mail, payroll diversion
from a personal address, a vendor look-alike domain with its own valid DKIM, a hijacked
thread from a new domain, payroll nudges above a quote of the first request, a callback
lure from free mail) goes through one conversation memory as the service records mail:
the impostor writes, the victim answers (recorded too, as when the add-in analyses a
message in Sent Items), five rounds. Every round is compared with the same message judged
on its own (a memory that holds nothing of the thread): the memory must never lower a
warning.
And the rules of :mod:`caveat.knowledge.memory` that keep it so, one by one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from caveat.checks.freemail_impersonation import freemail_impersonation
from caveat.engine.engine import Engine
from caveat.knowledge.context import Context
from caveat.knowledge.memory import MemorySnapshot, SenderView, observe
from caveat.knowledge.process_memory import ProcessMemory
from caveat.mail.normalise import from_raw
from tests.bench_scripts import bench_module

LEVELS = ("none", "info", "caution", "danger")
T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


bench = bench_module("bec_persistence")
ENGINE = Engine()


def rank(level: str) -> int:
    return LEVELS.index(level)


@pytest.mark.parametrize("record_replies", [True, False], ids=["replies-recorded", "not"])
@pytest.mark.parametrize("thread", bench.THREADS, ids=lambda t: t.name)
def test_every_round_warns_at_least_as_the_message_would_alone(
    thread: object, record_replies: bool
) -> None:
    rounds = bench.replay_thread(thread, record_replies=record_replies, engine=ENGINE)
    alone = bench.alone(thread, engine=ENGINE)
    assert len(rounds) == len(alone) == 5
    assert rank(rounds[0].level) >= rank("caution"), [f.id for f in rounds[0].findings]
    got = [v.level for v in rounds]
    floor = [v.level for v in alone]
    # a warning (caution or danger) alone is one in the thread too, no lower; below that
    # only the first-contact note may go (the sender is no longer new)
    assert all(
        rank(g) >= rank(f) or rank(f) < rank("caution") for g, f in zip(got, floor, strict=True)
    ), (got, floor)


def test_a_mailbox_with_a_past_does_not_quiet_the_look_alike() -> None:
    """The real partner wrote before, authenticated: the look-alike's rounds still warn."""
    thread = next(t for t in bench.THREADS if t.signs and not t.opener)
    rounds = bench.replay_thread(thread, engine=ENGINE, history=6)
    assert [v.level for v in rounds] == ["danger"] * 5


def test_the_callback_impostors_later_rounds_keep_the_known_name_finding() -> None:
    """The free-mail impostor took part in the thread it started: that is no reason to
    take its address for the partner contact's (the defect the bench found)."""
    thread = next(t for t in bench.THREADS if t.name.startswith("callback"))
    for v in bench.replay_thread(thread, engine=ENGINE):
        assert "FREEMAIL_KNOWN_NAME" in {f.id for f in v.findings}


def test_the_hijackers_later_rounds_stay_new_in_the_thread() -> None:
    thread = next(t for t in bench.THREADS if t.opener)
    for v in bench.replay_thread(thread, engine=ENGINE):
        assert "KNOWN_NAME_NEW_IN_THREAD" in {f.id for f in v.findings}


# ------------------------------------------------------------------ the memory's rules


def _message(sender: str, n: int, body: str = "Hello, the shipment leaves on Friday.") -> bytes:
    return (
        f"Authentication-Results: {bench.BOUNDARY}; dkim=pass header.d=lookalike.example; "
        f"spf=pass smtp.mailfrom=lookalike.example; dmarc=pass header.from=lookalike.example\n"
        f"From: Owen Pryce <{sender}>\nTo: Sam Carter <sam.carter@buyer.example>\n"
        f"Subject: Remittance {n}\nMessage-ID: <m{n}@lookalike.example>\n"
        f"Date: Mon, 2 Mar 2026 09:00:00 +0000\n\n{body}\n"
    ).encode()


@pytest.mark.parametrize(("unremarkable", "vouches"), [(True, True), (None, True), (False, False)])
def test_a_warned_message_does_not_vouch_for_its_sender(
    unremarkable: bool | None, vouches: bool
) -> None:
    facts = from_raw(_message("owen@lookalike.example", 1))
    obs = observe(facts, at=T0, authenticated=True, internal=[], unremarkable=unremarkable)
    assert obs.sender_authenticated is vouches
    # its words are kept only when it vouches: a later quote of a warned message's words
    # is judged as the quoting sender's own
    assert bool(obs.settled().text) is vouches


def test_a_warned_authenticated_sender_is_no_known_person_and_no_vouched_sender() -> None:
    memory = ProcessMemory()
    first = from_raw(_message("owen@lookalike.example", 1))
    memory.record(
        observe(first, at=T0, authenticated=True, internal=[], unremarkable=False),
        memory.snapshot(first),
    )
    later = from_raw(_message("owen@lookalike.example", 2))
    snap = memory.snapshot(later)
    assert snap.sender is not None and not snap.sender.authenticated
    assert not snap.sender_vouched
    assert "owen pryce" not in snap.known
    # the same sender's unremarkable authenticated mail vouches for it
    memory.record(
        observe(
            later, at=T0 + timedelta(days=1), authenticated=True, internal=[], unremarkable=True
        ),
        snap,
    )
    snap = memory.snapshot(from_raw(_message("owen@lookalike.example", 3)))
    assert snap.sender_vouched
    assert [p.source for p in snap.known["owen pryce"]] == ["authenticated"]


def test_sender_vouched_needs_an_authenticated_sender() -> None:
    assert not MemorySnapshot().sender_vouched
    assert not MemorySnapshot(sender=SenderView(T0, 4, authenticated=False)).sender_vouched
    assert MemorySnapshot(sender=SenderView(T0, 1, authenticated=True)).sender_vouched


def test_taking_part_in_a_conversation_does_not_make_a_name_ones_own() -> None:
    """A free-mail address with a partner contact's name, in a conversation it took part in
    (its own first message and our answer to it), still shows the name at another address."""
    config, directory, people = bench.thread_world()
    memory = ProcessMemory()
    raw = (
        "From: Owen Pryce <owen.pryce.northwind@gmail.com>\n"
        "To: Sam Carter <sam.carter@buyer.example>\nSubject: Payment details change\n"
        "Message-ID: <c1@gmail.com>\nDate: Mon, 2 Mar 2026 09:00:00 +0000\n\nHello Sam\n"
    )
    answer = (
        "From: Sam Carter <sam.carter@buyer.example>\n"
        "To: Owen Pryce <owen.pryce.northwind@gmail.com>\nSubject: Re: Payment details change\n"
        "Message-ID: <c2@buyer.example>\nIn-Reply-To: <c1@gmail.com>\n"
        "Date: Mon, 2 Mar 2026 10:00:00 +0000\n\nHello Owen\n"
    )
    again = raw.replace("<c1@gmail.com>", "<c3@gmail.com>\nIn-Reply-To: <c2@buyer.example>")
    for text, level, ours in ((raw, False, []), (answer, True, ["sam.carter@buyer.example"])):
        facts = from_raw(text.encode())
        memory.record(
            observe(facts, at=T0, authenticated=level, internal=ours, unremarkable=True),
            memory.snapshot(facts),
        )
    facts = from_raw(again.encode())
    snap = memory.snapshot(facts)
    assert snap.conversation is not None
    assert "owen.pryce.northwind@gmail.com" in {s.address for s in snap.conversation.people}
    ctx = Context(config=config, directory=directory, memory=snap, people=people)
    assert [h.id for h in freemail_impersonation(facts, ctx)] == ["FREEMAIL_KNOWN_NAME"]
