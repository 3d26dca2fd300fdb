"""Units of work: one transaction per request or task, committed at the boundary only."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from finnegans.db.engine import SQLITE_WRITE_OPTION

# Set inside background loops (webhook worker, task runner): their writes do not ask others to
# yield. A ContextVar, so it follows each asyncio task without being passed around.
IN_BACKGROUND: ContextVar[bool] = ContextVar("finnegans_in_background", default=False)


class Database:
    """Holds the engine and hands out sessions; stored on app.state."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        # Copied into every session's `info`: how code deep inside a transaction reaches
        # process-wide services without being handed them (the realtime hub: inbox/events.py).
        self.session_info: dict[str, Any] = {}
        self._writer = async_sessionmaker(engine, expire_on_commit=False, info=self.session_info)
        # Readers take a deferred BEGIN on SQLite so they never queue behind writers (WAL).
        self._reader = async_sessionmaker(
            engine.execution_options(**{SQLITE_WRITE_OPTION: False}),
            expire_on_commit=False,
            info=self.session_info,
        )
        # SQLite has one writer at a time. Queueing writers here (FIFO, no polling) instead of in
        # SQLite's busy handler, which sleeps in growing steps of up to 100 ms, keeps waits short.
        self._sqlite_writer = asyncio.Lock() if self.is_sqlite else None
        self.writers_waiting = 0  # background work yields to requests while this is > 0

    @asynccontextmanager
    async def _write_turn(self) -> AsyncIterator[None]:
        """On SQLite, wait for this process's turn to write (a no-op on PostgreSQL)."""
        if self._sqlite_writer is None:
            yield
            return
        # Only foreground writers (requests) count: background loops must not make each other
        # back off, or the webhook worker yields for as long as flow tasks keep coming.
        counted = not IN_BACKGROUND.get()
        self.writers_waiting += counted
        try:
            await self._sqlite_writer.acquire()
        finally:
            self.writers_waiting -= counted
        try:
            yield
        finally:
            self._sqlite_writer.release()

    @asynccontextmanager
    async def unit_of_work(self, *, write: bool = True) -> AsyncIterator[AsyncSession]:
        """Yield a session; commit on success, roll back on any exception."""
        async with AsyncExitStack() as stack:
            if write:
                await stack.enter_async_context(self._write_turn())
            maker = self._writer if write else self._reader
            session = await stack.enter_async_context(maker())
            try:
                yield session
                if write:
                    await session.commit()
                # A reader just closes: its transaction ends without expiring loaded objects.
            except BaseException:
                await session.rollback()
                raise

    @asynccontextmanager
    async def write_transaction(self) -> AsyncIterator[AsyncConnection]:
        """A Core connection in a write transaction (no ORM session), for hot paths such as
        webhook ingest; committed on success, rolled back on any exception."""
        async with self._write_turn(), self.engine.begin() as conn:
            yield conn

    async def dispose(self) -> None:
        await self.engine.dispose()
