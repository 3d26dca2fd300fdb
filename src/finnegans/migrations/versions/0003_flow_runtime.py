"""flow runtime: tasks, session errors, analytics, simulations

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 23:49:32.909484
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import finnegans.db.base

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "flow_simulations",
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("flow_id", sa.String(length=32), nullable=False),
        sa.Column("use_draft", sa.Boolean(), nullable=False),
        sa.Column(
            "state",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("created_at", finnegans.db.base.UTCDateTime(), nullable=False),
        sa.Column("updated_at", finnegans.db.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["flow_id"],
            ["flows.id"],
            name=op.f("fk_flow_simulations_flow_id_flows"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_flow_simulations_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flow_simulations")),
    )
    with op.batch_alter_table("flow_simulations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_flow_simulations_flow_id"), ["flow_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_flow_simulations_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "flow_session_nodes",
        sa.Column("session_id", sa.String(length=32), nullable=False),
        sa.Column("node_id", sa.String(length=128), nullable=False),
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("flow_id", sa.String(length=32), nullable=False),
        sa.Column("reached_at", finnegans.db.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["flow_id"],
            ["flows.id"],
            name=op.f("fk_flow_session_nodes_flow_id_flows"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["flow_sessions.id"],
            name=op.f("fk_flow_session_nodes_session_id_flow_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_flow_session_nodes_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "node_id", name=op.f("pk_flow_session_nodes")),
    )
    with op.batch_alter_table("flow_session_nodes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_flow_session_nodes_flow_node", ["flow_id", "node_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_flow_session_nodes_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "tasks",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("contact_id", sa.String(length=32), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("session_id", sa.String(length=32), nullable=True),
        sa.Column("message_id", sa.String(length=32), nullable=True),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("due_at", finnegans.db.base.UTCDateTime(), nullable=False),
        sa.Column("locked_until", finnegans.db.base.UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", finnegans.db.base.UTCDateTime(), nullable=False),
        sa.Column("finished_at", finnegans.db.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_tasks_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_tasks_message_id_messages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["flow_sessions.id"],
            name=op.f("fk_tasks_session_id_flow_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_tasks_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
    )
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index("ix_tasks_contact_state", ["contact_id", "state"], unique=False)
        batch_op.create_index("ix_tasks_session_state", ["session_id", "state"], unique=False)
        batch_op.create_index("ix_tasks_state_due", ["state", "due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_tasks_workspace_id"), ["workspace_id"], unique=False)

    with op.batch_alter_table("flow_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("error", sa.Text(), nullable=True))

    with op.batch_alter_table("flows", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("interrupts", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("flows", schema=None) as batch_op:
        batch_op.drop_column("interrupts")

    with op.batch_alter_table("flow_sessions", schema=None) as batch_op:
        batch_op.drop_column("error")
        batch_op.drop_column("attempts")

    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tasks_workspace_id"))
        batch_op.drop_index("ix_tasks_state_due")
        batch_op.drop_index("ix_tasks_session_state")
        batch_op.drop_index("ix_tasks_contact_state")

    op.drop_table("tasks")
    with op.batch_alter_table("flow_session_nodes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_flow_session_nodes_workspace_id"))
        batch_op.drop_index("ix_flow_session_nodes_flow_node")

    op.drop_table("flow_session_nodes")
    with op.batch_alter_table("flow_simulations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_flow_simulations_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_flow_simulations_flow_id"))

    op.drop_table("flow_simulations")
