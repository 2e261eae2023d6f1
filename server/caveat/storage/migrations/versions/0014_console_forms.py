"""The admin console's one-time form ids (caveat.storage.console): a form whose sending
must not act twice (the new-key form) carries one, used in the transaction of its action.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "console_forms",
        sa.Column("form_hash", sa.String(length=64), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("made", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("form_hash", name=op.f("pk_console_forms")),
    )
    op.create_index(
        op.f("ix_console_forms_session_id"), "console_forms", ["session_id"], unique=False
    )
    op.create_index(
        op.f("ix_console_forms_expires_at"), "console_forms", ["expires_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_console_forms_expires_at"), table_name="console_forms")
    op.drop_index(op.f("ix_console_forms_session_id"), table_name="console_forms")
    op.drop_table("console_forms")
