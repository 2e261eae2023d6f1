from __future__ import annotations

import pytest

from caveat.checks.reply_to import reply_to_mismatch
from caveat.knowledge.context import Context, EngineConfig
from caveat.mail.normalise import from_payload

from ..corpus import HAM, messages

CTX = Context()


def facts(headers: str):  # type: ignore[no-untyped-def]
    return from_payload({"headers": headers})


def ids(headers: str, ctx: Context = CTX) -> list[str]:
    return [h.id for h in reply_to_mismatch(facts(headers), ctx)]


def test_freemail_reply_to_on_company_mail() -> None:
    hits = reply_to_mismatch(
        facts("From: Ann Lee <ann@acme.example>\nReply-To: ann.acme@gmail.com\n"), CTX
    )
    assert [h.id for h in hits] == ["REPLYTO_FREEMAIL"]
    assert hits[0].params["reply_to"] == "ann.acme@gmail.com"
    headers = {e.header for e in hits[0].evidence}
    assert {"From", "Reply-To"} <= headers


def test_same_display_name_at_another_organisation() -> None:
    assert ids("From: Ann Lee <ann@acme.example>\nReply-To: Ann Lee <ann@acme-pay.example>\n") == [
        "REPLYTO_SAME_NAME_OTHER_ADDRESS"
    ]


def test_name_order_and_case_do_not_matter() -> None:
    assert ids(
        'From: "Lee, Ann" <ann@acme.example>\nReply-To: "ANN LEE" <a@elsewhere.example>\n'
    ) == ["REPLYTO_SAME_NAME_OTHER_ADDRESS"]


def test_other_organisation() -> None:
    assert ids("From: a@acme.example\nReply-To: b@elsewhere.example\n") == ["REPLYTO_OTHER_DOMAIN"]


def test_strongest_of_several_reply_to_addresses() -> None:
    assert ids("From: Ann <ann@acme.example>\nReply-To: b@elsewhere.example, c@yahoo.com\n") == [
        "REPLYTO_FREEMAIL"
    ]


@pytest.mark.parametrize(
    "headers",
    [
        "From: a@acme.example\nReply-To: b@acme.example\n",
        "From: a@mail.acme.example\nReply-To: b@support.acme.example\n",
        "From: a@shop.acme.co.uk\nReply-To: b@acme.co.uk\n",
        "From: a@acme.example\nReply-To: A <A@ACME.EXAMPLE>\n",
        "From: a@acme.example\n",
        "From: a@gmail.com\nReply-To: a@yahoo.com\n",
    ],
    ids=[
        "same-domain",
        "sub-domains",
        "multi-label-suffix",
        "same-address",
        "none",
        "freemail-from",
    ],
)
def test_quiet(headers: str) -> None:
    assert ids(headers) == []


def test_internal_domains_are_one_organisation() -> None:
    ctx = Context(
        config=EngineConfig.build(internal_domains=["acme.example", "acme-group.example"])
    )
    assert ids("From: a@acme.example\nReply-To: b@acme-group.example\n", ctx) == []


def test_list_rewrite_is_quiet() -> None:
    assert (
        ids(
            'From: "Ann Lee via Devs" <devs@lists.proj.example>\n'
            "Reply-To: Ann Lee <ann.lee@gmail.com>\n"
            "List-Id: <devs.lists.proj.example>\n"
        )
        == []
    )


def test_reply_to_the_list_itself_is_quiet() -> None:
    assert (
        ids(
            "From: ann@uni.example\nReply-To: devs@lists.proj.example\n"
            "List-Id: Devs <devs.lists.proj.example>\n"
        )
        == []
    )


def test_bulk_mail_other_domain_is_quiet_but_exact_name_on_freemail_is_not() -> None:
    bulk = "List-Unsubscribe: <mailto:u@acme.example>\n"
    assert ids("From: News <n@acme.example>\nReply-To: x@acme-club.example\n" + bulk) == []
    # a header the sender writes cannot excuse a hijack-shaped Reply-To
    assert ids(
        "From: Ann Lee <ann@acme.example>\nReply-To: Ann Lee <annlee@gmail.com>\n" + bulk
    ) == ["REPLYTO_FREEMAIL"]


@pytest.mark.corpus
@pytest.mark.parametrize("dataset", HAM)
def test_no_caution_on_real_legitimate_mail(dataset: str) -> None:
    """Reply-To on legitimate mail never goes beyond a note: lists, newsletters, aliases."""
    loud = []
    for name, f in messages(dataset):
        for hit in reply_to_mismatch(f, CTX):
            if hit.id == "REPLYTO_FREEMAIL":
                loud.append((name, hit.params["reply_to"]))
    assert loud == []


@pytest.mark.corpus
def test_usrp_list_reply_to_rewriting_is_quiet() -> None:
    """Every Reply-To in this list is Mailman's DMARC mitigation: none may be reported."""
    seen = 0
    for name, f in messages("list_usrp_users"):
        if f.reply_to:
            seen += 1
            assert reply_to_mismatch(f, CTX) == [], name
    assert seen > 50


def test_evidence_shows_the_reply_to_decoded() -> None:
    (hit,) = reply_to_mismatch(
        facts(
            "From: Joao Silva <joao.silva@fornecedor.example>\n"
            "Reply-To: =?utf-8?q?Jo=C3=A3o_Silva?= <joao.silva.fornecedor@gmail.com>\n"
        ),
        CTX,
    )
    shown = dict((e.header, e.value) for e in hit.evidence)["Reply-To"]
    assert shown == "João Silva <joao.silva.fornecedor@gmail.com>"


