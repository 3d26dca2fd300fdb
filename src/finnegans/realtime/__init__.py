"""Socket.IO: the dashboard's real-time hints, emitted only after the transaction commits.

Use `ctx.realtime` (a RealtimeHub): `emit_after_commit(session, event, data, room=...)` inside a
unit of work, `await emit_now(event, data, room=...)` outside one. See docs/architecture.md.
"""

from finnegans.realtime.hub import RealtimeHub
from finnegans.realtime.rooms import conversation_room, workspace_room

__all__ = ["RealtimeHub", "conversation_room", "workspace_room"]
