"""The per-account send budget: bursts of one second's worth, then never above the rate."""

from __future__ import annotations

import asyncio
import time

import pytest

from finnegans.whatsapp.send_budget import InMemorySendBudget, SendBudget


class FakeClock:
    """A clock that only moves when someone sleeps, so timings are exact."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def max_in_any_window(instants: list[float], window: float = 1.0) -> int:
    """The most instants that fall in any half-open window [t, t + window)."""
    ordered = sorted(instants)
    return max(sum(1 for other in ordered if start <= other < start + window) for start in ordered)


async def test_burst_then_one_second_for_the_next_rate_worth() -> None:
    clock = FakeClock()
    budget = InMemorySendBudget(clock=clock, sleep=clock.sleep)
    granted: list[float] = []
    for _ in range(100):
        await budget.acquire("acct", 50)
        granted.append(clock.now)
    assert granted[:50] == [0.0] * 50  # the initial burst is one second's worth
    assert clock.now == pytest.approx(1.0)  # the other 50 needed one more second
    assert max_in_any_window(granted) <= 50


async def test_steady_arrivals_never_exceed_the_rate() -> None:
    clock = FakeClock()
    budget = InMemorySendBudget(clock=clock, sleep=clock.sleep)
    granted: list[float] = []
    for _ in range(400):
        await budget.acquire("acct", 50)
        granted.append(clock.now)
        clock.now += 0.003  # callers arrive faster (~333/s) than the budget allows
    assert max_in_any_window(granted) <= 50
    # The first 50 arrive in 0.147 s and go at once; every later send repeats that pattern
    # one second on, so the 400th goes out 7 seconds after the 50th.
    assert granted[49] == pytest.approx(0.147)
    assert granted[-1] == pytest.approx(7.147)


async def test_concurrent_callers_are_served_in_arrival_order() -> None:
    clock = FakeClock()
    budget = InMemorySendBudget(clock=clock, sleep=clock.sleep)
    # Reservations happen before any sleep, so wait times give each caller's slot.
    waits = [budget.reserve("acct", 10) for _ in range(35)]
    assert waits == sorted(waits)
    assert waits[:10] == [0.0] * 10
    assert waits[10:20] == [1.0] * 10 and waits[30:] == [3.0] * 5
    assert max_in_any_window(waits) <= 10


async def test_accounts_have_separate_budgets() -> None:
    clock = FakeClock()
    budget = InMemorySendBudget(clock=clock, sleep=clock.sleep)
    assert [await budget.acquire("a", 2) for _ in range(2)] == [0.0, 0.0]
    assert [await budget.acquire("b", 2) for _ in range(2)] == [0.0, 0.0]
    assert clock.sleeps == []
    assert await budget.acquire("a", 2) == pytest.approx(1.0)


async def test_rate_change_keeps_recent_history() -> None:
    clock = FakeClock()
    budget = InMemorySendBudget(clock=clock, sleep=clock.sleep)
    for _ in range(4):
        budget.reserve("acct", 4)
    # Lowered to 2/s: the two most recent sends (at t=0) still count.
    assert budget.reserve("acct", 2) == pytest.approx(1.0)


async def test_rate_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        await InMemorySendBudget().acquire("acct", 0)


async def test_real_clock_100_sends_at_50_per_second() -> None:
    budget: SendBudget = InMemorySendBudget()
    start = time.monotonic()
    granted: list[float] = []

    async def send() -> None:
        await budget.acquire("acct", 50)
        granted.append(time.monotonic() - start)

    await asyncio.gather(*(send() for _ in range(100)))
    elapsed = time.monotonic() - start
    assert 0.95 <= elapsed < 1.5
    # Event-loop timers may fire a hair early; allow 20 ms of slack on the window.
    assert max_in_any_window(granted, window=0.98) <= 50
