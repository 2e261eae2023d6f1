"""The registry of the set and the ways a message reaches us: from a partner's own system
(or a compromised account there), spoofed, through someone else's relay, from free mail,
from a domain the attacker registered, from a colleague, an ESP or a list.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from _docs import Invoice
from _mail import OUR_DOMAIN, Addr, Attachment, Auth, Mail, b64id, domain_of, encode_subject
from _world import Contact, Partner

FREEMAIL_ROUTES = {"gmail.com": "gmail"}


@dataclass
class Entry:
    path: str  # relative to bench/redteam, without .eml
    cls: str  # attack | legit
    kind: str  # "1".."7" or "classic"
    deserved: str  # attacks: the level they deserve; legit: the highest acceptable
    why: str
    mail: Mail
    context: bool = False  # an earlier message of a thread, there to build the memory


ENTRIES: list[Entry] = []


def attack(path: str, kind: str, deserved: str, why: str, mail: Mail) -> None:
    ENTRIES.append(Entry(f"attack/{path}", "attack", kind, deserved, why, mail))


def legit(path: str, kind: str, why: str, mail: Mail, deserved: str = "info") -> None:
    ENTRIES.append(Entry(f"legit/{path}", "legit", kind, deserved, why, mail))


@dataclass
class Step:
    name: str
    mail: Mail
    why: str
    cls: str = "legit"  # the earlier messages are legitimate mail
    deserved: str = "info"
    context: bool = True


@dataclass
class Thread:
    """A conversation in its own folder (thread-*), scanned oldest first in one run."""

    cls: str
    kind: str
    folder: str
    steps: list[Step] = field(default_factory=list)

    def add(self, step: Step) -> Thread:
        self.steps.append(step)
        return self

    def done(self) -> None:
        for s in self.steps:
            ENTRIES.append(
                Entry(
                    f"{self.cls}/{self.folder}/{s.name}",
                    s.cls,
                    self.kind,
                    s.deserved,
                    s.why,
                    s.mail,
                    s.context,
                )
            )


def final(name: str, mail: Mail, why: str, cls: str, deserved: str) -> Step:
    return Step(name, mail, why, cls=cls, deserved=deserved, context=False)


# --- senders ----------------------------------------------------------------------------------

_M365_HEADERS = [
    "X-MS-Has-Attach: {attach}",
    "X-MS-TNEF-Correlator:",
    "Content-Language: {lang}",
    "X-MS-Exchange-Organization-AuthAs: Anonymous",
]

_LANG_TAG = {
    "de": "de-DE",
    "fr": "fr-FR",
    "es": "es-ES",
    "nl": "nl-NL",
    "it": "it-IT",
    "en": "en-GB",
    "pt": "pt-PT",
}


def _dress(m: Mail, route: str, lang: str) -> Mail:
    if route == "m365":
        attach = "yes" if m.attachments else ""
        topic = m.subject.split(":", 1)[-1].strip()
        m.headers_top = [
            "Thread-Topic: " + encode_subject(topic),
            "Thread-Index: AQH" + b64id(m.subject + m.date, 26),
            *[
                h.format(attach=attach, lang=_LANG_TAG.get(lang, "en-US")).rstrip()
                for h in _M365_HEADERS
            ],
            *m.headers_top,
        ]
    elif route == "own" and not m.mailer:
        m.mailer = "Microsoft Outlook 16.0"
    elif route == "gws" and not m.mailer:
        pass
    return m


def from_partner(
    p: Partner, c: Contact | None = None, *, sender_addr: Addr | None = None, **kw: object
) -> Mail:
    """Mail the partner's own system sent and signed: the partner, or an account there an
    attacker took over. Our boundary finds SPF, DKIM and DMARC passing for its domain."""
    frm = sender_addr or (c or p.c).addr
    dom = domain_of(frm[1])
    route = str(kw.pop("route", p.route))
    auth = kw.pop("auth", None) or Auth(dkim_domain=dom, spf_domain=dom, policy=p.policy)
    m = Mail(frm=frm, route=route, auth=auth, **kw)  # type: ignore[arg-type]
    return _dress(m, route, p.lang)


def spoofed(
    frm: Addr, policy: str = "none", spf: str = "softfail", envelope: str = "", **kw: object
) -> Mail:
    """Sent straight to our boundary from a rented server with someone else's From line."""
    dom = domain_of(frm[1])
    auth = Auth(spf=spf, spf_domain=envelope or dom, dkim="none", dmarc="fail", policy=policy)
    return Mail(frm=frm, route="spoof", auth=auth, **kw)  # type: ignore[arg-type]


def via_relay(
    frm: Addr, relay_account: str, relay_host: str, policy: str = "none", **kw: object
) -> Mail:
    """The seed's path: a third party's badly configured webmail relays a forged From."""
    dom = domain_of(frm[1])
    auth = Auth(
        spf="pass", spf_domain=domain_of(relay_account), dkim="none", dmarc="fail", policy=policy
    )
    auth.from_domain = dom
    m = Mail(
        frm=frm, route="relay", auth=auth, relay_account=relay_account, relay_host=relay_host, **kw
    )  # type: ignore[arg-type]
    m.raw_headers = [f"X-Auth-ID: {relay_account}", *m.raw_headers]
    if not m.message_id:
        from _mail import hexid

        m.message_id = f"<{hexid(m.subject + m.date + relay_account, 32)}@webmail.{relay_host}>"
    return m


