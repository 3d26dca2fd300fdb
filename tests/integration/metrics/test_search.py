"""GET /api/search: each kind is found, by each field, and never across workspaces."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from tests.helpers import User, register
from tests.integration.metrics.seed import Seeder


async def search(client: AsyncClient, user: User, q: str) -> dict[str, Any]:
    r = await client.get("/api/search", headers=user.auth, params={"q": q})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def labels(body: dict[str, Any], kind: str) -> list[str]:
    return [hit["label"] for hit in body[kind]]


async def seed(app: FastAPI, user: User, prefix: str) -> dict[str, str]:
    s = Seeder(user.workspace_id)
    ana = s.contact(f"{prefix} Ana Pérez", "+573001234567")
    s.contact(f"{prefix} Bruno", "+573009999999")
    conv = s.conversation(ana, "open", preview=f"{prefix} where is my parcel?")
    flow, _ = s.flow(f"{prefix} Welcome flow")
    broadcast = s.broadcast(f"{prefix} Black Friday offer")
    await s.flush(app.state.ctx.db)
    return {"contact": ana, "conversation": conv, "flow": flow, "broadcast": broadcast}


async def test_each_kind_is_found_with_its_path(app: FastAPI, client: AsyncClient) -> None:
    owner = await register(client)
    ids = await seed(app, owner, "Mine")

    flows = await search(client, owner, "welcome")
    assert flows["flows"] == [
        {
            "kind": "flow",
            "id": ids["flow"],
            "label": "Mine Welcome flow",
            "secondary": "Active",
            "path": f"/flows/{ids['flow']}",
        }
    ]

    by_name = await search(client, owner, "ana pé")
    assert by_name["contacts"][0] == {
        "kind": "contact",
        "id": ids["contact"],
        "label": "Mine Ana Pérez",
        "secondary": "+573001234567",
        "path": f"/inbox/{ids['contact']}",
    }
    assert labels(by_name, "conversations") == ["Mine Ana Pérez"]  # by its contact's name

    by_phone = await search(client, owner, "1234567")
    assert labels(by_phone, "contacts") == ["Mine Ana Pérez"]

    by_text = await search(client, owner, "PARCEL")
    assert by_text["contacts"] == []
    assert by_text["conversations"] == [
        {
            "kind": "conversation",
            "id": ids["conversation"],
            "label": "Mine Ana Pérez",
            "secondary": "Mine where is my parcel?",
            "path": f"/inbox/{ids['contact']}",
        }
    ]

    offers = await search(client, owner, "friday")
    assert labels(offers, "broadcasts") == ["Mine Black Friday offer"]
    assert offers["broadcasts"][0]["path"] == f"/broadcasts?id={ids['broadcast']}"

    everything = await search(client, owner, "mine")
    assert [len(everything[k]) for k in ("flows", "contacts", "conversations", "broadcasts")] == [
        1,
        2,
        1,
        1,
    ]


async def test_wildcards_are_literal_and_results_are_capped(
    app: FastAPI, client: AsyncClient
) -> None:
    owner = await register(client)
    s = Seeder(owner.workspace_id)
    for i in range(8):
        s.contact(f"Clone {i}", f"+57300000000{i}")
    await s.flush(app.state.ctx.db)
    assert len((await search(client, owner, "clone"))["contacts"]) == 5
    assert (await search(client, owner, "%%"))["contacts"] == []
    assert (await search(client, owner, "__"))["contacts"] == []


async def test_another_workspace_is_never_returned(app: FastAPI, client: AsyncClient) -> None:
    owner = await register(client)
    other = await register(client)
    await seed(app, owner, "Alpha")
    await seed(app, other, "Omega")
    mine = await search(client, owner, "ana")  # both workspaces have an "Ana"
    assert labels(mine, "contacts") == ["Alpha Ana Pérez"]
    assert labels(mine, "conversations") == ["Alpha Ana Pérez"]
    theirs = await search(client, owner, "omega")
    assert [theirs[k] for k in ("flows", "contacts", "conversations", "broadcasts")] == [[]] * 4


@pytest.mark.parametrize("q", ["", "a", " b ", "   "])
async def test_short_query_is_400(client: AsyncClient, q: str) -> None:
    owner = await register(client)
    r = await client.get("/api/search", headers=owner.auth, params={"q": q})
    assert r.status_code == 400, r.text
    assert r.json()["fields"] == {"q": "at least 2 characters"}


async def test_long_query_is_refused_and_anonymous_is_401(client_factory: Any) -> None:
    client = client_factory()
    owner = await register(client)
    r = await client.get("/api/search", headers=owner.auth, params={"q": "x" * 101})
    assert r.status_code in (400, 422), r.text
    assert "q" in r.json()["fields"]
    assert (await client_factory().get("/api/search", params={"q": "ana"})).status_code == 401
