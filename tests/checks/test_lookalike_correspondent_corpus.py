"""LOOKALIKE_CORRESPONDENT on real legitimate mail, with a memory that knows its senders.

Every ham message of ../shared/corpus goes, in date order, through one conversation memory
as the service records mail (``bench/bec_persistence.py``: analysed, then recorded), every
sender counted as authenticated so that the 2002 corpora's frequent senders become
look-alike targets too (the pessimistic bound; the corpus itself shows authentication for
the usrp list only). Then the ham again against that memory: the frequent correspondents'
own mail, and their neighbours', must stay within the goal. The figures:
``bench/bec_persistence.py --part lookalike``.
"""

from __future__ import annotations

import pytest

from caveat.engine.engine import Engine
from caveat.knowledge.context import Context
from caveat.mail.normalise import from_raw
from tests.bench_scripts import bench_module

from ..corpus import HAM, dataset

pytestmark = pytest.mark.corpus

GOAL = 0.001


@pytest.fixture(scope="module")
def run() -> object:
    for name in HAM:
        dataset(name)  # skips cleanly without ../shared/corpus
    return bench_module("bec_persistence").run_lookalike(vouch_all=True, engine=Engine())


def test_the_memory_made_look_alike_targets_of_real_senders(run: object) -> None:
    assert len(run.targets) >= 15, sorted(run.targets)


def test_lookalike_correspondent_stays_within_the_goal_on_the_ham(run: object) -> None:
    t = run.tally
    assert t.messages >= 1700
    loud = t.loud_with(("LOOKALIKE_CORRESPONDENT",))
    assert len(loud) / t.messages <= GOAL, loud


def test_a_look_alike_of_a_real_correspondent_is_caught_by_that_memory(run: object) -> None:
    """The same memory is not blind: one letter off a frequent correspondent's domain."""
    target = sorted(d for d in run.targets if len(d.split(".", 1)[0]) >= 6)[0]
    label, rest = target.split(".", 1)
    fake = f"{label[:-1]}{'x' if label[-1] != 'x' else 'y'}.{rest}"
    ours = bench_module("bec_persistence").CORPUS_OURS
    facts = from_raw(
        (
            f"From: Accounts <accounts@{fake}>\nTo: someone@{ours}\n"
            "Subject: Open invoice\nMessage-ID: <probe@x.example>\n\n"
            "Please find the open invoice attached.\n"
        ).encode()
    )
    ctx = Context(
        config=run.config,
        directory=run.directory,
        memory=run.memory.snapshot(facts),
        now=run.now,
    )
    verdict = Engine().analyze(facts, ctx)
    assert "LOOKALIKE_CORRESPONDENT" in {f.id for f in verdict.findings}, (fake, verdict.level)
    assert verdict.level in ("caution", "danger")
