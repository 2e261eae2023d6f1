"""Counting warnings for the overview: what one warned message adds, once per message and
reader, gathered in memory and written in one upsert; its retention; the overview's
queries. On SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from caveat.checks.findings import Evidence, Finding, Verdict
from caveat.engine.engine import Engine
from caveat.knowledge.context import Context, EngineConfig
from caveat.knowledge.directory import Directory
from caveat.mail.facts import Facts
from caveat.mail.normalise import from_raw
from caveat.service import stats
from caveat.service.analysis import Analyzer
from caveat.service.stats import WarningTally, imitated_partners, overview, warning_keys
from caveat.storage import stats as tally_store
from caveat.storage.reports import ReportStore
from caveat.storage.retention import Retention, sweep
from caveat.storage.stats import WarningTallyRow
from caveat.storage.store import Store
from caveat.storage.verifications import AccountApprovalRow, VerificationRow
from tests.conftest import FakeClock
from tests.fixtures_runner import Case, directory_of, load_cases

DAY = timedelta(days=1)


def _case(name: str) -> Case:
    return next(c for c in load_cases() if c.name == name)


def judged(name: str) -> tuple[Facts, Verdict, EngineConfig, Directory]:
    """A fixture through the engine, with its folder's configuration and directory."""
    case = _case(name)
    config = EngineConfig.build(
        internal_domains=case.config.get("internal_domains", ()),
        trusted_authserv_ids=case.config.get("trusted_authserv_ids", ()),
        trust_microsoft=case.config.get("trust_microsoft", False),
    )
    facts = from_raw(case.path.read_bytes())
    directory = directory_of(case, config)
    verdict = Engine().analyze(facts, Context(config=config, directory=directory))
    return facts, verdict, config, directory


def kinds(keys: list[tuple[str, str]], kind: str) -> list[str]:
    return [k for kd, k in keys if kd == kind]


# ----------------------------------------------------------------- what a warning counts


def test_the_incidents_fake_reply_counts_its_level_families_recipients_and_partner() -> None:
    facts, verdict, config, directory = judged("seed/02-fake-reply-via-relay.eml")
    keys = warning_keys(facts, verdict, config, directory)
    assert kinds(keys, "level") == ["danger"]
    assert {"auth_failure", "reply_to_mismatch", "bank_details_change"} <= set(
        kinds(keys, "family")
    )
    # families of findings below caution are not warnings
    low = {f.check for f in verdict.findings if f.severity == "info"} - {
        f.check for f in verdict.findings if f.severity != "info"
    }
    assert not low & set(kinds(keys, "family"))
    assert kinds(keys, "recipient") == ["anna.keller@partnera.example", "eva.lind@partnera.example"]
    # it came as Partner B: From is Partner B's own domain
    assert kinds(keys, "partner") == ["Partner B"]
    # nothing else of the message: no subject, no sender
    assert all(facts.subject not in k for _, k in keys)
    assert facts.author is not None
    assert all(facts.author.address != k for _, k in keys)


def test_a_compromised_account_counts_its_partner_and_the_one_whose_people_it_imitates() -> None:
    facts, verdict, _config, directory = judged("seed/04-compromised-account-partner-c.eml")
    # came as Partner C; the swapped Cc keep Partner B's people's names on free mail
    assert imitated_partners(facts, verdict, directory) == ["Partner C", "Partner B"]


@pytest.mark.parametrize(
    "name",
    [
        "lookalike/capital-i-for-l.eml",
        "lookalike/cyrillic-a.eml",
        "lookalike/reply-to-capital-i.eml",
    ],
)
def test_a_lookalike_domain_counts_the_partner_it_imitates(name: str) -> None:
    facts, verdict, config, directory = judged(name)
    assert facts.author is not None
    if "reply-to" not in name:  # found by the look-alike alone: From is not the partner's
        assert directory.organisation_of(facts.author.domain) is None
    assert kinds(warning_keys(facts, verdict, config, directory), "partner") == ["Northwind Metals"]


