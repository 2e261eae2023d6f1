"""Stored state beyond API keys: the partner directory and the conversation memory.

Tables (migration 0002):
  partners, partner_domains, partner_contacts, partner_accounts, directory_state
      the directory as imported; ``directory_state.version`` goes up with every change so
      that each worker knows when to rebuild its in-memory
      :class:`~caveat.knowledge.directory.Directory`;
  conversations, conversation_keys, conversation_people
      per conversation: hashed keys to find it, and who took part at which address;
  contacts
      senders seen (first and last time, whether their authentication passed) and our own
      colleagues' names;
  conversation_text, memory_secret (migration 0004)
      per conversation, an HMAC-SHA-256 of each sentence or paragraph its messages said in
      their own words (see :mod:`caveat.knowledge.memory`), bounded and dropped with the
      conversation; and the deployment's HMAC key, made on first use.

Nothing here holds a subject or a body; conversation keys (migration 0005) and what a
conversation said are kept only as keyed hashes, under keys derived from memory_secret.
How long each kind of row is kept: :mod:`caveat.storage.retention`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    UniqueConstraint,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from caveat.knowledge.directory import Directory, DirectoryContact, PartnerEntry
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
from caveat.knowledge.partners_csv import ParseResult, organization_key
from caveat.mail.facts import Facts
from caveat.reference.freemail import FreemailList

from .store import Base, SafeString, Store, UTCDateTime

ORG_MAX = 300
NAME_MAX = 300
ADDRESS_MAX = 320
DOMAIN_MAX = 253
#: Conversations found by subject alone that are compared by participants (newest first).
SUBJECT_CANDIDATES = 20


# ----------------------------------------------------------------- tables


class PartnerRow(Base):
    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization: Mapped[str] = mapped_column(SafeString(ORG_MAX))
    #: how rows of the same organisation are matched (case and spacing ignored)
    org_key: Mapped[str] = mapped_column(SafeString(ORG_MAX), unique=True)
    #: ``;``-separated subset of spf;dkim;dmarc
    require_auth: Mapped[str] = mapped_column(SafeString(20), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PartnerDomainRow(Base):
    __tablename__ = "partner_domains"

    domain: Mapped[str] = mapped_column(SafeString(DOMAIN_MAX), primary_key=True)
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )


class PartnerContactRow(Base):
    __tablename__ = "partner_contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(SafeString(NAME_MAX), default="")
    email: Mapped[str] = mapped_column(SafeString(ADDRESS_MAX), default="", index=True)
    phone: Mapped[str] = mapped_column(SafeString(100), default="")


class PartnerAccountRow(Base):
    __tablename__ = "partner_accounts"

    partner_id: Mapped[int] = mapped_column(
        ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True
    )
    account: Mapped[str] = mapped_column(SafeString(64), primary_key=True)


class DirectoryStateRow(Base):
    __tablename__ = "directory_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ConversationRow(Base):
    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    messages: Mapped[int] = mapped_column(Integer, default=0)


class ConversationKeyRow(Base):
    __tablename__ = "conversation_keys"

    #: HMAC-SHA-256 of "kind:value" (conversation id, Message-ID, normalised subject, or
    #: accepted reply address) under the conversation-key key derived from memory_secret
    key_hash: Mapped[str] = mapped_column(SafeString(64), primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ConversationPersonRow(Base):
    __tablename__ = "conversation_people"
    __table_args__ = (UniqueConstraint("conversation_id", "address", "name_key"),)

    #: insertion order breaks ties between people first seen in the same second
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    address: Mapped[str] = mapped_column(SafeString(ADDRESS_MAX))
    name_key: Mapped[str] = mapped_column(SafeString(NAME_MAX), default="")
    name: Mapped[str] = mapped_column(SafeString(NAME_MAX), default="")
    local_key: Mapped[str] = mapped_column(SafeString(130), default="")
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime())


class ContactRow(Base):
    __tablename__ = "contacts"

    address: Mapped[str] = mapped_column(SafeString(ADDRESS_MAX), primary_key=True)
    name: Mapped[str] = mapped_column(SafeString(NAME_MAX), default="")
    name_key: Mapped[str] = mapped_column(SafeString(NAME_MAX), default="", index=True)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    #: messages with this address in From (0: seen only as a colleague in To or Cc)
    sent: Mapped[int] = mapped_column(Integer, default=0)
    #: last time a message from it passed aligned, trusted authentication
    authenticated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    colleague: Mapped[bool] = mapped_column(Boolean, default=False)


class ConversationTextRow(Base):
    __tablename__ = "conversation_text"
    __table_args__ = (UniqueConstraint("conversation_id", "digest"),)

    #: insertion order: the oldest go first when a conversation holds too many
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    #: HMAC-SHA-256 (hex) of one folded sentence or paragraph, keyed by memory_secret
    digest: Mapped[str] = mapped_column(SafeString(64))


class MemorySecretRow(Base):
    __tablename__ = "memory_secret"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: 32 random bytes, hex: the deployment's key for conversation_text, and the secret
    #: the conversation keys' and reports' HMAC keys are derived from
    secret: Mapped[str] = mapped_column(SafeString(64))


def deployment_secret(s: Session) -> bytes:
    """The deployment's random secret (memory_secret), made on first use. Two processes
    making it at once keep the first one written."""
    row = s.get(MemorySecretRow, 1)
    if row is None:
        dialect = s.get_bind().dialect.name
        ins = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(MemorySecretRow)
        s.execute(ins.values(id=1, secret=secrets.token_hex(32)).on_conflict_do_nothing())
        s.flush()
        row = s.get(MemorySecretRow, 1)
    assert row is not None
    return bytes.fromhex(row.secret)


def _clip(text: str, most: int) -> str:
    return text[:most]


# ----------------------------------------------------------------- directory


@dataclass(frozen=True, slots=True)
class ImportReport:
    created: int
    updated: int
    removed: int
    #: (organisation, message) for what could not be stored
    problems: tuple[tuple[str, str], ...]


def org_key(name: str) -> str:
    """The same rule as the CSV's "rows of the same organisation merge"."""
    return organization_key(name)


