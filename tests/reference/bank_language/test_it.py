"""Italian phrases of the bank_details_change check (data/bank_language/it.toml)."""

from __future__ import annotations

from caveat.reference.bank_language import language_cues, strip_quoted

POSITIVE = [
    "Gentili clienti, vi comunichiamo che le nostre coordinate bancarie sono cambiate.",
    "Con la presente Vi informiamo che il nostro IBAN è stato modificato a partire dal 1° marzo.",
    "Vi preghiamo di prendere nota delle nostre nuove coordinate bancarie riportate in calce.",
    "Abbiamo cambiato banca: vi chiediamo di effettuare i prossimi pagamenti sul nuovo conto "
    "corrente indicato di seguito.",
    "Ciao Luca, ti mando il nuovo IBAN su cui fare il bonifico per la fattura di marzo.",
    "Il nostro conto corrente presso Banca Esempio è momentaneamente bloccato a causa di una "
    "verifica fiscale in corso.",
    "A seguito di un audit interno il conto abituale non è al momento operativo; vi invieremo "
    "a breve i nuovi riferimenti.",
    "Vi preghiamo di non utilizzare più il vecchio IBAN: i pagamenti dovranno essere effettuati "
    "esclusivamente sul nuovo conto.",
    "Si comunica la variazione delle coordinate bancarie della scrivente società.",
    "Oggetto: Variazione coordinate bancarie",
    "Abbiamo aperto un nuovo conto presso un altro istituto, i dettagli sono nella lettera.",
    "Vi alleghiamo la lettera su carta intestata con le nuove coordinate per il bonifico.",
    "Per motivi di riorganizzazione interna le nostre coordinate bancarie cambieranno dal "
    "prossimo mese.",
    "Il saldo della fattura n. 118 va effettuato sul nostro nuovo conto corrente.",
    "Vi chiediamo cortesemente di aggiornare la vostra anagrafica fornitori con i nuovi estremi "
    "bancari riportati sotto.",
    "Non possiamo momentaneamente ricevere bonifici sul nostro conto abituale, attendete le "
    "nuove istruzioni.",
    "Stiamo cambiando istituto bancario: a breve riceverete i nuovi dati per i pagamenti.",
    "Ciao Luca, ti comunico il nuovo IBAN dell'azienda, il vecchio conto è stato chiuso.",
    "D'ora in poi vi chiediamo di disporre i bonifici sul conto che trovate nella lettera "
    "allegata.",
    "Il nuovo IBAN è il seguente: IT60 X054 2811 1010 0000 0123 456.",
    "Vi segnaliamo che l'IBAN riportato in fattura non è più valido.",
    "Le coordinate bancarie sono variate, trovate i nuovi dati nella lettera allegata.",
    # Wordings found missing in a second review:
    "Vi comunichiamo il nuovo conto per il saldo delle fatture aperte.",
    "Vi comunichiamo il nuovo conto su cui effettuare i prossimi bonifici.",
    "Solo per questa fattura vi chiediamo di effettuare il bonifico sul conto indicato di seguito.",
    "Eccezionalmente vi preghiamo di saldare la fattura sul conto corrente riportato sotto.",
]

