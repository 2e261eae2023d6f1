from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caveat.knowledge.context import EngineConfig
from caveat.mail.authres import (
    AuthResults,
    MethodResult,
    parse_authres,
    parse_received_spf,
    trusted_auth,
)
from caveat.mail.facts import Facts
from caveat.mail.normalise import from_payload

# The two header samples of ../shared/seed (Trend Micro's B2B BEC write-up), unfolded.
SEED_ARC_2 = (
    "i=2; mx.microsoft.com 1; spf=softfail (sender ip is 11.22.33.44)"
    " smtp.rcpttodomain=PartnerA.com smtp.mailfrom=PartnerB.com;"
    " dmarc=fail (p=none sp=none pct=100) action=none header.from=PartnerB.com;"
    " dkim=none (message not signed); arc=pass (0 oda=0 ltdi=0 93)"
)
SEED_ARC_1 = (
    "i=1; rspamd-587694846-cqc8b; auth=pass"
    " smtp.auth=spamcontrol26 smtp.mailfrom=finance-person@PartnerB.com"
)
SEED_AR_1 = (
    "spf=softfail (sender IP is xx.yy.aa.bb) smtp.mailfrom=PartnerB.com;"
    " dkim=none (message not signed) header.d=none;dmarc=fail action=none"
    " header.from=PartnerB.com;compauth=other reason=501"
)
SEED_SPF_1 = (
    "SoftFail (protection.outlook.com: domain of transitioning PartnerB.com discourages"
    " use of xx.yy.aa.bb as permitted sender)"
)
SEED_AR_2 = (
    "spf=pass (sender IP is xx.yy.aa.bb) smtp.mailfrom=compromised.email.server;"
    " dkim=none (message not signed) header.d=none;dmarc=fail action=none"
    " header.from=PartnerB.com;compauth=fail reason=001"
)
SEED_SPF_2 = (
    "Pass (protection.outlook.com: domain of compromised.email.server designates"
    " xx.yy.aa.bb as permitted sender) receiver=protection.outlook.com;"
    " client-ip=xx.yy.aa.bb; helo=smtp116.sub.emailsrvr.tld; pr=C"
)


def pairs(parsed: AuthResults) -> list[tuple[str, str]]:
    return [(r.method, r.result) for r in parsed.results]


# ------------------------------------------------------------------ RFC 8601 forms


def test_authserv_id_and_no_results() -> None:
    parsed = parse_authres("mx.example.org; none")
    assert parsed.authserv_id == "mx.example.org"
    assert parsed.results == ()
    assert parsed.instance is None


def test_authserv_id_with_version_and_several_methods() -> None:
    parsed = parse_authres(
        "mx.example.org 1; auth=pass (cram-md5) smtp.auth=sender@example.net;"
        " spf=pass smtp.mailfrom=example.net; sender-id=pass header.from=example.net"
    )
    assert parsed.authserv_id == "mx.example.org"
    assert pairs(parsed) == [("auth", "pass"), ("spf", "pass"), ("sender-id", "pass")]
    auth = parsed.results[0]
    assert auth.comment == "cram-md5"
    assert auth.prop("smtp.auth") == "sender@example.net"
    assert parsed.results[1].prop("SMTP.MailFrom") == "example.net"


def test_two_dkim_results_keep_their_own_comments_and_props() -> None:
    parsed = parse_authres(
        "mail-router.example.net; dkim=pass (good signature) header.d=newyork.example.com"
        " header.b=oINEO8hg; dkim=fail (bad signature) header.d=newyork.example.com"
        " header.b=EToRSuvU"
    )
    good, bad = parsed.results
    assert (good.result, good.comment, good.prop("header.b")) == (
        "pass",
        "good signature",
        "oINEO8hg",
    )
    assert (bad.result, bad.comment, bad.prop("header.b")) == ("fail", "bad signature", "EToRSuvU")


