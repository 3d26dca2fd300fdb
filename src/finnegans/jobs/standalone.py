"""`finnegans worker`: the background work of `serve`, in a process of its own."""

from __future__ import annotations

import asyncio
import gc
import signal

from finnegans.config import Settings
from finnegans.kit.logging import configure_logging, get_logger

log = get_logger(__name__)


async def run_worker(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Run until SIGTERM/SIGINT (or until `stop` is set, for tests)."""
    from finnegans.context import close_send_budget
    from finnegans.main import build_context
    from finnegans.system.sentry import init_sentry

    configure_logging(settings.log_level, settings.log_format.value)
    init_sentry(settings)
    ctx = build_context(settings)
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
    if ctx.dispatch is not None:  # REDIS_URL: take work from the queue as it is published
        await ctx.dispatch.start(receive=True)
    await ctx.webhook_worker.start()
    await ctx.task_runner.start()
    if not gc.get_freeze_count():  # as in `serve`: full collections skip start-up objects
        gc.freeze()
    log.info("worker_started")
    try:
        await stop.wait()
    finally:
        if ctx.dispatch is not None:
            await ctx.dispatch.stop()
        await ctx.task_runner.stop()
        await ctx.webhook_worker.stop()
        await ctx.realtime.stop()
        await close_send_budget(ctx.send_budget)
        await ctx.db.dispose()
        log.info("worker_stopped")
