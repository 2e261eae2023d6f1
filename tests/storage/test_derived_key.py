"""The keys the stores hash with: each derived from the deployment's secret for one use
(accounts, reports), read from the database once per store object and then kept."""

from __future__ import annotations

import pytest

from caveat.knowledge.memory import derive_key
from caveat.storage.indicators import ACCOUNT_KEY_LABEL, IndicatorStore
from caveat.storage.records import deployment_secret
from caveat.storage.reports import REPORT_KEY_LABEL, ReportStore
from caveat.storage.store import Store
from caveat.storage.verifications import VerificationStore


def test_each_use_has_its_own_key_from_the_one_secret(store: Store) -> None:
    with store.session() as s:
        secret = deployment_secret(s)
    accounts = derive_key(secret, ACCOUNT_KEY_LABEL)
    assert IndicatorStore(store).key() == accounts
    assert VerificationStore(store).key() == accounts  # the same refs as the indicators'
    assert ReportStore(store).key() == derive_key(secret, REPORT_KEY_LABEL) != accounts


def test_the_secret_is_read_once_per_store_object(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    indicators = IndicatorStore(store)
    first = indicators.key()
    opened: list[object] = []
    real = store.session
    monkeypatch.setattr(store, "session", lambda: (opened.append(1), real())[1])
    assert indicators.key() == first and opened == []
    assert ReportStore(store).key() and len(opened) == 1
