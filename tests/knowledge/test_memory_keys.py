"""Conversation keys: keyed hashes, and what one message may add is bounded."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from caveat.knowledge.memory import (
    CONVERSATION_KEY_LABEL,
    MAX_ACCEPTED_REPLY_TO,
    MAX_PEOPLE_PER_MESSAGE,
    MAX_REFERENCES,
    MAX_THREAD_IDS,
    conversation_ids,
    conversation_keys,
    derive_key,
    observe,
    reply_to_key,
    subject_key,
    thread_ids,
)
from caveat.mail.normalise import from_raw

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SECRET_A = bytes(range(32))
SECRET_B = bytes(range(1, 33))


def facts(headers: str):  # type: ignore[no-untyped-def]
    return from_raw((headers.strip() + "\n\nbody\n").encode())


REPLY = """
From: Felix Brandt <felix.brandt@acme.example>
To: Anna Keller <anna.keller@ours.example>
Subject: Re: Invoice 2026-118 for March
Message-ID: <m2@acme.example>
In-Reply-To: <m1@ours.example>
References: <m0@ours.example> <m1@ours.example>
Thread-Index: AQHaconv
"""


def test_the_same_subject_under_two_secrets_gives_different_keys() -> None:
    f = facts(REPLY)
    a = conversation_keys(f, derive_key(SECRET_A, CONVERSATION_KEY_LABEL))
    b = conversation_keys(f, derive_key(SECRET_B, CONVERSATION_KEY_LABEL))
    assert a.subject and b.subject and a.subject != b.subject
    assert a.own != b.own and set(a.thread).isdisjoint(b.thread)
    # the same secret, the same keys: a later message finds the conversation
    assert conversation_keys(f, derive_key(SECRET_A, CONVERSATION_KEY_LABEL)) == a


def test_a_key_cannot_be_matched_by_a_plain_hash_of_the_subject() -> None:
    f = facts(REPLY)
    keys = conversation_keys(f, derive_key(SECRET_A, CONVERSATION_KEY_LABEL))
    subject = subject_key(f.subject)
    guesses = {
        hashlib.sha256(f"subj:{subject}".encode()).hexdigest(),
        hashlib.sha256(subject.encode()).hexdigest(),
        hashlib.sha256(b"mid:m2@acme.example").hexdigest(),
    }
    assert not guesses & {keys.subject, keys.own, *keys.thread}


def test_the_secret_itself_is_not_the_key() -> None:
    # the key is derived under a label: the text hashes' key (the secret) never makes a
    # conversation key, so the two kinds of hash cannot be matched against each other
    f = facts(REPLY)
    assert conversation_keys(f, SECRET_A) != conversation_keys(
        f, derive_key(SECRET_A, CONVERSATION_KEY_LABEL)
    )
    key = derive_key(SECRET_A, CONVERSATION_KEY_LABEL)
    assert reply_to_key(key, 1, "a@b.example") != reply_to_key(key, 2, "a@b.example")


def test_a_huge_references_header_adds_a_bounded_number_of_ids() -> None:
    # as many as the header block's limit (256 KiB) lets through
    ids = [f"<r{i}@x>" for i in range(20_000)]
    raw = REPLY.replace(
        "References: <m0@ours.example> <m1@ours.example>", "References: " + " ".join(ids)
    )
    f = facts(raw)
    assert len(f.references) == 20_000
    thread = thread_ids(f)
    assert len(thread) <= MAX_THREAD_IDS
    # In-Reply-To, the root and the nearest ancestors are the ones kept
    assert thread[0] == "m1@ours.example"
    assert "r0@x" in thread
    assert thread[-1] == "r19999@x"
    assert len([t for t in thread if t.startswith("r")]) == MAX_REFERENCES
    key = derive_key(SECRET_A, CONVERSATION_KEY_LABEL)
    assert len(conversation_keys(f, key).lookup_order()) <= MAX_THREAD_IDS + 2


def test_a_short_references_header_is_kept_whole_in_order() -> None:
    f = facts(REPLY)
    assert thread_ids(f) == ("m1@ours.example", "m0@ours.example")
    ids = conversation_ids(f)
    assert ids.own == "m2@acme.example" and ids.subject == subject_key(f.subject)


def test_participants_and_accepted_reply_addresses_are_bounded() -> None:
    to = ", ".join(f"Person {i} <p{i}@many.example>" for i in range(400))
    reply_to = ", ".join(f"r{i}@answers.example" for i in range(40))
    f = facts(f"From: Felix <felix@acme.example>\nTo: {to}\nReply-To: {reply_to}\nSubject: s")
    obs = observe(f, at=AT, authenticated=False, internal=[], unremarkable=True)
    assert len(obs.people) == MAX_PEOPLE_PER_MESSAGE
    assert obs.sender is not None and obs.sender.address == "felix@acme.example"
    assert len(obs.accepted_reply_to) == MAX_ACCEPTED_REPLY_TO
