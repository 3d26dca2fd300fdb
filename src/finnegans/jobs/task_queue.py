"""A durable task queue in our own table: flow steps, timers, HTTP calls and sends.

Why a table: a task is written in the same transaction as the change that needs it (an inbound
message, a flow step), so a crash can delay work but never lose it, and a timer two days out
survives restarts. Ordering: the tasks of one contact run strictly one after another, in id
order, never concurrently (a running task or an earlier due one blocks the rest); different
contacts run in parallel. Claims use `FOR UPDATE SKIP LOCKED` on PostgreSQL so several worker
processes can share the table; on SQLite the single process serialises writers anyway.

A handler gets a `TaskRef`, does its work in its own units of work, and marks the task done with
`finish()` inside its last transaction, so the effect and the completion commit together. A
task whose lease ran out (the process died mid-task) is claimed again with `attempts > 1`; the
handler decides whether redoing is safe (a send is not: it is recorded as "outcome unknown").
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from finnegans.db.after_commit import after_commit
from finnegans.db.models import Task
from finnegans.db.session import IN_BACKGROUND, Database
from finnegans.kit.clock import utcnow
from finnegans.kit.logging import get_logger

log = get_logger(__name__)

MAX_ATTEMPTS = 5
DEFAULT_LEASE = timedelta(seconds=120)
KEEP_FINISHED = timedelta(days=7)

# Runners of this process; enqueue() wakes them after commit instead of waiting for a poll.
_wake_listeners: set[Callable[[], None]] = set()
# With Redis, enqueue() also tells the worker processes which task is ready (jobs/dispatch.py).
_publishers: set[Callable[[int], None]] = set()


@dataclass(frozen=True)
class TaskRef:
    id: int
    workspace_id: str
    contact_id: str | None
    kind: str
    session_id: str | None
    message_id: str | None
    payload: dict[str, Any]
    attempts: int

    @classmethod
    def of(cls, task: Task) -> TaskRef:
        return cls(
            id=task.id,
            workspace_id=task.workspace_id,
            contact_id=task.contact_id,
            kind=task.kind,
            session_id=task.session_id,
            message_id=task.message_id,
            payload=dict(task.payload or {}),
            attempts=task.attempts,
        )


Handler = Callable[[TaskRef], Awaitable[None]]


def enqueue(
    session: AsyncSession,
    *,
    workspace_id: str,
    kind: str,
    contact_id: str | None = None,
    session_id: str | None = None,
    message_id: str | None = None,
    payload: dict[str, Any] | None = None,
    due_at: datetime | None = None,
) -> Task:
    """Add a task in the caller's transaction; runners in this process wake when it commits."""
    task = Task(
        workspace_id=workspace_id,
        kind=kind,
        contact_id=contact_id,
        session_id=session_id,
        message_id=message_id,
        payload=payload or {},
        state="pending",
        due_at=due_at or utcnow(),
        attempts=0,
    )
    session.add(task)

    def committed() -> None:
        wake_runners()
        # A timer due later is left to the workers' poll: the queue carries no delays.
        if task.due_at <= utcnow():
            for publish in list(_publishers):
                publish(task.id)

    after_commit(session, committed)
    return task


def wake_runners() -> None:
    for listener in list(_wake_listeners):
        listener()


def add_publisher(publish: Callable[[int], None]) -> None:
    _publishers.add(publish)


def remove_publisher(publish: Callable[[int], None]) -> None:
    _publishers.discard(publish)


async def finish(session: AsyncSession, task_id: int, state: str = "done") -> None:
    await session.execute(
        update(Task)
        .where(Task.id == task_id)
        .values(state=state, finished_at=utcnow(), locked_until=None)
    )


async def cancel_timers(session: AsyncSession, session_id: str) -> None:
    """A session moved on: its pending timers (delays, timeouts, hand-back) must not fire."""
    await session.execute(
        update(Task)
        .where(Task.session_id == session_id, Task.kind == "timer", Task.state == "pending")
        .values(state="cancelled", finished_at=utcnow())
    )


def _claimable(now: datetime) -> Any:
    other = aliased(Task)
    blocked = exists().where(
        other.contact_id == Task.contact_id,
        other.id != Task.id,
        or_(
            and_(other.id < Task.id, other.state == "pending", other.due_at <= now),
            and_(other.state == "running", other.locked_until >= now),
        ),
    )
    ready = or_(
        and_(Task.state == "pending", Task.due_at <= now),
        and_(Task.state == "running", Task.locked_until < now),
    )
    return and_(ready, or_(Task.contact_id.is_(None), ~blocked))


