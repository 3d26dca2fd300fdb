"""JSON control API (default prefix `/_emulator`) for the dashboard's phone simulator, the
standalone server and scripts. No auth: mount it only in sandbox/dev setups."""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Any, Literal

from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel, Field

from finnegans.whatsapp.emulator import customers as build
from finnegans.whatsapp.emulator.faults import Faults

if TYPE_CHECKING:
    from finnegans.whatsapp.emulator.emulator import Emulator

InboundType = Literal[
    "text", "image", "audio", "voice", "video", "document", "sticker", "location", "contacts",
    "button_reply", "list_reply", "nfm_reply", "button", "reaction", "order", "unsupported",
]  # fmt: skip


class NumberIn(BaseModel):
    phone_number_id: str | None = None
    waba_id: str | None = None
    display_phone_number: str | None = None
    access_token: str | None = None
    app_secret: str | None = None
    webhook_url: str | None = None
    throughput_mps: int = Field(80, ge=1)
    verified_name: str = "Finnegans Sandbox"
    verify_token: str | None = None


class CustomerIn(BaseModel):
    wa_id: str = Field(pattern=r"^\d{7,15}$")
    profile_name: str | None = None
    user_id: str | None = None
    bsuid_only: bool | None = None


class InboundIn(BaseModel):
    """What the simulated customer sends; which fields matter depends on `type`."""

    type: InboundType = "text"
    text: str | None = None  # text body; order text
    reply_to: str | None = None  # wamid of the business message answered/quoted
    forwarded: bool = False
    caption: str | None = None
    filename: str | None = None
    mime_type: str | None = None
    data_base64: str | None = None  # media bytes; omitted -> a small generated file
    latitude: float | None = None
    longitude: float | None = None
    name: str | None = None
    address: str | None = None
    url: str | None = None
    contacts: list[dict[str, Any]] | None = None
    id: str | None = None  # button/row id
    title: str | None = None  # optional: looked up from the business message
    description: str | None = None
    index: int | None = None  # template quick-reply button index
    payload: str | None = None
    response: dict[str, Any] | None = None  # nfm_reply answers
    flow_token: str | None = None
    message_id: str | None = None  # reaction target
    emoji: str | None = None  # reaction; "" removes it
    catalog_id: str | None = None
    product_items: list[dict[str, Any]] | None = None
    referral: dict[str, Any] | None = None
    animated: bool = False
    profile_name: str | None = None
    user_id: str | None = None


class FailIn(BaseModel):
    code: int = 131049
    details: str | None = None


def _bytes(body: InboundIn) -> bytes | None:
    if body.data_base64 is None:
        return None
    try:
        return base64.b64decode(body.data_base64, validate=True)
    except (binascii.Error, ValueError):
        raise HTTPException(422, "data_base64 is not valid base64") from None


def _need(value: Any, name: str) -> Any:
    if value is None:
        raise HTTPException(422, f"{name} is required for this message type")
    return value


def _message(body: InboundIn) -> build.InboundMessage:
    data, kind = _bytes(body), body.type
    if kind == "text":
        return build.text(
            _need(body.text, "text"),
            reply_to=body.reply_to,
            forwarded=body.forwarded,
            referral=body.referral,
        )
    if kind == "image":
        return build.image(
            data,
            mime_type=body.mime_type or "image/jpeg",
            caption=body.caption,
            forwarded=body.forwarded,
        )
    if kind in ("audio", "voice"):
        return build.audio(
            data, mime_type=body.mime_type or "audio/ogg; codecs=opus", voice=kind == "voice"
        )
    if kind == "video":
        return build.video(data, mime_type=body.mime_type or "video/mp4", caption=body.caption)
    if kind == "document":
        return build.document(
            data,
            filename=body.filename or "document.pdf",
            mime_type=body.mime_type or "application/pdf",
            caption=body.caption,
        )
    if kind == "sticker":
        return build.sticker(data, animated=body.animated)
    if kind == "location":
        return build.location(
            _need(body.latitude, "latitude"),
            _need(body.longitude, "longitude"),
            name=body.name,
            address=body.address,
            url=body.url,
        )
    if kind == "contacts":
        return build.contacts(*_need(body.contacts, "contacts"))
    if kind == "nfm_reply":
        return build.nfm_reply(
            body.response or {},
            reply_to=_need(body.reply_to, "reply_to"),
            flow_token=body.flow_token,
        )
    if kind == "reaction":
        return build.reaction(_need(body.message_id, "message_id"), body.emoji or "")
    if kind == "order":
        return build.order(
            _need(body.catalog_id, "catalog_id"),
            _need(body.product_items, "product_items"),
            text_=body.text or "",
        )
    return build.unsupported(body.name or "poll")


async def send_as_customer(
    emulator: Emulator, phone_number_id: str, wa_id: str, body: InboundIn
) -> str:
    """The simulated customer sends `body`; returns the inbound wamid.

    Raises KeyError for an unknown business message, HTTPException(422) for a missing field.
    Shared by the control API and the dashboard's phone simulator endpoints.
    """
    emulator.add_customer(wa_id, profile_name=body.profile_name, user_id=body.user_id)
    if body.type == "button_reply":
        return await emulator.reply_button(
            phone_number_id, wa_id, _need(body.reply_to, "reply_to"), _need(body.id, "id")
        )
    if body.type == "list_reply":
        return await emulator.reply_list(
            phone_number_id, wa_id, _need(body.reply_to, "reply_to"), _need(body.id, "id")
        )
    if body.type == "button" and body.payload is None:
        return await emulator.reply_template_button(
            phone_number_id, wa_id, _need(body.reply_to, "reply_to"), body.index or 0
        )
    if body.type == "button":
        message = build.template_button(
            str(body.payload), body.title or str(body.payload),
            reply_to=_need(body.reply_to, "reply_to"),
        )  # fmt: skip
        return await emulator.customer_sends(phone_number_id, wa_id, message)
    return await emulator.customer_sends(phone_number_id, wa_id, _message(body))


