"""Legitimate look-alikes of kinds 4 (display names), 5 (sender-written headers), 6 (known
people, other domains) and 7 (payment advice, address and phone changes, our own finance
staff reporting fraud)."""

# The messages are data: their text is kept on one line per sentence or header, as written.
# ruff: noqa: E501

from __future__ import annotations

from _attacks_1_2 import X_DE2, X_GB1
from _build import Step, Thread, esp, final, free, from_partner, internal, legit, own_domain
from _mail import Auth, Mail, make_iban, spaced
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
    PRAIRIE,
    PURCHASING,
    ROUSSEL,
    SECURITY,
    TOBIAS,
    VANDERMEER,
    sig,
)

BRENNER_IBAN = make_iban("DE", "tischlerei-brenner")


def L4() -> None:
    legit(
        "4-display-names/en-middle-initial-real-address",
        "4",
        "Prairie Ridge's contact writes as 'Megan L. Holloway' from her real address; invoice with the account on file",
        from_partner(
            PRAIRIE,
            sender_addr=("Megan L. Holloway", PRAIRIE.c.email),
            to=[AP_EN],
            subject="Invoice 118801",
            date="2026-11-02 09:00 -0600",
            text="Hello,\n\nInvoice 118801 is due December 9; ACH to routing 021000021, account 4471902385 as usual.\n\nMegan L. Holloway\nAccounts Receivable Manager",
        ),
    )
    legit(
        "4-display-names/en-name-pipe-company-real-address",
        "4",
        "'Oliver Pembridge | Ashdown Packaging' from his real address about a delivery",
        from_partner(
            ASHDOWN,
            sender_addr=("Oliver Pembridge | Ashdown Packaging", ASHDOWN.c.email),
            to=[PURCHASING],
            subject="Samples dispatched",
            date="2026-11-03 10:00 +0000",
            text="Hi Felix,\n\nThe printed samples went out today by courier.\n\n" + sig(ASHDOWN),
        ),
    )
    legit(
        "4-display-names/de-surname-first-with-company-real-address",
        "4",
        "'Vogt, Jana (Kessler Antriebstechnik GmbH)' from her real address",
        from_partner(
            KESSLER,
            sender_addr=("Vogt, Jana (Kessler Antriebstechnik GmbH)", KESSLER.c.email),
            to=[AP],
            subject="Kontoauszug Oktober",
            date="2026-11-04 09:00 +0100",
            text="Sehr geehrte Damen und Herren,\n\nanbei zur Abstimmung unser Kontoauszug für Oktober; alle Posten sind ausgeglichen.\n\n"
            + sig(KESSLER),
        ),
    )
    legit(
        "4-display-names/it-name-dash-company-real-address",
        "4",
        "'Giulia Conti - Officine Bernardi' from her real address",
        from_partner(
            BERNARDI,
            sender_addr=("Giulia Conti - Officine Bernardi", BERNARDI.c.email),
            to=[AP],
            subject="Conferma pagamento ricevuto",
            date="2026-11-05 10:00 +0100",
            text="Buongiorno,\n\nconfermiamo di aver ricevuto il pagamento della fattura 2026/0398. Grazie.\n\n"
            + sig(BERNARDI),
        ),
    )
    dom = "lists.verband-praezision.example"
    legit(
        "4-display-names/de-list-via-rewrite-known-contact",
        "4",
        "a real mailing-list post by Kessler's contact, From rewritten to 'Jana Vogt via Forum Antriebstechnik' at the list, Reply-To her real address, list DKIM passes",
        Mail(
            frm=("Jana Vogt via Forum Antriebstechnik", f"forum@{dom}"),
            to=[("Forum Antriebstechnik", f"forum@{dom}")],
            reply_to=[KESSLER.c.addr],
            rcpt=MARA[1],
            subject="[Forum-Antrieb] Erfahrungen mit E-Rechnung (XRechnung)?",
            date="2026-11-05 14:00 +0100",
            route="list",
            auth=Auth(dkim_domain=dom, spf_domain=dom, policy="none"),
            sender=("", f"forum-bounces@{dom}"),
            headers_top=[
                f"List-Id: Forum Antriebstechnik <forum.{dom}>",
                f"List-Unsubscribe: <https://{dom}/mailman/options/forum>, <mailto:forum-request@{dom}?subject=unsubscribe>",
                f"List-Post: <mailto:forum@{dom}>",
                f"List-Archive: <https://{dom}/pipermail/forum/>",
                "Precedence: list",
            ],
            text="Hallo zusammen,\n\nwie geht ihr mit XRechnung ab 2027 um? Wir stellen gerade unseren Rechnungsversand um.\n\nGrüße\nJana Vogt\n\n_______________________________________________\nForum mailing list\nforum@lists.verband-praezision.example",
        ),
    )
    legit(
        "4-display-names/en-doc-share-notification-replyto-partner",
        "4",
        "a document-sharing service notification 'Oliver Pembridge (via DocShare)', Reply-To his real address",
        own_domain(
            ("Oliver Pembridge (via DocShare)", "drive-shares-noreply@docshare.example"),
            route="esp",
            policy="reject",
            to=[PURCHASING],
            reply_to=[ASHDOWN.c.addr],
            subject='Oliver Pembridge shared "Framework agreement 2027 - draft" with you',
            date="2026-11-06 11:00 +0000",
            html='<html><body><p>Oliver Pembridge (oliver.pembridge@ashdownpackaging.example) has invited you to comment on the following document:</p><p><b>Framework agreement 2027 - draft</b></p><p><a href="https://docshare.example/d/abc123">Open</a></p></body></html>',
        ),
    )
    legit(
        "4-display-names/de-address-as-display-name-real",
        "4",
        "the display name is the contact's own real address, as some clients write it",
        from_partner(
            KESSLER,
            sender_addr=("j.vogt@kessler-antriebe.example", KESSLER.c.email),
            to=[AP],
            subject="Gutschrift GS-2026-044",
            date="2026-11-09 10:00 +0100",
            text="Sehr geehrte Damen und Herren,\n\nanbei die Gutschrift GS-2026-044 für die Rücksendung.\n\n"
            + sig(KESSLER),
        ),
    )
    legit(
        "4-display-names/es-similar-name-job-applicant-gmail",
        "4",
        "a job applicant 'Lucia Ferreira' (not the partner's Lucía Ferrer) on gmail.com",
        free(
            ("Lucia Ferreira", "lucia.ferreira87@gmail.com"),
            to=[("Corvane Personal", "jobs@corvane.example")],
            subject="Bewerbung als Sachbearbeiterin Kreditorenbuchhaltung",
            date="2026-11-09 20:00 +0100",
            text="Sehr geehrte Damen und Herren,\n\nhiermit bewerbe ich mich auf Ihre Stelle als Sachbearbeiterin in der Kreditorenbuchhaltung. Meine Unterlagen sende ich gern auf Anfrage.\n\nMit freundlichen Grüßen\nLucia Ferreira",
        ),
    )
    legit(
        "4-display-names/en-similar-name-freight-forwarder",
        "4",
        "'Oliver Pembroke' of a freight forwarder (not Ashdown's Oliver Pembridge) sends a quote",
        own_domain(
            ("Oliver Pembroke", "o.pembroke@harbourline-freight.example"),
            route="m365",
            to=[PURCHASING],
            subject="Quote: sea freight Felixstowe - Hamburg",
            date="2026-11-10 09:00 +0000",
            text="Hi Felix,\n\nOur rate for a 20' container Felixstowe - Hamburg is GBP 1,150 all-in, transit 3 days.\n\nBest regards,\nOliver Pembroke\nHarbourline Freight Ltd",
        ),
    )
    legit(
        "4-display-names/fr-accented-name-raw-utf8-header",
        "4",
        "Roussel's contact from her real address with her name in raw UTF-8 in the From header",
        from_partner(
            ROUSSEL,
            to=[PURCHASING],
            subject="Confirmation de commande",
            date="2026-11-10 10:00 +0100",
            from_raw="Élodie Marchand <e.marchand@roussel-ateliers.example>",
            text="Bonjour,\n\nNous confirmons la commande 4500018911, livraison semaine 48.\n\n"
            + sig(ROUSSEL),
        ),
    )
    legit(
        "4-display-names/pt-name-without-accent-real-address",
        "4",
        "Lusitânia's contact writing as 'Ines Carvalho' (no accent) from her real address",
        from_partner(
            LUSITANIA,
            sender_addr=("Ines Carvalho", LUSITANIA.c.email),
            to=[PURCHASING],
            subject="Prazo de entrega",
            date="2026-11-11 10:00 +0000",
            text="Bom dia,\n\nO prazo de entrega das placas é de duas semanas.\n\n"
            + sig(LUSITANIA),
        ),
    )
    legit(
        "4-display-names/es-decomposed-accent-real-address",
        "4",
        "Alcázar's contact from her real address, her name written with a combining accent (as some Mac clients do)",
        from_partner(
            ALCAZAR,
            sender_addr=("Luci\u0301a Ferrer", ALCAZAR.c.email),
            to=[PURCHASING],
            subject="Recogida lunes",
            date="2026-11-11 12:00 +0100",
            text="Hola Felix,\n\nConfirmamos la recogida el lunes a las 8:00.\n\n" + sig(ALCAZAR),
        ),
    )
    legit(
        "4-display-names/ar-rtl-name-new-customer",
        "4",
        "a new customer's buyer with an Arabic name and right-to-left marks in the display name asks for a quote",
        own_domain(
            ("\u200fسارة الحداد\u200f", "s.haddad@gulf-automation.example"),
            to=[("Corvane Vertrieb", "vertrieb@corvane.example")],
            subject="Request for quotation: sensors",
            date="2026-11-12 09:00 +0300",
            text="Dear Sir or Madam,\n\nPlease send us a quotation for 50 pressure sensors type CV-200.\n\nBest regards,\nSara Haddad\nGulf Automation",
        ),
    )
    legit(
        "4-display-names/de-sole-trader-freemail-first-invoice",
        "4",
        "a local joiner (not in the directory) on web.de sends his first invoice with his own account; nothing asks for a change",
        free(
            ("Tischlerei Brenner", "tischlerei.brenner@web.de"),
            to=[AP],
            subject="Rechnung 2026-58 Regale Lager",
            date="2026-11-12 18:00 +0100",
            text=f"Guten Abend,\n\nanbei die Rechnung 2026-58 für die Lagerregale: 2.380,00 € brutto.\nBitte überweisen Sie auf IBAN {spaced(BRENNER_IBAN)} (Volksbank).\n\nMit freundlichen Grüßen\nThomas Brenner\nTischlerei Brenner",
        ),
    )
    legit(
        "4-display-names/nl-company-display-name-second-domain",
        "4",
        "'Van der Meer Verpakkingen' from info@ its second listed domain",
        from_partner(
            VANDERMEER,
            sender_addr=("Van der Meer Verpakkingen", "info@vdmeer.example"),
            to=[PURCHASING],
            subject="Nieuwe catalogus 2027",
            date="2026-11-13 09:00 +0100",
            text="Beste klant,\n\nOnze nieuwe catalogus 2027 is online beschikbaar op www.vandermeer-verpakkingen.example/catalogus.\n\nVan der Meer Verpakkingen B.V.",
        ),
    )
    legit(
        "4-display-names/de-colleague-decorated-name",
        "4",
        "our head of accounting as 'Mara Lindqvist | Corvane Finance', internal",
        internal(
            ("Mara Lindqvist | Corvane Finance", MARA[1]),
            to=[AP],
            subject="Monatsabschluss November",
            date="2026-11-16 08:00 +0100",
            text="Hallo zusammen,\n\nbitte alle Eingangsrechnungen bis 27.11. buchen.\n\nDanke\nMara",
        ),
    )
    legit(
        "4-display-names/es-company-display-name-real-domain",
        "4",
        "'Transportes Alcázar S.L.' from its invoicing address on its real domain, account on file",
        from_partner(
            ALCAZAR,
            sender_addr=("Transportes Alcázar S.L.", "facturacion@transportes-alcazar.example"),
            to=[AP],
            subject="Factura FA-26-01150",
            date="2026-11-17 07:00 +0100",
            text=f"Estimado cliente:\n\nFactura FA-26-01150, importe 4.197,60 €. Pago a {ALCAZAR.account_shown}.\n\nTransportes Alcázar S.L.",
        ),
    )
    legit(
        "4-display-names/de-title-and-name-real-address",
        "4",
        "Kessler's second contact as 'Dr.-Ing. Markus Brandt' from his real address",
        from_partner(
            KESSLER,
            KESSLER.contacts[1],
            sender_addr=("Dr.-Ing. Markus Brandt", KESSLER.contacts[1].email),
            to=[PURCHASING],
            subject="Technische Rückfrage KA-40",
            date="2026-11-18 10:00 +0100",
            text="Hallo Herr Hartmann,\n\nfür die KA-40 empfehlen wir Schutzart IP65 in Ihrer Umgebung.\n\nViele Grüße\nMarkus Brandt",
        ),
    )


