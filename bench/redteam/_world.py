"""The invented world of the red-team set: our organisation (Corvane Instruments GmbH,
corvane.example, boundary mx.corvane.example), its staff, and eight suppliers with their
contacts, domains, accounts on file and signatures. partners.csv is written from here.
"""

# The messages are data: their text is kept on one line per sentence or header, as written.
# ruff: noqa: E501

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from _docs import Letterhead
from _mail import OUR_DOMAIN, Addr

OUR_ORG = "Corvane Instruments GmbH"

# our people
AP: Addr = ("Corvane Kreditorenbuchhaltung", f"kreditoren@{OUR_DOMAIN}")
AP_EN: Addr = ("Corvane Accounts Payable", f"ap@{OUR_DOMAIN}")
MARA: Addr = ("Mara Lindqvist", f"m.lindqvist@{OUR_DOMAIN}")
TOBIAS: Addr = ("Tobias Renner", f"t.renner@{OUR_DOMAIN}")
LAURA: Addr = ("Laura Jensen", f"l.jensen@{OUR_DOMAIN}")
FELIX: Addr = ("Felix Hartmann", f"f.hartmann@{OUR_DOMAIN}")
SECURITY: Addr = ("IT-Sicherheit", f"it-security@{OUR_DOMAIN}")
PURCHASING: Addr = ("Corvane Einkauf", f"einkauf@{OUR_DOMAIN}")

OUR_SIGNATURE_DE = """Mit freundlichen Grüßen

{name}
{role}

Corvane Instruments GmbH
Industriestraße 14 · 70565 Stuttgart
Tel. +49 711 555 0300 · www.corvane.example"""

OUR_SIGNATURE_EN = """Kind regards,

{name}
{role}
Corvane Instruments GmbH | Industriestrasse 14 | 70565 Stuttgart | Germany
+49 711 555 0300 | www.corvane.example"""


@dataclass
class Contact:
    name: str
    email: str
    phone: str
    role: str

    @property
    def addr(self) -> Addr:
        return (self.name, self.email)


@dataclass
class Partner:
    key: str
    org: str
    domains: list[str]
    contacts: list[Contact]
    account: str  # the account on file, as the directory writes it
    account_shown: str  # as the partner prints it
    bic: str
    bank: str
    route: str  # how its mail reaches us
    lang: str
    street: str
    city: str
    country: str
    web: str
    register: str
    require_auth: str = ""
    policy: str = "reject"  # its DMARC policy
    extra_csv_rows: list[tuple[str, str]] = field(default_factory=list)

    @property
    def domain(self) -> str:
        return self.domains[0]

    @property
    def c(self) -> Contact:
        return self.contacts[0]

    def letterhead(self) -> Letterhead:
        return Letterhead(
            self.org,
            [f"{self.street} · {self.city} · {self.country}", f"Tel. {self.c.phone} · {self.web}"],
            [
                self.register,
                f"{self.bank} · IBAN {self.account_shown} · BIC {self.bic}"
                if self.account_shown.startswith(("DE", "FR", "ES", "NL", "IT", "PT", "GB"))
                else f"{self.bank} · {self.account_shown}",
            ],
        )


KESSLER = Partner(
    key="kessler",
    org="Kessler Antriebstechnik GmbH",
    domains=["kessler-antriebe.example", "kessler-gruppe.example"],
    contacts=[
        Contact(
            "Jana Vogt",
            "j.vogt@kessler-antriebe.example",
            "+49 711 555 0142",
            "Buchhaltung / Debitoren",
        ),
        Contact(
            "Markus Brandt",
            "m.brandt@kessler-antriebe.example",
            "+49 711 555 0150",
            "Vertriebsinnendienst",
        ),
    ],
    account="DE89370400440532013000",
    account_shown="DE89 3704 0044 0532 0130 00",
    bic="COBADEFFXXX",
    bank="Commerzbank Stuttgart",
    route="own",
    lang="de",
    street="Gottlieb-Daimler-Straße 21",
    city="71263 Weil der Stadt",
    country="Deutschland",
    web="www.kessler-antriebe.example",
    register="Amtsgericht Stuttgart HRB 731204 · Geschäftsführer: Rolf Kessler · USt-IdNr. DE812345671",
    require_auth="dkim;dmarc",
    policy="none",
)

