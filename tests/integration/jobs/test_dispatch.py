"""Job dispatch through taskiq on Redis: a task committed by one process is run by another
process's queue receiver (no poll involved), exactly once however often its message arrives,
and the tasks of one contact still run one after another, in order."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from finnegans.context import AppContext
from finnegans.db.models import Contact, Task, Workspace
from finnegans.jobs.task_queue import TaskRef, enqueue, finish
from finnegans.main import build_context
from tests.conftest import make_settings


def own_redis_db(redis_url: str) -> str:
    """The queue stream lives in a Redis database of this test's own (the server is shared)."""
    return redis_url.rsplit("/", 1)[0] + f"/{random.randint(1, 15)}"


@pytest.fixture
async def two_processes(
    database_url: str, redis_url: str, tmp_path: Path
) -> AsyncIterator[tuple[AppContext, AppContext]]:
    """A `serve`-like publisher and a `worker`-like receiver whose task runner never polls."""
    redis = own_redis_db(redis_url)
    publisher = build_context(make_settings(database_url, tmp_path / "serve", redis_url=redis))
    worker = build_context(make_settings(database_url, tmp_path / "worker", redis_url=redis))
    assert publisher.dispatch is not None and worker.dispatch is not None
    await worker.dispatch.start(receive=True)
    await publisher.dispatch.start(receive=False)
    yield publisher, worker
    for ctx in (publisher, worker):
        assert ctx.dispatch is not None
        await ctx.dispatch.stop()
        await ctx.db.dispose()


async def _workspace(ctx: AppContext) -> str:
    async with ctx.db.unit_of_work() as session:
        workspace = Workspace(name="Queue")
        session.add(workspace)
        await session.flush()
        return workspace.id


async def _wait_for(condition: Callable[[], bool], timeout: float = 15) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


async def test_a_task_committed_in_one_process_runs_in_the_others_receiver_once(
    two_processes: tuple[AppContext, AppContext],
) -> None:
    publisher, worker = two_processes
    ran: list[int] = []

    async def probe(ref: TaskRef) -> None:
        ran.append(ref.id)
        async with worker.db.unit_of_work() as session:
            await finish(session, ref.id)

    worker.task_runner.handlers["probe"] = probe
    workspace_id = await _workspace(publisher)
    async with publisher.db.unit_of_work() as session:
        task = enqueue(session, workspace_id=workspace_id, kind="probe")
    await _wait_for(lambda: ran == [task.id])
    # The same message again (a redelivery, a second publisher): the row is done, a no-op.
    assert publisher.dispatch is not None
    publisher.dispatch.task_ready(task.id)
    publisher.dispatch.task_ready(task.id)
    await asyncio.sleep(1.0)
    assert ran == [task.id]
    async with worker.db.unit_of_work(write=False) as session:
        stored = await session.get(Task, task.id)
        assert stored is not None and stored.state == "done" and stored.attempts == 1


async def test_one_contacts_tasks_still_run_in_order_one_at_a_time(
    two_processes: tuple[AppContext, AppContext],
) -> None:
    publisher, worker = two_processes
    order: list[int] = []
    running = 0
    overlapped = False

    async def step(ref: TaskRef) -> None:
        nonlocal running, overlapped
        running += 1
        overlapped = overlapped or running > 1
        await asyncio.sleep(0.05)
        order.append(int(ref.payload["n"]))
        async with worker.db.unit_of_work() as session:
            await finish(session, ref.id)
        running -= 1

    worker.task_runner.handlers["step"] = step
    workspace_id = await _workspace(publisher)
    async with publisher.db.unit_of_work() as session:
        for n in range(5):  # all at once: five messages, handled concurrently by the receiver
            enqueue(session, workspace_id=workspace_id, kind="step", payload={"n": n})
    await _wait_for(lambda: len(order) == 5)
    assert sorted(order) == list(range(5))  # no contact: any order, in parallel, all of them

    # With a contact, a message whose task waits behind an earlier one is a no-op; the runner
    # that finishes the earlier task moves on to the next, so the queue never reorders them.
    order.clear()
    overlapped = False
    await worker.task_runner.start()  # a real worker runs its poll loops too
    try:
        contact_id = await _contact(publisher, workspace_id)
        async with publisher.db.unit_of_work() as session:
            for n in range(5):
                enqueue(session, workspace_id=workspace_id, kind="step", contact_id=contact_id,
                        payload={"n": n})  # fmt: skip
        await _wait_for(lambda: len(order) == 5)
    finally:
        await worker.task_runner.stop()
    assert order == [0, 1, 2, 3, 4]
    assert not overlapped


async def _contact(ctx: AppContext, workspace_id: str) -> str:
    async with ctx.db.unit_of_work() as session:
        contact = Contact(workspace_id=workspace_id, name="Ana")
        session.add(contact)
        await session.flush()
        return contact.id
