"""Run a callback once the current transaction commits (never if it rolls back)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession


def after_commit(session: AsyncSession, callback: Callable[[], None]) -> None:
    def _run(_session: Any) -> None:
        callback()

    event.listen(session.sync_session, "after_commit", _run, once=True)