@pytest.mark.parametrize(
    ("name", "partner"),
    [
        ("impostor_payment/partner-name-freemail-spa-dotted-it.eml", "Aurora Trasporti S.p.A."),
        ("impostor_payment/partner-name-elsewhere-de.eml", "Northwind Metals GmbH"),
        ("impostor_payment/known-contact-freemail-no-bank-en.eml", "Westbrook Supplies Ltd."),
        ("impostor_payment/impostor-localpart-contact-fr.eml", "Contoso Logistique SARL"),
        ("impostor_payment/impostor-localpart-contact-pt.eml", "Oliveira Têxteis Lda."),
    ],
)
def test_a_partners_name_on_another_address_counts_that_partner(name: str, partner: str) -> None:
    facts, verdict, config, directory = judged(name)
    assert kinds(warning_keys(facts, verdict, config, directory), "partner") == [partner]


def test_only_organisations_of_the_directory_are_named() -> None:
    """Evidence names a partner only when the directory has that exact name: text a
    sender wrote never becomes a key."""
    facts, verdict, _config, directory = judged("impostor_payment/partner-name-elsewhere-de.eml")
    assert imitated_partners(facts, verdict, Directory()) == []
    forged = dataclasses.replace(
        verdict,
        findings=tuple(
            dataclasses.replace(
                f,
                evidence=tuple(
                    dataclasses.replace(e, value="Evil Corp (evil.example)")
                    if e.header == "Partner"
                    else e
                    for e in f.evidence
                ),
            )
            for f in verdict.findings
        ),
    )
    assert imitated_partners(facts, forged, directory) == []


def test_a_user_name_that_spells_a_partners_company_name_counts_that_partner() -> None:
    facts, verdict, _config, directory = judged("seed/02-fake-reply-via-relay.eml")
    facts = dataclasses.replace(facts, from_=())
    spells = Finding(
        id="FREEMAIL_LOCALPART_IMPERSONATION",
        check="freemail_impersonation",
        severity="caution",
        title="t",
        explanation="e",
        evidence=(
            Evidence("From", "partnerb.billing@gmail.example"),
            Evidence("User name spells", "the company name of Partner B ('partnerb')"),
        ),
    )
    assert imitated_partners(
        facts, dataclasses.replace(verdict, findings=(spells,)), directory
    ) == ["Partner B"]
    ours = dataclasses.replace(
        spells,
        evidence=(
            Evidence("User name spells", "the company name of your organisation ('partnera')"),
        ),
    )
    assert imitated_partners(facts, dataclasses.replace(verdict, findings=(ours,)), directory) == []


def test_a_swapped_person_counts_the_partner_whose_address_was_replaced() -> None:
    facts, verdict, _config, directory = judged("seed/02-fake-reply-via-relay.eml")
    facts = dataclasses.replace(facts, from_=())  # not "came as": the swap alone
    swap = Finding(
        id="RECIPIENT_SWAPPED",
        check="recipient_swap",
        severity="danger",
        title="t",
        explanation="e",
        evidence=(
            Evidence("Cc", "Ben Ortiz: was ben.ortiz@partnerb.example, now ben@gmail.example (x)"),
            Evidence("Cc", "Clara: was x@evil.example, now y@evil.example (x)"),
        ),
    )
    only = dataclasses.replace(verdict, findings=(swap,))
    assert imitated_partners(facts, only, directory) == ["Partner B"]
    by_domain = dataclasses.replace(
        swap,
        evidence=(
            Evidence("To", "Someone: was new.person@partnerc.example, now z@gmail.example (x)"),
        ),
    )
    assert imitated_partners(
        facts, dataclasses.replace(verdict, findings=(by_domain,)), directory
    ) == ["Partner C"]
    # a name that spells a swap of its own does not stand in for the real one
    named = dataclasses.replace(
        swap,
        evidence=(
            Evidence(
                "To",
                "x: was ben.ortiz@partnerb.example, now q"
                ": was a@evil.example, now b@evil.example (x)",
            ),
        ),
    )
    assert (
        imitated_partners(facts, dataclasses.replace(verdict, findings=(named,)), directory) == []
    )


