"""Engine creation for SQLite (embedded default) and PostgreSQL.

SQLite on Python 3.11 needs the driver's own BEGIN turned off and our own emitted: with the
defaults, concurrent read-modify-write transactions silently lose updates, and a deferred BEGIN
deadlocks on the read-to-write lock upgrade. Writers therefore take `BEGIN IMMEDIATE`
(see DESIGN.md §8 and docs/architecture.md).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

SQLITE_WRITE_OPTION = "finnegans_sqlite_write"


def create_engine(url: str, *, for_migrations: bool = False, echo: bool = False) -> AsyncEngine:
    if url.startswith("sqlite"):
        return _create_sqlite_engine(url, for_migrations=for_migrations, echo=echo)
    return create_async_engine(
        url,
        echo=echo,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=10,
        # psycopg: no server-side prepared statements, so PgBouncer transaction pooling works.
        connect_args={"prepare_threshold": None},
    )


def _create_sqlite_engine(url: str, *, for_migrations: bool, echo: bool) -> AsyncEngine:
    engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30})

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        # Alembic's batch "move and copy" breaks with enforced foreign keys.
        cursor.execute(f"PRAGMA foreign_keys={'OFF' if for_migrations else 'ON'}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get(SQLITE_WRITE_OPTION, True)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine
