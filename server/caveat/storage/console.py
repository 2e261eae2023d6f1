"""The admin console's sessions, pending sign-ins and first-run links (migration 0012).

- ``console_sessions``: one row per signed-in browser. The cookie holds a random token; the
  row holds its SHA-256 only, so a copy of the database opens no session. The row keeps
  who the person is (as the identity provider named them when they signed in, or "first-run
  link"), their roles, how they signed in (``oidc`` or ``link``), the session's CSRF token,
  the one notice the next page shows, and its times: made, last seen, absolute end.
  Signing out revokes the row.
- ``console_signins``: a sign-in under way at the identity provider, keyed by the hash of
  its ``state``: the PKCE verifier, the nonce the id token must carry, where to go after,
  and when it lapses. Taken (deleted) by the callback, so a state works once.
- ``console_links``: a one-time first-run link (``caveat console link``): the token's
  hash, who made it, when it lapses and when it was used.
- ``console_forms`` (migration 0014): the one-time id of a form whose sending must not
  act twice (the new-key form: a reload of its answer re-sends the POST). The id's hash,
  the session it was given to, what it is for, when it lapses (with the session), and
  when it was used and what it made. Using it is a conditional UPDATE in the transaction
  of the action itself, so of two sendings exactly one acts.

Opening a session, making a link and using one each write an audit row
(``console.signin``, ``console.link``, ``console.link_used``) in the same transaction.
Nothing of a message is kept here. A row that opens nothing any more (a session ended or
signed out, a lapsed sign-in, a link past its time, used or not) is removed by the
retention sweep
(:mod:`caveat.storage.retention`, also ``caveat database prune``).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Boolean, ColumnElement, Integer, delete, false, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from .audit import Actor, AuditLog
from .store import Base, SafeString, Store, UTCDateTime, storable_text

TOKEN_HASH_MAX = 64
SUBJECT_MAX = 320
NAME_MAX = 320
ROLES_MAX = 200
NEXT_MAX = 500
NOTICE_MAX = 500
CREATED_BY_MAX = 320
#: Sign-ins under way at once, at most: each lapses in minutes, so only a flood reaches it.
MAX_PENDING = 5000
#: how a session was opened
VIA_OIDC = "oidc"
VIA_LINK = "link"


def token_hash(token: str) -> str:
    """How a cookie, state or link token is kept: its SHA-256 in hex."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


