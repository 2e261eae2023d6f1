"""Attacks of kinds 5 (headers the sender controls), 6 (known people at unrelated domains)
and the seed's classic patterns (relay spoof, look-alikes, free-mail Reply-To, fake
replies, recipient swaps, compromised partner accounts)."""

# The messages are data: their text is kept on one line per sentence or header, as written.
# ruff: noqa: E501, RUF005

from __future__ import annotations

from _attacks_1_2 import (
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
from _build import (
    Step,
    Thread,
    attack,
    final,
    free,
    from_partner,
    internal,
    own_domain,
    spoofed,
    via_relay,
)
from _mail import Auth, hexid, spaced
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

CORVANE_HOMOGLYPH = "xn--corvne-6nf.example"  # corvаne.example with a Cyrillic а


def list_headers(list_id: str, unsub: str) -> list[str]:
    return [
        f"List-Id: <{list_id}>",
        f"List-Unsubscribe: <mailto:{unsub}?subject=unsubscribe>, <https://{list_id.split('.', 1)[-1]}/unsubscribe>",
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
        "Precedence: bulk",
    ]


def K5() -> None:
    attack(
        "5-sender-headers/de-freemail-name-with-list-headers",
        "5",
        "danger",
        "'Jana Vogt' on gmail.com with sender-written List-Id, List-Unsubscribe and Precedence: bulk, asking to pay a new account",
        free(
            ("Jana Vogt", "jana.vogt.kessler@gmail.com"),
            to=[AP],
            subject="Neue Bankverbindung Kessler",
            date="2026-11-04 07:55 +0100",
            headers_top=list_headers("kunden.kessler-news.example", "leave@kessler-news.example"),
            text=f"Sehr geehrte Damen und Herren,\n\nunsere Bankverbindung hat sich geändert. Bitte überweisen Sie offene Beträge ab sofort auf\nIBAN {spaced(X_DE1)}\n\nMit freundlichen Grüßen\nJana Vogt\nKessler Antriebstechnik GmbH",
        ),
    )
    attack(
        "5-sender-headers/en-ashdown-spoofed-list-headers-freemail-replyto",
        "5",
        "danger",
        "forged Ashdown From (DMARC fails, p=none) dressed as a list mailing with List-Id and List-Unsubscribe, Reply-To on outlook.com, new account",
        spoofed(
            ASHDOWN.contacts[1].addr,
            to=[AP_EN],
            reply_to=[("Rachel Kim", "rachel.kim.ashdown@outlook.com")],
            subject="Customer notice: change of bank details",
            date="2026-11-05 09:00 +0000",
            headers_top=list_headers(
                "customers.ashdownpackaging.example", "customers-leave@ashdownpackaging.example"
            ),
            text=f"Dear Customer,\n\nPlease be advised that Ashdown Packaging Ltd has changed its bank. With immediate effect please make all payments to:\nMetro Business Bank, sort code 20-20-15, account 15936468, IBAN {spaced(X_GB1)}\n\nCredit Control\nAshdown Packaging Ltd",
        ),
    )
    attack(
        "5-sender-headers/it-company-name-bulk-mailer-unrelated-domain",
        "5",
        "danger",
        "'Officine Bernardi – Amministrazione' from a bulk-mailing domain unrelated to Bernardi (authenticated for itself), Precedence: bulk and List-Unsubscribe, new IBAN",
        own_domain(
            ("Officine Bernardi – Amministrazione", "noreply@notifiche-fatture.example"),
            route="esp",
            to=[AP],
            subject="Avviso importante ai clienti",
            date="2026-11-05 11:30 +0100",
            headers_top=[
                *list_headers(
                    "clienti.notifiche-fatture.example", "unsubscribe@notifiche-fatture.example"
                ),
                "Feedback-ID: 2201:clienti:notifiche",
            ],
            html=f'<html><body><h2>Officine Bernardi S.r.l.</h2><p>Gentile Cliente,</p><p>Le comunichiamo che i pagamenti delle fatture devono essere effettuati da oggi sul nuovo conto:</p><p><b>IBAN {spaced(X_IT1)}</b></p><p>Cordiali saluti<br>Amministrazione</p><p style="font-size:9px;color:#888">Per non ricevere più queste comunicazioni clicca qui.</p></body></html>',
        ),
    )
    attack(
        "5-sender-headers/de-kessler-authenticated-replyto-our-lookalike",
        "5",
        "danger",
        "Kessler's authenticated mailbox sets Reply-To to 'Mara Lindqvist' at corvane-gmbh.example, a look-alike of our own domain",
        from_partner(
            KESSLER,
            to=[AP],
            reply_to=[("Mara Lindqvist", "m.lindqvist@corvane-gmbh.example")],
            subject="Abstimmung Zahlung RE-2026-11802",
            date="2026-11-06 10:12 +0100",
            text="Sehr geehrte Damen und Herren,\n\nFrau Lindqvist hat uns gebeten, die Zahlungsdetails zu RE-2026-11802 direkt mit ihr abzustimmen. Bitte antworten Sie auf diese Nachricht, sie ist in Kopie.\n\n"
            + sig(KESSLER),
        ),
    )
    attack(
        "5-sender-headers/en-signing-service-replyto-our-lookalike",
        "5",
        "danger",
        "an authenticated e-signature notification whose Reply-To is 'Tobias Renner' at corvane-ag.example, a look-alike of our domain",
        own_domain(
            ("DocSafe Sign", "no-reply@docsafe-sign.example"),
            route="esp",
            policy="reject",
            to=[AP_EN],
            reply_to=[("Tobias Renner", "t.renner@corvane-ag.example")],
            subject="Tobias Renner sent you a document to review: Zahlungsfreigabe_Lieferant.pdf",
            date="2026-11-06 15:45 +0100",
            headers_top=["Auto-Submitted: auto-generated", "X-Auto-Response-Suppress: All"],
            html='<html><body><p>Tobias Renner sent you a document to review and sign.</p><p><b>Zahlungsfreigabe_Lieferant.pdf</b></p><p>Message from Tobias Renner: "Bitte heute noch freigeben und die Überweisung ausführen, Details per Antwort."</p><p><a href="https://docsafe-sign.example/r/8f2a">REVIEW DOCUMENT</a></p><p style="font-size:10px">Do not share this email. Powered by DocSafe.</p></body></html>',
        ),
    )
    attack(
        "5-sender-headers/en-prairie-spoofed-auto-generated-fake-reply",
        "5",
        "danger",
        "forged Prairie Ridge From (DMARC fails), 'RE:' without a thread, Auto-Submitted and List-Unsubscribe written by the sender, free-mail Reply-To, new ACH account",
        spoofed(
            PRAIRIE.c.addr,
            policy="quarantine",
            to=[AP_EN],
            reply_to=[("Megan Holloway", "megan.holloway.ar@gmail.com")],
            subject="RE: Open invoices - Prairie Ridge",
            date="2026-11-09 08:20 -0600",
            headers_top=[
                "Auto-Submitted: auto-generated",
                "X-Auto-Response-Suppress: All",
                "List-Unsubscribe: <mailto:megan.holloway.ar@gmail.com?subject=unsubscribe>",
            ],
            text=f"Hi,\n\nPer our call, here are our updated ACH details for the open invoices: routing {X_US_ROUTING}, account {X_US_ACCOUNT}. Please confirm once updated.\n\nMegan",
        ),
    )
    m = spoofed(
        ROUSSEL.c.addr,
        policy="quarantine",
        to=[AP],
        subject="[Clients Roussel] Nouvelles coordonnées bancaires",
        date="2026-11-09 10:00 +0100",
        headers_top=[
            "Precedence: list",
            "List-Id: Clients Ateliers Roussel <clients.roussel-ateliers.example>",
            "List-Post: <mailto:clients@roussel-ateliers.example>",
        ],
        text=f"Chers clients,\n\nNous vous informons que nos coordonnées bancaires ont changé. Merci d'effectuer tous vos règlements sur notre nouveau compte :\nIBAN {spaced(X_FR2)} – Société Générale\n\nLe service comptabilité\nAteliers Roussel SAS",
    )
    assert m.auth is not None
    m.auth.dkim = "fail"
    m.auth.dkim_domain = "roussel-ateliers.example"
    attack(
        "5-sender-headers/fr-roussel-spoofed-list-post-broken-dkim",
        "5",
        "danger",
        "forged Roussel From with a failing DKIM signature (DMARC fails), dressed as list mail with Precedence: list and List-Id, new account",
        m,
    )
    attack(
        "5-sender-headers/es-alcazar-spoofed-sender-and-list-id",
        "5",
        "danger",
        "forged Alcázar From (DMARC fails) with a sender-written 'Sender: …-bounces@' and List-Id to pass as a list, new account",
        spoofed(
            ALCAZAR.c.addr,
            to=[AP],
            sender=("", "clientes-bounces@lists.transportes-alcazar.example"),
            subject="[Clientes] Cambio de cuenta bancaria",
            date="2026-11-10 09:15 +0100",
            headers_top=[
                "List-Id: Clientes Transportes Alcazar <clientes.lists.transportes-alcazar.example>",
                "List-Post: <mailto:clientes@lists.transportes-alcazar.example>",
                "Precedence: list",
            ],
            text=f"Estimados clientes:\n\nLes comunicamos que a partir de hoy deben realizar los pagos en nuestra nueva cuenta {spaced(X_ES1)}.\n\nAdministración\nTransportes Alcázar S.L.",
        ),
    )
    attack(
        "5-sender-headers/nl-lookalike-newsletter-domain-new-account",
        "5",
        "danger",
        "a newsletter-looking mail from vandermeer-nieuwsbrief.example (a look-alike of the partner, authenticated for itself) with List-Unsubscribe, announcing a new account",
        own_domain(
            ("Van der Meer Verpakkingen", "nieuwsbrief@vandermeer-nieuwsbrief.example"),
            route="esp",
            to=[AP],
            subject="Nieuwsbrief november: nieuwe bankrekening",
            date="2026-11-10 13:00 +0100",
            headers_top=list_headers(
                "klanten.vandermeer-nieuwsbrief.example", "afmelden@vandermeer-nieuwsbrief.example"
            ),
            html=f'<html><body><span style="display:none">Belangrijk: nieuw rekeningnummer</span><h1>Van der Meer Verpakkingen</h1><p>Beste klant,</p><p>Vanaf 1 december hebben wij een nieuw rekeningnummer. Wij verzoeken u alle facturen te voldoen op {spaced(X_NL1)}.</p><p><a href="https://vandermeer-nieuwsbrief.example/afmelden">Afmelden</a></p></body></html>',
        ),
    )
    attack(
        "5-sender-headers/pt-lusitania-authenticated-unsubscribe-freemail-replyto",
        "5",
        "danger",
        "Lusitânia's authenticated mailbox with a List-Unsubscribe header and a gmail.com Reply-To, new IBAN",
        from_partner(
            LUSITANIA,
            to=[AP],
            reply_to=[("Inês Carvalho", "ines.carvalho.lusitania@gmail.com")],
            subject="Atualização de dados bancários",
            date="2026-11-11 10:30 +0000",
            headers_top=[
                "List-Unsubscribe: <mailto:ines.carvalho.lusitania@gmail.com?subject=remover>"
            ],
            text=f"Exmos. Senhores,\n\nInformamos que os nossos dados bancários foram atualizados. Os pagamentos devem ser efetuados para o IBAN {spaced(X_PT1)}.\nPor favor respondam para confirmar.\n\n"
            + sig(LUSITANIA),
        ),
    )
    attack(
        "5-sender-headers/en-prairie-authenticated-replyto-punycode-of-our-domain",
        "5",
        "danger",
        "Prairie Ridge's authenticated mailbox sets Reply-To to our accounts-payable name at corvаne.example (Cyrillic а, punycode)",
        from_partner(
            PRAIRIE,
            to=[AP_EN],
            reply_to=[("Corvane Accounts Payable", f"ap@{CORVANE_HOMOGLYPH}")],
            subject="Payment date confirmation",
            date="2026-11-11 14:05 -0600",
            text="Hello,\n\nCould you reply with the scheduled payment dates for invoices 118820 and 118907? Our controller needs them for month-end.\n\n"
            + sig(PRAIRIE),
        ),
    )
    m = spoofed(
        PRAIRIE.c.addr,
        policy="none",
        to=[AP_EN],
        subject="Remittance update",
        date="2026-11-12 09:02 -0600",
        text=f"Hello,\n\nPlease note our updated remittance details: Harborline Bank, N.A., routing {X_US_ROUTING}, account {X_US_ACCOUNT}.\n\nThanks,\nMegan Holloway\nPrairie Ridge Components Inc.",
    )
    m.raw_headers = [
        "ARC-Seal: i=1; a=rsa-sha256; t=1794488520; cv=none; d=google.com; s=arc-20240605;\n\tb=Zm9yZ2VkIEFSQyBzZWFsIHdyaXR0ZW4gYnkgdGhlIHNlbmRlcg==",
        "ARC-Authentication-Results: i=1; mx.google.com;\n\tdkim=pass header.i=@prairieridge.example header.s=google;\n\tspf=pass (google.com: domain of mholloway@prairieridge.example designates 203.0.113.9 as permitted sender) smtp.mailfrom=mholloway@prairieridge.example;\n\tdmarc=pass (p=QUARANTINE sp=QUARANTINE dis=NONE) header.from=prairieridge.example",
    ]
    attack(
        "5-sender-headers/en-prairie-spoofed-forged-arc-pass",
        "5",
        "danger",
        "forged Prairie Ridge From (our boundary: DMARC fails) carrying sender-written ARC headers that claim a pass at another provider, new ACH account",
        m,
    )
    m = spoofed(
        KESSLER.c.addr,
        to=[AP],
        subject="Neue Bankverbindung",
        date="2026-11-12 11:20 +0100",
        text=f"Sehr geehrte Damen und Herren,\n\nbitte beachten Sie unsere neue Bankverbindung für alle künftigen Zahlungen:\nIBAN {spaced(X_DE3)}\n\n"
        + sig(KESSLER),
    )
    m.raw_headers = [
        "Authentication-Results: mx.corvane.example;\n\tdkim=pass header.d=kessler-antriebe.example;\n\tspf=pass smtp.mailfrom=kessler-antriebe.example;\n\tdmarc=pass header.from=kessler-antriebe.example"
    ]
    attack(
        "5-sender-headers/de-kessler-spoofed-forged-our-authserv-id",
        "5",
        "danger",
        "forged Kessler From: our boundary's own Authentication-Results say DMARC fails; a second one with our authserv-id, written by the sender below our Received line, says pass",
        m,
    )
    m = spoofed(
        VANDERMEER.c.addr,
        to=[AP],
        subject="Gewijzigde bankgegevens",
        date="2026-11-13 08:44 +0100",
        text=f"Beste relatie,\n\nOns rekeningnummer is gewijzigd. Gelieve alle betalingen voortaan over te maken naar {spaced(X_NL2)}.\n\n"
        + sig(VANDERMEER),
    )
    m.raw_headers = [
        "Authentication-Results: MX.Corvane.Example; dmarc=pass (p=NONE) header.from=vandermeer-verpakkingen.example;\n\tdkim=pass header.d=vandermeer-verpakkingen.example; spf=pass smtp.mailfrom=vandermeer-verpakkingen.example",
        "X-MS-Exchange-Organization-SCL: -1",
        "X-Spam-Status: No, score=-5.0",
    ]
    attack(
        "5-sender-headers/nl-vandermeer-spoofed-forged-results-other-case",
        "5",
        "danger",
        "forged Van der Meer From (our boundary: DMARC fails); below our Received line the sender wrote Authentication-Results under our authserv-id in other letter case, and spam-score headers",
        m,
    )
    attack(
        "5-sender-headers/en-ashdown-authenticated-replyto-our-lookalike-added-word",
        "5",
        "danger",
        "Ashdown's authenticated mailbox asks to reply to 'Laura Jensen' at corvane-instruments.example (our domain with a word added), with a new account",
        from_partner(
            ASHDOWN,
            ASHDOWN.contacts[1],
            to=[AP_EN],
            reply_to=[("Laura Jensen", "l.jensen@corvane-instruments.example")],
            subject="INV-40561 - updated payment details",
            date="2026-11-13 12:30 +0000",
            text=f"Hello,\n\nAs agreed with Laura, please pay INV-40561 to our updated account: IBAN {spaced(X_GB2)} (Sterling Lane Bank). Laura will confirm once done.\n\n"
            + sig(ASHDOWN, ASHDOWN.contacts[1]),
        ),
    )
    attack(
        "5-sender-headers/en-ashdown-authenticated-bulk-statement-freemail-replyto",
        "5",
        "danger",
        "Ashdown's authenticated mailbox sends a newsletter-looking statement (bulk mailer X-Mailer, List-Unsubscribe, Feedback-ID) with an outlook.com Reply-To and a new account",
        from_partner(
            ASHDOWN,
            ASHDOWN.contacts[1],
            to=[AP_EN],
            reply_to=[("Ashdown Credit Control", "accounts.ashdown@outlook.com")],
            subject="Your statement of account - November 2026",
            date="2026-11-16 07:30 +0000",
            mailer="X-Mailer: BulkPost 7.4",
            headers_top=[
                "Precedence: bulk",
                "Feedback-ID: stmt:ashdown:bulkpost",
                "List-Unsubscribe: <mailto:accounts.ashdown@outlook.com?subject=unsubscribe>",
            ],
            html=f"<html><body><h3>Statement of account</h3><p>Customer: Corvane Instruments GmbH</p><table><tr><td>INV-40533</td><td>£2,118.40</td></tr><tr><td>INV-40561</td><td>£3,296.00</td></tr></table><p><b>Please note our new bank details:</b> IBAN {spaced(X_GB1)}, Metro Business Bank.</p><p>Credit Control</p></body></html>",
        ),
    )
    attack(
        "5-sender-headers/it-bernardi-spoofed-auto-reply-new-account",
        "5",
        "danger",
        "forged Bernardi From (DMARC fails) dressed as an out-of-office auto-reply (Auto-Submitted, X-Autoreply) that names a new account for payments",
        spoofed(
            BERNARDI.c.addr,
            to=[AP],
            subject="Risposta automatica: Fattura 2026/0457",
            date="2026-11-16 09:00 +0100",
            headers_top=[
                "Auto-Submitted: auto-replied",
                "X-Autoreply: yes",
                "X-Auto-Response-Suppress: All",
            ],
            text=f"Sono fuori ufficio fino al 30 novembre con accesso limitato alla posta.\nDurante la mia assenza si prega di effettuare i pagamenti delle fatture in scadenza sul nuovo conto IBAN {spaced(X_IT2)}.\nPer urgenze: amministrazione@officinebernardi.example\n\nGiulia Conti",
        ),
    )
    attack(
        "5-sender-headers/pt-lusitania-spoofed-list-headers-lookalike-replyto",
        "5",
        "danger",
        "forged Lusitânia From (DMARC fails) with list headers, Reply-To at corticas-lusitannia.example (a look-alike), new IBAN",
        spoofed(
            LUSITANIA.c.addr,
            to=[AP],
            reply_to=[("Inês Carvalho", "i.carvalho@corticas-lusitannia.example")],
            subject="[Clientes] Novo IBAN",
            date="2026-11-17 10:10 +0000",
            headers_top=[
                "List-Id: Clientes <clientes.corticas-lusitania.example>",
                "Mailing-List: contact clientes-help@corticas-lusitania.example",
                "Precedence: list",
            ],
            text=f"Caros clientes,\n\nO nosso IBAN mudou. Novo IBAN: {spaced(X_PT1)}. Por favor atualizem os vossos registos e confirmem por resposta.\n\nDepartamento Financeiro\nCortiças Lusitânia Lda",
        ),
    )


def K6() -> None:
    jana, markus = KESSLER.contacts
    attack(
        "6-known-people/de-jana-vogt-own-consulting-domain",
        "6",
        "danger",
        "the exact name of Kessler's contact on a domain that is neither Kessler's nor a look-alike ('our new domain'), authenticated for itself, with a new account",
        own_domain(
            jana.addr[:1] + ("jana.vogt@vogt-industrieberatung.example",),
            to=[AP],
            subject="Neue E-Mail-Adresse und Bankverbindung",
            date="2026-11-03 10:40 +0100",
            text=f"Sehr geehrte Damen und Herren,\n\nbitte beachten Sie, dass ich ab sofort unter dieser neuen Adresse erreichbar bin. Gleichzeitig hat sich unsere Bankverbindung geändert:\nIBAN {spaced(X_DE3)}\n\nMit freundlichen Grüßen\nJana Vogt\nBuchhaltung / Debitoren\nKessler Antriebstechnik GmbH",
        ),
    )
    attack(
        "6-known-people/fr-elodie-marchand-new-domain-update-records",
        "6",
        "caution",
        "Roussel's contact's exact name on an unrelated domain announcing a 'new domain' and asking to update our records (no account yet)",
        own_domain(
            ("Élodie Marchand", "e.marchand@atelier-services-lyon.example"),
            to=[AP],
            subject="Changement d'adresse e-mail",
            date="2026-11-04 09:20 +0100",
            text="Bonjour,\n\nNous avons changé de nom de domaine. Merci de mettre à jour vos fichiers et d'envoyer désormais vos avis de paiement et vos bons de commande à cette adresse.\n\nCordialement,\nÉlodie Marchand\nService comptabilité clients – Ateliers Roussel",
        ),
    )
    attack(
        "6-known-people/es-lucia-ferrer-unrelated-domain-new-account",
        "6",
        "danger",
        "Alcázar's contact's exact name on logistica-iberica.example, new account",
        own_domain(
            ALCAZAR.c.addr[:1] + ("lucia.ferrer@logistica-iberica.example",),
            route="gws",
            to=[AP],
            subject="Facturas pendientes - nueva cuenta",
            date="2026-11-05 11:05 +0100",
            text=f"Buenos días,\n\nLes escribo desde nuestro nuevo dominio corporativo. Les rogamos que abonen las facturas pendientes en nuestra nueva cuenta {spaced(X_ES2)}.\n\nUn saludo,\nLucía Ferrer",
        ),
    )
    attack(
        "6-known-people/nl-sanne-de-wit-advies-domain-new-account",
        "6",
        "danger",
        "Van der Meer's contact's exact name on dewit-advies.example, new account",
        own_domain(
            VANDERMEER.c.addr[:1] + ("sanne@dewit-advies.example",),
            route="m365",
            to=[AP],
            subject="Openstaande facturen",
            date="2026-11-06 10:10 +0100",
            text=f"Goedemorgen,\n\nWij hebben ons e-maildomein en onze bank gewijzigd. Wilt u de openstaande facturen voldoen op {spaced(X_NL2)}?\n\nMet vriendelijke groet,\nSanne de Wit",
        ),
    )
    attack(
        "6-known-people/it-giulia-conti-accounting-firm-domain",
        "6",
        "danger",
        "Bernardi's contact's exact name at contabilita-nord.example (authenticated for itself), new IBAN",
        own_domain(
            BERNARDI.c.addr[:1] + ("giulia.conti@contabilita-nord.example",),
            to=[AP],
            subject="Pagamento fatture Officine Bernardi",
            date="2026-11-09 12:00 +0100",
            text=f"Buongiorno,\n\nda questo mese la nostra amministrazione è gestita tramite questo dominio. Vi preghiamo di saldare le fatture sul nuovo IBAN {spaced(X_IT2)}.\n\nCordiali saluti\nGiulia Conti",
        ),
    )
    attack(
        "6-known-people/en-oliver-pembridge-moved-domain",
        "6",
        "danger",
        "Ashdown's commercial director's exact name on opembridge-consulting.example: 'we've moved to a new domain, please update your records', new account",
        own_domain(
            ASHDOWN.c.addr[:1] + ("oliver@opembridge-consulting.example",),
            route="m365",
            to=[AP_EN],
            subject="New email domain - please update your records",
            date="2026-11-10 09:30 +0000",
            text=f"Hello,\n\nWe've moved to a new email domain, please update your records. Payments should now be made to Sterling Lane Bank plc, IBAN {spaced(X_GB2)}.\n\nKind regards,\nOliver Pembridge\nCommercial Director",
        ),
    )
    attack(
        "6-known-people/en-megan-holloway-supply-partners-domain",
        "6",
        "danger",
        "Prairie Ridge's contact's exact name on midwest-supply-partners.example, new ACH account",
        own_domain(
            PRAIRIE.c.addr[:1] + ("megan.holloway@midwest-supply-partners.example",),
            route="gws",
            to=[AP_EN],
            subject="Prairie Ridge - AR contact and remittance update",
            date="2026-11-10 11:11 -0600",
            text=f"Hi,\n\nOur AR is now handled through Midwest Supply Partners. Please remit to routing {X_US_ROUTING}, account {X_US_ACCOUNT} going forward.\n\nMegan Holloway",
        ),
    )
    attack(
        "6-known-people/pt-ines-carvalho-new-address-for-invoices",
        "6",
        "caution",
        "Lusitânia's contact's exact name on iberia-cork.example asks us to send purchase orders and remittances to this address (no account yet)",
        own_domain(
            LUSITANIA.c.addr[:1] + ("ines.carvalho@iberia-cork.example",),
            to=[AP],
            subject="Novo endereço de email",
            date="2026-11-11 09:00 +0000",
            text="Bom dia,\n\nA partir de hoje, por favor enviem as notas de encomenda e os avisos de pagamento para este novo endereço.\n\nObrigada,\nInês Carvalho",
        ),
    )
    # 6-09: in the real thread, the contact's name on an unrelated domain
    k_id = "<20261102101500.7A1B2C3D4E@kessler-antriebe.example>"
    Thread("attack", "6", "6-known-people/thread-de-jana-vogt-unrelated-domain-in-thread").add(
        Step(
            "01-invoice",
            from_partner(
                KESSLER,
                to=[AP],
                subject="Rechnung RE-2026-11802",
                date="2026-11-02 10:15 +0100",
                message_id=k_id,
                text=f"Sehr geehrte Damen und Herren,\n\nanbei die Rechnung RE-2026-11802 über 7.854,00 €. Zahlbar bis 02.12.2026 auf IBAN {KESSLER.account_shown}.\n\n"
                + sig(KESSLER),
            ),
            "Kessler's real invoice",
        )
    ).add(
        final(
            "02-reply-from-unrelated-domain",
            own_domain(
                jana.addr[:1] + ("j.vogt@vogt-buero.example",),
                to=[AP],
                subject="AW: Rechnung RE-2026-11802",
                date="2026-11-12 14:02 +0100",
                in_reply_to=k_id,
                references=[k_id],
                text=f"Sehr geehrte Damen und Herren,\n\nbitte überweisen Sie den Betrag abweichend auf unser neues Konto {spaced(X_DE2)}.\n\nMit freundlichen Grüßen\nJana Vogt",
            ),
            "a 'reply' in the real thread with the contact's exact name from an unrelated domain, with a new account",
            "attack",
            "danger",
        )
    ).done()
    # 6-10: parent-company claim in the thread
    a_id = "<LO2P265MB3301F1E2D3C4@LO2P265MB3301.GBRP265.PROD.OUTLOOK.COM>"
    Thread("attack", "6", "6-known-people/thread-en-oliver-pembridge-parent-company-domain").add(
        Step(
            "01-quote",
            from_partner(
                ASHDOWN,
                to=[FELIX],
                subject="Quotation Q-2211 shipper boxes",
                date="2026-11-03 09:00 +0000",
                message_id=a_id,
                text="Hi Felix,\n\nAs promised, our quotation Q-2211 for the 5-ply shippers is attached in the text below:\n1,800 units at £1.42, delivery week 48.\n\n"
                + sig(ASHDOWN),
            ),
            "Ashdown's real quotation to our buyer",
        )
    ).add(
        final(
            "02-parent-company",
            own_domain(
                ASHDOWN.c.addr[:1] + ("oliver.pembridge@ashgrove-holdings.example",),
                route="m365",
                to=[FELIX],
                cc=[AP_EN],
                subject="RE: Quotation Q-2211 shipper boxes",
                date="2026-11-13 10:20 +0000",
                in_reply_to=a_id,
                references=[a_id],
                text=f"Hi Felix,\n\nFollowing our acquisition by Ashgrove Holdings, all payments now go to the group account: IBAN {spaced(X_GB1)}. I'm now writing from the group domain.\n\nBest,\nOliver",
            ),
            "Ashdown's contact's exact name from a 'parent company' domain in the real thread, with a new account",
            "attack",
            "danger",
        )
    ).done()
    attack(
        "6-known-people/de-markus-brandt-consulting-domain-orders",
        "6",
        "caution",
        "Kessler's second contact's exact name on brandt-consulting.example asks for future orders to go there (no account)",
        own_domain(
            markus.addr[:1] + ("m.brandt@brandt-consulting.example",),
            to=[FELIX],
            subject="Bestellungen künftig an neue Adresse",
            date="2026-11-16 08:40 +0100",
            text="Hallo Herr Hartmann,\n\nbitte senden Sie Bestellungen ab sofort an diese Adresse, unsere alte Domain wird abgeschaltet.\n\nViele Grüße\nMarkus Brandt",
        ),
    )
    attack(
        "6-known-people/nl-pieter-bakker-finance-domain-new-account",
        "6",
        "danger",
        "Van der Meer's second contact's exact name on bakker-finance.example, new account",
        own_domain(
            VANDERMEER.contacts[1].addr[:1] + ("p.bakker@bakker-finance.example",),
            to=[AP],
            subject="Betaling facturen",
            date="2026-11-17 09:30 +0100",
            text=f"Beste,\n\nVoortaan verloopt ons debiteurenbeheer via dit adres. Gelieve te betalen op {spaced(X_NL1)}.\n\nPieter Bakker",
        ),
    )
    attack(
        "6-known-people/en-megan-holloway-rebranded-domain",
        "6",
        "danger",
        "Prairie Ridge's contact's exact name on prcomponents.example ('we rebranded'), authenticated with a strict policy, new ACH account",
        own_domain(
            PRAIRIE.c.addr[:1] + ("megan.holloway@prcomponents.example",),
            policy="reject",
            route="gws",
            to=[AP_EN],
            subject="Our new domain: prcomponents",
            date="2026-11-18 10:00 -0600",
            text=f"Hello,\n\nAs part of our rebrand, we are now PR Components and have a new email domain. Please update your vendor file with our new remittance details: routing {X_US_ROUTING}, account {X_US_ACCOUNT}.\n\nMegan Holloway\nAccounts Receivable Manager",
        ),
    )
    # 6-14: in-thread, no bank, asks to move the conversation
    v_id = "<AM9PR03MB7711C0FFEE42@AM9PR03MB7711.eurprd03.prod.outlook.com>"
    Thread("attack", "6", "6-known-people/thread-nl-sanne-de-wit-move-conversation").add(
        Step(
            "01-reminder",
            from_partner(
                VANDERMEER,
                to=[AP],
                subject="Herinnering factuur 2026-3201",
                date="2026-11-09 09:00 +0100",
                message_id=v_id,
                text=f"Beste,\n\nFactuur 2026-3201 (€ 3.066,00) staat nog open. Graag betalen op {VANDERMEER.account_shown}.\n\n"
                + sig(VANDERMEER),
            ),
            "Van der Meer's real reminder",
        )
    ).add(
        final(
            "02-move-to-other-domain",
            own_domain(
                VANDERMEER.c.addr[:1] + ("s.dewit@vdm-administratie.example",),
                to=[AP],
                subject="RE: Herinnering factuur 2026-3201",
                date="2026-11-18 11:00 +0100",
                in_reply_to=v_id,
                references=[v_id],
                text="Beste,\n\nWilt u de betalingsbevestiging en verdere correspondentie over deze factuur naar dit adres sturen? Ons oude adres wordt uitgefaseerd.\n\nGroet,\nSanne de Wit",
            ),
            "in the real thread, the contact's exact name from an unrelated domain asks to move the conversation there (no account yet)",
            "attack",
            "caution",
        )
    ).done()
    attack(
        "6-known-people/en-rachel-kim-accounting-services-domain",
        "6",
        "danger",
        "Ashdown's credit controller's exact name on rk-accounting-services.example, new account",
        own_domain(
            ("Rachel Kim", "rachel.kim@rk-accounting-services.example"),
            to=[AP_EN],
            subject="Ashdown Packaging - payment details",
            date="2026-11-19 14:14 +0000",
            text=f"Hi,\n\nWe now handle Ashdown's credit control from this address. Please send payment for open invoices to IBAN {spaced(X_GB2)}.\n\nRachel Kim\nCredit Control",
        ),
    )
    attack(
        "6-known-people/fr-elodie-marchand-conseil-domain-new-iban",
        "6",
        "danger",
        "Roussel's contact's exact name on marchand-conseil.example, new IBAN",
        own_domain(
            ROUSSEL.c.addr[:1] + ("elodie.marchand@marchand-conseil.example",),
            to=[AP],
            subject="Règlement des factures Roussel",
            date="2026-11-20 10:05 +0100",
            text=f"Bonjour,\n\nMerci de régler nos factures en attente sur notre nouveau compte : IBAN {spaced(X_FR1)}.\n\nCordialement,\nÉlodie Marchand",
        ),
    )


def KC() -> None:
    rachel = ASHDOWN.contacts[1]
    oliver = ASHDOWN.contacts[0]
    # c-01: the seed, with Ashdown
    inv_id = "<LO2P265MB2209A1B2C3D4@LO2P265MB2209.GBRP265.PROD.OUTLOOK.COM>"
    people = [oliver.addr, rachel.addr, LAURA, MARA]
    Thread("attack", "classic", "classic/thread-en-seed-relay-replyto-cc-swap").add(
        Step(
            "01-reminder",
            from_partner(
                ASHDOWN,
                oliver,
                to=[AP_EN],
                cc=[rachel.addr, LAURA, MARA],
                subject="Payment reminder - INV-40533",
                date="2026-11-04 09:00 +0000",
                message_id=inv_id,
                text="Dear all,\n\nA friendly reminder that INV-40533 (£2,118.40) falls due on Friday.\n\n"
                + sig(ASHDOWN, oliver),
            ),
            "Ashdown's real reminder copying its credit controller and our two finance people",
        )
    ).add(
        final(
            "02-relay-reply",
            via_relay(
                oliver.addr,
                "bookings@hotel-seeblick.example",
                "mailhost-eu.example",
                to=[AP_EN],
                cc=[("Rachel Kim", "rachelkim.ashdown@gmail.com"), LAURA, MARA],
                reply_to=[("Oliver Pembridge", "oliver.pembridge.uk@outlook.com")],
                subject="RE: Payment reminder - INV-40533",
                date="2026-11-04 13:30 +0000",
                text=f"Dear all,\n\nPlease note we have updated our bank information. Kindly settle INV-40533 to:\nMetro Business Bank, IBAN {spaced(X_GB1)}\n\nKind regards,\nOliver",
            ),
            "the seed: a 'reply' that is a new message through a third party's relay (SPF passes for the relay, DMARC fails p=none), Reply-To on free mail, one CC swapped to free mail, new bank information",
            "attack",
            "danger",
        )
    ).done()
    _ = people
    attack(
        "classic/de-lookalike-kesler-new-account",
        "classic",
        "danger",
        "look-alike domain kesler-antriebe.example (one letter dropped), authenticated for itself, new account",
        own_domain(
            ("Jana Vogt", "j.vogt@kesler-antriebe.example"),
            to=[AP],
            subject="Bankverbindung",
            date="2026-11-05 08:30 +0100",
            text=f"Sehr geehrte Damen und Herren,\n\nbitte beachten Sie unsere geänderte Bankverbindung: IBAN {spaced(X_DE1)}.\n\n"
            + sig(KESSLER),
        ),
    )
    attack(
        "classic/en-lookalike-digit-zero-ashdown",
        "classic",
        "danger",
        "look-alike domain ashd0wnpackaging.example (o replaced by zero), new account",
        own_domain(
            ("Rachel Kim", "accounts@ashd0wnpackaging.example"),
            route="m365",
            to=[AP_EN],
            subject="Updated remittance details",
            date="2026-11-06 10:00 +0000",
            text=f"Hello,\n\nPlease update our remittance details to Metro Business Bank, IBAN {spaced(X_GB1)}.\n\n"
            + sig(ASHDOWN, rachel),
        ),
    )
    attack(
        "classic/en-prairie-spoofed-fake-reply-freemail-replyto",
        "classic",
        "danger",
        "forged Prairie Ridge From (DMARC fails), 'RE:' replying to nothing, Reply-To on gmail.com, new ACH account",
        spoofed(
            PRAIRIE.c.addr,
            policy="none",
            to=[AP_EN],
            reply_to=[("Megan Holloway", "mholloway.prairieridge@gmail.com")],
            subject="RE: Invoice 118820",
            date="2026-11-09 09:45 -0600",
            text=f"Hi,\n\nPlease use our new ACH details for invoice 118820: routing {X_US_ROUTING}, account {X_US_ACCOUNT}.\n\nThanks,\nMegan",
        ),
    )
    attack(
        "classic/fr-roussel-account-taken-over-plain-change",
        "classic",
        "danger",
        "Roussel's authenticated mailbox asks in plain words to pay a new account",
        from_partner(
            ROUSSEL,
            to=[AP],
            subject="Changement de coordonnées bancaires",
            date="2026-11-09 11:30 +0100",
            text=f"Bonjour,\n\nNous vous informons que nos coordonnées bancaires ont changé. Merci d'effectuer le règlement de la facture F-2026-0912 sur notre nouveau compte :\nIBAN {spaced(X_FR1)}\nBIC CRLYFRPPXXX\n\n"
            + sig(ROUSSEL),
        ),
    )
    attack(
        "classic/nl-vandermeer-account-taken-over-plain-change",
        "classic",
        "danger",
        "Van der Meer's authenticated mailbox asks in plain words to pay a new account",
        from_partner(
            VANDERMEER,
            to=[AP],
            subject="Nieuw rekeningnummer",
            date="2026-11-10 09:50 +0100",
            text=f"Beste,\n\nOns rekeningnummer is gewijzigd. Wilt u de openstaande facturen voortaan overmaken naar {spaced(X_NL1)} t.n.v. Van der Meer Verpakkingen B.V.?\n\n"
            + sig(VANDERMEER),
        ),
    )
    attack(
        "classic/it-bernardi-account-taken-over-pressure",
        "classic",
        "danger",
        "Bernardi's authenticated mailbox asks to pay a new account today and not to call",
        from_partner(
            BERNARDI,
            to=[AP],
            subject="URGENTE: pagamento fattura 2026/0457",
            date="2026-11-11 16:10 +0100",
            text=f"Buonasera,\n\nabbiamo cambiato banca: Vi preghiamo di effettuare il bonifico della fattura 2026/0457 oggi stesso sul nuovo conto IBAN {spaced(X_IT1)}. Siamo in riunione tutto il giorno, non è necessario chiamare.\n\n"
            + sig(BERNARDI),
        ),
    )
    # c-08: recipient swap to free mail in a thread, no account yet
    d_id = "<20261105090000.11AA22BB33@kessler-antriebe.example>"
    Thread("attack", "classic", "classic/thread-de-cc-swapped-to-freemail").add(
        Step(
            "01-order",
            from_partner(
                KESSLER,
                KESSLER.contacts[1],
                to=[FELIX],
                cc=[jana_addr := KESSLER.c.addr, AP],
                subject="Auftragsbestätigung AB-55120",
                date="2026-11-05 09:00 +0100",
                message_id=d_id,
                text="Hallo Herr Hartmann,\n\nanbei die Auftragsbestätigung AB-55120, Liefertermin KW 48.\n\n"
                + sig(KESSLER, KESSLER.contacts[1]),
            ),
            "Kessler's real order confirmation with its bookkeeper in copy",
        )
    ).add(
        final(
            "02-swapped",
            spoofed(
                KESSLER.contacts[1].addr,
                to=[FELIX],
                cc=[("Jana Vogt", "jana.vogt.kessler@gmx.de"), AP],
                subject="AW: Auftragsbestätigung AB-55120",
                date="2026-11-12 10:30 +0100",
                in_reply_to=d_id,
                references=[d_id],
                text="Hallo Herr Hartmann,\n\nkönnen Sie mir kurz den geplanten Zahlungstermin für die Anzahlung nennen? Frau Vogt ist in Kopie.\n\nGruß\nMarkus Brandt",
            ),
            "in the thread, Kessler's bookkeeper in CC is now at gmx.de under her real name (and the From is forged); no account yet",
            "attack",
            "caution",
        )
    ).done()
    _ = jana_addr
    # c-09: recipient swap to a look-alike with new account
    e_id = "<20261106101000.44CC55DD66@kessler-antriebe.example>"
    Thread("attack", "classic", "classic/thread-de-cc-swapped-to-lookalike-new-account").add(
        Step(
            "01-invoice",
            from_partner(
                KESSLER,
                to=[AP],
                cc=[MARA],
                subject="Rechnung RE-2026-11874",
                date="2026-11-06 10:10 +0100",
                message_id=e_id,
                text=f"Sehr geehrte Damen und Herren,\n\nRechnung RE-2026-11874 über 2.508,00 €, zahlbar auf IBAN {KESSLER.account_shown}.\n\n"
                + sig(KESSLER),
            ),
            "Kessler's real invoice copying our head of accounting",
        )
    ).add(
        final(
            "02-lookalike-swap",
            own_domain(
                ("Jana Vogt", "j.vogt@kessler-antrlebe.example"),
                to=[AP],
                cc=[("Mara Lindqvist", "m.lindqvist@corvane-gmbh.example")],
                subject="AW: Rechnung RE-2026-11874",
                date="2026-11-13 09:15 +0100",
                in_reply_to=e_id,
                references=[e_id],
                text=f"Sehr geehrte Damen und Herren,\n\nbitte überweisen Sie RE-2026-11874 abweichend auf unser neues Konto {spaced(X_DE3)}.\n\nMit freundlichen Grüßen\nJana Vogt",
            ),
            "in the thread, the sender is at kessler-antrlebe.example (i→l) and our colleague in CC at a look-alike of our domain; new account",
            "attack",
            "danger",
        )
    ).done()
    attack(
        "classic/es-alcazar-spoofed-fake-reply-freemail-replyto",
        "classic",
        "danger",
        "forged Alcázar From (DMARC fails), 'RE:' replying to nothing, Reply-To on outlook.es, new account",
        spoofed(
            ALCAZAR.c.addr,
            to=[AP],
            reply_to=[("Lucía Ferrer", "lucia.ferrer.talcazar@outlook.es")],
            subject="RE: Facturas octubre",
            date="2026-11-13 12:00 +0100",
            text=f"Buenos días,\n\nComo les comenté, les ruego realicen el pago de las facturas de octubre en nuestra nueva cuenta {spaced(X_ES1)}.\n\nUn saludo,\nLucía Ferrer",
        ),
    )
    attack(
        "classic/it-idn-lookalike-bernardi",
        "classic",
        "danger",
        "IDN look-alike officinebernardì.example (punycode), new IBAN",
        own_domain(
            ("Giulia Conti", "g.conti@xn--officinebernard-2ob.example"),
            to=[AP],
            subject="Coordinate bancarie aggiornate",
            date="2026-11-16 10:30 +0100",
            text=f"Buongiorno,\n\nVi inviamo le coordinate bancarie aggiornate: IBAN {spaced(X_IT2)}.\n\n"
            + sig(BERNARDI),
        ),
    )
    attack(
        "classic/fr-tld-swap-lookalike-roussel",
        "classic",
        "danger",
        "TLD-swapped look-alike roussel-ateliers.test, new IBAN",
        own_domain(
            ("Élodie Marchand", "e.marchand@roussel-ateliers.test"),
            route="m365",
            to=[AP],
            subject="RIB mis à jour",
            date="2026-11-17 09:00 +0100",
            text=f"Bonjour,\n\nVoici notre RIB mis à jour pour vos prochains règlements : IBAN {spaced(X_FR2)}.\n\n"
            + sig(ROUSSEL),
        ),
    )
    attack(
        "classic/pt-lusitania-relay-spoof-new-iban",
        "classic",
        "danger",
        "the seed's path for Lusitânia: a third party's webmail relays a forged From (X-Auth-ID names another account), DMARC fails, new IBAN",
        via_relay(
            LUSITANIA.c.addr,
            "reservas@quinta-do-vale.example",
            "webmail-pt.example",
            to=[AP],
            subject="Novos dados bancários",
            date="2026-11-18 10:40 +0000",
            text=f"Exmos. Senhores,\n\nOs nossos dados bancários foram alterados. Novo IBAN: {spaced(X_LT1)}.\n\n"
            + sig(LUSITANIA),
        ),
    )
    attack(
        "classic/nl-vandermeer-spoofed-lookalike-replyto",
        "classic",
        "danger",
        "forged Van der Meer From (SPF softfail, DMARC fails p=none) with Reply-To at vandermeer-verpakking.example (a look-alike), new account",
        spoofed(
            VANDERMEER.c.addr,
            to=[AP],
            reply_to=[("Sanne de Wit", "s.dewit@vandermeer-verpakking.example")],
            subject="Betaalgegevens gewijzigd",
            date="2026-11-19 09:20 +0100",
            text=f"Beste,\n\nOnze betaalgegevens zijn gewijzigd: {spaced(X_NL2)}. Graag bevestigen per reply.\n\n"
            + sig(VANDERMEER),
        ),
    )
    attack(
        "classic/pt-lusitania-account-taken-over-confidential",
        "classic",
        "danger",
        "Lusitânia's authenticated mailbox asks to pay a new account urgently and confidentially",
        from_partner(
            LUSITANIA,
            to=[AP],
            subject="Pagamento urgente",
            date="2026-11-20 15:00 +0000",
            text=f"Exmos. Senhores,\n\nDevido a uma auditoria em curso à nossa conta habitual, solicitamos que o pagamento das faturas em aberto seja feito hoje para o IBAN {spaced(X_PT1)}. Pedimos a máxima confidencialidade.\n\n"
            + sig(LUSITANIA),
        ),
    )
    attack(
        "classic/es-alcazar-account-taken-over-audit",
        "classic",
        "danger",
        "Alcázar's authenticated mailbox: 'debido a una auditoría' payments must go to a new account",
        from_partner(
            ALCAZAR,
            to=[AP],
            subject="Cambio temporal de cuenta",
            date="2026-11-23 09:30 +0100",
            text=f"Buenos días,\n\nDebido a una auditoría interna, nuestra cuenta habitual está bloqueada temporalmente. Les rogamos que realicen los pagos a la siguiente cuenta: {spaced(X_ES2)}.\n\n"
            + sig(ALCAZAR),
        ),
    )
    _ = (
        X_DE2,
        X_FR2,
        X_GB2,
        X_NL2,
        X_PL1,
        Auth,
        hexid,
        internal,
        OUR_SIGNATURE_DE,
        OUR_SIGNATURE_EN,
        TOBIAS,
        X_IT1,
        X_ES2,
    )


def build() -> None:
    K5()
    K6()
    KC()
