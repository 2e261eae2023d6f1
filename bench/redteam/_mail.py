"""Building blocks of the red-team set: deterministic ids, bank identifiers, the way each
kind of sender's mail reaches our boundary (trace and authentication headers), and the
MIME body.

Everything here is invented: organisations under .example and .test, documentation IP
ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32), test IBANs or
IBANs made up with valid check digits. Free-mail provider domains are the real ones,
because the threat depends on them; the mailboxes at them are invented.
"""

# Header templates are kept one line each, as they appear in a message.
# ruff: noqa: E501

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from stdnum import iban as stdnum_iban

OUR_DOMAIN = "corvane.example"
BOUNDARY = "mx.corvane.example"
MAILSTORE = "mbox01.corvane.example"


# --- deterministic pseudo-random values --------------------------------------------------


def digest(label: str) -> bytes:
    return hashlib.sha256(label.encode()).digest()


def hexid(label: str, n: int = 12) -> str:
    return hashlib.sha256(label.encode()).hexdigest()[:n]


def b64id(label: str, n: int = 20) -> str:
    raw = base64.b64encode(digest(label) + digest(label + "+")).decode()
    return raw.replace("/", "x").replace("+", "Q")[:n]


def num(label: str, lo: int, hi: int) -> int:
    return lo + int.from_bytes(digest(label)[:6], "big") % (hi - lo + 1)


def digits(label: str, n: int) -> str:
    out = ""
    i = 0
    while len(out) < n:
        out += str(int.from_bytes(digest(f"{label}/{i}")[:8], "big"))
        i += 1
    return out[:n]


# --- bank identifiers --------------------------------------------------------------------


def iban_check(cc: str, bban: str) -> str:
    """The IBAN for ``bban`` in country ``cc``, with its mod-97 check digits."""
    moved = bban + cc + "00"
    as_digits = "".join(str(int(ch, 36)) for ch in moved)
    check = 98 - int(as_digits) % 97
    return f"{cc}{check:02d}{bban}"


_BBAN_LENGTH = {
    "DE": 18,
    "FR": 23,
    "ES": 20,
    "NL": 14,
    "IT": 23,
    "PT": 21,
    "GB": 18,
    "LT": 16,
    "BE": 12,
    "PL": 24,
    "AT": 16,
    "IE": 18,
}


def make_iban(cc: str, label: str, bank: str = "") -> str:
    """A made-up IBAN of country ``cc`` that passes the national and mod-97 checks.

    ``bank`` fixes the start of the BBAN (``NL``, ``GB`` and ``IE`` need four letters
    first); the rest is digits derived from ``label``. Italian IBANs get their CIN letter
    found by trying each.
    """
    total = _BBAN_LENGTH[cc]
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if cc == "IT" and not bank else ""
    for attempt in range(5000):
        for letter in letters or " ":
            head = bank if bank else letter.strip()
            bban = head + digits(f"{label}#{attempt}", total - len(head))
            candidate = iban_check(cc, bban)
            if stdnum_iban.is_valid(candidate):
                return candidate
    raise ValueError(f"no valid IBAN for {cc} {label}")


def spaced(iban: str) -> str:
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def aba_routing(label: str) -> str:
    """A 9-digit ABA routing number whose check digit holds."""
    for attempt in range(1000):
        d = [int(c) for c in digits(f"{label}#{attempt}", 8)]
        d[0] = 0
        d[1] = 1 + d[1] % 2  # 01.. or 02.. : Federal Reserve districts 1-2
        partial = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5])
        check = (-partial) % 10
        return "".join(map(str, d)) + str(check)
    raise ValueError(label)


# --- dates -------------------------------------------------------------------------------


def when(text: str) -> datetime:
    """``2026-11-03 09:13 +0100`` (seconds optional)."""
    for fmt in ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M %z"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise ValueError(text)


def rfc_date(dt: datetime) -> str:
    return format_datetime(dt)


# --- authentication results our boundary writes -------------------------------------------


