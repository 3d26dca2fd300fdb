"""Every fixture, posted signed through the real /webhook, yields the expected stored rows."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import func, select

from finnegans.context import AppContext
from finnegans.db.models import Contact, Conversation, Message, WebhookEvent, WhatsAppAccount
from finnegans.inbox.repository import MessageRepository
from finnegans.kit.clock import utcnow
from tests.integration.whatsapp.webhook_helpers import (
    FIXTURES,
    Number,
    connect_number,
    drain,
    fixture,
    post_signed,
    retarget,
    uniquify,
)

# fixture -> (message type, a fragment of the inbox text, checks on the stored summary/payload)
MESSAGE_FIXTURES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "inbound_text.json": ("text", "Does it come in another color?", {}),
    "dashboard_test_button_sample_text.json": ("text", "this is a text message", {}),
    "real_raw_wire_inbound_text.json": ("text", "Hihu", {}),
    "inbound_text_reply_context.json": ("text", "replied text", {"reply_to": "wamid.xyzxyz=="}),
    "inbound_text_ctwa_referral.json": ("text", "more info", {"referral": True}),
    "inbound_text_product_inquiry_context.json": ("text", "still available", {}),
    "inbound_image.json": ("image", "Taj Mahal", {"media.mime_type": "image/jpeg"}),
    "inbound_image_with_media_url.json": ("image", "", {"media.mime_type": "image/jpeg"}),
    "real_raw_wire_inbound_image_bsuid_escaped.json": (
        "image",
        "Hola quiero un café",
        {"media.mime_type": "image/jpeg"},
    ),
    "inbound_audio.json": ("audio", "", {"media.kind": "audio"}),
    "inbound_audio_voice.json": ("audio", "", {"media.voice": True}),
    "inbound_video.json": ("video", "caption", {"media.mime_type": "video/mp4"}),
    "inbound_document.json": ("document", "", {"media.filename": "filename.pdf"}),
    "inbound_sticker_animated.json": ("sticker", "", {"media.animated": True}),
    "inbound_location.json": ("location", "", {}),
    "inbound_contacts.json": ("contacts", "", {}),
    "inbound_interactive_button_reply.json": ("interactive", "", {}),
    "inbound_interactive_list_reply.json": ("interactive", "", {}),
    "inbound_interactive_nfm_reply_flow.json": ("interactive", "", {}),
    "inbound_button_template_quick_reply.json": ("button", "Unsubscribe", {}),
    "inbound_reaction.json": ("reaction", "", {"reaction_target": True}),
    "inbound_reaction_removed.json": ("reaction", "", {"reaction_emoji": None}),
    "inbound_order.json": ("order", "", {}),
    "inbound_system_customer_identity_changed.json": ("system", "", {}),
    "inbound_system_user_changed_number.json": ("system", "", {}),
    "inbound_unsupported.json": ("unsupported", "", {}),
}


def _dig(data: dict[str, Any], dotted: str) -> Any:
    for part in dotted.split("."):
        data = data.get(part) if isinstance(data, dict) else None  # type: ignore[assignment]
    return data


async def _messages(app: FastAPI, workspace_id: str) -> list[Message]:
    ctx: AppContext = app.state.ctx
    async with ctx.db.unit_of_work(write=False) as session:
        rows = await session.execute(
            select(Message).where(Message.workspace_id == workspace_id).order_by(Message.created_at)
        )
        return list(rows.scalars())


async def _post_fixture(
    client: AsyncClient, app: FastAPI, name: str, number: Number
) -> dict[str, Any]:
    body = uniquify(retarget(fixture(name), number), uuid.uuid4().hex[:8])
    response = await post_signed(client, body)
    assert response.status_code == 200, response.text
    await asyncio.wait_for(drain(app), 20)
    return body


@pytest.mark.parametrize("name", sorted(MESSAGE_FIXTURES))
async def test_inbound_message_fixture_is_stored(
    client: AsyncClient, app: FastAPI, name: str
) -> None:
    number = await connect_number(client)
    body = await _post_fixture(client, app, name, number)
    expected_type, text_fragment, checks = MESSAGE_FIXTURES[name]
    sent = body["entry"][0]["changes"][0]["value"]["messages"][0]

    stored = await _messages(app, number.owner.workspace_id)
    assert len(stored) == 1
    message = stored[0]
    assert message.type == expected_type
    assert message.direction == "inbound"
    assert message.wamid == sent["id"]
    assert text_fragment in (message.text or "")
    assert message.payload["message"]["id"] == sent["id"]
    summary = message.payload["summary"]
    for path, want in checks.items():
        got = _dig(summary, path)
        assert (got is not None) if want is True else got == want, (path, summary)

    ctx: AppContext = app.state.ctx
    async with ctx.db.unit_of_work(write=False) as session:
        contact = await session.get(Contact, message.contact_id)
        conversation = (
            await session.execute(
                select(Conversation).where(Conversation.contact_id == message.contact_id)
            )
        ).scalar_one()
    assert contact is not None
    assert contact.wa_id == sent.get("from") or contact.bsuid == sent.get("from_user_id")
    assert conversation.unread_count == 1
    # The window runs from when the customer sent it (Meta's timestamp), not from arrival.
    sent_at = datetime.fromtimestamp(int(sent["timestamp"]), UTC)
    assert conversation.window_expires_at == sent_at + timedelta(hours=24)


async def test_batch_with_two_changes_stores_both(client: AsyncClient, app: FastAPI) -> None:
    number = await connect_number(client)
    await _post_fixture(client, app, "batch_two_changes_in_one_entry.json", number)
    texts = sorted(m.text or "" for m in await _messages(app, number.owner.workspace_id))
    assert texts == ["MESSAGE_BODY", "MESSAGE_BODY2"]


async def test_batch_with_one_malformed_message_stores_the_good_ones(
    client: AsyncClient, app: FastAPI
) -> None:
    number = await connect_number(client)
    body = uniquify(retarget(fixture("batch_two_changes_in_one_entry.json"), number), "bad")
    del body["entry"][0]["changes"][0]["value"]["messages"][0]["text"]  # text message w/o text
    assert (await post_signed(client, body)).status_code == 200
    await asyncio.wait_for(drain(app), 20)
    texts = [m.text for m in await _messages(app, number.owner.workspace_id)]
    assert texts == ["MESSAGE_BODY2"]


async def test_non_ascii_text_round_trips_unchanged(client: AsyncClient, app: FastAPI) -> None:
    number = await connect_number(client)
    body = uniquify(retarget(fixture("inbound_text.json"), number), "utf")
    text = "مرحبا، أريد القهوة — café, ñandú 😮👍🏽"
    body["entry"][0]["changes"][0]["value"]["messages"][0]["text"]["body"] = text
    raw = json.dumps(body, separators=(",", ":"), ensure_ascii=True).replace("/", "\\/")
    assert "\\ud83d\\ude2e" in raw and "caf\\u00e9" in raw
    assert (await post_signed(client, raw.encode())).status_code == 200
    await asyncio.wait_for(drain(app), 20)
    [message] = await _messages(app, number.owner.workspace_id)
    assert message.text == text


async def test_same_webhook_three_times_at_once_stores_one_message(
    client: AsyncClient, app: FastAPI
) -> None:
    number = await connect_number(client)
    body = uniquify(retarget(fixture("inbound_text.json"), number), "dup")
    responses = await asyncio.gather(*(post_signed(client, body) for _ in range(3)))
    assert [r.status_code for r in responses] == [200, 200, 200]
    await asyncio.wait_for(drain(app), 20)
    stored = await _messages(app, number.owner.workspace_id)
    assert len(stored) == 1
    ctx: AppContext = app.state.ctx
    async with ctx.db.unit_of_work(write=False) as session:
        conversation = (
            await session.execute(
                select(Conversation).where(Conversation.contact_id == stored[0].contact_id)
            )
        ).scalar_one()
        events = (
            await session.execute(
                select(func.count())
                .select_from(WebhookEvent)
                .where(
                    WebhookEvent.workspace_id == number.owner.workspace_id,
                    WebhookEvent.status == "processed",
                )
            )
        ).scalar_one()
    assert conversation.unread_count == 1  # the duplicates changed nothing
    assert events == 3  # every delivery was stored and processed, none lost


def _status_body(number: Number, wamid: str, status: str, ts: int, **extra: Any) -> dict[str, Any]:
    body = retarget(fixture("status_sent_pmp_marketing.json"), number)
    item = body["entry"][0]["changes"][0]["value"]["statuses"][0]
    item.update({"id": wamid, "status": status, "timestamp": str(ts), **extra})
    if status != "sent":
        item.pop("conversation", None)
        item.pop("pricing", None)
    return body


async def _outbound(app: FastAPI, number: Number, wamid: str) -> str:
    """Record an outbound message the way the send path does (after the Graph API answered)."""
    ctx: AppContext = app.state.ctx
    async with ctx.db.unit_of_work() as session:
        from finnegans.contacts.repository import ContactRepository

        contact = await ContactRepository(session).upsert_from_whatsapp(
            number.owner.workspace_id, wa_id="16505551234", bsuid=None, name="Ana", seen_at=utcnow()
        )
        await session.flush()
        message_id = await MessageRepository(session).insert_outbound(
            {
                "workspace_id": number.owner.workspace_id,
                "contact_id": contact.id,
                "whatsapp_account_id": number.account_id,
                "type": "text",
                "text": "Hi!",
                "wamid": wamid,
                "status": "pending",
            }
        )
    return message_id


async def test_statuses_shuffled_duplicated_and_early_end_read(
    client: AsyncClient, app: FastAPI
) -> None:
    number = await connect_number(client)
    wamid = f"wamid.out.{uuid.uuid4().hex}"
    # Meta reports read before delivered before sent, some twice, and before our send
    # has even recorded the wamid.
    order = [("read", 30), ("read", 30), ("delivered", 20), ("sent", 10), ("delivered", 20)]
    for status, ts in order[:2]:
        assert (
            await post_signed(client, _status_body(number, wamid, status, 1_700_000_000 + ts))
        ).status_code == 200
    await asyncio.wait_for(drain(app), 20)
    await _outbound(app, number, wamid)
    await asyncio.gather(
        *(
            post_signed(client, _status_body(number, wamid, status, 1_700_000_000 + ts))
            for status, ts in order[2:]
        )
    )
    await asyncio.wait_for(drain(app), 20)
    [message] = await _messages(app, number.owner.workspace_id)
    assert message.status == "read"
    assert message.sent_at and message.delivered_at and message.read_at
    assert message.sent_at < message.delivered_at < message.read_at


@pytest.mark.parametrize(
    ("name", "status", "code"),
    [
        ("status_failed_131049_ecosystem.json", "failed", 131049),
        ("status_failed_130472_experiment.json", "failed", 130472),
        ("status_played_voice.json", "played", None),
        ("real_status_sent_cbp_service.json", "sent", None),
        ("real_status_read_without_delivered.json", "read", None),
        ("status_sent_with_biz_opaque_callback_data.json", "sent", None),
        ("status_v24_no_conversation_no_pricing.json", "sent", None),
    ],
)
async def test_status_fixture_updates_the_message(
    client: AsyncClient, app: FastAPI, name: str, status: str, code: int | None
) -> None:
    number = await connect_number(client)
    body = uniquify(retarget(fixture(name), number), uuid.uuid4().hex[:8])
    wamid = body["entry"][0]["changes"][0]["value"]["statuses"][0]["id"]
    await _outbound(app, number, wamid)
    assert (await post_signed(client, body)).status_code == 200
    await asyncio.wait_for(drain(app), 20)
    [message] = await _messages(app, number.owner.workspace_id)
    assert message.status == status
    assert message.error_code == code
    if code:
        assert message.error_title


async def test_failed_never_overrides_delivered(client: AsyncClient, app: FastAPI) -> None:
    number = await connect_number(client)
    wamid = f"wamid.out.{uuid.uuid4().hex}"
    await _outbound(app, number, wamid)
    await post_signed(client, _status_body(number, wamid, "delivered", 1_700_000_100))
    await post_signed(
        client,
        _status_body(
            number,
            wamid,
            "failed",
            1_700_000_200,
            errors=[{"code": 131049, "title": "x", "message": "x", "error_data": {"details": "x"}}],
        ),
    )
    await asyncio.wait_for(drain(app), 20)
    [message] = await _messages(app, number.owner.workspace_id)
    assert message.status == "delivered" and message.error_code is None


async def test_throughput_upgrade_raises_the_send_budget(client: AsyncClient, app: FastAPI) -> None:
    number = await connect_number(client)
    body = retarget(fixture("phone_number_quality_update_throughput_upgrade.json"), number)
    assert (await post_signed(client, body)).status_code == 200
    await asyncio.wait_for(drain(app), 20)
    ctx: AppContext = app.state.ctx
    async with ctx.db.unit_of_work(write=False) as session:
        account = await session.get(WhatsAppAccount, number.account_id)
    assert account is not None and account.send_budget_per_second == 1000


@pytest.mark.parametrize(
    "name",
    [
        "message_template_status_update_approved.json",
        "message_template_status_update_rejected.json",
        "account_update_account_restriction.json",
        "value_errors_130429_rate_limit.json",
    ],
)
async def test_other_fields_are_accepted_and_processed(
    client: AsyncClient, app: FastAPI, name: str
) -> None:
    number = await connect_number(client)
    assert (await post_signed(client, retarget(fixture(name), number))).status_code == 200
    await asyncio.wait_for(drain(app), 20)
    ctx: AppContext = app.state.ctx
    async with ctx.db.unit_of_work(write=False) as session:
        statuses = (
            (
                await session.execute(
                    select(WebhookEvent.status).where(
                        WebhookEvent.workspace_id == number.owner.workspace_id
                    )
                )
            )
            .scalars()
            .all()
        )
        account = await session.get(WhatsAppAccount, number.account_id)
    assert statuses == ["processed"]
    if name.startswith("account_update"):
        assert account is not None and "ACCOUNT_RESTRICTION" in (account.status_detail or "")


def test_every_fixture_is_covered() -> None:
    covered = set(MESSAGE_FIXTURES) | {
        "batch_two_changes_in_one_entry.json",
        "phone_number_quality_update_throughput_upgrade.json",
        "message_template_status_update_approved.json",
        "message_template_status_update_rejected.json",
        "account_update_account_restriction.json",
        "value_errors_130429_rate_limit.json",
        "status_failed_131049_ecosystem.json",
        "status_failed_130472_experiment.json",
        "status_played_voice.json",
        "real_status_sent_cbp_service.json",
        "real_status_read_without_delivered.json",
        "status_sent_with_biz_opaque_callback_data.json",
        "status_v24_no_conversation_no_pricing.json",
        "status_sent_pmp_marketing.json",
    }
    assert {p.name for p in FIXTURES.glob("*.json")} <= covered
