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
