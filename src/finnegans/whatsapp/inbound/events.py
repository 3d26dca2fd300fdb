"""What `parse_webhook` returns: flat items, each carrying the ids needed to route it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from finnegans.whatsapp.inbound.common import WaError
from finnegans.whatsapp.inbound.management import (
    AccountUpdate,
    PhoneNumberQualityUpdate,
    TemplateStatusUpdate,
)
from finnegans.whatsapp.inbound.messages import InboundMessage, Referral
from finnegans.whatsapp.inbound.models import Contact
from finnegans.whatsapp.inbound.statuses import Status, StatusKind


@dataclass(frozen=True, slots=True, kw_only=True)
class MediaRef:
    """Enough to download (GET /{id}) and label an attachment."""

    kind: str  # image | audio | video | document | sticker
    id: str
    mime_type: str | None = None
    filename: str | None = None
    caption: str | None = None
    sha256: str | None = None
    url: str | None = None
    voice: bool = False
    animated: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageSummary:
    """Type-independent view of a message, for inbox lists and flow triggers.

    `text` rules (see summary.py): the text the user typed or tapped when there is one
    (body, caption, button/list title, location name); otherwise a bracketed placeholder such
    as "[image]", "[voice message]", "[sticker]", "[reaction removed]", "[unsupported: poll]".
    """

    text: str
    media: MediaRef | None = None
    reply_to: str | None = None  # context.id: the wamid the user replied to
    forwarded: bool = False
    reaction_target: str | None = None  # wamid the reaction applies to
    reaction_emoji: str | None = None  # None when the reaction was removed
    referral: Referral | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class InboundMessageEvent:
    waba_id: str
    phone_number_id: str
    display_phone_number: str | None
    wa_id: str | None  # sender phone id; None for BSUID-only users
    user_id: str | None  # sender BSUID; None in pre-2026 traffic
    profile_name: str | None
    contact: Contact | None  # the matching `value.contacts[]` entry, if any
    message: InboundMessage
    summary: MessageSummary

    @property
    def wamid(self) -> str:
        return self.message.id

    @property
    def type(self) -> str:
        return self.message.type

    @property
    def timestamp(self) -> datetime:
        return self.message.timestamp


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusEvent:
    waba_id: str
    phone_number_id: str
    display_phone_number: str | None
    wamid: str
    status: StatusKind
    timestamp: datetime
    recipient_id: str | None
    recipient_user_id: str | None
    error_code: int | None = None  # first error, for `failed`
    error_title: str | None = None
    error_details: str | None = None
    pricing_category: str | None = None
    pricing_model: str | None = None
    pricing_type: str | None = None
    conversation_id: str | None = None
    biz_opaque_callback_data: str | None = None
    detail: Status  # the full typed status (all errors, conversation, extras)


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookErrorEvent:
    """`value.errors[]`: a problem not tied to one message (e.g. 130429 rate limit)."""

    waba_id: str
    phone_number_id: str
    display_phone_number: str | None
    error: WaError

    @property
    def code(self) -> int:
        return self.error.code


@dataclass(frozen=True, slots=True, kw_only=True)
class TemplateStatusEvent:
    waba_id: str
    time: datetime | None  # entry.time; part of the dedup key with template id + event
    update: TemplateStatusUpdate


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountUpdateEvent:
    waba_id: str
    time: datetime | None
    update: AccountUpdate


@dataclass(frozen=True, slots=True, kw_only=True)
class QualityUpdateEvent:
    waba_id: str
    time: datetime | None
    update: PhoneNumberQualityUpdate

    @property
    def is_throughput_upgrade(self) -> bool:
        return self.update.is_throughput_upgrade


@dataclass(frozen=True, slots=True, kw_only=True)
class UserPreferencesEvent:
    """`user_preferences` (field of the same name): customers stopping or resuming marketing
    messages. The value is kept as sent; `contacts.optout.apply_user_preferences` reads it."""

    waba_id: str
    phone_number_id: str
    value: dict[str, Any]


SkippedKind = Literal["entry", "change", "contact", "message", "status", "error"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SkippedItem:
    """Something we could not or would not type; kept raw so it can be logged or replayed."""

    kind: SkippedKind
    reason: str
    raw: Any
    waba_id: str | None = None
    field: str | None = None
    phone_number_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ParsedWebhook:
    object: str | None
    messages: list[InboundMessageEvent] = field(default_factory=list)
    statuses: list[StatusEvent] = field(default_factory=list)
    errors: list[WebhookErrorEvent] = field(default_factory=list)
    template_updates: list[TemplateStatusEvent] = field(default_factory=list)
    account_updates: list[AccountUpdateEvent] = field(default_factory=list)
    quality_updates: list[QualityUpdateEvent] = field(default_factory=list)
    user_preferences: list[UserPreferencesEvent] = field(default_factory=list)
    skipped: list[SkippedItem] = field(default_factory=list)
