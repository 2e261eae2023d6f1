"""The warning tally: a daily count of warned messages by level, check family, internal
recipient and imitated partner, for the admin console's overview.

``warning_tally(day, kind, key, count)``, one row per day, kind and key (see
:mod:`caveat.storage.stats`). It starts empty: nothing recorded warnings before.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "warning_tally",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=320), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "kind", "key", name=op.f("pk_warning_tally")),
    )


def downgrade() -> None:
    op.drop_table("warning_tally")