ROUSSEL = Partner(
    key="roussel",
    org="Ateliers Roussel SAS",
    domains=["roussel-ateliers.example"],
    contacts=[
        Contact(
            "Élodie Marchand",
            "e.marchand@roussel-ateliers.example",
            "+33 4 72 55 01 23",
            "Service comptabilité clients",
        )
    ],
    account="FR1420041010050500013M02606",
    account_shown="FR14 2004 1010 0505 0001 3M02 606",
    bic="PSSTFRPPLYO",
    bank="La Banque Postale",
    route="m365",
    lang="fr",
    street="12 rue des Tanneurs",
    city="69007 Lyon",
    country="France",
    web="www.roussel-ateliers.example",
    register="SAS au capital de 250 000 € · RCS Lyon 812 345 678 · TVA FR40812345678",
    policy="quarantine",
)

ALCAZAR = Partner(
    key="alcazar",
    org="Transportes Alcázar S.L.",
    domains=["transportes-alcazar.example"],
    contacts=[
        Contact(
            "Lucía Ferrer",
            "lferrer@transportes-alcazar.example",
            "+34 91 555 01 78",
            "Administración y facturación",
        )
    ],
    account="ES9121000418450200051332",
    account_shown="ES91 2100 0418 4502 0005 1332",
    bic="CAIXESBBXXX",
    bank="CaixaBank",
    route="gws",
    lang="es",
    street="Calle de la Industria 48",
    city="28823 Coslada (Madrid)",
    country="España",
    web="www.transportes-alcazar.example",
    register="CIF B-12345674 · Registro Mercantil de Madrid, Tomo 31.204, Folio 18, Hoja M-561.234",
    policy="none",
)

VANDERMEER = Partner(
    key="vandermeer",
    org="Van der Meer Verpakkingen B.V.",
    domains=["vandermeer-verpakkingen.example", "vdmeer.example"],
    contacts=[
        Contact(
            "Sanne de Wit",
            "s.dewit@vandermeer-verpakkingen.example",
            "+31 20 555 0190",
            "Financiële administratie",
        ),
        Contact(
            "Pieter Bakker",
            "p.bakker@vandermeer-verpakkingen.example",
            "+31 20 555 0191",
            "Credit management",
        ),
    ],
    account="NL91ABNA0417164300",
    account_shown="NL91 ABNA 0417 1643 00",
    bic="ABNANL2A",
    bank="ABN AMRO",
    route="m365",
    lang="nl",
    street="Havenweg 7",
    city="1506 PA Zaandam",
    country="Nederland",
    web="www.vandermeer-verpakkingen.example",
    register="KvK 34123456 · btw NL812345678B01",
    policy="none",
)

BERNARDI = Partner(
    key="bernardi",
    org="Officine Bernardi S.r.l.",
    domains=["officinebernardi.example"],
    contacts=[
        Contact(
            "Giulia Conti",
            "g.conti@officinebernardi.example",
            "+39 02 5550 1466",
            "Amministrazione",
        )
    ],
    account="IT60X0542811101000000123456",
    account_shown="IT60 X054 2811 1010 0000 0123 456",
    bic="BLOPIT22",
    bank="Banca Popolare di Bergamo",
    route="own",
    lang="it",
    street="Via dei Mille 33",
    city="20099 Sesto San Giovanni (MI)",
    country="Italia",
    web="www.officinebernardi.example",
    register="P.IVA IT01234560157 · REA MI-1234567 · Cap. soc. € 100.000 i.v.",
    policy="none",
)

ASHDOWN = Partner(
    key="ashdown",
    org="Ashdown Packaging Ltd",
    domains=["ashdownpackaging.example"],
    contacts=[
        Contact(
            "Oliver Pembridge",
            "oliver.pembridge@ashdownpackaging.example",
            "+44 20 7946 0832",
            "Commercial Director",
        ),
        Contact(
            "Rachel Kim", "accounts@ashdownpackaging.example", "+44 20 7946 0833", "Credit Control"
        ),
    ],
    account="GB82WEST12345698765432",
    account_shown="GB82 WEST 1234 5698 7654 32",
    bic="WESTGB2L",
    bank="Westbury Bank plc",
    route="m365",
    lang="en",
    street="Unit 4, Ashdown Business Park",
    city="Crowborough TN6 2XX",
    country="United Kingdom",
    web="www.ashdownpackaging.example",
    register="Registered in England and Wales No. 04123456 · VAT GB 123 4567 89",
    policy="none",
)

