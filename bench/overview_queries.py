"""Overview and global search latency on a large workspace (issue 7: fast on 1,000,000 messages).

Seeds one workspace with N messages (both directions, every outbound status, spread over 90
days) over M contacts and conversations, plus flows with sessions and node visits, by bulk
inserts; then times the real API in this process (httpx over ASGI, no network).

    .venv/bin/python bench/overview_queries.py --messages 1000000 --contacts 50000
    .venv/bin/python bench/overview_queries.py --database-url postgresql://... --messages 1000000

--breakdown also times each part of the 90-day overview on its own (the repository queries,
no HTTP). --reuse DATABASE_URL skips seeding and measures a database seeded by an earlier run
(the SQLite file stays in /tmp/overview-bench-*/bench.db; its first user is the bench owner).
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
from inbox_queries import BATCH, STATUSES, timed  # same folder: run as bench/overview_queries.py
from sqlalchemy import insert, select, text

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
    User,
)
from finnegans.flows.repository import FlowRepository
from finnegans.kit.clock import utcnow
from finnegans.main import create_app
from finnegans.metrics.days import Period, workspace_zone
from finnegans.metrics.repository import MetricsRepository

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


async def breakdown(
    ctx: AppContext, workspace_id: str, runs: int
) -> list[tuple[str, float, float]]:
    """Each query of the 90-day overview alone, straight on a session."""
    period = Period.ending_today(workspace_zone(None), 90, utcnow())
    async with ctx.db.unit_of_work(write=False) as session:
        repo = MetricsRepository(session)
        top = (await repo.sessions_by_flow(workspace_id, period))[0][0]
        parts: dict[str, Callable[[], Awaitable[object]]] = {
            "part: contacts (total, new)": lambda: repo.contact_counts(workspace_id, period.start),
            "part: open conversations": lambda: repo.open_conversations(workspace_id),
            "part: messages per day (roll-up)": lambda: repo.messages_by_day(workspace_id, period),
            "part: sessions per flow": lambda: repo.sessions_by_flow(workspace_id, period),
            "part: drop-off of the top flow": lambda: FlowRepository(session).node_stats(top),
        }
        results = []
        for name, call in parts.items():
            values = []
            for _ in range(runs):
                started = time.perf_counter()
                await call()
                values.append((time.perf_counter() - started) * 1000)
            values.sort()
            results.append((name, statistics.median(values), values[int(0.95 * (len(values) - 1))]))
    return results


async def run(
    database_url: str | None,
    contacts: int,
    messages: int,
    runs: int,
    *,
    reuse: bool = False,
    parts: bool = False,
) -> None:
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
            if reuse:
                async with ctx.db.unit_of_work(write=False) as session:
                    email = (
                        (await session.execute(select(User.email).order_by(User.created_at)))
                        .scalars()
                        .first()
                    )
                owner = await client.post("/api/auth/login", json={
                    "email": email, "password": "bench-password"})  # fmt: skip
            else:
                owner = await client.post("/api/auth/register", json={
                    "name": "Bench", "email": f"bench-{time.time_ns()}@example.com",
                    "password": "bench-password"})  # fmt: skip
            auth = {"Authorization": f"Bearer {owner.json()['token']}"}
            me = (await client.get("/api/auth/me", headers=auth)).json()
            if not reuse:
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
            if parts:
                results += await breakdown(ctx, me["workspace"]["id"], overview_runs)
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    print(f"{backend}, {messages:,} messages, {contacts:,} contacts")
    print(f"{'query':34} {'p50 ms':>8} {'p95 ms':>8}")
    for name, p50, p95 in results:
        print(f"{name:34} {p50:8.1f} {p95:8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--contacts", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--breakdown", action="store_true", help="time each overview query too")
    parser.add_argument("--reuse", action="store_true", help="measure --database-url as seeded")
    args = parser.parse_args()
    if args.reuse and not args.database_url:
        parser.error("--reuse needs --database-url (an earlier run's database)")
    asyncio.run(
        run(
            args.database_url,
            args.contacts,
            args.messages,
            args.runs,
            reuse=args.reuse,
            parts=args.breakdown,
        )
    )


if __name__ == "__main__":
    main()
