"""An emulator wired to a tiny recording "platform", both through httpx.ASGITransport."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request, Response

from finnegans.whatsapp.emulator import BusinessNumber, Emulator, Faults
from finnegans.whatsapp.signature import SIGNATURE_HEADER, verify

APP_SECRET = "test_app_secret"
TOKEN = "test-token"
PNID = "106540352242922"
WABA = "102290129340398"
CUSTOMER = "16505551234"


@dataclass
class Received:
    body: bytes
    signature: str | None
    valid: bool

    @property
    def payload(self) -> Any:
        return json.loads(self.body)

    @property
    def value(self) -> Any:
        return self.payload["entry"][0]["changes"][0]["value"]


@dataclass
class Platform:
    received: list[Received] = field(default_factory=list)
    fail_next: int = 0  # answer 500 to this many posts

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/webhook")
        async def webhook(request: Request) -> Response:
            body = await request.body()
            header = request.headers.get(SIGNATURE_HEADER)
            self.received.append(Received(body, header, verify(body, header, APP_SECRET)))
            if self.fail_next > 0:
                self.fail_next -= 1
                return Response(status_code=500)
            return Response(status_code=200)

        @app.get("/webhook")
        async def verify_hook(request: Request) -> Response:
            params = request.query_params
            if params.get("hub.verify_token") != "vt":
                return Response(status_code=403)
            return Response(params.get("hub.challenge", ""), media_type="text/plain")

        return app

    def statuses(self) -> list[dict[str, Any]]:
        return [s for r in self.received for s in r.value.get("statuses", [])]

    def messages(self) -> list[dict[str, Any]]:
        return [m for r in self.received for m in r.value.get("messages", [])]


@dataclass
class Env:
    emulator: Emulator
    number: BusinessNumber
    graph: httpx.AsyncClient
    platform: Platform

    async def send(self, body: dict[str, Any], token: str = TOKEN) -> httpx.Response:
        full = {"messaging_product": "whatsapp", **body}
        return await self.graph.post(
            f"/v25.0/{self.number.phone_number_id}/messages",
            json=full,
            headers={"Authorization": f"Bearer {token}"},
        )

    async def send_text(self, text: str = "hello", to: str = CUSTOMER) -> httpx.Response:
        return await self.send({"to": to, "type": "text", "text": {"body": text}})


def quick_faults(**changes: Any) -> Faults:
    base: dict[str, Any] = {
        "status_sent_delay": 0.0,
        "status_delivered_delay": 0.0,
        "status_read_delay": 0.0,
        "webhook_retry_delay": 0.0,
    }
    return Faults(**{**base, **changes})


@pytest.fixture
async def env() -> AsyncIterator[Env]:
    platform = Platform()
    hooks = httpx.AsyncClient(transport=httpx.ASGITransport(app=platform.app()))
    emulator = Emulator(http=hooks, faults=quick_faults())
    number = emulator.add_number(
        PNID,
        waba_id=WABA,
        display_phone_number="15550783881",
        access_token=TOKEN,
        app_secret=APP_SECRET,
        webhook_url="http://platform/webhook",
        verify_token="vt",
    )
    emulator.add_customer(CUSTOMER, profile_name="Sheena Nelson")
    graph = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=emulator.graph_app), base_url="http://graph.emulator"
    )
    try:
        yield Env(emulator, number, graph, platform)
    finally:
        await emulator.drain()
        await graph.aclose()
        await hooks.aclose()
        await emulator.aclose()
