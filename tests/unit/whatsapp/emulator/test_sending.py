from __future__ import annotations

from typing import Any

from finnegans.whatsapp.emulator import inbound
from finnegans.whatsapp.signature import meta_wire_json, verify

from .conftest import APP_SECRET, CUSTOMER, Env


async def _open(env: Env) -> None:
    await env.emulator.customer_sends(env.number.phone_number_id, CUSTOMER, "hi")
    await env.emulator.drain()
    env.platform.received.clear()


def _buttons(count: int, title_len: int = 5) -> dict[str, Any]:
    return {
        "to": CUSTOMER,
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": "Pick one"},
            "action": {
                "buttons": [
                    {
                        "type": "reply",
                        "reply": {"id": f"b{i}", "title": f"{i}".ljust(title_len, "x")},
                    }
                    for i in range(count)
                ]
            },
        },
    }


def _list(rows_per_section: list[int]) -> dict[str, Any]:
    sections = [
        {"title": f"S{s}", "rows": [{"id": f"r{s}-{r}", "title": f"Row {r}"} for r in range(n)]}
        for s, n in enumerate(rows_per_section)
    ]
    return {
        "to": CUSTOMER,
        "type": "interactive",
        "interactive": {
            "type": "list",
            "body": {"text": "Choose"},
            "action": {"button": "Options", "sections": sections},
        },
    }


async def test_text_send_meta_shape_log_and_signed_statuses(env: Env) -> None:
    await _open(env)
    response = await env.send({"to": "+1 (650) 555-1234", "type": "text", "text": {"body": "Hi"}})
    assert response.status_code == 200
    body = response.json()
    assert body["messaging_product"] == "whatsapp"
    assert body["contacts"] == [{"input": "+1 (650) 555-1234", "wa_id": CUSTOMER}]
    wamid = body["messages"][0]["id"]
    assert wamid.startswith("wamid.HBg")
    await env.emulator.drain()
    conv = env.emulator.conversation(env.number.phone_number_id, CUSTOMER)
    assert [m.direction for m in conv] == ["inbound", "outbound"]
    assert conv[1].wamid == wamid and conv[1].payload["text"]["body"] == "Hi"
    assert [s.status for s in conv[1].statuses] == ["sent", "delivered", "read"]
    assert conv[1].status == "read"
    statuses = env.platform.statuses()
    assert [s["status"] for s in statuses] == ["sent", "delivered", "read"]
    assert all(s["id"] == wamid and s["recipient_id"] == CUSTOMER for s in statuses)
    assert isinstance(statuses[0]["timestamp"], str)
    assert statuses[0]["pricing"]["category"] == "service"
    for received in env.platform.received:
        assert received.valid
        assert verify(received.body, received.signature, APP_SECRET)
        assert received.body == meta_wire_json(received.payload)
        assert received.payload["object"] == "whatsapp_business_account"
        assert received.payload["entry"][0]["id"] == env.number.waba_id
        assert received.payload["entry"][0]["changes"][0]["field"] == "messages"
    assert all(a.status_code == 200 for a in env.emulator.attempts)


async def test_out_of_order_duplicates_and_skipped_delivered(env: Env) -> None:
    await _open(env)
    env.emulator.faults.status_out_of_order = True
    await env.send_text()
    await env.emulator.drain()
    assert [s["status"] for s in env.platform.statuses()] == ["read", "delivered", "sent"]

    env.platform.received.clear()
    env.emulator.faults.status_out_of_order = False
    env.emulator.faults.status_duplicates = 2
    env.emulator.faults.status_skip_delivered = True
    await env.send_text()
    await env.emulator.drain()
    assert [s["status"] for s in env.platform.statuses()] == ["sent", "sent", "read", "read"]
    bodies = [r.body for r in env.platform.received]
    assert bodies[0] == bodies[1] and bodies[2] == bodies[3]


async def test_four_buttons_refused_and_nothing_delivered(env: Env) -> None:
    await _open(env)
    response = await env.send(_buttons(4))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == 131009
    assert error["message"] == "(#131009) Parameter value is not valid"
    assert error["type"] == "OAuthException"
    assert "interactive.action.buttons" in error["error_data"]["details"]
    assert error["error_data"]["messaging_product"] == "whatsapp"
    assert error["fbtrace_id"]
    await env.emulator.drain()
    assert env.platform.received == []
    assert len(env.emulator.conversation(env.number.phone_number_id, CUSTOMER)) == 1
    assert (await env.send(_buttons(3))).status_code == 200


async def test_limits(env: Env) -> None:
    await _open(env)
    cases = [
        (_buttons(2, title_len=21), "title"),
        (_list([6, 5]), "row"),
        (_list([11]), "rows"),
        ({"to": CUSTOMER, "type": "text", "text": {"body": "x" * 4097}}, "text.body"),
    ]
    for body, needle in cases:
        response = await env.send(body)
        assert response.status_code == 400, body
        error = response.json()["error"]
        assert error["code"] == 131009
        assert needle in error["error_data"]["details"]
    long_row = _list([1])
    long_row["interactive"]["action"]["sections"][0]["rows"][0]["title"] = "r" * 25
    assert (await env.send(long_row)).json()["error"]["code"] == 131009
    assert (await env.send(_buttons(2, title_len=20))).status_code == 200
    assert (await env.send(_list([5, 5]))).status_code == 200
    assert (await env.send_text("x" * 4096)).status_code == 200
    missing = await env.send({"to": CUSTOMER, "type": "text", "text": {}})
    assert missing.json()["error"]["code"] == 131008
    unknown = await env.send({"to": CUSTOMER, "type": "poll", "poll": {}})
    assert unknown.json()["error"]["code"] == 131051


