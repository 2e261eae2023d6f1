"""The people directory (caveat.storage.people): the organisation's employees and
executives, with their work and personal addresses.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("department", sa.String(length=300), nullable=False),
        sa.Column("group_name", sa.String(length=40), nullable=False),
        sa.Column("executive", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
    )
    op.create_index(op.f("ix_people_updated_at"), "people", ["updated_at"], unique=False)
    op.create_table(
        "people_addresses",
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("personal", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_people_addresses_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("address", name=op.f("pk_people_addresses")),
    )
    op.create_index(
        op.f("ix_people_addresses_person_id"), "people_addresses", ["person_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_people_addresses_person_id"), table_name="people_addresses")
    op.drop_table("people_addresses")
    op.drop_index(op.f("ix_people_updated_at"), table_name="people")
    op.drop_table("people")
