"""Overview aggregates and search queries, always scoped to a workspace.

Every figure is a GROUP BY in the database: rows never come back to Python, only counts.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, or_, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.db.models import (
    Broadcast,
    Contact,
    Conversation,
    Flow,
    FlowSession,
    MessageRollup,
    Workspace,
)
from finnegans.metrics.days import Period, epoch_seconds, slot_day


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _newest_first(column: Any, fallback: Any) -> Any:
    """Newest first, by an expression no index satisfies: the planner then filters every row by
    the search and sorts the few matches, instead of walking the date index and looking up each
    row (ten times slower on SQLite when little or nothing matches)."""
    return func.coalesce(column, fallback).desc()


class MetricsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.dialect = session.get_bind().dialect.name

    def _contains(self, column: Any, text: str) -> ColumnElement[bool]:
        """Case-insensitive substring match; `%` and `_` in the text are literal."""
        # SQLite's LIKE already ignores ASCII case, as lower() does there, and costs less.
        if self.dialect == "sqlite":
            return column.like(_like(text), escape="\\")  # type: ignore[no-any-return]
        return column.ilike(_like(text), escape="\\")  # type: ignore[no-any-return]

    async def workspace_timezone(self, workspace_id: str) -> str | None:
        row = await self.session.execute(
            select(Workspace.timezone).where(Workspace.id == workspace_id)
        )
        return row.scalar_one_or_none()

    async def contact_counts(self, workspace_id: str, since: datetime) -> tuple[int, int]:
        """(all contacts, contacts created since `since`)."""
        new = func.sum(case((Contact.created_at >= since, 1), else_=0))
        row = await self.session.execute(
            select(func.count(), new).where(Contact.workspace_id == workspace_id)
        )
        total, created = row.one()
        return int(total), int(created or 0)

    async def open_conversations(self, workspace_id: str) -> int:
        row = await self.session.execute(
            select(func.count()).where(
                Conversation.workspace_id == workspace_id, Conversation.status == "open"
            )
        )
        return int(row.scalar_one())

    async def messages_by_day(
        self, workspace_id: str, period: Period
    ) -> list[tuple[date, str, str, int]]:
        """(local day, direction, status, count) for the period's messages.

        Sums the roll-up slots (at most 96 a day per direction and status), never the messages.
        """
        day, to_date = slot_day(MessageRollup.slot_start, period)
        rows = await self.session.execute(
            select(
                day, MessageRollup.direction, MessageRollup.status, func.sum(MessageRollup.count)
            )
            .where(
                MessageRollup.workspace_id == workspace_id,
                MessageRollup.slot_start >= epoch_seconds(period.start),
                MessageRollup.slot_start < epoch_seconds(period.end),
            )
            .group_by(day, MessageRollup.direction, MessageRollup.status)
        )
        return [
            (to_date(d), direction, status, int(n)) for d, direction, status, n in rows.all() if n
        ]

    async def sessions_by_flow(
        self, workspace_id: str, period: Period
    ) -> list[tuple[str, str, int, int]]:
        """(flow id, name, sessions started, of them completed) per flow, most started first."""
        # Count the period's sessions per flow first, then name the flows: joined directly,
        # SQLite walks the period's sessions once per flow (the index is by start time).
        per_flow = (
            select(
                FlowSession.flow_id,
                func.count().label("started"),
                func.sum(case((FlowSession.status == "completed", 1), else_=0)).label("completed"),
            )
            .where(
                FlowSession.workspace_id == workspace_id,
                FlowSession.started_at >= period.start,
                FlowSession.started_at < period.end,
            )
            .group_by(FlowSession.flow_id)
            .subquery()
        )
        rows = await self.session.execute(
            select(Flow.id, Flow.name, per_flow.c.started, per_flow.c.completed)
            .join(per_flow, per_flow.c.flow_id == Flow.id)
            .where(Flow.workspace_id == workspace_id)
            .order_by(per_flow.c.started.desc(), Flow.name)
        )
        return [(fid, name, int(s), int(c or 0)) for fid, name, s, c in rows.all()]

    async def flow(self, workspace_id: str, flow_id: str) -> Flow | None:
        row = await self.session.execute(
            select(Flow).where(Flow.workspace_id == workspace_id, Flow.id == flow_id)
        )
        return row.scalar_one_or_none()

    # ---- search ----

    async def search_flows(self, workspace_id: str, q: str, limit: int) -> list[Flow]:
        rows = await self.session.execute(
            select(Flow)
            .where(Flow.workspace_id == workspace_id, self._contains(Flow.name, q))
            .order_by(_newest_first(Flow.updated_at, Flow.created_at))
            .limit(limit)
        )
        return list(rows.scalars())

    async def search_contacts(self, workspace_id: str, q: str, limit: int) -> list[Contact]:
        rows = await self.session.execute(
            select(Contact)
            .where(
                Contact.workspace_id == workspace_id,
                or_(
                    self._contains(Contact.name, q),
                    self._contains(Contact.phone, q),
                    self._contains(Contact.wa_id, q),
                ),
            )
            .order_by(_newest_first(Contact.updated_at, Contact.created_at))
            .limit(limit)
        )
        return list(rows.scalars())

    async def search_conversations(
        self, workspace_id: str, q: str, limit: int
    ) -> list[tuple[Conversation, Contact]]:
        contact_matches = or_(self._contains(Contact.name, q), self._contains(Contact.phone, q))
        preview_matches = self._contains(Conversation.last_message_preview, q)
        if self.dialect == "postgresql":
            matches: ColumnElement[bool] = Conversation.id.in_(
                self._conversations_matching(workspace_id, contact_matches, preview_matches)
            )
        else:  # SQLite scans either way; one pass over the join is the cheapest scan
            matches = or_(contact_matches, preview_matches)
        rows = await self.session.execute(
            select(Conversation, Contact)
            .join(Contact, Contact.id == Conversation.contact_id)
            .where(
                Conversation.workspace_id == workspace_id,
                Contact.workspace_id == workspace_id,
                matches,
            )
            .order_by(_newest_first(Conversation.last_message_at, Conversation.created_at))
            .limit(limit)
        )
        return [(conv, contact) for conv, contact in rows.all()]

    def _conversations_matching(
        self, workspace_id: str, contact_matches: Any, preview_matches: Any
    ) -> Any:
        """Ids of conversations whose contact or preview matches: two searches united, each on
        one table, so each half uses its own trigram index (migration 0008); one OR across the
        join made PostgreSQL hash-join and filter every conversation (250 ms on 50,000)."""
        by_contact = (
            select(Conversation.id)
            .join(Contact, Contact.id == Conversation.contact_id)
            .where(
                Conversation.workspace_id == workspace_id,
                Contact.workspace_id == workspace_id,
                contact_matches,
            )
        )
        by_preview = select(Conversation.id).where(
            Conversation.workspace_id == workspace_id, preview_matches
        )
        return select(union(by_contact, by_preview).subquery().c.id)

    async def search_broadcasts(self, workspace_id: str, q: str, limit: int) -> list[Broadcast]:
        rows = await self.session.execute(
            select(Broadcast)
            .where(Broadcast.workspace_id == workspace_id, self._contains(Broadcast.title, q))
            .order_by(_newest_first(Broadcast.updated_at, Broadcast.created_at))
            .limit(limit)
        )
        return list(rows.scalars())
