"""The Socket.IO server and the one API the rest of the code uses to emit (`ctx.realtime`).

- `emit_after_commit(session, event, data, room=...)` inside a unit of work: sent only once that
  transaction commits, in order, never after a rollback.
- `await emit_now(event, data, room=...)` outside a transaction.
Emitting never raises into the caller (failures are logged) and costs next to nothing when no
socket could receive it: with the in-memory manager an empty room is skipped at once.

One process: the in-memory manager. Several (`serve --workers`, or processes behind a load
balancer, or `finnegans worker`): set REDIS_URL and every emit is published through Redis to
the processes holding the sockets.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import socketio
from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.kit.logging import get_logger
from finnegans.realtime.emitter import Emission, OrderedEmitter, defer_until_commit
from finnegans.realtime.fanout import CoalescingManager, RedisFanoutManager
from finnegans.realtime.handlers import register_handlers
from finnegans.realtime.typing_indicator import TypingIndicator

if TYPE_CHECKING:
    from finnegans.config import Settings
    from finnegans.context import AppContext

log = get_logger(__name__)

NAMESPACE = "/"
REDIS_CHANNEL = "finnegans-socketio"


class RealtimeHub:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        settings = ctx.settings
        self.uses_redis = bool(settings.redis_url)
        # Both coalesce a room's events into `batch` frames when fan-out falls behind (fanout.py).
        self.manager: CoalescingManager = (
            RedisFanoutManager(settings.redis_url, channel=REDIS_CHANNEL)
            if self.uses_redis
            else CoalescingManager()
        )
        self.server = socketio.AsyncServer(
            async_mode="asgi",
            client_manager=self.manager,
            cors_allowed_origins=_origin_check(settings),
            logger=False,
            engineio_logger=False,
        )
        # Mounted at /socket.io by the app factory: the mount does the routing, so the engine
        # takes every request it is given (socketio_path=None).
        self.asgi_app = socketio.ASGIApp(self.server, socketio_path=None)
        self.typing = TypingIndicator(ctx)
        self._emitter = OrderedEmitter(self._send)
        register_handlers(self)

    # ----- emitting ---------------------------------------------------------------------------

    def emit_after_commit(
        self,
        session: AsyncSession,
        event: str,
        data: Any,
        *,
        room: str,
        skip_sid: str | None = None,
    ) -> None:
        """Emit `event` to `room` once the session's current transaction commits."""
        if self.has_audience(room):
            defer_until_commit(session, Emission(event, data, room, skip_sid), self._release)

    async def emit_now(
        self, event: str, data: Any, *, room: str, skip_sid: str | None = None
    ) -> None:
        """Emit outside a transaction (after what was released before it); never raises."""
        if self.has_audience(room):
            await asyncio.wait([self._emitter.submit([Emission(event, data, room, skip_sid)])])

    def has_audience(self, room: str) -> bool:
        """Could anyone receive an event sent to `room`? Always true with Redis: the sockets
        may be in another process."""
        if self.uses_redis:
            return True
        rooms: Mapping[str, Any] = self.server.manager.rooms.get(NAMESPACE, {})
        return bool(rooms.get(room))

    def _release(self, batch: list[Emission]) -> None:
        self._emitter.submit(batch)

    async def _send(self, emission: Emission) -> None:
        await self.server.emit(
            emission.event, emission.data, room=emission.room, skip_sid=emission.skip_sid
        )

    async def drain(self, max_wait: float = 5.0) -> None:
        """Wait until every released event has been handed to the sockets of this process."""
        await self._emitter.drain(max_wait)
        await self.manager.flush(max_wait)

    # ----- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        """Subscribe to Redis now rather than at the first connection (python-socketio's lazy
        default), so events published by other processes are not missed in between."""
        if self.uses_redis and not self.server.manager_initialized:
            self.server.manager_initialized = True
            self.server.manager.initialize()

    async def stop(self) -> None:
        await self.drain()
        await self.typing.stop()
        await self.server.shutdown()
        manager = self.server.manager
        listener = getattr(manager, "thread", None)
        if isinstance(listener, asyncio.Task):
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await listener
        redis = getattr(manager, "redis", None)
        if redis is not None:
            with contextlib.suppress(Exception):
                await redis.aclose()


def _origin_check(settings: Settings) -> Any:
    """Browsers may open a socket from our own origin, PUBLIC_URL or CORS_ORIGINS only: the
    handshake carries the session cookie, so this is the socket's CSRF protection. Clients that
    send no Origin (scripts, other servers) are not affected."""
    allowed = {settings.public_url, *settings.cors_origins}

    def check(origin: str | None, environ: Mapping[str, Any]) -> bool:
        if origin is None or origin in allowed:
            return True
        host = environ.get("HTTP_HOST")
        scheme = environ.get("wsgi.url_scheme", "http")
        same_origin = {f"{scheme}://{host}"}
        if scheme == "http":  # behind a TLS-terminating proxy the app sees http
            same_origin.add(f"https://{host}")
        return origin in same_origin

    return check
