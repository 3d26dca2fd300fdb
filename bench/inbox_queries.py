"""Inbox query latency on a large workspace (DESIGN.md §7: p95 < 50 ms on 1,000,000 messages).

Seeds one workspace with N messages spread over M contacts (bulk inserts, straight into the
tables), then times the real API in this process (httpx over ASGI, no network): the
conversation list (default view, filtered views, a later page by cursor), the counts, and
threads (the latest page and an older page) of random conversations.

    .venv/bin/python bench/inbox_queries.py --messages 1000000 --contacts 50000
    .venv/bin/python bench/inbox_queries.py --database-url postgresql://... --messages 1000000
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from asgi_lifespan import LifespanManager
from cryptography.fernet import Fernet
from httpx import ASGITransport, AsyncClient, Response
from sqlalchemy import insert, text

from finnegans.config import Settings
from finnegans.context import AppContext
from finnegans.db.base import new_id
from finnegans.db.migrate import upgrade
from finnegans.db.models import Contact, Conversation, Message
from finnegans.main import create_app

BATCH = 5000
STATUSES = ("open", "open", "open", "pending", "resolved")


async def seed(ctx: AppContext, workspace_id: str, contacts: int, messages: int) -> None:
    """`contacts` conversations and `messages` messages, newest activity spread over 90 days."""
    now = datetime.now(UTC)
    per_contact = max(1, messages // contacts)
    started = time.perf_counter()
    contact_ids = [new_id() for _ in range(contacts)]
    for offset in range(0, contacts, BATCH):
        chunk = contact_ids[offset : offset + BATCH]
        rows = [{"id": cid, "workspace_id": workspace_id, "wa_id": f"549{n + offset:010d}",
                 "phone": f"+549{n + offset:010d}", "name": f"Cliente {n + offset}",
                 "attributes": {}, "opted_out": False, "created_at": now, "updated_at": now}
                for n, cid in enumerate(chunk)]  # fmt: skip
        last = [now - timedelta(minutes=random.randint(0, 90 * 24 * 60)) for _ in chunk]
        conversations = [{"id": new_id(), "workspace_id": workspace_id, "contact_id": cid,
                          "mode": random.choice(("bot", "human")),
                          "status": random.choice(STATUSES), "unread_count": random.randint(0, 3),
                          "last_message_at": at, "last_message_preview": "último mensaje",
                          "window_expires_at": at + timedelta(hours=24),
                          "created_at": now, "updated_at": now}
                         for cid, at in zip(chunk, last, strict=True)]  # fmt: skip
        async with ctx.db.unit_of_work() as session:
            await session.execute(insert(Contact), rows)
            await session.execute(insert(Conversation), conversations)
    written = 0
    run_tag = workspace_id[:8]  # wamids are unique database-wide: one seeding per run
    batch: list[dict[str, Any]] = []
    for n, cid in enumerate(contact_ids):
        base = now - timedelta(days=90) + timedelta(seconds=n)
        for i in range(per_contact):
            if written >= messages:
                break
            inbound = i % 2 == 0
            batch.append({"id": new_id(), "workspace_id": workspace_id, "contact_id": cid,
                          "direction": "inbound" if inbound else "outbound", "type": "text",
                          "text": f"mensaje {i} de la conversación {n}", "payload": {},
                          "wamid": f"wamid.{run_tag}.{n}.{i}", "status": "read" if not inbound else
                          "delivered", "created_at": base + timedelta(minutes=i)})  # fmt: skip
            written += 1
            if len(batch) >= BATCH:
                await _insert_messages(ctx, batch)
                batch = []
    if batch:
        await _insert_messages(ctx, batch)
    print(f"seeded {contacts:,} conversations and {written:,} messages "
          f"in {time.perf_counter() - started:.0f} s")  # fmt: skip


async def _insert_messages(ctx: AppContext, rows: list[dict[str, Any]]) -> None:
    async with ctx.db.unit_of_work() as session:
        await session.execute(insert(Message), rows)


async def timed(
    name: str, runs: int, call: Callable[[], Awaitable[Response]]
) -> tuple[str, float, float]:
    values = []
    for _ in range(runs):
        started = time.perf_counter()
        response = await call()
        values.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise AssertionError(f"{name}: {response.status_code} {response.text[:200]}")
    values.sort()
    p95 = values[int(0.95 * (len(values) - 1))]
    return name, statistics.median(values), p95


async def run(database_url: str | None, contacts: int, messages: int, runs: int) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="inbox-bench-"))
    url = database_url or f"sqlite:///{data_dir / 'bench.db'}"
    settings = Settings(
        _env_file=None, environment="test", database_url=url, data_dir=data_dir,
        jwt_secret="bench-" + "x" * 40, encryption_keys=[Fernet.generate_key().decode()],
        public_url="http://testserver", log_level="WARNING", redis_url="",
        embedded_worker=False,
    ).complete()  # fmt: skip
    upgrade(settings.database_url)
    app = create_app(settings)
    async with LifespanManager(app):
        ctx: AppContext = app.state.ctx
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as client:
            owner = await client.post("/api/auth/register", json={
                "name": "Bench", "email": f"bench-{time.time_ns()}@example.com",
                "password": "bench-password"})  # fmt: skip
            auth = {"Authorization": f"Bearer {owner.json()['token']}"}
            workspace_id = (await client.get("/api/auth/me", headers=auth)).json()["workspace"][
                "id"
            ]
            await seed(ctx, workspace_id, contacts, messages)
            if ctx.db.is_sqlite:
                async with ctx.db.unit_of_work() as session:
                    await session.execute(text("ANALYZE"))
            listed = (await client.get("/api/conversations", headers=auth)).json()
            cursor = listed["next_cursor"]
            ids = [c["contact_id"] for c in listed["conversations"]]
            page = (await client.get(f"/api/conversations/{ids[0]}", headers=auth)).json()
            older = page["messages"][0]["id"]

            def get(path: str, **params: Any) -> Callable[[], Awaitable[Response]]:
                return lambda: client.get(path, headers=auth, params=params)

            def random_thread() -> Awaitable[Response]:
                return client.get(f"/api/conversations/{random.choice(ids)}", headers=auth)

            results = [
                await timed("list: default view", runs, get("/api/conversations")),
                await timed("list: open + unassigned", runs,
                            get("/api/conversations", status="open", assignee="unassigned")),
                await timed("list: human + unread", runs,
                            get("/api/conversations", mode="human", unread="true")),
                await timed("list: page 2 (cursor)", runs, get("/api/conversations",
                                                                cursor=cursor)),
                await timed("counts", runs, get("/api/conversations/counts")),
                await timed("thread: latest page", runs, random_thread),
                await timed("thread: older page", runs,
                            get(f"/api/conversations/{ids[0]}", before=older)),
                await timed("search: q over names and text", max(5, runs // 20),
                            get("/api/conversations", q="conversación 17")),
            ]  # fmt: skip
    backend = "PostgreSQL" if database_url else "SQLite"
    print(f"{backend}, {messages:,} messages in {contacts:,} conversations, {runs} runs each")
    print(f"{'query':32} {'p50 ms':>8} {'p95 ms':>8}")
    for name, p50, p95 in results:
        print(f"{name:32} {p50:8.1f} {p95:8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--contacts", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    asyncio.run(run(args.database_url, args.contacts, args.messages, args.runs))


if __name__ == "__main__":
    main()
