"""Partner policies beyond require_auth: how the partner makes bank changes, and whether
only the accounts on file may be paid.

* ``partners.bank_change_procedure``: free text agreed with the partner (at most 300
  characters), shown whenever a message from them announces a bank change; empty for none.
* ``partners.pay_only_on_file``: the partner agreed that only the accounts on file are
  ever paid; any other account named in their mail is then a policy violation.

Partners stored before keep no procedure and no such agreement, which is what a directory
file without the two columns says.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("partners", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "bank_change_procedure",
                sa.String(length=300),
                server_default="",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column("pay_only_on_file", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("partners", schema=None) as batch_op:
        batch_op.drop_column("pay_only_on_file")
        batch_op.drop_column("bank_change_procedure")
