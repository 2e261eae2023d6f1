"""Stored state beyond API keys: the tables of the partner directory and of the
conversation memory, and what both share.

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

  correspondent_domains, learned_accounts (migration 0015)
      the registrable domains of senders whose unremarkable mail passed aligned
      authentication, with how many such messages (the frequent ones are look-alike
      targets); and per sender organisation the accounts its unremarkable authenticated
      mail named, both organisation and account as keyed hashes (see
      :mod:`caveat.knowledge.memory`).

Nothing here holds a subject or a body; conversation keys (migration 0005) and what a
conversation said are kept only as keyed hashes, under keys derived from memory_secret.
How long each kind of row is kept: :mod:`caveat.storage.retention`. Reading and writing
them: :mod:`caveat.storage.directory_store` and :mod:`caveat.storage.memory_store`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    UniqueConstraint,
    false,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from caveat.knowledge.partners_csv import organization_key

from .store import Base, SafeString, UTCDateTime

ORG_MAX = 300
NAME_MAX = 300
ADDRESS_MAX = 320
DOMAIN_MAX = 253
#: a partner's bank-change procedure (as the directory CSV allows)
PROCEDURE_MAX = 300
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
    #: how the partner makes bank changes, shown with any bank change from them (0010)
    bank_change_procedure: Mapped[str] = mapped_column(
        SafeString(PROCEDURE_MAX), default="", server_default=""
    )
    #: only the accounts on file may be paid (0010)
    pay_only_on_file: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


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


class CorrespondentDomainRow(Base):
    __tablename__ = "correspondent_domains"

    #: a registrable domain (never a free-mail one), in clear like the contacts' addresses
    domain: Mapped[str] = mapped_column(SafeString(DOMAIN_MAX), primary_key=True)
    #: its messages that passed aligned, trusted authentication and drew no warning
    messages: Mapped[int] = mapped_column(Integer, default=0, index=True)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class LearnedAccountRow(Base):
    __tablename__ = "learned_accounts"

    #: HMAC-SHA-256 of the sender's organisation (registrable domain, or a free-mail
    #: address) under the learned-accounts key derived from memory_secret
    owner_hash: Mapped[str] = mapped_column(SafeString(64), primary_key=True)
    #: HMAC-SHA-256 of the organisation and the account's key, under the same key
    digest: Mapped[str] = mapped_column(SafeString(64), primary_key=True)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


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


def clip(text: str, most: int) -> str:
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
