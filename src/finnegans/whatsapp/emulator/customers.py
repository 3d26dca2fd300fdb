"""Simulated customers' messages: builders for every inbound type, and the webhook object.

Each builder returns an `InboundMessage`; `Emulator.customer_sends(...)` turns it into the
`value.messages[]` object of Meta's webhook (fixtures in `tests/fixtures/whatsapp/`), storing
any media so the Graph media endpoints can serve it.
"""

from __future__ import annotations

import json
import secrets
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any

from finnegans.whatsapp.emulator.state import MediaItem

MEDIA_KINDS = frozenset({"image", "audio", "video", "document", "sticker"})


@dataclass
class MediaBlob:
    data: bytes | None  # None: generate a small placeholder of the right kind
    mime_type: str
    filename: str | None = None


@dataclass
class InboundMessage:
    type: str
    content: Any = None  # the `<type>` object (a list for contacts)
    reply_to: str | None = None  # wamid of the quoted business message -> context{from,id}
    context: dict[str, Any] = field(default_factory=dict)  # forwarded, referred_product, ...
    referral: dict[str, Any] | None = None
    media: MediaBlob | None = None
    errors: list[dict[str, Any]] | None = None


def _ctx(forwarded: bool, frequently_forwarded: bool = False) -> dict[str, Any]:
    if frequently_forwarded:
        return {"frequently_forwarded": True}
    return {"forwarded": True} if forwarded else {}


def text(
    body: str,
    *,
    reply_to: str | None = None,
    forwarded: bool = False,
    referral: dict[str, Any] | None = None,
    referred_product: dict[str, str] | None = None,
) -> InboundMessage:
    context = _ctx(forwarded)
    if referred_product:
        context["referred_product"] = referred_product
    return InboundMessage("text", {"body": body}, reply_to, context, referral)


def ad_referral(
    *,
    source_url: str = "https://fb.me/3cr4Wqqkv",
    source_id: str = "120226305854810726",
    source_type: str = "ad",
    body: str = "Summer Succulents are here!",
    headline: str = "Chat with us",
    media_type: str = "image",
    image_url: str = "https://scontent.xx.fbcdn.net/v/t45.1/ad.jpg",
    ctwa_clid: str | None = None,
    welcome_text: str | None = None,
) -> dict[str, Any]:
    """A Click-to-WhatsApp `referral` object (pass to `text(..., referral=...)`)."""
    referral: dict[str, Any] = {
        "source_url": source_url,
        "source_id": source_id,
        "source_type": source_type,
        "body": body,
        "headline": headline,
        "media_type": media_type,
        f"{media_type}_url": image_url,
        "ctwa_clid": ctwa_clid or "Aff-" + secrets.token_urlsafe(40),
    }
    if welcome_text is not None:
        referral["welcome_message"] = {"text": welcome_text}
    return referral


def _media(
    kind: str, data: bytes | None, mime_type: str, *, forwarded: bool = False, **extra: Any
) -> InboundMessage:
    filename = extra.get("filename")
    content = {k: v for k, v in extra.items() if v is not None}
    return InboundMessage(
        kind, content, context=_ctx(forwarded), media=MediaBlob(data, mime_type, filename)
    )


def image(
    data: bytes | None = None,
    *,
    mime_type: str = "image/jpeg",
    caption: str | None = None,
    forwarded: bool = False,
) -> InboundMessage:
    return _media("image", data, mime_type, forwarded=forwarded, caption=caption)


def audio(
    data: bytes | None = None, *, mime_type: str = "audio/ogg; codecs=opus", voice: bool = False
) -> InboundMessage:
    return _media("audio", data, mime_type, voice=voice)


def voice(data: bytes | None = None) -> InboundMessage:
    """A recorded voice note (`audio.voice: true`)."""
    return audio(data, voice=True)


def video(
    data: bytes | None = None, *, mime_type: str = "video/mp4", caption: str | None = None
) -> InboundMessage:
    return _media("video", data, mime_type, caption=caption)


def document(
    data: bytes | None = None,
    *,
    filename: str = "document.pdf",
    mime_type: str = "application/pdf",
    caption: str | None = None,
) -> InboundMessage:
    return _media("document", data, mime_type, caption=caption, filename=filename)


def sticker(data: bytes | None = None, *, animated: bool = False) -> InboundMessage:
    return _media("sticker", data, "image/webp", animated=animated)


def location(
    latitude: float,
    longitude: float,
    *,
    name: str | None = None,
    address: str | None = None,
    url: str | None = None,
) -> InboundMessage:
    content: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
    for key, value in (("name", name), ("address", address), ("url", url)):
        if value is not None:
            content[key] = value
    return InboundMessage("location", content)


def contact_card(
    formatted_name: str,
    *,
    first_name: str | None = None,
    last_name: str | None = None,
    phone: str | None = None,
    wa_id: str | None = None,
    phone_type: str = "MOBILE",
    email: str | None = None,
    company: str | None = None,
) -> dict[str, Any]:
    name: dict[str, Any] = {"formatted_name": formatted_name}
    if first_name:
        name["first_name"] = first_name
    if last_name:
        name["last_name"] = last_name
    card: dict[str, Any] = {"name": name}
    if company:
        card["org"] = {"company": company}
    if phone:
        entry = {"phone": phone, "type": phone_type}
        if wa_id:
            entry["wa_id"] = wa_id
        card["phones"] = [entry]
    if email:
        card["emails"] = [{"email": email, "type": "HOME"}]
    return card


