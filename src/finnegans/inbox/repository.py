"""Message and conversation-state queries."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.db.base import new_id
from finnegans.db.models import Conversation, Message, PendingStatus
from finnegans.inbox import events
from finnegans.kit.clock import utcnow
from finnegans.kit.upsert import insert_ignoring_conflicts
from finnegans.system import metrics

CUSTOMER_SERVICE_WINDOW = timedelta(hours=24)

# A status applies only over the statuses listed here: the status never moves backwards, and
# `failed` is terminal (it also never overrides delivered/read, which are stronger evidence).
_APPLIES_OVER: dict[str, tuple[str, ...]] = {
    "sent": ("pending",),
    "delivered": ("pending", "sent"),
    "read": ("pending", "sent", "delivered"),
    "played": ("pending", "sent", "delivered", "read"),
    "failed": ("pending", "sent"),
}
_TIME_COLUMN = {"sent": "sent_at", "delivered": "delivered_at", "read": "read_at"}


class MessageRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def insert_inbound(self, values: dict[str, Any]) -> str | None:
        """Store an inbound message once: returns its id, or None when the wamid already exists."""
        values = {"id": new_id(), "direction": "inbound", "status": "delivered", **values}
        statement = insert_ignoring_conflicts(self.session, Message, values).returning(Message.id)
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def insert_outbound(self, values: dict[str, Any]) -> str:
        """Record a message we sent, then apply any statuses that raced ahead of it."""
        message_id = new_id()
        self.session.add(Message(id=message_id, direction="outbound", **values))
        await self.session.flush()
        if values.get("wamid"):
            await self.apply_pending_statuses(values["wamid"])
        return message_id

    async def apply_status(
        self,
        wamid: str,
        status: str,
        occurred_at: datetime,
        *,
        error_code: int | None = None,
        error_title: str | None = None,
        error_details: str | None = None,
    ) -> bool:
        """Move a message's status forward; returns False when no message has this wamid.

        A status that moved the message forward is announced to the inbox after commit.
        """
        if status not in _APPLIES_OVER:
            return True  # an unknown status never regresses anything; nothing to do
        found = (
            await self.session.execute(
                select(Message.id, Message.workspace_id, Message.contact_id).where(
                    Message.wamid == wamid
                )
            )
        ).first()
        if found is None:
            return False
        values: dict[str, Any] = {"status": status, "status_updated_at": occurred_at}
        if status == "failed":
            values |= {
                "error_code": error_code,
                "error_title": error_title,
                "error_details": error_details,
            }
        moved = await self.session.execute(
            update(Message)
            .where(Message.wamid == wamid, Message.status.in_(_APPLIES_OVER[status]))
            .values(**values)
        )
        if moved.rowcount:  # type: ignore[attr-defined]
            message_id, workspace_id, contact_id = found
            error = (
                {"code": error_code, "title": error_title, "details": error_details}
                if status == "failed" else None
            )  # fmt: skip
            events.status_changed(self.session, workspace_id, contact_id, message_id, wamid,
                                  status, error)  # fmt: skip
            if status == "failed":
                metrics.count_after_commit(
                    self.session, metrics.MESSAGES.labels("outbound", status)
                )
                code = str(error_code) if error_code is not None else "none"
                metrics.count_after_commit(self.session, metrics.MESSAGE_FAILURES.labels(code))
        column = _TIME_COLUMN.get(status)
        if column is not None:
            # Each status keeps its own time even when it arrives out of order.
            stamped = await self.session.execute(
                update(Message)
                .where(Message.wamid == wamid, getattr(Message, column).is_(None))
                .values({column: occurred_at})
            )
            if stamped.rowcount:  # type: ignore[attr-defined]
                # Counted once per message and status, whatever order the webhooks came in.
                metrics.count_after_commit(
                    self.session, metrics.MESSAGES.labels("outbound", status)
                )
        return True

    def add_pending_status(
        self, workspace_id: str, wamid: str, status: str, occurred_at: datetime, **error: Any
    ) -> None:
        self.session.add(
            PendingStatus(
                workspace_id=workspace_id,
                wamid=wamid,
                status=status,
                occurred_at=occurred_at,
                **error,
            )
        )

    async def apply_pending_statuses(self, wamid: str) -> int:
        """Apply statuses that arrived before the message was recorded (call after recording)."""
        rows = (
            (
                await self.session.execute(
                    select(PendingStatus)
                    .where(PendingStatus.wamid == wamid)
                    .order_by(PendingStatus.occurred_at)
                )
            )
            .scalars()
            .all()
        )
        for row in rows:
            await self.apply_status(
                wamid,
                row.status,
                row.occurred_at,
                error_code=row.error_code,
                error_title=row.error_title,
                error_details=row.error_details,
            )
            await self.session.delete(row)
        return len(rows)


class ConversationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def for_contact(self, workspace_id: str, contact_id: str) -> Conversation:
        """The contact's conversation state, created on first use."""
        existing = await self.session.execute(
            select(Conversation).where(
                Conversation.workspace_id == workspace_id, Conversation.contact_id == contact_id
            )
        )
        found = existing.scalar_one_or_none()
        if found is not None:
            return found
        await self.session.execute(
            insert_ignoring_conflicts(
                self.session,
                Conversation,
                {
                    "id": new_id(),
                    "workspace_id": workspace_id,
                    "contact_id": contact_id,
                    "mode": "bot",
                    "status": "open",
                    "unread_count": 0,
                    # Never NULL, so the inbox's keyset pagination sees every conversation.
                    "last_message_at": utcnow(),
                },
            )
        )
        result = await self.session.execute(
            select(Conversation).where(
                Conversation.workspace_id == workspace_id, Conversation.contact_id == contact_id
            )
        )
        return result.scalar_one()

    async def record_inbound(
        self,
        workspace_id: str,
        contact_id: str,
        account_id: str,
        at: datetime,
        preview: str | None,
        *,
        customer_sent_at: datetime | None = None,
    ) -> Conversation:
        """`at` is when we got the message (the list's order); the 24-hour window runs from
        when the customer sent it (Meta's timestamp)."""
        conversation = await self.for_contact(workspace_id, contact_id)
        conversation.whatsapp_account_id = account_id
        conversation.unread_count += 1
        if conversation.status == "resolved":
            conversation.status = "open"
        self._note_last_message(conversation, at, preview)
        window_end = (customer_sent_at or at) + CUSTOMER_SERVICE_WINDOW
        if conversation.window_expires_at is None or window_end > conversation.window_expires_at:
            conversation.window_expires_at = window_end
        return conversation

    async def record_outbound(
        self, workspace_id: str, contact_id: str, at: datetime, preview: str | None
    ) -> Conversation:
        conversation = await self.for_contact(workspace_id, contact_id)
        self._note_last_message(conversation, at, preview)
        return conversation

    @staticmethod
    def _note_last_message(conversation: Conversation, at: datetime, preview: str | None) -> None:
        """Newest message wins; a conversation's first message always sets it (the row's
        creation time stands in until then, and may be a moment later than Meta's timestamp)."""
        first = conversation.last_message_preview is None
        if first or conversation.last_message_at is None or at >= conversation.last_message_at:
            conversation.last_message_at = at
            conversation.last_message_preview = (preview or "")[:255] or None
