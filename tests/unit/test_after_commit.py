"""`after_commit` runs its callback once, after the real commit: not on a savepoint release,
never on a rollback."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from finnegans.db.after_commit import after_commit


async def test_waits_for_the_outer_commit_and_runs_once(tmp_path: Path) -> None:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'a.db'}")
    calls: list[str] = []
    async with AsyncSession(engine) as session:
        async with session.begin():
            after_commit(session, lambda: calls.append("committed"))
            async with session.begin_nested():
                await session.execute(text("select 1"))
            assert calls == []  # a released savepoint is not a commit
        assert calls == ["committed"]
        async with session.begin():
            pass
        assert calls == ["committed"]
    await engine.dispose()


async def test_never_runs_after_a_rollback(tmp_path: Path) -> None:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'b.db'}")
    calls: list[str] = []
    async with AsyncSession(engine) as session:
        await session.begin()
        after_commit(session, lambda: calls.append("committed"))
        await session.rollback()
        assert calls == []
        async with session.begin():  # a later transaction of the same session is not its own
            pass
        assert calls == []
    await engine.dispose()
