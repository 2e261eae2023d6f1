"""Keys that could do everything keep doing everything: the permissions added since 0006.

Revision 0006 gave admin keys every permission there was then (``analyze contacts
directory report reports.read``). Verifications, approvals, report triage, fraud
indicators and the audit log came after, with permissions of their own; a key that holds
all five of 0006 gets them too, so that an administrator's key made before is still one.
Keys with fewer permissions are left as they are. Downgrading leaves the scopes as they
are: older code reads a key's scopes as names and never asks for the new ones.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out, not imported: what this revision grants must not move when the code does.
BEFORE = ("analyze", "contacts", "directory", "report", "reports.read")
ADDED = ("approve", "audit", "intel", "triage", "verify")


def upgrade() -> None:
    keys = sa.table("api_keys", sa.column("id", sa.Integer()), sa.column("scopes", sa.String()))
    connection = op.get_bind()
    for key_id, scopes in connection.execute(sa.select(keys.c.id, keys.c.scopes)).all():
        held = set((scopes or "").split())
        if set(BEFORE) <= held and not set(ADDED) <= held:
            connection.execute(
                keys.update()
                .where(keys.c.id == key_id)
                .values(scopes=" ".join(sorted(held | set(ADDED))))
            )


def downgrade() -> None:
    pass
