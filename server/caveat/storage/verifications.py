"""Verify sender outcomes and account approvals.

A **verification** is one call a finance user made to a partner about one bank account:
which partner, which directory contact (name, address and phone number as the directory
had them at the time of the call: never a number from the message), which account, what
the partner said (``confirmed``, ``denied``: the partner knows nothing of it, fraud;
``unreachable``), an optional note, who recorded it and when. The account is kept as a
keyed hash (the analyze response's ``account_ref``: HMAC-SHA-256 under the key
:func:`caveat.storage.indicators.account_ref_key` derives from the deployment's secret, of
the account's comparison form: upper-case letters and digits)
and the masked form the client showed; never in clear.

Four-eyes: an account counts as **verified** for a partner once
``confirmations`` distinct people (by their stable subject, so the same person twice counts
once; a service key's confirmation is kept but counts for nobody) confirmed it, and no
denial of it for that partner stands. A denial blocks it until
an administrator clears the denial (:meth:`VerificationStore.clear`).

An **approval** puts a verified account on the directory's accounts on file
(maker--checker): one person requests it, another with the ``approve`` permission approves
it. The directory holds accounts in clear (it is the vendor master data), so the request
carries the account in clear and it is kept in the request's row while the request is
pending, and only then: approving moves it to the directory, rejecting drops it; either
way the row keeps the hash and the masked form only. The account given must hash to the
verified account's hash, so nobody can slip another account into the request.

Every change writes an audit row in its own transaction (:mod:`caveat.storage.audit`),
accounts masked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, select
from sqlalchemy.orm import Mapped, mapped_column

from caveat.identity.principal import Principal
from caveat.knowledge.partners_csv import organization_key
from caveat.knowledge.shared import Confirmation, account_ref, verified_key
from caveat.reference.bank_identifiers import account_key

from .audit import Actor, AuditLog
from .directory_store import bump_directory
from .indicators import ACCOUNT_KEY_LABEL, DerivedKey, NewIndicator, add_in, bump, stamp
from .records import (
    ADDRESS_MAX,
    NAME_MAX,
    ORG_MAX,
    PartnerAccountRow,
    PartnerRow,
)
from .store import Base, SafeString, Store, UTCDateTime, storable_text

OUTCOMES = ("confirmed", "denied", "unreachable")
NOTE_MAX = 500
MASKED_MAX = 64
PHONE_MAX = 100
SUBJECT_MAX = 320
ACTOR_MAX = 700
ACCOUNT_MAX = 64
#: An account reference: the hex HMAC-SHA-256 of the account.
REF_RE = re.compile(r"^[0-9a-f]{64}$")

#: the subject of a service key (:meth:`caveat.identity.principal.Principal.service_key`)
SERVICE_PREFIX = "key:"

PENDING = "pending"
APPROVED = "approved"
REJECTED = "rejected"


class VerificationError(ValueError):
    """A request that cannot be carried out; ``code`` says why (``not_found``,
    ``conflict``, ``same_person``, ``not_verified``, ``invalid``)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class VerificationRow(Base):
    __tablename__ = "verifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    organization: Mapped[str] = mapped_column(SafeString(ORG_MAX))
    #: :func:`~caveat.knowledge.partners_csv.organization_key` of the organisation
    org_key: Mapped[str] = mapped_column(SafeString(ORG_MAX), index=True)
    account_hash: Mapped[str] = mapped_column(SafeString(64), index=True)
    account_masked: Mapped[str] = mapped_column(SafeString(MASKED_MAX), default="")
    contact_name: Mapped[str] = mapped_column(SafeString(NAME_MAX), default="")
    contact_email: Mapped[str] = mapped_column(SafeString(ADDRESS_MAX), default="")
    contact_phone: Mapped[str] = mapped_column(SafeString(PHONE_MAX), default="")
    outcome: Mapped[str] = mapped_column(SafeString(12))
    note: Mapped[str] = mapped_column(SafeString(NOTE_MAX), default="")
    actor_subject: Mapped[str] = mapped_column(SafeString(SUBJECT_MAX))
    actor: Mapped[str] = mapped_column(SafeString(ACTOR_MAX))
    #: a denial an administrator cleared no longer blocks the account
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    cleared_by: Mapped[str | None] = mapped_column(SafeString(ACTOR_MAX), nullable=True)


