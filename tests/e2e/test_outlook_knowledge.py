"""Shared knowledge as a mail user meets it in Outlook, in headless Chromium, against the
real service with sign-in on (the local identity provider, tests/identity_issuer.py):

1. A plain user reports a message with the pane's Report button; selecting it again, she
   sees that she reported it, and when (REPORTED_BY_YOU). Security confirms the report
   through the API, as the console will; a finance colleague then opens another message
   from the same sender and the pane says, at danger, that the address is known fraud, who
   reported and who confirmed it, and when. Another report, dismissed, makes nothing.
2. Indicators imported through the API (``kind,value,note``) by an administrator: a message
   naming an imported account and one from an imported domain show their findings. A bad
   file is refused with its line named, and nothing of it reaches a later message.
3. The send-time guard (commands.html, its handlers raised as Outlook raises them): a draft
   to a known fraud address, and one to an address at a known fraud domain, get the danger
   notification and the stopped send naming the recipient; a draft to ordinary recipients
   goes quietly.

Screenshots at 360 pixels (Outlook's narrowest pane) and at desktop width go to
``test-artifacts/outlook/knowledge-*.png``.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.identity_issuer import LocalIssuer

from .conftest import OFFICE_JS, Service, start_service
from .test_outlook_pane import WIDTH
from .test_outlook_signin import COMPOSE_STANDIN, RAISE_SEND, REDIRECT_PATH, SignedPane
from .test_outlook_verify import item_of

DESKTOP = 1280
#: Fraudsters' addresses and domains: none is ours, a partner's or a free-mail provider's.
FRAUD_SENDER = "settlements@pb-remittance.example"
OTHER_SENDER = "desk@quick-invoices.example"
MULE_IBAN = "GB82 WEST 1234 5698 7654 32"
FRAUD_DOMAIN = "invoice-remit.example"
RAISE_RECIPIENTS = """() => new Promise((resolve) => {
  Office.__standin.handlers.onMessageRecipientsChangedHandler({ completed: () => resolve(true) });
})"""


def message(mid: str, sender: str, subject: str, body: str, name: str = "Accounts") -> bytes:
    """A message as it arrives from outside: no authentication results from our boundary,
    one recipient of ours, its own conversation."""
    head = [
        f'From: "{name}" <{sender}>',
        'To: "Anna Keller" <anna.keller@partnera.example>',
        f"Subject: {subject}",
        "Date: Mon, 07 Dec 2026 00:10:00 +0000",
        f"Message-ID: <{mid}>",
        "MIME-Version: 1.0",
        'Content-Type: text/plain; charset="utf-8"',
    ]
    return ("\r\n".join(head) + "\r\n\r\n" + body.replace("\n", "\r\n")).encode("utf-8")


def item(mid: str, sender: str, subject: str, body: str, conversation: str) -> dict[str, Any]:
    shown = item_of(message(mid, sender, subject, body))
    shown["conversationId"] = conversation
    return shown


@pytest.fixture(scope="module")
def issuer() -> Iterator[LocalIssuer]:
    with LocalIssuer() as running:
        running.redirect_uris.add(f"{running.base}/keys")  # the stand-in's silent broker
        yield running


@pytest.fixture(scope="module")
def knowledge_service(
    tmp_path_factory: pytest.TempPathFactory, issuer: LocalIssuer
) -> Iterator[Service]:
    svc = start_service(tmp_path_factory.mktemp("knowledge"), issuer.environ())
    issuer.redirect_uris.add(svc.url + REDIRECT_PATH)
    yield svc
    svc.stop()


def call(
    service: Service,
    method: str,
    path: str,
    token: str,
    body: Any = None,
    content_type: str = "application/json",
) -> tuple[int, Any]:
    data = None
    if body is not None:
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 - loopback
        f"{service.url}{path}",
        method=method,
        data=data,
        headers={"Authorization": f"Bearer {token}", "Content-Type": content_type},
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as r:  # noqa: S310 - loopback
            return r.status, json.load(r)
    except urllib.error.HTTPError as refused:
        return refused.code, json.load(refused)


def _pane(browser: Any, service: Service, issuer: LocalIssuer, who: str, width: int) -> SignedPane:
    issuer.login_as(who)
    pane = SignedPane(browser, service, issuer, "taskpane.html")
    pane.page.set_viewport_size({"width": width, "height": 900 if width > WIDTH else 640})
    pane.open()
    return pane


def _analyses(pane: SignedPane) -> int:
    return len([a for a in pane.api if a[0] == "analyze"])


def _show(pane: SignedPane, shown: dict[str, Any], first: bool) -> str:
    """Show ``shown`` in the pane (the first message, or a newly selected one) and wait for
    its verdict."""
    seen = _analyses(pane)
    if first:
        pane.start(shown)
    else:
        pane.page.evaluate("item => Office.__standin.select(item)", shown)
    for _ in range(200):
        if _analyses(pane) > seen:
            break
        pane.page.wait_for_timeout(100)
    return pane.wait_level("none", "info", "caution", "danger", "unknown")


def _known(pane: SignedPane, finding: str) -> Any:
    return pane.page.query_selector(f".knowledge [data-finding-id={finding}]")


def _open_reports(service: Service, issuer: LocalIssuer) -> list[dict[str, Any]]:
    status, found = call(service, "GET", "/api/v1/reports?status=open", issuer.mint(user="sec"))
    assert status == 200, found
    reports: list[dict[str, Any]] = found["reports"]
    return reports


def test_a_report_confirmed_by_security_warns_a_colleague_and_a_dismissed_one_does_not(
    browser: Any, knowledge_service: Service, issuer: LocalIssuer, artifacts: Path
) -> None:
    svc = knowledge_service
    first = item(
        "kn-0001@pb-remittance.example",
        FRAUD_SENDER,
        "Remittance advice 4471",
        "Hello Anna,\n\nplease find the remittance advice for invoice 4471 attached.\n",
        "AAQkADknowledge-1",
    )
    later = item(
        "kn-0002@pb-remittance.example",
        FRAUD_SENDER,
        "Quick question",
        "Hello,\n\ncould you tell me when the next payment run is?\n\nThanks\n",
        "AAQkADknowledge-2",
    )
    harmless = item(
        "kn-0003@quick-invoices.example",
        OTHER_SENDER,
        "Catalogue 2027",
        "Hello,\n\nour new catalogue is online.\n",
        "AAQkADknowledge-3",
    )
    harmless_later = item(
        "kn-0004@quick-invoices.example",
        OTHER_SENDER,
        "Catalogue 2027, prices",
        "Hello,\n\nthe prices for 2027 are in the catalogue.\n",
        "AAQkADknowledge-4",
    )

    # A colleague's pane before anything is known: nothing about this sender.
    pane = _pane(browser, svc, issuer, "fin", WIDTH)
    try:
        before = _show(pane, later, first=True)
        assert before != "danger", pane.text()
        assert pane.page.query_selector(".knowledge") is None
    finally:
        pane.close()

    # 1. The plain user reports two messages; her own look at the first says so.
    pane = _pane(browser, svc, issuer, "ana", WIDTH)
    try:
        _show(pane, first, first=True)
        pane.page.click("button.report")
        pane.page.wait_for_selector(".action-message.ok", timeout=15000)
        _show(pane, first, first=False)
        mine = pane.page.wait_for_selector(
            ".knowledge [data-finding-id=REPORTED_BY_YOU]", timeout=15000
        )
        assert mine is not None, pane.text()
        said = mine.inner_text()
        assert "you reported this message as fraud" in said
        assert "not yet reviewed" in said
        pane.page.screenshot(path=str(artifacts / "knowledge-reported-by-you-360.png"))
        _show(pane, harmless, first=False)
        pane.page.click("button.report")
        pane.page.wait_for_selector(".action-message.ok", timeout=15000)
        assert pane.errors == []
        assert [a[2] for a in pane.api if a[0] == "reports"] == [201, 201]
    finally:
        pane.close()

    # Nobody else sees her open report.
    pane = _pane(browser, svc, issuer, "fin", WIDTH)
    try:
        _show(pane, first, first=True)
        assert _known(pane, "REPORTED_BY_YOU") is None
    finally:
        pane.close()

    # 2. Security confirms the first report and dismisses the second.
    queue = {r["sender"]: r for r in _open_reports(svc, issuer)}
    assert set(queue) == {FRAUD_SENDER, OTHER_SENDER}, queue
    assert queue[FRAUD_SENDER]["reporter"] == "ana@example.org"
    sec = issuer.mint(user="sec")
    status, confirmed = call(
        svc, "POST", f"/api/v1/reports/{queue[FRAUD_SENDER]['id']}/confirm", sec
    )
    assert status == 200, confirmed
    made = [(i["kind"], i["value"]) for i in confirmed["indicators"]]
    assert ("address", FRAUD_SENDER) in made, confirmed
    status, dismissed = call(
        svc, "POST", f"/api/v1/reports/{queue[OTHER_SENDER]['id']}/dismiss", sec
    )
    assert status == 200, dismissed
    assert dismissed["report"]["status"] == "dismissed"
    assert dismissed["indicators"] == []
    assert _open_reports(svc, issuer) == []
    confirmed_on = confirmed["report"]["triaged_at"][:10]

    # 3. The finance colleague opens another message from that sender: danger, with who
    #    reported it, who confirmed it, and when.
    for width, name in ((WIDTH, "360"), (DESKTOP, "desktop")):
        pane = _pane(browser, svc, issuer, "fin", width)
        try:
            assert _show(pane, later, first=True) == "danger", pane.text()
            known = pane.page.wait_for_selector(
                ".knowledge [data-finding-id=REPORTED_ADDRESS]", timeout=15000
            )
            assert known is not None
            assert "severity-danger" in (known.get_attribute("class") or "")
            said = known.inner_text()
            assert FRAUD_SENDER in said
            assert "confirmed from a colleague's report" in said, said
            assert "Sam Shield" in said, said  # who confirmed it
            assert "reported by ana@example.org" in said, said  # who reported it
            assert confirmed_on in said, said  # when
            assert f"{FRAUD_SENDER} was reported as fraud" in pane.text()
            assert _known(pane, "REPORTED_BY_YOU") is None
            pane.page.screenshot(
                path=str(artifacts / f"knowledge-reported-colleague-{name}.png"), full_page=True
            )
            if width == WIDTH:
                pane.page.screenshot(
                    path=str(artifacts / "knowledge-reported-colleague-360-first-screen.png")
                )
            # The dismissed report's sender: nothing was made of it.
            _show(pane, harmless_later, first=False)
            assert pane.page.query_selector(".knowledge") is None, pane.text()
            assert pane.page.get_attribute("#caveat", "data-level") != "danger"
            assert pane.errors == []
        finally:
            pane.close()

    # The reporter, too, now sees the confirmed finding instead of her pending note.
    pane = _pane(browser, svc, issuer, "ana", WIDTH)
    try:
        assert _show(pane, first, first=True) == "danger"
        assert _known(pane, "REPORTED_ADDRESS") is not None
        assert _known(pane, "REPORTED_BY_YOU") is None
    finally:
        pane.close()


GOOD_CSV = (
    "kind,value,note\r\n"
    f"account,{MULE_IBAN},mule account shared by the bank\r\n"
    f"domain,{FRAUD_DOMAIN},fraud domain from the sector ISAC\r\n"
)
BAD_CSV = (
    "kind,value,note\n"
    "address,pay.desk@listed-later.example,would be fine alone\n"
    "colour,blue,no such kind\n"
)


def test_imported_indicators_reach_the_pane_and_a_bad_file_changes_nothing(
    browser: Any, knowledge_service: Service, issuer: LocalIssuer, artifacts: Path
) -> None:
    svc = knowledge_service
    adm = issuer.mint(user="adm")
    naming = item(
        "kn-0101@supplier-news.example",
        "billing@supplier-news.example",
        "Payment details",
        f"Hello Anna,\n\nplease pay invoice 5512 to IBAN {MULE_IBAN}.\n\nRegards\n",
        "AAQkADknowledge-101",
    )
    from_domain = item(
        f"kn-0102@{FRAUD_DOMAIN}",
        f"ap-team@{FRAUD_DOMAIN}",
        "Statement of account",
        "Hello,\n\nyour statement of account is ready.\n",
        "AAQkADknowledge-102",
    )
    later = item(
        "kn-0103@listed-later.example",
        "pay.desk@listed-later.example",
        "Statement",
        "Hello,\n\nthe statement you asked for.\n",
        "AAQkADknowledge-103",
    )

    status, imported = call(
        svc, "POST", "/api/v1/indicators/import", adm, GOOD_CSV, content_type="text/csv"
    )
    assert status == 200, imported
    assert imported["added"] == 2
    status, refused = call(
        svc, "POST", "/api/v1/indicators/import", adm, BAD_CSV, content_type="text/csv"
    )
    assert status == 400, refused
    assert refused["error"]["code"] == "invalid_indicators"
    assert "line 3" in refused["error"]["message"], refused
    status, listed = call(svc, "GET", "/api/v1/indicators", adm)
    assert status == 200
    assert not [i for i in listed["indicators"] if "listed-later" in json.dumps(i)]

    pane = _pane(browser, svc, issuer, "ana", WIDTH)
    try:
        assert _show(pane, naming, first=True) == "danger", pane.text()
        account = pane.page.wait_for_selector(
            ".knowledge [data-finding-id=REPORTED_ACCOUNT]", timeout=15000
        )
        assert account is not None
        said = account.inner_text()
        assert "imported from a shared list" in said and "Ada Admin" in said, said
        assert "mule account shared by the bank" in said, said
        assert "GB82 WEST 1234 5698 7654 32" not in pane.text(), "the account is shown masked"
        pane.page.screenshot(path=str(artifacts / "knowledge-imported-account-360.png"))

        pane.page.set_viewport_size({"width": DESKTOP, "height": 900})
        assert _show(pane, from_domain, first=False) == "danger", pane.text()
        domain = pane.page.wait_for_selector(
            ".knowledge [data-finding-id=REPORTED_DOMAIN]", timeout=15000
        )
        assert domain is not None
        assert FRAUD_DOMAIN in domain.inner_text()
        assert "imported from a shared list" in domain.inner_text()
        pane.page.screenshot(
            path=str(artifacts / "knowledge-imported-domain-desktop.png"), full_page=True
        )

        # The refused file's first, valid line was not kept either.
        pane.page.set_viewport_size({"width": WIDTH, "height": 640})
        level = _show(pane, later, first=False)
        assert level in ("none", "info"), pane.text()
        assert pane.page.query_selector(".knowledge") is None, pane.text()
        assert "REPORTED_" not in json.dumps(
            pane.page.eval_on_selector_all("[data-finding-id]", "es => es.map(e => e.dataset)")
        )
        pane.page.screenshot(path=str(artifacts / "knowledge-after-bad-file-360.png"))
        assert pane.errors == []
    finally:
        pane.close()


def _guard(browser: Any, service: Service, issuer: LocalIssuer) -> SignedPane:
    guard = SignedPane(browser, service, issuer, "commands.html")
    compose = COMPOSE_STANDIN.read_text("utf-8")
    guard.context.unroute(OFFICE_JS)
    guard.context.route(
        OFFICE_JS,
        lambda r: r.fulfill(status=200, content_type="text/javascript", body=compose),
    )
    guard.page.goto(f"{service.url}/addin/outlook/commands.html")
    guard.page.wait_for_function(
        "typeof msal !== 'undefined' && !!Office.__standin.handlers.onMessageSendHandler"
    )
    guard.page.evaluate(
        "c => msal.__standin.configure(c)",
        {"silentRedirectUri": f"{issuer.base}/keys", "hostSignedIn": True},
    )
    return guard


SET_TO = """people => {
  Office.context.mailbox.item.to = { getAsync: (cb) => setTimeout(
    () => cb({ status: "succeeded", value: people }), 0) };
}"""

DRAFTS = {
    "reported-address": [
        {"displayName": "Ben Ortiz", "emailAddress": "ben.ortiz@partnerb.example"},
        {"displayName": "Remittance", "emailAddress": "remit.desk@guard-fraud.example"},
    ],
    "reported-domain": [
        {"displayName": "Payments", "emailAddress": "payments@guard-fraud-domain.example"},
    ],
    "ordinary": [
        {"displayName": "Ben Ortiz", "emailAddress": "ben.ortiz@partnerb.example"},
        {"displayName": "Anna Keller", "emailAddress": "anna.keller@partnera.example"},
    ],
}


@pytest.fixture(scope="module")
def guard_indicators(knowledge_service: Service, issuer: LocalIssuer) -> None:
    sec = issuer.mint(user="sec")
    for kind, value in (
        ("address", "remit.desk@guard-fraud.example"),
        ("domain", "guard-fraud-domain.example"),
    ):
        status, added = call(
            knowledge_service, "POST", "/api/v1/indicators", sec,
            {"kind": kind, "value": value, "note": "seen in a confirmed fraud"},
        )  # fmt: skip
        assert status == 201, added


@pytest.mark.parametrize("draft", list(DRAFTS))
def test_the_guard_warns_of_a_draft_to_known_fraud_and_lets_ordinary_mail_go(
    browser: Any,
    knowledge_service: Service,
    issuer: LocalIssuer,
    guard_indicators: None,
    draft: str,
) -> None:
    issuer.login_as("ana")
    guard = _guard(browser, knowledge_service, issuer)
    try:
        guard.page.evaluate(SET_TO, DRAFTS[draft])
        guard.page.evaluate(RAISE_RECIPIENTS)
        notes = guard.page.evaluate("Office.__standin.notes")
        completed = guard.page.evaluate(RAISE_SEND)
        checks = [a for a in guard.api if a[0] == "recipients"]
        assert [a[2] for a in checks] == [200, 200], guard.api
        assert checks[0][1].startswith("Bearer ey")
        if draft == "ordinary":
            assert completed["allowEvent"] is True
            assert all(n.get("removed") for n in notes), notes
        else:
            flagged = DRAFTS[draft][-1]["emailAddress"]
            [note] = [n for n in notes if not n.get("removed")]
            assert note["details"]["type"] == "errorMessage", note  # danger, not caution
            message = note["details"]["message"]
            assert "fraud" in message, message
            if draft == "reported-address":
                assert flagged in message, message
            else:
                assert "guard-fraud-domain.example" in message, message
            assert completed["allowEvent"] is False
            assert f"Flagged: {flagged}." in completed["errorMessage"], completed
            assert "ben.ortiz@partnerb.example" not in completed["errorMessage"]
            assert completed.get("sendModeOverride") == "promptUser"
        assert guard.errors == []
        assert guard.page.evaluate("window.__csp") == []
    finally:
        guard.close()


#: The diverted Reply-To and the new account of a reported message (issue 17: a confirmed
#: report warns of these too, not only of the sender).
DIVERTED = "remittance.desk@payout-mail.example"
NEW_ACCOUNT_IBAN = "GB33 BUKB 2020 1555 5555 55"


def test_the_pane_reports_the_message_itself_and_its_reply_to_and_account_warn_later(
    browser: Any, knowledge_service: Service, issuer: LocalIssuer
) -> None:
    """The pane's Report sends the message it analysed: the service itself finds its
    Reply-To and its account; once security confirms, a later message from someone else
    that only replies to that address, or only names that account, is danger."""
    svc = knowledge_service
    raw = message(
        "kn-0101@vendor-billing.example",
        "ar@vendor-billing.example",
        "Updated bank details",
        f"Hello Anna,\n\nour bank has changed. Please pay to IBAN {NEW_ACCOUNT_IBAN}.\n",
    ).replace(b"\r\nTo:", f"\r\nReply-To: <{DIVERTED}>\r\nTo:".encode(), 1)
    reported = item_of(raw)
    reported["conversationId"] = "AAQkADknowledge-101"
    pane = _pane(browser, svc, issuer, "ana", WIDTH)
    try:
        _show(pane, reported, first=True)
        pane.page.click("button.report")
        pane.page.wait_for_selector(".action-message.ok", timeout=15000)
        assert [a[2] for a in pane.api if a[0] == "reports"] == [201]
        assert pane.errors == []
    finally:
        pane.close()

    [queued] = [r for r in _open_reports(svc, issuer) if r["sender"] == "ar@vendor-billing.example"]
    assert queued["indicators"]["reply_to"] == [DIVERTED], queued
    assert queued["indicators"]["accounts"] == ["GB33 **** 5555"], queued
    status, confirmed = call(
        svc, "POST", f"/api/v1/reports/{queued['id']}/confirm", issuer.mint(user="sec")
    )
    assert status == 200, confirmed
    made = {(i["kind"], i["value"]) for i in confirmed["indicators"]}
    assert {("address", DIVERTED), ("account", "GB33 **** 5555")} <= made, confirmed

    only_reply_to = item_of(
        message(
            "kn-0102@elsewhere-billing.example",
            "office@elsewhere-billing.example",
            "Statement",
            "Hello,\n\nthe statement is ready.\n",
        ).replace(b"\r\nTo:", f"\r\nReply-To: <{DIVERTED}>\r\nTo:".encode(), 1)
    )
    only_account = item(
        "kn-0103@other-billing.example",
        "office@other-billing.example",
        "Payment",
        f"Hello,\n\nplease use IBAN {NEW_ACCOUNT_IBAN} from now on.\n",
        "AAQkADknowledge-103",
    )
    pane = _pane(browser, svc, issuer, "fin", WIDTH)
    try:
        assert _show(pane, only_reply_to, first=True) == "danger", pane.text()
        assert _known(pane, "REPORTED_ADDRESS") is not None, pane.text()
        assert _show(pane, only_account, first=False) == "danger", pane.text()
        assert _known(pane, "REPORTED_ACCOUNT") is not None, pane.text()
        assert pane.errors == []
    finally:
        pane.close()
