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
from finnegans.whatsapp.webhook.routing import AccountDirectory

if TYPE_CHECKING:
    from finnegans.jobs.webhook_worker import WebhookWorker

# Called after an inbound message commits, with its id (flows and the inbox subscribe here).
InboundHook = Callable[[str], Awaitable[None]]


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
    # Set by the app factory once the context exists (the worker's processor needs the context).
    webhook_worker: WebhookWorker = field(init=False)