def test_nested_comments_everywhere() -> None:
    parsed = parse_authres(
        "mx.example.org (front (primary) node); (before) dkim (m) = (r) pass"
        " (sig (2048-bit) ok) header.d (which) = example.org (done)"
    )
    assert parsed.authserv_id == "mx.example.org"
    [dkim] = parsed.results
    assert (dkim.method, dkim.result) == ("dkim", "pass")
    assert dkim.prop("header.d") == "example.org"
    assert "sig (2048-bit) ok" in dkim.comment


def test_quoted_strings_with_escapes_semicolons_and_parentheses() -> None:
    parsed = parse_authres(
        'mx.example.org; dkim=fail reason="bad; \\"very\\" bad (really)"'
        ' header.i=" odd \\"local\\"@example.org" header.d=example.org; spf=none'
    )
    dkim, spf = parsed.results
    assert dkim.reason == 'bad; "very" bad (really)'
    assert dkim.prop("header.i") == ' odd "local"@example.org'
    assert dkim.prop("header.d") == "example.org"
    assert (spf.method, spf.result) == ("spf", "none")


def test_quoted_authserv_id() -> None:
    parsed = parse_authres('"mx.example.org"; spf=pass smtp.mailfrom=example.org')
    assert parsed.authserv_id == "mx.example.org"
    assert pairs(parsed) == [("spf", "pass")]


def test_reason_with_comment_before_the_equals_sign() -> None:
    parsed = parse_authres(
        'mx.example.org 2; spf=fail reason (why) = "no (<>.%&! match" smtp.mailfrom=x.example'
    )
    [spf] = parsed.results
    assert spf.reason == "no (<>.%&! match"
    assert spf.prop("smtp.mailfrom") == "x.example"


def test_method_version_and_case_are_normalised() -> None:
    parsed = parse_authres("mx.example.org; DKIM/1=PASS header.d=Example.ORG")
    [dkim] = parsed.results
    assert (dkim.method, dkim.result) == ("dkim", "pass")
    assert dkim.prop("header.d") == "Example.ORG"  # values are kept as written


def test_srs_and_verp_addresses_keep_their_equals_signs() -> None:
    parsed = parse_authres(
        "mx.example.org; spf=pass smtp.mailfrom=bounce+47.80-ann=example.net@news.example.com"
    )
    assert (
        parsed.results[0].prop("smtp.mailfrom") == "bounce+47.80-ann=example.net@news.example.com"
    )


def test_missing_semicolon_between_results() -> None:
    parsed = parse_authres(
        "mx.example.org; dkim=pass header.d=a.example spf=fail smtp.mailfrom=b.example"
    )
    assert pairs(parsed) == [("dkim", "pass"), ("spf", "fail")]
    assert parsed.results[1].prop("smtp.mailfrom") == "b.example"


def test_authserv_id_without_semicolon() -> None:
    parsed = parse_authres("mx.example.org spf=pass smtp.mailfrom=example.org")
    assert parsed.authserv_id == "mx.example.org"
    assert pairs(parsed) == [("spf", "pass")]


def test_property_before_any_method_is_dropped() -> None:
    parsed = parse_authres("old.example; header.From=a@old.example; dkim=pass ( from old; );")
    assert pairs(parsed) == [("dkim", "pass")]
    assert parsed.results[0].comment == "from old;"


def test_dmarc_comment_and_policy_properties() -> None:
    parsed = parse_authres(
        "mx.google.example; dmarc=pass (p=NONE sp=QUARANTINE dis=NONE) header.from=example.org;"
        " dmarc=fail (policy=reject) header.from=example.net;"
        " dmarc=fail policy.dmarc=none header.from=example.com"
    )
    google, freebsd, bis = parsed.results
    assert (google.prop("p"), google.prop("sp"), google.prop("dis")) == (
        "none",
        "quarantine",
        "none",
    )
    assert freebsd.prop("policy") == "reject"
    assert bis.prop("policy.dmarc") == "none"


# ------------------------------------------------------------------ Microsoft's forms


