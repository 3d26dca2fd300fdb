"""The inbox's write side: agents send, note, assign, resolve, read, tag and resume the bot.

Every change is one transaction; its Socket.IO events go out after commit (inbox/events.py).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.accounts.dependencies import Principal
from finnegans.contacts.repository import whatsapp_address
from finnegans.contacts.tags import replace_tags
from finnegans.context import AppContext
from finnegans.db.models import Contact, Conversation, FlowSession, Message, WorkspaceMember
from finnegans.flows.repository import LIVE_STATUSES
from finnegans.inbox import events
from finnegans.inbox.outbox import account_for_contact, queue_message
from finnegans.inbox.queries import conversation_row
from finnegans.inbox.schemas import ConversationPatchIn, SendIn, UserRef
from finnegans.inbox.uploads import stored_upload
from finnegans.inbox.views import window_open
from finnegans.jobs.task_queue import TaskRef, enqueue, finish
from finnegans.kit.clock import utcnow
from finnegans.kit.errors import ApiError, BadRequest, Conflict
from finnegans.templates import service as template_service
from finnegans.whatsapp.graph.errors import MessageValidationError
from finnegans.whatsapp.graph.limits import TEXT_BODY_MAX
from finnegans.whatsapp.graph.messages import MediaRef, media_message, message_payload, text_message
from finnegans.whatsapp.graph.templates import template_message


class WindowClosed(ApiError):
    status_code = 422


def _validation_error(exc: MessageValidationError) -> BadRequest:
    field, _, reason = str(exc).partition(": ")
    return BadRequest(f"Invalid message: {exc}", fields={field: reason or str(exc)})


async def _reply_wamid(
    session: AsyncSession, contact: Contact, message_id: str | None
) -> str | None:
    if not message_id:
        return None
    wamid = (
        await session.execute(
            select(Message.wamid).where(
                Message.workspace_id == contact.workspace_id,
                Message.contact_id == contact.id,
                Message.id == message_id,
            )
        )
    ).scalar_one_or_none()
    if not wamid:
        raise BadRequest("reply_to: no sent or received message with this id in the conversation",
                         fields={"reply_to": "unknown message"})  # fmt: skip
    return str(wamid)


def _text_body(data: SendIn) -> str:
    text = data.text or ""
    if not text.strip():
        raise BadRequest("text: must not be empty", fields={"text": "must not be empty"})
    if len(text) > TEXT_BODY_MAX:
        raise BadRequest(f"text: at most {TEXT_BODY_MAX} characters (got {len(text)})",
                         fields={"text": f"at most {TEXT_BODY_MAX} characters"})  # fmt: skip
    return text


def build_payload(
    data: SendIn, to: str, reply_to: str | None, upload: dict[str, Any] | None
) -> dict[str, Any]:
    """The Graph payload for an agent's message, checked against Meta's limits."""
    try:
        if data.type == "text":
            return text_message(to, _text_body(data), preview_url=data.preview_url,
                                reply_to=reply_to)  # fmt: skip
        if data.type == "template":
            if data.template is None:
                raise BadRequest("template: is required for a template message",
                                 fields={"template": "required"})  # fmt: skip
            t = data.template
            return template_message(to, t.name, t.language, t.components, reply_to=reply_to)
        if data.type == "interactive":
            if not data.interactive:
                raise BadRequest("interactive: is required for an interactive message",
                                 fields={"interactive": "required"})  # fmt: skip
            return _interactive_payload(to, data.interactive, reply_to)
        if upload is None:
            raise BadRequest(f"media_id: upload the {data.type} first "
                             "(POST /api/conversations/{contact_id}/media)",
                             fields={"media_id": "required"})  # fmt: skip
        if upload["type"] != data.type:
            raise BadRequest(f"media_id: the upload is a {upload['type']}, not a {data.type}",
                             fields={"media_id": "wrong type"})  # fmt: skip
        filename = (data.filename or upload["filename"]) if data.type == "document" else None
        return media_message(to, data.type, MediaRef.by_id(upload["media_id"]),
                             caption=data.caption or None, filename=filename,
                             reply_to=reply_to)  # fmt: skip
    except MessageValidationError as exc:
        raise _validation_error(exc) from exc


def _interactive_payload(
    to: str, interactive: dict[str, Any], reply_to: str | None
) -> dict[str, Any]:
    """An interactive object as given, checked with the same rules the emulator holds Meta to."""
    from finnegans.whatsapp.emulator.errors import GraphApiError
    from finnegans.whatsapp.emulator.validation import parse_send

    payload = message_payload(to, "interactive", interactive, reply_to=reply_to)
    try:
        parse_send(payload)
    except GraphApiError as exc:
        reason = exc.details or str(exc)
        raise BadRequest(f"interactive: {reason}", fields={"interactive": reason}) from exc
    return payload


async def send(
    ctx: AppContext, session: AsyncSession, principal: Principal, contact_id: str, data: SendIn
) -> Message:
    """Queue an agent's message. The bot pauses for this contact; the agent takes it if free."""
    conversation, contact = await conversation_row(session, principal.workspace_id, contact_id)
    to = whatsapp_address(contact)
    if not to:
        raise BadRequest("This contact has no WhatsApp number or user id to send to")
    reply_to = await _reply_wamid(session, contact, data.reply_to)
    upload = None
    if data.type not in ("text", "template", "interactive") and data.media_id:
        upload = stored_upload(ctx, principal.workspace_id, data.media_id)
        if upload is None:
            raise BadRequest("media_id: no upload with this id in this workspace",
                             fields={"media_id": "unknown upload"})  # fmt: skip
    if data.type == "template" and data.template is not None:
        t = data.template
        t.components = await template_service.send_components(
            session, principal.workspace_id,
            await account_for_contact(session, principal.workspace_id, contact.id),
            t.name, t.language, components=t.components, parameters=t.parameters,
        )  # fmt: skip
    payload = build_payload(data, to, reply_to, upload)
    if data.type != "template" and not window_open(conversation):
        raise WindowClosed(
            "The 24-hour customer service window is closed: only an approved template can be "
            "sent until the customer writes again",
            code="window_closed",
            window_expires_at=conversation.window_expires_at.isoformat()
            if conversation.window_expires_at
            else None,
        )
    if await account_for_contact(session, principal.workspace_id, contact.id) is None:
        raise Conflict("No WhatsApp number is connected to send from", code="no_account")
    conversation.mode = "human"  # an agent speaking pauses the bot for this contact
    if conversation.assignee_id is None and principal.user_id:
        conversation.assignee_id = principal.user_id
    sent_by = UserRef(id=principal.user.id, name=principal.user.name) if principal.user else None
    message = await queue_message(
        session, workspace_id=principal.workspace_id, contact_id=contact.id, payload=payload,
        sent_by=sent_by, media_file=upload["media_file"] if upload else None,
    )  # fmt: skip
    idle = ctx.settings.inbox_return_to_bot_minutes
    if idle > 0:
        enqueue(session, workspace_id=principal.workspace_id, kind="return_to_bot",
                contact_id=contact.id, due_at=utcnow() + timedelta(minutes=idle))  # fmt: skip
    return message


