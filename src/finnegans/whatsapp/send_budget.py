"""Per-account send budget: keep each WhatsApp number under Meta's messages-per-second limit.

Meta allows 80 messages/s per business number by default (1,000 after an upgrade, 20 for
coexistence numbers) and answers 130429 above it (reference §8). Senders call
`await budget.acquire(account_id, rate)` before each message; the call returns once sending
is within budget, with the seconds it waited.

The algorithm is a token bucket with `rate` tokens where a spent token comes back exactly one
second after the send it paid for (a sliding-window log). Burst capacity is therefore one
second's worth (`rate`): an idle number can send `rate` messages at once. We chose this over a
continuously refilling bucket because a refilling bucket of capacity `rate` lets up to
`2 * rate - 1` sends through in one second (a full bucket plus a second of refill), which is
exactly what earns a 130429 if Meta counts per second. Here no 1-second window ever holds more
than `rate` sends.

Fairness without busy-waiting: `acquire` reserves its slot synchronously (no `await` between
reading and writing the account's state, so the event loop gives atomicity for free) and then
sleeps once until that slot. Callers are served in arrival order, and each sleeps exactly as
long as needed. A caller cancelled while waiting keeps its reservation (the slot goes unused):
that can only make later senders slower, never push a window over the rate.

Several processes: `RedisSendBudget` implements the same Protocol by running the reservation
step as one Lua script per call, against a sorted set per key (`send_budget:{key}`, score = the
granted time in ms from Redis `TIME`): read the `rate`-th most recent grant, compute
`grant = max(now, that + 1000)`, `ZADD` the grant with a unique member, trim to the newest
`rate` entries, `PEXPIRE` the key a little beyond the last grant, and return `grant - now`; the
caller then `asyncio.sleep`s that long. Using Redis' clock keeps processes with drifting clocks
consistent, and the script makes reservations atomic, so every process of every machine shares
one budget per number. `context.py` picks it when `REDIS_URL` is set.

Both implementations observe `finnegans_send_budget_wait_seconds`, so every caller (live sends
through the GraphClient, broadcast pacing) shows up in it.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, NamedTuple, Protocol, cast

from finnegans.system import metrics

if TYPE_CHECKING:
    from redis.asyncio import Redis

DEFAULT_RATE_PER_SECOND = 80  # Meta's default throughput per business number
WINDOW_SECONDS = 1.0
# What the app uses: a spent slot comes back 1.1 s after its send, not 1 s. Requests reach
# Meta with some jitter (event-loop stalls, the network): a send granted at t that arrives late
# and one granted at t + 1 s that arrives early would land in one of Meta's 1-second windows.
# Measured against the emulator with live replies during a broadcast, a 1.0 s window earned
# 130429s, and 1.05 s still did now and then on a loaded machine. The price: a saturated
# number sustains rate / 1.1 (72.7/s of 80). A broadcast at the default 90 % share is paced at
# 70.6/s and fits; with BROADCAST_RESERVED_SHARE=0 it tops out at 72.7/s instead of 78.4/s.
JITTER_SAFE_WINDOW_SECONDS = 1.1


class SendBudget(Protocol):
    async def acquire(self, account_id: str, rate_per_second: int) -> float:
        """Wait until one more message fits this account's budget; return the seconds waited."""
        ...


class InMemorySendBudget:
    """Per-process budget: correct when a single process sends for a given account."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        window_seconds: float = WINDOW_SECONDS,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._window = window_seconds
        # Per account: the granted times of the most recent `rate` sends, oldest first.
        # Grants may lie in the future (reserved by callers that are still sleeping).
        self._grants: dict[str, deque[float]] = {}

    def reserve(self, account_id: str, rate_per_second: int) -> float:
        """Claim the next free slot for `account_id`; return how long to wait for it."""
        if rate_per_second < 1:
            raise ValueError(f"rate_per_second must be at least 1 (got {rate_per_second})")
        grants = self._grants.get(account_id)
        if grants is None or grants.maxlen != rate_per_second:
            # New account, or its rate changed: keep the newest grants that still matter.
            grants = deque(grants or (), maxlen=rate_per_second)
            self._grants[account_id] = grants
        now = self._clock()
        granted_at = now
        if len(grants) == rate_per_second:
            # The rate-th most recent send must have left the 1-second window first.
            granted_at = max(now, grants[0] + self._window)
        grants.append(granted_at)  # the deque drops the oldest grant, no longer relevant
        return granted_at - now

    async def acquire(self, account_id: str, rate_per_second: int) -> float:
        wait = self.reserve(account_id, rate_per_second)
        metrics.SEND_BUDGET_WAIT.observe(wait)
        if wait > 0:
            await self._sleep(wait)
        return wait


# KEYS[1] the key's sorted set; ARGV[1] the rate, ARGV[2] a unique member, ARGV[3] the window in
# ms. Returns the wait and the granted time (Redis clock) in ms, as strings: a Lua number reply
# would be truncated to an integer.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local rate = tonumber(ARGV[1])
local window = tonumber(ARGV[3])
local grant = now
if redis.call('ZCARD', KEYS[1]) >= rate then
  local oldest = redis.call('ZRANGE', KEYS[1], -rate, -rate, 'WITHSCORES')
  grant = math.max(now, tonumber(oldest[2]) + window)
end
redis.call('ZADD', KEYS[1], grant, ARGV[2])
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(rate + 1))
redis.call('PEXPIRE', KEYS[1], math.ceil(grant - now + window + 1000))
return {tostring(grant - now), tostring(grant)}
"""


class Reservation(NamedTuple):
    wait: float  # seconds until the slot
    granted_at: float  # the slot, in seconds on Redis' clock (tests compare processes with it)


class RedisSendBudget:
    """One budget per key shared by every process that talks to the same Redis."""

    def __init__(
        self,
        redis: Redis,
        *,
        prefix: str = "send_budget:",
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        window_seconds: float = WINDOW_SECONDS,
    ) -> None:
        self._redis = redis
        self._prefix = prefix
        self._sleep = sleep
        self._window_ms = round(window_seconds * 1000)
        self._reserve = redis.register_script(_RESERVE)

    async def reserve(self, account_id: str, rate_per_second: int) -> Reservation:
        """Claim the next free slot for `account_id` in Redis."""
        if rate_per_second < 1:
            raise ValueError(f"rate_per_second must be at least 1 (got {rate_per_second})")
        member = uuid.uuid4().hex  # two grants in the same millisecond must both count
        args: list[str | int] = [rate_per_second, member, self._window_ms]
        reply = cast(
            "list[bytes]", await self._reserve(keys=[self._prefix + account_id], args=args)
        )
        return Reservation(float(reply[0]) / 1000, float(reply[1]) / 1000)

    async def acquire(self, account_id: str, rate_per_second: int) -> float:
        wait = (await self.reserve(account_id, rate_per_second)).wait
        metrics.SEND_BUDGET_WAIT.observe(wait)
        if wait > 0:
            await self._sleep(wait)
        return wait

    async def aclose(self) -> None:
        await self._redis.aclose()
