"""bank_details_change, callback lures (caveat.checks.callback): who asks you to call, which
number, and what the directory holds for them decide the finding.

Positive cases first, then how numbers on file compare, then each named exclusion (and the
disguise an attacker would put on to reach it), then real legitimate mail.
"""

from __future__ import annotations

from collections import Counter

import pytest

from caveat.checks.callback import NOT_ON_FILE, UNVERIFIED, callback_lure, may_call
from caveat.checks.findings import Verdict
from caveat.engine.engine import Engine
from caveat.knowledge.context import Context, EngineConfig
from caveat.knowledge.directory import Directory
from caveat.knowledge.memory import EMPTY, MemorySnapshot
from caveat.knowledge.partners_csv import parse_partners_csv
from caveat.mail.normalise import from_raw
from caveat.reference.bank_language import text_units, words_of

from ..corpus import HAM, messages

ENGINE = Engine()
CONFIG = EngineConfig.build(internal_domains=["buyer.example"])
HEADER = "organization,domain,contact_name,contact_email,contact_phone,bank_accounts,require_auth"
PARTNERS = f"""\
{HEADER}
Harbour Supplies Ltd,harbour-supplies.example,Harbour Accounts,accounts@harbour-supplies.example,\
+44 20 7946 0100,,
Nordwerk GmbH,nordwerk.example,Nordwerk Buchhaltung,buchhaltung@nordwerk.example,030 5550 2200,,
Officine Adriatiche Srl,officine-adriatiche.example,Amministrazione,\
amm@officine-adriatiche.example,\
02 5550 4400,,
Oak Trading,oak-trading.example,Oak Desk,desk@oak-trading.example,\
Tel 44 (0)20 7946 0200 (switchboard),,
Quiet Partner,quiet-partner.example,Quiet Accounts,accounts@quiet-partner.example,,,
"""
DIRECTORY = Directory(
    parse_partners_csv(PARTNERS).partners,
    internal_domains=CONFIG.internal_domains,
    freemail=CONFIG.freemail,
)
HARBOUR = "Harbour Accounts <accounts@harbour-supplies.example>"
LURE = "Our payment details are changing: please call our new treasury line on {n}."
CONFIRM = "Please call me on {n} to confirm the payment before Friday."


def auth(domain: str) -> str:
    return (
        f"Authentication-Results: mx.buyer.example; spf=pass smtp.mailfrom={domain}; "
        f"dkim=pass header.d={domain}; dmarc=pass header.from={domain}\n"
    )


def analyse(
    body: str,
    sender: str = HARBOUR,
    extra: str = "",
    memory: MemorySnapshot = EMPTY,
    directory: Directory = DIRECTORY,
) -> Verdict:
    raw = (
        f"{extra}From: {sender}\nTo: AP <ap@buyer.example>\nSubject: Payment run\n"
        f"Message-ID: <c1@x.example>\nDate: Mon, 2 Nov 2026 09:00:00 +0000\n"
        f'MIME-Version: 1.0\nContent-Type: text/plain; charset="utf-8"\n\n{body}\n'
    )
    ctx = Context(config=CONFIG, directory=directory, memory=memory)
    return ENGINE.analyze(from_raw(raw.encode()), ctx)


def callback(v: Verdict) -> set[str]:
    return {f.id for f in v.findings if f.id in (NOT_ON_FILE, UNVERIFIED)}


def finding(v: Verdict, fid: str):  # type: ignore[no-untyped-def]
    return next(f for f in v.findings if f.id == fid)


# ------------------------------------------------------------------ the lures


def test_partner_asks_to_call_a_new_treasury_line_that_is_not_on_file_is_danger() -> None:
    v = analyse(LURE.format(n="020 7946 0321"))
    assert v.level == "danger" and NOT_ON_FILE in callback(v)
    f = finding(v, NOT_ON_FILE)
    assert f.check == "bank_details_change"
    values = [e.value for e in f.evidence]
    assert '"call our new treasury line"' in values
    assert "020 7946 0321: not a number on file for Harbour Supplies Ltd" in values
    # the number on file is Verify sender's to show, not every reader's
    assert not any("7946 0100" in e for e in values)
    assert "7946 0100" not in f.explanation
    assert v.banner is not None and len(v.banner.text) <= 150


def test_the_banner_names_the_number_not_to_call() -> None:
    v = analyse("Please call me on 020 7946 0321 to confirm the new bank details.")
    assert v.banner is not None
    texts = [f.banner for f in v.findings if f.id == NOT_ON_FILE]
    assert texts and "020 7946 0321" in texts[0] and "Harbour Supplies Ltd" in texts[0]


