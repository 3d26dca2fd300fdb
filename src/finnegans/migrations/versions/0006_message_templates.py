"""message templates: local copies of the WABA's templates

Revision ID: 0006_templates
Revises: 0005
Create Date: 2026-12-04 18:26:35.720937
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import finnegans.db.base

revision: str = "0006_templates"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "message_templates",
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("whatsapp_account_id", sa.String(length=32), nullable=True),
        sa.Column("waba_id", sa.String(length=64), nullable=False),
        sa.Column("meta_template_id", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=512), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("rejected_reason", sa.Text(), nullable=True),
        sa.Column(
            "components",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("parameter_format", sa.String(length=16), nullable=False),
        sa.Column("last_synced_at", finnegans.db.base.UTCDateTime(), nullable=True),
        sa.Column("status_event_at", finnegans.db.base.UTCDateTime(), nullable=True),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("created_at", finnegans.db.base.UTCDateTime(), nullable=False),
        sa.Column("updated_at", finnegans.db.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["whatsapp_account_id"],
            ["whatsapp_accounts.id"],
            name=op.f("fk_message_templates_whatsapp_account_id_whatsapp_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_message_templates_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_templates")),
        sa.UniqueConstraint(
            "workspace_id",
            "waba_id",
            "name",
            "language",
            name=op.f("uq_message_templates_workspace_id_waba_id_name_language"),
        ),
    )
    with op.batch_alter_table("message_templates", schema=None) as batch_op:
        batch_op.create_index(
            "ix_message_templates_waba_meta_id", ["waba_id", "meta_template_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_message_templates_whatsapp_account_id"),
            ["whatsapp_account_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_message_templates_workspace_id"), ["workspace_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("message_templates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_templates_workspace_id"))
        batch_op.drop_index(batch_op.f("ix_message_templates_whatsapp_account_id"))
        batch_op.drop_index("ix_message_templates_waba_meta_id")
    op.drop_table("message_templates")
