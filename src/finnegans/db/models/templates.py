"""Message templates: local copies of the WhatsApp Business Account's templates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from finnegans.db.base import Base, IdMixin, JSONType, TimestampMixin, workspace_fk


class MessageTemplate(IdMixin, TimestampMixin, Base):
    """One template translation as Meta knows it (name + language is Meta's identity too).

    Meta is the truth: sync overwrites these fields, webhooks move `status` in between. A
    template gone from Meta on the last sync stays with status DELETED, so what was sent with
    it keeps a name to show.
    """

    __tablename__ = "message_templates"
    __table_args__ = (
        UniqueConstraint("workspace_id", "waba_id", "name", "language"),
        # Status webhooks find the template by Meta's id within the WABA.
        Index("ix_message_templates_waba_meta_id", "waba_id", "meta_template_id"),
    )

    workspace_id: Mapped[str] = workspace_fk()
    # The number whose WABA holds it; another number of the same WABA can take over on sync.
    whatsapp_account_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("whatsapp_accounts.id", ondelete="SET NULL"), index=True
    )
    waba_id: Mapped[str] = mapped_column(String(64))
    meta_template_id: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(512))
    language: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(32))
    # APPROVED, PENDING, REJECTED, PAUSED, DISABLED, IN_APPEAL, ... and DELETED (gone from Meta).
    status: Mapped[str] = mapped_column(String(32))
    # Why Meta rejected, paused or disabled it (empty once approved).
    rejected_reason: Mapped[str | None] = mapped_column(Text)
    components: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    parameter_format: Mapped[str] = mapped_column(String(16), default="positional")
    last_synced_at: Mapped[datetime | None]
    # entry.time of the last status webhook applied: an older one arriving late is ignored.
    status_event_at: Mapped[datetime | None]
