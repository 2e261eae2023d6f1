"""Messages reported as fraud from the add-in.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sender", sa.String(length=320), nullable=False),
        sa.Column("message_hash", sa.String(length=64), nullable=False),
        sa.Column("conversation_hash", sa.String(length=64), nullable=True),
        sa.Column("level", sa.String(length=10), nullable=True),
        sa.Column("finding_ids", sa.String(length=1000), nullable=False),
        sa.Column("reporter", sa.String(length=320), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("message_hash", "reporter", name=op.f("uq_reports_message_hash")),
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reports_reported_at"), ["reported_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_reports_sender"), ["sender"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reports_sender"))
        batch_op.drop_index(batch_op.f("ix_reports_reported_at"))
    op.drop_table("reports")
