"""Contacts (customers on WhatsApp), tags and conversation state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from finnegans.db.base import Base, IdMixin, JSONType, TimestampMixin, workspace_fk


class Contact(IdMixin, TimestampMixin, Base):
    __tablename__ = "contacts"
    __table_args__ = (
        # Either identifier may be missing (BSUID-only users, imported phone-only contacts);
        # NULLs never collide, so both constraints hold on SQLite and PostgreSQL.
        UniqueConstraint("workspace_id", "wa_id"),
        UniqueConstraint("workspace_id", "bsuid"),
        Index("ix_contacts_workspace_phone", "workspace_id", "phone"),
        Index("ix_contacts_workspace_updated", "workspace_id", "updated_at"),
    )

    workspace_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("workspaces.id", ondelete="CASCADE")
    )
    wa_id: Mapped[str | None] = mapped_column(String(32))
    bsuid: Mapped[str | None] = mapped_column(String(128))
    phone: Mapped[str | None] = mapped_column(String(32))  # E.164
    name: Mapped[str | None] = mapped_column(String(255))
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    notes: Mapped[str | None] = mapped_column(Text)
    opted_out: Mapped[bool] = mapped_column(default=False)
    opted_out_at: Mapped[datetime | None]
    last_inbound_at: Mapped[datetime | None]


class Tag(IdMixin, Base):
    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    workspace_id: Mapped[str] = workspace_fk()
    name: Mapped[str] = mapped_column(String(64))
    color: Mapped[str | None] = mapped_column(String(16))


class ContactTag(Base):
    __tablename__ = "contact_tags"

    contact_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Conversation(IdMixin, TimestampMixin, Base):
    """Per-contact inbox state: who answers (bot or human), assignee, unread, the 24 h window."""

    __tablename__ = "conversations"
    __table_args__ = (
        Index("ix_conversations_workspace_last", "workspace_id", "last_message_at"),
        # The inbox's default view: one status, newest activity first.
        Index(
            "ix_conversations_workspace_status_last", "workspace_id", "status", "last_message_at"
        ),
    )

    workspace_id: Mapped[str] = workspace_fk()
    contact_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("contacts.id", ondelete="CASCADE"), unique=True
    )
    whatsapp_account_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("whatsapp_accounts.id", ondelete="SET NULL")
    )
    mode: Mapped[str] = mapped_column(String(8), default="bot")  # bot | human
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | pending | resolved
    assignee_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    unread_count: Mapped[int] = mapped_column(default=0)
    last_message_at: Mapped[datetime | None]
    last_message_preview: Mapped[str | None] = mapped_column(String(255))
    window_expires_at: Mapped[datetime | None]
