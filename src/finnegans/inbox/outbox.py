"""The outbox: every outbound message is a row first and a Graph call second.

A flow step (or later an agent, or a broadcast) records the message as `pending` and queues a
`send` task in the same transaction. The task runs after commit, in the contact's order, calls
the Graph API outside any transaction, and records the wamid or the error. Sends have no
idempotency key at Meta, so a send interrupted mid-way is recorded as "outcome unknown" instead
of being repeated.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.context import AppContext
from finnegans.db.models import Conversation, FlowSession, Message, WhatsAppAccount
from finnegans.inbox import events
from finnegans.inbox.repository import ConversationRepository, MessageRepository
from finnegans.inbox.schemas import UserRef
from finnegans.jobs.task_queue import TaskRef, enqueue, finish
from finnegans.kit.clock import utcnow
from finnegans.kit.logging import get_logger
from finnegans.system import metrics
from finnegans.whatsapp.graph import GraphError, GraphUnreachable, SendOutcomeUnknown
from finnegans.whatsapp.graph.errors import ErrorKind
from finnegans.whatsapp.graph_factory import graph_client_for

log = get_logger(__name__)

WINDOW_CLOSED_CODE = 131047  # Meta's "Re-engagement message" error, checked here before sending


def preview_text(payload: dict[str, Any]) -> str | None:
    """The text an inbox shows for an outbound Graph payload."""
    kind = payload.get("type")
    content = payload.get(kind) if isinstance(kind, str) else None
    if not isinstance(content, dict):
        return None
    if kind == "text":
        return str(content.get("body") or "") or None
    if kind == "interactive":
        body = content.get("body")
        return str(body.get("text") or "") if isinstance(body, dict) else None
    if kind == "template":
        return f"[template: {content.get('name')}]"
    caption = content.get("caption")
    return str(caption) if caption else f"[{kind}]"


async def account_for_contact(
    session: AsyncSession, workspace_id: str, contact_id: str
) -> WhatsAppAccount | None:
    """The number the contact last wrote to, else the workspace's first number."""
    conversation = (
        await session.execute(select(Conversation).where(Conversation.contact_id == contact_id))
    ).scalar_one_or_none()
    if conversation is not None and conversation.whatsapp_account_id:
        account = await session.get(WhatsAppAccount, conversation.whatsapp_account_id)
        if account is not None:
            return account
    result = await session.execute(
        select(WhatsAppAccount)
        .where(WhatsAppAccount.workspace_id == workspace_id)
        .order_by(WhatsAppAccount.created_at)
        .limit(1)
    )
    return result.scalar_one_or_none()


async def queue_message(
    session: AsyncSession,
    *,
    workspace_id: str,
    contact_id: str,
    payload: dict[str, Any],
    session_id: str | None = None,
    node_id: str | None = None,
    sent_by: UserRef | None = None,
    media_file: dict[str, Any] | None = None,
) -> Message:
    """Record an outbound message as pending and queue its send (in the caller's transaction).

    The inbox hears of it after commit (`message:new`, `conversation:updated`).
    """
    account = await account_for_contact(session, workspace_id, contact_id)
    message = Message(
        workspace_id=workspace_id,
        contact_id=contact_id,
        whatsapp_account_id=account.id if account else None,
        session_id=session_id,
        sent_by_user_id=sent_by.id if sent_by else None,
        direction="outbound",
        type=str(payload.get("type") or "text"),
        text=preview_text(payload),
        payload={
            "graph": payload,
            **({"node_id": node_id} if node_id else {}),
            # The local copy of an agent's attachment, so the thread can show it.
            **({"media_file": media_file} if media_file else {}),
        },
        status="pending",
        created_at=utcnow(),
    )
    session.add(message)
    await session.flush()
    enqueue(
        session,
        workspace_id=workspace_id,
        kind="send",
        contact_id=contact_id,
        message_id=message.id,
    )
    conversation = await ConversationRepository(session).record_outbound(
        workspace_id, contact_id, message.created_at, message.text
    )
    events.message_new(session, message, sent_by)
    await events.conversation_updated(session, conversation)
    return message


