"""Polish phrases of the bank_details_change check (data/bank_language/pl.toml)."""

from __future__ import annotations

import pytest

from caveat.reference.bank_language import language_cues, strip_quoted

POSITIVE = [
    "Nasze konto jest obecnie w trakcie audytu, prosimy o cierpliwość.",
    "Uprzejmie informujemy, że nasz numer rachunku bankowego uległ zmianie.",
    "Informujemy o zmianie numeru rachunku bankowego naszej firmy.",
    "Od dnia dzisiejszego prosimy kierować wszystkie płatności na poniższy rachunek bankowy.",
    "Zmieniliśmy bank, dlatego prosimy o przelew na nasz nowy rachunek.",
    "Nasze nowe dane do przelewu przesyłamy w załączniku.",
    "Numer naszego konta się zmienił, nowy podajemy poniżej.",
    "Przenieśliśmy nasze konto do innego banku.",
    "Otworzyliśmy nowy rachunek w banku Przykładowym i tam prosimy o wpłaty.",
    "Wszystkie przyszłe płatności prosimy kierować na poniższy numer rachunku.",
    "Wyjątkowo prosimy o przelew na poniższe konto bankowe.",
    "Prosimy nie dokonywać przelewów na dotychczasowy rachunek.",
    "Nasz rachunek bankowy jest obecnie zablokowany z powodu trwającego audytu.",
    "Dotychczasowy rachunek jest już nieaktualny.",
    "Zmiana danych bankowych",
    "Proszę o przelanie kwoty na mój nowy rachunek bankowy.",
    # typed without Polish letters (ł, ś, ż as l, s, z)
    "Zmienilismy bank, prosimy o wplate na nasz nowy rachunek bankowy.",
    "NASZ NUMER RACHUNKU ULEGŁ ZMIANIE",
]

NEGATIVE = [
    # banks and portals writing to their own customers
    "Zmień numer swojego konta w aplikacji mobilnej w zakładce Ustawienia.",
    "Twój numer konta został zmieniony w serwisie transakcyjnym?",
    "Otwórz nowe konto osobiste i odbierz premię 300 zł.",
    "W niedzielę w godzinach 1:00–5:00 bankowość internetowa będzie niedostępna.",
    # payment confirmations and ordinary invoices
    "Dziękujemy, otrzymaliśmy Państwa wpłatę.",
    "W załączniku faktura nr 2026/114. Prosimy o płatność w terminie 14 dni na rachunek podany "
    "na fakturze.",
    "Termin płatności: 14 dni od dnia wystawienia faktury, przelewem na rachunek wskazany poniżej.",
    "Nasz numer rachunku nie uległ zmianie, prosimy płacić jak dotychczas.",
    "Nasz numer rachunku pozostaje bez zmian.",
    "Przesyłamy nowy rachunek za usługi serwisowe w marcu.",
    # passwords, addresses, phones
    "Twoje hasło wygasa za 5 dni. Zmień je w portalu.",
    "Twoje konto w portalu klienta zostało zablokowane po trzech nieudanych próbach logowania.",
    "Nasz nowy numer telefonu to 22 555 01 01.",
    "Zmienił się nasz adres: od 1 kwietnia jesteśmy przy ul. Polnej 12. Dane bankowe pozostają "
    "bez zmian.",
    "Zapłaciliśmy fakturę z naszego rachunku w Banku Przykładowym.",
]

URGENCY = [
    "Prosimy o pilne uregulowanie należności.",
    "Płatność musi wyjść jeszcze dziś, do końca dnia.",
    "Faktura jest przeterminowana, proszę zapłacić niezwłocznie.",
]
SECRECY = [
    "Sprawa jest poufna, proszę nie informować zespołu.",
    "Jestem na spotkaniu zarządu, proszę odpisać tylko mailowo.",
    "Proszę o dyskrecję.",
]


