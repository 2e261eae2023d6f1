"""The conversation memory in the database: a snapshot before analysis, a record after
(what is kept and why: :mod:`caveat.knowledge.memory`).

The snapshot is four or five statements of the driver's own SQL (rendered once per
dialect and IN-list length), on one Core connection in one transaction: which
conversation the keys find; that conversation and its people; which of the message's keys
it holds; the contacts of its addresses, the known people of its names and the accounts
learned for its sender's organisation (one statement); what of its quote the conversation
said. The frequent correspondents are read apart, at most once a minute
(:meth:`MemoryStore.correspondents`). What it read stays in the snapshot
(:class:`StoredSnapshot`): the record looks nothing up again, and writes nothing for a
message its conversation holds already with the same people, seen lately
(:meth:`MemoryStore._unchanged`). A message held already that is written anyway does not
count as one more message of the conversation or of its sender.

Records are written at once, or, for the service, through a per-process write-behind queue
(:mod:`caveat.storage.memory_writer`), in batches of one transaction; a snapshot that a
queued record bears on writes the queue first, or merges it (read-your-writes). What a
crash can lose and why it only makes later mail look less familiar: docs/architecture.md.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError

from caveat.knowledge.memory import (
    ACCOUNT_KEY_LABEL,
    CONVERSATION_KEY_LABEL,
    CORRESPONDENT_MESSAGES,
    MAX_CORRESPONDENTS,
    MAX_LEARNED_ACCOUNTS,
    MAX_PEOPLE_PER_MESSAGE,
    MAX_UNITS_PER_CONVERSATION,
    NO_CORRESPONDENTS,
    ConversationIds,
    ConversationKeys,
    ConversationView,
    Correspondents,
    KnownPerson,
    LearnedAccounts,
    MemorySnapshot,
    Observation,
    Person,
    Seen,
    SenderView,
    account_owner,
    conversation_ids,
    derive_key,
    keyed_hash,
    participants,
    quoted_units,
    reply_to_key,
    shares_enough,
    wanted_name_keys,
)
from caveat.mail.facts import Facts

from .memory_writer import MemoryWriter
from .records import (
    ADDRESS_MAX,
    NAME_MAX,
    SUBJECT_CANDIDATES,
    ContactRow,
    ConversationKeyRow,
    ConversationPersonRow,
    ConversationRow,
    ConversationTextRow,
    CorrespondentDomainRow,
    LearnedAccountRow,
    clip,
    deployment_secret,
)
from .store import Store, UTCDateTime, is_memory_url, storable_text

#: A message analysed again writes nothing while what it would refresh (the conversation's
#: and its people's last-seen times) is younger than this; retention counts in days.
REFRESH_AFTER = timedelta(days=1)
#: How long a process uses the frequent correspondents it read (another process's record
#: shows after this; one of this process that makes a domain frequent shows at once).
CORRESPONDENTS_REFRESH = 60.0

_K = ConversationKeyRow
_C = ConversationRow
_P = ConversationPersonRow
_T = ConversationTextRow
_CT = ContactRow

# The snapshot's statements, as the driver's own SQL, rendered once per dialect and per
# length of their IN lists (``_sql``) and run on the connection's driver cursor
# (``_fetch``): SQLAlchemy's execution of a compiled statement (and the rendering of its
# expanding IN lists on every call) cost four times what SQLite takes to answer, and its
# execution context around driver SQL still twice. Text parameters are made storable
# here (:func:`storable_text`), as the columns' type would; values come back as the
# driver gives them and are converted by ``_utc``.
_VIEW = (
    "SELECT c.id, c.messages, c.last_seen_at, p.address, p.name, p.name_key, p.local_key,"
    " p.first_seen FROM conversations c"
    " LEFT OUTER JOIN conversation_people p ON p.conversation_id = c.id"
)


@functools.lru_cache(maxsize=512)
def _sql(kind: str, mark: str, n: int = 0, m: int = 0, accounts: bool = False) -> str:
    """The snapshot's statement ``kind`` with ``mark`` as the driver's placeholder and
    ``n`` (and ``m``) of them in its IN lists (``accounts``: see "contacts")."""

    def marks(k: int) -> str:
        return ", ".join([mark] * k)

    # (S608: the SQL holds placeholders and constants, never a value)
    if kind == "find":  # which conversation each of the message's keys names
        return (
            "SELECT key_hash, conversation_id FROM conversation_keys"  # noqa: S608
            f" WHERE key_hash IN ({marks(n)})"
        )
    if kind == "view":  # one conversation with its people
        return f"{_VIEW} WHERE c.id = {mark} ORDER BY p.first_seen, p.id"
    if kind == "subject":  # the newest conversations with a subject, with their people
        return (
            f"{_VIEW} WHERE c.id IN (SELECT k.conversation_id FROM conversation_keys k"  # noqa: S608
            " JOIN conversations c2 ON c2.id = k.conversation_id"
            f" WHERE k.key_hash = {mark} ORDER BY c2.last_seen_at DESC, c2.id DESC"
            f" LIMIT {SUBJECT_CANDIDATES}) ORDER BY c.id, p.first_seen, p.id"
        )
    if kind == "held":  # which of the message's keys the conversation holds
        return (
            "SELECT key_hash FROM conversation_keys"  # noqa: S608
            f" WHERE conversation_id = {mark} AND key_hash IN ({marks(n)})"
        )
    if kind == "contacts":
        # The addresses' contacts and the known people of the names (first column 0), and
        # with ``accounts`` the accounts learned for the sender's organisation (1: the
        # digest in the address's place, its first_seen in the contact's). One statement:
        # each round trip costs more than the rows.
        parts = []
        terms = [f"address IN ({marks(n)})"] if n else []
        if m:
            terms.append(
                f"(name_key IN ({marks(m)}) AND (colleague = {mark}"
                " OR authenticated_at IS NOT NULL))"
            )
        if terms:
            parts.append(
                "SELECT 0, address, name, name_key, first_seen, last_seen, sent,"  # noqa: S608
                f" authenticated_at, colleague FROM contacts WHERE {' OR '.join(terms)}"
            )
        if accounts:
            parts.append(
                "SELECT 1, digest, NULL, NULL, first_seen, NULL, NULL, NULL, NULL"  # noqa: S608
                " FROM (SELECT digest, first_seen FROM learned_accounts"
                f" WHERE owner_hash = {mark} ORDER BY digest LIMIT {MAX_LEARNED_ACCOUNTS}) a"
            )
        if not parts:
            raise ValueError("a contacts statement needs addresses, names or accounts")
        return " UNION ALL ".join(parts) + " ORDER BY 1, 2"
    if kind == "seen_text":  # which of the quoted units the conversation said
        return (
            "SELECT digest FROM conversation_text"  # noqa: S608
            f" WHERE conversation_id = {mark} AND digest IN ({marks(n)})"
        )
    raise ValueError(f"no statement {kind!r}")


def _utc(value: Any) -> datetime:
    """A timestamp as the driver returns it (SQLite: text, naive UTC; PostgreSQL: aware)
    as an aware UTC datetime, as :class:`~caveat.storage.store.UTCDateTime` gives it."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# The record's.