def L5() -> None:
    dom = "lists.einkauf-netzwerk.example"
    legit(
        "5-sender-headers/de-list-post-original-from-arc",
        "5",
        "a purchasers' network list keeps the poster's From and adds a footer; the poster's DKIM breaks (DMARC fails p=none) but ARC from the list passes",
        Mail(
            frm=("Sabine Keller", "s.keller@maschinenbau-keller.example"),
            to=[("Einkäufer-Netzwerk", f"netzwerk@{dom}")],
            rcpt=FELIX[1],
            sender=("", f"netzwerk-bounces@{dom}"),
            subject="[Einkauf] Stahlpreise Q1/2027",
            date="2026-11-03 12:00 +0100",
            route="list",
            auth=Auth(
                dkim="fail",
                dkim_domain="maschinenbau-keller.example",
                extra_dkim=[dom],
                spf="pass",
                spf_domain=dom,
                dmarc="fail",
                policy="none",
                arc="pass",
            ),
            headers_top=[
                f"List-Id: Einkaeufer-Netzwerk <netzwerk.{dom}>",
                f"List-Unsubscribe: <mailto:netzwerk-request@{dom}?subject=unsubscribe>",
                f"List-Post: <mailto:netzwerk@{dom}>",
                "Precedence: list",
            ],
            text="Hallo zusammen,\n\nwelche Preiserhöhungen für Stahl erwartet ihr im ersten Quartal?\n\nSabine Keller\n\n--\nEinkäufer-Netzwerk Südwest – Abmelden: netzwerk-request@lists.einkauf-netzwerk.example",
        ),
    )
    dom2 = "lists.normen-ausschuss.example"
    legit(
        "5-sender-headers/en-standards-list-rewritten-from",
        "5",
        "a standards committee list rewrites From to 'X via list' (DMARC mitigation), list DKIM aligned",
        Mail(
            frm=("Tom Ashcroft via Standards-WG4", f"wg4@{dom2}"),
            to=[("Standards WG4", f"wg4@{dom2}")],
            reply_to=[("Tom Ashcroft", "t.ashcroft@sensorix.example")],
            rcpt=MARA[1],
            sender=("", f"wg4-bounces@{dom2}"),
            subject="[WG4] Draft minutes, meeting 14",
            date="2026-11-04 16:00 +0000",
            route="list",
            auth=Auth(dkim_domain=dom2, spf_domain=dom2, policy="none"),
            headers_top=[
                f"List-Id: <wg4.{dom2}>",
                f"List-Unsubscribe: <https://{dom2}/unsubscribe/wg4>",
                f"List-Archive: <https://{dom2}/archive/wg4>",
                "Precedence: list",
            ],
            text="All,\n\nPlease find the draft minutes of meeting 14 below. Comments by Friday.\n\nTom",
        ),
    )
    dom3 = "groups.fertigung-forum.example"
    legit(
        "5-sender-headers/de-group-post-bank-question-answered",
        "5",
        "a list post where a member asks about SEPA instant payments for suppliers; list DKIM aligned",
        Mail(
            frm=("Peter Lang via Fertigung-Forum", f"forum@{dom3}"),
            to=[("Fertigung-Forum", f"forum@{dom3}")],
            reply_to=[("Peter Lang", "p.lang@lang-cnc.example")],
            rcpt=MARA[1],
            sender=("", f"forum-bounces@{dom3}"),
            subject="[Fertigung] Echtzeitüberweisung an Lieferanten – Erfahrungen?",
            date="2026-11-06 09:00 +0100",
            route="list",
            auth=Auth(dkim_domain=dom3, spf_domain=dom3, policy="none"),
            headers_top=[
                f"List-Id: <forum.{dom3}>",
                f"List-Unsubscribe: <mailto:forum+unsubscribe@{dom3}>",
                "Precedence: list",
            ],
            text="Hallo,\n\nseit Oktober müssen Banken Echtzeitüberweisungen mit Empfängerüberprüfung anbieten. Nutzt ihr das schon für Lieferantenzahlungen?\n\nPeter",
        ),
    )
    dom4 = "lists.opentool.example"
    legit(
        "5-sender-headers/en-open-source-list-digest",
        "5",
        "an open-source project's list digest, list-signed",
        Mail(
            frm=("opentool-users-request", f"users-request@{dom4}"),
            to=[("opentool-users", f"users@{dom4}")],
            rcpt="it-admin@corvane.example",
            sender=("", f"users-bounces@{dom4}"),
            subject="opentool-users Digest, Vol 88, Issue 12",
            date="2026-11-07 12:00 +0000",
            route="list",
            auth=Auth(dkim_domain=dom4, spf_domain=dom4, policy="none"),
            headers_top=[
                f"List-Id: <users.{dom4}>",
                f"List-Unsubscribe: <mailto:users-request@{dom4}?subject=unsubscribe>",
                "Precedence: list",
            ],
            text="Today's Topics:\n\n   1. Re: build fails on arm64\n   2. Release 4.2 candidate\n\n----------------------------------------------------------------------\n\nMessage: 1\nDate: Fri, 6 Nov 2026 10:00:00 +0000\nFrom: dev@opentool.example\nSubject: Re: build fails on arm64\n\nFixed in main.\n",
        ),
    )
    legit(
        "5-sender-headers/de-agency-newsletter-replyto-agency",
        "5",
        "a supplier's ESP newsletter whose Reply-To is its marketing agency's domain",
        esp(
            ("Sensorix GmbH", "news@sensorix.example"),
            to=[PURCHASING],
            reply_to=[("Sensorix Marketing", "sensorix@agentur-blau.example")],
            subject="Neu: Drucksensor CV-300",
            date="2026-11-09 08:00 +0100",
            html='<html><body><span style="display:none">Mehr Präzision, gleicher Preis</span><p>Der neue Drucksensor CV-300 ist ab sofort lieferbar.</p></body></html>',
            headers_top=["List-Unsubscribe: <https://sensorix.example/u?x=1>", "Precedence: bulk"],
        ),
    )
    legit(
        "5-sender-headers/en-webinar-invite-replyto-events",
        "5",
        "an ESP webinar invitation with Reply-To at the organiser's events service",
        esp(
            ("Stratoline ERP", "events@stratoline-erp.example"),
            to=[AP_EN],
            reply_to=[("Stratoline Events", "stratoline@eventdesk.example")],
            subject="Webinar: e-invoicing in 2027",
            date="2026-11-10 15:00 +0000",
            html="<html><body><p>Join our webinar on e-invoicing mandates in 2027.</p></body></html>",
            headers_top=[
                "List-Unsubscribe: <https://stratoline-erp.example/unsub>",
                "Precedence: bulk",
            ],
        ),
    )
    legit(
        "5-sender-headers/fr-trade-show-replyto-other-domain",
        "5",
        "a French trade show's ESP mail with Reply-To at its exhibitor service provider",
        esp(
            ("Salon Industrie Lyon", "contact@salon-industrie-lyon.example"),
            to=[PURCHASING],
            reply_to=[("Service exposants", "exposants@expo-services.example")],
            subject="Votre badge visiteur",
            date="2026-11-11 10:00 +0100",
            html="<html><body><p>Votre badge visiteur pour le salon du 2 au 4 février 2027 est disponible.</p></body></html>",
            headers_top=["Precedence: bulk"],
        ),
    )
    legit(
        "5-sender-headers/en-ashdown-support-replyto-ticket-system",
        "5",
        "Ashdown's support answers from its own domain with Reply-To at its ticket system",
        from_partner(
            ASHDOWN,
            sender_addr=("Ashdown Packaging Support", "support@ashdownpackaging.example"),
            to=[PURCHASING],
            reply_to=[
                (
                    "Ashdown Packaging Support",
                    "support+id48812@ashdownpackaging.helpdesk-cloud.example",
                )
            ],
            subject="[Ticket #48812] Damaged cartons on delivery 18 Nov",
            date="2026-11-19 09:00 +0000",
            headers_top=["Auto-Submitted: auto-generated", "X-Ticket-ID: 48812"],
            text="##- Please type your reply above this line -##\n\nHi Felix,\n\nThanks for reporting the damaged cartons. A replacement pallet ships tomorrow.\n\nAshdown Packaging Support",
        ),
    )
    legit(
        "5-sender-headers/en-prairie-ar-ticket-replyto",
        "5",
        "Prairie Ridge's AR contact answers through its ticket desk: From her real address, Reply-To the partner's desk service",
        from_partner(
            PRAIRIE,
            to=[AP_EN],
            reply_to=[("Prairie Ridge AR", "ar-tickets@prairieridge.deskflow.example")],
            subject="Re: [AR-2291] Credit memo for invoice 118750",
            date="2026-11-19 10:00 -0600",
            headers_top=["X-Ticket-ID: AR-2291"],
            text="Hi Laura,\n\nCredit memo CM-2291 for $412.00 is attached to the ticket and will be applied to your next payment.\n\nMegan Holloway",
        ),
    )
    legit(
        "5-sender-headers/de-kessler-out-of-office",
        "5",
        "Kessler's contact's out-of-office auto-reply naming her deputy (no bank details)",
        from_partner(
            KESSLER,
            to=[AP],
            subject="Abwesenheitsnotiz: Zahlungsavis November",
            date="2026-11-20 08:00 +0100",
            headers_top=["Auto-Submitted: auto-replied", "X-Auto-Response-Suppress: All"],
            text="Vielen Dank für Ihre Nachricht. Ich bin bis 27.11.2026 nicht im Büro. In dringenden Fällen wenden Sie sich bitte an Herrn Markus Brandt, m.brandt@kessler-antriebe.example.\n\nJana Vogt",
        ),
    )
    legit(
        "5-sender-headers/fr-roussel-out-of-office",
        "5",
        "Roussel's contact's out-of-office auto-reply (no bank details)",
        from_partner(
            ROUSSEL,
            to=[AP],
            subject="Réponse automatique : Avis de paiement",
            date="2026-11-20 09:00 +0100",
            headers_top=["Auto-Submitted: auto-replied"],
            text="Bonjour,\n\nJe suis absente jusqu'au 30 novembre. Pour toute urgence, merci de contacter le standard au +33 4 72 55 01 00.\n\nÉlodie Marchand",
        ),
    )
    legit(
        "5-sender-headers/de-our-newsletter-replyto-our-domain",
        "5",
        "our own newsletter via an ESP, From and Reply-To at our domain, DKIM aligned",
        esp(
            ("Corvane Instruments", "newsletter@corvane.example"),
            to=[AP],
            reply_to=[("Corvane Marketing", "marketing@corvane.example")],
            subject="Corvane News 11/2026",
            date="2026-11-20 10:00 +0100",
            html='<html><body><span style="display:none">Neue Sensoren, Messe 2027</span><p>Unsere Neuheiten für 2027.</p></body></html>',
            headers_top=[
                "List-Unsubscribe: <https://corvane.example/newsletter/abmelden>",
                "Precedence: bulk",
            ],
        ),
    )
    legit(
        "5-sender-headers/en-invoicing-platform-on-behalf-of-ashdown",
        "5",
        "an invoicing platform sends Ashdown's invoice (DKIM for the platform), Reply-To Ashdown's accounts address, account on file",
        own_domain(
            ("Ashdown Packaging Ltd via InvoiceHub", "invoices@invoicehub.example"),
            route="esp",
            policy="reject",
            to=[AP_EN],
            reply_to=[ASHDOWN.contacts[1].addr],
            subject="Invoice INV-40590 from Ashdown Packaging Ltd",
            date="2026-11-23 07:00 +0000",
            html=f'<html><body><p>Ashdown Packaging Ltd has sent you invoice INV-40590 for £1,420.00, due 23 December 2026.</p><p>Pay by bank transfer to {ASHDOWN.account_shown} (Westbury Bank plc).</p><p><a href="https://invoicehub.example/i/40590">View invoice</a></p></body></html>',
        ),
    )
    legit(
        "5-sender-headers/de-bank-conditions-bulk",
        "5",
        "our bank's bulk notice about new payment-service conditions (Precedence: bulk), DKIM aligned",
        esp(
            ("Neckartal Handelsbank", "info@neckartal-handelsbank.example"),
            to=[AP],
            subject="Änderung der Bedingungen für den Zahlungsverkehr",
            date="2026-11-23 06:00 +0100",
            text="Sehr geehrte Kundin, sehr geehrter Kunde,\n\nzum 1. Januar 2027 ändern sich unsere Bedingungen für den Zahlungsverkehr (Empfängerüberprüfung bei Überweisungen). Ihre Kontoverbindung bleibt unverändert.\n\nIhre Neckartal Handelsbank",
            headers_top=["Precedence: bulk", "Auto-Submitted: auto-generated"],
        ),
    )
    legit(
        "5-sender-headers/en-esign-notification-replyto-partner",
        "5",
        "an e-signature notification for Ashdown's framework agreement, Reply-To Ashdown's real contact",
        own_domain(
            ("DocSafe Sign", "no-reply@docsafe-sign.example"),
            route="esp",
            policy="reject",
            to=[PURCHASING],
            reply_to=[ASHDOWN.c.addr],
            subject="Oliver Pembridge sent you a document to sign: Framework agreement 2027",
            date="2026-11-24 11:00 +0000",
            headers_top=["Auto-Submitted: auto-generated"],
            html='<html><body><p>Oliver Pembridge sent you a document to review and sign.</p><p><b>Framework agreement 2027</b></p><p><a href="https://docsafe-sign.example/r/77aa">REVIEW DOCUMENT</a></p></body></html>',
        ),
    )
    legit(
        "5-sender-headers/de-kessler-customer-list-announcement",
        "5",
        "Kessler's own customer information list (List-Id, DKIM aligned with Kessler) announcing holiday closure",
        from_partner(
            KESSLER,
            sender_addr=("Kessler Antriebstechnik", "kundeninfo@kessler-antriebe.example"),
            to=[("Kunden Kessler", "kundeninfo@kessler-antriebe.example")],
            rcpt=PURCHASING[1],
            subject="Betriebsferien 2026/2027",
            date="2026-11-16 08:00 +0100",
            headers_top=[
                "List-Id: Kessler Kundeninfo <kundeninfo.kessler-antriebe.example>",
                "List-Unsubscribe: <mailto:kundeninfo-leave@kessler-antriebe.example>",
                "Precedence: bulk",
            ],
            text="Sehr geehrte Kunden,\n\nunser Werk bleibt vom 23.12.2026 bis 06.01.2027 geschlossen.\n\nIhr Kessler-Team",
        ),
    )


