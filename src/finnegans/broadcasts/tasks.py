"""Task kinds of the broadcasts module (registered with the task runner in main.py)."""

from __future__ import annotations

from finnegans.broadcasts import sender
from finnegans.broadcasts.repository import RUNNER_KIND
from finnegans.context import AppContext
from finnegans.jobs.task_queue import Handler, TaskRef


def handlers(ctx: AppContext) -> dict[str, Handler]:
    async def run_broadcast(ref: TaskRef) -> None:
        await sender.run(ctx, ref)

    return {RUNNER_KIND: run_broadcast}
