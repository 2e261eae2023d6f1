"""The paste-headers helper (caveat.service.header_probe) on real headers from the shared
corpus (a mailing list server, Google, Microsoft 365), read in place, and on hostile text."""

from __future__ import annotations

import time

import pytest

from caveat.engine.engine import Engine
from caveat.knowledge.context import Context, EngineConfig
from caveat.service import header_probe
from caveat.service.header_probe import MICROSOFT, Probe, ProbeError, probe
from tests.corpus import CORPUS

ENGINE = Engine()


def analyse(facts, config):  # type: ignore[no-untyped-def]
    return ENGINE.analyze(facts, Context(config=config))


def corpus_headers(relative: str, start: str | None = None) -> str:
    """A corpus message's text, from the line that starts with ``start`` when given (the
    headers as the server that wrote that line saw them)."""
    path = CORPUS / relative
    if not path.is_file():
        pytest.skip(f"corpus message {relative} not found (only beside ../shared)")
    text = path.read_bytes().decode("utf-8", "replace")
    if start is not None:
        text = text[text.index(start) :]
    return text


def run(text: str, **config: object) -> Probe:
    return probe(text, EngineConfig.build(**config), analyse)  # type: ignore[arg-type]


def only(p: Probe, header: str, writer: str) -> header_probe.Seen:
    found = [s for s in p.seen if s.header == header and s.authserv_id == writer]
    assert len(found) == 1, [(s.header, s.authserv_id) for s in p.seen]
    return found[0]


# ------------------------------------------------------------------ a mailing list server

LIST_RECEIVED = "ham/list_usrp_users/2026-07-02_7f16fea4ec0f.eml"  # mail.lfdr.de checked it
LIST_UPSTREAM = "ham/list_usrp_users/2023-10-26_51f7023b7c29.eml"  # only the list checked it


def test_list_mail_the_receiving_servers_own_results_are_the_ones_to_trust() -> None:
    p = run(corpus_headers(LIST_RECEIVED))
    assert p.receiving_host == "mail.lfdr.de"
    ours = only(p, "Authentication-Results", "mail.lfdr.de")
    assert ours.receiving and ours.hop is not None and ours.hop.by == "mail.lfdr.de"
    assert not ours.trusted_now and not ours.read_now
    assert p.suggestion == ours and ours.trust_key == "mail.lfdr.de"
    # Microsoft's ARC copy was written in the sender's tenant, hops before the list server
    arc = only(p, "ARC-Authentication-Results", "mx.microsoft.com")
    assert not arc.receiving and arc.trust_key == MICROSOFT
    assert arc.hop is not None and arc.hop.by.endswith("prod.outlook.com")
    # The chain: hop 1 is the first server, the last two lines are the receiving side's.
    assert [h.number for h in p.hops] == list(range(len(p.hops), 0, -1))
    assert [h.by for h in p.hops if h.receiving] == ["mail.lfdr.de", "mail.lfdr.de"]


def test_list_mail_trusting_the_receiving_server_shows_the_broken_signatures() -> None:
    p = run(corpus_headers(LIST_RECEIVED))
    assert p.now.believed is None  # nothing is believed now
    trusted = p.what_if("mail.lfdr.de")
    assert trusted is not None and trusted.believed is not None
    assert trusted.believed.writer == "mail.lfdr.de"
    assert "fail (aero.org)" in trusted.believed.dkim  # the list's footer broke it
    assert trusted.believed.dmarc.startswith("fail")
    # ... and list mail with a footer stays quiet: trusting it adds no warning
    assert trusted.level == "none" and trusted.same_as_now


def test_list_mail_once_trusted_it_is_read_and_not_offered_again() -> None:
    p = run(corpus_headers(LIST_RECEIVED), trusted_authserv_ids=["mail.lfdr.de"])
    ours = only(p, "Authentication-Results", "mail.lfdr.de")
    assert ours.trusted_now and ours.read_now and p.suggestion_trusted
    assert p.what_if("mail.lfdr.de") is None
    assert p.now.believed is not None and p.now.believed.writer == "mail.lfdr.de"


