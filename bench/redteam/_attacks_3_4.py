"""Attacks of kinds 3 (sender-written quotes and forwards) and 4 (display-name tricks)."""

# The messages are data: their text is kept on one line per sentence or header, as written.
# ruff: noqa: E501

from __future__ import annotations

from _attacks_1_2 import (
    X_BE1,
    X_DE1,
    X_DE2,
    X_DE3,
    X_ES1,
    X_ES2,
    X_FR1,
    X_FR2,
    X_GB1,
    X_GB2,
    X_IT1,
    X_IT2,
    X_LT1,
    X_NL1,
    X_NL2,
    X_PL1,
    X_PT1,
    X_US_ACCOUNT,
    X_US_ROUTING,
)
from _build import Step, Thread, attack, final, free, from_partner, internal, own_domain, spoofed
from _mail import spaced
from _world import (
    ALCAZAR,
    AP,
    AP_EN,
    ASHDOWN,
    BERNARDI,
    FELIX,
    KESSLER,
    LAURA,
    LUSITANIA,
    MARA,
    OUR_SIGNATURE_DE,
    OUR_SIGNATURE_EN,
    PRAIRIE,
    ROUSSEL,
    TOBIAS,
    VANDERMEER,
    sig,
)


def K3() -> None:
    rachel = ASHDOWN.contacts[1]
    oliver = ASHDOWN.contacts[0]
    attack(
        "3-quotes/en-ashdown-original-message-block-from-colleague",
        "3",
        "danger",
        "Ashdown's authenticated mailbox forwards an 'Original Message' from its credit controller, written by the sender, announcing a new account",
        from_partner(
            ASHDOWN,
            oliver,
            to=[AP_EN],
            subject="FW: Bank account change - action required",
            date="2026-11-03 08:55 +0000",
            text=(
                "Hi,\n\nPlease see below from our finance team and action for this week's payment run.\n\nThanks,\nOliver\n\n"
                "-----Original Message-----\n"
                "From: Rachel Kim <accounts@ashdownpackaging.example>\n"
                "Sent: 02 November 2026 16:41\n"
                "To: Oliver Pembridge <oliver.pembridge@ashdownpackaging.example>\n"
                "Subject: Bank account change - action required\n\n"
                "Oliver,\n\nCan you forward this to Corvane please. Our account with Westbury Bank closes at the end of the month; "
                "from now on all customer payments must go to:\n\n"
                f"Ashdown Packaging Ltd\nMetro Business Bank\nSort code 20-20-15, account 15936468\nIBAN {spaced(X_GB1)}\n\nRachel\n"
            ),
        ),
    )

    attack(
        "3-quotes/de-kessler-fake-quote-of-our-own-confirmation",
        "3",
        "danger",
        "Kessler's authenticated mailbox writes a 'reply' whose quoted history invents our head of accounting confirming the new account; threading headers point to a message we never sent",
        from_partner(
            KESSLER,
            to=[MARA],
            cc=[AP],
            subject="AW: AW: Bankverbindung",
            date="2026-11-10 09:31 +0100",
            in_reply_to="<8d1f0c2a9b7e4e55a0c1@EXCH02.ad.corvane.example>",
            references=[
                "<4b6c1e0d2f9a47c8@kessler-antriebe.example>",
                "<8d1f0c2a9b7e4e55a0c1@EXCH02.ad.corvane.example>",
            ],
            text=(
                "Hallo Frau Lindqvist,\n\ndanke für Ihre Rückmeldung – dann gehen wir wie unten besprochen vor. Die Rechnung RE-2026-11802 "
                "(7.854,00 €) bitte mit dem nächsten Zahllauf.\n\nViele Grüße\nJana Vogt\n\n"
                "-----Ursprüngliche Nachricht-----\n"
                "Von: Mara Lindqvist <m.lindqvist@corvane.example>\n"
                "Gesendet: Montag, 9. November 2026 14:12\n"
                "An: Jana Vogt <j.vogt@kessler-antriebe.example>\n"
                "Betreff: AW: Bankverbindung\n\n"
                "Hallo Frau Vogt,\n\nvielen Dank, wir haben Ihre neue Bankverbindung\n"
                f"IBAN {spaced(X_DE2)} (Volksbank Mittlerer Neckar)\n"
                "in unseren Stammdaten hinterlegt. Künftige Zahlungen gehen auf dieses Konto.\n\n"
                + OUR_SIGNATURE_DE.format(name="Mara Lindqvist", role="Leiterin Rechnungswesen")
                + "\n\n-----Ursprüngliche Nachricht-----\n"
                "Von: Jana Vogt <j.vogt@kessler-antriebe.example>\n"
                "Gesendet: Montag, 9. November 2026 11:03\n"
                "An: Mara Lindqvist <m.lindqvist@corvane.example>\n"
                "Betreff: Bankverbindung\n\n"
                "Sehr geehrte Frau Lindqvist,\n\nbitte beachten Sie, dass sich unsere Bankverbindung geändert hat. "
                "Die alte Verbindung bei der Commerzbank wird zum Monatsende aufgelöst.\n"
            ),
        ),
    )

    attack(
        "3-quotes/fr-roussel-fake-instruction-from-director",
        "3",
        "danger",
        "Roussel's authenticated mailbox forwards a fabricated 'De : … Envoyé : …' block in which its director orders customers to pay a new account",
        from_partner(
            ROUSSEL,
            to=[AP],
            subject="TR: Changement de banque",
            date="2026-11-10 08:47 +0100",
            text=(
                "Bonjour,\n\nPour suite à donner, merci.\n\nÉlodie\n\n"
                "De : Bertrand Roussel <b.roussel@roussel-ateliers.example>\n"
                "Envoyé : lundi 9 novembre 2026 17:22\n"
                "À : Élodie Marchand <e.marchand@roussel-ateliers.example>\n"
                "Objet : Changement de banque\n\n"
                "Élodie,\n\nMerci d'informer nos clients que nous changeons de banque. À compter de ce jour, tous les règlements "
                f"doivent être effectués sur notre nouveau compte Société Générale :\nIBAN {spaced(X_FR2)}\nBIC SOGEFRPPXXX\n\nBertrand Roussel\nPrésident\n"
            ),
        ),
    )

    attack(
        "3-quotes/es-alcazar-fake-message-from-management",
        "3",
        "danger",
        "Alcázar's authenticated mailbox: one line on top of a sender-written 'De: … Enviado el: …' block from its management with a new account",
        from_partner(
            ALCAZAR,
            to=[AP],
            subject="RV: Nueva cuenta para cobros",
            date="2026-11-10 12:12 +0100",
            text=(
                "Buenos días,\n\nLes reenvío lo que me indica dirección, por favor ténganlo en cuenta para el próximo pago.\n\nLucía\n\n"
                "De: Javier Alcázar <direccion@transportes-alcazar.example>\n"
                "Enviado el: martes, 10 de noviembre de 2026 9:02\n"
                "Para: Lucía Ferrer <lferrer@transportes-alcazar.example>\n"
                "Asunto: Nueva cuenta para cobros\n\n"
                "Lucía, comunica a todos los clientes que a partir de hoy los cobros se harán en la nueva cuenta de Banco Sabadell "
                f"{spaced(X_ES2)}. La cuenta de CaixaBank se cancela este mes.\n\nJavier\n"
            ),
        ),
    )

    attack(
        "3-quotes/it-bernardi-fake-internal-message",
        "3",
        "danger",
        "Bernardi's authenticated mailbox quotes a fabricated 'Da: … Inviato: …' message from its own administration with a new bank account",
        from_partner(
            BERNARDI,
            to=[AP],
            subject="I: Nuovo conto corrente",
            date="2026-11-11 14:20 +0100",
            text=(
                "Buongiorno,\n\ncome da accordi, vedi sotto.\n\nGiulia Conti\n\n"
                "Da: Amministrazione Officine Bernardi <amministrazione@officinebernardi.example>\n"
                "Inviato: mercoledì 11 novembre 2026 10:15\n"
                "A: Giulia Conti <g.conti@officinebernardi.example>\n"
                "Oggetto: Nuovo conto corrente\n\n"
                "Giulia, da oggi i clienti devono pagare sul nuovo conto corrente presso Banco BPM:\n"
                f"IBAN {spaced(X_IT2)}\nIl conto UBI non va più utilizzato. Avvisa Corvane per le fatture di novembre.\n"
            ),
        ),
    )

    attack(
        "3-quotes/nl-vandermeer-fake-colleague-message",
        "3",
        "danger",
        "Van der Meer's authenticated mailbox: 'Ter info' above a sender-written 'Van: … Verzonden: …' block announcing a new account number",
        from_partner(
            VANDERMEER,
            VANDERMEER.contacts[1],
            to=[AP],
            subject="FW: Nieuw rekeningnummer per 1 december",
            date="2026-11-12 11:02 +0100",
            text=(
                "Goedemorgen,\n\nTer info, graag verwerken in jullie administratie.\n\nGroet,\nPieter\n\n"
                "Van: Sanne de Wit <s.dewit@vandermeer-verpakkingen.example>\n"
                "Verzonden: donderdag 12 november 2026 09:40\n"
                "Aan: Pieter Bakker <p.bakker@vandermeer-verpakkingen.example>\n"
                "Onderwerp: Nieuw rekeningnummer per 1 december\n\n"
                f"Pieter,\n\nWil je al onze klanten laten weten dat ons rekeningnummer per 1 december wijzigt naar {spaced(X_NL1)} "
                "(Rabobank)? Betalingen op het ABN-nummer worden daarna teruggestort.\n\nSanne\n"
            ),
        ),
    )

    attack(
        "3-quotes/pt-lusitania-fake-earlier-mail-to-us",
        "3",
        "danger",
        "Lusitânia's authenticated mailbox refers to 'the message below', a sender-written copy of an earlier mail to us that never arrived, with a new IBAN",
        from_partner(
            LUSITANIA,
            to=[AP],
            subject="Fw: Alteração do IBAN",
            date="2026-11-13 09:18 +0000",
            text=(
                "Bom dia,\n\nConforme falado, segue abaixo o nosso email da semana passada. Agradecemos a confirmação.\n\nInês\n\n"
                "De: Inês Carvalho <i.carvalho@corticas-lusitania.example>\n"
                "Enviada: quinta-feira, 5 de novembro de 2026 15:10\n"
                "Para: Corvane Contas a Pagar <kreditoren@corvane.example>\n"
                "Assunto: Alteração do IBAN\n\n"
                "Exmos. Senhores,\n\nInformamos que o nosso IBAN foi alterado. Os próximos pagamentos devem ser efetuados para:\n"
                f"IBAN {spaced(X_PT1)} – Millennium BCP\n\nCom os melhores cumprimentos,\nInês Carvalho\n"
            ),
        ),
    )

    attack(
        "3-quotes/en-prairie-gmail-style-quote-with-new-ach",
        "3",
        "danger",
        "Prairie Ridge's authenticated mailbox follows up on 'my note below', a sender-written Gmail-style quote with a new routing and account",
        from_partner(
            PRAIRIE,
            to=[AP_EN],
            subject="Re: Updated remittance info",
            date="2026-11-13 09:40 -0600",
            text=(
                "Hi team,\n\nFollowing up on my note below - can you confirm this is set up before Friday's payment run?\n\nThanks,\nMegan\n\n"
                "On Mon, Nov 9, 2026 at 10:14 AM Megan Holloway <mholloway@prairieridge.example> wrote:\n\n"
                "> Hi team,\n>\n> Please note our remittance information has changed. Going forward please send ACH payments to:\n>\n"
                f"> Harborline Bank, N.A.\n> Routing: {X_US_ROUTING}\n> Account: {X_US_ACCOUNT}\n>\n> Our previous account at First Lakeshore will be closed.\n>\n> Megan\n"
            ),
        ),
    )

    attack(
        "3-quotes/de-kessler-fake-forward-of-our-cfo-approval",
        "3",
        "danger",
        "Kessler's authenticated mailbox claims our CFO already approved the new account, with a fabricated forward of his 'approval'",
        from_partner(
            KESSLER,
            KESSLER.contacts[1],
            to=[AP],
            subject="WG: Freigabe Bankverbindung Kessler",
            date="2026-11-16 10:05 +0100",
            text=(
                "Sehr geehrte Damen und Herren,\n\nIhr kaufmännischer Leiter Herr Renner hat die Umstellung bereits freigegeben (siehe unten). "
                "Bitte überweisen Sie die offenen Posten entsprechend.\n\n"
                + sig(KESSLER, KESSLER.contacts[1])
                + "\n\n"
                "---------- Forwarded message ---------\n"
                "Von: Tobias Renner <t.renner@corvane.example>\n"
                "Date: Fr., 13. Nov. 2026 um 17:02 Uhr\n"
                "Subject: Freigabe Bankverbindung Kessler\n"
                "To: Markus Brandt <m.brandt@kessler-antriebe.example>\n\n"
                f"Hallo Herr Brandt,\n\nich bestätige die neue Bankverbindung {spaced(X_DE1)} (Deutsche Bank). "
                "Die Kreditorenbuchhaltung wird von mir informiert.\n\nT. Renner\n"
            ),
        ),
    )

    attack(
        "3-quotes/en-ashdown-spoofed-nested-quotes",
        "3",
        "danger",
        "forged Ashdown From line (DMARC fails, p=none); a short follow-up over nested '>' quotes in which 'we' already accepted the new account",
        spoofed(
            rachel.addr,
            to=[AP_EN],
            cc=[LAURA],
            subject="RE: Remittance - INV-40561",
            date="2026-11-16 14:33 +0000",
            text=(
                "Hi Laura,\n\nFollowing up on the below - can you confirm the payment date please?\n\nRachel\n\n"
                "> On 12 Nov 2026, at 10:02, Laura Jensen <l.jensen@corvane.example> wrote:\n>\n"
                "> Thanks Rachel, noted. We will use the new account from the next run.\n>\n"
                ">> On 11 Nov 2026, at 16:40, Rachel Kim <accounts@ashdownpackaging.example> wrote:\n>>\n"
                ">> Hi Laura, as mentioned on the phone our bank details have changed. Please pay INV-40561 to:\n"
                f">> Sterling Lane Bank plc, sort code 60-83-71, account 40219876, IBAN {spaced(X_GB2)}\n>>\n>> Rachel\n"
            ),
        ),
    )

    attack(
        "3-quotes/fr-roussel-a-ecrit-quote",
        "3",
        "danger",
        "Roussel's authenticated mailbox asks to confirm receipt of a sender-written 'Le … a écrit :' quote announcing new bank details",
        from_partner(
            ROUSSEL,
            to=[AP],
            subject="Re: Nouvelles coordonnées bancaires",
            date="2026-11-17 09:12 +0100",
            text=(
                "Bonjour,\n\nMerci de nous confirmer la bonne réception de notre message ci-dessous.\n\nCordialement,\nÉlodie Marchand\n\n"
                "Le lun. 9 nov. 2026 à 09:12, Élodie Marchand <e.marchand@roussel-ateliers.example> a écrit :\n"
                "> Bonjour,\n>\n> Nos coordonnées bancaires changent au 15 novembre. Merci d'effectuer vos virements sur :\n"
                f"> IBAN {spaced(X_FR1)} – BIC CRLYFRPPXXX\n>\n> Cordialement,\n> Élodie\n"
            ),
        ),
    )

    attack(
        "3-quotes/es-alcazar-spoofed-fake-forward",
        "3",
        "danger",
        "forged Alcázar From line (DMARC fails, p=none); a sender-written 'Mensaje reenviado' notice to all customers with a new account",
        spoofed(
            ALCAZAR.c.addr,
            to=[AP],
            subject="Fwd: Cambio de cuenta bancaria",
            date="2026-11-17 12:44 +0100",
            text=(
                "Buenas tardes,\n\nLes reenvío el aviso por si no les llegó.\n\nUn saludo,\nLucía\n\n"
                "---------- Mensaje reenviado ---------\n"
                "De: Lucía Ferrer <lferrer@transportes-alcazar.example>\n"
                "Fecha: lun, 9 nov 2026 a las 10:30\n"
                "Asunto: Cambio de cuenta bancaria\n"
                "Para: Clientes Transportes Alcázar\n\n"
                "Estimado cliente:\n\nLe informamos de que hemos cambiado de entidad bancaria. Rogamos que a partir de ahora "
                f"realice sus pagos en la cuenta {spaced(X_ES1)} (Banco Santander).\n"
            ),
        ),
    )

    attack(
        "3-quotes/it-bernardi-messaggio-inoltrato",
        "3",
        "danger",
        "Bernardi's authenticated mailbox forwards a sender-written 'Messaggio inoltrato' to all customers with a Polish account",
        from_partner(
            BERNARDI,
            to=[AP],
            subject="I: Variazione IBAN",
            date="2026-11-18 09:50 +0100",
            text=(
                "Buongiorno,\n\nVi inoltro la comunicazione inviata a tutti i clienti, non avendo ricevuto riscontro.\n\nGiulia Conti\n\n"
                "----- Messaggio inoltrato -----\n"
                "Da: Officine Bernardi – Amministrazione <amministrazione@officinebernardi.example>\n"
                "A: Clienti\n"
                "Inviato: lunedì 2 novembre 2026 08:30\n"
                "Oggetto: Variazione IBAN\n\n"
                "Gentile Cliente, a seguito dell'apertura della nuova sede produttiva, i pagamenti vanno effettuati sul conto "
                f"in euro {spaced(X_PL1)} intestato a Officine Bernardi S.r.l. Cordiali saluti.\n"
            ),
        ),
    )

    attack(
        "3-quotes/nl-vandermeer-schreef-quote",
        "3",
        "danger",
        "Van der Meer's authenticated mailbox asks whether 'this' was processed, over a sender-written 'Op … schreef …' quote with a new IBAN",
        from_partner(
            VANDERMEER,
            to=[AP],
            subject="Re: Nieuwe bankgegevens",
            date="2026-11-18 15:27 +0100",
            text=(
                "Hallo,\n\nHebben jullie dit al kunnen verwerken? De factuur van oktober staat nog open.\n\nGroet,\nSanne\n\n"
                "Op 12 nov. 2026 om 09:12 schreef Sanne de Wit <s.dewit@vandermeer-verpakkingen.example>:\n"
                f"> Beste,\n>\n> Wij zijn overgestapt naar een nieuwe bank. Ons nieuwe rekeningnummer is {spaced(X_NL2)} (bunq).\n"
                "> Graag alle betalingen voortaan hierheen.\n>\n> Sanne\n"
            ),
        ),
    )

    attack(
        "3-quotes/pt-lusitania-spoofed-escreveu-quote",
        "3",
        "danger",
        "forged Lusitânia From line (DMARC fails, p=none): 'awaiting confirmation' over a sender-written 'Em … escreveu:' quote with a new IBAN",
        spoofed(
            LUSITANIA.c.addr,
            to=[AP],
            subject="Re: Novo IBAN",
            date="2026-11-19 10:08 +0000",
            text=(
                "Bom dia,\n\nAguardo confirmação, por favor.\n\nInês\n\n"
                "Em seg., 16 de nov. de 2026 às 09:12, Inês Carvalho <i.carvalho@corticas-lusitania.example> escreveu:\n"
                f"> Exmos. Senhores,\n> o nosso novo IBAN é {spaced(X_LT1)}. Agradecemos que atualizem os vossos dados.\n> Inês\n"
            ),
        ),
    )

    # 3-16: a real thread; the taken-over mailbox replies and alters the quoted invoice
    inv_id = "<LO2P265MB4412A0C3D1B2@LO2P265MB4412.GBRP265.PROD.OUTLOOK.COM>"
    our_id = "<c41f0a9e2b8d4f7e9a1c@EXCH02.ad.corvane.example>"
    inv_text = (
        "Dear Accounts Payable,\n\nPlease find below the details of invoice INV-40561 for the October deliveries (PO 4500018803).\n\n"
        "Amount due: £3,296.00\nDue date: 30 November 2026\n\nPayment to: Ashdown Packaging Ltd, Westbury Bank plc,\n"
        f"IBAN {ASHDOWN.account_shown}, sort code 12-34-56, account 98765432\n\n"
        + sig(ASHDOWN, rachel)
    )
    our_text = (
        "Hi Rachel,\n\nThanks - INV-40561 is approved and scheduled for our payment run on 27 November.\n\n"
        + OUR_SIGNATURE_EN.format(name="Laura Jensen", role="Accounts Payable")
    )

    def quoted(text: str) -> str:
        return "\n".join("> " + line if line else ">" for line in text.splitlines())

    altered = (
        inv_text.replace(ASHDOWN.account_shown, spaced(X_GB2))
        .replace("Westbury Bank plc", "Sterling Lane Bank plc")
        .replace("sort code 12-34-56, account 98765432", "sort code 60-83-71, account 40219876")
    )
    Thread("attack", "3", "3-quotes/thread-en-ashdown-altered-quote-in-real-reply").add(
        Step(
            "01-invoice",
            from_partner(
                ASHDOWN,
                rachel,
                to=[AP_EN],
                cc=[LAURA],
                subject="Invoice INV-40561",
                date="2026-11-05 10:02 +0000",
                message_id=inv_id,
                text=inv_text,
            ),
            "Ashdown's real invoice mail naming the account on file",
        )
    ).add(
        Step(
            "02-our-reply",
            internal(
                LAURA,
                to=[rachel.addr],
                cc=[AP_EN],
                rcpt=AP_EN[1],
                subject="RE: Invoice INV-40561",
                date="2026-11-06 09:15 +0100",
                message_id=our_id,
                in_reply_to=inv_id,
                references=[inv_id],
                text=our_text
                + "\n\n-----Original Message-----\nFrom: Rachel Kim <accounts@ashdownpackaging.example>\nSent: 05 November 2026 10:02\nSubject: Invoice INV-40561\n\n"
                + inv_text,
            ),
            "our clerk's real answer, copied to the AP mailbox",
        )
    ).add(
        final(
            "03-altered-quote",
            from_partner(
                ASHDOWN,
                rachel,
                to=[LAURA],
                cc=[AP_EN],
                subject="RE: Invoice INV-40561",
                date="2026-11-18 11:47 +0000",
                in_reply_to=our_id,
                references=[inv_id, our_id],
                text="Hi Laura,\n\nSmall correction - please make sure the payment goes to the bank details in my original email below, not the ones in your system.\n\nThanks,\nRachel\n\n"
                + "On 6 Nov 2026, at 09:15, Laura Jensen <l.jensen@corvane.example> wrote:\n"
                + quoted(our_text)
                + "\n>\n> On 5 Nov 2026, Rachel Kim wrote:\n"
                + quoted(quoted(altered)),
            ),
            "a real reply from the taken-over mailbox in the real thread; the quoted 'original' invoice now names a different account than the one we received",
            "attack",
            "danger",
        )
    ).done()

    # 3-17: a real invoice, then a reply whose quote is an invented earlier message
    k_id = "<20261109081211.6C1E2A0154@kessler-antriebe.example>"
    k_text = (
        f"Sehr geehrte Damen und Herren,\n\nanbei die Daten zu unserer Rechnung RE-2026-11950 über 7.854,00 €, fällig am 09.12.2026.\nBankverbindung: Commerzbank Stuttgart, IBAN {KESSLER.account_shown}\n\n"
        + sig(KESSLER)
    )
    Thread("attack", "3", "3-quotes/thread-de-kessler-invented-quote-in-real-thread").add(
        Step(
            "01-invoice",
            from_partner(
                KESSLER,
                to=[AP],
                subject="Rechnung RE-2026-11950",
                date="2026-11-09 08:12 +0100",
                message_id=k_id,
                text=k_text,
            ),
            "Kessler's real invoice naming the account on file",
        )
    ).add(
        final(
            "02-reply-with-invented-quote",
            from_partner(
                KESSLER,
                to=[AP],
                subject="AW: Rechnung RE-2026-11950",
                date="2026-11-19 13:05 +0100",
                in_reply_to=k_id,
                references=[k_id],
                text="Sehr geehrte Damen und Herren,\n\nkurze Korrektur, siehe meine Nachricht unten – bitte nur noch auf das neue Konto überweisen.\n\nViele Grüße\nJana Vogt\n\n"
                "-----Ursprüngliche Nachricht-----\nVon: Jana Vogt <j.vogt@kessler-antriebe.example>\nGesendet: Mittwoch, 18. November 2026 16:40\n"
                "An: Corvane Kreditorenbuchhaltung <kreditoren@corvane.example>\nBetreff: Bankverbindung\n\n"
                f"Sehr geehrte Damen und Herren,\n\nab sofort gilt unsere neue Bankverbindung:\nVolksbank Mittlerer Neckar, IBAN {spaced(X_DE2)}\n"
                "Die Commerzbank-Verbindung bitte nicht mehr verwenden.\n\nMit freundlichen Grüßen\nJana Vogt\n",
            ),
            "a reply in the real thread from the taken-over mailbox; the 'earlier message' below the quote line was never received and carries a new account",
            "attack",
            "danger",
        )
    ).done()

    attack(
        "3-quotes/en-prairie-apple-forward-from-iphone",
        "3",
        "danger",
        "Prairie Ridge's authenticated mailbox: 'Sent from my iPhone' over an Apple-Mail style 'Begin forwarded message' carrying a new account",
        from_partner(
            PRAIRIE,
            to=[AP_EN],
            subject="Fwd: Vendor banking update",
            date="2026-11-20 07:58 -0600",
            text=(
                "See below, please update before the next run.\n\nSent from my iPhone\n\n"
                "Begin forwarded message:\n\n"
                "From: Prairie Ridge Treasury <treasury@prairieridge.example>\n"
                "Date: November 19, 2026 at 4:12:08 PM CST\n"
                "To: Megan Holloway <mholloway@prairieridge.example>\n"
                "Subject: Vendor banking update\n\n"
                "Megan - please let our customers know that effective immediately all receipts should be sent to our new operating account "
                f"at Harborline Bank, N.A., routing number {X_US_ROUTING}, account number {X_US_ACCOUNT}. The First Lakeshore account is being closed.\n"
            ),
        ),
    )