def free(frm: Addr, **kw: object) -> Mail:
    """From a free-mail mailbox: authenticated, for the provider's domain."""
    dom = domain_of(frm[1])
    route = "gmail" if dom == "gmail.com" else "freemail"
    policy = {"gmail.com": "none", "outlook.com": "none", "yahoo.com": "reject"}.get(dom, "none")
    auth = Auth(dkim_domain=dom, spf_domain=dom, policy=policy)
    return Mail(frm=frm, route=route, auth=auth, **kw)  # type: ignore[arg-type]


def own_domain(frm: Addr, policy: str = "none", route: str = "own", **kw: object) -> Mail:
    """From a domain its sender registered and set up properly: everything passes."""
    dom = domain_of(frm[1])
    auth = Auth(dkim_domain=dom, spf_domain=dom, policy=policy)
    m = Mail(frm=frm, route=route, auth=auth, **kw)  # type: ignore[arg-type]
    if route == "own" and not m.mailer:
        m.mailer = "Microsoft Outlook 16.0"
    return m


def internal(frm: Addr, **kw: object) -> Mail:
    """A colleague's message inside our own organisation."""
    auth = Auth(dkim_domain=OUR_DOMAIN, spf_domain=OUR_DOMAIN, policy="reject", ip="10.1.2.12")
    m = Mail(frm=frm, route="internal", auth=auth, **kw)  # type: ignore[arg-type]
    m.headers_top = [
        "X-MS-Exchange-Organization-AuthSource: EXCH02.ad.corvane.example",
        "X-MS-Exchange-Organization-AuthAs: Internal",
        ("X-MS-Has-Attach: yes" if m.attachments else "X-MS-Has-Attach:"),
        "Content-Language: de-DE",
        *m.headers_top,
    ]
    if not m.message_id:
        from _mail import hexid

        m.message_id = f"<{hexid(m.subject + m.date, 32)}@EXCH02.ad.{OUR_DOMAIN}>"
    return m


def esp(frm: Addr, esp_domain: str = "sendwave.example", **kw: object) -> Mail:
    """A newsletter sent by an e-mail service provider, signed for the brand and the ESP."""
    dom = domain_of(frm[1])
    auth = Auth(
        dkim_domain=dom, extra_dkim=[esp_domain], spf_domain=f"em.{dom}", policy="quarantine"
    )
    return Mail(frm=frm, route="esp", auth=auth, **kw)  # type: ignore[arg-type]


# --- attachments ------------------------------------------------------------------------------


def pdf(name: str, data: bytes, octet: bool = False) -> Attachment:
    return Attachment(name, data, "application/octet-stream" if octet else "application/pdf")


def docx(name: str, data: bytes) -> Attachment:
    return Attachment(
        name, data, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )


def image(name: str, data: bytes, cid: str = "") -> Attachment:
    mime = "image/jpeg" if name.lower().endswith((".jpg", ".jpeg")) else "image/png"
    return Attachment(name, data, mime, inline_cid=cid)


# --- invoices in the partner's language ---------------------------------------------------------

LABELS = {
    "de": (
        "Rechnung",
        "Rechnungsnummer",
        "Datum",
        ["Pos.", "Beschreibung", "Menge", "Einzelpreis", "Betrag"],
        ("Nettobetrag", "USt. (Reverse Charge)", "Gesamtbetrag"),
        "Zahlbar innerhalb von 30 Tagen ohne Abzug.",
        "Bankverbindung",
    ),
    "en": (
        "Invoice",
        "Invoice no.",
        "Date",
        ["Item", "Description", "Qty", "Unit price", "Amount"],
        ("Subtotal", "VAT (reverse charge)", "Total due"),
        "Payment terms: 30 days net.",
        "Bank details",
    ),
    "us": (
        "Invoice",
        "Invoice #",
        "Date",
        ["Item", "Description", "Qty", "Unit price", "Amount"],
        ("Subtotal", "Freight", "Total due (USD)"),
        "Terms: Net 30.",
        "Remit to",
    ),
    "fr": (
        "Facture",
        "N° de facture",
        "Date",
        ["Réf.", "Désignation", "Qté", "PU HT", "Montant HT"],
        ("Total HT", "TVA (autoliquidation)", "Net à payer"),
        "Règlement par virement à 30 jours date de facture.",
        "Coordonnées bancaires",
    ),
    "es": (
        "Factura",
        "Nº factura",
        "Fecha",
        ["Ref.", "Concepto", "Cant.", "Precio", "Importe"],
        ("Base imponible", "IVA (inversión sujeto pasivo)", "Total factura"),
        "Forma de pago: transferencia bancaria a 30 días.",
        "Datos bancarios",
    ),
    "nl": (
        "Factuur",
        "Factuurnummer",
        "Datum",
        ["Art.", "Omschrijving", "Aantal", "Prijs", "Bedrag"],
        ("Subtotaal", "Btw verlegd", "Totaal"),
        "Betaling binnen 30 dagen na factuurdatum.",
        "Bankgegevens",
    ),
    "it": (
        "Fattura",
        "Fattura n.",
        "Data",
        ["Cod.", "Descrizione", "Q.tà", "Prezzo", "Importo"],
        ("Imponibile", "IVA (inversione contabile)", "Totale documento"),
        "Pagamento: bonifico bancario a 30 gg data fattura.",
        "Coordinate bancarie",
    ),
    "pt": (
        "Fatura",
        "Fatura n.º",
        "Data",
        ["Ref.", "Descrição", "Qtd.", "Preço", "Valor"],
        ("Subtotal", "IVA (autoliquidação)", "Total"),
        "Pagamento por transferência bancária a 30 dias.",
        "Dados bancários",
    ),
}

