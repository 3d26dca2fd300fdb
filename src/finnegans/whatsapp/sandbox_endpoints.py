"""The dashboard's phone simulator: act as a customer of a workspace's sandbox number."""

from __future__ import annotations

import secrets
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Response, status
from pydantic import Field

from finnegans.accounts.dependencies import CurrentPrincipal
from finnegans.db.dependencies import Ctx, DbSession
from finnegans.db.models import WhatsAppAccount
from finnegans.kit.errors import BadRequest, NotFound
from finnegans.kit.schemas import InputModel
from finnegans.whatsapp.emulator import Emulator
from finnegans.whatsapp.emulator.control import InboundIn, send_as_customer
from finnegans.whatsapp.repository import WhatsAppAccountRepository

router = APIRouter(prefix="/api/sandbox/accounts/{account_id}", tags=["phone simulator"])

MAX_IMAGE_BASE64 = 7 * 1024 * 1024  # ~5 MB of image bytes


class CustomerIn(InputModel):
    profile_name: str = Field(min_length=1, max_length=80, alias="profileName")
    wa_id: str | None = Field(default=None, pattern=r"^[0-9]{6,15}$", alias="waId")


class CustomerOut(InputModel):
    waId: str
    profileName: str | None


class CustomerMessageIn(InputModel):
    """What the simulated customer sends (a subset of every inbound type, for the UI)."""

    type: Literal["text", "button_reply", "list_reply", "location", "image"]
    text: str | None = Field(default=None, min_length=1, max_length=4096)
    reply_to: str | None = Field(default=None, alias="replyTo", max_length=256)
    id: str | None = Field(default=None, max_length=256)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    name: str | None = Field(default=None, max_length=256)
    address: str | None = Field(default=None, max_length=256)
    data_base64: str | None = Field(default=None, alias="dataBase64", max_length=MAX_IMAGE_BASE64)
    mime_type: str | None = Field(default=None, alias="mimeType", pattern=r"^image/[a-z0-9.+-]+$")
    caption: str | None = Field(default=None, max_length=1024)


_REQUIRED = {
    "text": ("text",),
    "button_reply": ("reply_to", "id"),
    "list_reply": ("reply_to", "id"),
    "location": ("latitude", "longitude"),
    "image": ("data_base64", "mime_type"),
}


async def _sandbox(
    account_id: str, principal: CurrentPrincipal, session: DbSession, ctx: Ctx
) -> tuple[Emulator, WhatsAppAccount]:
    account = await WhatsAppAccountRepository(session).get(principal.workspace_id, account_id)
    if account is None or not account.sandbox or not account.phone_number_id:
        raise NotFound("Sandbox number not found")
    emulator = ctx.sandbox.emulator
    if emulator is None:
        raise NotFound("The sandbox is not running")
    if account.phone_number_id not in emulator.state.numbers:
        ctx.sandbox.register(account)  # e.g. the emulator started after this number was saved
    return emulator, account


@router.get("/customers")
async def list_customers(
    account_id: str, principal: CurrentPrincipal, session: DbSession, ctx: Ctx
) -> list[CustomerOut]:
    emulator, account = await _sandbox(account_id, principal, session, ctx)
    wa_ids = {wa for pnid, wa in emulator.state.conversations if pnid == account.phone_number_id}
    wa_ids |= set(ctx.sandbox.customers_of(account.phone_number_id or ""))
    return [
        CustomerOut(waId=wa, profileName=emulator.state.customers[wa].profile_name)
        for wa in sorted(wa_ids)
        if wa in emulator.state.customers
    ]


@router.post("/customers", status_code=status.HTTP_201_CREATED)
async def create_customer(
    account_id: str, data: CustomerIn, principal: CurrentPrincipal, session: DbSession, ctx: Ctx
) -> CustomerOut:
    emulator, account = await _sandbox(account_id, principal, session, ctx)
    wa_id = data.wa_id or "549" + "".join(secrets.choice("0123456789") for _ in range(10))
    customer = emulator.add_customer(wa_id, profile_name=data.profile_name)
    ctx.sandbox.remember_customer(account.phone_number_id or "", wa_id)
    return CustomerOut(waId=customer.wa_id, profileName=customer.profile_name)


@router.get("/customers/{wa_id}/messages")
async def conversation(
    account_id: str, wa_id: str, principal: CurrentPrincipal, session: DbSession, ctx: Ctx
) -> dict[str, Any]:
    emulator, account = await _sandbox(account_id, principal, session, ctx)
    pnid = account.phone_number_id or ""
    return {
        "windowOpen": emulator.window_open(pnid, wa_id),
        "messages": [m.public() for m in emulator.conversation(pnid, wa_id)],
    }


@router.post("/customers/{wa_id}/messages", status_code=status.HTTP_201_CREATED)
async def customer_sends(
    account_id: str,
    wa_id: str,
    data: CustomerMessageIn,
    principal: CurrentPrincipal,
    session: DbSession,
    ctx: Ctx,
) -> dict[str, str]:
    """The simulated customer sends a message; it reaches /webhook signed, like Meta's."""
    emulator, account = await _sandbox(account_id, principal, session, ctx)
    missing = [f for f in _REQUIRED[data.type] if getattr(data, f) in (None, "")]
    if missing:
        fields = {f: "is required for this type" for f in missing}
        raise BadRequest(f"Missing {', '.join(missing)} for a {data.type} message", fields=fields)
    if wa_id not in emulator.state.customers:
        raise NotFound("Simulated customer not found")
    body = InboundIn.model_validate(data.model_dump(exclude_none=True))
    try:
        wamid = await send_as_customer(emulator, account.phone_number_id or "", wa_id, body)
    except KeyError:
        raise NotFound("The business message being answered was not found") from None
    except HTTPException as exc:
        raise BadRequest(str(exc.detail)) from None
    ctx.sandbox.remember_customer(account.phone_number_id or "", wa_id)
    return {"wamid": wamid}


@router.get("/media/{media_id}", response_class=Response)
async def media(
    account_id: str, media_id: str, principal: CurrentPrincipal, session: DbSession, ctx: Ctx
) -> Response:
    emulator, account = await _sandbox(account_id, principal, session, ctx)
    item = emulator.state.media.get(media_id)
    if item is None or item.phone_number_id != account.phone_number_id:
        raise NotFound("Media not found")
    return Response(item.data, media_type=item.mime_type)