def test_seed_exchange_online_header_without_authserv_id() -> None:
    parsed = parse_authres(SEED_AR_1)
    assert parsed.authserv_id == ""
    assert pairs(parsed) == [
        ("spf", "softfail"),
        ("dkim", "none"),
        ("dmarc", "fail"),
        ("compauth", "other"),
    ]
    spf, dkim, dmarc, compauth = parsed.results
    assert spf.comment == "sender IP is xx.yy.aa.bb"
    assert spf.prop("smtp.mailfrom") == "PartnerB.com"
    assert dkim.prop("header.d") == "none"
    assert dmarc.prop("action") == "none"
    assert dmarc.prop("header.from") == "PartnerB.com"
    assert compauth.reason == "501"


def test_seed_compromised_server_header() -> None:
    parsed = parse_authres(SEED_AR_2)
    assert pairs(parsed) == [
        ("spf", "pass"),
        ("dkim", "none"),
        ("dmarc", "fail"),
        ("compauth", "fail"),
    ]
    assert parsed.results[3].reason == "001"
    assert parsed.results[0].prop("smtp.mailfrom") == "compromised.email.server"


def test_seed_arc_authentication_results() -> None:
    parsed = parse_authres(SEED_ARC_2, "ARC-Authentication-Results")
    assert (parsed.instance, parsed.authserv_id) == (2, "mx.microsoft.com")
    assert pairs(parsed) == [
        ("spf", "softfail"),
        ("dmarc", "fail"),
        ("dkim", "none"),
        ("arc", "pass"),
    ]
    dmarc = parsed.results[1]
    assert (dmarc.prop("p"), dmarc.prop("sp"), dmarc.prop("pct"), dmarc.prop("action")) == (
        "none",
        "none",
        "100",
        "none",
    )
    first = parse_authres(SEED_ARC_1, "ARC-Authentication-Results")
    assert (first.instance, first.authserv_id) == (1, "rspamd-587694846-cqc8b")
    assert first.results[0].prop("smtp.auth") == "spamcontrol26"


def test_recipient_domain_between_results_is_not_an_authserv_id() -> None:
    # Exchange Online's outbound form: the recipient's domain sits where an authserv-id
    # would be, and again between results.
    parsed = parse_authres(
        "lists.example.org; dkim=none (message not signed) header.d=none;lists.example.org;"
        " dmarc=none action=none header.from=uni.example;"
    )
    assert parsed.authserv_id == ""
    assert pairs(parsed) == [("dkim", "none"), ("dmarc", "none")]


def test_trailing_semicolon_and_empty_sender_ip() -> None:
    parsed = parse_authres("spf=none (sender IP is ) smtp.mailfrom=a@uni.example; ")
    assert parsed.authserv_id == ""
    assert pairs(parsed) == [("spf", "none")]
    assert parsed.results[0].comment == "sender IP is"


def test_arc_instance_only_read_on_arc_headers() -> None:
    assert (
        parse_authres("i=3; mx.example.org; spf=pass", "ARC-Authentication-Results").instance == 3
    )
    assert parse_authres("mx.example.org; spf=pass", "ARC-Authentication-Results").instance is None


# ------------------------------------------------------------------ Received-SPF


def test_received_spf_seed_softfail_names_its_writer_from_the_comment() -> None:
    spf = parse_received_spf(SEED_SPF_1)
    assert spf is not None
    assert (spf.method, spf.result) == ("spf", "softfail")
    assert spf.prop("receiver") == "protection.outlook.com"
    assert spf.prop("smtp.mailfrom") == "PartnerB.com"


def test_received_spf_seed_pass_with_key_value_list() -> None:
    spf = parse_received_spf(SEED_SPF_2)
    assert spf is not None
    assert spf.result == "pass"
    assert spf.prop("receiver") == "protection.outlook.com"
    assert spf.prop("client-ip") == "xx.yy.aa.bb"
    assert spf.prop("helo") == "smtp116.sub.emailsrvr.tld"
    assert spf.prop("smtp.mailfrom") == "compromised.email.server"


def test_received_spf_rfc7208_form() -> None:
    spf = parse_received_spf(
        "fail (mybox.example.org: domain of myname@example.com does not designate"
        " 192.0.2.1 as permitted sender) receiver=mybox.example.org; client-ip=192.0.2.1;"
        ' envelope-from="myname@example.com"; helo=foo.example.com; identity=mailfrom'
    )
    assert spf is not None
    assert spf.result == "fail"
    assert spf.prop("receiver") == "mybox.example.org"
    assert spf.prop("smtp.mailfrom") == "myname@example.com"


