"""With REDIS_URL, events reach sockets held by other processes: two `finnegans serve`
processes on one database, plus a worker-like process that emits without holding any socket."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from finnegans.db.models import Contact
from finnegans.main import build_context
from finnegans.realtime import conversation_room, workspace_room
from tests.conftest import ENCRYPTION_KEY, make_settings
from tests.helpers import register
from tests.integration.realtime.socket_helpers import WAIT, connect, nothing_more
from tests.processes import finnegans, free_port

JWT_SECRET = "redis-fanout-secret-" + "z" * 40


@contextmanager
def _serve(database_url: str, redis_url: str, data_dir: Path) -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "JWT_SECRET": JWT_SECRET,
        "ENCRYPTION_KEYS": ENCRYPTION_KEY,
        "DATA_DIR": str(data_dir),
        "PUBLIC_URL": url,
        "LOG_LEVEL": "WARNING",
        "ENVIRONMENT": "test",
    }
    with finnegans(
        "serve", "--no-migrate", "--port", str(port),
        env=env, log=data_dir / "server.log", ready_url=f"{url}/api/health",
    ):  # fmt: skip
        yield url


@pytest.fixture
def two_servers(database_url: str, redis_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    with (
        _serve(database_url, redis_url, tmp_path / "one") as url_one,
        _serve(database_url, redis_url, tmp_path / "two") as url_two,
    ):
        yield url_one, url_two


async def test_events_cross_processes_through_redis(
    two_servers: tuple[str, str], database_url: str, redis_url: str, tmp_path: Path
) -> None:
    url_one, url_two = two_servers
    async with httpx.AsyncClient(base_url=url_one, timeout=WAIT) as http:
        owner = await register(http)
        outsider = await register(http)
    # A process that holds no socket, like `finnegans worker`: it emits through Redis only.
    settings = make_settings(
        database_url, tmp_path / "emitter", redis_url=redis_url, jwt_secret=JWT_SECRET
    )
    ctx = build_context(settings)
    async with ctx.db.unit_of_work() as session:
        contact = Contact(workspace_id=owner.workspace_id, name="Ana")
        session.add(contact)
        await session.flush()
        contact_id = contact.id

    on_one = await connect(url_one, token=owner.token)
    on_two = await connect(url_two, token=owner.token)
    stranger = await connect(url_one, token=outsider.token)
    try:
        for socket in (on_one, on_two):
            assert await socket.call("join:conversation", {"contact_id": contact_id}) == {
                "ok": True
            }
        # Typing on process 2 reaches the agent on process 1, not the typist.
        assert await on_two.call("typing:start", {"contact_id": contact_id}) == {"ok": True}
        assert await on_one.next("typing:start") == {
            "contact_id": contact_id,
            "user": {"id": owner.id, "name": "Ana Owner"},
        }
        assert await nothing_more(on_two, "typing:start")

        # Emitted after commit in a third process: both servers' sockets get it, in order.
        async with ctx.db.unit_of_work() as session:
            for n in (1, 2):
                ctx.realtime.emit_after_commit(
                    session,
                    "message:new",
                    {"contact_id": contact_id, "n": n},
                    room=conversation_room(owner.workspace_id, contact_id),
                )
            ctx.realtime.emit_after_commit(
                session,
                "conversation:updated",
                {"contact_id": contact_id},
                room=workspace_room(owner.workspace_id),
            )
        await ctx.realtime.drain()
        for socket in (on_one, on_two):
            assert [(await socket.next("message:new"))["n"] for _ in range(2)] == [1, 2]
            assert await socket.next("conversation:updated") == {"contact_id": contact_id}
        assert await nothing_more(stranger, "conversation:updated")
        assert await nothing_more(stranger, "message:new")
    finally:
        for socket in (on_one, on_two, stranger):
            await socket.close()
        await ctx.realtime.stop()
        await ctx.db.dispose()
