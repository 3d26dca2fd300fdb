"""A contact's timeline: messages, flow sessions (started, ended, handed off) and opt changes.

Newest first, keyset-paged on (time, event id) across all sources: each source is asked for
its next `limit + 1` events after the cursor, the results are merged, and the first `limit`
returned. Broadcast deliveries show up as their messages (with `broadcast_id`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.contacts.schemas import (
    ActivityItemOut,
    ActivityMetaOut,
    ActivityOut,
    TimelineItemOut,
    TimelineOut,
)
from finnegans.db.models import ContactOptEvent, Flow, FlowSession, Message
from finnegans.kit.cursors import decode_cursor, encode_cursor
from finnegans.kit.errors import BadRequest

ENDED = ("completed", "errored", "expired", "handed_off")


def _after(at_column: Any, id_column: Any, cursor: tuple[datetime, str] | None) -> Any:
    if cursor is None:
        return true()
    at, event_id = cursor
    return or_(at_column < at, and_(at_column == at, id_column < event_id))


def _decode(cursor: str | None) -> tuple[datetime, str] | None:
    if not cursor:
        return None
    raw_at, event_id = decode_cursor(cursor, 2)
    try:
        at = datetime.fromisoformat(raw_at)
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        raise BadRequest("cursor: not a cursor this API returned", fields={"cursor": "invalid"})
    return at, event_id


async def _messages(
    session: AsyncSession, mine: ColumnElement[bool], cursor: tuple[datetime, str] | None,
    limit: int,
) -> list[TimelineItemOut]:  # fmt: skip
    rows = await session.execute(
        select(Message, Flow.id, Flow.name)
        .outerjoin(FlowSession, FlowSession.id == Message.session_id)
        .outerjoin(Flow, Flow.id == FlowSession.flow_id)
        .where(mine, _after(Message.created_at, Message.id, cursor))
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(limit)
    )
    return [
        TimelineItemOut(
            id=m.id,
            kind="message",
            event=m.direction,
            at=m.created_at,
            text=m.text,
            status=m.status,
            message_type=m.type,
            flow_id=flow_id,
            flow_name=flow_name,
            session_id=m.session_id,
            broadcast_id=m.broadcast_id,
            detail=m.error_title if m.status == "failed" else None,
        )
        for m, flow_id, flow_name in rows
    ]


async def _sessions(
    session: AsyncSession, workspace_id: str, contact_id: str,
    cursor: tuple[datetime, str] | None, limit: int,
) -> list[TimelineItemOut]:  # fmt: skip
    mine = and_(FlowSession.workspace_id == workspace_id, FlowSession.contact_id == contact_id)
    started_id = FlowSession.id.concat("started")
    ended_at = func.coalesce(FlowSession.ended_at, FlowSession.last_activity_at)
    ended_id = FlowSession.id.concat(FlowSession.status)
    started = await session.execute(
        select(FlowSession, Flow.name)
        .join(Flow, Flow.id == FlowSession.flow_id)
        .where(mine, _after(FlowSession.started_at, started_id, cursor))
        .order_by(FlowSession.started_at.desc(), FlowSession.id.desc())
        .limit(limit)
    )
    ended = await session.execute(
        select(FlowSession, Flow.name, ended_at)
        .join(Flow, Flow.id == FlowSession.flow_id)
        .where(mine, FlowSession.status.in_(ENDED), _after(ended_at, ended_id, cursor))
        .order_by(ended_at.desc(), FlowSession.id.desc())
        .limit(limit)
    )
    items = [
        TimelineItemOut(
            id=f"{s.id}started",
            kind="flow",
            event="started",
            at=s.started_at,
            flow_id=s.flow_id,
            flow_name=name,
            session_id=s.id,
        )
        for s, name in started
    ]
    items += [
        TimelineItemOut(
            id=f"{s.id}{s.status}",
            kind="flow",
            event=s.status,
            at=at,
            flow_id=s.flow_id,
            flow_name=name,
            session_id=s.id,
            detail=s.error if s.status == "errored" else None,
        )
        for s, name, at in ended
    ]
    return items


async def _opt_events(
    session: AsyncSession, workspace_id: str, contact_id: str,
    cursor: tuple[datetime, str] | None, limit: int,
) -> list[TimelineItemOut]:  # fmt: skip
    rows = await session.execute(
        select(ContactOptEvent)
        .where(
            ContactOptEvent.workspace_id == workspace_id,
            ContactOptEvent.contact_id == contact_id,
            _after(ContactOptEvent.created_at, ContactOptEvent.id, cursor),
        )
        .order_by(ContactOptEvent.created_at.desc(), ContactOptEvent.id.desc())
        .limit(limit)
    )
    return [
        TimelineItemOut(
            id=e.id, kind="opt", event=e.action, at=e.created_at, source=e.source, detail=e.detail
        )
        for e in rows.scalars()
    ]


async def timeline(
    session: AsyncSession, workspace_id: str, contact_id: str, *, cursor: str | None, limit: int
) -> TimelineOut:
    """One page of the contact's timeline (the contact must already be checked as this
    workspace's)."""
    after = _decode(cursor)
    mine = and_(Message.workspace_id == workspace_id, Message.contact_id == contact_id)
    items = await _messages(session, mine, after, limit + 1)
    items += await _sessions(session, workspace_id, contact_id, after, limit + 1)
    items += await _opt_events(session, workspace_id, contact_id, after, limit + 1)
    items.sort(key=lambda item: (item.at, item.id), reverse=True)
    page = items[:limit]
    following = None
    if len(items) > limit and page:
        following = encode_cursor(page[-1].at.isoformat(), page[-1].id)
    return TimelineOut(items=page, next_cursor=following)


_FLOW_STATUS = {"started": "Started", "completed": "Completed", "errored": "Errored",
                "expired": "Expired", "handed_off": "HandedOff"}  # fmt: skip


def activity_item(item: TimelineItemOut) -> ActivityItemOut:
    """The original system's activity row for a timeline event."""
    metadata: list[ActivityMetaOut] = []
    if item.kind == "message":
        direction = item.event if item.event in ("inbound", "outbound") else "system"
        status = (item.status or "unknown").capitalize()
        if item.event == "inbound":
            status = "Received"
        metadata.append(ActivityMetaOut(key="type", value=item.message_type or "text"))
        if item.broadcast_id:
            metadata.append(ActivityMetaOut(key="broadcastId", value=item.broadcast_id))
    elif item.kind == "flow":
        direction, status = "system", _FLOW_STATUS.get(item.event, item.event)
    else:
        direction = "system"
        status = "OptedOut" if item.event == "opt_out" else "OptedIn"
        metadata.append(ActivityMetaOut(key="source", value=item.source or ""))
    if item.detail:
        metadata.append(ActivityMetaOut(key="detail", value=item.detail))
    return ActivityItemOut(
        id=item.id, created_at=item.at, status=status, direction=direction,
        channel="whatsapp", flow_name=item.flow_name, message_preview=item.text,
        metadata=metadata,
    )  # fmt: skip


async def activity(
    session: AsyncSession, workspace_id: str, contact_id: str, *, cursor: str | None, limit: int
) -> ActivityOut:
    page = await timeline(session, workspace_id, contact_id, cursor=cursor, limit=limit)
    return ActivityOut(items=[activity_item(i) for i in page.items], next_cursor=page.next_cursor)
