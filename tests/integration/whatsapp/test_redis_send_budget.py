"""The Redis send budget against a real Redis: one budget per number across instances and
processes, never more than `rate` grants in any 1-second window, waits in arrival order."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from finnegans.system import metrics
from finnegans.whatsapp.send_budget import RedisSendBudget


def max_in_any_window(instants: list[float], window: float = 1.0) -> int:
    """The most instants in any half-open window [t, t + window)."""
    ordered = sorted(instants)
    return max(sum(1 for other in ordered if start <= other < start + window) for start in ordered)


@pytest.fixture
async def budgets(redis_url: str) -> AsyncIterator[tuple[RedisSendBudget, RedisSendBudget]]:
    # Two clients, two connection pools: as far apart as two processes, short of forking.
    first, second = (
        RedisSendBudget(Redis.from_url(redis_url)),
        RedisSendBudget(Redis.from_url(redis_url)),
    )
    yield first, second
    await first.aclose()
    await second.aclose()


def fresh_key() -> str:
    return f"test-{uuid.uuid4().hex}"  # the Redis is shared with other test runs


async def sender(
    budget: RedisSendBudget, key: str, rate: int, count: int
) -> tuple[list[float], list[float]]:
    """Send `count` messages one after another, like a sender loop: grants and waits."""
    grants: list[float] = []
    waits: list[float] = []
    for _ in range(count):
        reservation = await budget.reserve(key, rate)
        grants.append(reservation.granted_at)
        waits.append(reservation.wait)
        await asyncio.sleep(reservation.wait)
    return grants, waits


async def test_two_instances_share_one_budget(
    budgets: tuple[RedisSendBudget, RedisSendBudget],
) -> None:
    key, rate = fresh_key(), 20
    started = time.monotonic()
    (grants_a, waits_a), (grants_b, waits_b) = await asyncio.gather(
        sender(budgets[0], key, rate, 30), sender(budgets[1], key, rate, 30)
    )
    elapsed = time.monotonic() - started
    everything = grants_a + grants_b
    assert max_in_any_window(everything) == rate
    # 60 sends at 20/s: a burst of 20, then 20 more one second later, and 20 a second after.
    assert 1.9 < elapsed < 3.0
    # Waits are short: nobody waited longer than one window (each sender has one reservation
    # outstanding at a time, so once both queue they take turns; arrival order is the next test).
    assert max(waits_a + waits_b) <= 1.05


async def test_concurrent_callers_wait_in_arrival_order(
    budgets: tuple[RedisSendBudget, RedisSendBudget],
) -> None:
    key, rate = fresh_key(), 10
    reservations = [await budgets[i % 2].reserve(key, rate) for i in range(35)]
    grants = [r.granted_at for r in reservations]
    assert grants == sorted(grants)  # first come, first served, across both instances
    assert max_in_any_window(grants) == rate
    # The 35th caller waits three windows, not more: each sleeps exactly as long as needed.
    assert 2.9 < reservations[-1].wait < 3.1


async def test_acquire_sleeps_and_records_the_wait_in_the_metric(
    budgets: tuple[RedisSendBudget, RedisSendBudget],
) -> None:
    key = fresh_key()
    before = metrics.SEND_BUDGET_WAIT._sum.get()
    await budgets[0].acquire(key, 2)
    await budgets[0].acquire(key, 2)
    started = time.monotonic()
    waited = await budgets[1].acquire(key, 2)
    assert 0.9 < waited <= 1.0
    assert time.monotonic() - started >= 0.9
    assert metrics.SEND_BUDGET_WAIT._sum.get() - before >= 0.9


async def test_a_rate_below_one_is_refused(
    budgets: tuple[RedisSendBudget, RedisSendBudget],
) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        await budgets[0].acquire(fresh_key(), 0)


PROCESS_SENDER = """
import asyncio, json, sys
from redis.asyncio import Redis
from finnegans.whatsapp.send_budget import RedisSendBudget

async def main(url, key, rate, count):
    budget = RedisSendBudget(Redis.from_url(url))
    grants = []
    for _ in range(count):
        reservation = await budget.reserve(key, rate)
        grants.append(reservation.granted_at)
        await asyncio.sleep(reservation.wait)
    await budget.aclose()
    print(json.dumps(grants))

asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))
"""


def test_two_processes_never_put_more_than_rate_in_a_second(redis_url: str) -> None:
    key, rate, count = fresh_key(), 15, 25
    processes = [
        subprocess.Popen(  # noqa: S603 - this interpreter, our own code
            [sys.executable, "-c", PROCESS_SENDER, redis_url, key, str(rate), str(count)],
            stdout=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=60)[0] for process in processes]
    assert all(process.returncode == 0 for process in processes)
    per_process = [json.loads(output) for output in outputs]
    everything = [grant for grants in per_process for grant in grants]
    assert len(everything) == 2 * count
    assert max_in_any_window(everything) == rate
    # 50 sends at 15/s span three full windows after the first burst: about 3 seconds.
    assert 2.9 < max(everything) - min(everything) < 4.0