def test_received_spf_without_comment_and_missing_semicolon() -> None:
    spf = parse_received_spf(
        "Pass client-ip=192.0.2.9 helo=mx.example.net; envelope-from=<b=x@example.net>"
    )
    assert spf is not None
    assert spf.prop("client-ip") == "192.0.2.9"
    assert spf.prop("helo") == "mx.example.net"
    assert spf.prop("smtp.mailfrom") == "b=x@example.net"
    assert spf.prop("receiver") is None


def test_received_spf_helo_identity() -> None:
    spf = parse_received_spf(
        "None (mx.example.org: domain of h.example.net does not designate 192.0.2.3 as"
        " permitted sender) receiver=mx.example.org; identity=helo; helo=h.example.net"
    )
    assert spf is not None
    assert spf.prop("smtp.helo") == "h.example.net"
    assert spf.prop("smtp.mailfrom") is None


@pytest.mark.parametrize("value", ["", "   ", "(only a comment)", "=pass", ";"])
def test_received_spf_without_result(value: str) -> None:
    assert parse_received_spf(value) is None


# ------------------------------------------------------------------ never raises


@pytest.mark.parametrize(
    "value",
    [
        "",
        ";;;",
        "(",
        "((((",
        ")",
        '"',
        '"\\',
        "\\",
        "=",
        "==;==",
        "a=",
        "a=;b",
        "x; dkim=",
        "x; dkim=pass header.d=",
        "x; dkim=pass (unterminated",
        'x; dkim=pass reason="unterminated',
        "i=",
        "i=99999999999999999999999999; x; spf=pass",
        "i=\u00b2; x; spf=pass",
        "x 1 2 3; spf=pass",
        "\x00\udcff; spf=pass",
        "x;" + "(" * 5000 + "spf=pass",
        "x;" + " dkim=pass" * 2000,
    ],
)
@pytest.mark.parametrize("header", ["Authentication-Results", "ARC-Authentication-Results"])
def test_hostile_values_parse(value: str, header: str) -> None:
    parsed = parse_authres(value, header)
    assert isinstance(parsed, AuthResults)
    for r in parsed.results:
        assert r.method == r.method.lower() and r.method
    parse_received_spf(value)


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(list('ab =;()"\\.@i1\t\n')) | st.characters(), max_size=200)
)
def test_any_text_parses(value: str) -> None:
    parsed = parse_authres(value, "ARC-Authentication-Results")
    assert parsed.raw == value
    assert all(isinstance(r, MethodResult) for r in parsed.results)
    parse_received_spf(value)


# ------------------------------------------------------------------ trust selection


def facts(headers: str, from_: str = "ceo@partner.example") -> Facts:
    return from_payload({"headers": headers, "from": {"name": "", "address": from_}})


OURS = EngineConfig.build(trusted_authserv_ids=["mx.ours.example"])
MICROSOFT = EngineConfig.build(trust_microsoft=True)


def test_nothing_configured_trusts_nothing() -> None:
    f = facts("Authentication-Results: mx.ours.example; dmarc=fail header.from=partner.example\n")
    assert trusted_auth(f, EngineConfig.build()) is None


def test_topmost_trusted_wins() -> None:
    f = facts(
        "Authentication-Results: mx.ours.example; dmarc=pass header.from=partner.example\n"
        "Received: from a by mx.ours.example; Thu, 6 Mar 2025 09:50:00 +0000\n"
        "Authentication-Results: mx.ours.example; dmarc=fail header.from=partner.example\n"
    )
    auth = trusted_auth(f, OURS)
    assert auth is not None
    assert auth.dmarc is not None and auth.dmarc.result == "pass"
    assert auth.source.authserv_id == "mx.ours.example"


