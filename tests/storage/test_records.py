"""The directory and the conversation memory in the database, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from caveat.knowledge.memory import observe
from caveat.knowledge.partners_csv import parse_partners_csv
from caveat.mail.normalise import from_raw
from caveat.storage.directory_store import DirectoryStore, import_parsed
from caveat.storage.memory_store import MemoryStore
from caveat.storage.store import Store

HEADER = "organization,domain,contact_name,contact_email,contact_phone,bank_accounts,require_auth"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def partners(*rows: str):  # type: ignore[no-untyped-def]
    result = parse_partners_csv("\n".join([HEADER, *rows]) + "\n")
    assert not result.errors, result.errors
    return result.partners


def message(headers: str) -> bytes:
    return (headers.strip() + "\n\nbody\n").encode()


def test_import_then_reimport_updates_without_duplicating(store: Store) -> None:
    d = DirectoryStore(store)
    first = d.import_partners(
        partners(
            "Acme GmbH,acme.example,Jane Doe,jane@acme.example,+49 1,,dkim",
            "Beta Ltd,beta.example,,,,,",
        )
    )
    assert (first.created, first.updated) == (2, 0)
    v1 = d.version()
    again = d.import_partners(
        partners("acme gmbh,acme.example;acme-pay.example,John Roe,john@acme.example,,,")
    )
    assert (again.created, again.updated) == (0, 1)
    assert d.version() > v1
    stored = {p.organization: p for p in d.partners()}
    assert set(stored) == {"acme gmbh", "Beta Ltd"}
    acme = stored["acme gmbh"]
    assert acme.domains == ("acme-pay.example", "acme.example")
    assert [c.email for c in acme.contacts] == ["john@acme.example"]
    assert acme.require_auth == frozenset()


def test_replace_removes_organisations_the_file_no_longer_lists(store: Store) -> None:
    d = DirectoryStore(store)
    d.import_partners(partners("Acme,acme.example,,,,,", "Beta,beta.example,,,,,"))
    report = d.import_partners(partners("Acme,acme.example,,,,,"), replace=True)
    assert report.removed == 1
    assert [p.organization for p in d.partners()] == ["Acme"]


def test_a_bad_row_never_costs_what_is_on_file(store: Store) -> None:
    d = DirectoryStore(store)
    d.import_partners(
        partners(
            "Acme,acme.example,Jane Doe,jane@acme.example,+49 1,DE89370400440532013000,dkim",
            "Beta,beta.example,,,,,",
        )
    )
    # Acme's row with its account is bad (a colon), its new contact row is good; Beta's only
    # row is bad, and the file is imported with replace
    update = parse_partners_csv(
        "\n".join(
            [
                HEADER,
                "Acme,acme.example,Jane Doe,jane@acme.example,,021000021:9876543210,",
                "Acme,acme.example,John Roe,john@acme.example,,,dmarc",
                "Beta,beta.example,,,,GB82 WEST 1234 5698 7654 33,",
            ]
        )
        + "\n"
    )
    assert len(update.errors) == 2 and update.incomplete == {"acme", "beta"}
    report, _ = import_parsed(store, update, replace=True)
    assert report.removed == 0
    assert any("no organisation was removed" in problem for _, problem in report.problems)
    stored = {p.organization: p for p in d.partners()}
    assert set(stored) == {"Acme", "Beta"}
    acme = stored["Acme"]
    assert acme.bank_accounts == ("DE89370400440532013000",)  # kept
    assert [c.email for c in acme.contacts] == ["jane@acme.example", "john@acme.example"]
    assert acme.contacts[0].phone == "+49 1"
    assert acme.require_auth == frozenset({"dkim", "dmarc"})
    assert acme.domains == ("acme.example",)


def test_a_clean_file_still_rewrites_and_replaces(store: Store) -> None:
    d = DirectoryStore(store)
    d.import_partners(partners("Acme,acme.example,Jane,jane@acme.example,,DE89370400440532013000,"))
    d.import_partners(partners("Beta,beta.example,,,,,"))
    clean = parse_partners_csv(f"{HEADER}\nAcme,acme.example,John,john@acme.example,,,\n")
    report, _ = import_parsed(store, clean, replace=True)
    assert report.removed == 1 and report.problems == ()
    (acme,) = d.partners()
    assert acme.bank_accounts == () and [c.email for c in acme.contacts] == ["john@acme.example"]


def test_a_domain_stays_with_the_organisation_that_has_it(store: Store) -> None:
    d = DirectoryStore(store)
    d.import_partners(partners("Acme,acme.example,,,,,"))
    report = d.import_partners(partners("Other,acme.example;other.example,,,,,"))
    assert report.problems and "acme.example belongs to Acme" in report.problems[0][1]
    directory = d.load()
    assert directory.organisation_of("acme.example") == "Acme"
    assert directory.organisation_of("mail.other.example") == "Other"


def test_the_loaded_directory_answers_lookups(store: Store) -> None:
    d = DirectoryStore(store)
    d.import_partners(
        partners(
            "Acme,acme.example,Jane Doe,jane@acme.example,+49 1,DE89370400440532013000,",
            "Solo Supplier,,Sam Solo,sam.solo@gmail.com,+49 2,,",
        )
    )
    directory = d.load(internal_domains=["ours.example"])
    assert directory.partner_of_address("sam.solo@gmail.com").organization == "Solo Supplier"
    assert directory.contacts_named("doe jane")[0].address == "jane@acme.example"
    assert directory.partner_of_domain("acme.example").bank_accounts == ("DE89370400440532013000",)
    assert directory.lookalikes.match("acme-invoices.example") is not None
    assert directory.lookalikes.is_protected("ours.example")


THREAD_1 = """
From: Anna Keller <anna.keller@ours.example>
To: Ben Ortiz <ben.ortiz@acme.example>
Cc: Felix Brandt <felix.brandt@acme.example>, Eva Lind <eva.lind@ours.example>
Subject: Invoice 88 - reminder
Message-ID: <m1@ours.example>
Date: Mon, 2 Mar 2026 09:00:00 +0000
"""
THREAD_2_SUBJECT_ONLY = """
From: Ben Ortiz <ben.ortiz@acme.example>
To: Anna Keller <anna.keller@ours.example>
Cc: Felix Brandt <felix.brandt.acme@gmail.com>, Eva Lind <eva.lind@ours.example>
Subject: RE: Invoice 88 - reminder
Message-ID: <m2@relay.example>
Date: Mon, 2 Mar 2026 12:00:00 +0000
"""
THREAD_3_REPLY = """
From: Anna Keller <anna.keller@ours.example>
To: Ben Ortiz <ben.ortiz@acme.example>
Subject: RE: Invoice 88 - reminder
Message-ID: <m3@ours.example>
In-Reply-To: <m2@relay.example>
References: <m2@relay.example>
Date: Mon, 2 Mar 2026 13:00:00 +0000
"""
OTHER_THREAD_SAME_SUBJECT = """
From: Zed Zhou <zed@else.example>
To: Yan Yu <yan@else2.example>
Subject: Invoice 88 - reminder
Message-ID: <x1@else.example>
Date: Mon, 2 Mar 2026 14:00:00 +0000
"""


def record(memory: MemoryStore, raw: str, at: datetime, *, authenticated: bool = False) -> None:
    facts = from_raw(message(raw))
    snap = memory.snapshot(facts)
    internal = [a.address for a in facts.recipients + facts.from_ if a.domain == "ours.example"]
    memory.record(observe(facts, at=at, authenticated=authenticated, internal=internal), snap)


def test_a_conversation_is_found_by_subject_and_people_then_by_message_id(store: Store) -> None:
    memory = MemoryStore(store)
    assert memory.snapshot(from_raw(message(THREAD_1))).conversation is None
    record(memory, THREAD_1, T0)
    snap = memory.snapshot(from_raw(message(THREAD_2_SUBJECT_ONLY)))
    assert snap.available and snap.conversation is not None
    established = snap.conversation.established()
    assert established["n:brandt felix"].address == "felix.brandt@acme.example"
    record(memory, THREAD_2_SUBJECT_ONLY, T0 + timedelta(hours=3))
    # The reply to the fake message lands in the same conversation through its Message-ID,
    # and the first address of each person is still the one the thread started with.
    snap3 = memory.snapshot(from_raw(message(THREAD_3_REPLY)))
    assert snap3.conversation is not None and snap3.conversation.messages == 2
    assert snap3.conversation.established()["n:brandt felix"].address == (
        "felix.brandt@acme.example"
    )
    # Same subject, nobody in common: another conversation.
    assert memory.snapshot(from_raw(message(OTHER_THREAD_SAME_SUBJECT))).conversation is None


def test_senders_colleagues_and_authenticated_contacts(store: Store) -> None:
    memory = MemoryStore(store)
    facts = from_raw(message(THREAD_2_SUBJECT_ONLY))
    assert memory.snapshot(facts).sender is None
    record(memory, THREAD_1, T0)
    record(memory, THREAD_2_SUBJECT_ONLY, T0 + timedelta(hours=1), authenticated=True)
    snap = memory.snapshot(facts)
    assert snap.sender is not None and snap.sender.authenticated and snap.sender.messages == 1
    # Eva is a colleague (our domain, seen in Cc); Ben sent authenticated mail.
    probe = from_raw(
        message(
            "From: Eva Lind <eva.lind.ours@gmail.com>\nTo: x@ours.example\n"
            "Reply-To: Ben Ortiz <ben.ortiz.acme@gmail.com>\nSubject: s\n"
        )
    )
    known = memory.snapshot(probe).known
    assert [p.source for p in known["eva lind"]] == ["colleague"]
    assert [p.source for p in known["ben ortiz"]] == ["authenticated"]


def test_nothing_of_the_subject_or_body_is_stored_in_clear(store: Store) -> None:
    memory = MemoryStore(store)
    record(memory, THREAD_1, T0)
    with store.engine.connect() as c:
        from sqlalchemy import text

        for table in ("conversations", "conversation_keys", "conversation_people", "contacts"):
            for row in c.execute(text(f"SELECT * FROM {table}")):  # noqa: S608 - fixed names
                assert "invoice" not in " ".join(str(v) for v in row).lower()


def test_forgetting_old_conversations(store: Store) -> None:
    memory = MemoryStore(store)
    record(memory, THREAD_1, T0)
    assert memory.forget_before(T0 - timedelta(days=1)) == 0
    assert memory.forget_before(T0 + timedelta(days=1)) == 1
    assert memory.snapshot(from_raw(message(THREAD_2_SUBJECT_ONLY))).conversation is None


def test_recording_the_same_message_twice_is_harmless(store: Store) -> None:
    memory = MemoryStore(store)
    record(memory, THREAD_1, T0)
    record(memory, THREAD_1, T0)
    assert memory.counts() == {"conversations": 1, "contacts": 2}  # Anna and Eva


# ------------------------------------------------------------------ what a conversation said

PARTNER_FIRST = """\
From: Oliver Hughes <oliver.hughes@supplier-uk.example>
To: AP <ap@ours.example>
Subject: Invoice 2026-118 and our bank details
Message-ID: <p1@supplier-uk.example>
Date: Mon, 2 Mar 2026 09:00:00 +0000
"""
PARTNER_FIRST_BODY = (
    "Hello,\n\nplease note that our bank details have changed.\n"
    "Our new IBAN is GB60 BARC 2000 0055 7799 11.\n\nRegards,\nOliver"
)
PARTNER_REPLY = """\
From: Oliver Hughes <oliver.hughes@supplier-uk.example>
To: AP <ap@ours.example>
Subject: Re: Invoice 2026-118 and our bank details
Message-ID: <p2@supplier-uk.example>
In-Reply-To: <p1@supplier-uk.example>
References: <p1@supplier-uk.example>
Date: Tue, 3 Mar 2026 09:00:00 +0000
"""


def with_body(headers: str, body: str) -> bytes:
    return (headers.strip() + "\n\n" + body + "\n").encode()


def quote(body: str) -> str:
    return "\n".join("> " + line for line in body.splitlines())


def remember(memory: MemoryStore, raw: bytes, at: datetime) -> None:
    facts = from_raw(raw)
    memory.record(observe(facts, at=at, authenticated=False, internal=[]), memory.snapshot(facts))


def test_a_real_quote_is_vouched_for_and_a_fake_one_is_not(store: Store) -> None:
    memory = MemoryStore(store)
    remember(memory, with_body(PARTNER_FIRST, PARTNER_FIRST_BODY), T0)
    assert memory.text_count() > 0
    # The client re-wrapped and marked the quote: it still matches, sentence by sentence.
    real = with_body(
        PARTNER_REPLY,
        "Any news?\n\nOn Mon, 2 Mar 2026, Oliver Hughes wrote:\n"
        + quote(PARTNER_FIRST_BODY.replace("changed.\nOur", "changed. Our")),
    )
    seen = memory.snapshot(from_raw(real)).seen_text
    assert "please note that our bank details have changed" in seen
    assert "our new iban is gb60 barc 2000 0055 7799 11" in seen
    # A quote of what was never said, in the same conversation, is not vouched for.
    fake = with_body(
        PARTNER_REPLY,
        "As agreed.\n\nOn Mon, 2 Mar 2026, Oliver Hughes wrote:\n"
        "> Our new IBAN is GB82 WEST 1234 5698 7654 32.",
    )
    assert memory.snapshot(from_raw(fake)).seen_text == frozenset()


def test_a_quote_of_another_conversation_is_not_vouched_for(store: Store) -> None:
    memory = MemoryStore(store)
    remember(memory, with_body(PARTNER_FIRST, PARTNER_FIRST_BODY), T0)
    other = PARTNER_REPLY.replace("<p1@", "<elsewhere@").replace("Invoice 2026-118", "Other")
    raw = with_body(other, "Fine.\n\nOn Mon, Oliver wrote:\n" + quote(PARTNER_FIRST_BODY))
    assert memory.snapshot(from_raw(raw)).seen_text == frozenset()


def test_only_the_senders_own_words_are_remembered(store: Store) -> None:
    memory = MemoryStore(store)
    # A fake quote in the first message cannot vouch for itself in the next one.
    first = PARTNER_FIRST_BODY.replace("Hello,", "See below.\n\nOn Sun, AP wrote:\n> Hello,")
    remember(memory, with_body(PARTNER_FIRST, "Hi.\n\nOn Sun, AP wrote:\n" + quote(first)), T0)
    raw = with_body(PARTNER_REPLY, "Again.\n\nOn Mon, Oliver wrote:\n" + quote(first))
    assert memory.snapshot(from_raw(raw)).seen_text == frozenset()


def test_conversation_text_is_keyed_hashes_bounded_and_forgotten(store: Store) -> None:
    memory = MemoryStore(store)
    remember(memory, with_body(PARTNER_FIRST, PARTNER_FIRST_BODY), T0)
    with store.engine.connect() as c:
        from sqlalchemy import text

        digests = [r[0] for r in c.execute(text("SELECT digest FROM conversation_text"))]
        secret = c.execute(text("SELECT secret FROM memory_secret")).scalar()
    assert digests and all(len(d) == 64 for d in digests) and secret and len(secret) == 64
    import hashlib

    plain = hashlib.sha256(b"please note that our bank details have changed").hexdigest()
    assert plain not in digests  # keyed: an unkeyed guess does not match
    many = "\n\n".join(f"Line number {i} of a very long message." for i in range(5000))
    remember(memory, with_body(PARTNER_REPLY, many), T0 + timedelta(hours=1))
    from caveat.knowledge.memory import MAX_UNITS_PER_CONVERSATION, MAX_UNITS_PER_MESSAGE

    assert memory.text_count() <= min(MAX_UNITS_PER_CONVERSATION, 2 * MAX_UNITS_PER_MESSAGE)
    assert memory.forget_before(T0 + timedelta(days=1)) == 1
    assert memory.text_count() == 0


# ------------------------------------------------------------------ bounded and keyed


def test_one_message_adds_a_bounded_number_of_rows(store: Store) -> None:
    from sqlalchemy import func, select

    from caveat.knowledge.memory import (
        MAX_ACCEPTED_REPLY_TO,
        MAX_PEOPLE_PER_MESSAGE,
        MAX_THREAD_IDS,
        MAX_UNITS_PER_MESSAGE,
    )
    from caveat.storage.records import (
        ContactRow,
        ConversationKeyRow,
        ConversationPersonRow,
        ConversationTextRow,
    )

    refs = " ".join(f"<r{i}@x>" for i in range(20_000))
    to = ", ".join(f"P {i} <p{i}@ours.example>" for i in range(450))
    reply_to = ", ".join(f"a{i}@answers.example" for i in range(40))
    body = "\n\n".join(f"Paragraph {i} says something new." for i in range(2000))
    raw = (
        f"From: Felix <felix@acme.example>\nTo: {to}\nReply-To: {reply_to}\n"
        f"Subject: Order 2026-118 for March\nMessage-ID: <m1@acme.example>\n"
        f"In-Reply-To: <r19999@x>\nReferences: {refs}\n\n{body}\n"
    ).encode()
    facts = from_raw(raw)
    memory = MemoryStore(store)
    internal = [a.address for a in facts.to]
    memory.record(
        observe(facts, at=T0, authenticated=False, internal=internal, unremarkable=True),
        memory.snapshot(facts),
    )
    with store.session() as s:

        def n(model: type) -> int:
            return int(s.scalar(select(func.count()).select_from(model)) or 0)

        # thread ids, its own id, the client's id, the subject, accepted reply addresses
        assert n(ConversationKeyRow) <= MAX_THREAD_IDS + 3 + MAX_ACCEPTED_REPLY_TO
        assert n(ConversationPersonRow) == MAX_PEOPLE_PER_MESSAGE
        assert n(ContactRow) <= MAX_PEOPLE_PER_MESSAGE + 1
        assert n(ConversationTextRow) <= MAX_UNITS_PER_MESSAGE


def test_stored_conversation_keys_are_keyed(store: Store) -> None:
    import hashlib

    from sqlalchemy import text

    from caveat.knowledge.memory import subject_key

    memory = MemoryStore(store)
    record(memory, THREAD_1, T0)
    facts = from_raw(message(THREAD_1))
    subject = subject_key(facts.subject)
    with store.engine.connect() as c:
        stored = {r[0] for r in c.execute(text("SELECT key_hash FROM conversation_keys"))}
    assert stored
    plain = {
        hashlib.sha256(f"subj:{subject}".encode()).hexdigest(),
        hashlib.sha256(subject.encode()).hexdigest(),
        hashlib.sha256(f"mid:{facts.message_id}".encode()).hexdigest(),
    }
    assert not stored & plain
    # another deployment (another secret) cannot find the conversation by its keys
    with store.engine.begin() as c:
        c.execute(text("UPDATE memory_secret SET secret = :s"), {"s": "ab" * 32})
    assert MemoryStore(store).snapshot(from_raw(message(THREAD_3_REPLY))).conversation is None
    assert memory.snapshot(from_raw(message(THREAD_3_REPLY))).conversation is not None