def test_list_servers_results_upstream_are_not_suggested_and_trusting_them_warns() -> None:
    p = run(corpus_headers(LIST_UPSTREAM))
    assert p.receiving_host == "mail.lfdr.de"
    listed = only(p, "Authentication-Results", "mm2.emwd.com")
    assert not listed.receiving
    assert listed.hop is not None and listed.hop.by == "mm2.emwd.com"
    assert p.suggestion is None  # the receiving side wrote none
    # Trusting the list server's results (not ours) would warn on legitimate list mail.
    upstream = p.what_if("mm2.emwd.com")
    assert upstream is not None and upstream.added
    assert p.now.level == "none" and upstream.level in ("caution", "danger")


# ------------------------------------------------------------------ Google

GOOGLE = "authres_vectors/rspamd_functional_messages/good_dkim_rspamd.eml"


def test_google_mx_google_com_is_found_and_suggested() -> None:
    p = run(corpus_headers(GOOGLE))
    assert p.receiving_host == "mx.google.com"
    google = only(p, "Authentication-Results", "mx.google.com")
    assert google.hop is not None and google.hop.by == "mx.google.com" and google.receiving
    assert p.suggestion == google
    assert ("spf", "pass", "vsevolod@rspamd.com") in {
        (r.method, r.result, r.about) for r in google.results
    }
    # The sender's own server wrote one too, before Google took the message in.
    sender = only(p, "Authentication-Results", "mail.highsecure.ru")
    assert not sender.receiving and sender.hop is None
    assert "mx.google.com" in p.receiving_keys and "mail.highsecure.ru" not in p.receiving_keys
    assert p.hops[-1].source == "mail.highsecure.ru"


def test_google_what_trusting_it_changes() -> None:
    p = run(corpus_headers(GOOGLE))
    assert p.now.believed is None
    trusted = p.what_if("mx.google.com")
    assert trusted is not None and trusted.believed is not None
    assert trusted.believed.spf == "pass (rspamd.com)"
    assert trusted.believed.dkim == ("pass (rspamd.com)",)
    # the suggestion is tried first
    assert p.what_ifs[0].trust_key == "mx.google.com"
    now_trusted = run(corpus_headers(GOOGLE), trusted_authserv_ids=["mx.google.com"])
    assert only(now_trusted, "Authentication-Results", "mx.google.com").read_now
    assert not only(now_trusted, "Authentication-Results", "mail.highsecure.ru").read_now


# ------------------------------------------------------------------ Microsoft 365

# The same real headers, from the line where Exchange Online took the message from the
# sender's own server: what that tenant's administrator would paste.
MS_MESSAGE = "ham/list_usrp_users/2020-10-20_c2c9647de08f.eml"
MS_TENANT_VIEW = "Received: from DM3PR12CA0077.namprd12.prod.outlook.com"


def test_microsoft_365_tenant_view_suggests_trusting_exchange_online() -> None:
    p = run(corpus_headers(MS_MESSAGE, MS_TENANT_VIEW))
    assert p.receiving_host.endswith("prod.exchangelabs.com")
    spf = only(p, "Received-SPF", "protection.outlook.com")
    assert spf.receiving and spf.trust_key == MICROSOFT
    assert spf.hop is not None and spf.hop.by.endswith("mail.protection.outlook.com")
    assert p.suggestion == spf
    # Exchange Online's ARC copy below the sender's on-premises servers is not ours.
    arc = only(p, "ARC-Authentication-Results", "mx.microsoft.com")
    assert not arc.receiving
    trusted = p.what_if(MICROSOFT)
    assert trusted is not None and trusted.label == "Trusting Exchange Online"
    assert trusted.believed is not None and trusted.believed.spf == "pass (osu.edu)"
    assert trusted.believed.header == "Received-SPF"


