"""Opt-out by keyword, by Meta's marketing preference and by an agent, always audited; and the
contact's timeline (and the original's activity feed) showing messages, flows and opt changes.

`apply_inbound_optout` is called here the way the webhook processor calls it: in a unit of work,
with the stored contact and the message text (test_optout_webhooks.py goes through /webhook).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select

from finnegans.contacts.optout import apply_inbound_optout, apply_user_preferences
from finnegans.context import AppContext
from finnegans.db.models import Contact, ContactOptEvent
from tests.helpers import User, register
from tests.integration.contacts.contact_helpers import create_contact
from tests.integration.flows.flow_helpers import open_chat
from tests.integration.inbox.inbox_helpers import contact_id_of

HELLO_FLOW = {
    "nodes": [
        {"id": "t", "type": "trigger", "position": {}, "data": {"keywords": ["hola"]}},
        {"id": "m", "type": "message", "position": {}, "data": {"text": "¡Hola! ¿Cómo va?"}},
    ],
    "edges": [{"id": "e1", "source": "t", "target": "m"}],
}


async def _inbound(app: FastAPI, contact_id: str, text: str) -> bool:
    ctx: AppContext = app.state.ctx
    async with ctx.db.unit_of_work() as session:
        contact = (
            await session.execute(select(Contact).where(Contact.id == contact_id))
        ).scalar_one()
        return await apply_inbound_optout(session, contact, text)


async def _audit(app: FastAPI, contact_id: str) -> list[tuple[str, str, str | None]]:
    ctx: AppContext = app.state.ctx
    async with ctx.db.unit_of_work() as session:
        rows = await session.execute(
            select(ContactOptEvent.action, ContactOptEvent.source, ContactOptEvent.detail)
            .where(ContactOptEvent.contact_id == contact_id)
            .order_by(ContactOptEvent.created_at)
        )
        return [(a, s, d) for a, s, d in rows]


async def _state(client: AsyncClient, user: User, contact_id: str) -> dict[str, Any]:
    r = await client.get(f"/api/contacts/{contact_id}", headers=user.auth)
    body: dict[str, Any] = r.json()
    return body


async def test_keywords_opt_out_and_back_in_matching_the_whole_message(
    client: AsyncClient, app: FastAPI
) -> None:
    owner = await register(client)
    contact = await create_contact(client, owner, phone="+5491100000001")
    cid = contact["id"]

    assert await _inbound(app, cid, "quiero darme de baja de la promo") is False
    assert await _inbound(app, cid, "hola") is False
    assert (await _state(client, owner, cid))["opted_out"] is False

    assert await _inbound(app, cid, "  Bája! ") is True
    state = await _state(client, owner, cid)
    assert state["opted_out"] is True and state["opted_out_at"] is not None
    assert await _inbound(app, cid, "STOP") is True  # still a keyword; no second audit row
    assert await _inbound(app, cid, "start") is True
    assert (await _state(client, owner, cid))["opted_out"] is False
    assert await _audit(app, cid) == [
        ("opt_out", "keyword", "BAJA"),
        ("opt_in", "keyword", "START"),
    ]

    # The workspace's own keywords replace the defaults.
    settings = (await client.get("/api/contacts/settings", headers=owner.auth)).json()
    assert "STOP" in settings["opt_out_keywords"] and "ALTA" in settings["opt_in_keywords"]
    r = await client.put(
        "/api/contacts/settings",
        headers=owner.auth,
        json={
            "default_country": None,
            "opt_out_keywords": ["Chau  chau"],
            "opt_in_keywords": ["volví"],
        },
    )
    assert r.status_code == 200 and r.json()["opt_out_keywords"] == ["Chau chau"]
    assert await _inbound(app, cid, "STOP") is False
    assert await _inbound(app, cid, "CHAU CHAU.") is True
    assert await _inbound(app, cid, "Volvi") is True
    assert [a for a, _, _ in await _audit(app, cid)] == ["opt_out", "opt_in", "opt_out", "opt_in"]


async def test_meta_marketing_preference_and_agents_change_it_with_an_audit(
    client: AsyncClient, app: FastAPI
) -> None:
    owner = await register(client)
    contact = await create_contact(client, owner, phone="+5491100000001")
    cid = contact["id"]
    value = {
        "messaging_product": "whatsapp",
        "contacts": [{"profile": {"name": "Ana"}, "wa_id": "5491100000001"}],
        "user_preferences": [
            {
                "wa_id": "5491100000001",
                "detail": "User requested to stop marketing messages",
                "category": "marketing_messages",
                "value": "stop",
                "timestamp": 1764300000,
            },
            {
                "wa_id": "5491199999999",
                "category": "marketing_messages",
                "value": "stop",
                "timestamp": 1764300000,
            },
        ],
    }
    ctx: AppContext = app.state.ctx
    async with ctx.db.unit_of_work() as session:
        assert await apply_user_preferences(session, owner.workspace_id, value) == 1
    state = await _state(client, owner, cid)
    assert state["opted_out"] is True and state["opted_out_at"].startswith("2025-11-28")
    # Another workspace's contact with the same number is not touched.
    other = await register(client)
    theirs = await create_contact(client, other, phone="+5491100000001")
    assert (await _state(client, other, theirs["id"]))["opted_out"] is False

    r = await client.patch(f"/api/contacts/{cid}", headers=owner.auth, json={"opted_out": False})
    assert r.status_code == 200 and r.json()["opted_out"] is False
    assert await _audit(app, cid) == [
        ("opt_out", "meta_marketing_preference", "stop: User requested to stop marketing messages"),
        ("opt_in", "agent", None),
    ]
    key = await client.post("/api/api-keys", headers=owner.auth, json={"name": "script"})
    api = {"Authorization": f"Bearer {key.json()['key']}"}
    r = await client.patch(f"/api/contacts/{cid}", headers=api, json={"opted_out": True})
    assert r.status_code == 200, r.text
    assert (await _audit(app, cid))[-1] == ("opt_out", "api", None)


async def test_the_timeline_shows_messages_flows_and_opt_changes_newest_first(
    client: AsyncClient, app: FastAPI
) -> None:
    chat = await open_chat(app, client)
    await chat.create_flow(HELLO_FLOW, trigger="hola")
    await chat.say("hola")
    cid = await contact_id_of(chat)
    await _inbound(app, cid, "BAJA")
    await client.patch(f"/api/contacts/{cid}", headers=chat.owner.auth, json={"opted_out": False})

    r = await client.get(f"/api/contacts/{cid}/timeline", headers=chat.owner.auth)
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    kinds = [(i["kind"], i["event"]) for i in items]
    assert kinds[:2] == [("opt", "opt_in"), ("opt", "opt_out")]
    assert ("message", "inbound") in kinds and ("message", "outbound") in kinds
    assert ("flow", "started") in kinds
    inbound = next(i for i in items if i["event"] == "inbound")
    outbound = next(i for i in items if i["event"] == "outbound")
    assert inbound["text"] == "hola" and outbound["text"] == "¡Hola! ¿Cómo va?"
    assert outbound["flow_name"] == "Flow"
    assert [i["at"] for i in items] == sorted((i["at"] for i in items), reverse=True)

    paged: list[dict[str, Any]] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (
            await client.get(
                f"/api/contacts/{cid}/timeline", headers=chat.owner.auth, params=params
            )
        ).json()
        paged += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert [i["id"] for i in paged] == [i["id"] for i in items]

    # The original system's activity feed, camelCase, from the same events.
    r = await client.get(
        f"/api/contacts/{cid}/activity", headers=chat.owner.auth, params={"limit": 500}
    )
    assert r.status_code == 200
    activity = r.json()
    assert set(activity) == {"items", "nextCursor"}
    row = next(i for i in activity["items"] if i["messagePreview"] == "hola")
    assert row["direction"] == "inbound" and row["status"] == "Received"
    assert set(row) == {
        "id",
        "createdAt",
        "status",
        "direction",
        "channel",
        "flowName",
        "messagePreview",
        "metadata",
    }
    opt = activity["items"][0]
    assert opt["direction"] == "system" and {"key": "source", "value": "agent"} in opt["metadata"]
    bad = await client.get(
        f"/api/contacts/{cid}/timeline", headers=chat.owner.auth, params={"cursor": "nope"}
    )
    assert bad.status_code == 400


async def test_inbox_tags_go_through_the_same_helper(client: AsyncClient, app: FastAPI) -> None:
    chat = await open_chat(app, client)
    await chat.say("hola")
    cid = await contact_id_of(chat)
    r = await client.put(
        f"/api/conversations/{cid}/tags", headers=chat.owner.auth, json={"tags": ["vip", "lead"]}
    )
    assert r.status_code == 200 and r.json()["conversation"]["tags"] == ["lead", "vip"]
    contact = await _state(client, chat.owner, cid)
    assert contact["tags"] == ["lead", "vip"] and contact["phone"] == f"+{chat.wa_id}"
    await client.put(f"/api/contacts/{cid}", headers=chat.owner.auth, json={"tags": ["vip"]})
    conversation = (await client.get(f"/api/conversations/{cid}", headers=chat.owner.auth)).json()
    assert conversation["conversation"]["tags"] == ["vip"]
