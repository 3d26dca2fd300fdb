"""The inbox's read side: the conversation list, its counts, and a thread page.

Every query starts from the caller's workspace. The list pages by keyset (last activity, id),
never by offset, so page 50 costs what page 1 costs on a million messages.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.db.models import (
    Contact,
    ContactTag,
    Conversation,
    Flow,
    FlowSession,
    Message,
    Tag,
    User,
)
from finnegans.flows.repository import LIVE_STATUSES
from finnegans.inbox.schemas import (
    ContactOut,
    ConversationCountsOut,
    ConversationDetailOut,
    ConversationSummaryOut,
    MessageOut,
    ReplyToOut,
    SessionOut,
    UserRef,
)
from finnegans.inbox.views import message_out, quoted_wamid, summary_out
from finnegans.kit.errors import BadRequest, NotFound


@dataclass(frozen=True)
class ListFilters:
    statuses: tuple[str, ...] = ()
    assignee: str | None = None  # "me" | "unassigned" | a user id
    mode: str | None = None
    tag: str | None = None
    unread: bool = False
    q: str | None = None


def encode_cursor(at: datetime, row_id: str) -> str:
    raw = json.dumps([at.isoformat(), row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        at, row_id = json.loads(base64.urlsafe_b64decode(padded))
        return datetime.fromisoformat(at), str(row_id)
    except (ValueError, TypeError) as exc:
        raise BadRequest(
            "cursor: not a cursor this API returned", fields={"cursor": "invalid"}
        ) from exc


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filtered(
    query: Select[Conversation, Contact], workspace_id: str, user_id: str | None,
    filters: ListFilters,
) -> Select[Conversation, Contact]:  # fmt: skip
    query = query.where(Conversation.workspace_id == workspace_id)
    if filters.statuses:
        query = query.where(Conversation.status.in_(filters.statuses))
    if filters.assignee == "me":
        query = query.where(Conversation.assignee_id == user_id)
    elif filters.assignee == "unassigned":
        query = query.where(Conversation.assignee_id.is_(None))
    elif filters.assignee:
        query = query.where(Conversation.assignee_id == filters.assignee)
    if filters.mode:
        query = query.where(Conversation.mode == filters.mode)
    if filters.unread:
        query = query.where(Conversation.unread_count > 0)
    if filters.tag:
        query = query.where(
            exists().where(
                ContactTag.contact_id == Conversation.contact_id,
                ContactTag.tag_id == Tag.id,
                Tag.workspace_id == workspace_id,
                Tag.name == filters.tag,
            )
        )
    if filters.q:
        pattern = _like(filters.q.strip())
        query = query.where(
            or_(
                Contact.name.ilike(pattern, escape="\\"),
                Contact.phone.ilike(pattern, escape="\\"),
                Contact.wa_id.ilike(pattern, escape="\\"),
                exists().where(
                    Message.workspace_id == workspace_id,
                    Message.contact_id == Conversation.contact_id,
                    Message.text.ilike(pattern, escape="\\"),
                ),
            )
        )
    return query


async def tags_of(session: AsyncSession, contact_ids: list[str]) -> dict[str, list[str]]:
    if not contact_ids:
        return {}
    rows = await session.execute(
        select(ContactTag.contact_id, Tag.name)
        .join(Tag, Tag.id == ContactTag.tag_id)
        .where(ContactTag.contact_id.in_(contact_ids))
        .order_by(Tag.name)
    )
    found: dict[str, list[str]] = {contact_id: [] for contact_id in contact_ids}
    for contact_id, name in rows:
        found[contact_id].append(name)
    return found


async def user_refs(session: AsyncSession, user_ids: set[str | None]) -> dict[str, UserRef]:
    wanted = [user_id for user_id in user_ids if user_id]
    if not wanted:
        return {}
    rows = await session.execute(select(User.id, User.name).where(User.id.in_(wanted)))
    return {user_id: UserRef(id=user_id, name=name) for user_id, name in rows}


async def summaries(
    session: AsyncSession, rows: list[tuple[Conversation, Contact]]
) -> list[ConversationSummaryOut]:
    tags = await tags_of(session, [contact.id for _, contact in rows])
    users = await user_refs(session, {conversation.assignee_id for conversation, _ in rows})
    return [
        summary_out(
            conversation,
            contact,
            tags=tags.get(contact.id, []),
            assignee=users.get(conversation.assignee_id or ""),
        )
        for conversation, contact in rows
    ]


async def list_conversations(
    session: AsyncSession,
    workspace_id: str,
    user_id: str | None,
    filters: ListFilters,
    *,
    cursor: str | None,
    limit: int,
) -> tuple[list[ConversationSummaryOut], str | None]:
    query = select(Conversation, Contact).join(Contact, Contact.id == Conversation.contact_id)
    query = _filtered(query, workspace_id, user_id, filters)
    if cursor:
        at, row_id = decode_cursor(cursor)
        query = query.where(
            or_(
                Conversation.last_message_at < at,
                and_(Conversation.last_message_at == at, Conversation.id < row_id),
            )
        )
    query = query.order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
    rows = [(c, k) for c, k in (await session.execute(query.limit(limit + 1))).all()]
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more and rows and rows[-1][0].last_message_at is not None:
        next_cursor = encode_cursor(rows[-1][0].last_message_at, rows[-1][0].id)
    return await summaries(session, rows), next_cursor


async def counts(
    session: AsyncSession, workspace_id: str, user_id: str | None
) -> ConversationCountsOut:
    active = Conversation.status != "resolved"

    def count_when(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = (
        await session.execute(
            select(
                count_when(Conversation.status == "open"),
                count_when(Conversation.status == "pending"),
                count_when(Conversation.status == "resolved"),
                count_when(and_(active, Conversation.assignee_id == user_id)),
                count_when(and_(active, Conversation.assignee_id.is_(None))),
                count_when(and_(active, Conversation.unread_count > 0)),
            ).where(Conversation.workspace_id == workspace_id)
        )
    ).one()
    open_, pending, resolved, mine, unassigned, unread = (int(value) for value in row)
    return ConversationCountsOut(
        open=open_, pending=pending, resolved=resolved, mine=mine, unassigned=unassigned,
        unread=unread,
    )  # fmt: skip


async def conversation_row(
    session: AsyncSession, workspace_id: str, contact_id: str
) -> tuple[Conversation, Contact]:
    """The contact's conversation (created on first use); 404 for another workspace's contact."""
    from finnegans.inbox.repository import ConversationRepository

    contact = (
        await session.execute(
            select(Contact).where(Contact.workspace_id == workspace_id, Contact.id == contact_id)
        )
    ).scalar_one_or_none()
    if contact is None:
        raise NotFound("No such contact in this workspace")
    conversation = await ConversationRepository(session).for_contact(workspace_id, contact_id)
    return conversation, contact


async def summary_of(
    session: AsyncSession, conversation: Conversation, contact: Contact
) -> ConversationSummaryOut:
    return (await summaries(session, [(conversation, contact)]))[0]


async def live_session_out(session: AsyncSession, contact_id: str) -> SessionOut | None:
    row = (
        await session.execute(
            select(FlowSession, Flow.name)
            .outerjoin(Flow, Flow.id == FlowSession.flow_id)
            .where(FlowSession.contact_id == contact_id, FlowSession.status.in_(LIVE_STATUSES))
            .order_by(FlowSession.last_activity_at.desc())
            .limit(1)
        )
    ).first()
    if row is None:
        return None
    flow_session, flow_name = row
    return SessionOut(
        id=flow_session.id,
        flow_id=flow_session.flow_id,
        flow_name=flow_name,
        status=flow_session.status,
        node_id=flow_session.current_node_id,
        waiting=flow_session.status == "waiting_input",
        updated_at=flow_session.last_activity_at,
    )


async def detail_of(
    session: AsyncSession, conversation: Conversation, contact: Contact
) -> ConversationDetailOut:
    summary = await summary_of(session, conversation, contact)
    return ConversationDetailOut(
        **summary.model_dump(),
        contact=ContactOut(
            id=contact.id,
            name=contact.name,
            phone=contact.phone,
            wa_id=contact.wa_id,
            attributes=dict(contact.attributes or {}),
            notes=contact.notes,
            opted_out=contact.opted_out,
            created_at=contact.created_at,
        ),
        session=await live_session_out(session, contact.id),
    )


async def messages_out(session: AsyncSession, messages: list[Message]) -> list[MessageOut]:
    """API objects for a page of messages, with agents' names and quoted messages resolved."""
    users = await user_refs(session, {message.sent_by_user_id for message in messages})
    quoted = {wamid for message in messages if (wamid := quoted_wamid(message))}
    replies: dict[str, ReplyToOut] = {}
    if quoted:
        rows = await session.execute(
            select(Message.wamid, Message.id, Message.text).where(
                Message.workspace_id == messages[0].workspace_id, Message.wamid.in_(quoted)
            )
        )
        replies = {w: ReplyToOut(wamid=w, message_id=i, text=t) for w, i, t in rows if w}
    out = []
    for message in messages:
        wamid = quoted_wamid(message)
        reply = (
            replies.get(wamid, ReplyToOut(wamid=wamid, message_id=None, text=None))
            if wamid
            else None
        )
        out.append(
            message_out(message, sent_by=users.get(message.sent_by_user_id or ""), reply_to=reply)
        )
    return out


