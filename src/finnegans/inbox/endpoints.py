"""Inbox routes: conversations, their threads, agents' actions and stored media (docs/inbox.md)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Query, UploadFile, status
from fastapi.responses import FileResponse
from sqlalchemy import select

from finnegans.accounts.dependencies import CurrentPrincipal
from finnegans.db.dependencies import Ctx, DbSession
from finnegans.db.models import Message
from finnegans.inbox import queries, service
from finnegans.inbox.outbox import account_for_contact
from finnegans.inbox.schemas import (
    ConversationCountsOut,
    ConversationListOut,
    ConversationOut,
    ConversationPatchIn,
    MediaUploadOut,
    MessageEnvelopeOut,
    NoteIn,
    SendIn,
    TagsIn,
    ThreadOut,
)
from finnegans.inbox.uploads import MAX_UPLOAD_BYTES, check_size, keep_upload, media_kind
from finnegans.kit.errors import BadRequest, Conflict, NotFound
from finnegans.whatsapp.graph import GraphError, GraphUnreachable, SendOutcomeUnknown
from finnegans.whatsapp.graph_factory import graph_client_for
from finnegans.whatsapp.media import media_root

router = APIRouter(prefix="/api", tags=["inbox"])

StatusFilter = Literal["open", "pending", "resolved"]


@router.get("/conversations")
async def list_conversations(
    principal: CurrentPrincipal,
    session: DbSession,
    status_: Annotated[list[StatusFilter] | None, Query(alias="status")] = None,
    assignee: Annotated[str | None, Query(max_length=32)] = None,
    mode: Literal["bot", "human"] | None = None,
    tag: Annotated[str | None, Query(max_length=64)] = None,
    unread: bool = False,
    q: Annotated[str | None, Query(max_length=200)] = None,
    cursor: Annotated[str | None, Query(max_length=300)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 30,
) -> ConversationListOut:
    """Conversations, newest activity first, filtered and paged by `next_cursor`."""
    filters = queries.ListFilters(
        statuses=tuple(status_ or ()), assignee=assignee, mode=mode, tag=tag, unread=unread,
        q=q if q and q.strip() else None,
    )  # fmt: skip
    rows, next_cursor = await queries.list_conversations(
        session, principal.workspace_id, principal.user_id, filters, cursor=cursor, limit=limit
    )
    return ConversationListOut(conversations=rows, next_cursor=next_cursor)


@router.get("/conversations/counts")
async def conversation_counts(
    principal: CurrentPrincipal, session: DbSession
) -> ConversationCountsOut:
    """How many conversations each filter shows (mine/unassigned/unread count unresolved ones)."""
    return await queries.counts(session, principal.workspace_id, principal.user_id)


@router.get("/conversations/{contact_id}")
async def get_conversation(
    contact_id: str,
    principal: CurrentPrincipal,
    session: DbSession,
    before: Annotated[str | None, Query(max_length=32)] = None,
    after: Annotated[str | None, Query(max_length=32)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> ThreadOut:
    """The conversation and one page of its thread, oldest first (latest page by default)."""
    if before and after:
        raise BadRequest("Give before or after, not both")
    conversation, contact = await queries.conversation_row(
        session, principal.workspace_id, contact_id
    )
    messages, more_before, more_after = await queries.thread_page(
        session, principal.workspace_id, contact.id, before=before, after=after, limit=limit
    )
    return ThreadOut(
        conversation=await queries.detail_of(session, conversation, contact),
        messages=await queries.messages_out(session, messages) if messages else [],
        has_more_before=more_before,
        has_more_after=more_after,
    )


@router.post("/conversations/{contact_id}", status_code=status.HTTP_201_CREATED)
async def send_message(
    contact_id: str, data: SendIn, principal: CurrentPrincipal, session: DbSession, ctx: Ctx
) -> MessageEnvelopeOut:
    """Send as an agent (queued; ticks follow). Pauses the bot for this contact."""
    message = await service.send(ctx, session, principal, contact_id, data)
    return MessageEnvelopeOut(message=(await queries.messages_out(session, [message]))[0])


@router.post("/conversations/{contact_id}/media")
async def upload_media(
    contact_id: str,
    principal: CurrentPrincipal,
    session: DbSession,
    ctx: Ctx,
    # Optional in the signature so that another workspace's contact is a 404, checked first.
    file: Annotated[UploadFile | None, File()] = None,
    type_: Annotated[str | None, Form(alias="type")] = None,
) -> MediaUploadOut:
    """Upload an attachment to WhatsApp; send it with `{type, media_id}`."""
    _, contact = await queries.conversation_row(session, principal.workspace_id, contact_id)
    if file is None:
        raise BadRequest(
            "file: attach the file as multipart/form-data", fields={"file": "required"}
        )
    mime_type = (file.content_type or "application/octet-stream").split(";")[0].strip().lower()
    kind = media_kind(mime_type, type_)
    data = await file.read(MAX_UPLOAD_BYTES + 1)
    check_size(kind, len(data))
    account = await account_for_contact(session, principal.workspace_id, contact.id)
    if account is None:
        raise Conflict("No WhatsApp number is connected to send from", code="no_account")
    filename = (file.filename or f"{kind}").rsplit("/", 1)[-1][:240] or kind
    try:
        async with graph_client_for(ctx, account) as graph:
            media_id = await graph.upload_media(data, mime_type, filename)
    except GraphError as exc:
        raise BadRequest(f"WhatsApp refused the file: {exc.title or exc.message}") from exc
    except (GraphUnreachable, SendOutcomeUnknown, ValueError) as exc:
        raise Conflict(f"WhatsApp could not be reached to upload the file: {exc}") from exc
    record = {"type": kind, "mime_type": mime_type, "filename": filename, "size": len(data)}
    await keep_upload(ctx, principal.workspace_id, media_id, record, data)
    return MediaUploadOut(media_id=media_id, **record)


async def _summary(session: DbSession, row: tuple[object, object]) -> ConversationOut:
    conversation, contact = row
    return ConversationOut(
        conversation=await queries.summary_of(session, conversation, contact)  # type: ignore[arg-type]
    )


@router.patch("/conversations/{contact_id}")
async def update_conversation(
    contact_id: str,
    data: ConversationPatchIn,
    principal: CurrentPrincipal,
    session: DbSession,
    ctx: Ctx,
) -> ConversationOut:
    """Assign or unassign, resolve or reopen, hand to a human or back to the bot."""
    return await _summary(session, await service.patch(session, principal, contact_id, data))


@router.post("/conversations/{contact_id}/read")
async def mark_read(
    contact_id: str, principal: CurrentPrincipal, session: DbSession, ctx: Ctx
) -> ConversationOut:
    """Clear unread and send WhatsApp's read receipt for the customer's last message."""
    return await _summary(session, await service.mark_read(session, principal, contact_id))


@router.post("/conversations/{contact_id}/resume")
async def resume_bot(
    contact_id: str, principal: CurrentPrincipal, session: DbSession, ctx: Ctx
) -> ConversationOut:
    """Give the conversation back to the bot: the flow continues where it waited."""
    return await _summary(session, await service.resume_bot(session, principal, contact_id))


@router.post("/conversations/{contact_id}/notes", status_code=status.HTTP_201_CREATED)
async def add_note(
    contact_id: str, data: NoteIn, principal: CurrentPrincipal, session: DbSession, ctx: Ctx
) -> MessageEnvelopeOut:
    """A private note in the thread: agents see it, the customer never does."""
    message = await service.add_note(session, principal, contact_id, data.text)
    return MessageEnvelopeOut(message=(await queries.messages_out(session, [message]))[0])


@router.put("/conversations/{contact_id}/tags")
async def set_tags(
    contact_id: str, data: TagsIn, principal: CurrentPrincipal, session: DbSession, ctx: Ctx
) -> ConversationOut:
    """Replace the contact's tags (the conversation's labels)."""
    return await _summary(
        session, await service.set_tags(session, principal, contact_id, data.tags)
    )


@router.get("/messages/{message_id}/media", response_class=FileResponse)
async def message_media(
    message_id: str, principal: CurrentPrincipal, session: DbSession, ctx: Ctx
) -> FileResponse:
    """The stored copy of a message's image, audio, video, document or sticker."""
    message = (
        await session.execute(
            select(Message).where(
                Message.workspace_id == principal.workspace_id, Message.id == message_id
            )
        )
    ).scalar_one_or_none()
    stored = (message.payload.get("media_file") or {}) if message is not None else {}
    if message is None or not stored.get("path"):
        raise NotFound("No stored media for this message")
    root = media_root(ctx)
    path = (root / stored["path"]).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise NotFound("No stored media for this message")
    return FileResponse(path, media_type=stored.get("mime_type") or "application/octet-stream")
