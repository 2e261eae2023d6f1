"""The people checks on real legitimate mail, with a people directory made of its senders.

Each ham dataset of ../shared/corpus is taken as one organisation (``bench/bec_persistence.py``
builds the directory: the frequent senders by name as employees, one in four executives,
the employees who receive the most mail in finance, HR and executive support). Two
directories: the addresses people really use listed ("as used"), and a work mailbox at our
own domain only ("work only"), so that every message an employee really wrote comes from an
address the directory does not list: their private mailbox, a mailing list's rewrite, their
other employer. That is the peer lesson: payroll and executive rules must stay quiet on
employees' own legitimate mail. The figures: ``bench/bec_persistence.py --part people``.
"""

from __future__ import annotations

import pytest

from caveat.engine.engine import Engine
from tests.bench_scripts import bench_module

from ..corpus import HAM, dataset

pytestmark = pytest.mark.corpus

GOAL = 0.001  # the product's goal: at most 0.1 % of legitimate mail at caution or above
REQUESTS = frozenset(
    {
        "PERSON_GIFT_CARDS",
        "PERSON_WIRE_REQUEST",
        "PERSON_AVAILABILITY",
        "PAYROLL_DIVERSION",
        "PAYROLL_CHANGE_REQUEST",
    }
)


@pytest.fixture(scope="module")
def runs() -> dict[tuple[str, bool], object]:
    for name in HAM:
        dataset(name)  # skips cleanly without ../shared/corpus
    bench = bench_module("bec_persistence")
    engine = Engine()
    return {
        (name, work_only): bench.run_people(name, engine=engine, work_only=work_only)
        for name in HAM
        for work_only in (False, True)
    }


def _all(runs: dict, work_only: bool, part: str) -> list:
    return [getattr(r, part) for (_, w), r in runs.items() if w == work_only]


def test_the_directory_is_real(runs: dict) -> None:
    """Enough people and executives matched from real senders for the rates to mean
    something, and the checks did read them (executives' names seen outside)."""
    people = sum(len(r.org.records) for (_, w), r in runs.items() if not w)
    execs = sum(sum(1 for p in r.org.records if p.executive) for (_, w), r in runs.items() if not w)
    groups = sum(sum(1 for p in r.org.records if p.group) for (_, w), r in runs.items() if not w)
    assert people >= 60 and execs >= 15 and groups >= 15, (people, execs, groups)
    notes = sum(t.findings["EXECUTIVE_NAME_OUTSIDE"] for t in _all(runs, True, "everything"))
    assert notes >= 50, notes


@pytest.mark.parametrize("work_only", [False, True], ids=["as-used", "work-only"])
def test_caution_or_above_stays_within_the_goal(runs: dict, work_only: bool) -> None:
    tallies = _all(runs, work_only, "everything")
    total = sum(t.messages for t in tallies)
    loud = [r for t in tallies for r in t.loud]
    people = [r for t in tallies for r in t.loud_with()]
    assert total >= 1700
    assert len(loud) / total <= GOAL, loud
    assert len(people) / total <= GOAL, people


def test_an_employees_listed_address_draws_no_people_finding(runs: dict) -> None:
    """Their own mail at the address the directory lists, a list's rewrite of it included
    (From: "Name via List" <list@...>, Reply-To: their address)."""
    bench = bench_module("bec_persistence")
    for (name, work_only), run in runs.items():
        if work_only:
            continue
        own = {s for s, _l, _i in run.everything.flagged}
        for source, facts in bench.corpus_messages(name):
            a = bench.author(facts)
            key = bench.person_key(a) if a is not None else ""
            if key in run.org.listed and a.address in run.org.listed[key]:
                assert f"{name}/{source}" not in own, source


def test_no_request_is_read_in_employees_own_unlisted_mail(runs: dict) -> None:
    """Gift cards, transfers, availability and salary accounts: none of them is read in
    what employees really wrote from addresses the directory does not list."""
    for own in _all(runs, True, "own"):
        assert own.messages
        asked = [(s, ids) for s, _l, ids in own.flagged if REQUESTS & set(ids)]
        assert asked == []
    mail = sum(t.messages for t in _all(runs, True, "own"))
    assert mail >= 300
    # what warns there is only an executive's bare name copied to finance, HR or executive
    # support (BEC_EXECUTIVE_TO_SENSITIVE, by design: the directory should list the
    # executive's private address), never a request; a mailing-list post does not warn
    for t in _all(runs, True, "own"):
        for source, _level, ids in t.loud_with():
            assert set(ids) & bench_ids() == {
                "EXECUTIVE_NAME_OUTSIDE",
                "SENSITIVE_RECIPIENT",
                "BEC_EXECUTIVE_TO_SENSITIVE",
            }, (source, ids)


def bench_ids() -> frozenset[str]:
    bench = bench_module("bec_persistence")
    return frozenset(i for i in (*bench.PEOPLE_IDS, "BEC_EXECUTIVE_TO_SENSITIVE") if i) | REQUESTS
