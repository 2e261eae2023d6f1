"""bank_details_change: who asks, what is asked, and what is on file decide the finding.

Positive cases first, then the named exclusions, then real legitimate mail (the public
corpus), with each dataset's own frequent senders loaded as partners with made-up accounts.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from caveat.checks.bank_details_change import bank_details_change
from caveat.checks.findings import Verdict
from caveat.cli import main
from caveat.engine.engine import Engine
from caveat.knowledge.context import Context, EngineConfig
from caveat.knowledge.directory import Directory
from caveat.knowledge.memory import EMPTY, MemorySnapshot
from caveat.knowledge.partners_csv import parse_partners_csv
from caveat.mail.facts import Attachment
from caveat.mail.normalise import from_raw
from caveat.reference.bank_language import text_units

from ..corpus import HAM, messages

ENGINE = Engine()
CONFIG = EngineConfig.build(internal_domains=["buyer.example"])
GB_ON_FILE = "GB29 NWBK 6016 1331 9268 19"
GB_NEW = "GB60 BARC 2000 0055 7799 11"
GB_OTHER = "GB82 WEST 1234 5698 7654 32"
DE_OURS = "DE44 5001 0517 5407 3249 31"
PARTNERS = f"""\
organization,domain,contact_name,contact_email,contact_phone,bank_accounts,require_auth
Supplier Ltd,supplier-uk.example,Oliver Hughes,oliver.hughes@supplier-uk.example,+44 1,{GB_ON_FILE},
New Partner,newpartner.example,Rita Lang,rita.lang@newpartner.example,+44 2,,
Buyer (us),buyer.example,Accounts,ap@buyer.example,+49 3,{DE_OURS},
"""
DIRECTORY = Directory(
    parse_partners_csv(PARTNERS).partners,
    internal_domains=CONFIG.internal_domains,
    freemail=CONFIG.freemail,
)
SUPPLIER = "Oliver Hughes <oliver.hughes@supplier-uk.example>"
CHANGE = "Please note that our bank details have changed."


def analyse(
    body: str,
    sender: str = SUPPLIER,
    extra: str = "",
    directory: Directory = DIRECTORY,
    content_type: str = "text/plain",
    memory: MemorySnapshot = EMPTY,
    attachments: tuple[Attachment, ...] = (),
    html: str = "",
    config: EngineConfig | None = None,
) -> Verdict:
    raw = (
        f"From: {sender}\nTo: AP <ap@buyer.example>\nSubject: Invoice 2026-118\n"
        f"Message-ID: <m1@x.example>\nDate: Mon, 2 Mar 2026 09:00:00 +0000\n{extra}"
        f'MIME-Version: 1.0\nContent-Type: {content_type}; charset="utf-8"\n\n{body}\n'
    )
    ctx = Context(config=config or CONFIG, directory=directory, memory=memory)
    facts = from_raw(raw.encode())
    if attachments or html:
        facts = replace(facts, attachments=attachments, body_html=html)
    return ENGINE.analyze(facts, ctx)


def ids(v: Verdict) -> set[str]:
    return {f.id for f in v.findings}


def bank(v: Verdict) -> set[str]:
    return {f.id for f in v.findings if f.check == "bank_details_change"}


def finding(v: Verdict, fid: str):  # type: ignore[no-untyped-def]
    return next(f for f in v.findings if f.id == fid)


# ------------------------------------------------------------------ known partner


def test_partner_asks_for_a_new_iban_is_danger_and_the_banner_names_it_masked() -> None:
    v = analyse(f"{CHANGE}\nNew IBAN: {GB_NEW}\nBIC: BARCGB22")
    assert v.level == "danger" and bank(v) == {"BANK_DETAILS_CHANGED"}
    assert v.banner is not None
    assert "GB60 **** 9911" in v.banner.text and "Supplier Ltd" in v.banner.text
    assert len(v.banner.text) <= 150
    f = finding(v, "BANK_DETAILS_CHANGED")
    values = [e.value for e in f.evidence]
    assert '"our bank details have changed"' in values
    assert "GB60 **** 9911: not on file" in values
    assert "BARCGB22" in values


def test_partner_changes_banks_without_naming_the_account() -> None:
    v = analyse("Our account is currently on hold due to an audit; new details are attached.")
    assert v.level == "danger" and bank(v) == {"BANK_DETAILS_CHANGED"}
    assert v.banner is not None and "a new account" in v.banner.text


def test_partner_quoting_an_unknown_account_without_asking_is_still_danger() -> None:
    """The partner has an account on file; a different one in an invoice is the change."""
    v = analyse(f"Invoice attached. Payment to IBAN {GB_NEW} within 30 days.")
    assert bank(v) == {"BANK_DETAILS_CHANGED"}


def test_invoice_quoting_the_account_on_file_is_a_quiet_note() -> None:
    v = analyse("Invoice attached. Payment to IBAN GB29NWBK60161331926819 within 30 days.")
    assert v.level == "info" and bank(v) == {"BANK_DETAILS_ON_FILE"}
    assert v.banner is not None and "match the account on file for Supplier Ltd" in v.banner.text


def test_partner_with_no_account_on_file_gets_a_note_not_a_warning() -> None:
    sender = "Rita Lang <rita.lang@newpartner.example>"
    v = analyse(f"Invoice attached. IBAN {GB_NEW}.", sender=sender)
    assert v.level == "info" and bank(v) == {"BANK_DETAILS_UNVERIFIED"}
    v = analyse(f"{CHANGE} IBAN {GB_NEW}.", sender=sender)
    assert v.level == "danger" and bank(v) == {"BANK_DETAILS_CHANGED"}


def test_domestic_account_matching_the_iban_on_file_is_on_file() -> None:
    v = analyse("Sort code 60-16-13, account number 31926819, as always.")
    assert bank(v) == {"BANK_DETAILS_ON_FILE"}


# ------------------------------------------------------------------ imitations


def test_lookalike_of_a_partner_domain() -> None:
    v = analyse(f"Please remit to IBAN {GB_NEW}.", sender="Oliver <oliver@suppiler-uk.example>")
    assert "BANK_DETAILS_CHANGED" in ids(v) and "LOOKALIKE_DOMAIN" in ids(v)
    assert "BEC_BANK_UNAUTHENTICATED" in ids(v)
    evidence = [e.value for e in finding(v, "BANK_DETAILS_CHANGED").evidence]
    assert any("imitates supplier-uk.example" in e for e in evidence)


def test_lookalike_of_our_own_domain() -> None:
    v = analyse(CHANGE, sender="CFO <cfo@buyre.example>")
    assert "BANK_DETAILS_CHANGED" in ids(v)
    assert finding(v, "BANK_DETAILS_CHANGED").title == "New bank details for your organisation"


def test_freemail_address_with_a_partner_contacts_name() -> None:
    v = analyse(f"{CHANGE} IBAN {GB_NEW}", sender="Oliver Hughes <oliver.h.uk@gmail.com>")
    assert "BANK_DETAILS_CHANGED" in ids(v) and v.level == "danger"


# ------------------------------------------------------------------ unknown senders


def test_unknown_sender_asking_is_caution() -> None:
    v = analyse(f"{CHANGE} IBAN {GB_NEW}", sender="Kontor <billing@kontor-nord.example>")
    assert v.level == "caution" and bank(v) == {"BANK_DETAILS_CHANGE_REQUEST"}
    assert v.banner is not None and "GB60 **** 9911" in v.banner.text


def test_colleague_asking_to_change_a_salary_account_is_caution_with_pressure() -> None:
    body = (
        "I have changed banks. Please update my payroll to the new bank details below "
        f"before Friday, it is urgent. Keep this confidential.\nIBAN {GB_NEW}"
    )
    v = analyse(body, sender="Dana Boss <dana.boss@buyer.example>")
    assert bank(v) >= {"BANK_DETAILS_CHANGE_REQUEST", "BANK_DETAILS_PRESSURE"}
    assert v.level in ("caution", "danger")
    pressure = [e.header for e in finding(v, "BANK_DETAILS_PRESSURE").evidence]
    assert "Urgency" in pressure and "Secrecy" in pressure


def test_unknown_sender_quoting_a_partner_account_on_file() -> None:
    v = analyse(f"Forwarding for approval: IBAN {GB_ON_FILE}", sender="x <x@elsewhere.example>")
    assert bank(v) == {"BANK_DETAILS_ON_FILE"}
    assert "Supplier Ltd" in finding(v, "BANK_DETAILS_ON_FILE").title


def test_unknown_sender_iban_without_request_is_a_note() -> None:
    v = analyse(f"Our IBAN is {GB_NEW}.", sender="Shop <orders@shop.example>")
    assert v.level == "info" and bank(v) == {"BANK_DETAILS_UNVERIFIED"}


# ------------------------------------------------------------------ composites


def test_new_bank_details_with_a_freemail_reply_to_is_unmistakably_danger() -> None:
    v = analyse(f"{CHANGE} IBAN {GB_NEW}", extra="Reply-To: Oliver <oliver.uk@gmail.com>\n")
    assert {"BANK_DETAILS_CHANGED", "REPLYTO_FREEMAIL", "BEC_BANK_DIVERSION"} <= ids(v)
    assert v.level == "danger"


def test_unknown_sender_request_with_a_freemail_reply_to_becomes_danger() -> None:
    v = analyse(
        CHANGE,
        sender="Kontor <billing@kontor-nord.example>",
        extra="Reply-To: Kontor <kontor.nord@gmail.com>\n",
    )
    assert "BEC_BANK_DIVERSION" in ids(v) and v.level == "danger"


# ------------------------------------------------------------------ named exclusions


QUOTED_REPLY = (
    "Thanks, we will look into it.\n\nOn Mon, 2 Mar 2026 at 09:00, Someone wrote:\n"
    f"> {CHANGE}\n> IBAN {GB_NEW}"
)


def test_a_quoted_request_that_no_earlier_message_said_is_the_senders() -> None:
    assert bank(analyse(QUOTED_REPLY)) == {"BANK_DETAILS_CHANGED"}


def test_a_quoted_request_the_conversation_said_before_is_not_read() -> None:
    seen = frozenset(u for u, _s, _e in text_units(f"{CHANGE}\nIBAN {GB_NEW}"))
    assert (
        bank(analyse(QUOTED_REPLY, memory=MemorySnapshot(available=True, seen_text=seen))) == set()
    )
    # Only what was said is discounted: a new account added to a real quote still counts.
    body = QUOTED_REPLY + f"\n> Or use IBAN {GB_OTHER}."
    v = analyse(body, memory=MemorySnapshot(available=True, seen_text=seen))
    assert bank(v) == {"BANK_DETAILS_CHANGED"}
    assert any("GB82 **** 5432: not on file (quoted)" == e.value for e in v.findings[0].evidence)


def test_our_own_account_quoted_back_is_never_new() -> None:
    v = analyse(f"We will pay your invoice to {DE_OURS} on Friday.")
    assert bank(v) == set()


def test_bare_account_number_counts_only_inside_a_request() -> None:
    assert bank(analyse("Your customer account number: 4711081522.")) == set()
    v = analyse(f"{CHANGE} New account number: 4711081522.")
    assert bank(v) == {"BANK_DETAILS_CHANGED"}
    assert "account ****1522: not on file" in [
        e.value for e in finding(v, "BANK_DETAILS_CHANGED").evidence
    ]


def test_bulk_mail_from_unknown_senders_is_quiet_only_when_our_boundary_vouches_for_it() -> None:
    marks = "List-Unsubscribe: <mailto:leave@news.bank.example>\nPrecedence: bulk\n"
    body = f"We have changed our bank. Our new IBAN is {GB_NEW}."
    sender = "Bank <news@bank.example>"
    # Written by the sender alone, the marks excuse nothing, and the evidence says why.
    v = analyse(body, sender=sender, extra=marks)
    assert bank(v) == {"BANK_DETAILS_CHANGE_REQUEST"}
    assert any(e.header == "List marks" for e in finding(v, "BANK_DETAILS_CHANGE_REQUEST").evidence)
    # Signed by the sender's own domain, as our boundary verified: a newsletter.
    vouched = "Authentication-Results: mx.buyer.example; dkim=pass header.d=bank.example\n"
    assert bank(analyse(body, sender=sender, extra=vouched + marks)) == set()


def test_bulk_headers_do_not_silence_a_known_partner() -> None:
    extra = "List-Unsubscribe: <mailto:x@supplier-uk.example>\n"
    assert "BANK_DETAILS_CHANGED" in bank(analyse(f"{CHANGE} IBAN {GB_NEW}", extra=extra))


def test_html_only_body_is_read() -> None:
    body = f"<p>{CHANGE}</p><table><tr><td>IBAN</td><td>{GB_NEW.replace(' ', '&nbsp;')}</td></tr>"
    v = analyse(body, content_type="text/html")
    assert bank(v) == {"BANK_DETAILS_CHANGED"}


def test_no_body_no_finding() -> None:
    assert bank(analyse("")) == set()


def test_too_long_a_banner_falls_back_to_the_level_text() -> None:
    long_name = "Supplier " + "Holding " * 20 + "Ltd"
    csv = PARTNERS.replace("Supplier Ltd,", f"{long_name},")
    d = Directory(parse_partners_csv(csv).partners, internal_domains=["buyer.example"])
    v = analyse(f"{CHANGE} IBAN {GB_NEW}", directory=d)
    assert v.level == "danger" and v.banner is not None
    assert v.banner.text == ENGINE.catalogue.levels["danger"].text


# ------------------------------------------------------------------ privacy


def test_full_account_and_body_never_leave_in_the_verdict_or_the_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "the shipment left on Tuesday"
    v = analyse(f"{CHANGE} {secret}. IBAN {GB_NEW}")
    out = json.dumps(v.to_dict())
    assert "GB60BARC20000055779911" not in out and "BARC 2000" not in out
    assert secret not in out
    assert secret not in caplog.text and "GB60" not in caplog.text


# ------------------------------------------------------------------ real legitimate mail


@pytest.mark.corpus
@pytest.mark.parametrize("name", HAM)
def test_real_mail_with_its_own_senders_as_partners_stays_quiet(name: str) -> None:
    """Each dataset's 30 most frequent sender domains become partners with an account on
    file that no message quotes: any bank-details finding at caution or above would be a
    false warning on real mail."""
    msgs = list(messages(name))
    top = Counter(f.author.domain for _, f in msgs if f.author and f.author.domain)
    rows = [
        f"Org {i},{d},,,,{GB_ON_FILE},"
        for i, (d, _) in enumerate(top.most_common(30))
        if d not in CONFIG.freemail
    ]
    csv = PARTNERS.splitlines()[0] + "\n"
    directory = Directory(
        parse_partners_csv(csv + "\n".join(rows) + "\n").partners, freemail=CONFIG.freemail
    )
    ctx = Context(config=CONFIG, directory=directory)
    loud = []
    for file, facts in msgs:
        for hit in bank_details_change(facts, ctx):
            if hit.id in ("BANK_DETAILS_CHANGED", "BANK_DETAILS_CHANGE_REQUEST"):
                loud.append((file, hit.id))
    assert loud == []


# ------------------------------------------------------------------ kind 3: sender-written quotes


FAKE_OUTLOOK_QUOTE = (
    "Hi, as agreed below, please proceed.\n\n"
    "From: Oliver Hughes <oliver.hughes@supplier-uk.example>\nSent: Monday, 2 March 2026\n"
    "To: Accounts Payable\nSubject: RE: Invoice 2026-118\n\n"
    f"As discussed on the phone, our new bank details: IBAN {GB_NEW}."
)


@pytest.mark.parametrize(
    "body",
    [
        FAKE_OUTLOOK_QUOTE,
        # a fake forward under one line of new text
        "FYI.\n\n---------- Forwarded message ---------\nFrom: Oliver Hughes\n\n"
        f"{CHANGE} Please pay invoice 2026-118 to IBAN {GB_NEW}.",
        # German attribution, German request
        "Wie besprochen.\n\nAm 02.03.2026 um 09:00 schrieb Buchhaltung:\n"
        f"> Unsere Bankverbindung hat sich geändert. Neue IBAN: {GB_NEW}",
        # French, with '>' lines only
        f"Comme convenu.\n> Nos coordonnées bancaires ont changé.\n> IBAN : {GB_NEW}",
    ],
)
def test_a_fake_quote_carrying_a_new_account_is_read_as_the_senders(body: str) -> None:
    v = analyse(body)
    assert v.level == "danger" and "BANK_DETAILS_CHANGED" in bank(v), [f.id for f in v.findings]
    evidence = [e.value for f in v.findings for e in f.evidence]
    assert any("matches no message Caveat saw" in e for e in evidence)


def test_quoted_change_language_alone_does_not_count() -> None:
    # A real reply quoting an announcement (whose original Caveat never saw), with no
    # account that is not on file: quote_language_alone.
    body = f"Noted, thank you.\n\nOn Mon, 2 Mar 2026, Someone wrote:\n> {CHANGE}"
    assert bank(analyse(body)) == set()
    body = f"Noted.\n\nOn Mon, 2 Mar 2026, Someone wrote:\n> {CHANGE}\n> IBAN {GB_ON_FILE}"
    assert bank(analyse(body)) == {"BANK_DETAILS_ON_FILE"}


def test_quoted_change_language_counts_from_a_sender_imitating_a_partner() -> None:
    body = f"As discussed.\n\nOn Mon, 2 Mar 2026, Oliver Hughes wrote:\n> {CHANGE}"
    v = analyse(body, sender="Oliver Hughes <oliver.hughes@supplier-uk.example.com>")
    assert "BANK_DETAILS_CHANGED" in bank(v)


def test_an_account_not_on_file_counts_in_a_quote_nothing_vouches_for() -> None:
    # The sender wrote the "quote" like the rest: a partner with an account on file whose
    # quoted "original" names another one has changed it, request or not.
    body = f"See below.\n\nOn Mon, 2 Mar 2026, Someone wrote:\n> Payment to IBAN {GB_NEW} received."
    assert bank(analyse(body)) == {"BANK_DETAILS_CHANGED"}
    # A partner with nothing on file: an account named without a request is a note.
    rita = "Rita Lang <rita.lang@newpartner.example>"
    assert bank(analyse(body, sender=rita)) == {"BANK_DETAILS_UNVERIFIED"}


# ------------------------------------------------------------------ kind 2: the HTML part


def multipart(plain: str, html: str) -> str:
    return (
        '--b\nContent-Type: text/plain; charset="utf-8"\n\n'
        f'{plain}\n--b\nContent-Type: text/html; charset="utf-8"\n\n{html}\n--b--'
    )


def test_a_plain_stub_does_not_hide_the_request_in_the_html_part() -> None:
    html = f"<p>{CHANGE}</p><p>IBAN {GB_NEW}</p>"
    for stub in (
        "This message contains HTML; please use an HTML mail reader.",
        "Invoice attached.",
    ):
        v = analyse(stub, html=html)
        assert bank(v) == {"BANK_DETAILS_CHANGED"}
        assert any("(in the HTML part)" in e.value for f in v.findings for e in f.evidence)


def test_a_plain_part_that_differs_from_the_html_is_read_with_it() -> None:
    plain = f"Invoice 2026-118. Please pay to IBAN {GB_ON_FILE}."
    html = f"<p>Invoice 2026-118. {CHANGE}</p><p>Please pay to IBAN {GB_NEW}.</p>"
    assert "BANK_DETAILS_CHANGED" in bank(analyse(plain, html=html))


def test_the_same_text_in_both_parts_is_read_once() -> None:
    plain = f"Invoice 2026-118. Please pay to IBAN {GB_ON_FILE}."
    v = analyse(plain, html=f"<p>{plain}</p>")
    assert bank(v) == {"BANK_DETAILS_ON_FILE"}
    assert not any("HTML part" in e.value for f in v.findings for e in f.evidence)


def test_hidden_text_breaking_an_iban_does_not_hide_it() -> None:
    html = (
        f"<p>{CHANGE}</p><p>IBAN GB60 BARC<span style='display:none'>0</span> 2000 0055"
        "<font style='font-size:0'>77</font> 7799 11</p>"
    )
    v = analyse("See the HTML version.", html=html)
    assert "GB60 **** 9911: not on file (in the HTML part)" in [
        e.value for f in v.findings for e in f.evidence
    ]


def test_a_hidden_copy_of_the_account_on_file_quiets_nothing() -> None:
    html = (
        f"<div style='display:none'>IBAN {GB_ON_FILE}. Our bank details never change.</div>"
        f"<p>{CHANGE}</p><p>IBAN {GB_NEW}</p>"
    )
    v = analyse("", html=html, content_type="text/html")
    assert bank(v) == {"BANK_DETAILS_CHANGED"}
    assert not any("on file for" in e.value for f in v.findings for e in f.evidence)


def test_an_iban_split_across_table_rows_with_labels_is_found() -> None:
    html = (
        f"<p>{CHANGE}</p><table><tr><td>IBAN (1/2)</td><td>GB60 BARC 2000</td></tr>"
        "<tr><td>IBAN (2/2)</td><td>0055 7799 11</td></tr></table>"
    )
    v = analyse("Please see the HTML version.", html=html)
    assert "GB60 **** 9911: not on file (in the HTML part)" in [
        e.value for f in v.findings for e in f.evidence
    ]


# ------------------------------------------------------------------ kind 1: attachments


def pdf_text(name: str, text: str) -> Attachment:
    return Attachment(name, "application/pdf", "pdf", 2000, text)


def test_a_new_account_only_in_an_attached_invoice_gets_the_level_of_the_body() -> None:
    body = "Please see the attached updated invoice."
    invoice = f"INVOICE 0815\nSupplier Ltd\n{CHANGE}\nIBAN {GB_NEW}"
    v = analyse(body, attachments=(pdf_text("invoice-0815.pdf", invoice),))
    w = analyse(f"{body}\n{invoice}")
    assert v.level == w.level == "danger"
    assert bank(v) == bank(w) == {"BANK_DETAILS_CHANGED"}
    values = [e.value for f in v.findings for e in f.evidence]
    assert "GB60 **** 9911: not on file (in invoice-0815.pdf)" in values
    assert any("(in invoice-0815.pdf)" in e and "bank details have changed" in e for e in values)


def test_an_attached_invoice_with_the_account_on_file_is_a_note() -> None:
    invoice = f"INVOICE 0815\nPlease pay to IBAN {GB_ON_FILE}"
    v = analyse("Invoice attached.", attachments=(pdf_text("invoice-0815.pdf", invoice),))
    assert bank(v) == {"BANK_DETAILS_ON_FILE"}


def test_an_enclosed_message_is_a_quote() -> None:
    enclosed = Attachment("fwd.eml", "message/rfc822", "text", 900, f"{CHANGE}")
    assert bank(analyse("FYI", attachments=(enclosed,))) == set()


# ------------------------------------------------------------------ kind 7: look-alikes


@pytest.mark.parametrize(
    "body",
    [
        f"Remittance advice: we have paid invoice 4471 from our account {GB_NEW} today.",
        f"Payment sent from IBAN {GB_NEW} for your invoice 4471.",
        f"Zahlungsavis: Rechnung 4471 wurde heute von unserem Konto {GB_NEW} überwiesen.",
        f"Avis de paiement : facture 4471 réglée depuis notre compte {GB_NEW}.",
        f"Hemos pagado la factura 4471 desde nuestra cuenta {GB_NEW}.",
    ],
)
def test_a_remittance_naming_the_paying_account_is_not_a_change(body: str) -> None:
    assert bank(analyse(body)) == set()


@pytest.mark.parametrize(
    "body",
    [
        f"We have paid invoice 4471 from our account {GB_NEW}. For future payments please "
        f"use our new account {GB_OTHER}.",
        f"Payment sent from IBAN {GB_NEW}. Note that our bank details have changed.",
        f"Wir haben von unserem Konto {GB_NEW} überwiesen. Bitte beachten Sie, dass sich "
        "unsere Bankverbindung geändert hat.",
    ],
)
def test_a_remittance_that_also_asks_for_a_new_account_is_a_change(body: str) -> None:
    assert "BANK_DETAILS_CHANGED" in bank(analyse(body))


@pytest.mark.parametrize(
    "body",
    [
        "We have moved. Our new address is 12 Harbour Road, Leeds. Please update your records.",
        "Our phone number is now +44 113 496 0000. Kindly update your records; our bank "
        "details remain unchanged.",
        "Neue Anschrift: Hafenstraße 3, Bremen. Bitte aktualisieren Sie Ihre Unterlagen. "
        "Unsere Bankverbindung bleibt unverändert.",
        "Nuestro nuevo teléfono es +34 91 555 0000. Por favor, actualicen sus registros; "
        "nuestros datos bancarios siguen sin cambios.",
    ],
)
def test_an_address_or_phone_update_is_not_a_bank_change(body: str) -> None:
    assert bank(analyse(body)) == set()


@pytest.mark.parametrize(
    "body",
    [
        f"Our new address is 12 Harbour Road, Leeds. Please update your records: IBAN {GB_NEW}.",
        "Neue Anschrift: Hafenstraße 3, Bremen. Bitte aktualisieren Sie Ihre Unterlagen, "
        f"auch die IBAN {GB_NEW}.",
    ],
)
def test_an_address_update_that_also_changes_the_iban_is_a_change(body: str) -> None:
    assert "BANK_DETAILS_CHANGED" in bank(analyse(body))


INTERNAL_AUTH = (
    "Authentication-Results: mx.buyer.example; spf=pass smtp.mailfrom=buyer.example; "
    "dkim=pass header.d=buyer.example; dmarc=pass header.from=buyer.example\n"
)
FORWARDED_FRAUD = (
    "Colleagues, this looks like fraud. Do not pay it.\n\n"
    "---------- Forwarded message ---------\nFrom: Oliver Hughes <o.hughes@supp1ier-uk.example>\n"
    f"\n{CHANGE} New IBAN: {GB_NEW}. Urgent."
)


def test_our_authenticated_finance_staff_forwarding_a_request_is_a_note() -> None:
    v = analyse(FORWARDED_FRAUD, sender="Finance <finance@buyer.example>", extra=INTERNAL_AUTH)
    assert bank(v) == {"BANK_DETAILS_REPORTED"} and v.level == "info"
    values = [e.value for f in v.findings for e in f.evidence]
    assert "GB60 **** 9911: not on file (quoted)" in values  # the request stays visible


def test_a_forward_from_our_domain_without_authentication_is_a_request() -> None:
    v = analyse(FORWARDED_FRAUD, sender="Finance <finance@buyer.example>")
    assert "BANK_DETAILS_CHANGE_REQUEST" in bank(v) and v.level in ("caution", "danger")
    failed = INTERNAL_AUTH.replace("spf=pass", "spf=fail").replace("dkim=pass", "dkim=fail")
    v = analyse(FORWARDED_FRAUD, sender="Finance <finance@buyer.example>", extra=failed)
    assert "BANK_DETAILS_CHANGE_REQUEST" in bank(v) and v.level in ("caution", "danger")


def test_an_outsider_posing_as_our_finance_staff_is_not_a_report() -> None:
    v = analyse(FORWARDED_FRAUD, sender="Finance Team <finance.buyer@outlook.example>")
    assert "BANK_DETAILS_CHANGE_REQUEST" in bank(v)


def test_our_authenticated_colleague_asking_in_their_own_words_is_a_request() -> None:
    body = f"Please update my salary account: {CHANGE} New IBAN {GB_NEW}."
    v = analyse(body, sender="Eva <eva@buyer.example>", extra=INTERNAL_AUTH)
    assert "BANK_DETAILS_CHANGE_REQUEST" in bank(v)


def test_a_partner_disowning_a_quoted_request_is_a_note_and_an_outsider_is_not() -> None:
    body = (
        "That message was not sent by us: please keep paying the account on our invoices.\n\n"
        f"On Mon, 2 Mar 2026, Accounts Payable wrote:\n> {CHANGE}\n> IBAN {GB_NEW}"
    )
    assert bank(analyse(body)) == {"BANK_DETAILS_REPORTED"}
    v = analyse(body, sender="Oliver <oliver.hughes@mailbox.example>")
    assert "BANK_DETAILS_CHANGE_REQUEST" in bank(v)


# ------------------------------------------------------------------ the memory, through caveat scan

THREAD = Path(__file__).resolve().parents[1] / "fixtures" / "fake_quotes" / "thread"
BANK_PARTNERS = THREAD.parents[1] / "directory" / "bank-partners.csv"


def test_scan_reads_a_nudge_quoting_a_warned_change_and_a_swapped_quote(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["--internal-domain", "buyer.example", "--directory", str(BANK_PARTNERS)]
    assert main(["scan", "--json", *args, str(THREAD)]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    levels = {Path(r["source"]).name: r["level"] for r in out}
    assert levels == {
        "1-announcement.eml": "danger",  # a change is a change, even a real one
        # "Did you receive this?" above the change, word for word: the first message drew
        # a warning, so what it said vouches for nothing (an impostor's nudge looks so)
        "2-real-reply.eml": "danger",
        "3-swapped-account-in-quote.eml": "danger",  # the quote's account was never said
    }
    # Alone (no memory: the first message of the thread Caveat sees) the real reply's quote
    # is the sender's text like any other.
    assert main(["scan", "--json", *args, str(THREAD / "2-real-reply.eml")]) == 0
    alone = json.loads(capsys.readouterr().out)
    assert alone["level"] == "danger"


def test_a_customer_account_number_never_makes_update_your_records_a_request() -> None:
    body = (
        "Please update your records: our new address is 12 Harbour Road, Leeds. "
        "Your account no. 4711081522 with us stays the same."
    )
    assert bank(analyse(body)) == set()


def test_saying_the_details_are_unchanged_does_not_hide_an_account_not_on_file() -> None:
    # "unchanged" only keeps an "update your records" about an address or a phone from
    # being read as a request; an account that is not on file still counts.
    for body in (
        f"Please update your records. Our bank details are unchanged: IBAN {GB_NEW}.",
        f"There is no change to our bank details. Please pay to IBAN {GB_NEW}.",
    ):
        assert bank(analyse(body)) == {"BANK_DETAILS_CHANGED"}, body
    body = "Please update your records with our new phone number. Our bank details are unchanged."
    assert bank(analyse(body)) == set()
