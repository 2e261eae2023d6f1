"""Fraud indicators, the shared-knowledge version row, and the triage of reports.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "indicators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=320), nullable=False),
        sa.Column("aliases", sa.String(length=400), nullable=False),
        sa.Column("shown", sa.String(length=320), nullable=False),
        sa.Column("region", sa.String(length=8), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_subject", sa.String(length=320), nullable=False),
        sa.Column("created_by", sa.String(length=700), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("removed_by", sa.String(length=700), nullable=True),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicators")),
    )
    with op.batch_alter_table("indicators", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_indicators_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_indicators_value"), ["value"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_indicators_created_at"), ["created_at"], unique=False
        )
    op.create_table(
        "knowledge_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_state")),
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reporter_subject", sa.String(length=320), nullable=True))
        batch_op.add_column(
            sa.Column("status", sa.String(length=10), nullable=False, server_default="open")
        )
        batch_op.add_column(sa.Column("triaged_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("triaged_by", sa.String(length=700), nullable=True))
        batch_op.add_column(sa.Column("refs", sa.Text(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_reports_reporter_subject"), ["reporter_subject"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_reports_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reports_status"))
        batch_op.drop_index(batch_op.f("ix_reports_reporter_subject"))
        batch_op.drop_column("refs")
        batch_op.drop_column("triaged_by")
        batch_op.drop_column("triaged_at")
        batch_op.drop_column("status")
        batch_op.drop_column("reporter_subject")
    op.drop_table("knowledge_state")
    with op.batch_alter_table("indicators", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicators_created_at"))
        batch_op.drop_index(batch_op.f("ix_indicators_value"))
        batch_op.drop_index(batch_op.f("ix_indicators_kind"))
    op.drop_table("indicators")
