"""The console's rows on each backend: sessions kept by their token's hash, sign-ins
taken once, first-run links used once (also when two requests race), the audit rows."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from caveat.storage.audit import Actor, AuditLog
from caveat.storage.console import ConsoleStore, LinkRefused, token_hash
from caveat.storage.store import Store
from tests.conftest import FakeClock


def test_a_session_is_found_by_its_token_and_keeps_only_its_hash(
    store: Store, clock: FakeClock
) -> None:
    consoles = ConsoleStore(store)
    token, session = consoles.open_session(
        subject="oid-1",
        tenant="t",
        name="Ana \x00Example",
        username="ana@example.org",
        roles=frozenset({"user", "security"}),
        via="oidc",
        now=clock(),
        lifetime=timedelta(hours=8),
    )
    found = consoles.find_session(token)
    assert found is not None and found.id == session.id
    assert found.roles == frozenset({"user", "security"}) and found.name == "Ana \ufffdExample"
    assert found.expires_at == clock() + timedelta(hours=8)
    assert consoles.find_session(token + "x") is None and consoles.find_session("") is None
    with store.session() as s:
        from caveat.storage.console import ConsoleSessionRow

        row = s.get(ConsoleSessionRow, session.id)
        assert (
            row is not None and row.token_hash == token_hash(token) and token not in repr(vars(row))
        )
    consoles.set_notice(session.id, "Saved.", "ok")
    assert consoles.find_session(token).notice == "Saved."  # type: ignore[union-attr]
    consoles.revoke(session.id)
    assert consoles.find_session(token).revoked  # type: ignore[union-attr]
    entries = list(AuditLog(store).entries())
    assert [e.action for e in entries] == ["console.signin"]
    assert entries[0].actor_subject == "oid-1"


def test_a_sign_in_is_taken_once_and_lapses(store: Store, clock: FakeClock) -> None:
    consoles = ConsoleStore(store)
    consoles.begin_signin(
        "state-1",
        verifier="v",
        nonce="n",
        next_path="/admin/keys",
        redirect_uri="https://x/admin/signin/callback",
        expires_at=clock() + timedelta(minutes=10),
    )
    found = consoles.take_signin("state-1", clock())
    assert found is not None and found.verifier == "v" and found.next_path == "/admin/keys"
    assert consoles.take_signin("state-1", clock()) is None
    consoles.begin_signin(
        "state-2",
        verifier="v",
        nonce="n",
        next_path="",
        redirect_uri="r",
        expires_at=clock() + timedelta(minutes=10),
    )
    clock.advance(minutes=11)
    assert consoles.take_signin("state-2", clock()) is None


def test_a_link_is_used_once_even_by_two_requests_at_once(store: Store, clock: FakeClock) -> None:
    if store.url.startswith("sqlite://") and store.url.count("/") < 3:
        pytest.skip("one in-memory connection: nothing runs at once")
    consoles = ConsoleStore(store)
    token = consoles.create_link(
        created_by=Actor.command_line("ops"), now=clock(), lifetime=timedelta(minutes=15)
    )
    assert consoles.link_usable(token, clock())
    results: list[object] = []
    barrier = threading.Barrier(2)

    def use() -> None:
        barrier.wait()
        try:
            results.append(consoles.use_link(token, clock()))
        except LinkRefused as exc:
            results.append(exc)
        except Exception as exc:
            results.append(exc)

    threads = [threading.Thread(target=use) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sum(isinstance(r, int) for r in results) == 1, results
    assert not consoles.link_usable(token, clock())
    with pytest.raises(LinkRefused, match="used already"):
        consoles.use_link(token, clock())
    actions = sorted(e.action for e in AuditLog(store).entries())
    assert actions == ["console.link", "console.link_used"]


def test_a_link_expires(store: Store, clock: FakeClock) -> None:
    consoles = ConsoleStore(store)
    token = consoles.create_link(
        created_by=Actor.command_line("ops"), now=clock(), lifetime=timedelta(minutes=1)
    )
    clock.advance(minutes=2)
    assert not consoles.link_usable(token, clock())
    with pytest.raises(LinkRefused, match="expired"):
        consoles.use_link(token, clock())
    with pytest.raises(LinkRefused, match="not known"):
        consoles.use_link("nope", clock())


def test_prune_drops_what_opens_nothing_and_keeps_what_works(
    store: Store, clock: FakeClock
) -> None:
    from tests.storage.test_retention import console_rows

    tokens = console_rows(store, clock)
    consoles = ConsoleStore(store)
    assert consoles.prune(clock()) == {
        "console_sessions": 2,
        "console_signins": 1,
        "console_links": 1,
        "console_forms": 0,
    }
    assert consoles.find_session(tokens["session-live"]) is not None
    assert consoles.link_usable(tokens["link-live"], clock())
    assert consoles.take_signin("signin-live", clock()) is not None
    assert consoles.prune(clock()) == {
        "console_sessions": 0,
        "console_signins": 0,
        "console_links": 0,
        "console_forms": 0,
    }


def _session(consoles: ConsoleStore, clock: FakeClock, subject: str = "adm"):  # type: ignore[no-untyped-def]
    _, session = consoles.open_session(
        subject=subject,
        tenant=None,
        name="",
        username="",
        roles=frozenset({"admin"}),
        via="oidc",
        now=clock(),
        lifetime=timedelta(hours=8),
    )
    return session


def test_a_form_id_acts_once_for_its_session_and_purpose(store: Store, clock: FakeClock) -> None:
    from caveat.storage.console import FormRefused

    consoles = ConsoleStore(store)
    mine, theirs = _session(consoles, clock), _session(consoles, clock, "other")
    token = consoles.issue_form(mine, "key.create")

    def use(session_id: int, purpose: str = "key.create", made: str = "7") -> None:
        with store.session() as s:
            ConsoleStore.use_form(s, token, session_id, purpose, clock(), made)

    for refused_by in (lambda: use(theirs.id), lambda: use(mine.id, "other.purpose")):
        with pytest.raises(FormRefused) as caught:
            refused_by()
        assert caught.value.reason == "unknown"
    # an action that fails after using the id takes the use back with it
    with pytest.raises(RuntimeError), store.session() as s:
        ConsoleStore.use_form(s, token, mine.id, "key.create", clock(), "6")
        raise RuntimeError("the action failed")
    use(mine.id)
    with pytest.raises(FormRefused) as caught:
        use(mine.id)
    assert caught.value.reason == "used" and caught.value.made == "7"
    with pytest.raises(FormRefused):
        with store.session() as s:
            ConsoleStore.use_form(s, "", mine.id, "key.create", clock(), "1")
    lapsing = consoles.issue_form(mine, "key.create")
    clock.advance(hours=9)
    with pytest.raises(FormRefused) as caught, store.session() as s:
        ConsoleStore.use_form(s, lapsing, mine.id, "key.create", clock(), "1")
    assert caught.value.reason == "unknown"
    assert consoles.prune(clock())["console_forms"] == 2


def test_a_form_id_sent_twice_at_once_acts_once(store: Store, clock: FakeClock) -> None:
    if store.url.startswith("sqlite://") and store.url.count("/") < 3:
        pytest.skip("one in-memory connection: nothing runs at once")
    from caveat.storage.console import FormRefused

    consoles = ConsoleStore(store)
    session = _session(consoles, clock)
    token = consoles.issue_form(session, "key.create")
    results: list[object] = []
    barrier = threading.Barrier(2)

    def send(n: int) -> None:
        barrier.wait()
        try:
            record, _ = store.create_key(
                f"k{n}",
                scopes=["audit"],
                also=lambda s, r: ConsoleStore.use_form(
                    s, token, session.id, "key.create", clock(), str(r.id)
                ),
            )
            results.append(record.id)
        except FormRefused as exc:
            results.append(exc.reason)
        except Exception as exc:
            results.append(exc)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sum(isinstance(r, int) for r in results) == 1, results
    assert "used" in results, results
    assert len(store.list_keys()) == 1
