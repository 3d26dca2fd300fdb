"""Contacts made through the API, as an agent or an admin would."""

from __future__ import annotations

from typing import Any

from httpx import AsyncClient

from tests.helpers import User


async def create_contact(client: AsyncClient, user: User, **body: Any) -> dict[str, Any]:
    r = await client.post("/api/contacts", headers=user.auth, json=body)
    assert r.status_code == 201, r.text
    created: dict[str, Any] = r.json()
    return created


async def listed(client: AsyncClient, user: User, **params: Any) -> list[dict[str, Any]]:
    """Every contact the list shows for these filters, following cursors to the end."""
    found: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        r = await client.get("/api/contacts", headers=user.auth, params=query)
        assert r.status_code == 200, r.text
        body = r.json()
        found += body["contacts"]
        cursor = body["next_cursor"]
        if not cursor:
            return found


async def names(client: AsyncClient, user: User, **params: Any) -> list[str | None]:
    return [c["name"] for c in await listed(client, user, **params)]


async def count(client: AsyncClient, user: User, **params: Any) -> int:
    r = await client.get("/api/contacts/count", headers=user.auth, params=params)
    assert r.status_code == 200, r.text
    value: int = r.json()["count"]
    return value
