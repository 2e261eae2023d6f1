"""Czech phrases of the bank_details_change check (data/bank_language/cs.toml)."""

from __future__ import annotations

import pytest

from caveat.reference.bank_language import language_cues, strip_quoted

POSITIVE = [
    "Dovolujeme si Vás informovat, že došlo ke změně čísla našeho účtu.",
    "Naše bankovní spojení se od 1. dubna změnilo.",
    "Změna bankovního spojení",
    "Změnili jsme banku, platby prosím zasílejte na náš nový účet.",
    "S okamžitou platností prosím hraďte faktury na níže uvedený účet.",
    "Veškeré další platby prosím posílejte na následující účet: 2001234567/2010.",
    "Výjimečně prosím uhraďte tuto fakturu na níže uvedený účet.",
    "Prosím již neplaťte na původní účet.",
    "V příloze zasíláme nové bankovní spojení.",
    "Náš účet je momentálně zablokován z důvodu probíhajícího auditu.",
    "Původní číslo účtu již neplatí.",
    "Založili jsme nový účet u Fio banky.",
    "Číslo našeho účtu bylo změněno, nové naleznete v příloze.",
    "Nové číslo našeho účtu je uvedeno níže.",
    # typed without háčky and čárky
    "Doslo ke zmene cisla uctu, platby prosim zasilejte na nas novy ucet.",
]

NEGATIVE = [
    # banks writing to their own customers
    "Číslo svého účtu si můžete změnit v internetovém bankovnictví.",
    "Otevřete si nový účet online a získejte odměnu 1 000 Kč.",
    "V neděli od 2:00 do 6:00 nebude internetové bankovnictví dostupné.",
    # confirmations and ordinary invoices
    "Děkujeme, Vaši platbu jsme obdrželi.",
    "V příloze zasíláme fakturu č. 2026-118, splatnou do 14 dnů na účet uvedený na faktuře.",
    "Naše bankovní spojení se nemění, plaťte prosím jako dosud.",
    "Bankovní spojení zůstává beze změny.",
    "Zasíláme novou fakturu za servis v březnu.",
    # passwords, addresses, phones
    "Vaše heslo vyprší za 5 dní, změňte ho v portálu.",
    "Váš účet v zákaznickém portálu byl zablokován po třech neúspěšných pokusech o přihlášení.",
    "Naše nové telefonní číslo je 222 555 101.",
    "Od 1. dubna sídlíme na nové adrese, Polní 12, Brno. Bankovní spojení zůstává beze změny.",
    "Fakturu jsme uhradili z našeho účtu u Komerční banky.",
    "Změna otevírací doby od 1. května.",
]

URGENCY = [
    "Je to urgentní, prosím o úhradu ještě dnes.",
    "Faktura je po splatnosti, uhraďte ji obratem.",
    "Potřebuji to co nejdříve.",
]
SECRECY = [
    "Je to přísně důvěrné, zatím to neříkejte kolegům.",
    "Jsem celý den na jednání, odpovězte pouze e-mailem.",
    "Prosím o diskrétnost.",
]


def test_records_needs_a_bank_identifier() -> None:
    cues = language_cues("Aktualizujte si prosím údaje ve svém systému. Děkujeme.")
    assert cues.found("records")
    assert not cues.asks_change()
    assert cues.asks_change(identifier=True)


def test_strip_quoted_attribution() -> None:
    text = (
        "Děkuji, dodávka je naplánována na čtvrtek.\n\n"
        "Dne 2. 3. 2026 v 10:00 Jana Nováková <jana.novakova@dodavatel.example> napsal(a):\n"
        "Naše bankovní spojení se změnilo.\n"
    )
    out = strip_quoted(text)
    assert "čtvrtek" in out
    assert "spojení" not in out
    assert not language_cues(out).asks_change()


def test_strip_quoted_outlook_header() -> None:
    text = (
        "Dobrý den, objednávku potvrzuji.\n\n"
        "Od: Jana Nováková <jana.novakova@dodavatel.example>\n"
        "Odesláno: pondělí 2. března 2026 10:00\n"
        "Komu: ap@buyer.example\n"
        "Předmět: Změna bankovního spojení\n\n"
        "Zasíláme nové bankovní spojení.\n"
    )
    out = strip_quoted(text)
    assert "potvrzuji" in out
    assert "spojení" not in out


def test_strip_quoted_original_message() -> None:
    text = "Viz níže, probereme zítra.\n-----Původní zpráva-----\nDošlo ke změně čísla účtu.\n"
    out = strip_quoted(text)
    assert "probereme" in out
    assert "účtu" not in out


# The people and callback categories (caveat.checks.impersonation_people, caveat.checks.callback).
PEOPLE_AND_CALLBACK = [
    ("Prosím o změnu čísla účtu pro výplatu mzdy.", "payroll"),
    ("Moji mzdu prosím posílejte na můj nový účet.", "payroll"),
    ("Můžete koupit pět dárkových karet Google Play? Pošlete mi kódy.", "gift_cards"),
    ("Jste teď u počítače? Potřebuji malou laskavost.", "availability"),
    ("Dnes prosím proveďte urgentní platbu, je to přísně důvěrné.", "confidential_wire"),
    ("Pro ověření nového bankovního spojení zavolejte na číslo 222 555 909.", "callback"),
    ("Volejte prosím na naše nové číslo účtárny 222 555 909.", "callback"),
]
# ... and the look-alikes: an invitation to call with questions, a bank's or shop's offer.
NOT_PEOPLE_AND_CALLBACK = [
    ("V případě dotazů nás kontaktujte na čísle 222 555 101.", "callback"),
    ("Zavoláme Vám zítra kvůli termínu dodání.", "callback"),
    ("Založte si účet s příchozí mzdou a získejte bonus.", "payroll"),
    ("Dárkové karty prodáváme ve všech našich prodejnách.", "gift_cards"),
]


@pytest.mark.parametrize(("text", "category"), PEOPLE_AND_CALLBACK)
def test_people_and_callback_wording(text: str, category: str) -> None:
    assert language_cues(text).found(category), text


@pytest.mark.parametrize(("text", "category"), NOT_PEOPLE_AND_CALLBACK)
def test_not_people_or_callback_wording(text: str, category: str) -> None:
    assert not language_cues(text).found(category), text
