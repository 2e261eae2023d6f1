"""Names in every language the product reads: legal forms written with dots and spaces,
names in scripts without spaces, department words that are no one's name."""

from __future__ import annotations

import pytest

from caveat.mail.names import (
    LEGAL_FORMS,
    is_company_name,
    is_person_name,
    name_key,
    name_keys,
    organisation_key,
)


def _display_names_org(display: str, organisation: str) -> bool:
    """What the directory does with a display-name key: its legal forms left out, it is
    looked up among the organisations' keys."""
    target = organisation_key(organisation)
    for key in name_keys(display):
        words = [w for w in key.split() if w not in LEGAL_FORMS]
        if words and " ".join(words) == target:
            return True
    return False


# ------------------------------------------------------------------ 1: legal forms


@pytest.mark.parametrize(
    ("display", "organisation", "key"),
    [
        ("Dostawca Sp. z o.o.", "Dostawca Sp. z o.o.", "dostawca"),  # pl
        ("DOSTAWCA SP.Z O.O.", "Dostawca sp. z o. o.", "dostawca"),
        ("Dostawca spółka z ograniczoną odpowiedzialnością", "Dostawca Sp. z o.o.", "dostawca"),
        ("Hurtownia Zachód S.A.", "Hurtownia Zachód SA", "hurtownia zachod"),
        ("Dodavatel s.r.o.", "Dodavatel s. r. o.", "dodavatel"),  # cs
        ("Dodavatel spol. s r.o.", "Dodavatel s.r.o.", "dodavatel"),
        ("Strojírny Brno a.s.", "Strojírny Brno, a. s.", "brno strojirny"),
        ("Tedarikçi A.Ş.", "Tedarikçi A.Ş.", "tedarikci"),  # tr
        ("Tedarikçi Ltd. Şti.", "Tedarikci Ltd Sti", "tedarikci"),
        ("Leverantören AB", "Leverantören AB", "leverantoren"),  # sv
        ("Proveedor Industrial S.A.", "Proveedor Industrial, S.A.", "industrial proveedor"),  # es
        ("Lieferant GmbH & Co. KG", "Lieferant GmbH & Co KG", "lieferant"),  # de
        ("Yamada Seisakusho K.K.", "Yamada Seisakusho KK", "seisakusho yamada"),  # ja
        ("株式会社山田製作所", "株式会社山田製作所", "山田製作所"),
        ("山田製作所株式会社", "株式会社山田製作所", "山田製作所"),
        ("(株)山田製作所", "株式会社山田製作所", "山田製作所"),
        ("上海华东贸易有限公司", "上海华东贸易有限公司", "上海华东贸易"),  # zh
    ],
)
def test_a_partners_name_with_its_legal_form_is_the_partners_organisation(
    display: str, organisation: str, key: str
) -> None:
    """The directory's organisation and a display name key alike, however the legal form is
    dotted and spaced."""
    assert organisation_key(organisation) == organisation_key(display) == key
    assert _display_names_org(display, organisation)
    assert any(is_company_name(k) for k in name_keys(display)) or display == key


@pytest.mark.parametrize(
    ("display", "organisation"),
    [
        ("Dostawca Sp. z o.o.", "Dostawca Serwis Sp. z o.o."),
        ("Tedarikçi A.Ş.", "Tedarik A.Ş."),
        ("Dodavatel s.r.o.", "Dodavatelé s.r.o."),
        ("株式会社山田製作所", "株式会社山田商事"),
        ("上海华东贸易有限公司", "上海华东物流有限公司"),
    ],
)
def test_another_company_with_the_same_legal_form_is_not_the_partner(
    display: str, organisation: str
) -> None:
    assert not _display_names_org(display, organisation)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("A. S. Novák", "as novak"),  # initials before the name are no legal form
        ("A.S. Novák Transport s.r.o.", "as novak transport"),
        ("A & S Transport", "as transport"),
        ("Meyer A.G.", "meyer"),
    ],
)
def test_initials_stay_letters_where_no_legal_form_stands(name: str, key: str) -> None:
    assert organisation_key(name) == key


def test_letters_that_spell_a_form_only_at_the_end_are_read_as_one() -> None:
    assert name_key("Tedarikçi A.Ş.") == "as tedarikci"
    assert name_key("A.S. Tedarikçi") == "a s tedarikci"  # at the front: initials
    assert not is_company_name(name_key("A.S. Tedarikçi"))


@pytest.mark.parametrize(
    ("display", "organisation"),
    [
        ("山田製作所", "株式会社山田製作所"),
        ("株式会社山田製作所 経理部", "株式会社山田製作所"),
        ("株式会社山田製作所経理部", "株式会社山田製作所"),
        ("山田製作所 総務部", "山田製作所株式会社"),
        ("上海华东贸易有限公司 财务部", "上海华东贸易有限公司"),
    ],
)
def test_a_japanese_or_chinese_company_is_named_without_its_form_or_department(
    display: str, organisation: str
) -> None:
    assert _display_names_org(display, organisation)


# ------------------------------------------------------------------ 2: names without spaces


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("佐藤 花子", "佐藤花子"),
        ("佐藤　花子", "佐藤 花子"),  # an ideographic space
        ("张伟", "张 伟"),
        ("王小明", "王 小明"),
    ],
)
def test_a_name_without_spaces_is_a_persons_name_with_or_without_the_space(a: str, b: str) -> None:
    assert name_key(a) == name_key(b) != ""
    assert is_person_name(name_key(a))


@pytest.mark.parametrize(
    "name",
    [
        "経理部",
        "财务部",
        "総務",
        "人事部",
        "営業部",
        "人力资源部",
        "秘書室",
        "株式会社",
        "有限公司",
        "公司",
        "調達部",
        "采购部",
    ],
)
def test_department_and_company_words_are_no_persons_name(name: str) -> None:
    assert not any(is_person_name(k) for k in name_keys(name))


@pytest.mark.parametrize(
    "name",
    ["山田太郎経理部", "张伟 财务部", "佐藤花子（経理部）"],
)
def test_a_person_with_a_department_is_still_the_person(name: str) -> None:
    assert any(is_person_name(k) for k in name_keys(name))
    assert {"山田太郎", "张伟", "佐藤花子"} & set(name_keys(name))


def test_long_or_family_only_names_stay_as_they_were() -> None:
    assert not is_person_name(name_key("欧阳修文远"))  # five characters, one word
    assert is_person_name(name_key("長谷川 健一"))  # a family name of three, as before
    assert name_key("長谷川 健一") == "健一 長谷川"
    assert is_person_name(name_key("阿部"))  # a family name ending in 部 is no department
