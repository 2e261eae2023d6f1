"""The partner directory and the conversation memory.

partners / partner_domains / partner_contacts / partner_accounts / directory_state hold the
imported directory; conversations / conversation_keys / conversation_people and contacts
hold what earlier messages showed (addresses, display names, hashed keys, timestamps).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("admin", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table(
        "contacts",
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("name_key", sa.String(length=300), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent", sa.Integer(), nullable=False),
        sa.Column("authenticated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("colleague", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("address", name=op.f("pk_contacts")),
    )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contacts_name_key"), ["name_key"], unique=False)

    op.create_table(
        "conversations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
    )
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_conversations_last_seen_at"), ["last_seen_at"], unique=False
        )

    op.create_table(
        "directory_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_state")),
    )
    op.create_table(
        "partners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization", sa.String(length=300), nullable=False),
        sa.Column("org_key", sa.String(length=300), nullable=False),
        sa.Column("require_auth", sa.String(length=20), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partners")),
        sa.UniqueConstraint("org_key", name=op.f("uq_partners_org_key")),
    )
    op.create_table(
        "conversation_keys",
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_conversation_keys_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("key_hash", "conversation_id", name=op.f("pk_conversation_keys")),
    )
    with op.batch_alter_table("conversation_keys", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_conversation_keys_conversation_id"), ["conversation_id"], unique=False
        )

    op.create_table(
        "conversation_people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("name_key", sa.String(length=300), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("local_key", sa.String(length=130), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_conversation_people_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_people")),
        sa.UniqueConstraint(
            "conversation_id",
            "address",
            "name_key",
            name=op.f("uq_conversation_people_conversation_id"),
        ),
    )
    with op.batch_alter_table("conversation_people", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_conversation_people_conversation_id"), ["conversation_id"], unique=False
        )

    op.create_table(
        "partner_accounts",
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_partner_accounts_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("partner_id", "account", name=op.f("pk_partner_accounts")),
    )
    op.create_table(
        "partner_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("phone", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_partner_contacts_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_contacts")),
    )
    with op.batch_alter_table("partner_contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partner_contacts_email"), ["email"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_partner_contacts_partner_id"), ["partner_id"], unique=False
        )

    op.create_table(
        "partner_domains",
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partners.id"],
            name=op.f("fk_partner_domains_partner_id_partners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("domain", name=op.f("pk_partner_domains")),
    )
    with op.batch_alter_table("partner_domains", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partner_domains_partner_id"), ["partner_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_column("admin")
    with op.batch_alter_table("partner_domains", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_domains_partner_id"))

    op.drop_table("partner_domains")
    with op.batch_alter_table("partner_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_contacts_partner_id"))
        batch_op.drop_index(batch_op.f("ix_partner_contacts_email"))

    op.drop_table("partner_contacts")
    op.drop_table("partner_accounts")
    with op.batch_alter_table("conversation_people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_people_conversation_id"))

    op.drop_table("conversation_people")
    with op.batch_alter_table("conversation_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_keys_conversation_id"))

    op.drop_table("conversation_keys")
    op.drop_table("partners")
    op.drop_table("directory_state")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversations_last_seen_at"))

    op.drop_table("conversations")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contacts_name_key"))

    op.drop_table("contacts")
