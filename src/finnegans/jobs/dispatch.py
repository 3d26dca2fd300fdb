"""Hand background work to the worker processes through taskiq on Redis (scale-out mode).

Our tables stay the source of truth: a task row, a webhook event row, a timer. What goes
through the queue is only a message naming work that just committed ("task 812 is ready",
"3 webhook events were stored"). A worker's handler then claims that row with
`FOR UPDATE SKIP LOCKED`; when another process got there first the claim finds nothing and the
message is a no-op. Nothing depends on a message arriving: each process that runs background
work keeps polling its tables (`TaskRunner`, `WebhookWorker`), which picks up due timers, work
whose message was lost (Redis down, a crash between commit and publish) and tasks that waited
behind an earlier task of the same contact. The queue buys cross-process latency (a reply is
sent milliseconds after the webhook commits on another machine, not at the next poll) and
spreads work over the workers by the library's consumer group.

Broker: `RedisStreamBroker` (a Redis stream read by one consumer group, so each message goes to
one worker; acknowledged after the handler ran; bounded with MAXLEN so messages published while
no worker runs cannot grow Redis without end). Without REDIS_URL there is no broker: the single
process's in-process wake-up (`task_queue.wake_runners`, `WebhookWorker.notify`) already does
what an in-memory broker would, with no second path to keep correct.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from taskiq.api import run_receiver_task
from taskiq_redis import RedisStreamBroker

from finnegans.db.session import IN_BACKGROUND
from finnegans.jobs import task_queue
from finnegans.kit.logging import get_logger

if TYPE_CHECKING:
    from finnegans.jobs.task_queue import TaskRunner
    from finnegans.jobs.webhook_worker import WebhookWorker

log = get_logger(__name__)

STREAM = "finnegans:jobs"
CONSUMER_GROUP = "finnegans-workers"
STREAM_MAXLEN = 100_000  # messages are hints: old ones may go, the sweep covers them
RECEIVER_CONCURRENCY = 8  # handlers in flight per worker process


class JobDispatch:
    """Publishes "work is ready" after commit; in worker processes, runs taskiq's receiver."""

    def __init__(self, redis_url: str, runner: TaskRunner, webhooks: WebhookWorker) -> None:
        self.broker = RedisStreamBroker(
            redis_url,
            queue_name=STREAM,
            consumer_group_name=CONSUMER_GROUP,
            maxlen=STREAM_MAXLEN,
            # Unacknowledged messages of a dead worker go to another one after this long.
            idle_timeout=60_000,
            unacknowledged_lock_timeout=5,
        )

        # Plain functions: taskiq renames what it registers, which a bound method cannot take.
        async def run_task(task_id: int) -> None:
            IN_BACKGROUND.set(True)
            await runner.run_named(task_id)

        async def process_webhooks(count: int) -> None:
            IN_BACKGROUND.set(True)
            await webhooks.process_stored(count)

        self._run_task = self.broker.register_task(run_task, task_name="finnegans.task")
        self._process_webhooks = self.broker.register_task(
            process_webhooks, task_name="finnegans.webhooks"
        )
        self._publishing: set[asyncio.Task[None]] = set()
        self._receiver: asyncio.Task[None] | None = None
        self._started = False

    async def start(self, *, receive: bool) -> None:
        """Start publishing; with `receive`, also take messages (processes that run work)."""
        self.broker.is_worker_process = receive
        try:
            await self.broker.startup()  # creates the stream and its consumer group
        except Exception:  # Redis down at start: the tables' polling still runs everything
            log.exception("job_dispatch_start_failed")
        task_queue.add_publisher(self.task_ready)
        self._started = True
        if receive:
            self._receiver = asyncio.create_task(
                run_receiver_task(
                    self.broker, max_async_tasks=RECEIVER_CONCURRENCY, run_startup=False
                ),
                name="job-receiver",
            )

    async def stop(self) -> None:
        task_queue.remove_publisher(self.task_ready)
        if self._receiver is not None:
            # Handlers cut short here are logged by taskiq as errors with a traceback; nothing
            # is lost (the row's lease runs out and it is claimed again), so keep restarts quiet.
            receiver_log = logging.getLogger("taskiq.receiver.receiver")
            level = receiver_log.level
            receiver_log.setLevel(logging.CRITICAL)
            self._receiver.cancel()
            await asyncio.wait([self._receiver], timeout=5)
            receiver_log.setLevel(level)
            self._receiver = None
        if self._publishing:
            await asyncio.wait(self._publishing, timeout=2)
        if self._started:
            self.broker.is_worker_process = False
            await self.broker.shutdown()
            self._started = False

    # ----- publishing (called after commit, from synchronous callbacks) ---------------------

    def task_ready(self, task_id: int) -> None:
        self._publish(self._run_task, task_id)

    def webhooks_stored(self, count: int) -> None:
        self._publish(self._process_webhooks, count)

    def _publish(self, task: Any, *args: Any) -> None:
        publishing = asyncio.get_running_loop().create_task(self._kick(task, *args))
        self._publishing.add(publishing)
        publishing.add_done_callback(self._publishing.discard)

    async def _kick(self, task: Any, *args: Any) -> None:
        try:
            await task.kiq(*args)
        except Exception:  # the row is committed; the next poll of some worker runs it
            log.warning("job_publish_failed", task=task.task_name, exc_info=True)