ITEMS = {
    "kessler": [
        ["1", "Getriebemotor KA-40, 0,75 kW", "12", "418,00", "5.016,00"],
        ["2", "Frequenzumrichter FU-2", "12", "236,50", "2.838,00"],
    ],
    "roussel": [
        ["R-118", "Carter usiné aluminium 6082", "40", "86,40", "3 456,00"],
        ["R-204", "Traitement de surface anodisé", "40", "12,10", "484,00"],
    ],
    "alcazar": [
        ["T-01", "Transporte completo Coslada – Stuttgart", "2", "1.980,00", "3.960,00"],
        ["T-09", "Recargo combustible", "2", "118,80", "237,60"],
    ],
    "vandermeer": [
        ["VP-310", "Kartonnen dozen 400x300x200, bedrukt", "2.400", "0,94", "2.256,00"],
        ["VP-022", "Schuimprofielen op maat", "600", "1,35", "810,00"],
    ],
    "bernardi": [
        ["OB-77", "Flangia tornita acciaio C45", "150", "21,60", "3.240,00"],
        ["OB-12", "Rettifica alberi", "150", "7,80", "1.170,00"],
    ],
    "ashdown": [
        ["AP-500", "Printed corrugated shipper, 5-ply", "1,800", "1.42", "2,556.00"],
        ["AP-050", "Pallet wrap and corner boards", "40", "18.50", "740.00"],
    ],
    "prairie": [
        ["PR-2231", "Machined brass fitting 3/8 NPT", "2,500", "1.86", "4,650.00"],
        ["PR-0410", "Anodized enclosure, black", "300", "14.20", "4,260.00"],
    ],
    "lusitania": [
        ["CL-12", "Juntas de cortiça aglomerada 3 mm", "5.000", "0,38", "1.900,00"],
        ["CL-40", "Placas de cortiça técnica 600x400", "400", "4,90", "1.960,00"],
    ],
}

TOTALS = {
    "kessler": ("7.854,00 €", "0,00 €", "7.854,00 €"),
    "roussel": ("3 940,00 €", "0,00 €", "3 940,00 €"),
    "alcazar": ("4.197,60 €", "0,00 €", "4.197,60 €"),
    "vandermeer": ("€ 3.066,00", "€ 0,00", "€ 3.066,00"),
    "bernardi": ("4.410,00 €", "0,00 €", "4.410,00 €"),
    "ashdown": ("£3,296.00", "£0.00", "£3,296.00"),
    "prairie": ("$8,910.00", "$412.00", "$9,322.00"),
    "lusitania": ("3.860,00 €", "0,00 €", "3.860,00 €"),
}


def invoice(
    p: Partner,
    number: str,
    date: str,
    bank_lines: list[str],
    notes_before: list[str] | None = None,
    notes_after: list[str] | None = None,
    lang: str | None = None,
) -> Invoice:
    lang = lang or ("us" if p.key == "prairie" else p.lang)
    title, nlabel, dlabel, cols, tlabels, terms, _ = LABELS[lang]
    totals = TOTALS[p.key]
    return Invoice(
        title=title,
        number_label=nlabel,
        number=number,
        date_label=dlabel,
        date=date,
        to_lines=[
            "Corvane Instruments GmbH",
            "Kreditorenbuchhaltung",
            "Industriestraße 14",
            "70565 Stuttgart",
            "Deutschland",
        ],
        columns=cols,
        rows=ITEMS[p.key],
        totals=list(zip(tlabels, totals, strict=True)),
        notes=[*(notes_before or []), terms, *(notes_after or [])],
        bank_block=bank_lines,
    )


def bank_lines(p: Partner, iban: str, bic: str, bank: str, lang: str | None = None) -> list[str]:
    from _mail import spaced

    lang = lang or p.lang
    head = LABELS["us" if p.key == "prairie" else lang][6]
    return [f"{head}: {p.org}", f"{bank}", f"IBAN: {spaced(iban)}", f"BIC: {bic}"]
