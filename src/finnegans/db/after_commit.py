"""Run a callback once the current transaction commits (never if it rolls back)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction


def after_commit(
    session: AsyncSession,
    callback: Callable[[], None],
    on_rollback: Callable[[], None] | None = None,
) -> None:
    """`callback()` once the current transaction commits; `on_rollback()` if it rolls back."""
    done = False

    def _run(committed: Session) -> None:
        nonlocal done
        # SQLAlchemy also fires `after_commit` when a savepoint is released; the outer
        # transaction may still roll back, so wait for the real commit. (A listener cannot be
        # removed while the event runs, hence the flag; it dies with the short-lived session.)
        if done or committed.in_nested_transaction():
            return
        done = True
        callback()

    def _drop(_session: Session, previous: SessionTransaction) -> None:
        nonlocal done
        if not previous.nested and not done:
            done = True  # the transaction it belonged to is gone
            if on_rollback is not None:
                on_rollback()

    event.listen(session.sync_session, "after_commit", _run)
    event.listen(session.sync_session, "after_soft_rollback", _drop)
