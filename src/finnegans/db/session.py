"""Units of work: one transaction per request or task, committed at the boundary only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from finnegans.db.engine import SQLITE_WRITE_OPTION


class Database:
    """Holds the engine and hands out sessions; stored on app.state."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"
        self._writer = async_sessionmaker(engine, expire_on_commit=False)
        # Readers take a deferred BEGIN on SQLite so they never queue behind writers (WAL).
        self._reader = async_sessionmaker(
            engine.execution_options(**{SQLITE_WRITE_OPTION: False}), expire_on_commit=False
        )

    @asynccontextmanager
    async def unit_of_work(self, *, write: bool = True) -> AsyncIterator[AsyncSession]:
        """Yield a session; commit on success, roll back on any exception."""
        maker = self._writer if write else self._reader
        async with maker() as session:
            try:
                yield session
                if write:
                    await session.commit()
                # A reader just closes: its transaction ends without expiring loaded objects.
            except BaseException:
                await session.rollback()
                raise

    async def dispose(self) -> None:
        await self.engine.dispose()
