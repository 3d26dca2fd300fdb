"""The builder's simulator (the real engine, no WhatsApp traffic) and per-node analytics."""

from __future__ import annotations

from fastapi import FastAPI
from httpx import AsyncClient

from tests.helpers import register
from tests.integration.flows.flow_helpers import open_chat, original, text_of
from tests.integration.flows.test_flow_runtime import QUESTIONS, connected_default


async def test_simulator_chats_with_the_draft(client: AsyncClient, app: FastAPI) -> None:
    owner = await register(client)
    created = await client.post(
        "/api/flows",
        headers=owner.auth,
        json={"name": "Menu", "definition": original("original_default.json")},
    )
    flow_id = created.json()["id"]
    url = f"/api/flows/{flow_id}/simulate"

    first = await client.post(url, headers=owner.auth, json={"text": "hola"})
    assert first.status_code == 200, first.text
    body = first.json()
    assert [text_of(m["payload"]) for m in body["messages"]] == [
        "Bienvenido! ¿Cómo puedo ayudarte?", "Elegí una opción:",
    ]  # fmt: skip
    assert body["path"] == ["n1", "n2", "n3"]
    assert (body["status"], body["node_id"]) == ("waiting_input", "n3")
    simulation_id = body["simulation_id"]

    # Typed "1" picks the first option; opt-0 leads to the end node.
    second = await client.post(
        url, headers=owner.auth, json={"simulation_id": simulation_id, "text": "1"}
    )
    assert second.json()["status"] == "completed"
    assert second.json()["path"] == ["n4"]
    assert second.json()["variables"]["lastSelectedOption"] == "Soporte"

    restarted = await client.post(
        url, headers=owner.auth,
        json={"simulation_id": simulation_id, "reset": True, "text": "Hola"},
    )  # fmt: skip
    assert restarted.json()["node_id"] == "n3"
    # An unconnected option in a draft: the session ends there instead of stalling forever.
    stuck = await client.post(
        url, headers=owner.auth, json={"simulation_id": simulation_id, "reply_id": "opt-1",
                                       "text": "Ventas"},
    )  # fmt: skip
    assert stuck.json()["status"] in ("completed", "errored")

    # Nothing reached WhatsApp and nothing was stored as a real conversation.
    other = await register(client)
    foreign = await client.post(
        url, headers=other.auth, json={"simulation_id": simulation_id, "text": "hola"}
    )
    assert foreign.status_code == 404
    missing = await client.post(url, headers=owner.auth, json={"simulation_id": "nope"})
    assert missing.status_code == 404


async def test_simulator_runs_questions_with_variables(client: AsyncClient) -> None:
    owner = await register(client)
    created = await client.post(
        "/api/flows", headers=owner.auth, json={"name": "Q", "definition": QUESTIONS}
    )
    url = f"/api/flows/{created.json()['id']}/simulate"
    sim = (await client.post(url, headers=owner.auth, json={"text": "pedido"})).json()
    for answer in ("Ana", "ana@example.com"):
        sim = (
            await client.post(
                url,
                headers=owner.auth,
                json={"simulation_id": sim["simulation_id"], "text": answer},
            )
        ).json()
    assert sim["variables"]["name"] == "Ana"
    assert sim["variables"]["email"] == "ana@example.com"
    assert text_of(sim["messages"][-1]["payload"]) == "Gracias Ana, te escribimos a ana@example.com"


async def test_analytics_count_sessions_per_node(client: AsyncClient, app: FastAPI) -> None:
    chat = await open_chat(app, client)
    flow = await chat.create_flow(connected_default(), trigger="Hola")
    await chat.say("hola")
    other = await open_chat(app, client, chat.owner)
    await other.say("hola")
    await other.tap("opt-2")

    stats = await client.get(f"/api/flows/{flow['id']}/analytics", headers=chat.owner.auth)
    assert stats.status_code == 200
    body = stats.json()
    assert body["sessions"] == 2
    nodes = body["nodes"]
    assert nodes["n1"]["reached"] == nodes["n2"]["reached"] == nodes["n3"]["reached"] == 2
    assert nodes["n3"]["stopped"] == 1  # the first customer still has the menu open
    assert nodes["n4"] == {"reached": 1, "stopped": 1}
