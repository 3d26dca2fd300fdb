"""The number's total stays under its budget: live sends (inbox agent replies) pay into the
same per-number budget as a broadcast running at the same time, so together they never push
the number over its messages/s and Meta (the emulator) never answers 130429."""

from __future__ import annotations

import asyncio
from collections import Counter

from fastapi import FastAPI
from httpx import AsyncClient

from finnegans.system import metrics
from tests.helpers import busiest_second
from tests.integration.broadcasts.broadcast_helpers import HELLO, workspace

BUDGET = 20


def refused_130429() -> float:
    return metrics.GRAPH_ERRORS.labels("130429")._value.get()


async def test_agent_replies_during_a_broadcast_share_the_numbers_budget(
    client: AsyncClient, app: FastAPI
) -> None:
    ws = await workspace(app, client)
    await ws.set_budget(BUDGET)  # the emulator answers 130429 above 20/s
    assert ws.emulator.faults.throughput_auto
    chatting = await ws.contacts(30, name="Chat", window_open=True)
    await ws.contacts(80, name="Audience")
    refused_before = refused_130429()
    created = await ws.create(
        audience={"kind": "everyone"}, content=HELLO, launch=True
    )  # 110 recipients at 18/s: about 6 seconds
    await asyncio.sleep(1.0)  # the broadcast is sending at its full share now
    for contact_id in chatting:  # thirty agent replies at once, on top of the broadcast
        await ws.post(
            f"/api/conversations/{contact_id}", {"text": "Thanks for writing!"}, expect=201
        )
    done = await ws.wait(created["id"], timeout=90)
    assert done["status"] == "completed", done["counts"]
    deadline = asyncio.get_running_loop().time() + 30
    while len([m for m in ws.outbound() if m.type == "text"]) < len(chatting):
        assert asyncio.get_running_loop().time() < deadline, "agent replies not all sent"
        await asyncio.sleep(0.1)
    sent = ws.outbound()
    assert Counter(m.type for m in sent) == {"template": 110, "text": 30}
    # Together, never above the number's rate, and Meta never refused one.
    assert busiest_second([m.timestamp for m in sent]) <= BUDGET
    assert refused_130429() == refused_before
    rows = await ws.recipients(created["id"])
    assert Counter(r["attempts"] for r in rows) == {1: 110}


async def test_a_live_send_waits_for_the_numbers_budget(client: AsyncClient, app: FastAPI) -> None:
    ws = await workspace(app, client)
    await ws.set_budget(2)
    contacts = await ws.contacts(3, window_open=True)
    started = asyncio.get_running_loop().time()
    for contact_id in contacts:
        await ws.post(f"/api/conversations/{contact_id}", {"text": "hi"}, expect=201)
    while len([m for m in ws.outbound() if m.type == "text"]) < 3:
        assert asyncio.get_running_loop().time() - started < 20
        await asyncio.sleep(0.05)
    times = sorted(m.timestamp for m in ws.outbound() if m.type == "text")
    # Two at once, the third one second after the first: the budget, not a 130429 retry.
    assert times[2] - times[0] >= 0.95
    assert busiest_second(times) <= 2
