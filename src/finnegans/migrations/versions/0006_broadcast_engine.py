"""broadcast engine: recipient wamid, claim time, funnel timestamps; broadcast cancel time

Revision ID: 0006_broadcasts
Revises: 0005
Create Date: 2026-12-04 18:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import finnegans.db.base

revision: str = "0006_broadcasts"
down_revision: str | None = "0006_overview"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_RECIPIENT_TIMES = ("claimed_at", "delivered_at", "read_at", "replied_at")


def upgrade() -> None:
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("cancelled_at", finnegans.db.base.UTCDateTime(), nullable=True)
        )
    with op.batch_alter_table("broadcast_recipients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("wamid", sa.String(length=128), nullable=True))
        for name in _RECIPIENT_TIMES:
            batch_op.add_column(sa.Column(name, finnegans.db.base.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_broadcast_recipients_wamid"), ["wamid"], unique=False)
        batch_op.create_index(
            "ix_broadcast_recipients_broadcast_due",
            ["broadcast_id", "status", "next_attempt_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("broadcast_recipients", schema=None) as batch_op:
        batch_op.drop_index("ix_broadcast_recipients_broadcast_due")
        batch_op.drop_index(batch_op.f("ix_broadcast_recipients_wamid"))
        for name in reversed(_RECIPIENT_TIMES):
            batch_op.drop_column(name)
        batch_op.drop_column("wamid")
    with op.batch_alter_table("broadcasts", schema=None) as batch_op:
        batch_op.drop_column("cancelled_at")
