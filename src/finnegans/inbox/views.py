"""Rows → API objects, shared by the REST answers and the Socket.IO events (same shapes)."""

from __future__ import annotations

from typing import Any

from finnegans.db.models import Contact, Conversation, Message
from finnegans.inbox.schemas import (
    ConversationSummaryOut,
    MessageErrorOut,
    MessageOut,
    ReplyToOut,
    UserRef,
)
from finnegans.kit.clock import utcnow


def media_url(message: Message) -> str | None:
    stored = (message.payload or {}).get("media_file") or {}
    return f"/api/messages/{message.id}/media" if stored.get("path") else None


def quoted_wamid(message: Message) -> str | None:
    """The wamid a message replies to: Meta's `context.id` inbound, our `context` outbound."""
    payload = message.payload or {}
    context = (payload.get("message") or {}).get("context") or (payload.get("graph") or {}).get(
        "context"
    )
    if not isinstance(context, dict):
        return None
    wamid = context.get("id") or context.get("message_id")
    return str(wamid) if wamid else None


def message_out(
    message: Message,
    *,
    sent_by: UserRef | None = None,
    reply_to: ReplyToOut | None = None,
) -> MessageOut:
    error = (
        MessageErrorOut(
            code=message.error_code, title=message.error_title, details=message.error_details
        )
        if message.status == "failed" or message.error_code is not None
        else None
    )
    return MessageOut(
        id=message.id,
        contact_id=message.contact_id,
        direction=message.direction,
        type=message.type,
        text=message.text,
        payload=message.payload or {},
        status=message.status,
        error=error,
        created_at=message.created_at,
        sent_at=message.sent_at,
        delivered_at=message.delivered_at,
        read_at=message.read_at,
        wamid=message.wamid,
        sent_by=sent_by,
        session_id=message.session_id,
        broadcast_id=message.broadcast_id,
        media_url=media_url(message),
        reply_to=reply_to,
    )


def window_open(conversation: Conversation) -> bool:
    expires = conversation.window_expires_at
    return expires is not None and expires > utcnow()


def summary_out(
    conversation: Conversation,
    contact: Contact,
    *,
    tags: list[str],
    assignee: UserRef | None,
) -> ConversationSummaryOut:
    return ConversationSummaryOut(
        contact_id=contact.id,
        conversation_id=conversation.id,
        contact_name=contact.name,
        contact_phone=contact.phone or (f"+{contact.wa_id}" if contact.wa_id else None),
        tags=tags,
        status=conversation.status,
        mode=conversation.mode,
        assignee=assignee,
        unread_count=conversation.unread_count,
        last_activity=conversation.last_message_at,
        last_message=conversation.last_message_preview,
        window_expires_at=conversation.window_expires_at,
        window_open=window_open(conversation),
    )


def conversation_changes(conversation: Conversation) -> dict[str, Any]:
    """What a `conversation:updated` event carries: the fields a list row shows."""
    return {
        "conversation_id": conversation.id,
        "status": conversation.status,
        "mode": conversation.mode,
        "assignee_id": conversation.assignee_id,
        "unread_count": conversation.unread_count,
        "last_activity": conversation.last_message_at,
        "last_message": conversation.last_message_preview,
        "window_expires_at": conversation.window_expires_at,
        "window_open": window_open(conversation),
    }
