"""The webhook door: verification handshake, signatures over raw bytes, durable storage."""

from __future__ import annotations

import json

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import func, select

from finnegans.context import AppContext
from finnegans.db.models import WebhookEvent
from finnegans.whatsapp.signature import meta_wire_json, sign
from tests.integration.whatsapp.webhook_helpers import (
    APP_SECRET,
    FIXTURES,
    connect_number,
    fixture,
    post_signed,
    retarget,
)


async def _stored_events(app: FastAPI) -> int:
    ctx: AppContext = app.state.ctx
    async with ctx.db.unit_of_work(write=False) as session:
        return int(
            (await session.execute(select(func.count()).select_from(WebhookEvent))).scalar_one()
        )


async def test_verification_handshake(client: AsyncClient) -> None:
    number = await connect_number(client)
    for path in ("/webhook", "/api/webhook"):
        ok = await client.get(
            path,
            params={
                "hub.mode": "subscribe",
                "hub.verify_token": number.verify_token,
                "hub.challenge": "1158201444",
            },
        )
        assert ok.status_code == 200
        assert ok.text == "1158201444"
        assert ok.headers["content-type"].startswith("text/plain")
    wrong = await client.get(
        "/webhook",
        params={"hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1"},
    )
    assert wrong.status_code == 403
    malformed = await client.get("/webhook", params={"hub.verify_token": number.verify_token})
    assert malformed.status_code == 400
    bad_mode = await client.get(
        "/webhook",
        params={
            "hub.mode": "unsubscribe",
            "hub.verify_token": number.verify_token,
            "hub.challenge": "1",
        },
    )
    assert bad_mode.status_code == 400


async def test_signed_body_is_stored_and_acknowledged(client: AsyncClient, app: FastAPI) -> None:
    number = await connect_number(client)
    before = await _stored_events(app)
    r = await post_signed(client, retarget(fixture("inbound_text.json"), number))
    assert r.status_code == 200
    assert await _stored_events(app) == before + 1


async def test_bad_requests_store_nothing(client: AsyncClient, app: FastAPI) -> None:
    number = await connect_number(client)
    body = retarget(fixture("inbound_text.json"), number)
    raw = meta_wire_json(body)
    before = await _stored_events(app)
    headers = {"Content-Type": "application/json"}

    missing = await client.post("/webhook", content=raw, headers=headers)
    assert missing.status_code == 401
    wrong = await client.post(
        "/webhook", content=raw, headers={**headers, "X-Hub-Signature-256": sign(raw, "other")}
    )
    assert wrong.status_code == 401
    # Signed over re-serialised JSON (pretty, non-ASCII kept) instead of the bytes sent.
    reserialised = json.dumps(body, indent=2).encode()
    resigned = await client.post(
        "/webhook",
        content=raw,
        headers={**headers, "X-Hub-Signature-256": sign(reserialised, APP_SECRET)},
    )
    assert resigned.status_code == 401
    unknown = retarget(fixture("inbound_text.json"), number)
    unknown["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "1234"
    assert (await post_signed(client, unknown)).status_code == 404
    bad_json = b'{"object": "whatsapp_business_account", "entry": ['
    assert (await post_signed(client, bad_json)).status_code == 400
    not_object = b"[1, 2, 3]"
    assert (await post_signed(client, not_object)).status_code == 400
    huge = b'{"x": "' + b"a" * (3 * 1024 * 1024) + b'"}'
    assert (await post_signed(client, huge)).status_code == 413
    assert await _stored_events(app) == before


async def test_captured_wire_body_verifies(client: AsyncClient) -> None:
    """The real captured body (with \\u escapes and \\/) verifies exactly as Meta sent it."""
    raw = (FIXTURES / "real_raw_wire_inbound_image_bsuid_escaped.json").read_bytes()
    assert sign(raw, "test_app_secret") == (
        "sha256=338df3b12f3c7722d60ab87b048e4aca1b951c036cb7f34cca3ccfb4969b59e0"
    )
    assert meta_wire_json(json.loads(raw)) == raw
