from __future__ import annotations

import pytest

from caveat.checks.fake_reply import fake_reply, outer_prefix
from caveat.knowledge.context import Context
from caveat.mail.normalise import from_payload

from ..corpus import HAM, messages

CTX = Context()


def ids(headers: str) -> list[str]:
    return [h.id for h in fake_reply(from_payload({"headers": headers}), CTX)]


@pytest.mark.parametrize(
    "subject, prefix",
    [
        ("RE: Invoice", "RE"),
        ("Re: invoice", "Re"),
        ("AW: Rechnung", "AW"),
        ("SV: Faktura", "SV"),
        ("Antw: Factuur", "Antw"),
        ("RIF: Fattura", "RIF"),
        ("R: Fattura", "R"),
        ("ODP: Faktura", "ODP"),
        ("YNT: Fatura", "YNT"),
        ("Odp: Faktura", "Odp"),
        ("Réf : Facture", "Réf"),
        ("VS: Lasku", "VS"),
        ("RE[2]: Invoice", "RE"),
        ("Re(3): Invoice", "Re"),
        ("回复：发票", "回复"),
        ("[EXTERNAL] RE: Invoice", "RE"),
        ("*** SPAM *** Re: x", "Re"),
    ],
)
def test_reply_prefixes(subject: str, prefix: str) -> None:
    found = outer_prefix(subject)
    assert found is not None and found[0] == prefix and found[1] is True


@pytest.mark.parametrize(
    "subject",
    [
        "FW: x", "Fwd: RE: x", "WG: AW: x", "TR: x", "RV: x", "I: x",
        "PD: ODP: Faktura", "PŘ: RE: Faktura", "VB: SV: Faktura", "İLT: YNT: Fatura",
    ],
)  # fmt: skip
def test_forward_prefixes(subject: str) -> None:
    found = outer_prefix(subject)
    assert found is not None and found[1] is False


@pytest.mark.parametrize("subject", ["Remittance", "Reminder: x", "Results", "Sv", "RE", ""])
def test_no_prefix(subject: str) -> None:
    assert outer_prefix(subject) is None


def test_reply_without_threading_headers() -> None:
    assert ids(
        "From: f@partner.example\nSubject: RE: Invoice 5521\nMessage-ID: <a@partner.example>\n"
    ) == ["FAKE_REPLY"]


def test_foreign_message_id_is_supporting_evidence() -> None:
    assert ids(
        "From: f@partner.example\nSubject: RE: Invoice\n"
        "Message-ID: <1.2@webmail.other-host.example>\n"
    ) == ["FAKE_REPLY", "FAKE_REPLY_FOREIGN_MESSAGE_ID"]


def test_a_foreign_message_id_is_shown_as_written() -> None:
    found = fake_reply(
        from_payload(
            {
                "headers": "From: Finance <Finance@Partner.example>\nSubject: RE: Invoice\n"
                "Message-ID: <AB12.Cd34@WebMail.Other-Host.example>\n"
            }
        ),
        CTX,
    )
    foreign = found[1]
    assert [(e.header, e.value) for e in foreign.evidence] == [
        ("Message-ID", "<AB12.Cd34@WebMail.Other-Host.example>"),
        ("From", "Finance <Finance@Partner.example>"),
    ]
    assert foreign.params == {"msgid_domain": "WebMail.Other-Host.example"}


@pytest.mark.parametrize(
    "message_id",
    ["<a@AM0PR01.eurprd01.prod.outlook.com>", "<CAF@mail.gmail.com>", "<x@mx.partner.example>"],
)
def test_platform_or_own_message_ids_are_not_foreign(message_id: str) -> None:
    assert ids(f"From: f@partner.example\nSubject: RE: x\nMessage-ID: {message_id}\n") == [
        "FAKE_REPLY"
    ]


def test_message_id_of_the_dkim_signer_is_related() -> None:
    assert ids(
        "From: f@partner.example\nSubject: RE: x\nMessage-ID: <1@esp.example>\n"
        "DKIM-Signature: v=1; a=rsa-sha256; d=esp.example; s=s1; b=x\n"
    ) == ["FAKE_REPLY"]


@pytest.mark.parametrize(
    "extra",
    [
        "In-Reply-To: <orig@ourco.example>\n",
        "References: <orig@ourco.example>\n",
        "Thread-Index: AdswHh4l5cC2Uo1TQmiq0pZ1K3vR7AAdE3kQ\n",
        "List-Id: <devs.lists.proj.example>\nTo: devs@lists.proj.example\n",
        "List-Post: <mailto:devs@lists.proj.example>\nCc: Devs <devs@proj.example>\n",
    ],
    ids=[
        "in-reply-to",
        "references",
        "outlook-thread-index-child",
        "mailing-list-post",
        "mailing-list-named",
    ],
)
def test_quiet_when_threaded_or_list(extra: str) -> None:
    assert ids("From: f@partner.example\nSubject: RE: Invoice\n" + extra) == []


def test_list_marks_on_mail_not_sent_to_the_list_excuse_nothing() -> None:
    """A List-Id line costs an impostor nothing: on a "reply" addressed to a person, and with
    nothing at our boundary vouching for it, the message is judged like any other."""
    assert ids(
        "From: f@partner.example\nTo: ap@ourco.example\nSubject: RE: Invoice\n"
        "List-Id: <devs.lists.proj.example>\n"
    ) == ["FAKE_REPLY"]


def test_outlook_thread_index_root_is_not_threading() -> None:
    assert ids(
        "From: f@partner.example\nSubject: RE: x\nThread-Index: AdswHh4l5cC2Uo1TQmiq0pZ1K3vR7A==\n"
    ) == ["FAKE_REPLY"]


@pytest.mark.corpus
@pytest.mark.parametrize("dataset", HAM)
def test_real_mail_fake_reply_rate_is_low(dataset: str) -> None:
    """Old clients sometimes replied without threading headers; it stays rare and only a note."""
    total = flagged = 0
    for _, f in messages(dataset):
        total += 1
        flagged += any(h.id == "FAKE_REPLY" for h in fake_reply(f, CTX))
    assert total > 0
    assert flagged / total < 0.02, f"{flagged}/{total}"
