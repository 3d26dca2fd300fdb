"""Broadcast and recipient queries, always scoped to a workspace."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.broadcasts.schemas import Counts
from finnegans.db.models import Broadcast, BroadcastRecipient, Contact, Task
from finnegans.kit.clock import utcnow

RUNNER_KIND = "broadcast"
RATE_WINDOW = timedelta(seconds=10)


class BroadcastRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, workspace_id: str, broadcast_id: str) -> Broadcast | None:
        result = await self.session.execute(
            select(Broadcast).where(
                Broadcast.workspace_id == workspace_id, Broadcast.id == broadcast_id
            )
        )
        return result.scalar_one_or_none()

    async def page(
        self, workspace_id: str, after: tuple[datetime, str] | None, limit: int
    ) -> Sequence[Broadcast]:
        query = select(Broadcast).where(Broadcast.workspace_id == workspace_id)
        if after is not None:
            at, last_id = after
            query = query.where(
                or_(Broadcast.created_at < at,
                    and_(Broadcast.created_at == at, Broadcast.id < last_id))
            )  # fmt: skip
        query = query.order_by(Broadcast.created_at.desc(), Broadcast.id.desc()).limit(limit)
        return (await self.session.execute(query)).scalars().all()

    async def counts(self, broadcast_ids: list[str]) -> dict[str, Counts]:
        """Recipients per state (from the rows themselves, so webhooks can never skew them)."""
        found = {broadcast_id: Counts() for broadcast_id in broadcast_ids}
        if not broadcast_ids:
            return found
        rows = await self.session.execute(
            select(BroadcastRecipient.broadcast_id, BroadcastRecipient.status, func.count())
            .where(BroadcastRecipient.broadcast_id.in_(broadcast_ids))
            .group_by(BroadcastRecipient.broadcast_id, BroadcastRecipient.status)
        )
        for broadcast_id, status, count in rows:
            if hasattr(found[broadcast_id], status):
                setattr(found[broadcast_id], status, int(count))
        replied = await self.session.execute(
            select(BroadcastRecipient.broadcast_id, func.count())
            .where(BroadcastRecipient.broadcast_id.in_(broadcast_ids),
                   BroadcastRecipient.replied_at.is_not(None))
            .group_by(BroadcastRecipient.broadcast_id)
        )  # fmt: skip
        for broadcast_id, count in replied:
            found[broadcast_id].replied = int(count)
        return found

    async def recent_sends(self, broadcast_id: str) -> int:
        """Recipients sent in the last RATE_WINDOW (the current rate)."""
        result = await self.session.execute(
            select(func.count()).where(
                BroadcastRecipient.broadcast_id == broadcast_id,
                BroadcastRecipient.sent_at >= utcnow() - RATE_WINDOW,
            )
        )
        return int(result.scalar_one())

    async def recipients_page(
        self, workspace_id: str, broadcast_id: str, *, status: str | None, after: str | None,
        limit: int,
    ) -> list[tuple[BroadcastRecipient, str | None, str | None]]:  # fmt: skip
        query = (
            select(BroadcastRecipient, Contact.name, Contact.phone)
            .join(Contact, Contact.id == BroadcastRecipient.contact_id)
            .where(BroadcastRecipient.workspace_id == workspace_id,
                   BroadcastRecipient.broadcast_id == broadcast_id)
        )  # fmt: skip
        if status is not None:
            query = query.where(BroadcastRecipient.status == status)
        if after is not None:
            query = query.where(BroadcastRecipient.id > after)
        query = query.order_by(BroadcastRecipient.id).limit(limit)
        return [(row[0], row[1], row[2]) for row in await self.session.execute(query)]

    async def insert_recipients(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            await self.session.execute(insert(BroadcastRecipient), rows)

    async def skip_pending(self, broadcast_id: str, reason: str) -> int:
        result = await self.session.execute(
            update(BroadcastRecipient)
            .where(BroadcastRecipient.broadcast_id == broadcast_id,
                   BroadcastRecipient.status == "pending")
            .values(status="skipped", error=reason, status_updated_at=utcnow())
        )  # fmt: skip
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def delete_recipients(self, broadcast_id: str) -> None:
        await self.session.execute(
            delete(BroadcastRecipient).where(BroadcastRecipient.broadcast_id == broadcast_id)
        )

    async def has_runner(self, broadcast_id: str) -> bool:
        """A runner task for this broadcast is queued or running (never start a second)."""
        result = await self.session.execute(
            select(Task.id)
            .where(
                Task.kind == RUNNER_KIND,
                Task.state.in_(("pending", "running")),
                Task.payload["broadcast_id"].as_string() == broadcast_id,
            )
            .limit(1)
        )
        return result.first() is not None
