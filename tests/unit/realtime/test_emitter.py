"""Events recorded on a session are released once, in order, only when the transaction commits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from finnegans.realtime.emitter import Emission, OrderedEmitter, defer_until_commit


@pytest.fixture
async def session() -> AsyncIterator[AsyncSession]:
    engine = create_async_engine("sqlite+aiosqlite:///:memory:")
    async with AsyncSession(engine) as s:
        yield s
    await engine.dispose()


class Released:
    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    def __call__(self, batch: list[Emission]) -> None:
        self.batches.append([e.event for e in batch])


def _emit(session: AsyncSession, released: Released, *events: str) -> None:
    for name in events:
        defer_until_commit(session, Emission(name, {}, "room"), released)


async def test_released_after_commit_in_order(session: AsyncSession) -> None:
    released = Released()
    await session.execute(text("select 1"))
    _emit(session, released, "a", "b", "c")
    assert released.batches == []  # nothing before the commit
    await session.commit()
    assert released.batches == [["a", "b", "c"]]
    await session.commit()  # an empty transaction releases nothing
    assert released.batches == [["a", "b", "c"]]


async def test_rollback_drops_and_the_next_transaction_starts_clean(session: AsyncSession) -> None:
    released = Released()
    await session.execute(text("select 1"))
    _emit(session, released, "lost")
    await session.rollback()
    _emit(session, released, "kept")  # no statement ran yet: the commit below is a soft one
    await session.commit()
    assert released.batches == [["kept"]]


async def test_a_session_closed_without_commit_releases_nothing() -> None:
    engine = create_async_engine("sqlite+aiosqlite:///:memory:")
    released = Released()
    async with AsyncSession(engine) as session:
        _emit(session, released, "lost")  # e.g. a request that failed before any statement
    await engine.dispose()
    assert released.batches == []


async def test_savepoint_rollback_drops_only_its_own_events(session: AsyncSession) -> None:
    released = Released()
    await session.execute(text("select 1"))
    _emit(session, released, "before")
    savepoint = await session.begin_nested()
    _emit(session, released, "inside")
    await savepoint.rollback()
    kept = await session.begin_nested()
    _emit(session, released, "inside-kept")
    await kept.commit()
    _emit(session, released, "after")
    await session.commit()
    assert released.batches == [["before", "inside-kept", "after"]]


async def test_savepoint_opened_before_the_first_event(session: AsyncSession) -> None:
    released = Released()
    savepoint = await session.begin_nested()
    _emit(session, released, "inside")
    await savepoint.rollback()
    _emit(session, released, "after")
    await session.commit()
    assert released.batches == [["after"]]


async def test_ordered_emitter_keeps_order_across_batches_and_survives_failures() -> None:
    sent: list[str] = []

    async def send(emission: Emission) -> None:
        if emission.event == "broken":
            raise RuntimeError("the manager is down")
        # The first batch is slow: a later batch must still wait for it.
        await asyncio.sleep(0.05 if emission.event == "slow" else 0)
        sent.append(emission.event)

    emitter = OrderedEmitter(send)
    emitter.submit([Emission("slow", {}, "r"), Emission("broken", {}, "r")])
    emitter.submit([Emission("fast", {}, "r")])
    await emitter.drain()
    assert sent == ["slow", "fast"]
