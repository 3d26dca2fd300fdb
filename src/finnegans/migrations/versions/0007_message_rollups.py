"""message roll-ups: counts per workspace, 15-minute slot, direction and status, kept by triggers

Revision ID: 0007_message_rollups
Revises: 0006_broadcasts
Create Date: 2026-12-04 21:30:00

Triggers on `messages` (INSERT; UPDATE of workspace, created_at, direction or status; DELETE)
add and subtract 1 in the same transaction as the write, so every writer keeps the counts
exact without knowing about them. A decrement is a plain UPDATE, never an insert: when a
workspace is deleted its roll-ups may already be gone by the time its messages' DELETE
triggers run, and an insert would then break the foreign key.

NOTE for later migrations: on SQLite, `op.batch_alter_table("messages")` copies the table and
drops its triggers; such a migration must run `_create_sqlite_triggers()`'s SQL again
(tests/integration/metrics/test_rollups.py checks the triggers exist at head).
"""

# ruff: noqa: S608 -- every SQL string here is built from this file's constants, no input.

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_message_rollups"
down_revision: str | None = "0006_broadcasts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SLOT = 900  # seconds; SLOT_SECONDS in finnegans/db/models/metrics.py
KEY = "workspace_id, slot_start, direction, status"
TRIGGERS = ("messages_rollup_insert", "messages_rollup_update", "messages_rollup_delete")


def _sqlite_slot(row: str) -> str:
    # The stored text is 'YYYY-MM-DD HH:MM:SS[.ffffff]' UTC. Only its first 19 characters: SQLite
    # rounds fractions to the millisecond, so 23:59:59.9999 would land in the next day's slot.
    return f"(CAST(strftime('%s', substr({row}.created_at, 1, 19)) AS INTEGER) / {SLOT} * {SLOT})"


def _sqlite_add(row: str) -> str:
    return (
        f"INSERT INTO message_rollups ({KEY}, count) VALUES ({row}.workspace_id, "
        f"{_sqlite_slot(row)}, {row}.direction, {row}.status, 1) "
        f"ON CONFLICT ({KEY}) DO UPDATE SET count = count + 1;"
    )


def _sqlite_subtract(row: str) -> str:
    return (
        f"UPDATE message_rollups SET count = count - 1 WHERE workspace_id = {row}.workspace_id "
        f"AND slot_start = {_sqlite_slot(row)} AND direction = {row}.direction "
        f"AND status = {row}.status;"
    )


def _create_sqlite_triggers() -> None:
    # SQLite has one writer at a time, so the order of the two updates cannot deadlock.
    changed = " OR ".join(
        [
            "OLD.workspace_id IS NOT NEW.workspace_id",
            "OLD.direction IS NOT NEW.direction",
            "OLD.status IS NOT NEW.status",
            f"{_sqlite_slot('OLD')} IS NOT {_sqlite_slot('NEW')}",
        ]
    )
    op.execute(
        f"CREATE TRIGGER messages_rollup_insert AFTER INSERT ON messages "
        f"BEGIN {_sqlite_add('NEW')} END"
    )
    op.execute(
        "CREATE TRIGGER messages_rollup_update "
        "AFTER UPDATE OF workspace_id, created_at, direction, status ON messages "
        f"WHEN {changed} BEGIN {_sqlite_subtract('OLD')} {_sqlite_add('NEW')} END"
    )
    op.execute(
        f"CREATE TRIGGER messages_rollup_delete AFTER DELETE ON messages "
        f"BEGIN {_sqlite_subtract('OLD')} END"
    )


