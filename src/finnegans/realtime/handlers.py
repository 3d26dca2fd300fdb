"""Client → server events (docs/inbox.md §3). Each answers an ack: `{ok: true}` or `{error}`."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from socketio.exceptions import ConnectionRefusedError as SocketRefused
from sqlalchemy import select

from finnegans.db.models import Contact
from finnegans.kit.logging import get_logger
from finnegans.realtime.auth import SocketUser, authenticate_socket
from finnegans.realtime.rooms import conversation_room, workspace_room
from finnegans.system import metrics

if TYPE_CHECKING:
    from finnegans.realtime.hub import RealtimeHub

log = get_logger(__name__)

Ack = dict[str, Any]
OK: Ack = {"ok": True}
MAX_ID_LENGTH = 64

Handler = Callable[[str, Any], Awaitable[Ack]]


def _never_raise(event: str, handler: Handler) -> Handler:
    """A failing handler still acks, so the client is not left waiting for a timeout."""

    @functools.wraps(handler)
    async def wrapped(sid: str, data: Any = None) -> Ack:
        try:
            return await handler(sid, data)
        except Exception:
            log.exception("realtime_handler_failed", event_name=event)
            return {"error": "Internal error"}

    return wrapped


def _contact_id(data: Any) -> str | None:
    value = data.get("contact_id") if isinstance(data, dict) else None
    if isinstance(value, str) and 0 < len(value) <= MAX_ID_LENGTH:
        return value
    return None


def register_handlers(hub: RealtimeHub) -> None:
    server = hub.server
    ctx = hub.ctx

    async def user_of(sid: str) -> SocketUser:
        return SocketUser.from_session(await server.get_session(sid))

    async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        try:
            user = await authenticate_socket(ctx.db, ctx.settings.jwt_secret, environ, auth)
        except Exception:  # e.g. the database is down: refuse, the client retries with backoff
            log.exception("realtime_connect_failed")
            raise SocketRefused("unavailable") from None
        if user is None:
            raise SocketRefused("unauthorized")  # the client's connect_error says "unauthorized"
        await server.save_session(sid, user.to_session())
        await server.enter_room(sid, workspace_room(user.workspace_id))
        metrics.SOCKET_CONNECTIONS.inc()

    async def disconnect(sid: str, *_reason: Any) -> None:
        metrics.SOCKET_CONNECTIONS.dec()  # only accepted connections reach disconnect

    async def join_conversation(sid: str, data: Any) -> Ack:
        contact_id = _contact_id(data)
        if contact_id is None:
            return {"error": "contact_id is required"}
        user = await user_of(sid)
        async with ctx.db.unit_of_work(write=False) as session:
            found = await session.scalar(
                select(Contact.id).where(
                    Contact.id == contact_id, Contact.workspace_id == user.workspace_id
                )
            )
        if found is None:  # unknown, or another workspace's: the same answer for both
            return {"error": "Conversation not found"}
        await server.enter_room(sid, conversation_room(user.workspace_id, contact_id))
        return OK

    async def leave_conversation(sid: str, data: Any) -> Ack:
        contact_id = _contact_id(data)
        if contact_id is None:
            return {"error": "contact_id is required"}
        user = await user_of(sid)
        await server.leave_room(sid, conversation_room(user.workspace_id, contact_id))
        return OK

    def typing(event: str) -> Handler:
        async def relay(sid: str, data: Any) -> Ack:
            contact_id = _contact_id(data)
            if contact_id is None:
                return {"error": "contact_id is required"}
            user = await user_of(sid)
            room = conversation_room(user.workspace_id, contact_id)
            if room not in server.rooms(sid):
                return {"error": "Join the conversation first"}
            if event == "typing:start":
                hub.typing.show_soon(user.workspace_id, contact_id)
            payload = {"contact_id": contact_id, "user": user.public()}
            await hub.emit_now(event, payload, room=room, skip_sid=sid)
            return OK

        return relay

    server.on("connect", connect)
    server.on("disconnect", disconnect)
    events: dict[str, Handler] = {
        "join:conversation": join_conversation,
        "leave:conversation": leave_conversation,
        "typing:start": typing("typing:start"),
        "typing:stop": typing("typing:stop"),
    }
    for event, handler in events.items():
        server.on(event, _never_raise(event, handler))
