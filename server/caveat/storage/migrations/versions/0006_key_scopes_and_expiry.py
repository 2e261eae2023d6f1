"""API keys get scopes and an expiry; the admin flag becomes a scope list.

* ``scopes``: what the key may call, permission names (caveat.identity.permissions)
  separated by spaces.
* ``expires_at``: when the key stops working; NULL for never. Keys made before keep
  working without an expiry until they are revoked.
* The keys that exist keep exactly what they could call before: an admin key gets every
  permission (``analyze contacts directory report reports.read``), any other key
  ``analyze contacts report`` (analyse messages and recipients, report a message, read a
  partner's contacts to verify a sender; reading the reports and the partner directory
  were for admin keys only). Then the ``admin`` column goes.

Downgrading makes a key an admin key again when it may change the partner directory
(``directory``); scopes narrower than that are lost, and the older code lets such a key
call every other route.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out, not imported: what this revision grants must not move when the code does.
ADMIN_SCOPES = "analyze contacts directory report reports.read"
OTHER_SCOPES = "analyze contacts report"


def upgrade() -> None:
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scopes", sa.String(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    keys = sa.table("api_keys", sa.column("admin", sa.Boolean()), sa.column("scopes", sa.String()))
    op.execute(keys.update().where(keys.c.admin == sa.true()).values(scopes=ADMIN_SCOPES))
    op.execute(keys.update().where(keys.c.admin == sa.false()).values(scopes=OTHER_SCOPES))
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_column("admin")


def downgrade() -> None:
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("admin", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    keys = sa.table("api_keys", sa.column("admin", sa.Boolean()), sa.column("scopes", sa.String()))
    op.execute(
        keys.update()
        .where((" " + keys.c.scopes + " ").like("% directory %"))
        .values(admin=sa.true())
    )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
        batch_op.drop_column("scopes")
