"""The inbox's Socket.IO events, queued on the transaction and emitted after it commits.

The realtime hub travels in `session.info["realtime"]` (set by the app for every session), so
code deep in a transaction (the webhook processor, a flow step, the outbox) can announce a
change without being handed the app context. Without a hub (CLI, some tests) nothing is sent.
"""

from __future__ import annotations

from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.db.models import Conversation, Message, User
from finnegans.inbox.schemas import UserRef
from finnegans.inbox.views import conversation_changes, message_out
from finnegans.realtime.rooms import conversation_room, workspace_room


def _listening_hub(session: AsyncSession, room: str) -> Any:
    """The realtime hub, when someone may hear `room` (so idle installs build no payloads)."""
    hub = session.info.get("realtime")
    return hub if hub is not None and hub.has_audience(room) else None


def _emit(session: AsyncSession, event: str, data: dict[str, Any], room: str) -> None:
    hub = _listening_hub(session, room)
    if hub is not None:
        hub.emit_after_commit(session, event, to_jsonable_python(data), room=room)


def message_new(session: AsyncSession, message: Message, sent_by: UserRef | None = None) -> None:
    data = {"contact_id": message.contact_id,
            "message": message_out(message, sent_by=sent_by).model_dump()}  # fmt: skip
    _emit(session, "message:new", data,
          conversation_room(message.workspace_id, message.contact_id))  # fmt: skip


def message_status(session: AsyncSession, message: Message) -> None:
    error = (
        {"code": message.error_code, "title": message.error_title,
         "details": message.error_details}
        if message.status == "failed" else None
    )  # fmt: skip
    status_changed(session, message.workspace_id, message.contact_id, message.id,
                   message.wamid, message.status, error)  # fmt: skip


def status_changed(
    session: AsyncSession,
    workspace_id: str,
    contact_id: str,
    message_id: str,
    wamid: str | None,
    status: str,
    error: dict[str, Any] | None = None,
) -> None:
    data = {"contact_id": contact_id, "message_id": message_id, "wamid": wamid,
            "status": status, "error": error}  # fmt: skip
    _emit(session, "message:status", data, conversation_room(workspace_id, contact_id))


async def conversation_updated(session: AsyncSession, conversation: Conversation) -> None:
    """The conversation's list row as it now is (status, mode, assignee, unread, last message,
    window): clients merge it into their list, or re-fetch."""
    room = workspace_room(conversation.workspace_id)
    if _listening_hub(session, room) is None:
        return
    assignee = None
    if conversation.assignee_id:
        name = await session.scalar(select(User.name).where(User.id == conversation.assignee_id))
        assignee = {"id": conversation.assignee_id, "name": name or ""}
    row = {**conversation_changes(conversation), "assignee": assignee}
    _emit(session, "conversation:updated", {"contact_id": conversation.contact_id,
                                            "conversation": row}, room)  # fmt: skip
