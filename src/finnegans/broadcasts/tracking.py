"""Status webhooks and replies, applied to broadcast recipients.

Forward only: pending < sending < sent < delivered < read; `failed` applies only over states
below delivered (a late `failed` after `delivered` is kept off, as for messages). Late,
duplicated and out-of-order statuses therefore leave every recipient in the strongest state
seen, and the counts, computed from the rows, follow. The recipient is found by the id Meta
echoes in `biz_opaque_callback_data`, which also settles recipients left `sending` by a crash.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.broadcasts.repository import RUNNER_KIND
from finnegans.db.models import Broadcast, BroadcastRecipient
from finnegans.jobs.task_queue import enqueue
from finnegans.kit.clock import utcnow
from finnegans.whatsapp.inbound.events import StatusEvent

OPAQUE_PREFIX = "bcast:"
# A reply counts for broadcasts sent to the contact within this long before it.
REPLY_ATTRIBUTION = timedelta(hours=72)
ECOSYSTEM_CODE = 131049
MAX_ECOSYSTEM_RETRIES = 1  # 131049: Meta asks not to retry within 24 h
ECOSYSTEM_RETRY_AFTER = timedelta(hours=24)

_APPLIES_OVER: dict[str, tuple[str, ...]] = {
    "sent": ("pending", "sending"),
    "delivered": ("pending", "sending", "sent"),
    "read": ("pending", "sending", "sent", "delivered"),
    "played": ("pending", "sending", "sent", "delivered"),
    "failed": ("pending", "sending", "sent"),
}
_TIME_COLUMN = {"sent": "sent_at", "delivered": "delivered_at", "read": "read_at",
                "played": "read_at"}  # fmt: skip


def recipient_of(opaque: str | None) -> str | None:
    """The recipient id carried in `biz_opaque_callback_data`, if the message was ours."""
    if opaque and opaque.startswith(OPAQUE_PREFIX):
        return opaque[len(OPAQUE_PREFIX) :] or None
    return None


async def apply_status(session: AsyncSession, workspace_id: str, event: StatusEvent) -> None:
    recipient_id = recipient_of(event.biz_opaque_callback_data)
    if recipient_id is None:
        return
    table = BroadcastRecipient
    mine = (table.id == recipient_id) & (table.workspace_id == workspace_id)
    status = str(event.status)
    # Evidence that Meta has the message: remember its wamid (settles an ambiguous `sending`).
    await session.execute(
        update(table).where(mine, table.wamid.is_(None)).values(wamid=event.wamid)
    )
    if status not in _APPLIES_OVER:
        return
    values: dict[str, Any] = {"status": "read" if status == "played" else status,
                              "status_updated_at": event.timestamp}  # fmt: skip
    if status == "failed":
        if event.error_code == ECOSYSTEM_CODE and await _retry_ecosystem(session, mine, event):
            return
        values |= {"error_code": event.error_code,
                   "error": " — ".join(p for p in (event.error_title, event.error_details)
                                       if p) or "failed"}  # fmt: skip
    await session.execute(
        update(table).where(mine, table.status.in_(_APPLIES_OVER[status])).values(**values)
    )
    column = _TIME_COLUMN.get(status)
    if column is not None:
        # Each status keeps its own time even when it arrives out of order.
        await session.execute(
            update(table).where(mine, getattr(table, column).is_(None))
            .values({column: event.timestamp})
        )  # fmt: skip
    if status != "sent":  # `sent` proves the send happened even when our record was lost
        return
    await session.execute(update(table).where(mine, table.sent_at.is_(None))
                          .values(sent_at=event.timestamp))  # fmt: skip


async def _retry_ecosystem(session: AsyncSession, mine: Any, event: StatusEvent) -> bool:
    """131049 ("healthy ecosystem"): Meta asks to wait 24 h; retried once, then failed."""
    table = BroadcastRecipient
    moved = await session.execute(
        update(table)
        .where(mine, table.status.in_(("sending", "sent")),
               table.attempts <= MAX_ECOSYSTEM_RETRIES)
        .values(status="pending", wamid=None, message_id=None,
                next_attempt_at=utcnow() + ECOSYSTEM_RETRY_AFTER, error_code=ECOSYSTEM_CODE,
                error=f"retrying in 24 h: {event.error_title or 'not delivered'}")
        .returning(table.broadcast_id)
    )  # fmt: skip
    broadcast_id = moved.scalar_one_or_none()
    if broadcast_id is None:
        return False
    broadcast = await session.get(Broadcast, broadcast_id)
    if broadcast is not None and broadcast.status == "completed":
        broadcast.status, broadcast.completed_at = "running", None
        enqueue(session, workspace_id=broadcast.workspace_id, kind=RUNNER_KIND,
                payload={"broadcast_id": broadcast.id},
                due_at=utcnow() + ECOSYSTEM_RETRY_AFTER)  # fmt: skip
    return True


async def note_reply(
    session: AsyncSession, workspace_id: str, contact_id: str, at: datetime
) -> None:
    """An inbound message: the contact replied to the broadcasts it got shortly before."""
    table = BroadcastRecipient
    await session.execute(
        update(table)
        .where(table.workspace_id == workspace_id, table.contact_id == contact_id,
               table.replied_at.is_(None), table.sent_at.is_not(None),
               table.sent_at <= at, table.sent_at >= at - REPLY_ATTRIBUTION)
        .values(replied_at=at)
    )  # fmt: skip
