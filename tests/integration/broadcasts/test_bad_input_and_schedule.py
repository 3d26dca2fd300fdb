"""Bad input is a clear 4xx and sends nothing; drafts' lifecycle; schedules in the workspace's
time zone; the messaging-tier warning."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import update

from finnegans.db.models import WhatsAppAccount, Workspace
from finnegans.kit.clock import travel, utcnow
from finnegans.whatsapp.emulator import Template
from tests.helpers import register
from tests.integration.broadcasts.broadcast_helpers import HELLO, workspace
from tests.integration.flows.flow_helpers import settle

EVERYONE = {"kind": "everyone"}


async def test_bad_input_is_a_clear_4xx_and_nothing_is_sent(
    client: AsyncClient, app: FastAPI
) -> None:
    ws = await workspace(app, client)
    other = await workspace(app, client, await register(client))
    foreign_contact = (await other.contacts(1))[0]
    foreign_segment = await other.post("/api/segments", {"name": "S", "rules": {
        "conditions": [{"field": "tag", "value": "x"}]}}, expect=201)  # fmt: skip
    inactive = await ws.post("/api/flows", {"name": "Borrador", "status": "Draft"}, expect=201)
    account = await ws.account()
    assert account.waba_id is not None
    ws.emulator.templates(account.waba_id).append(Template(
        id="9002", name="promo", language="es", category="MARKETING", status="APPROVED",
        components=[{"type": "BODY", "text": "Hola {{1}}, código {{2}}"}],
    ))  # fmt: skip

    async def refused(path: str, body: Any, status: int, field: str | None = None) -> str:
        r = await client.post(path, headers=ws.owner.auth, json=body)
        assert r.status_code == status, (body, r.status_code, r.text)
        error = r.json()
        assert error["error"], error
        if field is not None:
            assert field in error.get("fields", {}), error
        return str(error["error"])

    create = "/api/broadcasts"
    # Nobody in the workspace yet: launching would reach no one.
    message = await refused(create, {"audience": EVERYONE, "content": HELLO, "launch": True}, 400,
                            "audience")  # fmt: skip
    assert "nobody" in message
    await ws.contacts(2, tags=("vip",))
    await ws.contacts(1, tags=("stop",), opted_out=True)
    only_opted_out = {"kind": "tags", "tags": ["stop"]}
    await refused(create, {"audience": only_opted_out, "content": HELLO, "launch": True}, 400)
    await refused(create, {"audience": {"kind": "tags", "tags": ["nobody-has-it"]},
                           "content": HELLO, "launch": True}, 400)  # fmt: skip
    # Another workspace's ids, unknown ids.
    await refused(create, {"audience": {"kind": "contacts", "contact_ids": [foreign_contact]},
                           "content": HELLO}, 400, "audience.contact_ids")  # fmt: skip
    await refused(create, {"audience": {"kind": "segment", "segment_id": foreign_segment["id"]},
                           "content": HELLO}, 400, "audience.segment_id")  # fmt: skip
    await refused(create, {"audience": EVERYONE, "content": {"kind": "flow", "flow_id": "x" * 32}},
                  400, "content.flow_id")  # fmt: skip
    draft_flow = {"kind": "flow", "flow_id": inactive["id"]}
    await refused(create, {"audience": EVERYONE, "content": draft_flow}, 409)
    await refused(create, {"whatsappAccountId": other.account_id, "audience": EVERYONE,
                           "content": HELLO}, 400, "whatsapp_account_id")  # fmt: skip
    # Malformed content.
    await refused(create, {"audience": EVERYONE, "content": {"kind": "text", "text": "x" * 4097}},
                  400, "content.text.text")  # fmt: skip
    await refused(create, {"audience": EVERYONE, "content": {"kind": "sms", "text": "hi"}}, 400)
    await refused(
        create,
        {"audience": EVERYONE, "content": {"kind": "template", "template": {"name": "x"}}},
        400,
    )
    await refused(create, {"audience": {"kind": "tags"}, "content": HELLO}, 400)
    await refused(create, {"title": "x" * 300}, 400, "title")
    # A template whose parameters do not match its definition (the templates seam).
    missing = {
        "kind": "template",
        "template": {
            "name": "promo",
            "language": {"code": "es"},
            "components": [{"type": "body", "parameters": [{"type": "text", "text": "A"}]}],
        },
    }
    message = await refused(create, {"audience": EVERYONE, "content": missing, "launch": True},
                            422, "content.template")  # fmt: skip
    assert "needs 2 parameters, 1 given" in message
    unknown = {"kind": "template", "template": {"name": "nope", "language": {"code": "es"}}}
    assert "does not exist" in await refused(
        create, {"audience": EVERYONE, "content": unknown, "launch": True}, 422
    )
    # The original body's errors keep their messages.
    assert await refused(create, {"message": "hola", "flowId": inactive["id"]}, 400) == (
        "Select at least one contact"
    )
    # A schedule in the past.
    draft = await ws.create(audience=EVERYONE, content=HELLO)
    past = (utcnow() - timedelta(minutes=1)).isoformat()
    await refused(f"{create}/{draft['id']}/launch", {"scheduled_at": past}, 400, "scheduled_at")
    await refused(f"{create}/{draft['id']}/launch", {"scheduled_at": "yesterday"}, 400)
    await refused(f"{create}/{draft['id']}/pause", None, 409)
    # Bad paging and filters.
    for params in ({"status": "lost"}, {"cursor": "!!"}, {"limit": 0}):
        r = await client.get(f"{create}/{draft['id']}/recipients", headers=ws.owner.auth,
                             params=params)  # fmt: skip
        assert r.status_code == 400, (params, r.text)
    r = await client.get(create, headers=ws.owner.auth, params={"cursor": "bm90LWpzb24"})
    assert r.status_code == 400
    assert ws.outbound() == []  # nothing was sent by any of it
    await settle(app)
    assert ws.outbound() == []
    shown = await ws.get(f"{create}/{draft['id']}")
    assert (shown["status"], shown["total_recipients"]) == ("draft", 0)


async def test_a_draft_can_be_edited_and_deleted_but_not_once_launched(
    client: AsyncClient, app: FastAPI
) -> None:
    ws = await workspace(app, client)
    await ws.contacts(2, tags=("vip",))
    draft = await ws.create(title="Borrador", audience=EVERYONE, content=HELLO)
    r = await client.patch(f"/api/broadcasts/{draft['id']}", headers=ws.owner.auth, json={
        "title": "Promo", "audience": {"kind": "tags", "tags": ["vip"]},
        "content": {"kind": "text", "text": "Hola"}})  # fmt: skip
    assert r.status_code == 200, r.text
    assert (r.json()["title"], r.json()["content"]["kind"]) == ("Promo", "text")
    r = await client.delete(f"/api/broadcasts/{draft['id']}", headers=ws.owner.auth)
    assert r.status_code == 204
    r = await client.get(f"/api/broadcasts/{draft['id']}", headers=ws.owner.auth)
    assert r.status_code == 404
    launched = await ws.create(audience=EVERYONE, content=HELLO, launch=True)
    await ws.wait(launched["id"])
    r = await client.patch(f"/api/broadcasts/{launched['id']}", headers=ws.owner.auth,
                           json={"title": "x"})  # fmt: skip
    assert r.status_code == 409
    r = await client.delete(f"/api/broadcasts/{launched['id']}", headers=ws.owner.auth)
    assert r.status_code == 409


async def test_a_schedule_is_in_the_workspace_time_zone_and_fires_on_time(
    client: AsyncClient, app: FastAPI
) -> None:
    ws = await workspace(app, client)
    async with ws.ctx.db.unit_of_work() as session:
        await session.execute(update(Workspace).where(Workspace.id == ws.owner.workspace_id)
                              .values(timezone="America/Argentina/Buenos_Aires"))  # fmt: skip
    await ws.contacts(2)
    draft = await ws.create(audience=EVERYONE, content=HELLO)
    local = (utcnow() + timedelta(hours=2)).astimezone(ZoneInfo("America/Argentina/Buenos_Aires"))
    naive = local.replace(tzinfo=None, microsecond=0)
    scheduled = await ws.launch(draft["id"], scheduled_at=naive.isoformat())
    assert scheduled["status"] == "scheduled" and scheduled["total_recipients"] == 0
    expected = local.replace(microsecond=0).astimezone(UTC)
    assert datetime.fromisoformat(scheduled["scheduled_at"]) == expected
    await settle(app)
    assert ws.outbound() == []  # not yet
    with travel(timedelta(hours=2, minutes=1)):
        await settle(app)
        done = await ws.wait(draft["id"])
    assert done["status"] == "completed" and done["counts"]["read"] == 2, done


async def test_a_warning_when_recipients_exceed_the_messaging_tier(
    client: AsyncClient, app: FastAPI
) -> None:
    ws = await workspace(app, client)
    async with ws.ctx.db.unit_of_work() as session:
        await session.execute(update(WhatsAppAccount).where(WhatsAppAccount.id == ws.account_id)
                              .values(messaging_limit_tier="TIER_50"))  # fmt: skip
    await ws.contacts(51)
    preview = await ws.post("/api/broadcasts/audience-preview",
                            {"audience": EVERYONE, "content": HELLO})  # fmt: skip
    assert preview["unique"] == 51
    [warning] = preview["warnings"]
    assert "51 unique recipients exceed" in warning and "TIER_50" in warning
    body = {"audience": EVERYONE, "content": {"kind": "text", "text": "hi"}}
    text = await ws.post("/api/broadcasts/audience-preview", body)
    assert text["warnings"] == []  # free text reaches open windows only: not counted
    launched = await ws.create(audience=EVERYONE, content=HELLO, launch=True)  # a warning only
    assert launched["status"] == "running" and launched["warnings"] == [warning]
    assert (await ws.wait(launched["id"]))["counts"]["read"] == 51
