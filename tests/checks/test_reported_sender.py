"""reported_sender: a message or a draft carrying a known fraud address, domain, account or
phone number gets a danger finding saying who reported it and when; a reporter's own open
report is shown to them alone; legitimate mail stays quiet with a full knowledge base."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import MappingProxyType

import pytest

from caveat.engine.engine import Engine
from caveat.engine.guard import Outgoing, RecipientGuard
from caveat.knowledge.context import Context
from caveat.knowledge.directory import Directory
from caveat.knowledge.shared import (
    Indicator,
    PendingReport,
    SharedKnowledge,
    account_ref,
    message_ref,
)
from caveat.mail.facts import Address
from caveat.mail.normalise import from_raw
from tests.corpus import HAM, messages

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
KEY = b"k" * 32
MKEY = b"m" * 32
ENGINE = Engine()
GUARD = RecipientGuard(ENGINE.catalogue)


def ind(kind: str, value: str, shown: str = "", **kw: object) -> Indicator:
    fields: dict[str, object] = {
        "note": "",
        "source": "report",
        "by": "Sam Shield <sec@ours.example>",
        "at": T0,
        "expires_at": None,
    }
    fields.update(kw)
    return Indicator(
        id=len(value),
        kind=kind,
        value=value,
        shown=shown or value,
        **fields,  # type: ignore[arg-type]
    )


def knowledge(
    *items: Indicator, pending: dict[str, tuple[PendingReport, ...]] | None = None
) -> SharedKnowledge:
    by_kind: dict[str, dict[str, tuple[Indicator, ...]]] = {}
    for i in items:
        by_kind.setdefault(i.kind, {})[i.value] = (*by_kind.get(i.kind, {}).get(i.value, ()), i)
    return SharedKnowledge(
        version=1,
        indicators=MappingProxyType({k: MappingProxyType(v) for k, v in by_kind.items()}),
        pending_reports=MappingProxyType(pending or {}),
        account_key=KEY,
        message_key=MKEY,
        phone_regions=frozenset({"GB", "DE"}),
    )


FULL = knowledge(
    ind("address", "billing@fraud-example.com", source="import", note="ISAC bulletin 7"),
    ind("domain", "evil-example.net"),
    ind("account", account_ref(KEY, "GB29NWBK60161331926819"), "GB29 **** 6819"),
    ind("account", account_ref(KEY, "60161331926819"), "GB29 **** 6819"),
    ind("phone", "+442079460958", source="verification"),
    ind("phone", "+493012345678"),
)


def message(
    *,
    sender: str = "Accounts <accounts@partner-example.com>",
    reply_to: str = "",
    to: str = "Bo <bo@ours.example>",
    cc: str = "",
    body: str = "Please find the invoice attached.",
    message_id: str = "<abc@partner-example.com>",
    extra: str = "",
) -> bytes:
    headers = [f"From: {sender}", f"To: {to}", "Subject: Invoice 42", f"Message-ID: {message_id}"]
    if reply_to:
        headers.append(f"Reply-To: {reply_to}")
    if cc:
        headers.append(f"Cc: {cc}")
    if extra:
        headers.append(extra)
    return ("\r\n".join(headers) + "\r\n\r\n" + body + "\r\n").encode()


def run(raw: bytes, k: SharedKnowledge = FULL, viewer: str | None = None, now: datetime = T0):
    facts = from_raw(raw)
    return ENGINE.analyze(facts, Context(knowledge=k, viewer=viewer, now=now + timedelta(days=1)))


def found(verdict, fid: str):  # type: ignore[no-untyped-def]
    return next((f for f in verdict.findings if f.id == fid), None)


@pytest.mark.parametrize(
    ("kw", "header"),
    [
        ({"sender": "Accounts <Billing@Fraud-Example.com>"}, "From"),
        ({"reply_to": "billing@fraud-example.com"}, "Reply-To"),
        ({"extra": "Return-Path: <billing@fraud-example.com>"}, "Return-Path"),
        ({"cc": "Billing <billing@fraud-example.com>"}, "Cc"),
    ],
)
def test_a_reported_address_anywhere_in_the_headers_is_danger(
    kw: dict[str, str], header: str
) -> None:
    verdict = run(message(**kw))
    f = found(verdict, "REPORTED_ADDRESS")
    assert f is not None and f.severity == "danger" and verdict.level == "danger"
    assert f.check == "reported_sender"
    assert f.evidence[0].header == header
    assert f.evidence[1].header == "Reported"
    assert "imported from a shared list" in f.evidence[1].value
    assert "Sam Shield <sec@ours.example>" in f.evidence[1].value
    assert (
        "2026-12-01 09:00 UTC" in f.evidence[1].value and "ISAC bulletin 7" in f.evidence[1].value
    )
    assert verdict.banner is not None and "reported as fraud" in verdict.banner.text
    assert "billing@fraud-example.com" in verdict.banner.text.lower()


def test_a_reported_domain_matches_its_subdomains_and_not_lookalikes_of_it() -> None:
    f = found(run(message(sender="x <ceo@mail.Evil-Example.net>")), "REPORTED_DOMAIN")
    assert f is not None and f.severity == "danger"
    assert [e.header for e in f.evidence][:2] == ["From", "Domain"]
    assert f.evidence[1].value == "evil-example.net"
    assert found(run(message(sender="x <ceo@notevil-example.net>")), "REPORTED_DOMAIN") is None
    assert found(run(message(sender="x <ceo@evil-example.net.ok.com>")), "REPORTED_DOMAIN") is None


def test_a_reported_account_in_the_body_is_danger_in_either_british_form() -> None:
    body = "Our new bank details: IBAN GB29 NWBK 6016 1331 9268 19. Please update your records."
    f = found(run(message(body=body)), "REPORTED_ACCOUNT")
    assert f is not None and f.severity == "danger"
    assert f.evidence[0].value == "GB29 **** 6819"
    body = "Please pay to sort code 60-16-13, account number 31926819 from now on."
    f = found(run(message(body=body)), "REPORTED_ACCOUNT")
    assert f is not None
    other = "Our bank details: IBAN DE89 3704 0044 0532 0130 00."
    assert found(run(message(body=other)), "REPORTED_ACCOUNT") is None


def test_a_known_fraud_account_speaks_for_a_bank_change_that_names_it() -> None:
    """A bank change naming a known fraud account gets the stronger banner: not "new bank
    details", but "a known fraud account"."""
    body = (
        "Dear customer, our bank details have changed. From today please pay all invoices "
        "to our new account: IBAN GB29 NWBK 6016 1331 9268 19. The old account is closed."
    )
    directory = Directory.of_records(
        [("Partner Ltd", ["partner-example.com"], [], ["DE89370400440532013000"], ())]
    )
    facts = from_raw(message(body=body))
    ctx = Context(directory=directory, knowledge=FULL, now=T0 + timedelta(days=1))
    verdict = ENGINE.analyze(facts, ctx)
    assert verdict.level == "danger"
    assert found(verdict, "BANK_DETAILS_CHANGED") is not None
    assert found(verdict, "REPORTED_ACCOUNT") is not None
    assert verdict.banner is not None and "known fraud account" in verdict.banner.text


