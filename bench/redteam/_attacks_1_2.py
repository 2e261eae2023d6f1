"""Attacks of kinds 1 (the change only in an attachment or an image) and 2 (HTML tricks)."""

# The messages are data: their text is kept on one line per sentence or header, as written.
# ruff: noqa: E501

from __future__ import annotations

from _build import (
    attack,
    bank_lines,
    docx,
    free,
    from_partner,
    image,
    invoice,
    own_domain,
    pdf,
    spoofed,
)
from _docs import Letterhead, docx_letter, letter_image, pdf_invoice, pdf_letter, pdf_of_image
from _mail import Attachment, aba_routing, make_iban, spaced
from _world import (
    ALCAZAR,
    AP,
    AP_EN,
    ASHDOWN,
    BERNARDI,
    KESSLER,
    LAURA,
    LUSITANIA,
    PRAIRIE,
    ROUSSEL,
    VANDERMEER,
    sig,
)

# accounts the attackers want paid (valid check digits, invented)
X_DE1 = make_iban("DE", "attacker-de-1")
X_DE2 = make_iban("DE", "attacker-de-2")
X_DE3 = make_iban("DE", "attacker-de-3")
X_FR1 = make_iban("FR", "attacker-fr-1")
X_FR2 = make_iban("FR", "attacker-fr-2")
X_ES1 = make_iban("ES", "attacker-es-1")
X_ES2 = make_iban("ES", "attacker-es-2")
X_NL1 = make_iban("NL", "attacker-nl-1", "RABO")
X_NL2 = make_iban("NL", "attacker-nl-2", "BUNQ")
X_IT1 = make_iban("IT", "attacker-it-1")
X_IT2 = make_iban("IT", "attacker-it-2")
X_PT1 = make_iban("PT", "attacker-pt-1")
X_GB1 = make_iban("GB", "attacker-gb-1", "BUKB202015")
X_GB2 = make_iban("GB", "attacker-gb-2", "SRLG608371")
X_LT1 = make_iban("LT", "attacker-lt-1")
X_BE1 = make_iban("BE", "attacker-be-1")
X_PL1 = make_iban("PL", "attacker-pl-1")
X_US_ROUTING = aba_routing("attacker-us-1")
X_US_ACCOUNT = "8834001775"


