"""Contacts (customers on WhatsApp), tags and conversation state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from finnegans.db.base import Base, IdMixin, JSONType, TimestampMixin, workspace_fk
from finnegans.kit.clock import utcnow


class Contact(IdMixin, TimestampMixin, Base):
    __tablename__ = "contacts"
    __table_args__ = (
        # Either identifier may be missing (BSUID-only users, imported phone-only contacts);
        # NULLs never collide, so both constraints hold on SQLite and PostgreSQL.
        UniqueConstraint("workspace_id", "wa_id"),
        UniqueConstraint("workspace_id", "bsuid"),
        Index("ix_contacts_workspace_phone", "workspace_id", "phone"),
        Index("ix_contacts_workspace_updated", "workspace_id", "updated_at"),
        # The contacts list sorts, and segments filter, by last activity (last inbound message).
        Index("ix_contacts_workspace_last_inbound", "workspace_id", "last_inbound_at"),
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


class ContactAttributeDefinition(IdMixin, TimestampMixin, Base):
    """A typed custom attribute: values live in Contact.attributes[key], checked on API writes."""

    __tablename__ = "contact_attribute_definitions"
    __table_args__ = (UniqueConstraint("workspace_id", "key"),)

    workspace_id: Mapped[str] = workspace_fk()
    key: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(120))
    type: Mapped[str] = mapped_column(String(16))  # text | number | date | boolean


class Segment(IdMixin, TimestampMixin, Base):
    """A saved audience: a structured rule set (contacts/segments.py), never SQL or code."""

    __tablename__ = "segments"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    workspace_id: Mapped[str] = workspace_fk()
    name: Mapped[str] = mapped_column(String(120))
    rules: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)


class ContactOptEvent(IdMixin, Base):
    """The audit trail of a contact's opt-out state: who or what changed it, and when."""

    __tablename__ = "contact_opt_events"
    __table_args__ = (Index("ix_contact_opt_events_contact_created", "contact_id", "created_at"),)

    workspace_id: Mapped[str] = workspace_fk()
    contact_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("contacts.id", ondelete="CASCADE")
    )
    action: Mapped[str] = mapped_column(String(8))  # opt_out | opt_in
    # keyword | meta_marketing_preference | agent | import | api
    source: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(String(255))
    actor_user_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


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
