"""Fraud indicators and report triage in storage, on every backend: accounts kept only as
a keyed hash and a masked form, a value held once while live, removal and expiry, triage
that turns a confirmed report (and only a confirmed one) into indicators, an audit row for
each change, and the knowledge version moving with each."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select, text

from caveat.identity.principal import Principal
from caveat.knowledge.indicators_csv import check_indicator, parse_indicators_csv
from caveat.knowledge.shared import account_ref
from caveat.storage.audit import Actor, AuditLog
from caveat.storage.indicators import IndicatorRow, IndicatorStore
from caveat.storage.reports import ReportRefs, ReportStore
from caveat.storage.store import Store
from tests.conftest import FakeClock

SEC = Principal.person(
    subject="oid-sec", tenant="t1", name="Sam Shield", username="sec@ours.example",
    roles=["security"],
)  # fmt: skip
ANA_SUBJECT = "oid-ana"
IBAN = "GB29 NWBK 6016 1331 9268 19"


def _report(store: Store, clock: FakeClock, refs: ReportRefs | None = None) -> int:
    r = ReportStore(store).add(
        sender="Billing@Fraud-Example.com",
        message_id="<m1@fraud-example.com>",
        conversation_id="conv",
        level="danger",
        finding_ids=["REPLYTO_FREEMAIL"],
        reporter="ana@ours.example",
        key_id=None,
        at=clock(),
        reporter_subject=ANA_SUBJECT,
        refs=refs,
    )
    return r.id


def test_an_account_is_kept_as_hash_and_masked_form_only(store: Store, clock: FakeClock) -> None:
    indicators = IndicatorStore(store)
    items = indicators.prepare([check_indicator("account", IBAN)], "mule list")
    [entry], known = indicators.add(SEC, items, source="api", at=clock())
    assert known == 0 and entry.shown == "GB29 **** 6819"
    with store.engine.connect() as conn:
        dump = json.dumps(
            [list(r) for r in conn.execute(text("SELECT * FROM indicators"))], default=str
        )
        audit = json.dumps(
            [list(r) for r in conn.execute(text("SELECT * FROM audit_log"))], default=str
        )
    for clear in ("GB29NWBK60161331926819", "60161331926819", "31926819"):
        assert clear not in dump and clear not in audit
    snapshot = indicators.load(clock())
    ref = account_ref(snapshot.account_key, "GB29NWBK60161331926819")
    assert snapshot.matching("account", ref, clock())[0].shown == "GB29 **** 6819"
    # the sort code and account number of the same British account match too
    alias = account_ref(snapshot.account_key, "60161331926819")
    assert snapshot.matching("account", alias, clock())


def test_a_live_value_is_held_once_and_removal_and_expiry_end_it(
    store: Store, clock: FakeClock
) -> None:
    indicators = IndicatorStore(store)
    v0 = indicators.version()
    item = indicators.prepare([check_indicator("address", "Fraud@Evil-Example.com")])
    [first], _ = indicators.add(SEC, item, source="api", at=clock())
    again, known = indicators.add(SEC, item, source="api", at=clock())
    assert again == [] and known == 1
    assert indicators.version() > v0
    assert indicators.load(clock()).matching("address", "fraud@evil-example.com", clock())

    removed = indicators.remove(first.id, Actor.command_line("root"), at=clock())
    assert removed is not None and removed.removed_by == "root at the command line"
    assert indicators.remove(first.id, SEC) is None  # only once
    assert not indicators.load(clock()).has("address")
    assert [e.state(clock()) for e in indicators.entries(everything=True)] == ["removed"]
    assert indicators.entries() == []

    # once removed, the same value may be added again; an expiring one ends by itself
    later = clock() + timedelta(days=1)
    [fresh], _ = indicators.add(SEC, item, source="api", at=clock(), expires_at=later)
    snapshot = indicators.load(clock())
    assert snapshot.matching("address", "fraud@evil-example.com", clock())
    assert snapshot.matching("address", "fraud@evil-example.com", later) == ()
    clock.advance(days=2)
    assert indicators.entries() == [] and not indicators.load(clock()).has("address")
    assert indicators.entries(everything=True)[-1].state(clock()) == "expired"

    actions = [(e.action, e.target) for e in AuditLog(store).entries(action="indicator.")]
    assert actions == [
        ("indicator.add", str(first.id)),
        ("indicator.remove", str(first.id)),
        ("indicator.add", str(fresh.id)),
    ]


def test_an_import_is_one_transaction_with_one_audit_row(store: Store, clock: FakeClock) -> None:
    parsed = parse_indicators_csv(
        "kind,value,note\n"
        "address,pay@fraud-example.com,ISAC 12\n"
        "domain,fraud-example.com,\n"
        f"account,{IBAN},\n"
        "phone,+44 20 7946 0958,\n"
    )
    result = IndicatorStore(store).import_parsed(SEC, parsed, at=clock(), name="isac.csv")
    assert len(result.added) == 4 and result.known == 0
    [row] = AuditLog(store).entries(action="indicator.import")
    assert row.target == "isac.csv" and row.after["added"] == 4
    assert row.after["kinds"] == {"address": 1, "domain": 1, "account": 1, "phone": 1}
    snapshot = IndicatorStore(store).load(clock())
    assert snapshot.phone_regions == frozenset({"GB"})
    assert (
        snapshot.matching("phone", "+442079460958", clock())[0].by
        == "Sam Shield <sec@ours.example>"
    )
    again = IndicatorStore(store).import_parsed(SEC, parsed, at=clock())
    assert again.added == () and again.known == 4


def test_a_new_report_is_pending_for_its_reporter_only(store: Store, clock: FakeClock) -> None:
    before = IndicatorStore(store).version()
    rid = _report(store, clock)
    assert IndicatorStore(store).version() > before
    pending = ReportStore(store).pending()
    assert list(pending) == [ANA_SUBJECT] and pending[ANA_SUBJECT][0].id == rid
    assert pending[ANA_SUBJECT][0].sender == "billing@fraud-example.com"


def test_confirming_turns_the_report_into_indicators(store: Store, clock: FakeClock) -> None:
    ref = "ab" * 32
    refs = ReportRefs(
        addresses=("diverted@freemail-example.com",),
        domains=("fraud-examp1e.com",),
        accounts=((ref, "DE89 **** 3000"),),
        phones=(("+442079460958", "GB"),),
    )
    rid = _report(store, clock, refs)
    reports = ReportStore(store)
    done = reports.confirm(rid, SEC, at=clock())
    assert done.outcome == "done" and done.report is not None
    assert done.report.status == "confirmed" and done.report.triaged_by == SEC.label
    assert sorted((e.kind, e.shown) for e in done.indicators) == [
        ("account", "DE89 **** 3000"),
        ("address", "billing@fraud-example.com"),
        ("address", "diverted@freemail-example.com"),
        ("domain", "fraud-examp1e.com"),
        ("phone", "+442079460958"),
    ]
    assert {e.source for e in done.indicators} == {"report"}
    assert {e.report_id for e in done.indicators} == {rid}
    snapshot = IndicatorStore(store).load(clock())
    assert snapshot.matching("account", ref, clock())[0].by == SEC.label
    assert ReportStore(store).pending() == {}
    # twice: nothing changes
    assert reports.confirm(rid, SEC, at=clock()).outcome == "already"
    assert reports.dismiss(rid, SEC, at=clock()).outcome == "already"
    assert reports.confirm(rid + 100, SEC, at=clock()).outcome == "missing"
    [audit] = AuditLog(store).entries(action="report.")
    assert audit.action == "report.confirm" and audit.target == str(rid)
    assert sorted(audit.after["indicators"]) == sorted(e.id for e in done.indicators)
    assert len(AuditLog(store).entries(action="indicator.add")) == 5


def test_dismissing_makes_no_indicator(store: Store, clock: FakeClock) -> None:
    rid = _report(store, clock, ReportRefs(addresses=("diverted@freemail-example.com",)))
    done = ReportStore(store).dismiss(rid, SEC, at=clock())
    assert done.outcome == "done" and done.indicators == ()
    assert done.report is not None and done.report.status == "dismissed"
    with store.session() as s:
        assert s.scalars(select(IndicatorRow)).all() == []
    assert ReportStore(store).pending() == {}
    assert [e.action for e in AuditLog(store).entries()] == ["report.dismiss"]
    assert [r.id for r in ReportStore(store).recent(status="dismissed")] == [rid]
    assert ReportStore(store).recent(status="open") == []
