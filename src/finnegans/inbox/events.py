"""The inbox's Socket.IO events, queued on the transaction and emitted after it commits.

The realtime hub travels in `session.info["realtime"]` (set by the app for every session), so
code deep in a transaction (the webhook processor, a flow step, the outbox) can announce a
change without being handed the app context. Without a hub (CLI, some tests) nothing is sent.
"""

from __future__ import annotations

from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.db.models import Conversation, Message
from finnegans.inbox.schemas import UserRef
from finnegans.inbox.views import conversation_changes, message_out
from finnegans.realtime.rooms import conversation_room, workspace_room


def _emit(session: AsyncSession, event: str, data: dict[str, Any], room: str) -> None:
    hub = session.info.get("realtime")
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


def conversation_updated(session: AsyncSession, conversation: Conversation) -> None:
    data = {"contact_id": conversation.contact_id,
            "conversation": conversation_changes(conversation)}  # fmt: skip
    _emit(session, "conversation:updated", data, workspace_room(conversation.workspace_id))
