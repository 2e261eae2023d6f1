"""Legitimate look-alikes of kinds 1 (attachments), 2 (HTML) and 3 (quotes and forwards)."""

# The messages are data: their text is kept on one line per sentence or header, as written.
# ruff: noqa: E501

from __future__ import annotations

from _build import (
    Step,
    Thread,
    bank_lines,
    docx,
    esp,
    final,
    from_partner,
    image,
    internal,
    invoice,
    legit,
    own_domain,
    pdf,
)
from _docs import Invoice, Letterhead, docx_letter, letter_image, logo_png, pdf_invoice, pdf_letter
from _mail import Attachment, make_iban, spaced
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
    PURCHASING,
    ROUSSEL,
    VANDERMEER,
    sig,
)

HOFMANN_IBAN = make_iban("DE", "hofmann-messtechnik")


def on_file_lines(p):  # type: ignore[no-untyped-def]
    if p.key == "prairie":
        return [
            "Remit to: Prairie Ridge Components Inc.",
            p.bank,
            "ABA routing 021000021",
            "Account 4471902385",
        ]
    return bank_lines(p, p.account, p.bic, p.bank)


def L1() -> None:
    inv = invoice(KESSLER, "RE-2026-11802", "02.11.2026", on_file_lines(KESSLER))
    legit(
        "1-attachment/de-kessler-pdf-invoice-account-on-file",
        "1",
        "Kessler's ordinary invoice mail; the PDF names the account on file",
        from_partner(
            KESSLER,
            to=[AP],
            subject="Rechnung RE-2026-11802",
            date="2026-11-02 10:15 +0100",
            text="Sehr geehrte Damen und Herren,\n\nanbei erhalten Sie unsere Rechnung RE-2026-11802 zu Ihrer Bestellung 4500018790.\n\n"
            + sig(KESSLER),
            attachments=[pdf("RE-2026-11802.pdf", pdf_invoice(KESSLER.letterhead(), inv))],
        ),
    )
    rib = pdf_letter(
        ROUSSEL.letterhead(),
        ["Corvane Instruments GmbH"],
        "Lyon, le 3 novembre 2026",
        "Relevé d'identité bancaire",
        [
            "Titulaire : ATELIERS ROUSSEL SAS",
            f"Domiciliation : {ROUSSEL.bank}",
            f"IBAN : {ROUSSEL.account_shown}",
            f"BIC : {ROUSSEL.bic}",
        ],
        ["Service comptabilité"],
    )
    legit(
        "1-attachment/fr-roussel-invoice-and-rib-on-file",
        "1",
        "Roussel's invoice with its RIB attached, both naming the account on file",
        from_partner(
            ROUSSEL,
            to=[AP],
            subject="Facture F-2026-0898",
            date="2026-11-03 09:40 +0100",
            text="Bonjour,\n\nVeuillez trouver ci-joint la facture F-2026-0898 ainsi que notre RIB pour votre fichier fournisseurs.\n\n"
            + sig(ROUSSEL),
            attachments=[
                pdf(
                    "F-2026-0898.pdf",
                    pdf_invoice(
                        ROUSSEL.letterhead(),
                        invoice(ROUSSEL, "F-2026-0898", "03/11/2026", on_file_lines(ROUSSEL)),
                    ),
                ),
                pdf("RIB.pdf", rib),
            ],
        ),
    )
    legit(
        "1-attachment/es-alcazar-pdf-invoice-account-on-file",
        "1",
        "Alcázar's ordinary invoice PDF with the account on file",
        from_partner(
            ALCAZAR,
            to=[AP],
            subject="Factura FA-26-01102",
            date="2026-11-03 12:05 +0100",
            text="Buenos días,\n\nLes adjuntamos la factura FA-26-01102 de los transportes de la semana 44.\n\n"
            + sig(ALCAZAR),
            attachments=[
                pdf(
                    "FA-26-01102.pdf",
                    pdf_invoice(
                        ALCAZAR.letterhead(),
                        invoice(ALCAZAR, "FA-26-01102", "03/11/2026", on_file_lines(ALCAZAR)),
                    ),
                )
            ],
        ),
    )
    legit(
        "1-attachment/nl-vandermeer-pdf-invoice-account-on-file",
        "1",
        "Van der Meer's ordinary invoice PDF with the account on file",
        from_partner(
            VANDERMEER,
            to=[AP],
            subject="Factuur 2026-3201",
            date="2026-11-04 08:30 +0100",
            text="Beste,\n\nIn de bijlage vindt u factuur 2026-3201.\n\n" + sig(VANDERMEER),
            attachments=[
                pdf(
                    "Factuur_2026-3201.pdf",
                    pdf_invoice(
                        VANDERMEER.letterhead(),
                        invoice(VANDERMEER, "2026-3201", "04-11-2026", on_file_lines(VANDERMEER)),
                    ),
                )
            ],
        ),
    )
    legit(
        "1-attachment/it-bernardi-pdf-invoice-account-on-file",
        "1",
        "Bernardi's ordinary invoice PDF with the account on file",
        from_partner(
            BERNARDI,
            to=[AP],
            subject="Fattura n. 2026/0431",
            date="2026-11-04 11:20 +0100",
            text="Buongiorno,\n\nin allegato la fattura n. 2026/0431.\n\n" + sig(BERNARDI),
            attachments=[
                pdf(
                    "Fattura_2026_0431.pdf",
                    pdf_invoice(
                        BERNARDI.letterhead(),
                        invoice(BERNARDI, "2026/0431", "04/11/2026", on_file_lines(BERNARDI)),
                    ),
                )
            ],
        ),
    )
    legit(
        "1-attachment/en-ashdown-octet-stream-invoice-on-file",
        "1",
        "Ashdown's invoice sent as application/octet-stream (as some systems do) with the account on file",
        from_partner(
            ASHDOWN,
            ASHDOWN.contacts[1],
            to=[AP_EN],
            subject="Invoice INV-40533",
            date="2026-10-27 10:00 +0000",
            text="Dear Accounts Payable,\n\nPlease find attached invoice INV-40533.\n\n"
            + sig(ASHDOWN, ASHDOWN.contacts[1]),
            attachments=[
                pdf(
                    "INV_40533.pdf",
                    pdf_invoice(
                        ASHDOWN.letterhead(),
                        invoice(ASHDOWN, "INV-40533", "27 October 2026", on_file_lines(ASHDOWN)),
                        unicode_font=False,
                    ),
                    octet=True,
                )
            ],
        ),
    )
    legit(
        "1-attachment/en-prairie-pdf-invoice-ach-on-file",
        "1",
        "Prairie Ridge's invoice PDF with the routing and account on file",
        from_partner(
            PRAIRIE,
            to=[AP_EN],
            subject="Invoice 118750 - PO 4500018801",
            date="2026-10-26 09:00 -0500",
            text="Hello,\n\nAttached is invoice 118750. Thank you for your business!\n\n"
            + sig(PRAIRIE),
            attachments=[
                pdf(
                    "Invoice_118750.pdf",
                    pdf_invoice(
                        PRAIRIE.letterhead(),
                        invoice(PRAIRIE, "118750", "10/26/2026", on_file_lines(PRAIRIE)),
                        unicode_font=False,
                    ),
                )
            ],
        ),
    )
    legit(
        "1-attachment/pt-lusitania-docx-invoice-on-file",
        "1",
        "Lusitânia's invoice as a Word document with the account on file in a table",
        from_partner(
            LUSITANIA,
            to=[AP],
            subject="Fatura FT 2026/1150",
            date="2026-11-05 10:30 +0000",
            text="Bom dia,\n\nSegue em anexo a fatura FT 2026/1150.\n\n" + sig(LUSITANIA),
            attachments=[
                docx(
                    "FT_2026_1150.docx",
                    docx_letter(
                        LUSITANIA.letterhead(),
                        ["Corvane Instruments GmbH"],
                        "05/11/2026",
                        "Fatura FT 2026/1150",
                        ["Pagamento por transferência bancária a 30 dias."],
                        ["Cortiças Lusitânia Lda"],
                        table=[
                            ["Descrição", "Valor"],
                            ["Juntas de cortiça 3 mm (5.000)", "1.900,00 €"],
                            ["IBAN", LUSITANIA.account_shown],
                            ["BIC", LUSITANIA.bic],
                        ],
                    ),
                )
            ],
        ),
    )
    inv = invoice(
        KESSLER,
        "RE-2026-11874",
        "06.11.2026",
        on_file_lines(KESSLER),
        notes_after=[
            "Hinweis zum Schutz vor Betrug: Unsere Bankverbindung ändert sich nicht. Wir werden Ihnen niemals per E-Mail eine neue Bankverbindung mitteilen. Erhalten Sie eine solche Nachricht, rufen Sie uns bitte unter +49 711 555 0100 an."
        ],
    )
    legit(
        "1-attachment/de-kessler-pdf-invoice-fraud-warning-footer",
        "1",
        "Kessler's invoice PDF with the account on file and an anti-fraud note saying the bank details never change by e-mail",
        from_partner(
            KESSLER,
            to=[AP],
            subject="Rechnung RE-2026-11874",
            date="2026-11-06 10:10 +0100",
            text="Sehr geehrte Damen und Herren,\n\nanbei Rechnung RE-2026-11874.\n\n"
            + sig(KESSLER),
            attachments=[pdf("RE-2026-11874.pdf", pdf_invoice(KESSLER.letterhead(), inv))],
        ),
    )
    inv = invoice(
        ASHDOWN,
        "INV-40561",
        "5 November 2026",
        on_file_lines(ASHDOWN),
        notes_after=[
            "FRAUD WARNING: Ashdown Packaging will never notify you of a change to our bank details by email. If you receive such a request, do not act on it - call us on +44 20 7946 0833."
        ],
    )
    legit(
        "1-attachment/en-ashdown-pdf-invoice-fraud-warning",
        "1",
        "Ashdown's invoice with the account on file and a warning that bank details are never changed by email",
        from_partner(
            ASHDOWN,
            ASHDOWN.contacts[1],
            to=[AP_EN],
            subject="Invoice INV-40561",
            date="2026-11-05 10:05 +0000",
            text="Dear Accounts Payable,\n\nPlease find attached invoice INV-40561.\n\n"
            + sig(ASHDOWN, ASHDOWN.contacts[1]),
            attachments=[
                pdf("INV_40561.pdf", pdf_invoice(ASHDOWN.letterhead(), inv, unicode_font=False))
            ],
        ),
    )
    ab = docx_letter(
        KESSLER.letterhead(),
        ["Corvane Instruments GmbH", "Einkauf"],
        "Weil der Stadt, 05.11.2026",
        "Auftragsbestätigung AB-55120",
        [
            "Wir bestätigen Ihre Bestellung 4500018832 wie folgt:",
            "Liefertermin: KW 48/2026, frei Haus.",
        ],
        ["Kessler Antriebstechnik GmbH", "Vertriebsinnendienst"],
        table=[
            ["Pos.", "Artikel", "Menge", "Preis"],
            ["1", "Getriebemotor KA-40", "12", "418,00 €"],
            ["2", "Frequenzumrichter FU-2", "12", "236,50 €"],
        ],
    )
    legit(
        "1-attachment/de-kessler-docx-order-confirmation",
        "1",
        "Kessler's order confirmation as a Word document: prices and dates, no bank details",
        from_partner(
            KESSLER,
            KESSLER.contacts[1],
            to=[PURCHASING],
            cc=[FELIX],
            subject="Auftragsbestätigung AB-55120",
            date="2026-11-05 09:00 +0100",
            text="Hallo Herr Hartmann,\n\nanbei die Auftragsbestätigung zu Ihrer Bestellung.\n\n"
            + sig(KESSLER, KESSLER.contacts[1]),
            attachments=[docx("AB-55120.docx", ab)],
        ),
    )
    pakbon = pdf_letter(
        VANDERMEER.letterhead(),
        ["Corvane Instruments GmbH", "Goederenontvangst"],
        "Zaandam, 10 november 2026",
        "Pakbon 2026-PB-7781",
        [
            "Levering: 2.400 kartonnen dozen 400x300x200 op 6 pallets.",
            "Transporteur: Transportes Alcázar S.L.",
            "Graag bij ontvangst controleren en aftekenen.",
        ],
        ["Van der Meer Verpakkingen B.V.", "Logistiek"],
    )
    legit(
        "1-attachment/nl-vandermeer-pdf-delivery-note",
        "1",
        "Van der Meer's delivery note PDF, no bank details",
        from_partner(
            VANDERMEER,
            to=[PURCHASING],
            subject="Pakbon 2026-PB-7781",
            date="2026-11-10 07:45 +0100",
            text="Goedemorgen,\n\nBijgaand de pakbon van de zending van vandaag.\n\n"
            + sig(VANDERMEER),
            attachments=[pdf("Pakbon_2026-PB-7781.pdf", pakbon)],
        ),
    )
    cmr = letter_image(
        [
            "# CMR – Carta de porte",
            "Remitente: Van der Meer Verpakkingen B.V., Zaandam",
            "Destinatario: Corvane Instruments GmbH, Stuttgart",
            "Mercancía: 6 palets, cajas de cartón",
            "Matrícula: 4821-KLM",
            "Entregado el 12/11/2026 – firmado sin reservas",
        ],
        fmt="JPEG",
        photo=True,
    )
    legit(
        "1-attachment/es-alcazar-jpeg-signed-cmr",
        "1",
        "Alcázar's photo of a signed consignment note (JPEG), no bank details",
        from_partner(
            ALCAZAR,
            to=[PURCHASING],
            subject="CMR firmado entrega 12/11",
            date="2026-11-12 17:20 +0100",
            text="Buenas tardes,\n\nAdjunto el CMR firmado de la entrega de hoy.\n\n"
            + sig(ALCAZAR),
            attachments=[image("CMR_20261112.jpg", cmr)],
        ),
    )
    listino = pdf_letter(
        BERNARDI.letterhead(),
        ["Corvane Instruments GmbH", "Ufficio acquisti"],
        "Sesto San Giovanni, 13 novembre 2026",
        "Nuovo listino prezzi 2027",
        [
            "Gentile Cliente,",
            "Le comunichiamo che dal 1° gennaio 2027 entrerà in vigore il nuovo listino prezzi allegato, con un aumento medio del 3,5% dovuto ai costi delle materie prime.",
            "Le condizioni di pagamento restano invariate.",
        ],
        ["Officine Bernardi S.r.l.", "Ufficio commerciale"],
    )
    legit(
        "1-attachment/it-bernardi-pdf-new-price-list",
        "1",
        "Bernardi announces a new price list ('nuovo listino'); payment terms unchanged, no bank details",
        from_partner(
            BERNARDI,
            to=[PURCHASING],
            subject="Nuovo listino prezzi 2027",
            date="2026-11-13 10:00 +0100",
            text="Buongiorno,\n\nin allegato il nuovo listino prezzi valido dal 1° gennaio 2027.\n\n"
            + sig(BERNARDI),
            attachments=[pdf("Listino_2027.pdf", listino)],
        ),
    )
    hof = Letterhead(
        "Hofmann Messtechnik e.K.",
        ["Kelterstraße 5 · 72622 Nürtingen", "Tel. +49 7022 555 017"],
        ["Inhaber: Jürgen Hofmann · USt-IdNr. DE298765432"],
    )
    hof_inv = pdf_invoice(
        hof,
        Invoice(
            title="Rechnung",
            number_label="Rechnungsnummer",
            number="2026-0117",
            date_label="Datum",
            date="16.11.2026",
            to_lines=["Corvane Instruments GmbH", "Industriestraße 14", "70565 Stuttgart"],
            columns=["Pos.", "Leistung", "Menge", "Preis"],
            rows=[
                ["1", "Kalibrierung Messschieber mit DAkkS-Schein", "14", "58,00 €"],
                ["2", "Kalibrierung Bügelmessschraube", "6", "64,00 €"],
            ],
            totals=[("Netto", "1.196,00 €"), ("USt. 19 %", "227,24 €"), ("Gesamt", "1.423,24 €")],
            notes=["Zahlbar innerhalb von 14 Tagen ohne Abzug."],
            bank_block=[
                "Bankverbindung: Hofmann Messtechnik e.K.",
                "Kreissparkasse Esslingen-Nürtingen",
                f"IBAN: {spaced(HOFMANN_IBAN)}",
                "BIC: ESSLDE66XXX",
            ],
        ),
    )
    legit(
        "1-attachment/de-new-supplier-first-invoice-with-iban",
        "1",
        "a new small supplier (not in the directory) sends its first invoice naming its own account; nothing asks for a change",
        own_domain(
            ("Hofmann Messtechnik", "rechnung@hofmann-messtechnik.example"),
            to=[AP],
            subject="Rechnung 2026-0117",
            date="2026-11-16 14:00 +0100",
            text="Sehr geehrte Damen und Herren,\n\nvielen Dank für Ihren Auftrag. Anbei unsere Rechnung 2026-0117 für die Kalibrierung der Messmittel.\n\nMit freundlichen Grüßen\nJürgen Hofmann\nHofmann Messtechnik e.K.",
            attachments=[pdf("Rechnung_2026-0117.pdf", hof_inv)],
        ),
    )
    schedule = pdf_letter(
        PRAIRIE.letterhead(),
        ["Corvane Instruments GmbH"],
        "November 17, 2026",
        "2026 holiday shipping schedule",
        [
            "Our facility will be closed November 26-27 and December 24 - January 1.",
            "Orders received after December 15 will ship in the new year.",
        ],
        ["Prairie Ridge Components Inc.", "Customer Service"],
        unicode_font=False,
    )
    legit(
        "1-attachment/en-prairie-pdf-holiday-schedule",
        "1",
        "Prairie Ridge's holiday shipping schedule PDF, no bank details",
        from_partner(
            PRAIRIE,
            to=[PURCHASING],
            subject="Holiday shipping schedule",
            date="2026-11-17 08:30 -0600",
            text="Hello,\n\nPlease see our holiday shipping schedule attached.\n\n" + sig(PRAIRIE),
            attachments=[pdf("Holiday_Schedule_2026.pdf", schedule)],
        ),
    )
    legit(
        "1-attachment/fr-roussel-credit-note-on-file",
        "1",
        "Roussel's credit note (avoir) PDF naming the account on file",
        from_partner(
            ROUSSEL,
            to=[AP],
            subject="Avoir AV-2026-0041",
            date="2026-11-18 11:00 +0100",
            text="Bonjour,\n\nVous trouverez ci-joint l'avoir AV-2026-0041 relatif au retour de marchandise du 10/11.\n\n"
            + sig(ROUSSEL),
            attachments=[
                pdf(
                    "AV-2026-0041.pdf",
                    pdf_invoice(
                        ROUSSEL.letterhead(),
                        invoice(ROUSSEL, "AV-2026-0041", "18/11/2026", on_file_lines(ROUSSEL)),
                    ),
                )
            ],
        ),
    )
    legit(
        "1-attachment/en-ashdown-inline-signature-logo",
        "1",
        "Ashdown's ordinary HTML mail with an inline signature logo image, about a delivery",
        from_partner(
            ASHDOWN,
            to=[PURCHASING],
            subject="Delivery week 48",
            date="2026-11-18 09:30 +0000",
            text="Hi Felix,\n\nYour shippers are booked for delivery on 24 November.\n\nKind regards,\nOliver Pembridge",
            html='<html><body><p>Hi Felix,</p><p>Your shippers are booked for delivery on 24 November.</p><p>Kind regards,<br>Oliver Pembridge<br>Commercial Director</p><p><img src="cid:ashlogo" alt="Ashdown Packaging"></p></body></html>',
            attachments=[image("image001.png", logo_png("ASHDOWN", (20, 80, 140)), cid="ashlogo")],
        ),
    )
    legit(
        "1-attachment/nl-vandermeer-second-domain-pdf-invoice-on-file",
        "1",
        "Van der Meer's invoice from its second listed domain (vdmeer.example) with the account on file",
        from_partner(
            VANDERMEER,
            sender_addr=("Van der Meer Facturatie", "facturen@vdmeer.example"),
            to=[AP],
            subject="Factuur 2026-3290",
            date="2026-11-19 06:00 +0100",
            text="Geachte klant,\n\nBijgaand ontvangt u factuur 2026-3290.\n\nVan der Meer Verpakkingen B.V.",
            attachments=[
                pdf(
                    "Factuur_2026-3290.pdf",
                    pdf_invoice(
                        VANDERMEER.letterhead(),
                        invoice(VANDERMEER, "2026-3290", "19-11-2026", on_file_lines(VANDERMEER)),
                    ),
                )
            ],
        ),
    )