class TaskRunner:
    def __init__(
        self,
        db: Database,
        handlers: dict[str, Handler],
        *,
        concurrency: int = 4,
        poll_seconds: float = 0.5,
        lease: timedelta = DEFAULT_LEASE,
    ) -> None:
        self.db = db
        self.handlers = handlers
        self.concurrency = concurrency
        self.poll_seconds = poll_seconds
        self.lease = lease
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._claim_lock = asyncio.Lock()
        self._last_cleanup = utcnow()

    def notify(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        _wake_listeners.add(self.notify)
        self._tasks = [
            asyncio.create_task(self._loop(), name=f"task-runner-{i}")
            for i in range(self.concurrency)
        ]

    async def stop(self) -> None:
        _wake_listeners.discard(self.notify)
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            # Bounded: a handler stuck in a thread (DNS, a driver call) must not hold shutdown.
            await asyncio.wait(self._tasks, timeout=5)
        self._tasks = []

    async def _loop(self) -> None:
        IN_BACKGROUND.set(True)
        while True:
            try:
                ran = await self.run_once()
            except Exception:  # keep running through database hiccups
                log.exception("task_runner_error")
                ran = False
            if not ran:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
                self._wake.clear()

    async def claim(self, task_id: int | None = None) -> TaskRef | None:
        """The next due task (or task `task_id` if it is due and not blocked), now running."""
        # One claim at a time per process: concurrent claimers would pick the same contact.
        async with self._claim_lock, self.db.unit_of_work() as session:
            now = utcnow()
            query = select(Task).where(_claimable(now)).order_by(Task.due_at, Task.id).limit(1)
            if task_id is not None:
                query = query.where(Task.id == task_id)
            if not self.db.is_sqlite:
                query = query.with_for_update(skip_locked=True)
            task = (await session.execute(query)).scalar_one_or_none()
            if task is None:
                return None
            task.state = "running"
            task.locked_until = now + self.lease
            task.attempts += 1
            return TaskRef.of(task)

    async def run_once(self) -> bool:
        """Claim and run one due task; False when nothing was due."""
        await self._cleanup()
        ref = await self.claim()
        if ref is None:
            return False
        await self._run(ref)
        return True

    async def run_named(self, task_id: int) -> bool:
        """Run task `task_id` if it is still due here; False when another process has it,
        it is done, or an earlier task of its contact goes first (that one's runner moves on
        to it next, or the poll does)."""
        ref = await self.claim(task_id)
        if ref is None:
            return False
        await self._run(ref)
        self.notify()  # a later task of the same contact may be due now
        return True

    async def _run(self, ref: TaskRef) -> None:
        handler = self.handlers.get(ref.kind)
        try:
            if handler is None:
                raise LookupError(f"no handler for task kind {ref.kind!r}")
            await handler(ref)
        except Exception as exc:
            log.exception("task_failed", task_id=ref.id, kind=ref.kind, attempts=ref.attempts)
            await self._record_failure(ref, exc)

    async def _record_failure(self, ref: TaskRef, exc: Exception) -> None:
        final = ref.attempts >= MAX_ATTEMPTS
        async with self.db.unit_of_work() as session:
            await session.execute(
                update(Task)
                .where(Task.id == ref.id, Task.state == "running")
                .values(
                    state="failed" if final else "pending",
                    due_at=utcnow() + timedelta(seconds=2**ref.attempts),
                    locked_until=None,
                    last_error=f"{exc.__class__.__name__}: {exc}"[:2000],
                    finished_at=utcnow() if final else None,
                )
            )

    async def drain(self, *, max_tasks: int = 10_000) -> None:
        """Run every task that is due now (tests, benchmarks); wrap in a timeout if needed."""
        for _ in range(max_tasks):
            if not await self.run_once():
                return
        raise RuntimeError(f"more than {max_tasks} tasks kept coming while draining")

    async def _cleanup(self) -> None:
        now = utcnow()
        if now - self._last_cleanup < timedelta(minutes=10):
            return
        self._last_cleanup = now
        async with self.db.unit_of_work() as session:
            await session.execute(
                delete(Task).where(
                    Task.state.in_(("done", "cancelled")), Task.finished_at < now - KEEP_FINISHED
                )
            )
