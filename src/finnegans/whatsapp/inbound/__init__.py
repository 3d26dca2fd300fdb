"""Typed parsing of WhatsApp Cloud API webhook bodies.

Entry point: `parse_webhook(body) -> ParsedWebhook`. Wire models live in `models` (envelope),
`messages`, `statuses` and `management`; the flat output items in `events`.
"""

from finnegans.whatsapp.inbound.events import (
    AccountUpdateEvent,
    InboundMessageEvent,
    MediaRef,
    MessageSummary,
    ParsedWebhook,
    QualityUpdateEvent,
    SkippedItem,
    StatusEvent,
    TemplateStatusEvent,
    WebhookErrorEvent,
)
from finnegans.whatsapp.inbound.parse import InvalidWebhookBody, parse_webhook

__all__ = [
    "AccountUpdateEvent",
    "InboundMessageEvent",
    "InvalidWebhookBody",
    "MediaRef",
    "MessageSummary",
    "ParsedWebhook",
    "QualityUpdateEvent",
    "SkippedItem",
    "StatusEvent",
    "TemplateStatusEvent",
    "WebhookErrorEvent",
    "parse_webhook",
]
