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
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, NamedTuple, Protocol, cast

from finnegans.system import metrics

if TYPE_CHECKING:
    from redis.asyncio import Redis

DEFAULT_RATE_PER_SECOND = 80  # Meta's default throughput per business number
WINDOW_SECONDS = 1.0
# The window on a number's own key (`number:<account>`, paid by every send): a spent slot comes
# back a little later than 1 s after its send. Requests reach Meta with jitter (event-loop
# stalls, the network): a send granted at t that arrives late and one granted at t + 1 s that
# arrives early land in one of Meta's 1-second windows. With live replies during a broadcast a
# 1.0 s window earned 130429s from the emulator. A wider window buys tolerance but costs
# throughput (a saturated number sustains rate / window):
# - one process (in-memory budget): 1.0 s, because every send of the process also passes the
#   number's `ArrivalGuard` (below), which bounds arrivals however late requests travel;
# - several processes (Redis budget): 1.1 s (72.7/s of 80). A guard sees only its own
#   process's requests in flight, and with two servers and two workers sending, 1.02 s still
#   earned 130429s in the scale-out test; 1.05 s did now and then on a loaded machine.
# Other keys (`broadcast:<account>`) use 1.0 s.
IN_PROCESS_NUMBER_WINDOW_SECONDS = 1.0
SHARED_NUMBER_WINDOW_SECONDS = 1.1


class SendBudget(Protocol):
    # How long a slot on a number's own key stays spent (see above).
    number_window_seconds: float

    async def acquire(
        self, account_id: str, rate_per_second: int, window_seconds: float | None = None
    ) -> float:
        """Wait until one more message fits this account's budget; return the seconds waited.

        `window_seconds` (default: the budget's own, 1 s) is how long a spent slot stays spent."""
        ...


class InMemorySendBudget:
    """Per-process budget: correct when a single process sends for a given account."""

    number_window_seconds = IN_PROCESS_NUMBER_WINDOW_SECONDS

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

    def reserve(
        self, account_id: str, rate_per_second: int, window_seconds: float | None = None
    ) -> float:
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
            granted_at = max(now, grants[0] + (window_seconds or self._window))
        grants.append(granted_at)  # the deque drops the oldest grant, no longer relevant
        return granted_at - now

    async def acquire(
        self, account_id: str, rate_per_second: int, window_seconds: float | None = None
    ) -> float:
        wait = self.reserve(account_id, rate_per_second, window_seconds)
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

    number_window_seconds = SHARED_NUMBER_WINDOW_SECONDS

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

    async def reserve(
        self, account_id: str, rate_per_second: int, window_seconds: float | None = None
    ) -> Reservation:
        """Claim the next free slot for `account_id` in Redis."""
        if rate_per_second < 1:
            raise ValueError(f"rate_per_second must be at least 1 (got {rate_per_second})")
        member = uuid.uuid4().hex  # two grants in the same millisecond must both count
        window_ms = self._window_ms if window_seconds is None else round(window_seconds * 1000)
        args: list[str | int] = [rate_per_second, member, window_ms]
        reply = cast(
            "list[bytes]", await self._reserve(keys=[self._prefix + account_id], args=args)
        )
        return Reservation(float(reply[0]) / 1000, float(reply[1]) / 1000)

    async def acquire(
        self, account_id: str, rate_per_second: int, window_seconds: float | None = None
    ) -> float:
        wait = (await self.reserve(account_id, rate_per_second, window_seconds)).wait
        metrics.SEND_BUDGET_WAIT.observe(wait)
        if wait > 0:
            await self._sleep(wait)
        return wait

    async def aclose(self) -> None:
        await self._redis.aclose()


class ArrivalGuard:
    """One number's requests in flight in this process, and when recent ones were answered.

    The budget bounds *grants*; Meta counts *arrivals*. Every send to Meta of this process
    passes `hold` (GraphClient), so a late-travelling request can never crowd Meta's window.
    """

    def __init__(self) -> None:
        self._unanswered = 0  # sends on their way to Meta, not answered yet
        self._answered: deque[float] = deque()  # when recent sends were answered (monotonic)

    @asynccontextmanager
    async def hold(self, rate: int) -> AsyncIterator[None]:
        """Hold a send while Meta might already count `rate` sends in the second it arrives in.

        Meta counts when a request ARRIVES; we only know that it arrived between leaving here
        and its answer. Any send answered less than a second ago, or not answered yet, may
        therefore share a window with the next one, so the next waits until fewer than `rate`
        of those remain. That bound holds however late the requests travel (a stalled event
        loop, a busy CPU, garbage collection): measured under load, 10 % of sends reached the
        emulator more than 15 ms after they were granted and 1 % more than 85 ms after, which
        a 2 % headroom on the spacing (1.6 messages/s at 80/s) cannot absorb; every such
        clump earned a 130429. Costs nothing while answers come back in a few milliseconds:
        each send then occupies the window for 1 s plus its round trip.
        """
        while True:
            now = time.monotonic()
            answered = self._answered
            while answered and answered[0] <= now - WINDOW_SECONDS:
                answered.popleft()
            if self._unanswered + len(answered) < rate:
                break
            # The oldest answer leaves the window first; if all are unanswered, poll briefly.
            wait = answered[0] + WINDOW_SECONDS - now if answered else 1.0 / rate
            await asyncio.sleep(max(wait, 0.001))
        self._unanswered += 1
        try:
            yield
        finally:
            self._unanswered -= 1
            answered.append(time.monotonic())


_guards: dict[str, ArrivalGuard] = {}


def arrival_guard_for(key: str) -> ArrivalGuard:
    """This process's guard for one number (keyed like its budget: `number:<account id>`)."""
    return _guards.setdefault(key, ArrivalGuard())