def contacts(*cards: dict[str, Any]) -> InboundMessage:
    return InboundMessage("contacts", list(cards))


def button_reply(button_id: str, title: str, *, reply_to: str) -> InboundMessage:
    """A tap on an interactive reply button of business message `reply_to`."""
    content = {"type": "button_reply", "button_reply": {"id": button_id, "title": title}}
    return InboundMessage("interactive", content, reply_to)


def list_reply(
    row_id: str, title: str, *, reply_to: str, description: str | None = None
) -> InboundMessage:
    row = {"id": row_id, "title": title}
    if description is not None:
        row["description"] = description
    return InboundMessage("interactive", {"type": "list_reply", "list_reply": row}, reply_to)


def nfm_reply(
    response: dict[str, Any],
    *,
    reply_to: str,
    flow_token: str | None = None,
    body: str = "Sent",
    name: str = "flow",
) -> InboundMessage:
    """A completed WhatsApp Flow: `response_json` is a JSON *string* carrying `flow_token`."""
    data = dict(response)
    if flow_token is not None:
        data["flow_token"] = flow_token
    reply = {"response_json": json.dumps(data, separators=(",", ":")), "body": body, "name": name}
    return InboundMessage("interactive", {"type": "nfm_reply", "nfm_reply": reply}, reply_to)


def template_button(payload: str, text_: str, *, reply_to: str) -> InboundMessage:
    """A tap on a template quick-reply button (`type: "button"`)."""
    return InboundMessage("button", {"payload": payload, "text": text_}, reply_to)


def reaction(message_id: str, emoji: str) -> InboundMessage:
    return InboundMessage("reaction", {"message_id": message_id, "emoji": emoji})


def unreaction(message_id: str) -> InboundMessage:
    """Reaction removed: Meta sends `emoji: ""`."""
    return reaction(message_id, "")


def order(
    catalog_id: str, items: list[dict[str, Any]], *, text_: str = "", reply_to: str | None = None
) -> InboundMessage:
    """`items`: [{product_retailer_id, quantity, item_price, currency}]."""
    content = {"catalog_id": catalog_id, "text": text_, "product_items": items}
    return InboundMessage("order", content, reply_to)


def unsupported(kind: str = "poll") -> InboundMessage:
    return InboundMessage(
        "unsupported",
        {"type": kind},
        errors=[
            {
                "code": 131051,
                "title": "Message type unknown",
                "message": "Message type unknown",
                "error_data": {"details": "Message type is currently not supported."},
            }
        ],
    )


# media placeholders ------------------------------------------------------------------------
def _png_1x1() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x25\xd3\x66")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def placeholder_media(kind: str, mime_type: str) -> tuple[bytes, str]:
    """Small bytes of the right family (a real 1x1 PNG for images) and their mime type."""
    noise = secrets.token_bytes(32)
    if kind == "image":
        return _png_1x1(), "image/png"
    if kind == "sticker":
        return b"RIFF\x24\x00\x00\x00WEBPVP8 " + noise, mime_type
    if kind == "audio":
        return b"OggS\x00\x02" + noise, mime_type
    if kind == "video":
        return b"\x00\x00\x00\x18ftypmp42" + noise, mime_type
    return b"%PDF-1.4\n%emulator\n" + noise + b"\n%%EOF\n", mime_type


def media_object(
    message: InboundMessage, item: MediaItem, url: str | None = None
) -> dict[str, Any]:
    """Keys in Meta's order: caption, filename, mime_type, sha256, id, url, voice/animated."""
    content = dict(message.content or {})
    result: dict[str, Any] = {}
    for key in ("caption", "filename"):
        if key in content:
            result[key] = content.pop(key)
    result.update({"mime_type": item.mime_type, "sha256": item.sha256_b64, "id": item.id})
    if url is not None:
        result["url"] = url
    result.update(content)
    return result


def message_object(
    message: InboundMessage,
    *,
    wamid: str,
    timestamp: int,
    wa_id: str,
    user_id: str | None,
    bsuid_only: bool,
    business_display_number: str,
    content: Any,
) -> dict[str, Any]:
    """One `value.messages[]` item (context and referral first, as in Meta's samples)."""
    obj: dict[str, Any] = {}
    context = dict(message.context)
    if message.reply_to:
        context = {"from": business_display_number, "id": message.reply_to, **context}
    if context:
        obj["context"] = context
    if message.referral:
        obj["referral"] = message.referral
    if not bsuid_only:
        obj["from"] = wa_id
    if user_id:
        obj["from_user_id"] = user_id
    obj["id"] = wamid
    obj["timestamp"] = str(timestamp)
    if message.errors:
        obj["errors"] = message.errors
    obj["type"] = message.type
    if content is not None:
        obj[message.type] = content
    return obj
