"""The built-in sandbox: the phone simulator's customer reaches the real webhook path, and the
real Graph client talks to the emulator, with status webhooks coming back."""

from __future__ import annotations

import asyncio

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from finnegans.context import AppContext
from finnegans.db.models import Message, WhatsAppAccount
from finnegans.inbox.repository import MessageRepository
from finnegans.whatsapp.graph import (
    MessageValidationError,
    ReplyButton,
    reply_buttons_message,
)
from finnegans.whatsapp.graph_factory import graph_client_for
from tests.helpers import register


async def _sandbox(client: AsyncClient) -> tuple[dict[str, str], str]:
    owner = await register(client)
    account = await client.post(
        "/api/whatsapp-accounts", headers=owner.auth, json={"name": "Sandbox", "sandbox": True}
    )
    assert account.status_code == 201
    assert account.json()["phoneNumberId"] and account.json()["hasAppSecret"]
    return owner.auth, account.json()["id"]


async def _settle(app: FastAPI) -> None:
    ctx: AppContext = app.state.ctx
    assert ctx.sandbox.emulator is not None
    await asyncio.wait_for(ctx.sandbox.emulator.drain(), 20)
    await asyncio.wait_for(ctx.webhook_worker.drain(), 20)


async def test_customer_says_hola_and_it_is_stored(client: AsyncClient, app: FastAPI) -> None:
    auth, account_id = await _sandbox(client)
    base = f"/api/sandbox/accounts/{account_id}"
    customer = await client.post(f"{base}/customers", headers=auth, json={"profileName": "Lucía"})
    assert customer.status_code == 201
    wa_id = customer.json()["waId"]
    sent = await client.post(
        f"{base}/customers/{wa_id}/messages",
        headers=auth,
        json={"type": "text", "text": "hola ¿qué tal? 😀"},
    )
    assert sent.status_code == 201
    await _settle(app)

    chat = (await client.get(f"{base}/customers/{wa_id}/messages", headers=auth)).json()
    assert chat["windowOpen"] is True
    assert [m["direction"] for m in chat["messages"]] == ["inbound"]
    ctx: AppContext = app.state.ctx
    async with ctx.db.unit_of_work(write=False) as session:
        stored = (
            await session.execute(select(Message).where(Message.wamid == sent.json()["wamid"]))
        ).scalar_one()
    assert stored.text == "hola ¿qué tal? 😀"
    assert stored.direction == "inbound"
    listed = (await client.get(f"{base}/customers", headers=auth)).json()
    assert listed == [{"waId": wa_id, "profileName": "Lucía"}]


async def test_test_connection_goes_through_the_emulator(client: AsyncClient) -> None:
    auth, account_id = await _sandbox(client)
    result = await client.post(f"/api/whatsapp-accounts/{account_id}/test", headers=auth)
    assert result.json()["ok"] is True
    assert "emulator" in result.json()["message"]


async def test_business_reply_comes_back_with_read_status(
    client: AsyncClient, app: FastAPI
) -> None:
    auth, account_id = await _sandbox(client)
    base = f"/api/sandbox/accounts/{account_id}"
    wa_id = (
        await client.post(f"{base}/customers", headers=auth, json={"profileName": "Ana"})
    ).json()["waId"]
    await client.post(
        f"{base}/customers/{wa_id}/messages", headers=auth, json={"type": "text", "text": "hola"}
    )
    await _settle(app)
    ctx: AppContext = app.state.ctx
    async with ctx.db.unit_of_work(write=False) as session:
        account = await session.get(WhatsAppAccount, account_id)
        inbound = (
            await session.execute(select(Message).where(Message.whatsapp_account_id == account_id))
        ).scalar_one()
    assert account is not None
    payload = reply_buttons_message(
        wa_id, "¿Confirmás el pedido?", [ReplyButton("yes", "Sí"), ReplyButton("no", "No")]
    )
    async with graph_client_for(ctx, account) as graph:
        result = await graph.send(payload)
    async with ctx.db.unit_of_work() as session:
        await MessageRepository(session).insert_outbound(
            {
                "workspace_id": account.workspace_id,
                "contact_id": inbound.contact_id,
                "whatsapp_account_id": account_id,
                "type": "interactive",
                "text": "¿Confirmás el pedido?",
                "wamid": result.wamid,
                "status": "pending",
                "payload": payload,
            }
        )
    assert ctx.sandbox.emulator is not None
    ctx.sandbox.emulator.customer_reads(account.phone_number_id or "", wa_id)
    await _settle(app)
    async with ctx.db.unit_of_work(write=False) as session:
        outbound = (
            await session.execute(select(Message).where(Message.wamid == result.wamid))
        ).scalar_one()
    assert outbound.status == "read"
    # The customer taps "Sí" in the simulator: a button_reply answering our message.
    tapped = await client.post(
        f"{base}/customers/{wa_id}/messages",
        headers=auth,
        json={"type": "button_reply", "replyTo": result.wamid, "id": "yes"},
    )
    assert tapped.status_code == 201
    await _settle(app)
    async with ctx.db.unit_of_work(write=False) as session:
        reply = (
            await session.execute(select(Message).where(Message.wamid == tapped.json()["wamid"]))
        ).scalar_one()
    assert reply.type == "interactive" and reply.text == "Sí"
    assert reply.payload["summary"]["reply_to"] == result.wamid


