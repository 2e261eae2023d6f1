from __future__ import annotations

import pytest

from caveat.checks.auth_failure import auth_failure
from caveat.checks.hits import Hit
from caveat.engine.engine import Engine
from caveat.knowledge.context import Context, EngineConfig
from caveat.mail.normalise import from_payload

from ..corpus import messages

MICROSOFT = Context(
    config=EngineConfig.build(trust_microsoft=True, internal_domains=["partnera.example"])
)
OURS = Context(config=EngineConfig.build(trusted_authserv_ids=["mx.ours.example"]))
NOTHING = Context()
ENGINE = Engine()

# The seed's headers (../shared/seed), as Partner A's Exchange Online wrote them.
SEED_AR_SOFTFAIL = (
    "spf=softfail (sender IP is xx.yy.aa.bb) smtp.mailfrom=PartnerB.com;"
    " dkim=none (message not signed) header.d=none;dmarc=fail action=none"
    " header.from=PartnerB.com;compauth=other reason=501"
)
SEED_SPF_SOFTFAIL = (
    "SoftFail (protection.outlook.com: domain of transitioning PartnerB.com discourages"
    " use of xx.yy.aa.bb as permitted sender)"
)
SEED_AR_RELAY = (
    "spf=pass (sender IP is xx.yy.aa.bb) smtp.mailfrom=compromised.email.server;"
    " dkim=none (message not signed) header.d=none;dmarc=fail action=none"
    " header.from=PartnerB.com;compauth=fail reason=001"
)
SEED_SPF_RELAY = (
    "Pass (protection.outlook.com: domain of compromised.email.server designates"
    " xx.yy.aa.bb as permitted sender) receiver=protection.outlook.com;"
    " client-ip=xx.yy.aa.bb; helo=smtp116.sub.emailsrvr.tld; pr=C"
)
EXO_HOP = (
    "Received: from DB8PR01MB7001.eurprd01.prod.outlook.com (2603:10a6:10:2::15) by\n"
    " AM0PR01MB5678.eurprd01.prod.outlook.com with HTTPS; Wed, 6 Nov 2024 12:31:47 +0000\n"
)


def hits(headers: str, from_: str, ctx: Context = OURS) -> list[Hit]:
    facts = from_payload({"headers": headers, "from": {"name": "", "address": from_}})
    return auth_failure(facts, ctx)


def ours(value: str, from_: str = "ann@partner.example", extra: str = "") -> list[Hit]:
    return hits(f"Authentication-Results: mx.ours.example; {value}\n{extra}", from_)


def ids(found: list[Hit]) -> list[str]:
    return [h.id for h in found]


# ------------------------------------------------------------------ the seed


def test_seed_softfail_reply_dmarc_fail_with_action_none() -> None:
    found = hits(
        EXO_HOP
        + f"Authentication-Results: {SEED_AR_SOFTFAIL}\nReceived-SPF: {SEED_SPF_SOFTFAIL}\n",
        "finance-person@partnerb.com",
        MICROSOFT,
    )
    assert ids(found) == ["AUTH_DMARC_FAIL_POLICY_NONE", "AUTH_SPF_SOFTFAIL"]
    dmarc, spf = found
    assert dmarc.params == {"from_domain": "partnerb.com", "policy": "action=none"}
    assert [(e.header, e.value) for e in dmarc.evidence] == [
        ("Authentication-Results", SEED_AR_SOFTFAIL),
        ("Received-SPF", SEED_SPF_SOFTFAIL),
    ]
    assert spf.params["domain"] == "partnerb.com"
    assert spf.params["ip"] == "xx.yy.aa.bb"


def test_seed_compromised_server_spf_pass_but_dmarc_and_compauth_fail() -> None:
    found = hits(
        EXO_HOP + f"Authentication-Results: {SEED_AR_RELAY}\nReceived-SPF: {SEED_SPF_RELAY}\n",
        "finance-person@partnerb.com",
        MICROSOFT,
    )
    assert ids(found) == ["AUTH_DMARC_FAIL_POLICY_NONE", "AUTH_COMPAUTH_FAIL"]
    assert found[1].params["reason"] == "001"
    assert found[1].evidence[0].value == SEED_AR_RELAY


# ------------------------------------------------------------------ every id fires


