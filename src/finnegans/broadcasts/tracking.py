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

from sqlalchemy import case, func, update
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
    """One UPDATE per status webhook (three arrive per message, so this is a hot path)."""
    recipient_id = recipient_of(event.biz_opaque_callback_data)
    if recipient_id is None:
        return
    table = BroadcastRecipient
    mine = (table.id == recipient_id) & (table.workspace_id == workspace_id)
    status = str(event.status)
    # Evidence that Meta has the message: remember its wamid (settles an ambiguous `sending`).
    values: dict[str, Any] = {"wamid": func.coalesce(table.wamid, event.wamid)}
    retry = status == "failed" and event.error_code == ECOSYSTEM_CODE
    if retry and await _retry_ecosystem(session, mine, event):
        return
    if status in _APPLIES_OVER:
        moves = table.status.in_(_APPLIES_OVER[status])
        values["status"] = case((moves, "read" if status == "played" else status),
                                else_=table.status)  # fmt: skip
        values["status_updated_at"] = case((moves, event.timestamp),
                                           else_=table.status_updated_at)  # fmt: skip
        if status == "failed":
            error = " — ".join(p for p in (event.error_title, event.error_details) if p)
            values["error_code"] = case((moves, event.error_code), else_=table.error_code)
            values["error"] = case((moves, error or "failed"), else_=table.error)
        column = _TIME_COLUMN.get(status)
        if column is not None:
            # Each status keeps its own time even when it arrives out of order.
            values[column] = func.coalesce(getattr(table, column), event.timestamp)
        if status != "failed":  # any success proves the send, even if our record was lost
            values["sent_at"] = func.coalesce(table.sent_at, event.timestamp)
    await session.execute(update(table).where(mine).values(**values))


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
