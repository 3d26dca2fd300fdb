"""WhatsApp business numbers and the raw webhook event log."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from finnegans.db.base import Base, IdMixin, TimestampMixin, workspace_fk
from finnegans.kit.clock import utcnow


class AccountStatus(StrEnum):
    connected = "connected"
    sandbox = "sandbox"
    needs_reconnection = "needs_reconnection"
    incomplete = "incomplete"


class WhatsAppAccount(IdMixin, TimestampMixin, Base):
    __tablename__ = "whatsapp_accounts"

    workspace_id: Mapped[str] = workspace_fk()
    name: Mapped[str] = mapped_column(String(120), default="WhatsApp number")
    # Globally unique: Meta's webhooks are routed to a workspace by this id.
    phone_number_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    waba_id: Mapped[str | None] = mapped_column(String(64), index=True)
    display_phone_number: Mapped[str | None] = mapped_column(String(32))
    verify_token: Mapped[str | None] = mapped_column(String(255))
    # Fernet ciphertexts (finnegans.kit.crypto); never returned by the API.
    app_secret_encrypted: Mapped[str | None] = mapped_column(Text)
    access_token_encrypted: Mapped[str | None] = mapped_column(Text)
    phone_pin_encrypted: Mapped[str | None] = mapped_column(Text)
    send_budget_per_second: Mapped[int] = mapped_column(default=80)
    sandbox: Mapped[bool] = mapped_column(default=False)
    needs_reconnection: Mapped[bool] = mapped_column(default=False)
    status_detail: Mapped[str | None] = mapped_column(String(255))
    quality_rating: Mapped[str | None] = mapped_column(String(16))
    messaging_limit_tier: Mapped[str | None] = mapped_column(String(32))


class WebhookEvent(IdMixin, Base):
    """Every accepted webhook body, stored raw before anything else happens to it."""

    __tablename__ = "webhook_events"
    __table_args__ = (Index("ix_webhook_events_status_received", "status", "received_at"),)

    workspace_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    whatsapp_account_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("whatsapp_accounts.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime | None]
    processed_at: Mapped[datetime | None]


class PendingStatus(IdMixin, Base):
    """A status webhook for a wamid we have not stored yet (Meta can report a message's status
    before our own send has recorded its wamid). Applied when the message is recorded."""

    __tablename__ = "pending_statuses"

    workspace_id: Mapped[str] = workspace_fk()
    wamid: Mapped[str] = mapped_column(String(128), index=True)
    status: Mapped[str] = mapped_column(String(12))
    occurred_at: Mapped[datetime]
    error_code: Mapped[int | None]
    error_title: Mapped[str | None] = mapped_column(String(255))
    error_details: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