async def test_window_closed_free_text_fails_async_templates_pass(env: Env) -> None:
    # Never wrote: free text is accepted, then fails with 131047; nothing reaches the phone.
    response = await env.send_text()
    assert response.status_code == 200
    await env.emulator.drain()
    (status,) = env.platform.statuses()
    assert status["status"] == "failed"
    assert status["errors"][0]["code"] == 131047
    env.platform.received.clear()

    template = {"to": CUSTOMER, "type": "template",
                "template": {"name": "hello_world", "language": {"code": "en_US"}}}  # fmt: skip
    response = await env.send(template)
    assert response.status_code == 200
    assert response.json()["messages"][0]["message_status"] == "accepted"
    await env.emulator.drain()
    assert [s["status"] for s in env.platform.statuses()] == ["sent", "delivered", "read"]
    assert env.platform.statuses()[0]["pricing"]["type"] == "regular"

    env.emulator.faults.window_error = "sync"
    refused = await env.send_text()
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == 131047

    await _open(env)
    assert (await env.send_text()).status_code == 200
    assert (await env.send(template)).status_code == 200
    env.emulator.close_window(env.number.phone_number_id, CUSTOMER)
    assert (await env.send_text()).json()["error"]["code"] == 131047
    assert (await env.send(template)).status_code == 200


async def test_template_errors(env: Env) -> None:
    unknown = {"to": CUSTOMER, "type": "template",
               "template": {"name": "nope", "language": {"code": "en_US"}}}  # fmt: skip
    response = await env.send(unknown)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 132001
    wrong_language = {"to": CUSTOMER, "type": "template",
                      "template": {"name": "hello_world", "language": {"code": "es"}}}  # fmt: skip
    assert (await env.send(wrong_language)).json()["error"]["code"] == 132001
    extra_param = {
        "to": CUSTOMER,
        "type": "template",
        "template": {
            "name": "hello_world",
            "language": {"code": "en_US"},
            "components": [{"type": "body", "parameters": [{"type": "text", "text": "x"}]}],
        },
    }
    error = (await env.send(extra_param)).json()["error"]
    assert error["code"] == 132000
    assert "body" in error["error_data"]["details"]


async def test_bad_token_and_unknown_number(env: Env) -> None:
    response = await env.send({"to": CUSTOMER, "text": {"body": "x"}}, token="wrong")
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == 190 and error["type"] == "OAuthException"
    missing = await env.graph.post(f"/v25.0/{env.number.phone_number_id}/messages", json={})
    assert missing.status_code == 401
    unknown = await env.graph.post(
        "/v25.0/999999999999999/messages",
        json={"messaging_product": "whatsapp", "to": CUSTOMER, "text": {"body": "x"}},
        headers={"Authorization": "Bearer test-token"},
    )
    assert unknown.status_code == 400
    error = unknown.json()["error"]
    assert error["code"] == 100 and error["error_subcode"] == 33
    assert "999999999999999" in error["message"]


async def test_mark_as_read_and_typing(env: Env) -> None:
    wamid = await env.emulator.customer_sends(env.number.phone_number_id, CUSTOMER, "hi")
    response = await env.send(
        {"status": "read", "message_id": wamid, "typing_indicator": {"type": "text"}}
    )
    assert response.json() == {"success": True}
    logged = env.emulator.message(wamid)
    assert logged is not None and logged.read_by_business
    bad = await env.send({"status": "read", "message_id": "wamid.nope"})
    assert bad.json()["error"]["code"] == 100


async def test_interactive_replies_and_reaction_statuses(env: Env) -> None:
    await _open(env)
    sent = (await env.send(_buttons(3))).json()["messages"][0]["id"]
    pnid = env.number.phone_number_id
    await env.emulator.reply_button(pnid, CUSTOMER, sent, "b1")
    listed = (await env.send(_list([2]))).json()["messages"][0]["id"]
    await env.emulator.reply_list(pnid, CUSTOMER, listed, "r0-1")
    await env.emulator.customer_sends(pnid, CUSTOMER, inbound.reaction(sent, "👍"))
    await env.emulator.drain()
    replies = [m for m in env.platform.messages() if m["type"] == "interactive"]
    assert replies[0]["interactive"]["button_reply"] == {"id": "b1", "title": "1xxxx"}
    assert replies[0]["context"] == {"from": env.number.display_phone_number, "id": sent}
    assert replies[1]["interactive"]["list_reply"]["id"] == "r0-1"
    env.platform.received.clear()
    reaction = {"to": CUSTOMER, "type": "reaction", "reaction": {"message_id": sent, "emoji": "❤"}}
    assert (await env.send(reaction)).status_code == 200
    await env.emulator.drain()
    assert [s["status"] for s in env.platform.statuses()] == ["sent"]
