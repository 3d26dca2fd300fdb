"""The emulator as its own server (`finnegans emulator --port N`), for benchmarks and demos."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI

from finnegans.whatsapp.emulator.emulator import Emulator
from finnegans.whatsapp.emulator.faults import Faults
from finnegans.whatsapp.emulator.webhooks import MAX_IN_FLIGHT

DEFAULT_PHONE_NUMBER_ID = "106540352242922"
DEFAULT_WABA_ID = "102290129340398"
DEFAULT_DISPLAY_NUMBER = "15550783881"
DEFAULT_ACCESS_TOKEN = "emulator-token"  # noqa: S105 - a sandbox credential, documented
DEFAULT_APP_SECRET = "emulator-app-secret"  # noqa: S105 - idem


_freezing = False


def _freeze_after_full_collections() -> None:
    """After each full collection, move its survivors out of the collector's reach.

    The emulator keeps every conversation, message and status for its lifetime, so the heap
    only grows, and each full collection re-scanned all of it: in a 10,000-message broadcast
    bench the emulator's pauses grew from 70 ms to 360 ms (258,000 objects), holding its Graph
    answers back while they lasted. What survives a full collection is state, not garbage;
    frozen, later full collections scan only what came after. Once per process, and only in
    the standalone server (the in-process emulator shares its interpreter with tests).
    """
    global _freezing
    if _freezing:
        return
    _freezing = True
    loop = asyncio.get_running_loop()

    def after(phase: str, info: dict[str, Any]) -> None:
        if phase == "stop" and info["generation"] == 2:
            loop.call_soon_threadsafe(gc.freeze)  # not inside the collector's own callback

    gc.freeze()  # start-up objects first, as `serve` does
    gc.callbacks.append(after)


def create_standalone_app(
    *,
    webhook_url: str | None,
    app_secret: str,
    phone_number_id: str = DEFAULT_PHONE_NUMBER_ID,
    access_token: str = DEFAULT_ACCESS_TOKEN,
    waba_id: str = DEFAULT_WABA_ID,
    display_phone_number: str = DEFAULT_DISPLAY_NUMBER,
    throughput_mps: int = 80,
    verify_token: str | None = None,
    public_url: str | None = None,
    customers: Sequence[tuple[str, str]] = (("16505551234", "Sheena Nelson"),),
    faults: Faults | None = None,
    webhook_timeout: float = 10.0,
) -> FastAPI:
    """One business number, some customers; the Graph API plus `/_emulator` control routes.

    Webhooks go out over aiohttp (a tenth of httpx's CPU per POST, see aiohttp_poster.py);
    the verification GET through a real `httpx.AsyncClient` opened for the app's lifetime.
    """
    emulator = Emulator(faults=faults, public_url=public_url)
    emulator.add_number(
        phone_number_id,
        waba_id=waba_id,
        display_phone_number=display_phone_number,
        access_token=access_token,
        app_secret=app_secret,
        webhook_url=webhook_url,
        throughput_mps=throughput_mps,
        verify_token=verify_token,
    )
    for wa_id, name in customers:
        emulator.add_customer(wa_id, profile_name=name)
    app = emulator.graph_app

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        from finnegans.whatsapp.emulator.aiohttp_poster import AiohttpPoster

        # As many connections as webhook POSTs in flight: no request ever queues in a pool.
        poster = AiohttpPoster(connections=MAX_IN_FLIGHT)
        _freeze_after_full_collections()
        async with httpx.AsyncClient(timeout=webhook_timeout) as client:
            emulator.webhooks.http = client
            emulator.webhooks.poster = poster
            try:
                yield
            finally:
                await emulator.aclose()
                await poster.aclose()

    app.router.lifespan_context = lifespan
    app.state.emulator = emulator
    return app


def run(
    port: int = 8090,
    webhook_url: str | None = "http://127.0.0.1:8000/webhook",
    app_secret: str = DEFAULT_APP_SECRET,
    phone_number_id: str = DEFAULT_PHONE_NUMBER_ID,
    access_token: str = DEFAULT_ACCESS_TOKEN,
    *,
    host: str = "127.0.0.1",
    waba_id: str = DEFAULT_WABA_ID,
    display_phone_number: str = DEFAULT_DISPLAY_NUMBER,
    throughput_mps: int = 80,
    verify_token: str | None = None,
    log_level: str = "warning",
) -> None:
    """Serve the emulator with uvicorn until interrupted (blocking)."""
    import uvicorn

    app = create_standalone_app(
        webhook_url=webhook_url,
        app_secret=app_secret,
        phone_number_id=phone_number_id,
        access_token=access_token,
        waba_id=waba_id,
        display_phone_number=display_phone_number,
        throughput_mps=throughput_mps,
        verify_token=verify_token,
        public_url=f"http://{host}:{port}",
    )
    uvicorn.run(app, host=host, port=port, log_level=log_level)
