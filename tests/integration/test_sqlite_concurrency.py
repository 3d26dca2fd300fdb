"""SQLite writers take BEGIN IMMEDIATE: concurrent read-modify-write loses nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import select

from finnegans.config import Settings
from finnegans.db.engine import create_engine
from finnegans.db.migrate import upgrade
from finnegans.db.models import Workspace
from finnegans.db.session import Database


async def test_twenty_concurrent_increments_all_land(tmp_path: Path) -> None:
    url = Settings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'c.db'}").database_url  # type: ignore[call-arg]
    await asyncio.to_thread(upgrade, url)
    db = Database(create_engine(url))
    async with db.unit_of_work() as s:
        ws = Workspace(name="counter", settings={"n": 0})
        s.add(ws)

    async def bump() -> None:
        async with db.unit_of_work() as s:
            row = (await s.execute(select(Workspace).where(Workspace.id == ws.id))).scalar_one()
            await asyncio.sleep(0.001)  # widen the race window
            row.settings = {"n": row.settings["n"] + 1}

    await asyncio.gather(*(bump() for _ in range(20)))
    async with db.unit_of_work(write=False) as s:
        final = (await s.execute(select(Workspace).where(Workspace.id == ws.id))).scalar_one()
    await db.dispose()
    assert final.settings["n"] == 20