def test_a_reported_phone_number_in_international_or_national_form() -> None:
    for written in ("+44 20 7946 0958", "020 7946 0958", "0044 20 7946 0958", "030 12345678"):
        f = found(run(message(body=f"Call me to confirm: {written}")), "REPORTED_PHONE")
        assert f is not None, written
        assert f.evidence[0].value.strip() == written
    assert found(run(message(body="Call me on +44 20 7946 0000")), "REPORTED_PHONE") is None
    f = found(run(message(body="Call +44 20 7946 0958")), "REPORTED_PHONE")
    assert "denied by the partner on a verification call" in f.evidence[1].value


def test_an_expired_indicator_counts_no_more() -> None:
    k = knowledge(ind("address", "a@fraud-example.com", expires_at=T0 + timedelta(hours=12)))
    raw = message(sender="a@fraud-example.com")
    assert found(run(raw, k, now=T0 - timedelta(days=1)), "REPORTED_ADDRESS") is not None
    assert found(run(raw, k, now=T0), "REPORTED_ADDRESS") is None


def test_the_reporters_open_report_shows_for_them_and_nobody_else() -> None:
    pending = PendingReport(7, message_ref(MKEY, "Abc@partner-example.com"), "x@y.example", T0)
    k = knowledge(pending={"oid-ana": (pending,)})
    raw = message(message_id="<Abc@partner-example.com>")
    f = found(run(raw, k, viewer="oid-ana"), "REPORTED_BY_YOU")
    assert f is not None and f.severity == "caution"
    assert "you reported this message as fraud" in f.evidence[0].value
    assert found(run(raw, k, viewer="oid-bo"), "REPORTED_BY_YOU") is None
    assert found(run(raw, k, viewer=None), "REPORTED_BY_YOU") is None
    # a later message from the sender reported
    by_sender = knowledge(
        pending={"oid-ana": (PendingReport(7, "0" * 64, "accounts@partner-example.com", T0),)}
    )
    f = found(run(message(message_id="<other@x>"), by_sender, viewer="oid-ana"), "REPORTED_BY_YOU")
    assert f is not None and "a message from accounts@partner-example.com" in f.evidence[0].value


