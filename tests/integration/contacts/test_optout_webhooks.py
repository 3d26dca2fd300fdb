"""Opt-out through the real webhook path: a customer's STOP message, and Meta's
`user_preferences` webhook, both signed and processed by the worker like any other event."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient

from tests.integration.contacts.contact_helpers import create_contact
from tests.integration.flows.flow_helpers import open_chat, text_of
from tests.integration.inbox.inbox_helpers import contact_id_of
from tests.integration.whatsapp.webhook_helpers import connect_number, drain, post_signed

HELLO_FLOW = {
    "nodes": [
        {"id": "t", "type": "trigger", "position": {}, "data": {"keywords": ["hola"]}},
        {"id": "m", "type": "message", "position": {}, "data": {"text": "¡Hola! ¿Cómo va?"}},
    ],
    "edges": [{"id": "e1", "source": "t", "target": "m"}],
}


async def test_a_customer_writing_stop_is_opted_out_and_the_bot_stays_quiet(
    client: AsyncClient, app: FastAPI
) -> None:
    chat = await open_chat(app, client)
    # A default flow would answer anything; STOP must not reach it.
    await chat.create_flow(HELLO_FLOW, is_default=True)
    await chat.say("hola")
    assert [text_of(m) for m in chat.new_messages()] == ["¡Hola! ¿Cómo va?"]
    cid = await contact_id_of(chat)

    await chat.say("STOP")
    assert chat.new_messages() == []
    contact = (await client.get(f"/api/contacts/{cid}", headers=chat.owner.auth)).json()
    assert contact["opted_out"] is True
    # The message itself is in the thread for the agents.
    thread = (await client.get(f"/api/conversations/{cid}", headers=chat.owner.auth)).json()
    assert [m["text"] for m in thread["messages"]][-1] == "STOP"

    await chat.say("Start")
    assert chat.new_messages() == []
    contact = (await client.get(f"/api/contacts/{cid}", headers=chat.owner.auth)).json()
    assert contact["opted_out"] is False
    timeline = (await client.get(f"/api/contacts/{cid}/timeline", headers=chat.owner.auth)).json()
    opt_changes = [item for item in timeline["items"] if item["kind"] == "opt"]
    assert [(i["event"], i["source"]) for i in opt_changes] == [
        ("opt_in", "keyword"),
        ("opt_out", "keyword"),
    ]


def _preferences_body(phone_number_id: str, waba_id: str, wa_id: str, value: str) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": waba_id,
                "changes": [
                    {
                        "field": "user_preferences",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550001111",
                                "phone_number_id": phone_number_id,
                            },
                            "contacts": [{"profile": {"name": "Ana"}, "wa_id": wa_id}],
                            "user_preferences": [
                                {
                                    "wa_id": wa_id,
                                    "detail": "User requested to stop marketing messages",
                                    "category": "marketing_messages",
                                    "value": value,
                                    "timestamp": 1764300000,
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }


async def test_metas_marketing_preference_webhook_opts_the_contact_out_and_back_in(
    client: AsyncClient, app: FastAPI
) -> None:
    number = await connect_number(client)
    contact = await create_contact(client, number.owner, phone="+5491100000077")
    other = await create_contact(client, number.owner, phone="+5491100000078")

    body = _preferences_body(number.phone_number_id, number.waba_id, "5491100000077", "stop")
    assert (await post_signed(client, body)).status_code == 200
    await drain(app)
    fetched = await client.get(f"/api/contacts/{contact['id']}", headers=number.owner.auth)
    assert fetched.json()["opted_out"] is True
    untouched = await client.get(f"/api/contacts/{other['id']}", headers=number.owner.auth)
    assert untouched.json()["opted_out"] is False

    body = _preferences_body(number.phone_number_id, number.waba_id, "5491100000077", "resume")
    assert (await post_signed(client, body)).status_code == 200
    await drain(app)
    fetched = await client.get(f"/api/contacts/{contact['id']}", headers=number.owner.auth)
    assert fetched.json()["opted_out"] is False
