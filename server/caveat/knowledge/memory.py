"""Conversation memory: what the engine may know about earlier messages, as plain data.

The engine stays pure: before a message is analysed, the caller (API, CLI, tests) asks the
store for a :class:`MemorySnapshot` of exactly what the checks may consult — the people
of the conversation the message belongs to, whether its sender was seen before, and the
known people who bear the names in it — and after the analysis it records the message
with :func:`observe`. Both steps take the same facts, so the snapshot and the record
agree on keys and names.

What is kept (and nothing else): normalised addresses, display names, conversation keys
(conversation id, Message-IDs, normalised subject) as keyed hashes, timestamps and
whether a sender's authentication passed. No subject or body is stored in clear.

Conversation keys are HMAC-SHA-256 under a key derived from the deployment's secret
(:func:`derive_key`), never plain SHA-256: a subject or Message-ID someone guesses cannot
be confirmed from a copy of the database without the secret. The facts a message gives in
clear (:class:`ConversationIds`) stay in the process and are hashed before a store sees
them.

What one message adds is bounded whatever its headers hold: at most
:data:`MAX_THREAD_IDS` Message-IDs of In-Reply-To and References (the thread's root and
the nearest ancestors, see :func:`conversation_ids`), :data:`MAX_PEOPLE_PER_MESSAGE`
participants and :data:`MAX_ACCEPTED_REPLY_TO` accepted reply addresses are remembered.

What the conversation said, for telling a real quote from a sender-written one: each
sentence and paragraph of a message's own words (above any quote line, in the body and in
the HTML part), folded to its words (:func:`caveat.reference.bank_language.text_units`), is
kept as a keyed hash (HMAC-SHA-256 with a secret of the deployment) with its conversation,
at most :data:`MAX_UNITS_PER_MESSAGE` per message and :data:`MAX_UNITS_PER_CONVERSATION`
per conversation, and dropped with the conversation. Before a message is analysed, the
store hashes the units of what it quotes and answers which of them the conversation said
before (:attr:`MemorySnapshot.seen_text`): only those may be discounted as quoted. The
text itself is never stored; the hashes cannot be read back, and without the secret they
cannot be matched against guessed text either.

Reply-To is where answers go, not who takes part, so it never joins the people of a
conversation. But a Reply-To that Caveat found unremarkable (the message's level was none
or info: a newsletter answered at its editor's address, a ticket system's reply address)
is remembered, hashed with the conversation, as an *accepted reply address*: answering it
later is what the message asked for, not a swap. A Reply-To on a message that drew a
caution or a danger is never accepted, so the send-time guard still warns about it.

What vouches for a sender later: only what the memory learnt from unremarkable mail that
passed authentication at our boundary, or from our own people. A message that drew a
caution or a danger is recorded (its conversation, its people, one more message from its
sender) but vouches for nothing: its sender's authentication is not remembered and its
words are not kept, so the impostor's second message is judged as the first was, not as
an authenticated contact's, an established sender's, or a real quote of the conversation.
That an address took part in a conversation (its own messages, or our replies to it)
never makes its name its own: :func:`caveat.checks.freemail_impersonation.known_people`
lists it, but only the directory, colleagues and authenticated senders say an address is
the person's.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from caveat.mail.domains import org_domain
from caveat.mail.facts import Address, Facts
from caveat.mail.names import is_person_name, local_key, local_words, name_key, subject_key
from caveat.reference.bank_identifiers import extract, may_name_strong
from caveat.reference.bank_language import readings, text_units, words_of
from caveat.reference.freemail import FreemailList

if TYPE_CHECKING:
    from caveat.reference.lookalike import LookalikeIndex

#: A subject this short ("Re:", "hi", "invoice") names no particular thread.
MIN_SUBJECT_KEY = 8
#: Participants a message must share with a conversation found by its subject alone.
MIN_SHARED_PARTICIPANTS = 2
#: Units of text (sentences, paragraphs) remembered per message and per conversation.
MAX_UNITS_PER_MESSAGE = 300
MAX_UNITS_PER_CONVERSATION = 3000
#: In-Reply-To Message-IDs used per message (it names the parent; RFC 5322 allows more).
MAX_IN_REPLY_TO = 2
#: References used per message: the first (the thread's root) and the last ones, which
#: are the nearest ancestors (RFC 5322 3.6.4: a reply's References are its parent's
#: References followed by the parent's Message-ID).
MAX_REFERENCES = 10
#: Message-IDs of the thread one message can look up and add, at most.
MAX_THREAD_IDS = MAX_IN_REPLY_TO + MAX_REFERENCES
#: Participants (From, then To, then Cc) one message adds to its conversation.
MAX_PEOPLE_PER_MESSAGE = 50
#: Reply-To addresses one unremarkable message adds as accepted.
MAX_ACCEPTED_REPLY_TO = 5

#: The label under which the conversation keys' HMAC key is derived from the secret.
CONVERSATION_KEY_LABEL = b"caveat conversation keys v1"
#: The label under which the learned accounts' HMAC key is derived from the secret.
ACCOUNT_KEY_LABEL = b"caveat learned accounts v1"
#: Unremarkable authenticated messages from a domain that make it a frequent correspondent.
CORRESPONDENT_MESSAGES = 3
#: Frequent correspondents' domains used as look-alike targets, the most frequent first.
MAX_CORRESPONDENTS = 5000
#: Accounts one message adds to its sender's organisation, and one organisation keeps.
MAX_ACCOUNTS_PER_MESSAGE = 5
MAX_LEARNED_ACCOUNTS = 20
#: A learned account counts as known once it was first seen this long ago: an account an
#: intruder slips into a partner's mailbox today is not vouched for by tomorrow.
LEARNED_AFTER = timedelta(days=7)


def derive_key(secret: bytes, label: bytes) -> bytes:
    """A key of its own for one use of the deployment's secret (HMAC-SHA-256 of the label
    under the secret), so that hashes made for one purpose never match another's."""
    return hmac.new(secret, label, hashlib.sha256).digest()