def build_control_router(emulator: Emulator, prefix: str = "/_emulator") -> APIRouter:
    router = APIRouter(prefix=prefix, tags=["emulator"])

    def conversation_json(phone_number_id: str, wa_id: str) -> dict[str, Any]:
        conv = emulator.state.conversation(phone_number_id, wa_id)
        customer = emulator.state.customers.get(wa_id)
        return {
            "phone_number_id": phone_number_id,
            "wa_id": wa_id,
            "profile_name": customer.profile_name if customer else None,
            "window_open": conv.window_open(emulator.state.clock()),
            "window_expires_at": conv.window_expires_at(),
            "messages": [m.public() for m in conv.messages],
        }

    def number_or_404(phone_number_id: str) -> None:
        if phone_number_id not in emulator.state.numbers:
            raise HTTPException(404, f"unknown phone_number_id {phone_number_id}")

    @router.get("/numbers")
    async def list_numbers() -> list[dict[str, Any]]:
        return [n.public() for n in emulator.state.numbers.values()]

    @router.post("/numbers", status_code=201)
    async def add_number(body: NumberIn) -> dict[str, Any]:
        number = emulator.add_number(**body.model_dump())
        return {**number.public(), "access_token": number.access_token}

    @router.get("/customers")
    async def list_customers() -> list[dict[str, Any]]:
        return [c.public() for c in emulator.state.customers.values()]

    @router.post("/customers", status_code=201)
    async def add_customer(body: CustomerIn) -> dict[str, Any]:
        return emulator.add_customer(
            body.wa_id, profile_name=body.profile_name, user_id=body.user_id,
            bsuid_only=body.bsuid_only,
        ).public()  # fmt: skip

    @router.get("/conversations")
    async def list_conversations(phone_number_id: str | None = None) -> list[dict[str, Any]]:
        now = emulator.state.clock()
        result = []
        for (pnid, wa_id), conv in emulator.state.conversations.items():
            if phone_number_id is not None and pnid != phone_number_id:
                continue
            last = conv.messages[-1].public() if conv.messages else None
            customer = emulator.state.customers.get(wa_id)
            result.append({
                "phone_number_id": pnid, "wa_id": wa_id,
                "profile_name": customer.profile_name if customer else None,
                "window_open": conv.window_open(now), "message_count": len(conv.messages),
                "last_message": last,
            })  # fmt: skip
        return result

    @router.get("/conversations/{phone_number_id}/{wa_id}")
    async def get_conversation(phone_number_id: str, wa_id: str) -> dict[str, Any]:
        number_or_404(phone_number_id)
        return conversation_json(phone_number_id, wa_id)

    @router.post("/conversations/{phone_number_id}/{wa_id}/messages", status_code=201)
    async def customer_sends(phone_number_id: str, wa_id: str, body: InboundIn) -> dict[str, Any]:
        number_or_404(phone_number_id)
        try:
            wamid = await send_as_customer(emulator, phone_number_id, wa_id, body)
        except KeyError as exc:
            raise HTTPException(404, str(exc.args[0])) from None
        return {"wamid": wamid}

    @router.post("/conversations/{phone_number_id}/{wa_id}/read")
    async def customer_reads(phone_number_id: str, wa_id: str) -> dict[str, int]:
        number_or_404(phone_number_id)
        return {"read": emulator.customer_reads(phone_number_id, wa_id)}

    @router.post("/messages/{wamid}/fail")
    async def fail_message(wamid: str, body: FailIn) -> dict[str, bool]:
        if emulator.message(wamid) is None:
            raise HTTPException(404, f"unknown message {wamid}")
        emulator.fail_message(wamid, body.code, body.details)
        return {"success": True}

    @router.get("/media/{media_id}")
    async def media(media_id: str) -> Response:
        item = emulator.state.media.get(media_id)
        if item is None:
            raise HTTPException(404, f"unknown media {media_id}")
        return Response(item.data, media_type=item.mime_type)

    @router.get("/faults")
    async def get_faults() -> Faults:
        return emulator.faults

    @router.patch("/faults")
    async def patch_faults(changes: dict[str, Any]) -> Faults:
        merged = {**emulator.faults.model_dump(), **changes}
        try:
            emulator.faults = Faults.model_validate(merged)
        except ValueError as exc:
            raise HTTPException(422, str(exc)) from None
        return emulator.faults

    @router.post("/faults/reset")
    async def reset_faults() -> Faults:
        emulator.faults = Faults()
        return emulator.faults

    @router.get("/throughput")
    async def throughput() -> dict[str, dict[str, int]]:
        """Sends refused with 130429 so far, per number."""
        refused = emulator.outbound.refused_130429
        return {pnid: {"refused_130429": refused[pnid]} for pnid in emulator.state.numbers}

    @router.get("/deliveries")
    async def deliveries(limit: int = 100) -> list[dict[str, Any]]:
        return [a.public() for a in list(emulator.webhooks.attempts)[-max(limit, 0) :]]

    return router
