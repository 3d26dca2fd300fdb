"""Per-number pacing for broadcasts: even spacing under the send budget, the slow-down after
130429, batch sizes, and the Graph client the sender uses (no client-side retries)."""

from __future__ import annotations

import asyncio
import math
import time

import httpx

from finnegans.context import AppContext
from finnegans.db.models import WhatsAppAccount
from finnegans.whatsapp.graph import GraphClient
from finnegans.whatsapp.graph_factory import number_budget
from finnegans.whatsapp.sandbox import EMULATOR_BASE_URL

MAX_BATCH = 200
BATCH_SECONDS = 0.25  # a batch is about this much sending: a pause takes effect that fast
THROUGHPUT_BACKOFF = 1.0  # seconds the whole number pauses after a 130429
# Pace a little under the rate: requests reach Meta with some jitter (event-loop stalls,
# network), and Meta counts arrivals in its own 1-second window. Measured against the emulator
# at exactly 80/s, a 0 % margin earned 130429s; 2 % paces an 80/s number at 78.4/s.
JITTER_HEADROOM = 0.99


class Throttle:
    """Per-number pacing: even spacing, and a slow-down after 130429 (20 % slower, then
    5 % faster per clean batch, back up to the rate).

    The shared SendBudget caps any 1-second window at the rate, but lets a whole second's
    worth go at once; a burst of requests reaches Meta in a slightly different order and
    spacing than it left, and the next burst a second later can then overlap it in Meta's
    window (130429). Spacing the sends 1/rate apart leaves that jitter a whole interval.
    """

    def __init__(self) -> None:
        self.factor = 1.0
        self.resume_at = 0.0
        self._next_slot = 0.0

    def spacing(self, rate: int) -> float:
        """Reserve the next evenly spaced slot; the seconds to wait for it."""
        now = time.monotonic()
        slot = max(now, self._next_slot)
        self._next_slot = slot + 1.0 / (rate * JITTER_HEADROOM)
        return slot - now

    def slowed(self, rate: int) -> int:
        return max(1, int(rate * self.factor))

    def hit(self) -> None:
        self.factor = max(0.1, self.factor * 0.8)
        self.resume_at = time.monotonic() + THROUGHPUT_BACKOFF

    def clean(self) -> None:
        self.factor = min(1.0, self.factor * 1.05)


_throttles: dict[str, Throttle] = {}


def batch_size(rate: int) -> int:
    return max(1, min(MAX_BATCH, math.ceil(rate * BATCH_SECONDS)))


def throttle_for(account_id: str) -> Throttle:
    return _throttles.setdefault(account_id, Throttle())


_HTTP: dict[int, httpx.AsyncClient] = {}
# httpcore's pool checks every connection (a `select()` each) for every request it assigns:
# with 200 allowed, a 1,000/s broadcast spent 36 % of serve's CPU there (py-spy). Paced sends
# need few at once (rate x round trip: about 10 at 1,000/s), so the pool stays small.
GRAPH_CONNECTIONS = 8
_SLOTS: dict[int, asyncio.Semaphore] = {}


def shared_http() -> httpx.AsyncClient:
    """One keep-alive pool per event loop: a fresh client per batch meant a fresh TLS context
    and fresh connections every quarter second."""
    loop = id(asyncio.get_running_loop())
    client = _HTTP.get(loop)
    if client is None or client.is_closed:
        limits = httpx.Limits(
            max_connections=GRAPH_CONNECTIONS, max_keepalive_connections=GRAPH_CONNECTIONS
        )
        client = _HTTP[loop] = httpx.AsyncClient(limits=limits)
    return client


def graph_slot() -> asyncio.Semaphore:
    """Held around each Graph send: no more requests at once than the pool has connections.
    Requests queued inside httpcore are re-scanned against every connection each time one
    finishes (quadratic under a burst); waiting here costs nothing."""
    loop = id(asyncio.get_running_loop())
    slot = _SLOTS.get(loop)
    if slot is None:
        slot = _SLOTS[loop] = asyncio.Semaphore(GRAPH_CONNECTIONS)
    return slot


def graph_client(ctx: AppContext, account: WhatsAppAccount, rate: int) -> GraphClient:
    """No client-side retries: the runner handles every error class itself (pacing, backoff)."""
    if not account.phone_number_id or not account.access_token_encrypted:
        raise ValueError("the account needs a phone number ID and an access token")
    in_sandbox = account.sandbox and ctx.sandbox.graph_http is not None
    return GraphClient(
        access_token=ctx.secrets.decrypt(account.access_token_encrypted),
        phone_number_id=account.phone_number_id, waba_id=account.waba_id,
        api_version=ctx.settings.graph_api_version,
        base_url=EMULATOR_BASE_URL if in_sandbox else ctx.settings.graph_api_url,
        http_client=ctx.sandbox.graph_http if in_sandbox else shared_http(),
        retry_attempts=1,
        **number_budget(ctx, account),  # the number's total, shared with live sends
    )  # fmt: skip
