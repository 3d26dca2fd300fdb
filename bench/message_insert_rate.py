"""What the message roll-up triggers cost writers: messages/s with and without them.

Inserts N messages into one workspace two ways — bulk (one multi-row Core INSERT of --batch
rows per transaction, like the seeders and the broadcast sender's batches) and one message per
transaction (like processing one inbound webhook) — then moves each one's status forward once
(an UPDATE per message per transaction, like a status webhook). It does this with the triggers
of migration 0007_message_rollups, after dropping them, and with them again (restored by
re-running the migration), and prints each rate. It drops the triggers only in its own
throwaway database (SQLite file in a temporary folder, or the `--database-url` given: use an
empty test database).

    .venv/bin/python bench/message_insert_rate.py --messages 20000
    .venv/bin/python bench/message_insert_rate.py --database-url postgresql://.../bench_db
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import insert, text, update

from finnegans.config import Settings
from finnegans.db.base import new_id
from finnegans.db.engine import create_engine
from finnegans.db.migrate import downgrade, upgrade
from finnegans.db.models import Contact, Message, Workspace
from finnegans.db.session import Database

TRIGGERS = ("messages_rollup_insert", "messages_rollup_update", "messages_rollup_delete")


def _rows(workspace_id: str, contact_id: str, n: int) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    return [{"id": new_id(), "workspace_id": workspace_id, "contact_id": contact_id,
             "direction": "outbound" if i % 2 else "inbound", "type": "text", "text": f"m {i}",
             "payload": {}, "status": "sent",
             "created_at": now - timedelta(seconds=i * 7)} for i in range(n)]  # fmt: skip


async def measure(db: Database, workspace_id: str, messages: int, batch: int) -> dict[str, float]:
    async with db.unit_of_work() as session:
        contact_id = new_id()
        await session.execute(
            insert(Contact), [{"id": contact_id, "workspace_id": workspace_id, "wa_id": contact_id}]
        )
    rows = _rows(workspace_id, contact_id, messages)
    started = time.perf_counter()
    for offset in range(0, messages, batch):
        async with db.unit_of_work() as session:
            await session.execute(insert(Message), rows[offset : offset + batch])
    bulk = messages / (time.perf_counter() - started)

    singles = _rows(workspace_id, contact_id, max(1, messages // 10))
    started = time.perf_counter()
    for row in singles:
        async with db.unit_of_work() as session:
            await session.execute(insert(Message), [row])
    single = len(singles) / (time.perf_counter() - started)

    started = time.perf_counter()
    for row in singles:
        async with db.unit_of_work() as session:
            await session.execute(
                update(Message).where(Message.id == row["id"]).values(status="delivered")
            )
    moves = len(singles) / (time.perf_counter() - started)
    return {"bulk": bulk, "single": single, "status": moves}


async def drop_triggers(db: Database) -> None:
    async with db.unit_of_work() as session:
        postgresql = session.get_bind().dialect.name == "postgresql"
        for name in TRIGGERS:
            await session.execute(
                text(f"DROP TRIGGER {name}" + (" ON messages" if postgresql else ""))
            )


async def run(database_url: str | None, messages: int, batch: int) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="insert-rate-bench-"))
    url = database_url or f"sqlite:///{data_dir / 'bench.db'}"
    settings = Settings(
        _env_file=None, environment="test", database_url=url, data_dir=data_dir,
        jwt_secret="bench-" + "x" * 40, encryption_keys=[Fernet.generate_key().decode()],
        public_url="http://testserver", log_level="WARNING", redis_url="",
    ).complete()  # fmt: skip
    upgrade(settings.database_url)
    db = Database(create_engine(settings.database_url))
    results: list[tuple[str, dict[str, float]]] = []
    try:
        for label in ("with triggers", "without triggers", "with triggers again"):
            if label == "without triggers":
                await drop_triggers(db)
            elif label == "with triggers again":
                # Re-running the migration restores the triggers (and re-backfills the counts).
                await db.dispose()
                downgrade(settings.database_url, "0006_broadcasts")
                upgrade(settings.database_url)
                db = Database(create_engine(settings.database_url))
            async with db.unit_of_work() as session:
                workspace_id = new_id()
                await session.execute(insert(Workspace), [{"id": workspace_id, "name": label}])
            results.append((label, await measure(db, workspace_id, messages, batch)))
    finally:
        await db.dispose()
        shutil.rmtree(data_dir, ignore_errors=True)
    backend = "PostgreSQL" if database_url else "SQLite"
    print(f"{backend}: {messages:,} bulk-inserted messages ({batch} a transaction), "
          f"{messages // 10:,} single inserts and status moves (1 a transaction)")  # fmt: skip
    print(f"{'':22} {'bulk msg/s':>11} {'single msg/s':>13} {'status moves/s':>15}")
    for label, r in results:
        print(f"{label:22} {r['bulk']:11,.0f} {r['single']:13,.0f} {r['status']:15,.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    asyncio.run(run(args.database_url, args.messages, args.batch))


if __name__ == "__main__":
    main()
