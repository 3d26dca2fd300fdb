"""While webhooks arrive, the embedded worker leaves the event loop to the acknowledgements."""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

import pytest

from finnegans.jobs.webhook_worker import PACE_ABOVE_PER_SECOND, WebhookWorker


async def _batch_starts(worker: WebhookWorker, *, arriving: int) -> list[float]:
    """Start times of the first batches the worker's loop runs (each batch takes 30 ms), with
    `arriving` webhooks acknowledged during each batch."""
    starts: list[float] = []

    async def run_once() -> int:
        for _ in range(arriving):
            worker.notify()  # as the ingest writer does after each commit
        starts.append(time.monotonic())
        await asyncio.sleep(0.03)
        return 1

    worker.run_once = run_once  # type: ignore[method-assign]
    task = asyncio.create_task(worker._loop())
    while len(starts) < 5:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    return starts


async def test_worker_rests_while_webhooks_flood_in() -> None:
    unused: Any = None  # neither the database nor the processor is reached: run_once is replaced
    busy = await _batch_starts(WebhookWorker(unused, unused), arriving=PACE_ABOVE_PER_SECOND)
    busy_gaps = [b - a for a, b in itertools.pairwise(busy)]
    assert min(busy_gaps) >= 0.088  # 30 ms of work, then at least twice as long at rest

    quiet = await _batch_starts(WebhookWorker(unused, unused), arriving=0)
    quiet_gaps = sorted(b - a for a, b in itertools.pairwise(quiet))
    assert quiet_gaps[len(quiet_gaps) // 2] < 0.8 * min(busy_gaps)  # no rest: back to back

    # A trickle (a conversation or two: its message and the statuses of the bot's reply) is
    # cheap to acknowledge: resting would only delay the bot's answers.
    trickle = await _batch_starts(WebhookWorker(unused, unused), arriving=1)
    trickle_gaps = sorted(b - a for a, b in itertools.pairwise(trickle))
    assert trickle_gaps[len(trickle_gaps) // 2] < 0.8 * min(busy_gaps)
