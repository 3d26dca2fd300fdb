"""Rooms keep workspaces apart; typing is relayed to the other agents and shown on WhatsApp."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from finnegans.config import Settings
from finnegans.db.models import Message
from finnegans.realtime import conversation_room, workspace_room
from tests.helpers import join_as
from tests.integration.realtime.socket_helpers import (
    LiveServer,
    add_contact,
    connect,
    live_server,
    new_workspace,
    nothing_more,
)


@pytest.fixture
async def live(settings: Settings) -> AsyncIterator[LiveServer]:
    async with live_server(settings) as server:
        yield server


async def test_workspace_b_never_hears_workspace_a(live: LiveServer) -> None:
    owner_a, cookie_a = await new_workspace(live)
    owner_b, cookie_b = await new_workspace(live)
    contact_a = await add_contact(live, owner_a.workspace_id)
    a = await connect(live.url, cookie=cookie_a)
    b = await connect(live.url, cookie=cookie_b)
    try:
        assert await a.call("join:conversation", {"contact_id": contact_a}) == {"ok": True}
        # B cannot enter A's conversation, whatever it sends.
        for data in ({"contact_id": contact_a}, {"contact_id": "nope"}, {}, "x", None):
            answer = await b.call("join:conversation", data)
            assert set(answer) == {"error"}, answer
        assert await b.call("typing:start", {"contact_id": contact_a}) == {
            "error": "Join the conversation first"
        }

        hub = live.ctx.realtime
        async with live.ctx.db.unit_of_work() as session:
            hub.emit_after_commit(
                session,
                "conversation:updated",
                {"contact_id": contact_a},
                room=workspace_room(owner_a.workspace_id),
            )
            hub.emit_after_commit(
                session,
                "message:new",
                {"contact_id": contact_a},
                room=conversation_room(owner_a.workspace_id, contact_a),
            )
        assert await a.next("conversation:updated") == {"contact_id": contact_a}
        assert await a.next("message:new") == {"contact_id": contact_a}
        assert await nothing_more(b, "conversation:updated")
        assert await nothing_more(b, "message:new")
        assert not b.received
        # B's own workspace room still works: the silence above is isolation, not a dead socket.
        room_b = workspace_room(owner_b.workspace_id)
        await hub.emit_now("conversation:updated", {"b": 1}, room=room_b)
        assert await b.next("conversation:updated") == {"b": 1}
        assert await nothing_more(a, "conversation:updated")
    finally:
        await a.close()
        await b.close()


async def test_typing_is_relayed_to_other_agents_not_the_sender(live: LiveServer) -> None:
    owner, cookie = await new_workspace(live)
    agent = await join_as(live.http, owner, "agent")
    contact = await add_contact(live, owner.workspace_id)
    typist = await connect(live.url, cookie=cookie)
    colleague = await connect(live.url, token=agent.token)
    elsewhere = await connect(live.url, token=agent.token)  # same workspace, thread not open
    try:
        for socket in (typist, colleague):
            assert await socket.call("join:conversation", {"contact_id": contact}) == {"ok": True}
        assert await typist.call("typing:start", {"contact_id": contact}) == {"ok": True}
        expected = {"contact_id": contact, "user": {"id": owner.id, "name": "Ana Owner"}}
        assert await colleague.next("typing:start") == expected
        assert await typist.call("typing:stop", {"contact_id": contact}) == {"ok": True}
        assert await colleague.next("typing:stop") == expected
        assert await nothing_more(typist, "typing:start")
        assert await nothing_more(elsewhere, "typing:start")

        # After leaving, the colleague no longer gets the thread's events.
        assert await colleague.call("leave:conversation", {"contact_id": contact}) == {"ok": True}
        assert await typist.call("typing:stop", {"contact_id": contact}) == {"ok": True}
        assert await nothing_more(colleague, "typing:stop")
    finally:
        for socket in (typist, colleague, elsewhere):
            await socket.close()


async def test_emit_after_commit_waits_for_commit_and_skips_rollback(live: LiveServer) -> None:
    owner, cookie = await new_workspace(live)
    room = workspace_room(owner.workspace_id)
    hub = live.ctx.realtime
    listener = await connect(live.url, cookie=cookie)
    try:
        async with live.ctx.db.unit_of_work() as session:
            hub.emit_after_commit(session, "conversation:updated", {"n": 1}, room=room)
            hub.emit_after_commit(session, "conversation:updated", {"n": 2}, room=room)
            await asyncio.sleep(0.3)  # the transaction is still open: nothing may arrive yet
            assert listener.received == []
        assert await listener.next("conversation:updated") == {"n": 1}
        assert await listener.next("conversation:updated") == {"n": 2}

        async def fails_after_emitting() -> None:
            async with live.ctx.db.unit_of_work() as session:
                hub.emit_after_commit(session, "conversation:updated", {"n": "no"}, room=room)
                raise LookupError("the transaction rolls back")

        with pytest.raises(LookupError):
            await fails_after_emitting()
        async with live.ctx.db.unit_of_work() as session:
            hub.emit_after_commit(session, "conversation:updated", {"n": 3}, room=room)
        # The next event to arrive is 3: the rolled-back one never came (and order holds).
        assert await listener.next("conversation:updated") == {"n": 3}
        assert await nothing_more(listener, "conversation:updated")
    finally:
        await listener.close()


async def _customer_writes(live: LiveServer, auth: dict[str, str]) -> tuple[str, str]:
    """A sandbox number and a simulated customer whose message reaches the webhook and is
    stored; returns (contact_id, wamid)."""
    account = await live.http.post(
        "/api/whatsapp-accounts", headers=auth, json={"name": "Sandbox", "sandbox": True}
    )
    assert account.status_code == 201, account.text
    base = f"/api/sandbox/accounts/{account.json()['id']}"
    customer = await live.http.post(f"{base}/customers", headers=auth, json={"profileName": "Lu"})
    wa_id = customer.json()["waId"]
    sent = await live.http.post(
        f"{base}/customers/{wa_id}/messages", headers=auth, json={"type": "text", "text": "hola"}
    )
    assert sent.status_code == 201, sent.text
    wamid = sent.json()["wamid"]
    emulator = live.ctx.sandbox.emulator
    assert emulator is not None
    await asyncio.wait_for(emulator.drain(), 20)
    await asyncio.wait_for(live.ctx.webhook_worker.drain(), 20)
    async with live.ctx.db.unit_of_work(write=False) as session:
        contact_id = (
            await session.execute(select(Message.contact_id).where(Message.wamid == wamid))
        ).scalar_one()
    return contact_id, wamid


async def test_typing_start_shows_the_typing_indicator_on_whatsapp(live: LiveServer) -> None:
    owner, cookie = await new_workspace(live)
    contact_id, wamid = await _customer_writes(live, owner.auth)
    emulator = live.ctx.sandbox.emulator
    assert emulator is not None
    logged = emulator.message(wamid)
    assert logged is not None and "typing_indicator_at" not in logged.extra

    agent = await connect(live.url, cookie=cookie)
    try:
        assert await agent.call("join:conversation", {"contact_id": contact_id}) == {"ok": True}
        assert await agent.call("typing:start", {"contact_id": contact_id}) == {"ok": True}
        async with asyncio.timeout(10):
            while "typing_indicator_at" not in logged.extra:
                await asyncio.sleep(0.02)
        assert logged.read_by_business  # Meta's typing call is also the read receipt
        first = logged.extra["typing_indicator_at"]

        # Within 20 s a second typing:start is relayed but not sent to WhatsApp again.
        assert await agent.call("typing:start", {"contact_id": contact_id}) == {"ok": True}
        assert await live.ctx.realtime.typing.show(owner.workspace_id, contact_id) is False
        assert logged.extra["typing_indicator_at"] == first
    finally:
        await agent.close()


async def test_a_graph_failure_never_breaks_the_socket(live: LiveServer) -> None:
    owner, cookie = await new_workspace(live)
    contact_id, wamid = await _customer_writes(live, owner.auth)
    # The number's token no longer matches: the emulator answers 190 (expired token).
    emulator = live.ctx.sandbox.emulator
    assert emulator is not None
    logged = emulator.message(wamid)
    assert logged is not None
    emulator.number(logged.phone_number_id).access_token = "revoked"

    agent = await connect(live.url, cookie=cookie)
    other = await connect(live.url, cookie=cookie)
    try:
        for socket in (agent, other):
            joined = await socket.call("join:conversation", {"contact_id": contact_id})
            assert joined == {"ok": True}
        assert await agent.call("typing:start", {"contact_id": contact_id}) == {"ok": True}
        assert await other.next("typing:start")
        assert await live.ctx.realtime.typing.show(owner.workspace_id, "no-such-contact") is False
        await asyncio.sleep(0.3)  # let the background Graph call fail
        assert "typing_indicator_at" not in logged.extra
        assert agent.client.connected
        assert await agent.call("typing:stop", {"contact_id": contact_id}) == {"ok": True}
        assert await other.next("typing:stop")
    finally:
        await agent.close()
        await other.close()
