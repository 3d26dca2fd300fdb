"""SQLite statements run on the event loop's thread instead of aiosqlite's worker thread.

Why: aiosqlite sends every call (cursor, execute, fetch, close, commit) to a worker thread and
back. A statement is four or five such hops, and each hop waits for the GIL and for a turn of the
event loop: measured under load, 0.7 ms per hop on average (3.5 ms at p95) for SQL that itself
took 0.05 ms. A flow conversation made ~190 hops, most of them inside write transactions, so the
single SQLite write lock was held mostly by hand-offs (bench/README.md, flow section).

Here the same aiosqlite connection runs each call directly. The sqlite3 connection is opened
with `check_same_thread=False` (aiosqlite's thread still opens and closes it). A call that
would wait for another process's lock must not block the loop: the connection has no busy
timeout, and a busy answer is retried after an asyncio sleep (a statement that failed with
SQLITE_BUSY changed nothing, so running it again is safe).
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from typing import Any

import aiosqlite

BUSY_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
BUSY_TIMEOUT_SECONDS = 30.0


class InlineConnection(aiosqlite.Connection):
    """An aiosqlite connection whose calls run on the caller's thread (the event loop)."""

    busy_timeout = BUSY_TIMEOUT_SECONDS

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        deadline = time.monotonic() + self.busy_timeout
        delay = 0.001
        while True:
            try:
                return fn(*args, **kwargs)
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode not in BUSY_CODES or time.monotonic() > deadline:
                    raise
            # Another process holds the lock: wait without blocking the loop, in growing steps.
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.05)


def connect_inline(database: str, **kwargs: Any) -> InlineConnection:
    """`async_creator_fn` for SQLAlchemy's aiosqlite dialect (see db/engine.py)."""
    kwargs["check_same_thread"] = False
    kwargs["timeout"] = 0  # never wait inside SQLite's busy handler: it would block the loop

    def connector() -> sqlite3.Connection:
        connection: sqlite3.Connection = sqlite3.connect(database, **kwargs)
        return connection

    return InlineConnection(connector, 64)
