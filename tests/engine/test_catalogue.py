"""The catalogue is data, validated at start-up: a bad one must stop the service and say where.

Each refusal below is a tuning mistake someone will make one day (a typo in a family, a
banner too long for Outlook, a composite that refers to a renamed finding).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from caveat.checks.findings import FAMILIES, SEVERITIES
from caveat.engine.catalogue import BANNER_MAX, Catalogue, CatalogueError, render


def entry(**changes: Any) -> dict[str, Any]:
    return {
        "check": "reply_to_mismatch",
        "severity": "caution",
        "weight": 2.0,
        "title": "Replies go to {reply_to}",
        "explanation": "Replies to this message would go to {reply_to}, not to the sender.",
        "false_positives": "Help desks that answer from a ticket address.",
        **changes,
    }


BASE: dict[str, Any] = {
    "version": 1,
    "levels": {
        "info": {"threshold": 1, "title": "Note", "text": "Something worth knowing."},
        "caution": {"threshold": 4, "title": "Check this", "text": "Check before you act."},
        "danger": {"threshold": 8, "title": "Stop", "text": "Do not pay; verify by phone."},
    },
    "findings": {"A": entry(), "B": entry(), "C": entry(severity="info")},
}


def data(change: Callable[[dict[str, Any]], object] | None = None) -> dict[str, Any]:
    d = copy.deepcopy(BASE)
    if change is not None:
        change(d)
    return d


def with_composite(expression: str, cid: str = "COMBO") -> dict[str, Any]:
    return data(
        lambda d: d.setdefault("composites", {}).update({cid: entry(expression=expression)})
    )


def refusal(d: dict[str, Any]) -> str:
    with pytest.raises(CatalogueError) as info:
        Catalogue(d, source="test.toml")
    message = str(info.value)
    assert message.startswith("test.toml: ")
    return message


# ---------------------------------------------------------------- the shipped catalogue


def test_shipped_catalogue_loads_and_is_coherent() -> None:
    cat = Catalogue.load()
    assert cat.source == "catalogue.toml"
    assert set(cat.levels) == {"info", "caution", "danger"}
    t = [cat.levels[n].threshold for n in ("info", "caution", "danger")]
    assert t[0] < t[1] < t[2]
    assert all(len(lv.text) <= BANNER_MAX for lv in cat.levels.values())
    assert cat.findings
    for e in cat.entries():
        assert e.check in FAMILIES, e.id
        assert e.severity in SEVERITIES, e.id
    for comp in cat.composites:
        assert comp.needs <= set(cat.findings), comp.entry.id
        assert not comp.holds(frozenset()), comp.entry.id
        assert comp.holds(frozenset(cat.findings)) or "!" in comp.entry.expression


def test_valid_minimal_catalogue() -> None:
    cat = Catalogue(data())
    assert set(cat.findings) == {"A", "B", "C"}
    assert cat.composites == []
    assert cat.findings["A"].weight == 2.0


def test_catalogue_file_is_named_in_errors(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("version = 1\n[levels\n", "utf-8")
    with pytest.raises(CatalogueError, match=r"broken\.toml"):
        Catalogue.load(path)


def test_catalogue_file_loads_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    shipped = resources.files("caveat.data").joinpath("catalogue.toml").read_text("utf-8")
    path.write_text(shipped, "utf-8")
    assert Catalogue.load(path).source == str(path)


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d["findings"]["A"].pop("weight"), "findings/A: 'weight' is a required"),
        (lambda d: d["findings"]["A"].pop("false_positives"), "findings/A: 'false_positives'"),
        (lambda d: d["findings"]["A"].update(check="phishing"), "findings/A/check"),
        (lambda d: d["findings"]["A"].update(check="Reply_To_Mismatch"), "findings/A/check"),
        (lambda d: d["findings"]["A"].update(severity="none"), "findings/A/severity"),
        (lambda d: d["findings"]["A"].update(severity="critical"), "findings/A/severity"),
        (lambda d: d["findings"]["A"].update(weight=-1), "findings/A/weight"),
        (lambda d: d["findings"]["A"].update(weight="2"), "findings/A/weight"),
        (lambda d: d["findings"]["A"].update(techniques=["T12"]), "findings/A/techniques/0"),
        (lambda d: d["findings"]["A"].update(colour="red"), "findings/A"),
        (lambda d: d["findings"].update(lower_case=entry()), "findings"),
        (lambda d: d["levels"]["danger"].update(text="x" * (BANNER_MAX + 1)), "levels/danger/text"),
        (lambda d: d["levels"].pop("caution"), "levels"),
        (
            lambda d: d["levels"].update(none={"threshold": 0.1, "title": "x", "text": "y"}),
            "levels",
        ),
        (lambda d: d["levels"]["info"].update(threshold=0), "levels/info/threshold"),
        (lambda d: d.update(version=2), "version"),
        (lambda d: d.update(extra=True), "(top)"),
        (lambda d: d.update(findings={}), "findings"),
    ],
)
def test_schema_errors_say_where(change: Callable[[dict[str, Any]], object], where: str) -> None:
    assert where in refusal(data(change))


def test_banner_text_of_exactly_150_characters_is_accepted() -> None:
    Catalogue(data(lambda d: d["levels"]["danger"].update(text="x" * BANNER_MAX)))


@pytest.mark.parametrize(
    "thresholds",
    [(4, 1, 8), (1, 8, 4), (8, 4, 1), (1, 4, 4), (4, 4, 8)],
)
def test_thresholds_must_rise(thresholds: tuple[float, float, float]) -> None:
    def change(d: dict[str, Any]) -> None:
        for name, t in zip(("info", "caution", "danger"), thresholds, strict=True):
            d["levels"][name]["threshold"] = t

    assert "thresholds must rise" in refusal(data(change))


def test_composite_naming_an_unknown_finding() -> None:
    message = refusal(with_composite("A & RENAMED_FINDING"))
    assert "composites/COMBO" in message
    assert "RENAMED_FINDING" in message


@pytest.mark.parametrize(
    "expression",
    ["A &", "(A", "A B", "A)", "", "&", "| A", "!", "A & & B", "()", "A ^ B", "a & B", "A, B"],
)
def test_composite_expression_syntax_errors(expression: str) -> None:
    assert "composites/COMBO" in refusal(with_composite(expression))


def test_id_used_as_both_finding_and_composite() -> None:
    message = refusal(with_composite("B & C", cid="A"))
    assert "A is both a finding and a composite" in message


@pytest.mark.parametrize("expression", ["!A", "A | !B", "!A & !B", "!(A & B)"])
def test_composite_that_would_fire_on_a_clean_message(expression: str) -> None:
    message = refusal(with_composite(expression))
    assert "composites/COMBO" in message
    assert "no findings" in message


@pytest.mark.parametrize(
    ("template", "why"),
    [
        ("Replies go to {reply_to", "expected '}'"),
        ("Replies go to reply_to}", "'}'"),
        ("Replies go to {0}", "{0}"),
        ("Replies go to {}", "{}"),
        ("Replies go to {reply_to.__class__}", "{reply_to.__class__}"),
        ("Replies go to {reply_to[0]}", "{reply_to[0]}"),
        ("Replies go to {reply_to!r}", "{reply_to!r}"),
        ("Replies go to {reply_to:>40}", "{reply_to:>40}"),
    ],
)
def test_title_template_errors_are_refused_at_load(template: str, why: str) -> None:
    message = refusal(data(lambda d: d["findings"]["B"].update(title=template)))
    assert "findings/B/title" in message
    assert why in message


def test_composite_explanation_template_errors_are_refused_at_load() -> None:
    bad = entry(expression="A & B", explanation="Both A and B were found here: {0} and more.")
    message = refusal(data(lambda d: d.update(composites={"COMBO": bad})))
    assert "composites/COMBO/explanation" in message


def test_literal_braces_are_written_doubled() -> None:
    cat = Catalogue(data(lambda d: d["findings"]["A"].update(title="Set {{x}} to {reply_to}")))
    assert render(cat.findings["A"].title, {"reply_to": "r@x.example"}) == "Set {x} to r@x.example"


def test_require_names_the_missing_ids() -> None:
    cat = Catalogue(data(), source="test.toml")
    cat.require(["A", "B"])
    with pytest.raises(CatalogueError, match=r"test.toml: no entry for NEW_ONE, OTHER"):
        cat.require(["A", "OTHER", "NEW_ONE"])


# ---------------------------------------------------------------- expression semantics


@pytest.mark.parametrize(
    ("expression", "present", "holds"),
    [
        ("A & B", "AB", True),
        ("A & B", "A", False),
        ("A&B", "AB", True),
        ("A | B", "B", True),
        ("A | B", "", False),
        ("A & !B", "A", True),
        ("A & !B", "AB", False),
        # & binds tighter than |: A | (B & C)
        ("A | B & C", "A", True),
        ("A | B & C", "B", False),
        ("A | B & C", "BC", True),
        ("(A | B) & C", "A", False),
        ("(A | B) & C", "AC", True),
        # ! binds tighter than &: (!A) & B
        ("!A & B", "B", True),
        ("!A & B", "AB", False),
        ("!(A & B) & C", "AC", True),
        ("!(A & B) & C", "ABC", False),
        ("!!A", "A", True),
        ("!!A", "B", False),
        ("((A))", "A", True),
    ],
)
def test_expression_semantics(expression: str, present: str, holds: bool) -> None:
    (comp,) = Catalogue(with_composite(expression)).composites
    assert comp.holds(frozenset(present)) is holds


def test_composite_knows_the_findings_it_names() -> None:
    (comp,) = Catalogue(with_composite("(A | B) & !C")).composites
    assert comp.needs == {"A", "B", "C"}
    assert comp.positive == {"A", "B"}
    assert comp.entry.id == "COMBO"
    assert comp.entry.expression == "(A | B) & !C"
    assert Catalogue(with_composite("A & B")).entries()[-1].to_dict()["expression"] == "A & B"


@pytest.mark.parametrize(
    ("expression", "present", "parts"),
    [
        ("A & B", "AB", "AB"),
        ("A | B", "AB", "AB"),
        ("A | B", "B", "B"),
        ("A & !B", "AC", "A"),
        ("!(B & C) & A", "AC", "A"),
        ("!!A & B", "AB", "AB"),
    ],
)
def test_the_parts_are_the_present_findings_named_outside_a_negation(
    expression: str, present: str, parts: str
) -> None:
    (comp,) = Catalogue(with_composite(expression)).composites
    assert comp.holds(frozenset(present))
    assert comp.parts(frozenset(present)) == frozenset(parts)


def test_the_wording_for_one_is_checked_like_the_rest() -> None:
    def one(d: dict[str, Any]) -> None:
        d["findings"]["A"]["title_one"] = "Replies go to {reply_to.x}"

    assert "findings/A/title_one" in refusal(data(one))
    e = Catalogue(
        data(lambda d: d["findings"]["A"].update(explanation_one="One reply goes to {reply_to}."))
    ).findings["A"]
    assert e.wording(1) == (e.title, "One reply goes to {reply_to}.")
    assert e.wording(2) == (e.title, e.explanation)


# ---------------------------------------------------------------- render


def test_render_fills_named_fields() -> None:
    assert render("Replies go to {reply_to} ({n})", {"reply_to": "r@x.example", "n": 2}) == (
        "Replies go to r@x.example (2)"
    )


def test_render_leaves_unknown_fields_as_question_marks() -> None:
    assert render("From {from_domain} via {relay}", {"from_domain": "x.example"}) == (
        "From x.example via ?"
    )


@pytest.mark.parametrize("value", ["{b}", "}", "{", "{0}", "{relay.__class__}", "{{x}}", "%s"])
def test_render_never_interprets_braces_inside_values(value: str) -> None:
    # attacker-controlled names and subjects end up in these values
    assert render("Name: {name}!", {"name": value}) == f"Name: {value}!"


def test_a_value_that_ends_a_sentence_takes_the_place_of_the_full_stop() -> None:
    from caveat.engine.catalogue import render

    template = "The account is on file for {organisation}. Call {organisation} first."
    assert render(template, {"organisation": "Great Lakes Supply Inc."}) == (
        "The account is on file for Great Lakes Supply Inc. Call Great Lakes Supply Inc. first."
    )
    assert render(template, {"organisation": "Acme Ltd"}) == (
        "The account is on file for Acme Ltd. Call Acme Ltd first."
    )
    assert render("{a}.{b}", {}) == "?.?"
