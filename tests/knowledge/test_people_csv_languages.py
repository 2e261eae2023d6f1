"""The group a person's department or title places them in, in every language the product
reads (data/organisation_words.toml)."""

from __future__ import annotations

import pytest

from caveat.knowledge.people_csv import group_of, parse_people_csv


@pytest.mark.parametrize(
    ("title", "department", "group"),
    [
        # pl
        ("Specjalistka", "Kadry i Płace", "hr"),
        ("", "Kadry i Place", "hr"),  # typed without the Polish letters
        ("Główna księgowa", "", "finance"),
        ("", "Księgowość", "finance"),
        ("Asystentka Zarządu", "", "executive_support"),
        # cs
        ("Mzdová účetní", "", "hr"),
        ("", "Účtárna", "finance"),
        ("Asistentka ředitele", "Sekretariát", "executive_support"),
        # sv
        ("Lönehandläggare", "", "hr"),
        ("", "Ekonomi", "finance"),
        ("VD-assistent", "", "executive_support"),
        # tr
        ("Uzman", "Bordro", "hr"),
        ("", "Muhasebe", "finance"),
        ("", "İnsan Kaynakları", "hr"),
        ("", "INSAN KAYNAKLARI", "hr"),
        ("Genel Müdür Asistanı", "", "executive_support"),
        # de, fr, es, it, nl, pt
        ("Sachbearbeiterin", "Rechnungswesen", "finance"),
        ("Gestionnaire de paie", "", "hr"),
        ("", "Recursos Humanos", "hr"),
        ("", "Tesorería", "finance"),
        ("Segreteria di Direzione", "", "executive_support"),
        ("", "Crediteurenadministratie", "finance"),
        ("Analista", "Folha de Pagamento", "hr"),
        # ja
        ("", "経理部", "finance"),
        ("", "人事部", "hr"),
        ("社長秘書", "", "executive_support"),
        ("主任", "本社経理部", "finance"),
        # zh
        ("", "财务部", "finance"),
        ("", "人力资源部", "hr"),
        ("总经理助理", "", "executive_support"),
        # ar
        ("", "الموارد البشرية", "hr"),
        ("", "المالية", "finance"),
        ("محاسب", "", "finance"),
    ],
)
def test_the_group_is_read_in_every_language(title: str, department: str, group: str) -> None:
    assert group_of(title, department) == group


@pytest.mark.parametrize(
    ("title", "department"),
    [
        ("Kierownik", "Sprzedaż"),  # pl: sales
        ("Obchodní zástupce", "Obchod"),  # cs: sales
        ("Säljare", "Försäljning"),  # sv: sales
        ("Satış Temsilcisi", "Satış"),  # tr: sales
        ("", "Muhasebeleştirme Yazılımı"),  # tr: a word that starts like "muhasebe"
        ("", "営業部"),  # ja: sales
        ("", "技术部"),  # zh: engineering
        ("", "المبيعات"),  # ar: sales
        ("", "Ekonomisk rådgivning"),  # sv: a word that only starts like "ekonomi"
    ],
)
def test_other_departments_place_no_one_in_a_group(title: str, department: str) -> None:
    assert group_of(title, department) == ""


def test_the_file_reads_the_group_from_a_department_in_another_language() -> None:
    result = parse_people_csv(
        "name,email,title,department\n"
        "Anna Nowak,anna.nowak@buyer.example,Specjalistka,Kadry i Płace\n"
        "佐藤 花子,hanako.sato@buyer.example,,経理部\n"
        "Ayşe Yılmaz,ayse.yilmaz@buyer.example,,Satış\n"
    )
    assert [p.group for p in result.people] == ["hr", "finance", ""]
    assert result.people[1].name_key == "佐藤花子"