def keyed_hash(key: bytes, kind: str, value: str) -> str:
    """HMAC-SHA-256 (hex) of ``kind:value`` under ``key``."""
    data = f"{kind}:{value}".encode("utf-8", "surrogatepass")
    return hmac.new(key, data, hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class ConversationIds:
    """The ways to find a message's conversation, in clear and bounded. They stay in the
    process: :meth:`hashed` makes the keys a store sees."""

    client: str | None  # the mail client's conversation id
    thread: tuple[str, ...]  # Message-IDs it answers (In-Reply-To, References)
    own: str | None  # its own Message-ID
    subject: str | None  # normalised subject, when long enough to name a thread

    def hashed(self, key: bytes) -> ConversationKeys:
        return ConversationKeys(
            client=keyed_hash(key, "cid", self.client) if self.client else None,
            thread=tuple(dict.fromkeys(keyed_hash(key, "mid", m) for m in self.thread)),
            own=keyed_hash(key, "mid", self.own) if self.own else None,
            subject=keyed_hash(key, "subj", self.subject) if self.subject else None,
        )


@dataclass(frozen=True, slots=True)
class ConversationKeys:
    """Hashed ways to find a message's conversation, strongest first."""

    client: str | None  # the mail client's conversation id
    thread: tuple[str, ...]  # Message-IDs it answers (In-Reply-To, References)
    own: str | None  # its own Message-ID, under which later replies find it
    subject: str | None  # normalised subject; needs shared participants to count

    def lookup_order(self) -> tuple[str, ...]:
        keys = [self.client] if self.client else []
        keys.extend(self.thread)
        if self.own:
            keys.append(self.own)
        return tuple(keys)


def reply_to_key(key: bytes, conversation: int, address: str) -> str:
    """The hashed record that ``address`` is an accepted reply address of the conversation
    the store knows as ``conversation`` (one per conversation: no address is shared)."""
    return keyed_hash(key, "rto", f"{conversation}:{address}")


def thread_ids(facts: Facts) -> tuple[str, ...]:
    """The Message-IDs a message answers, bounded: In-Reply-To (at most
    :data:`MAX_IN_REPLY_TO`), then the first of References (the thread's root) and its
    last ones (the nearest ancestors), :data:`MAX_REFERENCES` in all, each once."""
    refs = facts.references
    if len(refs) > MAX_REFERENCES:
        refs = (refs[0], *refs[len(refs) - MAX_REFERENCES + 1 :])
    return tuple(dict.fromkeys((*facts.in_reply_to[:MAX_IN_REPLY_TO], *refs)))


def conversation_ids(facts: Facts) -> ConversationIds:
    subject = subject_key(facts.subject)
    return ConversationIds(
        client=facts.conversation_id or None,
        thread=thread_ids(facts),
        own=facts.message_id or None,
        subject=subject if len(subject) >= MIN_SUBJECT_KEY else None,
    )


def conversation_keys(facts: Facts, key: bytes) -> ConversationKeys:
    """The hashed keys of the message's conversation under ``key`` (see
    :func:`derive_key`)."""
    return conversation_ids(facts).hashed(key)


@dataclass(frozen=True, slots=True)
class Person:
    """One participant as a message shows them."""

    address: str
    name: str
    name_key: str  # "" when the display name has no letters or is an address
    local_key: str  # "" unless the local part carries a name
    role: str  # "from", "to", "cc"


def participants(facts: Facts) -> tuple[Person, ...]:
    """From, To and Cc, each address once (Reply-To is where answers go, not who takes
    part: it is judged, never remembered)."""
    out: dict[str, Person] = {}
    for role, addrs in (("from", facts.from_), ("to", facts.to), ("cc", facts.cc)):
        for a in addrs:
            if a.address and a.domain and a.address not in out:
                out[a.address] = person(a, role)
    return tuple(out.values())


def person(a: Address, role: str) -> Person:
    return Person(
        address=a.address,
        name=a.name,
        name_key=name_key(a.name),
        local_key=local_key(a.local),
        role=role,
    )


@dataclass(frozen=True, slots=True)
class Seen:
    """A participant the conversation showed before."""

    address: str
    name: str
    name_key: str
    local_key: str
    first_seen: datetime


@dataclass(frozen=True, slots=True)
class ConversationView:
    people: tuple[Seen, ...]
    messages: int

    def established(self) -> dict[str, Seen]:
        """For each name key and each local-part key, the address it had first."""
        out: dict[str, Seen] = {}
        for s in sorted(self.people, key=lambda s: (s.first_seen, s.address)):
            if s.name_key:
                out.setdefault("n:" + s.name_key, s)
            if s.local_key:
                out.setdefault("l:" + s.local_key, s)
        return out


@dataclass(frozen=True, slots=True)
class KnownPerson:
    """Someone whose name the organisation knows, and where it knows them."""

    address: str
    name: str
    source: str  # "directory", "colleague", "authenticated", "conversation"
    organization: str = ""


@dataclass(frozen=True, slots=True)
class SenderView:
    first_seen: datetime
    messages: int
    authenticated: bool


@functools.cache
def _freemail() -> FreemailList:
    return FreemailList.packaged()


def account_owner(address: str, domain: str) -> str:
    """Whose accounts a sender's are: its organisation's registrable domain, or for a
    free-mail sender the address itself (a free-mail domain is everyone's)."""
    if not address or not domain:
        return ""
    if domain in _freemail():
        return address
    return org_domain(domain)


def correspondent_domain(domain: str) -> str:
    """The domain counted for a frequent correspondent ("" for free mail)."""
    if not domain or domain in _freemail():
        return ""
    return org_domain(domain)


class Correspondents:
    """The frequent correspondents' domains, and their look-alike index (built once, on
    first use). Equal when the domains are."""

    #: what the owner of a correspondent's domain is called in a finding
    OWNER = "a frequent correspondent"

    __slots__ = ("_index", "domains")

    def __init__(self, domains: Iterable[str]) -> None:
        self.domains = frozenset(domains)
        self._index: LookalikeIndex | None = None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Correspondents) and self.domains == other.domains

    def __hash__(self) -> int:
        return hash(self.domains)

    def __len__(self) -> int:
        return len(self.domains)

    def __repr__(self) -> str:
        return f"Correspondents({len(self.domains)} domains)"

    def index(self) -> LookalikeIndex:
        if self._index is None:
            from caveat.reference.lookalike import LookalikeIndex

            self._index = LookalikeIndex((d, self.OWNER) for d in self.domains)
        return self._index


