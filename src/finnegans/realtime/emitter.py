"""Emit-after-commit: events wait on the SQLAlchemy session until its transaction commits.

The database is the truth and a socket event is only a hint (DESIGN §3), so an event must never
announce a row that a rollback took back. Events are collected in `session.info`; an
`after_commit` listener hands them, in order, to an OrderedEmitter; a rollback drops them (a
savepoint rollback drops only those recorded inside the savepoint).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from finnegans.kit.logging import get_logger

log = get_logger(__name__)

_PENDING = "finnegans.realtime.pending"  # list[Emission] of the open transaction
_MARKS = "finnegans.realtime.savepoints"  # {SessionTransaction: len(pending) when it began}
_LISTENING = "finnegans.realtime.listening"


@dataclass(frozen=True)
class Emission:
    event: str
    data: Any
    room: str
    skip_sid: str | None = None


Release = Callable[[list[Emission]], None]


class OrderedEmitter:
    """Sends batches one after another in the order they were released, off the caller's path.

    Each batch runs in its own task that first waits for the previous one, so a `message:new`
    committed before a `message:status` is also emitted before it, even when the Redis manager
    makes every emit await a publish. No background loop is needed: an idle emitter is nothing.
    """

    def __init__(self, send: Callable[[Emission], Awaitable[None]]) -> None:
        self._send = send
        self._tail: asyncio.Task[None] | None = None

    def submit(self, batch: Sequence[Emission]) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(self._run(list(batch), self._tail))
        self._tail = task  # the chain also keeps every pending task referenced
        return task

    async def _run(self, batch: list[Emission], previous: asyncio.Task[None] | None) -> None:
        if previous is not None and not previous.done():
            await asyncio.wait([previous])  # never raises: failures were logged where they happened
        del previous  # let finished tasks be collected instead of chaining them all
        for emission in batch:
            try:
                await self._send(emission)
            except Exception:
                log.exception("realtime_emit_failed", event_name=emission.event, room=emission.room)

    async def drain(self, max_wait: float = 5.0) -> None:
        """Wait for everything submitted so far (bounded: used at shutdown and by tests)."""
        tail = self._tail
        if tail is not None and not tail.done():
            await asyncio.wait([tail], timeout=max_wait)


def defer_until_commit(session: AsyncSession, emission: Emission, release: Release) -> None:
    """Record `emission` on the session's transaction; `release` gets the batch after commit."""
    info = session.info
    if not info.get(_LISTENING):
        _listen(session.sync_session, release)
        info[_LISTENING] = True
    info.setdefault(_PENDING, []).append(emission)


def _listen(sync_session: Session, release: Release) -> None:
    info = sync_session.info

    def began(_session: Session, transaction: SessionTransaction) -> None:
        if transaction.nested:
            info.setdefault(_MARKS, {})[transaction] = len(info.get(_PENDING, ()))

    def committed(session: Session) -> None:
        if session.in_nested_transaction():
            return  # a savepoint was released: the outer transaction may still roll back
        info.pop(_MARKS, None)
        batch: list[Emission] | None = info.pop(_PENDING, None)
        if batch:
            try:
                release(batch)
            except Exception:  # e.g. no running loop: a hint is lost, the commit stands
                log.exception("realtime_release_failed", events=len(batch))

    def rolled_back(_session: Session, previous: SessionTransaction) -> None:
        pending: list[Emission] = info.get(_PENDING, [])
        if previous.nested:
            # Savepoints opened before the first event have no mark: all pending came after.
            del pending[info.get(_MARKS, {}).pop(previous, 0) :]
        else:
            info.pop(_PENDING, None)
            info.pop(_MARKS, None)

    event.listen(sync_session, "after_transaction_create", began)
    event.listen(sync_session, "after_commit", committed)
    event.listen(sync_session, "after_soft_rollback", rolled_back)
