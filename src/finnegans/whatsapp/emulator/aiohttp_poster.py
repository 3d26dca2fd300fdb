"""Webhook POSTs over aiohttp, for the standalone emulator (`finnegans emulator`).

A benchmark's emulator posts three status webhooks per message it accepts (240/s for a number
at 80 messages/s, 3,000/s at 1,000) on the same 2 cores as the platform it measures. Measured
here against a bare HTTP server, 8 to 32 POSTs in flight: httpx 1.1 to 1.9 ms of CPU per POST (half
of it its connection pool scanning every connection, with a `select()` each, per request),
aiohttp 0.11 ms. The in-process emulator (tests, the demo sandbox) keeps httpx: it posts
through `httpx.ASGITransport` straight into the app.
"""

from __future__ import annotations

import aiohttp

from finnegans.whatsapp.emulator.webhooks import DeliveryFailed

# Below uvicorn's 5 s keep-alive: reusing a connection the server is closing costs a retry.
KEEPALIVE_SECONDS = 4.0


class AiohttpPoster:
    """`WebhookPoster` on one aiohttp session (opened on first use, in the running loop)."""

    def __init__(self, connections: int) -> None:
        self._connections = connections
        self._session: aiohttp.ClientSession | None = None

    async def __call__(
        self, url: str, body: bytes, headers: dict[str, str], time_limit: float
    ) -> int:
        if self._session is None:
            connector = aiohttp.TCPConnector(
                limit=self._connections, keepalive_timeout=KEEPALIVE_SECONDS
            )
            self._session = aiohttp.ClientSession(connector=connector)
        try:
            async with self._session.post(
                url, data=body, headers=headers, timeout=aiohttp.ClientTimeout(total=time_limit)
            ) as response:
                await response.read()
                return response.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
