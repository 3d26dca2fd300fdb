"""Webhook ingest: ack latency and sustained rate, with nothing lost or processed twice.

Starts `finnegans serve` (SQLite by default, or PostgreSQL with --database-url) in its own
process, connects a number, then this process fires signed inbound-message webhooks at a fixed
open-loop rate (each POST starts on schedule, whether or not earlier ones have answered) and
measures every acknowledgement. Afterwards it waits until the server has processed the backlog
and checks that every message was stored exactly once.

    .venv/bin/python bench/webhook_ingest.py --rate 500 --seconds 10
    .venv/bin/python bench/webhook_ingest.py --database-url postgresql://... --rate 500

Target (DESIGN.md §7, issue 3): ack p99 < 50 ms at 500 POSTs/s, nothing lost or duplicated.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import psycopg
from sqlalchemy import create_engine, text

from finnegans.whatsapp.signature import meta_wire_json, sign

APP_SECRET = "bench-app-secret"  # noqa: S105 - a local benchmark secret


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def body_for(phone_number_id: str, i: int, run: str) -> bytes:
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "777000",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550001111",
                                "phone_number_id": phone_number_id,
                            },
                            "contacts": [
                                {
                                    "profile": {"name": f"Customer {i % 500}"},
                                    "wa_id": f"5491100{i % 500:05d}",
                                }
                            ],
                            "messages": [
                                {
                                    "from": f"5491100{i % 500:05d}",
                                    "id": f"wamid.bench.{run}.{i}",
                                    "timestamp": str(int(time.time())),
                                    "type": "text",
                                    "text": {"body": f"hola {i} ¿qué tal? 😀"},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }
    return meta_wire_json(payload)


def start_server(
    database_url: str, data_dir: Path, port: int, separate_worker: bool
) -> list[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": database_url,
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "EMBEDDED_WORKER": "false" if separate_worker else "true",
    }
    subprocess.run(
        [sys.executable, "-m", "finnegans", "migrate"], env=env, check=True, capture_output=True
    )
    serve = [sys.executable, "-m", "finnegans", "serve", "--port", str(port), "--no-migrate"]
    procs = [subprocess.Popen(serve, env=env)]
    if separate_worker:
        procs.append(subprocess.Popen([sys.executable, "-m", "finnegans", "worker"], env=env))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return procs
        except httpx.HTTPError:
            time.sleep(0.1)
    for proc in procs:
        proc.kill()
    raise RuntimeError("server did not start")


def connect_number(base: str) -> str:
    email = f"bench-{uuid.uuid4().hex[:8]}@example.com"
    r = httpx.post(
        f"{base}/api/auth/register",
        json={"name": "Bench", "email": email, "password": "bench-password"},
    )
    token = r.json()["token"]
    phone_number_id = str(uuid.uuid4().int)[:15]
    r = httpx.post(
        f"{base}/api/whatsapp-accounts",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "phoneNumberId": phone_number_id,
            "appSecret": APP_SECRET,
            "accessToken": "bench-token",
            "businessAccountId": "777000",
        },
    )
    r.raise_for_status()
    return phone_number_id


async def fire(
    base: str, phone_number_id: str, rate: int, seconds: float, run: str
) -> tuple[list[float], int, float]:
    total = int(rate * seconds)
    bodies = [body_for(phone_number_id, i, run) for i in range(total)]
    latencies: list[float] = []
    failures = 0
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
    timeout = httpx.Timeout(30, pool=None)  # queueing for a connection is part of the latency
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout) as client:

        async def one(raw: bytes) -> None:
            nonlocal failures
            started = time.perf_counter()
            r = await client.post(
                "/webhook",
                content=raw,
                headers={
                    "Content-Type": "application/json",
                    "X-Hub-Signature-256": sign(raw, APP_SECRET),
                },
            )
            latencies.append(time.perf_counter() - started)
            if r.status_code != 200:
                failures += 1

        tasks = []
        t0 = time.perf_counter()
        for i, raw in enumerate(bodies):
            delay = t0 + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(raw)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - t0
    return latencies, failures, elapsed


def count_stored(database_url: str, run: str) -> tuple[int, int]:
    url = database_url.replace("sqlite:///", "sqlite:///").replace(
        "postgresql://", "postgresql+psycopg://"
    )
    engine = create_engine(url)
    with engine.connect() as conn:
        messages = conn.execute(
            text("SELECT count(*), count(DISTINCT wamid) FROM messages WHERE wamid LIKE :p"),
            {"p": f"wamid.bench.{run}.%"},
        ).one()
    engine.dispose()
    return int(messages[0]), int(messages[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--database-url", default="")
    parser.add_argument(
        "--separate-worker",
        action="store_true",
        help="process events in a `finnegans worker` process, not in `serve`",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        database_url = args.database_url or f"sqlite:///{data / 'bench.db'}"
        if database_url.startswith("postgresql"):
            name = f"bench_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(database_url, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            database_url = database_url.rsplit("/", 1)[0] + f"/{name}"
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        servers = start_server(database_url, data, port, args.separate_worker)
        try:
            phone_number_id = connect_number(base)
            run = uuid.uuid4().hex[:6]
            latencies, failures, elapsed = asyncio.run(
                fire(base, phone_number_id, args.rate, args.seconds, run)
            )
            sent = len(latencies)
            drain_started = time.perf_counter()
            stored, distinct = 0, 0
            while time.perf_counter() - drain_started < 120:
                stored, distinct = count_stored(database_url, run)
                if stored >= sent:
                    break
                time.sleep(0.25)
            drain_seconds = time.perf_counter() - drain_started
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=10)
    quantiles = statistics.quantiles(latencies, n=100)
    backend = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite"
    mode = "separate worker" if args.separate_worker else "embedded worker"
    print(
        f"webhook ingest on {backend} ({mode}): {sent} POSTs at target {args.rate}/s, "
        f"achieved {sent / elapsed:.0f}/s, non-200: {failures}"
    )
    print(
        f"  ack latency p50 {quantiles[49] * 1000:.1f} ms, p95 {quantiles[94] * 1000:.1f} ms, "
        f"p99 {quantiles[98] * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms"
    )
    print(
        f"  processed: {stored} messages stored ({distinct} distinct wamids) of {sent} sent; "
        f"backlog drained {drain_seconds:.1f} s after the last POST"
    )
    print(f"  lost: {sent - distinct}, duplicated: {stored - distinct}")


if __name__ == "__main__":
    main()