def test_untrusted_authserv_id_above_or_below_is_ignored() -> None:
    f = facts(
        "Authentication-Results: mx.attacker.example; dmarc=pass header.from=partner.example\n"
        "Authentication-Results: mx.ours.example; spf=fail smtp.mailfrom=partner.example\n"
        "Authentication-Results: evil.example; dkim=pass header.d=partner.example\n"
    )
    auth = trusted_auth(f, OURS)
    assert auth is not None
    assert auth.dmarc is None and auth.dkim == ()
    assert auth.spf is not None and auth.spf.result == "fail"
    assert auth.sources == (auth.source,)


def test_only_untrusted_headers_means_no_results() -> None:
    f = facts(
        "Authentication-Results: mx.attacker.example; dmarc=fail header.from=partner.example\n"
    )
    assert trusted_auth(f, OURS) is None


def test_internal_domain_authserv_ids_are_trusted() -> None:
    f = facts("Authentication-Results: MX1.Ours.Example.; spf=pass smtp.mailfrom=partner.example\n")
    assert trusted_auth(f, EngineConfig.build(internal_domains=["ours.example"])) is not None


def test_headers_of_our_boundary_are_merged_topmost_result_first() -> None:
    f = facts(
        "Authentication-Results: mx.ours.example; dmarc=fail header.from=partner.example\n"
        "Authentication-Results: mx.ours.example; dkim=fail header.d=partner.example\n"
        "Authentication-Results: mx.ours.example; spf=pass smtp.mailfrom=partner.example;"
        " dmarc=pass header.from=partner.example\n"
    )
    auth = trusted_auth(f, OURS)
    assert auth is not None
    assert auth.dmarc is not None and auth.dmarc.result == "fail"
    assert [r.result for r in auth.dkim] == ["fail"]
    assert auth.spf is not None and auth.spf.result == "pass"
    assert len(auth.sources) == 3


def test_unlabelled_header_only_with_trust_microsoft() -> None:
    f = facts(f"Authentication-Results: {SEED_AR_1}\n", "finance-person@partnerb.com")
    assert trusted_auth(f, OURS) is None
    auth = trusted_auth(f, MICROSOFT)
    assert auth is not None
    assert auth.source.authserv_id == ""
    assert auth.compauth is not None and auth.compauth.reason == "501"


def test_exchange_online_header_below_a_foreign_hop_is_not_ours() -> None:
    # The sender's own Exchange Online wrote this before a list server relayed the message.
    f = facts(
        "Received: from mm.lists.example by mail.archive.example (Postfix);"
        " Fri, 21 Jun 2019 22:37:20 +0200\n"
        "Received: from x.outbound.protection.outlook.com by mm.lists.example;"
        " Fri, 21 Jun 2019 16:37:18 -0400\n"
        "Authentication-Results: spf=none (sender IP is ) smtp.mailfrom=a@uni.example;\n"
        "Received-SPF: None (protection.outlook.com: uni.example does not designate"
        " permitted sender hosts)\n"
    )
    assert trusted_auth(f, MICROSOFT) is None


def test_exchange_online_header_below_microsoft_and_internal_hops_is_ours() -> None:
    f = facts(
        "Received: from exch01 by mail.corp.local with mapi; Wed, 6 Nov 2024 12:31:49 +0000\n"
        "Received: from b by mbx.ours.example; Wed, 6 Nov 2024 12:31:48 +0000\n"
        "Received: from DB8PR01MB7001.eurprd01.prod.outlook.com (2603:10a6:10:2::15) by\n"
        " AM0PR01MB5678.eurprd01.prod.outlook.com with HTTPS; Wed, 6 Nov 2024 12:31:47 +0000\n"
        f"Authentication-Results: {SEED_AR_2}\n"
        f"Received-SPF: {SEED_SPF_2}\n"
        "Received: from smtp116.sub.emailsrvr.tld (203.0.113.116) by\n"
        " DB8PEPF00000002.mail.protection.outlook.com; Wed, 6 Nov 2024 12:33:00 +0000\n",
        "finance-person@partnerb.com",
    )
    config = EngineConfig.build(trust_microsoft=True, internal_domains=["ours.example"])
    auth = trusted_auth(f, config)
    assert auth is not None
    assert auth.received_spf is not None and auth.received_spf_raw == SEED_SPF_2
    assert auth.sender_ip() == "xx.yy.aa.bb"


