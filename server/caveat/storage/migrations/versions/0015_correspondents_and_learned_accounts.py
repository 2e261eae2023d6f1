"""The conversation memory's frequent correspondents and learned accounts
(caveat.storage.records): the registrable domains whose unremarkable mail passed aligned
authentication, counted; and per sender organisation the accounts such mail named, both as
keyed hashes.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "correspondent_domains",
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("domain", name=op.f("pk_correspondent_domains")),
    )
    op.create_index(
        op.f("ix_correspondent_domains_messages"),
        "correspondent_domains",
        ["messages"],
        unique=False,
    )
    op.create_index(
        op.f("ix_correspondent_domains_last_seen"),
        "correspondent_domains",
        ["last_seen"],
        unique=False,
    )
    op.create_table(
        "learned_accounts",
        sa.Column("owner_hash", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("owner_hash", "digest", name=op.f("pk_learned_accounts")),
    )
    op.create_index(
        op.f("ix_learned_accounts_last_seen"), "learned_accounts", ["last_seen"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_learned_accounts_last_seen"), table_name="learned_accounts")
    op.drop_table("learned_accounts")
    op.drop_index(op.f("ix_correspondent_domains_last_seen"), table_name="correspondent_domains")
    op.drop_index(op.f("ix_correspondent_domains_messages"), table_name="correspondent_domains")
    op.drop_table("correspondent_domains")