def test_dmarc_fail_under_an_enforcing_policy() -> None:
    found = ours(
        "spf=fail smtp.mailfrom=partner.example; dmarc=fail (p=reject) header.from=partner.example"
    )
    assert ids(found) == ["AUTH_DMARC_FAIL", "AUTH_SPF_FAIL"]
    assert found[0].params["from_domain"] == "partner.example"


def test_dmarc_fail_policy_none_from_policy_property() -> None:
    found = ours("dmarc=fail policy.dmarc=none header.from=partner.example")
    assert ids(found) == ["AUTH_DMARC_FAIL_POLICY_NONE"]
    assert found[0].params["policy"] == "policy.dmarc=none"


def test_spf_fail_takes_the_ip_from_received_spf() -> None:
    found = ours(
        "spf=fail smtp.mailfrom=bounce@partner.example",
        extra="Received-SPF: Fail (mx.ours.example: domain of partner.example does not"
        " designate 192.0.2.7 as permitted sender) receiver=mx.ours.example;"
        " client-ip=192.0.2.7\n",
    )
    assert ids(found) == ["AUTH_SPF_FAIL"]
    assert found[0].params == {
        "from_domain": "partner.example",
        "domain": "partner.example",
        "ip": "192.0.2.7",
    }
    assert [e.header for e in found[0].evidence] == ["Authentication-Results", "Received-SPF"]


def test_spf_softfail_without_any_ip() -> None:
    found = ours("spf=softfail smtp.mailfrom=partner.example")
    assert ids(found) == ["AUTH_SPF_SOFTFAIL"]
    assert found[0].params["ip"] == "unknown"


def test_dkim_fail_without_dmarc_and_without_an_aligned_pass() -> None:
    found = ours("spf=pass smtp.mailfrom=bounce@esp.example; dkim=fail header.d=partner.example")
    assert ids(found) == ["AUTH_DKIM_FAIL"]


def test_unaligned_passes_only() -> None:
    found = ours(
        "spf=pass smtp.mailfrom=bounce@example.net; dkim=pass header.d=esp.com",
        from_="billing@partner.example",
    )
    assert ids(found) == ["AUTH_UNALIGNED"]
    assert found[0].params["passed"] == "spf for example.net, dkim for esp.com"


def test_domains_are_shown_as_the_message_and_the_results_wrote_them() -> None:
    found = ours(
        "spf=fail smtp.mailfrom=Bounce@Mail.NorthWind-MetaIs.de;"
        " dmarc=fail (p=reject) header.from=NorthWind-MetaIs.de",
        from_="Lena.Vogt@NorthWind-MetaIs.de",
    )
    assert ids(found) == ["AUTH_DMARC_FAIL", "AUTH_SPF_FAIL"]
    assert found[0].params == {"from_domain": "NorthWind-MetaIs.de"}
    assert found[1].params["domain"] == "Mail.NorthWind-MetaIs.de"
    unaligned = ours(
        "spf=pass smtp.mailfrom=Bounce@Example.NET; dkim=pass header.d=ESP.com",
        from_="billing@Partner.example",
    )
    assert unaligned[0].params == {
        "from_domain": "Partner.example",
        "passed": "spf for Example.NET, dkim for ESP.com",
    }


def test_punycode_is_shown_as_written_with_its_unicode_form() -> None:
    found = ours("dmarc=fail (p=reject)", from_="a@XN--BCHER-KVA.de")
    assert found[0].params == {"from_domain": "XN--BCHER-KVA.de (bücher.de)"}


def test_unaligned_across_a_multi_label_public_suffix() -> None:
    assert ids(ours("spf=pass smtp.mailfrom=other.co.uk", "a@example.co.uk")) == ["AUTH_UNALIGNED"]
    assert ours("spf=pass smtp.mailfrom=mail.example.co.uk", "a@example.co.uk") == []


def test_unaligned_when_dmarc_found_no_record() -> None:
    found = ours("spf=pass smtp.mailfrom=esp.example; dmarc=none header.from=partner.example")
    assert ids(found) == ["AUTH_UNALIGNED"]


def test_compauth_fail() -> None:
    found = hits(
        "Authentication-Results: spf=none smtp.mailfrom=partner.example;"
        " compauth=fail reason=601\n",
        "a@partner.example",
        MICROSOFT,
    )
    assert ids(found) == ["AUTH_COMPAUTH_FAIL"]
    assert found[0].params["reason"] == "601"


