"""A real uvicorn server in the test's event loop (ASGITransport cannot carry websockets), and
Socket.IO clients that record what they receive."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import httpx
import socketio
import uvicorn
from fastapi import FastAPI

from finnegans.config import Settings
from finnegans.context import AppContext
from finnegans.db.models import Contact
from finnegans.main import create_app
from tests.helpers import User, register

WAIT = 10.0  # seconds; generous for a loaded 2-core CI machine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    app: FastAPI
    url: str
    http: httpx.AsyncClient  # a real HTTP client with its own cookie jar

    @property
    def ctx(self) -> AppContext:
        ctx: AppContext = self.app.state.ctx
        return ctx


@asynccontextmanager
async def live_server(settings: Settings) -> AsyncIterator[LiveServer]:
    """`create_app` served by uvicorn on 127.0.0.1 in this event loop (lifespan included)."""
    port = free_port()
    settings.public_url = f"http://127.0.0.1:{port}"
    app = create_app(settings)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    # Leave SIGINT to pytest.
    server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign,assignment]
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(30):
            while not server.started:
                if task.done():
                    task.result()  # surface a start-up failure
                await asyncio.sleep(0.02)
        url = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=url, timeout=WAIT) as http:
            yield LiveServer(app, url, http)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 30)


@dataclass
class Recorder:
    """A Socket.IO client and the events it received, in order."""

    client: socketio.AsyncClient
    http: aiohttp.ClientSession
    received: list[tuple[str, Any]] = field(default_factory=list)
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def record(self, event: str, data: Any) -> None:
        self.received.append((event, data))
        self._arrived.set()

    async def next(self, event: str, timeout: float = WAIT) -> Any:
        """Wait for the first unseen `event` and consume it."""
        async with asyncio.timeout(timeout):
            while True:
                for index, (name, data) in enumerate(self.received):
                    if name == event:
                        del self.received[index]
                        return data
                self._arrived.clear()
                await self._arrived.wait()

    async def call(self, event: str, data: Any) -> Any:
        return await self.client.call(event, data, timeout=WAIT)

    async def close(self) -> None:
        if self.client.connected:
            await self.client.disconnect()
        await self.http.close()


EVENTS = ("message:new", "message:status", "typing:start", "typing:stop", "conversation:updated")


async def connect(
    url: str,
    *,
    token: str | None = None,
    cookie: str | None = None,
    bearer_header: str | None = None,
    origin: str | None = None,
) -> Recorder:
    """Connect over the websocket transport; raises Refused."""
    http = aiohttp.ClientSession()  # ours, so that it is closed even when the handshake fails
    client = socketio.AsyncClient(reconnection=False, http_session=http)
    recorder = Recorder(client, http)
    for event in (*EVENTS, "probe"):
        client.on(event, lambda data, event=event: recorder.record(event, data))
    # A busy room's events arrive coalesced (realtime/fanout.py): unpack them as the dashboard does.
    client.on("batch", lambda items: [recorder.record(name, data) for name, data in items])
    headers: dict[str, str] = {}
    if cookie:
        headers["Cookie"] = f"finnegans_session={cookie}"
    if bearer_header:
        headers["Authorization"] = f"Bearer {bearer_header}"
    if origin:
        headers["Origin"] = origin
    refusals: list[Any] = []
    client.on("connect_error", refusals.append)
    try:
        await client.connect(
            url,
            headers=headers,
            auth={"token": token} if token else None,
            transports=["websocket"],
            wait_timeout=WAIT,
        )
    except socketio.exceptions.ConnectionError as exc:
        await http.close()
        # What the browser's connect_error shows: the server's refusal message.
        raise Refused(refusals[0] if refusals else str(exc)) from exc
    return recorder


class Refused(Exception):
    """The server refused the handshake; `args[0]` is the connect_error data."""


async def new_workspace(live: LiveServer) -> tuple[User, str]:
    """Register an owner over real HTTP; returns the user and its session cookie."""
    async with httpx.AsyncClient(base_url=live.url, timeout=WAIT) as http:
        user = await register(http)
        cookie = http.cookies.get("finnegans_session")
    assert cookie
    return user, cookie


async def add_contact(live: LiveServer, workspace_id: str, name: str = "Ana") -> str:
    async with live.ctx.db.unit_of_work() as session:
        contact = Contact(workspace_id=workspace_id, name=name, wa_id=None)
        session.add(contact)
        await session.flush()
        return contact.id


async def nothing_more(recorder: Recorder, event: str, wait: float = 0.5) -> bool:
    """True when no `event` arrives within `wait` seconds (for "never receives" checks, which
    are always paired with a positive receipt on another socket to bound the wait)."""
    try:
        await recorder.next(event, timeout=wait)
    except TimeoutError:
        return True
    return False
