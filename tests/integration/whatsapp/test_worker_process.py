"""`finnegans worker` processes what `serve` stores when the embedded worker is off."""

from __future__ import annotations

import asyncio
from pathlib import Path

from asgi_lifespan import LifespanManager
from httpx import ASGITransport, AsyncClient
from sqlalchemy import select

from finnegans.db.models import Message
from finnegans.jobs.standalone import run_worker
from finnegans.main import create_app
from tests.conftest import make_settings
from tests.integration.whatsapp.webhook_helpers import (
    connect_number,
    fixture,
    post_signed,
    retarget,
    uniquify,
)


async def test_separate_worker_processes_stored_events(database_url: str, tmp_path: Path) -> None:
    settings = make_settings(database_url, tmp_path, embedded_worker=False)
    app = create_app(settings)
    async with (
        LifespanManager(app),
        AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver") as client,
    ):
        number = await connect_number(client)
        body = uniquify(retarget(fixture("inbound_text.json"), number), "worker")
        assert (await post_signed(client, body)).status_code == 200
        wamid = body["entry"][0]["changes"][0]["value"]["messages"][0]["id"]

        async def stored() -> bool:
            async with app.state.ctx.db.unit_of_work(write=False) as session:
                found = await session.execute(select(Message.id).where(Message.wamid == wamid))
                return found.scalar_one_or_none() is not None

        await asyncio.sleep(0.3)
        assert not await stored()  # `serve` only stored the event
        stop = asyncio.Event()
        worker = asyncio.create_task(run_worker(settings, stop))
        for _ in range(100):
            if await stored():
                break
            await asyncio.sleep(0.05)
        stop.set()
        await worker
        assert await stored()
