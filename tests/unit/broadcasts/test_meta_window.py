"""ArrivalGuard.hold: however late a send travels, Meta never counts more than the rate in a
second. Real time, short: a rate of 10 and answers within 40 ms."""

from __future__ import annotations

import asyncio
import random
import time

from finnegans.whatsapp.send_budget import ArrivalGuard
from tests.helpers import busiest_second


async def test_no_second_holds_more_than_the_rate_whatever_the_travel_time() -> None:
    throttle, rate, arrivals = ArrivalGuard(), 10, []
    rng = random.Random(7)

    async def send() -> None:
        async with throttle.hold(rate):
            # The request reaches "Meta" at a random point before its answer comes back: the
            # clumping a stalled event loop causes (some late, some on time).
            await asyncio.sleep(rng.uniform(0, 0.03))
            arrivals.append(time.monotonic())
            await asyncio.sleep(rng.uniform(0, 0.01))

    started = time.monotonic()
    await asyncio.gather(*(send() for _ in range(25)))
    assert len(arrivals) == 25
    assert busiest_second(arrivals) <= rate
    # ... and it does not slow down more than it must: 25 sends at 10 per (1 s + round trip).
    assert time.monotonic() - started < 2.6


async def test_an_unanswered_send_holds_its_place_in_the_window() -> None:
    throttle, rate = ArrivalGuard(), 2
    slow_answer = asyncio.Event()
    started: list[float] = []

    async def send(wait_for: asyncio.Event | None = None) -> None:
        async with throttle.hold(rate):
            started.append(time.monotonic())
            if wait_for is not None:
                await wait_for.wait()

    t0 = time.monotonic()
    slow = asyncio.create_task(send(slow_answer))  # Meta has not answered this one yet
    await asyncio.sleep(0)  # it is on its way
    await send()
    await send()  # waits until the quick answer is a second old
    await send()  # the slow send still counts: waits for the previous answer to age too
    slow_answer.set()
    await slow
    offsets = [at - t0 for at in started]
    assert offsets[1] < 0.1
    assert 1.0 <= offsets[2] < 1.3
    assert 2.0 <= offsets[3] < 2.4  # without counting the slow send it would have gone at once