NO_CORRESPONDENTS = Correspondents(())


@dataclass(frozen=True)
class LearnedAccounts:
    """The accounts remembered for the sender's organisation (see the module's docstring):
    ``first_seen`` by digest; ``digest`` makes an account's key into one (a keyed hash in
    the database, the key itself in a process's own memory)."""

    owner: str
    first_seen: Mapping[str, datetime] = field(compare=False)
    digest: Callable[[str], str] = field(compare=False, repr=False)
    #: how many are remembered (compared: the digests of two memories differ)
    count: int = 0

    def known(self, now: datetime) -> frozenset[str]:
        """The digests of the accounts that count as known at ``now``."""
        return frozenset(d for d, t in self.first_seen.items() if now - t >= LEARNED_AFTER)

    def knows(self, account_key: str, now: datetime) -> bool:
        t = self.first_seen.get(self.digest(account_key))
        return t is not None and now - t >= LEARNED_AFTER


@dataclass(frozen=True)
class MemorySnapshot:
    """What the store knows that bears on one message."""

    #: False when no store stands behind the snapshot (nothing was remembered, so
    #: "never seen" means nothing)
    available: bool = False
    conversation: ConversationView | None = None
    sender: SenderView | None = None
    #: name key -> known people (colleagues and authenticated senders) with that name
    known: Mapping[str, tuple[KnownPerson, ...]] = field(default_factory=dict)
    #: the store's handle of the conversation found, so the record lands in the same one
    conversation_ref: int | None = None
    #: the message's addresses that an earlier message of the conversation, found
    #: unremarkable, gave as its Reply-To (see the module's docstring)
    accepted_reply_to: frozenset[str] = frozenset()
    #: the units of what the message quotes (see :func:`quoted_units`) that an earlier
    #: message of the conversation said in its own words: the quote of them is real
    seen_text: frozenset[str] = frozenset()
    #: the frequent correspondents (see the module's docstring)
    correspondents: Correspondents = NO_CORRESPONDENTS
    #: the accounts learned for the sender's organisation (None: none are)
    accounts: LearnedAccounts | None = None

    @property
    def sender_vouched(self) -> bool:
        """The From address sent mail before that passed authentication at our boundary
        and drew no warning: only then does its part in a conversation vouch for it (see
        the module's docstring)."""
        return self.sender is not None and self.sender.authenticated


