"""A workspace with a sandbox number whose WABA lives in the in-process emulator."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient

from finnegans.context import AppContext
from finnegans.whatsapp.emulator import Emulator
from finnegans.whatsapp.emulator.ids import new_numeric_id
from finnegans.whatsapp.emulator.state import Template
from tests.helpers import User, register

ORDER_SHIPPED: list[dict[str, Any]] = [
    {"type": "HEADER", "format": "TEXT", "text": "Order {{1}}",
     "example": {"header_text": ["A-100"]}},
    {"type": "BODY", "text": "Hi {{1}}, your order ships on {{2}}.",
     "example": {"body_text": [["Ana", "Monday"]]}},
    {"type": "FOOTER", "text": "Reply STOP to opt out"},
    {"type": "BUTTONS", "buttons": [
        {"type": "URL", "text": "Track", "url": "https://shop.example/track/{{1}}",
         "example": ["https://shop.example/track/A-100"]},
        {"type": "QUICK_REPLY", "text": "Talk to us"},
    ]},
]  # fmt: skip


@dataclass
class Waba:
    app: FastAPI
    client: AsyncClient
    owner: User
    account_id: str
    phone_number_id: str
    waba_id: str

    @property
    def emulator(self) -> Emulator:
        ctx: AppContext = self.app.state.ctx
        assert ctx.sandbox.emulator is not None
        return ctx.sandbox.emulator

    def on_meta(
        self,
        name: str,
        components: list[dict[str, Any]],
        *,
        language: str = "en_US",
        status: str = "APPROVED",
        parameter_format: str = "POSITIONAL",
        category: str = "UTILITY",
    ) -> Template:
        """A template that exists on Meta's side only (as if made in WhatsApp Manager)."""
        template = Template(
            id=new_numeric_id(), name=name, language=language, category=category,
            status=status, components=components, parameter_format=parameter_format,
        )  # fmt: skip
        self.emulator.templates(self.waba_id).append(template)
        return template

    async def sync(self, **body: Any) -> dict[str, Any]:
        r = await self.client.post("/api/templates/sync", headers=self.owner.auth, json=body)
        assert r.status_code == 200, r.text
        result: dict[str, Any] = r.json()
        return result

    async def templates(self, **params: Any) -> list[dict[str, Any]]:
        r = await self.client.get("/api/templates", headers=self.owner.auth, params=params)
        assert r.status_code == 200, r.text
        rows: list[dict[str, Any]] = r.json()["templates"]
        return rows

    async def template(self, name: str, **params: Any) -> dict[str, Any]:
        found = [t for t in await self.templates(**params) if t["name"] == name]
        assert len(found) == 1, found
        return found[0]


async def sandbox_waba(app: FastAPI, client: AsyncClient, owner: User | None = None) -> Waba:
    owner = owner or await register(client)
    r = await client.post(
        "/api/whatsapp-accounts", headers=owner.auth, json={"name": "Sandbox", "sandbox": True}
    )
    assert r.status_code == 201, r.text
    account = r.json()
    return Waba(app, client, owner, account["id"], account["phoneNumberId"],
                account["businessAccountId"])  # fmt: skip