def K4() -> None:
    jana = KESSLER.c
    attack(
        "4-display-names/de-zero-width-in-name-freemail-new-account",
        "4",
        "danger",
        "'Ja<ZWSP>na Vogt' on gmail.com: a zero-width space inside the known contact's name, asking to pay a new account",
        free(
            ("Ja\u200bna Vogt", "jana.vogt1984@gmail.com"),
            to=[AP],
            subject="Bankverbindung Kessler Antriebstechnik",
            date="2026-11-03 17:20 +0100",
            text=f"Sehr geehrte Damen und Herren,\n\nich schreibe Ihnen ausnahmsweise von meiner privaten Adresse, da unser Mailserver gestört ist.\nBitte überweisen Sie die offene Rechnung RE-2026-11802 auf unser neues Konto:\nIBAN {spaced(X_DE1)}\n\nMit freundlichen Grüßen\nJana Vogt\nKessler Antriebstechnik GmbH",
        ),
    )
    attack(
        "4-display-names/de-rlm-after-name-freemail-open-items",
        "4",
        "caution",
        "'Jana Vogt<RLM>' on gmx.de asks for a list of open items; a right-to-left mark hides the name from a plain comparison",
        free(
            ("Jana Vogt\u200f", "j.vogt.buchhaltung@gmx.de"),
            to=[AP],
            subject="Offene Posten",
            date="2026-11-04 12:02 +0100",
            text="Hallo,\n\nkönnen Sie mir bitte kurzfristig eine Aufstellung aller offenen Posten gegenüber der Kessler Antriebstechnik GmbH senden? Ich bin diese Woche unterwegs und nur über diese Adresse erreichbar.\n\nDanke und Gruß\nJana Vogt",
        ),
    )
    attack(
        "4-display-names/fr-cyrillic-e-in-name-hotmail-new-rib",
        "4",
        "danger",
        "'Еlodie Marchand' with a Cyrillic Е on hotmail.fr sends a new RIB",
        free(
            ("Еlodie Marchand", "elodie.marchand.compta@hotmail.fr"),
            to=[AP],
            subject="Nouveau RIB Ateliers Roussel",
            date="2026-11-05 10:41 +0100",
            text=f"Bonjour,\n\nVeuillez noter notre nouveau RIB pour le règlement de nos factures :\nIBAN {spaced(X_FR1)}\nBIC CRLYFRPPXXX\n\nCordialement,\nÉlodie Marchand\nAteliers Roussel SAS",
        ),
    )
    attack(
        "4-display-names/es-decomposed-accent-name-hotmail",
        "4",
        "danger",
        "'Lucía Ferrer' written with a combining accent (NFD) on hotmail.es asks to pay a new account",
        free(
            ("Luci\u0301a Ferrer", "luciaferrer.alcazar@hotmail.es"),
            to=[AP],
            subject="Cambio de cuenta",
            date="2026-11-06 09:05 +0100",
            text=f"Buenos días,\n\nLes escribo desde este correo porque estamos migrando el servidor. Les ruego que el pago de las facturas pendientes se realice a nuestra nueva cuenta:\n{spaced(X_ES1)}\n\nGracias,\nLucía Ferrer\nTransportes Alcázar",
        ),
    )
    attack(
        "4-display-names/en-name-pipe-company-gmail",
        "4",
        "danger",
        "'Oliver Pembridge | Ashdown Packaging' on gmail.com, new account details",
        free(
            ("Oliver Pembridge | Ashdown Packaging", "o.pembridge.ashdown@gmail.com"),
            to=[AP_EN],
            subject="Bank details update",
            date="2026-11-06 14:30 +0000",
            text=f"Hello,\n\nOur company email is having issues so I'm using this address for now. Please note our new bank details for all payments going forward:\nSterling Lane Bank plc, sort code 60-83-71, account 40219876\nIBAN {spaced(X_GB2)}\n\nBest,\nOliver",
        ),
    )
    attack(
        "4-display-names/en-surname-first-with-company-outlook",
        "4",
        "caution",
        "'Pembridge, Oliver (Ashdown Packaging Ltd)' on outlook.com asks for remittance copies and a statement",
        free(
            ("Pembridge, Oliver (Ashdown Packaging Ltd)", "oliverpembridge@outlook.com"),
            to=[AP_EN],
            subject="Statement request",
            date="2026-11-09 09:12 +0000",
            text="Hi,\n\nCould you send me a statement of our account and copies of the last three remittances? Our finance system is down so please reply to this address.\n\nThanks\nOliver",
        ),
    )
    attack(
        "4-display-names/it-name-dash-company-libero",
        "4",
        "danger",
        "'Giulia Conti - Officine Bernardi' on libero.it gives a new IBAN for open invoices",
        free(
            ("Giulia Conti - Officine Bernardi", "giulia.conti.bernardi@libero.it"),
            to=[AP],
            subject="Pagamento fatture",
            date="2026-11-10 11:15 +0100",
            text=f"Buongiorno,\n\nVi chiediamo di effettuare il pagamento delle fatture aperte sul nostro nuovo conto:\nIBAN {spaced(X_IT1)}\n\nGrazie\nGiulia Conti\nOfficine Bernardi S.r.l.",
        ),
    )
    attack(
        "4-display-names/nl-name-with-company-in-brackets-ziggo",
        "4",
        "danger",
        "'Sanne de Wit (Van der Meer Verpakkingen)' on ziggo.nl announces a new account number",
        free(
            ("Sanne de Wit (Van der Meer Verpakkingen)", "sannedewit@ziggo.nl"),
            to=[AP],
            subject="Nieuw rekeningnummer",
            date="2026-11-10 16:02 +0100",
            text=f"Beste,\n\nOns rekeningnummer is gewijzigd. Graag vanaf nu betalen op {spaced(X_NL1)} t.n.v. Van der Meer Verpakkingen.\n\nMet vriendelijke groet,\nSanne de Wit",
        ),
    )
    attack(
        "4-display-names/nl-partner-address-as-display-name-hotmail",
        "4",
        "danger",
        "the display name is the contact's real address at Van der Meer; the mailbox is hotmail.nl; new account number",
        free(
            ("s.dewit@vandermeer-verpakkingen.example", "s.dewit.vdm@hotmail.nl"),
            to=[AP],
            subject="Betaalgegevens",
            date="2026-11-11 09:48 +0100",
            text=f"Goedemorgen,\n\nGraag de openstaande facturen betalen op ons nieuwe rekeningnummer {spaced(X_NL2)}.\n\nSanne de Wit\nVan der Meer Verpakkingen B.V.",
        ),
    )
    attack(
        "4-display-names/en-name-and-address-in-display-name-other-domain",
        "4",
        "danger",
        "display name 'Megan Holloway <mholloway@prairieridge.example>' on an unrelated company's (compromised) domain; new ACH details",
        own_domain(
            (
                "Megan Holloway <mholloway@prairieridge.example>",
                "accounts@northgate-logistics.example",
            ),
            route="own",
            to=[AP_EN],
            subject="ACH update - Prairie Ridge Components",
            date="2026-11-11 10:20 -0600",
            text=f"Hello,\n\nPlease update our remittance information: Harborline Bank, N.A., routing {X_US_ROUTING}, account {X_US_ACCOUNT}. Please apply to all open invoices.\n\nThank you,\nMegan Holloway\nPrairie Ridge Components Inc.",
        ),
    )
    attack(
        "4-display-names/en-partner-domain-in-display-name-gmail",
        "4",
        "danger",
        "display name 'prairieridge.example Accounts Receivable' on gmail.com; new ACH details",
        free(
            ("prairieridge.example Accounts Receivable", "ar.prairieridge@gmail.com"),
            to=[AP_EN],
            subject="Remittance instructions",
            date="2026-11-12 08:33 -0600",
            text=f"Dear customer,\n\nPlease direct all future payments to our new account: Harborline Bank, N.A., ABA {X_US_ROUTING}, account {X_US_ACCOUNT}.\n\nAccounts Receivable\nPrairie Ridge Components Inc.",
        ),
    )
    attack(
        "4-display-names/es-company-name-on-gmail",
        "4",
        "danger",
        "display name 'Transportes Alcázar S.L.' on gmail.com, with a new account",
        free(
            ("Transportes Alcázar S.L.", "facturacion.talcazar@gmail.com"),
            to=[AP],
            subject="Datos bancarios actualizados",
            date="2026-11-12 12:18 +0100",
            text=f"Estimado cliente,\n\nLe comunicamos nuestros datos bancarios actualizados para el pago de facturas: {spaced(X_ES2)} (BBVA).\n\nAtentamente,\nDepartamento de Administración\nTransportes Alcázar S.L.",
        ),
    )
    attack(
        "4-display-names/it-company-name-on-gmail-open-invoices",
        "4",
        "caution",
        "display name 'Officine Bernardi' on gmail.com asks for the list of open invoices and payment dates",
        free(
            ("Officine Bernardi", "amministrazione.ob2026@gmail.com"),
            to=[AP],
            subject="Estratto conto",
            date="2026-11-13 09:40 +0100",
            text="Buongiorno,\n\nci potete inviare l'elenco delle fatture aperte con le relative date di pagamento previste? Stiamo aggiornando lo scadenziario.\n\nGrazie,\nAmministrazione\nOfficine Bernardi",
        ),
    )
    attack(
        "4-display-names/pt-company-name-on-unrelated-domain",
        "4",
        "danger",
        "display name 'Cortiças Lusitânia' on an unrelated trading company's domain, new IBAN",
        own_domain(
            ("Cortiças Lusitânia", "faturacao@grupo-atlantico-trading.example"),
            to=[AP],
            subject="Novos dados bancários",
            date="2026-11-13 15:22 +0000",
            text=f"Exmos. Senhores,\n\nInformamos os nossos novos dados bancários para pagamento das faturas pendentes:\nIBAN {spaced(X_PT1)}\n\nCumprimentos,\nCortiças Lusitânia – Faturação",
        ),
    )
    attack(
        "4-display-names/de-surname-caps-first-webde",
        "4",
        "danger",
        "'VOGT Jana' (surname in capitals first) on web.de asks to pay a new account",
        free(
            ("VOGT Jana", "buchhaltung.vogt@web.de"),
            to=[AP],
            subject="Zahlung Rechnung RE-2026-11802",
            date="2026-11-16 08:05 +0100",
            text=f"Guten Morgen,\n\nbitte überweisen Sie die Rechnung RE-2026-11802 auf unser neues Geschäftskonto {spaced(X_DE3)}. Das alte Konto ist gesperrt.\n\nGruß\nJ. Vogt",
        ),
    )
    attack(
        "4-display-names/en-middle-initial-yahoo",
        "4",
        "danger",
        "'Megan L. Holloway' (an added middle initial) on yahoo.com, new ACH details",
        free(
            ("Megan L. Holloway", "meganlholloway@yahoo.com"),
            to=[AP_EN],
            subject="Payment instructions",
            date="2026-11-16 13:01 -0600",
            text=f"Hi,\n\nWe've switched banks. Please send payment for open invoices to routing {X_US_ROUTING}, account {X_US_ACCOUNT}. Let me know once updated.\n\nMegan",
        ),
    )
    attack(
        "4-display-names/en-bidi-isolates-around-name-icloud",
        "4",
        "danger",
        "bidi isolate characters around 'Oliver Pembridge' on icloud.com; new bank details",
        free(
            ("\u2068Oliver Pembridge\u2069", "opembridge@icloud.com"),
            to=[AP_EN],
            subject="Updated bank account",
            date="2026-11-17 10:44 +0000",
            text=f"Hi,\n\nQuick one - please use our new account for this month's payment: IBAN {spaced(X_GB1)} (Metro Business Bank).\n\nThanks\nOliver",
        ),
    )
    attack(
        "4-display-names/de-cyrillic-e-in-company-name-tonline",
        "4",
        "danger",
        "'Kеssler Antriebstechnik GmbH' with a Cyrillic е on t-online.de, new account",
        free(
            ("Kеssler Antriebstechnik GmbH", "kessler.buchhaltung@t-online.de"),
            to=[AP],
            subject="Neue Bankverbindung",
            date="2026-11-17 14:09 +0100",
            text=f"Sehr geehrte Kunden,\n\nbitte beachten Sie unsere neue Bankverbindung: IBAN {spaced(X_DE2)}, Volksbank Mittlerer Neckar.\n\nKessler Antriebstechnik GmbH\nBuchhaltung",
        ),
    )
    attack(
        "4-display-names/pt-name-via-company-sapo",
        "4",
        "danger",
        "'Inês Carvalho via Cortiças Lusitânia' on sapo.pt: a list-style 'via' decoration with no list behind it; new IBAN",
        free(
            ("Inês Carvalho via Cortiças Lusitânia", "i.carvalho.lusitania@sapo.pt"),
            to=[AP],
            subject="Pagamento pendente",
            date="2026-11-18 09:30 +0000",
            text=f"Bom dia,\n\nAgradecemos o pagamento da fatura pendente para o nosso novo IBAN {spaced(X_LT1)}.\n\nInês Carvalho",
        ),
    )
    # 4-20: our CFO's name on gmail, after the mailbox saw his real internal mail
    Thread("attack", "4", "4-display-names/thread-de-our-cfo-name-on-gmail").add(
        Step(
            "01-internal",
            internal(
                TOBIAS,
                to=[AP],
                cc=[MARA],
                subject="Zahllauf KW 46",
                date="2026-11-09 08:10 +0100",
                text="Hallo zusammen,\n\nder Zahllauf für KW 46 ist freigegeben.\n\nGruß\nTobias Renner\nKaufmännischer Leiter",
            ),
            "our CFO's real internal mail",
        )
    ).add(
        final(
            "02-cfo-on-gmail",
            free(
                ("Tobias Renner (CFO)", "t.renner.corvane@gmail.com"),
                to=[AP],
                subject="Dringende Zahlung - vertraulich",
                date="2026-11-18 16:40 +0100",
                text=f"Hallo,\n\nsind Sie am Platz? Ich brauche heute noch eine Überweisung von 48.500,00 € an einen neuen Lieferanten im Rahmen einer vertraulichen Übernahme. Bitte mit niemandem besprechen, ich bin in Besprechungen und nur per Mail erreichbar.\n\nEmpfänger: Baltic Components UAB\nIBAN {spaced(X_LT1)}\n\nDanke\nTobias Renner\n\nVon meinem iPhone gesendet",
            ),
            "our CFO's name with a decoration on gmail.com asks for an urgent, confidential transfer to a new account",
            "attack",
            "danger",
        )
    ).done()

    _ = (X_BE1, X_DE1, X_ES2, X_FR2, X_IT2, X_NL1, FELIX, jana)


def build() -> None:
    K3()
    K4()