@pytest.mark.parametrize(
    "name",
    [
        "seed/01-reminder-from-colleague.eml",
        "seed/05-real-reply-partner-b.eml",
        "lookalike/partner-as-usual.eml",
        "impostor_payment/stranger-gmail-invoice-iban-en.eml",  # info
    ],
)
def test_none_and_info_are_not_warnings(name: str) -> None:
    facts, verdict, config, directory = judged(name)
    assert verdict.level in ("none", "info")
    assert warning_keys(facts, verdict, config, directory) == []


def test_internal_recipients_are_bounded_and_unique() -> None:
    config = EngineConfig.build(internal_domains=["ours.example"])
    to = ", ".join(f"p{i}@ours.example" for i in range(80))
    facts = from_raw(
        f"From: a@x.example\nTo: {to}, out@else.example\nCc: p1@ours.example\n"
        "Subject: s\n\nbody\n".encode()
    )
    got = stats.internal_recipients(facts, config)
    assert len(got) == stats.MAX_RECIPIENTS
    assert got[:2] == ["p0@ours.example", "p1@ours.example"]
    assert "out@else.example" not in got


# ----------------------------------------------------------------- the tally


def rows(store: Store) -> dict[tuple[date, str, str], int]:
    with store.session() as s:
        return {(r.day, r.kind, r.key): r.count for r in s.scalars(select(WarningTallyRow)).all()}


def tally_of(store: Store, name: str, **kw: Any) -> tuple[WarningTally, Facts, Verdict, Directory]:
    facts, verdict, config, directory = judged(name)
    return WarningTally(store, config, background=False, **kw), facts, verdict, directory


def test_one_message_counts_once_per_reader(store: Store, clock: FakeClock) -> None:
    tally, facts, verdict, directory = tally_of(store, "seed/02-fake-reply-via-relay.eml")
    for _ in range(3):  # the pane analyses it again each time it is opened
        tally.count(facts, verdict, viewer="ana", now=clock(), directory=directory)
    tally.count(facts, verdict, viewer="fin", now=clock(), directory=directory)
    assert rows(store) == {}  # gathered, not written yet
    tally.flush()
    got = rows(store)
    today = clock().date()
    assert got[(today, "level", "danger")] == 2
    assert got[(today, "partner", "Partner B")] == 2
    assert got[(today, "recipient", "anna.keller@partnera.example")] == 2
    assert (today, "level", "caution") not in got


def test_the_reader_is_forgotten_after_the_ttl(store: Store, clock: FakeClock) -> None:
    tally, facts, verdict, directory = tally_of(
        store, "seed/02-fake-reply-via-relay.eml", seen_seconds=3600
    )
    tally.count(facts, verdict, viewer="ana", now=clock(), directory=directory)
    clock.advance(hours=2)
    tally.count(facts, verdict, viewer="ana", now=clock(), directory=directory)
    tally.flush()
    assert rows(store)[(clock().date(), "level", "danger")] == 2


def test_counts_add_up_over_flushes_and_days(store: Store, clock: FakeClock) -> None:
    tally, facts, verdict, directory = tally_of(store, "seed/02-fake-reply-via-relay.eml")
    day1 = clock().date()
    tally.count(facts, verdict, viewer="a", now=clock(), directory=directory)
    tally.flush()
    tally.count(facts, verdict, viewer="b", now=clock(), directory=directory)
    clock.advance(days=1)
    tally.count(facts, verdict, viewer="c", now=clock(), directory=directory)
    tally.flush()
    tally.flush()  # nothing gathered: writes nothing
    got = rows(store)
    assert got[(day1, "level", "danger")] == 2
    assert got[(day1 + DAY, "level", "danger")] == 1
    assert tally.flushes == 2