class AccountApprovalRow(Base):
    __tablename__ = "account_approvals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    organization: Mapped[str] = mapped_column(SafeString(ORG_MAX))
    org_key: Mapped[str] = mapped_column(SafeString(ORG_MAX))
    account_hash: Mapped[str] = mapped_column(SafeString(64))
    account_masked: Mapped[str] = mapped_column(SafeString(MASKED_MAX), default="")
    #: the account in clear while the request is pending; None once decided
    account: Mapped[str | None] = mapped_column(SafeString(ACCOUNT_MAX), nullable=True)
    status: Mapped[str] = mapped_column(SafeString(10), index=True)
    note: Mapped[str] = mapped_column(SafeString(NOTE_MAX), default="")
    requested_by_subject: Mapped[str] = mapped_column(SafeString(SUBJECT_MAX))
    requested_by: Mapped[str] = mapped_column(SafeString(ACTOR_MAX))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decided_by_subject: Mapped[str | None] = mapped_column(SafeString(SUBJECT_MAX), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(SafeString(ACTOR_MAX), nullable=True)


# ----------------------------------------------------------------- values


def account_hash(key: bytes, account: str) -> str:
    """HMAC-SHA-256 (hex) under ``key`` of an account's comparison form (upper-case letters
    and digits; for a UK account its sort code and number, for a US one its routing and
    account number, as :attr:`caveat.reference.bank_identifiers.Account.key` has them):
    the analyze response's ``account_ref``."""
    return account_ref(key, account_key(account))


@dataclass(frozen=True, slots=True)
class Contact:
    """The directory contact a call went to, as the directory had it."""

    name: str
    email: str
    phone: str


@dataclass(frozen=True, slots=True)
class Verification:
    id: int
    at: datetime
    organization: str
    account_ref: str
    account_masked: str
    contact: Contact
    outcome: str
    note: str
    actor_subject: str
    actor: str
    cleared_at: datetime | None
    cleared_by: str | None

    @classmethod
    def of(cls, row: VerificationRow) -> Verification:
        return cls(
            id=row.id,
            at=row.at,
            organization=row.organization,
            account_ref=row.account_hash,
            account_masked=row.account_masked,
            contact=Contact(row.contact_name, row.contact_email, row.contact_phone),
            outcome=row.outcome,
            note=row.note,
            actor_subject=row.actor_subject,
            actor=row.actor,
            cleared_at=row.cleared_at,
            cleared_by=row.cleared_by,
        )

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "at": stamp(self.at),
            "organization": self.organization,
            "account_ref": self.account_ref,
            "account_masked": self.account_masked,
            "contact": {
                "name": self.contact.name,
                "email": self.contact.email,
                "phone": self.contact.phone,
            },
            "outcome": self.outcome,
            "note": self.note,
            "recorded_by": self.actor,
            "cleared_at": stamp(self.cleared_at) if self.cleared_at else None,
            "cleared_by": self.cleared_by,
        }


@dataclass(frozen=True, slots=True)
class AccountStatus:
    """Where one account of one partner stands."""

    organization: str
    account_ref: str
    account_masked: str
    #: the earliest confirmation of each distinct person, oldest first
    confirmations: tuple[Confirmation, ...]
    #: a denial stands (not cleared)
    denied: bool
    needed: int

    @property
    def verified(self) -> bool:
        return not self.denied and len(self.confirmations) >= self.needed

    def as_json(self) -> dict[str, object]:
        return {
            "organization": self.organization,
            "account_ref": self.account_ref,
            "account_masked": self.account_masked,
            "confirmations": [{"by": c.by, "at": stamp(c.at)} for c in self.confirmations],
            "confirmations_needed": self.needed,
            "denied": self.denied,
            "verified": self.verified,
        }