async def test_four_buttons_refused_by_client_and_by_emulator(
    client: AsyncClient, app: FastAPI
) -> None:
    _, account_id = await _sandbox(client)
    ctx: AppContext = app.state.ctx
    async with ctx.db.unit_of_work(write=False) as session:
        account = await session.get(WhatsAppAccount, account_id)
    assert account is not None
    buttons = [ReplyButton(f"b{i}", f"Option {i}") for i in range(4)]
    with pytest.raises(MessageValidationError, match="at most 3"):
        reply_buttons_message("5491100000000", "Pick one", buttons)
    raw = {
        "messaging_product": "whatsapp",
        "to": "5491100000000",
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": "Pick one"},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": f"b{i}", "title": f"Option {i}"}}
                    for i in range(4)
                ]
            },
        },
    }
    assert ctx.sandbox.graph_http is not None
    token = ctx.secrets.decrypt(account.access_token_encrypted or "")
    answer = await ctx.sandbox.graph_http.post(
        f"/{ctx.settings.graph_api_version}/{account.phone_number_id}/messages",
        json=raw,
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] in (100, 131009)
    assert "buttons" in error["error_data"]["details"]


async def test_simulator_input_errors(client: AsyncClient) -> None:
    auth, account_id = await _sandbox(client)
    base = f"/api/sandbox/accounts/{account_id}"
    wa_id = (
        await client.post(f"{base}/customers", headers=auth, json={"profileName": "Ana"})
    ).json()["waId"]
    missing = await client.post(
        f"{base}/customers/{wa_id}/messages", headers=auth, json={"type": "button_reply", "id": "x"}
    )
    assert missing.status_code == 400 and "reply_to" in missing.json()["fields"]
    unknown = await client.post(
        f"{base}/customers/{wa_id}/messages",
        headers=auth,
        json={"type": "button_reply", "replyTo": "wamid.nope", "id": "x"},
    )
    assert unknown.status_code == 404
    assert (
        await client.post(
            f"{base}/customers/000/messages", headers=auth, json={"type": "text", "text": "x"}
        )
    ).status_code == 404


PNG_1X1 = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9aw"
    "AAAABJRU5ErkJggg=="
)


async def test_inbound_image_is_downloaded_and_served(client: AsyncClient, app: FastAPI) -> None:
    import base64

    auth, account_id = await _sandbox(client)
    base = f"/api/sandbox/accounts/{account_id}"
    wa_id = (
        await client.post(f"{base}/customers", headers=auth, json={"profileName": "Ana"})
    ).json()["waId"]
    sent = await client.post(
        f"{base}/customers/{wa_id}/messages",
        headers=auth,
        json={
            "type": "image",
            "dataBase64": PNG_1X1,
            "mimeType": "image/png",
            "caption": "mi recibo",
        },
    )
    assert sent.status_code == 201, sent.text
    await _settle(app)
    ctx: AppContext = app.state.ctx
    async with ctx.db.unit_of_work(write=False) as session:
        message = (
            await session.execute(select(Message).where(Message.wamid == sent.json()["wamid"]))
        ).scalar_one()
    assert message.type == "image" and message.text == "mi recibo"
    assert message.payload["media_file"]["path"].endswith(".png"), message.payload
    served = await client.get(f"/api/messages/{message.id}/media", headers=auth)
    assert served.status_code == 200
    assert served.content == base64.b64decode(PNG_1X1)
    assert served.headers["content-type"] == "image/png"
    other = await register(client)
    assert (
        await client.get(f"/api/messages/{message.id}/media", headers=other.auth)
    ).status_code == 404
