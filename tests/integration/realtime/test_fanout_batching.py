"""A busy room's events are coalesced into `batch` frames, in order, and nothing is lost; a lone
event still travels under its own name."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from finnegans.config import Settings
from finnegans.realtime import workspace_room
from finnegans.realtime.fanout import MAX_BATCH
from tests.integration.realtime.socket_helpers import (
    WAIT,
    LiveServer,
    connect,
    live_server,
    new_workspace,
)


@pytest.fixture
async def live(settings: Settings) -> AsyncIterator[LiveServer]:
    async with live_server(settings) as server:
        yield server


async def test_a_burst_arrives_as_few_batches_in_order_and_a_lone_event_alone(
    live: LiveServer,
) -> None:
    owner, cookie = await new_workspace(live)
    room = workspace_room(owner.workspace_id)
    hub = live.ctx.realtime
    agents = [await connect(live.url, cookie=cookie) for _ in range(3)]
    frames: list[list[tuple[str, Any]]] = [[] for _ in agents]
    for agent, seen in zip(agents, frames, strict=True):
        # Record what arrives frame by frame, instead of the recorder's unpacking.
        agent.client.on("conversation:updated", lambda data, seen=seen: seen.append(("one", data)))
        agent.client.on("batch", lambda items, seen=seen: seen.append(("batch", items)))
    try:
        burst = MAX_BATCH + 50
        async with live.ctx.db.unit_of_work() as session:
            for n in range(burst):
                hub.emit_after_commit(session, "conversation:updated", {"n": n}, room=room)
        await hub.drain()

        async def everything_arrived() -> None:
            while any(sum(len(items) if kind == "batch" else 1 for kind, items in seen) < burst
                      for seen in frames):  # fmt: skip
                await asyncio.sleep(0.02)

        await asyncio.wait_for(everything_arrived(), WAIT)
        for seen in frames:
            received = [
                data
                for kind, payload in seen
                for data in ([d for _, d in payload] if kind == "batch" else [payload])
            ]
            assert received == [{"n": n} for n in range(burst)]  # all of them, in order
            assert all(name == "conversation:updated" for kind, items in seen if kind == "batch"
                       for name, _ in items)  # fmt: skip
            # Committed together, they went out as full batches: 250 events in 2 frames.
            assert [len(items) for kind, items in seen] == [MAX_BATCH, 50]
            seen.clear()

        # When nothing is queued, an event goes out alone under its own name.
        await hub.emit_now("conversation:updated", {"n": "alone"}, room=room)
        await hub.drain()
        await asyncio.wait_for(_until(lambda: all(frames)), WAIT)
        assert frames == [[("one", {"n": "alone"})] for _ in agents]
    finally:
        for agent in agents:
            await agent.close()


async def _until(condition: Any) -> None:
    while not condition():
        await asyncio.sleep(0.02)


async def test_open_sockets_are_counted_for_metrics(live: LiveServer) -> None:
    from prometheus_client import REGISTRY

    def open_sockets() -> float:
        return REGISTRY.get_sample_value("finnegans_socket_connections") or 0.0

    _, cookie = await new_workspace(live)
    before = open_sockets()
    agents = [await connect(live.url, cookie=cookie) for _ in range(2)]
    assert open_sockets() == before + 2
    for agent in agents:
        await agent.close()
    await asyncio.wait_for(_until(lambda: open_sockets() == before), WAIT)
