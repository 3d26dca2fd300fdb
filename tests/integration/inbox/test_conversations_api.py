"""The conversations API against the emulator: list, thread, send, read, notes, tags, filters."""

from __future__ import annotations

from fastapi import FastAPI
from httpx import AsyncClient

from tests.helpers import join_as, register
from tests.integration.flows.flow_helpers import open_chat, settle, text_of
from tests.integration.inbox.inbox_helpers import agent_says, contact_id_of, thread


async def test_a_customer_message_shows_in_the_list_and_the_thread(
    client: AsyncClient, app: FastAPI
) -> None:
    chat = await open_chat(app, client)
    await chat.say("Hola, ¿tienen envío a Rosario?")
    r = await client.get("/api/conversations", headers=chat.owner.auth)
    [row] = r.json()["conversations"]
    assert row["contact_name"] == "Lucía"
    assert row["unread_count"] == 1
    assert row["last_message"] == "Hola, ¿tienen envío a Rosario?"
    assert row["status"] == "open" and row["mode"] == "bot" and row["window_open"] is True
    counts = (await client.get("/api/conversations/counts", headers=chat.owner.auth)).json()
    assert counts == {"open": 1, "pending": 0, "resolved": 0, "mine": 0, "unassigned": 1,
                      "unread": 1}  # fmt: skip
    body = await thread(chat, row["contact_id"])
    [message] = body["messages"]
    assert message["direction"] == "inbound" and message["text"].startswith("Hola")
    assert message["wamid"].startswith("wamid.")
    assert body["conversation"]["contact"]["wa_id"] == chat.wa_id
    assert body["has_more_before"] is False and body["has_more_after"] is False


async def test_an_agent_reply_reaches_the_customer_and_its_ticks_move_forward(
    client: AsyncClient, app: FastAPI
) -> None:
    chat = await open_chat(app, client)
    await chat.say("hola")
    contact_id = await contact_id_of(chat)
    sent = await agent_says(chat, contact_id, "Hola Lucía, soy Bea")
    assert sent["status"] == "pending" and sent["direction"] == "outbound"
    assert sent["sent_by"]["id"] == chat.owner.id
    await settle(app)
    assert [text_of(m) for m in chat.new_messages()] == ["Hola Lucía, soy Bea"]
    chat.emulator.customer_reads(chat.phone_number_id, chat.wa_id)
    await settle(app)
    messages = (await thread(chat, contact_id))["messages"]
    reply = next(m for m in messages if m["id"] == sent["id"])
    assert reply["status"] == "read" and reply["sent_at"] and reply["read_at"]
    conversation = (await thread(chat, contact_id))["conversation"]
    assert conversation["mode"] == "human"  # the agent spoke: the bot is paused
    assert conversation["assignee"]["id"] == chat.owner.id  # and took the free conversation
    assert conversation["last_message"] == "Hola Lucía, soy Bea"


async def test_the_original_body_with_type_still_works(client: AsyncClient, app: FastAPI) -> None:
    chat = await open_chat(app, client)
    await chat.say("hola")
    contact_id = await contact_id_of(chat)
    r = await client.post(f"/api/conversations/{contact_id}", headers=chat.owner.auth,
                          json={"text": "¡Buenas!", "type": "text"})  # fmt: skip
    assert r.status_code == 201, r.text
    await settle(app)
    assert [text_of(m) for m in chat.new_messages()] == ["¡Buenas!"]


async def test_mark_read_clears_unread_and_sends_the_read_receipt(
    client: AsyncClient, app: FastAPI
) -> None:
    chat = await open_chat(app, client)
    await chat.say("uno")
    await chat.say("dos")
    contact_id = await contact_id_of(chat)
    r = await client.post(f"/api/conversations/{contact_id}/read", headers=chat.owner.auth)
    assert r.status_code == 200 and r.json()["conversation"]["unread_count"] == 0
    await settle(app)
    inbound = [m for m in chat.emulator.conversation(chat.phone_number_id, chat.wa_id)
               if m.direction == "inbound"]  # fmt: skip
    assert len(inbound) == 2 and all(m.read_by_business for m in inbound)


async def test_notes_stay_private(client: AsyncClient, app: FastAPI) -> None:
    chat = await open_chat(app, client)
    await chat.say("hola")
    contact_id = await contact_id_of(chat)
    r = await client.post(f"/api/conversations/{contact_id}/notes", headers=chat.owner.auth,
                          json={"text": "Cliente VIP, ofrecer envío gratis"})  # fmt: skip
    assert r.status_code == 201, r.text
    assert r.json()["message"]["direction"] == "note"
    await settle(app)
    assert chat.new_messages() == []  # the customer never sees a note
    notes = [m for m in (await thread(chat, contact_id))["messages"] if m["direction"] == "note"]
    assert [n["text"] for n in notes] == ["Cliente VIP, ofrecer envío gratis"]
    blank = await client.post(f"/api/conversations/{contact_id}/notes", headers=chat.owner.auth,
                              json={"text": "   "})  # fmt: skip
    assert blank.status_code == 400


