from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from finnegans.whatsapp.emulator import InboundMessage, inbound
from finnegans.whatsapp.signature import meta_wire_json

from .conftest import CUSTOMER, Env

FIXTURES = Path(__file__).parents[3] / "fixtures" / "whatsapp"
BSUID_KEYS = {"user_id", "parent_user_id", "from_user_id"}


def shape(value: Any) -> Any:
    """Key structure: dicts by key, lists by their first item, scalars by JSON type."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items() if k not in BSUID_KEYS}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text())


CASES: list[tuple[str, Any]] = [
    ("inbound_text", lambda r: inbound.text("Does it come in another color?")),
    ("inbound_text_reply_context", lambda r: inbound.text("replied text", reply_to=r)),
    ("inbound_text_ctwa_referral",
     lambda r: inbound.text("Hello!", referral=inbound.ad_referral(welcome_text="Hi there!"))),
    ("inbound_text_product_inquiry_context",
     lambda r: inbound.text("Is this still available?", reply_to=r,
                            referred_product={"catalog_id": "1", "product_retailer_id": "p"})),
    ("inbound_image", lambda r: inbound.image(caption="Taj Mahal")),
    ("inbound_video", lambda r: _forwarded(inbound.video(caption="caption"))),
    ("inbound_audio", lambda r: _forwarded(inbound.audio())),
    ("inbound_audio_voice", lambda r: inbound.voice()),
    ("inbound_document",
     lambda r: _forwarded(inbound.document(filename="filename.pdf", caption="caption"))),
    ("inbound_sticker_animated", lambda r: inbound.sticker(animated=True)),
    ("inbound_location",
     lambda r: inbound.location(37.44, -122.16, name="Philz Coffee", address="101 Forest Ave",
                                url="https://philzcoffee.com/")),
    ("inbound_contacts",
     lambda r: inbound.contacts(inbound.contact_card(
         "Lucía Gómez", first_name="Lucía", last_name="Gómez", company="Google",
         phone="+1 (983) 555-2319", wa_id="19835552319"))),
    ("inbound_interactive_button_reply",
     lambda r: inbound.button_reply("cancel-button", "Cancel", reply_to=r)),
    ("inbound_interactive_list_reply",
     lambda r: inbound.list_reply("priority_express", "Priority Mail Express", reply_to=r,
                                  description="Next Day to 2 Days")),
    ("inbound_interactive_nfm_reply_flow",
     lambda r: inbound.nfm_reply({"cs_rating": "0"}, reply_to=r, flow_token="tok")),
    ("inbound_button_template_quick_reply",
     lambda r: inbound.template_button("Unsubscribe", "Unsubscribe", reply_to=r)),
    ("inbound_reaction", lambda r: inbound.reaction(r, "👍")),
    ("inbound_reaction_removed", lambda r: inbound.unreaction(r)),
    ("inbound_order",
     lambda r: inbound.order("194836987003835", [
         {"product_retailer_id": "di9ozbzfi4", "quantity": 2, "item_price": 30, "currency": "USD"},
     ])),
    ("inbound_unsupported", lambda r: _no_content(inbound.unsupported())),
]  # fmt: skip


def _forwarded(message: InboundMessage) -> InboundMessage:
    message.context = {"forwarded": True}
    return message


def _no_content(message: InboundMessage) -> InboundMessage:
    message.content = None  # the fixture predates `unsupported: {type}`
    return message


@pytest.mark.parametrize(("name", "make"), CASES, ids=[c[0] for c in CASES])
async def test_inbound_types_match_fixture_shapes(env: Env, name: str, make: Any) -> None:
    pnid = env.number.phone_number_id
    env.emulator.open_window(pnid, CUSTOMER)
    business = (await env.send_text("earlier")).json()["messages"][0]["id"]
    await env.emulator.drain()
    env.platform.received.clear()

    wamid = await env.emulator.customer_sends(pnid, CUSTOMER, make(business))
    await env.emulator.drain()
    (received,) = env.platform.received
    assert received.valid
    assert received.body == meta_wire_json(received.payload)
    expected = fixture(name)
    assert shape(received.payload) == shape(expected)
    message = received.value["messages"][0]
    assert message["id"] == wamid
    if "context" in message and "id" in message["context"]:
        assert message["context"]["id"] == business


async def test_non_ascii_escaped_exactly_like_meta(env: Env) -> None:
    await env.emulator.customer_sends(
        env.number.phone_number_id, CUSTOMER, "مرحبا café 😮", profile_name="José"
    )
    await env.emulator.drain()
    (received,) = env.platform.received
    assert received.valid
    assert b"\\u0645\\u0631\\u062d\\u0628\\u0627 caf\\u00e9 \\ud83d\\ude2e" in received.body
    assert b'"name":"Jos\\u00e9"' in received.body
    assert received.body.isascii()
    assert received.value["messages"][0]["text"]["body"] == "مرحبا café 😮"


async def test_bsuid_customer_and_window(env: Env) -> None:
    pnid = env.number.phone_number_id
    env.emulator.add_customer(
        "447700900123", profile_name="Ana", user_id="GB.1234", bsuid_only=True
    )
    assert not env.emulator.window_open(pnid, "447700900123")
    await env.emulator.customer_sends(pnid, "447700900123", "hola")
    assert env.emulator.window_open(pnid, "447700900123")
    await env.emulator.drain()
    value = env.platform.received[0].value
    assert value["contacts"] == [{"profile": {"name": "Ana"}, "user_id": "GB.1234"}]
    assert "from" not in value["messages"][0]
    assert value["messages"][0]["from_user_id"] == "GB.1234"
    response = await env.send({"recipient": "GB.1234", "type": "text", "text": {"body": "hi"}})
    assert response.status_code == 200
    assert response.json()["contacts"] == [{"input": "GB.1234", "user_id": "GB.1234"}]
    await env.emulator.drain()
    assert env.platform.statuses()[0]["recipient_user_id"] == "GB.1234"


async def test_verify_handshake(env: Env) -> None:
    assert await env.emulator.verify_webhook(env.number.phone_number_id)
    assert not await env.emulator.verify_webhook(env.number.phone_number_id, "wrong")
