"""English phrases for a request to pay a new or changed bank account (en.toml)."""

from __future__ import annotations

from caveat.reference.bank_language import language_cues, strip_quoted
from tests.fixtures_runner import analyse, load_cases

POSITIVE = [
    "Please note that our bank details have changed with effect from 1 April 2026.",
    "Kindly be advised that our banking details have been updated. Please find the new details "
    "below.",
    "We have changed our bank, so please use the account below for all future payments.",
    "Please find attached our new bank details on company letterhead.",
    "Due to an ongoing audit, our account is currently on hold and cannot receive payments.",
    "Our usual account is temporarily unavailable, so please remit payment to the alternate "
    "account below.",
    "All future payments should be made to our new account with effect from 1 April 2026.",
    "Please do not send payment to our old account as it is no longer active.",
    "We are switching banks this month; the updated remittance details are attached.",
    "Hi Sarah, I've changed my bank account, can you pay the invoice into the new one?",
    "Our remittance information has been updated as shown on the attached invoice.",
    "Please kindly wire the outstanding balance to our new account details below.",
    "Subject: Change of bank details - Supplier Ltd",
    "Our previous account is no longer valid, please use the updated wire instructions.",
    "We are unable to receive payments into our Northgate Bank account at the moment.",
    "Going forward, payments should now be made to the following account.",
    "We've opened a new business account with another bank and would like all invoices settled "
    "there.",
    "Please update your vendor file with our new banking information, effective immediately.",
    "Our company's account is under review due to the annual audit, so we have provided an "
    "alternative account.",
    "Please be informed that we have moved our banking to a new provider. Kindly update your "
    "records with the account details below.",
    "Attached is our updated bank mandate form; please process the March payment to it.",
    "Kindly remit all outstanding invoices to our new bank account as detailed below.",
    "I have changed banks and need my salary paid into my new account from this month.",
    "We recently changed banks, and our old account will be closed at the end of the month.",
    "Please note our new IBAN and BIC below.",
    "Our account details are now as follows:",
    "Please make sure the payment goes to the new account and not the one on your system.",
    "Our bank account is currently undergoing an audit, so please hold off paying into it.",
    "Please note that we now bank elsewhere. Our new account details are attached.",
    "Please send the wire to the new account we provided; the old one has been closed.",
    "Our account has been frozen pending a tax review, so please use our alternative account.",
    "Payments to our old account will be returned.",
    "We can no longer accept payments into our previous bank account.",
    "Please be advised that our bank account details have been changed. Kindly update your "
    "records.",
    "Kindly note the change of our banking details; the new account is below.",
    "Can you update your system with our new account details before the next payment run?",
    "Note that our IBAN has changed.",
    "Our current bank account is being audited, so kindly make this payment to our secondary "
    "account.",
    "Attached is a letter confirming our new banking details, signed by our finance director.",
    # Wordings found missing in a review and added to en.toml:
    "The payment instructions on our invoices have changed. Please use the details below.",
    "Could you please update my direct deposit information before the next payroll run?",
    "We're updating our banking details on file with you.",
    "Be advised that our payment details changed last week.",
    "We have a new bank account. Kindly send the payment there.",
    "Due to a change in our banking arrangements, please remit to the account below.",
    "Please update the beneficiary details for Supplier Ltd to the ones below.",
    "Our bankers have changed and we have a new account number and sort code.",
    "Please ensure all payments from today are sent to our new account.",
    "We have recently updated our banking details, please see attached letter.",
    "Please pay invoice 4471 into the account below rather than our usual account, as it is "
    "temporarily frozen.",
    "Please make the payment for invoice SL-2026-0201 to our new account",
    "We have changed our bank to another provider.",
    # Wordings found missing in a second review: a new account named by its kind, a standing
    # instruction that starts now, a move of the banking, a closing bank account with a
    # redirection, a dated change, a one-off account for one payment:
    "Please find below our new operating account for all future payments.",
    "Effective immediately, all payments should be made to the account below.",
    "From now on, payments must go to our account at Harbour Bank.",
    "We have moved our banking to Harbour Bank; please send future payments there.",
    "Our account with Marlow Savings closes on Friday; kindly direct payments to the account "
    "below.",
    "Please note our bank details change from 1 June.",
    "For this invoice only, please pay into the account below.",
    "With immediate effect, invoices should be paid into our account at Kestrel Bank.",
    "Going forward, all future remittances are to be sent to the following account.",
    "Please find below our new collection account for the outstanding invoices.",
    "Our new business account details are attached.",
    "We are moving our banking to Kestrel Bank next month.",
    "Our bank details will change at the end of the month; the new account is shown below.",
    "Our bank account with Kestrel Bank will be closed on Friday.",
    "Our operating account closes on 30 June; the new one is attached.",
    "Just this once, please transfer the balance to the account below.",
    "Please pay into the account below this time only.",
]

