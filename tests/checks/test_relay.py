from __future__ import annotations

import pytest

from caveat.checks.relay import relay_sender_mismatch
from caveat.knowledge.context import Context, EngineConfig
from caveat.knowledge.directory import Directory, PartnerEntry
from caveat.mail.normalise import from_payload

from ..corpus import HAM, messages

CTX = Context()


def hits(headers: str, ctx: Context = CTX):  # type: ignore[no-untyped-def]
    return relay_sender_mismatch(from_payload({"headers": headers}), ctx)


SEED_RECEIVED = (
    "Received: by webmail.emailsrvr.example (Authenticated sender:\n"
    " compromised-account@compromised.example, from: finance-person@partnerb.example)\n"
    " with HTTP; Wed, 6 Nov 2024 07:32:58 -0500 (EST)\n"
)


def test_seed_received_authenticated_sender() -> None:
    found = hits(SEED_RECEIVED + "From: Finance Person <finance-person@partnerb.example>\n")
    assert [h.id for h in found] == ["RELAY_AUTH_SENDER_MISMATCH"]
    assert found[0].params["account"] == "compromised-account@compromised.example"
    assert found[0].evidence[0].header == "Received"


def test_the_account_and_the_sender_are_shown_as_written() -> None:
    found = hits(
        "X-Authenticated-Sender: host.example: <Some.One@Other.EXAMPLE>\n"
        "From: Pay <Pay@Partner.example>\n"
    )
    assert found[0].params["account"] == "Some.One@Other.EXAMPLE"
    assert found[0].evidence[1].value == "Pay <Pay@Partner.example>"


@pytest.mark.parametrize(
    "header",
    [
        "X-Auth-ID: someone@other.example",
        "X-Authenticated-Sender: host.hosting.example: someone@other.example",
        "X-Source-Auth: someone@other.example",
        "X-AuthUser: someone@other.example",
    ],
)
def test_account_headers(header: str) -> None:
    found = hits(header + "\nFrom: pay@partner.example\n")
    assert [h.id for h in found] == ["RELAY_AUTH_SENDER_MISMATCH"]


@pytest.mark.parametrize(
    "headers",
    [
        "X-Auth-ID: pay@partner.example\nFrom: Pay <PAY@partner.example>\n",
        "X-Auth-ID: assistant@partner.example\nFrom: boss@partner.example\n",
        "X-Auth-ID: a@mail.partner.example\nFrom: b@partner.example\n",
        "Received: from x (Authenticated sender: jdoe) by y; Thu, 6 Mar 2025 09:50:00 +0000\n"
        "From: jdoe@partner.example\n",
        "X-Auth-ID: someone@other.example\n",
    ],
    ids=["same-address", "same-org", "sub-domain", "bare-username", "no-from"],
)
def test_quiet(headers: str) -> None:
    assert hits(headers) == []


def test_partner_with_two_domains_in_the_directory_is_one_organisation() -> None:
    partner = PartnerEntry(
        "Partner", ("partner.example", "partner-group.example"), (), (), frozenset()
    )
    ctx = Context(config=EngineConfig.build(), directory=Directory([partner]))
    assert hits("X-Auth-ID: a@partner-group.example\nFrom: b@partner.example\n", ctx) == []


def test_list_that_rewrote_from_is_quiet() -> None:
    assert (
        hits(
            "Received: from x (Authenticated sender: ann@uni.example) by y;"
            " Thu, 6 Mar 2025 09:50:00 +0000\n"
            'From: "Ann via Devs" <devs@lists.proj.example>\nList-Id: <devs.lists.proj.example>\n'
        )
        == []
    )


@pytest.mark.corpus
@pytest.mark.parametrize("dataset", HAM)
def test_quiet_on_real_legitimate_mail(dataset: str) -> None:
    loud = [name for name, f in messages(dataset) if relay_sender_mismatch(f, CTX)]
    assert loud == []