def test_sender_not_in_directory_gets_caution_for_call_this_number() -> None:
    v = analyse(
        "Please call this number to confirm the transfer: 0161 496 0873.",
        sender="Finance <finance@globex.example>",
    )
    assert callback(v) == {UNVERIFIED}
    assert v.level in ("caution", "danger")


def test_partner_without_a_number_on_file_gets_caution() -> None:
    v = analyse(CONFIRM.format(n="0161 496 0555"), sender="Quiet <accounts@quiet-partner.example>")
    assert callback(v) == {UNVERIFIED}
    assert v.level == "caution"


def test_lookalike_of_a_partner_with_a_number_on_file_is_danger() -> None:
    v = analyse(
        CONFIRM.format(n="020 7946 0877"), sender="Accounts <accounts@harbour-suppl1es.example>"
    )
    assert NOT_ON_FILE in callback(v) and v.level == "danger"


def test_free_mail_showing_the_partners_name_is_danger() -> None:
    v = analyse(
        CONFIRM.format(n="020 7946 0877"), sender="Harbour Supplies Ltd <hs.accounts@gmail.com>"
    )
    assert NOT_ON_FILE in callback(v) and v.level == "danger"


def test_international_form_is_read_whatever_the_language() -> None:
    v = analyse("Please call me on +49 171 2345678 to confirm the payment.")
    assert NOT_ON_FILE in callback(v)


def test_german_lure_from_the_partner() -> None:
    body = "Zur Bestätigung der neuen Bankverbindung rufen Sie mich bitte unter 0171 2345678 an."
    v = analyse(body, sender="Buchhaltung <buchhaltung@nordwerk.example>")
    assert NOT_ON_FILE in callback(v)


def test_several_numbers_are_each_named() -> None:
    body = "Please call our new treasury line on 020 7946 0321 or 020 7946 0322 to confirm."
    f = finding(analyse(body), NOT_ON_FILE)
    phones = [e.value for e in f.evidence if e.header == "Phone"]
    assert len(phones) == 2


def test_quote_no_earlier_message_vouches_for_is_read() -> None:
    body = (
        "See below.\n\nOn Mon, 2 Nov 2026 at 09:12, Harbour <accounts@harbour-supplies.example> "
        "wrote:\n> " + LURE.format(n="020 7946 0456")
    )
    f = finding(analyse(body), NOT_ON_FILE)
    assert any("(quoted)" in e.value for e in f.evidence)


# ------------------------------------------------------------------ numbers on file


@pytest.mark.parametrize(
    ("sender", "number"),
    [
        (HARBOUR, "+44 20 7946 0100"),
        (HARBOUR, "020 7946 0100"),
        (HARBOUR, "0044 20 7946 0100"),
        ("Buchhaltung <buchhaltung@nordwerk.example>", "030 5550 2200"),
        ("Buchhaltung <buchhaltung@nordwerk.example>", "+49 30 5550 2200"),
        ("Amministrazione <amm@officine-adriatiche.example>", "+39 02 5550 4400"),
        ("Amministrazione <amm@officine-adriatiche.example>", "02 5550 4400"),
        # written with words, a country code without "+" and a "(0)" around it
        ("Desk <desk@oak-trading.example>", "020 7946 0200"),
        ("Desk <desk@oak-trading.example>", "+44 20 7946 0200"),
    ],
)
def test_the_number_on_file_in_any_form_is_quiet(sender: str, number: str) -> None:
    assert callback(analyse(CONFIRM.format(n=number), sender=sender)) == set()


def test_a_number_that_only_shares_the_last_digits_is_not_on_file() -> None:
    v = analyse(CONFIRM.format(n="+44 20 7946 0101"))
    assert NOT_ON_FILE in callback(v)


def test_on_file_for_another_partner_is_not_on_file_for_this_one() -> None:
    v = analyse(CONFIRM.format(n="+49 30 5550 2200"))
    assert NOT_ON_FILE in callback(v)


def test_the_number_on_file_beside_a_new_one_does_not_excuse_the_new_one() -> None:
    body = "Please call our new treasury line on 020 7946 0321 (or me on 020 7946 0100)."
    f = finding(analyse(body), NOT_ON_FILE)
    assert [e.value for e in f.evidence if e.header == "Phone"] == [
        "020 7946 0321: not a number on file for Harbour Supplies Ltd"
    ]


# ------------------------------------------------------------------ named exclusions


def test_no_number_near_the_request_is_quiet() -> None:
    assert callback(analyse("Please call our new treasury line to confirm the payment.")) == set()


