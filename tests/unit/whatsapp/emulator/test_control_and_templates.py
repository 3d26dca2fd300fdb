from __future__ import annotations

import base64

import httpx

from finnegans.whatsapp.emulator import create_standalone_app

from .conftest import CUSTOMER, TOKEN, Env

AUTH = {"Authorization": f"Bearer {TOKEN}"}


async def test_control_api_phone_simulator_flow(env: Env) -> None:
    pnid = env.number.phone_number_id
    numbers = (await env.graph.get("/_emulator/numbers")).json()
    assert numbers[0]["phone_number_id"] == pnid and "access_token" not in numbers[0]
    created = await env.graph.post(
        "/_emulator/customers", json={"wa_id": "5491155550000", "profile_name": "Lu"}
    )
    assert created.status_code == 201
    sent = await env.graph.post(
        f"/_emulator/conversations/{pnid}/5491155550000/messages", json={"text": "hola"}
    )
    assert sent.status_code == 201
    buttons = {
        "to": "5491155550000",
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": "?"},
            "action": {"buttons": [{"type": "reply", "reply": {"id": "y", "title": "Yes"}}]},
        },
    }
    business = (await env.send(buttons)).json()["messages"][0]["id"]
    tap = await env.graph.post(
        f"/_emulator/conversations/{pnid}/5491155550000/messages",
        json={"type": "button_reply", "reply_to": business, "id": "y"},
    )
    assert tap.status_code == 201
    photo = await env.graph.post(
        f"/_emulator/conversations/{pnid}/5491155550000/messages",
        json={"type": "image", "data_base64": base64.b64encode(b"img").decode()},
    )
    assert photo.status_code == 201
    await env.emulator.drain()
    conv = (await env.graph.get(f"/_emulator/conversations/{pnid}/5491155550000")).json()
    assert conv["window_open"] is True
    assert [m["direction"] for m in conv["messages"]] == [
        "inbound", "outbound", "inbound", "inbound"
    ]  # fmt: skip
    assert conv["messages"][1]["status"] == "read"
    assert conv["messages"][2]["payload"]["interactive"]["button_reply"]["title"] == "Yes"
    media_id = conv["messages"][3]["payload"]["image"]["id"]
    assert (await env.graph.get(f"/_emulator/media/{media_id}")).content == b"img"
    listing = await env.graph.get("/_emulator/conversations", params={"phone_number_id": pnid})
    assert {c["wa_id"] for c in listing.json()} == {"5491155550000"}
    deliveries = (await env.graph.get("/_emulator/deliveries", params={"limit": 2})).json()
    assert len(deliveries) == 2 and deliveries[-1]["status_code"] == 200
    missing = await env.graph.post(
        f"/_emulator/conversations/{pnid}/5491155550000/messages", json={"type": "location"}
    )
    assert missing.status_code == 422


async def test_control_faults(env: Env) -> None:
    patched = await env.graph.patch("/_emulator/faults", json={"token_expired": True})
    assert patched.json()["token_expired"] is True
    assert (await env.send_text()).json()["error"]["code"] == 190
    bad = await env.graph.patch("/_emulator/faults", json={"webhook_copies": 0})
    assert bad.status_code == 422
    await env.graph.post("/_emulator/faults/reset")
    assert env.emulator.faults.token_expired is False


async def test_template_management(env: Env) -> None:
    waba = env.number.waba_id
    listed = (await env.graph.get(f"/v25.0/{waba}/message_templates", headers=AUTH)).json()
    assert [t["name"] for t in listed["data"]] == ["hello_world"]
    body = {
        "name": "order_update",
        "language": "en_US",
        "category": "UTILITY",
        "components": [{"type": "BODY", "text": "Hi {{1}}, order {{2}} shipped."}],
    }
    created = await env.graph.post(f"/v25.0/{waba}/message_templates", json=body, headers=AUTH)
    assert created.json()["status"] == "PENDING"
    duplicate = await env.graph.post(f"/v25.0/{waba}/message_templates", json=body, headers=AUTH)
    assert duplicate.json()["error"]["code"] == 100
    await env.emulator.drain()
    update = env.platform.received[-1].payload
    assert update["entry"][0]["changes"][0]["field"] == "message_template_status_update"
    assert update["entry"][0]["changes"][0]["value"]["event"] == "APPROVED"
    send = {
        "to": CUSTOMER,
        "type": "template",
        "template": {
            "name": "order_update",
            "language": {"code": "en_US"},
            "components": [
                {"type": "body", "parameters": [
                    {"type": "text", "text": "Ana"}, {"type": "text", "text": "42"}]},
            ],
        },
    }  # fmt: skip
    response = await env.send(send)
    assert response.status_code == 200
    logged = env.emulator.message(response.json()["messages"][0]["id"])
    assert logged is not None
    assert logged.extra["template"]["body"] == "Hi Ana, order 42 shipped."
    send["template"]["components"][0]["parameters"].pop()  # type: ignore[index]
    assert (await env.send(send)).json()["error"]["code"] == 132000
    deleted = await env.graph.delete(
        f"/v25.0/{waba}/message_templates", params={"name": "order_update"}, headers=AUTH
    )
    assert deleted.json() == {"success": True}
    info = (await env.graph.get(f"/v25.0/{env.number.phone_number_id}", headers=AUTH)).json()
    assert info["throughput"] == {"level": "STANDARD"}
    assert info["display_phone_number"] == "15550783881"


async def test_standalone_app_serves_graph_and_control() -> None:
    app = create_standalone_app(webhook_url=None, app_secret="s", access_token="tok")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://emulator"
    ) as client:
        numbers = (await client.get("/_emulator/numbers")).json()
        pnid = numbers[0]["phone_number_id"]
        info = await client.get(f"/v25.0/{pnid}", headers={"Authorization": "Bearer tok"})
        assert info.json()["id"] == pnid
        registered = await client.post(
            f"/v25.0/{pnid}/register",
            json={"messaging_product": "whatsapp", "pin": "123456"},
            headers={"Authorization": "Bearer tok"},
        )
        assert registered.json() == {"success": True}
