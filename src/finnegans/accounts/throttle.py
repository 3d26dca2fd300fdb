"""Login throttling with the `limits` library: per account and per client IP.

Only failures are counted. Memory storage by default; Redis when REDIS_URL is set, so several
server processes share the counters.
"""

from __future__ import annotations

import time

from limits import RateLimitItemPerMinute
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

ACCOUNT_LIMIT = RateLimitItemPerMinute(5, 15)  # 5 failures per 15 minutes per e-mail
IP_LIMIT = RateLimitItemPerMinute(20, 15)  # 20 failures per 15 minutes per IP


class LoginThrottle:
    def __init__(self, redis_url: str = "") -> None:
        uri = f"async+{redis_url}" if redis_url else "async+memory://"
        # limits' default Redis client is coredis, which is not installed: use redis-py (pinned).
        options = {"implementation": "redispy"} if redis_url else {}
        storage = storage_from_string(uri, **options)
        if not isinstance(storage, Storage):
            raise TypeError(f"{uri} is not an async storage")
        self._limiter = MovingWindowRateLimiter(storage)

    async def blocked_for(self, email: str, ip: str) -> int:
        """Seconds until another attempt is allowed; 0 when it is allowed now."""
        waits = []
        for item, key in ((ACCOUNT_LIMIT, email), (IP_LIMIT, ip)):
            if not await self._limiter.test(item, "login", key):
                stats = await self._limiter.get_window_stats(item, "login", key)
                waits.append(max(1, int(stats.reset_time - time.time())))
        return max(waits, default=0)

    async def record_failure(self, email: str, ip: str) -> None:
        await self._limiter.hit(ACCOUNT_LIMIT, "login", email)
        await self._limiter.hit(IP_LIMIT, "login", ip)

    async def clear(self, email: str) -> None:
        await self._limiter.clear(ACCOUNT_LIMIT, "login", email)
