"""Turn one stored webhook event into rows: contacts, messages, statuses, account changes.

Runs in the webhook worker, never in the request. Everything here is idempotent: the same body
processed twice (Meta retries, duplicated deliveries, a crash between processing and marking
the event done) leaves exactly the rows that processing it once would.
"""

from __future__ import annotations

from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.broadcasts import tracking as broadcast_tracking
from finnegans.contacts.optout import apply_inbound_optout, apply_user_preferences
from finnegans.contacts.repository import ContactRepository
from finnegans.context import AppContext, StoredInbound
from finnegans.db.models import Message, WebhookEvent, WhatsAppAccount
from finnegans.inbox import events as inbox_events
from finnegans.inbox.repository import ConversationRepository, MessageRepository
from finnegans.jobs.task_queue import enqueue
from finnegans.jobs.webhook_worker import AfterCommit
from finnegans.kit.clock import utcnow
from finnegans.kit.logging import get_logger
from finnegans.system import metrics
from finnegans.templates.webhook import apply_template_status
from finnegans.whatsapp.inbound.events import (
    AccountUpdateEvent,
    InboundMessageEvent,
    QualityUpdateEvent,
    StatusEvent,
    UserPreferencesEvent,
)
from finnegans.whatsapp.inbound.parse import InvalidWebhookBody, parse_webhook

log = get_logger(__name__)

UPGRADED_SEND_BUDGET = 1000  # messages/s after Meta's THROUGHPUT_UPGRADE


async def process_webhook_events(
    ctx: AppContext, session: AsyncSession, event_ids: list[str]
) -> AfterCommit | None:
    """Apply a batch of stored events in the caller's transaction.

    Returns the work to do once it commits: the inbound hooks (flow engine, inbox, media), run
    only for messages stored now, so a duplicate delivery never triggers them twice.
    """
    rows = await session.execute(
        select(WebhookEvent.id, WebhookEvent.body).where(WebhookEvent.id.in_(event_ids))
    )
    bodies = {event_id: body for event_id, body in rows}
    stored: list[StoredInbound] = []
    accounts_changed = False
    for event_id in event_ids:
        body = bodies.get(event_id)
        if body is None:
            continue
        try:
            parsed = parse_webhook(body.encode("utf-8"))
        except InvalidWebhookBody as exc:
            # Authentic (it was signed) but not a webhook we understand: keep it, do not retry.
            log.warning("webhook_body_not_understood", event_id=event_id, reason=str(exc))
            continue
        for item in parsed.skipped:
            log.info("webhook_item_skipped", event_id=event_id, kind=str(item.kind),
                     reason=item.reason, field=item.field)  # fmt: skip
        for message in parsed.messages:
            inbound = await _store_inbound(ctx, session, message)
            if inbound is not None:
                stored.append(inbound)
        for status in parsed.statuses:
            await _apply_status(ctx, session, status)
        for quality in parsed.quality_updates:
            await _apply_quality_update(session, quality)
            accounts_changed = True
        for account_update in parsed.account_updates:
            await _apply_account_update(session, account_update)
            accounts_changed = True
        for preferences in parsed.user_preferences:
            await _apply_user_preferences(ctx, session, preferences)
        for template_update in parsed.template_updates:
            await apply_template_status(session, template_update)
    if not stored and not accounts_changed:
        return None

    async def after_commit() -> None:
        if accounts_changed:
            ctx.accounts.invalidate()
        for inbound in stored:
            for hook in ctx.inbound_hooks:
                await hook(inbound)

    return after_commit


