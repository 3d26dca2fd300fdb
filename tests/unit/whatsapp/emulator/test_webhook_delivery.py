"""How the emulator's webhooks reach the platform: a bounded number of POSTs at once, and the
standalone server's aiohttp sender (real sockets)."""

from __future__ import annotations

import asyncio
import socket

import httpx
from aiohttp import web
from starlette.types import Receive, Scope, Send

from finnegans.whatsapp.emulator import BusinessNumber, Emulator
from finnegans.whatsapp.emulator.aiohttp_poster import AiohttpPoster
from finnegans.whatsapp.emulator.webhooks import WebhookDispatcher

from .conftest import APP_SECRET, PNID, WABA, quick_faults


def number_for(emulator: Emulator, url: str) -> BusinessNumber:
    return emulator.add_number(
        PNID, waba_id=WABA, display_phone_number="15550783881", access_token="t",
        app_secret=APP_SECRET, webhook_url=url,
    )  # fmt: skip


async def test_at_most_max_in_flight_posts_are_open_at_once() -> None:
    open_now, most = 0, 0

    async def slow_platform(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal open_now, most
        open_now += 1
        most = max(most, open_now)
        await asyncio.sleep(0.02)
        open_now -= 1
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    hooks = httpx.AsyncClient(transport=httpx.ASGITransport(app=slow_platform))
    number = number_for(Emulator(), "http://platform/webhook")
    dispatcher = WebhookDispatcher(quick_faults, hooks, max_in_flight=3)
    for i in range(12):
        dispatcher.schedule(number, {"object": "whatsapp_business_account", "n": i}, "statuses")
    await dispatcher.drain(5)
    await hooks.aclose()
    assert dispatcher.acknowledged == 12
    assert most == 3


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_aiohttp_sender_posts_signed_bytes_and_records_refused_connections() -> None:
    received: list[tuple[bytes, str | None]] = []

    async def webhook(request: web.Request) -> web.Response:
        received.append((await request.read(), request.headers.get("X-Hub-Signature-256")))
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    poster = AiohttpPoster(connections=4)
    emulator = Emulator()
    try:
        up = number_for(emulator, f"http://127.0.0.1:{port}/webhook")
        dispatcher = WebhookDispatcher(lambda: quick_faults(webhook_retries=1))
        dispatcher.poster = poster
        await dispatcher.post(up, {"object": "whatsapp_business_account", "x": "é/"}, "statuses")
        assert dispatcher.acknowledged == 1
        body, signature = received[0]
        assert body == b'{"object":"whatsapp_business_account","x":"\\u00e9\\/"}'
        assert signature is not None and signature.startswith("sha256=")

        up.webhook_url = f"http://127.0.0.1:{free_port()}/webhook"  # nobody listens there
        await dispatcher.post(up, {"object": "whatsapp_business_account"}, "statuses")
        assert dispatcher.given_up == 1
        refused = list(dispatcher.attempts)[-2:]
        assert [a.attempt for a in refused] == [1, 2]  # tried, then retried once
        assert all(a.status_code is None and "Connect" in (a.error or "") for a in refused)
    finally:
        await poster.aclose()
        await runner.cleanup()