async def test_assign_resolve_reopen_and_filters(client: AsyncClient, app: FastAPI) -> None:
    chat = await open_chat(app, client)
    agent = await join_as(client, chat.owner, "agent")
    await chat.say("hola")
    contact_id = await contact_id_of(chat)
    url = f"/api/conversations/{contact_id}"
    r = await client.patch(url, headers=chat.owner.auth, json={"assignee_id": agent.id})
    assert r.status_code == 200 and r.json()["conversation"]["assignee"]["id"] == agent.id
    mine = await client.get("/api/conversations", headers=agent.auth, params={"assignee": "me"})
    assert [c["contact_id"] for c in mine.json()["conversations"]] == [contact_id]
    r = await client.patch(url, headers=agent.auth, json={"status": "resolved"})
    assert r.json()["conversation"]["status"] == "resolved"
    listed = await client.get("/api/conversations", headers=agent.auth,
                              params={"status": "open"})  # fmt: skip
    assert listed.json()["conversations"] == []
    r = await client.patch(url, headers=agent.auth, json={"assignee_id": None})
    assert r.json()["conversation"]["assignee"] is None
    await chat.say("¿siguen ahí?")  # a customer message reopens a resolved conversation
    listed = await client.get("/api/conversations", headers=agent.auth,
                              params={"status": "open", "unread": "true"})  # fmt: skip
    assert [c["contact_id"] for c in listed.json()["conversations"]] == [contact_id]
    stranger = await register(client)
    r = await client.patch(url, headers=chat.owner.auth, json={"assignee_id": stranger.id})
    assert r.status_code == 400 and "assignee_id" in r.json()["fields"]


async def test_tags_search_and_cursor_pages(client: AsyncClient, app: FastAPI) -> None:
    chat = await open_chat(app, client)
    contacts = []
    for n, text in enumerate(["quiero factura A", "consulta de envío", "hola"]):
        chat.wa_id = f"54911400000{n}"
        chat.emulator.add_customer(chat.wa_id, profile_name=f"Cliente {n}")
        await chat.say(text)
        contacts.append(await contact_id_of(chat))
    auth = chat.owner.auth
    first = (await client.get("/api/conversations", headers=auth, params={"limit": 2})).json()
    assert [c["contact_id"] for c in first["conversations"]] == contacts[::-1][:2]
    page_two = {"limit": 2, "cursor": first["next_cursor"]}
    second = (await client.get("/api/conversations", headers=auth, params=page_two)).json()
    assert [c["contact_id"] for c in second["conversations"]] == [contacts[0]]
    assert second["next_cursor"] is None
    found = (await client.get("/api/conversations", headers=auth, params={"q": "envío"})).json()
    assert [c["contact_id"] for c in found["conversations"]] == [contacts[1]]
    by_name = await client.get("/api/conversations", headers=auth, params={"q": "cliente 2"})
    assert [c["contact_id"] for c in by_name.json()["conversations"]] == [contacts[2]]
    r = await client.put(f"/api/conversations/{contacts[0]}/tags", headers=auth,
                         json={"tags": ["factura", "vip"]})  # fmt: skip
    assert r.status_code == 200 and r.json()["conversation"]["tags"] == ["factura", "vip"]
    r = await client.put(f"/api/conversations/{contacts[0]}/tags", headers=auth,
                         json={"tags": ["vip"]})  # fmt: skip
    assert r.json()["conversation"]["tags"] == ["vip"]
    tagged = (await client.get("/api/conversations", headers=auth, params={"tag": "vip"})).json()
    assert [c["contact_id"] for c in tagged["conversations"]] == [contacts[0]]
    bad = await client.get("/api/conversations", headers=auth, params={"cursor": "nonsense"})
    assert bad.status_code == 400


async def test_thread_pages_both_ways(client: AsyncClient, app: FastAPI) -> None:
    chat = await open_chat(app, client)
    for n in range(5):
        await chat.say(f"mensaje {n}")
    contact_id = await contact_id_of(chat)
    latest = await thread(chat, contact_id, limit=2)
    assert [m["text"] for m in latest["messages"]] == ["mensaje 3", "mensaje 4"]
    assert latest["has_more_before"] is True and latest["has_more_after"] is False
    older = await thread(chat, contact_id, limit=2, before=latest["messages"][0]["id"])
    assert [m["text"] for m in older["messages"]] == ["mensaje 1", "mensaje 2"]
    assert older["has_more_before"] is True and older["has_more_after"] is True
    newer = await thread(chat, contact_id, limit=3, after=older["messages"][0]["id"])
    assert [m["text"] for m in newer["messages"]] == ["mensaje 2", "mensaje 3", "mensaje 4"]
    assert newer["has_more_after"] is False
    r = await client.get(f"/api/conversations/{contact_id}", headers=chat.owner.auth,
                         params={"before": "0" * 32})  # fmt: skip
    assert r.status_code == 400


async def test_canned_responses(client: AsyncClient, app: FastAPI) -> None:
    owner = await register(client)
    agent = await join_as(client, owner, "agent")
    r = await client.post("/api/canned-responses", headers=owner.auth,
                          json={"shortcut": "/Envio", "text": "El envío tarda 48 h"})  # fmt: skip
    assert r.status_code == 201 and r.json()["canned_response"]["shortcut"] == "envio"
    again = await client.post("/api/canned-responses", headers=owner.auth,
                              json={"shortcut": "envio", "text": "otro"})  # fmt: skip
    assert again.status_code == 409
    bad = await client.post("/api/canned-responses", headers=owner.auth,
                            json={"shortcut": "con espacios", "text": "x"})  # fmt: skip
    assert bad.status_code == 400 and "shortcut" in bad.json()["fields"]
    denied = await client.post("/api/canned-responses", headers=agent.auth,
                               json={"shortcut": "hola", "text": "x"})  # fmt: skip
    assert denied.status_code == 403
    listed = await client.get("/api/canned-responses", headers=agent.auth)
    assert [c["shortcut"] for c in listed.json()["canned_responses"]] == ["envio"]
    canned_id = r.json()["canned_response"]["id"]
    outsider = await register(client)
    assert (await client.delete(f"/api/canned-responses/{canned_id}",
                                headers=outsider.auth)).status_code == 404  # fmt: skip
    assert (await client.delete(f"/api/canned-responses/{canned_id}",
                                headers=owner.auth)).status_code == 204  # fmt: skip