NEGATIVE = [
    "You can change your bank details at any time in online banking under Settings.",
    "We've made it easier to update your bank details: simply log in to online banking and "
    "choose Profile.",
    "Important changes to our banking app: from 1 May you can manage your payees in one place.",
    "We have received your payment of £4,250.00. Thank you.",
    "Payment received with thanks. Your account is now up to date.",
    "The transfer to your account was completed on 12 March 2026.",
    "Your payment of $1,200.00 to account ending 6819 has been sent.",
    "Please pay to our usual account, IBAN GB29 NWBK 6016 1331 9268 19, within 30 days.",
    "Reminder: invoice 2026-118 is now past due. Please pay to the usual account.",
    "Please make your payment to the account shown on the invoice.",
    "The IBAN is on the invoice as always.",
    "Payment instructions are on page 2 of the invoice.",
    "Your password has been changed. If this wasn't you, please contact support.",
    "For security reasons your account has been temporarily locked. Please reset your password.",
    "My account is locked and I can't log in to the supplier portal.",
    "Your new account has been created. Log in with your email address.",
    "We have opened a new account for you on our customer portal.",
    "Your new online banking password must be at least 12 characters.",
    "We have moved offices. Please update your records with our new address: 12 Harbour "
    "Street, Leeds.",
    "Please update your records: our new phone number is 020 7946 0100.",
    "We have changed our delivery address for all orders.",
    "Important: we will never ask you to change our bank details by email.",
    "We never change our bank details by email. If you receive such a message, call us.",
    "Our new price list takes effect on 1 April; our bank details remain unchanged.",
    "Thank you for updating your bank details with us; the change will take effect within two "
    "working days.",
    "To update your payment details, log in to your account and select Billing.",
    "If your bank details change, please let us know in writing.",
    "Your account details have been updated as requested.",
    "Your direct debit mandate has been set up successfully.",
    "Your remittance advice for payment reference 88421 is attached.",
    "The annual audit is scheduled for next week; please have the ledgers ready.",
    "Due to the audit, we need copies of all invoices from 2025.",
    "Our new account manager, Ruth Evans, will be in touch shortly.",
    "Our account manager is currently on leave until Monday.",
    "Our accounts team will be closed on Monday for the bank holiday.",
    "We are changing our invoicing software; invoices will look different from next month.",
    "Please check that the account details on the invoice match those you hold on file.",
    # Near misses found in a review (negations, bank holidays, login accounts):
    "Our bank details have not changed; please continue to pay as usual.",
    "Due to the annual audit, the office will be closed on Friday.",
    "My account has been suspended and I can't log into the portal.",
    "Changes in banking hours over the Easter weekend.",
    "Update to banking fees from April 2026.",
    "We have changed our bank holiday opening hours.",
    # a new address, phone or contact, the bank details said to stay as they are
    "From 1 May Paul Grant is your contact in accounts receivable. Please update your records; "
    "our remittance details are unchanged.",
    "We have moved to 4 Dock Road, Leeds. Please update your records. Our bank details and VAT "
    "number stay the same.",
    "Please update your records with our new phone number, 0113 555 0199. There is no change to "
    "our bank details.",
    "Please update your records with our new postal address. Unchanged are our VAT number and "
    "bank details.",
    # an invoice's payment line, a payment run, other changes, other accounts, the payer's
    # account, and a "from today" or "going forward" that ends the sentence before
    "Please make payment to the account below within 30 days.",
    "Payment terms: 30 days net to our usual account.",
    "You can change your bank details in the app.",
    "From now on, payments to suppliers go out on Fridays.",
    "Effective immediately, our office hours change.",
    "Your customer account will be closed at the end of the month.",
    "We paid the invoice from our account at Kestrel Bank.",
    "Going forward, we will pay your invoices from our account at Kestrel Bank.",
    "Our new business account manager will be in touch next week.",
    "We have moved our accounts to a new bookkeeping system.",
    "Our account with you will be closed at the end of the year.",
    "If our bank details change, we will tell you by letter.",
    "Our new prices apply from today. Please make payment to the account below.",
    "Invoices will be sent by email going forward. Payments to the account below are due "
    "within 30 days.",
    "In future, please quote the invoice number with payments to the account below.",
    "For this order only, a 5% discount applies.",
    "Our current account closing balance was 5,000 pounds.",
]

