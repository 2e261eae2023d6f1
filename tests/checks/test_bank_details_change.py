"""bank_details_change: who asks, what is asked, and what is on file decide the finding.

Positive cases first, then the named exclusions, then real legitimate mail (the public
corpus), with each dataset's own frequent senders loaded as partners with made-up accounts.
"""

from __future__ import annotations

import json
import logging
from collections import Counter

import pytest

from caveat.checks.bank_details_change import bank_details_change
from caveat.checks.findings import Verdict
from caveat.engine.engine import Engine
from caveat.knowledge.context import Context, EngineConfig
from caveat.knowledge.directory import Directory
from caveat.knowledge.partners_csv import parse_partners_csv
from caveat.mail.normalise import from_raw

from ..corpus import HAM, messages

ENGINE = Engine()
CONFIG = EngineConfig.build(internal_domains=["buyer.example"])
GB_ON_FILE = "GB29 NWBK 6016 1331 9268 19"
GB_NEW = "GB60 BARC 2000 0055 7799 11"
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
) -> Verdict:
    raw = (
        f"From: {sender}\nTo: AP <ap@buyer.example>\nSubject: Invoice 2026-118\n"
        f"Message-ID: <m1@x.example>\nDate: Mon, 2 Mar 2026 09:00:00 +0000\n{extra}"
        f'MIME-Version: 1.0\nContent-Type: {content_type}; charset="utf-8"\n\n{body}\n'
    )
    ctx = Context(config=CONFIG, directory=directory)
    return ENGINE.analyze(from_raw(raw.encode()), ctx)


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


def test_quoted_request_in_a_reply_is_not_read() -> None:
    body = (
        "Thanks, we will look into it.\n\nOn Mon, 2 Mar 2026 at 09:00, Someone wrote:\n"
        f"> {CHANGE}\n> IBAN {GB_NEW}"
    )
    assert bank(analyse(body)) == set()


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


def test_bulk_mail_from_unknown_senders_is_not_judged() -> None:
    extra = "List-Unsubscribe: <mailto:leave@news.bank.example>\nPrecedence: bulk\n"
    body = f"We have changed our bank. Our new IBAN is {GB_NEW}."
    assert bank(analyse(body, sender="Bank <news@bank.example>", extra=extra)) == set()


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
