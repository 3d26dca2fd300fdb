"""Messages in both directions, with a status that only moves forward."""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from finnegans.db.base import Base, IdMixin, JSONType
from finnegans.kit.clock import utcnow


class MessageStatus(IntEnum):
    """Ordered so that a status update applies only when it moves forward."""

    pending = 0
    sent = 1
    delivered = 2
    read = 3
    played = 4
    failed = 9  # terminal


class Message(IdMixin, Base):
    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_contact_created", "workspace_id", "contact_id", "created_at"),
        Index("ix_messages_workspace_created", "workspace_id", "created_at"),
        # Covers the Overview's per-day counts by direction and status: an index-only scan.
        Index(
            "ix_messages_workspace_created_direction_status",
            "workspace_id",
            "created_at",
            "direction",
            "status",
        ),
    )

    workspace_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.id", ondelete="CASCADE")
    )
    contact_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("contacts.id", ondelete="CASCADE")
    )
    whatsapp_account_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("whatsapp_accounts.id", ondelete="SET NULL")
    )
    session_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("flow_sessions.id", ondelete="SET NULL"), index=True
    )
    broadcast_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("broadcasts.id", ondelete="SET NULL"), index=True
    )
    sent_by_user_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("users.id", ondelete="SET NULL")
    )
    direction: Mapped[str] = mapped_column(String(8))  # inbound | outbound
    type: Mapped[str] = mapped_column(String(24), default="text")
    text: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    wamid: Mapped[str | None] = mapped_column(String(128), unique=True)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    error_code: Mapped[int | None]
    error_title: Mapped[str | None] = mapped_column(String(255))
    error_details: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status_updated_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    read_at: Mapped[datetime | None]
