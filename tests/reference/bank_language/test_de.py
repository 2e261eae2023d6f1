"""German phrases for a request to pay a new or changed bank account (de.toml)."""

from __future__ import annotations

from caveat.reference.bank_language import language_cues, strip_quoted

POSITIVE = [
    "Bitte beachten Sie, dass sich unsere Bankverbindung geändert hat.",
    "Unsere Bankverbindung hat sich zum 1. April 2026 geändert. Die neue IBAN finden Sie unten.",
    "Anbei erhalten Sie unsere neue Bankverbindung. Bitte verwenden Sie ab sofort nur noch diese.",
    "Wir haben unsere Hausbank gewechselt und bitten Sie, künftige Zahlungen auf das unten "
    "genannte Konto zu leisten.",
    "Bitte überweisen Sie den offenen Betrag ab sofort auf unser Konto bei der Nordbank.",
    "Bitte überweisen Sie künftig auf folgendes Konto: IBAN DE02 1203 0000 0000 2020 51",
    "Betreff: Änderung unserer Bankverbindung",
    "Hallo Herr Keller, hier meine neuen Kontodaten für die nächste Rechnung.",
    "Unsere IBAN lautet ab sofort DE75 5121 0800 1245 1261 99.",
    "Aufgrund einer laufenden Betriebsprüfung ist unser Geschäftskonto derzeit gesperrt.",
    "Unser bisheriges Konto ist vorübergehend eingefroren, die Zahlung bitte nicht dorthin.",
    "Die alte Bankverbindung ist nicht mehr gültig. Bitte nutzen Sie die neue Bankverbindung "
    "aus dem Anhang.",
    "Bitte keine Zahlungen mehr auf das bisherige Konto, diese werden zurückgebucht.",
    "Wir haben ein neues Geschäftskonto bei der Südbank eröffnet.",
    "Unsere Bankdaten wurden aktualisiert, die neuen Daten finden Sie im Anhang.",
    "Aus organisatorischen Gründen stellen wir unsere Bankverbindung zum Quartalsende um.",
    "Hi Tom, überweis bitte ab jetzt auf mein neues Konto, das alte läuft aus.",
    "Wir können derzeit keine Zahlungen auf dem bekannten Konto empfangen.",
    "Mitteilung über geänderte Bankverbindung der Lieferant GmbH",
    "Hiermit teilen wir Ihnen mit, dass wir unsere Hausbank gewechselt haben.",
    "Derzeit ist unser Geschäftskonto vorübergehend gesperrt.",
    "Ab sofort gilt folgende Bankverbindung: IBAN DE12 5001 0517 0648 4898 90",
    # Wordings found missing in a second review:
    "Bitte beachten Sie die neue Bankverbindung für alle künftigen Zahlungen.",
    "Ab sofort bitten wir Sie, alle Zahlungen auf das unten genannte Konto zu leisten.",
    "Künftig bitten wir um Überweisung auf unser Konto bei der Hafenbank.",
    "Die Bankverbindung hat sich geändert, bitte nutzen Sie das Konto unten.",
    "Bitte überweisen Sie den Betrag ausnahmsweise auf das folgende Konto.",
    "Ab sofort sind alle Zahlungen auf das folgende Konto zu leisten.",
    "Bitte notieren Sie die geänderte Bankverbindung für alle weiteren Zahlungen.",
    "Ausnahmsweise bitten wir Sie, die Rechnung auf unser Konto bei der Hafenbank zu überweisen.",
    "Diesmal bitte auf das untenstehende Konto überweisen, nicht auf das bekannte.",
    "Die Bankverbindung hat sich geändert; die neue IBAN lautet DE12 5001 0517 0648 4898 90.",
]