def test_nothing_known_costs_nothing_and_says_nothing() -> None:
    raw = message(sender="billing@fraud-example.com", body="IBAN GB29 NWBK 6016 1331 9268 19")
    assert [
        f.id for f in run(raw, SharedKnowledge()).findings if f.check == "reported_sender"
    ] == []


# ------------------------------------------------------------------ the send-time guard


def addr(address: str, name: str = "") -> Address:
    local, _, domain = address.partition("@")
    return Address(name, address, local, domain)


def test_a_draft_to_a_reported_address_or_domain_is_danger_naming_the_recipient() -> None:
    outgoing = Outgoing.build(
        user=addr("bo@ours.example", "Bo"),
        to=[addr("anna@partner-example.com", "Anna")],
        cc=[addr("billing@fraud-example.com", "Billing")],
        bcc=[addr("ceo@mail.evil-example.net")],
    )
    verdict = GUARD.check(outgoing, Context(knowledge=FULL, now=T0 + timedelta(days=1)))
    assert verdict.level == "danger"
    lines = {r.address: (r.level, r.findings) for r in verdict.recipients}
    assert lines["billing@fraud-example.com"] == ("danger", ("REPORTED_ADDRESS",))
    assert lines["ceo@mail.evil-example.net"] == ("danger", ("REPORTED_DOMAIN",))
    assert lines["anna@partner-example.com"] == ("none", ())
    f = found(verdict.verdict, "REPORTED_ADDRESS")
    assert "Sam Shield" in f.evidence[1].value
    assert found(verdict.verdict, "REPORTED_DOMAIN").evidence[0].header == "Bcc"
    assert verdict.verdict.banner is not None
    assert "billing@fraud-example.com" in verdict.verdict.banner.text
    quiet = Outgoing.build(user=addr("bo@ours.example"), to=[addr("anna@partner-example.com")])
    assert GUARD.check(quiet, Context(knowledge=FULL)).level == "none"


# ------------------------------------------------------------------ legitimate mail


@pytest.mark.corpus
@pytest.mark.parametrize("name", HAM)
def test_legitimate_mail_stays_quiet_with_a_full_knowledge_base(name: str) -> None:
    """Real legitimate mail, judged with indicators of every kind (phone numbers in the
    countries of these corpora too): no reported_sender finding at all."""
    k = knowledge(
        *FULL.indicators["address"]["billing@fraud-example.com"],
        ind("domain", "evil-example.net"),
        ind("account", account_ref(KEY, "DE89370400440532013000"), "DE89 **** 3000"),
        ind("phone", "+12025550143"),
        ind("phone", "+442079460958"),
    )
    k = SharedKnowledge(
        version=1,
        indicators=k.indicators,
        account_key=KEY,
        message_key=MKEY,
        phone_regions=frozenset({"US", "GB", "IE"}),
    )
    loud = []
    for file, facts in messages(name):
        verdict = ENGINE.analyze(facts, Context(knowledge=k, viewer="oid-ana"))
        loud += [(file, f.id) for f in verdict.findings if f.check == "reported_sender"]
    assert loud == []
