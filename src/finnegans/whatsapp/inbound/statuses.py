"""Delivery statuses of messages we sent (`value.statuses[]`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from finnegans.whatsapp.inbound.common import UnixTime, WaError, WaModel

StatusKind = Literal["sent", "delivered", "read", "played", "failed"]


class ConversationOrigin(WaModel):
    type: str | None = None


class Conversation(WaModel):
    """v23 and older send one per message; v24+ omit it outside free entry-point windows."""

    id: str | None = None
    expiration_timestamp: UnixTime | None = None  # only on `sent`
    origin: ConversationOrigin | None = None


class Pricing(WaModel):
    billable: bool | None = None  # being deprecated in favour of type + category
    pricing_model: str | None = None  # "CBP" before July 2025, "PMP" after
    type: str | None = None  # regular | free_customer_service | free_entry_point
    category: str | None = None


class Status(WaModel):
    id: str  # wamid returned by POST /messages
    status: StatusKind
    timestamp: UnixTime
    recipient_id: str | None = None  # absent for BSUID-only recipients
    recipient_user_id: str | None = None
    recipient_type: str | None = None
    biz_opaque_callback_data: str | None = None
    conversation: Conversation | None = None
    pricing: Pricing | None = None
    errors: list[WaError] = Field(default_factory=list)
