"""Inbox-only data: canned responses agents insert with `/shortcut` in the composer."""

from __future__ import annotations

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from finnegans.db.base import Base, IdMixin, TimestampMixin, workspace_fk


class CannedResponse(IdMixin, TimestampMixin, Base):
    __tablename__ = "canned_responses"
    __table_args__ = (UniqueConstraint("workspace_id", "shortcut"),)

    workspace_id: Mapped[str] = workspace_fk()
    shortcut: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