def test_arc_fallback_takes_the_highest_trusted_instance() -> None:
    f = facts(
        "ARC-Authentication-Results: i=1; mx.ours.example; dmarc=pass header.from=partner.example\n"
        "ARC-Authentication-Results: i=3; mx.other.example;"
        " dmarc=pass header.from=partner.example\n"
        "ARC-Authentication-Results: i=2; mx.ours.example; dmarc=fail header.from=partner.example\n"
    )
    auth = trusted_auth(f, OURS)
    assert auth is not None
    assert auth.source.instance == 2
    assert auth.dmarc is not None and auth.dmarc.result == "fail"


def test_authentication_results_beat_arc() -> None:
    f = facts(
        f"ARC-Authentication-Results: {SEED_ARC_2}\nAuthentication-Results: {SEED_AR_1}\n",
        "finance-person@partnerb.com",
    )
    auth = trusted_auth(f, MICROSOFT)
    assert auth is not None
    assert auth.source.header == "Authentication-Results"


def test_microsoft_arc_header_when_no_authentication_results() -> None:
    f = facts(f"ARC-Authentication-Results: {SEED_ARC_2}\n", "finance-person@partnerb.com")
    assert trusted_auth(f, OURS) is None
    auth = trusted_auth(f, MICROSOFT)
    assert auth is not None
    assert auth.source.instance == 2
    assert auth.dmarc_policy() == "none"


def test_x_original_authentication_results_fallback() -> None:
    f = facts(
        "X-Original-Authentication-Results: mx.ours.example; spf=softfail"
        " smtp.mailfrom=partner.example\n"
    )
    auth = trusted_auth(f, OURS)
    assert auth is not None
    assert auth.source.header == "X-Original-Authentication-Results"
    assert auth.spf is not None and auth.spf.result == "softfail"


def test_received_spf_fallback() -> None:
    f = facts(f"Received-SPF: {SEED_SPF_1}\n", "finance-person@partnerb.com")
    assert trusted_auth(f, OURS) is None
    auth = trusted_auth(f, MICROSOFT)
    assert auth is not None
    assert auth.source.header == "Received-SPF"
    assert auth.spf is not None and auth.spf.result == "softfail"
    assert auth.spf_domain() == "partnerb.com"
    assert auth.sender_ip() == "xx.yy.aa.bb"
    assert auth.dmarc is None


def test_received_spf_from_a_trusted_receiver() -> None:
    value = (
        "Fail (mx.ours.example: domain of partner.example does not designate 192.0.2.1 as"
        " permitted sender) receiver=mx.ours.example; client-ip=192.0.2.1;"
        " envelope-from=<x@partner.example>"
    )
    f = facts(
        "Received-SPF: Pass (mx.attacker.example: domain of partner.example designates"
        " 192.0.2.1 as permitted sender) receiver=mx.attacker.example\n"
        f"Received-SPF: {value}\n"
    )
    auth = trusted_auth(f, OURS)
    assert auth is not None
    assert auth.received_spf_raw == value
    assert auth.spf is not None and auth.spf.result == "fail"
    assert auth.sender_ip() == "192.0.2.1"
    # protection.outlook.com is Microsoft's: trusted only with trust_microsoft
    f2 = facts(f"Received-SPF: {SEED_SPF_2}\n")
    assert trusted_auth(f2, OURS) is None


def test_from_domain_falls_back_to_dmarc_header_from() -> None:
    f = from_payload(
        {"headers": "Authentication-Results: mx.ours.example; dmarc=fail header.from=P.Example\n"}
    )
    auth = trusted_auth(f, OURS)
    assert auth is not None
    assert auth.from_domain == "p.example"


# ------------------------------------------------------------------ alignment and policy


def auth_for(value: str, from_: str):  # type: ignore[no-untyped-def]
    auth = trusted_auth(facts(f"Authentication-Results: mx.ours.example; {value}\n", from_), OURS)
    assert auth is not None
    return auth