_ALIVE = select(_C.id).where(_C.id.in_(bindparam("ids", expanding=True)))
_NEW_CONVERSATION = insert(_C).returning(_C.id)
_COUNT_MESSAGE = (
    update(_C)
    .where(_C.id == bindparam("cid"))
    .values(
        messages=_C.messages + bindparam("n", type_=Integer()),
        last_seen_at=bindparam("at", type_=UTCDateTime()),
    )
)
_FREQUENT = (
    select(CorrespondentDomainRow.domain)
    .where(CorrespondentDomainRow.messages >= CORRESPONDENT_MESSAGES)
    .order_by(CorrespondentDomainRow.messages.desc(), CorrespondentDomainRow.domain)
    .limit(MAX_CORRESPONDENTS)
)
_CROSSED = select(CorrespondentDomainRow.domain).where(
    CorrespondentDomainRow.domain.in_(bindparam("domains", expanding=True)),
    CorrespondentDomainRow.messages == CORRESPONDENT_MESSAGES,
)
_LEARNED = select(LearnedAccountRow.owner_hash, LearnedAccountRow.digest).where(
    LearnedAccountRow.owner_hash.in_(bindparam("owners", expanding=True))
)
_TEXT_COUNTS = (
    select(_T.conversation_id, func.count())
    .where(_T.conversation_id.in_(bindparam("ids", expanding=True)))
    .group_by(_T.conversation_id)
)


@dataclass(frozen=True, slots=True)
class Contact:
    """A contact row as the snapshot read it."""

    name: str
    name_key: str
    first_seen: datetime
    last_seen: datetime
    sent: int
    authenticated_at: datetime | None
    colleague: bool


@dataclass(frozen=True)
class StoredSnapshot(MemorySnapshot):
    """A :class:`MemorySnapshot` with what the store read for it, so that the record of
    the same message looks nothing up again (the checks see only the base class's
    fields)."""

    #: the message's conversation keys, hashed
    keys: ConversationKeys | None = None
    #: of the message's keys and possible accepted-reply keys, those the conversation holds
    held: frozenset[str] = frozenset()
    #: (address, name key) of each person the conversation holds
    people: frozenset[tuple[str, str]] = frozenset()
    #: when the conversation was last seen
    last_seen_at: datetime | None = None
    #: the stored contacts of the message's sender and participants, by address
    contacts: Mapping[str, Contact] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Record:
    """What one analysed message makes the store write."""

    obs: Observation
    keys: ConversationKeys
    #: the conversation the snapshot found (None: a new one)
    conversation: int | None
    held: frozenset[str]
    #: a message the conversation did not hold (its own Message-ID was not among its keys)
    new_message: bool
    #: added to the sender's count of messages: 0 for a message it was counted for
    sender_sent: int