async def _store_inbound(
    ctx: AppContext, session: AsyncSession, event: InboundMessageEvent
) -> StoredInbound | None:
    route = await ctx.accounts.by_phone_number_id(event.phone_number_id)
    if route is None:
        log.warning("webhook_unknown_number", phone_number_id=event.phone_number_id)
        return None
    message = event.message
    contact = await ContactRepository(session).upsert_from_whatsapp(
        route.workspace_id,
        wa_id=event.wa_id,
        bsuid=event.user_id,
        name=event.profile_name,
        seen_at=message.timestamp,
    )
    await session.flush()
    summary: dict[str, Any] = to_jsonable_python(event.summary)
    values: dict[str, Any] = {
        "workspace_id": route.workspace_id,
        "contact_id": contact.id,
        "whatsapp_account_id": route.account_id,
        "type": str(message.type),
        "text": event.summary.text,
        "wamid": message.id,
        # Arrival order, not Meta's whole-second timestamp (kept in the payload): a customer's
        # quick answer must not sort above the bot message it answers.
        "created_at": utcnow(),
        "payload": {
            "message": message.model_dump(mode="json", by_alias=True, exclude_none=True),
            "summary": summary,
        },
    }
    message_id = await MessageRepository(session).insert_inbound(values)
    if message_id is None:
        log.info("webhook_duplicate_message", wamid=message.id)
        metrics.count_after_commit(session, metrics.WEBHOOK_DUPLICATES.labels("message"))
        return None
    metrics.count_after_commit(session, metrics.MESSAGES.labels("inbound", "received"))
    conversation = await ConversationRepository(session).record_inbound(
        route.workspace_id, contact.id, route.account_id, values["created_at"],
        event.summary.text, customer_sent_at=message.timestamp,
    )  # fmt: skip
    # The agents watching hear of it after commit (a transient row, only for its shape).
    inbox_events.message_new(
        session, Message(id=message_id, direction="inbound", status="delivered", **values)
    )
    await inbox_events.conversation_updated(session, conversation)
    await broadcast_tracking.note_reply(
        session, route.workspace_id, contact.id, values["created_at"]
    )
    # STOP / START (the workspace's opt-out keywords) change the contact's opt-out state and are
    # not a conversation with the bot: no flow answers them.
    if await apply_inbound_optout(session, contact, event.summary.text):
        return StoredInbound(message_id, route.workspace_id, contact.id, None)
    # The flow engine's turn, queued in this transaction so a crash cannot lose it.
    enqueue(
        session,
        workspace_id=route.workspace_id,
        kind="inbound",
        contact_id=contact.id,
        message_id=message_id,
    )
    media = event.summary.media
    return StoredInbound(message_id, route.workspace_id, contact.id, media.id if media else None)


async def _apply_status(ctx: AppContext, session: AsyncSession, event: StatusEvent) -> None:
    repo = MessageRepository(session)
    error: dict[str, Any] = {
        "error_code": event.error_code,
        "error_title": event.error_title,
        "error_details": event.error_details,
    }
    found = await repo.apply_status(event.wamid, str(event.status), event.timestamp, **error)
    route = await ctx.accounts.by_phone_number_id(event.phone_number_id)
    if route is not None and event.biz_opaque_callback_data:
        # A broadcast's send: its recipient moves forward too (found by the echoed id).
        await broadcast_tracking.apply_status(session, route.workspace_id, event)
    if found:
        return
    if route is not None:
        # The send that produced this wamid has not been recorded yet: keep the status for it.
        repo.add_pending_status(
            route.workspace_id, event.wamid, str(event.status), event.timestamp, **error
        )


async def _apply_user_preferences(
    ctx: AppContext, session: AsyncSession, event: UserPreferencesEvent
) -> None:
    route = await ctx.accounts.by_phone_number_id(event.phone_number_id)
    if route is None:
        log.warning("webhook_unknown_number", phone_number_id=event.phone_number_id)
        return
    changed = await apply_user_preferences(session, route.workspace_id, event.value)
    log.info("marketing_preferences_applied", workspace_id=route.workspace_id, changed=changed)


async def _accounts_of_waba(session: AsyncSession, waba_id: str) -> list[WhatsAppAccount]:
    result = await session.execute(
        select(WhatsAppAccount).where(WhatsAppAccount.waba_id == waba_id)
    )
    return list(result.scalars())


async def _apply_quality_update(session: AsyncSession, event: QualityUpdateEvent) -> None:
    update = event.update
    digits = "".join(ch for ch in (update.display_phone_number or "") if ch.isdigit())
    for account in await _accounts_of_waba(session, event.waba_id):
        own_digits = "".join(ch for ch in (account.display_phone_number or "") if ch.isdigit())
        if digits and own_digits and digits != own_digits:
            continue  # the update is for another number of the same WABA
        if update.is_throughput_upgrade:
            account.send_budget_per_second = max(
                account.send_budget_per_second, UPGRADED_SEND_BUDGET
            )
        if update.messaging_limit:
            account.messaging_limit_tier = update.messaging_limit


async def _apply_account_update(session: AsyncSession, event: AccountUpdateEvent) -> None:
    detail = f"Meta account update: {event.update.event}"
    for account in await _accounts_of_waba(session, event.waba_id):
        account.status_detail = detail[:255]
