"""The checks on what the memory learned (issue 19): look-alikes of frequent
correspondents (lookalike_domain) and learned accounts (bank_details_change)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from caveat.checks.bank_details_change import bank_details_change
from caveat.checks.lookalike_domain import lookalike_domain
from caveat.knowledge.context import Context, EngineConfig
from caveat.knowledge.memory import (
    LEARNED_AFTER,
    Correspondents,
    LearnedAccounts,
    MemorySnapshot,
    SenderView,
)
from caveat.mail.normalise import from_payload
from caveat.reference.bank_identifiers import extract

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
CONFIG = EngineConfig.build(internal_domains=["buyer.example"])
FREQUENT = Correspondents(["kestrel-analytics.example", "ab.example"])
PASS = (
    "Authentication-Results: mx.buyer.example; spf=pass smtp.mailfrom={d}; dkim=pass header.d={d}\n"
)


def ctx(memory: MemorySnapshot) -> Context:
    return Context(config=CONFIG, memory=memory, now=NOW)


def lookalikes(headers: str, memory: MemorySnapshot | None = None) -> list[str]:
    snap = memory or MemorySnapshot(available=True, correspondents=FREQUENT)
    return [h.id for h in lookalike_domain(from_payload({"headers": headers}), ctx(snap))]


def test_a_look_alike_of_a_frequent_correspondent_is_reported() -> None:
    for d in (
        "kestre1-analytics.example",  # a digit for a letter
        "kestrel-analytcs.example",  # a letter left out
        "kestrel-analytics.example.mail-secure.example",  # its domain as a sub-domain
    ):
        assert lookalikes(f"From: M <m@{d}>\n") == ["LOOKALIKE_CORRESPONDENT"], d
    assert lookalikes("From: M <m@x.example>\nReply-To: m@kestrelanalytics.example\n") == [
        "LOOKALIKE_CORRESPONDENT"
    ]


def test_only_techniques_that_deceive_the_eye_count_for_correspondents() -> None:
    for d in (
        "kestrel-analytics.test",  # another suffix
        "kestrel-analytics-group.example",  # a word added
        "ac.example",  # a short name one letter from another: a different company
        "kestrel-analytics.example",  # the correspondent itself
        "billing.kestrel-analytics.example",  # and its sub-domain
    ):
        assert lookalikes(f"From: M <m@{d}>\n") == [], d


def test_without_correspondents_nothing_is_reported() -> None:
    assert lookalikes("From: M <m@kestre1-analytics.example>\n", MemorySnapshot()) == []


def test_an_established_sender_at_a_correspondent_look_alike_is_not_warned_about() -> None:
    d = "kestrel-analytlcs.example"
    headers = f"From: M <m@{d}>\n" + PASS.format(d=d)
    old = SenderView(NOW - timedelta(days=200), 30, True)
    established = MemorySnapshot(available=True, correspondents=FREQUENT, sender=old)
    assert lookalikes(headers, established) == []
    young = SenderView(NOW - timedelta(days=20), 30, True)
    fresh = MemorySnapshot(available=True, correspondents=FREQUENT, sender=young)
    assert lookalikes(headers, fresh) == ["LOOKALIKE_CORRESPONDENT"]


KNOWN = "GB82 WEST 1234 5698 7654 32"
OTHER = "GB33 BUKB 2020 1555 5555 55"


def learned(first_seen: datetime) -> LearnedAccounts:
    key = extract(f"IBAN {KNOWN}").strong[0].key
    return LearnedAccounts("harrowpack.example", {key: first_seen}, lambda k: k, 1)


def bank(iban: str, accounts: LearnedAccounts | None) -> list[str]:
    facts = from_payload(
        {
            "headers": "From: Ellen <ellen@harrowpack.example>\nTo: ap@buyer.example\n"
            "Subject: Invoice 7\n",
            "body": f"Please find invoice 7 attached.\n\nPayment to: IBAN {iban}\n",
        }
    )
    snap = MemorySnapshot(available=True, accounts=accounts)
    return [h.id for h in bank_details_change(facts, ctx(snap))]


def test_a_known_account_is_seen_before_and_another_is_new() -> None:
    old = learned(NOW - LEARNED_AFTER)
    assert bank(KNOWN, old) == ["BANK_DETAILS_SEEN_BEFORE"]
    assert bank(OTHER, old) == ["BANK_DETAILS_CHANGED"]
    # without anything learned: an unverified note, as before
    assert bank(OTHER, None) == ["BANK_DETAILS_UNVERIFIED"]


def test_an_account_learned_this_week_vouches_for_nothing_yet() -> None:
    young = learned(NOW - LEARNED_AFTER + timedelta(hours=1))
    assert bank(KNOWN, young) == ["BANK_DETAILS_UNVERIFIED"]
    assert bank(OTHER, young) == ["BANK_DETAILS_UNVERIFIED"]
