"""The inbox's Socket.IO events, end to end: a customer message, an agent reply and its ticks
reach the agents' sockets after commit; another workspace hears nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from finnegans.config import Settings
from tests.integration.flows.flow_helpers import settle
from tests.integration.realtime.socket_helpers import (
    LiveServer,
    connect,
    live_server,
    new_workspace,
    nothing_more,
)


@pytest.fixture
async def live(settings: Settings) -> AsyncIterator[LiveServer]:
    async with live_server(settings) as server:
        yield server


async def test_agents_hear_messages_ticks_and_conversation_changes(live: LiveServer) -> None:
    owner, cookie = await new_workspace(live)
    _, stranger_cookie = await new_workspace(live)
    account = await live.http.post("/api/whatsapp-accounts", headers=owner.auth,
                                   json={"name": "Sandbox", "sandbox": True})  # fmt: skip
    base = f"/api/sandbox/accounts/{account.json()['id']}"
    customer = await live.http.post(f"{base}/customers", headers=owner.auth,
                                    json={"profileName": "Lu"})  # fmt: skip
    wa_id = customer.json()["waId"]
    agent = await connect(live.url, cookie=cookie)
    stranger = await connect(live.url, cookie=stranger_cookie)
    try:
        await live.http.post(f"{base}/customers/{wa_id}/messages", headers=owner.auth,
                             json={"type": "text", "text": "hola"})  # fmt: skip
        update = await agent.next("conversation:updated")
        contact_id = update["contact_id"]
        assert update["conversation"]["unread_count"] == 1
        assert update["conversation"]["last_message"] == "hola"

        joined = await agent.call("join:conversation", {"contact_id": contact_id})
        assert joined == {"ok": True}
        sent = await live.http.post(f"/api/conversations/{contact_id}", headers=owner.auth,
                                    json={"text": "¡Hola Lu!"})  # fmt: skip
        assert sent.status_code == 201, sent.text
        message_id = sent.json()["message"]["id"]
        new = await agent.next("message:new")
        assert new["message"]["id"] == message_id and new["message"]["status"] == "pending"
        assert new["message"]["sent_by"]["id"] == owner.id
        await settle(live.app)
        emulator = live.ctx.sandbox.emulator
        assert emulator is not None
        emulator.customer_reads(account.json()["phoneNumberId"], wa_id)
        await settle(live.app)
        ticks = []
        async with asyncio.timeout(10):
            while "read" not in ticks:
                status = await agent.next("message:status")
                assert status["message_id"] == message_id
                ticks.append(status["status"])
        assert ticks == ["sent", "delivered", "read"]

        await live.http.post(f"{base}/customers/{wa_id}/messages", headers=owner.auth,
                             json={"type": "text", "text": "gracias"})  # fmt: skip
        inbound = await agent.next("message:new")
        assert inbound["message"]["direction"] == "inbound"
        assert inbound["message"]["text"] == "gracias"
        # A send WhatsApp refuses shows its failure live too (here: its window closed while
        # ours still looked open, and the number reports it synchronously).
        phone_number_id = account.json()["phoneNumberId"]
        for mode in ("sync", "async"):  # refused at the send, or by a `failed` webhook after
            emulator.faults = emulator.faults.model_copy(update={"window_error": mode})
            emulator.close_window(phone_number_id, wa_id)
            url = f"/api/conversations/{contact_id}"
            doomed = await live.http.post(url, headers=owner.auth, json={"text": "¿Te llegó?"})
            doomed_id = doomed.json()["message"]["id"]
            await settle(live.app)
            async with asyncio.timeout(10):
                while True:
                    status = await agent.next("message:status")
                    if status["message_id"] == doomed_id and status["status"] == "failed":
                        break
            assert status["error"]["code"] == 131047, mode

        # The list row carries the assignee's name and the window, like the REST summary.
        row = None
        while row is None or row["conversation"]["assignee"] is None:
            row = await agent.next("conversation:updated")
        assert row["conversation"]["assignee"] == {"id": owner.id, "name": "Ana Owner"}
        assert row["conversation"]["window_open"] is True
        assert await nothing_more(stranger, "conversation:updated")
        assert await nothing_more(stranger, "message:new", wait=0.1)
        denied = await stranger.call("join:conversation", {"contact_id": contact_id})
        assert "error" in denied
    finally:
        await agent.close()
        await stranger.close()
