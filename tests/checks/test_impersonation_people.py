"""impersonation_people and payroll_diversion on built messages: who counts as an impostor,
which exclusions hold, and that the people directory, not the sender, decides."""

from __future__ import annotations

from caveat.engine.engine import Engine
from caveat.knowledge.context import Context, EngineConfig
from caveat.knowledge.directory import Directory
from caveat.knowledge.partners_csv import parse_partners_csv
from caveat.knowledge.people import People
from caveat.knowledge.people_csv import parse_people_csv
from caveat.mail.normalise import from_raw

ENGINE = Engine()
PEOPLE = People(
    parse_people_csv(
        "name,email,personal_email,title,department,executive\n"
        "Margaret Holloway,margaret.holloway@buyer.example,maggie.h@gmail.com,CEO,,yes\n"
        "Tom Becker,tom.becker@buyer.example,,Payroll Administrator,HR,\n"
        "Jonas Weber,jonas.weber@buyer.example,,Engineer,Research,\n"
    ).people
)
PARTNERS = parse_partners_csv(
    "organization,domain,contact_name,contact_email,contact_phone,bank_accounts,require_auth\n"
    "Northwind,northwind.example,,,,,\n"
).partners
CONFIG = EngineConfig.build(internal_domains=["buyer.example"])
GIFT = "I need you to buy some Apple gift cards for a client today. Send me the codes."


def verdict(sender: str, body: str = GIFT, to: str = "jonas.weber@buyer.example", extra: str = ""):  # type: ignore[no-untyped-def]
    raw = (
        f"From: {sender}\r\nTo: {to}\r\nSubject: request\r\nMessage-ID: <x@y.example>\r\n{extra}"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ).encode()
    ctx = Context(
        config=CONFIG,
        directory=Directory(PARTNERS, internal_domains=CONFIG.internal_domains),
        people=PEOPLE,
    )
    return ENGINE.analyze(from_raw(raw), ctx)


def ids(v) -> set[str]:  # type: ignore[no-untyped-def]
    return {f.id for f in v.findings}


def test_an_executive_name_on_free_mail_asking_for_gift_cards_is_danger() -> None:
    v = verdict("Margaret Holloway <m.holloway.ceo@gmail.com>")
    assert v.level == "danger" and {"PERSON_GIFT_CARDS", "EXECUTIVE_NAME_OUTSIDE"} <= ids(v)


def test_the_user_name_counts_when_the_display_name_is_empty() -> None:
    v = verdict("margaret.holloway@outlook.com")
    assert "PERSON_GIFT_CARDS" in ids(v)


def test_confusable_letters_do_not_hide_the_name() -> None:
    v = verdict("Margaret Hоllоway <mh.office@gmail.com>")  # Cyrillic o
    assert "PERSON_GIFT_CARDS" in ids(v)


def test_exclusions_keep_it_quiet() -> None:
    assert not ids(verdict("Margaret Holloway <maggie.h@gmail.com>"))  # known_here
    assert not ids(verdict("Margaret Holloway <margaret.holloway@buyer.example>"))  # ours
    assert not ids(verdict("Margaret Holloway <mh@northwind.example>"))  # partner namesake
    assert not ids(verdict("Margaret Holloway via Docusign <dse@docusign.net>"))  # service
    assert not ids(verdict("Rachel Dunn <rachel.dunn@gmail.com>"))  # not one of our people


def test_a_name_without_a_request_is_a_note_for_executives_and_nothing_for_employees() -> None:
    v = verdict("Margaret Holloway <m.holloway.ceo@gmail.com>", body="See you on Monday.")
    assert v.level == "info" and ids(v) == {"EXECUTIVE_NAME_OUTSIDE"}
    assert not ids(verdict("Jonas Weber <jw.home@gmail.com>", body="See you on Monday."))


def test_sender_headers_do_not_quiet_it() -> None:
    extra = (
        "List-Unsubscribe: <https://x.example/u>\r\nPrecedence: bulk\r\nList-Id: <a.b.example>\r\n"
    )
    v = verdict("Margaret Holloway <m.holloway.ceo@gmail.com>", extra=extra)
    assert "PERSON_GIFT_CARDS" in ids(v)


def test_payroll_to_hr_is_raised_by_the_recipient_group() -> None:
    body = "I would like to update my direct deposit before the next payroll."
    to_hr = verdict("Chris Allen <chris.allen@yahoo.com>", body=body, to="tom.becker@buyer.example")
    assert to_hr.level == "danger" and {"PAYROLL_CHANGE_REQUEST", "BEC_PAYROLL_TO_HR"} <= ids(to_hr)
    to_other = verdict("Chris Allen <chris.allen@yahoo.com>", body=body)
    assert to_other.level == "caution" and "SENSITIVE_RECIPIENT" not in ids(to_other)
    named = verdict(
        "Jonas Weber <jonas.w.home@gmail.com>", body=body, to="tom.becker@buyer.example"
    )
    assert "PAYROLL_DIVERSION" in ids(named)


def test_without_a_people_directory_only_the_free_mail_payroll_request_remains() -> None:
    raw = (
        "From: Margaret Holloway <m.holloway.ceo@gmail.com>\r\nTo: a@buyer.example\r\n"
        f"Subject: x\r\n\r\n{GIFT} Please change my direct deposit to my new account.\r\n"
    ).encode()
    v = ENGINE.analyze(from_raw(raw), Context(config=CONFIG))
    assert ids(v) & {"PERSON_GIFT_CARDS", "EXECUTIVE_NAME_OUTSIDE", "SENSITIVE_RECIPIENT"} == set()
    assert "PAYROLL_CHANGE_REQUEST" in ids(v)


def test_an_unknown_sender_is_read_for_payroll_in_its_first_characters_a_name_in_all() -> None:
    body = "News of the week. " * 150 + "I would like to update my direct deposit."
    assert "PAYROLL_CHANGE_REQUEST" not in ids(verdict("Chris <chris@yahoo.com>", body=body))
    named = verdict("Jonas Weber <jonas.w.home@gmail.com>", body=body)
    assert "PAYROLL_DIVERSION" in ids(named)
