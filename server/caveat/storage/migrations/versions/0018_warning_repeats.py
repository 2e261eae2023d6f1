"""Repeated warnings: which reader had which caution from which sender lately, so that it is
said in full once and summarised after (caveat.storage.repeats). It starts empty.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "warning_repeats",
        sa.Column("viewer", sa.String(length=64), nullable=False),
        sa.Column("sender", sa.String(length=320), nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("messages", sa.String(length=544), nullable=False),
        sa.PrimaryKeyConstraint("viewer", "sender", "signature", name=op.f("pk_warning_repeats")),
    )


def downgrade() -> None:
    op.drop_table("warning_repeats")
