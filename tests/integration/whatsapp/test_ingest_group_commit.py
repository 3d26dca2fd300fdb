"""The acknowledgement path: group commit, failures, and the ASGI fast path's HTTP behaviour."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import insert as sql_insert
from sqlalchemy import select

from finnegans.context import AppContext
from finnegans.db.base import new_id
from finnegans.db.models import WebhookEvent
from finnegans.kit.clock import utcnow
from finnegans.whatsapp.signature import meta_wire_json, sign
from finnegans.whatsapp.webhook.ingest import IngestFailed, IngestWriter, WebhookIngest
from finnegans.whatsapp.webhook.routing import AccountDirectory
from tests.integration.whatsapp.webhook_helpers import (
    Number,
    connect_number,
    fixture,
    post_signed,
    retarget,
    uniquify,
)


def _ingest(app: FastAPI) -> WebhookIngest:
    ingest: WebhookIngest = app.state.webhook_ingest
    return ingest


async def _stored_with(app: FastAPI, tag: str) -> list[str]:
    """Bodies of stored events that contain `tag`."""
    ctx: AppContext = app.state.ctx
    async with ctx.db.unit_of_work(write=False) as session:
        rows = await session.execute(
            select(WebhookEvent.body).where(WebhookEvent.body.contains(tag))
        )
        return list(rows.scalars())


def _body(number: Number, tag: str) -> dict[str, Any]:
    return uniquify(retarget(fixture("inbound_text.json"), number), tag)


def _count_inserts(monkeypatch: pytest.MonkeyPatch, writer: IngestWriter) -> list[int]:
    """Record the size of every INSERT transaction the writer runs."""
    sizes: list[int] = []
    insert = writer._insert

    async def counting(rows: list[dict[str, Any]]) -> None:
        sizes.append(len(rows))
        await insert(rows)

    monkeypatch.setattr(writer, "_insert", counting)
    return sizes


async def test_concurrent_posts_are_group_committed_exactly_once(
    client: AsyncClient, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = await connect_number(client)
    sizes = _count_inserts(monkeypatch, _ingest(app).writer)
    tag = f"group{uuid.uuid4().hex[:8]}"
    bodies = [_body(number, f"{tag}.{i}") for i in range(40)]
    responses = await asyncio.gather(*(post_signed(client, b) for b in bodies))
    assert [r.status_code for r in responses] == [200] * 40
    assert all(r.json() == {"success": True} for r in responses)
    stored = await _stored_with(app, tag)
    for i in range(40):  # every body stored exactly once
        assert sum(f"{tag}.{i}." in body for body in stored) == 1
    assert len(stored) == 40
    assert sum(sizes) == 40
    assert len(sizes) < 40  # arrivals during a transaction shared the next one


async def test_a_failing_batch_answers_500_and_stores_nothing(
    client: AsyncClient, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = await connect_number(client)
    writer = _ingest(app).writer
    insert = writer._insert

    async def insert_then_fail(rows: list[dict[str, Any]]) -> None:
        # Fail inside the transaction, after the rows were sent: nothing may be committed.
        async with writer.db.write_transaction() as conn:
            await conn.execute(sql_insert(WebhookEvent), rows)
            raise RuntimeError("disk full")

    monkeypatch.setattr(writer, "_insert", insert_then_fail)
    tag = f"fail{uuid.uuid4().hex[:8]}"
    responses = await asyncio.gather(*(post_signed(client, _body(number, tag)) for _ in range(8)))
    assert {r.status_code for r in responses} == {500}
    assert all(r.json() == {"error": "Internal server error"} for r in responses)
    assert await _stored_with(app, tag) == []
    monkeypatch.setattr(writer, "_insert", insert)
    ok = await post_signed(client, _body(number, tag))  # the writer recovers
    assert ok.status_code == 200
    assert len(await _stored_with(app, tag)) == 1


async def test_one_bad_row_does_not_fail_its_batch(client: AsyncClient, app: FastAPI) -> None:
    number = await connect_number(client)
    writer = _ingest(app).writer
    tag = f"bad{uuid.uuid4().hex[:8]}"

    def row(i: int, workspace_id: str) -> dict[str, Any]:
        return {
            "id": new_id(),
            "body": f'{{"tag":"{tag}.{i}."}}',
            "workspace_id": workspace_id,
            "whatsapp_account_id": None,
            "status": "pending",
            "attempts": 0,
            "received_at": utcnow(),
        }

    # Row 3 names a workspace that does not exist (as when one is deleted a moment before):
    # a foreign-key violation that fails the shared transaction.
    rows = [row(i, "0" * 32 if i == 3 else number.owner.workspace_id) for i in range(6)]
    results = await asyncio.gather(*(writer.store(r) for r in rows), return_exceptions=True)
    assert [isinstance(r, IngestFailed) for r in results] == [i == 3 for i in range(6)]
    stored = await _stored_with(app, tag)
    assert sorted(stored) == sorted(r["body"] for i, r in enumerate(rows) if i != 3)


async def test_bad_signatures_among_concurrent_posts_store_nothing(
    client: AsyncClient, app: FastAPI
) -> None:
    number = await connect_number(client)
    tag = f"sig{uuid.uuid4().hex[:8]}"
    good = [meta_wire_json(_body(number, f"{tag}.good{i}")) for i in range(10)]
    bad = [meta_wire_json(_body(number, f"{tag}.bad{i}")) for i in range(10)]

    async def post(raw: bytes, secret: str | None) -> int:
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Hub-Signature-256"] = sign(raw, secret)
        return (await client.post("/webhook", content=raw, headers=headers)).status_code

    statuses = await asyncio.gather(
        *(post(raw, "webhook-test-app-secret") for raw in good),
        *(post(raw, "not-the-secret" if i % 2 else None) for i, raw in enumerate(bad)),
    )
    assert statuses == [200] * 10 + [401] * 10
    stored = await _stored_with(app, tag)
    assert len(stored) == 10
    assert not any(".bad" in body for body in stored)


async def test_fast_path_keeps_request_id_limits_and_error_shapes(
    client: AsyncClient, app: FastAPI
) -> None:
    number = await connect_number(client)
    raw = meta_wire_json(_body(number, f"rid{uuid.uuid4().hex[:8]}"))
    r = await client.post(
        "/api/webhook",
        content=raw,
        headers={
            "Content-Type": "application/json",
            "X-Hub-Signature-256": sign(raw, "webhook-test-app-secret"),
            "X-Request-ID": "abc-123",
        },
    )
    assert r.status_code == 200
    assert r.headers["x-request-id"] == "abc-123"
    assert r.headers["content-type"] == "application/json"
    assert r.json() == {"success": True}

    unsigned = await client.post("/webhook", content=raw)
    assert unsigned.status_code == 401
    assert unsigned.json() == {"error": "Missing X-Hub-Signature-256 header"}
    assert unsigned.headers["x-request-id"]

    # Declared too large: refused before the body is read.
    declared = await client.post(
        "/webhook", content=b"{}", headers={"Content-Length": str(4 * 1024 * 1024)}
    )
    assert declared.status_code == 413

    async def stream() -> Any:  # no Content-Length: the limit counts the chunks
        for _ in range(4):
            yield b" " * (1024 * 1024)

    streamed = await client.post("/webhook", content=stream())
    assert streamed.status_code == 413
    assert streamed.json()["error"].startswith("Request body too large")

    # Other methods and paths still reach FastAPI.
    assert (await client.put("/webhook", content=raw)).status_code == 405
    assert (await client.post("/webhook/", content=raw)).status_code != 200


async def test_account_cache_reload_is_shared(
    client: AsyncClient, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = await connect_number(client)
    accounts: AccountDirectory = app.state.ctx.accounts
    loads = 0
    load = accounts._load

    async def counting_load() -> Any:
        nonlocal loads
        loads += 1
        return await load()

    monkeypatch.setattr(accounts, "_load", counting_load)
    accounts.invalidate()
    body = _body(number, "cache")
    found = await asyncio.gather(*(accounts.for_body(body) for _ in range(20)))
    assert loads == 1
    assert all(routes and routes[0].account_id == number.account_id for routes in found)