def test_records_needs_a_bank_identifier() -> None:
    cues = language_cues("Prosimy o aktualizację danych w Państwa systemie. Dziękujemy.")
    assert cues.found("records")
    assert not cues.asks_change()
    assert cues.asks_change(identifier=True)


def test_strip_quoted_attribution() -> None:
    text = (
        "Dziękuję, dostawa jest zaplanowana na czwartek.\n\n"
        "W dniu 2.03.2026 o 10:00, Anna Nowak <anna.nowak@dostawca.example> pisze:\n"
        "Nasz numer rachunku uległ zmianie.\n"
    )
    out = strip_quoted(text)
    assert "czwartek" in out
    assert "rachunku" not in out
    assert not language_cues(out).asks_change()


def test_strip_quoted_gmail_attribution() -> None:
    text = (
        "Potwierdzam zamówienie.\n\n"
        "pon., 2 mar 2026 o 10:00 Anna Nowak <anna.nowak@dostawca.example> napisał(a):\n"
        "Zmieniliśmy bank.\n"
    )
    out = strip_quoted(text)
    assert "Potwierdzam" in out
    assert "bank" not in out


def test_strip_quoted_outlook_header() -> None:
    text = (
        "Dzień dobry, zamówienie jest potwierdzone.\n\n"
        "Od: Anna Nowak <anna.nowak@dostawca.example>\n"
        "Wysłano: poniedziałek, 2 marca 2026 10:00\n"
        "Do: ap@buyer.example\n"
        "Temat: Zmiana danych bankowych\n\n"
        "Nasze nowe dane bankowe poniżej.\n"
    )
    out = strip_quoted(text)
    assert "potwierdzone" in out
    assert "bankowe" not in out


def test_letters_without_polish_accents_fold_alike() -> None:
    # "ł" has no combining mark to strip: it is read as "l" (caveat.mail.textfold)
    with_l = language_cues("Przesyłamy nowe dane bankowe.")
    without = language_cues("Przesylamy nowe dane bankowe.")
    assert with_l.asks_change() and without.asks_change()


# The people and callback categories (caveat.checks.impersonation_people, caveat.checks.callback).
PEOPLE_AND_CALLBACK = [
    ("Proszę o zmianę numeru konta do wypłaty wynagrodzenia.", "payroll"),
    ("Od przyszłego miesiąca proszę przelewać moje wynagrodzenie na nowy rachunek.", "payroll"),
    ("Czy możesz kupić 5 kart podarunkowych Google Play? Wyślij mi kody.", "gift_cards"),
    ("Jesteś teraz przy biurku? Potrzebuję małej przysługi.", "availability"),
    ("Musisz dziś zrobić pilny przelew, sprawa jest poufna.", "confidential_wire"),
    (
        "W celu potwierdzenia nowych danych bankowych proszę zadzwonić pod numer 22 555 09 09.",
        "callback",
    ),
    ("Prosimy dzwonić na nasz nowy numer działu rozliczeń: 22 555 09 09.", "callback"),
]
# ... and the look-alikes: an invitation to call with questions, a bank's or shop's offer.
NOT_PEOPLE_AND_CALLBACK = [
    ("W razie pytań prosimy o kontakt pod numerem 22 555 01 01.", "callback"),
    ("Nie oddzwonimy, jeśli nie zostawisz wiadomości.", "callback"),
    ("Konto osobiste z wpływem wynagrodzenia – otwórz je online.", "payroll"),
    ("Sprzedajemy karty podarunkowe w każdym naszym sklepie.", "gift_cards"),
]


@pytest.mark.parametrize(("text", "category"), PEOPLE_AND_CALLBACK)
def test_people_and_callback_wording(text: str, category: str) -> None:
    assert language_cues(text).found(category), text


@pytest.mark.parametrize(("text", "category"), NOT_PEOPLE_AND_CALLBACK)
def test_not_people_or_callback_wording(text: str, category: str) -> None:
    assert not language_cues(text).found(category), text
