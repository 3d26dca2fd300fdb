"""overview: covering indexes for the per-day message counts and sessions per flow

Revision ID: 0006_overview
Revises: 0006_templates
Create Date: 2026-12-04 19:25:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006_overview"
# The brief asked for "0005"; this worktree already has 0006_templates on top of 0005, and two
# heads would stop `upgrade head`. The lead re-chains at merge.
down_revision: str | None = "0006_imports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_messages_workspace_created_direction_status",
            ["workspace_id", "created_at", "direction", "status"],
            unique=False,
        )
    with op.batch_alter_table("flow_sessions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_flow_sessions_workspace_started",
            ["workspace_id", "started_at", "flow_id", "status"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("flow_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_flow_sessions_workspace_started")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_workspace_created_direction_status")
