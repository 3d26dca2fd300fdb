"""Overview and global search latency on a large workspace (issue 7: fast on 1,000,000 messages).

Seeds one workspace with N messages (both directions, every outbound status, spread over 90
days) over M contacts and conversations, plus flows with sessions and node visits, by bulk
inserts; then times the real API in this process (httpx over ASGI, no network).

    .venv/bin/python bench/overview_queries.py --messages 1000000 --contacts 50000
    .venv/bin/python bench/overview_queries.py --database-url postgresql://... --messages 1000000
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from asgi_lifespan import LifespanManager
from cryptography.fernet import Fernet
from httpx import ASGITransport, AsyncClient, Response
from inbox_queries import BATCH, STATUSES, timed  # same folder: run as bench/overview_queries.py
from sqlalchemy import insert, text

from finnegans.config import Settings
from finnegans.context import AppContext
from finnegans.db.base import new_id
from finnegans.db.migrate import upgrade
from finnegans.db.models import (
    Contact,
    Conversation,
    Flow,
    FlowSession,
    FlowSessionNode,
    FlowVersion,
    Message,
)
from finnegans.main import create_app

OUTBOUND = ("read", "read", "read", "delivered", "delivered", "sent", "failed", "pending")
FLOWS = 8
SESSIONS = 20_000
NODES = ("start", "menu", "ask", "thanks", "bye")


async def seed(ctx: AppContext, workspace_id: str, contacts: int, messages: int) -> None:
    now = datetime.now(UTC)
    started = time.perf_counter()
    contact_ids = [new_id() for _ in range(contacts)]
    for offset in range(0, contacts, BATCH):
        chunk = contact_ids[offset : offset + BATCH]
        created = [now - timedelta(minutes=random.randint(0, 120 * 24 * 60)) for _ in chunk]
        rows = [{"id": cid, "workspace_id": workspace_id, "wa_id": f"549{n + offset:010d}",
                 "phone": f"+549{n + offset:010d}", "name": f"Cliente {n + offset}",
                 "attributes": {}, "opted_out": False, "created_at": at, "updated_at": at}
                for n, (cid, at) in enumerate(zip(chunk, created, strict=True))]  # fmt: skip
        conversations = [{"id": new_id(), "workspace_id": workspace_id, "contact_id": cid,
                          "mode": "bot", "status": random.choice(STATUSES), "unread_count": 0,
                          "last_message_at": now, "last_message_preview": "último mensaje",
                          "created_at": now, "updated_at": now} for cid in chunk]  # fmt: skip
        async with ctx.db.unit_of_work() as session:
            await session.execute(insert(Contact), rows)
            await session.execute(insert(Conversation), conversations)

    tag = workspace_id[:8]
    batch: list[dict[str, Any]] = []
    for i in range(messages):
        inbound = i % 2 == 0
        batch.append({"id": new_id(), "workspace_id": workspace_id,
                      "contact_id": contact_ids[i % contacts],
                      "direction": "inbound" if inbound else "outbound", "type": "text",
                      "text": f"mensaje {i}", "payload": {}, "wamid": f"wamid.{tag}.{i}",
                      "status": "delivered" if inbound else random.choice(OUTBOUND),
                      "created_at": now - timedelta(seconds=random.randint(0, 90 * 86400)),
                      })  # fmt: skip
        if len(batch) >= BATCH:
            await _insert(ctx, Message, batch)
            batch = []
    if batch:
        await _insert(ctx, Message, batch)

    flows = []
    for n in range(FLOWS):
        nodes = [{"id": x, "type": "message", "data": {"name": x}} for x in NODES]
        definition = {"version": 2, "edges": [], "nodes": nodes}
        fid, vid = new_id(), new_id()
        await _insert(ctx, Flow, [{"id": fid, "workspace_id": workspace_id, "name": f"Flujo {n}",
                                   "trigger": f"k{n}", "status": "Active", "definition": definition,
                                   "is_default": False, "interrupts": False,
                                   "created_at": now, "updated_at": now}])  # fmt: skip
        await _insert(ctx, FlowVersion, [{"id": vid, "workspace_id": workspace_id, "flow_id": fid,
                                          "version": 1, "definition": definition,
                                          "created_at": now}])  # fmt: skip
        flows.append((fid, vid))
    sessions: list[dict[str, Any]] = []
    visits: list[dict[str, Any]] = []
    for i in range(SESSIONS):
        fid, vid = flows[min(int(random.expovariate(0.6)), FLOWS - 1)]
        depth = random.randint(1, len(NODES))
        at = now - timedelta(seconds=random.randint(0, 90 * 86400))
        sid = new_id()
        sessions.append({"id": sid, "workspace_id": workspace_id,
                         "contact_id": contact_ids[i % contacts], "flow_id": fid,
                         "flow_version_id": vid,
                         "status": "completed" if depth == len(NODES) else "expired",
                         "current_node_id": NODES[depth - 1], "variables": {}, "attempts": 0,
                         "started_at": at, "last_activity_at": at})  # fmt: skip
        visits += [{"session_id": sid, "node_id": node, "workspace_id": workspace_id,
                    "flow_id": fid, "reached_at": at} for node in NODES[:depth]]  # fmt: skip
        if len(sessions) >= BATCH:
            await _insert(ctx, FlowSession, sessions)
            await _insert(ctx, FlowSessionNode, visits)
            sessions, visits = [], []
    if sessions:
        await _insert(ctx, FlowSession, sessions)
        await _insert(ctx, FlowSessionNode, visits)
    print(f"seeded {contacts:,} contacts, {messages:,} messages and {SESSIONS:,} flow sessions "
          f"in {time.perf_counter() - started:.0f} s")  # fmt: skip


async def _insert(ctx: AppContext, model: Any, rows: list[dict[str, Any]]) -> None:
    async with ctx.db.unit_of_work() as session:
        await session.execute(insert(model), rows)


async def run(database_url: str | None, contacts: int, messages: int, runs: int) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="overview-bench-"))
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
            me = (await client.get("/api/auth/me", headers=auth)).json()
            await seed(ctx, me["workspace"]["id"], contacts, messages)
            async with ctx.db.unit_of_work() as session:
                await session.execute(text("ANALYZE"))

            def get(path: str, **params: Any) -> Callable[[], Awaitable[Response]]:
                return lambda: client.get(path, headers=auth, params=params)

            overview_runs = max(5, runs // 4)
            results = [
                await timed("overview: 7 days", overview_runs, get("/api/overview", days=7)),
                await timed("overview: 30 days", overview_runs, get("/api/overview", days=30)),
                await timed("overview: 90 days", overview_runs, get("/api/overview", days=90)),
                await timed("search: a contact name", runs, get("/api/search", q="Cliente 4711")),
                await timed("search: a phone's digits", runs, get("/api/search", q="0000123")),
                await timed("search: no match", runs, get("/api/search", q="zzzz")),
            ]
    backend = "PostgreSQL" if database_url else "SQLite"
    print(f"{backend}, {messages:,} messages, {contacts:,} contacts")
    print(f"{'query':28} {'p50 ms':>8} {'p95 ms':>8}")
    for name, p50, p95 in results:
        print(f"{name:28} {p50:8.1f} {p95:8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--contacts", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    asyncio.run(run(args.database_url, args.contacts, args.messages, args.runs))


if __name__ == "__main__":
    main()