@dataclass(frozen=True, slots=True)
class Approval:
    id: int
    requested_at: datetime
    organization: str
    account_ref: str
    account_masked: str
    status: str
    note: str
    requested_by_subject: str
    requested_by: str
    decided_at: datetime | None
    decided_by: str | None

    @classmethod
    def of(cls, row: AccountApprovalRow) -> Approval:
        return cls(
            id=row.id,
            requested_at=row.requested_at,
            organization=row.organization,
            account_ref=row.account_hash,
            account_masked=row.account_masked,
            status=row.status,
            note=row.note,
            requested_by_subject=row.requested_by_subject,
            requested_by=row.requested_by,
            decided_at=row.decided_at,
            decided_by=row.decided_by,
        )

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "requested_at": stamp(self.requested_at),
            "organization": self.organization,
            "account_ref": self.account_ref,
            "account_masked": self.account_masked,
            "status": self.status,
            "note": self.note,
            "requested_by": self.requested_by,
            "decided_at": stamp(self.decided_at) if self.decided_at else None,
            "decided_by": self.decided_by,
        }


def status_of(rows: Iterable[VerificationRow | Verification], needed: int) -> AccountStatus | None:
    """The standing of one account from its verifications (all of one partner and one
    account), or None when there are none."""
    first: dict[str, Confirmation] = {}
    denied = False
    organization = ref = masked = ""
    for r in sorted(rows, key=lambda r: (r.at, r.id)):
        organization = r.organization
        ref = r.account_hash if isinstance(r, VerificationRow) else r.account_ref
        masked = r.account_masked or masked
        if r.outcome == "confirmed" and not r.actor_subject.startswith(SERVICE_PREFIX):
            # four eyes are people's: a service key's confirmation is kept, never counted
            first.setdefault(r.actor_subject, Confirmation(r.actor, r.at))
        elif r.outcome == "denied" and r.cleared_at is None:
            denied = True
    if not organization:
        return None
    return AccountStatus(organization, ref, masked, tuple(first.values()), denied, needed)


# ----------------------------------------------------------------- the store