NEGATIVE = [
    # bank newsletters and notices to their own customers
    "Puoi modificare le coordinate bancarie per l'accredito dello stipendio direttamente "
    "dall'app, nella sezione Profilo.",
    "Ti ricordiamo che dalla tua area riservata puoi aggiornare i tuoi dati anagrafici e il tuo "
    "IBAN in qualsiasi momento.",
    "Apri un nuovo conto corrente online in pochi minuti e ricevi lo stipendio sul tuo IBAN.",
    "Cambio banca? Scopri come trasferire il tuo conto con il servizio di portabilità.",
    # payment confirmations
    "Vi confermiamo di aver ricevuto il vostro pagamento relativo alla fattura n. 2026/045.",
    "Il bonifico di 1.250,00 EUR a favore di Fornitore Srl è stato eseguito con successo dal "
    "conto IT** **** 3456.",
    "Abbiamo ricevuto il vostro bonifico sul nostro conto corrente, grazie.",
    # ordinary invoices and mentions of the usual account
    "In allegato la fattura n. 87 del 3 marzo 2026. Pagamento: bonifico bancario a 30 giorni "
    "sul nostro solito conto, IBAN IT60 X054 2811 1010 0000 0123 456.",
    "L'IBAN è riportato in fattura come sempre.",
    "Il nostro IBAN non è cambiato, potete continuare a pagare sul conto di sempre.",
    "Modalità di pagamento: bonifico alle seguenti coordinate bancarie: IBAN IT60 X054 2811 "
    "1010 0000 0123 456.",
    # passwords, logins, addresses, other changes
    "La tua password è scaduta: per motivi di sicurezza ti chiediamo di modificarla entro "
    "7 giorni.",
    "Il tuo account è stato bloccato dopo troppi tentativi di accesso. Reimposta la password.",
    "Benvenuto! Abbiamo creato il tuo nuovo account sul nostro portale clienti.",
    "Vi comunichiamo il nostro nuovo indirizzo: Via Roma 10, Milano. Vi preghiamo di aggiornare "
    "la vostra anagrafica.",
    "Vi informiamo che il nostro ufficio amministrativo resterà chiuso dal 10 al 14 agosto.",
    "Abbiamo aggiornato il vostro IBAN nella nostra anagrafica clienti come richiesto.",
    "La fattura è stata modificata con il nuovo indirizzo di consegna.",
    "Le tue coordinate bancarie sono state modificate con successo.",
    "Il conto lavoro della commessa 118 è stato chiuso.",
    # a new address, phone or contact, the bank details said to stay as they are
    "Vi preghiamo di aggiornare la Vostra anagrafica con la nuova sede legale. Restano invariati "
    "partita IVA e coordinate bancarie.",
    "Vi preghiamo di aggiornare la vostra anagrafica con il nuovo numero di telefono; le "
    "coordinate bancarie sono invariate.",
    "Vi preghiamo di aggiornare la vostra anagrafica: cambia il referente amministrativo, le "
    "coordinate bancarie non cambiano.",
    # an invoice's payment line, a payment run, other changes, other accounts, the payer's
    # account
    "Vi preghiamo di effettuare il pagamento sul conto indicato di seguito entro 30 giorni.",
    "Puoi modificare le tue coordinate bancarie nell'app.",
    "Da oggi i pagamenti ai fornitori vengono eseguiti il venerdì.",
    "Da oggi cambia il nostro orario d'ufficio.",
    "Il tuo account cliente verrà chiuso.",
    "Abbiamo pagato la fattura dal nostro conto presso Banca del Porto.",
    "Vi comunichiamo che il nuovo conto cliente è attivo sul portale.",
]

URGENCY = [
    "Il pagamento è urgente, vi prego di procedere entro oggi.",
    "Vi chiediamo di eseguire il bonifico al più presto.",
    "Procedete con la massima urgenza, la fattura è scaduta.",
]
SECRECY = [
    "Vi chiedo la massima riservatezza su questa operazione.",
    "Sono in riunione tutto il giorno, rispondete solo via email.",
    "La questione è strettamente confidenziale, non parlatene con i colleghi.",
]


def test_records_needs_a_bank_identifier() -> None:
    cues = language_cues(
        "Vi preghiamo di aggiornare la vostra anagrafica fornitori con i dati riportati qui sotto."
    )
    assert cues.found("records")
    assert not cues.asks_change()
    assert cues.asks_change(identifier=True)


def test_strip_quoted_attribution() -> None:
    text = (
        "Grazie, ricevuto. Procediamo con la consegna.\n\n"
        "Il giorno lun 2 mar 2026 alle ore 10:00 Marco Rossi "
        "<marco.rossi@fornitore.example> ha scritto:\n"
        "Le nostre coordinate bancarie sono cambiate.\n"
    )
    out = strip_quoted(text)
    assert "Procediamo con la consegna" in out
    assert "coordinate bancarie" not in out
    assert not language_cues(out).asks_change()


def test_strip_quoted_outlook_header() -> None:
    text = (
        "Buongiorno, vi confermo l'ordine.\n\n"
        "Da: Marco Rossi <marco.rossi@fornitore.example>\n"
        "Inviato: lunedì 2 marzo 2026 10:00\n"
        "A: ap@buyer.example\n"
        "Oggetto: Variazione coordinate bancarie\n\n"
        "Vi comunichiamo le nostre nuove coordinate bancarie.\n"
    )
    out = strip_quoted(text)
    assert "vi confermo l'ordine" in out
    assert "coordinate bancarie" not in out


def test_strip_quoted_original_message() -> None:
    text = (
        "Vedi sotto, ne parliamo domani.\n"
        "-----Messaggio originale-----\n"
        "Il nostro IBAN è stato modificato, usate il nuovo conto.\n"
    )
    out = strip_quoted(text)
    assert "ne parliamo domani" in out
    assert "IBAN" not in out