EMPTY = MemorySnapshot()


class Memory(Protocol):
    """Where the conversation memory lives: the database (:mod:`caveat.storage.
    memory_store`) for the service, or one process's own for a one-off scan."""

    def snapshot(self, facts: Facts) -> MemorySnapshot:
        """What is remembered that bears on this message (read before the engine)."""
        ...

    def record(self, obs: Observation, snapshot: MemorySnapshot) -> None:
        """Remember one analysed message (``snapshot`` is what was read for it); an
        observation kept past the call is :meth:`Observation.settled` first."""
        ...


def wanted_name_keys(facts: Facts) -> set[str]:
    """Every name key the checks may ask about: the participants' and Reply-To's display
    names, and the names a local part may spell (two or three of its words)."""
    keys: set[str] = set()
    for a in (*facts.from_, *facts.reply_to, *facts.to, *facts.cc):
        k = name_key(a.name)
        if is_person_name(k):
            keys.add(k)
        keys.update(local_name_keys(a.local))
    return keys


def local_name_keys(local: str) -> set[str]:
    """Name keys a local part could spell: any two or three of its words ("felix.brandt.
    partnerb" spells "brandt felix")."""
    words = [w for w in local_words(local) if len(w) > 1][:6]
    out: set[str] = set()
    for i, a in enumerate(words):
        for j in range(i + 1, len(words)):
            b = words[j]
            k2 = " ".join(sorted((a, b)))
            if is_person_name(k2):
                out.add(k2)
            for c in words[j + 1 :]:
                k3 = " ".join(sorted((a, b, c)))
                if is_person_name(k3):
                    out.add(k3)
    return out


def shares_enough(view: Iterable[Seen], people: Iterable[Person]) -> bool:
    """A conversation found only by its subject is this message's when they share at least
    two participants (by address, or by a person's name)."""
    addresses = {p.address for p in people}
    names = {p.name_key for p in people if p.name_key}
    shared = 0
    for s in view:
        if s.address in addresses or (s.name_key and s.name_key in names):
            shared += 1
            if shared >= MIN_SHARED_PARTICIPANTS:
                return True
    return False


@dataclass(frozen=True)
class Observation:
    """What the store records after a message was analysed."""

    #: in clear, in the process only: the store hashes them (see :class:`ConversationIds`)
    ids: ConversationIds
    people: tuple[Person, ...]
    sender: Person | None
    sender_authenticated: bool
    #: people of our own organisation (their names make them known colleagues)
    colleagues: tuple[Person, ...]
    at: datetime
    #: Reply-To addresses to remember as accepted (the message was found unremarkable)
    accepted_reply_to: tuple[str, ...] = ()
    #: the units of the message's own words (see :func:`own_units`), to be kept hashed
    text: tuple[str, ...] = ()
    #: how to work ``text`` out, left to the store (:meth:`settled`): a message it will
    #: not write again needs none of it
    later_text: Callable[[], tuple[str, ...]] | None = field(
        default=None, repr=False, compare=False
    )
    #: the frequent-correspondent domain this message counts for ("" for none)
    correspondent: str = ""
    #: whose accounts it names (see :func:`account_owner`; "" when none are learned)
    owner: str = ""
    #: the keys of the accounts it names in its own words, to be kept hashed
    accounts: tuple[str, ...] = ()
    later_accounts: Callable[[], tuple[str, ...]] | None = field(
        default=None, repr=False, compare=False
    )

    def settled(self) -> Observation:
        """This observation with its ``text`` and ``accounts`` worked out; a store calls it
        before it keeps the observation, which then holds nothing of the message but its
        units and account keys."""
        if self.later_text is None and self.later_accounts is None:
            return self
        return replace(
            self,
            text=self.later_text() if self.later_text is not None else self.text,
            later_text=None,
            accounts=self.later_accounts() if self.later_accounts is not None else self.accounts,
            later_accounts=None,
        )