# ------------------------------------------------------------------ issue 13: sender-written marks

OURS = Context(config=EngineConfig.build(internal_domains=["harbourline.example"]))
SIGNED = (
    "Authentication-Results: mx.harbourline.example; spf=pass smtp.mailfrom=acme.example;"
    " dkim=pass header.d=acme.example; dmarc=pass header.from=acme.example\n"
)


@pytest.mark.parametrize(
    "marks",
    [
        "List-Unsubscribe: <mailto:u@acme.example>\n",
        "Precedence: bulk\n",
        "Precedence: list\n",
        "List-Id: <news.acme.example>\n",
    ],
)
def test_unvouched_list_marks_do_not_excuse_a_free_mail_reply_to(marks: str) -> None:
    headers = "From: Acme Billing <billing@acme.example>\nReply-To: acme.billing@gmail.com\n"
    hits = reply_to_mismatch(facts(headers + marks), OURS)
    assert [h.id for h in hits] == ["REPLYTO_FREEMAIL"]
    notes = [e.value for e in hits[0].evidence if e.header == "List marks"]
    assert notes and notes[0].startswith("not accepted: ")
    # the same marks, signed by the From domain at our boundary: the owner chose them
    assert reply_to_mismatch(facts(headers + marks + SIGNED), OURS) == []


def test_unvouched_marks_do_not_excuse_the_same_name_elsewhere() -> None:
    headers = "From: Ann Lee <ann@acme.example>\nReply-To: Ann Lee <ann@acme-pay.example>\n"
    bulk = "Precedence: bulk\n"
    assert ids(headers + bulk, OURS) == ["REPLYTO_SAME_NAME_OTHER_ADDRESS"]
    assert ids(headers + bulk + SIGNED, OURS) == []


def test_unvouched_marks_still_excuse_the_note_of_another_organisation() -> None:
    headers = "From: News <n@acme.example>\nReply-To: x@acme-club.example\nPrecedence: bulk\n"
    assert ids(headers, OURS) == []
    assert ids(headers.replace("Precedence: bulk\n", ""), OURS) == ["REPLYTO_OTHER_DOMAIN"]


@pytest.mark.parametrize(
    "reply_name",
    [
        "\u0410nn Lee",  # a Cyrillic A
        "Ann\u200bLee",  # a zero-width space for the space
        "Ann Lee | Accounts",
        '"Lee, Ann"',
    ],
)
def test_the_senders_own_name_is_recognised_folded(reply_name: str) -> None:
    headers = (
        f"From: Ann Lee <ann@acme.example>\nReply-To: {reply_name} <ann.lee@acme-pay.example>\n"
    )
    assert ids(headers) == ["REPLYTO_SAME_NAME_OTHER_ADDRESS"]
    # and on vouched-for bulk mail, a free-mail Reply-To under the same (folded) name is the
    # hijack pattern that no mark excuses
    free = headers.replace("acme-pay.example", "gmail.com") + "Precedence: bulk\n" + SIGNED
    assert ids(free, OURS) == ["REPLYTO_FREEMAIL"]


def test_a_via_name_on_someone_elses_from_is_no_list_rewrite() -> None:
    assert ids(
        'From: "Ann Lee via Devs" <devs@acme.example>\n'
        "Reply-To: Ann Lee <ann.lee@gmail.com>\n"
        "List-Id: <devs.lists.proj.example>\n"
    ) == ["REPLYTO_FREEMAIL"]


@pytest.mark.parametrize(
    "reply_to",
    [
        "ap@harbourline-finance.example",  # a word added
        "ap@harbourIine.example",  # a capital I for the l
        "ap@harbourline.example.accounts-desk.example",  # ours as a sub-domain
        "ap@harbour-line.example",  # a hyphen
        "ap@harbourline.co",  # another suffix
    ],
)
def test_a_reply_to_imitating_our_domain_is_danger_even_when_signed(reply_to: str) -> None:
    headers = f"From: Ann Lee <ann@acme.example>\nReply-To: {reply_to}\n" + SIGNED
    found = ids(headers, OURS)
    assert "REPLYTO_IMITATES_OURS" in found
    # bulk marks and a vouched list change nothing
    assert "REPLYTO_IMITATES_OURS" in ids(headers + "Precedence: bulk\n", OURS)


@pytest.mark.parametrize(
    "reply_to",
    [
        "ap@harbourline.example",  # ours
        "ap@mail.harbourline.example",  # ours, a sub-domain
        "ann@acme-support.example",  # an imitation of nobody we protect here
        "harbourline.ap@gmail.com",  # free mail (freemail_impersonation's to judge)
    ],
)
def test_reply_to_that_imitates_nothing_of_ours(reply_to: str) -> None:
    headers = f"From: Ann Lee <ann@acme.example>\nReply-To: {reply_to}\n" + SIGNED
    assert "REPLYTO_IMITATES_OURS" not in ids(headers, OURS)


def test_an_authenticated_partners_ticket_system_is_quiet() -> None:
    assert (
        ids(
            "From: Acme Support <support@acme.example>\n"
            "Reply-To: support+8812@acme.helpdesk-suite.example\n" + SIGNED,
            OURS,
        )
        == []
    )