@dataclass
class Auth:
    """What our boundary (mx.corvane.example) found, as it writes Authentication-Results."""

    spf: str = "pass"  # pass fail softfail neutral none
    spf_domain: str = ""  # envelope domain (defaults to From domain)
    ip: str = "198.51.100.10"
    dkim: str = "pass"  # pass fail none
    dkim_domain: str = ""  # d= of the signature (defaults to From domain)
    extra_dkim: list[str] = field(default_factory=list)  # further passing d= domains
    dmarc: str = "pass"  # pass fail none
    policy: str = "reject"  # the From domain's published p=
    from_domain: str = ""
    arc: str = ""  # "" (none written), pass, fail

    def header(self, label: str) -> str:
        fd = self.from_domain
        sd = self.spf_domain or fd
        parts = [BOUNDARY]
        if self.arc:
            parts.append(f"arc={self.arc} (i=1 spf=pass dkim=pass dkdomain={sd})")
        if self.dkim == "none":
            parts.append("dkim=none (message not signed)")
        else:
            dd = self.dkim_domain or fd
            bval = b64id(label + "dkimb", 8)
            note = (
                "(2048-bit key; unprotected)"
                if self.dkim == "pass"
                else "(signature verification failed)"
            )
            parts.append(f"dkim={self.dkim} {note} header.d={dd} header.i=@{dd} header.b={bval}")
        for d in self.extra_dkim:
            parts.append(
                f"dkim=pass (2048-bit key) header.d={d} header.i=@{d} header.b={b64id(label + d, 8)}"
            )
        verb = {
            "pass": f"domain of {sd} designates {self.ip} as permitted sender",
            "fail": f"domain of {sd} does not designate {self.ip} as permitted sender",
            "softfail": f"domain of transitioning {sd} does not designate {self.ip} as permitted sender",
            "neutral": f"{self.ip} is neither permitted nor denied by domain of {sd}",
            "none": f"domain of {sd} does not designate permitted sender hosts",
        }[self.spf]
        parts.append(f"spf={self.spf} ({BOUNDARY}: {verb}) smtp.mailfrom={sd}")
        if self.dmarc == "none":
            parts.append(f"dmarc=none (p=NONE sp=NONE dis=NONE) header.from={fd}")
        else:
            pol = self.policy.upper()
            dis = "NONE" if self.dmarc == "pass" or pol == "NONE" else pol
            parts.append(f"dmarc={self.dmarc} (p={pol} sp={pol} dis={dis}) header.from={fd}")
        return fold("Authentication-Results", ";\n\t".join(parts))


def fold(name: str, value: str) -> str:
    return f"{name}: {value}"


def dkim_signature(domain: str, selector: str, label: str, headers: str) -> str:
    bh = base64.b64encode(digest(label + "bh")).decode()
    b = base64.b64encode(
        digest(label + "b1") + digest(label + "b2") + digest(label + "b3")
    ).decode()
    b = b + base64.b64encode(digest(label + "b4") * 3).decode()
    lines = [
        f"v=1; a=rsa-sha256; c=relaxed/relaxed; d={domain};",
        f"\ts={selector}; t={num(label + 't', 1790000000, 1799000000)};",
        f"\th={headers};",
        f"\tbh={bh};",
        f"\tb={b[:70]}",
        f"\t {b[70:140]}",
        f"\t {b[140:172]}",
    ]
    return "DKIM-Signature: " + "\n".join(lines)


# --- addresses ---------------------------------------------------------------------------


Addr = tuple[str, str]  # (display name, address)


def addr(a: Addr) -> str:
    name, email = a
    if not name:
        return email
    return formataddr((name, email), charset="utf-8")


def addr_list(items: list[Addr]) -> str:
    return ",\n\t".join(addr(a) for a in items)


def domain_of(email: str) -> str:
    return email.rsplit("@", 1)[1].lower()


# --- the message -------------------------------------------------------------------------


@dataclass
class Attachment:
    filename: str
    data: bytes
    mime: str  # e.g. application/pdf
    inline_cid: str = ""  # set: an inline part referenced by the HTML


@dataclass
class Mail:
    """One message as a sender wrote it and our boundary received it."""

    frm: Addr
    to: list[Addr]
    subject: str
    date: str
    text: str | None = None
    html: str | None = None
    cc: list[Addr] = field(default_factory=list)
    reply_to: list[Addr] = field(default_factory=list)
    sender: Addr | None = None
    attachments: list[Attachment] = field(default_factory=list)
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    message_id: str = ""
    route: str = "own"  # see trace()
    auth: Auth | None = None  # None: our boundary wrote no Authentication-Results
    headers_top: list[str] = field(default_factory=list)  # written by the sender, after From etc.
    raw_headers: list[str] = field(default_factory=list)  # sender-written, among the trace
    mailer: str = ""
    relay_account: str = ""  # route "relay": the account that logged in to the relay
    relay_host: str = ""
    helo: str = ""
    ip: str = ""
    text_cte: str = "quoted-printable"
    extra_trace: list[str] = field(default_factory=list)
    rcpt: str = ""  # the mailbox it was delivered to (default: the first To)
    from_raw: str = ""  # the From header's value exactly as written (else built from frm)