def L6() -> None:
    legit(
        "6-known-people/de-jana-vogt-second-listed-domain",
        "6",
        "Kessler's contact writes from Kessler's second listed domain with the account on file",
        from_partner(
            KESSLER,
            sender_addr=("Jana Vogt", "j.vogt@kessler-gruppe.example"),
            to=[AP],
            subject="Rechnung RE-2026-11920",
            date="2026-11-10 10:00 +0100",
            text=f"Sehr geehrte Damen und Herren,\n\nRechnung RE-2026-11920 über 2.508,00 €, zahlbar auf {KESSLER.account_shown}.\n\n"
            + sig(KESSLER),
        ),
    )
    legit(
        "6-known-people/nl-sanne-de-wit-second-listed-domain",
        "6",
        "Van der Meer's contact from its second listed domain",
        from_partner(
            VANDERMEER,
            sender_addr=("Sanne de Wit", "s.dewit@vdmeer.example"),
            to=[AP],
            subject="Saldobevestiging",
            date="2026-11-11 10:00 +0100",
            text="Beste,\n\nKunt u het openstaande saldo per 31 oktober bevestigen?\n\n"
            + sig(VANDERMEER),
        ),
    )
    k1 = "<20261103090000.55EE66FF77@kessler-antriebe.example>"
    Thread("legit", "6", "6-known-people/thread-de-contact-moves-to-second-listed-domain").add(
        Step(
            "01-question",
            from_partner(
                KESSLER,
                to=[AP],
                subject="Zahlungsavis Oktober",
                date="2026-11-03 09:00 +0100",
                message_id=k1,
                text="Sehr geehrte Damen und Herren,\n\nkönnen Sie uns das Zahlungsavis für Oktober senden?\n\n"
                + sig(KESSLER),
            ),
            "Kessler's question",
        )
    ).add(
        final(
            "02-from-second-domain",
            from_partner(
                KESSLER,
                sender_addr=("Jana Vogt", "j.vogt@kessler-gruppe.example"),
                to=[AP],
                subject="AW: Zahlungsavis Oktober",
                date="2026-11-10 09:00 +0100",
                in_reply_to=k1,
                references=[k1],
                text="Sehr geehrte Damen und Herren,\n\ndanke, hat sich erledigt. Wir stellen übrigens gerade auf die Domain kessler-gruppe.example um.\n\n"
                + sig(KESSLER),
            ),
            "in the thread, the contact now writes from Kessler's second listed domain",
            "legit",
            "info",
        )
    ).done()
    legit(
        "6-known-people/de-similar-name-other-company",
        "6",
        "'Jana Voigt' of a metalworking firm (not Kessler's Jana Vogt) asks for a quote",
        own_domain(
            ("Jana Voigt", "j.voigt@voigt-metallbau.example"),
            to=[("Corvane Vertrieb", "vertrieb@corvane.example")],
            subject="Anfrage Drucksensoren",
            date="2026-11-11 11:00 +0100",
            text="Guten Tag,\n\nwir benötigen ein Angebot über 20 Drucksensoren CV-200.\n\nMit freundlichen Grüßen\nJana Voigt\nVoigt Metallbau GmbH",
        ),
    )
    legit(
        "6-known-people/en-similar-name-other-company",
        "6",
        "'Megan Holland' of another company (not Prairie Ridge's Megan Holloway)",
        own_domain(
            ("Megan Holland", "mholland@lakeview-controls.example"),
            route="gws",
            to=[("Corvane Sales", "sales@corvane.example")],
            subject="Distributor inquiry",
            date="2026-11-12 09:00 -0500",
            text="Hello,\n\nWe are interested in distributing your sensors in the Midwest. Could we set up a call?\n\nMegan Holland\nLakeview Controls",
        ),
    )
    legit(
        "6-known-people/fr-known-contact-named-in-body",
        "6",
        "a trade-fair organiser mentions that Roussel's contact recommended us; the known name is only in the body",
        own_domain(
            ("Salon Industrie Lyon", "partenariats@salon-industrie-lyon.example"),
            to=[("Corvane Vertrieb", "vertrieb@corvane.example")],
            subject="Invitation exposant 2027",
            date="2026-11-12 10:00 +0100",
            text="Bonjour,\n\nMadame Élodie Marchand, des Ateliers Roussel, nous a recommandé votre entreprise. Seriez-vous intéressés par un stand au salon 2027 ?\n\nL'équipe partenariats",
        ),
    )
    legit(
        "6-known-people/de-kessler-invoice-subdomain",
        "6",
        "Kessler's invoicing system sends from a sub-domain of its listed domain, account on file",
        from_partner(
            KESSLER,
            sender_addr=("Kessler Rechnungsversand", "noreply@rechnung.kessler-antriebe.example"),
            to=[AP],
            subject="Rechnung RE-2026-11999",
            date="2026-11-13 06:00 +0100",
            text=f"Sehr geehrte Damen und Herren,\n\nRechnung RE-2026-11999, Betrag 1.254,00 €, fällig am 13.12.2026. Zahlung auf {KESSLER.account_shown}.\n\nDiese E-Mail wurde automatisch erstellt.",
        ),
    )
    legit(
        "6-known-people/de-kessler-domain-consolidation-notice",
        "6",
        "Kessler announces from its second listed domain that it is consolidating to it ('please update your address book'); no bank change",
        from_partner(
            KESSLER,
            sender_addr=("Jana Vogt", "j.vogt@kessler-gruppe.example"),
            to=[AP],
            subject="Neue E-Mail-Adressen",
            date="2026-11-16 09:00 +0100",
            text="Sehr geehrte Damen und Herren,\n\nab Dezember erreichen Sie uns unter @kessler-gruppe.example. Bitte aktualisieren Sie Ihr Adressbuch. Unsere Bankverbindung bleibt unverändert.\n\n"
            + sig(KESSLER),
        ),
    )
    legit(
        "6-known-people/en-freight-firm-booking-for-ashdown",
        "6",
        "a freight firm books a delivery on behalf of Ashdown, naming Ashdown only in the text",
        own_domain(
            ("Harbourline Freight - Bookings", "bookings@harbourline-freight.example"),
            route="m365",
            to=[PURCHASING],
            subject="Delivery booking - consignment for Ashdown Packaging",
            date="2026-11-17 08:00 +0000",
            text="Hello,\n\nOn behalf of Ashdown Packaging Ltd we would like to book a delivery slot for 24 November, 2 pallets.\n\nHarbourline Freight",
        ),
    )
    legit(
        "6-known-people/en-prairie-subdomain-address",
        "6",
        "Prairie Ridge's contact from a sub-domain of its listed domain",
        from_partner(
            PRAIRIE,
            sender_addr=("Megan Holloway", "mholloway@us.prairieridge.example"),
            to=[AP_EN],
            subject="Statement of account",
            date="2026-11-18 09:00 -0600",
            text="Hi,\n\nYour account is current; thank you for the prompt payments this year.\n\nMegan",
        ),
    )
    legit(
        "6-known-people/nl-pieter-bakker-second-domain-reminder",
        "6",
        "Van der Meer's second contact from its second listed domain, account on file",
        from_partner(
            VANDERMEER,
            VANDERMEER.contacts[1],
            sender_addr=("Pieter Bakker", "p.bakker@vdmeer.example"),
            to=[AP],
            subject="Betalingsherinnering 2026-3255",
            date="2026-11-19 09:00 +0100",
            text=f"Beste,\n\nVriendelijke herinnering: factuur 2026-3255 vervalt op 10 december. Betaling op {VANDERMEER.account_shown}.\n\nPieter Bakker",
        ),
    )
    legit(
        "6-known-people/de-similar-name-recruiter",
        "6",
        "a recruiter 'Jana Vogel' (not Kessler's Jana Vogt) of a staffing agency",
        own_domain(
            ("Jana Vogel", "j.vogel@personal-partner-sued.example"),
            to=[MARA],
            subject="Interim-Unterstützung Buchhaltung",
            date="2026-11-20 10:00 +0100",
            text="Sehr geehrte Frau Lindqvist,\n\nbenötigen Sie zum Jahresabschluss Unterstützung in der Buchhaltung? Gern stelle ich Ihnen passende Profile vor.\n\nJana Vogel",
        ),
    )