async def thread_page(
    session: AsyncSession,
    workspace_id: str,
    contact_id: str,
    *,
    before: str | None,
    after: str | None,
    limit: int,
) -> tuple[list[Message], bool, bool]:
    """One page of the thread, oldest first, and whether more exist before and after it."""
    mine = and_(Message.workspace_id == workspace_id, Message.contact_id == contact_id)
    anchor_id = before or after
    query = select(Message).where(mine)
    if anchor_id:
        anchor = (
            await session.execute(select(Message.created_at).where(mine, Message.id == anchor_id))
        ).scalar_one_or_none()
        if anchor is None:
            which = "before" if before else "after"
            raise BadRequest(f"{which}: no such message in this conversation",
                             fields={which: "unknown message"})  # fmt: skip
        if before:
            query = query.where(
                or_(Message.created_at < anchor,
                    and_(Message.created_at == anchor, Message.id < anchor_id))
            )  # fmt: skip
        else:
            query = query.where(
                or_(Message.created_at > anchor,
                    and_(Message.created_at == anchor, Message.id > anchor_id))
            )  # fmt: skip
    newest_first = after is None
    order = (
        (Message.created_at.desc(), Message.id.desc())
        if newest_first
        else (Message.created_at.asc(), Message.id.asc())
    )
    rows = list((await session.execute(query.order_by(*order).limit(limit + 1))).scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    if newest_first:
        rows.reverse()
        return rows, more, before is not None
    return rows, after is not None, more
