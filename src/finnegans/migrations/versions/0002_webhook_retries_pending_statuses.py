"""webhook retries, pending statuses, status times

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 22:01:35.355423
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import finnegans.db.base

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "pending_statuses",
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("wamid", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("occurred_at", finnegans.db.base.UTCDateTime(), nullable=False),
        sa.Column("error_code", sa.Integer(), nullable=True),
        sa.Column("error_title", sa.String(length=255), nullable=True),
        sa.Column("error_details", sa.Text(), nullable=True),
        sa.Column("received_at", finnegans.db.base.UTCDateTime(), nullable=False),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_pending_statuses_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_statuses")),
    )
    with op.batch_alter_table("pending_statuses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pending_statuses_workspace_id"), ["workspace_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_pending_statuses_wamid"), ["wamid"], unique=False)

    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sent_at", finnegans.db.base.UTCDateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("delivered_at", finnegans.db.base.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("read_at", finnegans.db.base.UTCDateTime(), nullable=True))

    with op.batch_alter_table("webhook_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("next_attempt_at", finnegans.db.base.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:

    with op.batch_alter_table("webhook_events", schema=None) as batch_op:
        batch_op.drop_column("next_attempt_at")

    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_column("read_at")
        batch_op.drop_column("delivered_at")
        batch_op.drop_column("sent_at")

    with op.batch_alter_table("pending_statuses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_statuses_wamid"))
        batch_op.drop_index(batch_op.f("ix_pending_statuses_workspace_id"))

    op.drop_table("pending_statuses")
