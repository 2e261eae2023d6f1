"""Swedish phrases of the bank_details_change check (data/bank_language/sv.toml)."""

from __future__ import annotations

import pytest

from caveat.reference.bank_language import language_cues, strip_quoted

POSITIVE = [
    "Betalning ska ske till nedanstående konto från och med nu.",
    "Observera att vi har nytt kontonummer.",
    "Vi vill informera om att våra bankuppgifter har ändrats.",
    "Vi har bytt bank och har fått nytt bankgironummer.",
    "Vårt nya bankgiro är 5050-1055.",
    "Ändring av bankuppgifter",
    "Från och med idag ska alla betalningar göras till kontot nedan.",
    "Framöver ber vi er betala in på följande konto.",
    "Vänligen betala fakturan till vårt nya konto hos Handelsbanken.",
    "Alla framtida betalningar ska göras till kontot nedan.",
    "Undantagsvis ber vi er betala denna faktura till följande konto.",
    "Betala inte längre till vårt gamla bankgiro.",
    "Vårt konto är tillfälligt spärrat på grund av en pågående revision.",
    "Det gamla kontot kan inte längre användas.",
    "Bifogat finner ni våra nya bankuppgifter.",
    "Mitt kontonummer har ändrats, de nya uppgifterna finns nedan.",
    "Vi har öppnat ett nytt företagskonto.",
    # typed without å, ä, ö
    "Vara bankuppgifter har andrats, betala till vart nya konto.",
]

NEGATIVE = [
    # banks writing to their own customers
    "Du kan ändra ditt kontonummer för utbetalningar i appen.",
    "Öppna ett nytt sparkonto idag och få 2 % ränta.",
    "Internetbanken är stängd för underhåll natten mot söndag.",
    # confirmations and ordinary invoices
    "Tack, vi har tagit emot er betalning.",
    "Bifogat finner ni faktura 2026-118. Betala till vårt bankgiro 5050-1055 inom 30 dagar.",
    "Betalning sker till bankgirot som anges på fakturan.",
    "Våra bankuppgifter är oförändrade.",
    "Våra bankuppgifter har inte ändrats, betala som vanligt.",
    "Här kommer en ny faktura för servicen i mars.",
    # passwords, addresses, phones
    "Ditt lösenord går ut om 5 dagar. Byt det i portalen.",
    "Ditt konto i kundportalen är spärrat efter tre misslyckade inloggningar.",
    "Vårt nya telefonnummer är 08-555 010 10.",
    "Vi har flyttat till Storgatan 12. Våra bankuppgifter är oförändrade.",
    "Fakturan är betald från vårt konto i Nordbanken.",
]

URGENCY = [
    "Det är brådskande, betalningen måste gå i dag.",
    "Fakturan är förfallen, betala omgående.",
    "Svara snarast möjligt.",
]
SECRECY = [
    "Detta är strikt konfidentiellt, säg inte något till kollegorna.",
    "Jag sitter i möte hela dagen, svara endast via mejl.",
    "Var diskret med detta.",
]


def test_records_needs_a_bank_identifier() -> None:
    cues = language_cues("Vänligen uppdatera era register. Tack på förhand.")
    assert cues.found("records")
    assert not cues.asks_change()
    assert cues.asks_change(identifier=True)


def test_strip_quoted_attribution() -> None:
    text = (
        "Tack, leveransen är planerad till torsdag.\n\n"
        "Den 2 mars 2026 kl. 10:00 skrev Anna Lind <anna.lind@leverantor.example>:\n"
        "Vi har bytt bank.\n"
    )
    out = strip_quoted(text)
    assert "torsdag" in out
    assert "bank" not in out
    assert not language_cues(out).asks_change()


def test_strip_quoted_outlook_header() -> None:
    text = (
        "Hej, beställningen är bekräftad.\n\n"
        "Från: Anna Lind <anna.lind@leverantor.example>\n"
        "Skickat: den 2 mars 2026 10:00\n"
        "Till: ap@buyer.example\n"
        "Ämne: Ändrade bankuppgifter\n\n"
        "Här är våra nya bankuppgifter.\n"
    )
    out = strip_quoted(text)
    assert "bekräftad" in out
    assert "bankuppgifter" not in out


def test_strip_quoted_original_message() -> None:
    text = (
        "Se nedan, vi tar det i morgon.\n"
        "-----Ursprungligt meddelande-----\n"
        "Vårt bankgiro har ändrats.\n"
    )
    out = strip_quoted(text)
    assert "morgon" in out
    assert "bankgiro" not in out


# The people and callback categories (caveat.checks.impersonation_people, caveat.checks.callback).
PEOPLE_AND_CALLBACK = [
    ("Jag vill ändra mitt lönekonto, sätt in min lön på mitt nya konto.", "payroll"),
    ("Kan du betala ut min lön till mitt nya konto från och med nästa månad?", "payroll"),
    ("Kan du köpa fem presentkort från Google Play? Skicka mig koderna.", "gift_cards"),
    ("Sitter du vid datorn? Jag behöver en liten tjänst.", "availability"),
    (
        "Vi behöver göra en brådskande betalning i dag, det är strikt konfidentiellt.",
        "confidential_wire",
    ),
    ("För att bekräfta de nya bankuppgifterna, ring 08-555 090 90.", "callback"),
    ("Ring vårt nya nummer till ekonomiavdelningen: 08-555 090 90.", "callback"),
]
# ... and the look-alikes: an invitation to call with questions, a bank's or shop's offer.
NOT_PEOPLE_AND_CALLBACK = [
    ("Vid frågor, kontakta oss på 08-555 010 10.", "callback"),
    ("Vi ringer dig i morgon om leveransen.", "callback"),
    ("Få lönen insatt på ett lönekonto hos oss och slipp avgifter.", "payroll"),
    ("Presentkort säljs i alla våra butiker.", "gift_cards"),
]


@pytest.mark.parametrize(("text", "category"), PEOPLE_AND_CALLBACK)
def test_people_and_callback_wording(text: str, category: str) -> None:
    assert language_cues(text).found(category), text


@pytest.mark.parametrize(("text", "category"), NOT_PEOPLE_AND_CALLBACK)
def test_not_people_or_callback_wording(text: str, category: str) -> None:
    assert not language_cues(text).found(category), text
