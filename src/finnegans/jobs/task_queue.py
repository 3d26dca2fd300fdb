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
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Table,
    and_,
    bindparam,
    delete,
    exists,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.db.after_commit import after_commit
from finnegans.db.base import UTCDateTime
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
    def of(cls, row: Any) -> TaskRef:
        """From a Task or a row of its columns."""
        return cls(
            id=row.id,
            workspace_id=row.workspace_id,
            contact_id=row.contact_id,
            kind=row.kind,
            session_id=row.session_id,
            message_id=row.message_id,
            payload=dict(row.payload or {}),
            attempts=row.attempts,
        )


_TASK_REF_FIELDS = tuple(f.name for f in fields(TaskRef))


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
    after_commit(session, wake_runners)
    return task


def wake_runners() -> None:
    for listener in list(_wake_listeners):
        listener()


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


_tasks: Table = Task.__table__  # type: ignore[assignment]
_NOW = bindparam("now", type_=UTCDateTime())


def _claimable(task: FromClause) -> ColumnElement[bool]:
    """Due (or abandoned: lease ran out) and not blocked by an earlier task of its contact."""
    other = _tasks.alias("other")
    blocked = exists().where(
        other.c.contact_id == task.c.contact_id,
        other.c.id != task.c.id,
        or_(
            and_(other.c.id < task.c.id, other.c.state == "pending", other.c.due_at <= _NOW),
            and_(other.c.state == "running", other.c.locked_until >= _NOW),
        ),
    )
    ready = or_(
        and_(task.c.state == "pending", task.c.due_at <= _NOW),
        and_(task.c.state == "running", task.c.locked_until < _NOW),
    )
    return and_(ready, or_(task.c.contact_id.is_(None), ~blocked))


def _claim_statement(*, skip_locked: bool) -> Any:
    """Pick up to `:limit` claimable tasks and mark them running in ONE statement.

    The subquery is evaluated before any row changes, and a contact's later task is blocked by
    its earlier pending one, so one claim never takes two tasks of the same contact.

    Built once per runner, with the time as a parameter: building the correlated query each
    time cost more CPU than running it. `FOR UPDATE SKIP LOCKED` (PostgreSQL) lets several
    workers claim side by side; on SQLite the statement runs under the single write lock.
    """
    # Its own alias, so the subquery is not correlated with the UPDATE's table.
    candidate = _tasks.alias("candidate")
    next_id = (
        select(candidate.c.id)
        .where(_claimable(candidate))
        .order_by(candidate.c.due_at, candidate.c.id)
        .limit(bindparam("limit"))
    )
    if skip_locked:
        next_id = next_id.with_for_update(skip_locked=True)
    return (
        update(_tasks)
        .where(_tasks.c.id.in_(next_id))
        .values(
            state="running",
            locked_until=bindparam("locked_until", type_=UTCDateTime()),
            attempts=_tasks.c.attempts + 1,
        )
        .returning(*(_tasks.c[name] for name in _TASK_REF_FIELDS))
    )


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
        self._dispatcher: asyncio.Task[None] | None = None
        self._running: set[asyncio.Task[None]] = set()
        self._claim_lock = asyncio.Lock()
        self._last_cleanup = utcnow()
        self._claim = _claim_statement(skip_locked=not db.is_sqlite)

    def notify(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        _wake_listeners.add(self.notify)
        self._dispatcher = asyncio.create_task(self._loop(), name="task-runner")

    async def stop(self) -> None:
        _wake_listeners.discard(self.notify)
        tasks = [*self._running, *([self._dispatcher] if self._dispatcher else [])]
        for task in tasks:
            task.cancel()
        if tasks:
            # Bounded: a handler stuck in a thread (DNS, a driver call) must not hold shutdown.
            await asyncio.wait(tasks, timeout=5)
        self._dispatcher = None
        self._running.clear()

    async def _loop(self) -> None:
        """Claim as many tasks as there are free slots, in one transaction, and run them.

        One dispatcher instead of one loop per slot: every wake-up used to send each idle loop
        into its own claim transaction, most of them finding nothing (on SQLite each one takes
        the write lock).
        """
        IN_BACKGROUND.set(True)
        while True:
            free = self.concurrency - len(self._running)
            claimed: list[TaskRef] = []
            if free > 0:
                try:
                    await self._cleanup()
                    claimed = await self.claim_many(free)
                except Exception:  # keep running through database hiccups
                    log.exception("task_runner_error")
            for ref in claimed:
                running = asyncio.create_task(self._run(ref), name=f"task-{ref.kind}-{ref.id}")
                self._running.add(running)
                running.add_done_callback(self._finished)
            if not claimed or len(self._running) >= self.concurrency:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
                self._wake.clear()

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        self._wake.set()  # a slot is free, and the contact's next task may be claimable now

    async def claim(self) -> TaskRef | None:
        claimed = await self.claim_many(1)
        return claimed[0] if claimed else None

    async def claim_many(self, limit: int) -> list[TaskRef]:
        # One claim at a time per process: concurrent claimers would pick the same contact.
        async with self._claim_lock, self.db.unit_of_work() as session:
            now = utcnow()
            params = {"now": now, "locked_until": now + self.lease, "limit": limit}
            rows = (await session.execute(self._claim, params)).all()
        # RETURNING gives no order: run them in claim order (due time, then id).
        return sorted((TaskRef.of(row) for row in rows), key=lambda ref: ref.id)

    async def run_once(self) -> bool:
        """Claim and run one due task; False when nothing was due."""
        await self._cleanup()
        ref = await self.claim()
        if ref is None:
            return False
        await self._run(ref)
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
