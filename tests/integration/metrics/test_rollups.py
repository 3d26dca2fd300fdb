"""The message roll-ups stay exact whatever writes `messages`: ORM, bulk Core, raw UPDATE/DELETE.

After every step the roll-up table must equal a GROUP BY over the messages themselves, and the
Overview (which reads only the roll-ups) must show what a user expects.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import create_engine, delete, insert, select, text, update

from finnegans.config import Settings
from finnegans.db.base import new_id
from finnegans.db.migrate import upgrade
from finnegans.db.models import Contact, Message, MessageRollup, Workspace
from finnegans.db.session import Database
from finnegans.kit.clock import travel, utcnow
from tests.helpers import register
from tests.integration.metrics.seed import Seeder, days_ago, local
from tests.integration.metrics.test_overview import overview

TRIGGERS = {"messages_rollup_insert", "messages_rollup_update", "messages_rollup_delete"}


def _slot(at: datetime) -> int:
    return int(at.timestamp()) // 900 * 900


async def assert_rollups_exact(db: Database) -> None:
    """Every (workspace, slot, direction, status) count equals the messages that have it."""
    async with db.unit_of_work() as session:
        messages = await session.execute(
            select(Message.workspace_id, Message.created_at, Message.direction, Message.status)
        )
        expected = Counter((ws, _slot(at), d, s) for ws, at, d, s in messages.all())
        rows = await session.execute(select(MessageRollup))
        actual = {
            (r.workspace_id, r.slot_start, r.direction, r.status): r.count
            for r in rows.scalars()
            if r.count != 0
        }
    assert actual == dict(expected)


def _message(ws: str, contact_id: str, direction: str, status: str, at: datetime) -> dict[str, Any]:
    return {"id": new_id(), "workspace_id": ws, "contact_id": contact_id, "direction": direction,
            "type": "text", "text": "x", "payload": {}, "status": status,
            "created_at": at}  # fmt: skip


async def test_counts_follow_inserts_status_moves_and_deletes(
    app: FastAPI, client: AsyncClient
) -> None:
    db: Database = app.state.ctx.db
    owner = await register(client)
    ws = owner.workspace_id
    s = Seeder(ws)
    s.contact("Ana", "+573001110001")
    s.contact("Beto", "+573001110002")
    for _ in range(3):
        s.message("outbound", days_ago("UTC", 0, 9), "sent")  # ORM inserts
    await s.flush(db, timezone="UTC")
    ana, beto = s.contacts
    # A bulk Core insert (the broadcast sender's and the benches' way): one statement, 4 rows.
    bulk = [_message(ws, beto, "outbound", "pending", days_ago("UTC", 1, 10)) for _ in range(3)]
    bulk.append(_message(ws, beto, "inbound", "delivered", days_ago("UTC", 1, 10)))
    async with db.unit_of_work() as session:
        await session.execute(insert(Message), bulk)
    await assert_rollups_exact(db)
    body = await overview(client, owner, days=7)
    assert body["kpis"]["messages_sent"] == 6
    assert body["funnel"] == {"sent": 3, "delivered": 0, "read": 0, "failed": 0, "pending": 3}

    # Forward moves, one by one and several in one UPDATE.
    pending_ids = [m["id"] for m in bulk[:3]]
    async with db.unit_of_work() as session:
        await session.execute(
            update(Message).where(Message.id.in_(pending_ids)).values(status="delivered")
        )
        await session.execute(
            update(Message).where(Message.id == pending_ids[0]).values(status="read")
        )
    await assert_rollups_exact(db)
    body = await overview(client, owner, days=7)
    assert body["funnel"] == {"sent": 6, "delivered": 3, "read": 1, "failed": 0, "pending": 0}
    assert body["kpis"]["read_rate"] == round(1 / 3, 4)

    # Backwards (a correction) and to failed; an UPDATE of other columns changes no count.
    async with db.unit_of_work() as session:
        await session.execute(
            update(Message).where(Message.id == pending_ids[0]).values(status="sent")
        )
        await session.execute(
            update(Message).where(Message.id == pending_ids[1]).values(status="failed")
        )
        await session.execute(
            update(Message).where(Message.id == pending_ids[2]).values(text="edited")
        )
    await assert_rollups_exact(db)
    body = await overview(client, owner, days=7)
    assert body["funnel"] == {"sent": 5, "delivered": 1, "read": 0, "failed": 1, "pending": 0}

    # A message moved to another day (created_at) and another direction.
    async with db.unit_of_work() as session:
        await session.execute(
            update(Message)
            .where(Message.id == pending_ids[2])
            .values(created_at=days_ago("UTC", 3, 8), direction="inbound")
        )
    await assert_rollups_exact(db)
    days = {d["date"]: d for d in (await overview(client, owner, days=7))["messages_per_day"]}
    assert days[str(date.fromisoformat(body["end"]) - timedelta(days=3))]["received"] == 1

    # Deletes: one message, then a contact (its messages go by cascade).
    async with db.unit_of_work() as session:
        await session.execute(delete(Message).where(Message.id == pending_ids[0]))
    await assert_rollups_exact(db)
    async with db.unit_of_work() as session:
        await session.execute(delete(Contact).where(Contact.id == beto))
    await assert_rollups_exact(db)
    body = await overview(client, owner, days=7)
    assert body["kpis"]["messages_sent"] == 3
    assert body["kpis"]["messages_received"] == 0
    assert body["funnel"]["sent"] == 3 and ana


async def test_other_workspaces_keep_their_own_counts(app: FastAPI, client: AsyncClient) -> None:
    db: Database = app.state.ctx.db
    first, second = await register(client), await register(client)
    for user, n in ((first, 2), (second, 5)):
        s = Seeder(user.workspace_id)
        s.contact("Ana", "+573001110001")
        for _ in range(n):
            s.message("outbound", days_ago("UTC", 0, 9), "read")
        await s.flush(db, timezone="UTC")
    async with db.unit_of_work() as session:  # moving one workspace's messages...
        await session.execute(
            update(Message).where(Message.workspace_id == second.workspace_id).values(status="sent")
        )
    await assert_rollups_exact(db)
    assert (await overview(client, first))["funnel"]["read"] == 2  # ...leaves the other alone
    assert (await overview(client, second))["funnel"] == {
        "sent": 5, "delivered": 0, "read": 0, "failed": 0, "pending": 0}  # fmt: skip

    # Deleting a workspace cascades to its messages and roll-ups; the other keeps its counts.
    async with db.unit_of_work() as session:
        await session.execute(delete(Workspace).where(Workspace.id == second.workspace_id))
    await assert_rollups_exact(db)
    assert (await overview(client, first))["funnel"]["read"] == 2


@pytest.mark.parametrize(
    ("zone", "boundary_utc"),
    [
        ("Asia/Kathmandu", (18, 15)),  # UTC+05:45: local midnight at 18:15 UTC
        ("Asia/Kolkata", (18, 30)),  # UTC+05:30
        ("America/St_Johns", (3, 30)),  # UTC-03:30 in November
    ],
)
async def test_local_midnight_on_a_quarter_hour_splits_the_days(
    app: FastAPI, client: AsyncClient, zone: str, boundary_utc: tuple[int, int]
) -> None:
    owner = await register(client)
    s = Seeder(owner.workspace_id)
    s.contact("Ana", "+919800000001")
    today = date(2026, 11, 20)
    midnight = local(zone, today, 0, 0, 0)
    assert (midnight.astimezone(UTC).hour, midnight.astimezone(UTC).minute) == boundary_utc
    s.message("inbound", midnight - timedelta(microseconds=1))  # 23:59:59.999999 yesterday
    s.message("inbound", midnight)
    s.message("inbound", midnight + timedelta(minutes=14, seconds=59))
    await s.flush(app.state.ctx.db, timezone=zone)
    with travel(local(zone, today, 12) - utcnow()):
        body = await overview(client, owner)
    assert [d["received"] for d in body["messages_per_day"]][-2:] == [1, 2]


async def test_lord_howe_half_hour_dst_change(app: FastAPI, client: AsyncClient) -> None:
    """Lord Howe moves from UTC+10:30 to UTC+11 at 02:00 on 4 October 2026 (a 30-minute step)."""
    owner = await register(client)
    s = Seeder(owner.workspace_id)
    s.contact("Ana", "+61200000001")
    zone = "Australia/Lord_Howe"
    for day, hh, mm in [(3, 23, 59), (4, 0, 0), (4, 23, 59), (5, 0, 0), (5, 0, 1)]:
        s.message("inbound", local(zone, date(2026, 10, day), hh, mm))
    await s.flush(app.state.ctx.db, timezone=zone)
    with travel(local(zone, date(2026, 10, 6), 12) - utcnow()):
        body = await overview(client, owner)
    days = {d["date"]: d["received"] for d in body["messages_per_day"]}
    assert [days[f"2026-10-{d:02d}"] for d in (3, 4, 5, 6)] == [1, 2, 2, 0]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_migration_backfills_existing_messages_and_installs_triggers(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    raw = (
        f"sqlite:///{tmp_path / 'mig.db'}"
        if backend == "sqlite"
        else request.getfixturevalue("fresh_postgres_url")
    )
    url = Settings(_env_file=None, database_url=raw).database_url  # type: ignore[call-arg]
    upgrade(url, "0006_broadcasts")
    engine = create_engine(url.replace("+aiosqlite", ""))
    at = datetime(2026, 11, 20, 10, 7, 30, tzinfo=UTC)
    with engine.begin() as conn:  # the tables these rows go in are the same at 0006 and head
        conn.execute(insert(Workspace), [{"id": "w1", "name": "W"}])
        conn.execute(insert(Contact), [{"id": "c1", "workspace_id": "w1", "wa_id": "1"}])
        conn.execute(
            insert(Message),
            [_message("w1", "c1", "outbound", status, at) for status in ("read", "read", "sent")],
        )
    upgrade(url)
    slot = int(at.timestamp()) // 900 * 900  # 10:00 UTC
    with engine.begin() as conn:
        rows = conn.execute(text("SELECT slot_start, status, count FROM message_rollups "
                                 "ORDER BY status")).all()  # fmt: skip
        assert [tuple(r) for r in rows] == [(slot, "read", 2), (slot, "sent", 1)]
        conn.execute(text("UPDATE messages SET status = 'read' WHERE status = 'sent'"))
        assert conn.execute(text("SELECT sum(count) FROM message_rollups "
                                 "WHERE status = 'read'")).scalar_one() == 3  # fmt: skip
        if backend == "sqlite":
            names = {n for (n,) in conn.execute(text("SELECT name FROM sqlite_master "
                                                     "WHERE type = 'trigger'"))}  # fmt: skip
        else:
            names = {n for (n,) in conn.execute(text("SELECT tgname FROM pg_trigger "
                                                     "WHERE NOT tgisinternal"))}  # fmt: skip
    engine.dispose()
    # A later `batch_alter_table("messages")` on SQLite would drop them silently: this fails then.
    assert names >= TRIGGERS
