"""Process-wide objects built once at start-up and shared by requests and tasks."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from finnegans.accounts.throttle import LoginThrottle
from finnegans.config import Settings
from finnegans.db.session import Database
from finnegans.kit.crypto import SecretBox
from finnegans.whatsapp.sandbox import SandboxHub
from finnegans.whatsapp.send_budget import (
    InMemorySendBudget,
    RedisSendBudget,
    SendBudget,
)
from finnegans.whatsapp.webhook.routing import AccountDirectory

if TYPE_CHECKING:
    from finnegans.jobs.dispatch import JobDispatch
    from finnegans.jobs.task_queue import TaskRunner
    from finnegans.jobs.webhook_worker import WebhookWorker
    from finnegans.realtime import RealtimeHub


@dataclass(frozen=True)
class StoredInbound:
    """An inbound message that was just stored (duplicates never produce one)."""

    message_id: str
    workspace_id: str
    contact_id: str
    media_id: str | None


# Called after an inbound message commits (flows, the inbox and media download subscribe here).
InboundHook = Callable[[StoredInbound], Awaitable[None]]


@dataclass
class AppContext:
    settings: Settings
    db: Database
    secrets: SecretBox
    login_throttle: LoginThrottle
    accounts: AccountDirectory
    sandbox: SandboxHub
    started_at: float = field(default_factory=time.monotonic)
    inbound_hooks: list[InboundHook] = field(default_factory=list)
    # Per-number messages/s budget every send acquires (see `make_send_budget`).
    send_budget: SendBudget = field(default_factory=InMemorySendBudget)
    # Set by the app factory once the context exists (the worker's processor needs the context).
    webhook_worker: WebhookWorker = field(init=False)
    # Runs queued flow steps, timers, HTTP calls and sends (jobs/task_queue.py).
    task_runner: TaskRunner = field(init=False)
    # Socket.IO server and emit-after-commit (realtime/hub.py).
    realtime: RealtimeHub = field(init=False)
    # With REDIS_URL: tells worker processes which work just committed (jobs/dispatch.py).
    dispatch: JobDispatch | None = None

    def webhooks_stored(self, count: int) -> None:
        """After an ingest batch commits: wake this process's worker and the others."""
        self.webhook_worker.notify(count)
        if self.dispatch is not None:
            self.dispatch.webhooks_stored(count)


def make_send_budget(settings: Settings) -> SendBudget:
    """With REDIS_URL every process shares one budget per number (live sends, broadcasts);
    without it the single process keeps the budget in memory."""
    if not settings.redis_url:
        return InMemorySendBudget()
    from redis.asyncio import Redis

    return RedisSendBudget(Redis.from_url(settings.redis_url))


async def close_send_budget(budget: SendBudget) -> None:
    if isinstance(budget, RedisSendBudget):
        await budget.aclose()