def K1() -> None:
    # 1-01: compromised Kessler account, the new account only in the PDF invoice
    inv = invoice(
        KESSLER,
        "RE-2026-11873",
        "03.11.2026",
        bank_lines(KESSLER, X_DE1, "DEUTDESSXXX", "Deutsche Bank Stuttgart"),
        notes_before=[
            "Wichtig: Bitte beachten Sie unsere neue Bankverbindung. Zahlungen auf das bisherige Konto bei der Commerzbank können ab dem 01.11.2026 nicht mehr zugeordnet werden."
        ],
    )
    attack(
        "1-attachment/de-kessler-account-taken-over-pdf-invoice",
        "1",
        "danger",
        "Kessler's own mailbox (authenticated) sends an invoice PDF whose payment box names a new Deutsche Bank account; the mail text only says 'invoice attached'",
        from_partner(
            KESSLER,
            to=[AP],
            subject="Rechnung RE-2026-11873",
            date="2026-11-03 09:42 +0100",
            text="Sehr geehrte Damen und Herren,\n\nanbei erhalten Sie unsere Rechnung RE-2026-11873 zu Ihrer Bestellung 4500018832.\nWir bitten um Ausgleich zum Fälligkeitstermin.\n\n"
            + sig(KESSLER),
            attachments=[pdf("RE-2026-11873.pdf", pdf_invoice(KESSLER.letterhead(), inv))],
        ),
    )

    # 1-02: Ashdown, spoofed (DMARC p=none), invoice PDF sent as octet-stream with new GB account
    inv = invoice(
        ASHDOWN,
        "INV-40533",
        "28 October 2026",
        [
            f"Bank details: {ASHDOWN.org}",
            "Metro Business Bank, London",
            "Sort code 20-20-15  Account 15936468",
            f"IBAN: {spaced(X_GB1)}",
            "BIC: BUKBGB22",
        ],
        notes_before=[
            "Please note: our banking details have changed following our move to a new bank. Kindly update your records and remit all payments to the account below."
        ],
    )
    attack(
        "1-attachment/en-ashdown-spoofed-octet-stream-invoice",
        "1",
        "danger",
        "forged Ashdown From line (DMARC fails, p=none); the updated invoice, attached as application/octet-stream, carries the new account and the change notice",
        spoofed(
            ASHDOWN.contacts[1].addr,
            policy="none",
            to=[AP_EN],
            subject="Updated invoice INV-40533",
            date="2026-10-28 15:07 +0000",
            text="Hi,\n\nPlease find attached the updated invoice INV-40533 - the previous copy had an error in the payment section, please discard it and use this one.\n\nMany thanks,\n\nRachel Kim\nCredit Control\nAshdown Packaging Ltd\n",
            attachments=[
                pdf(
                    "INV_40533.pdf",
                    pdf_invoice(ASHDOWN.letterhead(), inv, unicode_font=False),
                    octet=True,
                )
            ],
            mailer="Microsoft Outlook 16.0",
        ),
    )

    # 1-03: Roussel compromised: "ci-joint notre RIB" and the RIB PDF names another account
    rib = pdf_letter(
        ROUSSEL.letterhead(),
        ["Corvane Instruments GmbH", "Service comptabilité fournisseurs"],
        "Lyon, le 4 novembre 2026",
        "Relevé d'identité bancaire",
        [
            "Titulaire du compte : ATELIERS ROUSSEL SAS – 12 rue des Tanneurs – 69007 Lyon",
            "Domiciliation : Crédit Lyonnais Entreprises Lyon Confluence",
            f"IBAN : {spaced(X_FR1)}",
            "BIC : CRLYFRPPXXX",
            "Nous vous remercions de bien vouloir enregistrer ces coordonnées pour vos prochains règlements.",
        ],
        ["Élodie Marchand", "Service comptabilité clients"],
    )
    attack(
        "1-attachment/fr-roussel-account-taken-over-rib-pdf",
        "1",
        "danger",
        "Roussel's authenticated mailbox sends 'l'invoice et notre RIB'; the RIB PDF names an account that is not on file and asks to use it for future payments",
        from_partner(
            ROUSSEL,
            to=[AP],
            subject="Facture F-2026-0912 et RIB",
            date="2026-11-04 10:18 +0100",
            text="Bonjour,\n\nVeuillez trouver ci-joint la facture F-2026-0912 ainsi que notre RIB.\nNous restons à votre disposition pour toute question.\n\n"
            + sig(ROUSSEL),
            attachments=[
                pdf(
                    "F-2026-0912.pdf",
                    pdf_invoice(
                        ROUSSEL.letterhead(),
                        invoice(
                            ROUSSEL,
                            "F-2026-0912",
                            "04/11/2026",
                            bank_lines(ROUSSEL, X_FR1, "CRLYFRPPXXX", "Crédit Lyonnais"),
                        ),
                    ),
                ),
                pdf("RIB_Ateliers_Roussel.pdf", rib),
            ],
        ),
    )

    # 1-04: Alcázar compromised, Word letter about a change of bank
    letter = docx_letter(
        ALCAZAR.letterhead(),
        ["Corvane Instruments GmbH", "Departamento de Cuentas a Pagar", "Stuttgart (Alemania)"],
        "Coslada, 5 de noviembre de 2026",
        "Asunto: Comunicación de cambio de cuenta bancaria",
        [
            "Estimados clientes:",
            "Por la presente les comunicamos que, con motivo de la reorganización de nuestra tesorería, a partir de esta fecha hemos cambiado de entidad bancaria.",
            "Les rogamos que todos los pagos pendientes y futuros se realicen exclusivamente a la siguiente cuenta:",
        ],
        [
            "Atentamente,",
            "",
            "Lucía Ferrer",
            "Administración y facturación",
            "Transportes Alcázar S.L.",
        ],
        table=[
            ["Titular", "Transportes Alcázar S.L."],
            ["Entidad", "Banco Santander"],
            ["IBAN", spaced(X_ES1)],
            ["BIC/SWIFT", "BSCHESMMXXX"],
        ],
        author="Lucía Ferrer",
    )
    attack(
        "1-attachment/es-alcazar-account-taken-over-docx-letter",
        "1",
        "danger",
        "Alcázar's real mailbox forwards a Word letter announcing a new bank; the new IBAN sits in a table of the DOCX, the mail says only 'see the attached notice'",
        from_partner(
            ALCAZAR,
            to=[AP],
            subject="Comunicación departamento financiero",
            date="2026-11-05 12:31 +0100",
            text="Buenos días,\n\nAdjunto les remito comunicación de nuestro departamento financiero para su conocimiento y efectos oportunos.\n\n"
            + sig(ALCAZAR),
            attachments=[docx("Comunicacion_Transportes_Alcazar.docx", letter)],
        ),
    )

    # 1-05: Bernardi compromised, PDF invoice with "nuove coordinate bancarie"
    inv = invoice(
        BERNARDI,
        "2026/0457",
        "06/11/2026",
        bank_lines(BERNARDI, X_IT1, "UNCRITMMXXX", "UniCredit S.p.A. – Filiale Milano Centro"),
        notes_before=[
            "ATTENZIONE: Vi informiamo che le nostre coordinate bancarie sono cambiate. Vi preghiamo di effettuare il pagamento della presente e delle prossime fatture sul nuovo conto indicato sotto."
        ],
    )
    attack(
        "1-attachment/it-bernardi-account-taken-over-pdf-invoice",
        "1",
        "danger",
        "Bernardi's authenticated mailbox: 'In allegato la fattura'; the PDF announces new bank coordinates and names an account not on file",
        from_partner(
            BERNARDI,
            to=[AP],
            subject="Fattura n. 2026/0457",
            date="2026-11-06 11:05 +0100",
            text="Buongiorno,\n\nin allegato la fattura n. 2026/0457 relativa al Vs. ordine 4500018911.\n\n"
            + sig(BERNARDI),
            attachments=[pdf("Fattura_2026_0457.pdf", pdf_invoice(BERNARDI.letterhead(), inv))],
        ),
    )

    # 1-06: Van der Meer compromised, PDF letter only
    letter = pdf_letter(
        VANDERMEER.letterhead(),
        ["Corvane Instruments GmbH", "t.a.v. crediteurenadministratie"],
        "Zaandam, 9 november 2026",
        "Betreft: wijziging bankrekeningnummer",
        [
            "Geachte relatie,",
            "Hierbij delen wij u mede dat ons bankrekeningnummer per direct is gewijzigd. Wij verzoeken u vriendelijk om alle openstaande en toekomstige facturen uitsluitend over te maken naar het onderstaande rekeningnummer:",
            f"IBAN: {spaced(X_NL1)}   BIC: RABONL2U   t.n.v. Van der Meer Verpakkingen B.V.",
            "Betalingen naar ons oude rekeningnummer kunnen vanaf heden niet meer worden verwerkt.",
        ],
        ["Met vriendelijke groet,", "", "Sanne de Wit", "Financiële administratie"],
    )
    attack(
        "1-attachment/nl-vandermeer-account-taken-over-pdf-letter",
        "1",
        "danger",
        "Van der Meer's authenticated mailbox sends 'zie bijlage'; the PDF letter says the account number changed and names a Rabobank account not on file",
        from_partner(
            VANDERMEER,
            to=[AP],
            subject="Belangrijke mededeling",
            date="2026-11-09 08:51 +0100",
            text="Goedemorgen,\n\nZie bijlage.\n\n" + sig(VANDERMEER),
            attachments=[pdf("Mededeling_VanderMeer.pdf", letter)],
        ),
    )

    # 1-07: Lusitânia compromised, DOCX "alteração de dados bancários"
    letter = docx_letter(
        LUSITANIA.letterhead(),
        ["Corvane Instruments GmbH", "Contas a pagar", "Stuttgart – Alemanha"],
        "Santa Maria de Lamas, 10 de novembro de 2026",
        "Assunto: Alteração de dados bancários",
        [
            "Exmos. Senhores,",
            "Vimos por este meio informar que, por motivos de reestruturação interna, os nossos dados bancários foram alterados.",
            f"Solicitamos que todos os pagamentos passem a ser efetuados para o novo IBAN {spaced(X_PT1)} (BIC BCOMPTPL), titular Cortiças Lusitânia Lda.",
            "Agradecemos que atualizem os vossos registos com a maior brevidade possível.",
        ],
        ["Com os melhores cumprimentos,", "", "Inês Carvalho", "Departamento Financeiro"],
        author="Ines Carvalho",
    )
    attack(
        "1-attachment/pt-lusitania-account-taken-over-docx",
        "1",
        "danger",
        "Lusitânia's authenticated mailbox attaches a Word letter announcing new bank details and a new IBAN; the mail text names no account",
        from_partner(
            LUSITANIA,
            to=[AP],
            subject="Comunicação importante - Cortiças Lusitânia",
            date="2026-11-10 14:22 +0000",
            text="Bom dia,\n\nSegue em anexo uma comunicação do nosso departamento financeiro.\nQualquer dúvida, estamos ao dispor.\n\n"
            + sig(LUSITANIA),
            attachments=[docx("Comunicacao_Lusitania.docx", letter)],
        ),
    )

    # 1-08: Prairie Ridge compromised, PDF invoice with new ACH remit-to
    inv = invoice(
        PRAIRIE,
        "118820",
        "11/02/2026",
        [
            "Remit to: Prairie Ridge Components Inc.",
            "Harborline Bank, N.A.",
            f"ABA routing {X_US_ROUTING}",
            f"Account {X_US_ACCOUNT} (checking)",
        ],
        notes_before=[
            "PLEASE NOTE OUR NEW REMITTANCE INFORMATION. ACH and wire payments must now be sent to the account below; our previous account is closed."
        ],
    )
    attack(
        "1-attachment/en-prairie-account-taken-over-new-ach-pdf",
        "1",
        "danger",
        "Prairie Ridge's authenticated mailbox sends an invoice PDF whose remit-to box holds a new routing and account number",
        from_partner(
            PRAIRIE,
            to=[AP_EN],
            subject="Invoice 118820 - PO 4500018870",
            date="2026-11-02 10:40 -0600",
            text="Hello,\n\nAttached is invoice 118820 for PO 4500018870. Please process at your earliest convenience.\n\n"
            + sig(PRAIRIE),
            attachments=[
                pdf(
                    "Invoice_118820.pdf", pdf_invoice(PRAIRIE.letterhead(), inv, unicode_font=False)
                )
            ],
        ),
    )

    # 1-09: Ashdown compromised, the notice is an inline image under one line of text
    img = letter_image(
        [
            "# Ashdown Packaging Ltd",
            "Unit 4, Ashdown Business Park, Crowborough TN6 2XX",
            "",
            "# Change of bank details",
            "Dear Customer,",
            "Please be advised that with effect from 1 November 2026 our",
            "bank account has changed. Please update your supplier records",
            "and make all future payments to the following account:",
            "",
            "Account name: Ashdown Packaging Ltd",
            "Bank: Sterling Lane Bank plc",
            "Sort code: 60-83-71   Account number: 40219876",
            f"IBAN: {spaced(X_GB2)}",
            "BIC: SRLGGB2L",
            "",
            "Yours faithfully,",
            "Oliver Pembridge, Commercial Director",
        ]
    )
    attack(
        "1-attachment/en-ashdown-account-taken-over-inline-image",
        "1",
        "danger",
        "Ashdown's authenticated mailbox: one line of HTML text and an inline picture of a letter announcing new bank details with sort code, account and IBAN",
        from_partner(
            ASHDOWN,
            ASHDOWN.contacts[0],
            to=[AP_EN],
            subject="Important notice - Ashdown Packaging",
            date="2026-11-03 11:12 +0000",
            text="Dear customer,\n\nPlease see the notice below from our finance team.\n\nKind regards,\nOliver Pembridge\n",
            html='<html><body><p>Dear customer,</p><p>Please see the notice below from our finance team.</p><p><img src="cid:notice01" alt="notice" width="620"></p><p>Kind regards,<br>Oliver Pembridge<br>Commercial Director<br>Ashdown Packaging Ltd</p></body></html>',
            attachments=[image("image001.png", img, cid="notice01")],
        ),
    )

    # 1-10: Kessler compromised, phone photo of a letter (JPEG attachment)
    img = letter_image(
        [
            "# Kessler Antriebstechnik GmbH",
            "Gottlieb-Daimler-Straße 21 · 71263 Weil der Stadt",
            "",
            "# Änderung unserer Bankverbindung",
            "Sehr geehrte Geschäftspartner,",
            "wir teilen Ihnen mit, dass sich unsere Bankverbindung",
            "geändert hat. Bitte überweisen Sie alle offenen und",
            "künftigen Rechnungsbeträge ausschließlich auf:",
            "",
            "Kontoinhaber: Kessler Antriebstechnik GmbH",
            "Bank: Volksbank Mittlerer Neckar",
            f"IBAN: {spaced(X_DE2)}",
            "BIC: GENODES1NUE",
            "",
            "Mit freundlichen Grüßen",
            "Kessler Antriebstechnik GmbH – Buchhaltung",
        ],
        fmt="JPEG",
        photo=True,
    )
    attack(
        "1-attachment/de-kessler-account-taken-over-jpeg-photo",
        "1",
        "danger",
        "Kessler's authenticated mailbox attaches a phone photo (JPEG) of a letter with the new account; the text only refers to a phone call",
        from_partner(
            KESSLER,
            to=[AP],
            subject="Schreiben Buchhaltung",
            date="2026-11-11 16:03 +0100",
            text="Hallo,\n\nwie telefonisch besprochen anbei das Schreiben unserer Buchhaltung.\n\nGruß\nJana Vogt\n\nVon meinem iPhone gesendet",
            attachments=[image("IMG_4471.jpg", img)],
        ),
    )

    # 1-11: Roussel impersonated from free mail, Word document with the new RIB
    letter = docx_letter(
        ROUSSEL.letterhead(),
        ["Corvane Instruments GmbH"],
        "Lyon, le 12 novembre 2026",
        "Objet : changement de domiciliation bancaire",
        [
            "Madame, Monsieur,",
            "Nous vous informons que notre domiciliation bancaire a changé. Nous vous prions de bien vouloir effectuer le règlement de nos factures en attente sur le compte suivant :",
            f"IBAN {spaced(X_FR2)} – BIC SOGEFRPPXXX – Société Générale Lyon Bellecour",
            "Nous vous remercions de votre diligence.",
        ],
        ["Élodie Marchand", "Service comptabilité clients"],
        author="emarchand",
    )
    attack(
        "1-attachment/fr-roussel-freemail-docx-new-rib",
        "1",
        "danger",
        "'Élodie Marchand' on a gmail.com address sends a Word letter whose new bank domiciliation is only in the document",
        free(
            ("Élodie Marchand", "elodie.marchand.roussel@gmail.com"),
            to=[AP],
            subject="Règlement factures en attente",
            date="2026-11-12 09:26 +0100",
            text="Bonjour,\n\nJe vous écris depuis mon adresse personnelle, notre messagerie est en maintenance.\nMerci de prendre connaissance du courrier ci-joint concernant le règlement de nos factures en attente.\n\nCordialement,\nÉlodie Marchand\nAteliers Roussel SAS",
            attachments=[docx("Courrier_Roussel.docx", letter)],
        ),
    )

    # 1-12: look-alike Alcázar domain, PDF invoice with new account (no change words in mail)
    inv = invoice(
        ALCAZAR, "FA-26-01190", "13/11/2026", bank_lines(ALCAZAR, X_ES2, "BBVAESMMXXX", "BBVA")
    )
    attack(
        "1-attachment/es-alcazar-lookalike-domain-pdf-invoice",
        "1",
        "danger",
        "a domain one letter off Alcázar's (transporte-alcazar) sends an invoice PDF naming an account not on file",
        own_domain(
            ("Lucía Ferrer", "lferrer@transporte-alcazar.example"),
            route="gws",
            to=[AP],
            subject="Factura FA-26-01190",
            date="2026-11-13 10:02 +0100",
            text="Buenos días,\n\nAdjuntamos la factura FA-26-01190 correspondiente a los transportes de octubre.\nRogamos procedan a su pago en la cuenta indicada en la misma.\n\n"
            + sig(ALCAZAR),
            attachments=[pdf("FA-26-01190.pdf", pdf_invoice(ALCAZAR.letterhead(), inv))],
        ),
    )

    # 1-13: Bernardi compromised, PNG attachment "coordinate bancarie"
    img = letter_image(
        [
            "# OFFICINE BERNARDI S.r.l.",
            "Via dei Mille 33 – 20099 Sesto San Giovanni (MI)",
            "",
            "# Comunicazione variazione coordinate bancarie",
            "Gentile Cliente,",
            "con la presente Vi comunichiamo le nuove coordinate bancarie",
            "su cui effettuare i pagamenti a partire da oggi:",
            "",
            "Banca: Banco BPM – Agenzia 12 Milano",
            f"IBAN: {spaced(X_IT2)}",
            "BIC: BAPPIT21",
            "",
            "Il vecchio conto non è più operativo.",
            "Distinti saluti – Amministrazione",
        ]
    )
    attack(
        "1-attachment/it-bernardi-account-taken-over-png",
        "1",
        "danger",
        "Bernardi's authenticated mailbox attaches a PNG scan announcing new bank coordinates; the mail text says only 'vedi allegato'",
        from_partner(
            BERNARDI,
            to=[AP],
            subject="Comunicazione amministrazione",
            date="2026-11-13 15:44 +0100",
            text="Buonasera,\n\nvedi allegato, grazie.\n\nGiulia Conti\nOfficine Bernardi S.r.l.",
            attachments=[image("coordinate_bancarie.png", img)],
        ),
    )

    # 1-14: Van der Meer compromised, invoice PDF naming a different IBAN, no change words anywhere
    inv = invoice(
        VANDERMEER,
        "2026-3318",
        "16-11-2026",
        bank_lines(VANDERMEER, X_NL2, "BUNQNL2A", "bunq B.V."),
    )
    attack(
        "1-attachment/nl-vandermeer-account-taken-over-iban-only-in-pdf",
        "1",
        "danger",
        "Van der Meer's authenticated mailbox; the invoice PDF quietly names a bunq account instead of the ABN AMRO account on file, without any change wording",
        from_partner(
            VANDERMEER,
            to=[AP],
            subject="Factuur 2026-3318",
            date="2026-11-16 09:15 +0100",
            text="Beste,\n\nHierbij ontvangt u factuur 2026-3318. Graag tijdig voldoen.\n\n"
            + sig(VANDERMEER),
            attachments=[pdf("Factuur_2026-3318.pdf", pdf_invoice(VANDERMEER.letterhead(), inv))],
        ),
    )

    # 1-15: Lusitânia compromised, fake reply carrying an invoice with "novo IBAN"
    inv = invoice(
        LUSITANIA,
        "FT 2026/1187",
        "17/11/2026",
        bank_lines(LUSITANIA, X_LT1, "REVOLT21", "UAB Baltic Payments"),
        notes_before=[
            "ATENÇÃO: os nossos dados bancários foram alterados. Solicitamos que os pagamentos passem a ser efetuados para o novo IBAN indicado abaixo."
        ],
    )
    attack(
        "1-attachment/pt-lusitania-fake-reply-invoice-lt-iban",
        "1",
        "danger",
        "Lusitânia's authenticated mailbox, a 'RE:' that replies to nothing; the attached invoice moves payment to a Lithuanian IBAN",
        from_partner(
            LUSITANIA,
            to=[AP],
            subject="RE: Fatura FT 2026/1187",
            date="2026-11-17 11:37 +0000",
            text="Boa tarde,\n\nConforme solicitado, segue a fatura atualizada em anexo.\n\n"
            + sig(LUSITANIA),
            attachments=[pdf("FT_2026_1187.pdf", pdf_invoice(LUSITANIA.letterhead(), inv))],
        ),
    )

    # 1-16: Kessler compromised, a forwarded message attached as .eml holding the change
    inner = (
        "From: Jana Vogt <j.vogt@kessler-antriebe.example>\n"
        "To: Kunden Kessler Antriebstechnik\n"
        "Subject: Neue Bankverbindung ab November 2026\n"
        "Date: Fri, 30 Oct 2026 14:10:00 +0100\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: 8bit\n\n"
        "Sehr geehrte Kunden,\n\nab dem 01.11.2026 gilt unsere neue Bankverbindung:\n"
        f"IBAN {spaced(X_DE3)}, BIC SOLADES1SLB, Kreissparkasse.\n"
        "Bitte passen Sie Ihre Stammdaten an und überweisen Sie nur noch auf dieses Konto.\n\n"
        "Mit freundlichen Grüßen\nJana Vogt\n"
    )
    attack(
        "1-attachment/de-kessler-account-taken-over-attached-eml",
        "1",
        "danger",
        "Kessler's authenticated mailbox forwards 'the customer letter' as an attached .eml; the new account is only inside the attached message",
        from_partner(
            KESSLER,
            to=[AP],
            subject="WG: Neue Bankverbindung ab November 2026",
            date="2026-11-18 08:20 +0100",
            text="Guten Morgen,\n\nzur Info, falls Sie das Rundschreiben nicht erhalten haben – siehe Anhang.\n\n"
            + sig(KESSLER),
            attachments=[
                Attachment(
                    "Neue Bankverbindung ab November 2026.eml", inner.encode(), "message/rfc822"
                )
            ],
        ),
    )

    # 1-17: Prairie compromised, two-page invoice with the change on page 2 only
    inv = invoice(
        PRAIRIE,
        "118907",
        "11/19/2026",
        [
            "Remit to: Prairie Ridge Components Inc.",
            "Harborline Bank, N.A.",
            f"ABA routing {X_US_ROUTING}",
            f"Account {X_US_ACCOUNT}",
        ],
        notes_after=[
            "Remittance: effective immediately, all payments must be made to our new bank account shown below. Please update your vendor master file. Do not use the account on earlier invoices."
        ],
    )
    attack(
        "1-attachment/en-prairie-account-taken-over-change-on-page-2",
        "1",
        "danger",
        "Prairie Ridge's authenticated mailbox; the invoice's second page carries the new remittance account and the change wording",
        from_partner(
            PRAIRIE,
            to=[AP_EN],
            cc=[LAURA],
            subject="Invoice 118907",
            date="2026-11-19 09:05 -0600",
            text="Hi team,\n\nPlease find invoice 118907 attached.\n\n" + sig(PRAIRIE),
            attachments=[
                pdf(
                    "118907.pdf",
                    pdf_invoice(
                        PRAIRIE.letterhead(), inv, unicode_font=False, page_break_before_notes=True
                    ),
                )
            ],
        ),
    )

    # 1-18: Kessler second domain compromised, DOCX invoice with the IBAN in a table cell
    letter = docx_letter(
        KESSLER.letterhead(),
        ["Corvane Instruments GmbH", "Industriestraße 14", "70565 Stuttgart"],
        "Weil der Stadt, 20.11.2026",
        "Rechnung RE-2026-12011",
        [
            "Für die Lieferung vom 18.11.2026 (Lieferschein LS-88231) berechnen wir:",
            "Zahlbar innerhalb von 14 Tagen auf die unten genannte Bankverbindung.",
        ],
        ["Kessler Antriebstechnik GmbH", "Buchhaltung"],
        table=[
            ["Pos.", "Beschreibung", "Betrag"],
            ["1", "Getriebemotor KA-40, 0,75 kW (6 Stück)", "2.508,00 €"],
            ["", "Gesamtbetrag", "2.508,00 €"],
            ["Bank", "Sparkasse Pforzheim Calw", ""],
            ["IBAN", spaced(X_DE3), "BIC PZHSDE66XXX"],
        ],
        author="Buchhaltung",
    )
    attack(
        "1-attachment/de-kessler-second-domain-docx-invoice-table",
        "1",
        "danger",
        "Kessler's other listed domain (kessler-gruppe.example), authenticated; the Word invoice names an account not on file in a table cell",
        from_partner(
            KESSLER,
            sender_addr=("Kessler Buchhaltung", "buchhaltung@kessler-gruppe.example"),
            to=[AP],
            subject="Rechnung RE-2026-12011",
            date="2026-11-20 13:48 +0100",
            text="Sehr geehrte Damen und Herren,\n\nanbei unsere Rechnung RE-2026-12011.\n\nMit freundlichen Grüßen\nKessler Antriebstechnik GmbH – Buchhaltung",
            attachments=[docx("RE-2026-12011.docx", letter)],
        ),
    )

    # 1-19: Ashdown compromised, a scanned letter as an image-only PDF (no text layer)
    scan = letter_image(
        [
            "# Ashdown Packaging Ltd",
            "",
            "# Notification of new bank account",
            "To all customers,",
            "We are writing to inform you that we have moved our business",
            "banking. Please amend your records and make all payments",
            "from today to:",
            "Bank: Metro Business Bank   Sort code: 20-20-15",
            "Account no: 15936468",
            f"IBAN: {spaced(X_GB1)}",
            "Signed: Oliver Pembridge, Commercial Director",
        ]
    )
    attack(
        "1-attachment/en-ashdown-account-taken-over-scanned-pdf",
        "1",
        "danger",
        "Ashdown's authenticated mailbox attaches a scanned letter: a PDF with only a picture, no text layer, announcing a new account",
        from_partner(
            ASHDOWN,
            ASHDOWN.contacts[1],
            to=[AP_EN],
            subject="Notification - Ashdown Packaging",
            date="2026-11-20 10:30 +0000",
            text="Good morning,\n\nPlease see the attached notification which has been sent to all our customers.\n\n"
            + sig(ASHDOWN, ASHDOWN.contacts[1]),
            attachments=[pdf("Scan_20261120_1029.pdf", pdf_of_image(scan))],
        ),
    )

    # 1-20: spoofed Van der Meer (DMARC none), PDF with a Belgian factoring account
    letter = pdf_letter(
        Letterhead(VANDERMEER.org, ["Havenweg 7 · 1506 PA Zaandam"]),
        ["Corvane Instruments GmbH"],
        "Zaandam, 23 november 2026",
        "Betreft: cessie van vorderingen / factoring",
        [
            "Geachte klant,",
            "Van der Meer Verpakkingen B.V. heeft haar debiteurenportefeuille overgedragen aan een factoringmaatschappij. Met ingang van heden dienen alle betalingen op onze facturen bevrijdend te geschieden op de rekening van onze factor:",
            f"IBAN {spaced(X_BE1)} – BIC GKCCBEBB – ten name van VDM Factoring Services",
            "Betalingen op andere rekeningen werken niet bevrijdend.",
        ],
        ["Met vriendelijke groet,", "Pieter Bakker, Credit management"],
    )
    attack(
        "1-attachment/nl-vandermeer-spoofed-factoring-pdf",
        "1",
        "danger",
        "forged Van der Meer From line (DMARC fails, p=none); a PDF says receivables were assigned to a factor and payments must go to a Belgian account",
        spoofed(
            VANDERMEER.contacts[1].addr,
            to=[AP],
            subject="Wijziging betaalgegevens - factoring",
            date="2026-11-23 09:40 +0100",
            text="Geachte heer/mevrouw,\n\nIn de bijlage treft u een belangrijke mededeling aan over onze facturatie.\n\nMet vriendelijke groet,\nPieter Bakker\nCredit management\nVan der Meer Verpakkingen B.V.",
            attachments=[pdf("Mededeling_factoring.pdf", letter)],
        ),
    )


