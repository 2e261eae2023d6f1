"""Scoring: findings in, one level and one banner out, decided by the catalogue's data.

The checks here are fakes built with ``caveat.checks.hits.check`` that emit whatever a test needs,
and the catalogue is a small dict, so each test pins one scoring rule and nothing else.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

import pytest

from caveat.checks.findings import LEVELS, Evidence, Verdict
from caveat.checks.hits import CheckFn, Hit, check, ev
from caveat.engine.catalogue import BANNER_MAX, Catalogue, CatalogueError
from caveat.engine.engine import Engine
from caveat.knowledge.context import Context
from caveat.mail.facts import Facts
from caveat.mail.normalise import from_payload

FAMILY = "reply_to_mismatch"


def entry(severity: str, weight: float, **more: Any) -> dict[str, Any]:
    return {
        "check": FAMILY,
        "severity": severity,
        "weight": weight,
        "title": "Replies go to {reply_to}",
        "explanation": "Mail from {from_domain} asks for replies at {reply_to}.",
        "false_positives": "None that matter for these tests.",
        **more,
    }


LEVEL_TEXT = {
    "info": ("A note", "Something worth knowing about this message."),
    "caution": ("Check this", "Check the details before you reply, pay or open links."),
    "danger": ("Stop", "Do not pay, reply or forward. Verify the sender by phone."),
}

CATALOGUE: dict[str, Any] = {
    "version": 1,
    "levels": {
        name: {"threshold": t, "title": LEVEL_TEXT[name][0], "text": LEVEL_TEXT[name][1]}
        for name, t in (("info", 1.0), ("caution", 4.0), ("danger", 8.0))
    },
    "findings": {
        # info severity, so that only the thresholds can raise the level
        "W_HALF": entry("info", 0.5),
        "W1": entry("info", 1.0),
        "W3": entry("info", 3.0),
        "W4": entry("info", 4.0),
        # a high severity with a low weight: the severity is a floor
        "CAUTION_LIGHT": entry("caution", 0.1),
        "DANGER_LIGHT": entry("danger", 0.1),
        "MID": entry("caution", 2.0),
        "MID2": entry("caution", 3.0),
        "OTHER_FAMILY": {**entry("caution", 1.0), "check": "fake_reply"},
    },
    "composites": {
        "MID_AND_MID2": entry("danger", 1.5, expression="MID & MID2"),
        "MID_WITHOUT_W1": entry("caution", 0.5, expression="MID & !W1"),
    },
}
ALL_IDS = [fid for fid, e in CATALOGUE["findings"].items() if e["check"] == FAMILY]

FACTS = from_payload({"headers": "From: Ann Lee <ann@partner.example>\n"})


def catalogue(data: dict[str, Any] | None = None) -> Catalogue:
    return Catalogue(copy.deepcopy(data or CATALOGUE), source="test.toml")


def emitting(
    hits: Iterable[Hit], *, emits: Iterable[str] = ALL_IDS, family: str = FAMILY
) -> CheckFn:
    """A fake check that emits ``hits`` whatever the message."""
    fixed = tuple(hits)

    @check(family, emits=emits)
    def fake(facts: Facts, ctx: Context) -> Iterable[Hit]:
        return fixed

    return fake


def hit(fid: str, *evidence: Evidence, **params: Any) -> Hit:
    return Hit(fid, evidence or (ev("Reply-To", f"{fid.lower()}@elsewhere.example"),), params)


def verdict(*hits: Hit) -> Verdict:
    return Engine(catalogue(), [emitting(hits)]).analyze(FACTS, Context())


# ---------------------------------------------------------------- levels


def test_no_findings_no_level_no_banner() -> None:
    v = verdict()
    assert (v.level, v.score, v.banner, v.findings) == ("none", 0, None, ())


@pytest.mark.parametrize(
    ("ids", "score", "level"),
    [
        (["W3"], 3.0, "info"),  # reaches info (1), not caution (4)
        (["W4"], 4.0, "caution"),  # a threshold is reached when the score equals it
        (["W4", "W3"], 7.0, "caution"),
        (["W4", "W3", "W1"], 8.0, "danger"),
        (["W1"], 1.0, "info"),
    ],
)
def test_level_comes_from_the_thresholds(ids: list[str], score: float, level: str) -> None:
    v = verdict(*(hit(i) for i in ids))
    assert (v.score, v.level) == (score, level)


def test_score_below_the_first_threshold_still_gets_the_severity_of_its_finding() -> None:
    v = verdict(hit("W_HALF"))
    assert (v.score, v.level) == (0.5, "info")


@pytest.mark.parametrize(
    ("fid", "level"), [("DANGER_LIGHT", "danger"), ("CAUTION_LIGHT", "caution")]
)
def test_severity_is_a_floor_whatever_the_weight(fid: str, level: str) -> None:
    v = verdict(hit(fid))
    assert v.score == pytest.approx(0.1)
    assert v.level == level


def test_thresholds_can_raise_the_level_above_every_severity() -> None:
    # three info-severity findings worth 8 together
    assert verdict(hit("W4"), hit("W3"), hit("W1")).level == "danger"


# ---------------------------------------------------------------- composites


def test_composite_fires_when_its_expression_holds_and_names_its_parts() -> None:
    a = ev("Reply-To", "pay@freemail.example")
    b = ev("Received", "Authenticated sender: other@relay.example")
    v = verdict(hit("MID", a), hit("MID2", b))
    by_id = {f.id: f for f in v.findings}
    assert set(by_id) == {"MID", "MID2", "MID_AND_MID2", "MID_WITHOUT_W1"}
    combo = by_id["MID_AND_MID2"]
    # The parts carry the evidence, each piece once; the composite names them, in the
    # verdict's order, and copies none of it.
    assert combo.parts == ("MID2", "MID")
    assert combo.evidence == ()
    assert (by_id["MID"].evidence, by_id["MID2"].evidence) == ((a,), (b,))
    assert (combo.severity, combo.check) == ("danger", FAMILY)
    assert v.score == pytest.approx(2.0 + 3.0 + 1.5 + 0.5)
    assert v.level == "danger"
    assert v.to_dict()["findings"][0]["parts"] == ["MID2", "MID"]
    assert all(f["parts"] == [] for f in v.to_dict()["findings"][1:] if f["id"] != "MID_WITHOUT_W1")


def test_composite_does_not_fire_on_part_of_its_expression() -> None:
    v = verdict(hit("MID2"))
    assert [f.id for f in v.findings] == ["MID2"]
    assert v.level == "caution"


def test_negation_in_a_composite_is_an_exclusion() -> None:
    assert "MID_WITHOUT_W1" in {f.id for f in verdict(hit("MID")).findings}
    assert "MID_WITHOUT_W1" not in {f.id for f in verdict(hit("MID"), hit("W1")).findings}


def test_a_finding_excluded_by_a_negation_is_not_a_part() -> None:
    v = verdict(hit("MID"), hit("W3"))
    combo = next(f for f in v.findings if f.id == "MID_WITHOUT_W1")
    assert combo.parts == ("MID",)


def test_every_present_alternative_is_a_part() -> None:
    data = copy.deepcopy(CATALOGUE)
    data["composites"]["EITHER"] = entry("caution", 0.5, expression="(MID | MID2) & !W1")
    hits = (hit("MID"), hit("MID2"), hit("W3"))
    v = Engine(catalogue(data), [emitting(hits)]).analyze(FACTS, Context())
    combo = next(f for f in v.findings if f.id == "EITHER")
    assert combo.parts == ("MID2", "MID")


# ---------------------------------------------------------------- findings


def test_findings_are_sorted_by_severity_then_weight_then_id() -> None:
    v = verdict(
        hit("W1"),
        hit("CAUTION_LIGHT"),
        hit("W4"),
        hit("MID"),
        hit("DANGER_LIGHT"),
        hit("MID2"),
        hit("W3"),
    )
    assert [f.id for f in v.findings] == [
        "MID_AND_MID2",  # danger 1.5
        "DANGER_LIGHT",  # danger 0.1
        "MID2",  # caution 3
        "MID",  # caution 2
        "CAUTION_LIGHT",  # caution 0.1
        "W4",  # info 4
        "W3",  # info 3
        "W1",  # info 1
    ]


def test_one_finding_per_id_the_first_hit_wins() -> None:
    first = ev("Reply-To", "first@x.example")
    v = verdict(hit("MID2", first), hit("MID2", ev("Reply-To", "second@x.example")))
    assert [(f.id, f.evidence) for f in v.findings] == [("MID2", (first,))]
    assert v.score == 3.0


def test_duplicate_evidence_within_a_hit_is_shown_once() -> None:
    e = ev("Reply-To", "pay@x.example")
    (finding,) = verdict(hit("W1", e, e)).findings
    assert finding.evidence == (e,)


def test_titles_are_filled_from_the_hit_and_the_message() -> None:
    (finding,) = verdict(hit("W1", reply_to="pay@freemail.example")).findings
    assert finding.title == "Replies go to pay@freemail.example"
    assert finding.explanation == (
        "Mail from partner.example asks for replies at pay@freemail.example."
    )


def test_the_wording_for_one_is_used_when_the_check_counts_one() -> None:
    data = copy.deepcopy(CATALOGUE)
    data["findings"]["W1"].update(
        title="{people} were switched",
        title_one="{people} was switched",
        explanation="Earlier, {people} used their own addresses at {from_domain}.",
        explanation_one="Earlier, {people} used the real address at {from_domain}.",
    )
    engine = Engine(catalogue(data), [emitting([hit("W1", people="Ann", count=1)])])
    (one,) = engine.analyze(FACTS, Context()).findings
    assert (one.title, one.explanation) == (
        "Ann was switched",
        "Earlier, Ann used the real address at partner.example.",
    )
    for count in (2, None):
        params = {"people": "Ann and Bo"} | ({"count": count} if count else {})
        engine = Engine(catalogue(data), [emitting([hit("W1", **params)])])
        (many,) = engine.analyze(FACTS, Context()).findings
        assert many.title == "Ann and Bo were switched"
        assert many.explanation.startswith("Earlier, Ann and Bo used their own addresses")


def test_missing_params_render_as_question_marks_and_values_are_not_reinterpreted() -> None:
    (finding,) = verdict(hit("W1")).findings
    assert finding.title == "Replies go to ?"
    (finding,) = verdict(hit("W1", reply_to="{from_domain} }{")).findings
    assert finding.title == "Replies go to {from_domain} }{"


# ---------------------------------------------------------------- banner


@pytest.mark.parametrize(
    ("ids", "level"),
    [([], "none"), (["W1"], "info"), (["MID"], "caution"), (["DANGER_LIGHT"], "danger")],
)
def test_banner_present_exactly_when_there_is_a_level(ids: list[str], level: str) -> None:
    v = verdict(*(hit(i) for i in ids))
    assert v.level == level
    if level == "none":
        assert v.banner is None
    else:
        assert v.banner is not None
        assert (v.banner.title, v.banner.text) == LEVEL_TEXT[level]
    assert v.to_dict()["banner"] == (v.banner.to_dict() if v.banner else None)


def test_every_shipped_finding_alone_gives_a_banner_that_fits_outlook() -> None:
    cat = Catalogue.load()
    for e in cat.findings.values():
        alone = emitting([Hit(e.id)], emits=[e.id], family=e.check)
        v = Engine(cat, [alone]).analyze(FACTS, Context())
        assert LEVELS.index(v.level) >= LEVELS.index(e.severity), e.id
        assert v.banner is not None, e.id
        assert 0 < len(v.banner.text) <= BANNER_MAX, e.id


# ---------------------------------------------------------------- contracts with the checks


def test_a_check_emitting_an_undeclared_id_is_a_defect() -> None:
    sneaky = emitting([hit("MID2")], emits=["MID"])
    engine = Engine(catalogue(), [sneaky])
    with pytest.raises(CatalogueError, match="undeclared id MID2"):
        engine.analyze(FACTS, Context())


def test_a_catalogue_without_an_id_a_check_emits_is_refused_at_construction() -> None:
    ahead = emitting([], emits=["MID", "NOT_IN_CATALOGUE"])
    with pytest.raises(CatalogueError, match=r"test\.toml: no entry for NOT_IN_CATALOGUE"):
        Engine(catalogue(), [ahead])


def test_a_composite_id_cannot_be_emitted_by_a_check() -> None:
    with pytest.raises(CatalogueError, match="MID_AND_MID2"):
        Engine(catalogue(), [emitting([], emits=["MID_AND_MID2"])])


def test_a_check_must_emit_only_ids_of_its_own_family() -> None:
    with pytest.raises(CatalogueError, match="OTHER_FAMILY"):
        Engine(catalogue(), [emitting([], emits=["OTHER_FAMILY"])])


def test_several_checks_contribute_to_one_verdict() -> None:
    reply = emitting([hit("MID")], emits=["MID"])
    fake = emitting([hit("OTHER_FAMILY")], emits=["OTHER_FAMILY"], family="fake_reply")
    v = Engine(catalogue(), [reply, fake]).analyze(FACTS, Context())
    assert {(f.id, f.check) for f in v.findings} >= {
        ("MID", FAMILY),
        ("OTHER_FAMILY", "fake_reply"),
    }
    assert v.score == pytest.approx(2.0 + 1.0 + 0.5)


def test_checks_see_the_facts_and_the_context() -> None:
    seen: list[tuple[Facts, Context]] = []

    @check(FAMILY, emits=["W1"])
    def spy(facts: Facts, ctx: Context) -> Iterable[Hit]:
        seen.append((facts, ctx))
        return ()

    ctx = Context()
    Engine(catalogue(), [spy]).analyze(FACTS, ctx)
    assert seen == [(FACTS, ctx)]


def test_shipped_catalogue_and_checks_agree() -> None:
    engine = Engine()
    v = engine.analyze(
        from_payload(
            {
                "headers": "From: Ann <ann@partner.example>\nTo: bob@acme.example\n"
                "Subject: Lunch on Friday?\n"
            }
        ),
        Context(),
    )
    assert (v.level, v.findings, v.banner) == ("none", (), None)


def test_a_checks_data_is_loaded_when_the_engine_is_built() -> None:
    """A broken data file stops start-up rather than failing the first message."""
    from caveat.checks.hits import check

    def broken() -> None:
        raise ValueError("phrase file broken")

    @check("first_contact", emits=["FIRST_CONTACT"], prepare=broken)
    def quiet(facts, ctx):  # type: ignore[no-untyped-def]
        return []

    with pytest.raises(ValueError, match="phrase file broken"):
        Engine(checks=[quiet])