@pytest.mark.parametrize(
    ("mailfrom", "from_", "aligned"),
    [
        ("bounce@mail.example.co.uk", "ann@example.co.uk", True),
        ("example.co.uk", "ann@news.example.co.uk", True),
        ("bounce@other.co.uk", "ann@example.co.uk", False),
        ("a@example.com", "ann@example.co.uk", False),
        ("a@city.kawasaki.jp", "ann@other.kawasaki.jp", False),
        ("<>", "ann@example.org", False),
    ],
)
def test_spf_relaxed_alignment_uses_the_public_suffix_list(
    mailfrom: str, from_: str, aligned: bool
) -> None:
    auth = auth_for(f"spf=pass smtp.mailfrom={mailfrom}", from_)
    assert auth.spf_aligned_pass() is aligned


def test_null_sender_aligns_through_helo() -> None:
    auth = auth_for("spf=pass smtp.mailfrom=<> smtp.helo=mx.example.org", "ann@example.org")
    assert auth.spf_aligned_pass()


@pytest.mark.parametrize(
    ("props", "from_", "aligned"),
    [
        ("header.d=mail.example.co.uk", "ann@example.co.uk", True),
        ("header.i=@example.co.uk", "ann@sales.example.co.uk", True),
        ("header.d=other.co.uk", "ann@example.co.uk", False),
        ("header.d=none", "ann@example.co.uk", False),
        ("header.d=esp.example header.i=@example.co.uk", "ann@example.co.uk", False),
    ],
)
def test_dkim_relaxed_alignment(props: str, from_: str, aligned: bool) -> None:
    auth = auth_for(f"dkim=pass {props}", from_)
    assert auth.dkim_aligned_pass() is aligned


def test_failed_dkim_never_aligns() -> None:
    auth = auth_for(
        "dkim=fail header.d=example.org; spf=softfail smtp.mailfrom=example.org", "a@example.org"
    )
    assert not auth.dkim_aligned_pass()
    assert not auth.spf_aligned_pass()


@pytest.mark.parametrize(
    ("dmarc", "from_", "policy", "not_enforced"),
    [
        ("dmarc=fail action=none header.from=p.example", "a@p.example", "", True),
        ("dmarc=fail action=oreject header.from=p.example", "a@p.example", "", False),
        ("dmarc=fail (p=reject sp=none) header.from=p.example", "a@p.example", "reject", False),
        ("dmarc=fail (p=reject sp=none) header.from=x.p.example", "a@x.p.example", "none", True),
        ("dmarc=fail (p=quarantine) header.from=x.p.example", "a@x.p.example", "quarantine", False),
        (
            "dmarc=fail (p=QUARANTINE pct=0) header.from=p.example",
            "a@p.example",
            "quarantine",
            True,
        ),
        ("dmarc=fail policy.dmarc=none header.from=p.example", "a@p.example", "none", True),
        ("dmarc=fail policy.published-domain-policy=reject", "a@p.example", "reject", False),
        ("dmarc=fail (policy=none)", "a@p.example", "none", True),
        ("dmarc=fail header.from=p.example", "a@p.example", "", False),
        ("spf=pass smtp.mailfrom=p.example", "a@p.example", "", False),
    ],
)
def test_dmarc_policy(dmarc: str, from_: str, policy: str, not_enforced: bool) -> None:
    auth = auth_for(dmarc, from_)
    assert auth.dmarc_policy() == policy
    assert auth.not_enforced() is not_enforced


def test_policy_text() -> None:
    f = facts(f"ARC-Authentication-Results: {SEED_ARC_2}\n", "a@partnerb.com")
    auth = trusted_auth(f, MICROSOFT)
    assert auth is not None
    assert auth.policy_text() == "p=none, sp=none, action=none"


def test_passes_lists_domains_that_passed() -> None:
    auth = auth_for(
        "spf=pass smtp.mailfrom=bounce@esp.example; dkim=pass header.d=esp.example;"
        " dkim=fail header.d=shop.example; dkim=pass header.d=none",
        "a@shop.example",
    )
    assert auth.passes() == [("spf", "esp.example"), ("dkim", "esp.example")]