def test_questions_footer_is_not_a_request() -> None:
    body = "If you have any questions about this invoice, call our accounts team on 0161 496 0100."
    assert callback(analyse(body)) == set()


def test_we_will_call_you_is_not_a_request() -> None:
    body = "We will call you on Friday to confirm the payment.\n\nMobile: 07700 900123"
    assert callback(analyse(body)) == set()


def test_fax_number_is_left_out() -> None:
    body = "Please call our new treasury line, details below.\nFax: 020 7946 0321"
    assert callback(analyse(body)) == set()
    body = "Please call our new treasury line, details below.\nTel: 020 7946 0321"
    assert NOT_ON_FILE in callback(analyse(body))


def test_negated_request_is_quiet_but_do_not_hesitate_is_an_invitation() -> None:
    body = "We will never ask you to call our new treasury line on 020 7946 0321."
    assert callback(analyse(body)) == set()
    body = "Do not hesitate to call our new treasury line on 020 7946 0321."
    assert NOT_ON_FILE in callback(analyse(body))
    body = "N'hésitez pas à m'appeler au 06 12 34 56 78 pour confirmer le changement de RIB."
    assert NOT_ON_FILE in callback(analyse(body))


def test_quote_the_conversation_said_before_is_not_read() -> None:
    lure = LURE.format(n="020 7946 0456")
    body = f"Thanks, noted.\n\nOn Mon, 2 Nov 2026, Harbour wrote:\n>\n> {lure}"
    seen = frozenset(u for u, _s, _e in text_units(lure))
    assert callback(analyse(body, memory=MemorySnapshot(available=True, seen_text=seen))) == set()
    assert NOT_ON_FILE in callback(analyse(body))


def test_our_own_authenticated_colleague_is_quiet_and_unauthenticated_is_not() -> None:
    body = CONFIRM.format(n="020 7946 0321")
    colleague = "Treasury <treasury@buyer.example>"
    assert callback(analyse(body, sender=colleague, extra=auth("buyer.example"))) == set()
    assert callback(analyse(body, sender=colleague)) == {UNVERIFIED}


def test_partners_authenticated_fraud_warning_is_quiet_only_when_authenticated() -> None:
    body = (
        'Fraudsters send emails in our name: "please call our new treasury line on '
        '020 7946 0999 before your next payment". This is fraud and was not sent by us.'
    )
    assert callback(analyse(body, extra=auth("harbour-supplies.example"))) == set()
    # the same words without our boundary vouching for the sender quiet nothing
    assert NOT_ON_FILE in callback(analyse(body))


def test_trusted_newsletter_from_a_stranger_is_quiet_and_marks_alone_are_not() -> None:
    body = CONFIRM.format(n="0161 496 0873")
    sender = "News <news@bank.example>"
    marks = "List-Unsubscribe: <https://bank.example/u>\nPrecedence: bulk\n"
    assert callback(analyse(body, sender=sender, extra=auth("bank.example") + marks)) == set()
    assert callback(analyse(body, sender=sender, extra=marks)) == {UNVERIFIED}


def test_precheck_reads_words_only() -> None:
    assert may_call(words_of("Please call our new treasury line on 020 7946 0321."))
    assert not may_call(words_of("Thanks for the invoice, see you on Monday."))


def test_ordinary_mail_costs_no_phone_reading() -> None:
    raw = b"From: a@b.example\nTo: c@d.example\nSubject: hi\n\nLunch on 020 7946 0321?\n"
    assert callback_lure(from_raw(raw), Context(config=CONFIG, directory=DIRECTORY)) == []


# ------------------------------------------------------------------ real legitimate mail


@pytest.mark.parametrize("name", HAM)
def test_real_mail_with_its_own_senders_as_partners_stays_quiet(name: str) -> None:
    """Each dataset's 30 most frequent sender domains become partners with a phone number
    on file that no message gives: a callback finding would be a false warning."""
    msgs = list(messages(name))
    top = Counter(f.author.domain for _, f in msgs if f.author and f.author.domain)
    rows = [
        f"Org {i},{d},Desk,desk@{d},+44 20 7946 0100,,"
        for i, (d, _) in enumerate(top.most_common(30))
        if d not in CONFIG.freemail
    ]
    directory = Directory(
        parse_partners_csv(HEADER + "\n" + "\n".join(rows) + "\n").partners,
        internal_domains=CONFIG.internal_domains,
        freemail=CONFIG.freemail,
    )
    ctx = Context(config=CONFIG, directory=directory)
    warned = [n for n, facts in msgs if callback_lure(facts, ctx)]
    assert warned == []