def test_info_and_none_are_never_counted(store: Store, clock: FakeClock) -> None:
    tally, facts, verdict, directory = tally_of(store, "seed/05-real-reply-partner-b.eml")
    tally.count(facts, verdict, viewer="a", now=clock(), directory=directory)
    info = dataclasses.replace(verdict, level="info")
    tally.count(facts, info, viewer="b", now=clock(), directory=directory)
    assert tally.pending() == {}
    tally.flush()
    assert rows(store) == {}


def test_too_much_gathered_is_written_by_the_request_that_adds_more(
    store: Store, clock: FakeClock
) -> None:
    tally, facts, verdict, directory = tally_of(
        store, "seed/02-fake-reply-via-relay.eml", max_pending=5
    )
    tally.count(facts, verdict, viewer="a", now=clock(), directory=directory)
    assert tally.pending() == {}  # over 5 keys: written at once
    assert rows(store)[(clock().date(), "level", "danger")] == 1


def test_a_failed_flush_keeps_the_counts_for_the_next(
    store: Store, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    tally, facts, verdict, directory = tally_of(store, "seed/02-fake-reply-via-relay.eml")
    tally.count(facts, verdict, viewer="a", now=clock(), directory=directory)
    real = tally_store.add

    def broken(*a: Any, **kw: Any) -> None:
        raise RuntimeError("database gone")

    monkeypatch.setattr(tally_store, "add", broken)
    tally.flush()
    assert tally.failures == 1 and rows(store) == {}
    monkeypatch.setattr(tally_store, "add", real)
    tally.flush()
    assert rows(store)[(clock().date(), "level", "danger")] == 1


def test_counting_never_raises(
    store: Store, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    tally, facts, verdict, directory = tally_of(store, "seed/02-fake-reply-via-relay.eml")

    def broken(*a: Any, **kw: Any) -> list[tuple[str, str]]:
        raise ValueError("odd message")

    monkeypatch.setattr(stats, "warning_keys", broken)
    tally.count(facts, verdict, viewer="a", now=clock(), directory=directory)
    assert tally.pending() == {}


def test_the_background_thread_writes_without_a_reader(tmp_path: Any, clock: FakeClock) -> None:
    store = Store.from_url(f"sqlite:///{tmp_path / 'bg.db'}", clock=clock)
    try:
        store.upgrade()
        facts, verdict, config, directory = judged("seed/02-fake-reply-via-relay.eml")
        tally = WarningTally(store, config, interval=0.05)
        assert tally.background
        tally.count(facts, verdict, viewer="a", now=clock(), directory=directory)
        deadline = time.monotonic() + 10
        while not rows(store) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert rows(store)[(clock().date(), "level", "danger")] == 1
        tally.close()
    finally:
        store.dispose()


@pytest.fixture
def file_store(tmp_path: Any, clock: FakeClock) -> Iterator[Store]:
    """A SQLite file: the tally's thread writes to it (a database in memory has none)."""
    store = Store.from_url(f"sqlite:///{tmp_path / 'tally.db'}", clock=clock)
    try:
        store.upgrade()
        yield store
    finally:
        store.dispose()


def test_an_idle_tally_thread_ends_and_the_next_warning_starts_another(
    file_store: Store, clock: FakeClock
) -> None:
    facts, verdict, config, directory = judged("seed/02-fake-reply-via-relay.eml")
    tally = WarningTally(file_store, config, interval=0.05)
    tally.count(facts, verdict, viewer="a", now=clock(), directory=directory)
    deadline = time.monotonic() + 10
    while (not rows(file_store) or tally._thread is not None) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert rows(file_store)[(clock().date(), "level", "danger")] == 1
    assert tally._thread is None  # written, then the thread ended
    tally.count(facts, verdict, viewer="b", now=clock(), directory=directory)
    assert tally._thread is not None  # a new one
    while rows(file_store)[(clock().date(), "level", "danger")] < 2:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    tally.close()


def test_a_tally_closed_with_the_database_gone_returns_and_keeps_the_counts(
    file_store: Store, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    facts, verdict, config, directory = judged("seed/02-fake-reply-via-relay.eml")
    tally = WarningTally(file_store, config, interval=60)
    tally.count(facts, verdict, viewer="a", now=clock(), directory=directory)

    def broken(*a: Any, **kw: Any) -> None:
        raise RuntimeError("database gone")

    monkeypatch.setattr(tally_store, "add", broken)
    started = time.monotonic()
    tally.close()  # the thread tries once, close once more: neither loops
    assert time.monotonic() - started < 10
    assert tally._thread is not None and not tally._thread.is_alive()
    assert tally.failures == 2 and tally.pending()


def test_close_writes_what_is_gathered(store: Store, clock: FakeClock) -> None:
    tally, facts, verdict, directory = tally_of(store, "seed/02-fake-reply-via-relay.eml")
    tally.count(facts, verdict, viewer="a", now=clock(), directory=directory)
    tally.close()
    assert rows(store)[(clock().date(), "level", "danger")] == 1


# ----------------------------------------------------------------- the analyzer's hook


def test_the_service_analyzer_counts_a_scan_does_not(store: Store, clock: FakeClock) -> None:
    facts, _verdict, config, _directory = judged("seed/02-fake-reply-via-relay.eml")
    counting = Analyzer(Engine(), config, store, count_warnings=True)
    assert counting.tally is not None
    counting.tally.background = False
    counting.analyze(facts, clock(), viewer="ana")
    counting.analyze(facts, clock(), viewer="ana")
    quiet = Analyzer(Engine(), config, store)
    assert quiet.tally is None
    quiet.analyze(facts, clock(), viewer="sec")
    counting.flush()
    got = rows(store)
    assert got[(clock().date(), "level", "danger")] == 1
    assert got[(clock().date(), "family", "auth_failure")] == 1


# ----------------------------------------------------------------- retention


def test_retention_drops_days_older_than_the_setting(store: Store, clock: FakeClock) -> None:
    today = clock().date()
    tally_store.add(
        store,
        {
            (today, "level", "danger"): 1,
            (today - timedelta(days=9), "level", "danger"): 2,
            (today - timedelta(days=10), "level", "danger"): 3,
            (today - timedelta(days=400), "partner", "Partner B"): 4,
        },
    )
    result = sweep(store, Retention(tally_days=10, batch=1))
    assert result.deleted["warning_tally"] == 2
    assert set(rows(store)) == {
        (today, "level", "danger"),
        (today - timedelta(days=9), "level", "danger"),
    }


def test_the_retention_setting_defaults_to_400_days() -> None:
    assert Retention().tally_days == 400
    with pytest.raises(ValueError):
        Retention(tally_days=0)


# ----------------------------------------------------------------- the overview


def test_the_overview_has_every_day_the_top_ten_and_the_queues(
    store: Store, clock: FakeClock
) -> None:
    today = clock().date()
    counts: dict[tuple[date, str, str], int] = {
        (today, "level", "danger"): 3,
        (today, "level", "caution"): 5,
        (today - timedelta(days=6), "level", "caution"): 1,
        (today - timedelta(days=7), "level", "caution"): 100,  # outside 7 days
        (today, "family", "lookalike_domain"): 2,
        (today, "family", "auth_failure"): 4,
        (today - timedelta(days=2), "family", "an_old_family"): 1,
    }
    for i in range(12):
        counts[(today, "recipient", f"r{i:02d}@ours.example")] = i + 1
        counts[(today - DAY, "recipient", f"r{i:02d}@ours.example")] = 1
    counts[(today, "partner", "Zeta")] = 2
    counts[(today, "partner", "Alpha")] = 2
    counts[(today, "partner", "Beta")] = 5
    tally_store.add(store, counts)
    ReportStore(store).add(
        sender="fraud@evil.example",
        message_id="<1@e>",
        conversation_id=None,
        level="danger",
        finding_ids=[],
        reporter="ana@ours.example",
        key_id=None,
        at=clock(),
    )
    with store.session() as s:
        base = {
            "organization": "Partner B",
            "org_key": "partner b",
            "account_hash": "0" * 64,
            "actor_subject": "s",
            "actor": "a",
        }
        s.add(VerificationRow(at=clock(), outcome="denied", **base))
        s.add(VerificationRow(at=clock(), outcome="denied", cleared_at=clock(), **base))
        s.add(VerificationRow(at=clock(), outcome="confirmed", **base))
        for status in ("pending", "pending", "approved"):
            s.add(
                AccountApprovalRow(
                    requested_at=clock(),
                    organization="Partner B",
                    org_key="partner b",
                    account_hash="0" * 64,
                    status=status,
                    requested_by_subject="s",
                    requested_by="a",
                )
            )

    o = overview(store, 7)
    assert o.since == today - timedelta(days=6) and o.until == today
    assert len(o.levels.days) == 7 and o.levels.keys == ("caution", "danger")
    assert o.levels.values["caution"] == (1, 0, 0, 0, 0, 0, 5)
    assert o.levels.values["danger"] == (0, 0, 0, 0, 0, 0, 3)
    assert o.warnings == 9
    # families in the contract's order, an unknown one after them
    assert o.families.keys == ("auth_failure", "lookalike_domain", "an_old_family")
    assert o.families.totals() == {"auth_failure": 4, "lookalike_domain": 2, "an_old_family": 1}
    assert len(o.recipients) == 10
    assert o.recipients[0] == ("r11@ours.example", 13)
    assert o.recipients[-1] == ("r02@ours.example", 4)
    assert o.partners == [("Beta", 5), ("Alpha", 2), ("Zeta", 2)]  # ties by name
    assert (o.queues.open_reports, o.queues.standing_denials, o.queues.pending_approvals) == (
        1,
        1,
        2,
    )
    assert overview(store, 30).levels.values["caution"][-8] == 100
    js = o.levels.to_json()
    assert js["days"][0] == (today - timedelta(days=6)).isoformat()
    assert js["series"][0] == {"key": "caution", "values": [1, 0, 0, 0, 0, 0, 5]}


def test_an_empty_tally_is_an_overview_of_zeros(store: Store) -> None:
    o = overview(store, 30)
    assert o.warnings == 0 and o.families.keys == () and o.recipients == []
    assert o.levels.values["danger"] == (0,) * 30


@pytest.mark.parametrize(
    ("value", "days"),
    [
        (None, 30),
        ("", 30),
        ("7", 7),
        ("30", 30),
        ("90", 90),
        ("8", None),
        ("7.0", None),
        ("-7", None),
        ("x", None),
        ("0090", None),
    ],
)
def test_periods(value: str | None, days: int | None) -> None:
    assert stats.period_days(value) == days


def test_key_text_is_stored_safely(store: Store, clock: FakeClock) -> None:
    tally_store.add(store, {(clock().date(), "partner", "A\x00B" + "x" * 400): 1})
    with store.session() as s:
        key = s.scalar(select(WarningTallyRow.key))
        n = s.scalar(select(func.count()).select_from(WarningTallyRow))
    assert n == 1 and key is not None and key.startswith("A\ufffdB") and len(key) == 320


def test_the_retention_setting_reaches_the_sweep() -> None:
    from caveat.service.settings import load_settings, retention

    assert retention(load_settings({})).tally_days == 400
    assert retention(load_settings({"WARNING_TALLY_RETENTION_DAYS": "30"})).tally_days == 30