def _newsletter(
    brand: str,
    frm: tuple[str, str],
    subject: str,
    date: str,
    preheader: str,
    body_html: str,
    text: str,
    lang: str = "de",
) -> object:
    dom = frm[1].rsplit("@", 1)[1]
    html = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><style>.preheader{display:none!important;visibility:hidden;opacity:0;color:transparent;height:0;width:0;}</style></head><body>'
        f'<span class="preheader" style="display:none;font-size:1px;color:#ffffff;line-height:1px;max-height:0;max-width:0;opacity:0;overflow:hidden;mso-hide:all">{preheader}</span>'
        f'<table width="100%"><tr><td><h1>{brand}</h1>{body_html}</td></tr></table>'
        f'<p style="font-size:11px;color:#777"><a href="https://{dom}/abmelden?u=8812">{"Abmelden" if lang == "de" else "Unsubscribe"}</a> · <a href="https://{dom}/impressum">Impressum</a></p>'
        '<img src="https://t.sendwave.example/o/8812.gif" width="1" height="1" alt=""></body></html>'
    )
    return esp(
        frm,
        to=[AP],
        subject=subject,
        date=date,
        text=text,
        html=html,
        headers_top=[
            f"List-Unsubscribe: <https://{dom}/abmelden?u=8812>, <mailto:unsubscribe@em.{dom}?subject=8812>",
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
            f"List-Id: {brand} <newsletter.{dom}>",
            "Precedence: bulk",
            f"Feedback-ID: 8812:{dom}:sendwave",
        ],
    )


