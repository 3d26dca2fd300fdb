"""Webhook side: Meta's envelopes, signed posts to the platform, retries, and `drain()`.

Bodies are serialised once with `meta_wire_json` (compact, ASCII-only, lowercase `\\uXXXX`,
`\\/`) and signed over exactly those bytes; retries and duplicate copies re-send the same bytes.
Retries: Meta retries a non-200 "immediately, then with decreasing frequency, for up to 7 days";
the emulator compresses that into `Faults.webhook_retries` re-posts after `webhook_retry_delay`
seconds, doubling each time (default: 3 retries after 0.05 s, 0.1 s, 0.2 s). Any 2xx counts as
acknowledged; network errors and timeouts are retried like non-2xx answers.

At most `MAX_IN_FLIGHT` POSTs are open at once; the rest wait their turn here, in order. Without
the bound, a platform that acknowledged slowly for a moment let hundreds of POSTs pile up inside
httpcore's connection pool, which re-scans every queued request against every connection each
time one finishes: at 240 status webhooks/s the emulator spent three quarters of its CPU there,
its own Graph answers stalled for seconds and broadcasts timed out (bench/README.md, Broadcast
pacing).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import httpx

from finnegans.whatsapp.emulator.faults import Faults
from finnegans.whatsapp.emulator.state import BusinessNumber, Customer
from finnegans.whatsapp.signature import SIGNATURE_HEADER, meta_wire_json, sign

USER_AGENT = "facebookexternalua"
MAX_IN_FLIGHT = 32  # webhook POSTs open at once (the standalone server's pool has as many)


class DeliveryFailed(Exception):
    """A webhook POST got no answer (connection refused or reset, timeout)."""


# (url, body, headers, timeout seconds) -> the HTTP status; raises DeliveryFailed.
WebhookPoster = Callable[[str, bytes, dict[str, str], float], Awaitable[int]]


def metadata(number: BusinessNumber) -> dict[str, str]:
    return {
        "display_phone_number": number.display_phone_number,
        "phone_number_id": number.phone_number_id,
    }


def contact_block(customer: Customer) -> dict[str, Any]:
    contact: dict[str, Any] = {}
    if customer.profile_name is not None:
        contact["profile"] = {"name": customer.profile_name}
    if not customer.bsuid_only:
        contact["wa_id"] = customer.wa_id
    if customer.user_id:
        contact["user_id"] = customer.user_id
    return contact


def envelope(
    waba_id: str, value: dict[str, Any], field: str = "messages", time_: int | None = None
) -> dict[str, Any]:
    """`object` first; `entry[].time` only on management fields; `value` before `field`."""
    entry: dict[str, Any] = {"id": waba_id}
    if time_ is not None:
        entry["time"] = time_
    entry["changes"] = [{"value": value, "field": field}]
    return {"object": "whatsapp_business_account", "entry": [entry]}


def messages_envelope(
    number: BusinessNumber, customer: Customer, message: dict[str, Any]
) -> dict[str, Any]:
    value = {
        "messaging_product": "whatsapp",
        "metadata": metadata(number),
        "contacts": [contact_block(customer)],
        "messages": [message],
    }
    return envelope(number.waba_id, value)


def statuses_envelope(
    number: BusinessNumber, customer: Customer, status: dict[str, Any]
) -> dict[str, Any]:
    value: dict[str, Any] = {"messaging_product": "whatsapp", "metadata": metadata(number)}
    # 2026 BSUID rollout: statuses carry a contacts block, except failed ones (reference §3.1).
    if customer.user_id and status.get("status") != "failed":
        value["contacts"] = [contact_block(customer)]
    value["statuses"] = [status]
    return envelope(number.waba_id, value)


def value_errors_envelope(number: BusinessNumber, errors: list[dict[str, Any]]) -> dict[str, Any]:
    value = {"messaging_product": "whatsapp", "metadata": metadata(number), "errors": errors}
    return envelope(number.waba_id, value)


@dataclass
class DeliveryAttempt:
    delivery_id: int  # one id per body (copies share it)
    copy: int  # 1..webhook_copies
    attempt: int  # 1 = first try, 2.. = retries
    url: str | None
    kind: str  # messages | statuses | errors | <management field>
    body: bytes
    signature: str | None
    status_code: int | None
    error: str | None
    at: float

    @property
    def payload(self) -> Any:
        return json.loads(self.body)

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    def public(self) -> dict[str, Any]:
        return {
            "delivery_id": self.delivery_id,
            "copy": self.copy,
            "attempt": self.attempt,
            "url": self.url,
            "kind": self.kind,
            "status_code": self.status_code,
            "error": self.error,
            "at": self.at,
            "signature": self.signature,
            "payload": self.payload,
        }


class WebhookDispatcher:
    def __init__(
        self,
        faults: Callable[[], Faults],
        http: httpx.AsyncClient | None = None,
        *,
        max_attempts_kept: int = 10_000,
        max_in_flight: int = MAX_IN_FLIGHT,
    ) -> None:
        self._faults = faults
        self._http = http
        # How POSTs go out; by default through `http` (httpx). The standalone server sets a
        # cheaper one (aiohttp_poster.py).
        self.poster: WebhookPoster = self._post_with_httpx
        self._in_flight = asyncio.Semaphore(max_in_flight)
        self._owns_http = False
        self._tasks: set[asyncio.Task[None]] = set()
        self._ids = itertools.count(1)
        self.attempts: deque[DeliveryAttempt] = deque(maxlen=max_attempts_kept)
        self.acknowledged = 0  # bodies (per copy) the platform answered 2xx
        self.given_up = 0  # bodies (per copy) still unacknowledged after all retries

    @property
    def http(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient()
            self._owns_http = True
        return self._http

    @http.setter
    def http(self, client: httpx.AsyncClient) -> None:
        self._http, self._owns_http = client, False

    async def _post_with_httpx(
        self, url: str, body: bytes, headers: dict[str, str], time_limit: float
    ) -> int:
        try:
            response = await self.http.post(url, content=body, headers=headers, timeout=time_limit)
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc
        return response.status_code

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._owns_http and self._http is not None:
            await self._http.aclose()
            self._http = None

    # background tasks ----------------------------------------------------------------------
    def spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    @property
    def pending(self) -> int:
        return len(self._tasks)

    async def drain(self, max_wait: float = 30.0) -> None:
        """Wait until every scheduled webhook (and anything it scheduled) has been posted."""
        async with asyncio.timeout(max_wait):
            while self._tasks:
                await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def schedule(
        self, number: BusinessNumber, payload: dict[str, Any], kind: str, delay: float = 0.0
    ) -> None:
        self.spawn(self._post_later(number, payload, kind, delay))

    async def _post_later(
        self, number: BusinessNumber, payload: dict[str, Any], kind: str, delay: float
    ) -> None:
        if delay > 0:
            await asyncio.sleep(delay)
        await self.post(number, payload, kind)

    # delivery ------------------------------------------------------------------------------
    async def post(self, number: BusinessNumber, payload: dict[str, Any], kind: str) -> None:
        """Post one body (`webhook_copies` times), retrying each copy until acknowledged."""
        faults = self._faults()
        body = meta_wire_json(payload)
        if faults.webhook_signature == "valid":
            signature: str | None = sign(body, number.app_secret)
        elif faults.webhook_signature == "bad":
            signature = sign(body, number.app_secret + "-wrong")
        else:
            signature = None
        delivery_id = next(self._ids)
        copies = [
            self._deliver(number, body, signature, kind, delivery_id, copy)
            for copy in range(1, faults.webhook_copies + 1)
        ]
        if faults.webhook_copies_concurrent:
            await asyncio.gather(*copies)
        else:
            for copy_coro in copies:
                await copy_coro

    async def _deliver(
        self,
        number: BusinessNumber,
        body: bytes,
        signature: str | None,
        kind: str,
        delivery_id: int,
        copy: int,
    ) -> None:
        faults = self._faults()
        url = _pick_url(number.webhook_url, delivery_id + copy)
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
        if signature is not None:
            headers[SIGNATURE_HEADER] = signature
        delay = faults.webhook_retry_delay
        for attempt in range(1, faults.webhook_retries + 2):
            status_code: int | None = None
            error: str | None = None
            if url is None:
                error = "no webhook URL configured for this number"
            else:
                try:
                    async with self._in_flight:  # held for the POST only, never for a retry's wait
                        status_code = await self.poster(
                            url, body, headers, faults.webhook_timeout_seconds
                        )
                except DeliveryFailed as exc:
                    error = str(exc)
            record = DeliveryAttempt(
                delivery_id, copy, attempt, url, kind, body, signature, status_code, error,
                time.time(),
            )  # fmt: skip
            self.attempts.append(record)
            if record.ok:
                self.acknowledged += 1
                return
            if url is None:
                break
            if attempt <= faults.webhook_retries:
                await asyncio.sleep(delay)
                delay *= 2
        self.given_up += 1


def _pick_url(webhook_url: str | None, turn: int) -> str | None:
    """A comma-separated list is served round-robin, like a load balancer in front of several
    servers: copies of one body (`webhook_copies`) reach different servers."""
    if webhook_url is None or "," not in webhook_url:
        return webhook_url
    urls = [url.strip() for url in webhook_url.split(",") if url.strip()]
    return urls[turn % len(urls)]