def test_microsoft_365_of_the_sender_is_never_read_even_with_trust_microsoft() -> None:
    whole = corpus_headers(LIST_UPSTREAM)
    p = run(whole)
    unlabelled = only(p, "Authentication-Results", "")
    assert unlabelled.trust_key == MICROSOFT and unlabelled.writer.startswith("Exchange Online")
    assert not unlabelled.receiving
    trusted = p.what_if(MICROSOFT)
    assert trusted is not None and trusted.believed is None and trusted.same_as_now
    on = run(whole, trust_microsoft=True)
    assert only(on, "Authentication-Results", "").trusted_now
    assert not only(on, "Authentication-Results", "").read_now


def test_the_unlabelled_exchange_header_of_the_receiving_tenant() -> None:
    text = corpus_headers(LIST_UPSTREAM, "Received: from BN2P110MB1747.NAMP110.PROD.OUTLOOK.COM (")
    p = run(text)
    assert p.suggestion is not None and p.suggestion.trust_key == MICROSOFT
    trusted = p.what_if(MICROSOFT)
    assert trusted is not None and trusted.believed is not None
    assert trusted.believed.writer == "Exchange Online (no authserv-id)"
    assert trusted.believed.dmarc == "none (action=none)"
    assert only(run(text, trust_microsoft=True), "Authentication-Results", "").read_now


# ------------------------------------------------------------------ synthetic route details


def test_an_internal_relay_keeps_the_receiving_side_going() -> None:
    text = (
        "Received: from gw.example.com (10.0.0.5) by mbx.example.com; Mon, 1 Jan 2024\n"
        "Authentication-Results: gw.example.com; spf=fail smtp.mailfrom=partner.test\n"
        "Received: from mail.partner.test (192.0.2.1) by gw.example.com; Mon, 1 Jan 2024\n"
        "Authentication-Results: mail.partner.test; spf=pass smtp.mailfrom=partner.test\n"
        "Received: from laptop by mail.partner.test; Mon, 1 Jan 2024\n"
        "From: Partner <billing@partner.test>\n"
        "To: ap@example.com\n"
        "Subject: invoice\n"
    )
    p = run(text, internal_domains=["example.com"])
    gw = only(p, "Authentication-Results", "gw.example.com")
    assert gw.receiving and gw.trusted_now and gw.read_now  # under an internal domain
    assert p.suggestion == gw and p.suggestion_trusted
    partner = only(p, "Authentication-Results", "mail.partner.test")
    assert not partner.receiving and partner.hop is not None
    assert partner.hop.by == "mail.partner.test"
    assert p.now.believed is not None and p.now.believed.spf == "fail (partner.test)"
    assert any(f.check == "auth_failure" for f in p.now.findings)
    # the boundary's header is read first: trusting the partner's server as well hides
    # nothing, because a header lower down never outranks it
    also = p.what_if("mail.partner.test")
    assert also is not None and also.same_as_now


def test_headers_without_any_results() -> None:
    p = run("Received: from a.test by b.test; now\nFrom: x@a.test\nSubject: hi\n")
    assert p.seen == () and p.suggestion is None and p.what_ifs == ()
    assert p.now.level in ("none", "info")


def test_what_ifs_are_bounded() -> None:
    lines = [
        f"Authentication-Results: mx{i}.test; spf=pass smtp.mailfrom=a.test" for i in range(30)
    ]
    p = run("\n".join([*lines, "From: a@a.test"]))
    assert len(p.seen) == 30
    assert len(p.what_ifs) == header_probe.MAX_WHAT_IFS


def test_a_whole_message_may_be_pasted_its_body_unread() -> None:
    body = "Authentication-Results: evil.test; spf=pass\n" * 5000  # 220 KB of body
    p = run("Authentication-Results: mx.test; spf=pass\nFrom: a@a.test\n\n" + body)
    assert [s.authserv_id for s in p.seen] == ["mx.test"]
    with pytest.raises(ProbeError, match="header block only"):
        run("From: a@a.test\n\n" + "x" * (header_probe.MAX_PROBE_BYTES * 16))