class VerificationStore:
    """Verifications and account approvals of one store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        #: the account hashes' key (the deployment's secret made on first use)
        self.key = DerivedKey(store, ACCOUNT_KEY_LABEL)

    def hash_account(self, account: str) -> str:
        return account_hash(self.key(), account)

    # ------------------------------------------------------------ verifications

    def record(
        self,
        who: Principal | Actor,
        *,
        organization: str,
        account_ref: str,
        account_masked: str,
        contact: Contact,
        outcome: str,
        note: str = "",
        indicators: Sequence[NewIndicator] = (),
        at: datetime | None = None,
    ) -> Verification:
        """Store one call's outcome, with its audit row, in one transaction; with the
        fraud ``indicators`` a denial makes (source ``verification``), and the shared
        knowledge's version moved."""
        if outcome not in OUTCOMES:
            raise VerificationError("invalid", f"outcome must be one of {', '.join(OUTCOMES)}")
        if not REF_RE.match(account_ref):
            raise VerificationError("invalid", "account_ref must be 64 hexadecimal digits")
        actor = Actor.of(who)
        at = at or self.store.clock()
        with self.store.session() as s:
            row = VerificationRow(
                at=at,
                organization=storable_text(organization[:ORG_MAX]),
                org_key=organization_key(organization)[:ORG_MAX],
                account_hash=account_ref,
                account_masked=storable_text(account_masked[:MASKED_MAX]),
                contact_name=storable_text(contact.name[:NAME_MAX]),
                contact_email=storable_text(contact.email[:ADDRESS_MAX]),
                contact_phone=storable_text(contact.phone[:PHONE_MAX]),
                outcome=outcome,
                note=storable_text(note[:NOTE_MAX]),
                actor_subject=storable_text(actor.subject[:SUBJECT_MAX]),
                actor=storable_text(actor.label[:ACTOR_MAX]),
            )
            s.add(row)
            s.flush()
            AuditLog.append(
                s,
                actor,
                f"verification.{outcome}",
                organization,
                after={
                    "id": row.id,
                    "account": row.account_masked,
                    "contact": {
                        "name": contact.name,
                        "email": contact.email,
                        "phone": contact.phone,
                    },
                    "note": row.note,
                },
                at=at,
            )
            if indicators:
                add_in(s, actor, indicators, source="verification", at=at)
            bump(s, at)
            return Verification.of(row)

    def get(self, verification_id: int) -> Verification | None:
        with self.store.session() as s:
            row = s.get(VerificationRow, verification_id)
            return None if row is None else Verification.of(row)

    def entries(self, organization: str | None = None, *, limit: int = 500) -> list[Verification]:
        """Newest first; of one organisation (as the CSV merges names) or of all."""
        q = select(VerificationRow).order_by(VerificationRow.id.desc()).limit(limit)
        if organization:
            q = q.where(VerificationRow.org_key == organization_key(organization))
        with self.store.session() as s:
            return [Verification.of(r) for r in s.scalars(q)]

    def status(self, organization: str, account_ref: str, needed: int) -> AccountStatus | None:
        with self.store.session() as s:
            rows = s.scalars(
                select(VerificationRow).where(
                    VerificationRow.org_key == organization_key(organization),
                    VerificationRow.account_hash == account_ref,
                )
            ).all()
            return status_of(rows, needed)

    def statuses(self, needed: int) -> list[AccountStatus]:
        """Every account of every partner with a verification (for the snapshot the checks
        read): one select."""
        groups: dict[tuple[str, str], list[VerificationRow]] = {}
        with self.store.session() as s:
            for row in s.scalars(select(VerificationRow).order_by(VerificationRow.id)):
                groups.setdefault((row.org_key, row.account_hash), []).append(row)
            found = [status_of(rows, needed) for rows in groups.values()]
        return [f for f in found if f is not None]

    def verified_accounts(self, needed: int) -> dict[str, tuple[Confirmation, ...]]:
        """The accounts that count as verified, for the shared-knowledge snapshot
        (:attr:`caveat.knowledge.shared.SharedKnowledge.verified_accounts`): keyed by
        :func:`~caveat.knowledge.shared.verified_key` of the organisation's key and the
        account's hash, each with its confirmations (one per person, oldest first)."""
        out: dict[str, tuple[Confirmation, ...]] = {}
        for st in self.statuses(needed):
            if st.verified:
                key = verified_key(organization_key(st.organization), st.account_ref)
                out[key] = st.confirmations
        return out

    def clear(self, verification_id: int, who: Principal | Actor) -> Verification:
        """Clear a denial (an administrator found it mistaken): it no longer blocks the
        account. Its row stays, with who cleared it and when."""
        actor = Actor.of(who)
        now = self.store.clock()
        with self.store.session() as s:
            row = s.get(VerificationRow, verification_id)
            if row is None:
                raise VerificationError("not_found", f"no verification {verification_id}")
            if row.outcome != "denied":
                raise VerificationError("conflict", "only a denial can be cleared")
            if row.cleared_at is not None:
                raise VerificationError("conflict", "this denial is cleared already")
            row.cleared_at = now
            row.cleared_by = storable_text(actor.label[:ACTOR_MAX])
            AuditLog.append(
                s,
                actor,
                "verification.clear",
                row.organization,
                before={"id": row.id, "account": row.account_masked, "outcome": "denied"},
                after={"id": row.id, "account": row.account_masked, "cleared": True},
                at=now,
            )
            bump(s, now)
            return Verification.of(row)

    # ------------------------------------------------------------ approvals

    def request_approval(
        self,
        who: Principal | Actor,
        *,
        organization: str,
        account: str,
        account_masked: str,
        note: str = "",
    ) -> Approval:
        """A request to put ``account`` (its comparison form, in clear) on the directory's
        accounts on file for ``organization``. The caller checked that it is verified."""
        actor = Actor.of(who)
        now = self.store.clock()
        ref = self.hash_account(account)
        with self.store.session() as s:
            pending = s.scalar(
                select(AccountApprovalRow).where(
                    AccountApprovalRow.org_key == organization_key(organization),
                    AccountApprovalRow.account_hash == ref,
                    AccountApprovalRow.status == PENDING,
                )
            )
            if pending is not None:
                raise VerificationError(
                    "conflict", f"approval {pending.id} for this account is pending already"
                )
            row = AccountApprovalRow(
                requested_at=now,
                organization=storable_text(organization[:ORG_MAX]),
                org_key=organization_key(organization)[:ORG_MAX],
                account_hash=ref,
                account_masked=storable_text(account_masked[:MASKED_MAX]),
                account=account[:ACCOUNT_MAX],
                status=PENDING,
                note=storable_text(note[:NOTE_MAX]),
                requested_by_subject=storable_text(actor.subject[:SUBJECT_MAX]),
                requested_by=storable_text(actor.label[:ACTOR_MAX]),
            )
            s.add(row)
            s.flush()
            AuditLog.append(
                s,
                actor,
                "approval.request",
                organization,
                after={"id": row.id, "account": row.account_masked, "note": row.note},
                at=now,
            )
            return Approval.of(row)

    def approvals(self, status: str | None = None, *, limit: int = 500) -> list[Approval]:
        q = select(AccountApprovalRow).order_by(AccountApprovalRow.id.desc()).limit(limit)
        if status:
            q = q.where(AccountApprovalRow.status == status)
        with self.store.session() as s:
            return [Approval.of(r) for r in s.scalars(q)]

    def approval(self, approval_id: int) -> Approval | None:
        with self.store.session() as s:
            row = s.get(AccountApprovalRow, approval_id)
            return None if row is None else Approval.of(row)

    def decide(self, approval_id: int, who: Principal | Actor, *, approve: bool) -> Approval:
        """Approve (the account goes on file for the partner, the directory's version moves)
        or reject a pending request; never by the person who requested it."""
        actor = Actor.of(who)
        now = self.store.clock()
        with self.store.session() as s:
            row = s.get(AccountApprovalRow, approval_id)
            if row is None:
                raise VerificationError("not_found", f"no approval request {approval_id}")
            if row.status != PENDING:
                raise VerificationError("conflict", f"approval {approval_id} is {row.status}")
            if row.requested_by_subject == actor.subject:
                raise VerificationError(
                    "same_person", "a request must be decided by someone other than its maker"
                )
            before = {"id": row.id, "status": row.status, "account": row.account_masked}
            if approve:
                partner = s.scalar(select(PartnerRow).where(PartnerRow.org_key == row.org_key))
                if partner is None:
                    raise VerificationError(
                        "not_found", f"{row.organization} is no longer in the directory"
                    )
                account = row.account or ""
                on_file = s.get(PartnerAccountRow, (partner.id, account))
                if on_file is None:
                    s.add(PartnerAccountRow(partner_id=partner.id, account=account))
                    partner.updated_at = now
                    bump_directory(s, now)
            row.status = APPROVED if approve else REJECTED
            row.account = None
            row.decided_at = now
            row.decided_by_subject = storable_text(actor.subject[:SUBJECT_MAX])
            row.decided_by = storable_text(actor.label[:ACTOR_MAX])
            AuditLog.append(
                s,
                actor,
                "approval.approve" if approve else "approval.reject",
                row.organization,
                before=before,
                after={
                    "id": row.id,
                    "status": row.status,
                    "account": row.account_masked,
                    "requested_by": row.requested_by,
                    **({"on_file": True} if approve else {}),
                },
                at=now,
            )
            return Approval.of(row)