async def _fail(
    session: AsyncSession, message: Message, code: int | None, title: str, details: str | None
) -> None:
    message.status = "failed"
    metrics.count_after_commit(session, metrics.MESSAGES.labels("outbound", "failed"))
    metrics.count_after_commit(session, metrics.MESSAGE_FAILURES.labels(str(code or "none")))
    message.error_code = code
    message.error_title = title[:255]
    message.error_details = details
    message.status_updated_at = utcnow()
    if message.session_id:
        # A message the flow could not deliver ends its session; the builder shows why.
        flow_session = await session.get(FlowSession, message.session_id)
        if flow_session is not None and flow_session.status not in ("completed", "expired"):
            node = message.payload.get("node_id")
            if flow_session.status != "errored":
                metrics.count_after_commit(session, metrics.FLOW_EXECUTIONS.labels("errored"))
            flow_session.status = "errored"
            flow_session.error = f"Node {node}: the message could not be sent ({title})"[:2000]
            flow_session.ended_at = utcnow()


async def send_queued_message(ctx: AppContext, ref: TaskRef) -> None:
    """Task handler for `send`."""
    async with ctx.db.unit_of_work(write=False) as session:
        message = await session.get(Message, ref.message_id) if ref.message_id else None
        account = (
            await session.get(WhatsAppAccount, message.whatsapp_account_id)
            if message is not None and message.whatsapp_account_id
            else None
        )
        conversation = (
            (
                await session.execute(
                    select(Conversation).where(Conversation.contact_id == message.contact_id)
                )
            ).scalar_one_or_none()
            if message is not None
            else None
        )
    if message is None or message.status != "pending":
        async with ctx.db.unit_of_work() as session:
            await finish(session, ref.id)
        return
    payload = dict(message.payload.get("graph") or {})
    failure: tuple[int | None, str, str | None] | None = None
    wamid: str | None = None
    window_open = (
        conversation is not None
        and conversation.window_expires_at is not None
        and conversation.window_expires_at > utcnow()
    )
    if ref.attempts > 1:
        failure = (None, "Send outcome unknown", "the process stopped during the send; "
                   "not repeated because WhatsApp sends cannot be deduplicated")  # fmt: skip
    elif account is None:
        failure = (None, "No WhatsApp number connected", None)
    elif payload.get("type") != "template" and not window_open:
        failure = (
            WINDOW_CLOSED_CODE,
            "Outside the 24-hour customer service window",
            "Only an approved template can be sent until the customer writes again",
        )
    else:
        try:
            async with graph_client_for(ctx, account) as graph:
                wamid = (await graph.send(payload)).wamid
        except GraphError as exc:
            if exc.kind == ErrorKind.TOKEN_INVALID:
                await _mark_needs_reconnection(ctx, account.id)
            failure = (exc.code, exc.title or exc.message, exc.details)
        except (SendOutcomeUnknown, GraphUnreachable, ValueError) as exc:
            failure = (None, exc.__class__.__name__, str(exc)[:1000])
    async with ctx.db.unit_of_work() as session:
        stored = await session.get(Message, message.id)
        if stored is not None and stored.status == "pending":
            if failure is not None:
                await _fail(session, stored, *failure)
                log.warning("send_failed", message_id=stored.id, error=failure[1])
            else:
                stored.wamid = wamid
                stored.status = "sent"
                stored.sent_at = stored.status_updated_at = utcnow()
                # The `sent` status webhook finds sent_at set and is not counted again.
                metrics.count_after_commit(session, metrics.MESSAGES.labels("outbound", "sent"))
                await session.flush()
                if wamid:
                    await MessageRepository(session).apply_pending_statuses(wamid)
                    await session.refresh(stored)  # statuses that raced ahead moved it on
            events.message_status(session, stored)
        await finish(session, ref.id)


async def send_read_receipt(ctx: AppContext, ref: TaskRef) -> None:
    """Task handler for `read_receipt`: blue ticks on the customer's phone, best effort."""
    async with ctx.db.unit_of_work(write=False) as session:
        message = await session.get(Message, ref.message_id) if ref.message_id else None
        account = (
            await session.get(WhatsAppAccount, message.whatsapp_account_id)
            if message is not None and message.whatsapp_account_id
            else None
        )
    if message is not None and message.wamid and account is not None:
        try:
            async with graph_client_for(ctx, account) as graph:
                await graph.mark_as_read(message.wamid)
        except (GraphError, GraphUnreachable, SendOutcomeUnknown) as exc:
            # A missing read receipt is cosmetic: log it, never retry into a rate limit.
            log.warning("read_receipt_failed", message_id=message.id, error=str(exc)[:200])
    async with ctx.db.unit_of_work() as session:
        await finish(session, ref.id)


async def _mark_needs_reconnection(ctx: AppContext, account_id: str) -> None:
    async with ctx.db.unit_of_work() as session:
        account = await session.get(WhatsAppAccount, account_id)
        if account is not None:
            account.needs_reconnection = True
    ctx.accounts.invalidate()
