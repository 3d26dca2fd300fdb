"""Socket.IO progress for the broadcast page, emitted after the transaction commits.

A hint only: the page re-fetches `GET /api/broadcasts/{id}` (counts come from the rows).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.db.models import Broadcast
from finnegans.realtime.rooms import workspace_room


def progress(session: AsyncSession, broadcast: Broadcast) -> None:
    """`broadcast:progress` to the workspace's room, if anyone listens."""
    room = workspace_room(broadcast.workspace_id)
    hub = session.info.get("realtime")
    if hub is None or not hub.has_audience(room):
        return
    data = {"broadcast_id": broadcast.id, "status": broadcast.status,
            "paused_reason": broadcast.paused_reason}  # fmt: skip
    hub.emit_after_commit(session, "broadcast:progress", data, room=room)
