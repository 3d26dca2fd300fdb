"""Bot and human as one: an agent's message pauses the flow; "resume bot" continues it; the
24-hour window allows only templates once it closes."""

from __future__ import annotations

import copy
from datetime import timedelta

from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import update

from finnegans.config import Settings
from finnegans.context import AppContext
from finnegans.db.models import Conversation
from finnegans.kit.clock import travel, utcnow
from finnegans.main import create_app
from tests.integration.flows.flow_helpers import open_chat, settle, text_of
from tests.integration.flows.test_flow_runtime import QUESTIONS
from tests.integration.inbox.inbox_helpers import agent_says, contact_id_of, thread


async def test_an_agent_reply_pauses_the_flow_and_resume_continues_it(
    client: AsyncClient, app: FastAPI
) -> None:
    chat = await open_chat(app, client)
    await chat.create_flow(copy.deepcopy(QUESTIONS))
    await chat.say("pedido")
    assert [text_of(m) for m in chat.new_messages()] == ["¿Tu nombre?"]
    contact_id = await contact_id_of(chat)
    session = (await thread(chat, contact_id))["conversation"]["session"]
    assert session["waiting"] is True and session["node_id"] == "q1"

    await agent_says(chat, contact_id, "Hola, te ayudo yo mientras tanto")
    await settle(app)
    chat.new_messages()
    await chat.say("Ana")  # would answer the question, but an agent has the conversation
    assert chat.new_messages() == []
    detail = (await thread(chat, contact_id))["conversation"]
    assert detail["mode"] == "human" and detail["session"]["node_id"] == "q1"

    r = await client.post(f"/api/conversations/{contact_id}/resume", headers=chat.owner.auth)
    assert r.status_code == 200 and r.json()["conversation"]["mode"] == "bot"
    await chat.say("Ana")
    assert [text_of(m) for m in chat.new_messages()] == ["¿Tu email?"]


async def test_a_reply_timeout_waits_while_an_agent_has_the_conversation(
    client: AsyncClient, app: FastAPI
) -> None:
    flow = {
        "nodes": [
            {"id": "t", "type": "trigger", "position": {}, "data": {"keywords": ["hola"]}},
            {"id": "m", "type": "message", "position": {}, "data": {"text": "¿Seguís ahí?"}},
            {"id": "w", "type": "wait", "position": {},
             "data": {"variable": "x", "timeoutSeconds": 300}},
            {"id": "late", "type": "message", "position": {}, "data": {"text": "Te esperamos"}},
        ],
        "edges": [
            {"id": "a", "source": "t", "target": "m"},
            {"id": "c", "source": "m", "target": "w"},
            {"id": "b", "source": "w", "sourceHandle": "timeout", "target": "late"},
        ],
    }  # fmt: skip
    chat = await open_chat(app, client)
    created = await chat.create_flow(flow)
    assert created["status"] == "Active", created
    await chat.say("hola")
    chat.new_messages()
    contact_id = await contact_id_of(chat)
    await agent_says(chat, contact_id, "Te atiendo yo")
    await settle(app)
    chat.new_messages()
    with travel(timedelta(minutes=10)):
        await settle(app)
        assert chat.new_messages() == []  # the bot never speaks over the agent
    r = await client.post(f"/api/conversations/{contact_id}/resume", headers=chat.owner.auth)
    assert r.status_code == 200
    with travel(timedelta(minutes=12)):
        await settle(app)
        assert [text_of(m) for m in chat.new_messages()] == ["Te esperamos"]


async def test_outside_the_window_free_text_is_refused_and_a_template_goes(
    client: AsyncClient, app: FastAPI
) -> None:
    chat = await open_chat(app, client)
    await chat.say("hola")
    contact_id = await contact_id_of(chat)
    # The customer last wrote more than 24 hours ago (on both sides of the API).
    chat.emulator.close_window(chat.phone_number_id, chat.wa_id)
    ctx: AppContext = app.state.ctx
    async with ctx.db.unit_of_work() as session:
        await session.execute(
            update(Conversation)
            .where(Conversation.contact_id == contact_id)
            .values(window_expires_at=utcnow() - timedelta(hours=1))
        )
    url = f"/api/conversations/{contact_id}"
    r = await client.post(url, headers=chat.owner.auth, json={"text": "¿Seguís ahí?"})
    assert r.status_code == 422
    assert r.json()["code"] == "window_closed" and "template" in r.json()["error"]
    assert (await thread(chat, contact_id))["conversation"]["window_open"] is False
    await settle(app)
    assert chat.new_messages() == []
    r = await client.post(
        url,
        headers=chat.owner.auth,
        json={"type": "template", "template": {"name": "hello_world", "language": "en_US"}},
    )
    assert r.status_code == 201, r.text
    await settle(app)
    sent = chat.new_messages()
    assert [m["type"] for m in sent] == ["template"]
    assert sent[0]["template"]["name"] == "hello_world"
    outbound = [m for m in (await thread(chat, contact_id))["messages"]
                if m["direction"] == "outbound"]  # fmt: skip
    assert len(outbound) == 1 and outbound[0]["status"] in ("sent", "delivered", "read")


async def test_the_bot_takes_back_a_conversation_the_agent_left_idle(
    settings: Settings,
) -> None:
    idle_settings = settings.model_copy(update={"inbox_return_to_bot_minutes": 30})
    app = create_app(idle_settings)
    async with LifespanManager(app, startup_timeout=30, shutdown_timeout=30):
        async with AsyncClient(transport=ASGITransport(app=app), base_url="http://t") as client:
            chat = await open_chat(app, client)
            await chat.say("hola")
            contact_id = await contact_id_of(chat)
            await agent_says(chat, contact_id, "Te atiendo yo")
            await settle(app)
            with travel(timedelta(minutes=20)):
                await agent_says(chat, contact_id, "¿Algo más?")  # the agent is still here
                await settle(app)
            with travel(timedelta(minutes=35)):
                await settle(app)
                assert (await thread(chat, contact_id))["conversation"]["mode"] == "human"
            with travel(timedelta(minutes=51)):
                await settle(app)
                assert (await thread(chat, contact_id))["conversation"]["mode"] == "bot"