class DirectoryStore:
    """The partner directory in the database."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def version(self) -> int:
        with self.store.session() as s:
            v = s.scalar(select(DirectoryStateRow.version).where(DirectoryStateRow.id == 1))
        return int(v or 0)

    def import_partners(
        self,
        partners: Iterable[object],
        *,
        replace: bool = False,
        incomplete: Iterable[str] = (),
        keep_absent: bool = False,
    ) -> ImportReport:
        """Store partner records (objects with organization, domains, contacts,
        bank_accounts, require_auth). An organisation already stored is updated to what
        the records say (re-importing never duplicates); with ``replace``, organisations
        absent from the records are removed. A domain that another stored organisation
        owns is reported and left with its owner.

        A bad row never costs what is on file: organisations in ``incomplete`` (keys of
        :func:`org_key`: the file named them on a row that could not be read) only gain
        what the records add, and with ``keep_absent`` (the file had a bad row, whoever it
        was about) ``replace`` removes nothing."""
        partial = frozenset(incomplete)
        created = updated = removed = 0
        problems: list[tuple[str, str]] = []
        now = self.store.clock()
        with self.store.session() as s:
            owners = dict(
                s.execute(select(PartnerDomainRow.domain, PartnerDomainRow.partner_id)).all()
            )
            by_key = {r.org_key: r for r in s.scalars(select(PartnerRow))}
            seen: set[int] = set()
            for p in partners:
                organization = _clip(str(getattr(p, "organization", "")).strip(), ORG_MAX)
                key = org_key(organization)
                if not key:
                    continue
                row = by_key.get(key)
                if row is None:
                    row = PartnerRow(organization=organization, org_key=key, updated_at=now)
                    s.add(row)
                    s.flush()
                    by_key[key] = row
                    created += 1
                else:
                    updated += 1
                    row.organization = organization
                    row.updated_at = now
                seen.add(row.id)
                auth = set(getattr(p, "require_auth", ()) or ())
                kept_contacts: set[str] = set()
                kept_accounts: set[str] = set()
                if key in partial:  # add to what is on file, take nothing away
                    auth |= {a for a in row.require_auth.split(";") if a}
                    kept_contacts = {
                        c.email or c.name
                        for c in s.scalars(
                            select(PartnerContactRow).where(PartnerContactRow.partner_id == row.id)
                        )
                    }
                    kept_accounts = set(
                        s.scalars(
                            select(PartnerAccountRow.account).where(
                                PartnerAccountRow.partner_id == row.id
                            )
                        )
                    )
                else:
                    for table in (PartnerDomainRow, PartnerContactRow, PartnerAccountRow):
                        s.execute(delete(table).where(table.partner_id == row.id))
                        if table is PartnerDomainRow:
                            owners = {d: o for d, o in owners.items() if o != row.id}
                row.require_auth = ";".join(sorted(auth))
                for d in dict.fromkeys(getattr(p, "domains", ())):
                    owner = owners.get(d)
                    if owner == row.id:
                        continue  # kept from what was on file
                    if owner is not None and owner != row.id:
                        other = s.get(PartnerRow, owner)
                        problems.append(
                            (
                                organization,
                                f"{d} belongs to "
                                f"{other.organization if other else 'another organisation'}; "
                                "left there",
                            )
                        )
                        continue
                    owners[d] = row.id
                    s.add(PartnerDomainRow(domain=_clip(d, DOMAIN_MAX), partner_id=row.id))
                for c in getattr(p, "contacts", ()):
                    if (c.email.lower() or c.name) in kept_contacts:
                        continue
                    s.add(
                        PartnerContactRow(
                            partner_id=row.id,
                            name=_clip(c.name, NAME_MAX),
                            email=_clip(c.email.lower(), ADDRESS_MAX),
                            phone=_clip(c.phone, 100),
                        )
                    )
                for account in dict.fromkeys(getattr(p, "bank_accounts", ())):
                    if _clip(account, 64) in kept_accounts:
                        continue
                    s.add(PartnerAccountRow(partner_id=row.id, account=_clip(account, 64)))
                s.flush()
            if replace and keep_absent:
                absent = sum(1 for r in by_key.values() if r.id not in seen)
                if absent:
                    problems.append(
                        (
                            "the file",
                            "it has bad rows, so no organisation was removed "
                            f"({absent} not listed in it kept); fix the rows and import "
                            "again to remove them",
                        )
                    )
            elif replace:
                stale = [r for r in by_key.values() if r.id not in seen]
                for r in stale:
                    s.delete(r)
                removed = len(stale)
            self._bump(s, now)
        return ImportReport(created, updated, removed, tuple(problems))

    def remove(self, organization: str) -> bool:
        with self.store.session() as s:
            row = s.scalar(select(PartnerRow).where(PartnerRow.org_key == org_key(organization)))
            if row is None:
                return False
            s.delete(row)
            self._bump(s, self.store.clock())
        return True

    def _bump(self, s: Session, now: datetime) -> None:
        state = s.get(DirectoryStateRow, 1)
        if state is None:
            s.add(DirectoryStateRow(id=1, version=1, updated_at=now))
        else:
            state.version += 1
            state.updated_at = now

    def partners(self) -> list[PartnerEntry]:
        """Every partner, ordered by organisation name."""
        with self.store.session() as s:
            rows = list(s.scalars(select(PartnerRow).order_by(PartnerRow.org_key)))
            domains: dict[int, list[str]] = {}
            for d, pid in s.execute(
                select(PartnerDomainRow.domain, PartnerDomainRow.partner_id).order_by(
                    PartnerDomainRow.domain
                )
            ):
                domains.setdefault(pid, []).append(d)
            contacts: dict[int, list[DirectoryContact]] = {}
            for c in s.scalars(select(PartnerContactRow).order_by(PartnerContactRow.id)):
                contacts.setdefault(c.partner_id, []).append(
                    DirectoryContact(c.name, c.email, c.phone)
                )
            accounts: dict[int, list[str]] = {}
            for pid, account in s.execute(
                select(PartnerAccountRow.partner_id, PartnerAccountRow.account).order_by(
                    PartnerAccountRow.account
                )
            ):
                accounts.setdefault(pid, []).append(account)
            return [
                PartnerEntry(
                    r.organization,
                    tuple(domains.get(r.id, ())),
                    tuple(contacts.get(r.id, ())),
                    tuple(accounts.get(r.id, ())),
                    frozenset(a for a in r.require_auth.split(";") if a),
                )
                for r in rows
            ]

    def load(
        self, *, internal_domains: Iterable[str] = (), freemail: FreemailList | None = None
    ) -> Directory:
        version = self.version()
        return Directory(
            self.partners(), internal_domains=internal_domains, freemail=freemail, version=version
        )


def import_parsed(
    store: Store, result: ParseResult, *, replace: bool = False
) -> tuple[ImportReport, list[str]]:
    """Store the parsed partners; also returns warnings about free-mail domains listed as
    company domains (they are kept in the directory but never treated as the partner's)."""
    freemail = FreemailList.packaged()
    warnings = [
        f"{p.organization}: {d} is a free-mail provider, not a company domain; list the "
        "partner's address as contact_email instead"
        for p in result.partners
        for d in p.domains
        if d in freemail
    ]
    report = DirectoryStore(store).import_partners(
        result.partners,
        replace=replace,
        incomplete=result.incomplete,
        keep_absent=bool(result.errors),
    )
    return report, warnings


# ----------------------------------------------------------------- memory


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
                address, name_key = _clip(p.address, ADDRESS_MAX), _clip(p.name_key, NAME_MAX)
                if (address, name_key) not in people:
                    people[(address, name_key)] = {
                        "conversation_id": conv_id,
                        "address": address,
                        "name_key": name_key,
                        "name": _clip(p.name, NAME_MAX),
                        "local_key": _clip(p.local_key, 130),
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
                        "address": _clip(p.address, ADDRESS_MAX),
                        "name": _clip(p.name, NAME_MAX),
                        "name_key": _clip(p.name_key, NAME_MAX),
                        "first_seen": at,
                        "last_seen": at,
                        "sent": 1,
                        "authenticated_at": at if obs.sender_authenticated else None,
                        "colleague": False,
                    },
                )
            colleagues: dict[str, dict[str, object]] = {}
            for p in obs.colleagues:
                address = _clip(p.address, ADDRESS_MAX)
                if p.name_key and address not in colleagues:
                    colleagues[address] = {
                        "address": address,
                        "name": _clip(p.name, NAME_MAX),
                        "name_key": _clip(p.name_key, NAME_MAX),
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
