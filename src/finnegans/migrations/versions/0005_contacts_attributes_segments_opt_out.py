"""contacts: attributes, segments, opt-out audit

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 10:18:52.389953
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import finnegans.db.base

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contact_attribute_definitions",
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("created_at", finnegans.db.base.UTCDateTime(), nullable=False),
        sa.Column("updated_at", finnegans.db.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_contact_attribute_definitions_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_attribute_definitions")),
        sa.UniqueConstraint(
            "workspace_id", "key", name=op.f("uq_contact_attribute_definitions_workspace_id_key")
        ),
    )
    with op.batch_alter_table("contact_attribute_definitions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_attribute_definitions_workspace_id"),
            ["workspace_id"],
            unique=False,
        )

    op.create_table(
        "segments",
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column(
            "rules",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("created_at", finnegans.db.base.UTCDateTime(), nullable=False),
        sa.Column("updated_at", finnegans.db.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_segments_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_segments")),
        sa.UniqueConstraint("workspace_id", "name", name=op.f("uq_segments_workspace_id_name")),
    )
    with op.batch_alter_table("segments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_segments_workspace_id"), ["workspace_id"], unique=False
        )

    op.create_table(
        "contact_opt_events",
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("contact_id", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.String(length=255), nullable=True),
        sa.Column("actor_user_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", finnegans.db.base.UTCDateTime(), nullable=False),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_user_id"],
            ["users.id"],
            name=op.f("fk_contact_opt_events_actor_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_contact_opt_events_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_contact_opt_events_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_opt_events")),
    )
    with op.batch_alter_table("contact_opt_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contact_opt_events_contact_created", ["contact_id", "created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_contact_opt_events_workspace_id"), ["workspace_id"], unique=False
        )

    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_contacts_workspace_last_inbound", ["workspace_id", "last_inbound_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index("ix_contacts_workspace_last_inbound")

    with op.batch_alter_table("contact_opt_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_opt_events_workspace_id"))
        batch_op.drop_index("ix_contact_opt_events_contact_created")

    op.drop_table("contact_opt_events")
    with op.batch_alter_table("segments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_segments_workspace_id"))

    op.drop_table("segments")
    with op.batch_alter_table("contact_attribute_definitions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_attribute_definitions_workspace_id"))

    op.drop_table("contact_attribute_definitions")