@pytest.mark.parametrize("result", ["softfail", "none", "other", "pass"])
def test_other_compauth_results_say_nothing(result: str) -> None:
    found = hits(
        f"Authentication-Results: spf=none smtp.mailfrom=partner.example; compauth={result}"
        " reason=000\n",
        "a@partner.example",
        MICROSOFT,
    )
    assert found == []


def test_every_finding_renders_with_all_its_fields() -> None:
    cases = [
        ours(
            "spf=fail smtp.mailfrom=partner.example;"
            " dmarc=fail (p=reject) header.from=partner.example"
        ),
        ours(
            "dmarc=fail (p=none) header.from=partner.example; spf=softfail smtp.mailfrom=x.example"
        ),
        ours("dkim=fail header.d=partner.example"),
        ours("dkim=pass header.d=esp.example"),
        hits("Authentication-Results: compauth=fail reason=001\n", "a@partner.example", MICROSOFT),
    ]
    seen = set()
    facts = from_payload(
        {"headers": "X: y\n", "from": {"name": "", "address": "a@partner.example"}}
    )
    for found in cases:
        verdict = ENGINE.score(facts, found)
        for f in verdict.findings:
            seen.add(f.id)
            assert "?" not in f.explanation, (f.id, f.explanation)
            assert f.evidence
    assert seen >= set(auth_failure.emits)


# ------------------------------------------------------------------ quiet


def test_dmarc_pass_is_quiet_whatever_else_failed() -> None:
    assert (
        ours(
            "spf=fail smtp.mailfrom=fwd.example; dkim=pass header.d=partner.example;"
            " dmarc=pass header.from=partner.example; compauth=fail reason=001"
        )
        == []
    )


def test_forwarder_spf_fail_with_aligned_dkim_pass_is_quiet() -> None:
    assert (
        ours(
            "spf=fail smtp.mailfrom=alumni-forwarder.example;"
            " dkim=pass header.d=mail.partner.example"
        )
        == []
    )


def test_aligned_spf_pass_with_broken_third_party_signature_is_quiet() -> None:
    assert (
        ours("spf=pass smtp.mailfrom=bounce.partner.example; dkim=fail header.d=esp.example") == []
    )


def test_untrusted_header_claiming_failure_is_quiet() -> None:
    found = hits(
        "Authentication-Results: mx.attacker.example; dmarc=fail header.from=partner.example;"
        " spf=fail smtp.mailfrom=partner.example; dkim=fail header.d=partner.example\n",
        "a@partner.example",
    )
    assert found == []


def test_nothing_configured_is_quiet() -> None:
    found = hits(
        f"Authentication-Results: {SEED_AR_SOFTFAIL}\n"
        "Authentication-Results: mx.ours.example; dmarc=fail header.from=partner.example\n",
        "finance-person@partnerb.com",
        NOTHING,
    )
    assert found == []


def test_nothing_evaluated_is_quiet() -> None:
    assert ours("spf=none smtp.mailfrom=partner.example; dkim=none; dmarc=none") == []
    assert ours("none") == []


LIST = (
    "List-Id: Devs <devs.lists.proj.example>\n"
    "List-Post: <mailto:devs@lists.proj.example>\n"
    "DKIM-Signature: v=1; a=rsa-sha256; d=partner.example; s=s1; bh=x; b=y\n"
)


def test_signature_broken_by_a_mailing_list_is_quiet() -> None:
    found = ours(
        "spf=pass smtp.mailfrom=devs-bounces@lists.proj.example;"
        " dkim=fail header.d=partner.example",
        extra=LIST,
    )
    assert found == []


def test_list_that_rewrote_from_is_quiet() -> None:
    found = ours(
        "spf=pass smtp.mailfrom=devs-bounces@lists.proj.example; dkim=fail header.d=uni.example",
        from_="devs@proj.example",
        extra="List-Id: <devs.lists.proj.example>\n",
    )
    assert found == []


def test_list_headers_do_not_excuse_mail_the_list_did_not_send() -> None:
    # List-Id and a DKIM-Signature are free to forge; nothing passed for the list.
    found = ours(
        "spf=pass smtp.mailfrom=bounce@attacker.example; dkim=fail header.d=partner.example",
        extra=LIST,
    )
    assert ids(found) == ["AUTH_DKIM_FAIL"]


