"""The conversation memory of one process, in dictionaries: for a one-off ``caveat scan``.

It answers exactly as the database's memory (:mod:`caveat.storage.memory_store`) would
after the same messages: the same conversations found by the same keys, the same people
in the same order with the same first-seen times, the same senders, colleagues, accepted
reply addresses and quoted text vouched for, within the same bounds (the columns' lengths,
:data:`~caveat.knowledge.memory.MAX_UNITS_PER_CONVERSATION`), and the same rule for a
message seen again (not counted twice; nothing written when nothing would change). Only the
cost differs: a snapshot and a record are dictionary lookups, not SQL statements.
``tests/storage/test_process_memory_matches.py`` holds it to that, on every backend.

What it holds lives in this process and dies with it; nothing is written anywhere. So the
conversation keys and the units of text are kept as the values themselves, not as keyed
hashes: the hashes guard a copy of a database, and there is none. Compared as values, they
match exactly when their hashes would.

It keeps no time limit (a scan is one run) and no lock: one thread uses it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from caveat.mail.facts import Facts

from .memory import (
    CORRESPONDENT_MESSAGES,
    MAX_CORRESPONDENTS,
    MAX_LEARNED_ACCOUNTS,
    MAX_UNITS_PER_CONVERSATION,
    NO_CORRESPONDENTS,
    ConversationIds,
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
    participants,
    quoted_units,
    shares_enough,
    wanted_name_keys,
)

#: The longest value each kind of field keeps, as the database's columns do
#: (:mod:`caveat.storage.records`): what is longer is cut there, and so here.
ADDRESS_MAX = 320
NAME_MAX = 300
LOCAL_KEY_MAX = 130
#: A message analysed again changes nothing while what it would refresh (its
#: conversation's and contacts' last-seen times) is younger than this, as in the database.
REFRESH_AFTER = timedelta(days=1)
#: Conversations found by their subject alone that are compared by participants (the
#: most recently seen first), as the database does.
SUBJECT_CANDIDATES = 20

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _stored(value: str) -> str:
    """``value`` as a database column keeps it: NUL and lone surrogates become U+FFFD
    (PostgreSQL refuses the one, no driver encodes the other), so that both memories store,
    find and answer the same."""
    if value.isascii() and "\x00" not in value:
        return value
    return _UNSTORABLE.sub("\ufffd", value)


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC)


#: A conversation key in clear: (kind, value), the kinds of :class:`ConversationIds`
#: ("cid", "mid", "subj"), and "rto" for an accepted reply address.
Key = tuple[str, str]


@dataclass(slots=True)
class _Person:
    order: int  # insertion order: breaks ties between people first seen at one time
    address: str
    name: str
    name_key: str
    local_key: str
    first_seen: datetime


@dataclass(slots=True)
class _Conversation:
    id: int
    last_seen_at: datetime
    messages: int = 0
    keys: set[Key] = field(default_factory=set)
    people: dict[tuple[str, str], _Person] = field(default_factory=dict)
    #: units of text said in the conversation, oldest first (a dict as an ordered set)
    text: dict[str, None] = field(default_factory=dict)


@dataclass(slots=True)
class _Contact:
    order: int
    address: str
    name: str
    name_key: str
    first_seen: datetime
    last_seen: datetime
    sent: int
    authenticated_at: datetime | None
    colleague: bool


class ProcessMemory:
    """The conversation memory in this process's own dictionaries (a
    :class:`~caveat.knowledge.memory.Memory`)."""

    def __init__(self) -> None:
        self._conversations: dict[int, _Conversation] = {}
        #: conversation key -> the conversations holding it
        self._by_key: dict[Key, set[int]] = {}
        #: contacts by address, as stored (cut to length, unstorable characters replaced)
        self._contacts: dict[str, _Contact] = {}
        #: stored name key -> addresses of the contacts bearing it
        self._by_name: dict[str, set[str]] = {}
        self._next_conversation = 1
        self._next_person = 1
        self._next_contact = 1
        #: correspondent domain -> unremarkable authenticated messages from it
        self._correspondents: dict[str, int] = {}
        self._frequent: Correspondents | None = NO_CORRESPONDENTS
        #: account owner -> account key -> first seen
        self._accounts: dict[str, dict[str, datetime]] = {}

    # ------------------------------------------------------------------ reading

    def snapshot(self, facts: Facts) -> MemorySnapshot:
        ids = conversation_ids(facts)
        conv_id = self._find(_lookup(ids), _subject(ids), participants(facts))
        conv = self._conversations.get(conv_id) if conv_id is not None else None
        sender = None
        author = facts.author
        if author is not None and author.address:
            contact = self._contact_of(author.address)
            if contact is not None and contact.sent > 0:
                sender = SenderView(
                    contact.first_seen, contact.sent, contact.authenticated_at is not None
                )
        return MemorySnapshot(
            available=True,
            conversation=self._view(conv) if conv is not None else None,
            sender=sender,
            known=self._known(wanted_name_keys(facts)),
            conversation_ref=conv_id,
            accepted_reply_to=self._accepted(conv, facts) if conv is not None else frozenset(),
            seen_text=self._seen_text(conv, facts) if conv is not None else frozenset(),
            correspondents=self._frequent_correspondents(),
            accounts=self._learned(facts),
        )

    def _frequent_correspondents(self) -> Correspondents:
        if self._frequent is None:
            frequent = sorted(
                (d for d, n in self._correspondents.items() if n >= CORRESPONDENT_MESSAGES),
                key=lambda d: (-self._correspondents[d], d),
            )[:MAX_CORRESPONDENTS]
            self._frequent = Correspondents(frequent) if frequent else NO_CORRESPONDENTS
        return self._frequent

    def _learned(self, facts: Facts) -> LearnedAccounts | None:
        author = facts.author
        owner = account_owner(author.address, author.domain) if author is not None else ""
        known = self._accounts.get(owner) if owner else None
        if not known:
            return None
        return LearnedAccounts(owner, dict(known), _same, len(known))

    def _contact_of(self, address: str) -> _Contact | None:
        """The contact of an address as a message gives it. An address the database would
        store otherwise than given (cut to length, or holding NUL or a lone surrogate) finds
        nothing there: the stored row does not equal it, so here neither."""
        return self._contacts.get(address) if len(address) <= ADDRESS_MAX else None

    def _find(
        self, order: tuple[Key, ...], subject: Key | None, people: Sequence[Person]
    ) -> int | None:
        for key in order:
            held = self._by_key.get(key)
            if held:
                # a key two conversations hold (one Message-ID in two threads) names the
                # newer, as the database's index returns them
                return max(held)
        if subject is None:
            return None
        held = self._by_key.get(subject)
        if not held:
            return None
        candidates = sorted(
            (self._conversations[c] for c in held),
            key=lambda c: (c.last_seen_at, c.id),
            reverse=True,
        )[:SUBJECT_CANDIDATES]
        for conv in candidates:
            if shares_enough(self._view(conv).people, people):
                return conv.id
        return None

    @staticmethod
    def _view(conv: _Conversation) -> ConversationView:
        people = sorted(conv.people.values(), key=lambda p: (p.first_seen, p.order))
        return ConversationView(
            tuple(Seen(p.address, p.name, p.name_key, p.local_key, p.first_seen) for p in people),
            conv.messages,
        )

    def _known(self, names: set[str]) -> dict[str, tuple[KnownPerson, ...]]:
        """Colleagues and authenticated senders bearing the names, by address."""
        known: dict[str, tuple[KnownPerson, ...]] = {}
        for name_key in names:
            found = sorted(
                (
                    c
                    for c in (self._contacts[a] for a in self._by_name.get(name_key, ()))
                    if c.colleague or c.authenticated_at is not None
                ),
                key=lambda c: c.address,
            )
            if found:
                known[name_key] = tuple(
                    KnownPerson(c.address, c.name, "colleague" if c.colleague else "authenticated")
                    for c in found
                )
        return known

    @staticmethod
    def _accepted(conv: _Conversation, facts: Facts) -> frozenset[str]:
        return frozenset(
            a.address
            for a in (*facts.from_, *facts.reply_to, *facts.to, *facts.cc)
            if a.address and ("rto", a.address) in conv.keys
        )

    @staticmethod
    def _seen_text(conv: _Conversation, facts: Facts) -> frozenset[str]:
        if not conv.text:
            return frozenset()
        return frozenset(u for u in quoted_units(facts) if u in conv.text)

    # ------------------------------------------------------------------ writing

    def record(self, obs: Observation, snapshot: MemorySnapshot) -> None:
        """Remember one analysed message. A message its conversation holds already is not
        counted again; with the same keys and people, seen lately, it changes nothing."""
        at = _utc(obs.at)
        ids = obs.ids
        lookup, subject = _lookup(ids), _subject(ids)
        wanted = (*lookup, *((subject,) if subject else ()))
        conv_id = snapshot.conversation_ref
        if conv_id is not None and conv_id not in self._conversations:
            conv_id = None
        if not snapshot.available:  # not a snapshot of a memory: look the conversation up
            conv_id = self._find(lookup, subject, obs.people)
        conv = self._conversations.get(conv_id) if conv_id is not None else None
        seen = conv is not None and bool(ids.own) and ("mid", ids.own or "") in conv.keys
        if conv is not None and seen and self._unchanged(conv, obs, wanted, at):
            return
        obs = obs.settled()
        if conv is None:
            conv = _Conversation(self._next_conversation, at)
            self._next_conversation += 1
            self._conversations[conv.id] = conv
            seen = False
        if not seen:
            conv.messages += 1
        conv.last_seen_at = at
        for key in wanted:
            self._add_key(conv, key)
        for address in obs.accepted_reply_to:
            conv.keys.add(("rto", address))
        if obs.text:
            self._remember_text(conv, obs.text)
        self._remember_people(conv, obs.people, at)
        if obs.sender is not None:
            contact = self._contact_of(obs.sender.address)
            counted = seen and contact is not None and contact.sent > 0
            self._remember_sender(obs.sender, obs.sender_authenticated, at, 0 if counted else 1)
        colleagues: dict[str, Person] = {}
        for p in obs.colleagues:
            address = p.address[:ADDRESS_MAX]
            if p.name_key and address not in colleagues:
                colleagues[address] = p
        for address in sorted(colleagues):
            self._remember_colleague(colleagues[address], at)
        if obs.correspondent and not seen:
            n = self._correspondents.get(obs.correspondent, 0) + 1
            self._correspondents[obs.correspondent] = n
            if n == CORRESPONDENT_MESSAGES:
                self._frequent = None  # rebuilt on the next snapshot
        if obs.owner and obs.accounts:
            known = self._accounts.setdefault(obs.owner, {})
            for key in obs.accounts:
                if key not in known and len(known) < MAX_LEARNED_ACCOUNTS:
                    known[key] = at

    def _unchanged(
        self, conv: _Conversation, obs: Observation, wanted: tuple[Key, ...], at: datetime
    ) -> bool:
        """The conversation holds the message with every key and person it brings, and
        every contact it would refresh was seen within :data:`REFRESH_AFTER`."""
        fresh = at - REFRESH_AFTER
        if conv.last_seen_at < fresh:
            return False
        if any(k not in conv.keys for k in wanted):
            return False
        if any(("rto", a) not in conv.keys for a in obs.accepted_reply_to):
            return False
        for p in obs.people:
            if (p.address[:ADDRESS_MAX], p.name_key[:NAME_MAX]) not in conv.people:
                return False
        if obs.sender is not None:
            p = obs.sender
            c = self._contact_of(p.address)
            if c is None or c.sent < 1 or c.last_seen < fresh:
                return False
            if obs.sender_authenticated and (
                c.authenticated_at is None or c.authenticated_at < fresh
            ):
                return False
            if p.name_key and (c.name, c.name_key) != (p.name[:NAME_MAX], p.name_key[:NAME_MAX]):
                return False
        for p in obs.colleagues:
            if p.name_key:
                c = self._contact_of(p.address)
                if c is None or not c.colleague or c.last_seen < fresh:
                    return False
        return True

    def _add_key(self, conv: _Conversation, key: Key) -> None:
        if key not in conv.keys:
            conv.keys.add(key)
            self._by_key.setdefault(key, set()).add(conv.id)

    @staticmethod
    def _remember_text(conv: _Conversation, units: tuple[str, ...]) -> None:
        text = conv.text
        for unit in units:
            text.setdefault(unit)
        extra = len(text) - MAX_UNITS_PER_CONVERSATION
        if extra > 0:  # the oldest go first
            for unit in list(text)[:extra]:
                del text[unit]

    def _remember_people(
        self, conv: _Conversation, people: tuple[Person, ...], at: datetime
    ) -> None:
        # New people are numbered in the order of their (address, name key), as the
        # database inserts them: that order breaks ties between people first seen together.
        fresh: dict[tuple[str, str], Person] = {}
        for p in people:
            fresh.setdefault((p.address[:ADDRESS_MAX], p.name_key[:NAME_MAX]), p)
        for key in sorted(fresh):
            p = fresh[key]
            stored = (_stored(key[0]), _stored(key[1]))
            if stored in conv.people:
                continue  # known: the database changes only its last-seen time
            conv.people[stored] = _Person(
                self._next_person,
                stored[0],
                _stored(p.name[:NAME_MAX]),
                stored[1],
                _stored(p.local_key[:LOCAL_KEY_MAX]),
                at,
            )
            self._next_person += 1

    def _upsert_contact(self, address: str, name: str, name_key: str, at: datetime) -> _Contact:
        """The contact at ``address`` (stored form), added when new (no message sent, no
        colleague), its last-seen time ``at``."""
        contact = self._contacts.get(address)
        if contact is None:
            contact = _Contact(self._next_contact, address, name, name_key, at, at, 0, None, False)
            self._next_contact += 1
            self._contacts[address] = contact
            self._by_name.setdefault(name_key, set()).add(address)
        contact.last_seen = at
        return contact

    def _remember_sender(self, p: Person, authenticated: bool, at: datetime, sent: int) -> None:
        address = _stored(p.address[:ADDRESS_MAX])
        name, name_key = _stored(p.name[:NAME_MAX]), _stored(p.name_key[:NAME_MAX])
        new = address not in self._contacts
        contact = self._upsert_contact(address, name, name_key, at)
        contact.sent += sent
        if authenticated:
            contact.authenticated_at = at
        if not new and p.name_key:
            # a known sender's name becomes the one this message writes
            if contact.name_key != name_key:
                self._by_name[contact.name_key].discard(address)
                self._by_name.setdefault(name_key, set()).add(address)
            contact.name, contact.name_key = name, name_key

    def _remember_colleague(self, p: Person, at: datetime) -> None:
        address = _stored(p.address[:ADDRESS_MAX])
        name, name_key = _stored(p.name[:NAME_MAX]), _stored(p.name_key[:NAME_MAX])
        self._upsert_contact(address, name, name_key, at).colleague = True

    # ------------------------------------------------------------------ counting

    def counts(self) -> dict[str, int]:
        return {"conversations": len(self._conversations), "contacts": len(self._contacts)}


def _same(value: str) -> str:
    return value


def _lookup(ids: ConversationIds) -> tuple[Key, ...]:
    """The keys a message's conversation is looked up by, strongest first (as
    :meth:`~caveat.knowledge.memory.ConversationKeys.lookup_order`, in clear)."""
    keys: list[Key] = [("cid", ids.client)] if ids.client else []
    keys.extend(dict.fromkeys(("mid", m) for m in ids.thread))
    if ids.own:
        keys.append(("mid", ids.own))
    return tuple(keys)


def _subject(ids: ConversationIds) -> Key | None:
    return ("subj", ids.subject) if ids.subject else None