class MemoryStore:
    """The conversation memory in the database: a snapshot before analysis, a record after.

    ``write_behind``: records go through a per-process queue written by a background
    thread (:mod:`caveat.storage.memory_writer`), as the service does; otherwise, and on
    a database in memory, each is written before :meth:`record` returns (command-line
    tools, tests)."""

    def __init__(self, store: Store, *, write_behind: bool = False) -> None:
        self.store = store
        self._key: bytes | None = None
        self._conversation_key: bytes | None = None
        self._account_key: bytes | None = None
        #: the frequent correspondents read, and when (time.monotonic)
        self._frequent: tuple[float, Correspondents] | None = None
        # A database in memory is one connection shared by every thread (StaticPool): no
        # second thread may write on it while a request reads.
        queued = write_behind and not is_memory_url(store.engine.url)
        self.writer: MemoryWriter[_Record] | None = MemoryWriter(self._write) if queued else None

    def flush(self) -> None:
        """Write every queued record now."""
        if self.writer is not None:
            self.writer.flush()

    def close(self) -> None:
        """Write every queued record and stop the writer's thread (a worker's exit)."""
        if self.writer is not None:
            self.writer.close()

    # ------------------------------------------------------------- snapshot

    def snapshot(self, facts: Facts) -> MemorySnapshot:
        author = facts.author
        snap = self._snapshot(
            conversation_ids(facts),
            participants(facts),
            author.address if author is not None and author.address else None,
            wanted_name_keys(facts),
            {a.address for a in (*facts.from_, *facts.reply_to, *facts.to, *facts.cc) if a.address},
            quoted_units(facts),
            account_owner(author.address, author.domain) if author is not None else "",
        )
        return replace(snap, correspondents=self.correspondents())

    def correspondents(self) -> Correspondents:
        """The frequent correspondents, read at most every :data:`CORRESPONDENTS_REFRESH`
        seconds (and at once after this process made one)."""
        now = time.monotonic()
        held = self._frequent
        if held is not None and now - held[0] < CORRESPONDENTS_REFRESH:
            return held[1]
        with self.store.connection() as c:
            domains = list(c.scalars(_FREQUENT))
        found = Correspondents(domains) if domains else NO_CORRESPONDENTS
        if held is not None and held[1] == found:
            found = held[1]  # keep the index built
        self._frequent = (now, found)
        return found

    def _learned(self, owner: str, first_seen: dict[str, datetime]) -> LearnedAccounts:
        """The accounts learned for ``owner``: when each digest was first seen (read with
        the contacts, in the snapshot's one statement for them)."""
        key = self._accounts_key()
        return LearnedAccounts(
            owner, first_seen, functools.partial(_account_digest, key, owner), len(first_seen)
        )

    def _snapshot(
        self,
        ids: ConversationIds,
        people: Sequence[Person],
        author: str | None,
        names: set[str],
        addresses: set[str],
        quoted: Sequence[str],
        owner: str = "",
    ) -> StoredSnapshot:
        ckey = self._keys_key()
        keys = ids.hashed(ckey)
        writer = self.writer
        if writer is not None:
            # Read-your-writes: a queued record that bears on this message is written first.
            tokens = [f"k:{k}" for k in (*keys.lookup_order(), keys.subject) if k]
            tokens += [f"n:{n}" for n in names]
            if author:
                tokens.append(f"a:{author}")
            if owner:
                tokens.append(f"o:{owner}")
            writer.settle(tokens)
        if writer is None:
            return self._read(ckey, keys, people, author, names, addresses, quoted, owner)
        snap = self._merged(writer, ckey, keys, people, author, names, addresses, quoted, owner)
        if snap.conversation_ref is not None and writer.pending(f"c:{snap.conversation_ref}"):
            writer.flush()
            snap = self._merged(writer, ckey, keys, people, author, names, addresses, quoted, owner)
        return snap

    def _merged(
        self,
        writer: MemoryWriter[_Record],
        ckey: bytes,
        keys: ConversationKeys,
        people: Sequence[Person],
        author: str | None,
        names: set[str],
        addresses: set[str],
        quoted: Sequence[str],
        owner: str = "",
    ) -> StoredSnapshot:
        """A read with the queued records merged that only add to a known sender's count
        of messages (written, they would not change anything else a snapshot holds)."""
        with writer.paused():
            snap = self._read(ckey, keys, people, author, names, addresses, quoted, owner)
            queued = writer.count(f"sent:{author}") if author else 0
        if queued and snap.sender is not None:
            s = snap.sender
            snap = replace(
                snap, sender=SenderView(s.first_seen, s.messages + queued, s.authenticated)
            )
        return snap

    def _read(
        self,
        ckey: bytes,
        keys: ConversationKeys,
        people: Sequence[Person],
        author: str | None,
        names: set[str],
        addresses: set[str],
        quoted: Sequence[str],
        owner: str = "",
    ) -> StoredSnapshot:
        order = keys.lookup_order()
        # as stored (SafeString): what a message holds that no database can keep is U+FFFD
        contact_addresses = {storable_text(p.address) for p in people[:MAX_PEOPLE_PER_MESSAGE]}
        if author:
            contact_addresses.add(storable_text(author))
        names = {storable_text(n) for n in names}
        conv_id: int | None = None
        view: ConversationView | None = None
        last_seen_at: datetime | None = None
        held: frozenset[str] = frozenset()
        accepted: frozenset[str] = frozenset()
        seen_text: frozenset[str] = frozenset()
        with self.store.connection() as c:
            mark = "?" if c.dialect.paramstyle == "qmark" else "%s"
            views: dict[int, tuple[ConversationView, datetime]] = {}
            if order:
                rows = _fetch(c, _sql("find", mark, len(order)), tuple(order))
                found = {k: int(cid) for k, cid in rows}
                conv_id = next((found[k] for k in order if k in found), None)
                if conv_id is not None:
                    views = _views(_fetch(c, _sql("view", mark), (conv_id,)))
                    if conv_id not in views:
                        conv_id = None  # forgotten meanwhile
            if conv_id is None and keys.subject is not None:
                views = _views(_fetch(c, _sql("subject", mark), (keys.subject,)))
                newest_first = sorted(views, key=lambda i: (views[i][1], i), reverse=True)
                conv_id = next(
                    (i for i in newest_first if shares_enough(views[i][0].people, people)), None
                )
            if conv_id is not None:
                view, last_seen_at = views[conv_id]
                rto = {reply_to_key(ckey, conv_id, a): a for a in addresses}
                wanted = sorted({k for k in (*order, keys.subject) if k} | set(rto))
                rows = _fetch(c, _sql("held", mark, len(wanted)), (conv_id, *wanted))
                held = frozenset(r[0] for r in rows)
                accepted = frozenset(rto[k] for k in held if k in rto)
            contacts: dict[str, Contact] = {}
            known: dict[str, list[KnownPerson]] = {}
            learned: dict[str, datetime] = {}
            if contact_addresses or names or owner:
                sql = _sql("contacts", mark, len(contact_addresses), len(names), bool(owner))
                params: tuple[Any, ...] = (*sorted(contact_addresses), *sorted(names))
                if names:
                    params += (True,)
                if owner:
                    params += (keyed_hash(self._accounts_key(), "owner", owner),)
                for (
                    what,
                    address,
                    name,
                    name_key,
                    first,
                    last,
                    sent,
                    auth,
                    colleague,
                ) in _fetch(c, sql, params):
                    if what:  # a learned account: its digest, when first seen
                        learned[address] = _utc(first)
                        continue
                    authenticated_at = _utc(auth) if auth is not None else None
                    if address in contact_addresses:
                        contacts[address] = Contact(
                            name,
                            name_key,
                            _utc(first),
                            _utc(last),
                            int(sent),
                            authenticated_at,
                            bool(colleague),
                        )
                    if name_key in names and (colleague or authenticated_at is not None):
                        source = "colleague" if colleague else "authenticated"
                        known.setdefault(name_key, []).append(KnownPerson(address, name, source))
            if conv_id is not None and quoted:
                seen_text = self._seen_text(c, mark, conv_id, quoted)
        sender = None
        mine = contacts.get(author) if author else None
        if mine is not None and mine.sent > 0:
            sender = SenderView(mine.first_seen, mine.sent, mine.authenticated_at is not None)
        return StoredSnapshot(
            available=True,
            conversation=view,
            sender=sender,
            known={k: tuple(v) for k, v in known.items()},
            conversation_ref=conv_id,
            accepted_reply_to=accepted,
            seen_text=seen_text,
            accounts=self._learned(owner, learned) if learned else None,
            keys=keys,
            held=held,
            people=frozenset((s.address, s.name_key) for s in view.people) if view else frozenset(),
            last_seen_at=last_seen_at,
            contacts=contacts,
        )

    def _seen_text(
        self, c: Connection, mark: str, conv_id: int, units: Sequence[str]
    ) -> frozenset[str]:
        """The units of what a message quotes that the conversation said before."""
        key = self._secret()
        wanted = {self._digest(key, u): u for u in units}
        found: set[str] = set()
        digests = sorted(wanted)
        for i in range(0, len(digests), 500):
            part = digests[i : i + 500]
            rows = _fetch(c, _sql("seen_text", mark, len(part)), (conv_id, *part))
            found.update(wanted[r[0]] for r in rows)
        return frozenset(found)

    def _secret(self) -> bytes:
        """The deployment's HMAC key for conversation text, made on first use."""
        if self._key is None:
            with self.store.session() as s:
                self._key = deployment_secret(s)
        return self._key

    def _keys_key(self) -> bytes:
        """The HMAC key of conversation keys, derived from the deployment's secret."""
        if self._conversation_key is None:
            self._conversation_key = derive_key(self._secret(), CONVERSATION_KEY_LABEL)
        return self._conversation_key

    def _accounts_key(self) -> bytes:
        """The HMAC key of learned accounts, derived from the deployment's secret."""
        if self._account_key is None:
            self._account_key = derive_key(self._secret(), ACCOUNT_KEY_LABEL)
        return self._account_key

    def _digest(self, key: bytes, unit: str) -> str:
        return hmac.new(key, unit.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()

    # ------------------------------------------------------------- record

    def record(self, obs: Observation, snapshot: MemorySnapshot) -> None:
        """Remember one analysed message (``snapshot``: what :meth:`snapshot` read for it;
        a snapshot of another kind makes the store read again). Nothing is written for a
        message the conversation holds already with the same people, seen recently."""
        if not isinstance(snapshot, StoredSnapshot) or snapshot.keys is None:
            snapshot = self._snapshot(
                obs.ids,
                obs.people,
                obs.sender.address if obs.sender is not None else None,
                set(),
                set(obs.accepted_reply_to),
                (),
            )
        assert snapshot.keys is not None
        keys = snapshot.keys
        conv = snapshot.conversation_ref
        seen = conv is not None and keys.own is not None and keys.own in snapshot.held
        contact = (
            snapshot.contacts.get(clip(obs.sender.address, ADDRESS_MAX)) if obs.sender else None
        )
        if seen and self._unchanged(obs, snapshot):
            return
        obs = obs.settled()
        rec = _Record(
            obs=obs,
            keys=keys,
            conversation=conv,
            held=snapshot.held if conv is not None else frozenset(),
            new_message=not seen,
            sender_sent=0 if seen and contact is not None and contact.sent > 0 else 1,
        )
        if self.writer is None:
            self._write([rec])
        else:
            self.writer.put(rec, _tokens(rec, snapshot))

    def _unchanged(self, obs: Observation, snap: StoredSnapshot) -> bool:
        """The message's conversation holds it already, with every key and person it
        brings, and every contact it would refresh was seen within :data:`REFRESH_AFTER`:
        recording it again would change nothing that matters."""
        assert snap.keys is not None and snap.conversation_ref is not None
        fresh = obs.at - REFRESH_AFTER
        if snap.last_seen_at is None or snap.last_seen_at < fresh:
            return False
        ckey = self._keys_key()
        wanted = {k for k in (*snap.keys.lookup_order(), snap.keys.subject) if k}
        wanted.update(reply_to_key(ckey, snap.conversation_ref, a) for a in obs.accepted_reply_to)
        if not wanted <= snap.held:
            return False
        for p in obs.people:
            if (clip(p.address, ADDRESS_MAX), clip(p.name_key, NAME_MAX)) not in snap.people:
                return False
        if obs.sender is not None:
            p = obs.sender
            c = snap.contacts.get(clip(p.address, ADDRESS_MAX))
            if c is None or c.sent < 1 or c.last_seen < fresh:
                return False
            if obs.sender_authenticated and (
                c.authenticated_at is None or c.authenticated_at < fresh
            ):
                return False
            if p.name_key and (c.name, c.name_key) != (
                clip(p.name, NAME_MAX),
                clip(p.name_key, NAME_MAX),
            ):
                return False
        for p in obs.colleagues:
            if p.name_key:
                c = snap.contacts.get(clip(p.address, ADDRESS_MAX))
                if c is None or not c.colleague or c.last_seen < fresh:
                    return False
        return True

    def _write(self, records: list[_Record]) -> None:
        """Write records in one transaction, each kind of row in one statement
        (executemany) across the records, the rows in key order so that two workers
        writing one thread cannot deadlock."""
        ckey = self._keys_key()
        secret = self._secret()
        with self.store.connection() as c:
            dialect = c.dialect.name
            known = sorted({r.conversation for r in records if r.conversation is not None})
            alive = set(c.scalars(_ALIVE, {"ids": known})) if known else set()
            counts: list[dict[str, Any]] = []
            keys: dict[tuple[str, int], dict[str, Any]] = {}
            texts: dict[tuple[int, str], dict[str, Any]] = {}
            people: list[tuple[tuple[int, str, str], dict[str, Any]]] = []
            senders: list[tuple[str, tuple[str, dict[str, Any]]]] = []
            colleagues: list[tuple[str, dict[str, Any]]] = []
            domains: dict[str, dict[str, Any]] = {}
            accounts: dict[tuple[str, str], dict[str, Any]] = {}
            akey = self._accounts_key()
            for r in records:
                obs, at = r.obs, r.obs.at
                if obs.correspondent and r.new_message:
                    d = clip(obs.correspondent, 253)
                    row = domains.setdefault(
                        d, {"domain": d, "messages": 0, "first_seen": at, "last_seen": at}
                    )
                    row["messages"] += 1
                    row["last_seen"] = max(row["last_seen"], at)
                if obs.owner:
                    owner_hash = keyed_hash(akey, "owner", obs.owner)
                    for k in obs.accounts:
                        digest = _account_digest(akey, obs.owner, k)
                        accounts.setdefault(
                            (owner_hash, digest),
                            {
                                "owner_hash": owner_hash,
                                "digest": digest,
                                "first_seen": at,
                                "last_seen": at,
                            },
                        )["last_seen"] = at
                if r.conversation is not None and r.conversation in alive:
                    cid, held, new = r.conversation, r.held, r.new_message
                    counts.append({"cid": cid, "n": 1 if new else 0, "at": at})
                else:
                    cid = int(
                        c.execute(
                            _NEW_CONVERSATION,
                            {"created_at": at, "last_seen_at": at, "messages": 1},
                        ).scalar_one()
                    )
                    held, new = frozenset(), True
                wanted = [k for k in (*r.keys.lookup_order(), r.keys.subject) if k]
                wanted += [reply_to_key(ckey, cid, a) for a in obs.accepted_reply_to]
                for k in wanted:
                    if k not in held:
                        keys.setdefault((k, cid), {"key_hash": k, "conversation_id": cid})
                for u in obs.text:
                    d = self._digest(secret, u)
                    texts.setdefault((cid, d), {"conversation_id": cid, "digest": d})
                mine: dict[tuple[str, str], dict[str, Any]] = {}
                for p in obs.people:
                    address, name_key = clip(p.address, ADDRESS_MAX), clip(p.name_key, NAME_MAX)
                    mine.setdefault(
                        (address, name_key),
                        {
                            "conversation_id": cid,
                            "address": address,
                            "name_key": name_key,
                            "name": clip(p.name, NAME_MAX),
                            "local_key": clip(p.local_key, 130),
                            "first_seen": at,
                            "last_seen": at,
                        },
                    )
                people.extend(((cid, *k), row) for k, row in mine.items())
                if obs.sender is not None:
                    p = obs.sender
                    kind = "sender" + ("+auth" if obs.sender_authenticated else "")
                    kind += "+name" if p.name_key else ""
                    address = clip(p.address, ADDRESS_MAX)
                    row = {
                        "address": address,
                        "name": clip(p.name, NAME_MAX),
                        "name_key": clip(p.name_key, NAME_MAX),
                        "first_seen": at,
                        "last_seen": at,
                        "sent": r.sender_sent if not new else 1,
                        "authenticated_at": at if obs.sender_authenticated else None,
                        "colleague": False,
                    }
                    senders.append((address, (kind, row)))
                ours: dict[str, dict[str, Any]] = {}
                for p in obs.colleagues:
                    address = clip(p.address, ADDRESS_MAX)
                    if p.name_key and address not in ours:
                        ours[address] = {
                            "address": address,
                            "name": clip(p.name, NAME_MAX),
                            "name_key": clip(p.name_key, NAME_MAX),
                            "first_seen": at,
                            "last_seen": at,
                            "sent": 0,
                            "authenticated_at": None,
                            "colleague": True,
                        }
                colleagues.extend(ours.items())
            if counts:
                c.execute(_COUNT_MESSAGE, sorted(counts, key=lambda row: row["cid"]))
            if keys:
                c.execute(_statement(dialect, "conversation_keys"), [keys[k] for k in sorted(keys)])
            if texts:
                # in the order said: the oldest go first when a conversation holds too many
                c.execute(_statement(dialect, "conversation_text"), list(texts.values()))
                self._trim_text(c, sorted({cid for cid, _ in texts}))
            # A row key met twice in one batch (two messages of a thread, one sender) is
            # written once, as the messages one by one would leave it (``_merged_rows``):
            # a batch of one sender's messages is one upsert, not one per message, and
            # one upsert never meets the same key twice.
            if people:
                c.execute(_statement(dialect, "conversation_people"), _merged_rows(people))
            by_kind: dict[str, list[dict[str, Any]]] = {}
            for kind, sender_row in _merged_senders(senders):
                by_kind.setdefault(kind, []).append(sender_row)
            for kind in sorted(by_kind):
                rows = by_kind[kind]
                c.execute(_statement(dialect, kind), rows if len(rows) > 1 else rows[0])
            if colleagues:
                c.execute(_statement(dialect, "colleagues"), _merged_rows(colleagues))
            if domains:
                c.execute(
                    _statement(dialect, "correspondent_domains"),
                    [domains[d] for d in sorted(domains)],
                )
                if list(c.scalars(_CROSSED, {"domains": sorted(domains)})):
                    self._frequent = None  # a domain became frequent: read them again
            if accounts:
                self._learn(c, dialect, accounts)

    def _learn(
        self, c: Connection, dialect: str, rows: dict[tuple[str, str], dict[str, Any]]
    ) -> None:
        """Write learned accounts, at most :data:`MAX_LEARNED_ACCOUNTS` per organisation
        (those it has are refreshed; new ones beyond the bound are not kept)."""
        owners = sorted({o for o, _ in rows})
        held: dict[str, set[str]] = {}
        for o, d in c.execute(_LEARNED, {"owners": owners}).all():
            held.setdefault(o, set()).add(d)
        out = []
        for o, d in sorted(rows):
            mine = held.setdefault(o, set())
            if d in mine or len(mine) < MAX_LEARNED_ACCOUNTS:
                mine.add(d)
                out.append(rows[(o, d)])
        if out:
            c.execute(_statement(dialect, "learned_accounts"), out)

    def _trim_text(self, c: Connection, conversations: list[int]) -> None:
        """Drop the oldest units of conversations that hold more than the bound."""
        for cid, count in c.execute(_TEXT_COUNTS, {"ids": conversations}).all():
            if count > MAX_UNITS_PER_CONVERSATION:
                oldest = list(
                    c.scalars(
                        select(_T.id)
                        .where(_T.conversation_id == cid)
                        .order_by(_T.id)
                        .limit(count - MAX_UNITS_PER_CONVERSATION)
                    )
                )
                c.execute(delete(_T).where(_T.id.in_(oldest)))

    def forget_before(self, cutoff: datetime) -> int:
        """Drop conversations last seen before ``cutoff``, and senders not seen since,
        in one transaction; returns how many conversations. The service's retention is
        :mod:`caveat.storage.retention`, which does this in bounded batches."""
        self.flush()
        with self.store.session() as s:
            ids = list(
                s.scalars(select(ConversationRow.id).where(ConversationRow.last_seen_at < cutoff))
            )
            if ids:
                s.execute(
                    delete(ConversationKeyRow).where(ConversationKeyRow.conversation_id.in_(ids))
                )
                s.execute(
                    delete(ConversationTextRow).where(ConversationTextRow.conversation_id.in_(ids))
                )
                s.execute(
                    delete(ConversationPersonRow).where(
                        ConversationPersonRow.conversation_id.in_(ids)
                    )
                )
                s.execute(delete(ConversationRow).where(ConversationRow.id.in_(ids)))
            s.execute(
                delete(ContactRow).where(
                    ContactRow.last_seen < cutoff, ContactRow.colleague.is_(False)
                )
            )
            s.execute(
                delete(CorrespondentDomainRow).where(CorrespondentDomainRow.last_seen < cutoff)
            )
            s.execute(delete(LearnedAccountRow).where(LearnedAccountRow.last_seen < cutoff))
        self._frequent = None
        return len(ids)

    def counts(self) -> dict[str, int]:
        self.flush()
        with self.store.session() as s:
            return {
                "conversations": int(
                    s.scalar(select(func.count()).select_from(ConversationRow)) or 0
                ),
                "contacts": int(s.scalar(select(func.count()).select_from(ContactRow)) or 0),
            }

    def text_count(self, conversation: int | None = None) -> int:
        """How many keyed hashes of conversation text are kept (for one conversation)."""
        q = select(func.count()).select_from(ConversationTextRow)
        if conversation is not None:
            q = q.where(ConversationTextRow.conversation_id == conversation)
        self.flush()
        with self.store.session() as s:
            return int(s.scalar(q) or 0)


_STATEMENTS: dict[tuple[str, str], Any] = {}


def _statement(dialect: str, kind: str) -> Any:
    """The memory's batched writes, built once per dialect (building an insert...on conflict
    statement anew took a fifth of an analyze request), executed with a row or a list of rows."""
    found = _STATEMENTS.get((dialect, kind))
    if found is not None:
        return found
    upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    if kind == "conversation_keys":
        stmt: Any = upsert(ConversationKeyRow).on_conflict_do_nothing()
    elif kind == "conversation_text":
        stmt = upsert(ConversationTextRow).on_conflict_do_nothing()
    elif kind == "conversation_people":
        ins = upsert(ConversationPersonRow)
        stmt = ins.on_conflict_do_update(
            index_elements=["conversation_id", "address", "name_key"],
            set_={"last_seen": ins.excluded.last_seen},
        )
    elif kind.startswith("sender"):
        # The sender of a message: its messages counted (a message it was counted for
        # before adds 0); authenticated now, when it was;
        # its name as this message writes it, when it writes one.
        ins = upsert(ContactRow)
        changes: dict[str, Any] = {
            "last_seen": ins.excluded.last_seen,
            "sent": ContactRow.sent + ins.excluded.sent,
        }
        if "+auth" in kind:
            changes["authenticated_at"] = ins.excluded.authenticated_at
        if "+name" in kind:
            changes["name"] = ins.excluded.name
            changes["name_key"] = ins.excluded.name_key
        stmt = ins.on_conflict_do_update(index_elements=["address"], set_=changes)
    elif kind == "correspondent_domains":
        ins = upsert(CorrespondentDomainRow)
        stmt = ins.on_conflict_do_update(
            index_elements=["domain"],
            set_={
                "messages": CorrespondentDomainRow.messages + ins.excluded.messages,
                "last_seen": ins.excluded.last_seen,
            },
        )
    elif kind == "learned_accounts":
        ins = upsert(LearnedAccountRow)
        stmt = ins.on_conflict_do_update(
            index_elements=["owner_hash", "digest"],
            set_={"last_seen": ins.excluded.last_seen},
        )
    elif kind == "colleagues":
        ins = upsert(ContactRow)
        stmt = ins.on_conflict_do_update(
            index_elements=["address"],
            set_={"colleague": True, "last_seen": ins.excluded.last_seen},
        )
    else:
        raise ValueError(f"no batched statement {kind!r}")
    _STATEMENTS[(dialect, kind)] = stmt
    return stmt


def _fetch(c: Connection, sql: str, params: tuple[Any, ...]) -> list[Any]:
    """The rows of one of the snapshot's statements, run on the connection's own driver
    cursor: SQLAlchemy's execution context (result metadata, events, row objects) cost
    more than the statement. A driver error comes back as SQLAlchemy's, which
    :meth:`Store.connection` turns into a StorageError like any other."""
    dbapi = c.dialect.loaded_dbapi
    try:
        cursor = c.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(sql, params)
            return cursor.fetchall()
        finally:
            cursor.close()
    except dbapi.Error as exc:
        raise DBAPIError.instance(sql, params, exc, dbapi.Error) from exc


def _views(rows: Iterable[Any]) -> dict[int, tuple[ConversationView, datetime]]:
    """Conversations with their people (one row per person, or one without), by id."""
    people: dict[int, list[Seen]] = {}
    heads: dict[int, tuple[int, datetime]] = {}
    for r in rows:
        cid = int(r[0])
        if cid not in heads:
            heads[cid] = (int(r[1] or 0), _utc(r[2]))
        seen = people.setdefault(cid, [])
        if r[3] is not None:
            seen.append(Seen(r[3], r[4], r[5], r[6], _utc(r[7])))
    return {
        cid: (ConversationView(tuple(people[cid]), messages), last)
        for cid, (messages, last) in heads.items()
    }


def _tokens(rec: _Record, snap: StoredSnapshot) -> set[str]:
    """What a queued record would change for a later snapshot (see
    :meth:`MemoryStore._snapshot`): its conversation keys, its conversation, the address
    of a sender whose presence, authentication or name it changes, and the names of a
    contact whose presence as a known person it changes; those make the snapshot write
    the queue first. One more message of a known sender is merged instead (the count
    ``lookalike_domain``'s established_sender reads). Last-seen times are not among them:
    no check reads them."""
    tokens = {f"k:{k}" for k in (*rec.keys.lookup_order(), rec.keys.subject) if k}
    if rec.conversation is not None:
        tokens.add(f"c:{rec.conversation}")
    obs = rec.obs
    if obs.sender is not None:
        p = obs.sender
        c = snap.contacts.get(clip(p.address, ADDRESS_MAX))
        appears = c is None or c.sent < 1
        authenticated = obs.sender_authenticated and (c is None or c.authenticated_at is None)
        renamed = bool(p.name_key) and (
            c is None
            or (c.name, c.name_key) != (clip(p.name, NAME_MAX), clip(p.name_key, NAME_MAX))
        )
        if rec.sender_sent:  # merged into a later snapshot's count (``_merged``)
            tokens.add(f"sent:{clip(p.address, ADDRESS_MAX)}")
        if appears or authenticated or renamed:
            tokens.add(f"a:{clip(p.address, ADDRESS_MAX)}")
            if p.name_key:
                tokens.add(f"n:{clip(p.name_key, NAME_MAX)}")
            if c is not None and c.name_key:
                tokens.add(f"n:{c.name_key}")
    for p in obs.colleagues:
        c = snap.contacts.get(clip(p.address, ADDRESS_MAX))
        if p.name_key and (c is None or not c.colleague):
            tokens.add(f"n:{c.name_key if c is not None else clip(p.name_key, NAME_MAX)}")
    if obs.owner and obs.accounts:
        tokens.add(f"o:{obs.owner}")
    return tokens


def _account_digest(key: bytes, owner: str, account: str) -> str:
    """The keyed hash under which ``owner``'s account ``account`` (its key) is learned."""
    return keyed_hash(key, "acct", f"{owner}:{account}")


def _merged_rows(rows: Iterable[tuple[Any, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Rows of an upsert that on conflict refreshes ``last_seen`` alone, one per key, in
    key order: the first of a key with the last one's ``last_seen``."""
    out: dict[Any, dict[str, Any]] = {}
    for key, row in rows:
        held = out.get(key)
        if held is None:
            out[key] = dict(row)
        else:
            held["last_seen"] = row["last_seen"]
    return [out[k] for k in sorted(out)]


def _merged_senders(
    rows: Iterable[tuple[str, tuple[str, dict[str, Any]]]],
) -> list[tuple[str, dict[str, Any]]]:
    """The senders' (kind, row) pairs, one per address, in address order, as the messages
    one by one would leave the contact (see ``_statement``'s "sender"): the first's
    first_seen, the last's last_seen, the sum of sent, the last authenticated one's time,
    the last named one's name (the first's when none is named)."""
    out: dict[str, tuple[bool, bool, dict[str, Any]]] = {}
    for address, (kind, row) in rows:
        auth, named = "+auth" in kind, "+name" in kind
        held = out.get(address)
        if held is None:
            out[address] = (auth, named, dict(row))
            continue
        was_auth, was_named, merged = held
        merged["last_seen"] = row["last_seen"]
        merged["sent"] += row["sent"]
        if auth:
            merged["authenticated_at"] = row["authenticated_at"]
        if named:
            merged["name"], merged["name_key"] = row["name"], row["name_key"]
        out[address] = (was_auth or auth, was_named or named, merged)
    return [
        ("sender" + ("+auth" if auth else "") + ("+name" if named else ""), row)
        for _, (auth, named, row) in sorted(out.items())
    ]
