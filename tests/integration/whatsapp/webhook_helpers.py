"""Helpers for webhook tests: a connected number and Meta-signed fixture bodies."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient, Response

from finnegans.context import AppContext
from finnegans.whatsapp.signature import meta_wire_json, sign
from tests.helpers import User, register

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "whatsapp"
APP_SECRET = "webhook-test-app-secret"


@dataclass
class Number:
    owner: User
    account_id: str
    phone_number_id: str
    waba_id: str
    verify_token: str


_counter = iter(range(10**6))


async def connect_number(client: AsyncClient, owner: User | None = None) -> Number:
    owner = owner or await register(client)
    n = next(_counter)
    phone_number_id = f"9{n:011d}{id(client) % 1000:03d}"
    waba_id = f"8{n:011d}{id(client) % 1000:03d}"
    r = await client.post(
        "/api/whatsapp-accounts",
        headers=owner.auth,
        json={
            "name": "Main",
            "phoneNumberId": phone_number_id,
            "businessAccountId": waba_id,
            "verifyToken": f"verify-{phone_number_id}",
            "appSecret": APP_SECRET,
            "accessToken": "EAAG-test-token-000000",
        },
    )
    assert r.status_code == 201, r.text
    return Number(owner, r.json()["id"], phone_number_id, waba_id, f"verify-{phone_number_id}")


def fixture(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return loaded


def retarget(body: dict[str, Any], number: Number) -> dict[str, Any]:
    """Point a fixture at our test number (phone_number_id and WABA id)."""
    for entry in body.get("entry", []):
        entry["id"] = number.waba_id
        for change in entry.get("changes", []):
            metadata = change.get("value", {}).get("metadata")
            if isinstance(metadata, dict):
                metadata["phone_number_id"] = number.phone_number_id
    return body


async def post_signed(
    client: AsyncClient, body: dict[str, Any] | bytes, secret: str = APP_SECRET
) -> Response:
    raw = body if isinstance(body, bytes) else meta_wire_json(body)
    return await client.post(
        "/webhook",
        content=raw,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(raw, secret)},
    )


async def drain(app: FastAPI) -> None:
    ctx: AppContext = app.state.ctx
    await ctx.webhook_worker.drain()


def uniquify(body: dict[str, Any], tag: str) -> dict[str, Any]:
    """Give every message and status id a per-test suffix: wamids are unique database-wide."""
    position = 0
    for entry in body.get("entry", []):
        for change in entry.get("changes", []):
            value = change.get("value", {})
            for item in (value.get("messages") or []) + (value.get("statuses") or []):
                if isinstance(item, dict) and "id" in item:
                    item["id"] = f"{item['id']}.{tag}.{position}"
                    position += 1
    return body
