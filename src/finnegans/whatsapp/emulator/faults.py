"""Knobs for Meta's misbehaviour (and ordinary behaviour such as status timing).

`Faults` is a pydantic model with assignment validation, so tests can flip a field
(`emulator.faults.token_expired = True`) and the control API can PATCH a partial JSON object.
"""

from __future__ import annotations

import random
import time
from collections import deque
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Faults(BaseModel):
    model_config = ConfigDict(validate_assignment=True, extra="forbid")

    # Graph API side --------------------------------------------------------------------------
    throughput_auto: bool = Field(
        True, description="130429 once a number exceeds its messages/s over a 1 s window"
    )
    throughput_error_rate: float = Field(0.0, ge=0, le=1, description="random 130429 share")
    pair_rate_limit: bool = Field(False, description="enforce the per-customer pair limit")
    pair_rate_burst: int = Field(45, ge=1, description="messages allowed per pair window")
    pair_rate_window_seconds: float = Field(6.0, gt=0)
    token_expired: bool = Field(False, description="every token answers 190/463")
    server_error_rate: float = Field(0.0, ge=0, le=1, description="share of 5xx answers")
    server_error_code: Literal[2, 131000, 131016] = 131000
    latency_seconds: float = Field(0.0, ge=0, description="added to every Graph response")
    timeout_rate: float = Field(0.0, ge=0, le=1, description="share of requests that hang")
    timeout_seconds: float = Field(30.0, ge=0, description="how long a hung request hangs")
    timeout_after_accept: bool = Field(
        False, description="a hung send is accepted (and delivered) before hanging"
    )
    window_error: Literal["async", "sync"] = Field(
        "async", description="131047 as a failed status (Meta's usual) or as a sync 400"
    )
    unknown_recipients: Literal["create", "undeliverable"] = Field(
        "create", description="send to an unknown wa_id: new customer, or failed 131026"
    )
    async_failure_code: int | None = Field(
        None, description="every accepted send fails asynchronously with this code"
    )
    # Webhook side ----------------------------------------------------------------------------
    statuses: bool = Field(True, description="emit status webhooks for accepted sends")
    status_sent_delay: float = Field(0.01, ge=0, description="seconds after acceptance")
    status_delivered_delay: float = Field(0.02, ge=0, description="seconds after acceptance")
    status_read_delay: float = Field(0.05, ge=0, description="seconds after acceptance")
    status_read: bool = Field(True, description="the customer reads (read receipts on)")
    status_skip_delivered: bool = Field(False, description="read without delivered")
    status_out_of_order: bool = Field(False, description="post statuses newest first")
    status_duplicates: int = Field(1, ge=1, le=10, description="posts of each status event")
    webhook_copies: int = Field(1, ge=1, le=50, description="posts of every webhook body")
    webhook_copies_concurrent: bool = False
    webhook_signature: Literal["valid", "bad", "missing"] = "valid"
    webhook_retries: int = Field(3, ge=0, le=20, description="re-posts after a non-2xx")
    webhook_retry_delay: float = Field(0.05, ge=0, description="first retry delay, doubles")
    webhook_timeout_seconds: float = Field(10.0, gt=0)
    template_review_delay: float = Field(0.0, ge=0, description="PENDING → APPROVED delay")


class SlidingWindow:
    """Counts events per key over the last `window` seconds (monotonic clock)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._events: dict[object, deque[float]] = {}

    def count(self, key: object, window: float) -> int:
        events = self._events.get(key)
        if not events:
            return 0
        cutoff = self._clock() - window
        while events and events[0] <= cutoff:
            events.popleft()
        return len(events)

    def allow(self, key: object, limit: int, window: float) -> bool:
        return self.count(key, window) < limit

    def record(self, key: object) -> None:
        self._events.setdefault(key, deque()).append(self._clock())

    def reset(self) -> None:
        self._events.clear()


class Dice:
    """Random draws for rate-based faults; seedable for reproducible runs."""

    def __init__(self, seed: int | None = None) -> None:
        self._rng = random.Random(seed)  # noqa: S311 - fault injection, not security

    def roll(self, rate: float) -> bool:
        return rate > 0 and self._rng.random() < rate
