"""Flows running live: inbound webhooks through the emulator, the engine, the outbox, replies."""

from __future__ import annotations

import asyncio
import copy
from datetime import timedelta
from typing import Any

from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import select

from finnegans.config import Settings
from finnegans.context import AppContext
from finnegans.db.models import Conversation, FlowSession, Message, Task
from finnegans.kit.clock import travel
from finnegans.main import create_app
from tests.integration.flows.flow_helpers import Chat, open_chat, original, settle, text_of


def connected_default() -> dict[str, Any]:
    """The original default flow with its two unconnected options wired to the end node."""
    definition = original("original_default.json")
    for handle in ("opt-1", "opt-2"):
        definition["edges"].append(
            {"id": f"e-{handle}", "source": "n3", "sourceHandle": handle, "target": "n4"}
        )
    return definition


async def sessions_of(app: FastAPI, chat: Chat) -> list[FlowSession]:
    ctx: AppContext = app.state.ctx
    async with ctx.db.unit_of_work(write=False) as session:
        rows = await session.execute(
            select(FlowSession)
            .where(FlowSession.workspace_id == chat.owner.workspace_id)
            .order_by(FlowSession.started_at)
        )
        return list(rows.scalars())


async def test_original_default_flow_runs_end_to_end(client: AsyncClient, app: FastAPI) -> None:
    chat = await open_chat(app, client)
    await chat.create_flow(connected_default(), trigger="Hola")

    await chat.say("¡Hola!")
    sent = chat.new_messages()
    assert [text_of(m) for m in sent] == ["Bienvenido! ¿Cómo puedo ayudarte?", "Elegí una opción:"]
    buttons = sent[1]["interactive"]["action"]["buttons"]
    assert [(b["reply"]["id"], b["reply"]["title"]) for b in buttons] == [
        ("opt-0", "Soporte"), ("opt-1", "Ventas"), ("opt-2", "Información"),
    ]  # fmt: skip

    await chat.tap("opt-1")
    assert chat.new_messages() == []  # the end node sends nothing
    [flow_session] = await sessions_of(app, chat)
    assert flow_session.status == "completed"
    assert flow_session.current_node_id == "n4"
    assert flow_session.variables.get("lastSelectedOption") == "Ventas"

    # Every message the flow sent is stored, sent, and linked to the session.
    ctx: AppContext = app.state.ctx
    async with ctx.db.unit_of_work(write=False) as session:
        outbound = (
            (
                await session.execute(
                    select(Message).where(
                        Message.workspace_id == chat.owner.workspace_id,
                        Message.direction == "outbound",
                    )
                )
            )
            .scalars()
            .all()
        )
    assert len(outbound) == 2
    assert {m.session_id for m in outbound} == {flow_session.id}
    assert all(m.wamid and m.status in ("sent", "delivered", "read") for m in outbound)

    # A keyword inside another word does not start the flow (the original's substring bug).
    await chat.say("cholado")
    assert chat.new_messages() == []