PRAIRIE = Partner(
    key="prairie",
    org="Prairie Ridge Components Inc.",
    domains=["prairieridge.example"],
    contacts=[
        Contact(
            "Megan Holloway",
            "mholloway@prairieridge.example",
            "+1 312 555 0188",
            "Accounts Receivable Manager",
        )
    ],
    account="021000021/4471902385",
    account_shown="ABA 021000021 · Acct 4471902385",
    bic="CHASUS33",
    bank="First Lakeshore Bank, Chicago IL",
    route="gws",
    lang="en",
    street="2200 W Fulton Market, Suite 410",
    city="Chicago, IL 60612",
    country="USA",
    web="www.prairieridge.example",
    register="Prairie Ridge Components Inc. · EIN 36-1234567",
    policy="quarantine",
)

LUSITANIA = Partner(
    key="lusitania",
    org="Cortiças Lusitânia Lda",
    domains=["corticas-lusitania.example"],
    contacts=[
        Contact(
            "Inês Carvalho",
            "i.carvalho@corticas-lusitania.example",
            "+351 21 555 0134",
            "Departamento Financeiro",
        )
    ],
    account="PT50000201231234567890154",
    account_shown="PT50 0002 0123 1234 5678 9015 4",
    bic="CGDIPTPL",
    bank="Caixa Geral de Depósitos",
    route="own",
    lang="pt",
    street="Rua da Cortiça 115",
    city="4535-012 Santa Maria de Lamas",
    country="Portugal",
    web="www.corticas-lusitania.example",
    register="NIPC 501234567 · Capital social 50.000 € · C.R.C. Santa Maria da Feira",
    policy="none",
)

PARTNERS = [KESSLER, ROUSSEL, ALCAZAR, VANDERMEER, BERNARDI, ASHDOWN, PRAIRIE, LUSITANIA]


def partners_csv() -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(
        [
            "organization",
            "domain",
            "contact_name",
            "contact_email",
            "contact_phone",
            "bank_accounts",
            "require_auth",
        ]
    )
    for p in PARTNERS:
        for i, c in enumerate(p.contacts):
            w.writerow(
                [
                    p.org,
                    ";".join(p.domains),
                    c.name,
                    c.email,
                    c.phone,
                    p.account if i == 0 else "",
                    p.require_auth if i == 0 else "",
                ]
            )
    return out.getvalue()


SIGNATURES = {
    "kessler": """Mit freundlichen Grüßen

{name}
{role}

Kessler Antriebstechnik GmbH
Gottlieb-Daimler-Straße 21 · 71263 Weil der Stadt
Tel. {phone} · www.kessler-antriebe.example
Amtsgericht Stuttgart HRB 731204 · Geschäftsführer: Rolf Kessler""",
    "roussel": """Cordialement,

{name}
{role}
Ateliers Roussel SAS
12 rue des Tanneurs – 69007 Lyon
Tél. : {phone}
www.roussel-ateliers.example""",
    "alcazar": """Un saludo,

{name}
{role}
Transportes Alcázar S.L.
Calle de la Industria 48 · 28823 Coslada (Madrid)
Tel. {phone} · www.transportes-alcazar.example""",
    "vandermeer": """Met vriendelijke groet,

{name}
{role}

Van der Meer Verpakkingen B.V.
Havenweg 7 | 1506 PA Zaandam
T {phone} | www.vandermeer-verpakkingen.example""",
    "bernardi": """Cordiali saluti

{name}
{role}
Officine Bernardi S.r.l.
Via dei Mille 33 – 20099 Sesto San Giovanni (MI)
Tel. {phone} – www.officinebernardi.example""",
    "ashdown": """Kind regards,

{name}
{role}
Ashdown Packaging Ltd
Unit 4, Ashdown Business Park, Crowborough TN6 2XX
T: {phone}  W: www.ashdownpackaging.example

Registered in England and Wales No. 04123456""",
    "prairie": """Thanks,

{name}
{role}
Prairie Ridge Components Inc.
2200 W Fulton Market, Suite 410, Chicago, IL 60612
Direct: {phone}""",
    "lusitania": """Com os melhores cumprimentos,

{name}
{role}
Cortiças Lusitânia Lda
Rua da Cortiça 115 · 4535-012 Santa Maria de Lamas
Tel. {phone} · www.corticas-lusitania.example""",
}


def sig(p: Partner, c: Contact | None = None, phone: str | None = None) -> str:
    c = c or p.c
    return SIGNATURES[p.key].format(name=c.name, role=c.role, phone=phone or c.phone)
