"""Contacts background work: CSV imports, one chunk per transaction (contacts/import_service.py).

The task is idempotent: every chunk commits with its checkpoint, so a task claimed again after a
crash continues from the last committed chunk. Between chunks the task lets waiting requests
write first (SQLite has one writer), so an import never stalls the inbox or webhook acks for
longer than one chunk.
"""

from __future__ import annotations

import asyncio

from sqlalchemy.exc import IntegrityError

from finnegans.contacts import import_service
from finnegans.context import AppContext
from finnegans.db.models import ContactImport
from finnegans.jobs.task_queue import Handler, TaskRef
from finnegans.kit.logging import get_logger

log = get_logger(__name__)

# A contact created by a webhook between our lookup and our insert makes the chunk's insert
# collide; the chunk is rolled back and read again, and then finds that contact.
CHUNK_RETRIES = 3


def handlers(ctx: AppContext) -> dict[str, Handler]:
    async def contact_import(ref: TaskRef) -> None:
        await run_import(ctx, ref)

    return {import_service.TASK_KIND: contact_import}


async def run_import(
    ctx: AppContext,
    ref: TaskRef,
    *,
    chunk_rows: int = import_service.CHUNK_ROWS,
    max_chunks: int | None = None,
) -> None:
    """Import chunk after chunk until the file ends (`max_chunks` stops early, for tests that
    play a crash: the task stays claimed, as if the process had died)."""
    chunks = 0
    while max_chunks is None or chunks < max_chunks:
        async with ctx.db.unit_of_work(write=False) as session:
            prepared = await import_service.read_next_chunk(ctx, session, ref,
                                                            chunk_rows=chunk_rows)  # fmt: skip
        for attempt in range(1, CHUNK_RETRIES + 1):
            try:
                async with ctx.db.unit_of_work() as session:
                    done = await import_service.write_chunk(session, ref, prepared)
                break
            except IntegrityError:
                if attempt == CHUNK_RETRIES:
                    raise
                log.info("contact_import_chunk_retried", task_id=ref.id, attempt=attempt)
        chunks += 1
        if done:
            await _remove_file(ctx, ref)
            return
        await asyncio.sleep(0)  # the writer lock goes to whoever queued during the chunk


async def _remove_file(ctx: AppContext, ref: TaskRef) -> None:
    """The file is no longer needed once the import is over (its errors are in the database)."""
    import_id = str(ref.payload.get("import_id"))
    async with ctx.db.unit_of_work(write=False) as session:
        imp = await session.get(ContactImport, import_id)
    if imp is None or imp.status in ("completed", "failed"):
        await asyncio.to_thread(import_service.file_of(ctx, import_id).unlink, missing_ok=True)
