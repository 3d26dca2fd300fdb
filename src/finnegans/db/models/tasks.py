"""Durable background work: flow steps, timers and sends, one ordered queue per contact.

A task is a row first and work second: it is written in the same transaction as whatever made
it necessary (an inbound message, a flow step), so a crash can delay it but never lose it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from finnegans.db.base import Base, JSONType, workspace_fk
from finnegans.kit.clock import utcnow

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
TaskId = BigInteger().with_variant(Integer(), "sqlite")


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_state_due", "state", "due_at"),
        Index("ix_tasks_contact_state", "contact_id", "state"),
        Index("ix_tasks_session_state", "session_id", "state"),
    )

    # The id orders a contact's tasks: they run strictly one after another in id order.
    id: Mapped[int] = mapped_column(TaskId, primary_key=True, autoincrement=True)
    workspace_id: Mapped[str] = workspace_fk()
    contact_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("contacts.id", ondelete="CASCADE")
    )
    # inbound | timer | http | send | resume | trigger
    kind: Mapped[str] = mapped_column(String(16))
    session_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("flow_sessions.id", ondelete="CASCADE")
    )
    message_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("messages.id", ondelete="CASCADE")
    )
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # pending | running | done | cancelled | failed
    state: Mapped[str] = mapped_column(String(12), default="pending")
    due_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