_PG_FUNCTIONS = f"""
CREATE FUNCTION message_rollup_add(ws varchar, slot bigint, dir varchar, st varchar, delta int)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF delta < 0 THEN
        UPDATE message_rollups SET count = count + delta
        WHERE workspace_id = ws AND slot_start = slot AND direction = dir AND status = st;
    ELSE
        INSERT INTO message_rollups ({KEY}, count) VALUES (ws, slot, dir, st, delta)
        ON CONFLICT ({KEY}) DO UPDATE SET count = message_rollups.count + delta;
    END IF;
END $$;

CREATE FUNCTION message_rollup_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_slot bigint;
    new_slot bigint;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        old_slot := floor(extract(epoch FROM OLD.created_at) / {SLOT})::bigint * {SLOT};
    END IF;
    IF TG_OP <> 'DELETE' THEN
        new_slot := floor(extract(epoch FROM NEW.created_at) / {SLOT})::bigint * {SLOT};
    END IF;
    IF TG_OP = 'INSERT' THEN
        PERFORM message_rollup_add(NEW.workspace_id, new_slot, NEW.direction, NEW.status, 1);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM message_rollup_add(OLD.workspace_id, old_slot, OLD.direction, OLD.status, -1);
    ELSIF ROW(OLD.workspace_id, old_slot, OLD.direction, OLD.status)
          IS DISTINCT FROM ROW(NEW.workspace_id, new_slot, NEW.direction, NEW.status) THEN
        -- Lock the two rows in key order, so two transactions moving statuses in opposite
        -- directions (sent -> delivered, delivered -> sent) cannot deadlock on each other.
        IF ROW(OLD.workspace_id, old_slot, OLD.direction, OLD.status)
           < ROW(NEW.workspace_id, new_slot, NEW.direction, NEW.status) THEN
            PERFORM message_rollup_add(OLD.workspace_id, old_slot, OLD.direction, OLD.status, -1);
            PERFORM message_rollup_add(NEW.workspace_id, new_slot, NEW.direction, NEW.status, 1);
        ELSE
            PERFORM message_rollup_add(NEW.workspace_id, new_slot, NEW.direction, NEW.status, 1);
            PERFORM message_rollup_add(OLD.workspace_id, old_slot, OLD.direction, OLD.status, -1);
        END IF;
    END IF;
    RETURN NULL;
END $$;
"""


def _create_postgresql_triggers() -> None:
    op.execute(_PG_FUNCTIONS)
    op.execute(
        "CREATE TRIGGER messages_rollup_insert AFTER INSERT ON messages "
        "FOR EACH ROW EXECUTE FUNCTION message_rollup_trigger()"
    )
    op.execute(
        "CREATE TRIGGER messages_rollup_update "
        "AFTER UPDATE OF workspace_id, created_at, direction, status ON messages "
        "FOR EACH ROW EXECUTE FUNCTION message_rollup_trigger()"
    )
    op.execute(
        "CREATE TRIGGER messages_rollup_delete AFTER DELETE ON messages "
        "FOR EACH ROW EXECUTE FUNCTION message_rollup_trigger()"
    )


def upgrade() -> None:
    op.create_table(
        "message_rollups",
        sa.Column("workspace_id", sa.String(length=32), nullable=False),
        sa.Column("slot_start", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_message_rollups_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "workspace_id", "slot_start", "direction", "status", name=op.f("pk_message_rollups")
        ),
        sqlite_with_rowid=False,  # the Overview scans the primary key; see the model
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    slot = (
        f"floor(extract(epoch FROM created_at) / {SLOT})::bigint * {SLOT}"
        if postgresql
        else f"CAST(strftime('%s', substr(created_at, 1, 19)) AS INTEGER) / {SLOT} * {SLOT}"
    )
    if postgresql:
        # Writers wait until the triggers exist and this commits: none is counted twice or lost.
        op.execute("LOCK TABLE messages IN SHARE ROW EXCLUSIVE MODE")
    # Backfill before the triggers exist. On SQLite the migration's transaction already holds
    # the only write lock.
    op.execute(
        f"INSERT INTO message_rollups ({KEY}, count) "
        f"SELECT workspace_id, {slot}, direction, status, count(*) FROM messages "
        f"GROUP BY workspace_id, {slot}, direction, status"
    )
    if postgresql:
        _create_postgresql_triggers()
    else:
        _create_sqlite_triggers()


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (" ON messages" if postgresql else ""))
    if postgresql:
        op.execute("DROP FUNCTION IF EXISTS message_rollup_trigger()")
        op.execute(
            "DROP FUNCTION IF EXISTS message_rollup_add(varchar, bigint, varchar, varchar, int)"
        )
    op.drop_table("message_rollups")
