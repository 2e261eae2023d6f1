"""Retention runs on its own, and conversation keys become keyed hashes.

* ``maintenance``: one row per recurring job (today ``retention``), whose ``due_at`` is
  the lease: a process sweeps only after winning a conditional UPDATE that moves it
  forward, so one process of all those on the database sweeps per interval
  (:mod:`caveat.storage.retention`).
* An index on ``contacts.last_seen``, which the sweep selects by.
* The conversation memory held until now is deleted: its conversation keys were plain
  SHA-256 hashes of subjects and Message-IDs, which anyone who guesses a subject could
  confirm. They cannot be re-keyed (the subjects and ids are not kept), and a
  conversation without its keys can never be found again, so its participants and
  keyed text hashes are deleted with it. Senders and colleagues (``contacts``) are kept:
  they carry no hash. Reports keep their plain hashes (only the recognition of a repeated
  report depends on them) until REPORT_RETENTION_DAYS removes them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "maintenance",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_maintenance")),
    )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contacts_last_seen"), ["last_seen"], unique=False)
    # Unkeyed conversation memory: children first (SQLite migrations do not rely on
    # cascades).
    for table in ("conversation_text", "conversation_keys", "conversation_people"):
        op.execute(sa.table(table).delete())
    op.execute(sa.text("DELETE FROM conversations"))


def downgrade() -> None:
    # The keyed conversation memory means nothing to the older code either.
    for table in ("conversation_text", "conversation_keys", "conversation_people"):
        op.execute(sa.table(table).delete())
    op.execute(sa.text("DELETE FROM conversations"))
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contacts_last_seen"))
    op.drop_table("maintenance")
