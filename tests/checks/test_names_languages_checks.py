"""The people and partner checks with names as the languages the product reads write them:
a partner's company name with its dotted legal form, a Chinese or Japanese name, a Japanese
company with its form and department, shown from free mail."""

from __future__ import annotations

import pytest

from caveat.checks.freemail_impersonation import freemail_impersonation
from caveat.engine.engine import Engine
from caveat.knowledge.context import Context, EngineConfig
from caveat.knowledge.directory import Directory, DirectoryContact, PartnerEntry
from caveat.knowledge.people import People
from caveat.knowledge.people_csv import parse_people_csv
from caveat.mail.normalise import from_payload, from_raw

CONFIG = EngineConfig.build(internal_domains=["buyer.example"])


def partner(org: str, domain: str, *contacts: tuple[str, str]) -> PartnerEntry:
    return PartnerEntry(
        org, (domain,), tuple(DirectoryContact(n, e, "+1") for n, e in contacts), (), frozenset()
    )


DIRECTORY = Directory(
    [
        partner("Dostawca Sp. z o.o.", "dostawca.example"),
        partner("Hurtownia S.A.", "hurtownia.example"),
        partner("Strojírna s.r.o.", "strojirna.example"),
        partner("Kargo A.Ş.", "kargo.example"),
        partner("Tedarikçi Makina A.Ş.", "tedarikci.example"),
        partner("Leverantören AB", "leverantoren.example"),
        partner("Lieferant GmbH & Co. KG", "lieferant.example"),
        partner(
            "株式会社山田製作所", "yamada-ss.example", ("佐藤 花子", "h.sato@yamada-ss.example")
        ),
        partner("上海华东贸易有限公司", "huadong.example", ("张伟", "zhang.wei@huadong.example")),
    ],
    internal_domains=["buyer.example"],
    freemail=CONFIG.freemail,
)
CTX = Context(config=CONFIG, directory=DIRECTORY)


def ids(headers: str) -> list[str]:
    return sorted(h.id for h in freemail_impersonation(from_payload({"headers": headers}), CTX))


@pytest.mark.parametrize(
    "name",
    [
        "Dostawca Sp. z o.o.",
        "DOSTAWCA SP. Z O.O.",
        "Dostawca sp.z o.o. | Księgowość",
        "Hurtownia S.A.",
        "Strojírna s.r.o.",
        "Strojírna, s. r. o.",
        "Kargo A.Ş.",
        "KARGO A.S.",
        "Tedarikçi Makina A.Ş.",
        "Leverantören AB",
        "Lieferant GmbH & Co. KG",
        "Lieferant GmbH & Co KG",
        "株式会社山田製作所",
        "山田製作所",
        "山田製作所株式会社",
        "株式会社山田製作所 経理部",
        "株式会社山田製作所経理部",
        "上海华东贸易有限公司",
        "上海华东贸易有限公司 财务部",
    ],
)
def test_a_partners_company_name_with_its_legal_form_on_free_mail(name: str) -> None:
    assert ids(f'From: "{name}" <billing.desk@gmail.com>\n') == ["FREEMAIL_PARTNER_NAME"]


@pytest.mark.parametrize(
    "name",
    [
        "Dostawca Serwis Sp. z o.o.",  # another company with the same form
        "Tedarikçi A.Ş.",  # a part of the partner's name only
        "Kargo Lojistik A.Ş.",  # another company with a name that begins alike
        "A.S. Kargo",  # initials in front, no legal form
        "Makina A.Ş.",
        "株式会社山田商事",  # another Yamada company
        "上海华东物流有限公司",
        "経理部",  # a department alone names no company
    ],
)
def test_look_alike_company_names_are_not_the_partner(name: str) -> None:
    assert ids(f'From: "{name}" <someone@gmail.com>\n') == []


@pytest.mark.parametrize("name", ["佐藤 花子", "佐藤花子", "张伟", "张 伟", "佐藤花子 経理部"])
def test_a_contacts_chinese_or_japanese_name_on_free_mail(name: str) -> None:
    assert ids(f'From: "{name}" <someone.else@gmail.com>\n') == ["FREEMAIL_KNOWN_NAME"]


@pytest.mark.parametrize("name", ["佐藤 太郎", "张伟明", "経理部", "财务部", "総務"])
def test_other_names_and_departments_are_quiet(name: str) -> None:
    assert ids(f'From: "{name}" <someone.else@gmail.com>\n') == []


def test_the_contact_at_their_own_address_is_quiet() -> None:
    assert ids('From: "张伟" <zhang.wei@huadong.example>\n') == []


# ------------------------------------------------------------------ the people directory

ENGINE = Engine()
PEOPLE = People(
    parse_people_csv(
        "name,email,personal_email,title,department,executive\n"
        "王小明,wang.xiaoming@buyer.example,,总经理,,yes\n"
        "山本 健,ken.yamamoto@buyer.example,,代表取締役社長,,yes\n"
        "李娜,li.na@buyer.example,,会计,财务部,\n"
    ).people
)
GIFT = "I need you to buy some Apple gift cards for a client today. Send me the codes."


def verdict(sender: str, to: str = "li.na@buyer.example"):  # type: ignore[no-untyped-def]
    raw = (
        f"From: {sender}\r\nTo: {to}\r\nSubject: request\r\nMessage-ID: <x@y.example>\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n{GIFT}\r\n"
    ).encode()
    ctx = Context(
        config=CONFIG,
        directory=Directory([], internal_domains=CONFIG.internal_domains),
        people=PEOPLE,
    )
    return ENGINE.analyze(from_raw(raw), ctx)


@pytest.mark.parametrize("name", ["王小明", "王 小明", "山本健", "山本 健"])
def test_an_executives_chinese_or_japanese_name_on_free_mail(name: str) -> None:
    v = verdict(f'"{name}" <boss.office@gmail.com>')
    assert "EXECUTIVE_NAME_OUTSIDE" in {f.id for f in v.findings}
    assert v.level == "danger"


@pytest.mark.parametrize("name", ["财务部", "経理部", "王小", "小明"])
def test_a_department_or_another_name_is_not_the_executive(name: str) -> None:
    v = verdict(f'"{name}" <someone@gmail.com>')
    assert "EXECUTIVE_NAME_OUTSIDE" not in {f.id for f in v.findings}


def test_the_recipients_group_is_read_from_a_chinese_department() -> None:
    assert PEOPLE.by_address("li.na@buyer.example").group == "finance"  # type: ignore[union-attr]
