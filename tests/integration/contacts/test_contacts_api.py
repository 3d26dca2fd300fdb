"""Contacts through the API: the original bodies, E.164 phones, duplicates, edits, deletion,
search, sorting and paging, and who may do what."""

from __future__ import annotations

from fastapi import FastAPI
from httpx import AsyncClient

from tests.helpers import join_as, register
from tests.integration.contacts.contact_helpers import count, create_contact, listed, names
from tests.integration.flows.flow_helpers import open_chat
from tests.integration.inbox.inbox_helpers import contact_id_of


async def test_the_original_body_creates_a_contact_in_e164_with_its_tags(
    client: AsyncClient,
) -> None:
    owner = await register(client)
    created = await create_contact(
        client,
        owner,
        phone="+54 9 11 2233-4455",
        name="Ana",
        notes="Prefiere tarde",
        tags=["vip", {"name": "lead"}, "vip"],
    )
    assert created["phone"] == "+5491122334455"
    assert created["wa_id"] == "5491122334455"
    assert (created["name"], created["notes"]) == ("Ana", "Prefiere tarde")
    assert created["tags"] == ["lead", "vip"]
    assert created["opted_out"] is False and created["attributes"] == {}

    shown = await client.get(f"/api/contacts/{created['id']}", headers=owner.auth)
    assert shown.status_code == 200 and shown.json() == created


async def test_a_number_without_country_code_needs_a_default_country(client: AsyncClient) -> None:
    owner = await register(client)
    r = await client.post("/api/contacts", headers=owner.auth, json={"phone": "612 345 678"})
    assert r.status_code == 422
    assert "country code" in r.json()["error"] and r.json()["fields"] == {
        "phone": "missing country code"
    }

    settings = await client.get("/api/contacts/settings", headers=owner.auth)
    assert settings.json()["default_country"] is None
    body = {**settings.json(), "default_country": "es"}
    saved = await client.put("/api/contacts/settings", headers=owner.auth, json=body)
    assert saved.status_code == 200 and saved.json()["default_country"] == "ES"
    created = await create_contact(client, owner, phone="612 345 678")
    assert created["phone"] == "+34612345678"

    for bad in ("hola", "+54 11", ""):
        r = await client.post("/api/contacts", headers=owner.auth, json={"phone": bad})
        assert r.status_code == 422, (bad, r.text)
        assert "phone" in r.json()["fields"]
    unknown = await client.put(
        "/api/contacts/settings", headers=owner.auth, json={**body, "default_country": "XX"}
    )
    assert unknown.status_code == 422 and "default_country" in unknown.json()["fields"]


async def test_a_duplicate_number_is_409_in_the_same_workspace_only(client: AsyncClient) -> None:
    owner = await register(client)
    first = await create_contact(client, owner, phone="+5491122334455", name="Ana")
    again = await client.post(
        "/api/contacts", headers=owner.auth, json={"phone": "+54 9 11 2233 4455"}
    )
    assert again.status_code == 409
    assert again.json()["contact_id"] == first["id"] and again.json()["fields"]["phone"]

    other = await register(client)
    elsewhere = await create_contact(client, other, phone="+5491122334455")
    assert elsewhere["id"] != first["id"]

    second = await create_contact(client, owner, phone="+5491100000002")
    moved = await client.put(
        f"/api/contacts/{second['id']}", headers=owner.auth, json={"phone": "+5491122334455"}
    )
    assert moved.status_code == 409
    assert (await count(client, owner)) == 2


async def test_put_replaces_tags_by_name_and_keeps_what_is_not_given(client: AsyncClient) -> None:
    owner = await register(client)
    contact = await create_contact(
        client, owner, phone="+5491122334455", name="Ana", notes="n", tags=["vip", "lead"]
    )
    url = f"/api/contacts/{contact['id']}"
    r = await client.put(url, headers=owner.auth, json={"tags": ["cliente", {"name": "vip"}]})
    assert r.status_code == 200, r.text
    assert r.json()["tags"] == ["cliente", "vip"]
    assert (r.json()["name"], r.json()["notes"]) == ("Ana", "n")
    assert r.json()["updated_at"] > contact["updated_at"]

    r = await client.put(url, headers=owner.auth, json={"name": "Ana María"})
    assert r.json()["tags"] == ["cliente", "vip"] and r.json()["name"] == "Ana María"
    r = await client.patch(url, headers=owner.auth, json={"notes": None, "tags": []})
    assert r.json()["notes"] is None and r.json()["tags"] == []
    # The tags still exist in the workspace's list, now on no one.
    tags = (await client.get("/api/tags", headers=owner.auth)).json()["tags"]
    assert {t["name"]: t["contact_count"] for t in tags} == {"cliente": 0, "lead": 0, "vip": 0}


async def test_delete_takes_the_messages_and_conversation_with_it(
    client: AsyncClient, app: FastAPI
) -> None:
    chat = await open_chat(app, client)
    await chat.say("hola")
    contact_id = await contact_id_of(chat)
    r = await client.delete(f"/api/contacts/{contact_id}", headers=chat.owner.auth)
    assert r.status_code == 204
    assert (
        await client.get(f"/api/contacts/{contact_id}", headers=chat.owner.auth)
    ).status_code == 404
    conversations = await client.get("/api/conversations", headers=chat.owner.auth)
    assert conversations.json()["conversations"] == []
    # The customer writing again is a new contact.
    await chat.say("hola de nuevo")
    assert (await contact_id_of(chat)) != contact_id


