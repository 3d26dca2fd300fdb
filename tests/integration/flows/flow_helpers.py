"""A sandbox number with a simulated customer, and flows created through the API."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient

from finnegans.context import AppContext
from finnegans.whatsapp.emulator import Emulator
from tests.helpers import User, register

FLOWS = Path(__file__).resolve().parents[2] / "fixtures" / "flows"
_customers = iter(range(10**6))


def original(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FLOWS / name).read_text())
    return loaded


async def settle(app: FastAPI, rounds: int = 6) -> None:
    """Let webhooks, flow tasks and sends run until nothing is left to do right now."""
    ctx: AppContext = app.state.ctx
    for _ in range(rounds):
        if ctx.sandbox.emulator is not None:
            await asyncio.wait_for(ctx.sandbox.emulator.drain(), 20)
        await asyncio.wait_for(ctx.webhook_worker.drain(), 20)
        await asyncio.wait_for(ctx.task_runner.drain(), 20)


@dataclass
class Chat:
    """One simulated customer talking to a sandbox number of a fresh workspace."""

    app: FastAPI
    client: AsyncClient
    owner: User
    account_id: str
    phone_number_id: str
    wa_id: str
    seen: int = field(default=0)

    @property
    def emulator(self) -> Emulator:
        ctx: AppContext = self.app.state.ctx
        assert ctx.sandbox.emulator is not None
        return ctx.sandbox.emulator

    async def create_flow(self, definition: dict[str, Any], **fields: Any) -> dict[str, Any]:
        body = {"name": "Flow", "status": "Active", "definition": definition, **fields}
        r = await self.client.post("/api/flows", headers=self.owner.auth, json=body)
        assert r.status_code == 201, r.text
        created: dict[str, Any] = r.json()
        return created

    async def say(self, text: str, *, settle_after: bool = True) -> None:
        await self.emulator.customer_sends(self.phone_number_id, self.wa_id, text)
        if settle_after:
            await settle(self.app)

    async def tap(self, button_id: str) -> None:
        """Tap a reply button (or list row) of the business's last interactive message."""
        last = [m for m in self.business_messages() if m["type"] == "interactive"][-1]
        interactive = last["interactive"]
        if interactive["type"] == "list":
            await self.emulator.reply_list(
                self.phone_number_id, self.wa_id, last["_wamid"], button_id
            )
        else:
            await self.emulator.reply_button(
                self.phone_number_id, self.wa_id, last["_wamid"], button_id
            )
        await settle(self.app)

    def business_messages(self) -> list[dict[str, Any]]:
        """What the business sent this customer, oldest first (Graph request bodies)."""
        log = self.emulator.conversation(self.phone_number_id, self.wa_id)
        return [{**m.payload, "_wamid": m.wamid} for m in log if m.direction == "outbound"]

    def new_messages(self) -> list[dict[str, Any]]:
        """Business messages since the last call."""
        sent = self.business_messages()
        fresh, self.seen = sent[self.seen :], len(sent)
        return fresh


def text_of(payload: dict[str, Any]) -> str:
    kind = payload["type"]
    if kind == "text":
        return str(payload["text"]["body"])
    if kind == "interactive":
        return str(payload["interactive"]["body"]["text"])
    if kind in ("image", "video", "document"):
        return str(payload[kind].get("caption") or "")
    return f"[{kind}]"


async def open_chat(app: FastAPI, client: AsyncClient, owner: User | None = None) -> Chat:
    owner = owner or await register(client)
    account = await client.post(
        "/api/whatsapp-accounts", headers=owner.auth, json={"name": "Sandbox", "sandbox": True}
    )
    assert account.status_code == 201, account.text
    wa_id = f"5491155{next(_customers):06d}"
    chat = Chat(app, client, owner, account.json()["id"], account.json()["phoneNumberId"], wa_id)
    chat.emulator.add_customer(wa_id, profile_name="Lucía")
    return chat