def observe(
    facts: Facts,
    *,
    at: datetime,
    authenticated: bool,
    internal: Iterable[str],
    unremarkable: bool | None = None,
) -> Observation:
    """The record of one message. ``authenticated``: its From domain passed aligned,
    trusted authentication. ``internal``: the addresses among its people that are ours.
    ``unremarkable``: its verdict was none or info, so its Reply-To is accepted (and, when
    it is authenticated, its domain counts as a correspondent's and its accounts are
    learned). False: it drew a caution or a danger, so nothing in it
    vouches for its sender later: its authentication is not remembered (the sender is not
    an authenticated contact, a known person or an established sender because of it) and
    neither are its words (a later quote of them is judged as the sender's). None: it was
    not analysed (nothing is accepted or learned, its authentication stands).

    Bounded whatever the message holds: see the module's docstring."""
    people = participants(facts)[:MAX_PEOPLE_PER_MESSAGE]
    ours = set(internal)
    sender = next((p for p in people if p.role == "from"), None)
    author = facts.author
    learns = (
        unremarkable is True
        and authenticated
        and sender is not None
        and author is not None
        and sender.address not in ours
    )
    correspondent = owner = ""
    if learns and author is not None:
        correspondent = correspondent_domain(author.domain)
        owner = account_owner(author.address, author.domain)
    return Observation(
        correspondent=correspondent,
        owner=owner,
        later_accounts=functools.partial(own_accounts, facts) if owner else None,
        ids=conversation_ids(facts),
        people=people,
        sender=sender,
        sender_authenticated=authenticated and unremarkable is not False,
        colleagues=tuple(p for p in people if p.address in ours),
        at=at,
        accepted_reply_to=tuple(
            dict.fromkeys(a.address for a in facts.reply_to if a.address and a.domain)
        )[:MAX_ACCEPTED_REPLY_TO]
        if unremarkable
        else (),
        later_text=functools.partial(own_units, facts) if unremarkable is not False else None,
    )


def own_units(facts: Facts) -> tuple[str, ...]:
    """The units of the message's own words, in the body and the HTML part (not what it
    quotes, which only an earlier message can vouch for), each once, bounded."""
    out: dict[str, None] = {}
    for r in readings(facts):
        if r.where and r.where != "the HTML part":
            continue  # attachments are not quoted in replies
        for unit, _s, _e in text_units(r.own):
            out.setdefault(unit)
            if len(out) >= MAX_UNITS_PER_MESSAGE:
                return tuple(out)
    return tuple(out)


def own_accounts(facts: Facts) -> tuple[str, ...]:
    """The keys of the validated accounts (or accounts with their bank code) the message
    names in its own words, in the body, the HTML part and its attachments, each once,
    bounded by :data:`MAX_ACCOUNTS_PER_MESSAGE`."""
    out: dict[str, None] = {}
    for r in readings(facts):
        text = r.own
        if not text.strip() or not may_name_strong(text, words_of(text)):
            continue
        for a in extract(text).strong:
            out.setdefault(a.key)
            if len(out) >= MAX_ACCOUNTS_PER_MESSAGE:
                return tuple(out)
    return tuple(out)


def quoted_units(facts: Facts) -> tuple[str, ...]:
    """The units of what the message presents as quoted (below a quote line, ``>``
    lines, enclosed messages), each once, bounded: those the store is asked about."""
    out: dict[str, None] = {}
    for r in readings(facts):
        for unit, _s, _e in text_units(r.quoted):
            out.setdefault(unit)
            if len(out) >= MAX_UNITS_PER_CONVERSATION:
                return tuple(out)
    return tuple(out)
