"""English phrases of the plays beside vendor fraud (en.toml): payroll diversion, gift
cards, a callback to confirm, with the everyday mail that shares their words."""

from __future__ import annotations

import pytest

from caveat.reference.bank_language import language_cues

CASES = [
    # payroll: the pay going to another account, however it is put
    ("payroll", "Can you confirm my salary will be paid into the new account?", True),
    ("payroll", "Please make sure my pay goes to the new bank account from this month.", True),
    ("payroll", "I'd like my next paycheck deposited to a different account.", True),
    ("payroll", "Please change my direct deposit details before Friday.", True),
    ("payroll", "My salary is paid into the same account as before.", False),
    ("payroll", "The new account manager will be paid a salary in line with the band.", False),
    ("payroll", "Payroll runs on the 25th; payslips are in the portal.", False),
    # gift cards: buying them, or sending their codes or pictures of them
    ("gift_cards", "Scratch the back of each gift card and send me photos of the codes.", True),
    ("gift_cards", "Send me pictures of the back of the cards once you have them.", True),
    ("gift_cards", "Buy six Apple gift cards of $100 each for the clients.", True),
    ("gift_cards", "I sent you photos of the cards I bought for the party.", False),
    ("gift_cards", "Here is a scan of the code of conduct for new starters.", False),
    ("gift_cards", "The card reader in room 4 is broken again.", False),
    # callback: asked to call a number to confirm a payment or new details
    ("callback", "Did you manage to call +44 20 7946 0991 to confirm the new bank details?", True),
    ("callback", "Have you had a chance to phone our treasury line to verify the payment?", True),
    ("callback", "Please call me on 020 7946 0991 to confirm the new bank details.", True),
    ("callback", "Did you manage to call the plumber about the leak?", False),
    ("callback", "Could you call me when you have a minute?", False),
]


@pytest.mark.parametrize(("category", "text", "hit"), CASES)
def test_category_reads_its_wording(category: str, text: str, hit: bool) -> None:
    assert bool(language_cues(text).found(category)) is hit, text