async def add_note(
    session: AsyncSession, principal: Principal, contact_id: str, text: str
) -> Message:
    _, contact = await conversation_row(session, principal.workspace_id, contact_id)
    message = Message(
        workspace_id=principal.workspace_id, contact_id=contact.id, direction="note",
        type="text", text=text, payload={}, status="sent", sent_by_user_id=principal.user_id,
        created_at=utcnow(),
    )  # fmt: skip
    session.add(message)
    await session.flush()
    sent_by = UserRef(id=principal.user.id, name=principal.user.name) if principal.user else None
    events.message_new(session, message, sent_by)
    return message


async def _check_member(session: AsyncSession, workspace_id: str, user_id: str) -> None:
    found = await session.execute(
        select(WorkspaceMember.user_id).where(
            WorkspaceMember.workspace_id == workspace_id, WorkspaceMember.user_id == user_id
        )
    )
    if found.scalar_one_or_none() is None:
        raise BadRequest("assignee_id: not a member of this workspace",
                         fields={"assignee_id": "unknown member"})  # fmt: skip


async def patch(
    session: AsyncSession,
    principal: Principal,
    contact_id: str,
    data: ConversationPatchIn,
) -> tuple[Conversation, Contact]:
    conversation, contact = await conversation_row(session, principal.workspace_id, contact_id)
    if "assignee_id" in data.model_fields_set:
        if data.assignee_id is not None:
            await _check_member(session, principal.workspace_id, data.assignee_id)
        conversation.assignee_id = data.assignee_id
    if data.status is not None:
        conversation.status = data.status
    if data.mode == "bot" and conversation.mode != "bot":
        await resume_bot(session, principal, contact_id)
    elif data.mode == "human":
        conversation.mode = "human"
    await session.flush()
    await events.conversation_updated(session, conversation)
    return conversation, contact


