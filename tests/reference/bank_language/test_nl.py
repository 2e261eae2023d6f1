"""Dutch phrases of the bank_details_change check (data/bank_language/nl.toml)."""

from __future__ import annotations

from caveat.reference.bank_language import language_cues, strip_quoted

POSITIVE = [
    "Hierbij delen wij u mee dat onze bankgegevens zijn gewijzigd.",
    "Ons rekeningnummer is per 1 april 2026 gewijzigd.",
    "Wij zijn overgestapt naar een andere bank. Graag voortaan betalen op onderstaand "
    "rekeningnummer.",
    "Wilt u de factuur voortaan overmaken naar ons nieuwe IBAN?",
    "Bijgaand vindt u onze nieuwe bankgegevens op briefpapier van het bedrijf.",
    "Onze bankrekening is tijdelijk geblokkeerd vanwege een lopende audit.",
    "In verband met een accountantscontrole kunnen wij momenteel geen betalingen ontvangen op "
    "onze vaste rekening.",
    "Gelieve niet langer te betalen op het oude rekeningnummer.",
    "Het oude IBAN is niet meer geldig, de nieuwe gegevens volgen per mail.",
    "Wij hebben een nieuwe zakelijke rekening geopend bij een andere bank.",
    "Hoi Pieter, we zijn van bank gewisseld, dus maak het bedrag over naar onze nieuwe rekening.",
    "Onderwerp: Wijziging van onze bankgegevens",
    "Het nieuwe rekeningnummer vindt u hieronder.",
    "Wij verzoeken u vriendelijk de betaling te voldoen op onze nieuwe bankrekening bij Bank "
    "Voorbeeld.",
    "Graag de wijziging verwerken in uw crediteurenadministratie; ons nieuwe IBAN staat in de "
    "bijlage.",
    "Gelieve voortaan over te schrijven op ons nieuw rekeningnummer.",
    "Wij wijzigen ons rekeningnummer per 1 mei; betalingen naar het huidige rekeningnummer "
    "worden vanaf dan geretourneerd.",
    "Wij hebben per 1 maart ons rekeningnummer gewijzigd.",
    "Wij hebben een nieuw rekeningnummer, de gegevens staan in de bijlage.",
    "Graag het bedrag overmaken naar het onderstaande nieuwe rekeningnummer.",
    # Wordings found missing in a second review:
    "Vanaf heden verzoeken wij u alle betalingen te voldoen op onderstaande rekening.",
    "Onze huidige rekening wordt per einde van de maand opgeheven.",
    "Ons nieuw rekeningnummer is NL91 ABNA 0417 1643 00.",
    "Met ingang van heden vragen wij u alle betalingen over te maken naar het onderstaande "
    "rekeningnummer.",
    "Ons rekeningnummer wordt per 1 juni opgeheven.",
    "Bij uitzondering verzoeken wij u deze factuur over te maken naar onderstaande rekening.",
]

