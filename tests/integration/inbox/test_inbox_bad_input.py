"""Bad input to the inbox: a clear 4xx, nothing sent, nothing stored."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import func, select

from finnegans.context import AppContext
from finnegans.db.models import Message
from tests.helpers import register
from tests.integration.flows.flow_helpers import Chat, open_chat, settle
from tests.integration.inbox.inbox_helpers import contact_id_of, thread

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def _outbound_rows(app: FastAPI, contact_id: str) -> int:
    ctx: AppContext = app.state.ctx
    async with ctx.db.unit_of_work(write=False) as session:
        count = await session.execute(
            select(func.count())
            .select_from(Message)
            .where(Message.direction == "outbound", Message.contact_id == contact_id)
        )
        return int(count.scalar_one())


async def _chat(client: AsyncClient, app: FastAPI) -> tuple[Chat, str]:
    chat = await open_chat(app, client)
    await chat.say("hola")
    return chat, await contact_id_of(chat)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "x" * 4097}, "text"),
        ({"text": 12}, "text"),
        ({"type": "carrier_pigeon", "text": "hola"}, "type"),
        ({"type": "template"}, "template"),
        ({"type": "image"}, "media_id"),
        ({"type": "image", "media_id": "never-uploaded"}, "media_id"),
        ({"type": "interactive", "interactive": {"type": "button", "body": {"text": "¿Sí?"},
          "action": {"buttons": [{"type": "reply", "reply": {"id": str(n), "title": "Opción"}}
                                 for n in range(4)]}}}, "interactive"),
        ({"text": "hola", "reply_to": "0" * 32}, "reply_to"),
    ],
)  # fmt: skip
async def test_bad_messages_are_refused_and_nothing_is_sent(
    client: AsyncClient, app: FastAPI, body: dict[str, object], field: str
) -> None:
    chat, contact_id = await _chat(client, app)
    r = await client.post(f"/api/conversations/{contact_id}", headers=chat.owner.auth, json=body)
    assert r.status_code == 400, r.text
    assert field in r.json().get("fields", {}) or field in r.json()["error"], r.json()
    await settle(app)
    assert chat.new_messages() == [] and await _outbound_rows(app, contact_id) == 0


async def test_malformed_json_is_a_400(client: AsyncClient, app: FastAPI) -> None:
    chat, contact_id = await _chat(client, app)
    r = await client.post(
        f"/api/conversations/{contact_id}",
        headers={**chat.owner.auth, "content-type": "application/json"},
        content=b'{"text": "hola"',
    )
    assert r.status_code == 400 and "error" in r.json()
    assert await _outbound_rows(app, contact_id) == 0


async def test_another_workspaces_contact_is_not_found(client: AsyncClient, app: FastAPI) -> None:
    chat, contact_id = await _chat(client, app)
    stranger = await register(client)
    for method, path, body in [
        ("GET", f"/api/conversations/{contact_id}", None),
        ("POST", f"/api/conversations/{contact_id}", {"text": "hola"}),
        ("PATCH", f"/api/conversations/{contact_id}", {"status": "resolved"}),
        ("POST", f"/api/conversations/{contact_id}/notes", {"text": "nota"}),
        ("POST", f"/api/conversations/{contact_id}/read", None),
        ("POST", f"/api/conversations/{contact_id}/resume", None),
        ("PUT", f"/api/conversations/{contact_id}/tags", {"tags": ["x"]}),
    ]:
        r = await client.request(method, path, headers=stranger.auth, json=body)
        assert r.status_code == 404, (method, path, r.text)
    listed = await client.get("/api/conversations", headers=stranger.auth)
    assert listed.json()["conversations"] == []
    await settle(app)
    assert chat.new_messages() == [] and await _outbound_rows(app, contact_id) == 0
    assert (await thread(chat, contact_id))["conversation"]["status"] == "open"


async def test_attachments_are_checked_uploaded_and_sent(client: AsyncClient, app: FastAPI) -> None:
    chat, contact_id = await _chat(client, app)
    url = f"/api/conversations/{contact_id}/media"
    auth = chat.owner.auth
    page = {"file": ("page.html", b"<html></html>", "text/html")}
    html = await client.post(url, headers=auth, files=page)
    assert html.status_code == 400 and "cannot send text/html" in html.json()["error"]
    big = await client.post(url, headers=auth,
                            files={"file": ("big.png", PNG + b"\x00" * (5 * 1024 * 1024),
                                            "image/png")})  # fmt: skip
    assert big.status_code == 413 and "5120 KB" in big.json()["error"]
    wrong = await client.post(url, headers=auth, data={"type": "sticker"},
                              files={"file": ("a.png", PNG, "image/png")})  # fmt: skip
    assert wrong.status_code == 400
    ok = await client.post(url, headers=auth, files={"file": ("foto.png", PNG, "image/png")})
    assert ok.status_code == 200, ok.text
    upload = ok.json()
    assert upload["type"] == "image" and upload["size"] == len(PNG)
    assert await _outbound_rows(app, contact_id) == 0  # uploading sends nothing
    r = await client.post(f"/api/conversations/{contact_id}", headers=auth,
                          json={"type": "image", "media_id": upload["media_id"],
                                "caption": "Así queda"})  # fmt: skip
    assert r.status_code == 201, r.text
    message = r.json()["message"]
    assert message["media_url"] == f"/api/messages/{message['id']}/media"
    await settle(app)
    [sent] = chat.new_messages()
    assert sent["type"] == "image" and sent["image"] == {"id": upload["media_id"],
                                                         "caption": "Así queda"}  # fmt: skip
    stored = await client.get(message["media_url"], headers=auth)
    assert stored.status_code == 200 and stored.content == PNG
    stranger = await register(client)
    foreign = await client.get(message["media_url"], headers=stranger.auth)
    assert foreign.status_code == 404