def _received(frm_host: str, ip: str, by: str, how: str, rid: str, rcpt: str, dt: datetime) -> str:
    return (
        f"Received: from {frm_host} ({frm_host} [{ip}])\n"
        f"\tby {by} {how} id {rid}\n"
        f"\tfor <{rcpt}>; {rfc_date(dt)}"
    )


def trace(m: Mail, label: str) -> list[str]:
    """Return-Path, Received chain and our Authentication-Results, newest first."""
    dt = when(m.date)
    from_email = m.frm[1]
    fdom = domain_of(from_email)
    rcpt = m.rcpt or (m.to or [("", "ap@" + OUR_DOMAIN)])[0][1]
    envelope = from_email
    lines: list[str] = []
    hops: list[str] = []
    t_in = dt + timedelta(seconds=num(label + "d1", 2, 9))
    t_store = t_in + timedelta(seconds=1)
    ip = m.ip or f"198.51.100.{num(label + 'ip', 20, 250)}"
    route = m.route
    if not m.ip:
        if route == "m365":
            ip = f"2001:db8:f403:{num(label, 1000, 9999)}::{num(label + 'x', 100, 799)}"
        elif route in ("gws", "gmail"):
            ip = f"203.0.113.{num(label + 'g', 1, 120)}"
        elif route == "spoof":
            ip = f"203.0.113.{num(label + 'sp', 130, 250)}"
        elif route == "internal":
            ip = "10.1.2.12"
    if m.auth is not None:
        m.auth.ip = ip
    if route == "own":
        host = m.helo or f"mail.{fdom}"
        hops.append(
            _received(
                host,
                ip,
                BOUNDARY,
                "(Postfix) with ESMTPS",
                hexid(label + "q", 10).upper(),
                rcpt,
                t_in,
            )
        )
        hops.append(
            f"Received: from [10.{num(label, 1, 40)}.{num(label + 'b', 1, 250)}.{num(label + 'c', 2, 250)}]"
            f" (unknown [10.{num(label, 1, 40)}.{num(label + 'b', 1, 250)}.{num(label + 'c', 2, 250)}])\n"
            f"\t(Authenticated sender: {m.relay_account or from_email})\n"
            f"\tby {host} (Postfix) with ESMTPSA id {hexid(label + 'r', 10).upper()};\n"
            f"\t{rfc_date(dt + timedelta(seconds=1))}"
        )
    elif route == "m365":
        edge = f"mail-{['am7', 'db8', 'vi1', 'he1', 'pa4'][num(label, 0, 4)]}eur0{num(label + 'e', 1, 5)}on2{num(label + 'n', 100, 199)}.outbound.protection.outlook.com"
        host = m.helo or edge
        tenant = f"{['AM9PR03', 'DB9PR08', 'PAXPR04', 'VI1PR07'][num(label + 't', 0, 3)]}MB{num(label + 'm', 1000, 9999)}"
        hops.append(
            _received(
                host,
                ip,
                BOUNDARY,
                "(Postfix) with ESMTPS",
                hexid(label + "q", 10).upper(),
                rcpt,
                t_in,
            )
        )
        hops.append(
            f"Received: from {tenant}.eurprd03.prod.outlook.com (2603:10a6:20b:{hexid(label + 'v6', 3)}::{num(label, 10, 99)})\n"
            f"\tby {tenant}.eurprd03.prod.outlook.com (2603:10a6:20b:{hexid(label + 'v6', 3)}::{num(label, 10, 99)}) with\n"
            f"\tMicrosoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id\n"
            f"\t15.20.{num(label + 'ver', 7000, 8999)}.{num(label + 'ver2', 10, 40)}; {rfc_date(dt + timedelta(seconds=1))}"
        )
        if not m.message_id:
            m.message_id = (
                f"<{tenant}{hexid(label + 'mid', 24).upper()}@{tenant}.eurprd03.prod.outlook.com>"
            )
    elif route in ("gws", "gmail"):
        edge = f"mail-{['ed1', 'wr1', 'ej1', 'lf1', 'wm1'][num(label, 0, 4)]}-f{num(label + 'f', 41, 199)}.google.com"
        hops.append(
            _received(
                edge,
                ip,
                BOUNDARY,
                "(Postfix) with ESMTPS",
                hexid(label + "q", 10).upper(),
                rcpt,
                t_in,
            )
        )
        hops.append(
            f"Received: by {edge} with SMTP id {hexid(label + 'g2', 16)}\n"
            f"\tfor <{rcpt}>; {rfc_date(dt + timedelta(seconds=1))}"
        )
        if not m.message_id:
            m.message_id = f"<CA{b64id(label + 'mid', 40)}@mail.gmail.com>"
    elif route == "freemail":
        edge = m.helo or f"mout.{fdom}"
        hops.append(
            _received(
                edge,
                ip,
                BOUNDARY,
                "(Postfix) with ESMTPS",
                hexid(label + "q", 10).upper(),
                rcpt,
                t_in,
            )
        )
        hops.append(
            f"Received: from [192.168.{num(label, 0, 9)}.{num(label + 'h', 2, 200)}] ([192.0.2.{num(label + 'o', 2, 250)}]) by {edge}\n"
            f"\t(mrgmx{num(label, 100, 120)}) with ESMTPSA (Nemesis) id 1M{b64id(label + 'nm', 16)};\n"
            f"\t{rfc_date(dt + timedelta(seconds=1))}"
        )
    elif route == "spoof":
        host = m.helo or f"vps{num(label, 10000, 99999)}.cloudhost.example"
        hops.append(
            f"Received: from {host} (unknown [{ip}])\n"
            f"\tby {BOUNDARY} (Postfix) with ESMTP id {hexid(label + 'q', 10).upper()}\n"
            f"\tfor <{rcpt}>; {rfc_date(t_in)}"
        )
    elif route == "relay":
        relay = m.relay_host or "webhost-mail.example"
        hops.append(
            _received(
                f"smtp{num(label, 100, 199)}.{relay}",
                ip,
                BOUNDARY,
                "(Postfix) with ESMTPS",
                hexid(label + "q", 10).upper(),
                rcpt,
                t_in,
            )
        )
        hops.append(
            f"Received: by webmail.{relay} (Authenticated sender: {m.relay_account}, from: {from_email})\n"
            f"\twith HTTP; {rfc_date(dt + timedelta(seconds=1))}"
        )
        envelope = m.relay_account
    elif route == "internal":
        hops.append(
            f"Received: from EXCH02.ad.{OUR_DOMAIN} (10.1.2.12) by EXCH01.ad.{OUR_DOMAIN}\n"
            f"\t(10.1.2.11) with Microsoft SMTP Server (version=TLS1_2,\n"
            f"\tcipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.2.1544.11;\n"
            f"\t{rfc_date(t_in)}"
        )
    elif route == "esp":
        host = m.helo or f"mta{num(label, 10, 99)}.mailout.sendwave.example"
        hops.append(
            _received(
                host,
                ip,
                BOUNDARY,
                "(Postfix) with ESMTPS",
                hexid(label + "q", 10).upper(),
                rcpt,
                t_in,
            )
        )
        envelope = f"bounce-{hexid(label + 'bn', 10)}@em.{fdom}"
    elif route == "list":
        host = m.helo or (
            f"mail.{fdom}" if fdom.startswith(("lists.", "groups.")) else f"lists.{fdom}"
        )
        hops.append(
            _received(
                host,
                ip,
                BOUNDARY,
                "(Postfix) with ESMTPS",
                hexid(label + "q", 10).upper(),
                rcpt,
                t_in,
            )
        )
    else:
        raise ValueError(route)
    if m.route == "list" and m.sender:
        envelope = m.sender[1]
    lines.append(f"Return-Path: <{envelope}>")
    lines.append(f"Delivered-To: {rcpt}")
    if route != "internal":
        lines.append(
            f"Received: from {BOUNDARY} (localhost [127.0.0.1])\n"
            f"\tby {MAILSTORE} (Dovecot) with LMTP id {b64id(label + 'lmtp', 22)}\n"
            f"\tfor <{rcpt}>; {rfc_date(t_store)}"
        )
    if m.auth is not None:
        lines.append(m.auth.header(label))
    lines.extend(m.extra_trace)
    lines.extend(hops[:1])
    lines.extend(m.raw_headers)
    lines.extend(hops[1:])
    return lines