def L7() -> None:
    k_pay = make_iban("DE", "kessler-paying-account")
    legit(
        "7-quieter/de-kessler-payment-advice-own-paying-account",
        "7",
        "Kessler (also our customer) sends a payment advice naming the account it paid from; no request to pay anything",
        from_partner(
            KESSLER,
            to=[("Corvane Debitorenbuchhaltung", "debitoren@corvane.example")],
            subject="Zahlungsavis",
            date="2026-11-03 10:00 +0100",
            text=f"Sehr geehrte Damen und Herren,\n\nwir haben heute folgende Rechnungen beglichen: AR-2026-4410 über 3.120,00 €.\nDie Zahlung erfolgte von unserem Konto bei der Kreissparkasse Böblingen, IBAN {spaced(k_pay)}.\n\n"
            + sig(KESSLER),
        ),
    )
    r_pay = make_iban("FR", "roussel-paying-account")
    legit(
        "7-quieter/fr-roussel-avis-de-virement",
        "7",
        "Roussel's remittance advice naming the account it paid from",
        from_partner(
            ROUSSEL,
            to=[("Corvane Debitorenbuchhaltung", "debitoren@corvane.example")],
            subject="Avis de virement",
            date="2026-11-04 10:00 +0100",
            text=f"Bonjour,\n\nNous vous informons que nous avons procédé ce jour au virement de 1 870,00 € en règlement de votre facture AR-2026-4422, depuis notre compte {spaced(r_pay)}.\n\n"
            + sig(ROUSSEL),
        ),
    )
    legit(
        "7-quieter/es-alcazar-aviso-de-pago",
        "7",
        "Alcázar's payment advice naming its own (on-file) account as the payer",
        from_partner(
            ALCAZAR,
            to=[("Corvane Debitorenbuchhaltung", "debitoren@corvane.example")],
            subject="Aviso de pago",
            date="2026-11-05 10:00 +0100",
            text=f"Buenos días,\n\nLes comunicamos que hoy hemos realizado la transferencia de 960,00 € correspondiente a su factura AR-2026-4431, desde nuestra cuenta {ALCAZAR.account_shown}.\n\n"
            + sig(ALCAZAR),
        ),
    )
    v_pay = make_iban("NL", "vandermeer-paying", "INGB")
    legit(
        "7-quieter/nl-vandermeer-betalingsadvies",
        "7",
        "Van der Meer's payment advice naming the account it paid from",
        from_partner(
            VANDERMEER,
            to=[("Corvane Debitorenbuchhaltung", "debitoren@corvane.example")],
            subject="Betalingsadvies",
            date="2026-11-06 10:00 +0100",
            text=f"Geachte heer/mevrouw,\n\nWij hebben vandaag € 2.450,00 overgemaakt van onze rekening {spaced(v_pay)} ter voldoening van factuur AR-2026-4440.\n\n"
            + sig(VANDERMEER),
        ),
    )
    legit(
        "7-quieter/it-bernardi-avviso-di-pagamento",
        "7",
        "Bernardi's payment advice naming its own account as the payer",
        from_partner(
            BERNARDI,
            to=[("Corvane Debitorenbuchhaltung", "debitoren@corvane.example")],
            subject="Avviso di pagamento",
            date="2026-11-09 10:00 +0100",
            text=f"Buongiorno,\n\nVi comunichiamo di aver disposto in data odierna il bonifico di 1.120,00 € a saldo della fattura AR-2026-4452, addebitato sul nostro conto {BERNARDI.account_shown}.\n\n"
            + sig(BERNARDI),
        ),
    )
    legit(
        "7-quieter/en-ashdown-remittance-advice",
        "7",
        "Ashdown's remittance advice naming its own paying account and our account it paid to",
        from_partner(
            ASHDOWN,
            ASHDOWN.contacts[1],
            to=[("Corvane Accounts Receivable", "ar@corvane.example")],
            subject="Remittance advice",
            date="2026-11-10 10:00 +0000",
            text=f"Dear Sir/Madam,\n\nPlease find below our remittance advice:\nInvoice AR-2026-4460 EUR 2,300.00 paid today from our account {ASHDOWN.account_shown} to your account DE12 5001 0517 0648 4898 90.\n\n"
            + sig(ASHDOWN, ASHDOWN.contacts[1]),
        ),
    )
    l_pay = make_iban("PT", "lusitania-paying")
    legit(
        "7-quieter/pt-lusitania-aviso-de-pagamento",
        "7",
        "Lusitânia's payment advice naming the account it paid from",
        from_partner(
            LUSITANIA,
            to=[("Corvane Debitorenbuchhaltung", "debitoren@corvane.example")],
            subject="Aviso de pagamento",
            date="2026-11-11 10:00 +0000",
            text=f"Exmos. Senhores,\n\nInformamos que efetuámos hoje a transferência de 740,00 € para liquidação da fatura AR-2026-4471, a partir da nossa conta {spaced(l_pay)}.\n\n"
            + sig(LUSITANIA),
        ),
    )
    legit(
        "7-quieter/en-unknown-customer-remittance",
        "7",
        "a customer not in the directory sends a remittance naming its paying account and routing number",
        own_domain(
            ("Lakeview Controls AP", "ap@lakeview-controls.example"),
            route="gws",
            to=[("Corvane Accounts Receivable", "ar@corvane.example")],
            subject="Payment remittance - Lakeview Controls",
            date="2026-11-12 10:00 -0500",
            text="Hello,\n\nPayment of USD 4,180.00 for invoice AR-2026-4480 was sent today by wire from our account 7712 0045 3321 (routing 021000021).\n\nLakeview Controls Accounts Payable",
        ),
    )
    legit(
        "7-quieter/de-kessler-new-postal-address",
        "7",
        "Kessler announces a new postal address ('bitte aktualisieren Sie Ihre Stammdaten'); the bank stays",
        from_partner(
            KESSLER,
            to=[AP],
            subject="Neue Anschrift ab 01.12.2026",
            date="2026-11-12 11:00 +0100",
            text="Sehr geehrte Damen und Herren,\n\nwir ziehen um: Ab 01.12.2026 lautet unsere Anschrift Robert-Bosch-Straße 8, 71229 Leonberg. Bitte aktualisieren Sie Ihre Stammdaten. Telefon, E-Mail und Bankverbindung bleiben unverändert.\n\n"
            + sig(KESSLER),
        ),
    )
    legit(
        "7-quieter/fr-roussel-nouvelle-adresse",
        "7",
        "Roussel announces a new address and asks to update our records",
        from_partner(
            ROUSSEL,
            to=[AP],
            subject="Changement d'adresse",
            date="2026-11-13 11:00 +0100",
            text="Bonjour,\n\nNous vous informons de notre changement d'adresse à compter du 1er décembre : 45 avenue Jean Jaurès, 69007 Lyon. Merci de mettre à jour vos fichiers. Nos coordonnées bancaires restent inchangées.\n\n"
            + sig(ROUSSEL),
        ),
    )
    legit(
        "7-quieter/it-bernardi-nuova-sede",
        "7",
        "Bernardi announces a new registered office and asks to update our records",
        from_partner(
            BERNARDI,
            to=[AP],
            subject="Variazione sede legale",
            date="2026-11-16 11:00 +0100",
            text="Gentile Cliente,\n\nVi informiamo che dal 1° dicembre la nostra sede legale sarà in Via Gramsci 120, 20099 Sesto San Giovanni. Vi preghiamo di aggiornare la Vostra anagrafica. Restano invariati partita IVA e coordinate bancarie.\n\n"
            + sig(BERNARDI),
        ),
    )
    legit(
        "7-quieter/es-alcazar-nuevo-almacen",
        "7",
        "Alcázar announces a new warehouse address for deliveries",
        from_partner(
            ALCAZAR,
            to=[PURCHASING],
            subject="Nueva dirección de almacén",
            date="2026-11-17 11:00 +0100",
            text="Buenos días,\n\nA partir del lunes nuestro almacén está en Avenida de la Constitución 12, 28823 Coslada. Por favor, actualicen sus datos para las recogidas.\n\n"
            + sig(ALCAZAR),
        ),
    )
    legit(
        "7-quieter/nl-vandermeer-nieuw-telefoonnummer",
        "7",
        "Van der Meer announces a new phone number ('graag uw gegevens bijwerken')",
        from_partner(
            VANDERMEER,
            to=[AP],
            subject="Nieuw telefoonnummer",
            date="2026-11-18 11:00 +0100",
            text="Beste relatie,\n\nOns algemene telefoonnummer is gewijzigd in +31 20 555 0100. Wilt u uw gegevens bijwerken?\n\n"
            + sig(VANDERMEER),
        ),
    )
    legit(
        "7-quieter/pt-lusitania-novo-telefone",
        "7",
        "Lusitânia announces a new phone number and asks to update records",
        from_partner(
            LUSITANIA,
            to=[AP],
            subject="Novo número de telefone",
            date="2026-11-18 12:00 +0000",
            text="Exmos. Senhores,\n\nO nosso novo número de telefone geral é +351 21 555 0100. Agradecemos que atualizem os vossos registos.\n\n"
            + sig(LUSITANIA),
        ),
    )
    legit(
        "7-quieter/en-ashdown-new-switchboard-number",
        "7",
        "Ashdown announces a new switchboard number, 'please update your records'",
        from_partner(
            ASHDOWN,
            ASHDOWN.contacts[1],
            to=[AP_EN],
            subject="New telephone number",
            date="2026-11-19 11:00 +0000",
            text="Dear customer,\n\nOur switchboard number has changed to +44 20 7946 0800. Please update your records. All other details, including our bank details, remain the same.\n\n"
            + sig(ASHDOWN, ASHDOWN.contacts[1]),
        ),
    )
    legit(
        "7-quieter/de-clerk-reports-suspicious-mail-to-security",
        "7",
        "our clerk forwards a suspicious bank-change mail to IT security in her own words; the quote carries the fraudster's IBAN",
        internal(
            LAURA,
            to=[SECURITY],
            cc=[MARA],
            subject="WG: Neue Bankverbindung - Verdacht auf Betrug",
            date="2026-11-04 09:00 +0100",
            text="Hallo IT-Sicherheit,\n\ndiese Mail kam angeblich von Kessler, aber von einer gmail-Adresse. Frau Vogt hat telefonisch bestätigt, dass sie sie nicht geschickt hat. Bitte sperren und prüfen. Wir haben nichts überwiesen.\n\nLaura Jensen\nKreditorenbuchhaltung\n\n"
            "-----Ursprüngliche Nachricht-----\nVon: Jana Vogt <jana.vogt1984@gmail.com>\nGesendet: Dienstag, 3. November 2026 17:20\nBetreff: Bankverbindung Kessler Antriebstechnik\n\n"
            f"Bitte überweisen Sie die offene Rechnung RE-2026-11802 auf unser neues Konto:\nIBAN {spaced(X_DE2)}\n",
        ),
    )
    legit(
        "7-quieter/en-clerk-reports-suspicious-mail-to-team",
        "7",
        "our clerk warns the finance team about a fraudulent change request, naming the fraudster's IBAN",
        internal(
            LAURA,
            to=[("Corvane Finance Team", "finance-team@corvane.example")],
            subject="Warning: fake bank change request from 'Ashdown'",
            date="2026-11-06 10:00 +0100",
            text=f"Hi all,\n\nWe received a fake request in Ashdown's name asking us to pay IBAN {spaced(X_GB1)}. It is fraud - Rachel Kim confirmed by phone. Do not change Ashdown's bank details and report any similar mail to IT security.\n\nLaura",
        ),
    )
    legit(
        "7-quieter/de-security-answers-report",
        "7",
        "IT security answers the report, quoting it",
        internal(
            ("IT-Sicherheit", SECURITY[1]),
            to=[LAURA],
            cc=[MARA],
            subject="AW: WG: Neue Bankverbindung - Verdacht auf Betrug",
            date="2026-11-04 11:00 +0100",
            text="Hallo Frau Jensen,\n\ndanke für die Meldung. Absender und IBAN sind gesperrt und an die Bank gemeldet.\n\nIT-Sicherheit\n\n-----Ursprüngliche Nachricht-----\nVon: Laura Jensen\nBetreff: WG: Neue Bankverbindung - Verdacht auf Betrug\n\ndiese Mail kam angeblich von Kessler, aber von einer gmail-Adresse.\n",
        ),
    )
    legit(
        "7-quieter/de-cfo-reminds-verification-procedure",
        "7",
        "our CFO reminds staff of the call-back rule for bank changes (no account named)",
        internal(
            TOBIAS,
            to=[("Corvane Finance Team", "finance-team@corvane.example")],
            subject="Erinnerung: Änderungen von Bankverbindungen",
            date="2026-11-09 08:00 +0100",
            text="Liebe Kolleginnen und Kollegen,\n\nzur Erinnerung: Jede Änderung einer Lieferanten-Bankverbindung wird nur nach Rückruf unter der im Lieferantenstamm hinterlegten Telefonnummer durchgeführt – niemals auf Grundlage einer E-Mail.\n\nTobias Renner",
        ),
    )
    legit(
        "7-quieter/en-ashdown-anti-fraud-notice",
        "7",
        "Ashdown's notice that it will never change its bank details by email; account on file stays",
        from_partner(
            ASHDOWN,
            ASHDOWN.contacts[1],
            to=[AP_EN],
            subject="Important: protect yourself against invoice fraud",
            date="2026-11-20 10:00 +0000",
            text=f"Dear customer,\n\nWe are aware of fraudsters sending emails in our name asking customers to pay a new bank account. Our bank details have NOT changed and will never be changed by email. Please continue to pay only to {ASHDOWN.account_shown}. If in doubt, call us on +44 20 7946 0833.\n\n"
            + sig(ASHDOWN, ASHDOWN.contacts[1]),
        ),
    )
    legit(
        "7-quieter/de-kessler-anti-fraud-notice",
        "7",
        "Kessler warns of fake bank-change mails in its name; its account stays the one on file",
        from_partner(
            KESSLER,
            to=[AP],
            subject="Warnung vor gefälschten E-Mails",
            date="2026-11-20 11:00 +0100",
            text=f"Sehr geehrte Damen und Herren,\n\nderzeit sind gefälschte E-Mails in unserem Namen im Umlauf, die eine angeblich neue Bankverbindung nennen. Unsere Bankverbindung hat sich nicht geändert: {KESSLER.account_shown}. Bitte prüfen Sie solche Mails telefonisch.\n\n"
            + sig(KESSLER),
        ),
    )
    legit(
        "7-quieter/de-kessler-new-contact-person",
        "7",
        "Kessler announces a new contact person and asks to update our records",
        from_partner(
            KESSLER,
            KESSLER.contacts[1],
            to=[AP],
            subject="Neuer Ansprechpartner Buchhaltung",
            date="2026-11-23 09:00 +0100",
            text="Sehr geehrte Damen und Herren,\n\nab dem 1.12. übernimmt Herr Markus Brandt vertretungsweise die Debitorenbuchhaltung. Bitte aktualisieren Sie Ihre Unterlagen.\n\n"
            + sig(KESSLER, KESSLER.contacts[1]),
        ),
    )
    legit(
        "7-quieter/en-prairie-new-ar-contact",
        "7",
        "Prairie Ridge introduces a new AR contact at its own domain, 'please update your records'",
        from_partner(
            PRAIRIE,
            to=[AP_EN],
            cc=[("Daniel Frost", "dfrost@prairieridge.example")],
            subject="New AR contact",
            date="2026-11-24 09:00 -0600",
            text="Hello,\n\nStarting December, Daniel Frost (copied) will be your AR contact. Please update your records. Remittance details are unchanged.\n\nMegan Holloway",
        ),
    )
    _ = (LAURA, FELIX, Mail, Auth, esp)


def build() -> None:
    L4()
    L5()
    L6()
    L7()
