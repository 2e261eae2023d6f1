"""The conversation memory in the database: a snapshot before analysis, a record after
(what is kept and why: :mod:`caveat.knowledge.memory`)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    delete,
    func,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from caveat.knowledge.memory import (
    CONVERSATION_KEY_LABEL,
    MAX_UNITS_PER_CONVERSATION,
    ConversationKeys,
    ConversationView,
    KnownPerson,
    MemorySnapshot,
    Observation,
    Person,
    Seen,
    SenderView,
    conversation_ids,
    derive_key,
    participants,
    quoted_units,
    reply_to_key,
    shares_enough,
    wanted_name_keys,
)
from caveat.mail.facts import Facts

from .records import (
    ADDRESS_MAX,
    NAME_MAX,
    SUBJECT_CANDIDATES,
    ContactRow,
    ConversationKeyRow,
    ConversationPersonRow,
    ConversationRow,
    ConversationTextRow,
    clip,
    deployment_secret,
)
from .store import Store


class MemoryStore:
    """The conversation memory in the database: a snapshot before analysis, a record after."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._key: bytes | None = None
        self._conversation_key: bytes | None = None

    def snapshot(self, facts: Facts) -> MemorySnapshot:
        ids = conversation_ids(facts)
        people = participants(facts)
        author = facts.author
        names = wanted_name_keys(facts)
        with self.store.session() as s:
            ckey = self._keys_key(s)
            keys = ids.hashed(ckey)
            conv_id = self._find(s, keys, people)
            view = self._view(s, conv_id) if conv_id is not None else None
            sender = None
            if author is not None and author.address:
                row = s.execute(
                    select(
                        ContactRow.first_seen, ContactRow.sent, ContactRow.authenticated_at
                    ).where(ContactRow.address == author.address)
                ).first()
                if row is not None and row.sent > 0:
                    sender = SenderView(row.first_seen, row.sent, row.authenticated_at is not None)
            known: dict[str, list[KnownPerson]] = {}
            if names:
                q = select(
                    ContactRow.name_key, ContactRow.address, ContactRow.name, ContactRow.colleague
                ).where(
                    ContactRow.name_key.in_(sorted(names)),
                    (ContactRow.colleague.is_(True)) | (ContactRow.authenticated_at.is_not(None)),
                )
                for name_key, address, name, colleague in s.execute(q):
                    source = "colleague" if colleague else "authenticated"
                    known.setdefault(name_key, []).append(KnownPerson(address, name, source))
            accepted: frozenset[str] = frozenset()
            if conv_id is not None:
                wanted = {
                    reply_to_key(ckey, conv_id, a.address): a.address
                    for a in (*facts.from_, *facts.reply_to, *facts.to, *facts.cc)
                    if a.address
                }
                if wanted:
                    q2 = select(ConversationKeyRow.key_hash).where(
                        ConversationKeyRow.conversation_id == conv_id,
                        ConversationKeyRow.key_hash.in_(sorted(wanted)),
                    )
                    accepted = frozenset(wanted[k] for k in s.scalars(q2))
            seen_text = self._seen_text(s, conv_id, facts) if conv_id is not None else frozenset()
        return MemorySnapshot(
            available=True,
            conversation=view,
            sender=sender,
            known={k: tuple(v) for k, v in known.items()},
            conversation_ref=conv_id,
            accepted_reply_to=accepted,
            seen_text=seen_text,
        )

    def _secret(self, s: Session) -> bytes:
        """The deployment's HMAC key for conversation text, made on first use."""
        if self._key is None:
            self._key = deployment_secret(s)
        return self._key

    def _keys_key(self, s: Session) -> bytes:
        """The HMAC key of conversation keys, derived from the deployment's secret."""
        if self._conversation_key is None:
            self._conversation_key = derive_key(self._secret(s), CONVERSATION_KEY_LABEL)
        return self._conversation_key

    def _digest(self, key: bytes, unit: str) -> str:
        return hmac.new(key, unit.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()

    def _seen_text(self, s: Session, conv_id: int, facts: Facts) -> frozenset[str]:
        """The units of what ``facts`` quotes that the conversation said before."""
        units = quoted_units(facts)
        if not units:
            return frozenset()
        key = self._secret(s)
        wanted = {self._digest(key, u): u for u in units}
        found: set[str] = set()
        digests = sorted(wanted)
        for i in range(0, len(digests), 500):
            q = select(ConversationTextRow.digest).where(
                ConversationTextRow.conversation_id == conv_id,
                ConversationTextRow.digest.in_(digests[i : i + 500]),
            )
            found.update(wanted[d] for d in s.scalars(q))
        return frozenset(found)

    def _find(self, s: Session, keys: ConversationKeys, people: Sequence[Person]) -> int | None:
        order = keys.lookup_order()
        if order:
            found = dict(
                (k, cid)
                for k, cid in s.execute(
                    select(ConversationKeyRow.key_hash, ConversationKeyRow.conversation_id).where(
                        ConversationKeyRow.key_hash.in_(order)
                    )
                )
            )
            for k in order:
                if k in found:
                    return int(found[k])
        if keys.subject is None:
            return None
        candidates = list(
            s.scalars(
                select(ConversationKeyRow.conversation_id)
                .join(ConversationRow, ConversationRow.id == ConversationKeyRow.conversation_id)
                .where(ConversationKeyRow.key_hash == keys.subject)
                .order_by(ConversationRow.last_seen_at.desc(), ConversationRow.id.desc())
                .limit(SUBJECT_CANDIDATES)
            )
        )
        for cid in candidates:
            view = self._view(s, cid)
            if shares_enough(view.people, people):
                return int(cid)
        return None

    def _view(self, s: Session, conv_id: int) -> ConversationView:
        # Columns, not ORM objects: this runs for every message of a known conversation.
        p = ConversationPersonRow
        rows = s.execute(
            select(p.address, p.name, p.name_key, p.local_key, p.first_seen)
            .where(p.conversation_id == conv_id)
            .order_by(p.first_seen, p.id)
        )
        people = tuple(Seen(*r) for r in rows)
        messages = s.scalar(select(ConversationRow.messages).where(ConversationRow.id == conv_id))
        return ConversationView(people, int(messages or 0))

    def record(self, obs: Observation, snapshot: MemorySnapshot) -> None:
        """Remember one analysed message."""
        at = obs.at
        with self.store.session() as s:
            ckey = self._keys_key(s)
            keys = obs.ids.hashed(ckey)
            conv_id = snapshot.conversation_ref
            if conv_id is None or s.get(ConversationRow, conv_id) is None:
                conv_id = self._find(s, keys, obs.people)
            if conv_id is None:
                conv = ConversationRow(created_at=at, last_seen_at=at, messages=0)
                s.add(conv)
                s.flush()
                conv_id = conv.id
            s.execute(
                update(ConversationRow)
                .where(ConversationRow.id == conv_id)
                .values(messages=ConversationRow.messages + 1, last_seen_at=at)
            )
            wanted = [k for k in (*keys.lookup_order(), keys.subject) if k]
            wanted += [reply_to_key(ckey, conv_id, a) for a in obs.accepted_reply_to]
            dialect = s.get_bind().dialect.name
            conn = s.connection()
            if wanted:
                have = set(
                    s.scalars(
                        select(ConversationKeyRow.key_hash).where(
                            ConversationKeyRow.conversation_id == conv_id,
                            ConversationKeyRow.key_hash.in_(wanted),
                        )
                    )
                )
                new_keys = [k for k in dict.fromkeys(wanted) if k not in have]
                if new_keys:
                    conn.execute(
                        _statement(dialect, "conversation_keys"),
                        [{"key_hash": k, "conversation_id": conv_id} for k in sorted(new_keys)],
                    )
            if obs.text:
                self._remember_text(s, conv_id, obs.text)
            # Each kind of row in one statement (executemany), built once per dialect, the
            # rows in key order so that two workers recording one thread cannot deadlock.
            # (the first of two rows with one key is the one inserted, as one by one)
            people: dict[tuple[str, str], dict[str, object]] = {}
            for p in obs.people:
                address, name_key = clip(p.address, ADDRESS_MAX), clip(p.name_key, NAME_MAX)
                if (address, name_key) not in people:
                    people[(address, name_key)] = {
                        "conversation_id": conv_id,
                        "address": address,
                        "name_key": name_key,
                        "name": clip(p.name, NAME_MAX),
                        "local_key": clip(p.local_key, 130),
                        "first_seen": at,
                        "last_seen": at,
                    }
            if people:
                conn.execute(
                    _statement(dialect, "conversation_people"),
                    [people[k] for k in sorted(people)],
                )
            if obs.sender is not None:
                p = obs.sender
                kind = "sender" + ("+auth" if obs.sender_authenticated else "")
                kind += "+name" if p.name_key else ""
                conn.execute(
                    _statement(dialect, kind),
                    {
                        "address": clip(p.address, ADDRESS_MAX),
                        "name": clip(p.name, NAME_MAX),
                        "name_key": clip(p.name_key, NAME_MAX),
                        "first_seen": at,
                        "last_seen": at,
                        "sent": 1,
                        "authenticated_at": at if obs.sender_authenticated else None,
                        "colleague": False,
                    },
                )
            colleagues: dict[str, dict[str, object]] = {}
            for p in obs.colleagues:
                address = clip(p.address, ADDRESS_MAX)
                if p.name_key and address not in colleagues:
                    colleagues[address] = {
                        "address": address,
                        "name": clip(p.name, NAME_MAX),
                        "name_key": clip(p.name_key, NAME_MAX),
                        "first_seen": at,
                        "last_seen": at,
                        "sent": 0,
                        "authenticated_at": None,
                        "colleague": True,
                    }
            if colleagues:
                conn.execute(
                    _statement(dialect, "colleagues"),
                    [colleagues[k] for k in sorted(colleagues)],
                )

    def _remember_text(self, s: Session, conv_id: int, units: Sequence[str]) -> None:
        key = self._secret(s)
        digests = list(dict.fromkeys(self._digest(key, u) for u in units))
        if not digests:
            return
        # Those the conversation already holds (a message analysed again, a reply quoting
        # it) are not written again; the rest in one statement.
        held: set[str] = set()
        for i in range(0, len(digests), 500):
            held.update(
                s.scalars(
                    select(ConversationTextRow.digest).where(
                        ConversationTextRow.conversation_id == conv_id,
                        ConversationTextRow.digest.in_(digests[i : i + 500]),
                    )
                )
            )
        fresh = [{"conversation_id": conv_id, "digest": d} for d in digests if d not in held]
        if not fresh:
            return
        dialect = s.get_bind().dialect.name
        insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(
            ConversationTextRow
        )
        s.execute(insert.on_conflict_do_nothing(), fresh)
        count = int(
            s.scalar(
                select(func.count())
                .select_from(ConversationTextRow)
                .where(ConversationTextRow.conversation_id == conv_id)
            )
            or 0
        )
        if count > MAX_UNITS_PER_CONVERSATION:
            oldest = list(
                s.scalars(
                    select(ConversationTextRow.id)
                    .where(ConversationTextRow.conversation_id == conv_id)
                    .order_by(ConversationTextRow.id)
                    .limit(count - MAX_UNITS_PER_CONVERSATION)
                )
            )
            s.execute(delete(ConversationTextRow).where(ConversationTextRow.id.in_(oldest)))

    def forget_before(self, cutoff: datetime) -> int:
        """Drop conversations last seen before ``cutoff``, and senders not seen since,
        in one transaction; returns how many conversations. The service's retention is
        :mod:`caveat.storage.retention`, which does this in bounded batches."""
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
        return len(ids)

    def counts(self) -> dict[str, int]:
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
        with self.store.session() as s:
            return int(s.scalar(q) or 0)


_STATEMENTS: dict[tuple[str, str], Any] = {}


def _statement(dialect: str, kind: str) -> Any:
    """The memory's batched writes, built once per dialect (building an insert...on conflict
    statement anew took a fifth of an analyze request), executed with a row or a list of rows."""
    found = _STATEMENTS.get((dialect, kind))
    if found is not None:
        return found
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    if kind == "conversation_keys":
        stmt: Any = insert(ConversationKeyRow).on_conflict_do_nothing()
    elif kind == "conversation_people":
        ins = insert(ConversationPersonRow)
        stmt = ins.on_conflict_do_update(
            index_elements=["conversation_id", "address", "name_key"],
            set_={"last_seen": ins.excluded.last_seen},
        )
    elif kind.startswith("sender"):
        # The sender of a message: one more message sent; authenticated now, when it was;
        # its name as this message writes it, when it writes one.
        ins = insert(ContactRow)
        changes: dict[str, Any] = {
            "last_seen": ins.excluded.last_seen,
            "sent": ContactRow.sent + 1,
        }
        if "+auth" in kind:
            changes["authenticated_at"] = ins.excluded.authenticated_at
        if "+name" in kind:
            changes["name"] = ins.excluded.name
            changes["name_key"] = ins.excluded.name_key
        stmt = ins.on_conflict_do_update(index_elements=["address"], set_=changes)
    elif kind == "colleagues":
        ins = insert(ContactRow)
        stmt = ins.on_conflict_do_update(
            index_elements=["address"],
            set_={"colleague": True, "last_seen": ins.excluded.last_seen},
        )
    else:
        raise ValueError(f"no batched statement {kind!r}")
    _STATEMENTS[(dialect, kind)] = stmt
    return stmt
