"""An import interrupted by a crash resumes after its last committed chunk on restart: no row is
imported twice, none is lost, and the counts and the error report come out as in one run."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from asgi_lifespan import LifespanManager
from httpx import ASGITransport, AsyncClient
from sqlalchemy import func, select

from finnegans.contacts.tasks import run_import
from finnegans.context import AppContext
from finnegans.db.models import Contact, ContactTag, Task
from finnegans.jobs.task_queue import DEFAULT_LEASE
from finnegans.kit.clock import travel
from finnegans.main import create_app
from tests.conftest import make_settings
from tests.helpers import register
from tests.integration.contacts.import_helpers import error_rows, uploaded

ROWS = 1000


def _csv() -> tuple[str, int, int]:
    """ROWS rows; every 10th has a bad phone, every 7th repeats a number from 150 rows back."""
    lines = ["phone,name,tags"]
    bad = repeats = 0
    for i in range(ROWS):
        if i % 10 == 9:
            phone = "+54911"  # too short
            bad += 1
        elif i % 7 == 6 and i >= 150 and (i - 150) % 10 != 9:
            phone = f"+5491150{i - 150:06d}"  # a number an earlier chunk created
            repeats += 1
        else:
            phone = f"+5491150{i:06d}"
        lines.append(f"{phone},Cliente {i},t{i % 3}")
    return "\n".join(lines) + "\n", bad, repeats


async def test_a_restart_mid_import_resumes_without_duplicates(
    database_url: str, tmp_path: Path
) -> None:
    # No embedded worker: the test plays the task runner, so it can stop mid-import.
    settings = make_settings(database_url, tmp_path, embedded_worker=False)
    data, bad, repeats = _csv()
    first = create_app(settings)
    async with LifespanManager(first, startup_timeout=30, shutdown_timeout=30):
        async with AsyncClient(transport=ASGITransport(app=first), base_url="http://t") as client:
            owner = await register(client)
            shown = await uploaded(client, owner, data)
            r = await client.post(f"/api/contacts/imports/{shown['id']}/start",
                                  headers=owner.auth,
                                  json={"mapping": shown["suggested_mapping"]})  # fmt: skip
            assert r.status_code == 202, r.text
            ctx: AppContext = first.state.ctx
            ref = await ctx.task_runner.claim()
            assert ref is not None and ref.kind == "contact_import"
            # Three chunks of 100 rows commit; then the process "dies" with the task claimed.
            await run_import(ctx, ref, chunk_rows=100, max_chunks=3)
            halfway = (await client.get(f"/api/contacts/imports/{shown['id']}",
                                        headers=owner.auth)).json()  # fmt: skip
    assert halfway["status"] == "running"
    assert halfway["rows_read"] == 300
    assert 0 < halfway["progress"] < 100
    assert halfway["created"] + halfway["updated"] + halfway["failed"] == 300

    second = create_app(settings)  # the restart: same database, same DATA_DIR
    async with LifespanManager(second, startup_timeout=30, shutdown_timeout=30):
        ctx = second.state.ctx
        # The dead process's claim holds until its lease runs out; then the task is taken again.
        assert await ctx.task_runner.claim() is None
        with travel(DEFAULT_LEASE + timedelta(seconds=5)):
            ref = await ctx.task_runner.claim()
            assert ref is not None and ref.attempts == 2
            await run_import(ctx, ref, chunk_rows=100)
        async with AsyncClient(transport=ASGITransport(app=second), base_url="http://t") as client:
            done = (await client.get(f"/api/contacts/imports/{shown['id']}",
                                     headers=owner.auth)).json()  # fmt: skip
            reported = await error_rows(client, owner, shown["id"])
        async with ctx.db.unit_of_work(write=False) as session:
            contacts = await session.scalar(
                select(func.count()).select_from(Contact)
                .where(Contact.workspace_id == owner.workspace_id)
            )  # fmt: skip
            numbers = await session.scalar(
                select(func.count(func.distinct(Contact.wa_id)))
                .where(Contact.workspace_id == owner.workspace_id)
            )  # fmt: skip
            links = await session.scalar(
                select(func.count()).select_from(ContactTag)
                .join(Contact, Contact.id == ContactTag.contact_id)
                .where(Contact.workspace_id == owner.workspace_id)
            )  # fmt: skip
            task = await session.get(Task, ref.id)
    assert done["status"] == "completed" and done["rows_read"] == ROWS
    assert (done["created"], done["updated"], done["failed"]) == (
        ROWS - bad - repeats, repeats, bad,
    )  # fmt: skip
    assert contacts == numbers == done["created"]  # nobody imported twice
    assert links == done["created"]  # one tag each (repeats carry the same tag: t{i % 3})
    assert [int(e["row"]) for e in reported] == [i + 2 for i in range(ROWS) if i % 10 == 9]
    assert task is not None and task.state == "done"
    assert not list((tmp_path / "imports").glob("*")), "the stored file is removed when done"