def build_body(m: Mail) -> EmailMessage:
    body = EmailMessage()
    inline = [a for a in m.attachments if a.inline_cid]
    files = [a for a in m.attachments if not a.inline_cid]
    if m.text is not None and m.html is not None:
        body.set_content(m.text, charset="utf-8", cte=m.text_cte)
        body.add_alternative(m.html, subtype="html", charset="utf-8", cte="quoted-printable")
        if inline:
            html_part = body.get_payload()[1]
            for a in inline:
                main, sub = a.mime.split("/")
                html_part.add_related(
                    a.data,
                    maintype=main,
                    subtype=sub,
                    cid=f"<{a.inline_cid}>",
                    filename=a.filename,
                    disposition="inline",
                )
    elif m.html is not None:
        body.set_content(m.html, subtype="html", charset="utf-8", cte="quoted-printable")
        for a in inline:
            main, sub = a.mime.split("/")
            body.add_related(
                a.data,
                maintype=main,
                subtype=sub,
                cid=f"<{a.inline_cid}>",
                filename=a.filename,
                disposition="inline",
            )
    else:
        body.set_content(m.text or "", charset="utf-8", cte=m.text_cte)
    for a in files:
        main, sub = a.mime.split("/")
        if main == "message":
            body.add_attachment(a.data.decode("utf-8"), subtype="plain", filename=a.filename)
            continue
        body.add_attachment(a.data, maintype=main, subtype=sub, filename=a.filename)
    return body