async def test_every_original_node_type_runs_as_intended(client: AsyncClient, app: FastAPI) -> None:
    owner_chat = await open_chat(app, client)
    await owner_chat.create_flow(original("original_all_nodes.json"), trigger="hola")

    async def start(chat: Chat) -> list[dict[str, Any]]:
        await chat.say("hola")
        first = chat.new_messages()
        assert [text_of(m) for m in first] == ["¡Hola! Bienvenido a la tienda."]
        # The delay node holds the flow for a second, durably (a timer task, not a sleep).
        with travel(timedelta(seconds=2)):
            await settle(app)
        return chat.new_messages()

    menu = await start(owner_chat)
    assert [text_of(m) for m in menu] == ["¿En qué te ayudo, hola?"]

    # Ventas → media → WhatsApp Flow node → end.
    await owner_chat.tap("opt-1")
    sent = owner_chat.new_messages()
    assert sent[0]["type"] == "image"
    assert sent[0]["image"] == {"link": "https://example.test/catalogo.jpg",
                                "caption": "Nuestro catálogo"}  # fmt: skip
    assert "Completá tus datos para el pedido" in str(sent[1:])

    # Horario → goto n13 → its message → end.
    second = await open_chat(app, client, owner_chat.owner)
    await start(second)
    await second.tap("opt-2")
    assert [text_of(m) for m in second.new_messages()] == ["Atendemos de 9 a 18 h."]

    # Anything else → no-match branch.
    third = await open_chat(app, client, owner_chat.owner)
    await start(third)
    await third.say("quiero hablar con alguien")
    assert [text_of(m) for m in third.new_messages()] == ["No entendí tu respuesta."]

    # Soporte → API call (its failure is stored, the flow goes on) → handoff: the bot goes quiet.
    fourth = await open_chat(app, client, owner_chat.owner)
    await start(fourth)
    await fourth.tap("opt-0")
    assert fourth.new_messages() == []
    ctx: AppContext = app.state.ctx
    async with ctx.db.unit_of_work(write=False) as session:
        conversation = (
            await session.execute(
                select(Conversation).where(
                    Conversation.workspace_id == owner_chat.owner.workspace_id,
                    Conversation.mode == "human",
                )
            )
        ).scalar_one()
        handed = (
            await session.execute(
                select(FlowSession).where(
                    FlowSession.contact_id == conversation.contact_id,
                    FlowSession.status == "handed_off",
                )
            )
        ).scalar_one()
    assert handed.current_node_id == "n8"
    assert "ticket" in handed.variables
    await fourth.say("hola")  # even a trigger keyword: an agent has the conversation now
    assert fourth.new_messages() == []


QUESTIONS: dict[str, Any] = {
    "nodes": [
        {"id": "t", "type": "trigger", "position": {}, "data": {"keywords": ["pedido"]}},
        {"id": "q1", "type": "question", "position": {},
         "data": {"text": "¿Tu nombre?", "variable": "name"}},
        {"id": "q2", "type": "question", "position": {},
         "data": {"text": "¿Tu email?", "variable": "email", "validation": "email",
                  "retryText": "Ese email no parece válido", "maxAttempts": 2}},
        {"id": "ok", "type": "message", "position": {},
         "data": {"text": "Gracias {{name}}, te escribimos a {{email}}"}},
        {"id": "bad", "type": "message", "position": {},
         "data": {"text": "Lo siento {{name}}, seguimos por otro medio"}},
    ],
    "edges": [
        {"id": "a", "source": "t", "target": "q1"},
        {"id": "b", "source": "q1", "target": "q2"},
        {"id": "c", "source": "q1", "sourceHandle": "fallback", "target": "bad"},
        {"id": "d", "source": "q2", "target": "ok"},
        {"id": "e", "source": "q2", "sourceHandle": "fallback", "target": "bad"},
    ],
}  # fmt: skip


async def test_two_messages_together_are_handled_in_order(
    client: AsyncClient, app: FastAPI
) -> None:
    chat = await open_chat(app, client)
    await chat.create_flow(copy.deepcopy(QUESTIONS))
    await chat.say("Pedido")
    assert [text_of(m) for m in chat.new_messages()] == ["¿Tu nombre?"]
    # Both answers arrive before the bot has even read the first one.
    await chat.say("Ana", settle_after=False)
    await chat.say("ana@example.com", settle_after=False)
    await settle(app)
    assert [text_of(m) for m in chat.new_messages()] == [
        "¿Tu email?",
        "Gracias Ana, te escribimos a ana@example.com",
    ]


async def test_question_reprompts_then_takes_the_fallback(
    client: AsyncClient, app: FastAPI
) -> None:
    chat = await open_chat(app, client)
    await chat.create_flow(copy.deepcopy(QUESTIONS))
    await chat.say("pedido")
    await chat.say("Ana")
    await chat.say("no tengo")
    await chat.say("tampoco")
    assert [text_of(m) for m in chat.new_messages()] == [
        "¿Tu nombre?", "¿Tu email?", "Ese email no parece válido",
        "Lo siento Ana, seguimos por otro medio",
    ]  # fmt: skip