def test_a_line_of_spaces_does_not_end_the_header_block() -> None:
    # as the analysis reads a message: folding white space, not the end of the headers
    p = run("From: a@a.test\n \nAuthentication-Results: mx.test; spf=fail\n")
    assert [s.authserv_id for s in p.seen] == ["mx.test"]


def test_only_the_header_block_is_read() -> None:
    text = (
        "From: a@a.test\nSubject: hi\n\n"
        "Authentication-Results: evil.test; spf=pass smtp.mailfrom=a.test\n"
    )
    assert run(text).seen == ()


# ------------------------------------------------------------------ hostile input


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "empty"),
        ("   \r\n\t ", "empty"),
        ("x" * (header_probe.MAX_PROBE_BYTES + 1), "at most"),
        ("é" * (header_probe.MAX_PROBE_BYTES // 2 + 1), "at most"),  # counted in UTF-8 bytes
        ("PK\x03\x04\x14\x00\x00\x00binary", "control character"),
        ("From: a@a.test\nSubject: \x00hidden\n", "control character (U+0000) on line 2"),
        ("hello, this is not a header\nnor is this one\n", "No header could be read"),
        ("\ufffd" * 40 + ": x\n", "not readable text"),
    ],
)
def test_text_that_is_not_a_header_block_is_refused_clearly(text: str, says: str) -> None:
    with pytest.raises(ProbeError) as caught:
        run(text)
    assert says in str(caught.value)


def test_more_received_lines_or_results_than_a_delivered_message_has_are_refused() -> None:
    hops = "\n".join(f"Received: from a{i}.test by b{i}.test" for i in range(101))
    with pytest.raises(ProbeError, match="at most 100"):
        run(hops + "\nFrom: a@a.test\n")
    results = "\n".join(f"Authentication-Results: m{i}.test; spf=pass" for i in range(101))
    with pytest.raises(ProbeError, match="at most 100"):
        run(results + "\nFrom: a@a.test\n")


def test_the_most_a_paste_may_hold_is_read_quickly() -> None:
    lines = []
    for i in range(header_probe.MAX_RECEIVED):
        lines.append(f"Received: from a{i}.example{i}.test by mx{i}.example{i}.test; now")
        lines.append(f"Authentication-Results: mx{i}.example{i}.test; spf=fail")
    started = time.perf_counter()
    p = run("\n".join([*lines, "From: a@a.test"]))
    assert time.perf_counter() - started < 3.0  # about 0.1 s; every pair once was 22 s
    assert len(p.seen) == header_probe.MAX_RESULTS_HEADERS
    assert len(p.what_ifs) == header_probe.MAX_WHAT_IFS


def test_too_many_recipients_is_refused_as_a_probe_error() -> None:
    to = ", ".join(f"p{i}@a.test" for i in range(600))
    with pytest.raises(ProbeError, match="cannot be read"):
        run(f"From: a@a.test\nTo: {to}\n")


def test_header_names_that_only_look_like_results_are_not_read() -> None:
    text = (
        # a Cyrillic A: another header's name
        "\u0410uthentication-Results: evil.test; spf=pass smtp.mailfrom=a.test\n"
        # a space in the name: not a header line at all
        "Authentication Results: evil.test; spf=pass\n"
        # markup in a name is a name (RFC 5322 allows it), shown as text, never run
        "<script>alert(1)</script>: x\n"
        # a folded line belongs to the Received line above it
        "Received: from a.test by b.test\n"
        "\tAuthentication-Results: evil.test; spf=pass\n"
        "From: a@a.test\n"
    )
    p = run(text)
    assert p.seen == ()
    assert len(p.hops) == 1 and p.hops[0].by == "b.test"


def test_long_values_are_cut_for_display() -> None:
    value = "mx.test; spf=pass smtp.mailfrom=" + "a" * 5000 + ".test"
    p = run(f"Authentication-Results: {value}\nFrom: a@a.test\n")
    assert len(p.seen[0].value) <= header_probe.SHOWN_CHARS
    assert all(len(r.about) <= 120 for r in p.seen[0].results)