class ConsoleSessionRow(Base):
    __tablename__ = "console_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(SafeString(TOKEN_HASH_MAX), unique=True)
    subject: Mapped[str] = mapped_column(SafeString(SUBJECT_MAX))
    tenant: Mapped[str | None] = mapped_column(SafeString(SUBJECT_MAX), nullable=True)
    name: Mapped[str] = mapped_column(SafeString(NAME_MAX), default="")
    username: Mapped[str] = mapped_column(SafeString(NAME_MAX), default="")
    #: the Caveat roles, space-separated
    roles: Mapped[str] = mapped_column(SafeString(ROLES_MAX), default="")
    via: Mapped[str] = mapped_column(SafeString(8))
    csrf: Mapped[str] = mapped_column(SafeString(64))
    notice: Mapped[str | None] = mapped_column(SafeString(NOTICE_MAX), nullable=True)
    notice_kind: Mapped[str | None] = mapped_column(SafeString(8), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class ConsoleFormRow(Base):
    __tablename__ = "console_forms"

    form_hash: Mapped[str] = mapped_column(SafeString(TOKEN_HASH_MAX), primary_key=True)
    session_id: Mapped[int] = mapped_column(Integer, index=True)
    purpose: Mapped[str] = mapped_column(SafeString(40))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: what the sending made (a key's id), for the page that says so
    made: Mapped[str | None] = mapped_column(SafeString(40), nullable=True)


class ConsoleSigninRow(Base):
    __tablename__ = "console_signins"

    state_hash: Mapped[str] = mapped_column(SafeString(TOKEN_HASH_MAX), primary_key=True)
    verifier: Mapped[str] = mapped_column(SafeString(128))
    nonce: Mapped[str] = mapped_column(SafeString(64))
    next_path: Mapped[str] = mapped_column(SafeString(NEXT_MAX), default="")
    redirect_uri: Mapped[str] = mapped_column(SafeString(NEXT_MAX))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class ConsoleLinkRow(Base):
    __tablename__ = "console_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(SafeString(TOKEN_HASH_MAX), unique=True)
    created_by: Mapped[str] = mapped_column(SafeString(CREATED_BY_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


@dataclass(frozen=True, slots=True)
class ConsoleSession:
    id: int
    subject: str
    tenant: str | None
    name: str
    username: str
    roles: frozenset[str]
    via: str
    csrf: str
    notice: str | None
    notice_kind: str | None
    created_at: datetime
    last_seen: datetime
    expires_at: datetime
    revoked: bool

    @classmethod
    def of(cls, row: ConsoleSessionRow) -> ConsoleSession:
        return cls(
            id=row.id,
            subject=row.subject,
            tenant=row.tenant,
            name=row.name,
            username=row.username,
            roles=frozenset(row.roles.split()),
            via=row.via,
            csrf=row.csrf,
            notice=row.notice,
            notice_kind=row.notice_kind,
            created_at=row.created_at,
            last_seen=row.last_seen,
            expires_at=row.expires_at,
            revoked=row.revoked,
        )


@dataclass(frozen=True, slots=True)
class PendingSignin:
    verifier: str
    nonce: str
    next_path: str
    redirect_uri: str
    expires_at: datetime


def link_actor(link_id: int) -> Actor:
    """Who a session opened by first-run link ``link_id`` acts as."""
    return Actor(f"link:{link_id}", "first-run link")


class TooManySignins(RuntimeError):
    """More sign-ins are under way at the identity provider than any organisation starts
    in their lifetime (someone is starting them to fill the table)."""


class FormRefused(LookupError):
    """A one-time form id that cannot act: ``used`` (sent before: ``made`` says what that
    made) or ``unknown`` (not this session's, of another form, or past its time)."""

    def __init__(self, reason: str, made: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.made = made


class LinkRefused(LookupError):
    """A first-run link that is unknown, used or past its time (the message says which)."""


def session_ended(now: datetime) -> ColumnElement[bool]:
    """Sessions that open nothing any more: past their absolute end, or signed out."""
    return (ConsoleSessionRow.expires_at < now) | ConsoleSessionRow.revoked


def signin_lapsed(now: datetime) -> ColumnElement[bool]:
    """Sign-ins begun at the identity provider whose time to come back has passed."""
    return ConsoleSigninRow.expires_at < now


def form_lapsed(now: datetime) -> ColumnElement[bool]:
    """One-time form ids past their time (their session's end), used or not."""
    return ConsoleFormRow.expires_at < now


def link_spent(now: datetime) -> ColumnElement[bool]:
    """First-run links past their time, used or not. A used link opens nothing either, but
    its row stays until then (a day at most), so that whoever opens it again is told it
    was used already (the sign that someone else got there first) rather than that it is
    not known. The audit log keeps that it was made and used."""
    return ConsoleLinkRow.expires_at < now


class ConsoleStore:
    """The console's rows on one :class:`~caveat.storage.store.Store`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # ------------------------------------------------------------- sessions

    def open_session(
        self,
        *,
        subject: str,
        tenant: str | None,
        name: str,
        username: str,
        roles: frozenset[str],
        via: str,
        now: datetime,
        lifetime: timedelta,
    ) -> tuple[str, ConsoleSession]:
        """A new session; returns the cookie's token (kept nowhere) and the session."""
        token = new_token()
        row = ConsoleSessionRow(
            token_hash=token_hash(token),
            subject=storable_text(subject)[:SUBJECT_MAX],
            tenant=storable_text(tenant)[:SUBJECT_MAX] if tenant else None,
            name=storable_text(name)[:NAME_MAX],
            username=storable_text(username)[:NAME_MAX],
            roles=" ".join(sorted(roles))[:ROLES_MAX],
            via=via,
            csrf=secrets.token_urlsafe(32),
            created_at=now,
            last_seen=now,
            expires_at=now + lifetime,
            revoked=False,
        )
        with self.store.session() as s:
            # Ended sessions go as new ones come: the table holds live ones and few more.
            s.execute(delete(ConsoleSessionRow).where(session_ended(now)))
            s.add(row)
            s.flush()
            found = ConsoleSession.of(row)
            label = (
                f"{name} <{username}>"
                if name and username and name != username
                else (username or name or subject)
            )
            AuditLog.append(
                s,
                Actor(found.subject, label),
                "console.signin",
                found.username or found.subject,
                after={"via": via, "roles": sorted(roles), "session": found.id},
                at=now,
            )
        return token, found

    def find_session(self, token: str) -> ConsoleSession | None:
        """The session of a cookie's token, whatever its state (None when unknown)."""
        if not token or len(token) > 200:
            return None
        with self.store.session() as s:
            row = s.scalar(
                select(ConsoleSessionRow).where(ConsoleSessionRow.token_hash == token_hash(token))
            )
            return ConsoleSession.of(row) if row is not None else None

    def touch(self, session_id: int, now: datetime) -> None:
        with self.store.session() as s:
            s.execute(
                update(ConsoleSessionRow)
                .where(ConsoleSessionRow.id == session_id)
                .values(last_seen=now)
            )

    def revoke(self, session_id: int) -> None:
        with self.store.session() as s:
            s.execute(
                update(ConsoleSessionRow)
                .where(ConsoleSessionRow.id == session_id)
                .values(revoked=True, notice=None, notice_kind=None)
            )

    def set_notice(self, session_id: int, text: str | None, kind: str | None) -> None:
        """The notice the session's next page shows (None: none)."""
        with self.store.session() as s:
            s.execute(
                update(ConsoleSessionRow)
                .where(ConsoleSessionRow.id == session_id)
                .values(
                    notice=storable_text(text)[:NOTICE_MAX] if text is not None else None,
                    notice_kind=kind if text is not None else None,
                )
            )

    def prune(self, now: datetime) -> dict[str, int]:
        """Drop ended sessions, lapsed sign-ins and lapsed links at once; how many
        of each went. (The retention sweep removes the same rows in bounded batches:
        :mod:`caveat.storage.retention`.)"""
        gone: dict[str, int] = {}
        with self.store.session() as s:
            for table, model, due in (
                ("console_sessions", ConsoleSessionRow, session_ended(now)),
                ("console_signins", ConsoleSigninRow, signin_lapsed(now)),
                ("console_links", ConsoleLinkRow, link_spent(now)),
                ("console_forms", ConsoleFormRow, form_lapsed(now)),
            ):
                result = s.execute(delete(model).where(due))
                gone[table] = int(result.rowcount or 0)  # type: ignore[attr-defined]
        return gone

    # ------------------------------------------------------------- one-time forms

    def issue_form(self, session: ConsoleSession, purpose: str) -> str:
        """A new one-time id for a form of ``purpose`` shown to ``session``; it lapses with
        the session. Kept as its hash, like every token here."""
        token = new_token()
        with self.store.session() as s:
            s.add(
                ConsoleFormRow(
                    form_hash=token_hash(token),
                    session_id=session.id,
                    purpose=purpose[:40],
                    expires_at=session.expires_at,
                )
            )
        return token

    @staticmethod
    def use_form(
        s: Session, token: str, session_id: int, purpose: str, now: datetime, made: str
    ) -> None:
        """Mark the form id ``token`` used, in the caller's transaction ``s`` (the one of
        the action it guards, so both commit or neither); ``made`` says what the action
        made. Raises :class:`FormRefused` (the caller's transaction is then rolled back)
        when it was used before, or is unknown to this session and purpose, or lapsed."""
        if not token or len(token) > 200:
            raise FormRefused("unknown")
        key = token_hash(token)
        taken = s.execute(
            update(ConsoleFormRow)
            .where(
                ConsoleFormRow.form_hash == key,
                ConsoleFormRow.session_id == session_id,
                ConsoleFormRow.purpose == purpose,
                ConsoleFormRow.used_at.is_(None),
                ConsoleFormRow.expires_at > now,
            )
            .values(used_at=now, made=made[:40])
            .execution_options(synchronize_session=False)
        ).rowcount  # type: ignore[attr-defined]
        if taken == 1:
            return
        row = s.get(ConsoleFormRow, key)
        if (
            row is not None
            and row.session_id == session_id
            and row.purpose == purpose
            and row.used_at is not None
        ):
            raise FormRefused("used", row.made)
        raise FormRefused("unknown")

    # ------------------------------------------------------------- sign-ins

    def begin_signin(
        self,
        state: str,
        *,
        verifier: str,
        nonce: str,
        next_path: str,
        redirect_uri: str,
        expires_at: datetime,
        now: datetime | None = None,
    ) -> None:
        """Keep a sign-in under way (lapsed ones are dropped first); raises
        :class:`TooManySignins` when MAX_PENDING are already under way."""
        with self.store.session() as s:
            if now is not None:
                s.execute(delete(ConsoleSigninRow).where(ConsoleSigninRow.expires_at <= now))
            pending = s.scalar(select(func.count()).select_from(ConsoleSigninRow)) or 0
            if pending >= MAX_PENDING:
                raise TooManySignins(pending)
            s.add(
                ConsoleSigninRow(
                    state_hash=token_hash(state),
                    verifier=verifier,
                    nonce=nonce,
                    next_path=next_path[:NEXT_MAX],
                    redirect_uri=redirect_uri[:NEXT_MAX],
                    expires_at=expires_at,
                )
            )

    def take_signin(self, state: str, now: datetime) -> PendingSignin | None:
        """The sign-in ``state`` began, removed so it cannot be used again; None when it is
        unknown, used or lapsed."""
        if not state or len(state) > 200:
            return None
        with self.store.session() as s:
            row = s.get(ConsoleSigninRow, token_hash(state))
            if row is None:
                return None
            found = PendingSignin(
                row.verifier, row.nonce, row.next_path, row.redirect_uri, row.expires_at
            )
            s.delete(row)
        return found if found.expires_at > now else None

    # ------------------------------------------------------------- links

    def create_link(self, *, created_by: Actor, now: datetime, lifetime: timedelta) -> str:
        """A new first-run link's token (kept nowhere but in what is returned)."""
        token = new_token()
        with self.store.session() as s:
            row = ConsoleLinkRow(
                token_hash=token_hash(token),
                created_by=storable_text(created_by.label)[:CREATED_BY_MAX],
                created_at=now,
                expires_at=now + lifetime,
            )
            s.add(row)
            s.flush()
            AuditLog.append(
                s,
                created_by,
                "console.link",
                str(row.id),
                after={"expires_at": row.expires_at.isoformat()},
                at=now,
            )
        return token

    def link_usable(self, token: str, now: datetime) -> bool:
        """Whether ``token`` names a link that is neither used nor past its time."""
        if not token or len(token) > 200:
            return False
        with self.store.session() as s:
            row = s.scalar(
                select(ConsoleLinkRow).where(ConsoleLinkRow.token_hash == token_hash(token))
            )
            return row is not None and row.used_at is None and row.expires_at > now

    def use_link(self, token: str, now: datetime) -> int:
        """Mark the link used (once: a second use, even at the same moment, is refused);
        returns its id, or raises :class:`LinkRefused`."""
        if not token or len(token) > 200:
            raise LinkRefused("this sign-in link is not known")
        with self.store.session() as s:
            row = s.scalar(
                select(ConsoleLinkRow).where(ConsoleLinkRow.token_hash == token_hash(token))
            )
            if row is None:
                raise LinkRefused("this sign-in link is not known")
            if row.used_at is not None:
                raise LinkRefused("this sign-in link has been used already")
            if row.expires_at <= now:
                raise LinkRefused("this sign-in link has expired")
            taken = s.execute(
                update(ConsoleLinkRow)
                .where(ConsoleLinkRow.id == row.id, ConsoleLinkRow.used_at.is_(None))
                .values(used_at=now)
            ).rowcount  # type: ignore[attr-defined]
            if taken != 1:
                raise LinkRefused("this sign-in link has been used already")
            AuditLog.append(s, link_actor(row.id), "console.link_used", str(row.id), at=now)
            return row.id
