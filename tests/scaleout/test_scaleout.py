"""Scale-out mode end to end: PostgreSQL + Redis, two `finnegans serve` processes (different
ports, EMBEDDED_WORKER=false), two `finnegans worker` processes, and `finnegans emulator` as its
own process with a throughput limit.

Driven like production: customers write to the number and the emulator posts every webhook
twice (Meta-style duplicate deliveries), round-robin over both servers, so the two copies reach
different processes. A published flow answers each conversation, waits on a delay node (a
timer in the tasks table) and answers again, while a broadcast of a few hundred recipients
runs on the same number. Checks, on the emulator's own record and the database: every inbound
event processed exactly once, every reply and every broadcast message received exactly once,
no 1-second window above the number's rate, zero 130429, and a Socket.IO client on serve #1
sees events caused by the workers (serve runs no background work here).
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from bench.broadcast_rate import insert_contacts

from tests.conftest import ENCRYPTION_KEY
from tests.helpers import User, busiest_second, register
from tests.integration.realtime.socket_helpers import connect
from tests.processes import finnegans, free_port

PHONE_NUMBER_ID = "106540352247777"
WABA_ID = "102290129347777"
TOKEN = "scaleout-token"  # the emulator's credential for this test
APP_SECRET = "scaleout-app-secret"
JWT_SECRET = "scaleout-jwt-secret-" + "s" * 40
METRICS_TOKEN = "scaleout-metrics-token"
RATE = 40  # the number's messages/s, enforced by the emulator (130429 above it)
CONVERSATIONS = 40  # each: hello, a 2-second delay, a follow-up
RECIPIENTS = 200  # the broadcast: 36/s (90 % of the rate), about 6 seconds
DELAY_SECONDS = 2
FINISH_WITHIN = 150.0

FLOW: dict[str, Any] = {
    "nodes": [
        {"id": "t", "type": "trigger", "position": {}, "data": {"keywords": ["hola"]}},
        {"id": "m1", "type": "message", "position": {}, "data": {"text": "¡Hola! Ya te sigo."}},
        {"id": "d", "type": "delay", "position": {}, "data": {"seconds": DELAY_SECONDS}},
        {"id": "m2", "type": "message", "position": {}, "data": {"text": "¿Seguimos?"}},
    ],
    "edges": [
        {"id": "a", "source": "t", "target": "m1"},
        {"id": "b", "source": "m1", "target": "d"},
        {"id": "c", "source": "d", "target": "m2"},
    ],
}  # fmt: skip
UNPROCESSED = "SELECT count(*) FROM webhook_events WHERE status <> 'processed'"
HELLO = {"kind": "template", "template": {"name": "hello_world", "language": {"code": "en_US"}}}


@dataclass
class Cluster:
    database_url: str
    serve_urls: list[str]
    graph: str  # the emulator


def _database(server_url: str) -> Iterator[str]:
    name = f"finnegans_scaleout_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield server_url.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def cluster(postgres_server: str, redis_url: str, tmp_path: Path) -> Iterator[Cluster]:
    database = _database(postgres_server)
    database_url = next(database)
    # A Redis database of its own: the queue stream and the budget keys of this run only (the
    # server is shared with other test runs; pub/sub channels ignore the index, rooms do not).
    redis = redis_url.rsplit("/", 1)[0] + f"/{random.randint(1, 15)}"
    ports = [free_port(), free_port()]
    serve_urls = [f"http://127.0.0.1:{port}" for port in ports]
    emulator_port = free_port()
    graph = f"http://127.0.0.1:{emulator_port}"
    env = {
        "DATABASE_URL": database_url, "REDIS_URL": redis, "JWT_SECRET": JWT_SECRET,
        "ENCRYPTION_KEYS": ENCRYPTION_KEY, "DATA_DIR": str(tmp_path / "data"),
        "GRAPH_API_URL": graph, "LOG_LEVEL": "WARNING", "ENVIRONMENT": "test",
        "EMBEDDED_WORKER": "false", "PUBLIC_URL": serve_urls[0], "METRICS_TOKEN": METRICS_TOKEN,
    }  # fmt: skip
    with ExitStack() as stack:
        migrate = stack.enter_context(finnegans("migrate", env=env, log=tmp_path / "migrate.log"))
        assert migrate.wait(120) == 0, (tmp_path / "migrate.log").read_text()
        webhooks = ",".join(f"{url}/webhook" for url in serve_urls)  # round-robin, like an LB
        stack.enter_context(
            finnegans(
                "emulator", "--port", str(emulator_port), "--webhook-url", webhooks,
                "--app-secret", APP_SECRET, "--phone-number-id", PHONE_NUMBER_ID,
                "--access-token", TOKEN, "--waba-id", WABA_ID, "--throughput", str(RATE),
                env=env, log=tmp_path / "emulator.log", ready_url=f"{graph}/_emulator/numbers",
            )
        )  # fmt: skip
        for i, (port, url) in enumerate(zip(ports, serve_urls, strict=True)):
            stack.enter_context(
                finnegans(
                    "serve", "--no-migrate", "--port", str(port),
                    env={**env, "PUBLIC_URL": url}, log=tmp_path / f"serve{i + 1}.log",
                    ready_url=f"{url}/api/health",
                )
            )  # fmt: skip
        for i in range(2):
            stack.enter_context(
                finnegans("worker", "--nice", "0", env=env, log=tmp_path / f"worker{i + 1}.log")
            )
        yield Cluster(database_url, serve_urls, graph)
    for _ in database:  # drop it
        pass


def _rows(database_url: str, query: str, **params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(database_url) as conn:
        return list(conn.execute(query, params).fetchall())


async def _set_up(http: httpx.AsyncClient, cluster: Cluster) -> User:
    owner = await register(http)
    number = {
        "name": "Scale", "phoneNumberId": PHONE_NUMBER_ID, "businessAccountId": WABA_ID,
        "accessToken": TOKEN, "appSecret": APP_SECRET, "sendBudgetPerSecond": RATE,
    }  # fmt: skip
    r = await http.post("/api/whatsapp-accounts", json=number, headers=owner.auth)
    assert r.status_code == 201, r.text
    flow = {"name": "Hola", "status": "Active", "definition": FLOW}
    r = await http.post("/api/flows", json=flow, headers=owner.auth)
    assert r.status_code == 201, r.text
    insert_contacts(cluster.database_url, owner.workspace_id, RECIPIENTS)
    emulator = httpx.AsyncClient(base_url=cluster.graph, timeout=30)
    async with emulator:
        # Sent and delivered, no read receipts: a third fewer webhooks to process on 2 cores.
        (await emulator.patch("/_emulator/faults", json={"status_read": False})).raise_for_status()
    return owner


async def _duplicates(graph: str, copies: int) -> None:
    """Meta-style duplicate deliveries: every webhook body posted `copies` times, at once (the
    emulator's round-robin sends the copies to different servers)."""
    faults = {"webhook_copies": copies, "webhook_copies_concurrent": True}
    async with httpx.AsyncClient(base_url=graph, timeout=30) as emulator:
        (await emulator.patch("/_emulator/faults", json=faults)).raise_for_status()


async def _message_counts(graph: str) -> dict[str, int]:
    async with httpx.AsyncClient(base_url=graph, timeout=30) as emulator:
        rows = (await emulator.get("/_emulator/conversations")).json()
    return {row["wa_id"]: int(row["message_count"]) for row in rows}


async def _outbound_by_customer(graph: str) -> dict[str, list[dict[str, Any]]]:
    async with httpx.AsyncClient(base_url=graph, timeout=60) as emulator:
        rows = (await emulator.get("/_emulator/conversations")).json()
        found: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            log = await emulator.get(f"/_emulator/conversations/{PHONE_NUMBER_ID}/{row['wa_id']}")
            messages = log.json()["messages"]
            found[row["wa_id"]] = [m for m in messages if m["direction"] == "outbound"]
        return found


async def test_two_servers_two_workers_hold_the_budget_and_lose_nothing(cluster: Cluster) -> None:
    serve1 = cluster.serve_urls[0]
    async with httpx.AsyncClient(base_url=serve1, timeout=30) as http:
        owner = await _set_up(http, cluster)
        socket = await connect(serve1, token=owner.token)  # held by serve #1
        try:
            r = await http.post("/api/broadcasts", headers=owner.auth, json={
                "launch": True, "audience": {"kind": "everyone"}, "content": HELLO,
            })  # fmt: skip
            assert r.status_code == 201, r.text
            broadcast_id = r.json()["id"]
            customers = [f"5493410{n:06d}" for n in range(CONVERSATIONS)]
            # Duplicates while the customers write: their messages, and the statuses of the
            # replies and broadcast messages sent meanwhile, each reach both servers.
            await _duplicates(cluster.graph, 2)
            async with httpx.AsyncClient(base_url=cluster.graph, timeout=30) as emulator:
                for wa_id in customers:  # while the broadcast sends
                    r = await emulator.post(
                        f"/_emulator/conversations/{PHONE_NUMBER_ID}/{wa_id}/messages",
                        json={"type": "text", "text": "hola", "profile_name": f"C {wa_id}"},
                    )
                    assert r.status_code == 201, r.text
                    await asyncio.sleep(0.05)
            await _duplicates(cluster.graph, 1)
            # Serve #1 does no background work here: this comes from a worker, through Redis.
            updated = await socket.next("conversation:updated", timeout=60)
            assert updated["contact_id"]

            deadline = time.monotonic() + FINISH_WITHIN
            while True:  # until the broadcast is done, both replies are out, events processed
                found = await http.get(f"/api/broadcasts/{broadcast_id}", headers=owner.auth)
                counts = await _message_counts(cluster.graph)
                # A customer's log: their message and the two replies.
                talked = sum(1 for wa_id in customers if counts.get(wa_id, 0) >= 3)
                unprocessed = _rows(cluster.database_url, UNPROCESSED)[0][0]
                done = found.json()["status"] == "completed" and talked == CONVERSATIONS
                if done and unprocessed == 0:
                    break
                progress = (found.json()["counts"], talked, unprocessed)
                assert time.monotonic() < deadline, progress
                await asyncio.sleep(1.0)
        finally:
            await socket.close()

    await asyncio.sleep(2)  # late status webhooks settle; nothing more may be sent meanwhile
    sent = await _outbound_by_customer(cluster.graph)
    # Every conversation: the greeting and the follow-up after the delay, exactly once each.
    for wa_id in customers:
        texts = [m["payload"]["text"]["body"] for m in sent[wa_id]]
        assert texts == ["¡Hola! Ya te sigo.", "¿Seguimos?"], (wa_id, texts)
    audience = [wa_id for wa_id in sent if wa_id not in set(customers)]
    assert len(audience) == RECIPIENTS
    # The replies went out while the broadcast was sending: they shared the number's budget.
    first_reply = min(float(m["timestamp"]) for wa_id in customers for m in sent[wa_id])
    last_broadcast = max(float(m["timestamp"]) for wa_id in audience for m in sent[wa_id])
    assert first_reply < last_broadcast
    assert all([m["type"] for m in sent[wa_id]] == ["template"] for wa_id in audience)

    # The number's rate held across four processes, and Meta never refused a send.
    everything = [m["timestamp"] for messages in sent.values() for m in messages]
    assert len(everything) == RECIPIENTS + 2 * CONVERSATIONS
    assert busiest_second([float(t) for t in everything]) <= RATE
    async with httpx.AsyncClient(base_url=cluster.graph) as emulator:
        refused = (await emulator.get("/_emulator/throughput")).json()
    assert refused[PHONE_NUMBER_ID]["refused_130429"] == 0

    # Every inbound event processed exactly once: each webhook body twice in the event log
    # (stored by whichever server got it), all processed, one message per customer message.
    by_status = "SELECT status, count(*) FROM webhook_events GROUP BY status"
    statuses = dict(_rows(cluster.database_url, by_status))
    assert set(statuses) == {"processed"}, statuses
    retried = "SELECT count(*) FROM webhook_events WHERE attempts <> 1"
    assert _rows(cluster.database_url, retried)[0][0] == 0  # none failed and was redone
    inbound = _rows(cluster.database_url, "SELECT wamid FROM messages WHERE direction = 'inbound'")
    assert len(inbound) == CONVERSATIONS == len({row[0] for row in inbound})
    tries = "SELECT attempts FROM broadcast_recipients WHERE broadcast_id = %(b)s"
    attempts = Counter(row[0] for row in _rows(cluster.database_url, tries, b=broadcast_id))
    assert attempts == {1: RECIPIENTS}
    # Both servers acknowledged webhooks: the emulator alternated them.
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {METRICS_TOKEN}"}) as http:
        for url in cluster.serve_urls:
            metrics = (await http.get(f"{url}/metrics")).text
            assert _received_webhooks(metrics) > CONVERSATIONS, url


def _received_webhooks(metrics: str) -> float:
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in metrics.splitlines()
        if line.startswith('finnegans_webhook_events_received_total{outcome="stored"}')
    )
