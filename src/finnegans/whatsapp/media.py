"""Inbound media: fetched through the Graph API into local storage, so the inbox can show it.

Meta's media URLs expire after minutes and need the account's token, so the file is copied as
soon as the message is stored. Files live under DATA_DIR/media/<workspace>/<message id><ext>.
"""

from __future__ import annotations

import asyncio
import mimetypes
from pathlib import Path
from typing import Any

from finnegans.context import AppContext, StoredInbound
from finnegans.db.models import Message, WhatsAppAccount
from finnegans.kit.logging import get_logger
from finnegans.whatsapp.graph import GraphError, GraphUnreachable, SendOutcomeUnknown
from finnegans.whatsapp.graph_factory import graph_client_for

log = get_logger(__name__)

MAX_MEDIA_BYTES = 100 * 1024 * 1024  # Meta's largest (documents) is 100 MB


def media_root(ctx: AppContext) -> Path:
    return (ctx.settings.data_dir / "media").resolve()


def _extension(mime_type: str | None, filename: str | None) -> str:
    if filename and "." in filename:
        suffix = Path(filename).suffix
        if suffix.isascii() and 1 < len(suffix) <= 10 and suffix[1:].isalnum():
            return suffix.lower()
    guessed = mimetypes.guess_extension((mime_type or "").split(";")[0].strip())
    return guessed or ".bin"


async def download_inbound_media(ctx: AppContext, stored_inbound: StoredInbound) -> None:
    """Inbound hook: copy the message's media to local storage and record where it is."""
    if stored_inbound.media_id is None:
        return
    message_id = stored_inbound.message_id
    async with ctx.db.unit_of_work(write=False) as session:
        message = await session.get(Message, message_id)
        account = (
            await session.get(WhatsAppAccount, message.whatsapp_account_id)
            if message is not None and message.whatsapp_account_id
            else None
        )
    if message is None or account is None:
        return
    media = (message.payload.get("summary") or {}).get("media") or {}
    if not media.get("id"):
        return
    record: dict[str, Any]
    try:
        async with graph_client_for(ctx, account) as graph:
            info = await graph.get_media_url(media["id"])
            if info.file_size and int(info.file_size) > MAX_MEDIA_BYTES:
                raise ValueError(f"media too large ({info.file_size} bytes)")
            data = await graph.download_media(info.url)
        mime_type = info.mime_type or media.get("mime_type")
        relative = (
            Path(message.workspace_id)
            / f"{message.id}{_extension(mime_type, media.get('filename'))}"
        )
        target = media_root(ctx) / relative
        await asyncio.to_thread(_write, target, data)
        record = {"path": str(relative), "size": len(data), "mime_type": mime_type}
    except (GraphError, GraphUnreachable, SendOutcomeUnknown, ValueError, OSError) as exc:
        log.warning("media_download_failed", message_id=message_id, error=str(exc)[:200])
        record = {"error": f"{exc.__class__.__name__}: {exc}"[:500]}
    async with ctx.db.unit_of_work() as session:
        stored = await session.get(Message, message_id)
        if stored is not None:
            stored.payload = {**stored.payload, "media_file": record}


def _write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(target.suffix + ".part")
    temporary.write_bytes(data)
    temporary.replace(target)  # atomic: a reader never sees half a file
