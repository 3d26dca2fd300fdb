"""The original's manual trigger, `POST /api/webhook?flowId=`, keeps working (variables fixed)."""

from __future__ import annotations

from fastapi import FastAPI
from httpx import AsyncClient

from tests.integration.flows.flow_helpers import open_chat, settle, text_of

GREETING = {
    "nodes": [
        {"id": "t", "type": "trigger", "position": {}, "data": {"keyword": "promo"}},
        {"id": "m", "type": "message", "position": {},
         "data": {"text": "Hola {{contact.name}}, tu cupón es {{coupon}}"}},
    ],
    "edges": [{"id": "a", "source": "t", "target": "m"}],
}  # fmt: skip


async def test_manual_trigger_with_the_number_verify_token(
    client: AsyncClient, app: FastAPI
) -> None:
    chat = await open_chat(app, client)
    flow = await chat.create_flow(GREETING)
    account = await client.get(f"/api/whatsapp-accounts/{chat.account_id}", headers=chat.owner.auth)
    token = account.json()["verifyToken"]
    await chat.say("hola")  # the customer wrote: the 24-hour window is open

    url = f"/api/webhook?flowId={flow['id']}"
    body = {"from": chat.wa_id, "message": "promo", "variables": {"coupon": "FIN-10"}}
    r = await client.post(url, json=body, headers={"X-Webhook-Token": token})
    assert r.status_code == 200, r.text
    assert r.json()["success"] is True and r.json()["flowId"] == flow["id"]
    assert r.headers["access-control-allow-origin"] == "*"
    await settle(app)
    assert [text_of(m) for m in chat.new_messages()] == ["Hola Lucía, tu cupón es FIN-10"]

    assert (await client.post(url, json=body)).status_code == 403
    wrong = await client.post(url, json=body, headers={"X-Webhook-Token": "nope"})
    assert wrong.status_code == 403
    no_phone = await client.post(url, json={"message": "promo", "token": token})
    assert no_phone.status_code == 400 and "phone" in no_phone.json()["error"]
    no_text = await client.post(url + f"&token={token}", json={"from": chat.wa_id})
    assert no_text.status_code == 400 and "message" in no_text.json()["error"]
    not_object = await client.post(url + f"&token={token}", json=["x"])
    assert not_object.status_code == 400
    missing = await client.post(
        "/api/webhook?flowId=nope", json=body, headers={"X-Webhook-Token": token}
    )
    assert missing.status_code == 404
    preflight = await client.options(url)
    assert preflight.status_code == 204
    await settle(app)
    assert chat.new_messages() == []  # refused triggers sent nothing
