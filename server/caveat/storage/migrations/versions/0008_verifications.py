"""Verify sender outcomes and account approvals: who called which directory contact about
which account, what they heard, and requests to put a verified account on file.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "verifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("organization", sa.String(length=300), nullable=False),
        sa.Column("org_key", sa.String(length=300), nullable=False),
        sa.Column("account_hash", sa.String(length=64), nullable=False),
        sa.Column("account_masked", sa.String(length=64), nullable=False),
        sa.Column("contact_name", sa.String(length=300), nullable=False),
        sa.Column("contact_email", sa.String(length=320), nullable=False),
        sa.Column("contact_phone", sa.String(length=100), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("actor_subject", sa.String(length=320), nullable=False),
        sa.Column("actor", sa.String(length=700), nullable=False),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cleared_by", sa.String(length=700), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verifications")),
    )
    with op.batch_alter_table("verifications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_verifications_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_verifications_org_key"), ["org_key"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_verifications_account_hash"), ["account_hash"], unique=False
        )
    op.create_table(
        "account_approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("organization", sa.String(length=300), nullable=False),
        sa.Column("org_key", sa.String(length=300), nullable=False),
        sa.Column("account_hash", sa.String(length=64), nullable=False),
        sa.Column("account_masked", sa.String(length=64), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("requested_by_subject", sa.String(length=320), nullable=False),
        sa.Column("requested_by", sa.String(length=700), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_subject", sa.String(length=320), nullable=True),
        sa.Column("decided_by", sa.String(length=700), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_approvals")),
    )
    with op.batch_alter_table("account_approvals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_account_approvals_requested_at"), ["requested_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_account_approvals_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("account_approvals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_approvals_status"))
        batch_op.drop_index(batch_op.f("ix_account_approvals_requested_at"))
    op.drop_table("account_approvals")
    with op.batch_alter_table("verifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_verifications_account_hash"))
        batch_op.drop_index(batch_op.f("ix_verifications_org_key"))
        batch_op.drop_index(batch_op.f("ix_verifications_at"))
    op.drop_table("verifications")
