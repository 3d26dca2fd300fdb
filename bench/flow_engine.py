"""Flow engine throughput and inbound-to-reply latency.

1. Engine steps per second: the pure engine (no database) runs a 40-node chain of assign,
   condition and message nodes many times; reported as nodes executed per second.
2. Inbound to reply: the real app in this process (SQLite by default, PostgreSQL with
   --database-url) with a sandbox number on the built-in emulator. Simulated customers write
   "hola" at a fixed open-loop rate; each message goes the whole way (signed webhook → stored
   event → worker → flow task → engine → outbox → Graph call to the emulator). Latency is from
   the customer's send to the emulator receiving the bot's reply.

    .venv/bin/python bench/flow_engine.py --rate 50 --seconds 10
    .venv/bin/python bench/flow_engine.py --database-url postgresql://... --rate 50

Target (issue 4): reply p95 < 200 ms at 200 conversations/s.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from asgi_lifespan import LifespanManager
from cryptography.fernet import Fernet
from httpx import ASGITransport, AsyncClient

from finnegans.config import Settings
from finnegans.context import AppContext
from finnegans.db.migrate import upgrade
from finnegans.flows.definition import FlowGraph
from finnegans.flows.engine import ContactView, Engine, Inbound
from finnegans.main import create_app

CHAIN = 40


def chain_definition() -> dict[str, Any]:
    """trigger → assign → condition → message → assign → ... (CHAIN nodes after the trigger)."""
    nodes: list[dict[str, Any]] = [
        {"id": "t", "type": "trigger", "position": {}, "data": {"keywords": ["go"]}}
    ]
    edges: list[dict[str, Any]] = []
    previous, previous_kind = "t", "trigger"
    for i in range(CHAIN):
        kind = ("assign", "condition", "message")[i % 3]
        data: dict[str, Any] = {
            "assign": {"key": f"v{i}", "value": "{{input}}-{{contact.name}}"},
            "condition": {"expression": f'input == "go" && v{i - 1} != ""'},
            "message": {"text": f"step {i}: {{{{v{i - 2}}}}}"},
        }[kind]
        node_id = f"n{i}"
        nodes.append({"id": node_id, "type": kind, "position": {}, "data": data})
        for handle in ("true", "false") if previous_kind == "condition" else (None,):
            edges.append({"id": f"e{i}-{handle}", "source": previous, "target": node_id,
                          "sourceHandle": handle})  # fmt: skip
        previous, previous_kind = node_id, kind
    return {"nodes": nodes, "edges": edges}


def bench_engine(seconds: float) -> None:
    engine = Engine(FlowGraph.parse(chain_definition()), max_steps=200, max_sends=100)
    contact = ContactView(id="c", address="15550000000", name="Ana")
    steps = runs = 0
    deadline = time.perf_counter() + seconds
    start = time.perf_counter()
    while time.perf_counter() < deadline:
        result = engine.start(contact, Inbound(text="go"))
        steps += len(result.path)
        runs += 1
    elapsed = time.perf_counter() - start
    print(f"engine: {steps / elapsed:,.0f} nodes/s ({runs / elapsed:,.0f} runs of "
          f"{steps // max(runs, 1)} nodes/s), 1 core")  # fmt: skip


REPLY_FLOW: dict[str, Any] = {
    "nodes": [
        {"id": "t", "type": "trigger", "position": {}, "data": {"keywords": ["hola"]}},
        {"id": "m", "type": "message", "position": {}, "data": {"text": "¡Hola {{contact.name}}!"}},
    ],
    "edges": [{"id": "a", "source": "t", "target": "m"}],
}


async def bench_replies(database_url: str | None, rate: float, seconds: float) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="flow-bench-"))
    url = database_url or f"sqlite:///{data_dir / 'bench.db'}"
    settings = Settings(
        _env_file=None, environment="test", database_url=url, data_dir=data_dir,
        jwt_secret="bench-" + "x" * 40, encryption_keys=[Fernet.generate_key().decode()],
        public_url="http://testserver", log_level="WARNING", redis_url="",
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
            account = await client.post("/api/whatsapp-accounts", headers=auth,
                                        json={"name": "Bench", "sandbox": True})  # fmt: skip
            phone_number_id = account.json()["phoneNumberId"]
            flow = await client.post("/api/flows", headers=auth, json={
                "name": "Reply", "status": "Active", "definition": REPLY_FLOW})  # fmt: skip
            assert flow.status_code == 201, flow.text
        emulator = ctx.sandbox.emulator
        assert emulator is not None
        total = int(rate * seconds)
        sent_at: dict[str, float] = {}
        for i in range(total):
            emulator.add_customer(f"549110{i:07d}", profile_name=f"C{i}")
        cpu_before = _cpu_seconds()
        started = time.perf_counter()
        wall_started = time.time()
        late: list[float] = []
        for i in range(total):
            wa_id = f"549110{i:07d}"
            delay = started + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                late.append(-delay)
            # Open loop: latency counts from the SCHEDULED send time, so a late send (a busy
            # event loop) counts against the server instead of hiding it.
            sent_at[wa_id] = wall_started + i / rate
            await emulator.customer_sends(phone_number_id, wa_id, "hola")
        send_elapsed = time.perf_counter() - started
        deadline = time.perf_counter() + 120
        latencies: dict[str, float] = {}
        while len(latencies) < total and time.perf_counter() < deadline:
            await asyncio.sleep(0.2)
            for wa_id, at in sent_at.items():
                if wa_id in latencies:
                    continue
                replies = [m for m in emulator.conversation(phone_number_id, wa_id)
                           if m.direction == "outbound"]  # fmt: skip
                if replies:
                    latencies[wa_id] = replies[0].timestamp - at
                    if len(replies) > 1:
                        raise AssertionError(f"{wa_id} got {len(replies)} replies")
        busy = time.perf_counter() - started
        cpu = _cpu_seconds() - cpu_before
    values = sorted(latencies.values())
    backend = "PostgreSQL" if database_url else "SQLite"
    if not values:
        print(f"{backend}: no replies")
        return
    p50 = statistics.median(values) * 1000
    p95 = values[int(0.95 * (len(values) - 1))] * 1000
    p99 = values[int(0.99 * (len(values) - 1))] * 1000
    print(f"{backend}: {total} conversations at {total / send_elapsed:.0f}/s offered; "
          f"replies {len(values)}/{total}; latency p50 {p50:.0f} ms, p95 {p95:.0f} ms, "
          f"p99 {p99:.0f} ms, max {values[-1] * 1000:.0f} ms; sends late {len(late)} "
          f"(max {max(late, default=0) * 1000:.0f} ms); process CPU {cpu:.1f} s in {busy:.1f} s "
          f"= {cpu / max(len(values), 1) * 1000:.1f} ms per conversation")  # fmt: skip


def _cpu_seconds() -> float:
    """CPU of this process (all threads: the app, the emulator, aiosqlite's thread)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=50.0, help="conversations per second")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--engine-only", action="store_true")
    args = parser.parse_args()
    bench_engine(3.0)
    if not args.engine_only:
        asyncio.run(bench_replies(args.database_url, args.rate, args.seconds))


if __name__ == "__main__":
    main()