URGENCY = [
    "Please process this payment urgently.",
    "This needs to be paid by end of day.",
    "The invoice is overdue, please settle it as soon as possible.",
    "Please treat this as a priority before the cut-off.",
    "The new details are effective immediately.",
]
SECRECY = [
    "Please keep this confidential until the announcement.",
    "I am in a board meeting all day, please do not call.",
    "I cannot take calls right now, reply by email only.",
    "Please handle this with discretion.",
    "Keep it between us for now, the team will be told next week.",
]


def test_update_your_records_needs_a_bank_identifier() -> None:
    cues = language_cues("Please update your records accordingly. Many thanks.")
    assert cues.found("records")
    assert not cues.asks_change()
    assert cues.asks_change(identifier=True)


def test_update_your_records_with_bank_details_named() -> None:
    cues = language_cues("Kindly update your vendor master with the bank details below.")
    assert cues.found("records")
    assert cues.asks_change()


def test_strip_quoted_attribution_line() -> None:
    text = (
        "Hi Oliver,\nthanks, the goods arrived this morning.\n\n"
        "On Tue, 10 Mar 2026 at 09:12, Oliver Hughes <oliver.hughes@supplier-uk.example> "
        "wrote:\n"
        "> Our bank details have changed.\n"
        "Please use our new account from now on.\n"
    )
    out = strip_quoted(text)
    assert "the goods arrived" in out
    assert "bank details" not in out
    assert "new account" not in out


def test_strip_quoted_outlook_header_block() -> None:
    text = (
        "Done, thanks.\n\n"
        "From: Oliver Hughes <oliver.hughes@supplier-uk.example>\n"
        "Sent: Tuesday, March 10, 2026 9:12 AM\n"
        "To: Accounts Payable <ap@buyer.example>\n"
        "Subject: New bank details\n\n"
        "Please use our new bank details for all future payments.\n"
    )
    out = strip_quoted(text)
    assert "Done, thanks." in out
    assert "new bank details" not in out
    assert not language_cues(out).asks_change()


def test_strip_quoted_original_message_line() -> None:
    text = (
        "The delivery notes are attached.\n-----Original Message-----\nWe have changed our bank.\n"
    )
    out = strip_quoted(text)
    assert "delivery notes" in out
    assert "changed our bank" not in out


def test_obfuscated_iban_is_named_masked_in_the_banner() -> None:
    """Full-width digits and zero-width spaces do not hide the new IBAN from the banner."""
    (case,) = [c for c in load_cases() if c.name == "bank_en/obfuscated-iban-change.eml"]
    raw = case.path.read_bytes().decode("utf-8")
    assert "\u200b" in raw and "\uff27\uff22\uff18\uff17" in raw  # ＧＢ８７, zero-width spaces
    verdict = analyse(case)
    assert verdict.level == "danger"
    assert verdict.banner is not None
    assert "GB87 **** 7104" in verdict.banner.text
