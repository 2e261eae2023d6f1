"""caveat.engine.guard: the recipients of a message being written, judged by the recipient-facing
checks only; evidence tied to each recipient, Bcc labelled as such, a banner that names the
address and fits Outlook; the memory read and never written."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from caveat.checks.freemail_impersonation import freemail_impersonation
from caveat.engine.catalogue import BANNER_MAX, CatalogueError
from caveat.engine.engine import Engine
from caveat.engine.guard import (
    GUARD_CHECKS,
    GUARD_FAMILIES,
    GuardTexts,
    Outgoing,
    RecipientGuard,
    outgoing_from_payload,
)
from caveat.knowledge.context import Context, EngineConfig
from caveat.knowledge.directory import Directory, DirectoryContact, PartnerEntry
from caveat.knowledge.memory import ConversationView, KnownPerson, MemorySnapshot, Seen
from caveat.mail.errors import InputError
from caveat.mail.facts import Address
from caveat.mail.limits import Limits
from caveat.mail.normalise import from_payload, from_raw
from caveat.service.analysis import Analyzer
from caveat.storage.memory_store import MemoryStore
from caveat.storage.store import Store

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CONFIG = EngineConfig.build(internal_domains=["ours.example"])
DIRECTORY = Directory(
    [
        PartnerEntry(
            "Acme",
            ("acme.example",),
            (DirectoryContact("Ben Ortiz", "ben.ortiz@acme.example", "+49 1"),),
            ("DE89370400440532013000",),
            frozenset(),
        )
    ],
    internal_domains=["ours.example"],
    freemail=CONFIG.freemail,
)
THREAD = MemorySnapshot(
    available=True,
    conversation=ConversationView(
        (
            Seen("jane@partner.example", "Jane Roe", "jane roe", "", T0),
            Seen("bo@ours.example", "Bo Lind", "bo lind", "", T0 + timedelta(minutes=1)),
        ),
        messages=1,
    ),
)
NORTHWIND = Directory(
    [
        PartnerEntry(
            "Northwind Metals",
            ("northwind-metals.de",),
            (DirectoryContact("Lena Vogt", "lena.vogt@northwind-metals.de", "+49 40 1"),),
            (),
            frozenset(),
        )
    ],
    internal_domains=["ours.example"],
    freemail=CONFIG.freemail,
)
GUARD = RecipientGuard()


def addr(text: str, name: str = "") -> Address:
    facts = from_payload({"from": {"name": name, "address": text}})
    assert facts.author is not None
    return facts.author


def check(
    *,
    to: tuple[Address, ...] = (),
    cc: tuple[Address, ...] = (),
    bcc: tuple[Address, ...] = (),
    memory: MemorySnapshot = THREAD,
    directory: Directory = DIRECTORY,
) -> Any:
    outgoing = Outgoing.build(user=addr("bo@ours.example", "Bo Lind"), to=to, cc=cc, bcc=bcc)
    ctx = Context(config=CONFIG, directory=directory, memory=memory, now=T0 + timedelta(days=1))
    return GUARD.check(outgoing, ctx)


# ----------------------------------------------------------------- what is judged


def test_only_the_recipient_facing_families() -> None:
    assert GUARD_FAMILIES == (
        "lookalike_domain",
        "freemail_impersonation",
        "recipient_swap",
        "reported_sender",
    )
    assert {c.family for c in GUARD.engine.checks} == set(GUARD_FAMILIES)


def test_a_swap_to_free_mail_names_the_recipient() -> None:
    v = check(to=(addr("jane.roe@gmail.com", "Jane Roe"),))
    assert v.level == "danger"
    swap = next(f for f in v.verdict.findings if f.id == "RECIPIENT_SWAP_FREEMAIL")
    assert swap.evidence[0].header == "To"
    assert swap.evidence[0].value.endswith("now jane.roe@gmail.com (free mail)")
    assert v.verdict.banner is not None
    assert v.verdict.banner.text.startswith("jane.roe@gmail.com ")
    assert [(r.address, r.level) for r in v.recipients] == [("jane.roe@gmail.com", "danger")]


@pytest.mark.parametrize(
    "recipient",
    [
        addr("jane@partner-example.com"),
        addr("jane@partnerexample.com"),
        addr("jane@partner-example.com", "Jane Roe"),
        addr("jane@partner.example.evil.com", "jane@partner.example.evil.com"),
        addr("jane@partner-example.net"),
    ],
)
def test_a_swap_to_a_look_alike_of_the_conversations_domain(recipient: Address) -> None:
    v = check(cc=(recipient,))
    assert [f.id for f in v.verdict.findings if f.check == "recipient_swap"] == [
        "RECIPIENT_SWAP_LOOKALIKE"
    ], v.verdict.findings
    assert v.recipients[0].findings[0] == "RECIPIENT_SWAP_LOOKALIKE"


@pytest.mark.parametrize(
    "recipient",
    [
        addr("jane@partner.example", "Jane Roe"),  # the same person
        addr("jane@mail.partner.example", "Jane Roe"),  # the same organisation
        addr("jane@gmail.com"),  # only a user name, and free mail
        addr("jane@other-company.example"),  # only a user name, elsewhere
        addr("ben.ortiz@acme.example", "Ben Ortiz"),  # a partner contact
        addr("ada@acme.example", "Ada Lang"),  # the partner's domain
        addr("cleo@ours.example", "Cleo Park"),  # a colleague
        # written in capitals, still the same addresses: matching folds
        addr("Jane@Partner.EXAMPLE", "Jane Roe"),
        addr("Ben.Ortiz@ACME.example", "Ben Ortiz"),
        addr("CLEO@OURS.EXAMPLE", "Cleo Park"),
    ],
)
def test_quiet(recipient: Address) -> None:
    v = check(to=(recipient,))
    assert v.level == "none", v.verdict.findings
    assert v.verdict.banner is None
    assert v.recipients[0].findings == ()


def test_the_both_present_exclusion_still_holds() -> None:
    v = check(to=(addr("jane@partner.example", "Jane Roe"), addr("jane@partner-example.com")))
    assert not [f for f in v.verdict.findings if f.check == "recipient_swap"]


def test_no_conversation_no_swap() -> None:
    v = check(to=(addr("jane@partner-example.com"),), memory=MemorySnapshot())
    assert v.level == "none"


# ----------------------------------------------------------------- evidence per recipient


def test_each_recipient_gets_the_findings_that_name_it() -> None:
    v = check(
        to=(addr("ben.ortiz@acrne.example", "Ben Ortiz"), addr("cleo@ours.example")),
        cc=(addr("ben.ortiz.acme@gmail.com", "Ben Ortiz"),),
        bcc=(addr("jane.roe@gmail.com", "Jane Roe"),),
    )
    lines = {r.address: r for r in v.recipients}
    assert lines["ben.ortiz@acrne.example"].findings == ("LOOKALIKE_DOMAIN",)
    assert lines["ben.ortiz@acrne.example"].level == "danger"
    assert lines["cleo@ours.example"].findings == ()
    assert lines["cleo@ours.example"].level == "none"
    assert lines["ben.ortiz.acme@gmail.com"].findings == ("FREEMAIL_KNOWN_NAME",)
    assert lines["ben.ortiz.acme@gmail.com"].level == "caution"
    assert set(lines["jane.roe@gmail.com"].findings) == {
        "RECIPIENT_SWAP_FREEMAIL",
        "FREEMAIL_KNOWN_NAME",
    }
    known = next(f for f in v.verdict.findings if f.id == "FREEMAIL_KNOWN_NAME")
    assert [e.header for e in known.evidence] == ["Cc", "Known as", "Bcc", "Known as"]


def test_a_blind_copy_is_labelled_bcc_in_evidence_and_explanation() -> None:
    v = check(to=(addr("cleo@ours.example"),), bcc=(addr("accounts@acrne.example"),))
    f = v.verdict.findings[0]
    assert f.id == "LOOKALIKE_DOMAIN"
    assert f.evidence[0].header == "Bcc"
    assert f.explanation.startswith("The Bcc address uses acrne.example")


def test_an_address_in_to_and_bcc_counts_once_as_to() -> None:
    cleo = addr("cleo@ours.example")
    out = Outgoing.build(to=(cleo,), cc=(cleo, addr("x@ours.example")), bcc=(cleo,))
    assert [a.address for a in out.recipients] == ["cleo@ours.example", "x@ours.example"]
    assert out.bcc == ()
    assert out.facts().from_ == ()
    assert out.lookup().from_ == ()


def test_the_user_helps_to_find_the_conversation_but_is_not_judged() -> None:
    out = Outgoing.build(user=addr("bo@ours.example"), to=(addr("x@ours.example"),))
    assert out.facts().from_ == ()
    assert out.facts().sender is not None and out.facts().sender.address == "bo@ours.example"
    assert [a.address for a in out.lookup().from_] == ["bo@ours.example"]


# ----------------------------------------------------------------- as the user wrote it


def test_a_look_alike_recipient_is_shown_as_written_in_evidence_and_banner() -> None:
    """A capital I for an l: the evidence and the banner show the address as it was
    written, the per-recipient line keeps the normalised address."""
    v = check(to=(addr("Lena.Vogt@Northwind-MetaIs.de", "Lena Vogt"),), directory=NORTHWIND)
    f = v.verdict.findings[0]
    assert f.id == "LOOKALIKE_DOMAIN"
    assert [(e.header, e.value) for e in f.evidence] == [
        ("To", "Lena Vogt <Lena.Vogt@Northwind-MetaIs.de>"),
        (
            "Look-alike",
            "Northwind-MetaIs.de imitates northwind-metals.de (Northwind Metals): "
            "the letter 'l' is replaced by the letter 'I'",
        ),
    ]
    assert f.title == "Northwind-MetaIs.de imitates northwind-metals.de"
    assert v.verdict.banner is not None
    assert v.verdict.banner.text.startswith(
        "Lena.Vogt@Northwind-MetaIs.de is at Northwind-MetaIs.de, a domain made to look like"
    )
    assert [(r.address, r.level, r.findings) for r in v.recipients] == [
        ("lena.vogt@northwind-metais.de", "danger", ("LOOKALIKE_DOMAIN",))
    ]


def test_a_cyrillic_letter_in_a_recipients_domain_is_shown_as_the_cyrillic_letter() -> None:
    written = "lena.vogt@northwind-met\u0430ls.de"
    v = check(cc=(addr(written),), directory=NORTHWIND)
    f = v.verdict.findings[0]
    assert f.id == "LOOKALIKE_DOMAIN"
    assert f.evidence[0].value == written
    assert "the letter 'a' is replaced by the Cyrillic letter '\u0430'" in f.evidence[1].value
    assert v.verdict.banner is not None
    assert v.verdict.banner.text.startswith(f"{written} is at northwind-met\u0430ls.de,")
    assert v.recipients[0].address == "lena.vogt@xn--northwind-metls-6lm.de"


def test_a_swap_names_the_new_address_as_written_and_a_blind_copy_stays_blind() -> None:
    v = check(bcc=(addr("Jane.Roe@GMail.com", "Jane Roe"),))
    swap = next(f for f in v.verdict.findings if f.id == "RECIPIENT_SWAP_FREEMAIL")
    assert [(e.header, e.value) for e in swap.evidence] == [
        ("Bcc", "Jane Roe: was jane@partner.example, now Jane.Roe@GMail.com (free mail)")
    ]
    assert "jane@partner.example → Jane.Roe@GMail.com" in swap.explanation
    assert v.verdict.banner is not None
    assert v.verdict.banner.text.startswith("Jane.Roe@GMail.com is free mail")
    assert [(r.address, r.level) for r in v.recipients] == [("jane.roe@gmail.com", "danger")]


# ----------------------------------------------------------------- banners


def test_every_guard_finding_has_a_banner_that_fits_with_a_long_address() -> None:
    texts = GuardTexts.load()
    emitted = set().union(*(c.emits for c in GUARD_CHECKS))
    assert set(texts.banners) == emitted
    long_address = "firstname.lastname@" + "d" * 20 + ".example"  # 47 characters
    for template in texts.banners.values():
        text = template.format(address=long_address, domain="d" * 20 + ".example")
        assert len(text) <= BANNER_MAX, template


def test_the_banner_falls_back_to_the_level_text_when_the_address_is_too_long() -> None:
    v = check(to=(addr("jane.roe." + "x" * 60 + "@gmail.com", "Jane Roe"),))
    assert v.verdict.banner is not None
    assert v.verdict.banner.text == GUARD.texts.levels["danger"].text
    assert len(v.verdict.banner.text) <= BANNER_MAX


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"version": 2}, "guard texts: version: 1 was expected"),
        ({"levels": {"info": {"title": "ttt", "text": "xxx"}}}, "'caution' is a required"),
        ({"LOOKALIKE_DOMAIN": "Check {name} now."}, "LOOKALIKE_DOMAIN: only {address}, {domain}"),
        ({"LOOKALIKE_DOMAIN": "Check {address!r} now."}, "not {address!r}"),
        ({"LOOKALIKE_DOMAIN": "Check {address now."}, "LOOKALIKE_DOMAIN: expected '}'"),
        ({"LOOKALIKE_DOMAIN": "x" * 151}, "banners/LOOKALIKE_DOMAIN: 'xxx"),
        ({"stranger": 1}, "'stranger' was unexpected"),
    ],
)
def test_bad_texts_stop_the_guard(change: dict[str, Any], message: str) -> None:
    good = GuardTexts.load()
    data: dict[str, Any] = {
        "version": 1,
        "levels": {k: {"title": v.title, "text": v.text} for k, v in good.levels.items()},
        "banners": dict(good.banners),
    }
    for key, value in change.items():
        if key in good.banners:
            data["banners"][key] = value
        else:
            data[key] = value
    with pytest.raises(CatalogueError, match=re.escape(message)):
        GuardTexts.from_data(data, source="guard texts")


def test_banners_must_match_the_guards_findings() -> None:
    good = GuardTexts.load()
    extra = GuardTexts(good.levels, {**good.banners, "BANK_DETAILS_CHANGED": "Do not pay."})
    with pytest.raises(CatalogueError, match="never reports: BANK_DETAILS_CHANGED"):
        RecipientGuard(texts=extra)
    fewer = dict(good.banners)
    del fewer["RECIPIENT_SWAP"]
    with pytest.raises(CatalogueError, match="no banner for RECIPIENT_SWAP"):
        RecipientGuard(texts=GuardTexts(good.levels, fewer))


# ----------------------------------------------------------------- the payload


def test_addresses_are_normalised_as_for_an_analysed_message() -> None:
    raw = {"name": ' "Roe, Jane" ', "address": " <Jane.Roe@Partner.EXAMPLE> "}
    out = outgoing_from_payload({"to": [raw], "bcc": [raw], "from": raw})
    assert out.to == from_payload({"from": raw}).from_
    assert out.user == out.to[0]
    assert out.bcc == ()


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ([], "invalid_payload"),
        ({"to": []}, "invalid_payload"),
        ({"to": [{"address": ""}], "cc": None}, "invalid_payload"),
        ({"to": [{"address": "a@b.example"}], "reply_to": []}, "unknown_field"),
        ({"to": {"address": "a@b.example"}}, "invalid_field"),
        ({"to": ["a@b.example"]}, "invalid_field"),
        ({"to": [{"address": "a@b.example"}], "from": "me"}, "invalid_field"),
        ({"to": [{"address": "a@b.example"}], "subject": 1}, "invalid_field"),
        ({"to": [{"address": "a" * 1025}]}, "invalid_field"),
    ],
)
def test_bad_payloads(payload: Any, code: str) -> None:
    with pytest.raises(InputError) as info:
        outgoing_from_payload(payload)
    assert info.value.code == code


def test_unknown_fields_are_named_in_words_that_agree_with_their_number() -> None:
    to = [{"address": "a@b.example"}]
    for extra, message in (
        ({"reply_to": []}, "unknown field: reply_to"),
        ({"reply_to": [], "body": ""}, "unknown fields: body, reply_to"),
    ):
        with pytest.raises(InputError) as info:
            outgoing_from_payload({"to": to, **extra})
        assert str(info.value) == message


def test_the_recipient_ceiling_counts_to_cc_and_bcc() -> None:
    one = [{"address": "a@b.example"}]
    with pytest.raises(InputError) as info:
        outgoing_from_payload({"to": one, "cc": one, "bcc": one}, Limits(max_recipients=2))
    assert (info.value.code, info.value.status) == ("too_many_recipients", 413)
    assert outgoing_from_payload({"to": one, "bcc": one}, Limits(max_recipients=2)).to


# ----------------------------------------------------------------- through the Analyzer


def test_the_analyzer_reads_the_memory_and_writes_nothing() -> None:
    store = Store.from_url("sqlite://")
    store.upgrade()
    try:
        analyzer = Analyzer(Engine(), CONFIG, store)
        raw = (
            b"From: Jane Roe <jane@partner.example>\nTo: Bo Lind <bo@ours.example>\n"
            b"Subject: Invoice 1042\nMessage-ID: <m1@partner.example>\n\nHello\n"
        )
        analyzer.analyze(from_raw(raw, conversation_id="C1"), now=T0)
        memory = MemoryStore(store)
        before = memory.counts()
        outgoing = outgoing_from_payload(
            {
                "from": {"name": "Bo Lind", "address": "bo@ours.example"},
                "to": [{"address": "jane@partner-example.com"}],
                "bcc": [{"name": "Someone Else", "address": "someone.else@gmail.com"}],
                "conversation_id": "C1",
            }
        )
        for _ in range(2):
            v = analyzer.check_recipients(outgoing, now=T0 + timedelta(hours=1))
            assert v.level == "danger"
        assert memory.counts() == before
        later = from_raw(raw.replace(b"<m1@", b"<m2@"), conversation_id="C1")
        snapshot = memory.snapshot(later)
        assert snapshot.conversation is not None
        assert {s.address for s in snapshot.conversation.people} == {
            "jane@partner.example",
            "bo@ours.example",
        }
    finally:
        store.dispose()


def test_an_analyzer_without_a_store_checks_against_the_directory_only() -> None:
    analyzer = Analyzer(Engine(), CONFIG, None)
    out = outgoing_from_payload({"to": [{"address": "it@0urs.example"}]})
    v = analyzer.check_recipients(out)
    assert v.level == "danger"
    assert analyzer.recipient_guard() is analyzer.recipient_guard()


def test_the_users_own_second_address_in_cc_is_not_a_swap() -> None:
    """A list post addressed the poster at work (To) and at free mail (Cc), both first seen
    together; answering from the work address with the free-mail one kept in Cc moves
    nobody. (Seen on a public list: a danger banner about the user's own address.)"""
    both = MemorySnapshot(
        available=True,
        conversation=ConversationView(
            (
                Seen("jeff.cole@uni.example", "Jeff Cole", "cole jeff", "cole jeff", T0),
                Seen("jeff.cole@gmail.com", "Jeff Cole", "cole jeff", "cole jeff", T0),
            ),
            messages=1,
        ),
    )
    ctx = Context(config=CONFIG, directory=DIRECTORY, memory=both, now=T0 + timedelta(days=1))
    user = addr("jeff.cole@uni.example", "Jeff Cole")
    second = addr("jeff.cole@gmail.com", "Jeff Cole")
    verdict = GUARD.check(Outgoing.build(user=user, to=(), cc=(second,), bcc=()), ctx)
    assert verdict.level == "none", [f.id for f in verdict.verdict.findings]
    # Answering from the free-mail address, with the work one in Cc: quiet as well.
    back = GUARD.check(Outgoing.build(user=second, to=(), cc=(user,), bcc=()), ctx)
    assert back.level == "none", [f.id for f in back.verdict.findings]
    # Without the user, the same free-mail copy of a work address is still a swap.
    stranger = addr("bo@ours.example", "Bo Lind")
    caught = GUARD.check(
        Outgoing.build(user=stranger, to=(), cc=(second,), bcc=()),
        Context(config=CONFIG, directory=DIRECTORY, memory=THREAD_JEFF, now=T0 + timedelta(1)),
    )
    assert "RECIPIENT_SWAP_FREEMAIL" in {f.id for f in caught.verdict.findings}
    # Only the guard's own draft says so: a received message with the same Sender and Cc
    # and no From (written by its sender) is judged like any other.
    received = replace(Outgoing.build(user=user, to=(), cc=(second,), bcc=()).facts(), draft=False)
    assert "FREEMAIL_KNOWN_NAME" in {h.id for h in freemail_impersonation(received, ctx)}


# Keys as caveat.knowledge.memory.person makes them (tokens sorted).
THREAD_JEFF = MemorySnapshot(
    available=True,
    conversation=ConversationView(
        (Seen("jeff.cole@uni.example", "Jeff Cole", "cole jeff", "cole jeff", T0),),
        messages=1,
    ),
)


# ----------------------------------------------------------------- accepted Reply-To


NEWSLETTER = (
    b"From: Dana Whitfield <news@esp-mailer.example>\n"
    b"Reply-To: Dana Whitfield <editor@digest-editor.example>\n"
    b"To: Bo Lind <bo@ours.example>\n"
    b"Subject: This week in supply chains\n"
    b"Message-ID: <n1@esp-mailer.example>\n\nHello\n"
)
DIVERTED = (
    b"From: Jane Roe <jane@partner.example>\n"
    b"Reply-To: Jane Roe <jane.roe.partner@gmail.com>\n"
    b"To: Bo Lind <bo@ours.example>\n"
    b"Subject: Invoice 1042\n"
    b"Message-ID: <m9@partner.example>\n\nPlease confirm.\n"
)


def _answer(analyzer: Analyzer, conversation: str, to: dict[str, str]) -> Any:
    outgoing = outgoing_from_payload(
        {
            "from": {"name": "Bo Lind", "address": "bo@ours.example"},
            "to": [to],
            "conversation_id": conversation,
        }
    )
    return analyzer.check_recipients(outgoing, now=T0 + timedelta(hours=2))


def test_answering_an_unremarkable_messages_reply_to_is_not_a_swap() -> None:
    """A newsletter sent by its mailing service with Reply-To its editor: Reply goes to
    the editor, under the newsletter's name, at another organisation. The message was
    found unremarkable, so its Reply-To is where answers belong (seen on public mail: 8 of
    12 cautions on Reply-all drafts of legitimate mail)."""
    store = Store.from_url("sqlite://")
    store.upgrade()
    try:
        analyzer = Analyzer(Engine(), CONFIG, store)
        received = analyzer.analyze(from_raw(NEWSLETTER, conversation_id="C2"), now=T0)
        assert received.level in ("none", "info")
        editor = {"name": "Dana Whitfield", "address": "editor@digest-editor.example"}
        assert _answer(analyzer, "C2", editor).level == "none"
        # Another conversation under the same name never accepted that address.
        other = (
            NEWSLETTER.replace(b"<n1@", b"<n2@")
            .replace(b"Reply-To: Dana Whitfield <editor@digest-editor.example>\n", b"")
            .replace(b"This week in supply chains", b"Quarterly shipping report")
        )
        analyzer.analyze(from_raw(other, conversation_id="C3"), now=T0)
        swapped = _answer(analyzer, "C3", editor)
        assert "RECIPIENT_SWAP" in {f.id for f in swapped.verdict.findings}
    finally:
        store.dispose()


def test_a_reply_to_that_drew_a_warning_is_never_accepted() -> None:
    store = Store.from_url("sqlite://")
    store.upgrade()
    try:
        analyzer = Analyzer(Engine(), CONFIG, store)
        received = analyzer.analyze(from_raw(DIVERTED, conversation_id="C4"), now=T0)
        assert received.level in ("caution", "danger")
        answer = _answer(
            analyzer, "C4", {"name": "Jane Roe", "address": "jane.roe.partner@gmail.com"}
        )
        assert "RECIPIENT_SWAP_FREEMAIL" in {f.id for f in answer.verdict.findings}
        assert answer.level == "danger"
        memory = MemoryStore(store)
        later = from_raw(DIVERTED.replace(b"<m9@", b"<m10@"), conversation_id="C4")
        assert memory.snapshot(later).accepted_reply_to == frozenset()
    finally:
        store.dispose()


# ----------------------------------------------------------------- names folded (issue 13)


@pytest.mark.parametrize(
    "name",
    ["B\u0435n Ortiz", "Ben\u200bOrtiz", "Ben Ortiz | Acme", "Ortiz, Ben (Acme)"],
    ids=["cyrillic-e", "zero-width", "decorated", "reordered-bracketed"],
)
def test_the_guard_folds_names_like_an_arriving_message(name: str) -> None:
    v = check(to=(addr("ben.ortiz.acme@gmail.com", name),), memory=MemorySnapshot())
    assert [f.id for f in v.verdict.findings] == ["FREEMAIL_KNOWN_NAME"]
    assert v.recipients[0].findings == ("FREEMAIL_KNOWN_NAME",)


def test_a_contacts_name_at_an_unrelated_domain_in_a_draft() -> None:
    v = check(cc=(addr("ben@ortiz-trading.example", "Ben Ortiz"),), memory=MemorySnapshot())
    assert [f.id for f in v.verdict.findings] == ["KNOWN_NAME_OTHER_DOMAIN"]
    assert v.verdict.banner is not None
    assert v.verdict.banner.text.startswith("ben@ortiz-trading.example carries the name")
    assert [(r.address, r.level) for r in v.recipients] == [
        ("ben@ortiz-trading.example", "caution")
    ]


def test_a_colleagues_name_on_a_recipient_is_not_judged() -> None:
    """Colleagues and earlier senders share their names with many correspondents; only the
    partner directory's few contacts are judged among recipients."""
    memory = MemorySnapshot(
        available=True, known={"bo lind": (KnownPerson("bo@ours.example", "Bo Lind", "colleague"),)}
    )
    v = check(to=(addr("bo.lind@lind-consulting.example", "Bo Lind"),), memory=memory)
    assert v.level == "none"