def K2() -> None:
    # 2-01: plain part is a stub, the request is in the HTML part
    attack(
        "2-html/en-ashdown-plain-stub-request-in-html",
        "2",
        "danger",
        "Ashdown's authenticated mailbox; the text/plain part says to view the HTML version, which announces new bank details and an IBAN",
        from_partner(
            ASHDOWN,
            ASHDOWN.contacts[1],
            to=[AP_EN],
            subject="Account update - Ashdown Packaging",
            date="2026-11-04 09:12 +0000",
            text="This message contains formatted content. To view it, please use an HTML-capable mail client.\n",
            html=(
                '<html><body style="font-family:Calibri,Arial;font-size:11pt"><p>Dear Accounts Team,</p>'
                "<p>Please be advised that our bank details have changed with immediate effect. Kindly update your records and make all future payments, including the invoices currently open, to our new account:</p>"
                f'<table cellpadding="4"><tr><td>Bank</td><td>Metro Business Bank</td></tr><tr><td>Sort code</td><td>20-20-15</td></tr><tr><td>Account</td><td>15936468</td></tr><tr><td>IBAN</td><td>{spaced(X_GB1)}</td></tr></table>'
                "<p>Kind regards,<br>Rachel Kim<br>Credit Control<br>Ashdown Packaging Ltd</p></body></html>"
            ),
        ),
    )

    # 2-02: plain part holds only the signature; the HTML holds the change (de)
    attack(
        "2-html/de-kessler-plain-only-signature",
        "2",
        "danger",
        "Kessler's authenticated mailbox; the text/plain alternative carries only the signature, the HTML part asks to pay a new account",
        from_partner(
            KESSLER,
            to=[AP],
            subject="Aktualisierung Stammdaten",
            date="2026-11-05 10:20 +0100",
            text=sig(KESSLER),
            html=(
                '<html><body><div style="font-family:Arial;font-size:10pt"><p>Sehr geehrte Damen und Herren,</p>'
                "<p>im Zuge einer Umstellung unseres Zahlungsverkehrs hat sich unsere Bankverbindung geändert. Bitte überweisen Sie die offenen Rechnungen ab sofort auf unser neues Konto:</p>"
                f"<p><b>IBAN:</b> {spaced(X_DE1)}<br><b>BIC:</b> DEUTDESSXXX<br><b>Bank:</b> Deutsche Bank Stuttgart</p>"
                "<p>Vielen Dank für Ihre Unterstützung.</p><p>Mit freundlichen Grüßen<br>Jana Vogt<br>Buchhaltung / Debitoren<br>Kessler Antriebstechnik GmbH</p></div></body></html>"
            ),
        ),
    )

    def hidden_iban(iban: str, style: str, junk: str = "7") -> str:
        s = spaced(iban)
        return f'{s[:9]}<span style="{style}">{junk}</span>{s[9:]}'

    # 2-03: display:none digit inside the IBAN (fr), HTML only
    attack(
        "2-html/fr-roussel-display-none-inside-iban",
        "2",
        "danger",
        "Roussel's authenticated mailbox, HTML only; a hidden (display:none) digit inside the new IBAN breaks it for a text reader but not for the eye",
        from_partner(
            ROUSSEL,
            to=[AP],
            subject="Mise à jour de nos coordonnées bancaires",
            date="2026-11-05 14:02 +0100",
            html=(
                "<html><body><p>Bonjour,</p><p>Suite à un changement de banque, nous vous prions de noter nos nouvelles coordonnées bancaires et d'effectuer vos prochains virements sur le compte suivant :</p>"
                f"<p>IBAN : {hidden_iban(X_FR1, 'display:none')}<br>BIC : CRLYFRPPXXX</p>"
                "<p>Cordialement,<br>Élodie Marchand<br>Service comptabilité clients<br>Ateliers Roussel SAS</p></body></html>"
            ),
        ),
    )

    # 2-04: zero font size inside the IBAN, plain part generated from the HTML (es)
    shown = spaced(X_ES1)
    attack(
        "2-html/es-alcazar-zero-font-size-inside-iban",
        "2",
        "danger",
        "Alcázar's authenticated mailbox; a font-size:0 character sits inside the new IBAN in the HTML, and the plain alternative carries the broken IBAN",
        from_partner(
            ALCAZAR,
            to=[AP],
            subject="Nueva cuenta bancaria para pagos",
            date="2026-11-06 09:33 +0100",
            text=f"Buenos días:\n\nLes informamos de que hemos cambiado de banco. Les rogamos realicen los próximos pagos a la nueva cuenta:\n\nIBAN: {shown[:14]}4{shown[14:]}\n\n"
            + sig(ALCAZAR),
            html=(
                '<div dir="ltr"><p>Buenos días:</p><p>Les informamos de que hemos cambiado de banco. Les rogamos realicen los próximos pagos a la nueva cuenta:</p>'
                f'<p>IBAN: {shown[:14]}<span style="font-size:0px">4</span>{shown[14:]}</p><p>Un saludo,<br>Lucía Ferrer<br>Transportes Alcázar S.L.</p></div>'
            ),
        ),
    )

    # 2-05: white-on-white characters inside IBAN (it)
    shown = spaced(X_IT1)
    attack(
        "2-html/it-bernardi-white-text-inside-iban",
        "2",
        "danger",
        "Bernardi's authenticated mailbox; white text on the white page is inserted inside the new IBAN and inside the change wording",
        from_partner(
            BERNARDI,
            to=[AP],
            subject="Variazione coordinate",
            date="2026-11-06 12:10 +0100",
            html=(
                '<html><body style="background:#ffffff"><p>Gentili Signori,</p>'
                '<p>Vi comunichiamo le nostre nuove coordinate <span style="color:#ffffff">x</span>bancarie: Vi preghiamo di effettuare i prossimi pagamenti sul seguente conto.</p>'
                f'<p>IBAN {shown[:10]}<span style="color:#ffffff;font-size:1px">00</span>{shown[10:]}<br>UniCredit S.p.A.</p>'
                "<p>Cordiali saluti<br>Giulia Conti<br>Amministrazione – Officine Bernardi S.r.l.</p></body></html>"
            ),
        ),
    )

    # 2-06: IBAN split across table cells (nl), plain stub
    s = spaced(X_NL1)
    attack(
        "2-html/nl-vandermeer-iban-split-across-cells",
        "2",
        "danger",
        "Van der Meer's authenticated mailbox; the plain part is a stub and the HTML table splits the new IBAN over three cells",
        from_partner(
            VANDERMEER,
            to=[AP],
            subject="Nieuwe bankgegevens Van der Meer Verpakkingen",
            date="2026-11-09 10:44 +0100",
            text="Deze e-mail bevat opmaak. Bekijk de HTML-versie.\n",
            html=(
                "<html><body><p>Geachte relatie,</p><p>Onze bankgegevens zijn gewijzigd. Wilt u de volgende gegevens gebruiken voor alle toekomstige betalingen?</p>"
                f'<table border="1" cellspacing="0" cellpadding="3"><tr><td>Rekeninghouder</td><td colspan="3">Van der Meer Verpakkingen B.V.</td></tr><tr><td>IBAN</td><td>{s[:9]}</td><td>{s[10:19]}</td><td>{s[20:]}</td></tr><tr><td>BIC</td><td colspan="3">RABONL2U</td></tr></table>'
                "<p>Met vriendelijke groet,<br>Sanne de Wit<br>Financiële administratie</p></body></html>"
            ),
        ),
    )

    # 2-07: IBAN split across rows with a label row between (en)
    s = X_GB2
    attack(
        "2-html/en-ashdown-iban-split-across-rows-with-label",
        "2",
        "danger",
        "Ashdown's authenticated mailbox; the new IBAN's two halves sit in two table rows with the BIC row between them",
        from_partner(
            ASHDOWN,
            ASHDOWN.contacts[0],
            to=[AP_EN],
            subject="Revised remittance details",
            date="2026-11-10 15:20 +0000",
            text="Please view this email in HTML.\n",
            html=(
                "<html><body><p>Hello,</p><p>As discussed with your team, please use our revised remittance details from the next payment run:</p>"
                '<table style="border-collapse:collapse" cellpadding="4">'
                "<tr><td>Beneficiary</td><td>Ashdown Packaging Ltd</td></tr>"
                f"<tr><td>IBAN</td><td>{s[:12]}</td></tr>"
                "<tr><td>BIC</td><td>SRLGGB2L</td></tr>"
                f"<tr><td>&nbsp;</td><td>{s[12:]}</td></tr>"
                "</table><p>Many thanks,<br>Oliver Pembridge<br>Commercial Director</p></body></html>"
            ),
        ),
    )

    # 2-08: pt, display:none hidden words in the request and IBAN
    s = spaced(X_PT1)
    attack(
        "2-html/pt-lusitania-hidden-spans-in-request",
        "2",
        "danger",
        "Lusitânia's authenticated mailbox; hidden spans break up both the change wording and the IBAN",
        from_partner(
            LUSITANIA,
            to=[AP],
            subject="Dados bancários",
            date="2026-11-10 11:03 +0000",
            html=(
                "<html><body><p>Exmos. Senhores,</p>"
                '<p>Informamos que os nossos dados <span style="display:none">de contacto e</span> bancários foram alterados. Solicitamos que os próximos pagamentos sejam efetuados para o novo IBAN:</p>'
                f'<p><b>{s[:4]}<span style="display:none;mso-hide:all">-</span>{s[4:]}</b></p>'
                "<p>Com os melhores cumprimentos,<br>Inês Carvalho<br>Cortiças Lusitânia Lda</p></body></html>"
            ),
        ),
    )

    # 2-09: zero-width spaces inside the IBAN and the keyword (de)
    zw = "&#8203;"
    s = spaced(X_DE2)
    attack(
        "2-html/de-kessler-zero-width-inside-iban-and-words",
        "2",
        "danger",
        "Kessler's authenticated mailbox; zero-width spaces inside 'Bank­verbindung' and inside the new IBAN, invisible to the reader",
        from_partner(
            KESSLER,
            to=[AP],
            subject="Wichtige Information",
            date="2026-11-11 09:02 +0100",
            text=f"Sehr geehrte Damen und Herren,\n\nunsere Bank\u200bverbindung hat sich geändert. Bitte über\u200bweisen Sie künftig auf:\n{s[:7]}\u200b{s[7:]}\n\n"
            + sig(KESSLER),
            html=(
                f"<html><body><p>Sehr geehrte Damen und Herren,</p><p>unsere Bank{zw}verbindung hat sich geändert. Bitte über{zw}weisen Sie künftig auf:</p>"
                f"<p>{s[:7]}{zw}{s[7:]}<br>Volksbank Mittlerer Neckar</p><p>Mit freundlichen Grüßen<br>Jana Vogt</p></body></html>"
            ),
        ),
    )

    # 2-10: HTML comments inside IBAN and words (en), Prairie uses IBAN for a "European account"
    s = spaced(X_GB1)
    attack(
        "2-html/en-prairie-html-comments-inside-iban",
        "2",
        "danger",
        "Prairie Ridge's authenticated mailbox, HTML only; HTML comments split the change wording and the new (GB) IBAN",
        from_partner(
            PRAIRIE,
            to=[AP_EN],
            subject="EUR/GBP payments - updated instructions",
            date="2026-11-12 08:47 -0600",
            html=(
                "<div><p>Hello,</p><p>For payments in EUR and GBP, our bank<!-- --> details have <!-- x -->changed. Please remit all open invoices to our new euro collection account:</p>"
                f"<p>IBAN: {s[:5]}<!-- ref 20261112 -->{s[5:]}<br>Metro Business Bank, London</p><p>Thanks,<br>Megan Holloway<br>Accounts Receivable Manager</p></div>"
            ),
        ),
    )

    # 2-11: a hidden decoy with the account on file, the visible text names the new one (fr)
    attack(
        "2-html/fr-roussel-hidden-decoy-account-on-file",
        "2",
        "danger",
        "Roussel's authenticated mailbox; a visibility:hidden paragraph repeats the account on file (to look known), while the visible text asks to pay a new IBAN",
        from_partner(
            ROUSSEL,
            to=[AP],
            subject="Virement facture F-2026-0955",
            date="2026-11-12 16:30 +0100",
            text=f"Bonjour,\n\nNotre ancien compte {ROUSSEL.account_shown} est clôturé.\n\n"
            + sig(ROUSSEL),
            html=(
                "<html><body><p>Bonjour,</p>"
                f'<p style="visibility:hidden;height:0;margin:0">Compte habituel {ROUSSEL.account_shown} – rien ne change.</p>'
                f"<p>Pour le règlement de la facture F-2026-0955, merci d'utiliser désormais notre nouveau compte : <b>{spaced(X_FR2)}</b> (Société Générale).</p>"
                "<p>Cordialement,<br>Élodie Marchand</p></body></html>"
            ),
        ),
    )

    # 2-12: plain part is harmless and names the account on file; the HTML asks to pay a new one (es)
    attack(
        "2-html/es-alcazar-plain-and-html-disagree",
        "2",
        "danger",
        "Alcázar's authenticated mailbox; the plain alternative is a routine note with the account on file, the HTML a person sees asks to pay a new account",
        from_partner(
            ALCAZAR,
            to=[AP],
            subject="Factura FA-26-01244",
            date="2026-11-13 13:15 +0100",
            text=f"Buenos días,\n\nAdjuntamos los datos de la factura FA-26-01244. Pago por transferencia a {ALCAZAR.account_shown}.\n\n"
            + sig(ALCAZAR),
            html=(
                "<div><p>Buenos días,</p><p>Les informamos de que, a partir de esta factura, los pagos deben realizarse a nuestra nueva cuenta en Banco Sabadell, ya que la cuenta anterior queda cancelada:</p>"
                f"<p><b>IBAN {spaced(X_ES2)}</b></p><p>Importe factura FA-26-01244: 4.197,60 €</p><p>Un saludo,<br>Lucía Ferrer</p></div>"
            ),
        ),
    )

    # 2-13: 1px white filler words inside the change phrase (it), IBAN plain
    attack(
        "2-html/it-bernardi-filler-inside-phrase",
        "2",
        "danger",
        "Bernardi's authenticated mailbox; invisible 1px words are slipped into the change sentence to break phrase matching; the new IBAN is visible",
        from_partner(
            BERNARDI,
            to=[AP],
            subject="Pagamento fatture in scadenza",
            date="2026-11-16 10:41 +0100",
            html=(
                '<html><body><p>Buongiorno,</p><p>Vi informiamo che abbiamo <span style="font-size:1px;color:#fefefe">sempre</span> cambiato <span style="font-size:1px;color:#fefefe">il</span> conto <span style="font-size:1px;color:#fefefe">della</span> corrente. Vi preghiamo di effettuare il pagamento delle fatture in scadenza sul nuovo IBAN:</p>'
                f"<p>{spaced(X_IT2)} – Banco BPM</p><p>Grazie e cordiali saluti<br>Giulia Conti</p></body></html>"
            ),
        ),
    )

    # 2-14: IBAN digits in a form-like table, four characters per cell (nl)
    cells = "".join(
        f'<td style="border:1px solid #999;padding:2px 6px">{X_NL2[i : i + 4]}</td>'
        for i in range(0, len(X_NL2), 4)
    )
    attack(
        "2-html/nl-vandermeer-iban-in-form-cells",
        "2",
        "danger",
        "Van der Meer's authenticated mailbox; the new IBAN is laid out four characters per table cell like a bank form",
        from_partner(
            VANDERMEER,
            VANDERMEER.contacts[1],
            to=[AP],
            subject="Update betaalgegevens",
            date="2026-11-17 14:05 +0100",
            text="Zie HTML-versie.\n",
            html=(
                "<html><body><p>Goedemiddag,</p><p>Per 1 december wijzigt ons rekeningnummer. Gelieve onderstaand nummer te gebruiken voor alle openstaande facturen:</p>"
                f"<table><tr><td>IBAN&nbsp;</td>{cells}</tr></table><p>t.n.v. Van der Meer Verpakkingen B.V., BIC BUNQNL2A</p>"
                "<p>Met vriendelijke groet,<br>Pieter Bakker<br>Credit management</p></body></html>"
            ),
        ),
    )

    # 2-15: US routing and account in separate cells, request only in HTML
    attack(
        "2-html/en-prairie-routing-account-in-cells",
        "2",
        "danger",
        "Prairie Ridge's authenticated mailbox; plain stub, and the HTML's table gives a new ABA routing and account in labelled cells",
        from_partner(
            PRAIRIE,
            to=[AP_EN],
            subject="Updated ACH instructions",
            date="2026-11-18 11:26 -0600",
            text="-- \nMegan Holloway\nAccounts Receivable Manager\n",
            html=(
                "<div><p>Hi,</p><p>We have updated our ACH remittance instructions. Please update your vendor file before your next payment run:</p>"
                f'<table border="1" cellpadding="4" style="border-collapse:collapse"><tr><th>Bank</th><td>Harborline Bank, N.A.</td></tr><tr><th>ABA / Routing</th><td>{X_US_ROUTING}</td></tr><tr><th>Account No.</th><td>{X_US_ACCOUNT}</td></tr><tr><th>Account type</th><td>Checking</td></tr></table>'
                "<p>Thank you,<br>Megan Holloway</p></div>"
            ),
        ),
    )

    # 2-16: Outlook-style hidden block (mso-hide, max-height:0) inside IBAN (de), plain alternative also broken
    s = spaced(X_DE3)
    attack(
        "2-html/de-kessler-mso-hide-block-inside-iban",
        "2",
        "danger",
        "Kessler's authenticated mailbox; an Outlook-style hidden block (mso-hide:all, max-height:0, overflow:hidden) inside the new IBAN",
        from_partner(
            KESSLER,
            KESSLER.contacts[1],
            to=[AP],
            subject="Zahlungsavis / neue Kontoverbindung",
            date="2026-11-19 15:12 +0100",
            text=f"Sehr geehrte Damen und Herren,\n\nbitte überweisen Sie den offenen Betrag auf unsere neue Kontoverbindung {s[:12]}0000{s[12:]}.\n\n"
            + sig(KESSLER, KESSLER.contacts[1]),
            html=(
                "<html><body><p>Sehr geehrte Damen und Herren,</p>"
                f'<p>bitte überweisen Sie den offenen Betrag auf unsere neue Kontoverbindung {s[:12]}<div style="mso-hide:all;display:none;max-height:0;overflow:hidden">0000</div>{s[12:]} (Sparkasse Pforzheim Calw).</p>'
                "<p>Mit freundlichen Grüßen<br>Markus Brandt</p></body></html>"
            ),
        ),
    )

    # 2-17: soft hyphens and <wbr> inside the IBAN (en)
    s = spaced(X_GB2)
    attack(
        "2-html/en-ashdown-soft-hyphens-inside-iban",
        "2",
        "danger",
        "Ashdown's authenticated mailbox; soft hyphens and <wbr> tags inside the new IBAN and the word 'bank' hide it from a text search",
        from_partner(
            ASHDOWN,
            ASHDOWN.contacts[1],
            to=[AP_EN],
            subject="Payment of overdue invoices",
            date="2026-11-20 12:02 +0000",
            html=(
                "<html><body><p>Dear Sir/Madam,</p><p>Our records show invoices INV-40533 and INV-40561 are now overdue. Please note our ba&shy;nk details have been up<wbr>dated - payment must be made to the new account:</p>"
                f"<p>{s[:4]}&shy;{s[4:9]}<wbr>{s[9:19]}&shy;{s[19:]}</p><p>Regards,<br>Rachel Kim<br>Credit Control</p></body></html>"
            ),
        ),
    )

    # 2-18: empty plain part; the HTML in multipart/related with a logo carries the request (pt)
    from _docs import logo_png

    attack(
        "2-html/pt-lusitania-empty-plain-related-html",
        "2",
        "danger",
        "Lusitânia's authenticated mailbox; the plain alternative is empty and the HTML (with an inline logo) asks to pay a new IBAN",
        from_partner(
            LUSITANIA,
            to=[AP],
            subject="Atualização dos dados de pagamento",
            date="2026-11-23 10:14 +0000",
            text="",
            html=(
                '<html><body><p><img src="cid:logo" alt="Cortiças Lusitânia"></p><p>Exmos. Senhores,</p>'
                f"<p>Por motivo de mudança de banco, agradecemos que os pagamentos das faturas em aberto sejam feitos para a nossa nova conta: <b>IBAN {spaced(X_PT1)}</b>, BIC BCOMPTPL.</p>"
                "<p>Com os melhores cumprimentos,<br>Inês Carvalho<br>Departamento Financeiro</p></body></html>"
            ),
            attachments=[image("logo.png", logo_png("LUSITÂNIA", (120, 70, 30)), cid="logo")],
        ),
    )


def build() -> None:
    K1()
    K2()