NEGATIVE = [
    # banks, insurers and utilities writing to their own customers
    "Uw rekeningnummer gewijzigd? Geef uw nieuwe IBAN eenvoudig door via Mijn Omgeving.",
    "In de app kunt u uw bankgegevens zelf aanpassen onder Instellingen.",
    "Open vandaag nog een nieuwe betaalrekening en ontvang een welkomstbonus.",
    "Vanwege onderhoud is internetbankieren zondag tussen 02:00 en 06:00 niet beschikbaar.",
    "Betalen via iDEAL kan voortaan ook in onze webshop.",
    # payment confirmations
    "Wij hebben uw betaling in goede orde ontvangen, hartelijk dank.",
    "Uw overboeking van € 1.250,00 naar NL91 ABNA 0417 1643 00 is uitgevoerd.",
    # invoices and the usual account
    "Bijgaand onze factuur 2026-031. Graag binnen 30 dagen overmaken op ons bekende "
    "rekeningnummer NL91 ABNA 0417 1643 00.",
    "Het IBAN staat zoals altijd op de factuur.",
    "Ons rekeningnummer is niet gewijzigd, u kunt gewoon betalen op het bekende nummer.",
    "Bijgaand onze nieuwe rekening voor de levering van maart.",
    "Wij hebben een nieuwe rekening gestuurd voor de gecorrigeerde levering.",
    "Wij hebben uw nieuwe rekeningnummer verwerkt in onze administratie.",
    # passwords, logins, addresses
    "Uw wachtwoord verloopt over 5 dagen. Wijzig uw wachtwoord via het portaal.",
    "Uw account is tijdelijk geblokkeerd na drie mislukte inlogpogingen.",
    "Welkom! Uw nieuwe account voor ons klantenportaal is aangemaakt.",
    "Ons adres is gewijzigd: vanaf 1 april zitten wij aan de Stationsweg 12. Wilt u dit in uw "
    "administratie aanpassen?",
    "Uw nieuwe pinpas en rekeningoverzicht worden binnenkort verzonden.",
    "Uw oude rekeningnummer vervalt per 1 mei; uw nieuwe IBAN vindt u in de app.",
    # a new address, phone or contact, the bank details said to stay as they are
    "Wilt u uw administratie bijwerken met ons nieuwe adres? Onze bankgegevens zijn ongewijzigd.",
    "Wilt u uw administratie aanpassen met ons nieuwe telefoonnummer? Ongewijzigd blijven ons "
    "btw-nummer en onze bankgegevens.",
    "Graag uw administratie bijwerken met onze nieuwe contactpersoon; onze bankgegevens wijzigen "
    "niet.",
    # an invoice's payment line, a payment run, other changes, other accounts, the payer's
    # account, a "deze factuur" that ends the sentence before
    "Graag betalen binnen 30 dagen op onderstaande rekening.",
    "U kunt uw bankgegevens wijzigen in de app.",
    "Vanaf nu worden betalingen aan leveranciers op vrijdag uitgevoerd.",
    "Onze openingstijden wijzigen per direct.",
    "Uw klantaccount wordt per einde van de maand opgeheven.",
    "Wij hebben de factuur betaald vanaf onze rekening bij de Havenbank.",
    "Onze rekening wordt per post verstuurd.",
    "Deze korting geldt alleen voor deze factuur. Graag het bedrag overmaken naar onderstaande "
    "rekening.",
]

URGENCY = [
    "Graag vandaag nog betalen, het is dringend.",
    "Wilt u dit met spoed regelen?",
    "De factuur is achterstallig, graag per omgaande voldoen.",
]
SECRECY = [
    "Dit is strikt vertrouwelijk, bespreek het niet met collega's.",
    "Ik zit de hele dag in een vergadering, reageer alleen per e-mail.",
    "Houd dit even onder ons.",
]


def test_records_needs_a_bank_identifier() -> None:
    cues = language_cues("Wilt u dit in uw administratie aanpassen? Dank u wel.")
    assert cues.found("records")
    assert not cues.asks_change()
    assert cues.asks_change(identifier=True)


def test_strip_quoted_attribution() -> None:
    text = (
        "Dank je, de levering staat voor donderdag gepland.\n\n"
        "Op ma 2 mrt 2026 om 10:00 schreef Sanne de Vries "
        "<sanne.devries@leverancier.example>:\n"
        "Onze bankgegevens zijn gewijzigd.\n"
    )
    out = strip_quoted(text)
    assert "donderdag gepland" in out
    assert "bankgegevens" not in out
    assert not language_cues(out).asks_change()


def test_strip_quoted_outlook_header() -> None:
    text = (
        "Goedemorgen, de bestelling is bevestigd.\n\n"
        "Van: Sanne de Vries <sanne.devries@leverancier.example>\n"
        "Verzonden: maandag 2 maart 2026 10:00\n"
        "Aan: ap@buyer.example\n"
        "Onderwerp: Wijziging bankgegevens\n\n"
        "Hierbij onze nieuwe bankgegevens.\n"
    )
    out = strip_quoted(text)
    assert "bestelling is bevestigd" in out
    assert "bankgegevens" not in out


def test_strip_quoted_original_message() -> None:
    text = (
        "Zie hieronder, we bespreken het morgen.\n"
        "-----Oorspronkelijk bericht-----\n"
        "Ons rekeningnummer is gewijzigd, gebruik voortaan het nieuwe IBAN.\n"
    )
    out = strip_quoted(text)
    assert "bespreken het morgen" in out
    assert "rekeningnummer" not in out
