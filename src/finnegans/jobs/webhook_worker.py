"""Processes stored webhook events in the background, in arrival order, at least once.

The webhook request only stores the raw body; this worker claims pending rows, hands each to
the processor (which is idempotent, so a retry or a duplicate delivery changes nothing), and
marks it processed, or schedules a retry with backoff after a failure. Rows left "processing"
by a crash are reclaimed at start-up. The database row is the durable state; the asyncio task is
only the executor (issue 7 moves execution to a Redis-backed queue for several workers).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.db.models import WebhookEvent
from finnegans.db.session import Database
from finnegans.kit.clock import utcnow
from finnegans.kit.logging import get_logger

log = get_logger(__name__)

MAX_ATTEMPTS = 8
AfterCommit = Callable[[], Awaitable[None]]
# Processes the given events inside the caller's transaction; returns work to run after commit.
Processor = Callable[[AsyncSession, list[str]], Awaitable[AfterCommit | None]]


def retry_delay(attempts: int) -> timedelta:
    """1 s, 2 s, 4 s ... capped at 5 minutes."""
    return timedelta(seconds=min(300, 2 ** max(0, attempts - 1)))


class WebhookWorker:
    def __init__(
        self, db: Database, processor: Processor, *, batch: int = 50, poll_seconds: float = 1.0
    ) -> None:
        self.db = db
        self.processor = processor
        self.batch = batch
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    def notify(self) -> None:
        """Called after a webhook event commits, so it is processed without waiting for a poll."""
        self._wake.set()

    async def start(self) -> None:
        try:
            await self._reclaim_interrupted()
        except Exception:  # the database may be down at start; health reports it, we retry later
            log.exception("webhook_worker_reclaim_failed")
        self._task = asyncio.create_task(self._loop(), name="webhook-worker")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            try:
                processed = await self.run_once()
            except Exception:  # keep the worker alive through database hiccups
                log.exception("webhook_worker_error")
                processed = 0
            if processed == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
                self._wake.clear()

    async def run_once(self) -> int:
        """Claim and process one batch; returns how many events were handled."""
        async with self._lock:  # one batch at a time per process keeps arrival order
            ids = await self._claim()
            if ids:
                await self._process(ids)
            return len(ids)

    async def drain(self) -> None:
        """Process until nothing is due (tests and benchmarks use this; wrap it in a timeout)."""
        # Polling is deliberate: rows may be held by another process, which sets no local event.
        while await self.run_once() or await self._outstanding():  # noqa: ASYNC110
            await asyncio.sleep(0.005)

    async def _outstanding(self) -> int:
        async with self.db.unit_of_work(write=False) as session:
            result = await session.execute(
                select(func.count())
                .select_from(WebhookEvent)
                .where(
                    WebhookEvent.status.in_(("pending", "processing")),
                    (WebhookEvent.next_attempt_at.is_(None))
                    | (WebhookEvent.next_attempt_at <= utcnow()),
                )
            )
            return int(result.scalar_one())

    async def _claim(self) -> list[str]:
        now = utcnow()
        async with self.db.unit_of_work() as session:
            query = (
                select(WebhookEvent.id)
                .where(
                    WebhookEvent.status == "pending",
                    (WebhookEvent.next_attempt_at.is_(None))
                    | (WebhookEvent.next_attempt_at <= now),
                )
                .order_by(WebhookEvent.received_at, WebhookEvent.id)
                .limit(self.batch)
            )
            if not self.db.is_sqlite:
                query = query.with_for_update(skip_locked=True)
            ids = list((await session.execute(query)).scalars())
            if ids:
                await session.execute(
                    update(WebhookEvent)
                    .where(WebhookEvent.id.in_(ids))
                    .values(status="processing", attempts=WebhookEvent.attempts + 1)
                )
            return ids

    async def _process(self, ids: list[str]) -> None:
        """One transaction for the whole batch (processing and marking it done), so a crash
        leaves either all of it or none of it; a failing batch is retried event by event to
        find the bad one."""
        try:
            async with self.db.unit_of_work() as session:
                after_commit = await self.processor(session, ids)
                await session.execute(
                    update(WebhookEvent)
                    .where(WebhookEvent.id.in_(ids))
                    .values(status="processed", processed_at=utcnow(), error=None)
                )
        except Exception as exc:
            if len(ids) > 1:
                for event_id in ids:
                    await self._process([event_id])
                return
            log.exception("webhook_event_failed", event_id=ids[0])
            await self._record_failure(ids[0], exc)
            return
        if after_commit is not None:
            try:
                await after_commit()
            except Exception:  # the events are stored; a failing hook must not undo that
                log.exception("webhook_after_commit_failed")

    async def _record_failure(self, event_id: str, exc: Exception) -> None:
        async with self.db.unit_of_work() as session:
            event = await session.get(WebhookEvent, event_id)
            if event is None:
                return
            event.error = f"{exc.__class__.__name__}: {exc}"[:2000]
            if event.attempts >= MAX_ATTEMPTS:
                event.status = "failed"
            else:
                event.status = "pending"
                event.next_attempt_at = utcnow() + retry_delay(event.attempts)

    async def _reclaim_interrupted(self) -> None:
        """Events a crashed process left half-done go back to the queue (processing is
        idempotent, so doing one again is harmless)."""
        async with self.db.unit_of_work() as session:
            await session.execute(
                update(WebhookEvent)
                .where(WebhookEvent.status == "processing")
                .values(status="pending")
            )
