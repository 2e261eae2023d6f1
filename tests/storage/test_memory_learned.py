"""Frequent correspondents and learned accounts in the conversation memory (issue 19), on
every backend and in a process's own memory: who counts as a correspondent, which accounts
are learned and how they are kept (keyed hashes only), when they count as known, the
bounds, and forgetting them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from caveat.knowledge import memory as memory_module
from caveat.knowledge.memory import (
    CORRESPONDENT_MESSAGES,
    LEARNED_AFTER,
    MAX_LEARNED_ACCOUNTS,
    Memory,
    MemorySnapshot,
    observe,
)
from caveat.knowledge.process_memory import ProcessMemory
from caveat.mail.facts import Facts
from caveat.mail.normalise import from_raw
from caveat.reference.bank_identifiers import extract
from caveat.storage.memory_store import MemoryStore
from caveat.storage.records import CorrespondentDomainRow, LearnedAccountRow
from caveat.storage.store import Store

T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
IBAN = "GB82 WEST 1234 5698 7654 32"
OTHER = "GB33 BUKB 2020 1555 5555 55"
AUTH = (
    "Authentication-Results: mx.ours.example; spf=pass smtp.mailfrom={d};"
    " dkim=pass header.d={d} header.s=s1; dmarc=pass header.from={d}\n"
)


def message(sender: str, n: int, body: str = "See you on Thursday.") -> Facts:
    domain = sender.rpartition("@")[2]
    raw = (
        AUTH.format(d=domain)
        + f"From: Ellen Shaw <{sender}>\nTo: Anna Keller <anna.keller@ours.example>\n"
        f"Subject: Invoice {n} for the deliveries\nMessage-ID: <m{n}.{domain}@mail.example>\n"
        "Date: Thu, 1 Oct 2026 09:00:00 +0000\n\n" + body + "\n"
    )
    return from_raw(raw.encode())


def invoice(sender: str, n: int, iban: str = IBAN) -> Facts:
    return message(sender, n, f"Please find invoice {n} attached.\n\nPayment to: IBAN {iban}")


def feed(
    mem: Memory,
    facts: Facts,
    at: datetime,
    *,
    authenticated: bool = True,
    unremarkable: bool = True,
) -> MemorySnapshot:
    snap = mem.snapshot(facts)
    obs = observe(
        facts,
        at=at,
        authenticated=authenticated,
        internal=["anna.keller@ours.example"],
        unremarkable=unremarkable,
    )
    mem.record(obs, snap)
    return snap


@pytest.fixture(params=["database", "process"])
def mem(request: pytest.FixtureRequest, store: Store, db_url: str) -> Memory:
    """The database's memory on each backend, and a process's own memory (once)."""
    if request.param == "process":
        if db_url != "sqlite://":
            pytest.skip("a process's own memory has no backend")
        return ProcessMemory()
    return MemoryStore(store)


def key(iban: str) -> str:
    return extract(f"IBAN {iban}").strong[0].key


def test_a_domain_becomes_a_correspondent_after_enough_unremarkable_authenticated_mail(
    mem: Memory,
) -> None:
    for i in range(CORRESPONDENT_MESSAGES - 1):
        feed(mem, message("ellen@harrowpack.example", i), T0 + timedelta(hours=i))
    # warned, unauthenticated, or the same message again: none of them counts
    feed(mem, message("ellen@harrowpack.example", 50), T0, unremarkable=False)
    feed(mem, message("ellen@harrowpack.example", 51), T0, authenticated=False)
    feed(mem, message("ellen@harrowpack.example", 0), T0 + timedelta(days=2))
    snap = mem.snapshot(message("x@elsewhere.example", 99))
    assert "harrowpack.example" not in snap.correspondents.domains
    feed(mem, message("ap@sub.harrowpack.example", 7), T0 + timedelta(days=3))
    snap = mem.snapshot(message("x@elsewhere.example", 99))
    assert snap.correspondents.domains == frozenset({"harrowpack.example"})
    assert snap.correspondents.index().match("harrowpak.example") is not None


def test_free_mail_and_our_own_domain_are_never_correspondents(mem: Memory) -> None:
    for i in range(CORRESPONDENT_MESSAGES + 1):
        feed(mem, message("someone@gmail.com", i), T0 + timedelta(hours=i))
        feed(mem, message("anna.keller@ours.example", 100 + i), T0 + timedelta(hours=i))
    assert not mem.snapshot(message("x@elsewhere.example", 99)).correspondents.domains


def test_accounts_are_learned_from_unremarkable_authenticated_mail_and_known_after_a_week(
    mem: Memory,
) -> None:
    feed(mem, invoice("ellen@harrowpack.example", 1), T0)
    learned = mem.snapshot(invoice("billing@harrowpack.example", 2, OTHER)).accounts
    assert learned is not None and learned.owner == "harrowpack.example"
    assert learned.count == 1
    assert not learned.knows(key(IBAN), T0 + LEARNED_AFTER - timedelta(minutes=1))
    assert learned.knows(key(IBAN), T0 + LEARNED_AFTER)
    assert not learned.knows(key(OTHER), T0 + LEARNED_AFTER)
    # another organisation has none
    assert mem.snapshot(invoice("ellen@harrowpak.example", 3)).accounts is None


def test_the_learned_accounts_are_read_with_the_contacts_in_one_statement(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from caveat.storage import memory_store

    mem = MemoryStore(store)
    feed(mem, invoice("ellen@harrowpack.example", 1), T0)
    feed(mem, invoice("ellen@harrowpack.example", 2, OTHER), T0)
    mem.correspondents()  # read apart, at most once a minute
    seen: list[str] = []
    fetch = memory_store._fetch

    def counted(c: Any, sql: str, params: tuple[Any, ...]) -> list[Any]:
        seen.append(sql)
        return fetch(c, sql, params)

    monkeypatch.setattr(memory_store, "_fetch", counted)
    # a new message, no conversation found (by its keys, then by its subject), then the
    # sender's contact, the names' known people and the organisation's accounts at once
    learned = mem.snapshot(message("billing@harrowpack.example", 7)).accounts
    assert learned is not None and learned.count == 2
    assert learned.knows(key(IBAN), T0 + LEARNED_AFTER)
    assert learned.knows(key(OTHER), T0 + LEARNED_AFTER)
    assert len(seen) == 3, seen
    assert [s for s in seen if "learned_accounts" in s] == [seen[-1]]
    assert "FROM contacts" in seen[-1]
    # the same statement answers for the contacts as before
    seen.clear()
    snap = mem.snapshot(invoice("ellen@harrowpack.example", 3))
    assert len(seen) == 3 and snap.accounts is not None and snap.accounts.count == 2
    assert snap.sender is not None and snap.sender.messages == 2 and snap.sender.authenticated
    assert [p.address for p in snap.known["ellen shaw"]] == ["ellen@harrowpack.example"]


def test_no_account_is_learned_from_warned_or_unauthenticated_mail(mem: Memory) -> None:
    feed(mem, invoice("ellen@harrowpack.example", 1), T0, unremarkable=False)
    feed(mem, invoice("ellen@harrowpack.example", 2), T0, authenticated=False)
    assert mem.snapshot(invoice("ellen@harrowpack.example", 3)).accounts is None


def test_free_mail_accounts_are_the_address_s_own(mem: Memory) -> None:
    feed(mem, invoice("ellen.shaw@gmail.com", 1), T0)
    assert mem.snapshot(invoice("someone.else@gmail.com", 2)).accounts is None
    learned = mem.snapshot(invoice("ellen.shaw@gmail.com", 3)).accounts
    assert learned is not None and learned.owner == "ellen.shaw@gmail.com"


def test_an_organisation_keeps_a_bounded_number_of_accounts(
    mem: Memory, monkeypatch: pytest.MonkeyPatch
) -> None:
    ibans = [
        "GB82 WEST 1234 5698 7654 32",
        "GB33 BUKB 2020 1555 5555 55",
        "DE89 3704 0044 0532 0130 00",
        "DE02 1203 0000 0000 2020 51",
        "NL91 ABNA 0417 1643 00",
    ]
    assert MAX_LEARNED_ACCOUNTS > 3
    for i, iban in enumerate(ibans):
        feed(mem, invoice("ellen@harrowpack.example", i, iban), T0 + timedelta(hours=i))
    learned = mem.snapshot(invoice("ellen@harrowpack.example", 9)).accounts
    assert learned is not None and learned.count == len(ibans)
    # the same with a bound of three: the first three stay, the others are not kept
    if isinstance(mem, MemoryStore):
        from caveat.storage import memory_store

        monkeypatch.setattr(memory_store, "MAX_LEARNED_ACCOUNTS", 3)
    else:
        from caveat.knowledge import process_memory

        monkeypatch.setattr(process_memory, "MAX_LEARNED_ACCOUNTS", 3)
    for i, iban in enumerate(ibans):
        feed(mem, invoice("ap@carden.example", 20 + i, iban), T0 + timedelta(hours=i))
    learned = mem.snapshot(invoice("ap@carden.example", 29)).accounts
    assert learned is not None and learned.count == 3
    later = T0 + LEARNED_AFTER + timedelta(days=1)
    assert all(learned.knows(key(x), later) for x in ibans[:3])
    assert not any(learned.knows(key(x), later) for x in ibans[3:])


def test_the_database_keeps_accounts_and_organisations_only_as_keyed_hashes(store: Store) -> None:
    mem = MemoryStore(store)
    feed(mem, invoice("ellen@harrowpack.example", 1), T0)
    with store.session() as s:
        rows = s.execute(select(LearnedAccountRow)).scalars().all()
    assert len(rows) == 1
    stored = f"{rows[0].owner_hash} {rows[0].digest}"
    for clear in ("harrowpack", key(IBAN), "12345698765432", "WEST"):
        assert clear.lower() not in stored.lower()
    assert len(rows[0].digest) == 64 and len(rows[0].owner_hash) == 64


def test_forgetting_drops_correspondents_and_accounts_not_seen_since(store: Store) -> None:
    mem = MemoryStore(store)
    for i in range(CORRESPONDENT_MESSAGES):
        feed(mem, invoice("ellen@harrowpack.example", i), T0 + timedelta(hours=i))
    assert mem.snapshot(message("x@elsewhere.example", 99)).correspondents.domains
    mem.forget_before(T0 + timedelta(days=1))
    with store.session() as s:
        assert s.execute(select(CorrespondentDomainRow)).first() is None
        assert s.execute(select(LearnedAccountRow)).first() is None
    assert not mem.snapshot(message("x@elsewhere.example", 99)).correspondents.domains
    assert mem.snapshot(invoice("ellen@harrowpack.example", 9)).accounts is None


def test_own_accounts_leave_out_quotes_and_weak_numbers() -> None:
    facts = message(
        "ellen@harrowpack.example",
        1,
        f"Our account number 12345678 is the customer number.\n\nOn Monday you wrote:\n"
        f"> pay IBAN {OTHER}\n",
    )
    assert memory_module.own_accounts(facts) == ()
    assert memory_module.own_accounts(invoice("ellen@harrowpack.example", 2)) == (key(IBAN),)
