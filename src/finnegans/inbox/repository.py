"""Message and conversation-state queries."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BindParameter, Table, case, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.db.base import UTCDateTime, new_id
from finnegans.db.models import Conversation, Message, PendingStatus
from finnegans.inbox import events
from finnegans.kit.clock import utcnow
from finnegans.kit.upsert import insert_ignoring_conflicts, upsert_insert

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
# Core tables for the hot paths: no identity map, no per-object events, no flush.
_messages: Table = Message.__table__  # type: ignore[assignment]
_conversations: Table = Conversation.__table__  # type: ignore[assignment]


def _at(value: datetime) -> BindParameter[datetime]:
    """A timestamp parameter with our UTC column type (a bare datetime would skip it)."""
    return literal(value, UTCDateTime())


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
        workspace_id: str | None = None,
    ) -> bool:
        """Move a message's status forward; returns False when no message has this wamid.

        In order (the common case) this is one UPDATE: the forward-only rule is its WHERE clause.
        Only a status that does not move the message (late, duplicated) takes a second statement,
        which still records its own time and tells whether the message exists. A status that
        moved the message is announced to the inbox after commit.
        """
        if status not in _APPLIES_OVER:
            return True  # an unknown status never regresses anything; nothing to do
        error = {"error_code": error_code, "error_title": error_title,
                 "error_details": error_details}  # fmt: skip
        moved = await self._move_status(wamid, status, occurred_at, error, workspace_id)
        if moved is not None:
            message_id, owner_id, contact_id = moved
            announced = (
                {"code": error_code, "title": error_title, "details": error_details}
                if status == "failed" else None
            )  # fmt: skip
            events.status_changed(self.session, owner_id, contact_id, message_id, wamid,
                                  status, announced)  # fmt: skip
            return True
        return await self._record_status_time(wamid, status, occurred_at, workspace_id)

    async def _move_status(
        self,
        wamid: str,
        status: str,
        occurred_at: datetime,
        error: dict[str, Any],
        workspace_id: str | None,
    ) -> tuple[str, str, str] | None:
        """The forward-only UPDATE; when the status moved, the message's (id, workspace id,
        contact id)."""
        values: dict[str, Any] = {"status": status, "status_updated_at": occurred_at}
        if status == "failed":
            values |= error
        column = _TIME_COLUMN.get(status)
        if column is not None:
            # Each status keeps its own time even when it arrives out of order.
            values[column] = func.coalesce(_messages.c[column], _at(occurred_at))
        statement = (
            update(_messages)
            .where(_messages.c.wamid == wamid, _messages.c.status.in_(_APPLIES_OVER[status]))
            .values(values)
            .returning(_messages.c.id, _messages.c.workspace_id, _messages.c.contact_id)
        )
        if workspace_id is not None:
            statement = statement.where(_messages.c.workspace_id == workspace_id)
        row = (await self.session.execute(statement)).one_or_none()
        return (row[0], row[1], row[2]) if row is not None else None

    async def _record_status_time(
        self, wamid: str, status: str, occurred_at: datetime, workspace_id: str | None
    ) -> bool:
        """A status that does not move the message on: keep its time; False if no such message."""
        column = _TIME_COLUMN.get(status)
        if column is None:
            statement: Any = select(_messages.c.id).where(_messages.c.wamid == wamid)
        else:
            statement = (
                update(_messages)
                .where(_messages.c.wamid == wamid)
                .values({column: func.coalesce(_messages.c[column], _at(occurred_at))})
                .returning(_messages.c.id)
            )
        if workspace_id is not None:
            statement = statement.where(_messages.c.workspace_id == workspace_id)
        return (await self.session.execute(statement)).scalar_one_or_none() is not None

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
        """Count an inbound message in the contact's conversation (created on first use).

        One upsert instead of read-modify-write through the ORM: the rules (unread + 1, a
        resolved conversation reopens, the latest message wins the preview, the window only
        grows) are evaluated by the database against the current row. `at` is when we got the
        message (the list's order); the 24-hour window runs from when the customer sent it
        (Meta's timestamp). Returns the row as it now is, detached (for the inbox's event).
        """
        insert = upsert_insert(self.session, _conversations)
        new = insert.excluded
        current = _conversations.c
        now = utcnow()
        # A conversation created before its first message (by an agent or a trigger) has no
        # preview yet: its first message always wins.
        later = or_(
            current.last_message_preview.is_(None),
            current.last_message_at.is_(None),
            current.last_message_at <= new.last_message_at,
        )
        statement = insert.values(
            id=new_id(),
            workspace_id=workspace_id,
            contact_id=contact_id,
            whatsapp_account_id=account_id,
            mode="bot",
            status="open",
            unread_count=1,
            last_message_at=at,
            last_message_preview=(preview or "")[:255] or None,
            window_expires_at=(customer_sent_at or at) + CUSTOMER_SERVICE_WINDOW,
            created_at=now,
            updated_at=now,
        ).on_conflict_do_update(
            index_elements=[current.contact_id],
            set_={
                "whatsapp_account_id": new.whatsapp_account_id,
                "unread_count": current.unread_count + 1,
                "status": case((current.status == "resolved", "open"), else_=current.status),
                "last_message_at": case(
                    (later, new.last_message_at), else_=current.last_message_at
                ),
                "last_message_preview": case(
                    (later, new.last_message_preview), else_=current.last_message_preview
                ),
                "window_expires_at": case(
                    (
                        or_(
                            current.window_expires_at.is_(None),
                            current.window_expires_at < new.window_expires_at,
                        ),
                        new.window_expires_at,
                    ),
                    else_=current.window_expires_at,
                ),
                "updated_at": new.updated_at,
            },
            where=current.workspace_id == workspace_id,  # never touch another tenant's row
        )
        row = (await self.session.execute(statement.returning(*_conversations.c))).one()
        return Conversation(**row._asdict())

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