def test_list_excuses_a_policy_none_dmarc_failure_when_the_posters_signature_broke() -> None:
    found = ours(
        "spf=pass smtp.mailfrom=devs-bounces@lists.proj.example;"
        " dkim=fail header.d=partner.example; dmarc=fail (p=none) header.from=partner.example",
        extra=LIST,
    )
    assert found == []


def test_list_does_not_excuse_a_dmarc_failure_without_the_posters_signature() -> None:
    found = ours(
        "spf=pass smtp.mailfrom=devs-bounces@lists.proj.example;"
        " dmarc=fail (p=none) header.from=partner.example",
        extra="List-Id: Devs <devs.lists.proj.example>\n",
    )
    assert ids(found) == ["AUTH_DMARC_FAIL_POLICY_NONE"]


def test_list_does_not_excuse_a_dmarc_failure_under_an_enforcing_policy() -> None:
    found = ours(
        "spf=pass smtp.mailfrom=devs-bounces@lists.proj.example;"
        " dkim=fail header.d=partner.example; dmarc=fail (p=reject) header.from=partner.example",
        extra=LIST,
    )
    assert ids(found) == ["AUTH_DMARC_FAIL"]


def test_list_host_signing_with_its_providers_domain_counts_as_the_list() -> None:
    # The list server signs List-Id with its hosting provider's key (lists.ettus.com via
    # emwd.com in the corpus); that verified signature shows the list sent it.
    extra = LIST + (
        "DKIM-Signature: v=1; a=rsa-sha256; d=host.example; s=h1;\n"
        " h=From:To:Subject:List-Id:List-Post; bh=x; b=y\n"
    )
    found = ours(
        "dkim=pass header.d=host.example header.s=h1; dkim=fail header.d=partner.example;"
        " spf=none smtp.mailfrom=devs-bounces@lists.proj.example;"
        " dmarc=fail (p=none) header.from=partner.example",
        extra=extra,
    )
    assert found == []
    # The same provider signature without List-Id in h= proves nothing about the list.
    unsigned = extra.replace("List-Id:List-Post", "Date")
    found = ours(
        "dkim=pass header.d=host.example header.s=h1; dkim=fail header.d=partner.example;"
        " spf=none smtp.mailfrom=devs-bounces@lists.proj.example;"
        " dmarc=fail (p=none) header.from=partner.example",
        extra=unsigned,
    )
    assert ids(found) == ["AUTH_DMARC_FAIL_POLICY_NONE"]


# ------------------------------------------------------------------ real list mail


AUTH_IDS = frozenset(auth_failure.emits)


@pytest.mark.corpus
def test_list_mail_is_quiet_when_nothing_is_trusted() -> None:
    loud = [name for name, f in messages("list_usrp_users") if auth_failure(f, NOTHING)]
    assert loud == []


@pytest.mark.corpus
def test_list_mail_with_trust_microsoft(capsys: pytest.CaptureFixture[str]) -> None:
    """The archive's mailbox is not on Exchange Online, so the unlabelled headers in it are
    the senders' own tenants' (below the list's hops): none may count as ours."""
    ctx = Context(config=EngineConfig.build(trust_microsoft=True))
    total = 0
    loud: list[tuple[str, list[str]]] = []
    for name, f in messages("list_usrp_users"):
        total += 1
        found = [h.id for h in auth_failure(f, ctx) if h.id in AUTH_IDS]
        if found:
            loud.append((name, found))
    with capsys.disabled():
        print(
            f"\nlist_usrp_users, trust_microsoft: {len(loud)}/{total} messages"
            f" ({100 * len(loud) / max(total, 1):.1f} %) with an AUTH_* finding"
        )
    assert total > 0
    assert loud == []


@pytest.mark.corpus
def test_list_mail_with_the_archives_own_boundary_trusted() -> None:
    """The mailbox that collected the archive receives at mail.lfdr.de: trusting it (and
    Microsoft) is the realistic configuration for this mail."""
    ctx = Context(
        config=EngineConfig.build(trusted_authserv_ids=["mail.lfdr.de"], trust_microsoft=True)
    )
    loud = [name for name, f in messages("list_usrp_users") if auth_failure(f, ctx)]
    assert loud == []