async def mark_read(
    session: AsyncSession, principal: Principal, contact_id: str
) -> tuple[Conversation, Contact]:
    """Clear unread and queue WhatsApp's read receipt for the customer's last message."""
    conversation, contact = await conversation_row(session, principal.workspace_id, contact_id)
    had_unread = conversation.unread_count > 0
    conversation.unread_count = 0
    last_inbound = (
        await session.execute(
            select(Message.id)
            .where(
                Message.workspace_id == principal.workspace_id,
                Message.contact_id == contact.id,
                Message.direction == "inbound",
                Message.wamid.is_not(None),
            )
            .order_by(Message.created_at.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    if had_unread and last_inbound is not None:
        enqueue(session, workspace_id=principal.workspace_id, kind="read_receipt",
                contact_id=contact.id, message_id=last_inbound)  # fmt: skip
    if had_unread:
        await events.conversation_updated(session, conversation)
    return conversation, contact


async def resume_bot(
    session: AsyncSession, principal: Principal, contact_id: str
) -> tuple[Conversation, Contact]:
    """Give the conversation back to the bot; the flow continues where it waited.

    A handed-off session continues after its handoff node (a `resume` task). A session that
    waited for the customer's reply keeps waiting and takes their next message; its timers,
    held back while the agent had the conversation, fire at their next check (within a minute).
    """
    conversation, contact = await conversation_row(session, principal.workspace_id, contact_id)
    await _give_back(session, conversation, contact)
    return conversation, contact


async def _give_back(session: AsyncSession, conversation: Conversation, contact: Contact) -> None:
    conversation.mode = "bot"
    current = (
        await session.execute(
            select(FlowSession)
            .where(FlowSession.contact_id == contact.id, FlowSession.status.in_(LIVE_STATUSES))
            .order_by(FlowSession.last_activity_at.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    if current is not None and current.status == "handed_off":
        enqueue(session, workspace_id=contact.workspace_id, kind="resume",
                contact_id=contact.id, session_id=current.id)  # fmt: skip
    await session.flush()
    await events.conversation_updated(session, conversation)


async def return_to_bot_if_idle(ctx: AppContext, ref: TaskRef) -> None:
    """Task handler for `return_to_bot`: the agent went quiet, the bot takes over again.

    Each agent message queues one of these; only the one after the last message acts.
    """
    idle = timedelta(minutes=ctx.settings.inbox_return_to_bot_minutes)
    async with ctx.db.unit_of_work() as session:
        contact = await session.get(Contact, ref.contact_id) if ref.contact_id else None
        conversation = (
            await session.execute(select(Conversation).where(Conversation.contact_id == contact.id))
        ).scalar_one_or_none() if contact else None  # fmt: skip
        if contact is not None and conversation is not None and conversation.mode == "human":
            last_agent_message = (
                await session.execute(
                    select(func.max(Message.created_at)).where(
                        Message.contact_id == contact.id,
                        Message.direction == "outbound",
                        Message.sent_by_user_id.is_not(None),
                    )
                )
            ).scalar_one_or_none()
            if idle and (last_agent_message is None or utcnow() - last_agent_message >= idle):
                await _give_back(session, conversation, contact)
        await finish(session, ref.id)


async def set_tags(
    session: AsyncSession, principal: Principal, contact_id: str, tags: list[str]
) -> tuple[Conversation, Contact]:
    conversation, contact = await conversation_row(session, principal.workspace_id, contact_id)
    if await replace_tags(session, contact, tags):
        contact.updated_at = utcnow()
    await events.conversation_updated(session, conversation)
    return conversation, contact
