"""What a conversation said, as keyed hashes, and the key.

conversation_text holds, per conversation, an HMAC-SHA-256 of each sentence or paragraph of
the messages' own words (folded to words), so that a later quote of them can be told from a
sender-written one; memory_secret holds the deployment's HMAC key. No text is stored.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conversation_text",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_conversation_text_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_text")),
        sa.UniqueConstraint(
            "conversation_id", "digest", name=op.f("uq_conversation_text_conversation_id")
        ),
    )
    op.create_table(
        "memory_secret",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memory_secret")),
    )


def downgrade() -> None:
    op.drop_table("memory_secret")
    op.drop_table("conversation_text")
