"""search trigrams: pg_trgm GIN indexes for the global search's ILIKE '%q%' (PostgreSQL only)

Revision ID: 0008_search_trigrams
Revises: 0007_message_rollups
Create Date: 2026-12-04 22:00:00

The ⌘K search matches substrings of contact names, phones, WhatsApp ids, conversation
previews, flow names and broadcast titles. PostgreSQL answers ILIKE '%q%' from a trigram GIN
index (a few ms on 50,000 contacts instead of a scan). pg_trgm is a trusted extension (any
database owner may create it since PostgreSQL 13); where it is not available the migration
skips the indexes and search still works, by scanning. SQLite: nothing (an FTS5 trigram table
would need its own triggers and a different query; not done yet).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_search_trigrams"
down_revision: str | None = "0007_message_rollups"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A copy, not an import: a migration keeps describing what it did when the code moves on.
INDEXES = (
    ("ix_contacts_name_trgm", "contacts", "name"),
    ("ix_contacts_phone_trgm", "contacts", "phone"),
    ("ix_contacts_wa_id_trgm", "contacts", "wa_id"),
    ("ix_conversations_last_message_preview_trgm", "conversations", "last_message_preview"),
    ("ix_flows_name_trgm", "flows", "name"),
    ("ix_broadcasts_title_trgm", "broadcasts", "title"),
)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    savepoint = bind.begin_nested()
    try:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except sa.exc.DBAPIError:
        savepoint.rollback()  # no pg_trgm here (or no right to create it): search scans
        return
    savepoint.commit()
    for name, table, column in INDEXES:
        op.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, _, _ in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