def set_boundaries(msg: EmailMessage, label: str) -> None:
    n = 0
    for part in msg.walk():
        if part is not msg and "MIME-Version" in part:
            del part["MIME-Version"]
        if part.is_multipart():
            part.set_boundary(f"----=_Part_{n}_{hexid(label + str(n), 16)}")
            n += 1


def render(m: Mail, label: str) -> str:
    """The raw message: trace headers, the sender's headers, then the MIME body."""
    if m.auth is not None and not m.auth.from_domain:
        m.auth.from_domain = domain_of(m.frm[1])
    body = build_body(m)
    set_boundaries(body, label)
    head = trace(m, label)
    fdom = domain_of(m.frm[1])
    if not m.message_id:
        m.message_id = f"<{hexid(label + 'mid', 16)}.{hexid(label + 'mid2', 8)}@{fdom}>"
    own: list[str] = []
    if m.auth is not None and m.auth.dkim in ("pass", "fail") and m.route not in ("internal",):
        dd = m.auth.dkim_domain or fdom
        sel = {"m365": "selector1", "gws": "google", "gmail": "20230601"}.get(m.route, "mail")
        own.append(
            dkim_signature(
                dd, sel, label, "from:to:subject:date:message-id:mime-version:content-type"
            )
        )
    own.append(f"From: {m.from_raw or addr(m.frm)}")
    if m.sender:
        own.append(f"Sender: {addr(m.sender)}")
    own.append(f"To: {addr_list(m.to)}")
    if m.cc:
        own.append(f"Cc: {addr_list(m.cc)}")
    if m.reply_to:
        own.append(f"Reply-To: {addr_list(m.reply_to)}")
    own.append(f"Subject: {encode_subject(m.subject)}")
    own.append(f"Date: {rfc_date(when(m.date))}")
    own.append(f"Message-ID: {m.message_id}")
    if m.in_reply_to:
        own.append(f"In-Reply-To: {m.in_reply_to}")
    if m.references:
        own.append("References: " + "\n\t".join(m.references))
    if m.mailer:
        own.append(m.mailer if ":" in m.mailer else f"X-Mailer: {m.mailer}")
    own.extend(m.headers_top)
    body_text = body.as_string(policy=body.policy.clone(linesep="\n", max_line_length=78))
    return "\n".join(head + own) + "\n" + body_text


def encode_subject(s: str) -> str:
    try:
        s.encode("ascii")
        return s
    except UnicodeEncodeError:
        from email.header import Header

        return Header(s, "utf-8", maxlinelen=76, header_name="Subject").encode(linesep="\n")
