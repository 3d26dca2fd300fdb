"""Typed parsing of WhatsApp webhook bodies: one test per fixture, then batch robustness."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from finnegans.whatsapp.inbound import (
    InboundMessageEvent,
    InvalidWebhookBody,
    ParsedWebhook,
    StatusEvent,
    parse_webhook,
)
from finnegans.whatsapp.inbound.messages import (
    MESSAGE_ADAPTER,
    AudioMessage,
    ButtonMessage,
    ContactsMessage,
    DocumentMessage,
    ImageMessage,
    InteractiveMessage,
    LocationMessage,
    OrderMessage,
    ReactionMessage,
    StickerMessage,
    SystemMessage,
    TextMessage,
    UnsupportedMessage,
    VideoMessage,
)
from finnegans.whatsapp.inbound.models import MessagesValue, WebhookBody

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "whatsapp"
FIXTURE_NAMES = sorted(p.name for p in FIXTURES.glob("*.json"))


def at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def parse_fixture(name: str) -> ParsedWebhook:
    # Raw bytes, as the HTTP endpoint receives them.
    result = parse_webhook((FIXTURES / name).read_bytes())
    assert result.skipped == []
    assert result.object == "whatsapp_business_account"
    return result


def only_message(name: str) -> InboundMessageEvent:
    result = parse_fixture(name)
    assert result.statuses == []
    assert len(result.messages) == 1
    return result.messages[0]


def only_status(name: str) -> StatusEvent:
    result = parse_fixture(name)
    assert result.messages == []
    assert len(result.statuses) == 1
    return result.statuses[0]


# --- every fixture -------------------------------------------------------------------------------


def test_all_forty_fixtures_have_a_dedicated_test() -> None:
    source = Path(__file__).read_text(encoding="utf-8")
    assert len(FIXTURE_NAMES) == 40
    missing = [name for name in FIXTURE_NAMES if f'"{name}"' not in source]
    assert missing == []


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture_also_validates_with_the_all_or_nothing_models(name: str) -> None:
    body = WebhookBody.model_validate_json((FIXTURES / name).read_bytes())
    for entry in body.entry:
        for change in entry.changes:
            if change.field == "messages":
                MessagesValue.model_validate(change.value)
    assert parse_webhook(json.loads((FIXTURES / name).read_bytes())) == parse_fixture(name)


# --- inbound messages ------------------------------------------------------------------------


def test_inbound_text() -> None:
    event = only_message("inbound_text.json")
    assert isinstance(event.message, TextMessage)
    assert event.message.text.body == "Does it come in another color?"
    assert event.summary.text == "Does it come in another color?"
    assert event.waba_id == "419561257915477"
    assert event.phone_number_id == "106540352242922"
    assert event.display_phone_number == "15550783881"
    assert (event.wa_id, event.user_id) == ("16505551234", None)
    assert event.profile_name == "Sheena Nelson"
    assert event.wamid == "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="
    assert event.timestamp == datetime(2025, 6, 8, 20, 59, 43, tzinfo=UTC)
    assert event.timestamp.utcoffset() is not None
    assert event.summary.media is None
    assert event.summary.reply_to is None


def test_dashboard_test_button_sample_text() -> None:
    event = only_message("dashboard_test_button_sample_text.json")
    assert event.waba_id == "0"  # the dashboard Test button has no real WABA
    assert event.phone_number_id == "123456123"
    assert event.wamid == "ABGGFlA5Fpa"  # not even a wamid
    assert event.wa_id == "16315551181"
    assert event.profile_name == "test user name"
    assert event.summary.text == "this is a text message"


def test_real_raw_wire_inbound_text() -> None:
    event = only_message("real_raw_wire_inbound_text.json")
    assert event.summary.text == "Hihu"
    assert event.profile_name == "Lee Jen Ling"
    assert event.wa_id == "60173526233"
    assert event.phone_number_id == "114896151713920"
    assert event.timestamp == at(1694427240)


def test_real_raw_wire_inbound_image_bsuid_escaped() -> None:
    raw = (FIXTURES / "real_raw_wire_inbound_image_bsuid_escaped.json").read_bytes()
    assert b"caf\\u00e9" in raw and b"image\\/jpeg" in raw  # really the escaped wire format
    event = only_message("real_raw_wire_inbound_image_bsuid_escaped.json")
    assert isinstance(event.message, ImageMessage)
    assert event.summary.text == "Hola quiero un café"
    media = event.summary.media
    assert media is not None
    assert (media.kind, media.id, media.mime_type) == ("image", "27251809591111687", "image/jpeg")
    assert media.caption == "Hola quiero un café"
    assert media.url is not None and media.url.startswith("https://lookaside.fbsbx.com/")
    assert event.wa_id == "51920155032"
    assert event.user_id == "PE.967744529547245"
    assert event.message.from_user_id == "PE.967744529547245"
    assert event.profile_name == "Carlos Polanco"


def test_inbound_text_reply_context() -> None:
    event = only_message("inbound_text_reply_context.json")
    assert event.summary.text == "replied text"
    assert event.summary.reply_to == "wamid.xyzxyz=="
    assert event.message.context is not None
    assert event.message.context.from_ == "972123456789"
    assert event.user_id == "US.13491208655302741918"  # from contacts[], not the message


def test_inbound_text_product_inquiry_context() -> None:
    event = only_message("inbound_text_product_inquiry_context.json")
    assert event.summary.text == "Is this still available?"
    context = event.message.context
    assert context is not None and context.referred_product is not None
    assert context.referred_product.catalog_id == "194836987003835"
    assert context.referred_product.product_retailer_id == "di9ozbzfi4"
    assert event.summary.reply_to == "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGA9wcm9kdWN0X2lucXVpcnkA"


def test_inbound_text_ctwa_referral() -> None:
    event = only_message("inbound_text_ctwa_referral.json")
    assert event.summary.text == "Hello! Can I get more info on this?"
    referral = event.summary.referral
    assert referral is not None
    assert referral.source_type == "ad"
    assert referral.source_id == "120226305854810726"
    assert referral.headline == "Chat with us"
    assert referral.ctwa_clid is not None and referral.ctwa_clid.startswith("Aff-n8ZTODiE")
    assert referral.welcome_message is not None
    assert referral.welcome_message.text == "Hi there! Let us know how we can help!"


def test_inbound_image() -> None:
    event = only_message("inbound_image.json")
    assert isinstance(event.message, ImageMessage)
    assert event.summary.text == "Taj Mahal"
    media = event.summary.media
    assert media is not None
    assert (media.id, media.mime_type, media.caption) == (
        "1003383421387256",
        "image/jpeg",
        "Taj Mahal",
    )
    assert media.sha256 == "SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI="
    assert media.url is None


def test_inbound_image_with_media_url() -> None:
    event = only_message("inbound_image_with_media_url.json")
    media = event.summary.media
    assert media is not None
    assert (media.id, media.mime_type) == ("65463453", "image/jpeg")
    assert media.url is not None and "mid=65463453" in media.url
    assert event.summary.text == "[image]"


def test_inbound_video() -> None:
    event = only_message("inbound_video.json")
    assert isinstance(event.message, VideoMessage)
    media = event.summary.media
    assert media is not None
    assert (media.kind, media.id, media.mime_type) == ("video", "765756756", "video/mp4")
    assert event.summary.text == "caption"
    assert event.summary.forwarded is True


def test_inbound_audio() -> None:
    event = only_message("inbound_audio.json")
    assert isinstance(event.message, AudioMessage)
    assert event.message.audio.voice is False
    media = event.summary.media
    assert media is not None
    assert (media.id, media.mime_type, media.voice) == (
        "1234567890987654321",
        "audio/ogg; codecs=opus",
        False,
    )
    assert event.summary.text == "[audio]"
    assert event.summary.forwarded is True


def test_inbound_audio_voice() -> None:
    event = only_message("inbound_audio_voice.json")
    assert isinstance(event.message, AudioMessage)
    assert event.message.audio.voice is True
    assert event.summary.media is not None and event.summary.media.voice is True
    assert event.summary.text == "[voice message]"
    assert event.summary.forwarded is False


def test_inbound_document() -> None:
    event = only_message("inbound_document.json")
    assert isinstance(event.message, DocumentMessage)
    media = event.summary.media
    assert media is not None
    assert (media.filename, media.caption, media.mime_type) == (
        "filename.pdf",
        "caption",
        "application/pdf",
    )
    assert event.summary.text == "caption"


def test_inbound_sticker_animated() -> None:
    event = only_message("inbound_sticker_animated.json")
    assert isinstance(event.message, StickerMessage)
    media = event.summary.media
    assert media is not None
    assert (media.kind, media.mime_type, media.animated) == ("sticker", "image/webp", True)
    assert event.summary.text == "[sticker]"


def test_inbound_location() -> None:
    event = only_message("inbound_location.json")
    assert isinstance(event.message, LocationMessage)
    place = event.message.location
    assert (place.latitude, place.longitude) == (37.44221496582, -122.16165924072)
    assert place.name == "Philz Coffee"
    assert place.address == "101 Forest Ave, Palo Alto, CA 94301"
    assert place.url == "https://philzcoffee.com/"
    assert event.summary.text == "Philz Coffee"


def test_inbound_contacts() -> None:
    event = only_message("inbound_contacts.json")
    assert isinstance(event.message, ContactsMessage)
    (card,) = event.message.contacts
    assert card.name is not None and card.name.formatted_name == "Lucía Gómez"
    assert card.org is not None and card.org.company == "Google"
    assert [(p.phone, p.wa_id, p.type) for p in card.phones] == [
        ("+1 (983) 555-2319", "19835552319", "MOBILE")
    ]
    assert event.summary.text == "[contact: Lucía Gómez]"
    assert event.profile_name == "Sheena Nelson"  # the sender, not the shared card


def test_inbound_interactive_button_reply() -> None:
    event = only_message("inbound_interactive_button_reply.json")
    assert isinstance(event.message, InteractiveMessage)
    reply = event.message.interactive.button_reply
    assert reply is not None and (reply.id, reply.title) == ("cancel-button", "Cancel")
    assert event.summary.text == "Cancel"
    assert event.summary.reply_to == "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MEM2RUJFNkI0RENGQTVDRjUA"


def test_inbound_interactive_list_reply() -> None:
    event = only_message("inbound_interactive_list_reply.json")
    assert isinstance(event.message, InteractiveMessage)
    reply = event.message.interactive.list_reply
    assert reply is not None
    assert (reply.id, reply.title, reply.description) == (
        "priority_express",
        "Priority Mail Express",
        "Next Day to 2 Days",
    )
    assert event.summary.text == "Priority Mail Express"


def test_inbound_interactive_nfm_reply_flow() -> None:
    event = only_message("inbound_interactive_nfm_reply_flow.json")
    assert isinstance(event.message, InteractiveMessage)
    flow = event.message.interactive.nfm_reply
    assert flow is not None
    assert flow.response_json == {
        "comment_text": "Comment Text",
        "delivery_rating": "4",
        "flow_token": "AQAAAAACS5FpgQ_cAAAAAD0QI3s.",
        "purchase_rating": "2",
        "recommend_radio": "0",
        "cs_rating": "0",
    }
    assert flow.flow_token == "AQAAAAACS5FpgQ_cAAAAAD0QI3s."
    assert (flow.name, flow.body) == ("flow", "Sent")
    assert event.summary.text == "[form response]"
    assert event.summary.reply_to == "wamid.gvwegfretge=="


def test_inbound_button_template_quick_reply() -> None:
    event = only_message("inbound_button_template_quick_reply.json")
    assert isinstance(event.message, ButtonMessage)
    assert (event.message.button.text, event.message.button.payload) == (
        "Unsubscribe",
        "Unsubscribe",
    )
    assert event.summary.text == "Unsubscribe"
    assert event.summary.reply_to == "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJFNjk2OTMwNEZCQjhGMzUyQUYA"


def test_inbound_reaction() -> None:
    event = only_message("inbound_reaction.json")
    assert isinstance(event.message, ReactionMessage)
    assert event.message.reaction.removed is False
    assert event.summary.reaction_emoji == "👍"
    assert (
        event.summary.reaction_target
        == "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0RTJEOTc2ODVERUY5RDlGNkYA"
    )
    assert event.summary.text == "👍"


def test_inbound_reaction_removed() -> None:
    event = only_message("inbound_reaction_removed.json")
    assert isinstance(event.message, ReactionMessage)
    assert event.message.reaction.emoji == ""
    assert event.message.reaction.removed is True
    assert event.summary.reaction_emoji is None
    assert event.summary.reaction_target == "wamid.yzxyzx="
    assert event.summary.text == "[reaction removed]"


def test_inbound_order() -> None:
    event = only_message("inbound_order.json")
    assert isinstance(event.message, OrderMessage)
    order = event.message.order
    assert order.catalog_id == "194836987003835"
    assert [
        (i.product_retailer_id, i.quantity, i.item_price, i.currency) for i in order.product_items
    ] == [
        ("di9ozbzfi4", 2, Decimal(30), "USD"),
        ("nqryix03ez", 1, Decimal(25), "USD"),
    ]
    assert event.summary.text == "[order: 2 items]"  # order.text is ""


def test_inbound_system_user_changed_number() -> None:
    event = only_message("inbound_system_user_changed_number.json")
    assert isinstance(event.message, SystemMessage)
    assert event.message.system.type == "user_changed_number"
    assert event.message.system.wa_id == "12195555358"  # the new number
    assert event.wa_id == "16505551234"  # the old one
    assert event.contact is None and event.profile_name is None  # no contacts[] for this type
    assert event.summary.text == "User Sheena Nelson changed from 16505551234 to 12195555358"


def test_inbound_system_customer_identity_changed() -> None:
    event = only_message("inbound_system_customer_identity_changed.json")
    assert isinstance(event.message, SystemMessage)
    assert event.message.system.type == "customer_identity_changed"
    identity = event.message.identity
    assert identity is not None
    assert identity.acknowledged is True
    assert identity.created_timestamp == at(1697044706)
    assert identity.hash == "xyzxyz"
    assert event.summary.text == "User identity changed"
    assert event.profile_name == "User A"


def test_inbound_unsupported() -> None:
    event = only_message("inbound_unsupported.json")
    assert isinstance(event.message, UnsupportedMessage)
    (error,) = event.message.errors
    assert (error.code, error.title) == (131051, "Message type unknown")
    assert error.details == "Message type is currently not supported."
    assert event.summary.text == "[unsupported message]"


def test_batch_two_changes_in_one_entry() -> None:
    result = parse_fixture("batch_two_changes_in_one_entry.json")
    assert [m.summary.text for m in result.messages] == ["MESSAGE_BODY", "MESSAGE_BODY2"]
    assert [m.timestamp for m in result.messages] == [at(1669233778), at(1669233779)]
    assert {m.waba_id for m in result.messages} == {"WHATSAPP_BUSINESS_ACCOUNT_ID"}
    assert {m.phone_number_id for m in result.messages} == {"PHONE_NUMBER_ID"}
    assert {m.profile_name for m in result.messages} == {"NAME"}


# --- statuses ---------------------------------------------------------------------------------


def test_status_sent_pmp_marketing() -> None:
    status = only_status("status_sent_pmp_marketing.json")
    assert status.status == "sent"
    assert status.wamid == "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA="
    assert status.timestamp == at(1750030073)
    assert status.recipient_id == "16505551234"
    assert (status.pricing_model, status.pricing_type, status.pricing_category) == (
        "PMP",
        "regular",
        "marketing",
    )
    assert status.conversation_id == "72b14d6bd5407799e66f64d1b338e567"
    conversation = status.detail.conversation
    assert conversation is not None and conversation.expiration_timestamp == at(1750116480)
    assert status.error_code is None


def test_status_v24_no_conversation_no_pricing() -> None:
    status = only_status("status_v24_no_conversation_no_pricing.json")
    assert status.status == "sent"  # Meta's doc captions this example as "read"
    assert status.detail.conversation is None and status.detail.pricing is None
    assert status.pricing_category is None and status.conversation_id is None


def test_status_sent_with_biz_opaque_callback_data() -> None:
    status = only_status("status_sent_with_biz_opaque_callback_data.json")
    assert status.biz_opaque_callback_data == "some data"
    assert status.pricing_category == "service"
    assert status.recipient_user_id == "US.13491208655302741918"  # filled from contacts[]


def test_status_played_voice() -> None:
    status = only_status("status_played_voice.json")
    assert status.status == "played"
    assert status.timestamp == at(1689380458)
    assert status.phone_number_id == "1122334455667"


def test_status_failed_131049_ecosystem() -> None:
    status = only_status("status_failed_131049_ecosystem.json")
    assert status.status == "failed"
    assert status.error_code == 131049
    assert status.error_title == (
        "This message was not delivered to maintain healthy ecosystem engagement."
    )
    assert status.error_details == (
        "In order to maintain a healthy ecosystem engagement, the message failed to be delivered."
    )
    assert status.pricing_category is None


def test_status_failed_130472_experiment() -> None:
    status = only_status("status_failed_130472_experiment.json")
    assert status.status == "failed"
    assert status.error_code == 130472
    assert status.error_title == "User's number is part of an experiment"
    assert status.error_details is not None and "part of an experiment" in status.error_details
    assert status.recipient_id == "972987654321"


def test_real_status_sent_cbp_service() -> None:
    status = only_status("real_status_sent_cbp_service.json")
    assert status.status == "sent"
    assert status.timestamp == at(1698903217)
    assert (status.pricing_model, status.pricing_category) == ("CBP", "service")
    assert status.waba_id == "125893850603278"


def test_real_status_read_without_delivered() -> None:
    status = only_status("real_status_read_without_delivered.json")
    assert status.status == "read"
    assert status.timestamp == at(1698903218)  # 1 s after `sent`, no `delivered` in between
    assert status.wamid == "wamid.HBgMOTE5MDk2MDUzOTcwFQIAERgSMDhFNzkzQ0QzQUMzQTVGQjA2AA=="
    assert status.recipient_id == "919096053970"


def test_value_errors_130429_rate_limit() -> None:
    result = parse_fixture("value_errors_130429_rate_limit.json")
    assert result.messages == [] and result.statuses == []
    (error,) = result.errors
    assert error.code == 130429
    assert error.phone_number_id == "106540352242922"
    assert error.error.title == "Rate limit hit"
    assert error.error.details is not None and "too many messages" in error.error.details


# --- management fields ---------------------------------------------------------------------------


def test_message_template_status_update_approved() -> None:
    (event,) = parse_fixture("message_template_status_update_approved.json").template_updates
    update = event.update
    assert update.event == "APPROVED"
    assert update.message_template_id == 1689556908129832
    assert update.message_template_name == "order_confirmation"
    assert update.message_template_language == "en-US"
    assert update.message_template_category == "UTILITY"
    assert update.reason == "NONE"
    assert event.waba_id == "102290129340398"
    assert event.time == datetime(2025, 6, 30, 1, 39, 8, tzinfo=UTC)


def test_message_template_status_update_rejected() -> None:
    (event,) = parse_fixture("message_template_status_update_rejected.json").template_updates
    update = event.update
    assert (update.event, update.reason) == ("REJECTED", "INVALID_FORMAT")
    assert update.message_template_name == "abandoned_cart"
    assert update.rejection_info is not None
    assert update.rejection_info.reason is not None
    assert update.rejection_info.reason.startswith("Your template has parameters placed next")


def test_account_update_account_restriction() -> None:
    (event,) = parse_fixture("account_update_account_restriction.json").account_updates
    assert event.update.event == "ACCOUNT_RESTRICTION"
    assert [(r.restriction_type, r.expiration) for r in event.update.restriction_info] == [
        ("RESTRICTED_BIZ_INITIATED_MESSAGING", at(1641330498)),
        ("RESTRICTED_ADD_PHONE_NUMBER_ACTION", at(1641330498)),
    ]
    assert event.time == at(1641330498)


def test_phone_number_quality_update_throughput_upgrade() -> None:
    (event,) = parse_fixture("phone_number_quality_update_throughput_upgrade.json").quality_updates
    assert event.is_throughput_upgrade is True
    assert event.update.event == "THROUGHPUT_UPGRADE"
    assert event.update.messaging_limit == "TIER_UNLIMITED"
    # No phone_number_id in this field: route by display number within the WABA.
    assert event.update.display_phone_number == "15550783881"
    assert event.waba_id == "102290129340398"
    assert event.time == at(1748454394)


@pytest.mark.parametrize(
    ("value", "upgrade"),
    [
        ({"event": "ONBOARDING", "throughput": {"level": "HIGH"}}, True),
        ({"event": "ONBOARDING", "throughput": {"level": "STANDARD"}}, False),
        ({"event": "FLAGGED", "current_limit": "TIER_1K"}, False),
        ({"event": "UPGRADE", "max_daily_conversations_per_business": "TIER_10K"}, False),
    ],
)
def test_quality_update_throughput_recognition(value: dict[str, Any], upgrade: bool) -> None:
    result = parse_webhook(_management_body("phone_number_quality_update", value))
    assert [e.is_throughput_upgrade for e in result.quality_updates] == [upgrade]


# --- robustness ----------------------------------------------------------------------------------


def _messages_body(messages: list[Any], **value: Any) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "111",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550001111",
                                "phone_number_id": "222",
                            },
                            "contacts": [{"profile": {"name": "Ana"}, "wa_id": "34600000001"}],
                            "messages": messages,
                            **value,
                        },
                    }
                ],
            }
        ],
    }


def _management_body(field: str, value: dict[str, Any]) -> dict[str, Any]:
    change = {"field": field, "value": value}
    return {"object": "whatsapp_business_account", "entry": [{"id": "111", "changes": [change]}]}


def _text(wamid: str, body: str = "hi", **extra: Any) -> dict[str, Any]:
    message = {"from": "34600000001", "id": wamid, "timestamp": "1700000000", "type": "text"}
    return {**message, "text": {"body": body}, **extra}


def test_one_malformed_message_does_not_fail_the_batch() -> None:
    missing_text = _text("wamid.B")
    del missing_text["text"]
    numeric_from = _text("wamid.C")
    numeric_from["from"] = 34600000001
    bad_time = _text("wamid.D", timestamp="99999999999999999999")
    body = _messages_body(
        [_text("wamid.A", "first"), missing_text, numeric_from, bad_time, _text("wamid.E", "last")]
    )

    result = parse_webhook(json.dumps(body).encode())

    assert [m.wamid for m in result.messages] == ["wamid.A", "wamid.E"]
    assert [m.summary.text for m in result.messages] == ["first", "last"]
    assert [s.raw for s in result.skipped] == [missing_text, numeric_from, bad_time]
    assert {s.kind for s in result.skipped} == {"message"}
    assert {s.phone_number_id for s in result.skipped} == {"222"}
    assert "text.text" in result.skipped[0].reason
    assert "from" in result.skipped[1].reason
    assert "timestamp" in result.skipped[2].reason
    assert "34600000001" not in result.skipped[1].reason  # reasons carry no user data


def test_one_malformed_status_does_not_fail_the_batch() -> None:
    good = {"id": "wamid.S1", "status": "delivered", "timestamp": "1700000000", "recipient_id": "1"}
    bad = {**good, "id": "wamid.S2", "timestamp": "yesterday"}
    unknown = {**good, "id": "wamid.S3", "status": "exploded"}
    result = parse_webhook(_messages_body([], statuses=[good, bad, unknown]))
    assert [s.wamid for s in result.statuses] == ["wamid.S1"]
    assert [(s.kind, s.raw["id"]) for s in result.skipped] == [
        ("status", "wamid.S2"),
        ("status", "wamid.S3"),
    ]


def test_unknown_message_type_is_kept_raw() -> None:
    edit = {
        "from": "34600000001",
        "id": "wamid.X",
        "timestamp": "1700000000",
        "type": "edit",
        "edit": {},
    }
    original = copy.deepcopy(edit)
    result = parse_webhook(_messages_body([edit, _text("wamid.Y")]))
    assert [m.wamid for m in result.messages] == ["wamid.Y"]
    (skipped,) = result.skipped
    assert skipped.reason == "unknown message type 'edit'"
    assert skipped.raw == original


def test_message_without_type_or_sender_is_skipped() -> None:
    no_type = {"from": "1", "id": "wamid.T", "timestamp": "1700000000", "text": {"body": "x"}}
    no_sender = {"id": "wamid.U", "timestamp": "1700000000", "type": "text", "text": {"body": "x"}}
    result = parse_webhook(_messages_body([no_type, no_sender]))
    assert result.messages == []
    assert result.skipped[0].reason == "message has no 'type'"
    assert "neither 'from' nor 'from_user_id'" in result.skipped[1].reason


def test_unknown_field_is_kept_raw_and_siblings_still_parse() -> None:
    body = _messages_body([_text("wamid.A")])
    calls = {"field": "calls", "value": {"calls": [{"id": "wacid.1", "event": "connect"}]}}
    body["entry"][0]["changes"].append(calls)
    result = parse_webhook(body)
    assert [m.wamid for m in result.messages] == ["wamid.A"]
    (skipped,) = result.skipped
    assert (skipped.kind, skipped.field, skipped.waba_id) == ("change", "calls", "111")
    assert skipped.reason == "unhandled field 'calls'"
    assert skipped.raw == calls


def test_user_preferences_are_typed_by_number_and_kept_whole() -> None:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001111", "phone_number_id": "222"},
        "user_preferences": [{"wa_id": "5491100000001", "category": "marketing_messages",
                              "value": "stop", "timestamp": 1764300000}],
    }  # fmt: skip
    change = {"field": "user_preferences", "value": value}
    body = {"object": "whatsapp_business_account", "entry": [{"id": "111", "changes": [change]}]}
    (event,) = parse_webhook(body).user_preferences
    assert (event.waba_id, event.phone_number_id, event.value) == ("111", "222", value)
    # Without metadata we cannot tell which number (so which workspace) it is for.
    del value["metadata"]
    result = parse_webhook(body)
    assert result.user_preferences == [] and result.skipped[0].reason == "metadata: Field required"


def test_bad_entries_and_changes_are_skipped_individually() -> None:
    body = _messages_body([_text("wamid.A")])
    body["entry"].extend([42, {"changes": []}, {"id": "9", "changes": "nope"}])
    body["entry"][0]["changes"].append({"field": "messages", "value": {"messages": []}})
    result = parse_webhook(body)
    assert [m.wamid for m in result.messages] == ["wamid.A"]
    assert [s.kind for s in result.skipped] == ["change", "entry", "entry", "entry"]
    assert "metadata" in result.skipped[0].reason


def test_bsuid_only_sender_is_matched_by_user_id() -> None:
    message = {
        "from_user_id": "US.2",
        "id": "wamid.B",
        "timestamp": "1700000000",
        "type": "text",
        "text": {"body": "hey"},
    }
    contacts = [
        {"profile": {"name": "One"}, "user_id": "US.1"},
        {"profile": {"name": "Two", "username": "two"}, "user_id": "US.2"},
    ]
    (event,) = parse_webhook(_messages_body([message], contacts=contacts)).messages
    assert (event.wa_id, event.user_id, event.profile_name) == (None, "US.2", "Two")


def test_edge_shapes_are_tolerated() -> None:
    unreaction = {
        "from": "1",
        "id": "wamid.R",
        "timestamp": "1700000000",
        "type": "reaction",
        "reaction": {"message_id": "wamid.Q"},
    }
    bad_flow = {
        "from": "1",
        "id": "wamid.F",
        "timestamp": "1700000000",
        "type": "interactive",
        "interactive": {"type": "nfm_reply", "nfm_reply": {"response_json": "{not json"}},
        "brand_new_key": {"kept": True},
    }
    result = parse_webhook(_messages_body([unreaction, bad_flow]))
    assert result.skipped == []
    reaction, flow = result.messages
    assert reaction.summary.reaction_emoji is None and reaction.summary.text == "[reaction removed]"
    assert isinstance(flow.message, InteractiveMessage)
    assert flow.message.interactive.nfm_reply is not None
    assert flow.message.interactive.nfm_reply.response_json == "{not json"
    assert flow.message.model_extra == {"brand_new_key": {"kept": True}}


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"\xff\xfe\x00garbage",
        b"",
        b"[1, 2]",
        b'"entry"',
        b'{"object": "whatsapp_business_account"}',
        b'{"object": "whatsapp_business_account", "entry": {}}',
        b'{"entry": [], "x": NaN}',
    ],
)
def test_non_webhook_bodies_raise(body: bytes) -> None:
    with pytest.raises(InvalidWebhookBody):
        parse_webhook(body)


def test_empty_entry_list_is_valid_and_empty() -> None:
    result = parse_webhook(b'{"object":"whatsapp_business_account","entry":[]}')
    assert result == ParsedWebhook(object="whatsapp_business_account")


@pytest.mark.parametrize("name", [n for n in FIXTURE_NAMES if "inbound" in n])
def test_dumped_message_validates_back(name: str) -> None:
    # Consumers store `model_dump(mode="json")` (ISO timestamps) and may re-read it later.
    (event,) = parse_fixture(name).messages
    dumped = event.message.model_dump(mode="json", by_alias=True, exclude_none=True)
    assert MESSAGE_ADAPTER.validate_python(dumped) == event.message


@pytest.mark.parametrize("stamp", ["yesterday", "2023-11-02T05:33:38", "-5", "1.5", "\u0661\u0662"])
def test_bad_timestamps_are_validation_errors(stamp: str) -> None:
    result = parse_webhook(_messages_body([_text("wamid.A", timestamp=stamp)]))
    assert result.messages == []
    assert "timestamp" in result.skipped[0].reason
