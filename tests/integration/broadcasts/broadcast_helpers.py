"""A workspace with a sandbox number, contacts, and broadcasts driven through the API."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient

from finnegans.context import AppContext
from finnegans.db.base import new_id
from finnegans.db.models import Contact, ContactTag, Tag, WhatsAppAccount
from finnegans.kit.clock import utcnow
from finnegans.whatsapp.emulator import Emulator
from tests.helpers import User, register

_numbers = itertools.count(1)
FINAL = ("completed", "paused", "cancelled")

HELLO = {"kind": "template", "template": {"name": "hello_world", "language": {"code": "en_US"}}}


@dataclass
class Workspace:
    app: FastAPI
    client: AsyncClient
    owner: User
    account_id: str
    phone_number_id: str

    @property
    def ctx(self) -> AppContext:
        ctx: AppContext = self.app.state.ctx
        return ctx

    @property
    def emulator(self) -> Emulator:
        assert self.ctx.sandbox.emulator is not None
        return self.ctx.sandbox.emulator

    async def post(self, path: str, body: Any = None, expect: int = 200) -> dict[str, Any]:
        r = await self.client.post(path, headers=self.owner.auth, json=body)
        assert r.status_code == expect, r.text
        data: dict[str, Any] = r.json() if r.content else {}
        return data

    async def get(self, path: str, **params: Any) -> dict[str, Any]:
        r = await self.client.get(path, headers=self.owner.auth, params=params)
        assert r.status_code == 200, r.text
        data: dict[str, Any] = r.json()
        return data

    async def contacts(
        self, n: int, *, tags: tuple[str, ...] = (), opted_out: bool = False,
        name: str = "Cliente", window_open: bool = False, attributes: dict[str, Any] | None = None,
    ) -> list[str]:  # fmt: skip
        """Insert `n` contacts (faster than the API for hundreds); their ids."""
        ids: list[str] = []
        now = utcnow()
        async with self.ctx.db.unit_of_work() as session:
            tag_rows = []
            for tag_name in tags:
                tag = Tag(id=new_id(), workspace_id=self.owner.workspace_id, name=tag_name)
                existing = await session.execute(
                    Tag.__table__.select().where(
                        Tag.workspace_id == self.owner.workspace_id, Tag.name == tag_name
                    )
                )
                row = existing.first()
                if row is None:
                    session.add(tag)
                    await session.flush()
                    tag_rows.append(tag.id)
                else:
                    tag_rows.append(row.id)
            for i in range(n):
                wa_id = f"5491170{next(_numbers):07d}"
                contact = Contact(
                    id=new_id(), workspace_id=self.owner.workspace_id, wa_id=wa_id,
                    phone=f"+{wa_id}", name=f"{name} {i}", attributes=attributes or {},
                    opted_out=opted_out, created_at=now, updated_at=now,
                )  # fmt: skip
                session.add(contact)
                ids.append(contact.id)
            await session.flush()
            for contact_id in ids:
                for tag_id in tag_rows:
                    session.add(ContactTag(contact_id=contact_id, tag_id=tag_id))
        if window_open:
            for contact_id in ids:
                await self.open_window(contact_id)
        return ids

    async def open_window(self, contact_id: str) -> None:
        """The customer writes (a real inbound webhook): the 24-hour window opens."""
        async with self.ctx.db.unit_of_work(write=False) as session:
            contact = await session.get(Contact, contact_id)
            assert contact is not None and contact.wa_id
            wa_id = contact.wa_id
        await self.emulator.customer_sends(self.phone_number_id, wa_id, "hola")
        await self.emulator.drain()
        await asyncio.wait_for(self.ctx.webhook_worker.drain(), 20)

    async def set_budget(self, per_second: int) -> None:
        r = await self.client.patch(
            f"/api/whatsapp-accounts/{self.account_id}",
            headers=self.owner.auth, json={"sendBudgetPerSecond": per_second},
        )  # fmt: skip
        assert r.status_code == 200, r.text

    async def create(self, **body: Any) -> dict[str, Any]:
        return await self.post("/api/broadcasts", body, expect=201)

    async def launch(self, broadcast_id: str, **body: Any) -> dict[str, Any]:
        return await self.post(f"/api/broadcasts/{broadcast_id}/launch", body or None)

    async def wait(
        self, broadcast_id: str, states: tuple[str, ...] = FINAL, timeout: float = 30
    ) -> dict[str, Any]:
        """Poll the broadcast until it reaches one of `states` and webhooks have settled."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            found = await self.get(f"/api/broadcasts/{broadcast_id}")
            if found["status"] in states:
                await self.emulator.drain()
                await asyncio.wait_for(self.ctx.webhook_worker.drain(), 90)
                return await self.get(f"/api/broadcasts/{broadcast_id}")
            assert asyncio.get_running_loop().time() < deadline, found
            await asyncio.sleep(0.05)

    async def recipients(self, broadcast_id: str, **params: Any) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        cursor = None
        while True:
            query = {**params, **({"cursor": cursor} if cursor else {})}
            page = await self.get(f"/api/broadcasts/{broadcast_id}/recipients", **query)
            found += page["recipients"]
            cursor = page["next_cursor"]
            if not cursor:
                return found

    def outbound(self) -> list[Any]:
        """Every message the emulator accepted from this number."""
        return [
            m for m in self.emulator.state.messages.values()
            if m.direction == "outbound" and m.phone_number_id == self.phone_number_id
        ]  # fmt: skip

    async def account(self) -> WhatsAppAccount:
        async with self.ctx.db.unit_of_work(write=False) as session:
            account = await session.get(WhatsAppAccount, self.account_id)
            assert account is not None
            return account


async def workspace(app: FastAPI, client: AsyncClient, owner: User | None = None) -> Workspace:
    owner = owner or await register(client)
    r = await client.post("/api/whatsapp-accounts", headers=owner.auth,
                          json={"name": "Sandbox", "sandbox": True})  # fmt: skip
    assert r.status_code == 201, r.text
    return Workspace(app, client, owner, r.json()["id"], r.json()["phoneNumberId"])
