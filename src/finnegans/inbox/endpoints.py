"""Inbox routes (the conversations API arrives with the inbox issue)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse
from sqlalchemy import select

from finnegans.accounts.dependencies import CurrentPrincipal
from finnegans.db.dependencies import Ctx, DbSession
from finnegans.db.models import Message
from finnegans.kit.errors import NotFound
from finnegans.whatsapp.media import media_root

router = APIRouter(prefix="/api", tags=["inbox"])


@router.get("/messages/{message_id}/media", response_class=FileResponse)
async def message_media(
    message_id: str, principal: CurrentPrincipal, session: DbSession, ctx: Ctx
) -> FileResponse:
    """The stored copy of a message's image, audio, video, document or sticker."""
    message = (
        await session.execute(
            select(Message).where(
                Message.workspace_id == principal.workspace_id, Message.id == message_id
            )
        )
    ).scalar_one_or_none()
    stored = (message.payload.get("media_file") or {}) if message is not None else {}
    if message is None or not stored.get("path"):
        raise NotFound("No stored media for this message")
    root = media_root(ctx)
    path = (root / stored["path"]).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise NotFound("No stored media for this message")
    return FileResponse(path, media_type=stored.get("mime_type") or "application/octet-stream")
