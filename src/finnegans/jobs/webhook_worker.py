"""Processes stored webhook events in the background, in arrival order, at least once.

The webhook request only stores the raw body; this worker claims pending rows, hands each to
the processor (which is idempotent, so a retry or a duplicate delivery changes nothing), and
marks it processed, or schedules a retry with backoff after a failure. Rows left "processing"
by a crash are reclaimed at start-up. The database row is the durable state; the asyncio task is
only the executor. With Redis, a queue message wakes a worker process as soon as events are
stored (`jobs/dispatch.py`); the poll stays as the safety net.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from finnegans.db.models import WebhookEvent
from finnegans.db.session import IN_BACKGROUND, Database
from finnegans.kit.clock import utcnow
from finnegans.kit.logging import get_logger
from finnegans.system import metrics

log = get_logger(__name__)

MAX_ATTEMPTS = 8
# While webhooks arrive this fast, the worker paces itself (see `_loop`). Below it, acks are
# cheap enough to interleave with processing, and pacing would only delay the bot's replies
# (a flow conversation is four webhooks: the message and three statuses of the reply).
ACK_ACTIVITY_SECONDS = 0.1
PACE_ABOVE_PER_SECOND = 100
REST_PER_BUSY_SECOND = 2.0
AfterCommit = Callable[[], Awaitable[None]]
# Processes the given events inside the caller's transaction; returns work to run after commit.
Processor = Callable[[AsyncSession, list[str]], Awaitable[AfterCommit | None]]


def retry_delay(attempts: int) -> timedelta:
    """1 s, 2 s, 4 s ... capped at 5 minutes."""
    return timedelta(seconds=min(300, 2 ** max(0, attempts - 1)))


class WebhookWorker:
    def __init__(
        self, db: Database, processor: Processor, *, batch: int = 1, poll_seconds: float = 1.0
    ) -> None:
        self.db = db
        self.processor = processor
        self.batch = batch
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._last_notified = -1e9
        self._window_start = 0.0
        self._window_count = 0
        self._arrival_rate = 0.0  # webhooks per second over the last full second

    def notify(self, count: int = 1) -> None:
        """Called after a webhook event commits, so it is processed without waiting for a poll."""
        now = time.monotonic()
        if now - self._window_start >= 1.0:
            self._arrival_rate = self._window_count / max(1.0, now - self._window_start)
            self._window_start, self._window_count = now, 0
        self._window_count += count
        self._last_notified = now
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
        IN_BACKGROUND.set(True)
        while True:
            started = time.monotonic()
            try:
                processed = await self.run_once()
            except Exception:  # keep the worker alive through database hiccups
                log.exception("webhook_worker_error")
                processed = 0
            if (
                processed
                and time.monotonic() - self._last_notified < ACK_ACTIVITY_SECONDS
                and max(self._arrival_rate, self._window_count) >= PACE_ABOVE_PER_SECOND
            ):
                # Webhooks are arriving at this process: acknowledging them comes first. Rest
                # twice as long as the batch took, so processing gets at most a third of the
                # event loop (and of the SQLite write lock) while they do. Unpaced, a busy loop
                # stretched each processing transaction, and every ack queued behind one, past
                # 100 ms. After the burst, processing runs flat out again.
                await asyncio.sleep(REST_PER_BUSY_SECOND * (time.monotonic() - started))
            if processed == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
                self._wake.clear()

    async def _yield_to_requests(self) -> None:
        """Acknowledging webhooks matters more than processing them: while request handlers
        wait for the (SQLite) write lock, let them go first, for at most 100 ms at a time."""
        for _ in range(50):
            if not self.db.writers_waiting:
                return
            await asyncio.sleep(0.002)

    async def run_once(self) -> int:
        """Claim and process one batch; returns how many events were handled."""
        await self._yield_to_requests()
        async with self._lock:  # one batch at a time per process keeps arrival order
            return await self._claim_and_process()

    async def process_stored(self, count: int) -> int:
        """Process up to `count` due events (a queue message said that many were stored; other
        workers may have taken some, then this ends early)."""
        done = 0
        while done < count:
            processed = await self.run_once()
            if processed == 0:
                break
            done += processed
        return done

    async def drain(self) -> None:
        """Process until nothing is due (tests and benchmarks use this; wrap it in a timeout)."""
        # Polling is deliberate: rows may be held by another process, which sets no local event.
        while await self.run_once() or await self._outstanding():  # noqa: ASYNC110
            await asyncio.sleep(0.005)

    def _due(self, limit: int, only_id: str | None = None, *, lock: bool = True) -> Select[str]:
        query = (
            select(WebhookEvent.id)
            .where(
                WebhookEvent.status.in_(("pending", "processing")),
                (WebhookEvent.next_attempt_at.is_(None))
                | (WebhookEvent.next_attempt_at <= utcnow()),
            )
            .order_by(WebhookEvent.received_at, WebhookEvent.id)
            .limit(limit)
        )
        if only_id is not None:
            query = query.where(WebhookEvent.id == only_id)
        if lock and not self.db.is_sqlite:
            # Several workers on PostgreSQL never take the same rows.
            query = query.with_for_update(skip_locked=True)
        return query

    async def _outstanding(self) -> int:
        async with self.db.unit_of_work(write=False) as session:
            result = await session.execute(
                select(func.count()).select_from(self._due(1_000_000, lock=False).subquery())
            )
            return int(result.scalar_one())

    async def _claim_and_process(self, only_id: str | None = None) -> int:
        """Claim, process and mark done in ONE transaction: a crash leaves all of it or none of
        it, and no row is ever stuck half-claimed. A failing batch is retried event by event to
        isolate the bad one, which is then scheduled for a retry with backoff."""
        ids: list[str] = []
        try:
            async with self.db.unit_of_work() as session:
                ids = list((await session.execute(self._due(self.batch, only_id))).scalars())
                if not ids:
                    return 0
                after_commit = await self.processor(session, ids)
                processed_at = utcnow()
                received = await session.execute(
                    update(WebhookEvent)
                    .where(WebhookEvent.id.in_(ids))
                    .values(
                        status="processed",
                        processed_at=processed_at,
                        error=None,
                        attempts=WebhookEvent.attempts + 1,
                    )
                    .returning(WebhookEvent.received_at)
                )
                lags = [(processed_at - at).total_seconds() for at in received.scalars()]
        except Exception as exc:
            if len(ids) > 1:
                for event_id in ids:
                    await self._claim_and_process(event_id)
                return len(ids)
            if ids:
                log.exception("webhook_event_failed", event_id=ids[0])
                await self._record_failure(ids[0], exc)
                return 1
            raise
        metrics.WEBHOOKS_PROCESSED.labels("processed").inc(len(ids))
        for lag in lags:
            metrics.WEBHOOK_LAG.observe(lag)
        if after_commit is not None:
            try:
                await after_commit()
            except Exception:  # the events are stored; a failing hook must not undo that
                log.exception("webhook_after_commit_failed")
        return len(ids)

    async def _record_failure(self, event_id: str, exc: Exception) -> None:
        async with self.db.unit_of_work() as session:
            event = await session.get(WebhookEvent, event_id)
            if event is None:
                return
            event.attempts += 1
            event.error = f"{exc.__class__.__name__}: {exc}"[:2000]
            if event.attempts >= MAX_ATTEMPTS:
                event.status = "failed"
                metrics.WEBHOOKS_PROCESSED.labels("failed").inc()
            else:
                metrics.WEBHOOKS_PROCESSED.labels("retry").inc()
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
