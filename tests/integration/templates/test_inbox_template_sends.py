"""An agent sends a template from the inbox: checked against the synced template when known."""

from __future__ import annotations

from fastapi import FastAPI
from httpx import AsyncClient

from tests.integration.flows.flow_helpers import open_chat, settle
from tests.integration.inbox.inbox_helpers import contact_id_of
from tests.integration.templates.template_helpers import ORDER_SHIPPED, Waba


async def _chat_with_templates(app: FastAPI, client: AsyncClient) -> tuple[Waba, str, object]:
    chat = await open_chat(app, client)
    account = await client.get(f"/api/whatsapp-accounts/{chat.account_id}",
                               headers=chat.owner.auth)  # fmt: skip
    waba = Waba(app, client, chat.owner, chat.account_id, chat.phone_number_id,
                account.json()["businessAccountId"])  # fmt: skip
    waba.on_meta("order_shipped", ORDER_SHIPPED)
    await waba.sync()
    await chat.say("hola")
    chat.new_messages()
    return waba, await contact_id_of(chat), chat


async def test_a_missing_parameter_is_a_400_naming_it_and_nothing_is_sent(
    client: AsyncClient, app: FastAPI
) -> None:
    waba, contact_id, chat = await _chat_with_templates(app, client)
    components = [
        {"type": "header", "parameters": [{"type": "text", "text": "A-7"}]},
        {"type": "body", "parameters": [{"type": "text", "text": "Ana"}]},
        {"type": "button", "sub_type": "url", "index": "0",
         "parameters": [{"type": "text", "text": "A-7"}]},
    ]  # fmt: skip
    body = {
        "type": "template",
        "template": {"name": "order_shipped", "language": "en_US", "components": components},
    }
    r = await client.post(f"/api/conversations/{contact_id}", headers=waba.owner.auth, json=body)
    assert r.status_code == 400, r.text
    assert r.json()["fields"] == {"parameters.body.2": "missing"}
    assert "body.2" in r.json()["error"]
    by_keys = {
        "type": "template",
        "template": {
            "name": "order_shipped",
            "language": "en_US",
            "parameters": {"header.1": "A-7"},
        },
    }
    r = await client.post(f"/api/conversations/{contact_id}", headers=waba.owner.auth,
                          json=by_keys)  # fmt: skip
    assert r.status_code == 400 and set(r.json()["fields"]) == {
        "parameters.body.1", "parameters.body.2", "parameters.button.0"}  # fmt: skip
    await settle(app)
    assert chat.new_messages() == []  # type: ignore[attr-defined]
    thread = await client.get(f"/api/conversations/{contact_id}", headers=waba.owner.auth)
    assert [m["direction"] for m in thread.json()["messages"]] == ["inbound"]


async def test_parameters_by_key_become_the_graph_components(
    client: AsyncClient, app: FastAPI
) -> None:
    waba, contact_id, chat = await _chat_with_templates(app, client)
    values = {"header.1": "A-7", "body.1": "Ana", "body.2": "Friday", "button.0": "A-7"}
    body = {
        "type": "template",
        "template": {"name": "order_shipped", "language": "en_US", "parameters": values},
    }
    r = await client.post(f"/api/conversations/{contact_id}", headers=waba.owner.auth, json=body)
    assert r.status_code == 201, r.text
    await settle(app)
    [sent] = chat.new_messages()  # type: ignore[attr-defined]
    assert sent["template"]["components"][1] == {
        "type": "body",
        "parameters": [{"type": "text", "text": "Ana"}, {"type": "text", "text": "Friday"}],
    }
    logged = waba.emulator.state.messages[sent["_wamid"]]
    assert logged.extra["template"]["body"] == "Hi Ana, your order ships on Friday."


async def test_templates_we_do_not_know_are_sent_as_before(
    client: AsyncClient, app: FastAPI
) -> None:
    waba, contact_id, chat = await _chat_with_templates(app, client)
    waba.on_meta("made_today", [{"type": "BODY", "text": "Hello {{1}}"}])  # not synced
    body = {
        "type": "template",
        "template": {
            "name": "made_today",
            "language": "en_US",
            "components": [{"type": "body", "parameters": [{"type": "text", "text": "Bo"}]}],
        },
    }
    r = await client.post(f"/api/conversations/{contact_id}", headers=waba.owner.auth, json=body)
    assert r.status_code == 201, r.text
    await settle(app)
    [sent] = chat.new_messages()  # type: ignore[attr-defined]
    assert sent["template"]["name"] == "made_today"
    by_keys = {"type": "template", "template": {"name": "made_today", "language": "en_US",
               "parameters": {"body.1": "Bo"}}}  # fmt: skip
    r = await client.post(f"/api/conversations/{contact_id}", headers=waba.owner.auth,
                          json=by_keys)  # fmt: skip
    assert r.status_code == 400 and "sync" in r.json()["error"]
