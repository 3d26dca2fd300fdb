"""Room fan-out that coalesces under load: consecutive events for one room become one frame.

Why: python-socketio sends every event to every socket of a room as its own websocket frame
(a task, a queue hop, ASGI send and a `write()` per socket per event), about 40 µs of CPU each
on our 2-core machines. A busy workspace room (every agent hears `conversation:updated` for every
message) at 1,000 events/s with 100 agents would be 100,000 frames/s: more than a whole machine.

How: a room emit is queued instead of sent inline, and one drainer task per process sends the
queue in rounds, in order, at most one round per ROUND_INTERVAL (10 ms). What piled up since
the last round goes out with each run of consecutive events for the same room (and `skip_sid`)
as ONE event, `batch`, whose data is `[[event, data], ...]` in order. The dashboard (and the
test clients) unpack it and dispatch each entry as if it had arrived alone. A lone event after
a quiet spell goes at once, under its own name; under load a socket gets at most ~100 frames/s
per room whatever the event rate, so throughput holds and the added latency is bounded by the
interval instead of a backlog growing without end.

Ordering: everything a process fans out goes through one queue, so each socket receives events
in the order they were emitted (a batch holds a consecutive run). Emits with an acknowledgement
callback or without a room are rare (none of ours) and are sent at once, unqueued.

The Redis manager gets the same behaviour for the events it receives from other processes: in
`RedisFanoutManager` the coalescing class sits between python-socketio's pub/sub manager and
its local `AsyncManager`, so publishing is unchanged and only the local fan-out is queued.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

import socketio

from finnegans.kit.logging import get_logger

log = get_logger(__name__)

BATCH_EVENT = "batch"
MAX_BATCH = 200  # events per frame: bounds a frame's size when a long backlog drains
ROUND_INTERVAL = 0.01  # seconds between fan-out rounds while events keep coming

_Key = tuple[str, str, Any]  # namespace, room, skip_sid


class CoalescingManager(socketio.AsyncManager):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._queue: deque[tuple[_Key, str, Any]] = deque()
        self._drainer: asyncio.Task[None] | None = None
        self._idle = asyncio.Event()
        self._idle.set()

    async def emit(
        self,
        event: str,
        data: Any,
        namespace: str | None = None,
        room: str | None = None,
        skip_sid: Any = None,
        callback: Any = None,
        to: str | None = None,
        **kwargs: Any,
    ) -> None:
        room = to or room
        if callback is not None or room is None or isinstance(data, tuple):
            await super().emit(event, data, namespace=namespace, room=room, skip_sid=skip_sid,
                               callback=callback, **kwargs)  # fmt: skip
            return
        self._queue.append(((namespace or "/", room, skip_sid), event, data))
        if self._drainer is None or self._drainer.done():
            self._idle.clear()
            self._drainer = asyncio.get_running_loop().create_task(self._drain())

    async def flush(self, max_wait: float = 5.0) -> None:
        """Wait until everything queued so far has been handed to the sockets."""
        try:
            await asyncio.wait_for(self._idle.wait(), max_wait)
        except TimeoutError:
            log.warning("realtime_flush_timeout", queued=len(self._queue))

    async def _drain(self) -> None:
        try:
            while self._queue:
                # One round: everything queued now, each run of one room's events as one frame.
                for _ in range(len(self._queue)):
                    if not self._queue:
                        break
                    key, event, data = self._queue.popleft()
                    run = [(event, data)]
                    while self._queue and self._queue[0][0] == key and len(run) < MAX_BATCH:
                        _, event, data = self._queue.popleft()
                        run.append((event, data))
                    await self._send_run(key, run)
                # Pause before the next round so producers on this loop can queue more: a
                # producer that emits one event per loop turn would otherwise stay in lockstep
                # with the fan-out, one frame per event, and fall behind. This bounds rounds to
                # 1 / ROUND_INTERVAL per second; a lone event after a quiet spell goes at once.
                await asyncio.sleep(ROUND_INTERVAL)
        finally:
            self._idle.set()

    async def _send_run(self, key: _Key, run: list[tuple[str, Any]]) -> None:
        namespace, room, skip_sid = key
        event, data = run[0] if len(run) == 1 else (BATCH_EVENT, [list(item) for item in run])
        try:
            await super().emit(event, data, namespace=namespace, room=room, skip_sid=skip_sid)
        except Exception:
            log.exception("realtime_fanout_failed", event_name=event, room=room)


class RedisFanoutManager(socketio.AsyncRedisManager, CoalescingManager):  # type: ignore[misc]
    """Publishes through Redis as python-socketio does; fans out locally with coalescing (the
    MRO puts CoalescingManager between the pub/sub manager and AsyncManager)."""
