"""Pacing at the number's budget, measured on the emulator's own record of when each message
arrived (never on this test's wall clock), and the slow-down after a 130429."""

from __future__ import annotations

from collections import Counter

from fastapi import FastAPI
from httpx import AsyncClient

from tests.helpers import busiest_second
from tests.integration.broadcasts.broadcast_helpers import HELLO, workspace


async def test_a_few_hundred_recipients_at_20_per_second_never_exceed_it(
    client: AsyncClient, app: FastAPI
) -> None:
    ws = await workspace(app, client)
    await ws.set_budget(20)  # the emulator answers 130429 above 20/s (throughput_auto)
    assert ws.emulator.faults.throughput_auto
    await ws.contacts(200)
    created = await ws.create(audience={"kind": "everyone"}, content=HELLO, launch=True)
    assert created["rate_per_second"] == 18  # 10 % of the budget left for conversations
    done = await ws.wait(created["id"], timeout=60)
    assert done["status"] == "completed" and done["counts"]["read"] == 200, done["counts"]
    arrivals = [m.timestamp for m in ws.outbound()]
    assert len(arrivals) == 200
    assert busiest_second(arrivals) <= 20
    # No 130429 was ever answered: every recipient went out on its first attempt.
    rows = await ws.recipients(created["id"])
    assert Counter(r["attempts"] for r in rows) == {1: 200}
    assert not any(r["error_code"] for r in rows)


async def test_throughput_errors_slow_the_number_down_and_every_recipient_gets_one_message(
    client: AsyncClient, app: FastAPI
) -> None:
    ws = await workspace(app, client)
    ws.emulator.faults.throughput_error_rate = 0.3  # Meta's 130429, at random
    await ws.contacts(30)
    created = await ws.create(audience={"kind": "everyone"}, content=HELLO, launch=True)
    done = await ws.wait(created["id"], timeout=60)
    assert done["status"] == "completed" and done["counts"]["read"] == 30, done["counts"]
    rows = await ws.recipients(created["id"])
    assert any(r["attempts"] > 1 for r in rows)  # refused ones were retried ...
    assert Counter(m.wa_id for m in ws.outbound()).most_common(1)[0][1] == 1  # ... never twice
    assert len(ws.outbound()) == 30
