"""An agent's view of a simulated customer's conversation, through the inbox API."""

from __future__ import annotations

from typing import Any

from tests.integration.flows.flow_helpers import Chat


async def contact_id_of(chat: Chat) -> str:
    r = await chat.client.get("/api/conversations", headers=chat.owner.auth)
    assert r.status_code == 200, r.text
    rows = [c for c in r.json()["conversations"] if c["contact_phone"] == f"+{chat.wa_id}"]
    assert rows, r.json()
    return str(rows[0]["contact_id"])


async def thread(chat: Chat, contact_id: str, **params: Any) -> dict[str, Any]:
    r = await chat.client.get(
        f"/api/conversations/{contact_id}", headers=chat.owner.auth, params=params
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def agent_says(chat: Chat, contact_id: str, text: str) -> dict[str, Any]:
    r = await chat.client.post(
        f"/api/conversations/{contact_id}", headers=chat.owner.auth, json={"text": text}
    )
    assert r.status_code == 201, r.text
    message: dict[str, Any] = r.json()["message"]
    return message