async def test_trigger_api_starts_a_flow_with_variables(client: AsyncClient, app: FastAPI) -> None:
    chat = await open_chat(app, client)
    definition = {
        "nodes": [
            {"id": "t", "type": "trigger", "position": {}, "data": {"keywords": ["aviso"]}},
            {"id": "m", "type": "message", "position": {},
             "data": {"text": "Hola {{contact.name}}, tu pedido {{order}} está listo"}},
        ],
        "edges": [{"id": "a", "source": "t", "target": "m"}],
    }  # fmt: skip
    flow = await chat.create_flow(definition)
    await chat.say("buenas")  # opens the 24-hour window; matches no flow
    assert chat.new_messages() == []
    r = await client.post(
        f"/api/flows/{flow['id']}/trigger",
        headers=chat.owner.auth,
        json={"phone": f"+{chat.wa_id}", "variables": {"order": "A-42"}},
    )
    assert r.status_code == 200, r.text
    await settle(app)
    assert [text_of(m) for m in chat.new_messages()] == ["Hola Lucía, tu pedido A-42 está listo"]

    bad = await client.post(
        f"/api/flows/{flow['id']}/trigger", headers=chat.owner.auth, json={"phone": "12ab"}
    )
    assert bad.status_code == 400
    draft = await client.post(
        "/api/flows", headers=chat.owner.auth, json={"name": "Draft", "definition": definition}
    )
    inactive = await client.post(
        f"/api/flows/{draft.json()['id']}/trigger",
        headers=chat.owner.auth,
        json={"phone": chat.wa_id},
    )
    assert inactive.status_code == 409


DELAYED: dict[str, Any] = {
    "nodes": [
        {"id": "t", "type": "trigger", "position": {}, "data": {"keywords": ["recordar"]}},
        {"id": "m1", "type": "message", "position": {},
         "data": {"text": "Te escribo en dos días"}},
        {"id": "d", "type": "delay", "position": {}, "data": {"seconds": 2 * 24 * 3600}},
        {"id": "m2", "type": "message", "position": {}, "data": {"text": "¡Pasaron dos días!"}},
    ],
    "edges": [
        {"id": "a", "source": "t", "target": "m1"},
        {"id": "b", "source": "m1", "target": "d"},
        {"id": "c", "source": "d", "target": "m2"},
    ],
}  # fmt: skip


async def test_two_day_delay_survives_a_restart_and_fires_once(settings: Settings) -> None:
    first = create_app(settings)
    async with LifespanManager(first):
        transport = ASGITransport(app=first)
        async with AsyncClient(transport=transport, base_url="http://testserver") as client:
            chat = await open_chat(first, client)
            await chat.create_flow(copy.deepcopy(DELAYED))
            await chat.say("recordar")
            assert [text_of(m) for m in chat.new_messages()] == ["Te escribo en dos días"]
            workspace_id = chat.owner.workspace_id

    # A new process on the same database, two days and a minute later.
    second = create_app(settings)
    async with LifespanManager(second):
        ctx: AppContext = second.state.ctx
        with travel(timedelta(days=2, minutes=1)):
            await settle(second)
            await asyncio.sleep(0.6)  # a poll of the background runner, too
            await settle(second)
        async with ctx.db.unit_of_work(write=False) as session:
            after_delay = (
                (
                    await session.execute(
                        select(Message).where(
                            Message.workspace_id == workspace_id,
                            Message.text == "¡Pasaron dos días!",
                        )
                    )
                )
                .scalars()
                .all()
            )
            timers = (
                (
                    await session.execute(
                        select(Task.state).where(
                            Task.workspace_id == workspace_id, Task.kind == "timer"
                        )
                    )
                )
                .scalars()
                .all()
            )
    assert len(after_delay) == 1
    # Two days after the customer wrote, WhatsApp's 24-hour window is closed: only templates.
    assert after_delay[0].status == "failed"
    assert after_delay[0].error_code == 131047
    assert timers == ["done"]