NEGATIVE = [
    "Ändern Sie Ihre Bankverbindung bequem im Online-Banking unter Einstellungen.",
    "Sie können Ihre IBAN jederzeit im Kundenportal aktualisieren.",
    "Vielen Dank, wir haben Ihre Zahlung erhalten.",
    "Ihre Überweisung über 1.250,00 EUR an Konto DE89 **** 3000 wurde ausgeführt.",
    "Bitte überweisen Sie den Rechnungsbetrag innerhalb von 14 Tagen auf unser bekanntes Konto "
    "IBAN DE89 3704 0044 0532 0130 00.",
    "Die IBAN steht wie immer auf der Rechnung.",
    "Ihr Konto wurde aus Sicherheitsgründen vorübergehend gesperrt. Bitte ändern Sie Ihr Passwort.",
    "Ihr neues Kundenkonto wurde erfolgreich erstellt.",
    "Willkommen! Ihr neues Konto ist eingerichtet, melden Sie sich mit Ihrer E-Mail an.",
    "Unsere Adresse hat sich geändert: Wir sind in die Hafenstraße 12 umgezogen.",
    "Unsere Bankverbindung hat sich nicht geändert, bitte zahlen Sie wie gewohnt.",
    "Wichtig: Wir teilen Ihnen niemals per E-Mail eine neue Bankverbindung mit.",
    "Aufgrund der Jahresabschlussprüfung bitten wir um Bestätigung des Saldos zum 31.12.2025.",
    "Anbei die Rechnung Nr. 2026-0412. Zahlbar ohne Abzug bis 30.04.2026.",
    "Unser neues Lager in Bremen ist ab Montag in Betrieb.",
    "Die neue Preisliste ist ab sofort gültig, die Bankverbindung bleibt unverändert.",
    "Mein Konto ist gesperrt, ich komme nicht mehr in das Lieferantenportal.",
    "Falls Sie eine Kontoänderung wünschen, nutzen Sie bitte das Formular im Online-Banking.",
    "Wir fordern Sie niemals per E-Mail auf, eine neue Bankverbindung für Zahlungen zu verwenden.",
    "Diese E-Mail stammt nicht von uns. Unsere Bankverbindung hat sich nicht geändert; bitte "
    "zahlen Sie weiterhin wie gewohnt auf das bekannte Konto.",
    "Bitte teilen Sie uns Ihre neue Bankverbindung mit, damit wir die Gutschrift veranlassen.",
    # a new address, phone or contact, the bank details said to stay as they are
    "Bitte aktualisieren Sie Ihre Stammdaten: unsere neue Anschrift lautet Hafenstraße 4, Bremen. "
    "Unsere Bankverbindung ist unverändert.",
    "Bitte passen Sie Ihre Stammdaten an, wir haben eine neue Telefonnummer. An unserer "
    "Bankverbindung ändert sich nichts.",
    "Bitte aktualisieren Sie Ihre Stammdaten mit unserer neuen Adresse. Unverändert bleiben "
    "Steuernummer und Bankverbindung.",
    # an invoice's payment line, a payment run, other changes, other accounts, the payer's
    # account, and an "ab sofort" that ends the sentence before
    "Bitte überweisen Sie den Betrag auf das folgende Konto.",
    "Zahlungsbedingungen: 30 Tage netto auf unser bekanntes Konto.",
    "Sie können Ihre Bankverbindung in der App ändern.",
    "Ab sofort werden Zahlungen an Lieferanten immer freitags ausgeführt.",
    "Ab sofort ändern sich unsere Öffnungszeiten.",
    "Ihr Kundenkonto wird zum Monatsende geschlossen.",
    "Wir haben den Betrag von unserem Konto bei der Hafenbank überwiesen.",
    "Bitte zahlen Sie die einmalige Einrichtungsgebühr auf das folgende Konto.",
    "Die neue Preisliste gilt ab sofort. Bitte überweisen Sie den Rechnungsbetrag auf das "
    "folgende Konto.",
    "Bitte teilen Sie uns Ihre neue Bankverbindung für künftige Zahlungen mit.",
    "Hat sich die Bankverbindung geändert? Dann teilen Sie uns das bitte mit.",
]

URGENCY = [
    "Bitte dringend heute noch überweisen.",
    "Die Zahlung muss umgehend erfolgen.",
    "Bitte schnellstmöglich erledigen, die Rechnung ist überfällig.",
    "Bis Geschäftsschluss brauchen wir die Bestätigung.",
]
SECRECY = [
    "Bitte behandeln Sie diese Angelegenheit streng vertraulich.",
    "Ich sitze den ganzen Tag in einer Besprechung, bitte nicht anrufen.",
    "Ich bin telefonisch nicht erreichbar, nur per E-Mail.",
    "Bitte mit niemandem darüber sprechen und diskret behandeln.",
]


def test_update_your_records_needs_a_bank_identifier() -> None:
    cues = language_cues("Bitte aktualisieren Sie Ihre Stammdaten entsprechend. Danke!")
    assert cues.found("records")
    assert not cues.asks_change()
    assert cues.asks_change(identifier=True)


def test_update_your_records_with_bank_details_named() -> None:
    cues = language_cues("Bitte hinterlegen Sie die Bankverbindung in Ihren Stammdaten.")
    assert cues.found("records")
    assert cues.asks_change()


def test_strip_quoted_attribution_line() -> None:
    text = (
        "Hallo Frau Vogel,\nvielen Dank, die Ware ist angekommen.\n\n"
        "Am 12.03.2026 um 10:15 schrieb Jana Vogel:\n"
        "Unsere Bankverbindung hat sich geändert.\n"
    )
    out = strip_quoted(text)
    assert "die Ware ist angekommen" in out
    assert "Bankverbindung" not in out


def test_strip_quoted_outlook_header_block() -> None:
    text = (
        "Danke, erledigt.\n\n"
        "Von: Jana Vogel <jana.vogel@lieferant.example>\n"
        "Gesendet: Donnerstag, 12. März 2026 10:15\n"
        "An: Buchhaltung <ap@buyer.example>\n"
        "Betreff: Neue Bankverbindung\n\n"
        "Bitte nutzen Sie ab sofort unsere neue Bankverbindung.\n"
    )
    out = strip_quoted(text)
    assert "Danke, erledigt." in out
    assert "neue Bankverbindung" not in out
    assert not language_cues(out).asks_change()


def test_strip_quoted_original_message_line() -> None:
    text = (
        "Anbei die Lieferscheine.\n"
        "-----Ursprüngliche Nachricht-----\n"
        "Wir haben unsere Bank gewechselt.\n"
    )
    out = strip_quoted(text)
    assert "Lieferscheine" in out
    assert "Bank gewechselt" not in out
