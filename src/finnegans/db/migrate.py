"""Run Alembic programmatically (used by `finnegans migrate`, start-up checks and tests)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _in_thread(fn: Callable[[], None]) -> None:
    """Alembic's env.py runs its own event loop, which cannot start inside a running one, so
    migrations always run on a worker thread (callable from sync and async code alike)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(fn).result()


def upgrade(url: str, revision: str = "head") -> None:
    _in_thread(lambda: command.upgrade(alembic_config(url), revision))


def downgrade(url: str, revision: str = "base") -> None:
    _in_thread(lambda: command.downgrade(alembic_config(url), revision))
