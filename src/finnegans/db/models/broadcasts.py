"""Broadcast campaigns and their per-recipient state machines."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from finnegans.db.base import Base, IdMixin, JSONType, TimestampMixin, workspace_fk
from finnegans.kit.clock import utcnow


class Broadcast(IdMixin, TimestampMixin, Base):
    __tablename__ = "broadcasts"

    workspace_id: Mapped[str] = workspace_fk()
    whatsapp_account_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("whatsapp_accounts.id", ondelete="SET NULL")
    )
    flow_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("flows.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("users.id", ondelete="SET NULL")
    )
    title: Mapped[str | None] = mapped_column(String(255))
    body: Mapped[str | None] = mapped_column(Text)
    content: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    audience: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # draft | scheduled | running | paused | completed | cancelled | failed
    status: Mapped[str] = mapped_column(String(16), default="draft")
    paused_reason: Mapped[str | None] = mapped_column(String(255))
    scheduled_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    total_recipients: Mapped[int] = mapped_column(default=0)
    cancelled_at: Mapped[datetime | None]


class BroadcastRecipient(IdMixin, Base):
    __tablename__ = "broadcast_recipients"
    __table_args__ = (
        UniqueConstraint("broadcast_id", "contact_id"),
        Index("ix_broadcast_recipients_broadcast_status", "broadcast_id", "status"),
        # The runner's claim: a broadcast's pending recipients that are due, in id order.
        Index("ix_broadcast_recipients_broadcast_due", "broadcast_id", "status", "next_attempt_at"),
    )

    workspace_id: Mapped[str] = workspace_fk()
    broadcast_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("broadcasts.id", ondelete="CASCADE")
    )
    contact_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    message_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("messages.id", ondelete="SET NULL"), index=True
    )
    # pending | sending | sent | delivered | read | failed | skipped
    status: Mapped[str] = mapped_column(String(12), default="pending")
    error_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    status_updated_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Meta's id of the message sent to this recipient; status webhooks find the recipient by it
    # (or by `biz_opaque_callback_data`, which carries the recipient id).
    wamid: Mapped[str | None] = mapped_column(String(128), index=True)
    # When the runner marked it `sending`: a recipient still `sending` long after this is
    # ambiguous (the process died mid-send) and is reconciled (broadcasts/sender.py).
    claimed_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    read_at: Mapped[datetime | None]
    replied_at: Mapped[datetime | None]