def L2() -> None:
    legit(
        "2-html/de-trade-fair-newsletter-hidden-preheader",
        "2",
        "a trade fair's ESP newsletter, DKIM-aligned, with a hidden preheader",
        _newsletter(
            "Fachmesse Antrieb & Motion",
            ("Fachmesse Antrieb & Motion", "newsletter@antriebsmesse.example"),
            "Jetzt Ticket sichern: 20 % Frühbucherrabatt",
            "2026-11-03 07:00 +0100",
            "Nur noch bis Freitag: Frühbucherpreise für 2027 sichern",
            "<p>Liebe Besucherinnen und Besucher,</p><p>die Fachmesse 2027 öffnet vom 16. bis 18. März ihre Tore. Sichern Sie sich jetzt Ihr Ticket mit 20 % Rabatt.</p>",
            "Die Fachmesse 2027 öffnet vom 16. bis 18. März. Jetzt Ticket mit 20 % Rabatt sichern.",
        ),
    )  # type: ignore[arg-type]
    legit(
        "2-html/de-association-newsletter-bank-holiday-note",
        "2",
        "an industry association's newsletter mentioning SEPA payment deadlines around holidays",
        _newsletter(
            "Verband Präzisionstechnik e.V.",
            ("Verband Präzisionstechnik", "info@verband-praezision.example"),
            "Mitgliederinfo 11/2026",
            "2026-11-05 08:00 +0100",
            "Zahlungsverkehr zum Jahreswechsel, neue Normen, Termine",
            "<p>Zahlungsverkehr zum Jahreswechsel: Bitte beachten Sie, dass SEPA-Überweisungen am 24. und 31. Dezember nur bis 12 Uhr ausgeführt werden.</p><p>Neue Normen: DIN ISO 2768 – Überarbeitung im Entwurf.</p>",
            "Mitgliederinfo 11/2026: Zahlungsverkehr zum Jahreswechsel, neue Normen, Termine.",
        ),
    )  # type: ignore[arg-type]
    legit(
        "2-html/en-saas-billing-notice-update-payment-method",
        "2",
        "a software vendor's billing notice: invoice available, 'update your payment method' in the portal; no bank account",
        _newsletter(
            "Stratoline ERP",
            ("Stratoline ERP Billing", "billing@stratoline-erp.example"),
            "Your Stratoline ERP invoice for November is available",
            "2026-11-06 05:10 +0000",
            "Invoice SE-2026-11-44871 is ready",
            "<p>Your invoice SE-2026-11-44871 (EUR 1,240.00) is available in the portal. It will be charged to your card on file on 20 November.</p><p>To update your payment method, sign in to the billing portal.</p>",
            "Your invoice SE-2026-11-44871 is available. To update your payment method, sign in to the billing portal.",
            lang="en",
        ),
    )  # type: ignore[arg-type]
    legit(
        "2-html/fr-logistics-magazine-newsletter",
        "2",
        "a French trade magazine newsletter with a hidden preheader",
        _newsletter(
            "Fret & Logistique Hebdo",
            ("Fret & Logistique Hebdo", "lettre@fretlog-hebdo.example"),
            "La lettre du jeudi : transport routier, hausse des péages",
            "2026-11-05 06:30 +0100",
            "Les péages augmentent de 4 % au 1er février",
            "<p>Au sommaire : hausse des péages, pénurie de chauffeurs, nouvelles règles de cabotage.</p>",
            "Au sommaire : hausse des péages, pénurie de chauffeurs, nouvelles règles de cabotage.",
            lang="fr",
        ),
    )  # type: ignore[arg-type]
    legit(
        "2-html/it-industry-newsletter",
        "2",
        "an Italian industry newsletter with a hidden preheader",
        _newsletter(
            "MeccanicaPlus Notizie",
            ("MeccanicaPlus Notizie", "newsletter@meccanicaplus.example"),
            "Le notizie della settimana",
            "2026-11-07 07:00 +0100",
            "Nuovi incentivi per la meccanica di precisione",
            "<p>Incentivi 2027 per le PMI della meccanica: come presentare domanda.</p>",
            "Incentivi 2027 per le PMI della meccanica: come presentare domanda.",
            lang="it",
        ),
    )  # type: ignore[arg-type]
    cells = f"<tr><td>Titular</td><td>{ALCAZAR.org}</td></tr><tr><td>IBAN</td><td>{ALCAZAR.account_shown[:14]}</td><td>{ALCAZAR.account_shown[15:]}</td></tr><tr><td>BIC</td><td>{ALCAZAR.bic}</td></tr>"
    legit(
        "2-html/es-alcazar-html-invoice-iban-in-cells-on-file",
        "2",
        "Alcázar's HTML invoice notice; the account on file is split over two table cells",
        from_partner(
            ALCAZAR,
            to=[AP],
            subject="Factura FA-26-01133 disponible",
            date="2026-11-06 08:00 +0100",
            text=f"Factura FA-26-01133 por 4.197,60 EUR. Pago por transferencia a {ALCAZAR.account_shown}.",
            html=f'<html><body><p>Buenos días,</p><p>Le informamos de que la factura FA-26-01133 por importe de 4.197,60 EUR está disponible.</p><table border="1">{cells}</table><p>Un saludo,<br>Lucía Ferrer</p></body></html>',
        ),
    )
    legit(
        "2-html/it-bernardi-html-invoice-notice-on-file",
        "2",
        "Bernardi's HTML invoice notice with the account on file in a table",
        from_partner(
            BERNARDI,
            to=[AP],
            subject="Emissione fattura 2026/0466",
            date="2026-11-09 09:00 +0100",
            html=f"<html><body><p>Gentile cliente,</p><p>è stata emessa la fattura 2026/0466 (4.410,00 €), scadenza 09/12/2026.</p><table><tr><td>IBAN</td><td>{BERNARDI.account_shown}</td></tr><tr><td>Banca</td><td>{BERNARDI.bank}</td></tr></table><p>Amministrazione</p></body></html>",
        ),
    )
    legit(
        "2-html/en-prairie-html-remittance-table-on-file",
        "2",
        "Prairie Ridge's HTML invoice mail; routing and account on file in labelled cells",
        from_partner(
            PRAIRIE,
            to=[AP_EN],
            subject="Invoice 118801 available",
            date="2026-11-09 10:00 -0600",
            text="Invoice 118801 is attached below.",
            html='<div><p>Hi,</p><p>Invoice 118801 ($9,322.00) is due December 9.</p><table border="1"><tr><th>Bank</th><td>First Lakeshore Bank, Chicago IL</td></tr><tr><th>Routing</th><td>021000021</td></tr><tr><th>Account</th><td>4471902385</td></tr></table><p>Thanks,<br>Megan</p></div>',
        ),
    )
    legit(
        "2-html/nl-vandermeer-plain-stub-html-on-file",
        "2",
        "Van der Meer's mailer writes a plain stub; the HTML is a routine invoice notice with the account on file",
        from_partner(
            VANDERMEER,
            to=[AP],
            subject="Uw factuur 2026-3255",
            date="2026-11-10 06:00 +0100",
            text="Deze e-mail bevat opmaak. Bekijk de HTML-versie.\n",
            html=f"<html><body><p>Geachte klant,</p><p>Uw factuur 2026-3255 (€ 3.066,00) staat klaar. Betaling graag binnen 30 dagen op {VANDERMEER.account_shown}.</p><p>Van der Meer Verpakkingen B.V.</p></body></html>",
        ),
    )
    legit(
        "2-html/fr-roussel-plain-stub-html-on-file",
        "2",
        "Roussel's mail with a stub plain part and the account on file in HTML",
        from_partner(
            ROUSSEL,
            to=[AP],
            subject="Relance facture F-2026-0898",
            date="2026-11-12 09:30 +0100",
            text="Ce message est au format HTML.\n",
            html=f"<html><body><p>Bonjour,</p><p>Sauf erreur de notre part, la facture F-2026-0898 reste impayée. Merci de procéder au règlement sur notre compte habituel {ROUSSEL.account_shown}.</p><p>Cordialement,<br>Élodie Marchand</p></body></html>",
        ),
    )
    legit(
        "2-html/de-kessler-html-signature-pixel-and-spacer",
        "2",
        "Kessler's ordinary HTML question with a tracking pixel and white spacer text in the signature",
        from_partner(
            KESSLER,
            KESSLER.contacts[1],
            to=[PURCHASING],
            subject="Rückfrage Bestellung 4500018832",
            date="2026-11-12 11:00 +0100",
            text="Hallo Herr Hartmann,\n\nbenötigen Sie die Motoren mit oder ohne Bremse?\n\nGruß\nMarkus Brandt",
            html='<html><body><p>Hallo Herr Hartmann,</p><p>benötigen Sie die Motoren mit oder ohne Bremse?</p><p>Gruß<br>Markus Brandt</p><p style="color:#ffffff;font-size:2px">.</p><img src="https://sig.kessler-antriebe.example/p.gif" width="1" height="1"></body></html>',
        ),
    )
    legit(
        "2-html/de-bank-statement-ready-notice",
        "2",
        "our bank's HTML notice that an electronic statement is ready, hidden preheader, DKIM-aligned",
        esp(
            ("Neckartal Handelsbank", "service@neckartal-handelsbank.example"),
            to=[AP],
            subject="Ihr elektronischer Kontoauszug steht bereit",
            date="2026-11-13 05:00 +0100",
            html='<html><body><span style="display:none">Kontoauszug Nr. 211/2026</span><p>Sehr geehrte Kundin, sehr geehrter Kunde,</p><p>Ihr elektronischer Kontoauszug Nr. 211/2026 steht im Online-Banking bereit. Wir senden Ihnen niemals Links zur Eingabe von Zugangsdaten.</p><p>Ihre Neckartal Handelsbank</p></body></html>',
            headers_top=["Precedence: bulk", "Auto-Submitted: auto-generated"],
        ),
    )
    legit(
        "2-html/en-shop-newsletter-emoji-zwj",
        "2",
        "a retailer's newsletter whose subject and text use emoji joined with zero-width joiners",
        _newsletter(
            "Schmidt Bürowelt",
            ("Bürobedarf Schmidt", "angebote@buero-schmidt.example"),
            "\U0001f469\u200d\U0001f4bb Back to Office: 15 % auf Bürostühle",
            "2026-11-14 09:00 +0100",
            "\U0001f469\u200d\U0001f4bb Nur bis Sonntag",
            "<p>\U0001f468\u200d\U0001f527 Werkstattbedarf und \U0001f469\u200d\U0001f4bb Bürostühle: 15 % Rabatt bis Sonntag.</p>",
            "Werkstattbedarf und Bürostühle: 15 % Rabatt bis Sonntag.",
        ),
    )  # type: ignore[arg-type]
    legit(
        "2-html/de-shop-order-confirmation-html",
        "2",
        "an online shop's order confirmation with an HTML table of amounts, paid by card",
        esp(
            ("Bürobedarf Schmidt", "bestellung@buero-schmidt.example"),
            to=[PURCHASING],
            subject="Ihre Bestellung 20261116-5521",
            date="2026-11-16 12:00 +0100",
            text="Vielen Dank für Ihre Bestellung 20261116-5521. Summe 312,40 EUR, bezahlt per Kreditkarte.",
            html='<html><body><p>Vielen Dank für Ihre Bestellung!</p><table border="1"><tr><th>Artikel</th><th>Menge</th><th>Preis</th></tr><tr><td>Kopierpapier A4</td><td>20</td><td>89,80 €</td></tr><tr><td>Toner TK-5240</td><td>4</td><td>222,60 €</td></tr></table><p>Summe: 312,40 € – bezahlt per Kreditkarte.</p></body></html>',
        ),
    )
    legit(
        "2-html/de-telecom-invoice-available-change-payment",
        "2",
        "a telecom provider's 'your invoice is available' HTML mail with a link to change the payment method; direct debit from our account",
        esp(
            ("Netzwerk Telekom Business", "rechnung@netzwerk-telekom.example"),
            to=[AP],
            subject="Ihre Rechnung November 2026",
            date="2026-11-17 04:00 +0100",
            html='<html><body><span style="display:none;max-height:0">Rechnungsbetrag 486,21 EUR</span><p>Guten Tag,</p><p>Ihre Rechnung für November 2026 über 486,21 EUR ist online verfügbar. Der Betrag wird am 25.11.2026 per Lastschrift von Ihrem Konto eingezogen.</p><p>Zahlungsart ändern: im Kundencenter unter Rechnungen.</p></body></html>',
            headers_top=["Precedence: bulk"],
        ),
    )
    legit(
        "2-html/en-ashdown-esp-newsletter-new-warehouse",
        "2",
        "Ashdown's own ESP newsletter (DKIM-aligned) about a new warehouse, hidden preheader",
        _newsletter(
            "Ashdown Packaging News",
            ("Ashdown Packaging", "news@ashdownpackaging.example"),
            "Ashdown news: our new warehouse in Crawley",
            "2026-11-18 08:00 +0000",
            "More capacity, faster deliveries",
            "<p>We have opened a second warehouse in Crawley to shorten delivery times in the South East.</p>",
            "We have opened a second warehouse in Crawley.",
            lang="en",
        ),
    )  # type: ignore[arg-type]