async def test_search_filters_and_sorting(client: AsyncClient) -> None:
    owner = await register(client)
    await create_contact(client, owner, phone="+5491100000001", name="Ángela", tags=["vip"])
    await create_contact(client, owner, phone="+5491100000002", name="bruno", tags=["vip", "b"])
    await create_contact(client, owner, phone="+34612345678", name="Carla")
    await create_contact(client, owner, phone="+5491100000004")

    assert await names(client, owner) == [None, "Carla", "bruno", "Ángela"]  # newest first
    assert await names(client, owner, q="carl") == ["Carla"]
    assert await names(client, owner, q="+34 612") == ["Carla"]  # digits find the wa_id
    assert await names(client, owner, q="Ca_la") == []  # LIKE wildcards are literal
    assert await names(client, owner, tag="vip") == ["bruno", "Ángela"]
    assert await names(client, owner, tag=["vip", "b"]) == ["bruno"]
    assert await count(client, owner, tag="vip") == 2
    by_name = await names(client, owner, sort="name")
    assert by_name.index("bruno") < by_name.index("Carla")
    assert await names(client, owner, sort="created", order="asc") == [
        "Ángela",
        "bruno",
        "Carla",
        None,
    ]


async def test_every_page_follows_the_last_without_gaps_or_repeats(client: AsyncClient) -> None:
    owner = await register(client)
    for i in range(7):
        await create_contact(client, owner, phone=f"+54911000000{i:02d}", name=f"Cliente {i % 3}")
    for sort in ("updated", "created", "last_activity", "name"):
        for order in ("asc", "desc"):
            seen = await listed(client, owner, sort=sort, order=order, limit=2)
            assert len(seen) == 7 and len({c["id"] for c in seen}) == 7, (sort, order)
    everyone = await listed(client, owner, sort="name", limit=3)
    assert [c["name"] for c in everyone] == sorted(c["name"] for c in everyone)

    r = await client.get("/api/contacts", headers=owner.auth, params={"limit": 2})
    cursor = r.json()["next_cursor"]
    wrong = await client.get(
        "/api/contacts", headers=owner.auth, params={"cursor": cursor, "sort": "name"}
    )
    assert wrong.status_code == 400 and "cursor" in wrong.json()["fields"]
    junk = await client.get("/api/contacts", headers=owner.auth, params={"cursor": "abc"})
    assert junk.status_code == 400 and "cursor" in junk.json()["fields"]


async def test_agents_edit_contacts_but_admins_manage_settings_and_bulk_delete(
    client: AsyncClient,
) -> None:
    owner = await register(client)
    agent = await join_as(client, owner, "agent")
    contact = await create_contact(client, agent, phone="+5491122334455", name="Ana")
    r = await client.patch(
        f"/api/contacts/{contact['id']}", headers=agent.auth, json={"tags": ["vip"]}
    )
    assert r.status_code == 200 and r.json()["tags"] == ["vip"]

    settings = (await client.get("/api/contacts/settings", headers=agent.auth)).json()
    assert (
        await client.put("/api/contacts/settings", headers=agent.auth, json=settings)
    ).status_code == 403
    definition = {"key": "age", "type": "number"}
    assert (
        await client.post("/api/contact-attributes", headers=agent.auth, json=definition)
    ).status_code == 403
    bulk = {"ids": [contact["id"]], "action": "delete"}
    assert (
        await client.post("/api/contacts/bulk", headers=agent.auth, json=bulk)
    ).status_code == 403
    tagged = await client.post(
        "/api/contacts/bulk",
        headers=agent.auth,
        json={"ids": [contact["id"]], "action": "add_tags", "tags": ["lead"]},
    )
    assert tagged.status_code == 200 and tagged.json() == {"action": "add_tags", "matched": 1}
    assert (
        await client.delete(f"/api/contacts/{contact['id']}", headers=agent.auth)
    ).status_code == 204


async def test_bad_input_is_a_4xx_with_a_message_and_writes_nothing(client: AsyncClient) -> None:
    owner = await register(client)
    bad_bodies = [
        {"phone": "+5491122334455", "tags": ["x" * 65]},
        {"phone": "+5491122334455", "tags": [{"nombre": "vip"}]},
        {"phone": "+5491122334455", "tags": "vip"},
        {"phone": "+5491122334455", "attributes": {"bad key": "x"}},
        {"phone": "+5491122334455", "attributes": {"ok": {"nested": 1}}},
        {"phone": "+5491122334455", "name": "a\u0000b"},
        {"phone": 5491122334455},
        {"name": "no phone"},
    ]
    for body in bad_bodies:
        r = await client.post("/api/contacts", headers=owner.auth, json=body)
        assert 400 <= r.status_code < 500, (body, r.status_code, r.text)
        assert r.json()["error"], body
    assert await count(client, owner) == 0
    assert (await client.get("/api/tags", headers=owner.auth)).json() == {"tags": []}
    for params in (
        {"limit": 0},
        {"sort": "phone"},
        {"opted_out": "maybe"},
        {"last_activity_after": "yesterday"},
        {"attr": "age"},
        {"segment": "nope"},
    ):
        r = await client.get("/api/contacts", headers=owner.auth, params=params)
        assert r.status_code in (400, 422), (params, r.text)
    missing = await client.get("/api/contacts/" + "0" * 32, headers=owner.auth)
    assert missing.status_code == 404 and missing.json()["error"]
