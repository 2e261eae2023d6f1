"""``caveat keys``: what a service key may do (``--scope``, ``--admin``), until when
(``--expires``), how listings show both, and the demo key ``caveat serve --demo`` makes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from caveat.cli import main
from caveat.cli.common import addin_key_problem, parse_expiry
from caveat.identity.permissions import PERMISSIONS
from caveat.storage.store import KeyRecord, Store

from .test_serve import Exec, execvp, serve  # noqa: F401 (execvp is a fixture)


@pytest.fixture
def db(tmp_path: Path, caveat_env: Path) -> str:
    return f"sqlite:///{tmp_path / 'keys.db'}"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def record_of(db: str, key: str) -> KeyRecord | None:
    store = Store.from_url(db)
    try:
        return store.verify_key(key)
    finally:
        store.dispose()


def listing(db: str, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    code, out, _ = run(["keys", "list", "--json", "--db", db], capsys)
    assert code == 0
    return [json.loads(line) for line in out.splitlines()]


# ----------------------------------------------------------------- scopes


def test_a_key_grants_the_scopes_named(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        ["keys", "create", "siem", "--scope", "reports.read", "--scope", "analyze", "--db", db],
        capsys,
    )
    assert code == 0
    assert "for analyze, reports.read" in err
    record = record_of(db, out.strip())
    assert record is not None and record.scopes == {"analyze", "reports.read"}
    assert not record.admin


def test_scopes_may_also_be_listed_with_commas(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["keys", "create", "k", "--scope", "analyze,report", "--db", db], capsys)
    assert code == 0
    record = record_of(db, out.strip())
    assert record is not None and record.scopes == {"analyze", "report"}


def test_an_unknown_scope_is_refused_naming_the_known_ones(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        ["keys", "create", "k", "--scope", "analyze", "--scope", "partners", "--db", db], capsys
    )
    assert code == 2 and out == ""
    assert err.startswith("caveat keys: no scope 'partners'")
    for name in PERMISSIONS:
        assert name in err
    assert "Traceback" not in err
    assert listing(db, capsys) == []


def test_a_key_must_say_what_it_may_do(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    for args in ([], ["--scope", ""], ["--scope", " , "]):
        code, out, err = run(["keys", "create", "k", *args, "--db", db], capsys)
        assert code == 2 and out == ""
        assert "--scope SCOPE" in err and "--admin" in err and "reports.read" in err
    assert listing(db, capsys) == []


def test_admin_grants_every_permission(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["keys", "create", "tools", "--admin", "--db", db], capsys)
    assert code == 0 and "an admin service key" in err and "every permission" in err
    record = record_of(db, out.strip())
    assert record is not None and record.scopes == frozenset(PERMISSIONS) and record.admin
    (row,) = listing(db, capsys)
    assert row["admin"] is True and row["scopes"] == sorted(PERMISSIONS)


# ----------------------------------------------------------------- expiry


def _expires(db: str, capsys: pytest.CaptureFixture[str]) -> datetime | None:
    (row,) = listing(db, capsys)
    value = row["expires_at"]
    return None if value is None else datetime.fromisoformat(str(value))


def test_a_key_expires_after_a_year_by_default(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    before = datetime.now(UTC)
    code, _, err = run(["keys", "create", "k", "--scope", "analyze", "--db", db], capsys)
    after = datetime.now(UTC)
    assert code == 0
    expires = _expires(db, capsys)
    assert expires is not None
    assert before + timedelta(days=365) <= expires <= after + timedelta(days=365)
    assert f"expiring {expires:%Y-%m-%d %H:%M} UTC" in err


def test_expires_in_days(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    before = datetime.now(UTC)
    assert (
        run(["keys", "create", "k", "--scope", "analyze", "--expires", "90d", "--db", db], capsys)[
            0
        ]
        == 0
    )
    expires = _expires(db, capsys)
    assert expires is not None
    assert timedelta(days=90) <= expires - before < timedelta(days=90, minutes=1)


def test_expires_on_a_date_at_midnight_utc(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    day = (datetime.now(UTC) + timedelta(days=40)).date()
    code, _, err = run(
        ["keys", "create", "k", "--scope", "analyze", "--expires", day.isoformat(), "--db", db],
        capsys,
    )
    assert code == 0
    assert _expires(db, capsys) == datetime(day.year, day.month, day.day, tzinfo=UTC)
    assert f"expiring {day.isoformat()} 00:00 UTC" in err


def test_expires_at_an_iso_8601_time(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    at = (datetime.now(UTC) + timedelta(days=10)).replace(microsecond=0)
    value = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    code, _, err = run(
        ["keys", "create", "k", "--scope", "analyze", "--expires", value, "--db", db], capsys
    )
    assert code == 0, err
    assert _expires(db, capsys) == at


def test_never_expiring(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        ["keys", "create", "k", "--scope", "analyze", "--expires", "never", "--db", db], capsys
    )
    assert code == 0 and "never expiring" in err
    assert _expires(db, capsys) is None


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("soon", "a number of days (90d), a date (YYYY-MM-DD, UTC) or never"),
        ("0d", "from 1d to 3650d"),
        ("3651d", "from 1d to 3650d"),
        ("99999999999d", "a number of days"),
        ("-5d", "a number of days"),
        ("2027-02-30", "no such date"),
        ("2001-01-01", "has begun or passed"),
        ("2999-01-01", "at most 3650 days"),
        ("2999-01-01T00:00Z", "at most 3650 days"),
        ("2001-01-01T10:00", "that time has passed"),
        ("90", "a number of days"),
        ("", "a number of days"),
    ],
)
def test_a_bad_expiry_is_a_clear_error(
    db: str, capsys: pytest.CaptureFixture[str], value: str, words: str
) -> None:
    code, out, err = run(
        ["keys", "create", "k", "--scope", "analyze", f"--expires={value}", "--db", db], capsys
    )
    assert code == 2 and out == ""
    assert err.startswith("caveat keys: --expires") and words in err
    assert "Traceback" not in err
    assert listing(db, capsys) == []


def test_today_is_refused_as_an_expiry_date() -> None:
    now = datetime(2027, 6, 30, 0, 0, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="begun or passed"):
        parse_expiry("2027-06-30", now)
    assert parse_expiry("2027-07-01", now) == datetime(2027, 7, 1, tzinfo=UTC)
    assert parse_expiry(" Never ", now) is None


# ----------------------------------------------------------------- listing


def test_list_shows_scopes_expiry_and_state(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    run(
        ["keys", "create", "siem", "--scope", "reports.read", "--expires", "never", "--db", db],
        capsys,
    )
    run(["keys", "create", "tools", "--admin", "--db", db], capsys)
    # a key that expired yesterday: made by a store whose clock says it is last week
    last_week = datetime.now(UTC) - timedelta(days=7)
    old = Store.from_url(db, clock=lambda: last_week)
    old.create_key("old-sync", scopes=["directory"], expires_at=last_week + timedelta(days=6))
    old.dispose()
    code, out, _ = run(["keys", "list", "--db", db], capsys)
    assert code == 0
    header, siem, tools, expired = out.splitlines()
    assert header.split() == [
        "ID",
        "PREFIX",
        "NAME",
        "SCOPES",
        "CREATED",
        "EXPIRES",
        "LAST",
        "USED",
        "STATUS",
    ]
    assert "reports.read" in siem and siem.rstrip().endswith("active")
    assert siem.count("never") == 2  # no expiry, not used yet
    assert "all (admin)" in tools and tools.rstrip().endswith("active")
    assert "directory" in expired and expired.rstrip().endswith("expired")
    assert f"{last_week + timedelta(days=6):%Y-%m-%d %H:%M} UTC" in expired

    rows = {row["name"]: row for row in listing(db, capsys)}
    assert rows["siem"]["scopes"] == ["reports.read"] and rows["siem"]["expires_at"] is None
    assert rows["old-sync"]["active"] is False and rows["old-sync"]["expired"] is True
    assert rows["old-sync"]["revoked_at"] is None
    assert rows["tools"]["active"] is True and rows["tools"]["expired"] is False


def test_a_revoked_key_shows_revoked_whatever_its_expiry(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run(["keys", "create", "k", "--scope", "analyze", "--expires", "2d", "--db", db], capsys)
    run(["keys", "revoke", "1", "--db", db], capsys)
    _, out, _ = run(["keys", "list", "--db", db], capsys)
    assert "revoked" in out.splitlines()[1]


# ----------------------------------------------------------------- the demo key


def _demo_key(out: str) -> str:
    return out.split("API key (id ")[1].split("): ")[1].split()[0]


def test_the_demo_key_may_do_what_a_mail_client_does_for_30_days(
    execvp: Exec,  # noqa: F811
    caveat_env: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = f"sqlite:///{tmp_path / 's.db'}"
    before = datetime.now(UTC)
    _, out, _ = serve(["--demo", "--db", db], capsys)
    record = record_of(db, _demo_key(out))
    assert record is not None
    assert record.scopes == {"analyze", "report", "contacts"} and not record.admin
    assert record.expires_at is not None
    assert timedelta(days=30) <= record.expires_at - before < timedelta(days=30, minutes=1)
    assert f"expires {record.expires_at:%Y-%m-%d %H:%M} UTC" in out


def test_a_kept_demo_key_with_other_scopes_or_past_its_expiry_is_replaced(
    execvp: Exec,  # noqa: F811
    caveat_env: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A demo key kept from before keys had scopes (migration 0006 made it analyze, report,
    contacts without an expiry) is replaced by one that expires; so is an expired one."""
    db = f"sqlite:///{tmp_path / 's.db'}"
    store = Store.from_url(db)
    store.upgrade()
    _, old = store.create_key("demo", scopes=["analyze", "report", "contacts"])
    store.dispose()
    caveat_env.mkdir(parents=True)
    (caveat_env / "demo-key").write_text(old + "\n")
    new = _demo_key(serve(["--demo", "--db", db], capsys)[1])
    assert new != old and record_of(db, old) is None

    long_ago = datetime.now(UTC) - timedelta(days=31)
    past = Store.from_url(db, clock=lambda: long_ago)
    _, stale = past.create_key(
        "demo", scopes=["analyze", "report", "contacts"], expires_at=long_ago + timedelta(30)
    )
    past.dispose()
    (caveat_env / "demo-key").write_text(stale + "\n")
    newer = _demo_key(serve(["--demo", "--db", db], capsys)[1])
    assert newer not in (stale, new)
    assert record_of(db, newer) is not None


# ----------------------------------------------------------------- keys inside an add-in


@pytest.mark.parametrize(
    ("scopes", "words"),
    [
        (["analyze"], ""),
        (["analyze", "report", "contacts"], ""),
        (["analyze", "reports.read"], "grants reports.read"),
        (["directory"], "grants directory"),
    ],
)
def test_an_add_in_carries_no_key_beyond_a_mail_clients_scopes(
    db: str, scopes: list[str], words: str
) -> None:
    """Everyone who receives a manifest or an XPI holds its key (the local demo's mode): a
    key that reads the reports or changes the directory must not ride in one."""
    store = Store.from_url(db)
    try:
        store.upgrade()
        _, key = store.create_key("addin", scopes=scopes)
        found, problem = addin_key_problem(store, key, "--key", "make another")
        if words:
            assert found is None and words in problem and "every user receives it" in problem
        else:
            assert found is not None and problem == ""
        _, admin = store.create_key("tools", admin=True)
        assert "admin key" in addin_key_problem(store, admin, "--key", "")[1]
    finally:
        store.dispose()