def _q(text: str) -> str:
    return "\n".join("> " + line if line else ">" for line in text.splitlines())


def L3() -> None:
    # l3-01 thread: a faithful reply quoting both earlier messages
    i1 = "<20261102101500.7A1B2C3D4F@kessler-antriebe.example>"
    i2 = "<a8e1c2d3f4b5@EXCH02.ad.corvane.example>"
    t1 = (
        f"Sehr geehrte Damen und Herren,\n\nanbei die Daten zu unserer Rechnung RE-2026-11810 über 2.508,00 €.\nBankverbindung: Commerzbank Stuttgart, IBAN {KESSLER.account_shown}\n\n"
        + sig(KESSLER)
    )
    t2 = (
        "Hallo Frau Vogt,\n\nzur Rechnung RE-2026-11810 fehlt uns die Lieferscheinnummer. Können Sie die nachreichen?\n\n"
        + OUR_SIGNATURE_DE.format(name="Laura Jensen", role="Kreditorenbuchhaltung")
    )
    Thread("legit", "3", "3-quotes/thread-de-kessler-faithful-reply").add(
        Step(
            "01-invoice",
            from_partner(
                KESSLER,
                to=[AP],
                subject="Rechnung RE-2026-11810",
                date="2026-11-02 11:00 +0100",
                message_id=i1,
                text=t1,
            ),
            "Kessler's invoice",
        )
    ).add(
        Step(
            "02-our-question",
            internal(
                LAURA,
                to=[KESSLER.c.addr],
                cc=[AP],
                rcpt=AP[1],
                subject="AW: Rechnung RE-2026-11810",
                date="2026-11-03 09:00 +0100",
                message_id=i2,
                in_reply_to=i1,
                references=[i1],
                text=t2,
            ),
            "our clerk's question, copied to the AP mailbox",
        )
    ).add(
        final(
            "03-reply-quoting-both",
            from_partner(
                KESSLER,
                to=[LAURA],
                cc=[AP],
                subject="AW: AW: Rechnung RE-2026-11810",
                date="2026-11-03 14:20 +0100",
                in_reply_to=i2,
                references=[i1, i2],
                text="Hallo Frau Jensen,\n\ndie Lieferscheinnummer ist LS-88102.\n\nViele Grüße\nJana Vogt\n\n-----Ursprüngliche Nachricht-----\nVon: Laura Jensen <l.jensen@corvane.example>\nGesendet: Dienstag, 3. November 2026 09:00\nBetreff: AW: Rechnung RE-2026-11810\n\n"
                + t2
                + "\n\n-----Ursprüngliche Nachricht-----\nVon: Jana Vogt\nGesendet: Montag, 2. November 2026 11:00\nBetreff: Rechnung RE-2026-11810\n\n"
                + t1,
            ),
            "Kessler's reply in the real thread, quoting both earlier messages exactly",
            "legit",
            "info",
        )
    ).done()
    # l3-02 thread fr
    r1 = "<PAXPR04MB8821AA11BB22@PAXPR04MB8821.eurprd04.prod.outlook.com>"
    r2 = "<b7d2e3f4a5c6@EXCH02.ad.corvane.example>"
    rt1 = (
        f"Bonjour,\n\nNotre facture F-2026-0870 (3 940,00 €) est payable sur notre compte {ROUSSEL.account_shown}.\n\n"
        + sig(ROUSSEL)
    )
    rt2 = (
        "Bonjour Madame Marchand,\n\nLe montant de la facture ne correspond pas à notre commande (3 456,00 €). Pourriez-vous vérifier ?\n\n"
        + OUR_SIGNATURE_DE.format(name="Laura Jensen", role="Kreditorenbuchhaltung")
    )
    Thread("legit", "3", "3-quotes/thread-fr-roussel-corrected-invoice").add(
        Step(
            "01-invoice",
            from_partner(
                ROUSSEL,
                to=[AP],
                subject="Facture F-2026-0870",
                date="2026-10-28 10:00 +0100",
                message_id=r1,
                text=rt1,
            ),
            "Roussel's invoice",
        )
    ).add(
        Step(
            "02-our-question",
            internal(
                LAURA,
                to=[ROUSSEL.c.addr],
                cc=[AP],
                rcpt=AP[1],
                subject="RE: Facture F-2026-0870",
                date="2026-10-29 09:30 +0100",
                message_id=r2,
                in_reply_to=r1,
                references=[r1],
                text=rt2,
            ),
            "our question",
        )
    ).add(
        final(
            "03-corrected",
            from_partner(
                ROUSSEL,
                to=[LAURA],
                cc=[AP],
                subject="RE: Facture F-2026-0870",
                date="2026-10-29 15:00 +0100",
                in_reply_to=r2,
                references=[r1, r2],
                text="Bonjour,\n\nVous avez raison, voici la facture corrigée : 3 456,00 €, même compte que d'habitude.\n\nCordialement,\nÉlodie Marchand\n\nDe : Laura Jensen <l.jensen@corvane.example>\nEnvoyé : jeudi 29 octobre 2026 09:30\nObjet : RE: Facture F-2026-0870\n\n"
                + rt2
                + "\n\nDe : Élodie Marchand\nEnvoyé : mercredi 28 octobre 2026 10:00\nObjet : Facture F-2026-0870\n\n"
                + rt1,
            ),
            "Roussel's faithful reply in the real thread",
            "legit",
            "info",
        )
    ).done()
    # l3-03 thread en (gmail style quoting)
    p1 = "<CAPr1dge0001xyz@mail.gmail.com>"
    p2 = "<c9e3f4a5b6d7@EXCH02.ad.corvane.example>"
    pt1 = "Hi,\n\nInvoice 118750 ($9,322.00) was sent on Oct 26; ACH to routing 021000021, account 4471902385 as usual.\n\nThanks,\nMegan"
    pt2 = (
        "Hi Megan,\n\nCould you confirm the freight charge on 118750? The PO said FOB origin.\n\n"
        + OUR_SIGNATURE_EN.format(name="Laura Jensen", role="Accounts Payable")
    )
    Thread("legit", "3", "3-quotes/thread-en-prairie-gmail-quotes").add(
        Step(
            "01-invoice",
            from_partner(
                PRAIRIE,
                to=[AP_EN],
                subject="Invoice 118750",
                date="2026-10-26 09:30 -0500",
                message_id=p1,
                text=pt1,
            ),
            "Prairie Ridge's invoice note",
        )
    ).add(
        Step(
            "02-our-question",
            internal(
                LAURA,
                to=[PRAIRIE.c.addr],
                cc=[AP_EN],
                rcpt=AP_EN[1],
                subject="RE: Invoice 118750",
                date="2026-10-27 10:00 +0100",
                message_id=p2,
                in_reply_to=p1,
                references=[p1],
                text=pt2,
            ),
            "our question",
        )
    ).add(
        final(
            "03-reply",
            from_partner(
                PRAIRIE,
                to=[LAURA],
                cc=[AP_EN],
                subject="Re: Invoice 118750",
                date="2026-10-27 08:15 -0500",
                in_reply_to=p2,
                references=[p1, p2],
                text="Hi Laura,\n\nYou're right, freight should not be on it. I'll send a credit memo for $412.00.\n\nMegan\n\nOn Tue, Oct 27, 2026 at 4:00 AM Laura Jensen <l.jensen@corvane.example> wrote:\n"
                + _q(pt2)
                + "\n>\n> On Mon, Oct 26, 2026 Megan Holloway wrote:\n"
                + _q(_q(pt1)),
            ),
            "Prairie Ridge's faithful Gmail-style reply in the real thread",
            "legit",
            "info",
        )
    ).done()
    # l3-04 thread nl
    v1 = "<AM9PR03MB7711AB12CD34@AM9PR03MB7711.eurprd03.prod.outlook.com>"
    vt1 = (
        f"Beste,\n\nFactuur 2026-3201 (€ 3.066,00) staat nog open. Graag betalen op {VANDERMEER.account_shown}.\n\n"
        + sig(VANDERMEER)
    )
    Thread("legit", "3", "3-quotes/thread-nl-vandermeer-reminder-and-reply").add(
        Step(
            "01-reminder",
            from_partner(
                VANDERMEER,
                to=[AP],
                subject="Herinnering factuur 2026-3201",
                date="2026-11-12 09:00 +0100",
                message_id=v1,
                text=vt1,
            ),
            "Van der Meer's reminder",
        )
    ).add(
        final(
            "02-followup",
            from_partner(
                VANDERMEER,
                to=[AP],
                subject="RE: Herinnering factuur 2026-3201",
                date="2026-11-16 10:00 +0100",
                in_reply_to=v1,
                references=[v1],
                text="Beste,\n\nLaatste herinnering, zie hieronder. Mocht de betaling al onderweg zijn, dan kunt u dit bericht negeren.\n\nSanne\n\nVan: Sanne de Wit\nVerzonden: donderdag 12 november 2026 09:00\nAan: Corvane Kreditorenbuchhaltung\nOnderwerp: Herinnering factuur 2026-3201\n\n"
                + vt1,
            ),
            "Van der Meer follows up on its own real reminder, quoting it exactly",
            "legit",
            "info",
        )
    ).done()
    # l3-05 thread it: forward of its own earlier invoice message
    b1 = "<20261104112000.AB12@officinebernardi.example>"
    bt1 = (
        f"Buongiorno,\n\nfattura n. 2026/0431 di 4.410,00 €, pagamento su IBAN {BERNARDI.account_shown}.\n\n"
        + sig(BERNARDI)
    )
    Thread("legit", "3", "3-quotes/thread-it-bernardi-forward-own-invoice").add(
        Step(
            "01-invoice",
            from_partner(
                BERNARDI,
                to=[AP],
                subject="Fattura n. 2026/0431",
                date="2026-11-04 11:20 +0100",
                message_id=b1,
                text=bt1,
            ),
            "Bernardi's invoice",
        )
    ).add(
        final(
            "02-forward",
            from_partner(
                BERNARDI,
                to=[AP],
                subject="I: Fattura n. 2026/0431",
                date="2026-11-20 09:00 +0100",
                references=[b1],
                text="Buongiorno,\n\nVi inoltro nuovamente la fattura in scadenza, grazie.\n\nGiulia Conti\n\n----- Messaggio inoltrato -----\nDa: Giulia Conti <g.conti@officinebernardi.example>\nInviato: mercoledì 4 novembre 2026 11:20\nOggetto: Fattura n. 2026/0431\n\n"
                + bt1,
            ),
            "Bernardi forwards its own earlier invoice mail exactly as we received it",
            "legit",
            "info",
        )
    ).done()
    legit(
        "3-quotes/de-colleague-forwards-partner-invoice",
        "3",
        "our buyer forwards Kessler's real invoice internally ('bitte buchen'); the quote names the account on file",
        internal(
            FELIX,
            to=[AP],
            subject="WG: Rechnung RE-2026-11802",
            date="2026-11-03 08:10 +0100",
            text="Hallo zusammen,\n\nbitte buchen, Ware ist vollständig eingegangen.\n\nGruß\nFelix\n\n-----Ursprüngliche Nachricht-----\nVon: Jana Vogt <j.vogt@kessler-antriebe.example>\nGesendet: Montag, 2. November 2026 10:15\nAn: Felix Hartmann <f.hartmann@corvane.example>\nBetreff: Rechnung RE-2026-11802\n\n"
            + f"Sehr geehrter Herr Hartmann,\n\nRechnung RE-2026-11802 über 7.854,00 €, zahlbar auf IBAN {KESSLER.account_shown}.\n\n"
            + sig(KESSLER),
        ),
    )
    legit(
        "3-quotes/de-colleague-forwards-alcazar-invoice",
        "3",
        "our buyer forwards Alcázar's invoice internally; the quote names the account on file",
        internal(
            FELIX,
            to=[AP],
            subject="WG: Factura FA-26-01102",
            date="2026-11-04 08:20 +0100",
            text=f"Hallo,\n\nTransport ist geprüft und in Ordnung, bitte freigeben.\n\nFelix\n\nDe: Lucía Ferrer <lferrer@transportes-alcazar.example>\nEnviado el: martes, 3 de noviembre de 2026 12:05\nAsunto: Factura FA-26-01102\n\nBuenos días,\nfactura FA-26-01102, 4.197,60 €, cuenta {ALCAZAR.account_shown}.\n\nLucía Ferrer",
        ),
    )
    legit(
        "3-quotes/en-colleague-forwards-ashdown-statement",
        "3",
        "our clerk forwards Ashdown's statement to our head of accounting with a question",
        internal(
            LAURA,
            to=[MARA],
            subject="FW: Statement of account - October",
            date="2026-11-05 14:00 +0100",
            text=f"Mara,\n\nAshdown shows INV-40490 as open, but we paid it on 15 October. Shall I send them the remittance?\n\nLaura\n\n-----Original Message-----\nFrom: Rachel Kim <accounts@ashdownpackaging.example>\nSent: 04 November 2026 09:00\nSubject: Statement of account - October\n\nOpen items: INV-40490 £1,904.00, INV-40533 £2,118.40.\nPayments to {ASHDOWN.account_shown}.\n\nRachel",
        ),
    )
    legit(
        "3-quotes/en-ashdown-forwards-production-note",
        "3",
        "Ashdown forwards an internal note from its production team about a delivery delay (no bank details)",
        from_partner(
            ASHDOWN,
            to=[PURCHASING],
            subject="FW: Corvane order - print plates",
            date="2026-11-06 11:00 +0000",
            text="Hi Felix,\n\nSee below from our production team - delivery moves to week 49, apologies.\n\nOliver\n\n-----Original Message-----\nFrom: Production Planning <planning@ashdownpackaging.example>\nSent: 06 November 2026 09:12\nTo: Oliver Pembridge\nSubject: Corvane order - print plates\n\nOliver, the new print plates arrive Monday; we can run the Corvane job in week 48 and deliver week 49.\n",
        ),
    )
    legit(
        "3-quotes/fr-roussel-reply-delivery-schedule",
        "3",
        "Roussel replies about a delivery schedule with an Outlook-style quote (no bank details)",
        from_partner(
            ROUSSEL,
            to=[PURCHASING],
            subject="RE: Planning de livraison",
            date="2026-11-09 10:30 +0100",
            in_reply_to="<d1e2f3@EXCH02.ad.corvane.example>",
            references=["<d1e2f3@EXCH02.ad.corvane.example>"],
            text="Bonjour Monsieur Hartmann,\n\nLa livraison est confirmée pour le 20 novembre.\n\nCordialement,\nÉlodie Marchand\n\nDe : Felix Hartmann <f.hartmann@corvane.example>\nEnvoyé : vendredi 6 novembre 2026 16:00\nObjet : Planning de livraison\n\nBonjour, pouvez-vous confirmer la date de livraison des carters ?\n",
        ),
    )
    legit(
        "3-quotes/es-alcazar-reply-damaged-pallet",
        "3",
        "Alcázar replies about a damaged pallet claim quoting our message (no bank details)",
        from_partner(
            ALCAZAR,
            to=[PURCHASING],
            subject="RE: Palet dañado entrega 12/11",
            date="2026-11-13 09:00 +0100",
            in_reply_to="<e2f3a4@EXCH02.ad.corvane.example>",
            references=["<e2f3a4@EXCH02.ad.corvane.example>"],
            text="Buenos días,\n\nHemos abierto la reclamación R-2026-311 con nuestra aseguradora.\n\nLucía\n\nDe: Felix Hartmann <f.hartmann@corvane.example>\nEnviado el: jueves, 12 de noviembre de 2026 17:40\nAsunto: Palet dañado entrega 12/11\n\nUn palet llegó con daños, adjunto fotos.\n",
        ),
    )
    legit(
        "3-quotes/pt-lusitania-reply-samples",
        "3",
        "Lusitânia replies about samples with a quoted earlier message (no bank details)",
        from_partner(
            LUSITANIA,
            to=[PURCHASING],
            subject="RE: Amostras cortiça 2 mm",
            date="2026-11-16 11:00 +0000",
            in_reply_to="<f3a4b5@EXCH02.ad.corvane.example>",
            references=["<f3a4b5@EXCH02.ad.corvane.example>"],
            text="Bom dia,\n\nAs amostras seguem hoje por correio expresso.\n\nInês\n\nDe: Felix Hartmann <f.hartmann@corvane.example>\nEnviada: sexta-feira, 13 de novembro de 2026 15:00\nAssunto: Amostras cortiça 2 mm\n\nPodem enviar amostras das juntas de 2 mm?\n",
        ),
    )
    legit(
        "3-quotes/it-bernardi-forward-transport-document",
        "3",
        "Bernardi forwards a transport document message from its warehouse (no bank details)",
        from_partner(
            BERNARDI,
            to=[PURCHASING],
            subject="I: DDT n. 1234 del 16/11",
            date="2026-11-16 15:00 +0100",
            text="Buongiorno,\n\nvi inoltro il DDT della spedizione di oggi.\n\nGiulia\n\n----- Messaggio inoltrato -----\nDa: Magazzino <magazzino@officinebernardi.example>\nOggetto: DDT n. 1234 del 16/11\n\nSpedizione: 150 flange, 2 colli, vettore Transportes Alcázar.\n",
        ),
    )
    legit(
        "3-quotes/en-ashdown-forwards-director-price-note",
        "3",
        "Ashdown forwards its director's note on a price increase under 'see below' (no bank details)",
        from_partner(
            ASHDOWN,
            ASHDOWN.contacts[1],
            to=[PURCHASING],
            subject="FW: Board price decision 2027",
            date="2026-11-17 10:00 +0000",
            text="Hi,\n\nPlease see below regarding our 2027 prices.\n\nRachel\n\n-----Original Message-----\nFrom: Oliver Pembridge <oliver.pembridge@ashdownpackaging.example>\nSent: 16 November 2026 17:00\nSubject: Board price decision 2027\n\nThe board approved a 4% increase on corrugated products from 1 January 2027. Please inform our customers.\n",
        ),
    )
    inner = (
        "From: Kessler Antriebstechnik <info@kessler-antriebe.example>\nTo: Kunden\nSubject: Betriebsferien 2026/2027\nDate: Mon, 16 Nov 2026 08:00:00 +0100\nMIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nSehr geehrte Kunden,\n\nunser Werk bleibt vom 23.12.2026 bis 06.01.2027 geschlossen. Bestellungen bis 11.12. werden noch 2026 ausgeliefert.\n\nIhr Kessler-Team\n"
    )
    legit(
        "3-quotes/de-kessler-attached-eml-holiday-circular",
        "3",
        "Kessler forwards its holiday-closure circular as an attached .eml (no bank details)",
        from_partner(
            KESSLER,
            KESSLER.contacts[1],
            to=[PURCHASING],
            subject="WG: Betriebsferien 2026/2027",
            date="2026-11-18 09:00 +0100",
            text="Hallo Herr Hartmann,\n\nzur Info unser Rundschreiben im Anhang.\n\nGruß\nMarkus Brandt",
            attachments=[
                Attachment("Betriebsferien 2026-2027.eml", inner.encode(), "message/rfc822")
            ],
        ),
    )
    legit(
        "3-quotes/en-prairie-apple-forward-tracking",
        "3",
        "Prairie Ridge forwards a shipment notice from its logistics team, Apple-Mail style (no bank details)",
        from_partner(
            PRAIRIE,
            to=[PURCHASING],
            subject="Fwd: Shipment 77812 tracking",
            date="2026-11-19 08:00 -0600",
            text="FYI - tracking below.\n\nSent from my iPhone\n\nBegin forwarded message:\n\nFrom: Prairie Ridge Shipping <shipping@prairieridge.example>\nDate: November 18, 2026 at 5:02:11 PM CST\nTo: Megan Holloway <mholloway@prairieridge.example>\nSubject: Shipment 77812 tracking\n\nShipment 77812 (PO 4500018870) left Chicago by air freight, AWB 125-55501234.\n",
        ),
    )
    _ = (Letterhead, make_iban)


def build() -> None:
    L1()
    L2()
    L3()
